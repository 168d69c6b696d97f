//! Least-privilege sweep (issue 23 #1): every operation of every module's
//! committed OpenAPI document, called as that module's least-privileged role
//! with the ids of objects someone else owns.
//!
//! - The demo data sets are loaded; then text columns of the rows the caller
//!   must not read get a marker (`SQL` below, per module) and a few more
//!   private objects are made as admin (an uploaded document, an internal
//!   article).
//! - Each operation gets its path ids from the database (objects owned by
//!   others), its required query parameters and a request body built from
//!   its schema (examples, enums, required fields), so that a call that is
//!   refused is refused for who is calling.
//! - A read (GET, or a POST that only reads) answering 2xx must not carry the
//!   marker; a write answering 2xx must be one the role may do (`MAY_WRITE`,
//!   each with its reason). Reads run first, then writes, deletes last.
//!
//! Every finding is listed before the test fails.

use std::collections::HashMap;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use poem::test::{TestForm, TestFormField};
use serde_json::{json, Map, Value};

const MARK: &str = "SWEEP-PRIVATE-7f3a";

/// One caller of a module: how it authenticates, and its tenant header.
struct Caller {
    name: &'static str,
    authorization: String,
    tenant: Option<String>,
}

struct Plan {
    slug: &'static str,
    /// Where the module's document's paths are served.
    base: &'static str,
    callers: Vec<Caller>,
    /// `METHOD path` of writes the role may do, with why.
    may_write: &'static [(&'static str, &'static str)],
    /// `METHOD path` of POSTs that only read (checked like GETs).
    reads: &'static [&'static str],
    /// `METHOD path` of reads whose answer may carry marked rows, with why.
    may_read: &'static [(&'static str, &'static str)],
    /// Path parameter → id of an object someone else owns.
    ids: HashMap<String, String>,
}

// ---------------------------------------------------------------- markers

/// Marks the text of rows `caller` must not read: `(table, column, where)`.
const SQL: &[(&str, &str, &str)] = &[
    // contact-center: a self-registered `user` sees only their own campaigns,
    // contacts, call lists and templates, public articles and public templates.
    ("cc_companies", "description", "1"),
    ("cc_campaign_templates", "description", "is_public = 0"),
    ("cc_campaigns", "description", "1"),
    ("cc_contacts", "company", "1"),
    ("cc_call_lists", "name", "1"),
    ("cc_teams", "description", "1"),
    ("cc_queues", "description", "1"),
    ("cc_calls", "notes", "1"),
    ("cc_ivr_flows", "description", "1"),
    ("cc_routing_rules", "description", "1"),
    ("cc_voicemails", "notes", "1"),
    ("cc_thresholds", "alert_message", "1"),
    ("cc_alerts", "notes", "1"),
    ("cc_compliance_phrases", "description", "1"),
    ("cc_kb_articles", "content", "is_public = 0"),
    ("cc_report_templates", "description", "is_public = 0"),
    ("cc_reports", "name", "1"),
    ("cc_report_schedules", "name", "1"),
    ("cc_documents", "description", "1"),
    ("cc_transcriptions", "text", "1"),
    // training: a viewer reads every scenario but private ones of others.
    ("training_scenarios", "name", "is_private = 1"),
    (
        "training_comments",
        "content",
        "scenario_id IN (SELECT id FROM training_scenarios WHERE is_private = 1)",
    ),
    (
        "training_versions",
        "changelog",
        "scenario_id IN (SELECT id FROM training_scenarios WHERE is_private = 1)",
    ),
    // marketplace: a customer reads public provider data, never other
    // customers' requests, providers' price history or admin campaigns.
    ("marketplace_pricing_history", "reason", "1"),
    ("marketplace_campaigns", "name", "1"),
    ("marketplace_review_requests", "decline_feedback", "1"),
    ("marketplace_customers", "name", "1"),
    // chatbot: nothing of another tenant (the demo tenant is the other one).
    ("chatbot_tenants", "name", "id != '{TENANT}'"),
    ("chatbot_articles", "title", "tenant_id != '{TENANT}'"),
    ("chatbot_members", "first_name", "tenant_id != '{TENANT}'"),
    ("chatbot_transfers", "note", "tenant_id != '{TENANT}'"),
    ("chatbot_feedback", "comment", "tenant_id != '{TENANT}'"),
    (
        "chatbot_conversations",
        "close_reason",
        "tenant_id != '{TENANT}'",
    ),
];

/// Path parameter → the first id of a table (the demo's, someone else's).
/// A parameter named `id` is told apart by the path before it.
const IDS: &[(&str, &str, &str)] = &[
    // (module, parameter or path prefix, SQL)
    ("contact-center", "alert_id", "SELECT id FROM cc_alerts"),
    (
        "contact-center",
        "threshold_id",
        "SELECT id FROM cc_thresholds",
    ),
    ("contact-center", "flow_id", "SELECT id FROM cc_ivr_flows"),
    (
        "contact-center",
        "version",
        "SELECT version FROM cc_ivr_flow_versions",
    ),
    (
        "contact-center",
        "session_id",
        "SELECT id FROM cc_ivr_sessions",
    ),
    (
        "contact-center",
        "phrase_id",
        "SELECT id FROM cc_compliance_phrases",
    ),
    (
        "contact-center",
        "recording_id",
        "SELECT id FROM cc_recordings",
    ),
    (
        "contact-center",
        "schedule_id",
        "SELECT id FROM cc_report_schedules",
    ),
    (
        "contact-center",
        "/api/reports/templates",
        "SELECT id FROM cc_report_templates WHERE is_public = 0",
    ),
    (
        "contact-center",
        "/api/v1/campaign-templates",
        "SELECT id FROM cc_campaign_templates WHERE is_public = 0",
    ),
    ("contact-center", "report_id", "SELECT id FROM cc_reports"),
    (
        "contact-center",
        "rule_id",
        "SELECT id FROM cc_routing_rules",
    ),
    ("contact-center", "agent_id", "SELECT id FROM cc_agents"),
    ("contact-center", "list_id", "SELECT id FROM cc_call_lists"),
    ("contact-center", "call_id", "SELECT call_id FROM cc_calls"),
    (
        "contact-center",
        "campaign_id",
        "SELECT id FROM cc_campaigns",
    ),
    (
        "contact-center",
        "company_id",
        "SELECT id FROM cc_companies",
    ),
    ("contact-center", "contact_id", "SELECT id FROM cc_contacts"),
    (
        "contact-center",
        "document_id",
        "SELECT id FROM cc_documents",
    ),
    (
        "contact-center",
        "article_id",
        "SELECT id FROM cc_kb_articles WHERE is_public = 0",
    ),
    ("contact-center", "queue_id", "SELECT id FROM cc_queues"),
    ("contact-center", "team_id", "SELECT id FROM cc_teams"),
    (
        "contact-center",
        "voicemail_id",
        "SELECT id FROM cc_voicemails",
    ),
    (
        "training",
        "/admin/scenarios/tests",
        "SELECT id FROM training_ab_tests",
    ),
    (
        "training",
        "/admin/scenarios",
        "SELECT id FROM training_scenarios WHERE is_private = 1",
    ),
    (
        "training",
        "/admin/templates",
        "SELECT id FROM training_templates",
    ),
    ("training", "commentId", "SELECT id FROM training_comments"),
    ("training", "versionNumber", "SELECT 1"),
    (
        "training",
        "/admin/webhooks",
        "SELECT id FROM platform_webhooks WHERE module = 'training'",
    ),
    (
        "marketplace",
        "campaignId",
        "SELECT id FROM marketplace_campaigns",
    ),
    (
        "marketplace",
        "reviewId",
        "SELECT id FROM marketplace_reviews",
    ),
    (
        "marketplace",
        "bookingId",
        "SELECT id FROM marketplace_bookings",
    ),
    (
        "marketplace",
        "pricingId",
        "SELECT id FROM marketplace_pricing",
    ),
    (
        "marketplace",
        "providerId",
        "SELECT id FROM marketplace_providers",
    ),
    (
        "marketplace",
        "requestId",
        "SELECT id FROM marketplace_review_requests",
    ),
    (
        "marketplace",
        "/webhooks",
        "SELECT id FROM platform_webhooks WHERE module = 'marketplace'",
    ),
    (
        "planning",
        "userId",
        "SELECT id FROM platform_users WHERE email = 'admin@test.local'",
    ),
    ("planning", "versionId", "SELECT id FROM planning_versions"),
    (
        "planning",
        "/api/versions",
        "SELECT id FROM planning_versions",
    ),
    (
        "chatbot",
        "message_id",
        "SELECT message_id FROM chatbot_messages WHERE tenant_id != '{TENANT}'",
    ),
    (
        "chatbot",
        "/conversations",
        "SELECT id FROM chatbot_conversations WHERE tenant_id != '{TENANT}'",
    ),
    (
        "chatbot",
        "/sessions",
        "SELECT id FROM chatbot_sessions WHERE tenant_id != '{TENANT}'",
    ),
    // Tenant routes name the caller's own tenant: what a viewer may do there.
    ("chatbot", "/tenants", "SELECT '{TENANT}'"),
    (
        "chatbot",
        "/integrations/webhooks",
        "SELECT id FROM platform_webhooks WHERE module = 'chatbot'",
    ),
    (
        "chatbot",
        "/knowledge/articles",
        "SELECT id FROM chatbot_articles WHERE tenant_id != '{TENANT}'",
    ),
    (
        "chatbot",
        "integration_id",
        "SELECT id FROM platform_webhooks WHERE module = 'chatbot'",
    ),
    ("chatbot", "channel", "SELECT 'whatsapp'"),
];

// ---------------------------------------------------------------- allowances

const CC_WRITES: &[(&str, &str)] = &[
    ("POST /api/v1/auth/login", "anyone signs in"),
    (
        "POST /api/v1/auth/register",
        "the document's self-registration",
    ),
    ("POST /api/v1/campaigns", "users run their own campaigns"),
    ("POST /api/v1/contacts", "users keep their own contacts"),
    (
        "POST /api/v1/contacts/import",
        "users import their own contacts",
    ),
    ("POST /api/v1/call-lists", "users make their own call lists"),
    (
        "POST /api/v1/campaign-templates",
        "users keep private templates",
    ),
];
const CC_READS: &[&str] = &["POST /api/v1/knowledge/search", "POST /api/v1/auth/login"];

const TRAINING_WRITES: &[(&str, &str)] = &[];
const TRAINING_READS: &[&str] = &[
    "POST /admin/scenarios/search",
    "POST /admin/scenarios/analytics/compare",
    "POST /admin/scenarios/bulk/export",
    // computes which variant a trainee gets; stores nothing
    "POST /admin/scenarios/tests/{id}/assignments",
];

const MARKETPLACE_WRITES: &[(&str, &str)] = &[
    ("POST /bookings", "customers book services"),
    ("PUT /customers/profile", "their own profile"),
    ("PUT /customers/review-preferences", "their own preferences"),
    (
        "POST /reviews/{reviewId}/helpful",
        "any customer votes on a published review",
    ),
    (
        "POST /webhooks",
        "anyone subscribes to events about their own bookings, reviews and prices (not module-wide)",
    ),
];
const MARKETPLACE_READS: &[&str] = &["POST /services/estimate"];

const PLANNING_WRITES: &[(&str, &str)] = &[
    ("POST /api/auth/signin", "anyone signs in"),
    ("POST /api/auth/signout", "their own session"),
    (
        "POST /api/reports/generate/{versionId}",
        "viewers generate reports of versions they read",
    ),
];
const PLANNING_READS: &[&str] = &["POST /api/versions/compare"];

const CHATBOT_WRITES: &[(&str, &str)] = &[
    ("POST /chat/message", "the tenant's end users chat (API key)"),
    ("POST /chat/typing", "the tenant's end users chat (API key)"),
    ("POST /chat/feedback", "the tenant's end users rate answers (API key)"),
    ("POST /sessions", "the tenant's end users open sessions (API key)"),
    (
        "POST /knowledge/articles",
        "API keys write the tenant's own knowledge base (server to server); reported to the chatbot owner to confirm",
    ),
    ("POST /webhooks/generic/{integration_id}", "channel callbacks, verified by signature"),
    ("POST /webhooks/messenger", "channel callbacks, verified by signature"),
    ("POST /webhooks/slack", "channel callbacks, verified by signature"),
    ("POST /webhooks/teams", "channel callbacks, verified by signature"),
    ("POST /webhooks/telegram", "channel callbacks, verified by signature"),
    ("POST /webhooks/whatsapp", "channel callbacks, verified by signature"),
];
const CHATBOT_READS: &[&str] = &[];

const NO_READS: &[(&str, &str)] = &[];
// An A/B test whose variants include a scenario the caller cannot see is
// 404 to that caller (training visibility rule), so nothing is allowed here.
const TRAINING_MAY_READ: &[(&str, &str)] = &[];
const MARKETPLACE_MAY_READ: &[(&str, &str)] = &[];

// ---------------------------------------------------------------- bodies

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or_default();
            let target = &doc["components"]["schemas"][name];
            resolve(doc, target)
        }
        None => schema,
    }
}

/// A value that satisfies `schema`: its example, its first enum value, its
/// required properties filled in, ids of the module's objects for `*_id` fields.
fn sample(
    doc: &Value,
    schema: &Value,
    name: &str,
    ids: &HashMap<String, String>,
    depth: usize,
) -> Value {
    let s = resolve(doc, schema);
    if depth > 6 {
        return Value::Null;
    }
    if let Some(e) = s.get("example") {
        return e.clone();
    }
    if let Some(e) = s.get("default") {
        if !e.is_null() {
            return e.clone();
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = s.get(key).and_then(Value::as_array).and_then(|a| {
            a.iter()
                .find(|v| resolve(doc, v).get("type") != Some(&json!("null")))
        }) {
            return sample(doc, first, name, ids, depth + 1);
        }
    }
    if let Some(e) = s
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return e.clone();
    }
    let ty = s.get("type").and_then(Value::as_str).unwrap_or_else(|| {
        if s.get("properties").is_some() {
            "object"
        } else {
            "string"
        }
    });
    let lname = name.to_ascii_lowercase();
    let id_of = || {
        ids.iter()
            .find(|(k, _)| k.to_ascii_lowercase().replace('_', "") == lname.replace('_', ""))
            .map(|(_, v)| v.clone())
    };
    match ty {
        "object" => {
            let mut out = Map::new();
            let required: Vec<&str> = s
                .get("required")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    if required.contains(&k.as_str()) {
                        out.insert(k.clone(), sample(doc, v, k, ids, depth + 1));
                    }
                }
            }
            Value::Object(out)
        }
        "array" => {
            let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            if min > 0 || depth == 0 {
                json!([sample(doc, &s["items"], name, ids, depth + 1)])
            } else {
                json!([])
            }
        }
        "integer" => id_of()
            .and_then(|v| v.parse::<i64>().ok())
            .map(Value::from)
            .unwrap_or(json!(s
                .get("minimum")
                .and_then(Value::as_i64)
                .unwrap_or(1)
                .max(1))),
        "number" => json!(s
            .get("minimum")
            .and_then(Value::as_f64)
            .unwrap_or(1.0)
            .max(1.0)),
        "boolean" => json!(true),
        _ => {
            if let Some(v) = id_of() {
                return json!(v);
            }
            match s.get("format").and_then(Value::as_str) {
                Some("date-time") => json!("2026-12-01T10:00:00Z"),
                Some("date") => json!("2026-12-01"),
                Some("email") => json!("sweep@example.com"),
                Some("uri") | Some("url") => json!("https://hooks.example.com/sweep"),
                _ if lname.contains("email") => json!("sweep@example.com"),
                _ if lname.contains("phone") || lname.contains("number") => json!("+14155550123"),
                _ if lname.contains("url") => json!("https://hooks.example.com/sweep"),
                _ if lname.contains("date") || lname.ends_with("_at") => {
                    json!("2026-12-01T10:00:00Z")
                }
                _ => json!("sweep"),
            }
        }
    }
}

// ---------------------------------------------------------------- calls

async fn send(
    app: &TestApp,
    method: &str,
    url: &str,
    caller: &Caller,
    body: Option<Value>,
) -> (StatusCode, String) {
    let c = &app.client;
    let mut req = match method {
        "GET" => c.get(url),
        "POST" => c.post(url),
        "PUT" => c.put(url),
        "PATCH" => c.patch(url),
        "DELETE" => c.delete(url),
        other => panic!("unsupported method {other}"),
    };
    req = req.header("Authorization", caller.authorization.clone());
    if let Some(t) = &caller.tenant {
        req = req.header("X-Tenant-ID", t.clone());
    }
    let resp = match body {
        Some(b) => req.body_json(&b).send().await,
        None => req.send().await,
    };
    let status = resp.0.status();
    let text = resp.0.into_body().into_string().await.unwrap_or_default();
    (status, text)
}

async fn first_id(app: &TestApp, sql: String) -> Option<String> {
    app.platform
        .db
        .read(move |c| {
            let v: Option<rusqlite::types::Value> = c
                .query_row(&format!("{sql} LIMIT 1"), [], |r| r.get(0))
                .ok();
            Ok(v.map(|v| match v {
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Text(s) => s,
                rusqlite::types::Value::Real(f) => f.to_string(),
                _ => String::new(),
            }))
        })
        .await
        .expect("id lookup")
}

fn order(method: &str) -> u8 {
    match method {
        "GET" => 0,
        "DELETE" => 2,
        _ => 1,
    }
}

/// Calls every operation of `plan`'s document as each of its callers;
/// returns the number of calls and the findings.
async fn sweep(app: &TestApp, plan: &Plan) -> (usize, Vec<String>) {
    let path = format!("{}/openapi/{}.json", env!("CARGO_MANIFEST_DIR"), plan.slug);
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("document")).expect("json");
    let mut ops = Vec::new();
    for (p, item) in doc["paths"].as_object().expect("paths") {
        for (m, op) in item.as_object().expect("operations") {
            ops.push((m.to_uppercase(), p.clone(), op.clone()));
        }
    }
    ops.sort_by_key(|(m, p, _)| (order(m), p.clone()));
    let mut findings = Vec::new();
    let mut calls = 0;
    for caller in &plan.callers {
        for (method, p, op) in &ops {
            let key = format!("{method} {p}");
            // Signing out ends the caller's own session (and would end the sweep's token).
            if p.ends_with("/signout") || p.ends_with("/logout") {
                continue;
            }
            // Path ids: named parameters, or `id` by the path before it.
            let mut url = p.clone();
            for seg in p.split('/').filter(|s| s.starts_with('{')) {
                let name = seg.trim_matches(|c| c == '{' || c == '}');
                let prefix = &p[..p.find(seg).unwrap_or(0)].trim_end_matches('/');
                let id = plan
                    .ids
                    .get(name)
                    .filter(|_| name != "id")
                    .or_else(|| plan.ids.get(*prefix))
                    .cloned()
                    .unwrap_or_else(|| "999999".into());
                url = url.replacen(seg, &id, 1);
            }
            let mut query = Vec::new();
            for prm in op["parameters"].as_array().into_iter().flatten() {
                let prm = resolve(&doc, prm);
                if prm["in"] == "query" && prm["required"] == true {
                    let name = prm["name"].as_str().unwrap_or_default();
                    let schema = resolve(&doc, &prm["schema"]);
                    let schema = if schema["type"] == "array" {
                        &schema["items"]
                    } else {
                        schema
                    };
                    let v = if name == "location" {
                        json!("-1.2864,36.8219")
                    } else {
                        sample(&doc, schema, name, &plan.ids, 1)
                    };
                    let v = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    query.push(format!("{name}={v}"));
                }
            }
            if !query.is_empty() {
                url = format!("{url}?{}", query.join("&"));
            }
            let json_schema = op["requestBody"]["content"].as_object().and_then(|c| {
                c.iter()
                    .find(|(k, _)| k.starts_with("application/json"))
                    .map(|(_, v)| v["schema"].clone())
            });
            let body = json_schema.map(|schema| sample(&doc, &schema, "", &plan.ids, 0));
            let (status, text) =
                send(app, method, &format!("{}{url}", plan.base), caller, body).await;
            calls += 1;
            if std::env::var("SWEEP_TRACE").is_ok() {
                eprintln!(
                    "{} {} {url} as {}: {}",
                    plan.slug,
                    method,
                    caller.name,
                    status.as_u16()
                );
            }
            if status.is_server_error() {
                findings.push(format!(
                    "{} {} as {}: {} {}",
                    plan.slug, key, caller.name, status, text
                ));
                continue;
            }
            if !status.is_success() {
                continue;
            }
            let is_read = method == "GET" || plan.reads.contains(&key.as_str());
            if is_read {
                if text.contains(MARK) && !plan.may_read.iter().any(|(k, _)| *k == key) {
                    findings.push(format!(
                        "{} {} as {}: {} shows another owner's private data ({url})",
                        plan.slug, key, caller.name, status
                    ));
                }
            } else if !plan.may_write.iter().any(|(k, _)| *k == key) {
                findings.push(format!(
                    "{} {} as {}: {} for a write the role may not do ({url})",
                    plan.slug, key, caller.name, status
                ));
            }
        }
    }
    (calls, findings)
}

// ---------------------------------------------------------------- the test

async fn upload_document(app: &TestApp) {
    let form = TestForm::new()
        .field(
            TestFormField::bytes(format!("name,salary\nJane,98000 {MARK}\n").into_bytes())
                .name("file")
                .filename("hr-confidential.csv")
                .content_type("text/csv"),
        )
        .text("category", "HR-confidential")
        .text("description", format!("Salaries {MARK}"));
    let resp = app
        .client
        .post("/contact-center/api/v1/documents")
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .multipart(form)
        .send()
        .await;
    assert_eq!(resp.0.status(), StatusCode::CREATED);
}

async fn register(app: &TestApp) -> String {
    let (s, b) = app
        .call(
            "POST",
            "/contact-center/api/v1/auth/register",
            None,
            Some(json!({"email": "self.registered@example.com", "password": "Password123", "full_name": "Self Registered"})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app
        .call(
            "POST",
            "/contact-center/api/v1/auth/login",
            None,
            Some(json!({"email": "self.registered@example.com", "password": "Password123"})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::OK, "{b}");
    b["access_token"].as_str().expect("token").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_as_the_least_privileged_role() {
    let modules = frontline::modules();
    let app = TestApp::new(frontline::modules()).await;
    let platform = app.platform.clone();
    tokio::task::spawn_blocking(move || {
        for m in modules {
            if let Some(demo) = m.demo {
                demo(&platform).unwrap_or_else(|e| panic!("demo of {}: {}", m.slug, e.message));
            }
        }
    })
    .await
    .expect("demo data");

    // Private objects the demo does not have: a staff document, an internal article.
    upload_document(&app).await;
    let (s, b) = app
        .call(
            "POST",
            "/contact-center/api/v1/knowledge",
            Some(&app.admin_token),
            Some(json!({"title": "Internal escalation", "content": format!("Internal only {MARK}"), "is_public": false})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // Private report and campaign templates, an admin's marketplace webhook.
    for (path, body) in [
        (
            "/contact-center/api/reports/templates",
            json!({"name": "Staff template", "description": MARK, "report_type": "call_summary", "is_public": false}),
        ),
        (
            "/contact-center/api/v1/campaign-templates",
            json!({"name": "Staff campaign template", "description": MARK, "campaign_type": "outbound", "is_public": false}),
        ),
        (
            "/marketplace/v1/webhooks",
            json!({"url": "https://hooks.example.com/admin", "events": ["review.created"], "description": MARK}),
        ),
    ] {
        let (s, b) = app
            .call("POST", path, Some(&app.admin_token), Some(body))
            .await
            .parts();
        assert!(s.is_success(), "{path}: {s} {b}");
    }
    // A private training scenario of someone else.
    app.platform
        .db
        .write(|tx| {
            tx.execute(
                "UPDATE training_scenarios SET is_private = 1 WHERE id = (SELECT id FROM training_scenarios ORDER BY id LIMIT 1)",
                [],
            )?;
            Ok(())
        })
        .await
        .expect("private scenario");

    // chatbot: a tenant of our own with a viewer member and an API key.
    let (viewer_id, viewer_token) = app.user_with(&[]).await;
    let viewer_email = app
        .platform
        .auth
        .get_user(&viewer_id)
        .await
        .expect("user")
        .expect("user")
        .email;
    let (owner_id, _) = app.user_with(&[]).await;
    let owner_email = app
        .platform
        .auth
        .get_user(&owner_id)
        .await
        .expect("user")
        .expect("user")
        .email;
    let (s, t) = app
        .call(
            "POST",
            "/chatbot/api/v2/tenants",
            Some(&app.admin_token),
            Some(json!({"name": "Sweep tenant", "plan": "enterprise", "admin_user": {"email": owner_email}})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let tenant = t["data"]["tenant_id"].as_str().expect("tenant").to_string();
    let api_key = t["data"]["api_keys"]["primary"]
        .as_str()
        .expect("key")
        .to_string();
    let (s, m) = send(
        &app,
        "POST",
        &format!("/chatbot/api/v2/tenants/{tenant}/users"),
        &Caller {
            name: "admin",
            authorization: format!("Bearer {}", app.admin_token),
            tenant: Some(tenant.clone()),
        },
        Some(json!({"email": viewer_email, "role": "viewer", "first_name": "View", "last_name": "Er", "send_invitation": false})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");

    // Mark the rows each caller must not read.
    let tenant2 = tenant.clone();
    app.platform
        .db
        .write(move |tx| {
            for (table, col, filter) in SQL {
                let filter = filter.replace("{TENANT}", &tenant2);
                tx.execute(
                    &format!(
                        "UPDATE {table} SET {col} = COALESCE({col}, '') || ' {MARK}' WHERE {filter}"
                    ),
                    [],
                )?;
            }
            Ok(())
        })
        .await
        .expect("markers");

    // The markers are where the sweep looks: an admin sees them.
    let (_, docs) = app
        .call(
            "GET",
            "/contact-center/api/v1/documents",
            Some(&app.admin_token),
            None,
        )
        .await
        .parts();
    assert!(docs.to_string().contains(MARK), "{docs}");

    let mut ids: HashMap<&str, HashMap<String, String>> = HashMap::new();
    for (module, key, sql) in IDS {
        if let Some(id) = first_id(&app, sql.replace("{TENANT}", &tenant)).await {
            ids.entry(*module).or_default().insert(key.to_string(), id);
        }
    }
    let mut ids_of = |m: &str| ids.remove(m).unwrap_or_default();

    let bearer = |t: &str| format!("Bearer {t}");
    let plans = vec![
        Plan {
            slug: "contact-center",
            base: "/contact-center",
            callers: vec![Caller {
                name: "self-registered user",
                authorization: bearer(&register(&app).await),
                tenant: None,
            }],
            may_write: CC_WRITES,
            reads: CC_READS,
            may_read: NO_READS,
            ids: ids_of("contact-center"),
        },
        Plan {
            slug: "training",
            base: "/training/api",
            callers: vec![Caller {
                name: "viewer",
                authorization: bearer(&app.token_for(&["training:viewer"]).await),
                tenant: None,
            }],
            may_write: TRAINING_WRITES,
            reads: TRAINING_READS,
            may_read: TRAINING_MAY_READ,
            ids: ids_of("training"),
        },
        Plan {
            slug: "marketplace",
            base: "/marketplace/v1",
            callers: vec![Caller {
                name: "customer",
                authorization: bearer(&app.token_for(&["marketplace:customer"]).await),
                tenant: None,
            }],
            may_write: MARKETPLACE_WRITES,
            reads: MARKETPLACE_READS,
            may_read: MARKETPLACE_MAY_READ,
            ids: ids_of("marketplace"),
        },
        Plan {
            slug: "planning",
            base: "/planning",
            callers: vec![Caller {
                name: "VIEWER",
                authorization: bearer(&app.token_for(&["planning:VIEWER"]).await),
                tenant: None,
            }],
            may_write: PLANNING_WRITES,
            reads: PLANNING_READS,
            may_read: NO_READS,
            ids: ids_of("planning"),
        },
        Plan {
            slug: "chatbot",
            base: "/chatbot/api/v2",
            callers: vec![
                Caller {
                    name: "tenant viewer",
                    authorization: bearer(&viewer_token),
                    tenant: Some(tenant.clone()),
                },
                Caller {
                    name: "API key",
                    authorization: format!("ApiKey {api_key}"),
                    tenant: None,
                },
            ],
            may_write: CHATBOT_WRITES,
            reads: CHATBOT_READS,
            may_read: NO_READS,
            ids: ids_of("chatbot"),
        },
    ];
    let mut findings = Vec::new();
    let mut calls = 0;
    for plan in &plans {
        let (n, found) = sweep(&app, plan).await;
        calls += n;
        findings.extend(found);
    }
    assert!(calls > 250, "only {calls} calls made");
    assert!(
        findings.is_empty(),
        "{} finding(s):\n{}",
        findings.len(),
        findings.join("\n")
    );
}
