use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

struct T {
    app: TestApp,
}

impl T {
    async fn new() -> T {
        T {
            app: TestApp::new(vec![frontline_marketplace::module()]).await,
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = format!("/marketplace/v1{path}");
        self.app.call(method, &url, token, body).await.parts()
    }

    async fn category(&self, name: &str) -> String {
        let (s, b) = self
            .call(
                "POST",
                "/service-categories",
                Some(&self.app.admin_token),
                Some(json!({"name": name})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        b["data"]["serviceCategoryId"].as_str().unwrap().to_string()
    }
}

fn haircut(cat: &str) -> Value {
    json!({
        "serviceCategoryId": cat,
        "serviceName": "Men's Haircut",
        "serviceDescription": "Professional men's haircut with styling",
        "pricingType": "flat",
        "flatRate": 500,
        "currency": "KES",
        "location": {"coordinates": [36.8219, -1.2864], "address": {"street": "Ngong Road", "city": "Nairobi"}, "serviceRadius": 10},
        "dynamicPricing": {"enabled": true, "rushFee": 20, "weekendFee": 15, "travelFee": 100},
        "discounts": {"newCustomerDiscount": 10}
    })
}

#[tokio::test]
async fn pricing_estimate_matches_the_document() {
    let t = T::new().await;
    let cat = t.category("Barber").await;
    let provider = t.app.token_for(&["marketplace:provider"]).await;
    let (s, b) = t
        .call(
            "POST",
            "/providers/pricing",
            Some(&provider),
            Some(haircut(&cat)),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["success"], true);
    let d = &b["data"];
    let pid = d["pricingId"].as_str().unwrap().to_string();
    assert_eq!(pid.len(), 24);
    assert!(pid.bytes().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(d["currentPrice"], 500.0);
    assert_eq!(d["isActive"], true);

    // Same service again: 409.
    let (s, b) = t
        .call(
            "POST",
            "/providers/pricing",
            Some(&provider),
            Some(haircut(&cat)),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"]["code"], "CONFLICT");

    // The document's estimate: 500 + 20% rush + 15% weekend - 10% new customer.
    let (s, b) = t
        .call(
            "POST",
            "/services/estimate",
            None,
            Some(json!({
                "providerId": d["providerId"], "servicePricingId": pid, "pricingType": "flat",
                "bookingDate": "2026-01-20T14:00:00Z", "duration": 60,
                "location": {"coordinates": [36.8219, -1.2864], "address": "Westlands, Nairobi"},
                "isRush": true, "isWeekend": true, "isNewCustomer": true
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let e = &b["data"];
    assert_eq!(e["basePrice"], 500.0);
    assert_eq!(
        e["breakdown"],
        json!({"subtotal": 675.0, "discount": 50.0, "total": 625.0})
    );
    assert_eq!(e["totalPrice"], 625.0);
    assert_eq!(e["currency"], "KES");
    let adj = e["adjustments"].as_array().unwrap();
    assert_eq!(adj.len(), 3);
    assert_eq!(adj[0]["type"], "rush_fee");
    assert_eq!(adj[0]["amount"], 100.0);
    assert_eq!(adj[1]["amount"], 75.0);
    assert_eq!(adj[2]["amount"], -50.0);
    assert_eq!(adj[2]["percentage"], -10.0);
    assert!(e["validUntil"].as_str().unwrap().ends_with('Z'));

    // Outside the 10 km radius (Thika is ~40 km away) the travel fee applies.
    let (_, b) = t
        .call("POST", "/services/estimate", None, Some(json!({
            "servicePricingId": pid, "location": {"coordinates": [37.0693, -1.0333]}, "isWeekend": false
        })))
        .await;
    assert_eq!(b["data"]["totalPrice"], 600.0, "{b}");
    assert_eq!(b["data"]["adjustments"][0]["type"], "travel_fee");

    // Update with reason: version 2, previousRate, history.
    let (s, b) = t
        .call(
            "PUT",
            &format!("/providers/pricing/{pid}"),
            Some(&provider),
            Some(json!({
                "flatRate": 600, "reason": "Increased due to higher quality products",
                "dynamicPricing": {"enabled": true, "rushFee": 25}
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["flatRate"], 600.0);
    assert_eq!(b["data"]["previousRate"], 500.0);
    assert_eq!(b["data"]["version"], 2);
    let prov = d["providerId"].as_str().unwrap();
    let (s, b) = t
        .call(
            "GET",
            &format!("/providers/{prov}/pricing/history?changeType=updated"),
            Some(&provider),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let h = &b["data"][0];
    assert_eq!(h["reason"], "Increased due to higher quality products");
    let fields: Vec<&str> = h["changedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fieldName"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["dynamicPricing.rushFee", "flatRate"]);
    assert_eq!(h["previousState"]["flatRate"], 500.0);
    assert_eq!(b["metadata"]["total"], 1);

    // Weekend fee kept (15%) after partial dynamicPricing update.
    let (_, b) = t
        .call("GET", &format!("/providers/{prov}/pricing"), None, None)
        .await;
    assert_eq!(b["data"][0]["dynamicPricing"]["weekendFee"], 15.0);
    assert_eq!(b["data"][0]["dynamicPricing"]["rushFee"], 25.0);
    assert_eq!(b["metadata"]["totalPages"], 1);

    // Someone else's pricing is not found; another provider cannot read the history.
    let other = t.app.token_for(&["marketplace:provider"]).await;
    let (s, _) = t
        .call(
            "PUT",
            &format!("/providers/pricing/{pid}"),
            Some(&other),
            Some(json!({"flatRate": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = t
        .call(
            "GET",
            &format!("/providers/{prov}/pricing/history"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pricing_validation_and_roles() {
    let t = T::new().await;
    let provider = t.app.token_for(&["marketplace:provider"]).await;
    let customer = t.app.token_for(&["marketplace:customer"]).await;
    let (s, b) = t
        .call(
            "POST",
            "/providers/pricing",
            Some(&provider),
            Some(json!({
                "serviceName": "X", "pricingType": "flat",
                "location": {"coordinates": [200, -1.2]}
            })),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["success"], false);
    assert_eq!(b["error"]["code"], "VALIDATION_ERROR");
    let fields: Vec<&str> = b["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    // The document's ranges first (longitude -180 to 180), then the pricing rules.
    assert_eq!(fields, ["location.coordinates[0]"]);
    let (s, b) = t
        .call(
            "POST",
            "/providers/pricing",
            Some(&provider),
            Some(json!({
                "serviceName": "X", "pricingType": "flat",
                "location": {"coordinates": [36.8, -1.2]}
            })),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["details"][0]["field"], "flatRate", "{b}");
    let (s, b) = t
        .call(
            "POST",
            "/providers/pricing",
            Some(&provider),
            Some(json!({"serviceName": "X", "pricingType": "weekly"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"]["details"][0]["field"], "pricingType");
    for (ty, field) in [
        ("hourly", "hourlyRate"),
        ("tiered", "tiers"),
        ("package", "packages"),
    ] {
        let (s, b) = t
            .call(
                "POST",
                "/providers/pricing",
                Some(&provider),
                Some(json!({"serviceName": "Y", "pricingType": ty})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(b["error"]["details"][0]["field"], field);
    }
    // A customer cannot price.
    let (s, b) = t
        .call(
            "POST",
            "/providers/pricing",
            Some(&customer),
            Some(json!({"serviceName": "X", "pricingType": "flat", "flatRate": 5})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // Unauthenticated: 401 in the marketplace body.
    let (s, b) = t
        .call("POST", "/providers/pricing", None, Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(b["error"]["code"], "UNAUTHORIZED");

    // Bulk: two created, one failed with its index.
    let (s, b) = t
        .call("POST", "/providers/pricing/bulk", Some(&provider), Some(json!({"pricing": [
            {"serviceName": "Men's Haircut", "pricingType": "flat", "flatRate": 500},
            {"serviceName": "Beard Trim", "pricingType": "flat"},
            {"serviceName": "Massage", "pricingType": "tiered", "tiers": [
                {"tierName": "basic", "displayName": "Swedish Massage", "price": 2500, "duration": 60},
                {"tierName": "premium", "displayName": "Deep Tissue", "price": 3500, "duration": 90}]}
        ]})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["data"]["created"], 2);
    assert_eq!(b["data"]["failed"], 1);
    assert_eq!(b["data"]["errors"][0]["index"], 1);
    // Tiered estimate picks the named tier; hourly beyond maximumHours is refused.
    let massage = b["data"]["pricingIds"][1].as_str().unwrap().to_string();
    let (_, b) = t
        .call(
            "POST",
            "/services/estimate",
            None,
            Some(json!({"servicePricingId": massage, "tierName": "premium"})),
        )
        .await;
    assert_eq!(b["data"]["basePrice"], 3500.0, "{b}");
    assert_eq!(b["data"]["estimatedDuration"], 90);
    let (_, b) = t
        .call("POST", "/providers/pricing", Some(&provider), Some(json!({"serviceName": "Therapy", "pricingType": "hourly", "hourlyRate": 3000, "minimumHours": 1, "maximumHours": 4})))
        .await;
    let hourly = b["data"]["pricingId"].as_str().unwrap().to_string();
    let (_, b) = t
        .call(
            "POST",
            "/services/estimate",
            None,
            Some(json!({"servicePricingId": hourly, "duration": 150})),
        )
        .await;
    assert_eq!(b["data"]["basePrice"], 7500.0, "{b}");
    let (s, _) = t
        .call(
            "POST",
            "/services/estimate",
            None,
            Some(json!({"servicePricingId": hourly, "duration": 300})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = t
        .call(
            "POST",
            "/services/estimate",
            None,
            Some(json!({"servicePricingId": "507f191e810c19729de860ea"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn search_and_suggestions() {
    let t = T::new().await;
    let cat = t.category("Barber").await;
    // Four providers: two in Nairobi (0 and ~3 km), one in Thika (~40 km), one in Mombasa.
    let spots = [
        ("Central Cuts", [36.8219, -1.2864], 400.0, 5),
        ("Westlands Barber", [36.8030, -1.2650], 600.0, 3),
        ("Thika Trims", [37.0693, -1.0333], 300.0, 4),
        ("Coast Cuts", [39.6682, -4.0435], 350.0, 5),
    ];
    let mut ids = Vec::new();
    for (name, coords, price, _) in spots {
        let tok = t.app.token_for(&["marketplace:provider"]).await;
        let (s, b) = t.call("PUT", "/providers/profile", Some(&tok), Some(json!({"name": name, "location": {"coordinates": coords, "address": {"city": "Nairobi"}}}))).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let mut p = haircut(&cat);
        p["flatRate"] = json!(price);
        let (s, b) = t
            .call("POST", "/providers/pricing", Some(&tok), Some(p))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        ids.push(b["data"]["providerId"].as_str().unwrap().to_string());
    }
    let (s, b) = t.call("GET", &format!("/services/search?serviceCategoryId={cat}&location=-1.2864,36.8219&sortBy=price_asc"), None, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let names: Vec<&str> = b["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["providerName"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Central Cuts", "Westlands Barber"]);
    assert_eq!(b["metadata"]["total"], 2);
    let d = b["data"][1]["location"]["distance"].as_f64().unwrap();
    assert!((2.5..3.5).contains(&d), "{d}");
    assert!(b["data"][0]["availability"]["nextAvailable"].is_string());
    // Radius 50 km reaches Thika; price range filters; city name works; distance sort.
    let (_, b) = t
        .call(
            "GET",
            &format!(
                "/services/search?serviceCategoryId={cat}&location=Nairobi&radius=50&maxPrice=450"
            ),
            None,
            None,
        )
        .await;
    let names: Vec<&str> = b["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["providerName"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Central Cuts", "Thika Trims"]);
    let (_, b) = t.call("GET", &format!("/services/search?serviceCategoryId={cat}&location=Nairobi&radius=50&sortBy=price_desc&limit=1&page=2"), None, None).await;
    assert_eq!(b["data"][0]["providerName"], "Central Cuts");
    assert_eq!(b["metadata"]["totalPages"], 3);
    // Bad input.
    let (s, b) = t
        .call(
            "GET",
            &format!("/services/search?serviceCategoryId={cat}&location=95,10"),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = t
        .call(
            "GET",
            &format!("/services/search?serviceCategoryId={cat}&location=Atlantis&sortBy=cheap"),
            None,
            None,
        )
        .await;
    // Parameters are checked against the document one at a time, each named.
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"]["details"][0]["field"], "location", "{b}");
    let (s, _) = t.call("GET", "/services/search", None, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // A user with no marketplace role can still use public endpoints.
    let outsider = t.app.token_for(&[]).await;
    let (s, _) = t
        .call(
            "GET",
            &format!("/services/search?serviceCategoryId={cat}&location=Nairobi"),
            Some(&outsider),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // Suggestions over the three Nairobi-area prices (300, 400, 600).
    let provider = t.app.token_for(&["marketplace:provider"]).await;
    let (s, b) = t
        .call(
            "GET",
            &format!("/providers/pricing/suggestions?serviceCategoryId={cat}&location=Nairobi"),
            Some(&provider),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let d = &b["data"];
    assert_eq!(d["serviceCategory"], "Barber");
    assert_eq!(d["sampleSize"], 3);
    assert_eq!(d["statistics"]["minimumPrice"], 300.0);
    assert_eq!(d["statistics"]["maximumPrice"], 600.0);
    assert_eq!(d["statistics"]["medianPrice"], 400.0);
    assert_eq!(d["statistics"]["percentile25"], 350.0);
    assert_eq!(d["statistics"]["percentile75"], 500.0);
    assert_eq!(d["suggestions"]["newProvider"]["recommended"], 375.0);
    let (s, _) = t
        .call(
            "GET",
            "/providers/pricing/suggestions",
            Some(&provider),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
