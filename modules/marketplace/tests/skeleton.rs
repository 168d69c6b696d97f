use frontline_platform::testing::{assert_spec_committed, TestApp};
use poem::http::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn unauthenticated_calls_get_the_marketplace_401_body() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let resp = app.client.get("/marketplace/v1/webhooks").send().await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(b["success"], false);
    assert_eq!(b["error"]["code"], "UNAUTHORIZED");
}

#[tokio::test]
async fn spec_is_committed() {
    assert_spec_committed(frontline_marketplace::module()).await;
}
