//! `/metrics` is valid Prometheus text (read by a real parser) and carries
//! the series an operator alerts on, with values that follow what happened.

use std::collections::HashMap;
use std::sync::Arc;

use frontline_platform::{events, jobs, search, Platform, Settings};
use poem::test::TestClient;
use serde_json::json;

/// Every sample of the scrape, keyed by name and sorted label pairs.
struct Scrape {
    samples: Vec<prometheus_parse::Sample>,
    docs: HashMap<String, String>,
}

impl Scrape {
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.samples
            .iter()
            .find(|s| {
                s.metric == name
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.get(k).is_some_and(|x| x == *v))
            })
            .map(|s| match &s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => *v,
                prometheus_parse::Value::Histogram(h) => {
                    h.iter().map(|b| b.count).fold(0.0, f64::max)
                }
                prometheus_parse::Value::Summary(_) => f64::NAN,
            })
    }

    fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(name, labels)
            .unwrap_or_else(|| panic!("no sample {name}{labels:?} in the scrape"))
    }
}

async fn scrape(client: &TestClient<poem::endpoint::BoxEndpoint<'static>>) -> Scrape {
    let resp = client.get("/metrics").send().await;
    resp.assert_status_is_ok();
    let text = resp.0.into_body().into_string().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let parsed = prometheus_parse::Scrape::parse(lines).expect("valid Prometheus text");
    Scrape {
        samples: parsed.samples,
        docs: parsed.docs,
    }
}

#[tokio::test]
async fn metrics_cover_process_database_jobs_search_and_webhooks() {
    let dir = tempfile::tempdir().unwrap();
    let p = Platform::open(Settings::for_data_dir(dir.path()), &[]).unwrap();
    let client = TestClient::new(frontline_platform::app::build(&p, vec![], None));

    // A job kind that always fails, run once: one failed attempt, the job
    // queued again for its retry.
    p.jobs.register(
        "metrics.fail",
        Arc::new(|_platform, _job| Box::pin(async { Err("always fails".to_string()) })),
    );
    p.db.write(|tx| jobs::enqueue(tx, "metrics.fail", &json!({})))
        .await
        .unwrap();
    assert!(p.jobs.run_one(&p).await.unwrap());

    // A staged search change nobody applies (no drainer runs here).
    p.search.set_background_drain(false);
    p.db.write(|tx| search::stage_upsert(tx, "nowhere", "d1", &json!({"a": 1})))
        .await
        .unwrap();

    // One webhook delivery waiting (no delivery worker runs here).
    p.db.write(|tx| {
        tx.execute(
            "INSERT INTO platform_webhooks (id, module, url, events, secret, created_at)
             VALUES ('wh1', 'test', 'https://hooks.example.com/x', '[\"*\"]', 'x', 0)",
            [],
        )?;
        events::emit(tx, "test", "thing.happened", &json!({}), &events::Audience::All)?;
        Ok(())
    })
    .await
    .unwrap();

    let before = scrape(&client).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let s = scrape(&client).await;

    // Every family has its help text, and names follow the conventions.
    for name in [
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_threads",
        "frontline_data_dir_available_bytes",
        "frontline_data_dir_size_bytes",
        "frontline_db_size_bytes",
        "frontline_db_wal_size_bytes",
        "frontline_db_pool_wait_seconds",
        "frontline_db_write_lock_wait_seconds",
        "frontline_db_write_lock_hold_seconds",
        "frontline_db_transactions_total",
        "frontline_db_errors_total",
        "frontline_jobs",
        "frontline_job_failures_total",
        "frontline_job_oldest_due_age_seconds",
        "frontline_search_outbox_backlog",
        "frontline_search_indexing_lag_seconds",
        "frontline_search_query_duration_seconds",
        "frontline_webhook_deliveries_waiting",
        "frontline_rate_limit_rejections_total",
        "frontline_sign_ins_total",
        "frontline_http_requests_total",
    ] {
        assert!(s.docs.contains_key(name), "no HELP for {name}");
    }

    // Process: a live server has memory, threads and open files.
    assert!(s.get("process_resident_memory_bytes", &[]) > 1_000_000.0);
    assert!(s.get("process_threads", &[]) >= 1.0);
    assert!(s.get("process_open_fds", &[]) >= 3.0);

    // Database: the writes above were committed and measured.
    assert!(s.get("frontline_db_size_bytes", &[]) > 0.0);
    let free = s.get("frontline_data_dir_available_bytes", &[]);
    assert!(free > 0.0 && free <= s.get("frontline_data_dir_size_bytes", &[]));
    assert!(s.get("frontline_db_transactions_total", &[("kind", "commit")]) >= 4.0);
    assert!(s.get("frontline_db_write_lock_hold_seconds_count", &[]) >= 4.0);
    assert!(s.get("frontline_db_pool_wait_seconds_count", &[]) >= 4.0);
    assert_eq!(s.get("frontline_db_errors_total", &[("kind", "full")]), 0.0);
    // Each scrape reads the stored figures once.
    assert!(
        s.get("frontline_db_transactions_total", &[("kind", "read")])
            > before.get("frontline_db_transactions_total", &[("kind", "read")])
    );

    // Jobs: the failure is counted and the job waits for its retry.
    assert_eq!(s.get("frontline_job_failures_total", &[]), 1.0);
    assert_eq!(
        s.get(
            "frontline_jobs",
            &[("kind", "metrics.fail"), ("status", "queued")]
        ),
        1.0
    );

    // Search: one staged change, at least a second old by the second scrape.
    assert_eq!(s.get("frontline_search_outbox_backlog", &[]), 1.0);
    assert!(s.get("frontline_search_indexing_lag_seconds", &[]) >= 1.0);

    // Webhooks: one delivery waiting for its first attempt.
    assert_eq!(
        s.get(
            "frontline_webhook_deliveries_waiting",
            &[("state", "pending")]
        ),
        1.0
    );
    assert_eq!(
        s.get(
            "frontline_webhook_deliveries_waiting",
            &[("state", "retrying")]
        ),
        0.0
    );

    // Requests are still there, the first scrape among them.
    assert!(
        s.get(
            "frontline_http_requests_total",
            &[("route", "/metrics"), ("status", "200")]
        ) >= 1.0
    );
}
