//! Fields typed with `pattern_string!` (regex compiled once) refuse what
//! `validator(pattern)` refused, with the same field-by-field error body.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn account_fields_are_checked_against_their_documented_patterns() {
    let app = TestApp::new(vec![]).await;
    let t = app.admin_token.clone();
    let (_, doc) = app
        .call("GET", "/auth/openapi.json", None, None)
        .await
        .parts();
    let create = &doc["components"]["schemas"]["CreateUser"]["properties"];
    assert_eq!(create["email"]["maxLength"], 254);
    assert!(create["email"]["pattern"].as_str().unwrap().contains('@'));
    assert_eq!(create["name"]["minLength"], 1);
    assert!(create["name"]["pattern"]
        .as_str()
        .unwrap()
        .starts_with("[^"));

    let (status, body) = app
        .call(
            "POST",
            "/auth/users",
            Some(&t),
            Some(json!({"email": "no-at-sign", "password": "long-enough", "name": "\u{3000} \t"})),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let details: Vec<(String, String)> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["field"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        details,
        vec![
            ("email".into(), "is not in the documented format".into()),
            ("name".into(), "is not in the documented format".into()),
        ],
        "{body}"
    );

    let (status, body) = app
        .call(
            "POST",
            "/auth/users",
            Some(&t),
            Some(json!({"email": "p@example.org", "password": "long-enough", "name": "Pat"})),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (body["email"].as_str(), body["name"].as_str()),
        (Some("p@example.org"), Some("Pat"))
    );
    let id = body["id"].as_str().unwrap().to_string();

    let (status, body) = app
        .call(
            "PATCH",
            &format!("/auth/users/{id}"),
            Some(&t),
            Some(json!({"name": "\u{2003}"})),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "name", "{body}");
    let (status, body) = app
        .call("GET", &format!("/auth/users/{id}"), Some(&t), None)
        .await
        .parts();
    assert_eq!(
        (status, body["name"].as_str()),
        (StatusCode::OK, Some("Pat")),
        "{body}"
    );
}
