//! Every contact-center change leaves its audit entry, written in the
//! change's own transaction: a change that happens is audited, a change that
//! is refused leaves neither its rows nor an entry.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const API: &str = "/contact-center/api";

async fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let (status, body) = app
        .call(method, &format!("{API}{path}"), Some(token), body)
        .await
        .parts();
    assert!(status.is_success(), "{method} {path}: {status} {body}");
    body
}

/// The contact-center audit entries with `action`, through the platform's
/// audit API: (entity id, actor e-mail, details) of each.
async fn audited(app: &TestApp, action: &str) -> Vec<(String, String, Value)> {
    let (status, page) = app
        .call(
            "GET",
            &format!("/auth/audit?module=contact-center&action={action}&limit=100"),
            Some(&app.admin_token),
            None,
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::OK, "{page}");
    page["data"]
        .as_array()
        .expect("audit page")
        .iter()
        .map(|e| {
            (
                e["entity_id"].as_str().unwrap_or_default().to_string(),
                e["actor_email"].as_str().unwrap_or_default().to_string(),
                e["details"].clone(),
            )
        })
        .collect()
}

fn flow() -> Value {
    json!({
        "name": "Audited", "is_active": true, "max_retries": 1,
        "nodes": [
            {"id": 1, "node_type": "menu", "name": "Main", "prompt_text": "1 for sales, 2 for voicemail",
             "menu_options": [
                {"dtmf_key": "1", "description": "Sales", "target_node_id": 2},
                {"dtmf_key": "2", "description": "Voicemail", "target_node_id": 3}]},
            {"id": 2, "node_type": "queue", "name": "sales", "queue_id": 1},
            {"id": 3, "node_type": "voicemail", "name": "box"}
        ]
    })
}

#[tokio::test]
async fn ivr_sessions_metrics_and_refused_changes_are_audited_with_the_change() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    call(
        &app,
        "POST",
        "/v1/queues",
        &t,
        Some(json!({"name": "Sales"})),
    )
    .await;
    let f = call(&app, "POST", "/ivr/flows", &t, Some(flow())).await;
    let fid = f["id"].as_i64().expect("flow id");
    call(
        &app,
        "POST",
        &format!("/ivr/flows/{fid}/publish"),
        &t,
        Some(json!({"version_notes": "v1"})),
    )
    .await;

    // A session that starts, takes a key and is hung up: three changes, three entries.
    let s = call(
        &app,
        "POST",
        &format!("/ivr/flows/{fid}/sessions"),
        &t,
        Some(json!({})),
    )
    .await;
    let sid = s["id"].as_i64().expect("session id");
    call(
        &app,
        "POST",
        &format!("/ivr/sessions/{sid}/input"),
        &t,
        Some(json!({"dtmf": "9"})),
    )
    .await;
    let ended = call(
        &app,
        "POST",
        &format!("/ivr/sessions/{sid}/hangup"),
        &t,
        None,
    )
    .await;
    assert_eq!(ended["status"], "abandoned");
    let sid = sid.to_string();
    for action in [
        "ivr_session.start",
        "ivr_session.input",
        "ivr_session.hangup",
    ] {
        let rows = audited(&app, action).await;
        assert_eq!(rows.len(), 1, "{action}: {rows:?}");
        assert_eq!(rows[0].0, sid, "{action}");
        assert!(!rows[0].1.is_empty(), "{action} names who did it");
    }
    assert_eq!(
        audited(&app, "ivr_session.hangup").await[0].2["status"],
        "abandoned"
    );

    // A session that reaches the queue node without a caller number is
    // refused (the queue needs the number): no session, no queued call, no entry.
    let (status, err) = app
        .call(
            "POST",
            &format!("{API}/ivr/flows/{fid}/sessions"),
            Some(&t),
            Some(json!({"inputs": ["1"]})),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(audited(&app, "ivr_session.start").await.len(), 1);
    assert!(audited(&app, "call.enqueue").await.is_empty());
    let queue = call(&app, "GET", "/v1/queues/1", &t, None).await;
    assert_eq!(queue["waiting_calls"], 0, "{queue}");
    let a = call(
        &app,
        "GET",
        &format!("/ivr/flows/{fid}/analytics?period=7d"),
        &t,
        None,
    )
    .await;
    assert_eq!(a["total_sessions"], 1, "{a}");

    // The same path with a number: the session, the queued call and both entries.
    let s = call(
        &app,
        "POST",
        &format!("/ivr/flows/{fid}/sessions"),
        &t,
        Some(json!({"inputs": ["1"], "caller_number": "+14155550123"})),
    )
    .await;
    assert_eq!(s["outcome"], "queue");
    assert_eq!(audited(&app, "ivr_session.start").await.len(), 2);
    assert_eq!(audited(&app, "call.enqueue").await.len(), 1);

    // A recorded metric sample is a change like any other.
    let m = call(
        &app,
        "POST",
        "/analytics/metrics",
        &t,
        Some(json!({"metric_type": "queue", "metric_name": "wait_time", "value": 42.0})),
    )
    .await;
    let rows = audited(&app, "metric.record").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, m["id"].as_i64().expect("metric id").to_string());
    assert_eq!(rows[0].2["metric_name"], "wait_time");
    // A refused sample leaves nothing.
    let (status, _) = app
        .call(
            "POST",
            &format!("{API}/analytics/metrics"),
            Some(&t),
            Some(
                json!({"metric_type": "queue", "metric_name": "wait_time", "value": 1.0,
                "recorded_at": "2999-01-01T00:00:00Z"}),
            ),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(audited(&app, "metric.record").await.len(), 1);
}
