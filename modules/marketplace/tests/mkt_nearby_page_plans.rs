//! Issue 18: "search providers nearby" costs the page, not the providers in the
//! radius. Two thousand barbers stand within the radius searched; a page of
//! five reads cell counts and the offers of cells on the edge and around the
//! page, a level or a set of cells per read (by key and by index ranges, never
//! the R*Tree), the page's offers in one read, and reads providers, prices and
//! bookings only for the five providers shown, one read each for the whole page
//! (not one per provider). The total still counts all of them,
//! and the page is the five nearest. (One test in this file: the statement
//! recorder is process-wide.)

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
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
    support::assert_nearby_page(body, &url, &within, 1, LIMIT);
    let shown: Vec<&str> = within.iter().take(LIMIT).map(String::as_str).collect();

    let mut grid_reads = 0;
    let mut page_reads = 0;
    let mut offers_read = 0;
    for plan in &plans.plans {
        let all = plan.lines.join(" | ");
        // The R*Tree is not read at all: counts and the edge's offers come
        // from the cell counts and the cell index.
        assert!(
            !plan.sql.contains("marketplace_offers_geo"),
            "reads the R*Tree: {}\n  {all}",
            plan.sql
        );
        if plan
            .sql
            .contains("FROM marketplace_offers o JOIN marketplace_providers")
        {
            // The page's offers (provider, rating), by their keys.
            assert!(plan.table_scans().is_empty(), "{}\n  {all}", plan.sql);
            offers_read += 1;
            continue;
        }
        if plan.sql.contains("marketplace_offer_cells")
            || plan.sql.contains("marketplace_offers_near")
        {
            // Cells by key, offers of a cell by a range of its index.
            let seeks = plan
                .lines
                .iter()
                .filter(|l| {
                    l.contains("USING PRIMARY KEY (code=? AND level=? AND cell>? AND cell<?)")
                        || l.contains(
                            "USING COVERING INDEX marketplace_offers_near_by_cell (code=? AND cell>? AND cell<?)",
                        )
                })
                .count();
            assert_eq!(seeks, 1, "{}\n  {all}", plan.sql);
            assert!(plan.table_scans().is_empty(), "{}\n  {all}", plan.sql);
            grid_reads += 1;
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
    // A few reads of the grid: a level's cells or a set of cells' offers
    // each, not one per cell or offer.
    assert!(
        (1..=24).contains(&grid_reads),
        "{grid_reads} reads of cell counts and offers"
    );
    // The page's offers: one read.
    assert_eq!(offers_read, 1, "reads of offers for a page of {LIMIT}");
    // The page's prices, cards and bookings: one read each for the whole page.
    assert!(
        page_reads <= 3,
        "{page_reads} reads of providers, prices and bookings for a page of {LIMIT}"
    );
}
