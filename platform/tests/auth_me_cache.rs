//! Issue 18: `GET /auth/me` answers from the cache of users the token check
//! keeps (no database read: `auth_me_plans.rs`), and every change that matters shows at once:
//! sign-out, deactivation, a role or name change, a password change, and a
//! new sign-in's `last_login_at`.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

async fn me(app: &TestApp, token: &str) -> (StatusCode, Value) {
    app.call("GET", "/auth/me", Some(token), None).await.parts()
}

async fn login(app: &TestApp, email: &str, password: &str) -> String {
    let (s, b) = app
        .call(
            "POST",
            "/auth/login",
            None,
            Some(json!({"email": email, "password": password})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::OK, "{b}");
    b["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn changes_show_in_me_at_once() {
    let app = TestApp::new(vec![]).await;
    let admin = app.admin_token.clone();
    let (id, _) = app.user_with(&["training:viewer"]).await;
    let email = me_email(&app, &id).await;
    let token = login(&app, &email, "password-123").await;
    let (s, first) = me(&app, &token).await;
    assert_eq!(s, StatusCode::OK);
    assert!(first["last_login_at"].is_string(), "{first}");

    // A role and name change.
    let (s, b) = app
        .call(
            "PATCH",
            &format!("/auth/users/{id}"),
            Some(&admin),
            Some(json!({"roles": ["training:editor"], "name": "Renamed"})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, b) = me(&app, &token).await;
    assert_eq!(b["roles"], json!(["training:editor"]), "{b}");
    assert_eq!(b["name"], "Renamed");

    // A new sign-in moves last_login_at.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second = login(&app, &email, "password-123").await;
    let (_, b) = me(&app, &second).await;
    assert_ne!(b["last_login_at"], first["last_login_at"], "{b}");

    // Sign-out refuses that token at once; the other session goes on.
    let (s, _) = app
        .call("POST", "/auth/logout", Some(&second), None)
        .await
        .parts();
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &second).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &token).await.0, StatusCode::OK);

    // A password change signs every session out at once.
    let (s, b) = app
        .call(
            "PATCH",
            &format!("/auth/users/{id}"),
            Some(&admin),
            Some(json!({"password": "another-password-1"})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(me(&app, &token).await.0, StatusCode::UNAUTHORIZED);

    // Deactivation too.
    let third = login(&app, &email, "another-password-1").await;
    assert_eq!(me(&app, &third).await.0, StatusCode::OK);
    let (s, b) = app
        .call(
            "PATCH",
            &format!("/auth/users/{id}"),
            Some(&admin),
            Some(json!({"is_active": false})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(me(&app, &third).await.0, StatusCode::UNAUTHORIZED);
}

async fn me_email(app: &TestApp, id: &str) -> String {
    let (s, b) = app
        .call(
            "GET",
            &format!("/auth/users/{id}"),
            Some(&app.admin_token),
            None,
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::OK, "{b}");
    b["email"].as_str().unwrap().to_string()
}
