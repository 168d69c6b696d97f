//! IVR nodes act (issue 22 point 3): a queue node queues the caller, a
//! voicemail node leaves a voicemail, timeout_seconds ends a silent session,
//! an inactive flow takes no new sessions.
use frontline_platform::testing::TestApp;
use serde_json::{json, Value};

const API: &str = "/contact-center/api";

async fn send(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let r = app
        .call(
            method,
            &format!("{API}{path}"),
            Some(&app.admin_token),
            body,
        )
        .await;
    (r.status.as_u16(), r.body)
}

/// A published, active flow: 1 → queue `queue`, 2 → voicemail, 3 → input.
async fn flow(app: &TestApp, queue: i64, timeout: i64, active: bool) -> i64 {
    let nodes = json!([
        {"id": 1, "node_type": "menu", "name": "Main", "prompt_text": "1 sales, 2 message, 3 account",
         "menu_options": [
            {"dtmf_key": "1", "target_node_id": 2},
            {"dtmf_key": "2", "target_node_id": 3},
            {"dtmf_key": "3", "target_node_id": 4}]},
        {"id": 2, "node_type": "queue", "name": "sales", "queue_id": queue},
        {"id": 3, "node_type": "voicemail", "name": "message", "queue_id": queue},
        {"id": 4, "node_type": "input", "name": "account", "input_variable": "account", "next_node_id": 2}
    ]);
    let (s, f) = send(
        app,
        "POST",
        "/ivr/flows",
        Some(
            json!({"name": "Main", "timeout_seconds": timeout, "max_retries": 2,
            "language": "es", "is_active": active, "nodes": nodes}),
        ),
    )
    .await;
    assert_eq!(s, 201, "{f}");
    let id = f["id"].as_i64().unwrap();
    let (s, v) = send(
        app,
        "POST",
        &format!("/ivr/flows/{id}/publish"),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    id
}

async fn queue(app: &TestApp) -> i64 {
    let (s, q) = send(app, "POST", "/v1/queues", Some(json!({"name": "Sales"}))).await;
    assert_eq!(s, 201, "{q}");
    q["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_queue_node_puts_the_caller_in_the_queue() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let q = queue(&app).await;
    let f = flow(&app, q, 30, true).await;
    // Step by step: an account number, then the queue.
    let (s, sess) = send(
        &app,
        "POST",
        &format!("/ivr/flows/{f}/sessions"),
        Some(json!({"caller_number": "+14155550100", "inputs": ["3"]})),
    )
    .await;
    assert_eq!(s, 201, "{sess}");
    assert_eq!(sess["status"], "in_progress");
    let sid = sess["id"].as_i64().unwrap();
    let (s, sess) = send(
        &app,
        "POST",
        &format!("/ivr/sessions/{sid}/input"),
        Some(json!({"dtmf": "12345"})),
    )
    .await;
    assert_eq!(s, 200, "{sess}");
    assert_eq!(sess["outcome"], "queue");
    let call_id = sess["call_id"].as_str().expect("a queued call").to_string();
    let (s, waiting) = send(&app, "GET", &format!("/v1/queues/{q}/calls"), None).await;
    assert_eq!(s, 200);
    let waiting = waiting.as_array().unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0]["call_id"], call_id.as_str());
    assert_eq!(waiting[0]["caller_number"], "+14155550100");
    assert_eq!(waiting[0]["language"], "es");
    let (_, call) = send(&app, "GET", &format!("/v1/calls/{call_id}"), None).await;
    assert_eq!(call["attributes"]["account"], "12345", "{call}");
    // A caller without a number cannot be queued: refused, nothing stored.
    let (s, e) = send(
        &app,
        "POST",
        &format!("/ivr/flows/{f}/sessions"),
        Some(json!({"inputs": ["1"]})),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["field"], "caller_number");
}

#[tokio::test]
async fn a_voicemail_node_leaves_a_voicemail() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let q = queue(&app).await;
    let f = flow(&app, q, 30, true).await;
    let (s, sess) = send(
        &app,
        "POST",
        &format!("/ivr/flows/{f}/sessions"),
        Some(json!({"caller_number": "+14155550100", "called_number": "+18005550199", "inputs": ["2"]})),
    )
    .await;
    assert_eq!(s, 201, "{sess}");
    assert_eq!(sess["outcome"], "voicemail");
    let vm = sess["voicemail_id"].as_i64().expect("a voicemail");
    let (s, v) = send(&app, "GET", &format!("/voicemail/{vm}"), None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["from_number"], "+14155550100");
    assert_eq!(v["to_number"], "+18005550199");
    assert_eq!(v["status"], "new");
    assert_eq!(v["queue_id"], q);
}

#[tokio::test]
async fn a_silent_session_times_out_and_an_inactive_flow_takes_none() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let q = queue(&app).await;
    let f = flow(&app, q, 1, true).await;
    let (_, sess) = send(
        &app,
        "POST",
        &format!("/ivr/flows/{f}/sessions"),
        Some(json!({"caller_number": "+14155550100"})),
    )
    .await;
    assert_eq!(sess["status"], "in_progress");
    assert!(sess["expires_at"].is_string(), "{sess}");
    let sid = sess["id"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let (_, sess) = send(&app, "GET", &format!("/ivr/sessions/{sid}"), None).await;
    assert_eq!(sess["status"], "failed", "{sess}");
    assert_eq!(sess["outcome"], "timeout");
    let (s, e) = send(
        &app,
        "POST",
        &format!("/ivr/sessions/{sid}/input"),
        Some(json!({"dtmf": "1"})),
    )
    .await;
    assert_eq!(s, 409, "{e}");
    // Nobody was queued by the late key.
    let (_, waiting) = send(&app, "GET", &format!("/v1/queues/{q}/calls"), None).await;
    assert_eq!(waiting.as_array().unwrap().len(), 0);

    let off = flow(&app, q, 30, false).await;
    let (s, e) = send(
        &app,
        "POST",
        &format!("/ivr/flows/{off}/sessions"),
        Some(json!({"caller_number": "+14155550100", "inputs": ["2"]})),
    )
    .await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(e["error_code"], "FLOW_NOT_ACTIVE");
    let (_, vms) = send(&app, "GET", "/voicemail", None).await;
    assert_eq!(
        vms.as_array().map(Vec::len).unwrap_or(0)
            + vms["data"].as_array().map(Vec::len).unwrap_or(0),
        0,
        "{vms}"
    );
}
