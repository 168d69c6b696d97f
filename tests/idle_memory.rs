//! An idle server gives back what it freed. A first start builds every
//! module's search index with writer threads and hashes the administrator's
//! password (19 MiB), then frees all of it; jemalloc's background thread
//! returns those pages to the system on its decay schedule (src/main.rs).
//! Without it they stayed resident for as long as nothing else allocated:
//! 36 MiB of own memory a minute after a first start of this debug binary,
//! 13.5 MiB with it.

#![cfg(target_os = "linux")]

mod support;

use std::time::{Duration, Instant};

/// `RssAnon` of `/proc/<pid>/status` (the process's own memory), in KiB.
fn own_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(u64::MAX)
}

#[tokio::test]
async fn a_first_start_gives_back_what_it_freed() {
    let tmp = tempfile::tempdir().unwrap();
    let server = support::start(&tmp.path().join("data"), &[], &[]);
    let pid = server.child.id();
    // Start-up's index writers end after a while idle; then the decay runs
    // (10 s). A loaded machine may take longer: poll with a generous deadline.
    let limit_kib = 20 * 1024;
    let deadline = Instant::now() + Duration::from_secs(150);
    let mut own = own_kib(pid);
    while own > limit_kib && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(2)).await;
        own = own_kib(pid);
    }
    assert!(
        own <= limit_kib,
        "own memory still {own} KiB after 150 s idle (limit {limit_kib} KiB)"
    );
}
