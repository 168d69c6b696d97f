//! The generic incoming webhook through HTTP: the URL and token returned at
//! tenant creation work as returned, and the document's integration example
//! (`POST /webhooks/generic/{integration_id}` with `Authorization: Bearer
//! <webhook_token>`, no tenant header) reaches its tenant.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

fn event() -> Value {
    json!({"event_type": "customer_updated", "timestamp": "2025-06-01T14:30:00Z",
        "customer_id": "cust_789", "data": {"customer_tier": "premium", "loyalty": {"points": 5}}})
}

#[tokio::test]
async fn the_incoming_webhook_returned_at_tenant_creation_works_as_returned() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let admin = format!("Bearer {}", app.admin_token);
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", &admin)
        .body_json(&json!({"name": "Acme", "plan": "enterprise", "admin_user": {"email": "owner@acme.example"}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    let tid = d["tenant_id"].as_str().unwrap().to_string();
    let key = format!("ApiKey {}", d["api_keys"]["primary"].as_str().unwrap());
    let url = d["webhook_endpoints"]["incoming"]
        .as_str()
        .unwrap()
        .to_string();
    let token = d["webhook_endpoints"]["incoming_token"]
        .as_str()
        .unwrap()
        .to_string();

    // The customer has an open conversation.
    app.client
        .post(format!("{B}/chat/message"))
        .header("Authorization", &key)
        .body_json(&json!({"conversation_id": "conv_789", "user_id": "cust_789", "content": {"text": "hello"}}))
        .send()
        .await
        .assert_status_is_ok();

    // As returned: the URL and its token, nothing else.
    let r = app
        .client
        .post(&url)
        .header("Authorization", format!("Bearer {token}"))
        .body_json(&event())
        .send()
        .await;
    r.assert_status_is_ok();
    let d = body(r).await;
    assert_eq!(d["status"], "processed", "{d}");
    assert_eq!(d["affected_conversations"], json!(["conv_789"]));
    // The data reached the conversation: the fields the document names and
    // any other key, as sent.
    let r = app
        .client
        .get(format!("{B}/conversations/conv_789"))
        .header("Authorization", &key)
        .send()
        .await;
    r.assert_status_is_ok();
    let entities = body(r).await["data"]["context"]["entities"].clone();
    assert_eq!(entities["customer_tier"], "premium", "{entities}");
    assert_eq!(entities["loyalty"], json!({"points": 5}), "{entities}");

    // A wrong token is refused, before anything is processed.
    app.client
        .post(&url)
        .header("Authorization", "Bearer whk_wrong")
        .body_json(&event())
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    app.client
        .post(&url)
        .body_json(&event())
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);

    // The token is never shown again.
    let r = app
        .client
        .get(format!("{B}/tenants/{tid}/config"))
        .header("Authorization", &admin)
        .send()
        .await;
    r.assert_status_is_ok();
    assert!(!body(r).await.to_string().contains(&token));

    // The document's example: an integration of the tenant's own, found by its token.
    app.client
        .put(format!("{B}/tenants/{tid}/config"))
        .header("Authorization", &admin)
        .body_json(
            &json!({"configuration": {"integrations": {"crm_integration_456": {
            "provider": "salesforce", "enabled": true, "webhook_token": "webhook_token_abc123"}}}}),
        )
        .send()
        .await
        .assert_status_is_ok();
    let r = app
        .client
        .post(format!("{B}/webhooks/generic/crm_integration_456"))
        .header("Authorization", "Bearer webhook_token_abc123")
        .body_json(&event())
        .send()
        .await;
    r.assert_status_is_ok();
    assert_eq!(body(r).await["status"], "processed");
    // Another integration's token does not open this one.
    app.client
        .post(format!("{B}/webhooks/generic/crm_integration_456"))
        .header("Authorization", format!("Bearer {token}"))
        .body_json(&event())
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}
