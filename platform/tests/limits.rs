//! Unrestricted resource consumption at the platform's own endpoints: deeply
//! nested JSON is refused by the JSON reader's depth limit (128 levels) with
//! a clean client error, never a stack overflow, and the server keeps
//! answering; nesting within the limit still parses.

use frontline_platform::testing::TestApp;
use serde_json::Value;

async fn post_raw(app: &TestApp, path: &str, token: Option<&str>, body: String) -> (u16, Value) {
    let mut req = app
        .client
        .post(path)
        .header("Content-Type", "application/json");
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let resp = req.body(body).send().await;
    let status = resp.0.status().as_u16();
    let text = resp.0.into_body().into_string().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn deeply_nested_json_is_a_clean_client_error() {
    let app = TestApp::new(vec![]).await;
    let admin = app.admin_token.clone();
    for depth in [129usize, 10_000, 100_000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        let inside = format!(
            "{{\"email\": \"x@test.local\", \"password\": \"password-123\", \"name\": {arrays}}}"
        );
        for (path, token, body) in [
            ("/auth/login", None, arrays.clone()),
            ("/auth/login", None, objects.clone()),
            ("/auth/users", Some(admin.as_str()), objects),
            ("/auth/users", Some(admin.as_str()), inside),
        ] {
            let (status, body) = post_raw(&app, path, token, body).await;
            assert!(
                (400..500).contains(&status),
                "{path} depth {depth}: {status} {body}"
            );
            assert!(
                body.to_string().contains("recursion limit"),
                "{path} depth {depth}: {body}"
            );
        }
    }
    // Still serving; nesting within the limit is ordinary JSON (here: a wrong body).
    let shallow = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let (status, body) = post_raw(&app, "/auth/login", None, shallow).await;
    assert!((400..500).contains(&status), "{status} {body}");
    assert!(!body.to_string().contains("recursion limit"), "{body}");
    let (status, _) = post_raw(
        &app,
        "/auth/login",
        None,
        r#"{"email": "admin@test.local", "password": "admin-password"}"#.into(),
    )
    .await;
    assert_eq!(status, 200);
}
