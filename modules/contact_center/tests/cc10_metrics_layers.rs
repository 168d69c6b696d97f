//! Analytics & metrics follow the module's layering (issue 16): handlers
//! and rules hold no SQL, the demo loader neither, and the refusals of the
//! pattern-checked body fields keep their error bodies.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

/// Text that only SQL code carries.
const SQL_MARKS: &[&str] = &[
    "\"SELECT ",
    "SELECT {",
    "INSERT INTO",
    "UPDATE cc_",
    "DELETE FROM",
    "prepare(",
    "prepare_cached(",
    "query_row(",
    "query_map(",
    "execute(",
    "rusqlite::Row",
    "params!",
];

fn source(rel: &str) -> Option<String> {
    std::fs::read_to_string(format!("{}/src/{rel}", env!("CARGO_MANIFEST_DIR"))).ok()
}

#[test]
fn metrics_handlers_rules_and_demo_hold_no_sql() {
    let mut found = Vec::new();
    for rel in ["insight/metrics.rs", "service/metrics.rs", "demo.rs"] {
        let Some(text) = source(rel) else {
            found.push(format!("{rel}: missing"));
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            for mark in SQL_MARKS {
                if line.contains(mark) {
                    found.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL outside the store:\n{}",
        found.join("\n")
    );
}

#[test]
fn metrics_types_compile_their_patterns_once() {
    for rel in ["insight/metrics.rs", "model/metrics.rs"] {
        if let Some(text) = source(rel) {
            assert!(
                !text.contains("validator(pattern"),
                "{rel} still uses poem-openapi's pattern validator (a regex compiled on every check)"
            );
        }
    }
    assert!(
        source("model/metrics.rs").is_some(),
        "model/metrics.rs is missing"
    );
}

async fn post(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    let r = app
        .call(
            "POST",
            &format!("/contact-center/api{path}"),
            Some(&app.admin_token),
            Some(body),
        )
        .await;
    (r.status, r.body)
}

#[tokio::test]
async fn pattern_fields_refuse_with_the_same_bodies() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let cases = [
        (
            "/analytics/metrics",
            json!({"metric_type": "call type", "metric_name": "x", "value": 1}),
            "metric_type",
            "^[A-Za-z0-9_.:-]{1,100}$",
        ),
        (
            "/analytics/metrics",
            json!({"metric_type": "call", "metric_name": "", "value": 1}),
            "metric_name",
            "^[A-Za-z0-9_.:-]{1,100}$",
        ),
        (
            "/analytics/thresholds",
            json!({"metric_type": "call", "metric_name": "x", "threshold_value": 1,
                   "comparison_operator": "bigger"}),
            "comparison_operator",
            "^(greater_than|less_than|equals|not_equals|greater_or_equal|less_or_equal)$",
        ),
        (
            "/analytics/thresholds",
            json!({"metric_type": "call", "metric_name": "x", "threshold_value": 1,
                   "comparison_operator": "equals", "severity": "meh"}),
            "severity",
            "^(info|warning|critical)$",
        ),
    ];
    for (path, body, field, pattern) in cases {
        let (s, e) = post(&app, path, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path} {field}: {e}");
        assert_eq!(e["error_code"], "VALIDATION_ERROR", "{e}");
        assert_eq!(e["field"], field, "{e}");
        assert_eq!(e["errors"].as_array().map(Vec::len), Some(1), "{e}");
        assert_eq!(
            e["errors"][0]["message"], "is not in the documented format",
            "{field} ({pattern}): {e}"
        );
    }
    // A threshold update with a wrong key refuses the same way; a good one is stored.
    let (s, th) = post(
        &app,
        "/analytics/thresholds",
        json!({"metric_type": "call", "metric_name": "wait_time", "threshold_value": 30,
               "comparison_operator": "greater_than", "severity": "critical"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{th}");
    assert_eq!(th["severity"], "critical");
    assert_eq!(th["window_minutes"], 60);
    let path = format!("/contact-center/api/analytics/thresholds/{}", th["id"]);
    let r = app
        .call(
            "PUT",
            &path,
            Some(&app.admin_token),
            Some(json!({"metric_name": "wait time"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["field"], "metric_name");
    let r = app
        .call(
            "PUT",
            &path,
            Some(&app.admin_token),
            Some(json!({"severity": "info", "comparison_operator": "less_than"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["severity"], "info");
    assert_eq!(r.body["comparison_operator"], "less_than");
    assert_eq!(r.body["metric_name"], "wait_time");
    // The fields not sent keep their values.
    assert_eq!(r.body["metric_type"], "call");
    assert_eq!(r.body["threshold_value"], 30.0);
    assert_eq!(r.body["window_minutes"], 60);
    assert_eq!(r.body["is_active"], true);
    assert_eq!(r.body["created_at"], th["created_at"]);
}

async fn get(app: &TestApp, path: &str) -> (Value, String) {
    let r = app
        .call(
            "GET",
            &format!("/contact-center/api{path}"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    let total = r
        .headers
        .get("X-Total-Count")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (r.body, total)
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_i64()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn metric_threshold_and_alert_lists_page_with_their_totals() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let mut th_ids = Vec::new();
    for (name, op) in [
        ("wait_time", "greater_than"),
        ("wait_time", "less_than"),
        ("handle_time", "greater_than"),
    ] {
        let (s, th) = post(
            &app,
            "/analytics/thresholds",
            json!({"metric_type": "call", "metric_name": name, "threshold_value": 30,
                   "comparison_operator": op, "window_minutes": 60}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{th}");
        th_ids.push(th["id"].as_i64().unwrap_or_default());
    }
    let (list, total) = get(&app, "/analytics/thresholds?limit=2&offset=1").await;
    assert_eq!(total, "3");
    assert_eq!(ids(&list), th_ids[1..].to_vec());
    let (list, total) = get(&app, "/analytics/thresholds?metric_name=wait_time&limit=1").await;
    assert_eq!(total, "2");
    assert_eq!(ids(&list), vec![th_ids[0]]);

    // Three waits of 40 s: the "greater than 30" threshold on wait_time opens one alert.
    let mut metric_ids = Vec::new();
    for _ in 0..3 {
        let (s, m) = post(
            &app,
            "/analytics/metrics",
            json!({"metric_type": "call", "metric_name": "wait_time", "value": 40}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        metric_ids.push(m["id"].as_i64().unwrap_or_default());
    }
    let (list, total) = get(
        &app,
        "/analytics/metrics?metric_name=wait_time&limit=1&offset=1",
    )
    .await;
    assert_eq!(total, "3");
    // Newest first (same time: higher id first).
    assert_eq!(ids(&list), vec![metric_ids[1]]);
    let (list, total) = get(&app, "/analytics/alerts?status=active&limit=5").await;
    assert_eq!(total, "1", "{list}");
    assert_eq!(list[0]["threshold_id"], th_ids[0]);
    assert_eq!(list[0]["actual_value"], 40.0);
    let (_, total) = get(&app, "/analytics/alerts?status=resolved").await;
    assert_eq!(total, "0");
}
