//! Issue 18: a provider's review page runs two statements whatever its number
//! of reviews: the provider with its kept counts per rating (the distribution
//! and the total), and the page. (One test in this file: the statement
//! recorder is process-wide.)

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;

#[tokio::test]
async fn a_review_page_is_two_statements() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let m = support::rated_market(&app, 100).await;
    let url = format!("/marketplace/v1/providers/{}/reviews?limit=20", m.prov);
    let plans = app
        .plans_of(
            &[
                "marketplace_reviews",
                "marketplace_providers",
                "marketplace_provider_ratings",
            ],
            app.call("GET", &url, None, None),
        )
        .await;
    let (status, body) = (plans.output.status, &plans.output.body);
    assert_eq!(status, StatusCode::OK, "{body}");
    let d = &body["data"];
    assert_eq!(d["metadata"]["total"], 90, "{body}");
    assert_eq!(d["provider"]["totalReviews"], 90, "{body}");
    let per_rating: i64 = (1..=5)
        .map(|k| d["ratingDistribution"][k.to_string()].as_i64().unwrap())
        .sum();
    assert_eq!(per_rating, 90, "{body}");
    assert_eq!(d["reviews"].as_array().map(Vec::len), Some(20), "{body}");
    plans.assert_no_scan();
    assert_eq!(
        plans.plans.len(),
        2,
        "{}",
        plans
            .plans
            .iter()
            .map(|p| p.sql.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // An unknown provider is still 404.
    let (s, b) = app
        .call(
            "GET",
            "/marketplace/v1/providers/aaaaaaaaaaaaaaaaaaaaaaaa/reviews",
            None,
            None,
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
}
