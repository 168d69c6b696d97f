//! Issue 18: "search providers nearby", nearest first, reads no offer's exact
//! place from the R*Tree (its auxiliary columns, a row of its `_rowid` table
//! each) for the providers in the radius: the total and the page come from the
//! grid's cell counts and cell index (see `mkt_nearby_page_plans.rs`), and the
//! page's offers are read by key. Before session 11, every offer in the box was
//! read there (1 500 reads for a page of five). The answers are those of the
//! exact distances: the total, the page and its order, first and deeper pages.
//! Its own test binary with one test (the statement recorder is process-wide).

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use support::NAIROBI;

const CROWD: usize = 2_000;
const LIMIT: usize = 5;

#[tokio::test]
async fn nearest_first_reads_exact_places_for_the_page_only() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let places = support::barber_crowd(&app, CROWD).await;
    for radius in [10.0, 4.0] {
        let within = support::nearest_ids(&places, radius);
        assert!(within.len() > 200, "{}", within.len());
        for page in [1, 4] {
            let url = format!(
                "/marketplace/v1/services/search?serviceCategoryId=barber&location={},{}&radius={radius}&limit={LIMIT}&page={page}",
                NAIROBI.0, NAIROBI.1
            );
            let (reply, statements) = app.statements_of(app.call("GET", &url, None, None)).await;
            let (status, body) = reply.parts();
            assert_eq!(status, StatusCode::OK, "{url}: {body}");
            support::assert_nearby_page(&body, &url, &within, page, LIMIT);
            // Reads of the R*Tree's `_rowid` table (an offer read by its id finds
            // its node and its auxiliary columns there: two each): the offers
            // up to the page's end (and the few a metre can't tell), not the radius.
            let exact = statements
                .iter()
                .filter(|(sql, _)| sql.contains("marketplace_offers_geo_rowid"))
                .count();
            assert!(
                exact <= 2 * (page * LIMIT + 5),
                "{url}: {exact} exact places read for a page ending at {}",
                page * LIMIT
            );
        }
    }
}
