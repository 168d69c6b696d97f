//! Issue 18: "search providers nearby" reads the offers of the category in the
//! box, not every provider there. Thousands of providers stand at the place
//! searched without a price of the category (and hundreds with another
//! category's price); the search reads the R*Tree with the category and the
//! box, and providers and prices only by their keys. (One test in this file:
//! the statement recorder is process-wide.)

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use rusqlite::params;
use serde_json::Value;

const NAIROBI: (f64, f64) = (-1.2864, 36.8219);

#[tokio::test]
async fn providers_nearby_read_the_offers_in_the_box_only() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    app.platform
        .db
        .write(|tx| {
            let mut provider = tx.prepare(
                "INSERT INTO marketplace_providers (id, user_id, name, lng, lat, rating_avg, rating_count, created_at)
                 VALUES (?1, ?1, ?1, ?2, ?3, 4.0, 1, '2026-11-01T00:00:00Z')",
            )?;
            let mut price = tx.prepare(
                "INSERT INTO marketplace_pricing (id, provider_id, category_id, service_key, service_name, pricing_type,
                   current_price, currency, config, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?1, 'Service', 'flat', ?4, 'KES', '{}', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
            )?;
            // 3 000 providers at the place with no price; 500 with another category's.
            for i in 0..3_500 {
                let id = format!("crowd{i:05}");
                provider.execute(params![id, NAIROBI.1 + (i % 50) as f64 * 1e-4, NAIROBI.0])?;
                if i >= 3_000 {
                    price.execute(params![format!("paint{i}"), id, "paint", 300.0])?;
                }
            }
            // The barbers: three within 10 km, one in the box's corner beyond
            // 10 km, one far away.
            for (i, (lat, lng)) in [
                (-1.2864, 36.8219),
                (-1.30, 36.80),
                (-1.25, 36.85),
                (-1.2864 + 0.085, 36.8219 + 0.085),
                (-4.04, 39.67),
            ]
            .into_iter()
            .enumerate()
            {
                let id = format!("barber{i}");
                provider.execute(params![id, lng, lat])?;
                price.execute(params![format!("cut{i}a"), id, "barber", 400.0 + i as f64])?;
                price.execute(params![format!("cut{i}b"), id, "barber", 900.0])?;
            }
            Ok(())
        })
        .await
        .expect("fixture");

    for filter in ["", "&minPrice=350&maxPrice=600"] {
        let url = format!(
            "/marketplace/v1/services/search?serviceCategoryId=barber&location={},{}&radius=10&sortBy=price_asc{filter}",
            NAIROBI.0, NAIROBI.1
        );
        let plans = support::search_plans(&app, &url).await;
        let (status, body) = (plans.output.status, &plans.output.body);
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        assert_eq!(body["metadata"]["total"], 3, "{url}: {body}");
        let ids: Vec<&str> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r: &Value| r["providerId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["barber0", "barber1", "barber2"], "{url}");
        // No table is read without an index (the R*Tree is a virtual table:
        // its "SCAN" is an index read, checked below).
        for plan in &plans.plans {
            if !plan.sql.contains("marketplace_offers_geo") {
                assert!(
                    plan.table_scans().is_empty(),
                    "table scan: {}\n  {}",
                    plan.sql,
                    plan.lines.join(" | ")
                );
            }
        }

        let mut from_the_tree = 0;
        for plan in &plans.plans {
            let all = plan.lines.join(" | ");
            let sql = plan.sql.to_ascii_lowercase();
            for line in &plan.lines {
                // Providers are read by id only: never a range of places (every
                // provider in the box) nor their whole table.
                let names_provider = line.contains("marketplace_providers")
                    || line.starts_with("SEARCH v ")
                    || line.starts_with("SCAN v ");
                if names_provider && (line.starts_with("SEARCH") || line.starts_with("SCAN")) {
                    assert!(
                        line.ends_with("(id=?)"),
                        "reads providers other than by id: {}\n  {all}",
                        plan.sql
                    );
                }
                // Prices are read per provider (its index), never per category.
                if line.contains("marketplace_pricing") && line.starts_with("SEARCH") {
                    assert!(
                        line.contains("(provider_id=?"),
                        "reads prices other than by provider: {}\n  {all}",
                        plan.sql
                    );
                }
            }
            if sql.contains("marketplace_offers_geo") {
                // The R*Tree drives the statement, asked for the category's code
                // (min_code <= c AND max_code >= c) and the box.
                let first = plan.lines.first().map(String::as_str).unwrap_or("");
                assert!(
                    first.starts_with("SCAN ") && first.contains(" VIRTUAL TABLE INDEX 2:"),
                    "the R*Tree is not read first: {}\n  {all}",
                    plan.sql
                );
                let constraints = first.rsplit(':').next().unwrap_or("");
                for c in ["B0", "D1", "B2", "D3", "B4", "D5"] {
                    assert!(
                        constraints.contains(c),
                        "the R*Tree is not asked for {c}: {first}"
                    );
                }
                from_the_tree += 1;
            }
        }
        assert_eq!(from_the_tree, 1, "one read of the R*Tree per search");
    }
}
