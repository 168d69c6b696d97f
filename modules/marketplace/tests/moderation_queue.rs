//! Extension `GET /admin/reviews`: the moderation queue by status, newest first, paged.

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};
use support::call;

fn ids(b: &Value) -> Vec<String> {
    b["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no list: {b}"))
        .iter()
        .map(|r| r["reviewId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_queue_lists_reviews_by_moderation_status_newest_first() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let admin = app.admin_token.clone();
    let (_, shop) = support::barber_shop(&app).await;
    let (provider, pricing) = (shop.provider, shop.pricing);

    // Three customers review, one after the other.
    let mut reviews = Vec::new();
    for (i, name) in ["Amina", "Baraka", "Chege"].iter().enumerate() {
        let customer = support::customer(&app, name).await;
        let booking = support::completed_booking(&app, &customer, &provider, &pricing).await;
        let (s, b) = call(
            &app,
            "POST",
            "/reviews",
            Some(&customer),
            Some(json!({"bookingId": booking, "overallRating": i + 2, "title": format!("review {i}"), "pros": ["On time"]})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        reviews.push(b["data"]["reviewId"].as_str().unwrap().to_string());
        // Distinct submission instants.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let newest_first: Vec<String> = reviews.iter().rev().cloned().collect();

    // Everything is pending at first.
    let (s, b) = call(&app, "GET", "/admin/reviews", Some(&admin), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(ids(&b), newest_first);
    assert_eq!(b["metadata"]["total"], 3);
    let first = &b["data"][2];
    assert_eq!(first["moderationStatus"], "pending");
    assert_eq!(first["customerName"], "Amina");
    assert_eq!(first["providerName"], "John's Barbershop");
    assert_eq!(first["title"], "review 0");
    assert_eq!(first["pros"], json!(["On time"]));
    assert_eq!(first["flagged"], false);

    // Flag the oldest, reject the middle one.
    let (s, _) = call(
        &app,
        "PUT",
        &format!("/admin/reviews/{}/moderate", reviews[0]),
        Some(&admin),
        Some(json!({"action": "flag", "reason": "looks fake"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    call(
        &app,
        "PUT",
        &format!("/admin/reviews/{}/moderate", reviews[1]),
        Some(&admin),
        Some(json!({"action": "reject"})),
    )
    .await;

    let (s, b) = call(
        &app,
        "GET",
        "/admin/reviews?status=flagged",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(ids(&b), vec![reviews[0].clone()]);
    assert_eq!(b["data"][0]["flagged"], true);
    assert_eq!(b["data"][0]["moderationReason"], "looks fake");
    assert_eq!(b["metadata"]["total"], 1);
    let (_, b) = call(
        &app,
        "GET",
        "/admin/reviews?status=rejected",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(ids(&b), vec![reviews[1].clone()]);
    let (_, b) = call(
        &app,
        "GET",
        "/admin/reviews?status=pending",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(ids(&b), vec![reviews[2].clone()]);
    let (_, b) = call(
        &app,
        "GET",
        "/admin/reviews?status=approved",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(ids(&b), Vec::<String>::new());
    assert_eq!(b["metadata"]["total"], 0);

    // Paged like the other lists.
    let (_, b) = call(
        &app,
        "GET",
        "/admin/reviews?limit=2&page=2",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(ids(&b), vec![reviews[0].clone()]);
    assert_eq!(b["metadata"]["total"], 3);
    assert_eq!(b["metadata"]["totalPages"], 2);

    // Admins only; an unknown status is refused with the module's error body.
    let customer = app.token_for(&["marketplace:customer"]).await;
    let (s, b) = call(&app, "GET", "/admin/reviews", Some(&customer), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = call(&app, "GET", "/admin/reviews", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    let (s, b) = call(
        &app,
        "GET",
        "/admin/reviews?status=hidden",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["success"], false);
}
