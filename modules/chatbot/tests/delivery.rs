//! Replies to channel conversations are delivered through the vendors' APIs
//! (local servers on 127.0.0.1 speak them here): WhatsApp Cloud API,
//! Messenger Send API, Slack chat.postMessage, Telegram sendMessage and the
//! Teams connector. The reply's status says what happened: queued, sent,
//! delivered (WhatsApp status webhook), failed with the reason (after
//! retries), not_configured. Web replies stay as they were.

mod support;

use std::time::Duration;

use frontline_chatbot::webhooks::{meta_signature, slack_signature};
use frontline_platform::testing::vendor::vendor;
use frontline_platform::testing::{allow_loopback, TestApp};
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn app_with(tweak: impl FnOnce(&mut frontline_platform::Settings)) -> TestApp {
    TestApp::with_settings(vec![frontline_chatbot::module()], |s| {
        allow_loopback(s);
        tweak(s);
    })
    .await
}

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// An enterprise tenant with `channels`; returns (tenant id, "ApiKey …").
async fn tenant(app: &TestApp, channels: Value) -> (String, String) {
    let (id, tok) = app.user_with(&[]).await;
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
        .body_json(
            &json!({"name": "Deliveries", "plan": "enterprise", "admin_user": {"email": email}}),
        )
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let b = body(r).await;
    let t = b["data"]["tenant_id"].as_str().unwrap().to_string();
    let key = format!(
        "ApiKey {}",
        b["data"]["api_keys"]["primary"].as_str().unwrap()
    );
    app.client
        .put(format!("{B}/tenants/{t}/config"))
        .header("Authorization", format!("Bearer {tok}"))
        .body_json(&json!({"configuration": {"channels": channels}}))
        .send()
        .await
        .assert_status_is_ok();
    (t, key)
}

async fn message(app: &TestApp, key: &str, id: &str) -> Value {
    let r = app
        .client
        .get(format!("{B}/chat/message/{id}"))
        .header("Authorization", key)
        .send()
        .await;
    r.assert_status_is_ok();
    body(r).await["data"].clone()
}

/// The message once its status is no longer `queued` (or `queued` after 10 s).
async fn settled(app: &TestApp, key: &str, id: &str) -> Value {
    for _ in 0..100 {
        let m = message(app, key, id).await;
        if m["status"] != "queued" {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    message(app, key, id).await
}

async fn whatsapp(app: &TestApp, payload: &Value) -> Value {
    let p = payload.to_string();
    let r = app
        .client
        .post(format!("{B}/webhooks/whatsapp"))
        .header("Content-Type", "application/json")
        .header(
            "X-Hub-Signature-256",
            meta_signature("wa-secret", p.as_bytes()),
        )
        .body(p)
        .send()
        .await;
    r.assert_status_is_ok();
    body(r).await
}

fn wa_message(from: &str, id: &str, text: &str) -> Value {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"value": {
        "messaging_product": "whatsapp", "metadata": {"phone_number_id": "555"},
        "messages": [{"from": from, "id": id, "timestamp": "1672531200", "text": {"body": text}, "type": "text"}]},
        "field": "messages"}]}]})
}

fn wa_status(id: &str, status: &str) -> Value {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"value": {
        "messaging_product": "whatsapp", "metadata": {"phone_number_id": "555"},
        "statuses": [{"id": id, "status": status, "timestamp": "1672531300", "recipient_id": "15550001"}]},
        "field": "messages"}]}]})
}

#[tokio::test]
async fn whatsapp_replies_go_through_the_cloud_api_and_delivery_reports_follow() {
    let (base, log) = vendor(|_, n| {
        (200, json!({"messaging_product": "whatsapp", "contacts": [{"input": "15550001", "wa_id": "15550001"}],
            "messages": [{"id": format!("wamid.OUT{n}")}]}))
    })
    .await;
    let app = app_with(|s| s.delivery.meta_base_url = base.clone()).await;
    let (_, key) = tenant(
        &app,
        json!({"whatsapp": {"app_secret": "wa-secret", "phone_number_id": "555",
        "access_token": "wa-access-token"}}),
    )
    .await;

    let receipt = whatsapp(
        &app,
        &wa_message("15550001", "wamid.IN1", "What are your store hours?"),
    )
    .await;
    let reply = receipt["message_id"].as_str().unwrap().to_string();
    let m = settled(&app, &key, &reply).await;
    assert_eq!(m["status"], "sent", "{m}");
    assert!(m["delivery_error"].is_null(), "{m}");

    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].line, "POST /v21.0/555/messages HTTP/1.1");
    assert!(
        seen[0]
            .head
            .contains("authorization: bearer wa-access-token"),
        "{}",
        seen[0].head
    );
    let sent: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(sent["messaging_product"], "whatsapp");
    assert_eq!(sent["to"], "15550001");
    assert_eq!(sent["type"], "text");
    assert_eq!(sent["text"]["body"], m["content"]["text"]);

    // WhatsApp reports the delivery, then the read, on the same webhook.
    whatsapp(&app, &wa_status("wamid.OUT0", "delivered")).await;
    assert_eq!(message(&app, &key, &reply).await["status"], "delivered");
    whatsapp(&app, &wa_status("wamid.OUT0", "read")).await;
    assert_eq!(message(&app, &key, &reply).await["status"], "read");
    // A late "delivered" does not step back.
    whatsapp(&app, &wa_status("wamid.OUT0", "delivered")).await;
    assert_eq!(message(&app, &key, &reply).await["status"], "read");
}

#[tokio::test]
async fn without_credentials_a_reply_is_not_configured_and_web_replies_stay_sent() {
    let app = app_with(|_| {}).await;
    let (_, key) = tenant(
        &app,
        json!({"whatsapp": {"app_secret": "wa-secret", "phone_number_id": "555"}}),
    )
    .await;
    let receipt = whatsapp(&app, &wa_message("15550002", "wamid.IN2", "hello")).await;
    let reply = receipt["message_id"].as_str().unwrap().to_string();
    let m = settled(&app, &key, &reply).await;
    assert_eq!(m["status"], "not_configured", "{m}");
    assert!(
        m["delivery_error"]
            .as_str()
            .unwrap()
            .contains("access token"),
        "{m}"
    );

    // Telegram without a bot token: the webhook's answer carries the reply
    // (`method: sendMessage`), which stays `sent`.
    let app2 = app_with(|_| {}).await;
    let (t2, key2) = tenant(&app2, json!({"telegram": {"secret_token": "tg-only"}})).await;
    let r = app2
        .client
        .post(format!("{B}/webhooks/telegram"))
        .header("Content-Type", "application/json")
        .header("X-Telegram-Bot-Api-Secret-Token", "tg-only")
        .body_json(&json!({"update_id": 7, "message": {"message_id": 1, "from": {"id": 77}, "chat": {"id": 77}, "text": "hi"}}))
        .send()
        .await;
    r.assert_status_is_ok();
    assert_eq!(body(r).await["method"], "sendMessage");
    let id = app2
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT message_id FROM chatbot_messages WHERE tenant_id = ?1 AND direction = 'outbound'",
                [t2.as_str()],
                |r| r.get::<_, String>(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(message(&app2, &key2, &id).await["status"], "sent");

    // A web chat reply is answered in the HTTP response: `sent`, as before.
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", key.as_str())
        .body_json(
            &json!({"message_id": "web-1", "user_id": "visitor", "channel": "web",
            "content": {"type": "text", "text": "hello"}}),
        )
        .send()
        .await;
    r.assert_status_is_ok();
    let b = body(r).await;
    let web = b["data"]["reply_message_id"].as_str().unwrap().to_string();
    let m = message(&app, &key, &web).await;
    assert_eq!(m["status"], "sent");
    assert!(m["delivery_error"].is_null());
    // So is a reply to an API call that names a channel: the caller relays it.
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", key.as_str())
        .body_json(
            &json!({"message_id": "api-wa-1", "user_id": "relay-user", "channel": "whatsapp",
            "content": {"type": "text", "text": "hello"}}),
        )
        .send()
        .await;
    r.assert_status_is_ok();
    let relayed = body(r).await["data"]["reply_message_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(message(&app, &key, &relayed).await["status"], "sent");
}

#[tokio::test]
async fn messenger_slack_telegram_and_teams_replies_use_their_apis_and_errors_are_retried_then_failed(
) {
    let (base, log) = vendor(|seen, n| match seen.path() {
        "/v21.0/me/messages" => (
            200,
            json!({"recipient_id": "PSID1", "message_id": "m_out_1"}),
        ),
        "/chat.postMessage" => (200, json!({"ok": false, "error": "channel_not_found"})),
        // Telegram is down: every attempt answers 502.
        p if p.ends_with("/sendMessage") => (
            502,
            json!({"ok": false, "error_code": 502, "description": "Bad Gateway"}),
        ),
        "/v3/conversations" => (201, json!({"id": "a:1to1-conv"})),
        p if p.starts_with("/v3/conversations/") => (200, json!({"id": format!("activity-{n}")})),
        _ => (404, json!({"error": "unknown path"})),
    })
    .await;
    let app = app_with(|s| {
        s.delivery.meta_base_url = base.clone();
        s.delivery.slack_base_url = base.clone();
        s.delivery.telegram_base_url = base.clone();
        s.delivery.teams_service_url = base.clone();
    })
    .await;
    let (t, key) = tenant(&app, json!({
        "messenger": {"app_secret": "fb-secret", "page_id": "PAGE1", "page_access_token": "fb-page-token"},
        "slack": {"signing_secret": "sl-secret", "workspace_id": "T1", "bot_token": "xoxb-1"},
        "telegram": {"secret_token": "tg-secret", "bot_token": "123:ABC"},
        "teams": {"webhook_token": "teams-token", "app_id": "bot-app-1", "bot_token": "bf-token"}}))
    .await;

    // Messenger.
    let p = json!({"object": "page", "entry": [{"id": "PAGE1", "time": 1, "messaging": [
        {"sender": {"id": "PSID1"}, "recipient": {"id": "PAGE1"}, "message": {"mid": "m_in_1", "text": "hi"}}]}]})
    .to_string();
    let r = app
        .client
        .post(format!("{B}/webhooks/messenger"))
        .header("Content-Type", "application/json")
        .header(
            "X-Hub-Signature-256",
            meta_signature("fb-secret", p.as_bytes()),
        )
        .body(p)
        .send()
        .await;
    r.assert_status_is_ok();
    let fb_reply = body(r).await["message_id"].as_str().unwrap().to_string();

    // Slack (an Events API message).
    let ts = chrono::Utc::now().timestamp().to_string();
    let p = json!({"type": "event_callback", "team_id": "T1", "event_id": "Ev1",
        "event": {"type": "message", "user": "U123", "text": "hello"}})
    .to_string();
    app.client
        .post(format!("{B}/webhooks/slack"))
        .header("Content-Type", "application/json")
        .header("X-Slack-Request-Timestamp", ts.as_str())
        .header(
            "X-Slack-Signature",
            slack_signature("sl-secret", &ts, p.as_bytes()),
        )
        .body(p)
        .send()
        .await
        .assert_status_is_ok();

    // Telegram: sent through the Bot API, so the webhook's answer carries no method.
    let r = app
        .client
        .post(format!("{B}/webhooks/telegram"))
        .header("Content-Type", "application/json")
        .header("X-Telegram-Bot-Api-Secret-Token", "tg-secret")
        .body_json(&json!({"update_id": 1001, "message": {"message_id": 5, "from": {"id": 4242}, "chat": {"id": 4242}, "text": "hi"}}))
        .send()
        .await;
    r.assert_status_is_ok();
    let answer = body(r).await;
    assert!(answer.get("method").is_none(), "{answer}");

    // Teams.
    app.client
        .post(format!("{B}/webhooks/teams"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer teams-token")
        .body_json(
            &json!({"type": "message", "id": "act-1", "text": "hi", "from": {"id": "29:user-1"},
            "recipient": {"id": "28:bot-app-1"}, "conversation": {"id": "a:conv"}}),
        )
        .send()
        .await
        .assert_status_is_ok();

    let m = settled(&app, &key, &fb_reply).await;
    assert_eq!(m["status"], "sent", "{m}");

    // The replies of the other channels, by conversation.
    let reply_of = |conv: &'static str| {
        let app = &app;
        let t = t.clone();
        async move {
            let c = app
                .platform
                .db
                .read(move |c| {
                    Ok(c.query_row(
                        "SELECT message_id FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2 AND direction = 'outbound'",
                        [t.as_str(), conv],
                        |r| r.get::<_, String>(0),
                    )?)
                })
                .await
                .unwrap();
            c
        }
    };
    let slack = settled(&app, &key, &reply_of("conv_slack_user_U123").await).await;
    assert_eq!(slack["status"], "failed", "{slack}");
    assert_eq!(slack["delivery_error"], "channel_not_found");
    let teams = settled(&app, &key, &reply_of("conv_teams_user_29:user-1").await).await;
    assert_eq!(teams["status"], "sent", "{teams}");
    let telegram = settled(&app, &key, &reply_of("conv_telegram_user_4242").await).await;
    assert_eq!(telegram["status"], "failed", "{telegram}");
    assert!(
        telegram["delivery_error"]
            .as_str()
            .unwrap()
            .contains("HTTP 502: Bad Gateway"),
        "{telegram}"
    );

    let seen = log.lock().unwrap().clone();
    let to = |prefix: &str| {
        seen.iter()
            .filter(|s| s.line.starts_with(prefix))
            .cloned()
            .collect::<Vec<_>>()
    };
    let fb = to("POST /v21.0/me/messages ");
    assert_eq!(fb.len(), 1);
    assert!(fb[0].head.contains("authorization: bearer fb-page-token"));
    let b: Value = serde_json::from_str(&fb[0].body).unwrap();
    assert_eq!(b["recipient"]["id"], "PSID1");
    let sl = to("POST /chat.postMessage ");
    assert_eq!(sl.len(), 1, "a refused message is not retried");
    assert!(sl[0].head.contains("authorization: bearer xoxb-1"));
    assert_eq!(
        serde_json::from_str::<Value>(&sl[0].body).unwrap()["channel"],
        "U123"
    );
    // Telegram: tried four times (retries with backoff), then failed.
    let tg = to("POST /bot123:ABC/sendMessage ");
    assert_eq!(tg.len(), 4, "{seen:?}");
    assert_eq!(
        serde_json::from_str::<Value>(&tg[0].body).unwrap()["chat_id"],
        4242
    );
    let open = to("POST /v3/conversations ");
    assert_eq!(open.len(), 1);
    assert!(open[0].head.contains("authorization: bearer bf-token"));
    let posted = to("POST /v3/conversations/a%3A1to1-conv/activities ");
    assert_eq!(posted.len(), 1, "{seen:?}");
    let b: Value = serde_json::from_str(&posted[0].body).unwrap();
    assert_eq!(b["type"], "message");
    assert_eq!(b["recipient"]["id"], "29:user-1");
}

/// A Teams message from `user` to the tenant's bot.
async fn teams_message(app: &TestApp, token: &str, app_id: &str, user: &str, id: &str) {
    app.client
        .post(format!("{B}/webhooks/teams"))
        .header("Content-Type", "application/json")
        .header("Authorization", format!("Bearer {token}"))
        .body_json(
            &json!({"type": "message", "id": id, "text": "hi", "from": {"id": user},
            "recipient": {"id": format!("28:{app_id}")}, "conversation": {"id": format!("a:{id}")}}),
        )
        .send()
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn teams_replies_use_a_connector_token_exchanged_from_the_app_password_and_cached() {
    let (base, log) = vendor(|seen, n| match seen.path() {
        "/botframework.com/oauth2/v2.0/token" => (
            200,
            json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                "access_token": format!("exchanged-{n}")}),
        ),
        "/v3/conversations" => (201, json!({"id": format!("a:conv-{n}")})),
        p if p.starts_with("/v3/conversations/") => (200, json!({"id": format!("activity-{n}")})),
        _ => (404, json!({"error": "unknown path"})),
    })
    .await;
    // The login server refuses one app's password.
    let (refusing, _) = vendor(|_, _| {
        (
            401,
            json!({"error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1"}),
        )
    })
    .await;
    let app = app_with(|s| {
        s.delivery.teams_service_url = base.clone();
        s.delivery.teams_login_base_url = base.clone();
    })
    .await;
    let (_, key) = tenant(
        &app,
        json!({"teams": {"webhook_token": "teams-hook", "app_id": "bot-app-2", "app_secret": "bot-password"}}),
    )
    .await;

    // Two replies: one token exchange, both posted with the token.
    teams_message(&app, "teams-hook", "bot-app-2", "29:user-a", "act-a").await;
    teams_message(&app, "teams-hook", "bot-app-2", "29:user-b", "act-b").await;
    let reply_of = |user: &'static str| {
        let app = &app;
        async move {
            app.platform
                .db
                .read(move |c| {
                    Ok(c.query_row(
                        "SELECT message_id FROM chatbot_messages WHERE conversation_id = ?1 AND direction = 'outbound'",
                        [format!("conv_teams_user_{user}")],
                        |r| r.get::<_, String>(0),
                    )?)
                })
                .await
                .unwrap()
        }
    };
    for user in ["29:user-a", "29:user-b"] {
        let m = settled(&app, &key, &reply_of(user).await).await;
        assert_eq!(m["status"], "sent", "{m}");
    }
    let seen = log.lock().unwrap().clone();
    let tokens: Vec<_> = seen
        .iter()
        .filter(|s| {
            s.line
                .starts_with("POST /botframework.com/oauth2/v2.0/token ")
        })
        .collect();
    assert_eq!(tokens.len(), 1, "the token is cached: {seen:?}");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(tokens[0].body.as_bytes())
        .into_owned()
        .collect();
    for (k, v) in [
        ("grant_type", "client_credentials"),
        ("client_id", "bot-app-2"),
        ("client_secret", "bot-password"),
        ("scope", "https://api.botframework.com/.default"),
    ] {
        assert!(form.contains(&(k.to_string(), v.to_string())), "{form:?}");
    }
    let connector: Vec<_> = seen
        .iter()
        .filter(|s| s.line.starts_with("POST /v3/conversations"))
        .collect();
    assert_eq!(connector.len(), 4, "{seen:?}");
    assert!(
        connector
            .iter()
            .all(|s| s.head.contains("authorization: bearer exchanged-0")),
        "{connector:?}"
    );

    // A refused password: the reply fails with the login server's reason.
    let app2 = app_with(|s| {
        s.delivery.teams_service_url = base.clone();
        s.delivery.teams_login_base_url = refusing.clone();
    })
    .await;
    let (_, key2) = tenant(
        &app2,
        json!({"teams": {"webhook_token": "teams-hook-2", "app_id": "bot-app-3", "app_secret": "wrong"}}),
    )
    .await;
    teams_message(&app2, "teams-hook-2", "bot-app-3", "29:user-c", "act-c").await;
    let id = app2
        .platform
        .db
        .read(|c| {
            Ok(c.query_row(
                "SELECT message_id FROM chatbot_messages WHERE direction = 'outbound'",
                [],
                |r| r.get::<_, String>(0),
            )?)
        })
        .await
        .unwrap();
    let m = settled(&app2, &key2, &id).await;
    assert_eq!(m["status"], "failed", "{m}");
    assert_eq!(
        m["delivery_error"],
        "Teams token: HTTP 401: AADSTS7000215: Invalid client secret provided.",
        "{m}"
    );
}

#[tokio::test]
async fn messenger_delivery_receipts_mark_replies_delivered() {
    let (base, _) = vendor(|_, n| {
        (
            200,
            json!({"recipient_id": "PSID7", "message_id": format!("m_out_{n}")}),
        )
    })
    .await;
    let app = app_with(|s| s.delivery.meta_base_url = base.clone()).await;
    let (_, key) = tenant(
        &app,
        json!({"messenger": {"app_secret": "fb-secret", "page_id": "PAGE7", "page_access_token": "fb-token"}}),
    )
    .await;
    let post = |p: Value, secret: &'static str| {
        let p = p.to_string();
        app.client
            .post(format!("{B}/webhooks/messenger"))
            .header("Content-Type", "application/json")
            .header("X-Hub-Signature-256", meta_signature(secret, p.as_bytes()))
            .body(p)
            .send()
    };
    let r = post(
        json!({"object": "page", "entry": [{"id": "PAGE7", "time": 1, "messaging": [
        {"sender": {"id": "PSID7"}, "recipient": {"id": "PAGE7"}, "message": {"mid": "m_in_7", "text": "hi"}}]}]}),
        "fb-secret",
    )
    .await;
    r.assert_status_is_ok();
    let reply = body(r).await["message_id"].as_str().unwrap().to_string();
    assert_eq!(settled(&app, &key, &reply).await["status"], "sent");

    let receipt = |mids: Value| {
        json!({"object": "page", "entry": [{"id": "PAGE7", "time": 2, "messaging": [
            {"sender": {"id": "PSID7"}, "recipient": {"id": "PAGE7"}, "timestamp": 2,
             "delivery": {"mids": mids, "watermark": 2}}]}]})
    };
    // A receipt signed with another secret is refused and changes nothing.
    post(receipt(json!(["m_out_0"])), "not-the-secret")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(message(&app, &key, &reply).await["status"], "sent");
    // A receipt naming another message changes nothing; one naming the reply delivers it.
    post(receipt(json!(["m_other"])), "fb-secret")
        .await
        .assert_status_is_ok();
    assert_eq!(message(&app, &key, &reply).await["status"], "sent");
    post(receipt(json!(["m_out_0"])), "fb-secret")
        .await
        .assert_status_is_ok();
    assert_eq!(message(&app, &key, &reply).await["status"], "delivered");
}
