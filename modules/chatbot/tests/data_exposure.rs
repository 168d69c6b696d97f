//! Excessive data exposure: API keys, session tokens and webhook secrets are
//! shown once, in their create answers; provider keys and channel secrets in
//! the tenant configuration come back masked; member listings and the audit
//! log carry none of them, nor password hashes.

use frontline_platform::testing::{assert_absent, TestApp};
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    send_in(app, method, path, auth, "", body).await
}

/// As `send`, naming the tenant in `X-Tenant-ID` when `tenant` is not empty.
async fn send_in(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: &str,
    tenant: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let url = format!("{B}{path}");
    let mut req = match method {
        "GET" => app.client.get(&url),
        "POST" => app.client.post(&url),
        _ => app.client.put(&url),
    };
    req = req.header("Authorization", auth);
    if !tenant.is_empty() {
        req = req.header("X-Tenant-ID", tenant);
    }
    let resp = match body {
        Some(b) => req.body_json(&b).send().await,
        None => req.send().await,
    };
    let status = resp.0.status();
    let text = resp.0.into_body().into_string().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

const PROVIDER_KEY: &str = "sk-provider-key-0123456789abcdef";
const APP_SECRET: &str = "wa-app-secret-0123456789";
const BOT_TOKEN: &str = "xoxb-bot-token-0123456789";
const HOOK_SECRET: &str = "chatbot-hook-secret-0123456789";

#[tokio::test]
async fn keys_tokens_and_secrets_are_shown_once() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let admin = format!("Bearer {}", app.admin_token);
    let (uid, owner) = app.user_with(&[]).await;
    let owner = format!("Bearer {owner}");
    let email = app
        .platform
        .auth
        .get_user(&uid)
        .await
        .unwrap()
        .unwrap()
        .email;
    let (st, created) = send(
        &app,
        "POST",
        "/tenants",
        &admin,
        Some(json!({"name": "Acme", "plan": "enterprise", "admin_user": {"email": email},
            "configuration": {
                "channels": {"whatsapp": {"enabled": true, "app_secret": APP_SECRET}, "slack": {"enabled": true, "bot_token": BOT_TOKEN}},
                "ai_models": {"primary_provider": "openai", "fallback_chain": ["openai", "rule_based"],
                    "providers": {"openai": {"base_url": "https://llm.example.com/v1", "model": "gpt-4o", "api_key": PROVIDER_KEY}}}
            }})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let t = created["data"]["tenant_id"].as_str().unwrap().to_string();
    let live = created["data"]["api_keys"]["primary"]
        .as_str()
        .unwrap()
        .to_string();
    let test = created["data"]["api_keys"]["test"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        live.starts_with("cb_live_") && test.starts_with("cb_test_"),
        "{created}"
    );
    let key = format!("ApiKey {live}");

    // A session token and a webhook secret, each in its create answer only.
    let (st, s) = send(
        &app,
        "POST",
        "/sessions",
        &key,
        Some(json!({"channel": "web", "user_id": "visitor_1"})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{s}");
    let sid = s["data"]["session_id"].as_str().unwrap().to_string();
    let session_token = s["data"]["session_token"].as_str().unwrap().to_string();
    assert!(session_token.len() >= 16, "{s}");
    let (st, w) = send_in(
        &app,
        "POST",
        "/integrations/webhooks",
        &owner,
        &t,
        Some(
            json!({"url": "https://hooks.example.com/cb", "events": ["*"], "secret": HOOK_SECRET}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{w}");
    assert_eq!(w["data"]["secret"], HOOK_SECRET, "{w}");
    let wid = w["data"]["webhook_id"].as_str().unwrap().to_string();

    // A configuration update sending new secrets answers without them.
    let (st, upd) = send(
        &app,
        "PUT",
        &format!("/tenants/{t}/config"),
        &owner,
        Some(json!({"configuration": {"channels": {"slack": {"signing_secret": "slack-signing-0123456789"}}}})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{upd}");

    let (st, cfg) = send(&app, "GET", &format!("/tenants/{t}/config"), &owner, None).await;
    assert_eq!(st, StatusCode::OK, "{cfg}");
    let c = &cfg["data"]["configuration"];
    assert_eq!(
        c["ai_models"]["providers"]["openai"]["api_key"], "********",
        "{cfg}"
    );
    assert_eq!(
        c["ai_models"]["providers"]["openai"]["model"], "gpt-4o",
        "{cfg}"
    );
    assert_eq!(c["channels"]["whatsapp"]["app_secret"], "********", "{cfg}");
    assert_eq!(c["channels"]["slack"]["bot_token"], "********", "{cfg}");
    assert_eq!(
        c["channels"]["slack"]["signing_secret"], "********",
        "{cfg}"
    );

    let mut answers = vec![("config update", upd), ("config", cfg)];
    for (what, auth, path) in [
        ("tenant", &owner, format!("/tenants/{t}")),
        ("tenants", &admin, "/tenants".to_string()),
        ("members", &owner, format!("/tenants/{t}/users")),
        ("usage", &owner, format!("/tenants/{t}/usage")),
        ("billing", &owner, format!("/tenants/{t}/billing")),
        ("session", &key, format!("/sessions/{sid}")),
        ("session context", &key, format!("/sessions/{sid}/context")),
        ("webhooks", &owner, "/integrations/webhooks".to_string()),
        (
            "deliveries",
            &owner,
            format!("/integrations/webhooks/{wid}/deliveries"),
        ),
    ] {
        // The owner names its tenant with X-Tenant-ID where the path does not.
        let resp = app
            .client
            .get(format!("{B}{path}"))
            .header("Authorization", auth.as_str())
            .header("X-Tenant-ID", t.as_str())
            .send()
            .await;
        let status = resp.0.status();
        let body: Value = resp.0.into_body().into_json().await.unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::OK, "{what}: {body}");
        answers.push((what, body));
    }
    let (st, audit) = app
        .call(
            "GET",
            "/auth/audit?module=chatbot",
            Some(&app.admin_token),
            None,
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{audit}");
    answers.push(("audit", audit));

    let hashes: Vec<String> = app
        .platform
        .db
        .read(|c| {
            let mut st = c.prepare("SELECT password_hash FROM platform_users")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap();
    for (what, body) in &answers {
        for secret in [
            live.as_str(),
            test.as_str(),
            session_token.as_str(),
            HOOK_SECRET,
            PROVIDER_KEY,
            APP_SECRET,
            BOT_TOKEN,
            "slack-signing-0123456789",
        ] {
            assert_absent(body, secret, what);
        }
        for h in &hashes {
            assert_absent(body, h, what);
        }
        assert_absent(body, "password", what);
    }
    for row in app.audit_rows().await {
        for secret in [
            live.as_str(),
            test.as_str(),
            session_token.as_str(),
            HOOK_SECRET,
            PROVIDER_KEY,
            APP_SECRET,
            BOT_TOKEN,
            "slack-signing-0123456789",
        ] {
            assert!(!row.contains(secret), "audit entry holds {secret}: {row}");
        }
    }

    // Only hashes of the API keys are stored.
    let stored: Vec<String> = app
        .platform
        .db
        .read(|c| {
            let mut st = c.prepare("SELECT prefix || ' ' || hash FROM chatbot_api_keys")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    for row in stored {
        assert!(!row.contains(&live) && !row.contains(&test), "{row}");
    }
}

#[tokio::test]
async fn configuration_secrets_under_other_names_are_masked() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let admin = format!("Bearer {}", app.admin_token);
    let (uid, owner) = app.user_with(&[]).await;
    let owner = format!("Bearer {owner}");
    let email = app
        .platform
        .auth
        .get_user(&uid)
        .await
        .unwrap()
        .unwrap()
        .email;
    let (st, created) = send(
        &app,
        "POST",
        "/tenants",
        &admin,
        Some(json!({"name": "Acme", "admin_user": {"email": email}})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let t = created["data"]["tenant_id"].as_str().unwrap().to_string();
    let secrets = json!({
        "password": "crm-password-0123456789",
        "secret": "crm-bare-secret-0123456789",
        "privateKey": "crm-private-key-0123456789",
        "smtp_password": "smtp-password-0123456789",
        "client_secret": "crm-client-secret-0123456789",
        "access_token": "crm-access-token-0123456789",
        "api_key": "crm-api-key-0123456789"
    });
    let mut crm = json!({"provider": "salesforce", "enabled": true});
    for (k, v) in secrets.as_object().unwrap() {
        crm[k] = v.clone();
    }
    let (st, b) = send(
        &app,
        "PUT",
        &format!("/tenants/{t}/config"),
        &owner,
        Some(json!({"configuration": {"integrations": {"crm": crm}}})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, cfg) = send(&app, "GET", &format!("/tenants/{t}/config"), &owner, None).await;
    assert_eq!(st, StatusCode::OK, "{cfg}");
    assert_eq!(
        cfg["data"]["configuration"]["integrations"]["crm"]["provider"], "salesforce",
        "{cfg}"
    );
    for (k, v) in secrets.as_object().unwrap() {
        assert_absent(&cfg, v.as_str().unwrap(), "GET config");
        assert_eq!(
            cfg["data"]["configuration"]["integrations"]["crm"][k], "********",
            "{k}: {cfg}"
        );
    }
    // Saving the configuration as it was read keeps the stored secrets.
    let read_back = cfg["data"]["configuration"].clone();
    let (st, b) = send(
        &app,
        "PUT",
        &format!("/tenants/{t}/config"),
        &owner,
        Some(json!({"configuration": read_back})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let t2 = t.clone();
    let stored: Value = app
        .platform
        .db
        .read(move |c| {
            let s: String = c.query_row(
                "SELECT config FROM chatbot_tenants WHERE id = ?1",
                [&t2],
                |r| r.get(0),
            )?;
            Ok(serde_json::from_str(&s).unwrap_or(Value::Null))
        })
        .await
        .unwrap();
    for (k, v) in secrets.as_object().unwrap() {
        assert_eq!(&stored["integrations"]["crm"][k], v, "{k}: {stored}");
    }
}
