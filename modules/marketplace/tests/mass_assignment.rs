//! Mass assignment: server-owned fields smuggled into marketplace bodies
//! (review moderation and votes, the reviewed provider, provider ratings,
//! booking status and price, pricing owner, campaign status) are not taken.

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};
use support::call;

async fn one<T: rusqlite::types::FromSql + Send + 'static>(
    app: &TestApp,
    sql: &'static str,
    id: &str,
) -> T {
    let id = id.to_string();
    app.platform
        .db
        .read(move |c| Ok(c.query_row(sql, [&id], |r| r.get::<_, T>(0))?))
        .await
        .expect("row")
}

struct World {
    app: TestApp,
    category: String,
    provider: String,
    provider_id: String,
    other_provider_id: String,
    pricing: String,
    customer: String,
    customer_id: String,
}

async fn world() -> World {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let category = support::barber_category(&app).await;
    let provider = app.token_for(&["marketplace:provider"]).await;
    let other = app.token_for(&["marketplace:provider"]).await;
    let (st, b) = call(
        &app,
        "PUT",
        "/providers/profile",
        Some(&provider),
        Some(json!({"name": "John's Barbershop", "location": {"coordinates": [36.8219, -1.2864]}})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let provider_id = b["data"]["providerId"].as_str().unwrap().to_string();
    let (_, b) = call(
        &app,
        "PUT",
        "/providers/profile",
        Some(&other),
        Some(json!({"name": "Rival Cuts"})),
    )
    .await;
    let other_provider_id = b["data"]["providerId"].as_str().unwrap().to_string();
    let (st, b) = call(
        &app,
        "POST",
        "/providers/pricing",
        Some(&provider),
        Some(json!({"serviceCategoryId": category, "serviceName": "Men's Haircut", "pricingType": "flat", "flatRate": 500})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let pricing = b["data"]["pricingId"].as_str().unwrap().to_string();
    let customer = app.token_for(&["marketplace:customer"]).await;
    let (_, b) = call(
        &app,
        "PUT",
        "/customers/profile",
        Some(&customer),
        Some(json!({"name": "Muent Kamau"})),
    )
    .await;
    let customer_id = b["data"]["customerId"].as_str().unwrap().to_string();
    World {
        app,
        category,
        provider,
        provider_id,
        other_provider_id,
        pricing,
        customer,
        customer_id,
    }
}

impl World {
    async fn completed_booking(&self, extra: Value) -> String {
        let mut body =
            json!({"servicePricingId": self.pricing, "serviceDate": "2026-01-15T14:00:00Z"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (st, b) = call(
            &self.app,
            "POST",
            "/bookings",
            Some(&self.customer),
            Some(body),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        let id = b["data"]["bookingId"].as_str().unwrap().to_string();
        let (st, b) = call(
            &self.app,
            "PUT",
            &format!("/bookings/{id}/status"),
            Some(&self.provider),
            Some(json!({"status": "completed"})),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        id
    }
}

#[tokio::test]
async fn review_body_cannot_set_moderation_votes_verification_or_provider() {
    let w = world().await;
    let app = &w.app;
    let booking = w.completed_booking(json!({})).await;
    let (st, b) = call(
        app,
        "POST",
        "/reviews",
        Some(&w.customer),
        Some(json!({
            "bookingId": booking, "overallRating": 5, "title": "Great", "comment": "Very professional.",
            "providerId": w.other_provider_id, "customerId": "someone-else",
            "moderationStatus": "approved", "moderation_status": "approved", "status": "published",
            "helpfulCount": 999, "helpfulVotes": 999, "notHelpfulVotes": 0, "verified": true, "flagged": false,
            "providerResponse": {"response": "Thanks!"}, "reviewId": "rev-hijacked",
            "incentive": {"amount": 100000, "code": "FREE-EVERYTHING"}, "submittedAt": "2000-01-01T00:00:00Z"
        })),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["data"]["reviewId"].as_str().unwrap().to_string();
    assert_ne!(id, "rev-hijacked");
    assert_eq!(b["data"]["providerId"], w.provider_id.as_str(), "{b}");
    assert_eq!(
        b["data"]["incentive"]["amount"].as_f64(),
        Some(100.0),
        "{b}"
    );
    assert_ne!(b["data"]["incentive"]["code"], "FREE-EVERYTHING");

    let moderation: String = one(
        app,
        "SELECT moderation_status FROM marketplace_reviews WHERE id = ?1",
        &id,
    )
    .await;
    let votes: i64 = one(
        app,
        "SELECT helpful_votes FROM marketplace_reviews WHERE id = ?1",
        &id,
    )
    .await;
    let provider: String = one(
        app,
        "SELECT provider_id FROM marketplace_reviews WHERE id = ?1",
        &id,
    )
    .await;
    let customer: String = one(
        app,
        "SELECT customer_id FROM marketplace_reviews WHERE id = ?1",
        &id,
    )
    .await;
    let response: Option<String> = one(
        app,
        "SELECT response FROM marketplace_reviews WHERE id = ?1",
        &id,
    )
    .await;
    assert_eq!(moderation, "pending");
    assert_eq!(votes, 0);
    assert_eq!(provider, w.provider_id);
    assert_eq!(customer, w.customer_id);
    assert!(response.is_none());

    // Read back through the API: the review counts for its booking's provider only.
    let (st, b) = call(
        app,
        "GET",
        &format!("/providers/{}/reviews", w.provider_id),
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let r = &b["data"]["reviews"][0];
    assert_eq!(r["reviewId"], id.as_str(), "{b}");
    assert_eq!(
        (r["helpfulVotes"].as_i64(), r["notHelpfulVotes"].as_i64()),
        (Some(0), Some(0)),
        "{b}"
    );
    assert!(r["providerResponse"].is_null(), "{b}");
    assert_ne!(r["submittedAt"], "2000-01-01T00:00:00Z");
    let (st, b) = call(
        app,
        "GET",
        &format!("/providers/{}/reviews", w.other_provider_id),
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["reviews"], json!([]), "{b}");
    assert_eq!(b["data"]["provider"]["totalReviews"], 0, "{b}");
    let (_, b) = call(
        app,
        "GET",
        &format!("/providers/{}", w.other_provider_id),
        None,
        None,
    )
    .await;
    assert_eq!(b["data"]["rating"]["count"], 0, "{b}");
}

#[tokio::test]
async fn provider_profile_rating_is_computed_not_written() {
    let w = world().await;
    let app = &w.app;
    let (st, b) = call(
        app,
        "PUT",
        "/providers/profile",
        Some(&w.provider),
        Some(json!({
            "name": "John's Barbershop", "providerId": w.other_provider_id,
            "rating": {"average": 5.0, "count": 1000}, "rating_avg": 5.0, "ratingAvg": 5.0,
            "reviewCount": 1000, "rating_count": 1000, "averageRating": 5.0, "totalReviews": 1000,
            "createdAt": "2000-01-01T00:00:00Z", "userId": "someone-else"
        })),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["providerId"], w.provider_id.as_str(), "{b}");
    let (_, b) = call(
        app,
        "GET",
        &format!("/providers/{}", w.provider_id),
        None,
        None,
    )
    .await;
    assert_eq!(
        b["data"]["rating"],
        json!({"average": 0.0, "count": 0}),
        "{b}"
    );
    assert_ne!(b["data"]["createdAt"], "2000-01-01T00:00:00Z");
    let count: i64 = one(
        app,
        "SELECT rating_count FROM marketplace_providers WHERE id = ?1",
        &w.provider_id,
    )
    .await;
    let avg: f64 = one(
        app,
        "SELECT rating_avg FROM marketplace_providers WHERE id = ?1",
        &w.provider_id,
    )
    .await;
    assert_eq!((count, avg), (0, 0.0));
    // The rival's profile is untouched and still its own.
    let (_, b) = call(
        app,
        "GET",
        &format!("/providers/{}", w.other_provider_id),
        None,
        None,
    )
    .await;
    assert_eq!(b["data"]["providerName"], "Rival Cuts", "{b}");

    // After one real 4-star review the rating is exactly that.
    let booking = w.completed_booking(json!({})).await;
    let (st, b) = call(
        app,
        "POST",
        "/reviews",
        Some(&w.customer),
        Some(json!({"bookingId": booking, "overallRating": 4})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (_, b) = call(
        app,
        "GET",
        &format!("/providers/{}", w.provider_id),
        None,
        None,
    )
    .await;
    assert_eq!(
        b["data"]["rating"],
        json!({"average": 4.0, "count": 1}),
        "{b}"
    );
}

#[tokio::test]
async fn booking_pricing_and_campaign_bodies_keep_server_values() {
    let w = world().await;
    let app = &w.app;
    // A booking cannot be created completed, cheaper, or for another customer.
    let (st, b) = call(
        app,
        "POST",
        "/bookings",
        Some(&w.customer),
        Some(json!({
            "servicePricingId": w.pricing, "serviceDate": "2026-01-15T14:00:00Z",
            "status": "completed", "price": 1, "finalPrice": 1, "customerId": "someone-else",
            "providerId": w.other_provider_id, "completedAt": "2026-01-15T15:00:00Z"
        })),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let booking = b["data"]["bookingId"].as_str().unwrap().to_string();
    let status: String = one(
        app,
        "SELECT status FROM marketplace_bookings WHERE id = ?1",
        &booking,
    )
    .await;
    let price: f64 = one(
        app,
        "SELECT price FROM marketplace_bookings WHERE id = ?1",
        &booking,
    )
    .await;
    let customer: String = one(
        app,
        "SELECT customer_id FROM marketplace_bookings WHERE id = ?1",
        &booking,
    )
    .await;
    let provider: String = one(
        app,
        "SELECT provider_id FROM marketplace_bookings WHERE id = ?1",
        &booking,
    )
    .await;
    let completed: Option<String> = one(
        app,
        "SELECT completed_at FROM marketplace_bookings WHERE id = ?1",
        &booking,
    )
    .await;
    assert_ne!(status, "completed");
    assert_eq!(price, 500.0);
    assert_eq!(
        (customer.as_str(), provider.as_str()),
        (w.customer_id.as_str(), w.provider_id.as_str())
    );
    assert!(completed.is_none());
    // So it cannot be reviewed yet.
    let (st, _) = call(
        app,
        "POST",
        "/reviews",
        Some(&w.customer),
        Some(json!({"bookingId": booking, "overallRating": 5})),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // Pricing is created for the caller's provider, whatever providerId says.
    let (st, b) = call(
        app,
        "POST",
        "/providers/pricing",
        Some(&w.provider),
        Some(json!({
            "serviceCategoryId": w.category, "serviceName": "Beard Trim", "pricingType": "flat", "flatRate": 300,
            "providerId": w.other_provider_id, "version": 42, "pricingId": "hijacked"
        })),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let pricing = b["data"]["pricingId"].as_str().unwrap().to_string();
    assert_ne!(pricing, "hijacked");
    let owner: String = one(
        app,
        "SELECT provider_id FROM marketplace_pricing WHERE id = ?1",
        &pricing,
    )
    .await;
    let version: i64 = one(
        app,
        "SELECT version FROM marketplace_pricing WHERE id = ?1",
        &pricing,
    )
    .await;
    assert_eq!((owner.as_str(), version), (w.provider_id.as_str(), 1));

    // A campaign starts as a draft even when the body says active.
    let (st, b) = call(
        app,
        "POST",
        "/admin/campaigns",
        Some(&app.admin_token),
        Some(json!({
            "name": "Timing Test", "experiment": {"type": "timing"}, "status": "active", "createdBy": "someone-else",
            "variants": [
                {"variantId": "a", "name": "now", "config": {"delay": 0, "unit": "minutes"}, "trafficAllocation": 50},
                {"variantId": "b", "name": "later", "config": {"delay": 2, "unit": "hours"}, "trafficAllocation": 50}
            ],
            "startDate": "2020-01-01T00:00:00Z", "endDate": "2099-01-01T00:00:00Z"
        })),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(b["data"]["status"], "draft", "{b}");
    let campaign = b["data"]["campaignId"].as_str().unwrap().to_string();
    let status: String = one(
        app,
        "SELECT status FROM marketplace_campaigns WHERE id = ?1",
        &campaign,
    )
    .await;
    let by: String = one(
        app,
        "SELECT created_by FROM marketplace_campaigns WHERE id = ?1",
        &campaign,
    )
    .await;
    assert_eq!(status, "draft");
    assert_ne!(by, "someone-else");

    // Customers cannot moderate their own review by any route.
    let booking = w.completed_booking(json!({})).await;
    let (_, b) = call(
        app,
        "POST",
        "/reviews",
        Some(&w.customer),
        Some(json!({"bookingId": booking, "overallRating": 5})),
    )
    .await;
    let review = b["data"]["reviewId"].as_str().unwrap().to_string();
    let (st, _) = call(
        app,
        "PUT",
        &format!("/admin/reviews/{review}/moderate"),
        Some(&w.customer),
        Some(json!({"action": "approve"})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let moderation: String = one(
        app,
        "SELECT moderation_status FROM marketplace_reviews WHERE id = ?1",
        &review,
    )
    .await;
    assert_eq!(moderation, "pending");
}

#[tokio::test]
async fn vote_bodies_cannot_set_counts() {
    let w = world().await;
    let app = &w.app;
    let booking = w.completed_booking(json!({})).await;
    let (_, b) = call(
        app,
        "POST",
        "/reviews",
        Some(&w.customer),
        Some(json!({"bookingId": booking, "overallRating": 5})),
    )
    .await;
    let review = b["data"]["reviewId"].as_str().unwrap().to_string();
    let voter = app.token_for(&["marketplace:customer"]).await;
    for _ in 0..3 {
        let (st, b) = call(
            app,
            "POST",
            &format!("/reviews/{review}/helpful"),
            Some(&voter),
            Some(
                json!({"vote": "helpful", "helpfulVotes": 1000, "helpfulCount": 1000, "count": 1000,
                        "notHelpfulVotes": -5, "userId": "someone-else"}),
            ),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert_eq!(
            (
                b["data"]["helpfulVotes"].as_i64(),
                b["data"]["notHelpfulVotes"].as_i64()
            ),
            (Some(1), Some(0)),
            "{b}"
        );
    }
    let votes: i64 = one(
        app,
        "SELECT helpful_votes FROM marketplace_reviews WHERE id = ?1",
        &review,
    )
    .await;
    assert_eq!(votes, 1);
}
