//! Session tokens through HTTP: the `session_token` of `POST /sessions` is the
//! visitor's credential for that session and the conversations started with
//! it, nothing else; `enable_context_persistence` is honoured.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// A tenant; returns (tenant_id, "ApiKey …").
async fn tenant(app: &TestApp) -> (String, String) {
    let (id, _) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&id)
        .await
        .unwrap()
        .unwrap()
        .email;
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": "Shop", "plan": "enterprise", "admin_user": {"email": email}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let b = body(r).await;
    (
        b["data"]["tenant_id"].as_str().unwrap().to_string(),
        format!(
            "ApiKey {}",
            b["data"]["api_keys"]["primary"].as_str().unwrap()
        ),
    )
}

/// A visitor session (no credentials, `X-Tenant-ID`); returns (session_id, "Bearer st_…").
async fn session(app: &TestApp, tenant: &str, user: &str, persist: bool) -> (String, String) {
    let r = app
        .client
        .post(format!("{B}/sessions"))
        .header("X-Tenant-ID", tenant)
        .body_json(&json!({"user_id": user, "channel": "web",
            "initial_context": {"page_url": "https://shop.example/products/widget-pro"},
            "session_config": {"timeout_minutes": 30, "enable_context_persistence": persist}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    let token = d["session_token"].as_str().unwrap().to_string();
    assert!(token.starts_with("st_"));
    (
        d["session_id"].as_str().unwrap().to_string(),
        format!("Bearer {token}"),
    )
}

async fn send(
    app: &TestApp,
    auth: &str,
    user: &str,
    conv: Option<&str>,
    text: &str,
) -> poem::test::TestResponse {
    let mut b = json!({"user_id": user, "content": {"type": "text", "text": text}});
    if let Some(c) = conv {
        b["conversation_id"] = json!(c);
    }
    app.client
        .post(format!("{B}/chat/message"))
        .header("Authorization", auth)
        .body_json(&b)
        .send()
        .await
}

async fn get(app: &TestApp, auth: &str, path: &str) -> poem::test::TestResponse {
    app.client
        .get(format!("{B}{path}"))
        .header("Authorization", auth)
        .send()
        .await
}

#[tokio::test]
async fn a_session_token_reaches_its_session_and_its_conversation_only() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tid, key) = tenant(&app).await;
    let (sid, st) = session(&app, &tid, "visitor_1", true).await;

    // The session itself.
    let r = get(&app, &st, &format!("/sessions/{sid}")).await;
    r.assert_status_is_ok();
    assert_eq!(body(r).await["data"]["session_id"], sid);
    let r = get(&app, &st, &format!("/sessions/{sid}/context")).await;
    r.assert_status_is_ok();
    app.client
        .put(format!("{B}/sessions/{sid}/context"))
        .header("Authorization", &st)
        .body_json(&json!({"context_updates": {"cart_value": 42}}))
        .send()
        .await
        .assert_status_is_ok();

    // Chat as the session's visitor: a conversation of the session.
    let r = send(&app, &st, "visitor_1", None, "hello").await;
    r.assert_status_is_ok();
    let d = body(r).await["data"].clone();
    let conv = d["conversation_id"].as_str().unwrap().to_string();
    let reply = d["message_id"].as_str().unwrap().to_string();
    let r = send(&app, &st, "visitor_1", Some(&conv), "and again").await;
    r.assert_status_is_ok();
    get(&app, &st, &format!("/conversations/{conv}"))
        .await
        .assert_status_is_ok();
    get(&app, &st, &format!("/chat/message/{reply}"))
        .await
        .assert_status_is_ok();
    app.client
        .post(format!("{B}/chat/feedback"))
        .header("Authorization", &st)
        .body_json(&json!({"message_id": reply, "rating": 5}))
        .send()
        .await
        .assert_status(StatusCode::CREATED);

    // Nothing else: another session, another visitor's conversation, other routes.
    let (other_sid, _) = session(&app, &tid, "visitor_2", true).await;
    let r = get(&app, &st, &format!("/sessions/{other_sid}")).await;
    r.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(body(r).await["error"]["code"], "SESSION_NOT_FOUND");
    // The tenant's server (API key) talks with visitor_1 outside the session.
    let r = send(&app, &key, "visitor_1", Some("conv_server_side"), "private").await;
    r.assert_status_is_ok();
    let private_reply = body(r).await["data"]["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = get(&app, &st, "/conversations/conv_server_side").await;
    r.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(body(r).await["error"]["code"], "CONVERSATION_NOT_FOUND");
    get(&app, &st, &format!("/chat/message/{private_reply}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    send(
        &app,
        &st,
        "visitor_1",
        Some("conv_server_side"),
        "let me in",
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    let r = send(&app, &st, "visitor_2", None, "I am someone else").await;
    r.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(body(r).await["error"]["code"], "SESSION_MISMATCH");
    let r = get(&app, &st, "/conversations").await;
    r.assert_status(StatusCode::FORBIDDEN);
    get(&app, &st, &format!("/tenants/{tid}"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // The server-side conversation is untouched by the visitor's attempts.
    let r = get(&app, &key, "/conversations/conv_server_side").await;
    r.assert_status_is_ok();

    // An ended session's token is no credential.
    app.client
        .delete(format!("{B}/sessions/{sid}"))
        .header("Authorization", &st)
        .send()
        .await
        .assert_status_is_ok();
    let r = get(&app, &st, &format!("/sessions/{sid}")).await;
    r.assert_status(StatusCode::UNAUTHORIZED);
    // A made-up token neither.
    get(
        &app,
        "Bearer st_00000000000000000000000000000000",
        &format!("/sessions/{sid}"),
    )
    .await
    .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn context_persistence_is_honoured_across_the_sessions_conversations() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tid, _) = tenant(&app).await;
    for persist in [true, false] {
        let user = format!("visitor_{persist}");
        let (sid, st) = session(&app, &tid, &user, persist).await;
        let r = send(&app, &st, &user, None, "hello").await;
        r.assert_status_is_ok();
        app.client
            .put(format!("{B}/sessions/{sid}/context"))
            .header("Authorization", &st)
            .body_json(&json!({"context_updates": {"cart_value": 42},
                "append_to_history": {"page_visits": "https://shop.example/cart"}}))
            .send()
            .await
            .assert_status_is_ok();
        // A second conversation of the session.
        send(
            &app,
            &st,
            &user,
            Some(&format!("conv_second_{persist}")),
            "hi again",
        )
        .await
        .assert_status_is_ok();
        let r = get(&app, &st, &format!("/sessions/{sid}/context")).await;
        r.assert_status_is_ok();
        let d = body(r).await["data"].clone();
        if persist {
            assert_eq!(d["context"]["cart_value"], 42, "{d}");
            assert_eq!(d["history"]["page_visits"][0], "https://shop.example/cart");
        } else {
            assert!(d["context"].get("cart_value").is_none(), "{d}");
            assert_eq!(d["context"]["product_interest"], "widget-pro", "{d}");
            assert_eq!(d["history"], json!({}), "{d}");
        }
    }
}
