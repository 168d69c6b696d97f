//! Issue 21 #13: health figures are measured over the requested window and
//! from what is configured.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn get(app: &TestApp, path: &str) -> Value {
    let r = app
        .client
        .get(format!("{B}{path}"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .send()
        .await;
    r.assert_status_is_ok();
    r.0.into_body().into_json().await.unwrap()
}

#[tokio::test]
async fn metrics_rates_are_per_window() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    for _ in 0..30 {
        app.client
            .get(format!("{B}/health"))
            .send()
            .await
            .assert_status_is_ok();
    }
    let five = get(&app, "/health/metrics?timeframe=5m").await;
    let week = get(&app, "/health/metrics?timeframe=7d").await;
    let rps5 = five["metrics"]["requests_per_second"].as_f64().unwrap();
    let rps7 = week["metrics"]["requests_per_second"].as_f64().unwrap();
    // 30+ requests in the last five minutes: at least 0.1/s over 5 minutes,
    // and 2016 times less over seven days.
    assert!(rps5 >= 0.1, "{five}");
    assert!(rps7 < rps5 / 100.0, "5m {rps5} vs 7d {rps7}");
    assert_eq!(five["timeframe"], "5m");
    assert!(
        five["metrics"]["p95_response_time_ms"].as_f64().unwrap() > 0.0,
        "{five}"
    );
}

#[tokio::test]
async fn models_available_counts_configured_providers() {
    let app = TestApp::allowing_loopback(vec![frontline_chatbot::module()]).await;
    let d = get(&app, "/health/detailed").await;
    assert_eq!(
        d["services"]["model_orchestrator"]["models_available"], 1,
        "{d}"
    );
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": "Acme", "plan": "enterprise",
            "admin_user": {"email": "owner@acme.example"},
            "configuration": {"ai_models": {"providers": {
                "a": {"base_url": "http://127.0.0.1:9/v1", "model": "m-small"},
                "b": {"base_url": "http://127.0.0.1:9/v1", "model": "m-large"}}}}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = get(&app, "/health/detailed").await;
    assert_eq!(
        d["services"]["model_orchestrator"]["models_available"], 3,
        "{d}"
    );
    let deps = get(&app, "/health/dependencies").await;
    let ms = deps["dependencies"]["rule_engine"]["response_time_ms"]
        .as_f64()
        .unwrap();
    assert!(ms > 0.0, "{deps}");
}
