//! Unrestricted resource consumption through the training API: search text
//! of any size runs as a bounded query (the platform search engine reads at
//! most 64 words), and deeply nested JSON is a clean client error in the
//! module's body.

use std::time::Instant;

use frontline_platform::testing::TestApp;
use serde_json::{json, Value};

async fn call(app: &TestApp, method: &str, path: &str, body: Option<String>) -> (u16, Value) {
    let url = format!("/training/api{path}");
    let req = match method {
        "GET" => app.client.get(url),
        _ => app.client.post(url),
    }
    .header("Authorization", format!("Bearer {}", app.admin_token))
    .header("Content-Type", "application/json");
    let resp = match body {
        Some(b) => req.body(b).send().await,
        None => req.send().await,
    };
    let status = resp.0.status().as_u16();
    let text = resp.0.into_body().into_string().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn scenario() -> Value {
    json!({
        "name": "Billing dispute", "description": "A customer disputes a charge",
        "category": "BILLING_PAYMENTS", "difficulty": "INTERMEDIATE", "estimatedDuration": 10,
        "tags": ["billing"],
        "customerProfile": {"name": "Robert", "age": 45, "personality": ["assertive"], "initialMood": 35},
        "context": {"companyName": "TelcoMax", "industry": "telecommunications", "issue": "Charge"},
        "aiConfig": {"systemPrompt": "You are a customer", "temperature": 0.8},
        "evaluationWeights": {"greeting": 10, "listening": 20, "solution": 30, "empathy": 25, "closing": 15}
    })
}

#[tokio::test]
async fn huge_search_text_runs_as_a_bounded_query() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let (st, b) = call(
        &app,
        "POST",
        "/admin/scenarios",
        Some(scenario().to_string()),
    )
    .await;
    assert_eq!(st, 201, "{b}");
    // Thousands of OR terms: refused by the module's own 500-character cap.
    let ors = (0..3000)
        .map(|i| format!("refund{i}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let (st, b) = call(
        &app,
        "POST",
        "/admin/scenarios/search",
        Some(json!({ "query": ors }).to_string()),
    )
    .await;
    assert_eq!(st, 422, "{b}");
    assert_eq!(b["error"]["code"], "VALIDATION_ERROR");
    assert_eq!(b["error"]["details"][0]["field"], "query");
    // Within it, 80 distinct typo-tolerant words run as a bounded query.
    let typos: String = (0..80).map(|i| format!("rfd{i:02} ")).collect();
    let started = Instant::now();
    let (st, b) = call(
        &app,
        "POST",
        "/admin/scenarios/search",
        Some(json!({ "query": typos }).to_string()),
    )
    .await;
    let ms = started.elapsed().as_millis();
    assert_eq!(st, 200, "{b}");
    assert!(ms < 3_000, "{ms} ms");
    // The list's `search` parameter (20 000 characters, 2000 words) is
    // refused before any work, naming the parameter.
    let huge = "billing%20".repeat(2000);
    let (st, b) = call(
        &app,
        "GET",
        &format!("/admin/scenarios?search={huge}"),
        None,
    )
    .await;
    assert_eq!(st, 422, "{b}");
    assert_eq!(b["error"]["details"][0]["field"], "search", "{b}");
    // Repeated filter values count once.
    let many = "status=DRAFT&".repeat(500);
    let (st, b) = call(&app, "GET", &format!("/admin/scenarios?{many}"), None).await;
    assert_eq!(st, 200, "{b}");
    // A matching word past the engine's 64 words is not read.
    let late = format!("{} billing", "zq ".repeat(80));
    let (_, b) = call(
        &app,
        "POST",
        "/admin/scenarios/search",
        Some(json!({ "query": late }).to_string()),
    )
    .await;
    assert_eq!(
        b["searchMeta"]["totalResults"].as_i64().unwrap_or(-1),
        0,
        "{b}"
    );
    let (_, b) = call(
        &app,
        "POST",
        "/admin/scenarios/search",
        Some(json!({ "query": "billing" }).to_string()),
    )
    .await;
    assert_eq!(b["searchMeta"]["totalResults"], 1, "{b}");
}

#[tokio::test]
async fn deeply_nested_json_is_a_clean_client_error() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    app.assert_nested_json_refused(
        &[
            "/training/api/admin/scenarios",
            "/training/api/admin/scenarios/search",
        ],
        &app.admin_token,
    )
    .await;
    let (st, _) = call(&app, "GET", "/admin/scenarios", None).await;
    assert_eq!(st, 200);
}
