//! Excessive data exposure: webhook secrets come back only in the create
//! answer; public review listings carry no reward codes or account ids; the
//! audit log holds neither.

mod support;

use frontline_platform::testing::{assert_absent, TestApp};
use poem::http::StatusCode;
use serde_json::json;
use support::call;

#[tokio::test]
async fn webhook_secret_only_in_the_create_answer() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let provider = app.token_for(&["marketplace:provider"]).await;
    let secret = "mkt-webhook-secret-0123456789abcdef";
    let (st, b) = call(
        &app,
        "POST",
        "/webhooks",
        Some(&provider),
        Some(json!({"url": "https://hooks.example.com/mkt", "events": ["review.created"], "secret": secret})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(b["data"]["secret"], secret);
    let (st, b) = call(
        &app,
        "POST",
        "/webhooks",
        Some(&provider),
        Some(json!({"url": "https://hooks.example.com/gen", "events": ["pricing.updated"]})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let generated = b["data"]["secret"].as_str().unwrap().to_string();

    let (st, list) = call(&app, "GET", "/webhooks", Some(&provider), None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["data"].as_array().map(Vec::len), Some(2), "{list}");
    for needle in [secret, generated.as_str(), "secret"] {
        assert_absent(&list, needle, "GET /webhooks");
    }
    // Another account sees none of them.
    let other = app.token_for(&["marketplace:provider"]).await;
    let (_, list) = call(&app, "GET", "/webhooks", Some(&other), None).await;
    assert_eq!(list["data"], json!([]), "{list}");

    for row in app.audit_rows().await {
        assert!(
            !row.contains(secret) && !row.contains(&generated),
            "audit entry holds the secret: {row}"
        );
    }
    let (st, audit) = app
        .call("GET", "/auth/audit", Some(&app.admin_token), None)
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{audit}");
    assert_absent(&audit, secret, "GET /auth/audit");
    assert_absent(&audit, &generated, "GET /auth/audit");
}

#[tokio::test]
async fn public_reviews_hide_reward_codes_and_account_ids() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let cat = support::barber_category(&app).await;
    let (provider_user, provider) = app.user_with(&["marketplace:provider"]).await;
    let (_, b) = call(
        &app,
        "PUT",
        "/providers/profile",
        Some(&provider),
        Some(json!({"name": "John's Barbershop"})),
    )
    .await;
    let prov = b["data"]["providerId"].as_str().unwrap().to_string();
    let (_, b) = call(
        &app,
        "POST",
        "/providers/pricing",
        Some(&provider),
        Some(json!({"serviceCategoryId": cat, "serviceName": "Haircut", "pricingType": "flat", "flatRate": 500})),
    )
    .await;
    let pricing = b["data"]["pricingId"].as_str().unwrap().to_string();
    let (customer_user, customer) = app.user_with(&["marketplace:customer"]).await;
    call(
        &app,
        "PUT",
        "/customers/profile",
        Some(&customer),
        Some(json!({"name": "Muent Kamau"})),
    )
    .await;
    let booking = support::completed_booking(&app, &customer, &provider, &pricing).await;
    let (st, b) = call(
        &app,
        "POST",
        "/reviews",
        Some(&customer),
        Some(json!({"bookingId": booking, "overallRating": 5, "title": "Great"})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let code = b["data"]["incentive"]["code"].as_str().unwrap().to_string();

    let answers = [
        call(
            &app,
            "GET",
            &format!("/providers/{prov}/reviews"),
            None,
            None,
        )
        .await,
        call(
            &app,
            "GET",
            &format!("/providers/{prov}/reviews"),
            Some(&provider),
            None,
        )
        .await,
        call(&app, "GET", &format!("/providers/{prov}"), None, None).await,
        call(&app, "GET", "/analytics/reviews", Some(&provider), None).await,
    ];
    for (st, body) in answers {
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_absent(&body, &code, "a public or provider answer");
        assert_absent(&body, &customer_user, "a public or provider answer");
        assert_absent(&body, &provider_user, "a public or provider answer");
        assert_absent(&body, "@test.local", "a public or provider answer");
        assert_absent(&body, "password", "a public or provider answer");
    }
    // The customer's own listing is where the code lives.
    let (st, mine) = call(&app, "GET", "/customers/reviews", Some(&customer), None).await;
    assert_eq!(st, StatusCode::OK, "{mine}");
    for row in app.audit_rows().await {
        assert!(
            !row.contains(&code),
            "audit entry holds the reward code: {row}"
        );
    }
}
