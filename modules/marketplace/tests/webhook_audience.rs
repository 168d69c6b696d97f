//! Webhooks only carry events about the subscriber's own resources (issue 22
//! #1), and point at public addresses only (issue 23 #3).

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};
use support::call;

async fn subscribe(app: &TestApp, token: &str, events: &[&str]) -> String {
    let (st, b) = call(
        app,
        "POST",
        "/webhooks",
        Some(token),
        Some(json!({"url": "https://hooks.example.com/x", "events": events})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    b["data"]["id"].as_str().unwrap().to_string()
}

/// Event types queued for subscription `hook`.
async fn delivered(app: &TestApp, hook: &str) -> Vec<(String, Value)> {
    let hook = hook.to_string();
    app.platform
        .db
        .read(move |c| {
            let mut st = c.prepare(
                "SELECT e.event_type, e.payload FROM platform_webhook_deliveries d
                 JOIN platform_events e ON e.id = d.event_id WHERE d.webhook_id = ?1 ORDER BY d.id",
            )?;
            let rows = st.query_map([hook], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            Ok(rows
                .map(|r| r.map(|(t, p)| (t, serde_json::from_str(&p).unwrap())))
                .collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap()
}

struct Party {
    token: String,
    pricing: String,
}

async fn provider(app: &TestApp, cat: &str, name: &str) -> Party {
    let token = app.token_for(&["marketplace:provider"]).await;
    let (st, b) = call(
        app,
        "PUT",
        "/providers/profile",
        Some(&token),
        Some(json!({"name": name})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, b) = call(
        app,
        "POST",
        "/providers/pricing",
        Some(&token),
        Some(json!({"serviceCategoryId": cat, "serviceName": "Haircut", "pricingType": "flat", "flatRate": 500})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    Party {
        token,
        pricing: b["data"]["pricingId"].as_str().unwrap().to_string(),
    }
}

/// A customer books `p`'s service, the provider completes it, the customer reviews it.
async fn review(app: &TestApp, customer: &str, p: &Party) -> String {
    let (st, b) = call(
        app,
        "POST",
        "/bookings",
        Some(customer),
        Some(json!({"servicePricingId": p.pricing, "serviceDate": "2026-01-15T14:00:00Z"})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let booking = b["data"]["bookingId"].as_str().unwrap().to_string();
    let (st, b) = call(
        app,
        "PUT",
        &format!("/bookings/{booking}/status"),
        Some(&p.token),
        Some(json!({"status": "completed"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, b) = call(
        app,
        "POST",
        "/reviews",
        Some(customer),
        Some(json!({"bookingId": booking, "overallRating": 5, "title": "Great"})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    booking
}

#[tokio::test]
async fn events_reach_only_the_parties_and_admins() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let admin = app.admin_token.clone();
    let (_, b) = call(
        &app,
        "POST",
        "/service-categories",
        Some(&admin),
        Some(json!({"name": "Barber"})),
    )
    .await;
    let cat = b["data"]["serviceCategoryId"].as_str().unwrap().to_string();
    let pa = provider(&app, &cat, "Provider A").await;
    let pb = provider(&app, &cat, "Provider B").await;
    let ca = app.token_for(&["marketplace:customer"]).await;
    let cb = app.token_for(&["marketplace:customer"]).await;
    let all = ["review.created", "pricing.updated"];
    let hook_pa = subscribe(&app, &pa.token, &all).await;
    let hook_pb = subscribe(&app, &pb.token, &all).await;
    let hook_ca = subscribe(&app, &ca, &all).await;
    let hook_cb = subscribe(&app, &cb, &all).await;
    let hook_admin = subscribe(&app, &admin, &all).await;

    // Customer A reviews provider A's service.
    let booking = review(&app, &ca, &pa).await;
    // Provider A changes its price.
    let (st, b) = call(
        &app,
        "PUT",
        &format!("/providers/pricing/{}", pa.pricing),
        Some(&pa.token),
        Some(json!({"flatRate": 650, "reason": "secret margin plan"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");

    let types = |v: Vec<(String, Value)>| v.into_iter().map(|(t, _)| t).collect::<Vec<_>>();
    let got_ca = delivered(&app, &hook_ca).await;
    assert_eq!(types(got_ca.clone()), vec!["review.created"]);
    assert_eq!(got_ca[0].1["bookingId"], booking.as_str());
    assert_eq!(
        types(delivered(&app, &hook_pa).await),
        vec!["review.created", "pricing.updated"]
    );
    assert_eq!(
        types(delivered(&app, &hook_admin).await),
        vec!["review.created", "pricing.updated"]
    );
    // The other customer and the other provider receive nothing of it.
    assert_eq!(delivered(&app, &hook_cb).await, vec![]);
    assert_eq!(delivered(&app, &hook_pb).await, vec![]);

    // And the other way round: B's review reaches B's parties only.
    review(&app, &cb, &pb).await;
    assert_eq!(
        types(delivered(&app, &hook_cb).await),
        vec!["review.created"]
    );
    assert_eq!(
        types(delivered(&app, &hook_pb).await),
        vec!["review.created"]
    );
    assert_eq!(delivered(&app, &hook_ca).await.len(), 1);
    assert_eq!(delivered(&app, &hook_pa).await.len(), 2);
    assert_eq!(delivered(&app, &hook_admin).await.len(), 3);
}

#[tokio::test]
async fn webhooks_to_non_public_addresses_are_refused() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let customer = app.token_for(&["marketplace:customer"]).await;
    for url in [
        "http://127.0.0.1:9000/hook",
        "http://0.0.0.0:9000/hook",
        "http://10.0.0.7/hook",
        "http://192.168.1.10/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[::a9fe:a9fe]/hook",
        "http://169.254.169.254/latest/meta-data",
    ] {
        let (st, b) = call(
            &app,
            "POST",
            "/webhooks",
            Some(&customer),
            Some(json!({"url": url, "events": ["review.created"]})),
        )
        .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{url}: {b}");
        assert!(b.to_string().contains("not a public address"), "{url}: {b}");
    }
    let (_, list) = call(&app, "GET", "/webhooks", Some(&customer), None).await;
    assert_eq!(list["data"], json!([]), "{list}");
}
