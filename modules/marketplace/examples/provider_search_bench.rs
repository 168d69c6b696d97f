//! Provider search benchmark: 100 000 providers with a price each, then
//! `GET /services/search` through the module's full HTTP stack (in process,
//! no network): p50/p95/p99 per sort order.
//!
//! ```text
//! cargo run --release -p frontline-marketplace --example provider_search_bench [-- PROVIDERS [QUERIES]]
//! ```
//!
//! One provider and price are created through the API; the rest are copies
//! of it inserted in SQL with other names, places and prices (creating 100k
//! accounts through argon2 would take the benchmark's whole time). A third of
//! the providers are around Nairobi, the rest spread over Kenya, so searches
//! with a 10 km radius see a dense city and 50 km ones a large candidate set.

use std::time::Instant;

use frontline_platform::testing::{percentile, TestApp};
use poem::http::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::params;
use serde_json::{json, Value};

async fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let req = match method {
        "POST" => app.client.post(path),
        "PUT" => app.client.put(path),
        _ => app.client.get(path),
    }
    .header("Authorization", format!("Bearer {token}"));
    let resp = match body {
        Some(b) => req.body_json(&b).send().await,
        None => req.send().await,
    };
    let status = resp.0.status();
    let v: Value = resp.0.into_body().into_json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {path}: {status} {v}");
    v
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let providers = args.first().copied().unwrap_or(100_000);
    let queries = args.get(1).copied().unwrap_or(300);
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let admin = app.admin_token.clone();
    let cat = call(
        &app,
        "POST",
        "/marketplace/v1/service-categories",
        &admin,
        Some(json!({"name": "Barber", "description": "Haircuts"})),
    )
    .await;
    let cat = cat["data"]["serviceCategoryId"]
        .as_str()
        .expect("category id")
        .to_string();
    let provider = app.token_for(&["marketplace:provider"]).await;
    call(&app, "PUT", "/marketplace/v1/providers/profile", &provider,
        Some(json!({"name": "Template Cuts", "location": {"coordinates": [36.8219, -1.2864], "address": {"city": "Nairobi"}}}))).await;
    let created = call(&app, "POST", "/marketplace/v1/providers/pricing", &provider, Some(json!({
        "serviceCategoryId": cat, "serviceName": "Men's Haircut", "pricingType": "flat", "flatRate": 500,
        "currency": "KES", "location": {"coordinates": [36.8219, -1.2864], "serviceRadius": 10}
    }))).await;
    let template_pricing = created["data"]["pricingId"]
        .as_str()
        .expect("pricing id")
        .to_string();

    let started = Instant::now();
    let category = cat.clone();
    app.platform
        .db
        .write(move |tx| {
            let (service_key, service_name, pricing_type, currency, config): (String, String, String, String, String) =
                tx.query_row(
                    "SELECT service_key, service_name, pricing_type, currency, config FROM marketplace_pricing WHERE id = ?1",
                    [&template_pricing],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )?;
            let mut provider_row = tx.prepare(
                "INSERT INTO marketplace_providers (id, user_id, name, lng, lat, city, rating_avg, rating_count, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'Nairobi', ?6, ?7, '2026-11-01T00:00:00Z')",
            )?;
            let mut pricing_row = tx.prepare(
                "INSERT INTO marketplace_pricing (id, provider_id, category_id, service_key, service_name, pricing_type,
                   current_price, currency, config, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
            )?;
            let mut rng = StdRng::seed_from_u64(42);
            for i in 0..providers {
                let (lat, lng) = if i % 3 == 0 {
                    (-1.2864 + (rng.random::<f64>() - 0.5) * 0.5, 36.8219 + (rng.random::<f64>() - 0.5) * 0.5)
                } else {
                    (-4.5 + rng.random::<f64>() * 9.0, 34.0 + rng.random::<f64>() * 7.5)
                };
                let id = format!("{:024x}", 0xb000_0000_u64 + i as u64);
                provider_row.execute(params![
                    id,
                    format!("bench-user-{i}"),
                    format!("Bench Barber {i}"),
                    lng,
                    lat,
                    1.0 + (rng.random::<f64>() * 40.0).round() / 10.0,
                    (rng.random::<f64>() * 200.0) as i64
                ])?;
                let price = 200.0 + (rng.random::<f64>() * 1800.0).round();
                let config = config.replace("500", &format!("{price}"));
                pricing_row.execute(params![
                    format!("{:024x}", 0xc000_0000_u64 + i as u64),
                    id,
                    category,
                    service_key,
                    service_name,
                    pricing_type,
                    price,
                    currency,
                    config
                ])?;
            }
            Ok(())
        })
        .await
        .expect("insert providers");
    println!(
        "{providers} providers inserted in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let shapes = [
        ("10 km, distance", "radius=10&sortBy=distance"),
        ("10 km, price", "radius=10&sortBy=price_asc&maxPrice=1500"),
        ("50 km, rating", "radius=50&sortBy=rating_desc"),
        ("city name, 25 km, price", "radius=25&sortBy=price_desc"),
    ];
    println!("| search | results (first query) | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    let mut rng = StdRng::seed_from_u64(7);
    for (label, params) in shapes {
        let mut times = Vec::with_capacity(queries);
        let mut first_total = 0;
        for q in 0..queries {
            let location = if label.starts_with("city") {
                "Nairobi".to_string()
            } else {
                format!(
                    "{:.4},{:.4}",
                    -1.2864 + (rng.random::<f64>() - 0.5) * 0.3,
                    36.8219 + (rng.random::<f64>() - 0.5) * 0.3
                )
            };
            let path = format!("/marketplace/v1/services/search?serviceCategoryId={cat}&location={location}&{params}&limit=20");
            let t = Instant::now();
            let resp = app.client.get(&path).send().await;
            let status = resp.0.status();
            let body: Value = resp.0.into_body().into_json().await.unwrap_or(Value::Null);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(status, StatusCode::OK, "{body}");
            if q == 0 {
                first_total = body["metadata"]["total"].as_u64().unwrap_or(0);
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {label} | {first_total} | {:.2} | {:.2} | {:.2} |",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 0.99)
        );
    }
}
