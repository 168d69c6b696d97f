//! `/metrics` tells the server's own memory (anonymous: heap, stacks — what
//! an operator provisions) apart from mapped files the kernel can drop (the
//! executable, search segments) and SQLite's shared WAL index.

use frontline_platform::testing::TestApp;

#[cfg(target_os = "linux")]
#[tokio::test]
async fn metrics_split_resident_memory_into_own_and_mapped_files() {
    let app = TestApp::new(vec![]).await;
    let resp = app.client.get("/metrics").send().await;
    resp.assert_status_is_ok();
    let text = resp.0.into_body().into_string().await.unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .expect("valid Prometheus text");
    let value = |name: &str, kind: Option<&str>| -> f64 {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && kind.is_none_or(|k| s.labels.get("kind") == Some(k)))
            .map(|s| match s.value {
                prometheus_parse::Value::Gauge(v) | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
            .unwrap_or_else(|| panic!("no {name}{kind:?} in /metrics"))
    };
    let name = "frontline_process_resident_memory_bytes";
    let anon = value(name, Some("anon"));
    let file = value(name, Some("file"));
    let shmem = value(name, Some("shmem"));
    let total = value("process_resident_memory_bytes", None);
    assert!(anon > 1_000_000.0, "own memory {anon}");
    assert!(file > 100_000.0, "the executable is mapped: {file}");
    assert!(shmem >= 0.0);
    // The parts add up to the total (sampled a moment apart).
    let sum = anon + file + shmem;
    assert!(
        (sum - total).abs() <= total * 0.25,
        "anon {anon} + file {file} + shmem {shmem} against resident {total}"
    );
    assert!(
        scrape
            .docs
            .get(name)
            .is_some_and(|d| d.contains("provision")),
        "the family says which part to provision"
    );
}
