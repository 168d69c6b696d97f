//! The OpenAI-compatible provider against a chat-completions server this test runs.

use std::sync::{Arc, Mutex};

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

const B: &str = "/chatbot/api/v2";

/// Answers `POST /v1/chat/completions` with `status` and a fixed completion;
/// records (authorization header, request body) of every call.
async fn completions_server(status: u16) -> (String, Arc<Mutex<Vec<(String, Value)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let Some((head, body)) =
                    frontline_platform::testing::vendor::read_request(&mut sock).await
                else {
                    return;
                };
                let auth = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("authorization")
                            .then(|| v.trim().to_string())
                    })
                    .unwrap_or_default();
                let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                store.lock().unwrap().push((auth, body));
                let answer = json!({"id": "chatcmpl-1", "model": "local-model-1",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "From the local model: we open at 9."}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}})
                .to_string();
                let resp = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (format!("http://127.0.0.1:{port}/v1"), seen)
}

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

async fn setup(app: &TestApp, providers: Value, chain: Value) -> (String, String) {
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
    let (tid, key) = (
        d["tenant_id"].as_str().unwrap().to_string(),
        d["api_keys"]["primary"].as_str().unwrap().to_string(),
    );
    app.client
        .put(format!("{B}/tenants/{tid}/config"))
        .header("Authorization", format!("Bearer {owner}"))
        .body_json(&json!({"configuration": {"ai_models": {"providers": providers, "fallback_chain": chain}}}))
        .send()
        .await
        .assert_status_is_ok();
    let cfg = body(
        app.client
            .get(format!("{B}/tenants/{tid}/config"))
            .header("Authorization", format!("Bearer {owner}"))
            .send()
            .await,
    )
    .await;
    let text = cfg.to_string();
    assert!(
        !text.contains("sk-local-secret"),
        "the provider key is never returned: {text}"
    );
    (tid, format!("ApiKey {key}"))
}

async fn send(app: &TestApp, key: &str, id: &str, text: &str) -> Value {
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", key)
        .body_json(&json!({"message_id": id, "conversation_id": "conv_p", "user_id": "u1", "channel": "web", "content": {"type": "text", "text": text}}))
        .send()
        .await;
    r.assert_status_is_ok();
    body(r).await
}

#[tokio::test]
async fn the_provider_answers_with_history_and_instructions_and_cost_is_recorded() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let (url, seen) = completions_server(200).await;
    let (tid, key) = setup(
        &app,
        json!({"local": {"base_url": url, "model": "local-model", "api_key": "sk-local-secret", "temperature": 0.2, "max_tokens": 200,
            "custom_instructions": "You are Acme's support assistant.", "timeout_ms": 5000, "cost_per_1k_tokens_cents": 2.0}}),
        json!(["local", "rule_based"]),
    )
    .await;
    let d = send(&app, &key, "m1", "hello there").await;
    assert_eq!(
        d["data"]["response"]["text"],
        "From the local model: we open at 9."
    );
    assert_eq!(
        d["data"]["processing_metadata"]["model_used"],
        "local-model-1"
    );
    let d = send(&app, &key, "m2", "when do you open on sunday?").await;
    assert_eq!(
        d["data"]["response"]["text"],
        "From the local model: we open at 9."
    );
    // The same message_id does not call the provider again.
    send(&app, &key, "m2", "when do you open on sunday?").await;

    let calls = seen.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].0, "Bearer sk-local-secret");
    let req = &calls[1].1;
    assert_eq!(req["model"], "local-model");
    assert_eq!(req["temperature"], 0.2);
    assert_eq!(req["max_tokens"], 200);
    let roles: Vec<&str> = req["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert_eq!(
        req["messages"][0]["content"],
        "You are Acme's support assistant."
    );
    assert_eq!(req["messages"][1]["content"], "hello there");
    assert_eq!(req["messages"][3]["content"], "when do you open on sunday?");

    // 150 tokens at 2 cents per 1k = 0.3 cents per reply.
    let tid2 = tid.clone();
    let cost: f64 = app
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT SUM(cost_cents) FROM chatbot_messages WHERE tenant_id = ?1",
                [tid2],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert!((cost - 0.6).abs() < 1e-9, "{cost}");
    // Asking for a human still transfers.
    let d = send(&app, &key, "m3", "I want to talk to a human agent").await;
    assert_eq!(d["data"]["conversation_state"]["status"], "transferred");
    let _ = tid;
}

#[tokio::test]
async fn a_failing_provider_falls_back_along_the_chain_to_the_built_in_engine() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let (url, seen) = completions_server(500).await;
    let (_tid, key) = setup(
        &app,
        json!({"broken": {"base_url": url, "model": "m", "timeout_ms": 2000}, "down": {"base_url": "http://127.0.0.1:9/v1", "timeout_ms": 500}}),
        json!(["broken", "down", "rule_based"]),
    )
    .await;
    let d = send(&app, &key, "m1", "store hours").await;
    assert_eq!(d["data"]["processing_metadata"]["model_used"], "rule_based");
    assert_eq!(
        d["data"]["conversation_state"]["current_intent"],
        "store_hours_inquiry"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn provider_settings_are_validated() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let (uid, owner) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&uid)
        .await
        .unwrap()
        .unwrap()
        .email;
    let d = body(
        app.client
            .post(format!("{B}/tenants"))
            .header("Authorization", format!("Bearer {}", app.admin_token))
            .body_json(
                &json!({"name": "Acme", "plan": "enterprise", "admin_user": {"email": email}}),
            )
            .send()
            .await,
    )
    .await;
    let tid = d["data"]["tenant_id"].as_str().unwrap().to_string();
    for (cfg, field) in [
        (
            json!({"providers": {"x": {"base_url": "ftp://example.com"}}}),
            "configuration.ai_models.providers.x.base_url",
        ),
        (
            json!({"providers": {"x": {"base_url": "http://h/v1", "temperature": 5}}}),
            "configuration.ai_models.providers.x.temperature",
        ),
        (
            json!({"fallback_chain": "openai"}),
            "configuration.ai_models.fallback_chain",
        ),
    ] {
        let r = app
            .client
            .put(format!("{B}/tenants/{tid}/config"))
            .header("Authorization", format!("Bearer {owner}"))
            .body_json(&json!({"configuration": {"ai_models": cfg}}))
            .send()
            .await;
        r.assert_status(StatusCode::BAD_REQUEST);
        assert_eq!(body(r).await["error"]["details"]["field"], field);
    }
}

#[tokio::test]
async fn the_dependency_report_checks_the_index_the_queue_and_each_configured_provider() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let (url, _seen) = completions_server(200).await;
    let port = url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/v1")
        .to_string();
    setup(
        &app,
        json!({"up": {"base_url": url, "model": "m"}, "down": {"base_url": "http://127.0.0.1:9/v1", "timeout_ms": 500}}),
        json!(["up", "down", "rule_based"]),
    )
    .await;
    let report = body(
        app.client
            .get(format!("{B}/health/dependencies"))
            .header("Authorization", format!("Bearer {}", app.admin_token))
            .send()
            .await,
    )
    .await;
    let deps = &report["dependencies"];
    assert_eq!(deps["database"]["status"], "healthy", "{report}");
    assert_eq!(deps["search_index"]["status"], "healthy", "{report}");
    assert_eq!(deps["job_queue"]["status"], "healthy", "{report}");
    let up = &deps[format!("provider:127.0.0.1:{port}")];
    assert_eq!(up["status"], "healthy", "{report}");
    assert!(up["response_time_ms"].as_f64().is_some(), "{report}");
    let down = &deps["provider:127.0.0.1:9"];
    assert_eq!(down["status"], "unhealthy", "{report}");
    assert_eq!(down["error"], "unreachable", "{report}");
    assert!(down["response_time_ms"].is_null(), "{report}");
    // One of six is down: a partial degradation, scored 5/6.
    assert_eq!(report["status"], "partial_degradation", "{report}");
    assert_eq!(report["overall_health_score"], 0.833, "{report}");
}

async fn put_ai(app: &TestApp, tid: &str, ai: Value) -> Value {
    let r = app
        .client
        .put(format!("{B}/tenants/{tid}/config"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"configuration": {"ai_models": ai}}))
        .send()
        .await;
    r.assert_status_is_ok();
    body(r).await["data"].clone()
}

#[tokio::test]
async fn the_documents_ai_model_settings_reach_the_primary_provider() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let (url, seen) = completions_server(200).await;
    // A provider with only its endpoint and key; the chain names only the engine.
    let (tid, key) = setup(
        &app,
        json!({"local": {"base_url": url, "api_key": "sk-local-secret"}}),
        json!(["rule_based"]),
    )
    .await;
    // The document's settings: primary provider and model, shared parameters.
    let d = put_ai(
        &app,
        &tid,
        json!({"primary_provider": "local", "primary_model": "gpt-4-turbo", "temperature": 0.7,
            "max_tokens": 500, "custom_instructions": "You are a friendly agent for Acme."}),
    )
    .await;
    assert_eq!(d["deployment_status"], "deployed", "{d}");
    assert!(d.get("not_in_effect").is_none(), "{d}");
    let r = send(&app, &key, "m1", "hello there").await;
    assert_eq!(
        r["data"]["response"]["text"],
        "From the local model: we open at 9."
    );
    // The model the provider reports having used.
    assert_eq!(
        r["data"]["processing_metadata"]["model_used"],
        "local-model-1"
    );
    let calls = seen.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    let req = &calls[0].1;
    assert_eq!(req["model"], "gpt-4-turbo");
    assert_eq!(req["temperature"], 0.7);
    assert_eq!(req["max_tokens"], 500);
    assert_eq!(req["messages"][0]["role"], "system");
    assert_eq!(
        req["messages"][0]["content"],
        "You are a friendly agent for Acme."
    );
    // With the engine as primary the chain decides; `name:model` asks that model.
    put_ai(
        &app,
        &tid,
        json!({"primary_provider": "rule_based", "fallback_chain": ["local:local-small", "rule_based"]}),
    )
    .await;
    send(&app, &key, "m2", "and now?").await;
    let calls = seen.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].1["model"], "local-small");
    assert_eq!(calls[1].1["temperature"], 0.7);
}

#[tokio::test]
async fn model_settings_without_a_provider_are_not_reported_deployed() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let (tid, key) = setup(&app, json!({}), json!(["rule_based"])).await;
    let d = put_ai(
        &app,
        &tid,
        json!({"primary_provider": "openai", "primary_model": "gpt-4-turbo", "temperature": 0.7,
            "max_tokens": 500, "custom_instructions": "Be concise."}),
    )
    .await;
    assert_eq!(d["deployment_status"], "not_deployed", "{d}");
    let off: Vec<&str> = d["not_in_effect"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for k in [
        "ai_models.primary_provider",
        "ai_models.primary_model",
        "ai_models.temperature",
        "ai_models.max_tokens",
        "ai_models.custom_instructions",
    ] {
        assert!(off.contains(&k), "{k} in {d}");
    }
    assert!(d["not_in_effect_reason"].is_string());
    // The built-in engine answers, and says so.
    let r = send(&app, &key, "m1", "hello").await;
    assert_eq!(r["data"]["processing_metadata"]["model_used"], "rule_based");
    // A change that does apply beside one that does not.
    let r = app
        .client
        .put(format!("{B}/tenants/{tid}/config"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(
            &json!({"configuration": {"chatbot": {"confidence_threshold": 0.6},
            "ai_models": {"temperature": 0.3}}}),
        )
        .send()
        .await;
    r.assert_status_is_ok();
    let d = body(r).await["data"].clone();
    assert_eq!(d["deployment_status"], "partially_deployed", "{d}");
    assert_eq!(d["not_in_effect"], json!(["ai_models.temperature"]));
}

#[tokio::test]
async fn provider_replies_do_not_count_as_fallbacks() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let (url, _seen) = completions_server(200).await;
    let (_, key) = setup(
        &app,
        json!({"local": {"base_url": url, "api_key": "sk-local-secret"}}),
        json!(["local", "rule_based"]),
    )
    .await;
    // No intent of the tenant matches this; the provider answers it.
    send(&app, &key, "m1", "zxqv plorb wibble").await;
    send(&app, &key, "m2", "qwop flarn").await;
    let r = app
        .client
        .get(format!("{B}/conversations/conv_p/analytics"))
        .header("Authorization", key.as_str())
        .send()
        .await;
    r.assert_status_is_ok();
    let d = body(r).await["data"].clone();
    assert_eq!(d["bot_performance"]["fallback_count"], 0, "{d}");
    assert_eq!(d["bot_performance"]["fallback_rate"], 0.0, "{d}");
}

/// The tenant's stored configuration as the database holds it.
async fn raw_config(app: &TestApp, tid: &str) -> String {
    let tid = tid.to_string();
    app.platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT config FROM chatbot_tenants WHERE id = ?1",
                [tid],
                |r| r.get::<_, String>(0),
            )?)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn provider_api_keys_are_stored_encrypted_and_still_sent() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let (url, seen) = completions_server(200).await;
    let (tid, key) = setup(
        &app,
        json!({"local": {"base_url": url, "model": "m", "api_key": "sk-local-secret"}}),
        json!(["local", "rule_based"]),
    )
    .await;
    let raw = raw_config(&app, &tid).await;
    assert!(!raw.contains("sk-local-secret"), "{raw}");
    assert!(raw.contains("enc:v1:"), "{raw}");
    send(&app, &key, "m1", "hello").await;
    assert_eq!(seen.lock().unwrap()[0].0, "Bearer sk-local-secret");

    // A key stored in clear by an earlier version is encrypted at start.
    let t = tid.clone();
    let clear = raw.replace(
        raw.split("\"api_key\":\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap(),
        "sk-old-clear-key",
    );
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "UPDATE chatbot_tenants SET config = ?2 WHERE id = ?1",
                [t, clear],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    assert!(raw_config(&app, &tid).await.contains("sk-old-clear-key"));
    (frontline_chatbot::module().start.unwrap())(&app.platform);
    let raw = raw_config(&app, &tid).await;
    assert!(!raw.contains("sk-old-clear-key"), "{raw}");
    send(&app, &key, "m2", "hello again").await;
    assert_eq!(seen.lock().unwrap()[1].0, "Bearer sk-old-clear-key");
}

#[tokio::test]
async fn provider_urls_must_be_public_addresses() {
    // The default policy, as in production.
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (uid, owner) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&uid)
        .await
        .unwrap()
        .unwrap()
        .email;
    let d = body(
        app.client
            .post(format!("{B}/tenants"))
            .header("Authorization", format!("Bearer {}", app.admin_token))
            .body_json(
                &json!({"name": "Acme", "plan": "enterprise", "admin_user": {"email": email}}),
            )
            .send()
            .await,
    )
    .await;
    let tid = d["data"]["tenant_id"].as_str().unwrap().to_string();
    for url in [
        "http://127.0.0.1:8080/v1",
        "http://0.0.0.0:8080/v1",
        "http://10.1.2.3/v1",
        "http://[::1]:8080/v1",
        "http://[::ffff:127.0.0.1]/v1",
        "http://[::a9fe:a9fe]/v1",
    ] {
        let r = app
            .client
            .put(format!("{B}/tenants/{tid}/config"))
            .header("Authorization", format!("Bearer {owner}"))
            .body_json(&json!({"configuration": {"ai_models": {"providers": {"x": {"base_url": url, "api_key": "sk-1"}}}}}))
            .send()
            .await;
        r.assert_status(StatusCode::BAD_REQUEST);
        let b = body(r).await;
        assert_eq!(
            b["error"]["details"]["field"], "configuration.ai_models.providers.x.base_url",
            "{url}: {b}"
        );
        assert!(b.to_string().contains("not a public address"), "{url}: {b}");
    }
    assert!(!raw_config(&app, &tid).await.contains("base_url"));
}

/// A provider name that resolves to loopback is accepted as configuration
/// (no DNS then) but never called: not by the chat, not by the health probe,
/// and its key is never sent.
#[tokio::test]
async fn a_provider_name_resolving_to_loopback_is_never_called() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (url, seen) = completions_server(200).await;
    let url = url.replace("127.0.0.1", "localhost");
    let port = url
        .trim_start_matches("http://localhost:")
        .trim_end_matches("/v1")
        .to_string();
    let (_tid, key) = setup(
        &app,
        json!({"local": {"base_url": url, "model": "m", "api_key": "sk-local-secret", "timeout_ms": 2000}}),
        json!(["local", "rule_based"]),
    )
    .await;
    let d = send(&app, &key, "m1", "store hours").await;
    assert_eq!(d["data"]["processing_metadata"]["model_used"], "rule_based");
    let report = body(
        app.client
            .get(format!("{B}/health/dependencies"))
            .header("Authorization", format!("Bearer {}", app.admin_token))
            .send()
            .await,
    )
    .await;
    let probe = &report["dependencies"][format!("provider:localhost:{port}")];
    assert_eq!(probe["status"], "unhealthy", "{report}");
    assert!(
        probe["error"]
            .as_str()
            .unwrap_or_default()
            .contains("outbound policy"),
        "{report}"
    );
    assert!(
        seen.lock().unwrap().is_empty(),
        "the local server was never reached"
    );
}
