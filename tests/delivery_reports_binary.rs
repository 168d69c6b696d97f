//! Vendors' delivery reports on the real binary: with `--public-url` and the
//! `--delivery-twilio-*` flags, a marketplace review request's SMS asks a
//! (local) Twilio for a status callback on the public address; Twilio's
//! signed callback makes it `delivered`, counted by admin analytics; an
//! unsigned one is refused. `--delivery-whatsapp-app-secret` guards the
//! marketplace's WhatsApp status webhook.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use frontline_platform::callbacks::{meta_signature, twilio_signature};
use serde_json::{json, Value};
use support::{admin_token, login, start};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const M: &str = "/marketplace/v1";
const PUBLIC: &str = "https://frontline.example.com";

/// A Twilio stand-in: records each request's body, answers one message sid.
async fn twilio() -> (String, Arc<Mutex<Vec<String>>>) {
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
                            seen.lock().unwrap().push(text[p + 4..].to_string());
                            break;
                        }
                    }
                }
                let body = json!({"sid": "SMbin1", "status": "queued"}).to_string();
                let resp = format!(
                    "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (base, log)
}

#[tokio::test]
async fn a_twilio_status_callback_makes_an_sms_review_request_delivered() {
    let (api, log) = twilio().await;
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        &[
            "--public-url",
            PUBLIC,
            "--delivery-twilio-base-url",
            api.as_str(),
            "--delivery-twilio-account-sid",
            "ACbin",
            "--delivery-twilio-from",
            "+15550001111",
            "--delivery-whatsapp-app-secret",
            "wa-bin-secret",
        ],
        &[
            ("FRONTLINE_OUTBOUND_ALLOW", "127.0.0.1"),
            ("FRONTLINE_DELIVERY_TWILIO_AUTH_TOKEN", "twilio-bin-token"),
            ("FRONTLINE_RATE_LIMITS", "off"),
        ],
    );
    let base = server.base.clone();
    let http = reqwest::Client::new();
    let admin = admin_token(&http, &base).await;
    let send = |method: reqwest::Method, path: String, token: &str, body: Option<Value>| {
        let mut req = http
            .request(method, format!("{base}{M}{path}"))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let user = |email: &'static str, role: &'static str| {
        let (http, base, admin) = (http.clone(), base.clone(), admin.clone());
        async move {
            let r = http
                .post(format!("{base}/auth/users"))
                .bearer_auth(&admin)
                .json(&json!({"email": email, "password": "user-password-1", "name": email, "roles": [role]}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
            login(&http, &base, email, "user-password-1").await
        }
    };
    let provider = user("provider@example.com", "marketplace:provider").await;
    let customer = user("customer@example.com", "marketplace:customer").await;
    use reqwest::Method as H;

    let (s, b) = send(
        H::POST,
        "/service-categories".into(),
        &admin,
        Some(json!({"name": "Barber"})),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let cat = b["data"]["serviceCategoryId"].as_str().unwrap().to_string();
    send(
        H::PUT,
        "/providers/profile".into(),
        &provider,
        Some(json!({"name": "Binary Barbers", "location": {"coordinates": [36.8, -1.3]}})),
    )
    .await;
    let (s, b) = send(
        H::POST,
        "/providers/pricing".into(),
        &provider,
        Some(json!({"serviceCategoryId": cat,
        "serviceName": "Haircut", "pricingType": "flat", "flatRate": 500})),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let pricing = b["data"]["pricingId"].as_str().unwrap().to_string();
    let (s, b) = send(H::POST, "/admin/campaigns".into(), &admin, Some(json!({
        "name": "Now", "experiment": {"type": "timing"},
        "variants": [
            {"variantId": "a", "name": "a", "config": {"delay": 0, "unit": "minutes", "channel": "sms"}, "trafficAllocation": 50},
            {"variantId": "b", "name": "b", "config": {"delay": 0, "unit": "minutes", "channel": "sms"}, "trafficAllocation": 50}],
        "targeting": {"serviceCategories": [cat], "sampleSize": 10},
        "startDate": "2020-01-01T00:00:00Z", "endDate": "2099-01-01T00:00:00Z"}))).await;
    assert_eq!(s, 201, "{b}");
    let campaign = b["data"]["campaignId"].as_str().unwrap().to_string();
    let (s, b) = send(
        H::PUT,
        format!("/admin/campaigns/{campaign}/status"),
        &admin,
        Some(json!({"status": "active"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    send(
        H::PUT,
        "/customers/profile".into(),
        &customer,
        Some(json!({"name": "Muent"})),
    )
    .await;
    let (s, b) = send(
        H::PUT,
        "/customers/review-preferences".into(),
        &customer,
        Some(json!({"phone": "+254700000009"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = send(
        H::POST,
        "/bookings".into(),
        &customer,
        Some(json!({"servicePricingId": pricing, "serviceDate": "2026-01-15T14:00:00Z"})),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let booking = b["data"]["bookingId"].as_str().unwrap().to_string();
    let (s, b) = send(
        H::PUT,
        format!("/bookings/{booking}/status"),
        &provider,
        Some(json!({"status": "completed"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let request = b["data"]["reviewRequest"]["requestId"]
        .as_str()
        .unwrap()
        .to_string();

    let status = || async {
        let (_, b) = send(H::GET, "/customers/reviews/pending".into(), &customer, None).await;
        b["data"][0]["deliveryStatus"].clone()
    };
    let mut st = Value::Null;
    for _ in 0..100 {
        st = status().await;
        if st == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(st, "sent");
    let path = format!("{M}/webhooks/twilio/status/{request}");
    let url = format!("{PUBLIC}{path}");
    let sent = log.lock().unwrap().clone();
    let encoded = format!(
        "StatusCallback={}",
        url.replace(':', "%3A").replace('/', "%2F")
    );
    assert!(sent[0].contains(&encoded), "{}", sent[0]);

    let callback = |sig: Option<String>| {
        let params = vec![
            ("AccountSid".to_string(), "ACbin".to_string()),
            ("MessageSid".to_string(), "SMbin1".to_string()),
            ("MessageStatus".to_string(), "delivered".to_string()),
        ];
        let body = "AccountSid=ACbin&MessageSid=SMbin1&MessageStatus=delivered";
        let mut req = http
            .post(format!("{base}{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(s) = sig {
            req = req.header(
                "x-twilio-signature",
                s.replace("{}", &twilio_signature("twilio-bin-token", &url, &params)),
            );
        }
        req.send()
    };
    assert_eq!(callback(None).await.unwrap().status().as_u16(), 403);
    assert_eq!(
        callback(Some("d3Jvbmc=".into()))
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    assert_eq!(status().await, "sent");
    let r = callback(Some("{}".into())).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(status().await, "delivered");
    let (_, a) = send(
        H::GET,
        "/admin/analytics/reviews?period=month".into(),
        &admin,
        None,
    )
    .await;
    assert_eq!(a["data"]["requests"]["delivered"], 1, "{a}");

    // The WhatsApp status webhook checks the app secret given by the flag.
    let body = json!({"object": "whatsapp_business_account", "entry": []}).to_string();
    let wa = |secret: &str| {
        http.post(format!("{base}{M}/webhooks/whatsapp/status"))
            .header("content-type", "application/json")
            .header(
                "x-hub-signature-256",
                meta_signature(secret, body.as_bytes()),
            )
            .body(body.clone())
            .send()
    };
    assert_eq!(wa("guess").await.unwrap().status().as_u16(), 403);
    assert_eq!(wa("wa-bin-secret").await.unwrap().status().as_u16(), 200);
    drop(server);
}
