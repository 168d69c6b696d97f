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

/// `/health/detailed` reports the chat service's requests, errors and latency
/// of the last five minutes: slow, failing traffic ten minutes ago does not
/// move them; the same traffic now does.
#[tokio::test]
async fn detailed_figures_are_of_the_last_five_minutes() {
    use frontline_chatbot::window;
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let w = window::of(&app.platform).expect("the module's window");
    let now = window::now_minute();
    for _ in 0..50 {
        w.observe_at(now - 10, 500, 9000.0);
    }
    for _ in 0..10 {
        app.client
            .get(format!("{B}/health"))
            .send()
            .await
            .assert_status_is_ok();
    }
    let d = get(&app, "/health/detailed").await;
    let chat = &d["services"]["chat_service"];
    assert_eq!(chat["window_seconds"], 300, "{d}");
    assert_eq!(chat["errors"], 0, "{d}");
    assert_eq!(chat["status"], "healthy", "{d}");
    let requests = chat["requests"].as_u64().unwrap();
    assert!((10..50).contains(&requests), "{d}");
    assert!(chat["response_time_ms"].as_f64().unwrap() < 1000.0, "{d}");
    assert!(
        chat["p95_response_time_ms"].as_f64().unwrap() < 1000.0,
        "{d}"
    );
    // The hour's metrics do see the old traffic (it is in the store).
    let hour = get(&app, "/health/metrics?timeframe=1h").await;
    assert!(
        hour["metrics"]["average_response_time_ms"]
            .as_f64()
            .unwrap()
            > 1000.0,
        "{hour}"
    );

    // The same traffic now is in the figures.
    let now = window::now_minute();
    for _ in 0..50 {
        w.observe_at(now, 500, 9000.0);
    }
    let d = get(&app, "/health/detailed").await;
    let chat = &d["services"]["chat_service"];
    assert!(chat["errors"].as_u64().unwrap() >= 50, "{d}");
    assert_eq!(chat["status"], "degraded", "{d}");
    assert!(chat["response_time_ms"].as_f64().unwrap() > 1000.0, "{d}");
}
