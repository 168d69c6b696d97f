use frontline_platform::testing::{assert_spec_committed, TestApp};
use poem::http::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn register_login_me() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let reg = app
        .client
        .post("/contact-center/api/v1/auth/register")
        .body_json(&json!({"email": "user@example.com", "password": "SecurePassword123!", "full_name": "John Doe", "organization": "Acme Corp"}))
        .send()
        .await;
    reg.assert_status(StatusCode::CREATED);
    let user: Value = reg.0.into_body().into_json().await.unwrap();
    assert!(user["id"].is_i64());
    assert_eq!(user["organization"], "Acme Corp");

    let dup = app
        .client
        .post("/contact-center/api/v1/auth/register")
        .body_json(&json!({"email": "user@example.com", "password": "SecurePassword123!", "full_name": "J"}))
        .send()
        .await;
    dup.assert_status(StatusCode::CONFLICT);

    let login = app
        .client
        .post("/contact-center/api/v1/auth/login")
        .body_json(&json!({"email": "user@example.com", "password": "SecurePassword123!"}))
        .send()
        .await;
    login.assert_status_is_ok();
    let l: Value = login.0.into_body().into_json().await.unwrap();
    assert_eq!(l["user"]["full_name"], "John Doe");
    let me = app
        .client
        .get("/contact-center/api/v1/auth/me")
        .header(
            "Authorization",
            format!("Bearer {}", l["access_token"].as_str().unwrap()),
        )
        .send()
        .await;
    me.assert_status_is_ok();
    let me: Value = me.0.into_body().into_json().await.unwrap();
    assert_eq!(me["email"], "user@example.com");
    assert_eq!(me["id"], user["id"]);
}

#[tokio::test]
async fn errors_use_the_fastapi_body() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let resp = app
        .client
        .get("/contact-center/api/v1/auth/me")
        .send()
        .await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(b["error_code"], "AUTHENTICATION_ERROR");
    assert!(b["detail"].is_string() && b["timestamp"].is_string());

    let weak = app
        .client
        .post("/contact-center/api/v1/auth/register")
        .body_json(&json!({"email": "a@example.com", "password": "short", "full_name": "A"}))
        .send()
        .await;
    weak.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let b: Value = weak.0.into_body().into_json().await.unwrap();
    assert_eq!(b["error_code"], "VALIDATION_ERROR");
    assert_eq!(b["field"], "password");
}

#[tokio::test]
async fn spec_is_committed() {
    assert_spec_committed(frontline_contact_center::module()).await;
}
