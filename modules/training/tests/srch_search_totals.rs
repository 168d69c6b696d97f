//! Search totals and highlights per page: the total of a query is the same
//! on every page and follows the index as soon as a scenario is added (the
//! engine counts a query once per index state), and every hit of a page,
//! the last page included, carries its highlights (stems and one-letter
//! typos marked as the words are).

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

mod support;
use support::drill;

fn scenario(name: &str, description: &str) -> Value {
    drill(name, description, &["general"], "TECHNICAL_SUPPORT")
}

async fn search(app: &TestApp, token: &str, body: Value) -> Value {
    let (st, b) = app
        .call(
            "POST",
            "/training/api/admin/scenarios/search",
            Some(token),
            Some(body),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{b}");
    b
}

async fn create(app: &TestApp, token: &str, name: &str) {
    let (st, b) = app
        .call(
            "POST",
            "/training/api/admin/scenarios",
            Some(token),
            Some(scenario(name, "A question about an invoice")),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::CREATED, "{b}");
}

#[tokio::test]
async fn totals_follow_the_index_and_every_page_is_highlighted() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let editor = app.token_for(&["training:editor"]).await;
    for i in 0..4 {
        create(&app, &editor, &format!("Billing dispute {i}")).await;
    }
    create(&app, &editor, "Billings disputed twice").await;
    create(&app, &editor, "Unrelated greeting").await;
    for page in 1..=3 {
        let b = search(
            &app,
            &editor,
            json!({"query": "billing dispute", "limit": 2, "page": page}),
        )
        .await;
        assert_eq!(b["pagination"]["total"], 5, "{b}");
        assert_eq!(b["pagination"]["totalPages"], 3, "{b}");
        let results = b["results"].as_array().unwrap();
        assert_eq!(results.len(), if page == 3 { 1 } else { 2 }, "{b}");
        for r in results {
            let name = r["highlights"]["name"].as_str().unwrap_or_default();
            assert!(name.contains("<em>"), "{r}");
            if r["name"] == "Billings disputed twice" {
                assert_eq!(name, "<em>Billings</em> <em>disputed</em> twice");
            }
        }
    }
    // Same query again after a change: the new scenario is counted, and a
    // one-letter typo is found and highlighted.
    create(&app, &editor, "Biling dispute new").await;
    let b = search(
        &app,
        &editor,
        json!({"query": "billing dispute", "limit": 2, "page": 3}),
    )
    .await;
    assert_eq!(b["pagination"]["total"], 6, "{b}");
    assert_eq!(b["pagination"]["totalPages"], 3, "{b}");
    let b = search(
        &app,
        &editor,
        json!({"query": "billing dispute", "limit": 10}),
    )
    .await;
    assert_eq!(b["pagination"]["total"], 6, "{b}");
    let typo = b["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Biling dispute new")
        .unwrap_or_else(|| panic!("{b}"));
    assert_eq!(
        typo["highlights"]["name"], "<em>Biling</em> <em>dispute</em> new",
        "{typo}"
    );
    // A filter is part of the query: its total is its own.
    let b = search(
        &app,
        &editor,
        json!({"query": "billing dispute", "filters": {"difficulties": ["BEGINNER"]}}),
    )
    .await;
    assert_eq!(b["pagination"]["total"], 0, "{b}");
}
