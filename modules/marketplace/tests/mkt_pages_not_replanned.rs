//! Issue 18: a kept page statement is reused as prepared. A bound `LIMIT ?` /
//! `OFFSET ?` is read by SQLite's planner, which then marks the statement to be
//! parsed and planned again whenever it is bound, as every reuse of a kept
//! statement is: in the release profile that re-prepare was a third of a
//! provider's review page. A provider's review page and pricing list, asked
//! for again, re-prepare none of their statements. (One test in this file.)

mod support;

use frontline_platform::page::Page;
use frontline_platform::testing::{replanned_statements, TestApp};
use poem::http::StatusCode;

#[tokio::test]
async fn review_and_pricing_pages_reuse_their_statements_as_planned() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let m = support::rated_market(&app, 60).await;

    // The answers through HTTP, asked for twice.
    for _ in 0..2 {
        for (url, total) in [
            (
                format!("/marketplace/v1/providers/{}/reviews?limit=20", m.prov),
                54,
            ),
            (
                format!("/marketplace/v1/providers/{}/pricing?limit=20", m.prov),
                1,
            ),
        ] {
            let (s, b) = app.call("GET", &url, None, None).await.parts();
            assert_eq!(s, StatusCode::OK, "{url}: {b}");
            let meta = if b["metadata"].is_object() {
                &b["metadata"]
            } else {
                &b["data"]["metadata"]
            };
            assert_eq!(meta["total"], total, "{url}: {b}");
        }
    }

    // The same requests' reads on one connection, three times each: the kept
    // statements run as first planned.
    let conn = app.platform.db.conn().expect("connection");
    for page in [1, 2, 3] {
        let pg = Page::new(Some(page), Some(20), 20, 100).expect("page");
        for _ in 0..3 {
            frontline_marketplace::service::reviews::provider_reviews(
                &conn, &m.prov, None, None, None, &pg,
            )
            .expect("reviews");
            frontline_marketplace::service::pricing::list(&conn, &m.prov, None, None, None, &pg)
                .expect("pricing");
        }
    }
    let again = replanned_statements(&conn);
    assert!(
        again.is_empty(),
        "statements parsed and planned again on reuse:\n{}",
        again
            .iter()
            .map(|(sql, n)| format!("{n}x {sql}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
