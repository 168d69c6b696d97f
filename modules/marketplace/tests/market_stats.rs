//! Issue 22 #7: market statistics compare like with like (pricing type,
//! currency) and use the experience level.
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let url = format!("/marketplace/v1{path}");
    app.call(method, &url, Some(token), body).await.parts()
}

#[tokio::test]
async fn suggestions_and_analytics_compare_like_with_like() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let admin = app.admin_token.clone();
    let (s, b) = call(
        &app,
        "POST",
        "/service-categories",
        &admin,
        Some(json!({"name": "Barber"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let cat = b["data"]["serviceCategoryId"].as_str().unwrap().to_string();
    // Three flat prices and one hourly rate of 3000/h.
    let mut providers = Vec::new();
    for (i, (kind, price)) in [
        ("flat", 300.0),
        ("flat", 400.0),
        ("flat", 500.0),
        ("hourly", 3000.0),
    ]
    .into_iter()
    .enumerate()
    {
        let tok = app.token_for(&["marketplace:provider"]).await;
        let (s, b) = call(
            &app,
            "PUT",
            "/providers/profile",
            &tok,
            Some(json!({"name": format!("P{i}"),
            "location": {"coordinates": [36.8219, -1.2864], "address": {"city": "Nairobi"}}})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let mut p = json!({"serviceCategoryId": cat, "serviceName": format!("Cut {i}"), "pricingType": kind,
            "currency": "KES", "location": {"coordinates": [36.8219, -1.2864], "address": {"city": "Nairobi"}, "serviceRadius": 10}});
        p[if kind == "flat" {
            "flatRate"
        } else {
            "hourlyRate"
        }] = json!(price);
        let (s, b) = call(&app, "POST", "/providers/pricing", &tok, Some(p)).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        providers.push((
            b["data"]["providerId"].as_str().unwrap().to_string(),
            b["data"]["pricingId"].as_str().unwrap().to_string(),
        ));
    }
    // The 500 provider has 50 completed bookings: expert.
    let (prov, pricing) = providers[2].clone();
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "INSERT INTO marketplace_customers (id, user_id, name, created_at) VALUES ('c1', 'u-c1', 'C', '2026-01-01T00:00:00Z')",
                [],
            )?;
            tx.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
                 INSERT INTO marketplace_bookings (id, customer_id, provider_id, pricing_id, service_type, service_date, price, status, completed_at, created_at)
                 SELECT 'b' || i, 'c1', ?1, ?2, 'cut', '2026-02-01', 500, 'completed', '2026-02-01T10:00:00Z', '2026-01-20T10:00:00Z' FROM n",
                rusqlite::params![prov, pricing],
            )?;
            Ok(())
        })
        .await
        .unwrap();

    let provider = app.token_for(&["marketplace:provider"]).await;
    let get = |q: &'static str| {
        let app = &app;
        let provider = provider.clone();
        let cat = cat.clone();
        async move {
            let path = format!("/providers/pricing/suggestions?serviceCategoryId={cat}{q}");
            let (s, b) = call(app, "GET", &path, &provider, None).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            b["data"].clone()
        }
    };
    let d = get("").await;
    assert_eq!(d["pricingType"], "flat", "{d}");
    assert_eq!(d["unit"], "service");
    assert_eq!(d["sampleSize"], 3);
    assert_eq!(d["statistics"]["averagePrice"], 400.0);
    assert_eq!(d["statistics"]["maximumPrice"], 500.0);
    assert_eq!(d["otherPricingTypes"][0]["pricingType"], "hourly");
    assert_eq!(d["otherPricingTypes"][0]["sampleSize"], 1);
    let h = get("&pricingType=hourly").await;
    assert_eq!(h["sampleSize"], 1);
    assert_eq!(h["unit"], "hour");
    assert_eq!(h["statistics"]["averagePrice"], 3000.0);

    // The experience level changes the figures.
    let new = get("&experienceLevel=new").await;
    let expert = get("&experienceLevel=expert").await;
    let (rn, re) = (
        new["forExperienceLevel"]["recommended"].as_f64().unwrap(),
        expert["forExperienceLevel"]["recommended"]
            .as_f64()
            .unwrap(),
    );
    assert!(rn < re, "{new} {expert}");
    assert_eq!(expert["forExperienceLevel"]["peerSampleSize"], 1);
    assert_eq!(expert["forExperienceLevel"]["peerAveragePrice"], 500.0);
    assert_eq!(new["forExperienceLevel"]["peerSampleSize"], 2);
    let (s, _) = call(
        &app,
        "GET",
        &format!("/providers/pricing/suggestions?serviceCategoryId={cat}&pricingType=weekly"),
        &provider,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Analytics: the overview's average is the flat prices', named as such.
    let (s, a) = call(
        &app,
        "GET",
        &format!("/analytics/pricing?serviceCategoryId={cat}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["data"]["overview"]["averagePrice"], 400.0, "{a}");
    assert_eq!(a["data"]["overview"]["averagePriceType"], "flat");
}
