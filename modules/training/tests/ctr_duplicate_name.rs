//! A scenario whose name has the full 200 characters can be duplicated
//! without a new name: the default name of the copy (the original's plus
//! " (Copy)") is shortened to fit the document's 200, not refused with 422
//! (found by schemathesis' positive_data_acceptance check).

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn duplicate_of_a_200_character_name_without_a_new_name() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let editor = app.token_for(&["training:editor"]).await;
    let name = format!("Long {}", "n".repeat(195));
    assert_eq!(name.chars().count(), 200);
    let (st, b) = app
        .call(
            "POST",
            "/training/api/admin/scenarios",
            Some(&editor),
            Some(json!({
                "name": name, "description": "Long name", "category": "BILLING_PAYMENTS",
                "difficulty": "BEGINNER", "estimatedDuration": 10
            })),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().expect("id").to_string();

    for body in [None, Some(json!({}))] {
        let (st, b) = app
            .call(
                "POST",
                &format!("/training/api/admin/scenarios/{id}/duplicate"),
                Some(&editor),
                body,
            )
            .await
            .parts();
        assert_eq!(st, StatusCode::CREATED, "{b}");
        let copy = b["name"].as_str().expect("name");
        assert!(copy.ends_with(" (Copy)"), "{copy}");
        assert_eq!(copy.chars().count(), 200, "{copy}");
        assert!(copy.starts_with("Long nnn"), "{copy}");
        let (st, got) = app
            .call(
                "GET",
                &format!(
                    "/training/api/admin/scenarios/{}",
                    b["id"].as_str().expect("id")
                ),
                Some(&editor),
                None,
            )
            .await
            .parts();
        assert_eq!(st, StatusCode::OK, "{got}");
        assert_eq!(got["name"], copy);
    }
}
