//! An optional JSON body is either left out or an object: a literal `null`
//! is not a body the document allows, so it is refused in the module's
//! error body and nothing changes (it used to be taken as "no body").

use frontline_platform::testing::TestApp;
use serde_json::{json, Value};

#[tokio::test]
async fn a_null_body_is_refused_and_an_absent_one_is_not() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let token = app.admin_token.clone();
    let r = app
        .call(
            "POST",
            "/training/api/admin/scenarios",
            Some(&token),
            Some(json!({
                "name": "Null body", "description": "Archive me",
                "category": "BILLING_PAYMENTS", "difficulty": "BEGINNER", "estimatedDuration": 5,
                "tags": ["x"],
                "customerProfile": {"name": "C", "age": 30, "personality": ["calm"], "initialMood": 50},
                "context": {"companyName": "TelcoMax", "industry": "telecommunications", "issue": "Q"},
                "aiConfig": {"systemPrompt": "You are a customer", "temperature": 0.5},
                "evaluationWeights": {"greeting": 10, "listening": 20, "solution": 30, "empathy": 30, "closing": 10}
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let archive = format!("/training/api/admin/scenarios/{id}/archive");

    let resp = app
        .client
        .post(&archive)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .body("null")
        .send()
        .await;
    let status = resp.0.status().as_u16();
    let body: Value = resp.0.into_body().into_json().await.unwrap_or(Value::Null);
    assert!(status == 400 || status == 422, "null body: {status} {body}");
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR", "{body}");
    let r = app
        .call(
            "GET",
            &format!("/training/api/admin/scenarios/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.body["status"], "DRAFT", "nothing archived: {}", r.body);

    // Without a body the reason is optional, as documented.
    let resp = app
        .client
        .post(&archive)
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 200);
    let r = app
        .call(
            "GET",
            &format!("/training/api/admin/scenarios/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.body["status"], "ARCHIVED", "{}", r.body);
}
