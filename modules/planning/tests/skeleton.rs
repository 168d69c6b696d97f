use frontline_platform::testing::{assert_spec_committed, TestApp};
use poem::http::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn signin_sets_a_session_cookie_that_session_accepts() {
    let app = TestApp::new(vec![frontline_planning::module()]).await;
    let resp = app.client.get("/planning/api/auth/session").send().await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(
        b,
        json!({"success": false, "error": "Authentication required", "code": "UNAUTHORIZED"})
    );

    let resp = app
        .client
        .post("/planning/api/auth/signin")
        .body_json(&json!({"email": "admin@test.local", "password": "admin-password"}))
        .send()
        .await;
    resp.assert_status_is_ok();
    let cookie = resp
        .0
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("next-auth.session-token=") && cookie.contains("HttpOnly"));
    let pair = cookie.split(';').next().unwrap().to_string();
    let resp = app
        .client
        .get("/planning/api/auth/session")
        .header("Cookie", &pair)
        .send()
        .await;
    resp.assert_status_is_ok();
    let s: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(s["user"]["role"], "ADMIN");

    app.client
        .post("/planning/api/auth/signout")
        .header("Cookie", &pair)
        .send()
        .await
        .assert_status_is_ok();
    app.client
        .get("/planning/api/auth/session")
        .header("Cookie", &pair)
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn health_reports_the_database() {
    let app = TestApp::new(vec![frontline_planning::module()]).await;
    let b: Value = app
        .client
        .get("/planning/api/health")
        .send()
        .await
        .0
        .into_body()
        .into_json()
        .await
        .unwrap();
    assert_eq!(b["success"], true);
    assert_eq!(b["data"]["database"]["status"], "connected");
}

#[tokio::test]
async fn spec_is_committed() {
    assert_spec_committed(frontline_planning::module()).await;
}
