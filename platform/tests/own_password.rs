//! Self-service password change through HTTP: the current password is
//! required, the change is audited, every other session is signed out and
//! the caller gets a new token.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_user_changes_their_own_password_and_other_sessions_end() {
    let app = TestApp::new(vec![]).await;
    let (id, token) = app.user_with(&["training:viewer"]).await;
    let email = app
        .platform
        .auth
        .get_user(&id)
        .await
        .unwrap()
        .unwrap()
        .email;
    let old = "password-123"; // the password TestApp gives its users
    let me = token.as_str();
    let (_, other) = app.user_with(&["training:viewer"]).await;

    // Credentials first, then the fields.
    let (s, _) = app
        .call("POST", "/auth/me/password", None, Some(json!({})))
        .await
        .parts();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, b) = app
        .call(
            "POST",
            "/auth/me/password",
            Some(me),
            Some(json!({"current_password": "wrong-password-1", "new_password": "a-brand-new-pass-1"})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.to_string().contains("current_password"), "{b}");
    let (s, b) = app
        .call(
            "POST",
            "/auth/me/password",
            Some(me),
            Some(json!({"current_password": old, "new_password": "short"})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.to_string().contains("new_password"), "{b}");

    // A second session of the same account, to see it end.
    let r = app
        .call(
            "POST",
            "/auth/login",
            None,
            Some(json!({"email": email, "password": old})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let elsewhere = r.body["access_token"].as_str().unwrap().to_string();

    let (s, b) = app
        .call(
            "POST",
            "/auth/me/password",
            Some(me),
            Some(json!({"current_password": old, "new_password": "a-brand-new-pass-1"})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::OK, "{b}");
    let fresh = b["access_token"].as_str().unwrap().to_string();

    // Other sessions are signed out; the new token works; only the new password signs in.
    for gone in [me, elsewhere.as_str()] {
        let (s, _) = app.call("GET", "/auth/me", Some(gone), None).await.parts();
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, b) = app
        .call("GET", "/auth/me", Some(&fresh), None)
        .await
        .parts();
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["email"], email);
    let (s, _) = app
        .call(
            "POST",
            "/auth/login",
            None,
            Some(json!({"email": email, "password": old})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .call(
            "POST",
            "/auth/login",
            None,
            Some(json!({"email": email, "password": "a-brand-new-pass-1"})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::OK);
    // Someone else's session is untouched.
    let (s, _) = app
        .call("GET", "/auth/me", Some(&other), None)
        .await
        .parts();
    assert_eq!(s, StatusCode::OK);
    // Audited.
    assert!(app
        .audit_rows()
        .await
        .iter()
        .any(|r| r.contains("auth.password_changed")));
}
