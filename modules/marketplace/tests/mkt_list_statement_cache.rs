//! Issue 18: a provider's profile, its reviews page and its pricing list run
//! statements the connection keeps prepared: a request does not parse and plan
//! its SQL again (before, each of these prepared two or three statements on
//! every request, the largest share of their SQLite time).
//! Its own test binary with one test (the statement recorder is process-wide).

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn profile_reviews_and_pricing_reuse_prepared_statements() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let m = support::market(&app, json!({})).await;
    support::reviewed_booking(&app, &m).await;
    let prov = &m.prov;
    for path in [
        format!("/providers/{prov}"),
        format!("/providers/{prov}/reviews?limit=20"),
        format!("/providers/{prov}/pricing?limit=20"),
    ] {
        // Every pooled connection the warm-up touches prepares each statement once.
        for _ in 0..5 {
            let (s, b) = support::call(&app, "GET", &path, Some(&m.customer), None).await;
            assert_eq!(s, StatusCode::OK, "{path}: {b}");
        }
        let (reply, statements) = app
            .statements_of(app.call(
                "GET",
                &format!("/marketplace/v1{path}"),
                Some(&m.customer),
                None,
            ))
            .await;
        let (s, b) = reply.parts();
        assert_eq!(s, StatusCode::OK, "{path}: {b}");
        let ours: Vec<&(String, bool)> = statements
            .iter()
            .filter(|(sql, _)| sql.contains("marketplace_") && sql.contains(prov.as_str()))
            .collect();
        assert!(
            !ours.is_empty(),
            "{path}: no statement seen: {statements:?}"
        );
        let fresh: Vec<&str> = ours
            .iter()
            .filter(|(_, fresh)| *fresh)
            .map(|(sql, _)| sql.as_str())
            .collect();
        assert!(fresh.is_empty(), "{path}: prepared again: {fresh:#?}");
    }
}
