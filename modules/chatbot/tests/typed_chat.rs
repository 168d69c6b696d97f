//! The chat, session, conversation and webhook operations are typed: the
//! generated Swagger documents every request body and 2xx `data` with its
//! fields, bodies that do not match name the bad field in the chatbot error
//! body, and a retry goes along the tenant's `fallback_chain`.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

mod support;

use frontline_platform::testing::spec::{self, properties, resolve};
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

#[tokio::test]
async fn every_chat_session_conversation_and_webhook_operation_has_field_schemas() {
    let app = TestApp::new(vec![]).await;
    let spec = spec::of(&app, frontline_chatbot::module());
    let groups = ["Chat", "Sessions", "Conversations", "Webhooks"];
    let mut ops = 0;
    let mut bodies = 0;
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for (method, op) in methods.as_object().unwrap() {
            let tags: Vec<&str> = op["tags"]
                .as_array()
                .map(|t| t.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if !tags.iter().any(|t| groups.contains(t)) {
                continue;
            }
            ops += 1;
            let at = format!("{} {path}", method.to_uppercase());
            if let Some(rb) = op.get("requestBody") {
                bodies += 1;
                let content = rb["content"].as_object().unwrap();
                assert!(!content.is_empty(), "{at}: request body without media type");
                for (ct, media) in content {
                    assert!(
                        !properties(&spec, &media["schema"]).is_empty(),
                        "{at}: the {ct} request body has no field schema"
                    );
                }
            }
            let mut typed_2xx = 0;
            for (status, resp) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    continue;
                }
                for (ct, media) in resp["content"].as_object().into_iter().flatten() {
                    if !ct.starts_with("application/json") {
                        continue;
                    }
                    let schema = resolve(&spec, &media["schema"]);
                    let fields = properties(&spec, schema);
                    assert!(!fields.is_empty(), "{at}: {status} has no field schema");
                    if let Some(data) = schema["properties"].get("data") {
                        assert!(
                            !properties(&spec, data).is_empty(),
                            "{at}: {status} data has no field schema"
                        );
                    }
                    typed_2xx += 1;
                }
            }
            // Only the webhook verification answers with plain text (the echoed challenge).
            if path != "/webhooks/verify/{channel}" {
                assert!(typed_2xx > 0, "{at}: no JSON 2xx response documented");
            }
        }
    }
    assert_eq!(
        ops,
        5 + 7 + 8 + 7,
        "chat, sessions, conversations, webhooks"
    );
    assert_eq!(bodies, 3 + 4 + 3 + 6, "operations with a request body");

    // The document's names, nested parts and required fields.
    let schema = |name: &str| spec["components"]["schemas"][name].clone();
    let send = schema("SendMessageRequest");
    let required: Vec<&str> = send["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(required.contains(&"user_id") && required.contains(&"content"));
    let content = properties(&spec, &send["properties"]["content"]);
    for f in ["type", "text", "language", "media"] {
        assert!(content.contains(&f), "content.{f}");
    }
    assert!(
        properties(&spec, &send["properties"]["channel_metadata"]).contains(&"platform_user_id")
    );
    let reply = schema("ChatMessageResponse");
    for (part, field) in [
        ("response", "quick_replies"),
        ("conversation_state", "current_intent"),
        ("conversation_state", "conversation_stage"),
        ("processing_metadata", "confidence_score"),
        ("processing_metadata", "processing_time_ms"),
    ] {
        assert!(
            properties(&spec, &reply["properties"][part]).contains(&field),
            "{part}.{field}"
        );
    }
    for (name, fields) in [
        ("FeedbackRequest", &["message_id", "rating", "comment"][..]),
        (
            "TypingRequest",
            &["conversation_id", "typing_duration_ms"][..],
        ),
        (
            "CreateSessionRequest",
            &["user_id", "initial_context", "session_config"][..],
        ),
        (
            "UpdateSessionRequest",
            &["user_id", "channel", "status"][..],
        ),
        (
            "ContextUpdateRequest",
            &["context_updates", "append_to_history"][..],
        ),
        (
            "TransferRequest",
            &["transfer_reason", "department", "priority", "agent_id"][..],
        ),
        ("CloseRequest", &["reason"][..]),
        (
            "ExportRequest",
            &["format", "include_metadata", "date_range"][..],
        ),
        (
            "Session",
            &["session_id", "status", "expires_at", "context"][..],
        ),
        ("SessionContext", &["session_id", "context", "history"][..]),
        (
            "ConversationDetails",
            &["conversation_id", "context", "messages", "summary"][..],
        ),
        (
            "ConversationSummary",
            &["total_messages", "primary_issue", "resolution_status"][..],
        ),
        (
            "ConversationAnalytics",
            &["messages", "bot_performance", "intent_distribution"][..],
        ),
        (
            "ExportResult",
            &["export_id", "download_url", "expires_at", "file_size_bytes"][..],
        ),
        (
            "TransferResult",
            &[
                "transfer_id",
                "assigned_agent",
                "estimated_wait_time_minutes",
            ][..],
        ),
        ("WhatsAppWebhook", &["object", "entry"][..]),
        ("SlackCommand", &["user_id", "text", "trigger_id"][..]),
    ] {
        let named = schema(name);
        let have = properties(&spec, &named);
        for f in fields {
            assert!(have.contains(f), "{name}.{f} (has {have:?})");
        }
    }
}

/// A tenant with an API key; `configuration` (when given) is merged into its configuration.
async fn tenant(app: &TestApp, configuration: Option<Value>) -> (String, String) {
    let (uid, owner) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&uid)
        .await
        .unwrap()
        .unwrap()
        .email;
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": "Acme", "plan": "enterprise", "admin_user": {"email": email}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    let tid = d["tenant_id"].as_str().unwrap().to_string();
    let key = format!("ApiKey {}", d["api_keys"]["primary"].as_str().unwrap());
    if let Some(configuration) = configuration {
        app.client
            .put(format!("{B}/tenants/{tid}/config"))
            .header("Authorization", format!("Bearer {owner}"))
            .body_json(&json!({ "configuration": configuration }))
            .send()
            .await
            .assert_status_is_ok();
    }
    (tid, key)
}

async fn call(
    app: &TestApp,
    key: &str,
    method: &str,
    path: &str,
    b: Option<Value>,
) -> (StatusCode, Value) {
    let url = format!("{B}{path}");
    let req = match method {
        "POST" => app.client.post(url),
        "PUT" => app.client.put(url),
        "DELETE" => app.client.delete(url),
        _ => app.client.get(url),
    }
    .header("Authorization", key);
    let req = match b {
        Some(b) => req.body_json(&b),
        None => req,
    };
    let r = req.send().await;
    let status = r.0.status();
    (status, body(r).await)
}

#[tokio::test]
async fn wrong_typed_bodies_name_the_field_in_the_chatbot_error_body() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tid, key) = tenant(&app, None).await;

    // A working conversation and session to aim the bad bodies at.
    let (s, sent) = call(&app, &key, "POST", "/chat/message", Some(json!({
        "message_id": "msg_ok", "conversation_id": "conv_t", "user_id": "u1", "channel": "web",
        "content": {"type": "text", "text": "What are your store hours?", "language": "en"},
        "channel_metadata": {"platform_user_id": "web_visitor_456", "referrer": "https://mystore.com/products"}
    }))).await;
    assert_eq!(s, StatusCode::OK, "{sent}");
    let reply_id = sent["data"]["reply_message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, sess) = call(
        &app,
        &key,
        "POST",
        "/sessions",
        Some(json!({"user_id": "v1"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{sess}");
    let sid = sess["data"]["session_id"].as_str().unwrap().to_string();

    let cases: Vec<(&str, String, Value, &str)> = vec![
        (
            "POST",
            "/chat/message".into(),
            json!({"user_id": "u1", "content": {"type": "text", "text": 42}}),
            "content.text",
        ),
        (
            "POST",
            "/chat/message".into(),
            json!({"user_id": ["u1"], "content": {"text": "hi"}}),
            "user_id",
        ),
        (
            "POST",
            "/chat/message".into(),
            json!({"content": {"text": "hi"}}),
            "user_id",
        ),
        (
            "POST",
            "/chat/message".into(),
            json!({"user_id": "u1", "content": {"text": "hi", "media": {"size_bytes": "big"}}}),
            "content.media.size_bytes",
        ),
        (
            "POST",
            "/chat/message".into(),
            json!({"user_id": "u1", "content": {"text": "hi"}, "channel_metadata": "web"}),
            "channel_metadata",
        ),
        (
            "POST",
            "/chat/feedback".into(),
            json!({"message_id": reply_id, "rating": "five"}),
            "rating",
        ),
        (
            "POST",
            "/chat/feedback".into(),
            json!({"rating": 4}),
            "message_id",
        ),
        (
            "POST",
            "/chat/feedback".into(),
            json!({"message_id": "m", "rating": u64::MAX}),
            "rating",
        ),
        (
            "POST",
            "/chat/typing".into(),
            json!({"conversation_id": "conv_t", "is_typing": "yes"}),
            "is_typing",
        ),
        (
            "POST",
            "/chat/typing".into(),
            json!({"conversation_id": "conv_t", "typing_duration_ms": 2.5}),
            "typing_duration_ms",
        ),
        (
            "POST",
            "/sessions".into(),
            json!({"user_id": "v1", "session_config": {"timeout_minutes": "30"}}),
            "session_config.timeout_minutes",
        ),
        (
            "POST",
            "/sessions".into(),
            json!({"user_id": "v1", "initial_context": "home"}),
            "initial_context",
        ),
        (
            "PUT",
            format!("/sessions/{sid}"),
            json!({"status": false}),
            "status",
        ),
        (
            "POST",
            format!("/sessions/{sid}/extend"),
            json!({"extend_by_minutes": "30"}),
            "extend_by_minutes",
        ),
        (
            "PUT",
            format!("/sessions/{sid}/context"),
            json!({"context_updates": ["current_page"]}),
            "context_updates",
        ),
        (
            "POST",
            "/conversations/conv_t/transfer".into(),
            json!({"transfer_reason": "x", "priority": 3}),
            "priority",
        ),
        (
            "POST",
            "/conversations/conv_t/transfer".into(),
            json!({"department": "billing"}),
            "transfer_reason",
        ),
        (
            "POST",
            "/conversations/conv_t/close".into(),
            json!({"reason": 5}),
            "reason",
        ),
        (
            "POST",
            "/conversations/conv_t/export".into(),
            json!({"date_range": {"start": 20250601}}),
            "date_range.start",
        ),
        (
            "POST",
            "/conversations/conv_t/export".into(),
            json!({"include_analytics": "no"}),
            "include_analytics",
        ),
    ];
    for (method, path, payload, field) in cases {
        let (s, b) = call(&app, &key, method, &path, Some(payload.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{method} {path} {payload}: {b}");
        assert_eq!(b["status"], "error", "{b}");
        assert_eq!(b["error"]["code"], "VALIDATION_ERROR", "{b}");
        assert_eq!(
            b["error"]["details"]["field"], field,
            "{method} {path} {payload}: {b}"
        );
        assert!(b["meta"]["request_id"].is_string(), "{b}");
    }

    // Every bad field is reported, one detail each.
    let (s, b) = call(
        &app,
        &key,
        "POST",
        "/chat/message",
        Some(json!({"user_id": 7, "content": {"text": 7}})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = b["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["user_id", "content.text"], "{b}");

    // Visitor sessions (no credentials) are checked the same way.
    let r = app
        .client
        .post(format!("{B}/sessions"))
        .header("X-Tenant-ID", &tid)
        .body_json(&json!({"user_id": "anon", "session_config": {"timeout_minutes": true}}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        body(r).await["error"]["details"]["field"],
        "session_config.timeout_minutes"
    );

    // Nothing was written by the refused requests.
    let (_, conv) = call(&app, &key, "GET", "/conversations/conv_t", None).await;
    assert_eq!(conv["data"]["message_count"], 2, "{conv}");
    assert_eq!(conv["data"]["status"], "active");

    // Optional bodies stay optional: close and extend without a body.
    let r = app
        .client
        .post(format!("{B}/conversations/conv_t/close"))
        .header("Authorization", &key)
        .send()
        .await;
    r.assert_status_is_ok();
    let closed = body(r).await;
    assert_eq!(closed["data"]["close_reason"], "resolved");
    let r = app
        .client
        .post(format!("{B}/sessions/{sid}/extend"))
        .header("Authorization", &key)
        .send()
        .await;
    r.assert_status_is_ok();
    assert_eq!(body(r).await["data"]["extended_by_minutes"], 30);
}

#[tokio::test]
async fn typed_responses_keep_the_documents_shapes() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (_tid, key) = tenant(&app, None).await;
    // The document's first example.
    let (s, d) = call(&app, &key, "POST", "/chat/message", Some(json!({
        "message_id": "msg_98765432-1234-1234-1234-123456789012",
        "conversation_id": "conv_11111111-2222-3333-4444-555555555555",
        "user_id": "user_customer123", "channel": "web",
        "content": {"type": "text", "text": "What are your store hours?", "language": "en"},
        "channel_metadata": {"platform_user_id": "web_visitor_456", "user_agent": "Mozilla/5.0", "referrer": "https://mystore.com/products"}
    }))).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let data = &d["data"];
    assert_eq!(
        data["message_id"],
        "msg_98765432-1234-1234-1234-123456789012"
    );
    assert_eq!(
        data["conversation_id"],
        "conv_11111111-2222-3333-4444-555555555555"
    );
    assert_eq!(data["response"]["type"], "text");
    assert_eq!(
        data["response"]["quick_replies"],
        json!([{"title": "Store Location", "payload": "get_store_location"}, {"title": "Holiday Hours", "payload": "get_holiday_hours"}])
    );
    assert!(data["response"].get("source").is_none(), "absent, not null");
    assert_eq!(
        data["conversation_state"]["current_intent"],
        "store_hours_inquiry"
    );
    assert_eq!(
        data["conversation_state"]["next_expected_input"],
        "follow_up_question"
    );
    assert_eq!(
        data["conversation_state"]["conversation_stage"],
        "information_provided"
    );
    assert_eq!(data["processing_metadata"]["model_used"], "rule_based");
    assert!(data["processing_metadata"]["processing_time_ms"].is_i64());
    assert!(
        data["processing_metadata"]["confidence_score"]
            .as_f64()
            .unwrap()
            > 0.5
    );
    assert!(data.get("duplicate").is_none() && data.get("retried").is_none());

    // A fallback prints null for the intent, not an absent field.
    let (_, f) = call(&app, &key, "POST", "/chat/message", Some(json!({
        "conversation_id": "conv_11111111-2222-3333-4444-555555555555", "user_id": "user_customer123",
        "content": {"text": "zebra quantum marmalade"}
    }))).await;
    assert!(f["data"]["conversation_state"]["current_intent"].is_null());
    assert!(f["data"]["conversation_state"]
        .as_object()
        .unwrap()
        .contains_key("current_intent"));

    // The stored inbound message keeps what was sent.
    let (_, m) = call(
        &app,
        &key,
        "GET",
        "/chat/message/msg_98765432-1234-1234-1234-123456789012",
        None,
    )
    .await;
    assert_eq!(m["data"]["direction"], "inbound");
    assert_eq!(
        m["data"]["content"],
        json!({"type": "text", "text": "What are your store hours?", "language": "en"})
    );
    assert!(m["data"]["intent"].is_null());

    // Details: messages when asked, absent otherwise; a media message keeps its media.
    let (_, img) = call(&app, &key, "POST", "/chat/message", Some(json!({
        "message_id": "msg_img_123456789", "user_id": "whatsapp_+1234567890", "channel": "whatsapp",
        "content": {"type": "image", "text": "My order arrived damaged, please help!",
            "media": {"url": "https://media.whatsapp.com/v1/media/abc123def456", "type": "image/jpeg", "size_bytes": 245760, "alt_text": "Damaged product package"}}
    }))).await;
    let intent = img["data"]["conversation_state"]["current_intent"].clone();
    assert!(intent.is_string(), "{img}");
    let conv = img["data"]["conversation_id"].as_str().unwrap().to_string();
    let (_, det) = call(
        &app,
        &key,
        "GET",
        &format!("/conversations/{conv}?include_messages=true"),
        None,
    )
    .await;
    assert_eq!(
        det["data"]["messages"][0]["content"]["media"]["size_bytes"],
        245760
    );
    assert_eq!(
        det["data"]["messages"][0]["content"]["media"]["type"],
        "image/jpeg"
    );
    assert_eq!(det["data"]["context"]["current_intent"], intent);
    assert_eq!(det["data"]["summary"]["total_messages"], 2);
    let (_, det) = call(
        &app,
        &key,
        "GET",
        &format!("/conversations/{conv}?include_messages=false"),
        None,
    )
    .await;
    assert!(det["data"].get("messages").is_none(), "{det}");

    // Transfer without an agent prints assigned_agent: null.
    let (s, t) = call(
        &app,
        &key,
        "POST",
        &format!("/conversations/{conv}/transfer"),
        Some(json!({"transfer_reason": "complex_technical_issue", "priority": "high"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert!(t["data"]["assigned_agent"].is_null());
    assert!(t["data"]
        .as_object()
        .unwrap()
        .contains_key("assigned_agent"));
    assert_eq!(t["data"]["queue_position"], 1);

    // Analytics: the intent distribution is an object of counts.
    let (_, a) = call(
        &app,
        &key,
        "GET",
        &format!("/conversations/{conv}/analytics"),
        None,
    )
    .await;
    let mut dist = json!({});
    dist[intent.as_str().unwrap()] = json!(1);
    assert_eq!(a["data"]["intent_distribution"], dist);
    assert_eq!(
        a["data"]["messages"],
        json!({"inbound": 1, "outbound": 1, "total": 2})
    );
    assert!(a["data"]["feedback"]["average_rating"].is_null());
}

/// A chat-completions server whose answer status can be switched while the
/// test runs; records the request body of every call.
async fn switchable_server() -> (String, Arc<AtomicU16>, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let status = Arc::new(AtomicU16::new(500));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (st, store) = (status.clone(), seen.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (st, store) = (st.clone(), store.clone());
            tokio::spawn(async move {
                let Some((_, body)) =
                    frontline_platform::testing::vendor::read_request(&mut sock).await
                else {
                    return;
                };
                store
                    .lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                let code = st.load(Ordering::SeqCst);
                let answer = json!({"id": "chatcmpl-r", "model": "retry-model-1",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "The provider answers on retry."}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 40, "completion_tokens": 10, "total_tokens": 50}})
                .to_string();
                let resp = format!(
                    "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (format!("http://127.0.0.1:{port}/v1"), status, seen)
}

#[tokio::test]
async fn retry_goes_along_the_fallback_chain_like_a_new_message() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let (url, status, seen) = switchable_server().await;
    let (_tid, key) = tenant(
        &app,
        Some(json!({"ai_models": {"providers": {"local": {"base_url": url, "model": "retry-model", "timeout_ms": 3000,
            "custom_instructions": "Be brief."}}, "fallback_chain": ["local", "rule_based"]}})),
    )
    .await;
    let send = |id: &'static str, text: &'static str| {
        let app = &app;
        let key = key.clone();
        async move {
            call(
                app,
                &key,
                "POST",
                "/chat/message",
                Some(json!({"message_id": id, "conversation_id": "conv_r",
                "user_id": "u1", "content": {"type": "text", "text": text}})),
            )
            .await
        }
    };

    // The provider is down: the built-in engine (last in the chain) answers.
    let (s, first) = send("m1", "store hours").await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(
        first["data"]["processing_metadata"]["model_used"],
        "rule_based"
    );
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "the provider was tried first"
    );

    // It is back: the retry asks it again, with the conversation before m1.
    status.store(200, Ordering::SeqCst);
    let (s, r) = call(&app, &key, "POST", "/chat/message/m1/retry", None).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let d = &r["data"];
    assert_eq!(d["retried"], true);
    assert_eq!(d["message_id"], "m1");
    assert_ne!(d["reply_message_id"], first["data"]["reply_message_id"]);
    assert_eq!(d["processing_metadata"]["model_used"], "retry-model-1");
    assert_eq!(d["response"]["text"], "The provider answers on retry.");
    // The engine still recognises the intent of the retried text.
    assert_eq!(
        d["conversation_state"]["current_intent"],
        "store_hours_inquiry"
    );
    let calls = seen.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1]["model"], "retry-model");
    let turns: Vec<(String, String)> = calls[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap().into(),
                m["content"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        turns,
        [
            ("system".to_string(), "Be brief.".to_string()),
            ("user".into(), "store hours".into())
        ],
        "no history before the first message, and the message once"
    );

    // A later message retried: the provider sees what came before it, not after.
    let (_, second) = send("m2", "and on sunday?").await;
    assert_eq!(
        second["data"]["processing_metadata"]["model_used"],
        "retry-model-1"
    );
    send("m3", "thanks").await;
    let (s, _) = call(&app, &key, "POST", "/chat/message/m2/retry", None).await;
    assert_eq!(s, StatusCode::OK);
    let calls = seen.lock().unwrap().clone();
    let last = calls.last().unwrap()["messages"]
        .as_array()
        .unwrap()
        .clone();
    let users: Vec<&str> = last
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["store hours", "and on sunday?"]);
    assert_eq!(last.last().unwrap()["content"], "and on sunday?");
    assert!(last.iter().any(|m| m["role"] == "assistant"));

    // Down again: the retry falls through the chain to the built-in engine.
    status.store(503, Ordering::SeqCst);
    let (s, r) = call(&app, &key, "POST", "/chat/message/m1/retry", None).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["data"]["processing_metadata"]["model_used"], "rule_based");
    assert_eq!(
        r["data"]["conversation_state"]["current_intent"],
        "store_hours_inquiry"
    );
    assert_eq!(r["data"]["retried"], true);

    // Unknown messages and bot replies cannot be retried (and ask no provider).
    let before = seen.lock().unwrap().len();
    let (s, _) = call(&app, &key, "POST", "/chat/message/nope/retry", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let reply = first["data"]["reply_message_id"].as_str().unwrap();
    let (s, b) = call(
        &app,
        &key,
        "POST",
        &format!("/chat/message/{reply}/retry"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"]["details"]["field"], "message_id");
    assert_eq!(seen.lock().unwrap().len(), before);
}

async fn post_raw(
    app: &TestApp,
    path: &str,
    headers: &[(&str, String)],
    raw: &str,
) -> (StatusCode, Value) {
    let mut req = app.client.post(format!("{B}{path}"));
    for (k, v) in headers {
        req = req.header(*k, v.as_str());
    }
    let r = req.body(raw.to_string()).send().await;
    let status = r.0.status();
    (status, body(r).await)
}

#[tokio::test]
async fn channel_payloads_are_typed_but_signatures_cover_the_raw_bytes() {
    use frontline_chatbot::webhooks::{meta_signature, slack_signature};
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tid, _key) = tenant(
        &app,
        Some(json!({"channels": {"whatsapp": {"app_secret": "wa-secret"}, "slack": {"signing_secret": "sl-secret"},
            "telegram": {"secret_token": "tg-secret"}}})),
    )
    .await;
    let wa = |raw: &str, secret: &str| {
        vec![
            ("X-Tenant-ID", tid.clone()),
            ("Content-Type", "application/json".to_string()),
            (
                "X-Hub-Signature-256",
                meta_signature(secret, raw.as_bytes()),
            ),
        ]
    };
    // Odd spacing and key order: the signature is over these exact bytes.
    let raw = "{ \"entry\" : [ { \"changes\": [ { \"field\": \"messages\", \"value\": { \"messages\": [ { \"type\": \"text\", \"text\": { \"body\": \"what are your store hours\" }, \"id\": \"wamid.t1\", \"from\": \"555\", \"timestamp\": \"1672531200\" } ] } } ] } ],\n  \"object\": \"whatsapp_business_account\" }";
    let (s, b) = post_raw(&app, "/webhooks/whatsapp", &wa(raw, "wa-secret"), raw).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "received");
    assert_eq!(b["messages_processed"], 1);
    assert_eq!(b["conversation_id"], "conv_whatsapp_user_555");
    assert!(b["message_id"].as_str().unwrap().starts_with("msg_"));
    assert!(b["processing_time_ms"].is_i64());
    // A signature over the re-serialized JSON (same content, other bytes) is refused.
    let reserialized = serde_json::to_string(&serde_json::from_str::<Value>(raw).unwrap()).unwrap();
    let mut forged = wa(raw, "wa-secret");
    forged[2].1 = meta_signature("wa-secret", reserialized.as_bytes());
    let (s, b) = post_raw(&app, "/webhooks/whatsapp", &forged, raw).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    assert_eq!(b["error"]["code"], "INVALID_SIGNATURE");

    // Signed but not the provider's format: 400 naming the field, nothing processed.
    for (raw, field) in [
        (r#"{"object": "whatsapp_business_account"}"#, "entry"),
        (r#"{"entry": {"id": "1"}}"#, "entry"),
        (
            r#"{"entry": [{"changes": [{"value": {"messages": [{"id": 5, "from": "555", "text": {"body": "hi"}}]}}]}]}"#,
            "entry[0].changes[0].value.messages[0].id",
        ),
    ] {
        let (s, b) = post_raw(&app, "/webhooks/whatsapp", &wa(raw, "wa-secret"), raw).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{raw}: {b}");
        assert_eq!(b["error"]["code"], "INVALID_PAYLOAD", "{b}");
        assert_eq!(b["error"]["details"]["field"], field, "{raw}: {b}");
    }

    // Telegram: a typed update answers with sendMessage; a string update_id is refused.
    let tg = vec![
        ("X-Tenant-ID", tid.clone()),
        ("Content-Type", "application/json".to_string()),
        ("X-Telegram-Bot-Api-Secret-Token", "tg-secret".to_string()),
    ];
    let raw = r#"{"update_id": 1001, "message": {"message_id": 7, "from": {"id": 42, "first_name": "Ann"}, "chat": {"id": 42}, "date": 1672531200, "text": "store hours"}}"#;
    let (s, b) = post_raw(&app, "/webhooks/telegram", &tg, raw).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["method"], "sendMessage");
    assert_eq!(b["chat_id"], 42);
    assert!(b["text"].as_str().unwrap().contains("opening hours"), "{b}");
    let raw = r#"{"update_id": "1002", "message": {"from": {"id": 42}, "text": "hi"}}"#;
    let (s, b) = post_raw(&app, "/webhooks/telegram", &tg, raw).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["details"]["field"], "update_id");

    // Slack: a form-encoded slash command and the JSON url_verification.
    let ts = chrono::Utc::now().timestamp().to_string();
    let slack = |raw: &str, ct: &str| {
        vec![
            ("X-Tenant-ID", tid.clone()),
            ("Content-Type", ct.to_string()),
            ("X-Slack-Request-Timestamp", ts.clone()),
            (
                "X-Slack-Signature",
                slack_signature("sl-secret", &ts, raw.as_bytes()),
            ),
        ]
    };
    let raw = "token=t&team_id=T1&user_id=U2147483697&command=%2Fchatbot&text=store+hours&trigger_id=13345224609.738474920";
    let (s, b) = post_raw(
        &app,
        "/webhooks/slack",
        &slack(raw, "application/x-www-form-urlencoded"),
        raw,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["response_type"], "in_channel");
    assert_eq!(b["attachments"][0]["actions"][0]["type"], "button");
    assert_eq!(b["attachments"][0]["callback_id"], "store_hours_inquiry");
    assert!(b.get("challenge").is_none());
    let raw = r#"{"type": "url_verification", "challenge": "ch_123"}"#;
    let (s, b) = post_raw(
        &app,
        "/webhooks/slack",
        &slack(raw, "application/json"),
        raw,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b, json!({"challenge": "ch_123"}));
}
