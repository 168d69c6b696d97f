//! Issue 18: "search providers nearby" costs the page, not the providers in the
//! radius. Two thousand barbers stand within the radius searched; a page of
//! five reads the R*Tree's boxes once and no other table there, reads the exact
//! places of the offers that may be on the page (and of those at the radius's
//! edge) in one read each, not one per offer, and reads providers, prices and
//! bookings only for the five providers shown, one read each for the whole page
//! (not one per provider). The total still counts all of them,
//! and the page is the five nearest. (One test in this file: the statement
//! recorder is process-wide.)

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::Value;
use support::NAIROBI;
const CROWD: usize = 2_000;
const LIMIT: usize = 5;

#[tokio::test]
async fn a_page_of_providers_nearby_reads_the_page_not_the_radius() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    // Places spread over about 18 km around the centre (all within 10 km but
    // the corners), each with two barber prices and a paint price.
    let places = support::barber_crowd(&app, CROWD).await;
    let within = support::nearest_ids(&places, 10.0);
    assert!(within.len() > 1_500, "{}", within.len());

    let url = format!(
        "/marketplace/v1/services/search?serviceCategoryId=barber&location={},{}&radius=10&limit={LIMIT}",
        NAIROBI.0, NAIROBI.1
    );
    let plans = support::search_plans(&app, &url).await;
    let (status, body) = (plans.output.status, &plans.output.body);
    assert_eq!(status, StatusCode::OK, "{body}");
    // The total counts every barber within the radius; the page is the nearest five.
    assert_eq!(
        body["metadata"]["total"].as_u64(),
        Some(within.len() as u64),
        "{body}"
    );
    let shown: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r: &Value| r["providerId"].as_str().unwrap())
        .collect();
    let nearest: Vec<&str> = within.iter().take(LIMIT).map(String::as_str).collect();
    assert_eq!(shown, nearest);

    let mut from_the_tree = 0;
    let mut page_reads = 0;
    let mut offers_read = 0;
    for plan in &plans.plans {
        let all = plan.lines.join(" | ");
        if plan
            .sql
            .contains("FROM marketplace_offers o JOIN marketplace_providers")
        {
            // Exact places of a list of offers, by their keys.
            assert!(plan.table_scans().is_empty(), "{}\n  {all}", plan.sql);
            offers_read += 1;
            continue;
        }
        if plan.sql.contains("marketplace_offers_geo") {
            // The offers in the box come from the R*Tree and nothing else: no
            // join to the offers, providers or prices for each of them.
            assert!(
                !plan
                    .sql
                    .replace("marketplace_offers_geo", "")
                    .contains("marketplace_"),
                "the R*Tree read joins other tables: {}\n  {all}",
                plan.sql
            );
            assert_eq!(plan.lines.len(), 1, "{}\n  {all}", plan.sql);
            // One offer by its id: the exact place of an offer on the page.
            if plan.sql.contains("WHERE id = ") {
                offers_read += 1;
            } else {
                from_the_tree += 1;
            }
            continue;
        }
        // Any other read of providers, offers or prices names providers of
        // the page by their keys (one, or the page's list of them).
        assert!(
            shown.iter().any(|id| plan.sql.contains(&format!("'{id}'"))
                || plan.sql.contains(&format!("\"{id}\""))),
            "reads beyond the page: {}\n  {all}",
            plan.sql
        );
        assert!(plan.table_scans().is_empty(), "{}\n  {all}", plan.sql);
        for line in &plan.lines {
            assert!(!line.contains("TEMP B-TREE"), "{}\n  {all}", plan.sql);
        }
        page_reads += 1;
    }
    assert_eq!(from_the_tree, 1, "one read of the R*Tree's box");
    // The page's candidates and the offers at the edge: one read each, not
    // one per offer.
    assert!(
        offers_read <= 2,
        "{offers_read} reads of exact places for a page of {LIMIT}"
    );
    // The page's prices, cards and bookings: one read each for the whole page.
    assert!(
        page_reads <= 3,
        "{page_reads} reads of providers, prices and bookings for a page of {LIMIT}"
    );
}
