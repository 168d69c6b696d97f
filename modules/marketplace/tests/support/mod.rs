//! Set-up shared by the marketplace's test files (`mod support;`): a call under
//! `/marketplace/v1`, a provider with a place and a price, a customer, and a
//! reviewed booking. Not every file uses every helper.
#![allow(dead_code)]

use frontline_platform::testing::{Plans, Reply, TestApp};
use poem::http::StatusCode;
use serde_json::{json, Value};

/// A call under `/marketplace/v1`: (status, body).
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.call(method, &format!("/marketplace/v1{path}"), token, body)
        .await
        .parts()
}

/// A provider's token, id and first price's id.
pub struct Shop {
    /// The provider's token.
    pub provider: String,
    /// The provider's id.
    pub prov: String,
    /// The price's id.
    pub pricing: String,
}

/// A provider ("John's Barbershop" in Nairobi) with one flat 500 "Men's
/// Haircut" price; `price` holds the pricing body's other fields (e.g. a
/// `serviceCategoryId`).
pub async fn shop(app: &TestApp, price: Value) -> Shop {
    let provider = app.token_for(&["marketplace:provider"]).await;
    let (s, b) = call(
        app,
        "PUT",
        "/providers/profile",
        Some(&provider),
        Some(json!({"name": "John's Barbershop", "location": {"coordinates": [36.8219, -1.2864]}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let prov = b["data"]["providerId"].as_str().unwrap().to_string();
    let mut body = json!({"serviceName": "Men's Haircut", "pricingType": "flat", "flatRate": 500});
    if let (Some(b), Some(extra)) = (body.as_object_mut(), price.as_object()) {
        b.extend(extra.clone());
    }
    let (s, b) = call(
        app,
        "POST",
        "/providers/pricing",
        Some(&provider),
        Some(body),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let pricing = b["data"]["pricingId"].as_str().unwrap().to_string();
    Shop {
        provider,
        prov,
        pricing,
    }
}

/// The admin creates the "Barber" category; its id.
pub async fn barber_category(app: &TestApp) -> String {
    let (s, b) = call(
        app,
        "POST",
        "/service-categories",
        Some(&app.admin_token),
        Some(json!({"name": "Barber"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["data"]["serviceCategoryId"].as_str().unwrap().to_string()
}

/// The "Barber" category and a [`shop`] with its price in it: (category, shop).
pub async fn barber_shop(app: &TestApp) -> (String, Shop) {
    let cat = barber_category(app).await;
    let shop = shop(app, json!({"serviceCategoryId": cat})).await;
    (cat, shop)
}

/// A new customer with a profile named `name`; its token.
pub async fn customer(app: &TestApp, name: &str) -> String {
    let customer = app.token_for(&["marketplace:customer"]).await;
    let (s, b) = call(
        app,
        "PUT",
        "/customers/profile",
        Some(&customer),
        Some(json!({"name": name})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    customer
}

/// A [`shop`] and a customer ("Muent Kamau").
pub struct Market {
    /// The provider's token.
    pub provider: String,
    /// The customer's token.
    pub customer: String,
    /// The provider's id.
    pub prov: String,
    /// The price's id.
    pub pricing: String,
}

/// Sets up a [`Market`]; `price` as for [`shop`].
pub async fn market(app: &TestApp, price: Value) -> Market {
    let Shop {
        provider,
        prov,
        pricing,
    } = shop(app, price).await;
    let customer = customer(app, "Muent Kamau").await;
    Market {
        provider,
        customer,
        prov,
        pricing,
    }
}

/// `customer` books `pricing` (15 January 2026, 14:00) and `provider`
/// completes the booking; its id.
pub async fn completed_booking(
    app: &TestApp,
    customer: &str,
    provider: &str,
    pricing: &str,
) -> String {
    let (s, b) = call(
        app,
        "POST",
        "/bookings",
        Some(customer),
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
    booking
}

/// The market's customer books its price, the provider completes the booking
/// and the customer reviews it (5 stars); the review's id.
pub async fn reviewed_booking(app: &TestApp, m: &Market) -> String {
    let booking = completed_booking(app, &m.customer, &m.provider, &m.pricing).await;
    let (s, b) = call(
        app,
        "POST",
        "/reviews",
        Some(&m.customer),
        Some(json!({"bookingId": booking, "overallRating": 5,
            "categoryRatings": {"punctuality": 5, "quality": 5},
            "title": "Excellent service!", "comment": "Very professional.", "pros": ["On time"]})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["data"]["reviewId"].as_str().unwrap().to_string()
}

/// `rows` completed bookings of the market's customer with the provider's
/// price, one a second apart, each reviewed: rating `i % 5 + 1`, helpful votes
/// `i % 7`, every tenth rejected and the others `status`; written straight to
/// the tables (the triggers keep the rating counts).
pub async fn reviewed_bookings(app: &TestApp, m: &Market, rows: i64, status: &'static str) {
    let (prov, pricing) = (m.prov.clone(), m.pricing.clone());
    app.platform
        .db
        .write(move |tx| {
            let cust: String =
                tx.query_row("SELECT id FROM marketplace_customers LIMIT 1", [], |r| {
                    r.get(0)
                })?;
            tx.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?4)
                 INSERT INTO marketplace_bookings (id, customer_id, provider_id, pricing_id, service_type, service_date, price, status, created_at)
                 SELECT printf('b%023d', i), ?1, ?2, ?3, 'Men''s Haircut', '2026-01-15T14:00:00Z', 500, 'completed',
                        strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i, 'unixepoch') FROM n",
                rusqlite::params![cust, prov, pricing, rows],
            )?;
            tx.execute(
                "INSERT INTO marketplace_reviews (id, booking_id, provider_id, customer_id, overall_rating, moderation_status,
                     helpful_votes, submitted_at)
                 SELECT printf('aa%022x', rowid), id, provider_id, customer_id, rowid % 5 + 1,
                        CASE WHEN rowid % 10 = 0 THEN 'rejected' ELSE ?1 END, rowid % 7, created_at
                 FROM marketplace_bookings WHERE id LIKE 'b%'",
                [status],
            )?;
            Ok(())
        })
        .await
        .expect("reviewed bookings");
}

/// The centre the nearby tests search around.
pub const NAIROBI: (f64, f64) = (-1.2864, 36.8219);

/// A market whose provider has `rows` approved reviews and its rating
/// figures refreshed from them.
pub async fn rated_market(app: &TestApp, rows: i64) -> Market {
    let m = market(app, json!({})).await;
    reviewed_bookings(app, &m, rows, "approved").await;
    let p = m.prov.clone();
    app.platform
        .db
        .write(move |tx| frontline_marketplace::service::reviews::refresh_rating(tx, &p))
        .await
        .expect("rating");
    m
}

/// `n` barbers (ids `barber00000`…) at places spread over about 18 km around
/// [`NAIROBI`] (a fixed pseudo-random draw), each with two barber prices (400
/// and 900) and a paint price, written straight to the tables (the triggers
/// keep the offers and the R*Tree); their (id, lat, lng).
pub async fn barber_crowd(app: &TestApp, n: usize) -> Vec<(String, f64, f64)> {
    crowd(app, "barber", n, 0.08, 11).await
}

/// `n` barbers (ids `<prefix>00000`…) at places drawn uniformly (seed `seed`)
/// within `half` degrees of [`NAIROBI`] in latitude and longitude, each with
/// two barber prices (400 and 900) and a paint price, written straight to the
/// tables (the triggers keep the offers, the R*Tree and the cell counts);
/// their (id, lat, lng).
pub async fn crowd(
    app: &TestApp,
    prefix: &str,
    n: usize,
    half: f64,
    seed: u64,
) -> Vec<(String, f64, f64)> {
    let mut places = Vec::new();
    let mut seed = seed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..n {
        let lat = NAIROBI.0 + (next() - 0.5) * 2.0 * half;
        let lng = NAIROBI.1 + (next() - 0.5) * 2.0 * half;
        places.push((format!("{prefix}{i:05}"), lat, lng));
    }
    let rows = places.clone();
    app.platform
        .db
        .write(move |tx| {
            let mut provider = tx.prepare(
                "INSERT INTO marketplace_providers (id, user_id, name, lng, lat, rating_avg, rating_count, created_at)
                 VALUES (?1, ?1, ?1, ?2, ?3, 4.0, 1, '2026-11-01T00:00:00Z')",
            )?;
            let mut price = tx.prepare(
                "INSERT INTO marketplace_pricing (id, provider_id, category_id, service_key, service_name, pricing_type,
                   current_price, currency, config, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?1, ?1, 'flat', ?4, 'KES', '{}', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
            )?;
            for (id, lat, lng) in &rows {
                provider.execute(rusqlite::params![id, lng, lat])?;
                price.execute(rusqlite::params![format!("{id}a"), id, "barber", 400.0])?;
                price.execute(rusqlite::params![format!("{id}b"), id, "barber", 900.0])?;
                price.execute(rusqlite::params![format!("{id}p"), id, "paint", 300.0])?;
            }
            Ok(())
        })
        .await
        .expect("fixture");
    places
}

/// The ids of `places` within `radius` km of [`NAIROBI`], nearest first (ties
/// by id), from the exact distances.
pub fn nearest_ids(places: &[(String, f64, f64)], radius: f64) -> Vec<String> {
    let mut within: Vec<(f64, String)> = places
        .iter()
        .map(|(id, lat, lng)| {
            let d = frontline_marketplace::stats::distance_km(NAIROBI.0, NAIROBI.1, *lat, *lng);
            (d, id.clone())
        })
        .filter(|(d, _)| *d <= radius)
        .collect();
    within.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    within.into_iter().map(|(_, id)| id).collect()
}

/// An anonymous `GET url` (a provider search) with the statements it ran on
/// the search's tables and their query plans.
pub async fn search_plans(app: &TestApp, url: &str) -> Plans<Reply> {
    app.plans_of(
        &[
            "marketplace_providers",
            "marketplace_pricing",
            "marketplace_offers",
            "marketplace_offers_geo",
            "marketplace_offers_near",
            "marketplace_offer_cells",
        ],
        app.call("GET", url, None, None),
    )
    .await
}

/// Asserts a nearby search's answer: its total is every provider `within`
/// the radius, and its page (1-based, `limit` providers a page) is that
/// slice of `within`, nearest first.
pub fn assert_nearby_page(body: &Value, url: &str, within: &[String], page: usize, limit: usize) {
    assert_eq!(
        body["metadata"]["total"].as_u64(),
        Some(within.len() as u64),
        "{url}"
    );
    let shown: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r: &Value| r["providerId"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = within
        .iter()
        .skip((page - 1) * limit)
        .take(limit)
        .map(String::as_str)
        .collect();
    assert_eq!(shown, expected, "{url}");
}
