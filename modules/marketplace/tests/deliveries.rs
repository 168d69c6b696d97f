//! Review requests and reminders are sent through real channel APIs (local
//! servers on 127.0.0.1 speak them here: a push endpoint, a Twilio-compatible
//! SMS API) by platform jobs with retries; their statuses follow what
//! happened, and admin analytics count it (delivery rate, per-channel cost).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use frontline_platform::testing::{allow_loopback, TestApp};
use poem::http::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A request a vendor server saw: request line, headers (lower case), body.
#[derive(Debug, Clone)]
struct Seen {
    line: String,
    head: String,
    body: String,
}

type Log = Arc<Mutex<Vec<Seen>>>;

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..p]).to_string();
            let len = head
                .to_lowercase()
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            while buf.len() < p + 4 + len {
                let n = sock.read(&mut chunk).await.ok()?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some((head, String::from_utf8_lossy(&buf[p + 4..]).to_string()));
        }
    }
}

/// A vendor API on 127.0.0.1; `answer(body)` gives the status and JSON body.
async fn vendor(answer: impl Fn(&str) -> (u16, Value) + Send + Sync + 'static) -> (String, Log) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let seen = seen.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let Some((head, body)) = read_request(&mut sock).await else {
                    return;
                };
                let (code, json) = answer(&body);
                seen.lock().unwrap().push(Seen {
                    line: head.lines().next().unwrap_or_default().to_string(),
                    head: head.to_lowercase(),
                    body,
                });
                let text = json.to_string();
                let resp = format!(
                    "HTTP/1.1 {code} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (base, log)
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.call(method, &format!("/marketplace/v1{path}"), token, body)
        .await
        .parts()
}

/// A provider, a service, and an active campaign sending at once on `channel`.
async fn market(app: &TestApp, channel: &str) -> (String, String) {
    let admin = app.admin_token.clone();
    let (_, b) = call(
        app,
        "POST",
        "/service-categories",
        Some(&admin),
        Some(json!({"name": "Barber"})),
    )
    .await;
    let cat = b["data"]["serviceCategoryId"].as_str().unwrap().to_string();
    let provider = app.token_for(&["marketplace:provider"]).await;
    call(
        app,
        "PUT",
        "/providers/profile",
        Some(&provider),
        Some(json!({"name": "John's Barbershop", "location": {"coordinates": [36.8219, -1.2864]}})),
    )
    .await;
    let (_, b) = call(
        app,
        "POST",
        "/providers/pricing",
        Some(&provider),
        Some(json!({"serviceCategoryId": cat,
        "serviceName": "Men's Haircut", "pricingType": "flat", "flatRate": 500})),
    )
    .await;
    let pricing = b["data"]["pricingId"].as_str().unwrap().to_string();
    let (s, b) = call(app, "POST", "/admin/campaigns", Some(&admin), Some(json!({
        "name": "Now", "experiment": {"type": "timing"},
        "variants": [
            {"variantId": "now", "name": "now", "config": {"delay": 0, "unit": "minutes", "channel": channel}, "trafficAllocation": 50},
            {"variantId": "also_now", "name": "also now", "config": {"delay": 0, "unit": "minutes", "channel": channel}, "trafficAllocation": 50}],
        "targeting": {"serviceCategories": [cat], "sampleSize": 100},
        "startDate": "2020-01-01T00:00:00Z", "endDate": "2099-01-01T00:00:00Z"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let campaign = b["data"]["campaignId"].as_str().unwrap().to_string();
    call(
        app,
        "PUT",
        &format!("/admin/campaigns/{campaign}/status"),
        Some(&admin),
        Some(json!({"status": "active"})),
    )
    .await;
    (provider, pricing)
}

/// A customer (with `phone` when given) whose booking the provider completes; returns (user id, token, request id).
async fn completed_booking(
    app: &TestApp,
    provider: &str,
    pricing: &str,
    phone: Option<&str>,
) -> (String, String, String) {
    let (user, customer) = app.user_with(&["marketplace:customer"]).await;
    call(
        app,
        "PUT",
        "/customers/profile",
        Some(&customer),
        Some(json!({"name": "Muent Kamau"})),
    )
    .await;
    if let Some(p) = phone {
        let (s, b) = call(
            app,
            "PUT",
            "/customers/review-preferences",
            Some(&customer),
            Some(json!({"phone": p})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["data"]["preferences"]["phone"], p);
    }
    let (s, b) = call(
        app,
        "POST",
        "/bookings",
        Some(&customer),
        Some(json!({"servicePricingId": pricing, "serviceDate": "2026-01-15T14:00:00Z"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let booking = b["data"]["bookingId"].as_str().unwrap().to_string();
    let (s, b) = call(
        app,
        "PUT",
        &format!("/bookings/{booking}/status"),
        Some(provider),
        Some(json!({"status": "completed"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let request = b["data"]["reviewRequest"]["requestId"]
        .as_str()
        .unwrap()
        .to_string();
    (user, customer, request)
}

/// The customer's open request once `field` is no longer scheduled/queued.
async fn pending(app: &TestApp, customer: &str, field: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        app.platform.jobs.run_pending(&app.platform).await.unwrap();
        let (_, b) = call(
            app,
            "GET",
            "/customers/reviews/pending",
            Some(customer),
            None,
        )
        .await;
        last = b["data"][0].clone();
        let s = last[field].as_str().unwrap_or("scheduled");
        if s != "scheduled" && s != "queued" {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    last
}

async fn analytics(app: &TestApp) -> Value {
    let (s, b) = call(
        app,
        "GET",
        "/admin/analytics/reviews?period=month",
        Some(&app.admin_token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["data"].clone()
}

#[tokio::test]
async fn push_requests_and_reminders_are_sent_by_jobs_and_counted() {
    let (base, log) = vendor(|_| (200, json!({"id": "push-1"}))).await;
    let app = TestApp::with_settings(vec![frontline_marketplace::module()], |s| {
        allow_loopback(s);
        s.delivery.push_url = Some(format!("{base}/push"));
        s.delivery.push_token = Some("push-secret".into());
        s.delivery.costs = [("push".to_string(), 0.001)].into_iter().collect();
    })
    .await;
    let (provider, pricing) = market(&app, "push").await;
    let (user, customer, request) = completed_booking(&app, &provider, &pricing, None).await;

    let p = pending(&app, &customer, "deliveryStatus").await;
    assert_eq!(p["requestId"], request.as_str(), "{p}");
    assert_eq!(p["deliveryStatus"], "sent", "{p}");
    assert!(p["deliveryError"].is_null());
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].line, "POST /push HTTP/1.1");
    assert!(seen[0].head.contains("authorization: bearer push-secret"));
    let sent: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(sent["to"], user.as_str());
    assert!(
        sent["body"].as_str().unwrap().contains("John's Barbershop"),
        "{sent}"
    );

    // The reminder is a job that runs at its time (moved to now here).
    let (s, b) = call(
        &app,
        "POST",
        &format!("/reviews/request/{request}/remind"),
        Some(&customer),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, b) = call(
        &app,
        "GET",
        "/customers/reviews/pending",
        Some(&customer),
        None,
    )
    .await;
    assert_eq!(b["data"][0]["reminderStatus"], "scheduled");
    let moved = app
        .platform
        .db
        .write(|tx| {
            Ok(tx.execute(
                "UPDATE platform_jobs SET run_at = 0 WHERE kind = 'marketplace.review_request.remind' AND status = 'queued'",
                [],
            )?)
        })
        .await
        .unwrap();
    assert_eq!(moved, 1, "the reminder is a queued job");
    let p = pending(&app, &customer, "reminderStatus").await;
    assert_eq!(p["reminderStatus"], "sent", "{p}");
    assert!(p["nextReminderDate"].is_null(), "{p}");
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let reminder: Value = serde_json::from_str(&seen[1].body).unwrap();
    assert!(
        reminder["body"].as_str().unwrap().contains("reminder"),
        "{reminder}"
    );

    let a = analytics(&app).await;
    assert_eq!(a["requests"]["sent"], 1, "{a}");
    assert_eq!(a["requests"]["failed"], 0);
    assert_eq!(a["requests"]["notConfigured"], 0);
    assert_eq!(a["requests"]["deliveryRate"], 100.0);
    let push = a["byChannel"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "push")
        .unwrap()
        .clone();
    // Two messages at the configured 0.001 each.
    assert_eq!(push["cost"], 0.002, "{a}");
}

#[tokio::test]
async fn sms_goes_through_twilio_with_its_price_and_errors_are_retried_then_failed() {
    let (base, log) = vendor(|body| {
        if body.contains("To=%2B254700000001") {
            (
                201,
                json!({"sid": "SM1", "status": "queued", "price": "-0.0075", "price_unit": "USD"}),
            )
        } else {
            (
                503,
                json!({"code": 20500, "message": "Service unavailable", "status": 503}),
            )
        }
    })
    .await;
    let app = TestApp::with_settings(vec![frontline_marketplace::module()], |s| {
        allow_loopback(s);
        s.delivery.twilio_base_url = base.clone();
        s.delivery.twilio_account_sid = Some("AC123".into());
        s.delivery.twilio_auth_token = Some("twilio-token".into());
        s.delivery.twilio_from = Some("+15550001111".into());
    })
    .await;
    let (provider, pricing) = market(&app, "sms").await;
    let (_, ok_customer, _) =
        completed_booking(&app, &provider, &pricing, Some("+254700000001")).await;
    let (_, down_customer, _) =
        completed_booking(&app, &provider, &pricing, Some("+254700000002")).await;
    let (_, no_phone, _) = completed_booking(&app, &provider, &pricing, None).await;

    let p = pending(&app, &ok_customer, "deliveryStatus").await;
    assert_eq!(p["deliveryStatus"], "sent", "{p}");
    let p = pending(&app, &down_customer, "deliveryStatus").await;
    assert_eq!(p["deliveryStatus"], "failed", "{p}");
    assert!(
        p["deliveryError"]
            .as_str()
            .unwrap()
            .contains("HTTP 503: Service unavailable"),
        "{p}"
    );
    let p = pending(&app, &no_phone, "deliveryStatus").await;
    assert_eq!(p["deliveryStatus"], "failed", "{p}");
    assert!(
        p["deliveryError"]
            .as_str()
            .unwrap()
            .contains("no phone number"),
        "{p}"
    );

    let seen = log.lock().unwrap().clone();
    assert!(
        seen.iter()
            .all(|s| s.line == "POST /2010-04-01/Accounts/AC123/Messages.json HTTP/1.1"),
        "{seen:?}"
    );
    // Basic auth with the account SID and token.
    assert!(
        seen[0]
            .head
            .contains("authorization: basic qumxmjm6dhdpbglvlxrva2vu"),
        "{}",
        seen[0].head
    );
    let ok: Vec<_> = seen
        .iter()
        .filter(|s| s.body.contains("254700000001"))
        .collect();
    assert_eq!(ok.len(), 1);
    assert!(ok[0].body.contains("From=%2B15550001111"), "{}", ok[0].body);
    assert!(ok[0].body.contains("Body="), "{}", ok[0].body);
    // The failing one was tried four times (retries with backoff).
    assert_eq!(
        seen.iter()
            .filter(|s| s.body.contains("254700000002"))
            .count(),
        4
    );

    let a = analytics(&app).await;
    assert_eq!(a["requests"]["sent"], 1, "{a}");
    assert_eq!(a["requests"]["failed"], 2);
    assert_eq!(a["requests"]["deliveryRate"], 33.3);
    let sms = a["byChannel"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "sms")
        .unwrap()
        .clone();
    assert_eq!(sms["sent"], 1);
    assert_eq!(sms["cost"], 0.0075, "Twilio's price: {a}");
}

#[tokio::test]
async fn without_channel_settings_requests_are_not_configured() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let (provider, pricing) = market(&app, "push").await;
    let (_, customer, request) = completed_booking(&app, &provider, &pricing, None).await;
    let p = pending(&app, &customer, "deliveryStatus").await;
    assert_eq!(
        p["requestId"],
        request.as_str(),
        "the request is open in the app: {p}"
    );
    assert_eq!(p["deliveryStatus"], "not_configured", "{p}");
    assert!(
        p["deliveryError"]
            .as_str()
            .unwrap()
            .contains("delivery_push_url"),
        "{p}"
    );
    let a = analytics(&app).await;
    assert_eq!(a["requests"]["sent"], 0, "{a}");
    assert_eq!(a["requests"]["notConfigured"], 1);
    assert_eq!(a["requests"]["deliveryRate"], 0.0);
    assert_eq!(a["byChannel"][0]["cost"], 0.0);
}
