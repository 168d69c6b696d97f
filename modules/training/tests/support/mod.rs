//! Set-up shared by the training tests that only need scenarios to exist.
#![allow(dead_code)]

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
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

/// The scenario of the API document's example (a billing dispute, every
/// content section filled in).
pub fn doc_example() -> Value {
    json!({
      "name": "Billing Dispute - Overcharge",
      "description": "Customer received incorrect bill with overcharge",
      "category": "BILLING_PAYMENTS",
      "difficulty": "INTERMEDIATE",
      "estimatedDuration": 10,
      "tags": ["billing", "dispute", "overcharge"],
      "customerProfile": {
        "name": "Robert Johnson", "age": 45, "personality": ["assertive", "detail-oriented"],
        "initialMood": 35, "speakingStyle": "firm, wants explanations",
        "backgroundStory": "Long-term customer with good payment history", "voiceProfileId": "angry_customer"
      },
      "context": {
        "companyName": "TelcoMax", "industry": "telecommunications", "productService": "Internet and TV bundle",
        "issue": "Bill is $75 higher than usual",
        "contextDetails": {"normalBill": 150, "currentBill": 225, "accountAge": "10 years", "paymentHistory": "excellent"},
        "priorInteractions": 0
      },
      "aiConfig": {
        "systemPrompt": "You are Robert Johnson, calling about...", "temperature": 0.8, "interruptionRate": 0.15,
        "escalationThreshold": 70,
        "emotionalTriggers": [{"trigger": "no_empathy", "moodChange": -15}, {"trigger": "good_solution", "moodChange": 20}]
      },
      "successCriteria": {
        "targetOutcome": "Issue resolved with credit applied",
        "acceptableSolutions": ["Immediate credit + future discount", "Full credit on next bill", "Investigation with callback"],
        "mustUseKeywords": ["understand", "apologize", "resolve"], "avoidKeywords": ["policy", "nothing we can do"],
        "timeLimit": 600
      },
      "evaluationWeights": {
        "greeting": 10, "listening": 20, "solution": 25, "empathy": 20, "closing": 10,
        "customMetrics": [{"name": "billing_knowledge", "weight": 15, "description": "Understanding of billing processes"}]
      },
      "status": "DRAFT", "isPrivate": false, "tenantId": null
    })
}

/// The training app with a caller that prefixes `/training/api`.
pub struct T {
    pub app: TestApp,
}

impl T {
    pub async fn new() -> T {
        T {
            app: TestApp::new(vec![frontline_training::module()]).await,
        }
    }

    /// `method path` (under `/training/api`) as the holder of `token`.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = format!("/training/api{path}");
        self.app.call(method, &url, Some(token), body).await.parts()
    }
}

/// A short scenario (a customer question at TelcoMax) with the given name,
/// description, tags and category.
pub fn drill(name: &str, description: &str, tags: &[&str], category: &str) -> Value {
    json!({
        "name": name,
        "description": description,
        "category": category,
        "difficulty": "INTERMEDIATE",
        "estimatedDuration": 10,
        "tags": tags,
        "customerProfile": {"name": "Robert Johnson", "age": 45, "personality": ["assertive"], "initialMood": 35},
        "context": {"companyName": "TelcoMax", "industry": "telecommunications", "issue": "Customer question"},
        "aiConfig": {"systemPrompt": "You are a customer", "temperature": 0.8},
        "evaluationWeights": {"greeting": 10, "listening": 20, "solution": 30, "empathy": 25, "closing": 15}
    })
}

/// `method path` (under `/training/api`) on `app` as the holder of `token`.
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.call(method, &format!("/training/api{path}"), Some(token), body)
        .await
        .parts()
}
