//! Tenant rules through HTTP: member roles and permissions, suspension, plan
//! limits on every path that opens a conversation, rate limits per tenant and
//! plan, channel entitlements, and channel webhooks routed by channel identity.

use frontline_chatbot::webhooks::{meta_signature, slack_signature};
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

fn admin(app: &TestApp) -> String {
    format!("Bearer {}", app.admin_token)
}

/// A tenant on `plan` with `features`; returns (tenant_id, "ApiKey …", "Bearer owner").
async fn tenant(app: &TestApp, plan: &str, features: Value) -> (String, String, String) {
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
        .header("Authorization", admin(app))
        .body_json(&json!({"name": format!("T {plan}"), "plan": plan,
            "admin_user": {"email": email}, "features": features}))
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
        format!("Bearer {tok}"),
    )
}

/// Adds an active member with `role` (and `permissions` when given); returns "Bearer …".
async fn member(app: &TestApp, t: &str, owner: &str, role: &str, perms: Option<Value>) -> String {
    let (id, tok) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&id)
        .await
        .unwrap()
        .unwrap()
        .email;
    let mut req = json!({"email": email, "role": role, "send_invitation": false});
    if let Some(p) = perms {
        req["permissions"] = p;
    }
    app.client
        .post(format!("{B}/tenants/{t}/users"))
        .header("Authorization", owner)
        .body_json(&req)
        .send()
        .await
        .assert_status(StatusCode::CREATED);
    format!("Bearer {tok}")
}

async fn config(app: &TestApp, t: &str, owner: &str, cfg: Value) -> poem::test::TestResponse {
    app.client
        .put(format!("{B}/tenants/{t}/config"))
        .header("Authorization", owner)
        .body_json(&json!({ "configuration": cfg }))
        .send()
        .await
}

/// Sends a chat message as `auth` (with `X-Tenant-ID` for members).
async fn chat(app: &TestApp, t: &str, auth: &str, msg: Value) -> poem::test::TestResponse {
    app.client
        .post(format!("{B}/chat/message"))
        .header("Authorization", auth)
        .header("X-Tenant-ID", t)
        .body_json(&msg)
        .send()
        .await
}

fn hello(user: &str) -> Value {
    json!({"user_id": user, "content": {"type": "text", "text": "hello"}})
}

async fn get(app: &TestApp, t: &str, auth: &str, path: &str) -> poem::test::TestResponse {
    app.client
        .get(format!("{B}{path}"))
        .header("Authorization", auth)
        .header("X-Tenant-ID", t)
        .send()
        .await
}

async fn post(
    app: &TestApp,
    t: &str,
    auth: &str,
    path: &str,
    b: Value,
) -> poem::test::TestResponse {
    app.client
        .post(format!("{B}{path}"))
        .header("Authorization", auth)
        .header("X-Tenant-ID", t)
        .body_json(&b)
        .send()
        .await
}

async fn refused(r: poem::test::TestResponse, status: StatusCode, code: &str) -> Value {
    let got = r.0.status();
    let b = body(r).await;
    assert_eq!(got, status, "{b}");
    assert_eq!(b["status"], "error", "{b}");
    assert_eq!(b["error"]["code"], code, "{b}");
    b
}

#[tokio::test]
async fn roles_and_permissions_are_enforced_on_every_operation() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (t, key, owner) = tenant(&app, "enterprise", json!({})).await;
    let b = body(chat(&app, &t, &key, hello("u1")).await).await;
    let conv = b["data"]["conversation_id"].as_str().unwrap().to_string();
    let msg = b["data"]["message_id"].as_str().unwrap().to_string();

    // A viewer given only conversations:read reads, and nothing more.
    let viewer = member(
        &app,
        &t,
        &owner,
        "viewer",
        Some(json!(["conversations:read"])),
    )
    .await;
    get(&app, &t, &viewer, "/conversations")
        .await
        .assert_status_is_ok();
    get(&app, &t, &viewer, &format!("/conversations/{conv}"))
        .await
        .assert_status_is_ok();
    get(&app, &t, &viewer, &format!("/chat/message/{msg}"))
        .await
        .assert_status_is_ok();
    let b = refused(
        post(
            &app,
            &t,
            &viewer,
            &format!("/conversations/{conv}/close"),
            json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "INSUFFICIENT_PERMISSIONS",
    )
    .await;
    assert_eq!(
        b["error"]["details"]["required_permission"],
        "conversations:write"
    );
    let b = refused(
        post(
            &app,
            &t,
            &viewer,
            &format!("/conversations/{conv}/export"),
            json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "INSUFFICIENT_PERMISSIONS",
    )
    .await;
    assert_eq!(
        b["error"]["details"]["required_permission"],
        "conversations:export"
    );
    refused(
        chat(&app, &t, &viewer, hello("v")).await,
        StatusCode::FORBIDDEN,
        "INSUFFICIENT_PERMISSIONS",
    )
    .await;
    refused(
        post(
            &app,
            &t,
            &viewer,
            &format!("/conversations/{conv}/transfer"),
            json!({"transfer_reason": "help"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "INSUFFICIENT_PERMISSIONS",
    )
    .await;
    // Granted exactly conversations:read: not even the viewer role's analytics.
    refused(
        get(
            &app,
            &t,
            &viewer,
            &format!("/conversations/{conv}/analytics"),
        )
        .await,
        StatusCode::FORBIDDEN,
        "INSUFFICIENT_PERMISSIONS",
    )
    .await;
    refused(
        get(&app, &t, &viewer, &format!("/tenants/{t}/config")).await,
        StatusCode::FORBIDDEN,
        "INSUFFICIENT_PERMISSIONS",
    )
    .await;
    // Still open: nothing the viewer tried changed it.
    let b = body(get(&app, &t, &key, &format!("/conversations/{conv}")).await).await;
    assert_eq!(b["data"]["status"], "active", "{b}");

    // An agent (role defaults) answers and closes conversations, but does
    // not manage knowledge, integrations or the tenant, nor read analytics.
    let agent = member(&app, &t, &owner, "agent", None).await;
    chat(&app, &t, &agent, hello("a1"))
        .await
        .assert_status_is_ok();
    get(&app, &t, &agent, "/conversations")
        .await
        .assert_status_is_ok();
    post(
        &app,
        &t,
        &agent,
        &format!("/conversations/{conv}/close"),
        json!({}),
    )
    .await
    .assert_status_is_ok();
    refused(
        post(
            &app,
            &t,
            &agent,
            "/knowledge/articles",
            json!({"title": "x", "body": "y"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "INSUFFICIENT_PERMISSIONS",
    )
    .await;
    refused(
        get(
            &app,
            &t,
            &agent,
            &format!("/conversations/{conv}/analytics"),
        )
        .await,
        StatusCode::FORBIDDEN,
        "INSUFFICIENT_PERMISSIONS",
    )
    .await;
    refused(
        post(
            &app,
            &t,
            &agent,
            "/integrations/webhooks",
            json!({"url": "https://example.com/h", "events": ["conversation.closed"]}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "INSUFFICIENT_PERMISSIONS",
    )
    .await;
    refused(
        post(
            &app,
            &t,
            &agent,
            &format!("/tenants/{t}/users"),
            json!({"email": "x@example.com"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "INSUFFICIENT_PERMISSIONS",
    )
    .await;
    let b = body(get(&app, &t, &key, &format!("/conversations/{conv}")).await).await;
    assert_eq!(b["data"]["status"], "closed", "{b}");

    // Unknown permission strings are refused, not silently stored.
    let r = app
        .client
        .post(format!("{B}/tenants/{t}/users"))
        .header("Authorization", owner.as_str())
        .body_json(&json!({"email": "p@example.com", "role": "viewer", "permissions": ["conversations:destroy"]}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let b = body(r).await;
    assert_eq!(b["error"]["details"]["field"], "permissions[0]");
}

#[tokio::test]
async fn suspended_tenants_stop_until_reactivated() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (t, key, owner) = tenant(&app, "starter", json!({})).await;
    chat(&app, &t, &key, hello("u1"))
        .await
        .assert_status_is_ok();
    app.client
        .put(format!("{B}/tenants/{t}"))
        .header("Authorization", admin(&app))
        .body_json(&json!({"status": "suspended"}))
        .send()
        .await
        .assert_status_is_ok();

    refused(
        chat(&app, &t, &key, hello("u2")).await,
        StatusCode::FORBIDDEN,
        "TENANT_SUSPENDED",
    )
    .await;
    refused(
        get(&app, &t, &key, "/conversations").await,
        StatusCode::FORBIDDEN,
        "TENANT_SUSPENDED",
    )
    .await;
    refused(
        chat(&app, &t, &owner, hello("u3")).await,
        StatusCode::FORBIDDEN,
        "TENANT_SUSPENDED",
    )
    .await;
    refused(
        get(&app, &t, &owner, &format!("/tenants/{t}/config")).await,
        StatusCode::FORBIDDEN,
        "TENANT_SUSPENDED",
    )
    .await;
    // Anonymous visitor sessions too.
    let r = app
        .client
        .post(format!("{B}/sessions"))
        .header("X-Tenant-ID", t.as_str())
        .body_json(&json!({"user_id": "visitor"}))
        .send()
        .await;
    refused(r, StatusCode::FORBIDDEN, "TENANT_SUSPENDED").await;
    // The owner may still see the tenant and settle the bill.
    get(&app, &t, &owner, &format!("/tenants/{t}/billing"))
        .await
        .assert_status_is_ok();
    let b = body(get(&app, &t, &owner, &format!("/tenants/{t}")).await).await;
    assert_eq!(b["data"]["status"], "suspended");
    // Platform admins still manage it, and reactivate it.
    get(&app, &t, &admin(&app), &format!("/tenants/{t}/config"))
        .await
        .assert_status_is_ok();
    app.client
        .put(format!("{B}/tenants/{t}"))
        .header("Authorization", admin(&app))
        .body_json(&json!({"status": "active"}))
        .send()
        .await
        .assert_status_is_ok();
    chat(&app, &t, &key, hello("u2"))
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn every_path_that_opens_a_conversation_counts_against_the_plan() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (t, key, owner) = tenant(&app, "starter", json!({"conversations_per_month": 2})).await;
    config(
        &app,
        &t,
        &owner,
        json!({"channels": {"whatsapp": {"app_secret": "wa", "phone_number_id": "555"}}}),
    )
    .await
    .assert_status_is_ok();
    chat(&app, &t, &key, hello("u1"))
        .await
        .assert_status_is_ok();
    let mut m = hello("u2");
    m["conversation_id"] = json!("conv_explicit_1");
    chat(&app, &t, &key, m).await.assert_status_is_ok();
    // The plan is used up: a new explicit conversation_id is refused ...
    let mut m = hello("u3");
    m["conversation_id"] = json!("conv_explicit_2");
    refused(
        chat(&app, &t, &key, m).await,
        StatusCode::FORBIDDEN,
        "PLAN_LIMIT_REACHED",
    )
    .await;
    // ... and so is a WhatsApp message from a new customer.
    let payload = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"value": {
        "metadata": {"phone_number_id": "555"},
        "messages": [{"from": "999", "id": "wamid.1", "text": {"body": "hi"}, "type": "text"}]}, "field": "messages"}]}]})
    .to_string();
    let r = app
        .client
        .post(format!("{B}/webhooks/whatsapp"))
        .header("Content-Type", "application/json")
        .header(
            "X-Hub-Signature-256",
            meta_signature("wa", payload.as_bytes()),
        )
        .body(payload)
        .send()
        .await;
    refused(r, StatusCode::FORBIDDEN, "PLAN_LIMIT_REACHED").await;
    // The existing conversations go on.
    let mut m = hello("u2");
    m["conversation_id"] = json!("conv_explicit_1");
    chat(&app, &t, &key, m).await.assert_status_is_ok();
    let b = body(get(&app, &t, &owner, &format!("/tenants/{t}/usage")).await).await;
    assert_eq!(b["data"]["usage"]["conversations"]["total"], 2, "{b}");
    assert_eq!(
        b["data"]["limits"]["conversations_used_percent"], 100.0,
        "{b}"
    );
    let b = body(get(&app, &t, &owner, &format!("/tenants/{t}/billing")).await).await;
    let over = b["data"]["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["description"] == "Conversations above plan")
        .unwrap()
        .clone();
    assert_eq!(over["amount_cents"], 0, "{b}");
}

#[tokio::test]
async fn rate_limits_are_per_tenant_and_plan() {
    let app =
        TestApp::with_settings(vec![frontline_chatbot::module()], |s| s.rate_limits = true).await;
    let (small, small_key, _) = tenant(&app, "free", json!({"rate_limit_per_hour": 3})).await;
    let (big, big_key, big_owner) = tenant(&app, "enterprise", json!({})).await;
    let (free, free_key, _) = tenant(&app, "free", json!({})).await;

    for left in ["2", "1", "0"] {
        let r = get(&app, &small, &small_key, "/conversations").await;
        r.assert_status_is_ok();
        r.assert_header("X-RateLimit-Limit", "3");
        r.assert_header("X-RateLimit-Remaining", left);
        r.assert_header("X-RateLimit-Type", "tenant");
        r.assert_header_exist("X-RateLimit-Reset");
    }
    let r = get(&app, &small, &small_key, "/conversations").await;
    r.assert_header("X-RateLimit-Type", "tenant");
    r.assert_header_exist("Retry-After");
    let b = refused(r, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMIT_EXCEEDED").await;
    assert_eq!(b["error"]["details"]["limit"], 3);

    // Another tenant's key (same client address) has its own allowance, by its plan.
    let r = get(&app, &big, &big_key, "/conversations").await;
    r.assert_status_is_ok();
    r.assert_header("X-RateLimit-Limit", "20000");
    r.assert_header("X-RateLimit-Type", "tenant");
    // Members draw on their tenant's allowance too.
    let r = get(&app, &big, &big_owner, &format!("/tenants/{big}/usage")).await;
    r.assert_status_is_ok();
    r.assert_header("X-RateLimit-Limit", "20000");
    r.assert_header("X-RateLimit-Remaining", "19998");
    // The free plan's own figure.
    let r = get(&app, &free, &free_key, "/conversations").await;
    r.assert_header("X-RateLimit-Limit", "100");
    // Requests for no tenant keep the flat limit, per caller.
    let r = app.client.get(format!("{B}/health")).send().await;
    r.assert_header("X-RateLimit-Limit", "1000");
    r.assert_header("X-RateLimit-Type", "ip");
}

#[tokio::test]
async fn unentitled_or_disabled_channels_are_refused() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (t, key, owner) = tenant(
        &app,
        "professional",
        json!({"channels": ["web", "whatsapp", "slack"]}),
    )
    .await;
    config(
        &app,
        &t,
        &owner,
        json!({"channels": {"telegram": {"enabled": false, "secret_token": "tg-1"}}}),
    )
    .await
    .assert_status_is_ok();
    let mut m = hello("u1");
    m["channel"] = json!("telegram");
    let b = refused(
        chat(&app, &t, &key, m.clone()).await,
        StatusCode::FORBIDDEN,
        "CHANNEL_NOT_ENABLED",
    )
    .await;
    assert_eq!(b["error"]["details"]["channel"], "telegram");
    let mut w = hello("u1");
    w["channel"] = json!("web");
    chat(&app, &t, &key, w).await.assert_status_is_ok();
    let update =
        json!({"update_id": 7, "message": {"message_id": 1, "from": {"id": 42}, "text": "hi"}});
    let tg = |tok: &'static str| {
        app.client
            .post(format!("{B}/webhooks/telegram"))
            .header("X-Telegram-Bot-Api-Secret-Token", tok)
            .body_json(&update)
            .send()
    };
    refused(
        tg("tg-1").await,
        StatusCode::FORBIDDEN,
        "CHANNEL_NOT_ENABLED",
    )
    .await;
    // Entitled by the plan but still disabled in the configuration.
    app.client
        .put(format!("{B}/tenants/{t}"))
        .header("Authorization", admin(&app))
        .body_json(&json!({"features": {"channels": ["web", "whatsapp", "slack", "telegram"]}}))
        .send()
        .await
        .assert_status_is_ok();
    refused(
        chat(&app, &t, &key, m.clone()).await,
        StatusCode::FORBIDDEN,
        "CHANNEL_NOT_ENABLED",
    )
    .await;
    refused(
        tg("tg-1").await,
        StatusCode::FORBIDDEN,
        "CHANNEL_NOT_ENABLED",
    )
    .await;
    // Enabled: both work.
    config(
        &app,
        &t,
        &owner,
        json!({"channels": {"telegram": {"enabled": true}}}),
    )
    .await
    .assert_status_is_ok();
    chat(&app, &t, &key, m).await.assert_status_is_ok();
    tg("tg-1").await.assert_status_is_ok();
    // Sessions on an unentitled channel are refused too.
    let r = app
        .client
        .post(format!("{B}/sessions"))
        .header("X-Tenant-ID", t.as_str())
        .body_json(&json!({"user_id": "v", "channel": "teams"}))
        .send()
        .await;
    refused(r, StatusCode::FORBIDDEN, "CHANNEL_NOT_ENABLED").await;
}

fn whatsapp_example(phone_number_id: &str) -> String {
    // The document's example, as WhatsApp sends it (no tenant header).
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1234567890", "changes": [{"value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15551234567", "phone_number_id": phone_number_id},
        "messages": [{"from": "1234567890", "id": "wamid.abc123def456", "timestamp": "1672531200",
            "text": {"body": "Hi, I need help with my order ORD123456"}, "type": "text"}]},
        "field": "messages"}]}]})
    .to_string()
}

#[tokio::test]
async fn channel_webhooks_are_routed_by_channel_identity() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (t, key, owner) = tenant(&app, "enterprise", json!({})).await;
    let (t2, _, owner2) = tenant(&app, "enterprise", json!({})).await;
    config(&app, &t, &owner, json!({"channels": {
        "whatsapp": {"app_secret": "wa-secret", "phone_number_id": "987654321", "verify_token": "vt-acme"},
        "messenger": {"app_secret": "fb-secret", "page_id": "PAGE1"},
        "slack": {"signing_secret": "sl-secret", "workspace_id": "T1234567"},
        "teams": {"webhook_token": "teams-token", "app_id": "bot-app-1"},
        "telegram": {"secret_token": "tg-secret"}}}))
    .await
    .assert_status_is_ok();
    let wa = |payload: String, sig: Option<String>| {
        let mut r = app
            .client
            .post(format!("{B}/webhooks/whatsapp"))
            .header("Content-Type", "application/json");
        if let Some(s) = sig {
            r = r.header("X-Hub-Signature-256", s);
        }
        r.body(payload).send()
    };

    // Missing or bad signature first: 401, whatever the number.
    let p = whatsapp_example("987654321");
    refused(
        wa(p.clone(), None).await,
        StatusCode::UNAUTHORIZED,
        "INVALID_SIGNATURE",
    )
    .await;
    let r = wa(p.clone(), Some(meta_signature("wrong", p.as_bytes()))).await;
    refused(r, StatusCode::UNAUTHORIZED, "INVALID_SIGNATURE").await;
    let unknown = whatsapp_example("111");
    refused(
        wa(unknown.clone(), None).await,
        StatusCode::UNAUTHORIZED,
        "INVALID_SIGNATURE",
    )
    .await;
    // An unknown number: 404.
    let r = wa(
        unknown.clone(),
        Some(meta_signature("wa-secret", unknown.as_bytes())),
    )
    .await;
    refused(r, StatusCode::NOT_FOUND, "CHANNEL_NOT_FOUND").await;
    // The document's example, signed as Meta does: routed to the tenant.
    let r = wa(p.clone(), Some(meta_signature("wa-secret", p.as_bytes()))).await;
    r.assert_status_is_ok();
    let b = body(r).await;
    assert_eq!(b["conversation_id"], "conv_whatsapp_user_1234567890");
    get(
        &app,
        &t,
        &key,
        "/conversations/conv_whatsapp_user_1234567890",
    )
    .await
    .assert_status_is_ok();

    // Messenger by page id.
    let fb = json!({"object": "page", "entry": [{"id": "PAGE1", "time": 1, "messaging": [
        {"sender": {"id": "PSID1"}, "recipient": {"id": "PAGE1"}, "message": {"mid": "m1", "text": "hello"}}]}]})
    .to_string();
    let r = app
        .client
        .post(format!("{B}/webhooks/messenger"))
        .header("Content-Type", "application/json")
        .header(
            "X-Hub-Signature-256",
            meta_signature("fb-secret", fb.as_bytes()),
        )
        .body(fb)
        .send()
        .await;
    r.assert_status_is_ok();

    // The document's Slack slash command, signed with v0 (timestamp + raw body).
    let form = "token=verification_token_here&team_id=T1234567&team_domain=mycompany&channel_id=C2147483705&channel_name=general&user_id=U2147483697&user_name=john.doe&command=/chatbot&text=help+with+expense+reports&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1234%2F5678&trigger_id=13345224609.738474920.8088930838d88f008e0";
    let slack = |ts: String, secret: &'static str| {
        app.client
            .post(format!("{B}/webhooks/slack"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Slack-Request-Timestamp", ts.as_str())
            .header(
                "X-Slack-Signature",
                slack_signature(secret, &ts, form.as_bytes()),
            )
            .body(form)
            .send()
    };
    let now = chrono::Utc::now().timestamp();
    refused(
        slack((now - 600).to_string(), "sl-secret").await,
        StatusCode::UNAUTHORIZED,
        "REPLAYED_REQUEST",
    )
    .await;
    refused(
        slack(now.to_string(), "other").await,
        StatusCode::UNAUTHORIZED,
        "INVALID_SIGNATURE",
    )
    .await;
    let r = slack(now.to_string(), "sl-secret").await;
    r.assert_status_is_ok();
    assert_eq!(body(r).await["response_type"], "in_channel");

    // Teams by the bot id in recipient.id.
    let activity = json!({"type": "message", "id": "act1", "text": "hello", "from": {"id": "29:user"},
        "recipient": {"id": "28:bot-app-1"}});
    let r = app
        .client
        .post(format!("{B}/webhooks/teams"))
        .header("Authorization", "Bearer teams-token")
        .body_json(&activity)
        .send()
        .await;
    r.assert_status_is_ok();

    // Telegram by its secret token; an unknown token is a bad token.
    let update =
        json!({"update_id": 1, "message": {"message_id": 1, "from": {"id": 42}, "text": "hi"}});
    let r = app
        .client
        .post(format!("{B}/webhooks/telegram"))
        .header("X-Telegram-Bot-Api-Secret-Token", "tg-secret")
        .body_json(&update)
        .send()
        .await;
    r.assert_status_is_ok();
    let r = app
        .client
        .post(format!("{B}/webhooks/telegram"))
        .header("X-Telegram-Bot-Api-Secret-Token", "nope")
        .body_json(&update)
        .send()
        .await;
    refused(r, StatusCode::UNAUTHORIZED, "INVALID_SIGNATURE").await;

    // Verification by the verify token alone.
    let r = app
        .client
        .get(format!("{B}/webhooks/verify/whatsapp?hub.mode=subscribe&hub.challenge=challenge_string_123&hub.verify_token=vt-acme"))
        .send()
        .await;
    r.assert_status_is_ok();
    r.assert_text("challenge_string_123").await;
    let r = app
        .client
        .get(format!(
            "{B}/webhooks/verify/whatsapp?hub.mode=subscribe&hub.challenge=c&hub.verify_token=nope"
        ))
        .send()
        .await;
    refused(r, StatusCode::FORBIDDEN, "INVALID_VERIFY_TOKEN").await;

    // Everything landed in the tenant.
    let b = body(get(&app, &t, &key, "/conversations?limit=50").await).await;
    let channels: Vec<&str> = b["data"]["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["channel"].as_str().unwrap())
        .collect();
    for ch in ["whatsapp", "messenger", "slack", "teams", "telegram"] {
        assert!(channels.contains(&ch), "{ch} missing in {channels:?}");
    }

    // Another tenant cannot claim the same number.
    let r = config(
        &app,
        &t2,
        &owner2,
        json!({"channels": {"whatsapp": {"phone_number_id": "987654321"}}}),
    )
    .await;
    let b = refused(r, StatusCode::CONFLICT, "CHANNEL_IDENTITY_TAKEN").await;
    assert_eq!(
        b["error"]["details"]["field"],
        "configuration.channels.whatsapp.phone_number_id"
    );
    // A changed number routes the new one, and no longer the old one.
    config(
        &app,
        &t,
        &owner,
        json!({"channels": {"whatsapp": {"phone_number_id": "222"}}}),
    )
    .await
    .assert_status_is_ok();
    let r = wa(p.clone(), Some(meta_signature("wa-secret", p.as_bytes()))).await;
    refused(r, StatusCode::NOT_FOUND, "CHANNEL_NOT_FOUND").await;
    let moved = whatsapp_example("222");
    wa(
        moved.clone(),
        Some(meta_signature("wa-secret", moved.as_bytes())),
    )
    .await
    .assert_status_is_ok();
    // X-Tenant-ID still overrides the routing.
    let r = app
        .client
        .post(format!("{B}/webhooks/whatsapp"))
        .header("Content-Type", "application/json")
        .header("X-Tenant-ID", t.as_str())
        .header(
            "X-Hub-Signature-256",
            meta_signature("wa-secret", p.as_bytes()),
        )
        .body(p.clone())
        .send()
        .await;
    r.assert_status_is_ok();
}
