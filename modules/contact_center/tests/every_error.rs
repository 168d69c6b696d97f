//! Issue 16 for the contact center: a refused request names every bad field
//! at once (body members and query parameters), and every code it answers
//! with comes from the module's one error table.
mod part1;

use part1::*;
use serde_json::{json, Value};

fn named(body: &Value) -> Vec<String> {
    let mut fields: Vec<String> = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors list: {body}"))
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            e["field"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    fields.sort();
    fields
}

#[tokio::test]
async fn a_body_with_three_bad_fields_gets_three_named_errors() {
    let cc = Cc::new().await;
    let (_, user) = cc.user("user").await;
    let r = cc
        .post(
            &user,
            "/campaigns",
            json!({"name": "", "end_date": "next week", "provider_config": ["voice"]}),
        )
        .await;
    let body = r.expect(422);
    assert_eq!(body["error_code"], "VALIDATION_ERROR", "{body}");
    assert_eq!(
        named(&body),
        ["end_date", "name", "provider_config"],
        "{body}"
    );

    // The same on a template and on an update.
    let r = cc
        .post(
            &user,
            "/campaign-templates",
            json!({"name": " ", "default_config": "x", "campaign_type": "sideways"}),
        )
        .await;
    let body = r.expect(422);
    assert_eq!(
        named(&body),
        ["campaign_type", "default_config", "name"],
        "{body}"
    );
    let id = cc.campaign(&user, "Spring").await;
    let r = cc
        .put(
            &user,
            &format!("/campaigns/{id}"),
            json!({"start_date": "soon", "max_retries": 99, "provider_config": 1}),
        )
        .await;
    let body = r.expect(422);
    assert_eq!(
        named(&body),
        ["max_retries", "provider_config", "start_date"],
        "{body}"
    );
    // Valid forms still pass: a bare date and an RFC 3339 time.
    cc.put(
        &user,
        &format!("/campaigns/{id}"),
        json!({"start_date": "2030-01-01", "end_date": "2030-02-01T10:00:00Z",
               "provider_config": {"voice": "alloy"}}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn query_parameters_are_all_named_at_once() {
    let cc = Cc::new().await;
    let (_, user) = cc.user("user").await;
    let r = cc
        .get(&user, "/contacts?limit=0&status=bogus&offset=-1")
        .await;
    let body = r.expect(422);
    assert_eq!(body["error_code"], "VALIDATION_ERROR", "{body}");
    assert_eq!(named(&body), ["limit", "offset", "status"], "{body}");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("status must be one of pending"), "{detail}");
    assert!(detail.contains("limit must be at least 1"), "{detail}");

    // One bad parameter: still named, in `field` and in `errors`.
    let body = cc.get(&user, "/contacts?limit=500").await.expect(422);
    assert_eq!(body["field"], "limit", "{body}");
    assert_eq!(named(&body), ["limit"], "{body}");
}

#[tokio::test]
async fn codes_come_from_the_one_table() {
    let cc = Cc::new().await;
    let (_, user) = cc.user("user").await;
    let doc = cc
        .app
        .call("GET", "/contact-center/openapi.json", None, None)
        .await
        .body;
    let op = &doc["paths"]["/api/v1/campaigns/{campaign_id}"]["get"]["responses"];
    let text = |s: &str| {
        op[s]["description"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(text("404").contains("`NOT_FOUND`"), "{}", text("404"));
    assert!(
        text("401").contains("`AUTHENTICATION_ERROR`"),
        "{}",
        text("401")
    );
    assert!(
        text("403").contains("`AUTHORIZATION_ERROR`"),
        "{}",
        text("403")
    );
    assert!(
        text("409").contains("`INVALID_STATUS_TRANSITION`"),
        "{}",
        text("409")
    );
    assert!(!text("409").contains("`CONFLICT`"), "{}", text("409"));

    // A code outside the table (the platform's own) answers as the table's.
    let r = cc
        .app
        .call("PATCH", &format!("{V1}/campaigns/1"), Some(&user), None)
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(r.body["error_code"], "METHOD_NOT_ALLOWED");
    let r = cc
        .app
        .call(
            "GET",
            "/contact-center/api/recordings/999999/transcription",
            Some(&cc.admin),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(r.body["error_code"], "NOT_FOUND");
}
