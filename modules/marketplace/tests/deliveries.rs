//! Review requests and reminders are sent through real channel APIs (local
//! servers on 127.0.0.1 speak them here: a push endpoint, a Twilio-compatible
//! SMS API) by platform jobs with retries; their statuses follow what
//! happened, and admin analytics count it (delivery rate, per-channel cost).

mod support;

use std::time::Duration;

use frontline_platform::testing::vendor::vendor;
use frontline_platform::testing::{allow_loopback, TestApp};
use poem::http::StatusCode;
use serde_json::{json, Value};
use support::call;

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
    let (base, log) = vendor(|_, _| (200, json!({"id": "push-1"}))).await;
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
    let (base, log) = vendor(|seen, _| {
        let body = seen.body.as_str();
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

/// Posts a vendor's status report to the app: (status, body).
async fn report(
    app: &TestApp,
    path: &str,
    headers: &[(&str, String)],
    ct: &str,
    body: String,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(format!("/marketplace/v1{path}"))
        .header("Content-Type", ct);
    for (k, v) in headers {
        req = req.header(*k, v.as_str());
    }
    let r = req.body(body).send().await;
    let status = r.0.status();
    let b: Value = r.0.into_body().into_json().await.unwrap_or(Value::Null);
    (status, b)
}

fn form(pairs: &[(&str, &str)]) -> (String, Vec<(String, String)>) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter())
        .finish();
    let owned = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (body, owned)
}

/// Twilio's status callback for `path`, signed with `token` over `url`.
async fn twilio_callback(
    app: &TestApp,
    path: &str,
    url: &str,
    token: &str,
    pairs: &[(&str, &str)],
) -> (StatusCode, Value) {
    let (body, params) = form(pairs);
    let sig = frontline_platform::callbacks::twilio_signature(token, url, &params);
    report(
        app,
        path,
        &[("X-Twilio-Signature", sig)],
        "application/x-www-form-urlencoded",
        body,
    )
    .await
}

async fn status_of(app: &TestApp, customer: &str) -> Value {
    let (_, b) = call(
        app,
        "GET",
        "/customers/reviews/pending",
        Some(customer),
        None,
    )
    .await;
    b["data"][0].clone()
}

#[tokio::test]
async fn twilio_status_callbacks_signed_by_twilio_report_delivered_and_undelivered() {
    let (base, log) = vendor(|seen, _| {
        let body = seen.body.as_str();
        let sid = if body.contains("254700000001") {
            "SMok"
        } else {
            "SMlost"
        };
        (201, json!({"sid": sid, "status": "queued"}))
    })
    .await;
    const PUBLIC: &str = "https://frontline.example.com";
    let app = TestApp::with_settings(vec![frontline_marketplace::module()], |s| {
        allow_loopback(s);
        s.public_url = Some(format!("{PUBLIC}/"));
        s.delivery.twilio_base_url = base.clone();
        s.delivery.twilio_account_sid = Some("AC123".into());
        s.delivery.twilio_auth_token = Some("twilio-token".into());
        s.delivery.twilio_from = Some("+15550001111".into());
    })
    .await;
    let (provider, pricing) = market(&app, "sms").await;
    let (_, ok_customer, ok_request) =
        completed_booking(&app, &provider, &pricing, Some("+254700000001")).await;
    let (_, lost_customer, lost_request) =
        completed_booking(&app, &provider, &pricing, Some("+254700000002")).await;
    assert_eq!(
        pending(&app, &ok_customer, "deliveryStatus").await["deliveryStatus"],
        "sent"
    );
    assert_eq!(
        pending(&app, &lost_customer, "deliveryStatus").await["deliveryStatus"],
        "sent"
    );

    // Each SMS names its status callback on the public address.
    let ok_path = format!("/webhooks/twilio/status/{ok_request}");
    let ok_url = format!("{PUBLIC}/marketplace/v1{ok_path}");
    let seen = log.lock().unwrap().clone();
    let sent: Vec<(String, String)> = url::form_urlencoded::parse(
        seen.iter()
            .find(|s| s.body.contains("254700000001"))
            .unwrap()
            .body
            .as_bytes(),
    )
    .into_owned()
    .collect();
    assert!(
        sent.contains(&("StatusCallback".to_string(), ok_url.clone())),
        "{sent:?}"
    );

    // A callback without Twilio's signature, or with a wrong one, is refused and changes nothing.
    let (body, _) = form(&[
        ("MessageSid", "SMok"),
        ("MessageStatus", "failed"),
        ("ErrorCode", "30008"),
    ]);
    let (s, b) = report(
        &app,
        &ok_path,
        &[],
        "application/x-www-form-urlencoded",
        body.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(b["error"]["code"], "FORBIDDEN", "{b}");
    let (s, _) = twilio_callback(
        &app,
        &ok_path,
        &ok_url,
        "not-the-token",
        &[
            ("MessageSid", "SMok"),
            ("MessageStatus", "failed"),
            ("ErrorCode", "30008"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Signed for another request's URL: refused too.
    let (s, _) = twilio_callback(
        &app,
        &ok_path,
        &format!("{PUBLIC}/marketplace/v1/webhooks/twilio/status/{lost_request}"),
        "twilio-token",
        &[("MessageSid", "SMok"), ("MessageStatus", "failed")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        status_of(&app, &ok_customer).await["deliveryStatus"],
        "sent"
    );

    // Twilio says delivered.
    let (s, b) = twilio_callback(
        &app,
        &ok_path,
        &ok_url,
        "twilio-token",
        &[
            ("AccountSid", "AC123"),
            ("MessageSid", "SMok"),
            ("MessageStatus", "delivered"),
            ("To", "+254700000001"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["updated"], 1, "{b}");
    let p = status_of(&app, &ok_customer).await;
    assert_eq!(p["deliveryStatus"], "delivered", "{p}");
    // A late "sent" (or a failure) never takes it back.
    for late in ["sent", "undelivered"] {
        let (s, b) = twilio_callback(
            &app,
            &ok_path,
            &ok_url,
            "twilio-token",
            &[
                ("MessageSid", "SMok"),
                ("MessageStatus", late),
                ("ErrorCode", "30003"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["data"]["updated"], 0, "{b}");
    }
    assert_eq!(
        status_of(&app, &ok_customer).await["deliveryStatus"],
        "delivered"
    );

    // The other one was not delivered: failed, with Twilio's error code.
    let lost_path = format!("/webhooks/twilio/status/{lost_request}");
    let (s, b) = twilio_callback(
        &app,
        &lost_path,
        &format!("{PUBLIC}/marketplace/v1{lost_path}"),
        "twilio-token",
        &[
            ("MessageSid", "SMlost"),
            ("MessageStatus", "undelivered"),
            ("ErrorCode", "30003"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let p = status_of(&app, &lost_customer).await;
    assert_eq!(p["deliveryStatus"], "failed", "{p}");
    assert_eq!(
        p["deliveryError"], "undelivered (Twilio error 30003)",
        "{p}"
    );

    // An unknown request is 404 (after the signature check).
    let nowhere = "/webhooks/twilio/status/000000000000000000000000";
    let (s, _) = twilio_callback(
        &app,
        nowhere,
        &format!("{PUBLIC}/marketplace/v1{nowhere}"),
        "twilio-token",
        &[("MessageSid", "SMx"), ("MessageStatus", "delivered")],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A reminder has its own callback.
    let (s, b) = call(
        &app,
        "POST",
        &format!("/reviews/request/{ok_request}/remind"),
        Some(&ok_customer),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.platform
        .db
        .write(|tx| {
            Ok(tx.execute(
                "UPDATE platform_jobs SET run_at = 0 WHERE kind = 'marketplace.review_request.remind' AND status = 'queued'",
                [],
            )?)
        })
        .await
        .unwrap();
    assert_eq!(
        pending(&app, &ok_customer, "reminderStatus").await["reminderStatus"],
        "sent"
    );
    let reminder_url = format!("{ok_url}/reminder");
    let seen = log.lock().unwrap().clone();
    assert!(
        seen.last().unwrap().body.contains(
            &url::form_urlencoded::byte_serialize(reminder_url.as_bytes()).collect::<String>()
        ),
        "{:?}",
        seen.last()
    );
    let (s, b) = twilio_callback(
        &app,
        &format!("{ok_path}/reminder"),
        &reminder_url,
        "twilio-token",
        &[("MessageSid", "SMok"), ("MessageStatus", "delivered")],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let p = status_of(&app, &ok_customer).await;
    assert_eq!(p["reminderStatus"], "delivered", "{p}");
    assert_eq!(p["deliveryStatus"], "delivered", "{p}");

    let a = analytics(&app).await;
    assert_eq!(a["requests"]["delivered"], 1, "{a}");
    assert_eq!(a["requests"]["sent"], 1, "{a}");
    assert_eq!(a["requests"]["failed"], 1, "{a}");
    assert_eq!(a["requests"]["deliveryRate"], 50.0, "{a}");
}

#[tokio::test]
async fn sms_without_a_public_url_asks_for_no_status_callback() {
    let (base, log) = vendor(|_, _| (201, json!({"sid": "SM1"}))).await;
    let app = TestApp::with_settings(vec![frontline_marketplace::module()], |s| {
        allow_loopback(s);
        s.delivery.twilio_base_url = base.clone();
        s.delivery.twilio_account_sid = Some("AC123".into());
        s.delivery.twilio_auth_token = Some("twilio-token".into());
        s.delivery.twilio_from = Some("+15550001111".into());
    })
    .await;
    let (provider, pricing) = market(&app, "sms").await;
    let (_, customer, _) =
        completed_booking(&app, &provider, &pricing, Some("+254700000001")).await;
    assert_eq!(
        pending(&app, &customer, "deliveryStatus").await["deliveryStatus"],
        "sent"
    );
    let seen = log.lock().unwrap().clone();
    assert!(!seen[0].body.contains("StatusCallback"), "{}", seen[0].body);
}

fn wa_statuses(statuses: Value) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{"field": "messages",
        "value": {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "555"}, "statuses": statuses}}]}]})
    .to_string()
}

async fn wa_report(app: &TestApp, secret: &str, body: String) -> (StatusCode, Value) {
    let sig = frontline_platform::callbacks::meta_signature(secret, body.as_bytes());
    report(
        app,
        "/webhooks/whatsapp/status",
        &[("X-Hub-Signature-256", sig)],
        "application/json",
        body,
    )
    .await
}

#[tokio::test]
async fn whatsapp_status_webhooks_report_delivered_and_failed_review_requests() {
    let (base, log) = vendor(|seen, _| {
        let body = seen.body.as_str();
        let id = if body.contains("254700000001") {
            "wamid.OK"
        } else {
            "wamid.LOST"
        };
        (
            200,
            json!({"messaging_product": "whatsapp", "messages": [{"id": id}]}),
        )
    })
    .await;
    let app = TestApp::with_settings(vec![frontline_marketplace::module()], |s| {
        allow_loopback(s);
        s.delivery.meta_base_url = base.clone();
        s.delivery.whatsapp_token = Some("wa-token".into());
        s.delivery.whatsapp_phone_number_id = Some("555".into());
        s.delivery.whatsapp_app_secret = Some("wa-app-secret".into());
        s.delivery.whatsapp_verify_token = Some("wa-verify".into());
    })
    .await;
    let (provider, pricing) = market(&app, "whatsapp").await;
    let (_, ok_customer, _) =
        completed_booking(&app, &provider, &pricing, Some("+254700000001")).await;
    let (_, lost_customer, _) =
        completed_booking(&app, &provider, &pricing, Some("+254700000002")).await;
    assert_eq!(
        pending(&app, &ok_customer, "deliveryStatus").await["deliveryStatus"],
        "sent"
    );
    assert_eq!(
        pending(&app, &lost_customer, "deliveryStatus").await["deliveryStatus"],
        "sent"
    );
    assert_eq!(log.lock().unwrap().len(), 2);

    // Meta's verification of the webhook URL.
    let r = app
        .client
        .get("/marketplace/v1/webhooks/whatsapp/status")
        .query("hub.mode", &"subscribe")
        .query("hub.verify_token", &"wa-verify")
        .query("hub.challenge", &"1158201444")
        .send()
        .await;
    r.assert_status_is_ok();
    r.assert_text("1158201444").await;
    let r = app
        .client
        .get("/marketplace/v1/webhooks/whatsapp/status")
        .query("hub.mode", &"subscribe")
        .query("hub.verify_token", &"guess")
        .query("hub.challenge", &"1")
        .send()
        .await;
    r.assert_status(StatusCode::FORBIDDEN);

    // Unsigned or wrongly signed reports are refused and change nothing.
    let delivered = wa_statuses(
        json!([{"id": "wamid.OK", "status": "delivered", "timestamp": "1", "recipient_id": "254700000001"}]),
    );
    let (s, b) = report(
        &app,
        "/webhooks/whatsapp/status",
        &[],
        "application/json",
        delivered.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, _) = wa_report(&app, "another-secret", delivered.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        status_of(&app, &ok_customer).await["deliveryStatus"],
        "sent"
    );

    // Read (so delivered) for one, failed for the other.
    let (s, b) = wa_report(
        &app,
        "wa-app-secret",
        wa_statuses(json!([
        {"id": "wamid.OK", "status": "read", "timestamp": "2", "recipient_id": "254700000001"},
        {"id": "wamid.LOST", "status": "failed", "timestamp": "2", "recipient_id": "254700000002",
         "errors": [{"code": 131026, "title": "Message undeliverable"}]},
        {"id": "wamid.SOMEONE_ELSES", "status": "delivered", "timestamp": "2"}])),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["reports"], 3, "{b}");
    assert_eq!(b["data"]["updated"], 2, "{b}");
    assert_eq!(
        status_of(&app, &ok_customer).await["deliveryStatus"],
        "delivered"
    );
    let p = status_of(&app, &lost_customer).await;
    assert_eq!(p["deliveryStatus"], "failed", "{p}");
    assert_eq!(
        p["deliveryError"], "Message undeliverable (WhatsApp error 131026)",
        "{p}"
    );
    // A late "sent" changes nothing.
    let (_, b) = wa_report(
        &app,
        "wa-app-secret",
        wa_statuses(json!([{"id": "wamid.OK", "status": "sent"}])),
    )
    .await;
    assert_eq!(b["data"]["updated"], 0, "{b}");
    assert_eq!(
        status_of(&app, &ok_customer).await["deliveryStatus"],
        "delivered"
    );

    let a = analytics(&app).await;
    assert_eq!(a["requests"]["delivered"], 1, "{a}");
    assert_eq!(a["requests"]["failed"], 1, "{a}");
    assert_eq!(a["requests"]["deliveryRate"], 50.0, "{a}");
}

#[tokio::test]
async fn status_reports_are_refused_when_the_server_cannot_verify_them() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let body = wa_statuses(json!([{"id": "wamid.X", "status": "delivered"}]));
    let (s, b) = wa_report(&app, "anything", body).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("delivery_whatsapp_app_secret"),
        "{b}"
    );
    let path = "/webhooks/twilio/status/000000000000000000000000";
    let (s, b) = twilio_callback(
        &app,
        path,
        "http://x",
        "t",
        &[("MessageStatus", "delivered")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
}
