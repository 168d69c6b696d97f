//! Extension: tenant webhook subscriptions receive only their own tenant's
//! events, signed, from the platform events service.

use std::sync::{Arc, Mutex};

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const B: &str = "/chatbot/api/v2";

/// Records (signature header, body) of each POST and answers 200.
async fn receiver() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..p]).to_string();
                    let header = |name: &str| {
                        head.lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
                            })
                            .unwrap_or_default()
                    };
                    let len: usize = header("content-length").parse().unwrap_or(0);
                    if buf.len() < p + 4 + len {
                        continue;
                    }
                    let body = String::from_utf8_lossy(&buf[p + 4..p + 4 + len]).to_string();
                    store
                        .lock()
                        .unwrap()
                        .push((header("x-frontline-signature"), body));
                    let _ = sock
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        )
                        .await;
                    return;
                }
            });
        }
    });
    (format!("http://127.0.0.1:{port}/hook"), got)
}

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// (tenant id, api key, owner bearer)
async fn tenant(app: &TestApp) -> (String, String, String) {
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
    (
        d["tenant_id"].as_str().unwrap().to_string(),
        format!("ApiKey {}", d["api_keys"]["primary"].as_str().unwrap()),
        format!("Bearer {owner}"),
    )
}

async fn subscribe(app: &TestApp, tid: &str, owner: &str, url: &str) -> (String, String) {
    let r = app
        .client
        .post(format!("{B}/integrations/webhooks"))
        .header("Authorization", owner)
        .header("X-Tenant-ID", tid)
        .body_json(
            &json!({"url": url, "events": ["conversation.transferred", "conversation.closed"]}),
        )
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    assert!(d["secret"].as_str().unwrap().len() >= 16);
    (
        d["webhook_id"].as_str().unwrap().to_string(),
        d["secret"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn each_tenant_receives_only_its_own_signed_events() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let (ta, ka, oa) = tenant(&app).await;
    let (tb, _kb, ob) = tenant(&app).await;
    let (url_a, got_a) = receiver().await;
    let (url_b, got_b) = receiver().await;
    let (hook_a, secret_a) = subscribe(&app, &ta, &oa, &url_a).await;
    subscribe(&app, &tb, &ob, &url_b).await;

    // Secrets are not listed again; B does not see A's subscription.
    let l = body(
        app.client
            .get(format!("{B}/integrations/webhooks"))
            .header("Authorization", oa.as_str())
            .header("X-Tenant-ID", ta.as_str())
            .send()
            .await,
    )
    .await;
    assert_eq!(l["data"]["webhooks"].as_array().unwrap().len(), 1);
    assert!(!l.to_string().contains(&secret_a));
    app.client
        .delete(format!("{B}/integrations/webhooks/{hook_a}"))
        .header("Authorization", ob.as_str())
        .header("X-Tenant-ID", tb.as_str())
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // Bad subscriptions.
    let r = app
        .client
        .post(format!("{B}/integrations/webhooks"))
        .header("Authorization", oa.as_str())
        .header("X-Tenant-ID", ta.as_str())
        .body_json(&json!({"url": "http://127.0.0.1:1/x", "events": ["order.shipped"]}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    // The event names are the schema's enum: the unknown one is named.
    assert_eq!(body(r).await["error"]["details"]["field"], "events[0]");

    // A's conversation is transferred and closed.
    app.client
        .post(format!("{B}/chat/message"))
        .header("Authorization", ka.as_str())
        .body_json(&json!({"message_id": "m1", "conversation_id": "conv_e", "user_id": "u", "content": {"type": "text", "text": "hello"}}))
        .send()
        .await
        .assert_status_is_ok();
    app.client
        .post(format!("{B}/conversations/conv_e/transfer"))
        .header("Authorization", ka.as_str())
        .body_json(&json!({"transfer_reason": "billing_question", "department": "billing", "priority": "high"}))
        .send()
        .await
        .assert_status_is_ok();
    app.client
        .post(format!("{B}/conversations/conv_e/close"))
        .header("Authorization", ka.as_str())
        .send()
        .await
        .assert_status_is_ok();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while got_a.lock().unwrap().len() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let got = got_a.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "{got:?}");
    let mut kinds = vec![];
    for (sig, raw) in &got {
        assert_eq!(
            *sig,
            frontline_platform::events::signature(&secret_a, raw.as_bytes())
        );
        let v: Value = serde_json::from_str(raw).unwrap();
        assert_eq!(v["data"]["tenant_id"], ta);
        assert_eq!(v["data"]["conversation_id"], "conv_e");
        kinds.push(v["event"].as_str().unwrap().to_string());
    }
    kinds.sort();
    assert_eq!(kinds, ["conversation.closed", "conversation.transferred"]);
    let d = body(
        app.client
            .get(format!("{B}/integrations/webhooks/{hook_a}/deliveries"))
            .header("Authorization", oa.as_str())
            .header("X-Tenant-ID", ta.as_str())
            .send()
            .await,
    )
    .await;
    assert_eq!(d["data"]["deliveries"].as_array().unwrap().len(), 2);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        got_b.lock().unwrap().is_empty(),
        "B never receives A's events"
    );

    // A typing indicator is an event of the tenant's stream.
    app.client
        .post(format!("{B}/chat/typing"))
        .header("Authorization", ka.as_str())
        .body_json(
            &json!({"conversation_id": "conv_e", "is_typing": true, "typing_duration_ms": 1500}),
        )
        .send()
        .await
        .assert_status_is_ok();
    let module = frontline_chatbot::service::events_module(&ta);
    let payload: String = app
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT payload FROM platform_events WHERE module = ?1 AND event_type = 'conversation.typing'",
                [module],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    let v: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(v["duration_ms"], 1500);
    assert_eq!(v["is_typing"], true);
    // Deleting the tenant removes its subscriptions with it.
    app.client
        .delete(format!("{B}/tenants/{ta}"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .send()
        .await
        .assert_status_is_ok();
    let module = frontline_chatbot::service::events_module(&ta);
    let left: i64 = app
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM platform_webhooks WHERE module = ?1",
                [module],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(left, 0);
}
