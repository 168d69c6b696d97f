use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const BASE: &str = "/contact-center/api/ivr";

async fn app() -> TestApp {
    TestApp::new(vec![frontline_contact_center::module()]).await
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.call(method, &format!("{BASE}{path}"), Some(token), body)
        .await
        .parts()
}

fn main_menu() -> Value {
    json!([
        {"id": 1, "node_type": "menu", "name": "Main Menu", "prompt_text": "Welcome! Press 1 for Sales, 2 for Support, 9 to repeat",
         "menu_options": [
            {"dtmf_key": "1", "description": "Sales", "target_node_id": 2},
            {"dtmf_key": "2", "description": "Support", "target_node_id": 3},
            {"dtmf_key": "9", "description": "Repeat", "target_node_id": 1}]},
        {"id": 2, "node_type": "prompt", "name": "sales", "prompt_text": "Connecting you to sales", "next_node_id": 4},
        {"id": 3, "node_type": "menu", "name": "support", "prompt_text": "Press 1 for billing, 0 for the main menu",
         "menu_options": [
            {"dtmf_key": "1", "description": "Billing", "target_node_id": 5},
            {"dtmf_key": "0", "description": "Back", "target_node_id": 1}]},
        {"id": 4, "node_type": "queue", "name": "agent", "queue_id": 1},
        {"id": 5, "node_type": "voicemail", "name": "billing voicemail"}
    ])
}

#[tokio::test]
async fn flow_crud_publish_and_versions_are_immutable() {
    let app = app().await;
    let t = app.admin_token.clone();
    let (s, flow) = call(&app, "POST", "/flows", &t, Some(json!({
        "name": "Sales IVR Flow", "description": "IVR for sales inquiries", "timeout_seconds": 30,
        "max_retries": 3, "language": "en", "is_active": false
    }))).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(flow["node_count"], 0);
    assert_eq!(flow["version"], 0);
    let id = flow["id"].as_i64().unwrap();

    // Publishing an empty flow is refused.
    let (s, e) = call(
        &app,
        "POST",
        &format!("/flows/{id}/publish"),
        &t,
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "nodes");

    let (s, f) = call(
        &app,
        "PUT",
        &format!("/flows/{id}"),
        &t,
        Some(json!({"nodes": main_menu(), "is_active": true})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{f}");
    assert_eq!(f["node_count"], 5);
    assert_eq!(f["start_node_id"], 1);
    assert_eq!(f["nodes"][0]["menu_options"][1]["target_node_id"], 3);

    let (s, v1) = call(
        &app,
        "POST",
        &format!("/flows/{id}/publish"),
        &t,
        Some(json!({"version_notes": "First"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["version_notes"], "First");

    // Editing the draft does not change version 1.
    let mut nodes = main_menu();
    nodes[1]["name"] = json!("Sales desk");
    let (s, _) = call(
        &app,
        "PUT",
        &format!("/flows/{id}"),
        &t,
        Some(json!({"nodes": nodes})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = call(&app, "GET", &format!("/flows/{id}/versions/1"), &t, None).await;
    assert_eq!(v["nodes"][1]["name"], "sales");
    let (_, v2) = call(
        &app,
        "POST",
        &format!("/flows/{id}/publish"),
        &t,
        Some(json!({"version_notes": "Renamed"})),
    )
    .await;
    assert_eq!(v2["version"], 2);
    let (_, vs) = call(&app, "GET", &format!("/flows/{id}/versions"), &t, None).await;
    assert_eq!(
        vs.as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![2, 1]
    );

    let (_, list) = call(&app, "GET", "/flows?is_active=true", &t, None).await;
    assert_eq!(list[0]["version"], 2);
    assert_eq!(list[0]["node_count"], 5);
    let (_, none) = call(&app, "GET", "/flows?is_active=false", &t, None).await;
    assert_eq!(none.as_array().unwrap().len(), 0);

    let (s, _) = call(&app, "DELETE", &format!("/flows/{id}"), &t, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, e) = call(&app, "GET", &format!("/flows/{id}"), &t, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(e["error_code"], "NOT_FOUND");
}

#[tokio::test]
async fn bad_graphs_get_details_per_node() {
    let app = app().await;
    let t = app.admin_token.clone();
    // Dangling target, menu without options, unreachable node.
    let (s, e) = call(&app, "POST", "/flows", &t, Some(json!({"name": "Broken", "nodes": [
        {"id": 1, "node_type": "menu", "name": "Main", "menu_options": [{"dtmf_key": "1", "target_node_id": 99}]},
        {"id": 2, "node_type": "menu", "name": "Empty"},
        {"id": 3, "node_type": "hangup", "name": "Bye"}
    ]}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error_code"], "VALIDATION_ERROR");
    let fields: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"nodes[0].menu_options[0].target_node_id"),
        "{fields:?}"
    );
    assert!(fields.contains(&"nodes[1].menu_options"), "{fields:?}");

    // Valid references but node 3 unreachable from the start.
    let (s, e) = call(&app, "POST", "/flows", &t, Some(json!({"name": "Island", "nodes": [
        {"id": 1, "node_type": "menu", "name": "Main", "menu_options": [{"dtmf_key": "1", "target_node_id": 2}]},
        {"id": 2, "node_type": "hangup", "name": "Bye"},
        {"id": 3, "node_type": "hangup", "name": "Orphan"}
    ]}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "nodes[2]");
    assert!(e["detail"].as_str().unwrap().contains("cannot be reached"));

    // A loop of prompts with no exit traps callers; a menu loop with an exit is fine.
    let (s, e) = call(
        &app,
        "POST",
        "/flows",
        &t,
        Some(json!({"name": "Trap", "nodes": [
            {"id": 1, "node_type": "prompt", "name": "A", "next_node_id": 2},
            {"id": 2, "node_type": "prompt", "name": "B", "next_node_id": 1}
        ]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["errors"][0]["message"].as_str().unwrap().contains("loop"));
    let (s, _) = call(
        &app,
        "POST",
        "/flows",
        &t,
        Some(json!({"name": "Cycle ok", "nodes": main_menu()})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);

    // Missing start node, duplicate ids, unknown type, bad settings.
    let (s, e) = call(&app, "POST", "/flows", &t, Some(json!({"name": "x", "start_node_id": 7, "timeout_seconds": 5,
        "nodes": [{"id": 1, "node_type": "hangup", "name": "a"}, {"id": 1, "node_type": "teleport", "name": "b"}]}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    // The unknown type is the document's rule (an enum-like pattern) ...
    assert_eq!(fields, ["nodes[1].node_type"], "{fields:?}");
    // ... the graph's rules follow once the nodes fit the document.
    let (s, e) = call(&app, "POST", "/flows", &t, Some(json!({"name": "x", "start_node_id": 7, "timeout_seconds": 5,
        "nodes": [{"id": 1, "node_type": "hangup", "name": "a"}, {"id": 1, "node_type": "prompt", "name": "b"}]}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"nodes[1].id") && fields.contains(&"start_node_id"),
        "{fields:?}"
    );

    // The document's range is checked first.
    let (s, e) = call(
        &app,
        "POST",
        "/flows",
        &t,
        Some(json!({"name": "x", "timeout_seconds": 0})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "timeout_seconds");

    // Agents may read but not edit flows.
    let agent = app.token_for(&["contact-center:agent"]).await;
    let (s, _) = call(&app, "POST", "/flows", &agent, Some(json!({"name": "x"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(&app, "GET", "/flows", &agent, None).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn sessions_feed_analytics() {
    let app = app().await;
    let t = app.admin_token.clone();
    // The queue node's queue (id 1): callers reaching it are queued there.
    let r = app
        .call(
            "POST",
            "/contact-center/api/v1/queues",
            Some(&t),
            Some(json!({"name": "Sales"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let (_, flow) = call(
        &app,
        "POST",
        "/flows",
        &t,
        Some(json!({"name": "Main", "max_retries": 1, "is_active": true, "nodes": main_menu()})),
    )
    .await;
    let id = flow["id"].as_i64().unwrap();
    // Not yet published.
    let (s, e) = call(
        &app,
        "POST",
        &format!("/flows/{id}/sessions"),
        &t,
        Some(json!({"inputs": ["1"]})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error_code"], "FLOW_NOT_PUBLISHED");
    call(
        &app,
        "POST",
        &format!("/flows/{id}/publish"),
        &t,
        Some(json!({"version_notes": "v1"})),
    )
    .await;

    // 3 callers go to sales (menu -> sales -> agent), completed.
    for d in [60.0, 90.0, 120.0] {
        let (s, sess) = call(
            &app,
            "POST",
            &format!("/flows/{id}/sessions"),
            &t,
            Some(json!({"inputs": ["1"], "duration_seconds": d, "caller_number": "+15550001"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{sess}");
        assert_eq!(sess["status"], "completed");
        assert_eq!(sess["outcome"], "queue");
        assert_eq!(sess["path"], json!([1, 2, 4]));
        assert_eq!(sess["path_names"], "Main Menu -> sales -> agent");
    }
    // One caller: support, back to main (cycle), support, billing voicemail.
    let (_, sess) = call(
        &app,
        "POST",
        &format!("/flows/{id}/sessions"),
        &t,
        Some(json!({"inputs": ["2", "0", "2", "1"], "duration_seconds": 30})),
    )
    .await;
    assert_eq!(sess["status"], "completed");
    assert_eq!(sess["outcome"], "voicemail");
    assert_eq!(sess["path"], json!([1, 3, 1, 3, 5]));
    // One caller hangs up in support (step by step).
    let (_, sess) = call(
        &app,
        "POST",
        &format!("/flows/{id}/sessions"),
        &t,
        Some(json!({})),
    )
    .await;
    assert_eq!(sess["status"], "in_progress");
    assert_eq!(sess["current_node_id"], 1);
    assert!(sess["current_prompt"]
        .as_str()
        .unwrap()
        .starts_with("Welcome"));
    let sid = sess["id"].as_i64().unwrap();
    let (_, sess) = call(
        &app,
        "POST",
        &format!("/sessions/{sid}/input"),
        &t,
        Some(json!({"dtmf": "2"})),
    )
    .await;
    assert_eq!(sess["current_node_id"], 3);
    let (_, sess) = call(&app, "POST", &format!("/sessions/{sid}/hangup"), &t, None).await;
    assert_eq!(sess["status"], "abandoned");
    let (s, _) = call(
        &app,
        "POST",
        &format!("/sessions/{sid}/input"),
        &t,
        Some(json!({"dtmf": "1"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // One caller presses wrong keys twice (max_retries 1): failed at the main menu.
    let (_, sess) = call(
        &app,
        "POST",
        &format!("/flows/{id}/sessions"),
        &t,
        Some(json!({"inputs": ["7", "8"], "duration_seconds": 20})),
    )
    .await;
    assert_eq!(sess["status"], "failed");
    assert_eq!(sess["current_node_id"], 1);
    // Bad DTMF.
    let (s, e) = call(
        &app,
        "POST",
        &format!("/flows/{id}/sessions"),
        &t,
        Some(json!({"inputs": ["x"]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "inputs[0]");

    let (s, a) = call(
        &app,
        "GET",
        &format!("/flows/{id}/analytics?period=7d"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["total_sessions"], 6);
    assert_eq!(a["completed_sessions"], 4);
    assert_eq!(a["abandoned_sessions"], 1);
    assert_eq!(a["failed_sessions"], 1);
    // 4 completed of 6 ended.
    assert_eq!(a["completion_rate"], 0.6667);
    assert_eq!(
        a["most_used_paths"][0]["path"],
        "Main Menu -> sales -> agent"
    );
    assert_eq!(a["most_used_paths"][0]["count"], 3);
    // Support (node 3) was reached by 2 sessions, 1 dropped there; main menu by all 6, 1 failed there.
    let drops = a["drop_off_points"].as_array().unwrap();
    let d3 = drops.iter().find(|d| d["node_id"] == 3).unwrap();
    assert_eq!(d3["drop_rate"], 0.5);
    let d1 = drops.iter().find(|d| d["node_id"] == 1).unwrap();
    assert_eq!(d1["drop_rate"], 0.1667);
    assert_eq!(drops[0]["node_id"], 3);
    let (s, _) = call(
        &app,
        "GET",
        &format!("/flows/{id}/analytics?period=soon"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}
