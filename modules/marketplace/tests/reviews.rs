mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};
use support::call;

#[tokio::test]
async fn booking_review_request_review_response_votes_moderation_and_campaign() {
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
    let provider = app.token_for(&["marketplace:provider"]).await;
    let customer = app.token_for(&["marketplace:customer"]).await;
    let stranger = app.token_for(&["marketplace:customer"]).await;
    let (_, b) = call(
        &app,
        "PUT",
        "/providers/profile",
        Some(&provider),
        Some(json!({"name": "John's Barbershop", "location": {"coordinates": [36.8219, -1.2864]}})),
    )
    .await;
    let prov = b["data"]["providerId"].as_str().unwrap().to_string();
    let (_, b) = call(&app, "POST", "/providers/pricing", Some(&provider), Some(json!({"serviceCategoryId": cat, "serviceName": "Men's Haircut", "pricingType": "flat", "flatRate": 500}))).await;
    let pricing = b["data"]["pricingId"].as_str().unwrap().to_string();
    call(
        &app,
        "PUT",
        "/customers/profile",
        Some(&customer),
        Some(json!({"name": "Muent Kamau"})),
    )
    .await;

    // An active campaign with immediate delivery for both arms.
    let (s, b) = call(&app, "POST", "/admin/campaigns", Some(&admin), Some(json!({
        "name": "Timing Test", "experiment": {"type": "timing"},
        "variants": [
            {"variantId": "timing_a", "name": "now", "config": {"delay": 0, "unit": "minutes"}, "trafficAllocation": 50},
            {"variantId": "timing_b", "name": "also now", "config": {"delay": 0, "unit": "minutes", "channel": "sms"}, "trafficAllocation": 50}
        ],
        "targeting": {"serviceCategories": [cat], "sampleSize": 100},
        "startDate": "2020-01-01T00:00:00Z", "endDate": "2099-01-01T00:00:00Z"
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["data"]["status"], "draft");
    let campaign = b["data"]["campaignId"].as_str().unwrap().to_string();
    let (s, _) = call(
        &app,
        "PUT",
        &format!("/admin/campaigns/{campaign}/status"),
        Some(&admin),
        Some(json!({"status": "active"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    // Book, and try to review before completion.
    let (s, b) = call(
        &app,
        "POST",
        "/bookings",
        Some(&customer),
        Some(json!({"servicePricingId": pricing, "serviceDate": "2026-01-15T14:00:00Z"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let booking = b["data"]["bookingId"].as_str().unwrap().to_string();
    let review = json!({"bookingId": booking, "overallRating": 5,
        "categoryRatings": {"punctuality": 5, "quality": 5, "professionalism": 4},
        "title": "Excellent service!", "comment": "Very professional.", "pros": ["On time"],
        "photos": ["https://s3.example.com/r/1.jpg"], "source": "mobile_app"});
    let (s, _) = call(
        &app,
        "POST",
        "/reviews",
        Some(&customer),
        Some(review.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Only the provider completes it.
    let (s, _) = call(
        &app,
        "PUT",
        &format!("/bookings/{booking}/status"),
        Some(&customer),
        Some(json!({"status": "completed"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = call(
        &app,
        "PUT",
        &format!("/bookings/{booking}/status"),
        Some(&provider),
        Some(json!({"status": "completed"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let rr = &b["data"]["reviewRequest"];
    assert_eq!(rr["created"], true, "{b}");
    assert_eq!(rr["campaignId"], campaign.as_str());
    let request = rr["requestId"].as_str().unwrap().to_string();

    // The delivery job runs; the request shows up as pending.
    let mut pending = Value::Null;
    for _ in 0..50 {
        app.platform.jobs.run_pending(&app.platform).await.unwrap();
        let (_, b) = call(
            &app,
            "GET",
            "/customers/reviews/pending",
            Some(&customer),
            None,
        )
        .await;
        if b["metadata"]["total"] == 1 {
            pending = b;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        pending["data"][0]["requestId"],
        request.as_str(),
        "{pending}"
    );
    assert_eq!(pending["data"][0]["providerName"], "John's Barbershop");
    assert_eq!(pending["data"][0]["serviceType"], "Men's Haircut");

    // Remind: count goes up.
    let (s, b) = call(
        &app,
        "POST",
        &format!("/reviews/request/{request}/remind"),
        Some(&customer),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["reminderCount"], 1);
    assert!(b["data"]["nextReminderDate"]
        .as_str()
        .unwrap()
        .ends_with("T09:00:00Z"));
    let (s, _) = call(
        &app,
        "POST",
        &format!("/reviews/request/{request}/remind"),
        Some(&stranger),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Reviews: provider cannot review, stranger gets 403, bad data 400, then 201 and 409.
    let (s, _) = call(
        &app,
        "POST",
        "/reviews",
        Some(&provider),
        Some(review.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        &app,
        "POST",
        "/reviews",
        Some(&stranger),
        Some(review.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut bad = review.clone();
    bad["overallRating"] = json!(6);
    bad["photos"] = json!([
        "https://a/1",
        "https://a/2",
        "https://a/3",
        "https://a/4",
        "https://a/5",
        "https://a/6"
    ]);
    let (s, b) = call(&app, "POST", "/reviews", Some(&customer), Some(bad)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"]["details"].as_array().unwrap().len(), 2, "{b}");
    let (s, _) = call(
        &app,
        "POST",
        "/reviews",
        Some(&customer),
        Some(json!({"bookingId": "507f1f77bcf86cd799439014", "overallRating": 5})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = call(
        &app,
        "POST",
        "/reviews",
        Some(&customer),
        Some(review.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["data"]["status"], "submitted");
    assert_eq!(b["data"]["incentive"]["amount"], 100.0);
    let review_id = b["data"]["reviewId"].as_str().unwrap().to_string();
    let (s, _) = call(
        &app,
        "POST",
        "/reviews",
        Some(&customer),
        Some(review.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, b) = call(
        &app,
        "GET",
        "/customers/reviews/pending",
        Some(&customer),
        None,
    )
    .await;
    assert_eq!(b["metadata"]["total"], 0);

    // Response: only the reviewed provider, max 1000 chars.
    let other_provider = app.token_for(&["marketplace:provider"]).await;
    call(
        &app,
        "PUT",
        "/providers/profile",
        Some(&other_provider),
        Some(json!({"name": "Other"})),
    )
    .await;
    let (s, _) = call(
        &app,
        "POST",
        &format!("/reviews/{review_id}/response"),
        Some(&other_provider),
        Some(json!({"response": "Hi"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        &app,
        "POST",
        &format!("/reviews/{review_id}/response"),
        Some(&provider),
        Some(json!({"response": "x".repeat(1001)})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b) = call(
        &app,
        "POST",
        &format!("/reviews/{review_id}/response"),
        Some(&provider),
        Some(json!({"response": "Thank you for the kind words!"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // Votes: one per user, changeable.
    call(
        &app,
        "POST",
        &format!("/reviews/{review_id}/helpful"),
        Some(&stranger),
        Some(json!({"vote": "helpful"})),
    )
    .await;
    call(
        &app,
        "POST",
        &format!("/reviews/{review_id}/helpful"),
        Some(&stranger),
        Some(json!({"vote": "helpful"})),
    )
    .await;
    let (_, b) = call(
        &app,
        "POST",
        &format!("/reviews/{review_id}/helpful"),
        Some(&provider),
        Some(json!({"vote": "not_helpful"})),
    )
    .await;
    assert_eq!(b["data"]["helpfulVotes"], 1);
    assert_eq!(b["data"]["notHelpfulVotes"], 1);
    let (_, b) = call(
        &app,
        "POST",
        &format!("/reviews/{review_id}/helpful"),
        Some(&provider),
        Some(json!({"vote": "helpful"})),
    )
    .await;
    assert_eq!(b["data"]["helpfulVotes"], 2);
    assert_eq!(b["data"]["notHelpfulVotes"], 0);

    // Provider page (public) with distribution, customer display name.
    let (s, b) = call(
        &app,
        "GET",
        &format!("/providers/{prov}/reviews?minRating=4&sortBy=helpful"),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let d = &b["data"];
    assert_eq!(d["provider"]["averageRating"], 5.0);
    assert_eq!(d["provider"]["totalReviews"], 1);
    assert_eq!(
        d["reviews"][0]["customer"],
        json!({"name": "Muent K.", "initials": "MK"})
    );
    assert_eq!(
        d["reviews"][0]["providerResponse"]["response"],
        "Thank you for the kind words!"
    );
    assert_eq!(d["ratingDistribution"]["5"], 1);
    assert_eq!(d["metadata"]["total"], 1);
    let (_, b) = call(&app, "GET", "/customers/reviews", Some(&customer), None).await;
    assert_eq!(b["data"][0]["providerName"], "John's Barbershop");
    assert_eq!(b["data"][0]["incentiveClaimed"], false);

    // Analytics for the provider.
    let (s, b) = call(&app, "GET", "/analytics/reviews", Some(&provider), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["overview"]["totalReviews"], 1);
    assert_eq!(b["data"]["overview"]["responseRate"], 100.0);
    assert_eq!(b["data"]["categoryBreakdown"]["professionalism"], 4.0);
    let (s, _) = call(
        &app,
        "GET",
        &format!("/analytics/reviews?providerId={prov}"),
        Some(&other_provider),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = call(&app, "GET", "/analytics/pricing", Some(&provider), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["overview"]["totalPricingConfigs"], 1);
    assert_eq!(b["data"]["revenueTrends"][0]["revenue"], 500.0);
    let (s, _) = call(
        &app,
        "GET",
        "/admin/analytics/reviews",
        Some(&provider),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = call(&app, "GET", "/admin/analytics/reviews", Some(&admin), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // No channel is configured here: the request was not sent, and says so.
    assert_eq!(b["data"]["requests"]["sent"], 0);
    assert_eq!(b["data"]["requests"]["notConfigured"], 1);
    assert_eq!(b["data"]["responses"]["submitted"], 1);
    assert_eq!(b["data"]["incentives"]["claimed"], 0);

    // Campaign results count the real request.
    let (s, b) = call(
        &app,
        "GET",
        &format!("/admin/campaigns/{campaign}/results"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["results"]["totalParticipants"], 1);
    assert!(b["data"]["results"]["winner"].is_null());

    // Moderation: reject hides the review and drops the rating.
    let (s, _) = call(
        &app,
        "PUT",
        &format!("/admin/reviews/{review_id}/moderate"),
        Some(&provider),
        Some(json!({"action": "reject"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        &app,
        "PUT",
        &format!("/admin/reviews/{review_id}/moderate"),
        Some(&admin),
        Some(json!({"action": "delete"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b) = call(
        &app,
        "PUT",
        &format!("/admin/reviews/{review_id}/moderate"),
        Some(&admin),
        Some(json!({"action": "reject", "reason": "spam"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["moderationStatus"], "rejected");
    let (_, b) = call(
        &app,
        "GET",
        &format!("/providers/{prov}/reviews"),
        None,
        None,
    )
    .await;
    assert_eq!(b["data"]["provider"]["totalReviews"], 0);
    assert_eq!(b["data"]["reviews"].as_array().unwrap().len(), 0);

    // Decline with permanent opt-out stops later requests.
    let (_, b) = call(
        &app,
        "POST",
        "/bookings",
        Some(&customer),
        Some(json!({"servicePricingId": pricing, "serviceDate": "2026-01-16T14:00:00Z"})),
    )
    .await;
    let booking2 = b["data"]["bookingId"].as_str().unwrap().to_string();
    let (_, b) = call(
        &app,
        "PUT",
        &format!("/bookings/{booking2}/status"),
        Some(&provider),
        Some(json!({"status": "completed"})),
    )
    .await;
    let request2 = b["data"]["reviewRequest"]["requestId"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, b) = call(
        &app,
        "POST",
        &format!("/reviews/request/{request2}/decline"),
        Some(&customer),
        Some(json!({"reason": "not_interested", "permanentlyOptOut": true})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b["data"],
        json!({"requestId": request2, "status": "declined", "followUpDisabled": true})
    );
    let (s, _) = call(
        &app,
        "POST",
        &format!("/reviews/request/{request2}/decline"),
        Some(&customer),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, b) = call(
        &app,
        "POST",
        "/bookings",
        Some(&customer),
        Some(json!({"servicePricingId": pricing, "serviceDate": "2026-01-17T14:00:00Z"})),
    )
    .await;
    let booking3 = b["data"]["bookingId"].as_str().unwrap().to_string();
    let (_, b) = call(
        &app,
        "PUT",
        &format!("/bookings/{booking3}/status"),
        Some(&provider),
        Some(json!({"status": "completed"})),
    )
    .await;
    assert_eq!(b["data"]["reviewRequest"]["created"], false, "{b}");

    // Preferences validate and persist.
    let (s, _) = call(
        &app,
        "PUT",
        "/customers/review-preferences",
        Some(&customer),
        Some(json!({"preferredChannel": "pigeon"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b) = call(&app, "PUT", "/customers/review-preferences", Some(&customer), Some(json!({"reviewRequestsEnabled": true, "preferredChannel": "whatsapp", "maxRequestsPerMonth": 3}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        b["data"]["preferences"],
        json!({"reviewRequestsEnabled": true, "preferredChannel": "whatsapp", "preferredTimeOfDay": "morning", "maxRequestsPerMonth": 3})
    );
}

#[tokio::test]
async fn webhooks_register_list_delete_and_queue_deliveries() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let provider = app.token_for(&["marketplace:provider"]).await;
    let other = app.token_for(&["marketplace:provider"]).await;
    let (s, b) = call(
        &app,
        "POST",
        "/webhooks",
        Some(&provider),
        Some(json!({"url": "https://example.com/hook", "events": ["review.bogus"]})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = call(
        &app,
        "POST",
        "/webhooks",
        Some(&provider),
        Some(json!({"url": "https://example.com/hook", "events": ["pricing.updated"]})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert!(b["data"]["secret"].as_str().unwrap().starts_with("whsec_"));
    let id = b["data"]["id"].as_str().unwrap().to_string();
    let (_, b) = call(&app, "GET", "/webhooks", Some(&provider), None).await;
    assert_eq!(b["data"][0]["id"], id.as_str());
    assert!(b["data"][0].get("secret").is_none());
    let (_, b) = call(&app, "GET", "/webhooks", Some(&other), None).await;
    assert_eq!(b["data"].as_array().unwrap().len(), 0);

    // A price change queues a delivery.
    let (_, b) = call(
        &app,
        "POST",
        "/providers/pricing",
        Some(&provider),
        Some(json!({"serviceName": "Cut", "pricingType": "flat", "flatRate": 500})),
    )
    .await;
    let pid = b["data"]["pricingId"].as_str().unwrap().to_string();
    call(
        &app,
        "PUT",
        &format!("/providers/pricing/{pid}"),
        Some(&provider),
        Some(json!({"flatRate": 550})),
    )
    .await;
    let hook = id.clone();
    let deliveries = app
        .platform
        .db
        .read(move |c| frontline_platform::events::deliveries(c, &hook, 10))
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].event_type, "pricing.updated");

    let (s, _) = call(
        &app,
        "DELETE",
        &format!("/webhooks/{id}"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(
        &app,
        "DELETE",
        &format!("/webhooks/{id}"),
        Some(&provider),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, b) = call(&app, "GET", "/webhooks", Some(&provider), None).await;
    assert_eq!(b["data"].as_array().unwrap().len(), 0);
}

#[test]
fn document_campaign_results() {
    use frontline_marketplace::service::campaigns::{results_from, Arm};
    let arms = [
        Arm {
            variant_id: "timing_a".into(),
            name: "2 hours after service".into(),
            participants: 500,
            responses: 175,
            average_rating: Some(4.6),
            ..Default::default()
        },
        Arm {
            variant_id: "timing_b".into(),
            name: "Next morning 9 AM".into(),
            participants: 500,
            responses: 225,
            average_rating: Some(4.7),
            ..Default::default()
        },
    ];
    let r = frontline_marketplace::model::to_value(&results_from(&arms));
    assert_eq!(r["totalParticipants"], 1000);
    assert_eq!(r["variantResults"][0]["responseRate"], 35.0);
    assert_eq!(r["variantResults"][1]["responseRate"], 45.0);
    let ci = &r["variantResults"][0]["confidenceInterval"];
    assert_eq!(
        (
            ci["lower"].as_f64().unwrap().round(),
            ci["upper"].as_f64().unwrap().round()
        ),
        (31.0, 39.0)
    );
    let ci = &r["variantResults"][1]["confidenceInterval"];
    assert_eq!(
        (
            ci["lower"].as_f64().unwrap().round(),
            ci["upper"].as_f64().unwrap().round()
        ),
        (41.0, 49.0)
    );
    assert_eq!(r["winner"]["variantId"], "timing_b");
    assert_eq!(r["winner"]["confidence"], 95);
    assert_eq!(r["winner"]["improvement"], "+28.6% response rate");
    // Not significant: no winner.
    let close = [
        Arm {
            variant_id: "a".into(),
            name: "a".into(),
            participants: 100,
            responses: 35,
            average_rating: None,
            ..Default::default()
        },
        Arm {
            variant_id: "b".into(),
            name: "b".into(),
            participants: 100,
            responses: 40,
            average_rating: None,
            ..Default::default()
        },
    ];
    assert!(results_from(&close).winner.is_none());
}

#[tokio::test]
async fn demo_loads_twice_and_is_searchable() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    frontline_marketplace::demo::load(&app.platform).unwrap();
    frontline_marketplace::demo::load(&app.platform).unwrap();
    let (_, b) = call(&app, "GET", "/service-categories", None, None).await;
    assert_eq!(b["data"].as_array().unwrap().len(), 1);
    let cat = b["data"][0]["serviceCategoryId"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, b) = call(&app, "GET", &format!("/services/search?serviceCategoryId={cat}&location=Nairobi&radius=20&sortBy=rating_desc"), None, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["metadata"]["total"], 3);
    assert_eq!(b["data"][0]["providerName"], "John's Barbershop");
    assert_eq!(b["data"][0]["rating"]["count"], 1);
}
