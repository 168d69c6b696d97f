//! Issue 16: the platform document states the rules a new password must
//! meet (8 to 128 characters), so a client and a fuzzer can build an
//! accepted request; a password outside them is refused with the platform's
//! error body naming `new_password`.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn the_document_states_the_new_password_rules_the_server_applies() {
    let app = TestApp::new(vec![]).await;
    let resp = app.client.get("/auth/openapi.json").send().await;
    let spec: Value = resp.0.into_body().into_json().await.unwrap();
    let field =
        &spec["components"]["schemas"]["PasswordChangeRequest"]["properties"]["new_password"];
    assert_eq!(field["minLength"], 8, "{field}");
    assert_eq!(field["maxLength"], 128, "{field}");

    let (_, token) = app.user_with(&["training:viewer"]).await;
    for new in ["seven77".to_string(), "x".repeat(129)] {
        let (s, b) = app
            .call(
                "POST",
                "/auth/me/password",
                Some(&token),
                Some(json!({"current_password": "password-123", "new_password": new})),
            )
            .await
            .parts();
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(b.to_string().contains("new_password"), "{b}");
    }
    // At the limits the change is accepted.
    let (s, b) = app
        .call(
            "POST",
            "/auth/me/password",
            Some(&token),
            Some(json!({"current_password": "password-123", "new_password": "y".repeat(128)})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::OK, "{b}");
}
