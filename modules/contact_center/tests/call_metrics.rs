//! A finished call records the metric samples the dashboard charts
//! (issue 19's contact-center dashboard).
mod part1;

use part1::*;
use serde_json::{json, Value};

async fn series(cc: &Cc, name: &str) -> Vec<Value> {
    let r = cc
        .app
        .call(
            "GET",
            &format!("/contact-center/api/analytics/aggregations?metric_name={name}&granularity=month&start_date=2020-01-01&limit=1000"),
            Some(&cc.admin),
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["count"].as_i64().unwrap_or(0) > 0)
        .cloned()
        .collect()
}

#[tokio::test]
async fn finished_calls_feed_the_dashboard_series() {
    let cc = Cc::new().await;
    let sup = cc.token("supervisor").await;
    let q = cc
        .post(&cc.admin, "/queues", json!({"name": "Main"}))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let (agent, _) = cc.agent("A-1", json!({})).await;
    for _ in 0..2 {
        cc.post(
            &sup,
            &format!("/queues/{q}/calls"),
            json!({"caller_number": "+14155550100"}),
        )
        .await
        .expect(201);
    }
    assert!(series(&cc, "call_duration").await.is_empty());
    let c = cc
        .post(&sup, &format!("/queues/{q}/assign"), json!({}))
        .await
        .expect(200);
    let id = c["call_id"].as_str().unwrap();
    cc.post(
        &sup,
        &format!("/calls/{id}/complete"),
        json!({"outcome": "success", "duration": 120}),
    )
    .await
    .expect(200);
    // The second caller hangs up while waiting.
    let waiting = cc
        .get(&sup, &format!("/queues/{q}/calls"))
        .await
        .expect(200);
    let gone = waiting[0]["call_id"].as_str().unwrap().to_string();
    cc.post(&sup, &format!("/calls/{gone}/abandon"), json!({}))
        .await
        .expect(200);
    // A call recorded after the fact counts too.
    cc.post(
        &sup,
        "/calls",
        json!({"outcome": "failed", "duration": 30, "agent_id": agent}),
    )
    .await
    .expect(201);

    let d = series(&cc, "call_duration").await;
    let total: i64 = d.iter().map(|w| w["count"].as_i64().unwrap()).sum();
    let sum: f64 = d.iter().map(|w| w["sum"].as_f64().unwrap()).sum();
    assert_eq!((total, sum), (2, 150.0), "{d:?}");
    let handled: i64 = series(&cc, "calls_handled")
        .await
        .iter()
        .map(|w| w["count"].as_i64().unwrap())
        .sum();
    assert_eq!(handled, 2);
    let s = series(&cc, "success_rate").await;
    let ok: f64 = s.iter().map(|w| w["sum"].as_f64().unwrap()).sum();
    assert_eq!(ok, 1.0);
    assert_eq!(series(&cc, "failure_rate").await.len(), 1);
    assert!(!series(&cc, "wait_time").await.is_empty());
    assert_eq!(series(&cc, "calls_abandoned").await.len(), 1);
    // The samples carry the call's agent.
    let r = cc
        .app
        .call(
            "GET",
            &format!(
                "/contact-center/api/analytics/metrics?metric_name=call_duration&agent_id={agent}"
            ),
            Some(&cc.admin),
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(r.body.as_array().map(Vec::len), Some(2), "{}", r.body);
}

/// The 5 s sweep that abandons calls waiting past their queue's timeout
/// records what a caller hanging up records: `calls_abandoned` and `wait_time`.
#[tokio::test]
async fn timed_out_calls_feed_the_dashboard_series() {
    let cc = Cc::new().await;
    let sup = cc.token("supervisor").await;
    let q = cc
        .post(
            &cc.admin,
            "/queues",
            json!({"name": "Short", "timeout_seconds": 5}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let call = cc
        .post(
            &sup,
            &format!("/queues/{q}/calls"),
            json!({"caller_number": "+14155550100"}),
        )
        .await
        .expect(201);
    let id = call["call_id"].as_str().unwrap().to_string();
    let mut status = String::new();
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let c = cc.get(&sup, &format!("/calls/{id}")).await.expect(200);
        status = c["status"].as_str().unwrap_or_default().to_string();
        if status == "abandoned" {
            assert_eq!(c["outcome"], "timeout", "{c}");
            break;
        }
    }
    assert_eq!(status, "abandoned", "the sweep did not run");
    let abandoned = series(&cc, "calls_abandoned").await;
    let count: i64 = abandoned.iter().map(|w| w["count"].as_i64().unwrap()).sum();
    assert_eq!(count, 1, "{abandoned:?}");
    let waits = series(&cc, "wait_time").await;
    let waited: f64 = waits.iter().map(|w| w["sum"].as_f64().unwrap()).sum();
    assert!(waited >= 5.0, "{waits:?}");
    assert!(series(&cc, "call_duration").await.is_empty());
}
