//! Aggregation benchmark: 1 000 000 metric rows over 30 days, then
//! `GET /api/analytics/aggregations` through the module's full HTTP stack
//! (in process, no network): p50/p95/p99 per query shape.
//!
//! ```text
//! cargo run --release -p frontline-contact-center --example metrics_bench [-- ROWS [QUERIES]]
//! ```
//!
//! The rows are inserted in SQL (one transaction), the way a day of call
//! events recorded through `POST /api/analytics/metrics` would have left them:
//! four metric names, ten teams, fifty agents, a value per row.

use std::time::Instant;

use chrono::{Duration, Utc};
use frontline_platform::testing::{percentile, TestApp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::params;
use serde_json::Value;

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rows = args.first().copied().unwrap_or(1_000_000);
    let queries = args.get(1).copied().unwrap_or(200);
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let token = app.admin_token.clone();
    let now = Utc::now();
    let span_ms = Duration::days(30).num_milliseconds();
    let end_ms = now.timestamp_millis();

    let started = Instant::now();
    app.platform
        .db
        .write(move |tx| {
            let mut insert = tx.prepare(
                "INSERT INTO cc_metrics (metric_type, metric_name, value, team_id, agent_id, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let names = [
                ("call", "handle_time"),
                ("call", "wait_time"),
                ("quality", "csat"),
                ("agent", "occupancy"),
            ];
            let mut rng = StdRng::seed_from_u64(11);
            for i in 0..rows {
                let (ty, name) = names[i % names.len()];
                let agent = (rng.random::<f64>() * 50.0) as i64 + 1;
                let at = end_ms - (rng.random::<f64>() * span_ms as f64) as i64;
                insert.execute(params![
                    ty,
                    name,
                    (rng.random::<f64>() * 600.0).round(),
                    (agent - 1) / 5 + 1,
                    agent,
                    at
                ])?;
            }
            Ok(())
        })
        .await
        .expect("insert metrics");
    println!(
        "{rows} metric rows inserted in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let day = |d: i64| (now - Duration::days(d)).format("%Y-%m-%d").to_string();
    let shapes = [
        (
            "hourly, last 24 h",
            "metric_name=handle_time&granularity=hour&limit=24".to_string(),
        ),
        (
            "hourly, 7 days, one team",
            format!(
                "metric_name=wait_time&granularity=hour&start_date={}&team_id=3&limit=1000",
                day(7)
            ),
        ),
        (
            "daily, 30 days, Berlin time",
            format!(
                "metric_name=csat&granularity=day&start_date={}&timezone=Europe/Berlin",
                day(30)
            ),
        ),
        (
            "weekly, 30 days, one agent",
            format!(
                "metric_name=occupancy&granularity=week&start_date={}&agent_id=17",
                day(30)
            ),
        ),
    ];
    println!("| aggregation | windows | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    for (label, query) in shapes {
        let path = format!("/contact-center/api/analytics/aggregations?{query}");
        let mut times = Vec::with_capacity(queries);
        let mut windows = 0;
        for _ in 0..queries {
            let t = Instant::now();
            let resp = app
                .client
                .get(&path)
                .header("Authorization", format!("Bearer {token}"))
                .send()
                .await;
            let status = resp.0.status();
            let body: Value = resp.0.into_body().into_json().await.unwrap_or(Value::Null);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(status.is_success(), "{label}: {status} {body}");
            windows = body.as_array().map(Vec::len).unwrap_or(0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {label} | {windows} | {:.2} | {:.2} | {:.2} |",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 0.99)
        );
    }
}
