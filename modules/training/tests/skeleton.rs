use frontline_platform::testing::{assert_spec_committed, TestApp};
use poem::http::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn unauthenticated_calls_get_the_training_401_body() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let resp = app.client.get("/training/api/admin/templates").send().await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(b["error"]["code"], "UNAUTHORIZED");
    assert!(b["error"]["details"].is_array());
}

#[tokio::test]
async fn a_user_without_a_training_role_gets_403() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let token = app.token_for(&["planning:VIEWER"]).await;
    let resp = app
        .client
        .get("/training/api/admin/templates")
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    resp.assert_status(StatusCode::FORBIDDEN);
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(b["error"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn spec_is_committed() {
    assert_spec_committed(frontline_training::module()).await;
}
