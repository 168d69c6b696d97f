//! Outbound deliveries on the real binary: the `FRONTLINE_DELIVERY_*`
//! settings point the WhatsApp Cloud API at a local server; a chatbot reply
//! to a WhatsApp message is sent there and its status follows (sent, then
//! delivered from WhatsApp's status webhook). Without credentials it is
//! `not_configured`.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use frontline_chatbot::webhooks::meta_signature;
use serde_json::{json, Value};
use support::{admin_token, start};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const B: &str = "/chatbot/api/v2";

/// A WhatsApp Cloud API stand-in: records each request's line, headers, body.
async fn cloud_api() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(p) = text.find("\r\n\r\n") {
                        let len = text[..p]
                            .to_lowercase()
                            .lines()
                            .find_map(|l| {
                                l.strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= p + 4 + len {
                            seen.lock()
                                .unwrap()
                                .push((text[..p].to_lowercase(), text[p + 4..].to_string()));
                            break;
                        }
                    }
                }
                let body =
                    json!({"messaging_product": "whatsapp", "messages": [{"id": "wamid.BIN1"}]})
                        .to_string();
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (base, log)
}

fn webhook(value: Value) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}]})
        .to_string()
}

#[tokio::test]
async fn a_whatsapp_reply_is_sent_through_the_configured_cloud_api() {
    let (api, log) = cloud_api().await;
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        &["--delivery-meta-api-version", "v99.0"],
        &[
            ("FRONTLINE_OUTBOUND_ALLOW", "127.0.0.1"),
            ("FRONTLINE_DELIVERY_META_BASE_URL", api.as_str()),
            ("FRONTLINE_RATE_LIMITS", "off"),
        ],
    );
    let base = server.base.clone();
    let http = reqwest::Client::new();
    let admin = admin_token(&http, &base).await;

    let t: Value = http
        .post(format!("{base}{B}/tenants"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Binary deliveries", "plan": "enterprise", "admin_user": {"email": support::ADMIN_EMAIL}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tenant = t["data"]["tenant_id"].as_str().expect("tenant").to_string();
    let key = format!(
        "ApiKey {}",
        t["data"]["api_keys"]["primary"].as_str().unwrap()
    );
    let set = |channels: Value| {
        http.put(format!("{base}{B}/tenants/{tenant}/config"))
            .bearer_auth(&admin)
            .json(&json!({"configuration": {"channels": channels}}))
            .send()
    };
    let r = set(json!({"whatsapp": {"app_secret": "wa-secret", "phone_number_id": "777"}}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());

    let post = |payload: String| {
        http.post(format!("{base}{B}/webhooks/whatsapp"))
            .header("content-type", "application/json")
            .header(
                "x-hub-signature-256",
                meta_signature("wa-secret", payload.as_bytes()),
            )
            .body(payload)
            .send()
    };
    let message = |id: String| {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        async move {
            for _ in 0..100 {
                let m: Value = http
                    .get(format!("{base}{B}/chat/message/{id}"))
                    .header("authorization", key.as_str())
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if m["data"]["status"] != "queued" {
                    return m["data"].clone();
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("still queued");
        }
    };
    let incoming = |from: &str, id: &str| {
        webhook(
            json!({"messaging_product": "whatsapp", "metadata": {"phone_number_id": "777"},
            "messages": [{"from": from, "id": id, "timestamp": "1", "text": {"body": "hello"}, "type": "text"}]}),
        )
    };

    // No access token yet: nothing is sent, and the status says so.
    let r: Value = post(incoming("15550009", "wamid.IN-A"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let m = message(r["message_id"].as_str().unwrap().to_string()).await;
    assert_eq!(m["status"], "not_configured", "{m}");
    assert!(log.lock().unwrap().is_empty());

    // With the token, the reply goes to the Cloud API set by the settings.
    set(json!({"whatsapp": {"access_token": "wa-binary-token"}}))
        .await
        .unwrap();
    let r: Value = post(incoming("15550009", "wamid.IN-B"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reply = r["message_id"].as_str().unwrap().to_string();
    let m = message(reply.clone()).await;
    assert_eq!(m["status"], "sent", "{m}");
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].0.starts_with("post /v99.0/777/messages "),
        "{}",
        seen[0].0
    );
    assert!(seen[0].0.contains("authorization: bearer wa-binary-token"));
    assert_eq!(
        serde_json::from_str::<Value>(&seen[0].1).unwrap()["to"],
        "15550009"
    );

    // WhatsApp reports the delivery.
    let status = webhook(
        json!({"messaging_product": "whatsapp", "metadata": {"phone_number_id": "777"},
        "statuses": [{"id": "wamid.BIN1", "status": "delivered", "timestamp": "2", "recipient_id": "15550009"}]}),
    );
    assert_eq!(post(status).await.unwrap().status().as_u16(), 200);
    assert_eq!(message(reply).await["status"], "delivered");
    drop(server);
}
