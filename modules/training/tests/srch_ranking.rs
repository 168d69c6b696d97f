//! Search ranking with typo tolerance: a misspelt word that is rare in the
//! index never outranks the word the user typed for being rare, and the
//! total counts every match, misspellings included.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

mod support;
use support::drill;

fn scenario(name: &str, description: &str) -> Value {
    drill(name, description, &["general"], "TECHNICAL_SUPPORT")
}

#[tokio::test]
async fn a_rare_misspelt_name_ranks_below_the_word_typed() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let editor = app.token_for(&["training:editor"]).await;
    let admin = app.token_for(&["training:admin"]).await;
    let mut exact = Vec::new();
    for i in 0..6 {
        let (st, b) = app
            .call(
                "POST",
                "/training/api/admin/scenarios",
                Some(&editor),
                Some(scenario(&format!("Case {i}"), "A billing question")),
            )
            .await
            .parts();
        assert_eq!(st, StatusCode::CREATED, "{b}");
        exact.push(b["id"].as_str().unwrap().to_string());
    }
    let (st, b) = app
        .call(
            "POST",
            "/training/api/admin/scenarios",
            Some(&editor),
            Some(scenario("Biling case", "Another question")),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let typo = b["id"].as_str().unwrap().to_string();
    // The editor sees through the visibility filter; the admin without one.
    for token in [&editor, &admin] {
        let (st, b) = app
            .call(
                "POST",
                "/training/api/admin/scenarios/search",
                Some(token),
                Some(json!({"query": "billing"})),
            )
            .await
            .parts();
        assert_eq!(st, StatusCode::OK, "{b}");
        let ids: Vec<&str> = b["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(b["pagination"]["total"], 7, "{b}");
        assert_eq!(ids.last(), Some(&typo.as_str()), "{ids:?}");
        assert!(
            ids[..6].iter().all(|id| exact.iter().any(|e| e == id)),
            "{ids:?}"
        );
        assert_eq!(b["results"][0]["relevanceScore"], 1.0);
        assert_eq!(
            b["results"][6]["highlights"]["name"], "<em>Biling</em> case",
            "{b}"
        );
        assert_eq!(b["results"][6]["matchedFields"], json!(["name"]));
    }
}
