use frontline_platform::testing::{assert_spec_committed, TestApp};
use poem::http::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn unauthenticated_calls_get_the_chatbot_401_body() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let resp = app
        .client
        .get("/chatbot/api/v2/tenants")
        .header("X-Request-ID", "req_abc")
        .send()
        .await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(b["status"], "error");
    assert_eq!(b["error"]["code"], "UNAUTHORIZED");
    assert_eq!(b["meta"]["request_id"], "req_abc");
    assert_eq!(b["meta"]["api_version"], "v2");
    assert!(b["error"]["timestamp"].is_string());
}

#[tokio::test]
async fn basic_health_is_public() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let resp = app.client.get("/chatbot/api/v2/health").send().await;
    resp.assert_status_is_ok();
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(b["status"], "healthy");
}

#[tokio::test]
async fn spec_is_committed() {
    assert_spec_committed(frontline_chatbot::module()).await;
}
