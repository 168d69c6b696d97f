//! Issue 18: "search providers nearby" (nearest first) does work that follows
//! the circle's edge and the page, not the providers inside the circle. Two
//! thousand barbers around the place searched, then ten times as many over
//! the same area: the total grows tenfold, but the cell counts and offers a
//! page reads grow about as the square root (the circle's edge is resolved in
//! finer cells), and stay well under the providers in the radius
//! (before, every offer in the search's box was read from the R*Tree: more
//! than the total). The answers are those of the exact distances. Its own test
//! binary with one test (the work counters are process-wide).

mod support;

use frontline_marketplace::service::pricing::{nearby_work, NearbyWork};
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use support::NAIROBI;

const RADIUS: f64 = 20.0;
const LIMIT: usize = 20;

/// Page `page` of the search: checked against the exact distances; its work.
async fn search(app: &TestApp, places: &[(String, f64, f64)], page: usize) -> (u64, NearbyWork) {
    let within = support::nearest_ids(places, RADIUS);
    let url = format!(
        "/marketplace/v1/services/search?serviceCategoryId=barber&location={},{}&radius={RADIUS}&limit={LIMIT}&page={page}",
        NAIROBI.0, NAIROBI.1
    );
    let before = nearby_work();
    let (status, body) = app.call("GET", &url, None, None).await.parts();
    let work = nearby_work() - before;
    assert_eq!(status, StatusCode::OK, "{url}: {body}");
    support::assert_nearby_page(&body, &url, &within, page, LIMIT);
    (within.len() as u64, work)
}

#[tokio::test]
async fn nearby_work_follows_the_edge_and_the_page_not_the_radius() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    // About 65 km square around the centre: the 20 km circle and its box inside.
    let mut places = support::crowd(&app, "one", 2_000, 0.3, 5).await;
    let mut small = Vec::new();
    for page in [1, 3] {
        small.push(search(&app, &places, page).await);
    }
    places.extend(support::crowd(&app, "ten", 18_000, 0.3, 6).await);
    let mut large = Vec::new();
    for page in [1, 3] {
        large.push(search(&app, &places, page).await);
    }
    for ((n1, w1), (n10, w10)) in small.iter().zip(&large) {
        eprintln!("{n1}: {w1:?}  {n10}: {w10:?}");
        assert!(*n10 >= 9 * n1, "{n1} -> {n10}");
        let (rows1, rows10) = (w1.cells + w1.offers, w10.cells + w10.offers);
        assert!(
            rows10 <= 4 * rows1,
            "rows read {rows1} -> {rows10}: grows with the data"
        );
        // The edge band's cells and offers: about the square root of the
        // density (finer cells on the edge, fewer offers in each).
        assert!(
            rows10 * 3 <= *n10,
            "{rows10} rows read for {n10} providers in the radius"
        );
        assert!(w10.reads <= 30, "{} statements", w10.reads);
    }
}
