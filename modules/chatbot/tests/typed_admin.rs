//! The admin side (tenants, knowledge articles, webhook subscriptions,
//! health) speaks typed objects: the Swagger has a schema with properties
//! for every request body and 2xx payload, wrong types come back as the
//! chatbot 400 naming the field, and ranges are checked field by field.

use frontline_platform::testing::spec::{self, assert_typed, resolve};
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

async fn spec() -> Value {
    let app = TestApp::new(vec![]).await;
    spec::of(&app, frontline_chatbot::module())
}

fn is_admin_path(p: &str) -> bool {
    p.starts_with("/tenants")
        || p.starts_with("/knowledge")
        || p.starts_with("/integrations/webhooks")
        || p.starts_with("/health")
}

#[tokio::test]
async fn every_admin_operation_has_typed_bodies_and_payloads() {
    let spec = spec().await;
    let mut ops = 0;
    let mut bodies = vec![];
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !is_admin_path(path) {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            ops += 1;
            let at = format!("{method} {path}");
            if let Some(rb) = op.get("requestBody") {
                let schema = &rb["content"]["application/json; charset=utf-8"]["schema"];
                assert_typed(&spec, schema, &format!("{at} request body"));
                bodies.push(at.clone());
            }
            let mut ok = 0;
            for (status, resp) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    continue;
                }
                ok += 1;
                let content = resp["content"].as_object().unwrap();
                let (_, media) = content.iter().next().unwrap();
                let schema = resolve(&spec, &media["schema"]);
                assert_typed(&spec, schema, &format!("{at} {status}"));
                // Enveloped payloads: `data` itself must be typed.
                if let Some(data) = schema["properties"].get("data") {
                    assert_typed(&spec, data, &format!("{at} {status} data"));
                }
            }
            assert_eq!(ok, 1, "{at}: one success response");
        }
    }
    // 11 tenant operations, 6 health, 3 knowledge, 4 webhook subscriptions.
    assert_eq!(ops, 24);
    bodies.sort();
    assert_eq!(
        bodies,
        [
            "post /integrations/webhooks",
            "post /knowledge/articles",
            "post /tenants",
            "post /tenants/{id}/users",
            "put /tenants/{id}",
            "put /tenants/{id}/config",
        ]
    );
    // The documented fields are there, with their types.
    let schemas = &spec["components"]["schemas"];
    let create = &schemas["CreateTenantRequest"];
    for f in [
        "name",
        "domain",
        "plan",
        "admin_user",
        "configuration",
        "features",
    ] {
        assert!(
            create["properties"].get(f).is_some(),
            "CreateTenantRequest.{f}"
        );
    }
    assert_eq!(create["required"], json!(["name", "admin_user"]));
    let chatbot = &schemas["ChatbotSettings"]["properties"];
    assert_eq!(chatbot["confidence_threshold"]["type"], "number");
    assert_eq!(chatbot["knowledge_threshold"]["type"], "number");
    assert!(chatbot["confidence_threshold"]["description"]
        .as_str()
        .unwrap()
        .contains("0-1"));
    // Permissions are the fixed set, an enum of strings.
    let permission = resolve(
        &spec,
        &schemas["InviteUserRequest"]["properties"]["permissions"]["items"],
    );
    assert_eq!(permission["type"], "string");
    assert!(permission["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("conversations:read")));
    let usage = resolve(&spec, &schemas["UsageReport"]["properties"]["usage"]);
    assert_typed(
        &spec,
        &usage["properties"]["conversations"],
        "usage.conversations",
    );
    assert_typed(
        &spec,
        &schemas["BillingInfo"]["properties"]["line_items"]["items"],
        "line_items",
    );
}

async fn owner_tenant(app: &TestApp) -> (String, String) {
    let (uid, owner) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&uid)
        .await
        .unwrap()
        .unwrap()
        .email;
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": "Typed", "admin_user": {"email": email}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let id = body(r).await["data"]["tenant_id"]
        .as_str()
        .unwrap()
        .to_string();
    (id, format!("Bearer {owner}"))
}

fn fields(b: &Value) -> Vec<String> {
    let mut f: Vec<String> = b["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    f.sort();
    f
}

#[tokio::test]
async fn wrong_types_are_a_400_naming_each_field() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let admin = format!("Bearer {}", app.admin_token);
    let (t, owner) = owner_tenant(&app).await;

    // A number where a string goes, at the top level.
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", admin.as_str())
        .body_json(&json!({"name": 5, "admin_user": {"email": "a@b.example"}}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let b = body(r).await;
    assert_eq!(b["status"], "error");
    assert_eq!(b["error"]["code"], "VALIDATION_ERROR");
    assert_eq!(b["error"]["details"]["field"], "name");
    assert_eq!(b["error"]["details"]["reason"], "must be a string");
    assert!(b["meta"]["request_id"].is_string());

    // Several wrong fields, nested ones with their dotted path; missing
    // required fields too.
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", admin.as_str())
        .body_json(
            &json!({"plan": 3, "features": {"users_limit": "many", "channels": "web"},
            "configuration": {"branding": {"primary_color": 1}}}),
        )
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        fields(&body(r).await),
        [
            "admin_user",
            "configuration.branding.primary_color",
            "features.channels",
            "features.users_limit",
            "name",
            "plan"
        ]
    );

    // A string where a number goes, deep in the configuration; in a map of
    // providers; in a list.
    let r = app
        .client
        .put(format!("{B}/tenants/{t}/config"))
        .header("Authorization", owner.as_str())
        .body_json(
            &json!({"configuration": {"chatbot": {"confidence_threshold": "high"},
            "ai_models": {"providers": {"local": {"max_tokens": "lots"}}}}}),
        )
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let b = body(r).await;
    assert_eq!(
        fields(&b),
        [
            "configuration.ai_models.providers.local.max_tokens",
            "configuration.chatbot.confidence_threshold"
        ]
    );
    let r = app
        .client
        .post(format!("{B}/tenants/{t}/users"))
        .header("Authorization", owner.as_str())
        .body_json(&json!({"email": "x@y.example", "permissions": ["conversations:read", 7], "send_invitation": "yes"}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        fields(&body(r).await),
        ["permissions[1]", "send_invitation"]
    );

    // A nested required field.
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", admin.as_str())
        .body_json(&json!({"name": "N", "admin_user": {"first_name": "F"}}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(fields(&body(r).await), ["admin_user.email"]);

    // Malformed JSON is still the chatbot 400.
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", admin.as_str())
        .header("Content-Type", "application/json")
        .body("{\"name\": ")
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let b = body(r).await;
    assert_eq!(b["status"], "error");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Malformed JSON"),
        "{b}"
    );

    // Not an object at all.
    let r = app
        .client
        .put(format!("{B}/tenants/{t}"))
        .header("Authorization", owner.as_str())
        .body_json(&json!([1, 2]))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(body(r).await["error"]["details"]["field"], "body");

    // Articles and subscriptions too.
    let r = app
        .client
        .post(format!("{B}/knowledge/articles"))
        .header("Authorization", owner.as_str())
        .header("X-Tenant-ID", t.as_str())
        .body_json(&json!({"title": "T", "body": "B", "tags": [1]}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(body(r).await["error"]["details"]["field"], "tags[0]");
    let r = app
        .client
        .post(format!("{B}/integrations/webhooks"))
        .header("Authorization", owner.as_str())
        .header("X-Tenant-ID", t.as_str())
        .body_json(&json!({"url": "http://127.0.0.1:9/h", "events": "conversation.closed"}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(body(r).await["error"]["details"]["field"], "events");

    // Nothing was written by any of these.
    let b = body(
        app.client
            .get(format!("{B}/tenants/{t}"))
            .header("Authorization", owner.as_str())
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["configuration_version"], "v1");
    assert_eq!(b["data"]["user_count"], 1);
}

#[tokio::test]
async fn thresholds_temperatures_and_tokens_are_checked_field_by_field() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (t, owner) = owner_tenant(&app).await;
    let put = |cfg: Value| {
        app.client
            .put(format!("{B}/tenants/{t}/config"))
            .header("Authorization", owner.as_str())
            .body_json(&json!({ "configuration": cfg }))
            .send()
    };
    let r = put(json!({
        "chatbot": {"confidence_threshold": 1.5, "knowledge_threshold": -0.1, "max_fallbacks": 0},
        "ai_models": {"temperature": 3, "max_tokens": 0,
            "providers": {"p": {"temperature": 2.5, "max_tokens": -4, "base_url": "ftp://x"}}}
    }))
    .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let b = body(r).await;
    assert_eq!(
        fields(&b),
        [
            "configuration.ai_models.max_tokens",
            // An http(s) URL is the schema's pattern now.
            "configuration.ai_models.providers.p.base_url",
            "configuration.ai_models.providers.p.max_tokens",
            "configuration.ai_models.providers.p.temperature",
            "configuration.ai_models.temperature",
            "configuration.chatbot.confidence_threshold",
            "configuration.chatbot.knowledge_threshold",
            "configuration.chatbot.max_fallbacks",
        ]
    );
    // The ranges and URL schemes are in the document's schema; the rules
    // beyond it (a provider's public address) are checked next, field by
    // field too.
    let r = put(json!({
        "chatbot": {"confidence_threshold": 0.5},
        "ai_models": {"providers": {"p": {"base_url": "ftp://x"}, "q": {"base_url": "gopher://y"}}}
    }))
    .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        fields(&body(r).await),
        [
            "configuration.ai_models.providers.p.base_url",
            "configuration.ai_models.providers.q.base_url",
        ]
    );
    // The edges are allowed and stored.
    let r = put(json!({
        "chatbot": {"confidence_threshold": 1, "knowledge_threshold": 0},
        "ai_models": {"temperature": 2, "max_tokens": 1}
    }))
    .await;
    r.assert_status_is_ok();
    let b = body(r).await;
    assert_eq!(b["data"]["configuration_version"], "v2");
    let b = body(
        app.client
            .get(format!("{B}/tenants/{t}/config"))
            .header("Authorization", owner.as_str())
            .send()
            .await,
    )
    .await;
    let c = &b["data"]["configuration"];
    assert_eq!(c["chatbot"]["confidence_threshold"], 1.0);
    assert_eq!(c["chatbot"]["knowledge_threshold"], 0.0);
    assert_eq!(c["ai_models"]["temperature"], 2.0);
    assert_eq!(c["ai_models"]["max_tokens"], 1);
    // Untouched defaults are still there.
    assert_eq!(c["chatbot"]["max_fallbacks"], 2);
    assert_eq!(c["general"]["currency"], "USD");

    // Saving the configuration as it was read (secrets masked) changes nothing
    // and keeps the stored secret.
    put(json!({"channels": {"whatsapp": {"app_secret": "wa-secret", "enabled": true}}}))
        .await
        .assert_status_is_ok();
    let read = body(
        app.client
            .get(format!("{B}/tenants/{t}/config"))
            .header("Authorization", owner.as_str())
            .send()
            .await,
    )
    .await["data"]["configuration"]
        .clone();
    assert_eq!(read["channels"]["whatsapp"]["app_secret"], "********");
    let r = put(read).await;
    r.assert_status_is_ok();
    let b = body(r).await;
    assert_eq!(b["data"]["changes_applied"], json!([]));
    assert_eq!(b["data"]["configuration_version"], "v3");
    let stored: String = app
        .platform
        .db
        .read({
            let t = t.clone();
            move |c| {
                Ok(c.query_row(
                    "SELECT config FROM chatbot_tenants WHERE id = ?1",
                    [t],
                    |r| r.get(0),
                )?)
            }
        })
        .await
        .unwrap();
    assert!(stored.contains("\"app_secret\":\"wa-secret\""), "{stored}");

    // Bad intents and unknown channels: the schema's rules (an intent name
    // is 1-100 characters) first, then the service's (known channels, at
    // least one example).
    let r = put(json!({"channels": {"fax": {"enabled": true}},
        "chatbot": {"intents": [{"name": "", "examples": []}]}}))
    .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        fields(&body(r).await),
        ["configuration.chatbot.intents[0].name"]
    );
    let r = put(json!({"channels": {"fax": {"enabled": true}},
        "chatbot": {"intents": [{"name": "greeting", "examples": []}]}}))
    .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        fields(&body(r).await),
        [
            "configuration.channels.fax",
            "configuration.chatbot.intents[0].examples",
        ]
    );
}

#[tokio::test]
async fn the_documented_tenant_example_round_trips_through_the_types() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let admin = format!("Bearer {}", app.admin_token);
    // The document's example, verbatim.
    let example = json!({
      "name": "Acme Corporation",
      "domain": "acme.com",
      "plan": "enterprise",
      "admin_user": {"email": "admin@acme.com", "first_name": "John", "last_name": "Smith", "role": "owner"},
      "configuration": {
        "default_language": "en",
        "timezone": "America/New_York",
        "business_hours": {
          "monday": {"start": "09:00", "end": "17:00"},
          "tuesday": {"start": "09:00", "end": "17:00"},
          "wednesday": {"start": "09:00", "end": "17:00"},
          "thursday": {"start": "09:00", "end": "17:00"},
          "friday": {"start": "09:00", "end": "17:00"},
          "saturday": {"closed": true},
          "sunday": {"closed": true}
        },
        "branding": {"primary_color": "#1f2937", "secondary_color": "#3b82f6",
          "logo_url": "https://acme.com/logo.png", "company_name": "Acme Corporation"}
      },
      "features": {"channels": ["web", "whatsapp", "slack"], "integrations_limit": 50,
        "users_limit": 100, "conversations_per_month": 100000}
    });
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", admin.as_str())
        .body_json(&example)
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    let t = d["tenant_id"].as_str().unwrap().to_string();
    assert_eq!(d["name"], "Acme Corporation");
    assert_eq!(d["domain"], "acme.com");
    assert_eq!(d["plan"], "enterprise");
    assert_eq!(d["status"], "active");
    assert_eq!(d["admin_user"]["email"], "admin@acme.com");
    assert_eq!(d["admin_user"]["role"], "owner");
    assert_eq!(d["admin_user"]["invitation_sent"], false);
    assert!(d["api_keys"]["primary"]
        .as_str()
        .unwrap()
        .starts_with("cb_live_"));
    assert!(d["api_keys"]["test"]
        .as_str()
        .unwrap()
        .starts_with("cb_test_"));
    assert_eq!(
        d["webhook_endpoints"]["incoming"],
        "/chatbot/api/v2/webhooks/generic/incoming"
    );
    assert!(d["webhook_endpoints"]["incoming_token"]
        .as_str()
        .unwrap()
        .starts_with("whk_"));
    assert!(d["webhook_endpoints"]["outgoing"].is_null());

    let get = |path: String| {
        app.client
            .get(format!("{B}{path}"))
            .header("Authorization", admin.as_str())
            .send()
    };
    let b = body(get(format!("/tenants/{t}/config")).await).await;
    let g = &b["data"]["configuration"]["general"];
    assert_eq!(g["timezone"], "America/New_York");
    assert_eq!(g["date_format"], "MM/DD/YYYY");
    assert_eq!(g["business_hours"]["monday"]["start"], "09:00");
    assert_eq!(g["business_hours"]["sunday"], json!({"closed": true}));
    assert_eq!(g["branding"]["company_name"], "Acme Corporation");
    let b = body(get(format!("/tenants/{t}")).await).await;
    assert_eq!(b["data"]["features"]["users_limit"], 100);
    assert_eq!(
        b["data"]["features"]["channels"],
        json!(["web", "whatsapp", "slack"])
    );
    assert_eq!(b["data"]["user_count"], 1);
    let kinds: Vec<&str> = b["data"]["api_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&"live") && kinds.contains(&"test"));

    // Usage and billing: typed figures, the plan override from features.
    let b = body(get(format!("/tenants/{t}/usage?period=current_month")).await).await;
    let u = &b["data"];
    assert_eq!(u["usage"]["conversations"]["total"], 0);
    assert_eq!(u["usage"]["messages"]["by_channel"], json!({}));
    assert_eq!(u["limits"]["conversations_limit"], 100000);
    assert_eq!(u["limits"]["conversations_used_percent"], 0.0);
    assert!(u["billing_period"]["start"]
        .as_str()
        .unwrap()
        .ends_with("T00:00:00Z"));
    let b = body(get(format!("/tenants/{t}/billing")).await).await;
    let items = b["data"]["line_items"].as_array().unwrap();
    assert_eq!(items[0]["amount_cents"], 99_900);
    // Quantities only where they mean something.
    assert!(items[0].get("quantity").is_none());
    assert_eq!(items[1]["quantity"], 0);
    assert_eq!(b["data"]["total_cents"], 99_900);

    // Several errors at once: plan, threshold, limits (the schema's), then
    // the e-mail (beyond the schema) with the other rules of the service.
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", admin.as_str())
        .body_json(&json!({"name": "X", "plan": "gold", "admin_user": {"email": "nope"},
            "configuration": {"chatbot": {"confidence_threshold": 2}}, "features": {"users_limit": 0}}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        fields(&body(r).await),
        [
            "configuration.chatbot.confidence_threshold",
            "features.users_limit",
            "plan"
        ]
    );
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", admin.as_str())
        .body_json(&json!({"name": "X", "domain": " ", "admin_user": {"email": "nope"}}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(fields(&body(r).await), ["admin_user.email", "domain"]);

    // Update: features merge, the response is the typed tenant.
    let r = app
        .client
        .put(format!("{B}/tenants/{t}"))
        .header("Authorization", admin.as_str())
        .body_json(&json!({"name": "Acme Corp", "features": {"users_limit": 5}}))
        .send()
        .await;
    r.assert_status_is_ok();
    let b = body(r).await;
    assert_eq!(b["data"]["name"], "Acme Corp");
    assert_eq!(b["data"]["features"]["users_limit"], 5);
    assert_eq!(b["data"]["features"]["conversations_per_month"], 100000);
}

#[tokio::test]
async fn health_reports_are_typed() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let admin = format!("Bearer {}", app.admin_token);
    let get = |path: &'static str| {
        app.client
            .get(format!("{B}{path}"))
            .header("Authorization", admin.as_str())
            .send()
    };
    let b = body(get("/health/detailed").await).await;
    assert_eq!(b["status"], "healthy");
    assert_eq!(b["databases"]["sqlite"]["status"], "healthy");
    assert!(b["databases"]["sqlite"]["response_time_ms"].is_number());
    assert_eq!(b["services"]["model_orchestrator"]["active_tenants"], 0);
    let b = body(get("/health/dependencies").await).await;
    assert_eq!(b["overall_health_score"], 1.0);
    assert_eq!(b["dependencies"]["database"]["status"], "healthy");
    // No error key while healthy.
    assert!(b["dependencies"]["database"].get("error").is_none());
    let b = body(get("/health/metrics").await).await;
    assert_eq!(b["timeframe"], "1h");
    assert!(b["metrics"]["p99_response_time_ms"].is_number());
    let r = get("/health/metrics?timeframe=2h").await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(body(r).await["error"]["details"]["field"], "timeframe");
    let b = body(get("/health/readiness").await).await;
    assert_eq!(b["checks"]["database"]["status"], "healthy");
    let b = body(get("/health/liveness").await).await;
    assert_eq!(b["status"], "alive");
}

#[tokio::test]
async fn the_demo_tenant_reads_back_through_the_types() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let demo = frontline_chatbot::module().demo.unwrap();
    let p = app.platform.clone();
    tokio::task::spawn_blocking(move || demo(&p))
        .await
        .unwrap()
        .unwrap();
    let admin = format!("Bearer {}", app.admin_token);
    let t = frontline_chatbot::demo::DEMO_TENANT;
    let get = |path: String| {
        app.client
            .get(format!("{B}{path}"))
            .header("Authorization", admin.as_str())
            .header("X-Tenant-ID", t)
            .send()
    };
    let r = get(format!("/tenants/{t}/config")).await;
    r.assert_status_is_ok();
    let b = body(r).await;
    let intent = &b["data"]["configuration"]["chatbot"]["intents"][0];
    assert_eq!(intent["name"], "return_policy");
    assert_eq!(intent["quick_replies"][0]["payload"], "start_return");
    let r = get("/knowledge/articles?q=warranty".into()).await;
    r.assert_status_is_ok();
    let b = body(r).await;
    let hit = &b["data"]["articles"][0];
    assert_eq!(hit["title"], "Warranty coverage");
    assert_eq!(hit["tags"], json!(["warranty", "appliances"]));
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert!(hit.get("created_at").is_none());
    let r = get("/knowledge/articles".into()).await;
    let b = body(r).await;
    assert_eq!(b["data"]["pagination"]["total"], 2);
    assert!(b["data"]["articles"][0]["created_at"].is_string());
    assert!(b["data"]["articles"][0].get("score").is_none());
    let r = get(format!("/tenants/{t}/usage")).await;
    let b = body(r).await;
    assert!(b["data"]["usage"]["messages"]["total"].as_i64().unwrap() > 0);
    assert!(
        b["data"]["usage"]["messages"]["by_channel"]["web"]
            .as_i64()
            .unwrap()
            > 0
    );
}
