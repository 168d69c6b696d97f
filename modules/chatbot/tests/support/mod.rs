//! Set-up shared by the chatbot's integration tests: a tenant with its API
//! key and owner, signed-in members, a visitor's session and its messages;
//! reading one HTTP/1.1 request off a socket, for the local chat-completions
//! servers the tests start.
#![allow(dead_code)] // each test binary uses its own part

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

/// The module's base path.
pub const B: &str = "/chatbot/api/v2";

/// The JSON body of `resp`.
pub async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// An enterprise tenant created by the platform admin with `owner_email`
/// as its admin user; returns (tenant_id, "ApiKey …").
pub async fn tenant_with_key(app: &TestApp, name: &str, owner_email: &str) -> (String, String) {
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": name, "plan": "enterprise",
            "admin_user": {"email": owner_email}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    (
        d["tenant_id"].as_str().unwrap().to_string(),
        format!("ApiKey {}", d["api_keys"]["primary"].as_str().unwrap()),
    )
}

/// The e-mail of platform user `id`.
pub async fn email_of(app: &TestApp, id: &str) -> String {
    app.platform.auth.get_user(id).await.unwrap().unwrap().email
}

/// An enterprise tenant whose admin is a new signed-in platform user;
/// returns (tenant_id, "ApiKey …", owner "Bearer …").
pub async fn tenant(app: &TestApp, name: &str) -> (String, String, String) {
    let (id, owner) = app.user_with(&[]).await;
    let email = email_of(app, &id).await;
    let (tid, key) = tenant_with_key(app, name, &email).await;
    (tid, key, format!("Bearer {owner}"))
}

/// A signed-in member of `tid` with `role`, added by `owner`; returns "Bearer …".
pub async fn member(app: &TestApp, tid: &str, owner: &str, role: &str, first: &str) -> String {
    let (id, token) = app.user_with(&[]).await;
    let email = email_of(app, &id).await;
    app.client
        .post(format!("{B}/tenants/{tid}/users"))
        .header("Authorization", owner)
        .body_json(
            &json!({"email": email, "first_name": first, "last_name": "Lee",
            "role": role, "send_invitation": false}),
        )
        .send()
        .await
        .assert_status(StatusCode::CREATED);
    format!("Bearer {token}")
}

/// A web session of visitor `visitor_1`; returns "Bearer st_…".
pub async fn visitor(app: &TestApp, tid: &str) -> String {
    let r = app
        .client
        .post(format!("{B}/sessions"))
        .header("X-Tenant-ID", tid)
        .body_json(&json!({"user_id": "visitor_1", "channel": "web"}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    format!(
        "Bearer {}",
        body(r).await["data"]["session_token"].as_str().unwrap()
    )
}

/// `visitor_1` says `text` in conversation `conv` (200 expected).
pub async fn say(app: &TestApp, auth: &str, conv: &str, text: &str) {
    app.client
        .post(format!("{B}/chat/message"))
        .header("Authorization", auth)
        .body_json(&json!({"user_id": "visitor_1", "conversation_id": conv,
            "content": {"type": "text", "text": text}}))
        .send()
        .await
        .assert_status_is_ok();
}

/// A web visitor asks the built-in bot for the store hours, with the given
/// ids (200 expected); returns the answer's body.
pub async fn ask_store_hours(
    app: &TestApp,
    key: &str,
    message_id: String,
    conversation_id: &str,
    user_id: &str,
) -> Value {
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", key)
        .body_json(&json!({"message_id": message_id,
            "conversation_id": conversation_id, "user_id": user_id, "channel": "web",
            "content": {"type": "text", "text": "What are your store hours?", "language": "en"}}))
        .send()
        .await;
    let status = r.0.status();
    let body: Value = r.0.into_body().into_json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Reads SSE text from `stream` until `needle` shows up or `wait` passes.
pub async fn read_until<S, C, E>(stream: &mut S, needle: &str, wait: std::time::Duration) -> String
where
    S: futures_util::Stream<Item = Result<C, E>> + Unpin,
    C: AsRef<[u8]>,
{
    use futures_util::StreamExt;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    while !seen.contains(needle) {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(chunk))) => seen.push_str(&String::from_utf8_lossy(chunk.as_ref())),
            _ => break,
        }
    }
    seen
}
