//! Conversation list order, the transfer queue by priority and the
//! document's agent handles, through HTTP.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// A tenant; returns (tenant_id, "ApiKey …").
async fn tenant(app: &TestApp) -> (String, String) {
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": "Acme", "plan": "enterprise", "admin_user": {"email": "owner@acme.example"}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    (
        d["tenant_id"].as_str().unwrap().to_string(),
        format!("ApiKey {}", d["api_keys"]["primary"].as_str().unwrap()),
    )
}

async fn say(app: &TestApp, key: &str, conv: &str) {
    app.client
        .post(format!("{B}/chat/message"))
        .header("Authorization", key)
        .body_json(&json!({"conversation_id": conv, "user_id": format!("u_{conv}"), "content": {"text": "hello"}}))
        .send()
        .await
        .assert_status_is_ok();
}

async fn list(app: &TestApp, key: &str, query: &str) -> poem::test::TestResponse {
    app.client
        .get(format!("{B}/conversations?{query}"))
        .header("Authorization", key)
        .send()
        .await
}

fn ids(d: &Value) -> Vec<String> {
    d["data"]["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["conversation_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_list_sorts_by_created_at_in_the_order_asked() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (_, key) = tenant(&app).await;
    for c in ["conv_1", "conv_2", "conv_3"] {
        say(&app, &key, c).await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let asc = list(&app, &key, "sort=created_at&order=asc").await;
    asc.assert_status_is_ok();
    assert_eq!(ids(&body(asc).await), ["conv_1", "conv_2", "conv_3"]);
    let desc = list(&app, &key, "page=1&limit=50&sort=created_at&order=desc").await;
    assert_eq!(ids(&body(desc).await), ["conv_3", "conv_2", "conv_1"]);
    let dflt = list(&app, &key, "sort=created_at").await;
    assert_eq!(ids(&body(dflt).await), ["conv_3", "conv_2", "conv_1"]);
    let r = list(&app, &key, "sort=last_activity&order=asc").await;
    assert_eq!(ids(&body(r).await), ["conv_1", "conv_2", "conv_3"]);
    let r = list(&app, &key, "sort=created_at&order=up").await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let r = list(&app, &key, "sort=started_at_desc&order=asc").await;
    r.assert_status(StatusCode::BAD_REQUEST);
}

async fn transfer(app: &TestApp, key: &str, conv: &str, body_: Value) -> poem::test::TestResponse {
    app.client
        .post(format!("{B}/conversations/{conv}/transfer"))
        .header("Authorization", key)
        .body_json(&body_)
        .send()
        .await
}

#[tokio::test]
async fn urgent_transfers_queue_ahead_of_lower_priorities() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (_, key) = tenant(&app).await;
    for c in ["conv_low", "conv_urgent", "conv_normal", "conv_low2"] {
        say(&app, &key, c).await;
    }
    let pos = |d: Value| d["data"]["queue_position"].as_i64().unwrap();
    let r = transfer(
        &app,
        &key,
        "conv_low",
        json!({"transfer_reason": "x", "priority": "low"}),
    )
    .await;
    r.assert_status_is_ok();
    assert_eq!(pos(body(r).await), 1);
    let r = transfer(
        &app,
        &key,
        "conv_urgent",
        json!({"transfer_reason": "x", "priority": "urgent"}),
    )
    .await;
    r.assert_status_is_ok();
    assert_eq!(pos(body(r).await), 1, "urgent does not wait behind low");
    let r = transfer(
        &app,
        &key,
        "conv_normal",
        json!({"transfer_reason": "x", "priority": "normal"}),
    )
    .await;
    assert_eq!(pos(body(r).await), 2, "behind urgent, ahead of low");
    let r = transfer(
        &app,
        &key,
        "conv_low2",
        json!({"transfer_reason": "x", "priority": "low"}),
    )
    .await;
    assert_eq!(pos(body(r).await), 4, "behind everyone");
}

#[tokio::test]
async fn the_documents_agent_id_names_a_member_by_handle() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tid, key) = tenant(&app).await;
    let admin = format!("Bearer {}", app.admin_token);
    let r = app
        .client
        .post(format!("{B}/tenants/{tid}/users"))
        .header("Authorization", &admin)
        .body_json(
            &json!({"email": "john@acme.example", "first_name": "John", "last_name": "Doe",
            "role": "agent", "send_invitation": false}),
        )
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    assert_eq!(d["agent_id"], "agent_john_doe", "{d}");
    say(&app, &key, "conv_1").await;
    let r = transfer(
        &app,
        &key,
        "conv_1",
        json!({"transfer_reason": "complex_technical_issue", "transfer_note": "Login issues",
            "department": "technical_support", "priority": "high", "agent_id": "agent_john_doe"}),
    )
    .await;
    r.assert_status_is_ok();
    let d = body(r).await["data"].clone();
    assert_eq!(d["assigned_agent"]["agent_id"], "agent_john_doe");
    assert_eq!(d["assigned_agent"]["name"], "John Doe");
    assert_eq!(d["assigned_agent"]["department"], "technical_support");
    // Nobody answers to another handle.
    say(&app, &key, "conv_2").await;
    let r = transfer(
        &app,
        &key,
        "conv_2",
        json!({"transfer_reason": "x", "agent_id": "agent_jane_roe"}),
    )
    .await;
    r.assert_status(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn usage_counts_idle_unescalated_conversations_as_abandoned() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tid, key) = tenant(&app).await;
    for c in ["conv_left", "conv_recent", "conv_escalated_idle"] {
        say(&app, &key, c).await;
    }
    transfer(
        &app,
        &key,
        "conv_escalated_idle",
        json!({"transfer_reason": "x"}),
    )
    .await
    .assert_status_is_ok();
    // Two conversations have been idle for an hour.
    let idle = (chrono::Utc::now() - chrono::Duration::minutes(60))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "UPDATE chatbot_conversations SET last_activity_at = ?1 WHERE id IN ('conv_left', 'conv_escalated_idle')",
                [idle.as_str()],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let r = app
        .client
        .get(format!("{B}/tenants/{tid}/usage"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .send()
        .await;
    r.assert_status_is_ok();
    let d = body(r).await["data"].clone();
    let conv = &d["usage"]["conversations"];
    assert_eq!(conv["total"], 3, "{d}");
    assert_eq!(conv["abandoned"], 1, "{d}");
    assert_eq!(conv["escalated"], 1, "{d}");
}

/// What schemathesis found: the document let any text through as a transfer
/// `priority` and as an export's `date_range` bounds, which the server
/// refuses. The document now names the priorities (enum) and the bounds'
/// format (date-time); what it allows is accepted, the rest refused with
/// the field named.
#[tokio::test]
async fn the_document_states_the_transfer_priorities_and_export_time_bounds() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (_tid, key) = tenant(&app).await;
    let r = app.client.get(format!("{B}/openapi.json")).send().await;
    r.assert_status_is_ok();
    let doc = body(r).await;
    let schemas = &doc["components"]["schemas"];
    let priority = &schemas["TransferRequest"]["properties"]["priority"];
    let named = match priority["allOf"][0]["$ref"].as_str() {
        Some(r) => schemas[r.rsplit('/').next().unwrap()]["enum"].clone(),
        None => priority["enum"].clone(),
    };
    assert_eq!(
        named,
        json!(["low", "normal", "high", "urgent"]),
        "{priority}"
    );
    for bound in ["start", "end"] {
        assert_eq!(
            schemas["DateRange"]["properties"][bound]["format"], "date-time",
            "{}",
            schemas["DateRange"]
        );
    }

    say(&app, &key, "conv_doc").await;
    let post = |path: String, b: Value| {
        let key = key.clone();
        let client = &app.client;
        async move {
            let r = client
                .post(format!("{B}{path}"))
                .header("Authorization", key)
                .body_json(&b)
                .send()
                .await;
            let status = r.0.status();
            (status, body(r).await)
        }
    };
    // An export bounded by offset date-times, as the format allows.
    let (s, b) = post(
        "/conversations/conv_doc/export".into(),
        json!({"date_range": {"start": "2020-01-01T00:00:00+03:00", "end": "2099-01-01T00:00:00Z"}}),
    )
    .await;
    assert!(s.is_success(), "{s} {b}");
    let (s, b) = post(
        "/conversations/conv_doc/export".into(),
        json!({"date_range": {"start": "yesterday"}}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.to_string().contains("date_range.start"), "{b}");
    // A priority outside the set is refused naming the field; one inside queues.
    let (s, b) = post(
        "/conversations/conv_doc/transfer".into(),
        json!({"transfer_reason": "billing", "priority": ""}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.to_string().contains("priority"), "{b}");
    let (s, b) = post(
        "/conversations/conv_doc/transfer".into(),
        json!({"transfer_reason": "billing", "priority": "urgent"}),
    )
    .await;
    assert!(s.is_success(), "{s} {b}");
}
