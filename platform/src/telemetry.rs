//! Everything `/metrics` shows beyond the request series: the process, the
//! database, the job queue, the search outbox and outgoing webhooks, named as
//! Prometheus expects (base units, `_total` counters, units in names).
//!
//! Counters and histograms come from the services' own atomics; queue depths
//! and ages are read from the database at scrape time through indexed
//! queries, so a scrape costs the same whatever the data size.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use chrono::Utc;
use rusqlite::Connection;

use crate::error::ApiResult;
use crate::metrics::{escape_label, family, single};
use crate::state::Platform;
use crate::time::to_ms;

/// Figures read from the database at scrape time.
#[derive(Debug, Default)]
struct Stored {
    /// (kind, status, count) of jobs not yet completed.
    jobs: Vec<(String, String, i64)>,
    oldest_due_job_ms: Option<i64>,
    outbox_rows: i64,
    oldest_outbox_ms: Option<i64>,
    /// Deliveries waiting for their first attempt, and waiting for a retry.
    webhooks_pending: i64,
    webhooks_retrying: i64,
}

fn read_stored(conn: &Connection, now_ms: i64) -> ApiResult<Stored> {
    let mut out = Stored::default();
    // `status IN (...)` is served by platform_jobs_due(status, run_at); the
    // completed history is never scanned.
    let mut stmt = conn.prepare_cached(
        "SELECT kind, status, COUNT(*) FROM platform_jobs
         WHERE status IN ('queued', 'running', 'failed') GROUP BY kind, status ORDER BY kind, status",
    )?;
    out.jobs = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    out.oldest_due_job_ms = conn.query_row(
        "SELECT MIN(run_at) FROM platform_jobs WHERE status = 'queued' AND run_at <= ?1",
        [now_ms],
        |r| r.get(0),
    )?;
    (out.outbox_rows, out.oldest_outbox_ms) = conn.query_row(
        "SELECT COUNT(*), MIN(created_at) FROM platform_search_outbox",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    (out.webhooks_pending, out.webhooks_retrying) = conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(attempts > 0), 0) FROM platform_webhook_deliveries
         WHERE status = 'pending'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(out)
}

/// The whole `/metrics` text.
pub async fn render(platform: &Platform) -> String {
    let mut out = platform.metrics.render();
    render_process(&mut out);
    render_sign_ins(&mut out, platform);
    render_database(&mut out, platform);
    let now = Utc::now();
    let now_ms = to_ms(now);
    let stored = match platform.db.read(move |c| read_stored(c, now_ms)).await {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e.message, "metrics: stored figures unavailable");
            None
        }
    };
    single(
        &mut out,
        "frontline_metrics_stored_figures_up",
        "gauge",
        "1 when the job, outbox and webhook figures below could be read from the database.",
        u8::from(stored.is_some()),
    );
    let stored = stored.unwrap_or_default();
    render_jobs(&mut out, platform, &stored, now_ms);
    render_search(&mut out, platform, &stored, now_ms);
    render_webhooks(&mut out, platform, &stored);
    out
}

fn age_seconds(oldest_ms: Option<i64>, now_ms: i64) -> f64 {
    oldest_ms
        .map(|t| (now_ms.saturating_sub(t)).max(0) as f64 / 1000.0)
        .unwrap_or(0.0)
}

fn render_sign_ins(out: &mut String, platform: &Platform) {
    let o = platform.auth.sign_in_outcomes();
    family(
        out,
        "frontline_sign_ins_total",
        "counter",
        "Sign-in attempts on every sign-in route, by outcome: ok, failed (wrong credentials), locked (account locked, not checked).",
    );
    for (outcome, v) in [("ok", &o.ok), ("failed", &o.failed), ("locked", &o.locked)] {
        let _ = writeln!(
            out,
            "frontline_sign_ins_total{{outcome=\"{outcome}\"}} {}",
            v.load(Ordering::Relaxed)
        );
    }
}

fn render_process(out: &mut String) {
    let Some(p) = process::sample() else {
        return;
    };
    single(
        out,
        "process_cpu_seconds_total",
        "counter",
        "User and system CPU time spent by the server, in seconds.",
        p.cpu_seconds,
    );
    single(
        out,
        "process_resident_memory_bytes",
        "gauge",
        "Resident memory of the server, in bytes.",
        p.resident_bytes,
    );
    if let Some([anon, file, shmem]) = p.resident_by_kind {
        family(
            out,
            "frontline_process_resident_memory_bytes",
            "gauge",
            "Resident memory by kind, in bytes: anon is the server's own (heap, stacks; what to provision), \
             file is mapped files the kernel can drop and read again (the executable, search index segments), \
             shmem is SQLite's WAL index.",
        );
        for (kind, v) in [("anon", anon), ("file", file), ("shmem", shmem)] {
            let _ = writeln!(
                out,
                "frontline_process_resident_memory_bytes{{kind=\"{kind}\"}} {v}"
            );
        }
    }
    single(
        out,
        "process_virtual_memory_bytes",
        "gauge",
        "Virtual memory of the server, in bytes.",
        p.virtual_bytes,
    );
    single(
        out,
        "process_open_fds",
        "gauge",
        "Open file descriptors.",
        p.open_fds,
    );
    if let Some(max) = p.max_fds {
        single(
            out,
            "process_max_fds",
            "gauge",
            "The limit on open file descriptors.",
            max,
        );
    }
    single(
        out,
        "process_threads",
        "gauge",
        "Operating-system threads of the server.",
        p.threads,
    );
    single(
        out,
        "process_start_time_seconds",
        "gauge",
        "When the server process started, in seconds since the Unix epoch.",
        p.start_time_seconds,
    );
}

fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn render_database(out: &mut String, platform: &Platform) {
    let db_path = platform.settings.db_path();
    let mut wal = db_path.clone().into_os_string();
    wal.push("-wal");
    single(
        out,
        "frontline_db_size_bytes",
        "gauge",
        "Size of the database file, in bytes.",
        file_size(&db_path),
    );
    single(
        out,
        "frontline_db_wal_size_bytes",
        "gauge",
        "Size of the write-ahead log, in bytes (it is folded back at checkpoints).",
        file_size(std::path::Path::new(&wal)),
    );
    let data_dir = &platform.settings.data_dir;
    if let (Ok(free), Ok(total)) = (fs4::available_space(data_dir), fs4::total_space(data_dir)) {
        single(
            out,
            "frontline_data_dir_available_bytes",
            "gauge",
            "Free space on the file system of the data dir, in bytes (what writes can still use).",
            free,
        );
        single(
            out,
            "frontline_data_dir_size_bytes",
            "gauge",
            "Size of the file system of the data dir, in bytes.",
            total,
        );
    }
    let stats = platform.db.stats();
    let (idle, open) = platform.db.pool_state();
    family(
        out,
        "frontline_db_pool_connections",
        "gauge",
        "Pooled database connections, by state.",
    );
    let _ = writeln!(
        out,
        "frontline_db_pool_connections{{state=\"idle\"}} {idle}"
    );
    let _ = writeln!(
        out,
        "frontline_db_pool_connections{{state=\"in_use\"}} {}",
        open.saturating_sub(idle)
    );
    for (name, help, h) in [
        (
            "frontline_db_pool_wait_seconds",
            "Time spent waiting for a pooled database connection.",
            &stats.pool_wait,
        ),
        (
            "frontline_db_write_lock_wait_seconds",
            "Time a write waited for the database write lock.",
            &stats.write_lock_wait,
        ),
        (
            "frontline_db_write_lock_hold_seconds",
            "Time a write transaction held the database write lock.",
            &stats.write_lock_hold,
        ),
    ] {
        family(out, name, "histogram", help);
        h.render_series(out, name, "");
    }
    family(
        out,
        "frontline_db_transactions_total",
        "counter",
        "Database work units: read-only work, and writes by outcome (grouped writes count once each).",
    );
    for (kind, v) in [
        ("read", &stats.reads),
        ("commit", &stats.commits),
        ("rollback", &stats.rollbacks),
    ] {
        let _ = writeln!(
            out,
            "frontline_db_transactions_total{{kind=\"{kind}\"}} {}",
            v.load(Ordering::Relaxed)
        );
    }
    single(
        out,
        "frontline_db_write_transactions_total",
        "counter",
        "Write transactions committed. Writes that queue together share one (group commit), \
         so this grows slower than frontline_db_transactions_total{kind=\"commit\"} under concurrent writes.",
        stats.group_commits.load(Ordering::Relaxed),
    );
    single(
        out,
        "frontline_db_grouped_writes_total",
        "counter",
        "Committed writes that shared their transaction with other writes.",
        stats.grouped_writes.load(Ordering::Relaxed),
    );
    single(
        out,
        "frontline_db_write_queue",
        "gauge",
        "Writes waiting for the write lock.",
        platform.db.queued_writes(),
    );
    family(
        out,
        "frontline_db_errors_total",
        "counter",
        "Database operations refused: busy (the write lock stayed taken) or full (no disk space).",
    );
    for (kind, v) in [("busy", &stats.busy_errors), ("full", &stats.full_errors)] {
        let _ = writeln!(
            out,
            "frontline_db_errors_total{{kind=\"{kind}\"}} {}",
            v.load(Ordering::Relaxed)
        );
    }
}

fn render_jobs(out: &mut String, platform: &Platform, stored: &Stored, now_ms: i64) {
    family(
        out,
        "frontline_jobs",
        "gauge",
        "Jobs in the durable queue that are not completed, by kind and status (queued, running, failed).",
    );
    for (kind, status, n) in &stored.jobs {
        let _ = writeln!(
            out,
            "frontline_jobs{{kind=\"{}\",status=\"{}\"}} {n}",
            escape_label(kind),
            escape_label(status)
        );
    }
    single(
        out,
        "frontline_job_failures_total",
        "counter",
        "Job attempts that failed since start (retried or given up).",
        platform.jobs.failed_attempts(),
    );
    single(
        out,
        "frontline_job_oldest_due_age_seconds",
        "gauge",
        "How long the oldest due, unstarted job has been waiting, in seconds (0 when none).",
        age_seconds(stored.oldest_due_job_ms, now_ms),
    );
}

fn render_search(out: &mut String, platform: &Platform, stored: &Stored, now_ms: i64) {
    single(
        out,
        "frontline_search_outbox_backlog",
        "gauge",
        "Staged search-index changes not yet applied.",
        stored.outbox_rows,
    );
    single(
        out,
        "frontline_search_indexing_lag_seconds",
        "gauge",
        "Age of the oldest staged search-index change, in seconds (0 when caught up).",
        age_seconds(stored.oldest_outbox_ms, now_ms),
    );
    let name = "frontline_search_query_duration_seconds";
    family(
        out,
        name,
        "histogram",
        "Search query latency, catching up staged changes included.",
    );
    platform.search.query_latency().render_series(out, name, "");
}

fn render_webhooks(out: &mut String, platform: &Platform, stored: &Stored) {
    let stats = platform.events.stats();
    family(
        out,
        "frontline_webhook_deliveries_total",
        "counter",
        "Outgoing webhook delivery attempts by outcome: delivered (2xx), retrying (failed, will retry), failed (given up).",
    );
    for (outcome, v) in [
        ("delivered", &stats.delivered),
        ("retrying", &stats.retried),
        ("failed", &stats.failed),
    ] {
        let _ = writeln!(
            out,
            "frontline_webhook_deliveries_total{{outcome=\"{outcome}\"}} {}",
            v.load(Ordering::Relaxed)
        );
    }
    let name = "frontline_webhook_delivery_duration_seconds";
    family(
        out,
        name,
        "histogram",
        "Time of one outgoing webhook attempt, to the endpoint's answer or the error.",
    );
    stats.latency.render_series(out, name, "");
    family(
        out,
        "frontline_webhook_deliveries_waiting",
        "gauge",
        "Outgoing webhook deliveries not yet delivered: pending (no attempt yet) and retrying.",
    );
    let _ = writeln!(
        out,
        "frontline_webhook_deliveries_waiting{{state=\"pending\"}} {}",
        stored.webhooks_pending - stored.webhooks_retrying
    );
    let _ = writeln!(
        out,
        "frontline_webhook_deliveries_waiting{{state=\"retrying\"}} {}",
        stored.webhooks_retrying
    );
}

/// What the operating system says about this process.
mod process {
    pub struct Sample {
        pub cpu_seconds: f64,
        pub resident_bytes: u64,
        /// Resident memory by kind: anonymous (heap, stacks), file-backed
        /// (the executable, mapped search segments), shared (SQLite's WAL index).
        pub resident_by_kind: Option<[u64; 3]>,
        pub virtual_bytes: u64,
        pub open_fds: usize,
        pub max_fds: Option<u64>,
        pub threads: i64,
        pub start_time_seconds: f64,
    }

    #[cfg(target_os = "linux")]
    pub fn sample() -> Option<Sample> {
        use procfs::process::{LimitValue, Process};
        let me = Process::myself().ok()?;
        let stat = me.stat().ok()?;
        let ticks = procfs::ticks_per_second() as f64;
        let page = procfs::page_size();
        let boot = procfs::boot_time_secs().ok()?;
        let max_fds = me
            .limits()
            .ok()
            .and_then(|l| match l.max_open_files.soft_limit {
                LimitValue::Value(v) => Some(v),
                LimitValue::Unlimited => None,
            });
        let resident_by_kind = me
            .status()
            .ok()
            .and_then(|st| Some([st.rssanon? * 1024, st.rssfile? * 1024, st.rssshmem? * 1024]));
        Some(Sample {
            cpu_seconds: (stat.utime + stat.stime) as f64 / ticks,
            resident_bytes: stat.rss * page,
            resident_by_kind,
            virtual_bytes: stat.vsize,
            open_fds: me.fd_count().unwrap_or(0),
            max_fds,
            threads: stat.num_threads,
            start_time_seconds: boot as f64 + stat.starttime as f64 / ticks,
        })
    }

    #[cfg(not(target_os = "linux"))]
    pub fn sample() -> Option<Sample> {
        None
    }
}
