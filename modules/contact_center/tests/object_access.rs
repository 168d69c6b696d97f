//! Object-level authorization (OWASP API1) across the contact center: plain
//! users never reach each other's campaigns, contacts, call lists or private
//! templates (404, exactly like an id that never existed, and the row is left
//! untouched in storage); lists show only their own rows; agents read but
//! cannot write; supervisors and admins manage everything; and the staff data
//! of parts 2 and 3 (recordings, voicemail, metrics, IVR, routing, report
//! schedules, internal articles) is out of a plain user's reach.

mod part1;

use part1::*;
use serde_json::{json, Value};

/// Calls `/contact-center/api{path}` (parts 2 and 3 live outside `/api/v1`).
async fn api(cc: &Cc, method: &str, token: &str, path: &str, body: Option<Value>) -> Resp {
    let url = format!("/contact-center/api{path}");
    let c = &cc.app.client;
    let req = match method {
        "GET" => c.get(&url),
        "POST" => c.post(&url),
        "PUT" => c.put(&url),
        "DELETE" => c.delete(&url),
        _ => unreachable!(),
    }
    .header("Authorization", format!("Bearer {token}"));
    let resp = match body {
        Some(b) => req.body_json(&b).send().await,
        None => req.send().await,
    };
    let status = resp.0.status();
    let headers = resp.0.headers().clone();
    let text = resp.0.into_body().into_string().await.unwrap();
    Resp {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

/// Every column of one stored row, as text (to prove a refused request changed nothing).
async fn stored(cc: &Cc, table: &'static str, id: i64) -> Vec<String> {
    cc.app
        .platform
        .db
        .read(move |c| {
            let mut stmt = c.prepare(&format!("SELECT * FROM {table} WHERE id = ?1"))?;
            let n = stmt.column_count();
            let mut rows = stmt.query([id])?;
            let mut out = Vec::new();
            if let Some(r) = rows.next()? {
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    out.push(format!("{v:?}"));
                }
            }
            Ok(out)
        })
        .await
        .unwrap()
}

async fn count(cc: &Cc, sql: &'static str, id: i64) -> i64 {
    cc.app
        .platform
        .db
        .read(move |c| Ok(c.query_row(sql, [id], |r| r.get::<_, i64>(0))?))
        .await
        .unwrap()
}

/// Replaces every whole number `id` inside the strings of `v` with `ID`.
fn mask(v: &Value, id: i64) -> Value {
    match v {
        Value::String(s) => {
            let (id, mut out, mut digits) = (id.to_string(), String::new(), String::new());
            for ch in s.chars().chain(std::iter::once(' ')) {
                if ch.is_ascii_digit() {
                    digits.push(ch);
                    continue;
                }
                out.push_str(if digits == id { "ID" } else { &digits });
                digits.clear();
                out.push(ch);
            }
            out.pop();
            Value::String(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| mask(x, id)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "timestamp" | "request_id" | "path"))
                .map(|(k, x)| (k.clone(), mask(x, id)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The 404 a refused request gets must be the one of an id that never existed.
#[track_caller]
fn same_as_missing(refused: &Value, missing: &Value, id: i64, absent: i64) {
    assert_eq!(
        mask(refused, id),
        mask(missing, absent),
        "a refused id must look like a missing one"
    );
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect()
}

struct World {
    cc: Cc,
    a: String,
    b: String,
    /// A's campaign and contacts.
    ca: i64,
    ka: i64,
    /// B's campaign, a contact in it, a contact without campaign, a call list and a private template.
    cb: i64,
    kb: i64,
    kb_loose: i64,
    lb: i64,
    tb: i64,
    /// A call B recorded in B's campaign.
    call: String,
}

async fn world() -> World {
    let cc = Cc::new().await;
    let a = cc.token("user").await;
    let b = cc.token("user").await;
    let ca = cc.campaign(&a, "Alpha outreach").await;
    let ka = cc.contact(&a, ca, "Ann", "+14155550001").await;
    let cb = cc.campaign(&b, "Bravo secret renewals").await;
    let kb = cc.contact(&b, cb, "Bertha", "+14155550002").await;
    let kb_loose = cc
        .post(
            &b,
            "/contacts",
            json!({"first_name": "Loose", "last_name": "Bravo", "phone_number": "+14155550003"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let lb = cc
        .post(
            &b,
            "/call-lists",
            json!({"name": "Bravo hot leads", "campaign_id": cb}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let tb = cc
        .post(
            &b,
            "/campaign-templates",
            json!({"name": "Bravo private playbook", "is_public": false}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let call = cc
        .post(
            &b,
            "/calls",
            json!({"campaign_id": cb, "contact_id": kb, "duration": 60, "outcome": "success",
                   "notes": "Bravo private notes"}),
        )
        .await
        .expect(201)["call_id"]
        .as_str()
        .unwrap()
        .to_string();
    World {
        call,
        cc,
        a,
        b,
        ca,
        ka,
        cb,
        kb,
        kb_loose,
        lb,
        tb,
    }
}

impl World {
    async fn snapshot(&self) -> Vec<Vec<String>> {
        let cc = &self.cc;
        vec![
            stored(cc, "cc_campaigns", self.cb).await,
            stored(cc, "cc_contacts", self.kb).await,
            stored(cc, "cc_contacts", self.kb_loose).await,
            stored(cc, "cc_call_lists", self.lb).await,
            stored(cc, "cc_campaign_templates", self.tb).await,
            vec![
                count(
                    cc,
                    "SELECT COUNT(*) FROM cc_contacts WHERE campaign_id = ?1",
                    self.cb,
                )
                .await
                .to_string(),
                count(
                    cc,
                    "SELECT COUNT(*) FROM cc_campaigns WHERE cloned_from_id = ?1",
                    self.cb,
                )
                .await
                .to_string(),
                count(
                    cc,
                    "SELECT COUNT(*) FROM cc_call_lists WHERE campaign_id = ?1",
                    self.cb,
                )
                .await
                .to_string(),
                count(
                    cc,
                    "SELECT COUNT(*) FROM cc_campaigns WHERE template_id = ?1",
                    self.tb,
                )
                .await
                .to_string(),
                count(
                    cc,
                    "SELECT COUNT(*) FROM cc_calls WHERE campaign_id = ?1",
                    self.cb,
                )
                .await
                .to_string(),
            ],
        ]
    }
}

#[tokio::test]
async fn a_user_gets_404_for_every_operation_on_another_users_objects() {
    let w = world().await;
    let (cc, a) = (&w.cc, &w.a);
    let before = w.snapshot().await;
    assert!(before.iter().all(|r| !r.is_empty()));
    let absent = 987_654;

    // (method, path of B's object, body, the same path with an id that never existed)
    let upd_campaign = json!({"name": "Hijacked", "max_daily_calls": 1});
    let upd_contact = json!({"first_name": "Hijacked", "priority": 1});
    let upd_template = json!({"name": "Hijacked", "is_public": false});
    let cases: Vec<(&str, String, Option<Value>, String)> = vec![
        (
            "GET",
            format!("/campaigns/{}", w.cb),
            None,
            format!("/campaigns/{absent}"),
        ),
        (
            "PUT",
            format!("/campaigns/{}", w.cb),
            Some(upd_campaign.clone()),
            format!("/campaigns/{absent}"),
        ),
        (
            "PUT",
            format!("/campaigns/{}", w.cb),
            Some(json!({"status": "archived"})),
            format!("/campaigns/{absent}"),
        ),
        (
            "POST",
            format!("/campaigns/{}/start", w.cb),
            None,
            format!("/campaigns/{absent}/start"),
        ),
        (
            "POST",
            format!("/campaigns/{}/pause", w.cb),
            None,
            format!("/campaigns/{absent}/pause"),
        ),
        (
            "POST",
            format!("/campaigns/{}/clone", w.cb),
            Some(json!({"name": "Mine now"})),
            format!("/campaigns/{absent}/clone"),
        ),
        (
            "GET",
            format!("/campaigns/{}/stats", w.cb),
            None,
            format!("/campaigns/{absent}/stats"),
        ),
        (
            "DELETE",
            format!("/campaigns/{}", w.cb),
            None,
            format!("/campaigns/{absent}"),
        ),
        (
            "GET",
            format!("/contacts/{}", w.kb),
            None,
            format!("/contacts/{absent}"),
        ),
        (
            "PUT",
            format!("/contacts/{}", w.kb),
            Some(upd_contact.clone()),
            format!("/contacts/{absent}"),
        ),
        (
            "DELETE",
            format!("/contacts/{}", w.kb),
            None,
            format!("/contacts/{absent}"),
        ),
        (
            "GET",
            format!("/contacts/{}", w.kb_loose),
            None,
            format!("/contacts/{absent}"),
        ),
        (
            "PUT",
            format!("/contacts/{}", w.kb_loose),
            Some(upd_contact.clone()),
            format!("/contacts/{absent}"),
        ),
        (
            "DELETE",
            format!("/contacts/{}", w.kb_loose),
            None,
            format!("/contacts/{absent}"),
        ),
        (
            "GET",
            format!("/call-lists/{}", w.lb),
            None,
            format!("/call-lists/{absent}"),
        ),
        (
            "GET",
            format!("/call-lists/{}/contacts", w.lb),
            None,
            format!("/call-lists/{absent}/contacts"),
        ),
        (
            "DELETE",
            format!("/call-lists/{}", w.lb),
            None,
            format!("/call-lists/{absent}"),
        ),
        (
            "GET",
            format!("/campaign-templates/{}", w.tb),
            None,
            format!("/campaign-templates/{absent}"),
        ),
        (
            "PUT",
            format!("/campaign-templates/{}", w.tb),
            Some(upd_template.clone()),
            format!("/campaign-templates/{absent}"),
        ),
        (
            "DELETE",
            format!("/campaign-templates/{}", w.tb),
            None,
            format!("/campaign-templates/{absent}"),
        ),
    ];
    for (method, path, body, missing_path) in cases {
        let body = body.or_else(|| (method != "GET" && method != "DELETE").then(|| json!({})));
        let refused = cc.send(method, a, &path, body.clone()).await;
        assert_eq!(
            refused.status.as_u16(),
            404,
            "{method} {path}: {}",
            refused.body
        );
        let missing = cc.send(method, a, &missing_path, body).await;
        assert_eq!(missing.status.as_u16(), 404, "{method} {missing_path}");
        let id: i64 = path.split('/').nth(2).and_then(|s| s.parse().ok()).unwrap();
        same_as_missing(&refused.body, &missing.body, id, absent);
    }

    // Writes that point at B's objects from A's own requests.
    let into_b: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            "/contacts".into(),
            json!({"campaign_id": w.cb, "first_name": "Plant", "phone_number": "+14155550009"}),
        ),
        (
            "PUT",
            format!("/contacts/{}", w.ka),
            json!({"campaign_id": w.cb}),
        ),
        (
            "POST",
            "/contacts/import".into(),
            json!({"campaign_id": w.cb, "contacts": [
            {"first_name": "Plant", "phone_number": "+14155550010"},
            {"first_name": "Probe", "phone_number": "+14155550002"}]}),
        ),
        (
            "POST",
            "/call-lists".into(),
            json!({"name": "Peek", "campaign_id": w.cb}),
        ),
        (
            "POST",
            "/campaigns".into(),
            json!({"name": "From B's playbook", "template_id": w.tb}),
        ),
    ];
    for (method, path, body) in into_b {
        let r = cc.send(method, a, &path, Some(body)).await;
        assert_eq!(r.status.as_u16(), 404, "{method} {path}: {}", r.body);
        // The import must not report which of B's numbers exist.
        assert!(!r.body.to_string().contains("+14155550002"), "{}", r.body);
    }
    // B's calls: not by id, not in A's call log, whatever the filter.
    let r = cc.get(a, &format!("/calls/{}", w.call)).await;
    assert_eq!(r.status.as_u16(), 404, "{}", r.body);
    assert!(!r.body.to_string().contains("Bravo private notes"));
    for q in ["", "?outcome=success", &format!("?campaign_id={}", w.cb)] {
        let r = cc.get(a, &format!("/calls{q}")).await;
        assert_eq!(r.header("X-Total-Count"), "0", "{q}");
        assert!(r.expect(200).as_array().unwrap().is_empty(), "{q}");
    }
    let r = cc
        .post(
            a,
            "/calls",
            json!({"campaign_id": w.cb, "contact_id": w.kb, "duration": 1, "outcome": "success"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 404, "{}", r.body);
    // A's contact stayed in A's campaign.
    let ka = cc.get(a, &format!("/contacts/{}", w.ka)).await.expect(200);
    assert_eq!(ka["campaign_id"], w.ca);

    assert_eq!(w.snapshot().await, before, "B's rows changed");
    // And B still has everything.
    cc.get(&w.b, &format!("/campaigns/{}", w.cb))
        .await
        .expect(200);
    cc.get(&w.b, &format!("/campaign-templates/{}", w.tb))
        .await
        .expect(200);
}

#[tokio::test]
async fn lists_searches_and_filters_show_only_own_rows() {
    let w = world().await;
    let (cc, a) = (&w.cc, &w.a);
    let la = cc
        .post(
            a,
            "/call-lists",
            json!({"name": "Alpha list", "campaign_id": w.ca}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let ta = cc
        .post(
            a,
            "/campaign-templates",
            json!({"name": "Alpha private", "is_public": false}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();

    let r = cc.get(a, "/campaigns").await;
    assert_eq!(r.header("X-Total-Count"), "1");
    assert_eq!(ids(&r.expect(200)), vec![w.ca]);
    for q in [
        "search=Bravo",
        "search=secret",
        "status=draft&search=renewals",
    ] {
        let r = cc.get(a, &format!("/campaigns?{q}")).await;
        assert_eq!(r.header("X-Total-Count"), "0", "{q}");
        assert!(r.expect(200).as_array().unwrap().is_empty());
    }

    let r = cc.get(a, "/contacts").await;
    assert_eq!(r.header("X-Total-Count"), "1");
    assert_eq!(ids(&r.expect(200)), vec![w.ka]);
    for q in [
        format!("campaign_id={}", w.cb),
        "search=Bertha".into(),
        "search=Loose".into(),
        "search=%2B14155550002".into(),
        "search=0003".into(),
        "status=pending&priority_min=1".into(),
    ] {
        let r = cc.get(a, &format!("/contacts?{q}")).await;
        let body = r.body.clone();
        let got = ids(&r.expect(200));
        assert!(
            !got.contains(&w.kb) && !got.contains(&w.kb_loose),
            "{q}: {body}"
        );
    }

    let r = cc.get(a, "/call-lists").await;
    assert_eq!(ids(&r.expect(200)), vec![la]);
    let r = cc
        .get(a, &format!("/call-lists?campaign_id={}", w.cb))
        .await;
    assert!(r.expect(200).as_array().unwrap().is_empty());
    // A's own call list without a campaign resolves to A's contacts only.
    let all = cc
        .post(a, "/call-lists", json!({"name": "Everyone"}))
        .await
        .expect(201);
    assert_eq!(all["contact_count"], 1);
    let members = cc
        .get(a, &format!("/call-lists/{}/contacts", all["id"]))
        .await
        .expect(200);
    assert_eq!(ids(&members), vec![w.ka]);

    for q in ["", "?is_public=false", "?campaign_type=outbound"] {
        let got = ids(&cc
            .get(a, &format!("/campaign-templates{q}"))
            .await
            .expect(200));
        assert!(!got.contains(&w.tb), "{q}");
    }
    assert_eq!(
        ids(&cc
            .get(a, "/campaign-templates?is_public=false")
            .await
            .expect(200)),
        vec![ta]
    );

    // B's view is the mirror image.
    assert_eq!(
        ids(&cc.get(&w.b, "/campaigns").await.expect(200)),
        vec![w.cb]
    );
    let mut bk = ids(&cc.get(&w.b, "/contacts").await.expect(200));
    bk.sort();
    assert_eq!(bk, vec![w.kb, w.kb_loose]);
}

#[tokio::test]
async fn plain_users_reach_no_staff_data_and_cannot_export_it() {
    let w = world().await;
    let (cc, a) = (&w.cc, &w.a);
    for path in [
        "/v1/teams",
        "/v1/teams/1",
        "/v1/teams/1/agents",
        "/v1/teams/1/performance",
        "/v1/agents",
        "/v1/agents/1",
        "/v1/agents/1/performance",
        "/v1/queues",
        "/v1/queues/1",
        "/v1/queues/1/calls",
        "/v1/companies",
        "/v1/companies/1",
        "/recordings",
        "/recordings/1",
        "/recordings/1/transcription",
        "/voicemail",
        "/voicemail/1",
        "/analytics/metrics?metric_name=call_duration",
        "/analytics/aggregations?metric_name=call_duration",
        "/analytics/alerts",
        "/analytics/thresholds",
        "/analytics/dashboard/overview",
        "/ivr/flows",
        "/ivr/flows/1",
        "/ivr/flows/1/analytics",
        "/routing/rules",
        "/routing/rules/1",
        "/reports/schedules",
        "/reports/outbox",
    ] {
        let r = api(cc, "GET", a, path, None).await;
        assert_eq!(r.status.as_u16(), 403, "GET {path}: {}", r.body);
        assert_eq!(r.body["error_code"], "AUTHORIZATION_ERROR", "{path}");
    }
    // A campaign report would list every user's campaigns: staff only.
    let r = api(
        cc,
        "POST",
        a,
        "/reports/generate",
        Some(json!({"name": "All campaigns", "report_type": "campaign_performance", "format": "csv"})),
    )
    .await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.body);
    assert_eq!(
        count(cc, "SELECT COUNT(*) FROM cc_reports WHERE id > ?1", 0).await,
        0
    );
}

#[tokio::test]
async fn agents_read_everything_but_change_no_campaign_data() {
    let w = world().await;
    let cc = &w.cc;
    let agent = cc.token("agent").await;
    let before = w.snapshot().await;

    cc.get(&agent, &format!("/campaigns/{}", w.cb))
        .await
        .expect(200);
    cc.get(&agent, &format!("/campaigns/{}/stats", w.cb))
        .await
        .expect(200);
    cc.get(&agent, &format!("/contacts/{}", w.kb))
        .await
        .expect(200);
    cc.get(&agent, &format!("/call-lists/{}", w.lb))
        .await
        .expect(200);
    let mut all = ids(&cc.get(&agent, "/campaigns").await.expect(200));
    all.sort();
    assert_eq!(all, vec![w.ca, w.cb]);

    let writes: Vec<(&str, String, Option<Value>)> = vec![
        (
            "PUT",
            format!("/campaigns/{}", w.cb),
            Some(json!({"name": "Agent edit"})),
        ),
        ("POST", format!("/campaigns/{}/start", w.cb), None),
        ("POST", format!("/campaigns/{}/pause", w.cb), None),
        (
            "POST",
            format!("/campaigns/{}/clone", w.cb),
            Some(json!({})),
        ),
        ("DELETE", format!("/campaigns/{}", w.cb), None),
        (
            "POST",
            "/campaigns".into(),
            Some(json!({"name": "Agent campaign"})),
        ),
        (
            "PUT",
            format!("/contacts/{}", w.kb),
            Some(json!({"priority": 1})),
        ),
        ("DELETE", format!("/contacts/{}", w.kb), None),
        (
            "POST",
            "/contacts".into(),
            Some(json!({"campaign_id": w.cb, "first_name": "X", "phone_number": "+14155550011"})),
        ),
        (
            "POST",
            "/contacts/import".into(),
            Some(
                json!({"campaign_id": w.cb, "contacts": [{"first_name": "X", "phone_number": "+14155550012"}]}),
            ),
        ),
        (
            "POST",
            "/call-lists".into(),
            Some(json!({"name": "Agent list", "campaign_id": w.cb})),
        ),
        ("DELETE", format!("/call-lists/{}", w.lb), None),
        (
            "POST",
            "/campaign-templates".into(),
            Some(json!({"name": "Agent template"})),
        ),
        ("DELETE", format!("/campaign-templates/{}", w.tb), None),
    ];
    for (method, path, body) in writes {
        let body = body.or_else(|| (method == "POST").then(|| json!({})));
        let r = cc.send(method, &agent, &path, body).await;
        assert_eq!(r.status.as_u16(), 403, "{method} {path}: {}", r.body);
    }
    assert_eq!(w.snapshot().await, before, "an agent changed campaign data");
}

#[tokio::test]
async fn supervisors_manage_every_campaign_and_admins_every_template() {
    let w = world().await;
    let cc = &w.cc;
    let sup = cc.token("supervisor").await;
    let mut all = ids(&cc.get(&sup, "/contacts").await.expect(200));
    all.sort();
    assert_eq!(all, vec![w.ka, w.kb, w.kb_loose]);
    let up = cc
        .put(
            &sup,
            &format!("/campaigns/{}", w.cb),
            json!({"max_daily_calls": 42}),
        )
        .await
        .expect(200);
    assert_eq!(up["max_daily_calls"], 42);
    cc.put(&sup, &format!("/contacts/{}", w.kb), json!({"priority": 9}))
        .await
        .expect(200);
    // B sees the supervisor's change to B's campaign.
    let b_view = cc
        .get(&w.b, &format!("/campaigns/{}", w.cb))
        .await
        .expect(200);
    assert_eq!(b_view["max_daily_calls"], 42);
    // Private templates stay with their author and admins.
    cc.get(&sup, &format!("/campaign-templates/{}", w.tb))
        .await
        .expect(404);
    cc.get(&cc.admin, &format!("/campaign-templates/{}", w.tb))
        .await
        .expect(200);
    cc.delete(&cc.admin, &format!("/campaign-templates/{}", w.tb))
        .await
        .expect(204);
}

/// Parts 2 and 3: who may read and write, per role.
#[tokio::test]
async fn staff_data_roles_per_resource() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let agent = cc.token("agent").await;
    let agent2 = cc.token("agent").await;
    let sup = cc.token("supervisor").await;

    // Supervisors create one of each.
    let mk = |path: &'static str, body: Value| {
        let (cc, sup) = (&cc, sup.clone());
        async move {
            let r = api(cc, "POST", &sup, path, Some(body)).await;
            let body = r.body.clone();
            assert!(r.status.is_success(), "POST {path}: {body}");
            body["id"].as_i64().unwrap()
        }
    };
    let internal = mk(
        "/v1/knowledge",
        json!({"title": "Internal escalation matrix", "content": "Call the duty manager", "is_public": false}),
    )
    .await;
    let public = mk(
        "/v1/knowledge",
        json!({"title": "Opening hours", "content": "We open at nine", "is_public": true}),
    )
    .await;
    let flow_body = json!({"name": "Main menu"});
    let flow = mk("/ivr/flows", flow_body.clone()).await;
    let rule_body = json!({"name": "Overflow", "priority": 1, "strategy": "round_robin",
        "targets": [{"target_type": "queue", "target_id": 1, "weight": 100}]});
    let rule = mk("/routing/rules", rule_body.clone()).await;
    let rec_body = json!({"call_id": "c-1", "duration": 60, "file_url": "https://storage.example.com/c1.mp3",
        "recorded_at": "2025-11-11T10:30:00Z"});
    let rec = mk("/recordings", rec_body.clone()).await;
    let vm_body = json!({"from_number": "+1234567890", "to_number": "+1987654321", "duration": 5,
        "transcription": "Please call me back about my account"});
    let vm = mk("/voicemail", vm_body.clone()).await;
    let th_body = json!({"metric_type": "call", "metric_name": "failure_rate", "threshold_value": 0.1,
        "comparison_operator": "greater_than", "severity": "critical", "window_minutes": 60});
    let th = mk("/analytics/thresholds", th_body.clone()).await;
    let tpl_body =
        json!({"name": "Team weekly", "report_type": "team_performance", "is_public": true});
    let tpl = mk("/reports/templates", tpl_body.clone()).await;
    let sched_body = json!({"name": "Weekly", "template_id": tpl, "schedule_type": "weekly",
        "schedule_config": {"day_of_week": 1, "hour": 9, "minute": 0, "timezone": "UTC"},
        "format": "csv", "recipients": ["boss@example.com"]});
    mk("/reports/schedules", sched_body.clone()).await;

    // Plain users: public articles only, no staff data.
    let listed = api(&cc, "GET", &user, "/v1/knowledge", None).await;
    assert_eq!(listed.header("X-Total-Count"), "1");
    assert_eq!(ids(&listed.expect(200)), vec![public]);
    let hidden = api(&cc, "GET", &user, "/v1/knowledge?is_public=false", None).await;
    assert!(hidden.expect(200).as_array().unwrap().is_empty());
    api(
        &cc,
        "GET",
        &user,
        &format!("/v1/knowledge/{internal}"),
        None,
    )
    .await
    .expect(404);
    api(&cc, "GET", &user, &format!("/v1/knowledge/{public}"), None)
        .await
        .expect(200);
    let found = api(
        &cc,
        "POST",
        &user,
        "/v1/knowledge/search",
        Some(json!({"query": "escalation duty manager"})),
    )
    .await
    .expect(200);
    assert!(!found.to_string().contains("escalation matrix"), "{found}");
    for path in [
        format!("/ivr/flows/{flow}"),
        format!("/routing/rules/{rule}"),
        format!("/recordings/{rec}"),
        format!("/recordings/{rec}/transcription"),
        format!("/voicemail/{vm}"),
        "/analytics/thresholds".to_string(),
        "/reports/schedules".to_string(),
    ] {
        let r = api(&cc, "GET", &user, &path, None).await;
        assert_eq!(r.status.as_u16(), 403, "{path}: {}", r.body);
        assert!(!r.body.to_string().contains("boss@example.com"));
    }

    // Agents read all of it...
    for path in [
        format!("/v1/knowledge/{internal}"),
        format!("/ivr/flows/{flow}"),
        format!("/routing/rules/{rule}"),
        format!("/recordings/{rec}"),
        format!("/voicemail/{vm}"),
        "/analytics/thresholds".to_string(),
        "/reports/schedules".to_string(),
        "/analytics/dashboard/overview".to_string(),
    ] {
        let r = api(&cc, "GET", &agent, &path, None).await;
        assert_eq!(r.status.as_u16(), 200, "{path}: {}", r.body);
    }
    // ...but configure nothing; plain users neither.
    let manager_writes: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            "/v1/knowledge".into(),
            json!({"title": "x", "content": "y"}),
        ),
        (
            "PUT",
            format!("/v1/knowledge/{internal}"),
            json!({"is_public": true}),
        ),
        ("DELETE", format!("/v1/knowledge/{internal}"), Value::Null),
        ("POST", "/ivr/flows".into(), flow_body),
        ("DELETE", format!("/ivr/flows/{flow}"), Value::Null),
        ("POST", "/routing/rules".into(), rule_body),
        ("DELETE", format!("/routing/rules/{rule}"), Value::Null),
        ("DELETE", format!("/recordings/{rec}"), Value::Null),
        ("DELETE", format!("/voicemail/{vm}"), Value::Null),
        ("POST", "/analytics/thresholds".into(), th_body),
        ("DELETE", format!("/analytics/thresholds/{th}"), Value::Null),
        ("POST", "/reports/templates".into(), tpl_body),
        ("DELETE", format!("/reports/templates/{tpl}"), Value::Null),
        ("POST", "/reports/schedules".into(), sched_body),
    ];
    for who in [&agent, &user] {
        for (method, path, body) in &manager_writes {
            let body = (!body.is_null()).then(|| body.clone());
            let r = api(&cc, method, who, path, body).await;
            assert_eq!(r.status.as_u16(), 403, "{method} {path}: {}", r.body);
        }
    }
    // Operator writes: agents yes, plain users no.
    for (path, body) in [
        ("/recordings", rec_body),
        ("/voicemail", vm_body),
        (
            "/analytics/metrics",
            json!({"metric_type": "call", "metric_name": "call_duration", "value": 10}),
        ),
    ] {
        let r = api(&cc, "POST", &user, path, Some(body.clone())).await;
        assert_eq!(r.status.as_u16(), 403, "{path}: {}", r.body);
        let r = api(&cc, "POST", &agent, path, Some(body)).await;
        assert_eq!(r.status.as_u16(), 201, "{path}: {}", r.body);
    }
    let r = api(
        &cc,
        "PUT",
        &user,
        &format!("/voicemail/{vm}"),
        Some(json!({"status": "listened"})),
    )
    .await;
    assert_eq!(r.status.as_u16(), 403);
    // Everything the supervisor made is still there, unchanged.
    let a = api(&cc, "GET", &sup, &format!("/v1/knowledge/{internal}"), None)
        .await
        .expect(200);
    assert_eq!(a["is_public"], false);
    api(&cc, "GET", &sup, &format!("/ivr/flows/{flow}"), None)
        .await
        .expect(200);
    api(&cc, "GET", &sup, &format!("/recordings/{rec}"), None)
        .await
        .expect(200);

    // Generated reports belong to whoever asked (managers see all).
    let r = api(
        &cc,
        "POST",
        &agent,
        "/reports/generate",
        Some(json!({"name": "Mine", "report_type": "call_summary", "format": "csv"})),
    )
    .await
    .expect(202);
    let report = r["id"].as_i64().unwrap();
    api(&cc, "GET", &agent, &format!("/reports/{report}"), None)
        .await
        .expect(200);
    api(&cc, "GET", &agent2, &format!("/reports/{report}"), None)
        .await
        .expect(404);
    let theirs = api(&cc, "GET", &agent2, "/reports", None).await.expect(200);
    assert!(theirs.as_array().unwrap().is_empty());
    api(&cc, "DELETE", &agent2, &format!("/reports/{report}"), None)
        .await
        .expect(404);
    api(&cc, "GET", &sup, &format!("/reports/{report}"), None)
        .await
        .expect(200);
}
