//! Search order, averages without attempts and the dashboard's best rated
//! scenarios, through HTTP.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

mod support;
use support::{call, drill};

fn scenario(name: &str) -> Value {
    drill(
        name,
        "Billing dispute training",
        &["billing"],
        "BILLING_PAYMENTS",
    )
}

#[tokio::test]
async fn relevance_ascending_is_refused_instead_of_echoed() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let editor = app.token_for(&["training:editor"]).await;
    let (st, _) = call(
        &app,
        "POST",
        "/admin/scenarios",
        &editor,
        Some(scenario("Billing one")),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, b) = call(
        &app,
        "POST",
        "/admin/scenarios/search",
        &editor,
        Some(json!({"query": "billing", "sort": {"by": "relevance", "order": "asc"}})),
    )
    .await;
    assert!(st.is_client_error(), "{st} {b}");
    assert!(b.to_string().contains("sort.order"), "{b}");
    let (st, _) = call(
        &app,
        "POST",
        "/admin/scenarios/search",
        &editor,
        Some(json!({"query": "billing", "sort": {"by": "relevance", "order": "desc"}})),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn averages_without_attempts_are_null_and_the_dashboard_lists_the_best_rated() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let editor = app.token_for(&["training:editor"]).await;
    let mut ids = vec![];
    for name in ["Unrated", "Good", "Great"] {
        let (st, b) = call(
            &app,
            "POST",
            "/admin/scenarios",
            &editor,
            Some(scenario(name)),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        ids.push(b["id"].as_str().unwrap().to_string());
    }
    let (_, b) = call(&app, "GET", "/admin/scenarios", &editor, None).await;
    assert!(b.to_string().contains("\"averageScore\":null"), "{b}");
    assert!(!b.to_string().contains("\"averageScore\":0.0"), "{b}");
    let (_, d) = call(&app, "GET", "/admin/analytics/dashboard", &editor, None).await;
    assert_eq!(d["attempts"]["averageScore"], Value::Null, "{d}");
    for (i, rating) in [(1, 3), (2, 5), (2, 4)] {
        let (st, _) = call(
            &app,
            "POST",
            &format!("/admin/scenarios/{}/attempts", ids[i]),
            &editor,
            Some(json!({"score": 80, "rating": rating})),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let (st, d) = call(&app, "GET", "/admin/analytics/dashboard", &editor, None).await;
    assert_eq!(st, StatusCode::OK);
    let best = d["bestRatedScenarios"].as_array().unwrap();
    assert_eq!(best.len(), 2, "{d}");
    assert_eq!(best[0]["scenarioId"], ids[2].as_str());
    assert_eq!(best[0]["averageRating"], 4.5);
    assert_eq!(best[1]["scenarioId"], ids[1].as_str());
}
