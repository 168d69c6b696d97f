//! Issue 22 point 6: every documented experiment type changes what its arm's
//! customers receive (the reward, the request's text), and results are per arm.

mod support;

use std::collections::BTreeMap;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};
use support::call;

struct Market {
    app: TestApp,
    provider: String,
    pricing: String,
    cat: String,
}

async fn market() -> Market {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let (cat, shop) = support::barber_shop(&app).await;
    let (provider, pricing) = (shop.provider, shop.pricing);
    Market {
        app,
        provider,
        pricing,
        cat,
    }
}

/// Creates and activates a campaign; answers its id.
async fn campaign(m: &Market, kind: &str, variants: Value) -> String {
    let admin = m.app.admin_token.clone();
    let (s, b) = call(
        &m.app,
        "POST",
        "/admin/campaigns",
        Some(&admin),
        Some(json!({
            "name": format!("{kind} test"), "experiment": {"type": kind},
            "variants": variants,
            "targeting": {"serviceCategories": [m.cat], "sampleSize": 100},
            "startDate": "2020-01-01T00:00:00Z", "endDate": "2099-01-01T00:00:00Z"
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["data"]["campaignId"].as_str().unwrap().to_string();
    let (s, _) = call(
        &m.app,
        "PUT",
        &format!("/admin/campaigns/{id}/status"),
        Some(&admin),
        Some(json!({"status": "active"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    id
}

/// Customers book and complete until each arm has one; answers arm -> (customer, booking).
async fn one_customer_per_arm(m: &Market, arms: usize) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for _ in 0..40 {
        let customer = m.app.token_for(&["marketplace:customer"]).await;
        call(
            &m.app,
            "PUT",
            "/customers/profile",
            Some(&customer),
            Some(json!({"name": "Muent Kamau"})),
        )
        .await;
        let (s, b) = call(
            &m.app,
            "POST",
            "/bookings",
            Some(&customer),
            Some(json!({"servicePricingId": m.pricing, "serviceDate": "2026-01-15T14:00:00Z"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let booking = b["data"]["bookingId"].as_str().unwrap().to_string();
        let (s, b) = call(
            &m.app,
            "PUT",
            &format!("/bookings/{booking}/status"),
            Some(&m.provider),
            Some(json!({"status": "completed"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let arm = b["data"]["reviewRequest"]["variantId"]
            .as_str()
            .unwrap_or_else(|| panic!("no arm: {b}"))
            .to_string();
        out.entry(arm).or_insert((customer, booking));
        if out.len() == arms {
            return out;
        }
    }
    panic!("40 customers did not fill {arms} arms: {:?}", out.keys());
}

async fn pending_for(m: &Market, customer: &str) -> Value {
    for _ in 0..50 {
        m.app
            .platform
            .jobs
            .run_pending(&m.app.platform)
            .await
            .unwrap();
        let (_, b) = call(
            &m.app,
            "GET",
            "/customers/reviews/pending",
            Some(customer),
            None,
        )
        .await;
        if b["metadata"]["total"] == 1 {
            return b["data"][0].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the request was never delivered");
}

async fn review(m: &Market, customer: &str, booking: &str) -> Value {
    let (s, b) = call(
        &m.app,
        "POST",
        "/reviews",
        Some(customer),
        Some(json!({"bookingId": booking, "overallRating": 5})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["data"].clone()
}

#[tokio::test]
async fn incentive_arms_give_their_own_reward_and_results_are_per_arm() {
    let m = market().await;
    let id = campaign(
        &m,
        "incentive",
        json!([
            {"variantId": "points", "name": "100 points", "config": {"delay": 0, "unit": "minutes", "incentive": "points_100"}, "trafficAllocation": 50},
            {"variantId": "big", "name": "KES 200", "config": {"delay": 0, "unit": "minutes", "incentive": "discount_200"}, "trafficAllocation": 50}
        ]),
    )
    .await;
    let arms = one_customer_per_arm(&m, 2).await;

    let (c, bk) = &arms["points"];
    assert_eq!(pending_for(&m, c).await["incentiveType"], "points_100");
    let r = review(&m, c, bk).await;
    assert_eq!(r["incentive"]["type"], "points_100", "{r}");
    assert_eq!(r["incentive"]["amount"], 100.0);
    assert!(r["incentive"]["code"]
        .as_str()
        .unwrap()
        .starts_with("POINTS100-"));
    // The points are worth KES 1 each on the next booking.
    let code = r["incentive"]["code"].as_str().unwrap().to_string();
    let (s, b) = call(
        &m.app,
        "POST",
        "/bookings",
        Some(c),
        Some(json!({"servicePricingId": m.pricing, "serviceDate": "2026-02-15T14:00:00Z", "incentiveCode": code})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["data"]["price"], 400.0, "{b}");

    let (c, bk) = &arms["big"];
    assert_eq!(pending_for(&m, c).await["incentiveType"], "discount_200");
    let r = review(&m, c, bk).await;
    assert_eq!(r["incentive"]["type"], "discount_200", "{r}");
    assert_eq!(r["incentive"]["amount"], 200.0);
    assert_eq!(
        r["incentive"]["description"],
        "KES 200 off your next booking"
    );

    let (s, b) = call(
        &m.app,
        "GET",
        &format!("/admin/campaigns/{id}/results"),
        Some(&m.app.admin_token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let per: BTreeMap<String, Value> = b["data"]["results"]["variantResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["variantId"].as_str().unwrap().to_string(), v.clone()))
        .collect();
    assert_eq!(per["points"]["config"]["incentive"], "points_100", "{b}");
    assert_eq!(per["big"]["config"]["incentive"], "discount_200", "{b}");
    assert_eq!(per["points"]["responses"], 1, "{b}");
    assert_eq!(per["big"]["responses"], 1, "{b}");
    assert_eq!(per["points"]["incentivesClaimed"], 1, "{b}");
    assert_eq!(per["big"]["incentivesClaimed"], 0, "{b}");
}

#[tokio::test]
async fn message_arms_send_their_own_text() {
    let m = market().await;
    campaign(
        &m,
        "message",
        json!([
            {"variantId": "short", "name": "short", "config": {"delay": 0, "unit": "minutes", "message": "Rate {provider} in 10 seconds!"}, "trafficAllocation": 50},
            {"variantId": "warm", "name": "warm", "config": {"delay": 0, "unit": "minutes", "message": "We hope you loved your {service}. Tell others about it?"}, "trafficAllocation": 50}
        ]),
    )
    .await;
    let arms = one_customer_per_arm(&m, 2).await;
    let p = pending_for(&m, &arms["short"].0).await;
    assert_eq!(p["message"], "Rate John's Barbershop in 10 seconds!", "{p}");
    assert_eq!(p["incentiveType"], "discount_100");
    let p = pending_for(&m, &arms["warm"].0).await;
    assert_eq!(
        p["message"], "We hope you loved your Men's Haircut. Tell others about it?",
        "{p}"
    );
    // Outside an arm's text, the default names the reward.
    let r = review(&m, &arms["warm"].0, &arms["warm"].1).await;
    assert_eq!(r["incentive"]["type"], "discount_100");
}

#[tokio::test]
async fn each_experiment_type_needs_its_setting_in_every_arm() {
    let m = market().await;
    let admin = m.app.admin_token.clone();
    for (kind, field, config) in [
        ("incentive", "incentive", json!({"delay": 0})),
        ("message", "message", json!({"incentive": "points_50"})),
        ("channel", "channel", json!({"message": "hi"})),
        ("timing", "delay", json!({"channel": "sms"})),
    ] {
        let (s, b) = call(
            &m.app,
            "POST",
            "/admin/campaigns",
            Some(&admin),
            Some(json!({
                "name": "x", "experiment": {"type": kind},
                "variants": [
                    {"variantId": "a", "name": "a", "config": config, "trafficAllocation": 50},
                    {"variantId": "b", "name": "b", "config": config, "trafficAllocation": 50}
                ],
                "startDate": "2020-01-01T00:00:00Z", "endDate": "2099-01-01T00:00:00Z"
            })),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{kind}: {b}");
        let fields = b.to_string();
        assert!(
            fields.contains(&format!("variants[0].config.{field}")),
            "{kind}: {b}"
        );
    }
    let (s, b) = call(&m.app, "POST", "/admin/campaigns", Some(&admin), Some(json!({
        "name": "x", "experiment": {"type": "incentive"},
        "variants": [
            {"variantId": "a", "name": "a", "config": {"incentive": "points_1000"}, "trafficAllocation": 50},
            {"variantId": "b", "name": "b", "config": {"incentive": "points_50"}, "trafficAllocation": 50}
        ],
        "startDate": "2020-01-01T00:00:00Z", "endDate": "2099-01-01T00:00:00Z"
    })))
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
}
