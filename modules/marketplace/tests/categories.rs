//! Issue 17 #1: the document treats categories as references it does not
//! manage. Its own examples, in order, on a fresh server (no demo data, no
//! category created through the extension): a well-formed reference is
//! accepted and the category registered on first use; search by id or slug
//! finds it; an admin names it later through the extension.

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::json;
use support::call;

const CATEGORY: &str = "507f1f77bcf86cd799439011";

#[tokio::test]
async fn the_documents_examples_work_on_a_fresh_server() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let provider = app.token_for(&["marketplace:provider"]).await;

    // 1. Create Pricing Configuration, exactly as the document shows it.
    let (s, b) = call(
        &app,
        "POST",
        "/providers/pricing",
        Some(&provider),
        Some(json!({
            "serviceCategoryId": CATEGORY,
            "serviceSubCategoryId": "507f1f77bcf86cd799439012",
            "serviceName": "Men's Haircut",
            "serviceDescription": "Professional men's haircut with styling",
            "pricingType": "flat",
            "flatRate": 500,
            "rateDescription": "Includes wash, cut, and styling",
            "currency": "KES",
            "location": {
                "coordinates": [36.8219, -1.2864],
                "address": {"street": "Ngong Road", "city": "Nairobi", "postalCode": "00100"},
                "serviceRadius": 10
            },
            "dynamicPricing": {"enabled": true, "rushFee": 20, "weekendFee": 15, "travelFee": 100},
            "discounts": {"newCustomerDiscount": 10}
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let pricing_id = b["data"]["pricingId"].as_str().unwrap().to_string();
    let provider_id = b["data"]["providerId"].as_str().unwrap().to_string();

    // The category exists now, named after its id until an admin names it.
    let (s, cats) = call(&app, "GET", "/service-categories", None, None).await;
    assert_eq!(s, StatusCode::OK);
    let cat = cats["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["serviceCategoryId"] == CATEGORY)
        .unwrap_or_else(|| panic!("category registered on first use: {cats}"))
        .clone();
    assert_eq!(cat["name"], CATEGORY);
    assert_eq!(cat["named"], false);

    // 2. Update Pricing Configuration.
    let (s, b) = call(
        &app,
        "PUT",
        &format!("/providers/pricing/{pricing_id}"),
        Some(&provider),
        Some(json!({
            "flatRate": 600,
            "reason": "Increased due to higher quality products",
            "dynamicPricing": {"enabled": true, "rushFee": 25}
        })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["version"], 2);

    // 3. Get Provider's Pricing, filtered by the category.
    let (s, b) = call(
        &app,
        "GET",
        &format!("/providers/{provider_id}/pricing?serviceCategoryId={CATEGORY}"),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"].as_array().unwrap().len(), 1, "{b}");

    // 4. Bulk Upload Pricing (the haircut exists already: one failure).
    let (s, b) = call(&app, "POST", "/providers/pricing/bulk", Some(&provider), Some(json!({"pricing": [
        {"serviceName": "Men's Haircut", "pricingType": "flat", "flatRate": 500},
        {"serviceName": "Beard Trim", "pricingType": "flat", "flatRate": 200},
        {"serviceName": "Massage", "pricingType": "tiered", "tiers": [
            {"tierName": "basic", "displayName": "Swedish Massage", "price": 2500, "duration": 60},
            {"tierName": "premium", "displayName": "Deep Tissue", "price": 3500, "duration": 90}
        ]}
    ]}))).await;
    assert!(s.is_success(), "{s} {b}");
    assert_eq!(b["data"]["created"], 2, "{b}");

    // 5. Get Market Rate Suggestions for the category.
    let (s, b) = call(
        &app,
        "GET",
        &format!("/providers/pricing/suggestions?serviceCategoryId={CATEGORY}&location=Nairobi"),
        Some(&provider),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["sampleSize"], 1, "{b}");

    // 6. Calculate Price Estimate.
    let (s, b) = call(
        &app,
        "POST",
        "/services/estimate",
        None,
        Some(json!({
            "providerId": provider_id,
            "servicePricingId": pricing_id,
            "pricingType": "flat",
            "bookingDate": "2026-01-20T14:00:00Z",
            "duration": 60,
            "location": {"coordinates": [36.8219, -1.2864], "address": "Westlands, Nairobi"},
            "isRush": true,
            "isWeekend": true,
            "isNewCustomer": true
        })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["basePrice"], 600.0, "{b}");

    // 7. Search Providers by Pricing: by the category's id ...
    let (s, by_id) = call(
        &app,
        "GET",
        &format!("/services/search?serviceCategoryId={CATEGORY}&location=-1.2864,36.8219&minPrice=300&maxPrice=700&sortBy=price_asc"),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{by_id}");
    assert_eq!(
        by_id["data"][0]["providerId"],
        provider_id.as_str(),
        "{by_id}"
    );
    // ... and the document's slug example answers too (no such category yet: nobody).
    let (s, b) = call(
        &app,
        "GET",
        "/services/search?serviceCategoryId=barber&location=-1.2864,36.8219&minPrice=300&maxPrice=700&sortBy=price_asc",
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"], json!([]), "{b}");

    // 8. Get Pricing History.
    let (s, b) = call(
        &app,
        "GET",
        &format!("/providers/{provider_id}/pricing/history?pricingId={pricing_id}"),
        Some(&provider),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(
        b["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["changeType"] == "updated"),
        "{b}"
    );

    // An admin names the category through the extension: same id, and its slug finds it.
    let (s, b) = call(
        &app,
        "PUT",
        &format!("/service-categories/{CATEGORY}"),
        Some(&app.admin_token),
        Some(json!({"name": "Barber", "description": "Haircuts and grooming"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["serviceCategoryId"], CATEGORY);
    assert_eq!(b["data"]["slug"], "barber");
    assert_eq!(b["data"]["named"], true);
    let (s, by_slug) = call(
        &app,
        "GET",
        "/services/search?serviceCategoryId=barber&location=-1.2864,36.8219&minPrice=300&maxPrice=700&sortBy=price_asc",
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{by_slug}");
    assert_eq!(by_slug["data"], by_id["data"]);
    let (s, b) = call(
        &app,
        "GET",
        "/providers/pricing/suggestions?serviceCategoryId=barber",
        Some(&provider),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["serviceCategory"], "Barber", "{b}");

    // A slug reference registers its own category on first use.
    let (s, b) = call(&app, "POST", "/providers/pricing", Some(&provider), Some(json!({
        "serviceCategoryId": "plumbing", "serviceName": "Leak repair", "pricingType": "hourly", "hourlyRate": 900
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // A malformed reference is refused, naming the field.
    let (s, b) = call(&app, "POST", "/providers/pricing", Some(&provider), Some(json!({
        "serviceCategoryId": "no spaces/here", "serviceName": "X", "pricingType": "flat", "flatRate": 1
    }))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.to_string().contains("serviceCategoryId"), "{b}");
}
