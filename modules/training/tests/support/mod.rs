//! Set-up shared by the training tests that only need scenarios to exist.
#![allow(dead_code)]

use frontline_platform::testing::TestApp;
use serde_json::{json, Value};

/// A valid scenario body named `name` (billing, beginner, a bill dispute).
pub fn scenario_body(name: &str) -> Value {
    json!({
        "name": name,
        "description": "A customer disputes a bill",
        "category": "BILLING_PAYMENTS",
        "difficulty": "BEGINNER",
        "estimatedDuration": 5,
        "customerProfile": {"name": "Customer", "age": 30, "personality": ["calm"], "initialMood": 50},
        "context": {"companyName": "TelcoMax", "industry": "telecommunications", "issue": "Bill"},
        "aiConfig": {"systemPrompt": "You are a customer", "temperature": 0.5},
        "evaluationWeights": {"greeting": 10, "listening": 20, "solution": 30, "empathy": 30, "closing": 10}
    })
}

/// Creates scenario `name` as the admin; returns its id.
pub async fn create_scenario(app: &TestApp, name: &str) -> String {
    let r = app
        .call(
            "POST",
            "/training/api/admin/scenarios",
            Some(&app.admin_token),
            Some(scenario_body(name)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_string()
}
