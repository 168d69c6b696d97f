use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// Creates a tenant as platform admin; returns (tenant_id, live key, owner token).
async fn tenant(app: &TestApp, name: &str) -> (String, String, String) {
    let (email, token) = {
        let (id, tok) = app.user_with(&[]).await;
        let user = app.platform.auth.get_user(&id).await.unwrap().unwrap();
        (user.email, tok)
    };
    let resp = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": name, "plan": "enterprise", "admin_user": {"email": email, "first_name": "O", "last_name": "Wner"},
            "configuration": {"default_language": "en", "timezone": "America/New_York"}}))
        .send()
        .await;
    resp.assert_status(StatusCode::CREATED);
    let b = body(resp).await;
    let d = &b["data"];
    assert!(d["api_keys"]["primary"]
        .as_str()
        .unwrap()
        .starts_with("cb_live_"));
    (
        d["tenant_id"].as_str().unwrap().into(),
        d["api_keys"]["primary"].as_str().unwrap().into(),
        token,
    )
}

#[tokio::test]
async fn tenant_lifecycle_config_users_and_isolation() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (t1, key1, owner1) = tenant(&app, "Acme").await;
    let (t2, _key2, owner2) = tenant(&app, "Globex").await;

    // Owner sees own tenant; other tenant is 404 (no leak) even with X-Tenant-ID.
    let r = app
        .client
        .get(format!("{B}/tenants/{t1}"))
        .header("Authorization", format!("Bearer {owner1}"))
        .send()
        .await;
    r.assert_status_is_ok();
    let r = app
        .client
        .get(format!("{B}/tenants/{t2}"))
        .header("Authorization", format!("Bearer {owner1}"))
        .send()
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    let r = app
        .client
        .get(format!("{B}/tenants/{t2}/config"))
        .header("Authorization", format!("ApiKey {key1}"))
        .send()
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    // Non-admin cannot list tenants.
    let r = app
        .client
        .get(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {owner2}"))
        .send()
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    let b = body(
        app.client
            .get(format!("{B}/tenants"))
            .header("Authorization", format!("Bearer {}", app.admin_token))
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["pagination"]["total"], 2);

    // Deep-merge config with changes_applied and version bump.
    let r = app
        .client
        .put(format!("{B}/tenants/{t1}/config"))
        .header("Authorization", format!("Bearer {owner1}"))
        .header("X-Tenant-ID", t1.as_str())
        .body_json(&json!({"configuration": {"chatbot": {"confidence_threshold": 0.8, "enable_sentiment_analysis": true},
            "channels": {"web": {"widget_color": "#2563eb"}, "whatsapp": {"app_secret": "s3cret"}}}}))
        .send()
        .await;
    r.assert_status_is_ok();
    let b = body(r).await;
    let changes: Vec<&str> = b["data"]["changes_applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut changes = changes;
    changes.sort();
    assert_eq!(
        changes,
        [
            "channels.web.widget_color",
            "channels.whatsapp.app_secret",
            "chatbot.confidence_threshold",
            "chatbot.enable_sentiment_analysis"
        ]
    );
    assert_eq!(b["data"]["configuration_version"], "v2");
    let b = body(
        app.client
            .get(format!("{B}/tenants/{t1}/config"))
            .header("Authorization", format!("Bearer {owner1}"))
            .send()
            .await,
    )
    .await;
    let c = &b["data"]["configuration"];
    assert_eq!(c["chatbot"]["confidence_threshold"], 0.8);
    assert_eq!(
        c["chatbot"]["default_greeting"],
        "Hello! How can I help you today?"
    );
    assert_eq!(c["general"]["timezone"], "America/New_York");
    assert_eq!(c["channels"]["whatsapp"]["app_secret"], "********");
    // Bad threshold -> 400 chatbot body.
    let r = app
        .client
        .put(format!("{B}/tenants/{t1}/config"))
        .header("Authorization", format!("Bearer {owner1}"))
        .body_json(&json!({"configuration": {"chatbot": {"confidence_threshold": 3}}}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let b = body(r).await;
    assert_eq!(
        b["error"]["details"]["field"],
        "configuration.chatbot.confidence_threshold"
    );

    // Users: invite, bad email, duplicate.
    let r = app
        .client
        .post(format!("{B}/tenants/{t1}/users"))
        .header("Authorization", format!("Bearer {owner1}"))
        .body_json(&json!({"email": "sarah.johnson@acme.com", "first_name": "Sarah", "last_name": "Johnson", "role": "developer",
            "permissions": ["conversations:read", "analytics:read"], "send_invitation": true}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let b = body(r).await;
    // No mail server in this app: the e-mail is kept, not sent.
    assert_eq!(b["data"]["status"], "invitation_kept");
    assert!(b["data"]["invitation_expires_at"].is_string());
    let r = app
        .client
        .post(format!("{B}/tenants/{t1}/users"))
        .header("Authorization", format!("Bearer {owner1}"))
        .body_json(&json!({"email": "sarah.johnson@acme.com", "role": "developer", "send_invitation": false}))
        .send()
        .await;
    // (Inviting her again replaces the invitation: tests/invitations.rs.)
    r.assert_status(StatusCode::CONFLICT);
    let r = app
        .client
        .post(format!("{B}/tenants/{t1}/users"))
        .header("Authorization", format!("Bearer {owner1}"))
        .body_json(&json!({"email": "invalid-email", "role": "developer"}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let b = body(r).await;
    assert_eq!(b["error"]["details"]["field"], "email");
    let b = body(
        app.client
            .get(format!("{B}/tenants/{t1}/users"))
            .header("Authorization", format!("Bearer {owner1}"))
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["pagination"]["total"], 2);

    // Delete as admin; owner then gets 404.
    let r = app
        .client
        .delete(format!("{B}/tenants/{t2}"))
        .header("Authorization", format!("Bearer {owner2}"))
        .send()
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    let r = app
        .client
        .delete(format!("{B}/tenants/{t2}"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .send()
        .await;
    r.assert_status_is_ok();
    let r = app
        .client
        .get(format!("{B}/tenants/{t2}"))
        .header("Authorization", format!("Bearer {owner2}"))
        .send()
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn chat_conversations_sessions_and_webhooks() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (t1, key1, owner1) = tenant(&app, "Acme").await;
    let (_t2, key2, _) = tenant(&app, "Globex").await;
    let k1 = format!("ApiKey {key1}");
    let send = |text: &str, id: &str| {
        json!({"message_id": id, "conversation_id": "conv_1", "user_id": "user_customer123", "channel": "web",
        "content": {"type": "text", "text": text, "language": "en"}})
    };

    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", k1.as_str())
        .body_json(&send("What are your store hours?", "msg_1"))
        .send()
        .await;
    r.assert_status_is_ok();
    let b = body(r).await;
    assert_eq!(
        b["data"]["conversation_state"]["current_intent"],
        "store_hours_inquiry"
    );
    assert_eq!(
        b["data"]["response"]["quick_replies"][0]["payload"],
        "get_store_location"
    );
    assert_eq!(b["data"]["processing_metadata"]["confidence_score"], 1.0);
    let reply1 = b["data"]["reply_message_id"].clone();
    // Idempotent on message_id.
    let b2 = body(
        app.client
            .post(format!("{B}/chat/message"))
            .header("Authorization", k1.as_str())
            .body_json(&send("What are your store hours?", "msg_1"))
            .send()
            .await,
    )
    .await;
    assert_eq!(b2["data"]["reply_message_id"], reply1);
    // Entities.
    let b = body(
        app.client
            .post(format!("{B}/chat/message"))
            .header("Authorization", k1.as_str())
            .body_json(&send("it is ORD123456, mail john@example.com", "msg_2"))
            .send()
            .await,
    )
    .await;
    assert_eq!(
        b["data"]["conversation_state"]["entities"]["order_number"],
        "ORD123456"
    );
    assert_eq!(
        b["data"]["conversation_state"]["entities"]["customer_email"],
        "john@example.com"
    );
    // Two fallbacks -> transfer.
    let b = body(
        app.client
            .post(format!("{B}/chat/message"))
            .header("Authorization", k1.as_str())
            .body_json(&send("zxq plorb", "msg_3"))
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["conversation_state"]["status"], "active");
    let b = body(
        app.client
            .post(format!("{B}/chat/message"))
            .header("Authorization", k1.as_str())
            .body_json(&send("blorp vrex", "msg_4"))
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["conversation_state"]["status"], "transferred");
    // Bad input.
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", k1.as_str())
        .body_json(&json!({"user_id": "u", "content": {"type": "text", "text": ""}}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);

    // Another tenant's key cannot see the conversation or message.
    let k2 = format!("ApiKey {key2}");
    app.client
        .get(format!("{B}/conversations/conv_1"))
        .header("Authorization", k2.as_str())
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.client
        .get(format!("{B}/chat/message/msg_1"))
        .header("Authorization", k2.as_str())
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let b = body(
        app.client
            .get(format!("{B}/conversations"))
            .header("Authorization", k2.as_str())
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["pagination"]["total"], 0);
    app.client
        .get(format!("{B}/chat/message/msg_1"))
        .header("Authorization", "ApiKey cb_live_forged")
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);

    // Details, summary, analytics.
    let b = body(
        app.client
            .get(format!("{B}/conversations/conv_1"))
            .header("Authorization", format!("Bearer {owner1}"))
            .header("X-Tenant-ID", t1.as_str())
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["messages"].as_array().unwrap().len(), 8);
    assert_eq!(
        b["data"]["context"]["entities"]["order_number"],
        "ORD123456"
    );
    assert_eq!(b["data"]["summary"]["escalation_count"], 1);
    let b = body(
        app.client
            .get(format!("{B}/conversations/conv_1/analytics"))
            .header("Authorization", k1.as_str())
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["bot_performance"]["fallback_count"], 2);
    assert_eq!(b["data"]["messages"]["total"], 8);
    let b = body(
        app.client
            .get(format!("{B}/conversations?status=transferred&search=plorb"))
            .header("Authorization", k1.as_str())
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["pagination"]["total"], 1);
    // Feedback sets satisfaction.
    let r = app
        .client
        .post(format!("{B}/chat/feedback"))
        .header("Authorization", k1.as_str())
        .body_json(&json!({"message_id": reply1, "rating": 4}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    // Transfer estimate counts the queue ahead (the automatic transfer of conv_1 is queued
    // at normal priority, so a normal transfer waits behind it).
    body(app.client.post(format!("{B}/chat/message")).header("Authorization", k1.as_str()).body_json(&json!({"message_id": "m9", "conversation_id": "conv_2", "user_id": "u2", "channel": "web", "content": {"type": "text", "text": "hello"}})).send().await).await;
    let b = body(
        app.client
            .post(format!("{B}/conversations/conv_2/transfer"))
            .header("Authorization", k1.as_str())
            .body_json(&json!({"transfer_reason": "complex_technical_issue", "priority": "normal"}))
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["estimated_wait_time_minutes"], 5);
    // Close / reopen.
    app.client
        .post(format!("{B}/conversations/conv_2/close"))
        .header("Authorization", k1.as_str())
        .send()
        .await
        .assert_status_is_ok();
    app.client
        .post(format!("{B}/conversations/conv_2/close"))
        .header("Authorization", k1.as_str())
        .send()
        .await
        .assert_status(StatusCode::CONFLICT);
    app.client
        .post(format!("{B}/conversations/conv_2/reopen"))
        .header("Authorization", k1.as_str())
        .send()
        .await
        .assert_status_is_ok();

    // Sessions: anonymous create, context merge, extend; other tenant 404.
    let r = app.client.post(format!("{B}/sessions")).header("X-Tenant-ID", t1.as_str()).body_json(&json!({"channel": "web", "user_id": "anonymous_visitor_123",
        "initial_context": {"page_url": "https://mystore.com/products/widget-pro"}, "session_config": {"timeout_minutes": 30}})).send().await;
    r.assert_status(StatusCode::CREATED);
    let b = body(r).await;
    let sid = b["data"]["session_id"].as_str().unwrap().to_string();
    assert_eq!(b["data"]["context"]["product_interest"], "widget-pro");
    let b = body(app.client.put(format!("{B}/sessions/{sid}/context")).header("Authorization", k1.as_str()).body_json(&json!({"context_updates": {"current_page": "https://mystore.com/cart"}, "append_to_history": {"page_visits": "https://mystore.com/cart"}})).send().await).await;
    assert_eq!(b["data"]["updated_fields"], json!(["current_page"]));
    assert_eq!(
        b["data"]["new_context"]["pages_visited"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let b = body(
        app.client
            .post(format!("{B}/sessions/{sid}/extend"))
            .header("Authorization", k1.as_str())
            .body_json(&json!({"extend_by_minutes": 30}))
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["extended_by_minutes"], 30);
    app.client
        .get(format!("{B}/sessions/{sid}"))
        .header("Authorization", k2.as_str())
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // WhatsApp webhook: forged signature 401, good one processed, replay ignored, malformed 400.
    app.client.put(format!("{B}/tenants/{t1}/config")).header("Authorization", format!("Bearer {owner1}"))
        .body_json(&json!({"configuration": {"channels": {"whatsapp": {"app_secret": "wa-secret", "verify_token": "vt"}, "slack": {"signing_secret": "sl-secret"}}}})).send().await.assert_status_is_ok();
    let payload = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"value": {"messages": [{"from": "1234567890", "id": "wamid.abc", "timestamp": "1672531200", "text": {"body": "Hi, I need help with my order ORD123456"}, "type": "text"}]}, "field": "messages"}]}]}).to_string();
    let r = app
        .client
        .post(format!("{B}/webhooks/whatsapp"))
        .header("X-Tenant-ID", t1.as_str())
        .header("Content-Type", "application/json")
        .header(
            "X-Hub-Signature-256",
            frontline_chatbot::webhooks::meta_signature("wrong", payload.as_bytes()),
        )
        .body(payload.clone())
        .send()
        .await;
    r.assert_status(StatusCode::UNAUTHORIZED);
    let sig = frontline_chatbot::webhooks::meta_signature("wa-secret", payload.as_bytes());
    let r = app
        .client
        .post(format!("{B}/webhooks/whatsapp"))
        .header("X-Tenant-ID", t1.as_str())
        .header("Content-Type", "application/json")
        .header("X-Hub-Signature-256", sig.as_str())
        .body(payload.clone())
        .send()
        .await;
    r.assert_status_is_ok();
    let b = body(r).await;
    assert_eq!(b["status"], "received");
    assert_eq!(b["conversation_id"], "conv_whatsapp_user_1234567890");
    assert_eq!(b["messages_processed"], 1);
    let b = body(
        app.client
            .post(format!("{B}/webhooks/whatsapp"))
            .header("X-Tenant-ID", t1.as_str())
            .header("Content-Type", "application/json")
            .header("X-Hub-Signature-256", sig.as_str())
            .body(payload.clone())
            .send()
            .await,
    )
    .await;
    assert_eq!(b["duplicates_ignored"], 1);
    let bad = "{not json";
    let r = app
        .client
        .post(format!("{B}/webhooks/whatsapp"))
        .header("X-Tenant-ID", t1.as_str())
        .header("Content-Type", "application/json")
        .header(
            "X-Hub-Signature-256",
            frontline_chatbot::webhooks::meta_signature("wa-secret", bad.as_bytes()),
        )
        .body(bad)
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let b = body(r).await;
    assert_eq!(b["status"], "error");

    // Slack: stale timestamp rejected, fresh one answered.
    let form = "token=x&team_id=T1&user_id=U1&command=%2Fchatbot&text=what+are+your+store+hours&trigger_id=trig1";
    let old = (chrono::Utc::now().timestamp() - 600).to_string();
    let r = app
        .client
        .post(format!("{B}/webhooks/slack"))
        .header("X-Tenant-ID", t1.as_str())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Slack-Request-Timestamp", old.as_str())
        .header(
            "X-Slack-Signature",
            frontline_chatbot::webhooks::slack_signature("sl-secret", &old, form.as_bytes()),
        )
        .body(form)
        .send()
        .await;
    r.assert_status(StatusCode::UNAUTHORIZED);
    let now = chrono::Utc::now().timestamp().to_string();
    let r = app
        .client
        .post(format!("{B}/webhooks/slack"))
        .header("X-Tenant-ID", t1.as_str())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Slack-Request-Timestamp", now.as_str())
        .header(
            "X-Slack-Signature",
            frontline_chatbot::webhooks::slack_signature("sl-secret", &now, form.as_bytes()),
        )
        .body(form)
        .send()
        .await;
    r.assert_status_is_ok();
    let b = body(r).await;
    assert_eq!(b["response_type"], "in_channel");
    assert!(b["text"].as_str().unwrap().contains("opening hours"));

    // Verify.
    let r = app.client.get(format!("{B}/webhooks/verify/whatsapp?tenant_id={t1}&hub.mode=subscribe&hub.challenge=challenge_string_123&hub.verify_token=vt")).send().await;
    r.assert_status_is_ok();
    r.assert_text("challenge_string_123").await;
    app.client.get(format!("{B}/webhooks/verify/whatsapp?tenant_id={t1}&hub.mode=subscribe&hub.challenge=c&hub.verify_token=nope")).send().await.assert_status(StatusCode::FORBIDDEN);

    // Usage counts the messages.
    let b = body(
        app.client
            .get(format!("{B}/tenants/{t1}/usage"))
            .header("Authorization", format!("Bearer {owner1}"))
            .send()
            .await,
    )
    .await;
    // conv_1, conv_2, the WhatsApp and the Slack conversation; 7 distinct inbound messages.
    assert_eq!(b["data"]["usage"]["conversations"]["total"], 4);
    assert_eq!(b["data"]["usage"]["messages"]["inbound"], 7);
    // Health.
    app.client
        .get(format!("{B}/health/detailed"))
        .header("Authorization", format!("Bearer {owner1}"))
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.client
        .get(format!("{B}/health/metrics"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .send()
        .await
        .assert_status_is_ok();
    app.client
        .get(format!("{B}/health/readiness"))
        .send()
        .await
        .assert_status_is_ok();
}
