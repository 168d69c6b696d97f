//! Issue 18: a provider's reviews (first page) and its pricing list cost about
//! one get, whatever the provider's number of reviews and prices. With 5 000
//! reviews and 5 000 pricing configurations, every statement either request
//! runs reads an index (no table scan, no sort of its own), the totals come
//! from the kept counts (no count over the provider's rows), and the page
//! reads its own rows. (One test in this file: the statement recorder is
//! process-wide.)

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::json;

const ROWS: i64 = 5_000;

#[tokio::test]
async fn reviews_first_page_and_pricing_read_indexes_and_kept_counts() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let m = support::market(&app, json!({})).await;
    let (customer, prov) = (m.customer.clone(), m.prov.clone());
    support::reviewed_bookings(&app, &m, ROWS, "approved").await;
    let pv = prov.clone();
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
                 INSERT INTO marketplace_pricing (id, provider_id, category_id, service_key, service_name, pricing_type,
                     current_price, currency, config, is_active, created_at, updated_at)
                 SELECT printf('cc%022x', i), ?1, NULL, 'svc' || i, 'Service ' || i, 'flat',
                        100 + i, 'KES', '{\"serviceName\":\"Service\",\"pricingType\":\"flat\",\"flatRate\":100}', 1,
                        strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i, 'unixepoch'),
                        strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i, 'unixepoch') FROM n",
                rusqlite::params![pv, ROWS],
            )?;
            Ok(())
        })
        .await
        .expect("fixture");
    crate_refresh(&app, &prov).await;

    let watched = [
        "marketplace_reviews",
        "marketplace_provider_ratings",
        "marketplace_providers",
        "marketplace_customers",
        "marketplace_bookings",
        "marketplace_pricing",
        "marketplace_pricing_counts",
    ];
    for (what, url, total) in [
        (
            "reviews, first page",
            format!("/marketplace/v1/providers/{prov}/reviews?limit=20"),
            ROWS - ROWS / 10,
        ),
        (
            "pricing, first page",
            format!("/marketplace/v1/providers/{prov}/pricing?limit=20"),
            ROWS + 1,
        ),
    ] {
        let plans = app
            .plans_of(&watched, app.call("GET", &url, Some(&customer), None))
            .await;
        let body = &plans.output.body;
        assert_eq!(plans.output.status, StatusCode::OK, "{what}: {body}");
        let meta = if body["metadata"].is_object() {
            &body["metadata"]
        } else {
            &body["data"]["metadata"]
        };
        assert_eq!(meta["total"].as_i64(), Some(total), "{what}: {body}");
        plans.assert_no_scan();
        for plan in &plans.plans {
            let sql = plan.sql.to_ascii_lowercase();
            // Rows come in index order; the only sort allowed is of the page's
            // own rows (at most `limit`, after the page's co-routine).
            let mut in_page = false;
            for line in &plan.lines {
                if line.starts_with("CO-ROUTINE page") {
                    in_page = true;
                } else if line.starts_with("SCAN page") {
                    in_page = false;
                } else if line.contains("TEMP B-TREE") {
                    assert!(
                        !in_page && sql.starts_with("with page as (") && sql.contains(" limit "),
                        "{what} sorts rows beyond the page: {}\n  {}",
                        plan.sql,
                        plan.lines.join(" | ")
                    );
                }
            }
            // No count over the provider's reviews or prices for the total.
            assert!(
                !(sql.contains("count(")
                    && (sql.contains("from marketplace_reviews")
                        || sql.contains("from marketplace_pricing "))),
                "{what} counts rows: {}\n  {}",
                plan.sql,
                plan.lines.join(" | ")
            );
        }
        assert!(
            plans.plans.len() <= 6,
            "{what}: {} statements\n{}",
            plans.plans.len(),
            plans
                .plans
                .iter()
                .map(|p| p.sql.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The provider's kept rating after the bulk insert (as a review's write does).
async fn crate_refresh(app: &TestApp, provider: &str) {
    let p = provider.to_string();
    app.platform
        .db
        .write(move |tx| {
            frontline_marketplace::service::reviews::refresh_rating(tx, &p).expect("refresh");
            Ok(())
        })
        .await
        .expect("refresh");
}
