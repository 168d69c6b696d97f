//! A search result shows the scenario's name, description, category,
//! difficulty, status, tags and analytics, and highlights every field that
//! matched, the customer profile and context included, though the page no
//! longer copies the stored profile and context texts it does not show.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

mod support;
use support::{call, drill};

#[tokio::test]
async fn a_result_shows_its_fields_and_every_matched_field_highlighted() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let editor = app.token_for(&["training:editor"]).await;
    let (st, created) = call(
        &app,
        "POST",
        "/admin/scenarios",
        &editor,
        Some(drill(
            "Billing dispute at TelcoMax",
            "A customer disputes a billing charge",
            &["billing", "refunds"],
            "BILLING_PAYMENTS",
        )),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let (st, b) = call(
        &app,
        "POST",
        "/admin/scenarios/search",
        &editor,
        Some(json!({"query": "billing telcomax robert"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let r: &Value = &b["results"][0];
    assert!(r.is_object(), "{b}");
    let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "analytics",
            "category",
            "description",
            "difficulty",
            "highlights",
            "id",
            "matchedFields",
            "name",
            "relevanceScore",
            "status",
            "tags"
        ]
    );
    assert_eq!(r["id"], id.as_str());
    assert_eq!(r["name"], "Billing dispute at TelcoMax");
    assert_eq!(r["description"], "A customer disputes a billing charge");
    assert_eq!(r["category"], "BILLING_PAYMENTS");
    assert_eq!(r["difficulty"], "INTERMEDIATE");
    assert_eq!(r["tags"], json!(["billing", "refunds"]));
    assert_eq!(r["relevanceScore"], 1.0);
    assert_eq!(
        r["analytics"],
        json!({"averageRating": null, "usageCount": 0})
    );
    assert_eq!(
        r["matchedFields"],
        json!([
            "name",
            "tags",
            "description",
            "category",
            "customerProfile",
            "context"
        ])
    );
    let h = &r["highlights"];
    assert_eq!(h["name"], "<em>Billing</em> dispute at <em>TelcoMax</em>");
    assert_eq!(h["tags"], json!(["<em>billing</em>"]));
    assert_eq!(h["category"], "<em>billing</em> payments");
    assert_eq!(
        h["description"],
        "A customer disputes a <em>billing</em> charge"
    );
    assert_eq!(h["customerProfile"], "<em>Robert</em> Johnson. assertive");
    assert_eq!(
        h["context"],
        "<em>TelcoMax</em>. telecommunications. Customer question"
    );
}
