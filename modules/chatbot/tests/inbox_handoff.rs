//! Extension: the bot steps back while an agent has a conversation, and who
//! may close or release a claimed conversation — through HTTP.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// A tenant; returns (tenant_id, owner "Bearer …").
async fn tenant(app: &TestApp, name: &str) -> (String, String) {
    let (id, owner) = app.user_with(&[]).await;
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
        .body_json(&json!({"name": name, "plan": "enterprise", "admin_user": {"email": email}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    (
        d["tenant_id"].as_str().unwrap().to_string(),
        format!("Bearer {owner}"),
    )
}

/// A signed-in member of `tid` with `role`; returns "Bearer …".
async fn member(app: &TestApp, tid: &str, owner: &str, role: &str, first: &str) -> String {
    let (id, token) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&id)
        .await
        .unwrap()
        .unwrap()
        .email;
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

/// A visitor's session; returns "Bearer st_…".
async fn visitor(app: &TestApp, tid: &str) -> String {
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

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: &str,
    tid: &str,
    b: Option<Value>,
) -> (StatusCode, Value) {
    let url = format!("{B}{path}");
    let req = match method {
        "GET" => app.client.get(url),
        "PUT" => app.client.put(url),
        _ => app.client.post(url),
    }
    .header("X-Tenant-ID", tid)
    .header("Authorization", auth);
    let r = match b {
        Some(b) => req.body_json(&b).send().await,
        None => req.send().await,
    };
    let status = r.0.status();
    let text = r.0.into_body().into_string().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The visitor says `text` (optionally in `conv`, with `message_id`); returns the answer's data.
async fn say(
    app: &TestApp,
    st: &str,
    tid: &str,
    conv: Option<&str>,
    id: &str,
    text: &str,
) -> Value {
    let mut b = json!({"user_id": "visitor_1", "message_id": id,
        "content": {"type": "text", "text": text}});
    if let Some(c) = conv {
        b["conversation_id"] = json!(c);
    }
    let (s, v) = call(app, "POST", "/chat/message", st, tid, Some(b)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["data"].clone()
}

fn is_bot_answer(a: &Value) -> bool {
    a["reply_message_id"].is_string() && !a["response"]["text"].as_str().unwrap_or("").is_empty()
}

#[tokio::test]
async fn after_a_claim_the_visitor_talks_to_the_agent_not_the_bot_until_it_is_resolved_or_released()
{
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tid, owner) = tenant(&app, "Shop").await;
    let agent = member(&app, &tid, &owner, "agent", "Ann").await;
    let st = visitor(&app, &tid).await;

    // Before a claim the bot answers.
    let a = say(&app, &st, &tid, Some("conv_h"), "m1", "hello").await;
    assert!(is_bot_answer(&a), "{a}");

    let (s, b) = call(&app, "POST", "/inbox/conv_h/claim", &agent, &tid, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["status"], "transferred", "{b}");

    // The agent's live stream is open when the visitor writes again.
    let r = app
        .client
        .get(format!("{B}/inbox/stream"))
        .header("Authorization", agent.as_str())
        .header("X-Tenant-ID", tid.as_str())
        .send()
        .await;
    r.assert_status_is_ok();
    let mut stream = Box::pin(r.0.into_body().into_bytes_stream());
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Now the bot steps back: no bot text, no stored reply, a person handles it.
    let a = say(&app, &st, &tid, Some("conv_h"), "m2", "is anyone there?").await;
    assert_eq!(a["response"]["text"], "", "{a}");
    assert!(a.get("reply_message_id").is_none_or(Value::is_null), "{a}");
    assert_eq!(
        a["conversation_state"]["conversation_stage"],
        "transferred_to_agent"
    );
    assert_eq!(a["conversation_state"]["status"], "transferred");
    assert_eq!(a["conversation_id"], "conv_h");
    // The same message again gets the same answer, still without the bot.
    let again = say(&app, &st, &tid, Some("conv_h"), "m2", "is anyone there?").await;
    assert_eq!(again["duplicate"], true, "{again}");
    assert_eq!(again["response"]["text"], "");
    assert_eq!(
        again["conversation_state"]["conversation_stage"],
        "transferred_to_agent"
    );

    // It reached the agent live and waits in the inbox; nothing from the bot was stored.
    let got = support::read_until(&mut stream, "is anyone there?", Duration::from_secs(5)).await;
    assert!(got.contains("event: message.received"), "{got}");
    let (_, inbox) = call(&app, "GET", "/inbox", &agent, &tid, None).await;
    let item = &inbox["data"]["conversations"][0];
    assert_eq!(item["conversation_id"], "conv_h", "{inbox}");
    assert_eq!(item["last_visitor_message"], "is anyone there?");
    let (_, conv) = call(&app, "GET", "/inbox/conv_h", &agent, &tid, None).await;
    let senders: Vec<_> = conv["data"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sender"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(senders, ["visitor", "bot", "visitor"], "{conv}");

    // The agent answers; the visitor's next message still waits for the agent.
    let (s, _) = call(
        &app,
        "POST",
        "/inbox/conv_h/reply",
        &agent,
        &tid,
        Some(json!({"text": "Yes, Ann here."})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let a = say(&app, &st, &tid, Some("conv_h"), "m3", "great, thanks").await;
    assert_eq!(a["response"]["text"], "", "{a}");

    // Released: the bot answers again.
    let (s, b) = call(&app, "POST", "/inbox/conv_h/release", &agent, &tid, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["data"].get("assignee").is_none_or(Value::is_null), "{b}");
    let a = say(&app, &st, &tid, Some("conv_h"), "m4", "hello again").await;
    assert!(is_bot_answer(&a), "{a}");

    // Claimed again and resolved: the visitor's next conversation is the bot's.
    let (s, _) = call(&app, "POST", "/inbox/conv_h/claim", &agent, &tid, None).await;
    assert_eq!(s, StatusCode::OK);
    let a = say(&app, &st, &tid, Some("conv_h"), "m5", "one more thing").await;
    assert_eq!(a["response"]["text"], "", "{a}");
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_h/resolve",
        &agent,
        &tid,
        Some(json!({"resolution": "Answered"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let a = say(&app, &st, &tid, None, "m6", "hello").await;
    assert_ne!(a["conversation_id"], "conv_h", "{a}");
    assert!(is_bot_answer(&a), "{a}");
}

#[tokio::test]
async fn owners_admins_and_the_claimer_close_a_claimed_conversation_other_agents_after_a_release() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tid, owner) = tenant(&app, "Shop").await;
    let ann = member(&app, &tid, &owner, "agent", "Ann").await;
    let bob = member(&app, &tid, &owner, "agent", "Bob").await;
    let admin = member(&app, &tid, &owner, "admin", "Ada").await;
    let st = visitor(&app, &tid).await;
    for c in ["conv_1", "conv_2", "conv_3"] {
        say(&app, &st, &tid, Some(c), &format!("{c}_m"), "help please").await;
        let (s, _) = call(&app, "POST", &format!("/inbox/{c}/claim"), &ann, &tid, None).await;
        assert_eq!(s, StatusCode::OK);
    }
    let resolve = |c: &'static str| json!({"resolution": format!("{c} done")});

    // Another agent can neither close nor release Ann's claim.
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_1/resolve",
        &bob,
        &tid,
        Some(resolve("conv_1")),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"]["code"], "CONVERSATION_CLAIMED");
    let (s, b) = call(&app, "POST", "/inbox/conv_1/release", &bob, &tid, None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"]["code"], "CONVERSATION_CLAIMED");

    // The owner closes it.
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_1/resolve",
        &owner,
        &tid,
        Some(resolve("conv_1")),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["conversation"]["status"], "closed");
    assert_eq!(b["data"]["resolution"], "conv_1 done");

    // A tenant admin closes one too.
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_2/resolve",
        &admin,
        &tid,
        Some(resolve("conv_2")),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // Ann releases conv_3: it is unclaimed and waits; Bob can take it and close it.
    let (s, b) = call(&app, "POST", "/inbox/conv_3/release", &ann, &tid, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, inbox) = call(&app, "GET", "/inbox", &bob, &tid, None).await;
    assert_eq!(inbox["data"]["total"], 1, "{inbox}");
    assert_eq!(inbox["data"]["unclaimed"], 1, "{inbox}");
    assert_eq!(
        inbox["data"]["conversations"][0]["conversation_id"],
        "conv_3"
    );
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_3/resolve",
        &bob,
        &tid,
        Some(resolve("conv_3")),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, inbox) = call(&app, "GET", "/inbox", &ann, &tid, None).await;
    assert_eq!(inbox["data"]["total"], 0, "{inbox}");

    // A closed conversation cannot be released.
    let (s, b) = call(&app, "POST", "/inbox/conv_3/release", &ann, &tid, None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"]["code"], "CONVERSATION_CLOSED");
}

/// A chat-completions server that counts its calls.
async fn counting_provider() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let calls = Arc::new(AtomicUsize::new(0));
    let count = calls.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                if frontline_platform::testing::vendor::read_request(&mut sock)
                    .await
                    .is_none()
                {
                    return;
                }
                count.fetch_add(1, Ordering::SeqCst);
                let answer = json!({"id": "c1", "model": "local-model",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "From the model."}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
                .to_string();
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (format!("http://127.0.0.1:{port}/v1"), calls)
}

#[tokio::test]
async fn no_provider_is_asked_while_an_agent_has_the_conversation() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let (url, calls) = counting_provider().await;
    let (tid, owner) = tenant(&app, "Shop").await;
    let (s, b) = call(
        &app,
        "PUT",
        &format!("/tenants/{tid}/config"),
        &owner,
        &tid,
        Some(json!({"configuration": {"ai_models": {
            "providers": {"local": {"base_url": url, "model": "local-model", "api_key": "sk-x", "timeout_ms": 5000}},
            "fallback_chain": ["local", "rule_based"]}}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let agent = member(&app, &tid, &owner, "agent", "Ann").await;
    let st = visitor(&app, &tid).await;

    let a = say(&app, &st, &tid, Some("conv_p"), "p1", "hello").await;
    assert_eq!(a["response"]["text"], "From the model.", "{a}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let (s, _) = call(&app, "POST", "/inbox/conv_p/claim", &agent, &tid, None).await;
    assert_eq!(s, StatusCode::OK);
    let a = say(&app, &st, &tid, Some("conv_p"), "p2", "still there?").await;
    assert_eq!(a["response"]["text"], "", "{a}");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the provider was asked (and paid) for an answer nobody sees"
    );

    let (s, _) = call(&app, "POST", "/inbox/conv_p/release", &agent, &tid, None).await;
    assert_eq!(s, StatusCode::OK);
    let a = say(&app, &st, &tid, Some("conv_p"), "p3", "hello again").await;
    assert_eq!(a["response"]["text"], "From the model.", "{a}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
