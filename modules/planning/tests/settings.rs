use frontline_platform::testing::TestApp;
use serde_json::{json, Value};

#[tokio::test]
async fn admin_reads_and_updates_settings_others_get_403() {
    let app = TestApp::new(vec![frontline_planning::module()]).await;
    let admin = format!("Bearer {}", app.admin_token);
    let resp = app
        .client
        .get("/planning/api/admin/settings")
        .header("Authorization", &admin)
        .send()
        .await;
    resp.assert_status_is_ok();
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(b["data"]["cpiRate"], 0.03);
    assert_eq!(b["data"]["currency"], "SAR");

    let resp = app
        .client
        .patch("/planning/api/admin/settings")
        .header("Authorization", &admin)
        .body_json(&json!({"cpiRate": 0.035, "discountRate": 0.09}))
        .send()
        .await;
    resp.assert_status_is_ok();
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(b["data"]["cpiRate"], 0.035);
    assert_eq!(b["data"]["taxRate"], 0.15);
    assert_eq!(b["data"]["message"], "Settings updated successfully");
    let b: Value = app
        .client
        .get("/planning/api/admin/settings")
        .header("Authorization", &admin)
        .send()
        .await
        .0
        .into_body()
        .into_json()
        .await
        .unwrap();
    assert_eq!(b["data"]["discountRate"], 0.09);

    let resp = app
        .client
        .patch("/planning/api/admin/settings")
        .header("Authorization", &admin)
        .body_json(&json!({"cpiRate": 2, "currency": "riyal"}))
        .send()
        .await;
    resp.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(b["code"], "VALIDATION_ERROR");
    assert_eq!(b["details"]["cpiRate"][0], "must be between 0 and 1");
    assert!(b["details"]["currency"].is_array());

    let planner = format!("Bearer {}", app.token_for(&["planning:PLANNER"]).await);
    let resp = app
        .client
        .get("/planning/api/admin/settings")
        .header("Authorization", &planner)
        .send()
        .await;
    resp.assert_status(poem::http::StatusCode::FORBIDDEN);
    let resp = app.client.get("/planning/api/admin/settings").send().await;
    resp.assert_status(poem::http::StatusCode::UNAUTHORIZED);
}
