//! Durable background jobs and schedules, stored in SQLite.
//!
//! ```ignore
//! // In a module's `start` hook: say how a kind of job runs.
//! platform.jobs.register("contact-center.report", Arc::new(|platform, job| {
//!     Box::pin(async move { generate(&platform, &job.payload).await.map_err(|e| e.message) })
//! }));
//! // In the same transaction as the change that needs it:
//! platform.db.write(move |tx| { /* insert report row */ jobs::enqueue(tx, "contact-center.report", &json!({"report_id": id}))?; Ok(()) }).await?;
//! // Recurring work: a schedule enqueues its job at each due time.
//! jobs::upsert_schedule(tx, "cc.report-schedule.7", "contact-center.report", &payload,
//!     &ScheduleSpec { frequency: Frequency::Weekly(Weekday::Mon), hour: 9, minute: 0, timezone: "America/Los_Angeles".into() })?;
//! ```
//!
//! Jobs run on tokio workers, are retried with exponential backoff, report
//! their status (queued, running, completed, failed) and survive restarts: a
//! job that was running when the process died is queued again at start.
//! Schedules compute their next run in their own IANA time zone (correct
//! across DST changes); runs missed while the server was down run once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use futures_util::future::BoxFuture;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use tokio::sync::Notify;

use crate::db::Db;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::Platform;
use crate::time::{from_ms, to_ms};

/// This service's schema steps (its own migration chain, `platform.jobs`).
pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE platform_jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    run_at INTEGER NOT NULL,
    last_error TEXT,
    result TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
);
CREATE INDEX platform_jobs_due ON platform_jobs(status, run_at);
CREATE TABLE platform_schedules (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    spec TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    next_run_at INTEGER NOT NULL,
    last_run_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX platform_schedules_due ON platform_schedules(enabled, next_run_at);
"#];

/// One job handed to a handler.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    /// 1 on the first try.
    pub attempt: i64,
}

/// What a handler returns: a result to store, or an error message (retried).
pub type JobOutcome = Result<Value, String>;
pub type Handler = Arc<dyn Fn(Platform, Job) -> BoxFuture<'static, JobOutcome> + Send + Sync>;

/// A job as an API reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    /// queued, running, completed or failed.
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: Option<String>,
    pub result: Option<Value>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Queues a job to run as soon as a worker is free (call inside the change's transaction).
pub fn enqueue(tx: &Connection, kind: &str, payload: &Value) -> ApiResult<i64> {
    enqueue_at(tx, kind, payload, Utc::now(), 5)
}

/// Queues a job to run at `run_at`, tried at most `max_attempts` times.
pub fn enqueue_at(
    tx: &Connection,
    kind: &str,
    payload: &Value,
    run_at: DateTime<Utc>,
    max_attempts: i64,
) -> ApiResult<i64> {
    tx.execute(
        "INSERT INTO platform_jobs (kind, payload, status, max_attempts, run_at, created_at)
         VALUES (?1, ?2, 'queued', ?3, ?4, ?5)",
        params![
            kind,
            payload.to_string(),
            max_attempts.max(1),
            to_ms(run_at),
            to_ms(Utc::now())
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The current state of job `id`.
pub fn status(conn: &Connection, id: i64) -> ApiResult<Option<JobRecord>> {
    Ok(conn
        .query_row(
            "SELECT id, kind, status, attempts, max_attempts, last_error, result, created_at, started_at, finished_at
             FROM platform_jobs WHERE id = ?1",
            [id],
            |r| {
                let result: Option<String> = r.get(6)?;
                Ok(JobRecord {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    status: r.get(2)?,
                    attempts: r.get(3)?,
                    max_attempts: r.get(4)?,
                    last_error: r.get(5)?,
                    result: result.and_then(|s| serde_json::from_str(&s).ok()),
                    created_at: from_ms(r.get(7)?),
                    started_at: r.get::<_, Option<i64>>(8)?.map(from_ms),
                    finished_at: r.get::<_, Option<i64>>(9)?.map(from_ms),
                })
            },
        )
        .optional()?)
}

/// How often a schedule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "day", rename_all = "snake_case")]
pub enum Frequency {
    Daily,
    Weekly(Weekday),
    /// Day of month 1..=31; shorter months fire on their last day.
    Monthly(u32),
}

/// When a schedule fires, in its own time zone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScheduleSpec {
    pub frequency: Frequency,
    pub hour: u32,
    pub minute: u32,
    /// An IANA zone such as `Europe/Berlin`.
    pub timezone: String,
}

impl ScheduleSpec {
    /// Checks hour, minute, day and zone; one detail per bad field.
    pub fn validate(&self) -> ApiResult<Tz> {
        let mut problems = Vec::new();
        if self.hour > 23 {
            problems.push(FieldError::new("hour", "hour must be between 0 and 23"));
        }
        if self.minute > 59 {
            problems.push(FieldError::new("minute", "minute must be between 0 and 59"));
        }
        if let Frequency::Monthly(day) = self.frequency {
            if !(1..=31).contains(&day) {
                problems.push(FieldError::new(
                    "day_of_month",
                    "day_of_month must be between 1 and 31",
                ));
            }
        }
        let tz = self.timezone.parse::<Tz>();
        if tz.is_err() {
            problems.push(FieldError::new(
                "timezone",
                format!("Unknown time zone '{}'", self.timezone),
            ));
        }
        match (problems.is_empty(), tz) {
            (true, Ok(tz)) => Ok(tz),
            _ => Err(ApiError::validation(problems)),
        }
    }

    /// The first firing strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> ApiResult<DateTime<Utc>> {
        let tz = self.validate()?;
        let time = NaiveTime::from_hms_opt(self.hour, self.minute, 0)
            .ok_or_else(|| ApiError::invalid("hour", "invalid time of day"))?;
        let start = after.with_timezone(&tz).date_naive();
        for offset in 0..=400u64 {
            let Some(date) = start.checked_add_days(Days::new(offset)) else {
                break;
            };
            if !self.fires_on(date) {
                continue;
            }
            let candidate = local_instant(&tz, date, time);
            if candidate > after {
                return Ok(candidate);
            }
        }
        Err(ApiError::internal("no next run found for schedule"))
    }

    fn fires_on(&self, date: NaiveDate) -> bool {
        match self.frequency {
            Frequency::Daily => true,
            Frequency::Weekly(day) => date.weekday() == day,
            Frequency::Monthly(day) => {
                let last = last_day_of_month(date);
                date.day() == day.min(last)
            }
        }
    }
}

fn last_day_of_month(date: NaiveDate) -> u32 {
    let (y, m) = (date.year(), date.month());
    let first_next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    first_next
        .and_then(|d| d.pred_opt())
        .map(|d| d.day())
        .unwrap_or(28)
}

/// The instant of local `date time` in `tz`: the earlier one when the clock
/// repeats (autumn), the first valid minute after the gap when it skips (spring).
fn local_instant(tz: &Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    let mut probe = naive;
    for _ in 0..=180 {
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&Utc);
        }
        probe += chrono::Duration::minutes(1);
    }
    Utc.from_utc_datetime(&naive)
}

/// Creates or replaces the schedule `name`; returns its next run.
pub fn upsert_schedule(
    tx: &Connection,
    name: &str,
    kind: &str,
    payload: &Value,
    spec: &ScheduleSpec,
) -> ApiResult<DateTime<Utc>> {
    let next = spec.next_after(Utc::now())?;
    let spec_json = serde_json::to_string(spec)?;
    tx.execute(
        "INSERT INTO platform_schedules (name, kind, payload, spec, enabled, next_run_at, created_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)
         ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, payload = excluded.payload,
             spec = excluded.spec, enabled = 1, next_run_at = excluded.next_run_at",
        params![name, kind, payload.to_string(), spec_json, to_ms(next), to_ms(Utc::now())],
    )?;
    Ok(next)
}

/// Pauses or resumes schedule `name` (resuming recomputes its next run).
pub fn set_schedule_enabled(tx: &Connection, name: &str, enabled: bool) -> ApiResult<bool> {
    let spec: Option<String> = tx
        .query_row(
            "SELECT spec FROM platform_schedules WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    let Some(spec) = spec else { return Ok(false) };
    let spec: ScheduleSpec = serde_json::from_str(&spec)?;
    tx.execute(
        "UPDATE platform_schedules SET enabled = ?2, next_run_at = ?3 WHERE name = ?1",
        params![name, enabled, to_ms(spec.next_after(Utc::now())?)],
    )?;
    Ok(true)
}

/// Removes schedule `name`; true when it existed.
pub fn delete_schedule(tx: &Connection, name: &str) -> ApiResult<bool> {
    Ok(tx.execute("DELETE FROM platform_schedules WHERE name = ?1", [name])? > 0)
}

/// When a schedule runs next, and when it ran last.
pub type ScheduleTimes = (DateTime<Utc>, Option<DateTime<Utc>>);

/// When schedule `name` runs next and ran last.
pub fn schedule_times(conn: &Connection, name: &str) -> ApiResult<Option<ScheduleTimes>> {
    Ok(conn
        .query_row(
            "SELECT next_run_at, last_run_at FROM platform_schedules WHERE name = ?1",
            [name],
            |r| Ok((from_ms(r.get(0)?), r.get::<_, Option<i64>>(1)?.map(from_ms))),
        )
        .optional()?)
}

/// Enqueues one job per due schedule and moves each to its next run after
/// `now` (so runs missed during downtime happen once). Returns jobs queued.
pub fn fire_due_schedules(tx: &Connection, now: DateTime<Utc>) -> ApiResult<usize> {
    let due: Vec<(i64, String, String, String, i64)> = {
        let mut stmt = tx.prepare(
            "SELECT id, kind, payload, spec, next_run_at FROM platform_schedules
             WHERE enabled = 1 AND next_run_at <= ?1 ORDER BY next_run_at",
        )?;
        let rows = stmt.query_map([to_ms(now)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for (id, kind, payload, spec, due_at) in &due {
        let mut payload: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut payload {
            map.insert(
                "scheduled_for".into(),
                Value::String(from_ms(*due_at).to_rfc3339()),
            );
        }
        enqueue(tx, kind, &payload)?;
        let spec: ScheduleSpec = serde_json::from_str(spec)?;
        tx.execute(
            "UPDATE platform_schedules SET last_run_at = ?2, next_run_at = ?3 WHERE id = ?1",
            params![id, to_ms(now), to_ms(spec.next_after(now)?)],
        )?;
    }
    Ok(due.len())
}

/// The job runner: handlers by kind, workers, the scheduler loop.
#[derive(Clone)]
pub struct Jobs {
    db: Db,
    handlers: Arc<RwLock<HashMap<String, Handler>>>,
    wake: Arc<Notify>,
    started: Arc<AtomicBool>,
    retry_base_ms: Arc<AtomicU64>,
    /// Failed attempts (retried or final) since start, for `/metrics`.
    failed_attempts: Arc<AtomicU64>,
}

impl Jobs {
    pub fn new(db: Db) -> Jobs {
        Jobs {
            db,
            handlers: Arc::new(RwLock::new(HashMap::new())),
            wake: Arc::new(Notify::new()),
            started: Arc::new(AtomicBool::new(false)),
            retry_base_ms: Arc::new(AtomicU64::new(2_000)),
            failed_attempts: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Job attempts that failed since start (retried or given up).
    pub fn failed_attempts(&self) -> u64 {
        self.failed_attempts.load(Ordering::Relaxed)
    }

    /// The first retry waits about this long; each next one twice as long (tests shorten it).
    pub fn set_retry_base(&self, base: Duration) {
        self.retry_base_ms
            .store(base.as_millis() as u64, Ordering::Relaxed);
    }

    /// Says how jobs of `kind` run. Register before or after `start`.
    pub fn register(&self, kind: &str, handler: Handler) {
        if let Ok(mut map) = self.handlers.write() {
            map.insert(kind.to_string(), handler);
        }
        self.wake.notify_waiters();
    }

    /// Wakes idle workers (after enqueueing, to skip the poll interval).
    pub fn notify(&self) {
        self.wake.notify_waiters();
    }

    fn kinds(&self) -> Vec<String> {
        self.handlers
            .read()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn handler(&self, kind: &str) -> Option<Handler> {
        self.handlers.read().ok().and_then(|m| m.get(kind).cloned())
    }

    /// Puts jobs that were running when the process died back in the queue.
    pub fn recover(&self) -> ApiResult<usize> {
        self.db.write_blocking(|tx| {
            Ok(tx.execute(
                "UPDATE platform_jobs SET status = 'queued' WHERE status = 'running'",
                [],
            )?)
        })
    }

    /// Starts `workers` workers and the scheduler (once; later calls do nothing).
    pub fn start(&self, platform: &Platform, workers: usize) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Err(e) = self.recover() {
            tracing::error!(error = %e, "could not requeue interrupted jobs");
        }
        for _ in 0..workers.max(1) {
            let jobs = self.clone();
            let platform = platform.clone();
            tokio::spawn(async move {
                loop {
                    match jobs.run_one(&platform).await {
                        Ok(true) => continue,
                        Ok(false) => {}
                        Err(e) => tracing::error!(error = %e, "job worker error"),
                    }
                    tokio::select! {
                        _ = jobs.wake.notified() => {},
                        _ = tokio::time::sleep(Duration::from_millis(500)) => {},
                    }
                }
            });
        }
        let jobs = self.clone();
        tokio::spawn(async move {
            loop {
                match jobs.db.write(|tx| fire_due_schedules(tx, Utc::now())).await {
                    Ok(n) if n > 0 => jobs.notify(),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "scheduler error"),
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        });
    }

    /// Claims and runs one due job; false when none was due.
    pub async fn run_one(&self, platform: &Platform) -> ApiResult<bool> {
        let kinds = self.kinds();
        if kinds.is_empty() {
            return Ok(false);
        }
        let claimed = self
            .db
            .write(move |tx| {
                let placeholders = vec!["?"; kinds.len()].join(",");
                let sql = format!(
                    "UPDATE platform_jobs SET status = 'running', attempts = attempts + 1, started_at = ?1
                     WHERE id = (SELECT id FROM platform_jobs WHERE status = 'queued' AND run_at <= ?1
                                 AND kind IN ({placeholders}) ORDER BY run_at, id LIMIT 1)
                     RETURNING id, kind, payload, attempts, max_attempts"
                );
                let now = to_ms(Utc::now());
                let mut args: Vec<&dyn rusqlite::ToSql> = vec![&now];
                for k in &kinds {
                    args.push(k);
                }
                Ok(tx
                    .query_row(&sql, args.as_slice(), |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?))
                    })
                    .optional()?)
            })
            .await?;
        let base_ms = self.retry_base_ms.load(Ordering::Relaxed);
        let Some((id, kind, payload, attempt, max_attempts)) = claimed else {
            return Ok(false);
        };
        let job = Job {
            id,
            kind: kind.clone(),
            payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
            attempt,
        };
        let outcome = match self.handler(&kind) {
            Some(handler) => {
                let fut = handler(platform.clone(), job);
                match tokio::spawn(fut).await {
                    Ok(outcome) => outcome,
                    Err(e) => Err(format!("job panicked: {e}")),
                }
            }
            None => Err(format!("no handler for job kind {kind}")),
        };
        if outcome.is_err() {
            self.failed_attempts.fetch_add(1, Ordering::Relaxed);
        }
        self.db
            .write(move |tx| {
                let now = Utc::now();
                match outcome {
                    Ok(result) => {
                        tx.execute(
                            "UPDATE platform_jobs SET status = 'completed', result = ?2, finished_at = ?3, last_error = NULL WHERE id = ?1",
                            params![id, result.to_string(), to_ms(now)],
                        )?;
                    }
                    Err(error) if attempt < max_attempts => {
                        let retry_at = now + backoff(base_ms, attempt);
                        tx.execute(
                            "UPDATE platform_jobs SET status = 'queued', last_error = ?2, run_at = ?3 WHERE id = ?1",
                            params![id, error, to_ms(retry_at)],
                        )?;
                    }
                    Err(error) => {
                        tx.execute(
                            "UPDATE platform_jobs SET status = 'failed', last_error = ?2, finished_at = ?3 WHERE id = ?1",
                            params![id, error, to_ms(now)],
                        )?;
                    }
                }
                Ok(())
            })
            .await?;
        Ok(true)
    }

    /// Runs every job that is due now, one after another (for tests and CLI tools).
    pub async fn run_pending(&self, platform: &Platform) -> ApiResult<usize> {
        let mut n = 0;
        while self.run_one(platform).await? {
            n += 1;
        }
        Ok(n)
    }
}

/// `base × 2^(attempt-1)` (2 s, 4 s, 8 s, … by default) capped at one hour, with up to 20% jitter.
pub fn backoff(base_ms: u64, attempt: i64) -> chrono::Duration {
    let wait = (base_ms as f64 * 2f64.powi((attempt - 1).clamp(0, 20) as i32)).min(3_600_000.0);
    let jitter = 1.0 + rand::random::<f64>() * 0.2;
    chrono::Duration::milliseconds((wait * jitter) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Berlin;

    fn berlin(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Berlin
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn daily_runs_keep_local_time_across_dst() {
        let spec = ScheduleSpec {
            frequency: Frequency::Daily,
            hour: 9,
            minute: 0,
            timezone: "Europe/Berlin".into(),
        };
        // The evening before the spring change (29 March 2026) and after it.
        let before = spec.next_after(berlin(2026, 3, 28, 10, 0)).unwrap();
        assert_eq!(before, berlin(2026, 3, 29, 9, 0));
        assert_eq!(before.to_rfc3339(), "2026-03-29T07:00:00+00:00");
        let after = spec.next_after(before).unwrap();
        assert_eq!(after.to_rfc3339(), "2026-03-30T07:00:00+00:00");
        let winter = spec.next_after(berlin(2026, 1, 10, 9, 0)).unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-01-11T08:00:00+00:00");
    }

    #[test]
    fn a_time_in_the_spring_gap_runs_after_the_gap_and_autumn_runs_once() {
        let spec = ScheduleSpec {
            frequency: Frequency::Daily,
            hour: 2,
            minute: 30,
            timezone: "Europe/Berlin".into(),
        };
        // 02:30 does not exist on 29 March 2026 in Berlin: run at 03:00 local (01:00Z).
        let t = spec.next_after(berlin(2026, 3, 28, 12, 0)).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-29T01:00:00+00:00");
        // 02:30 happens twice on 25 October 2026: run at the first (00:30Z) only.
        let t = spec.next_after(berlin(2026, 10, 24, 12, 0)).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-10-25T00:30:00+00:00");
        let next = spec.next_after(t).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-10-26T01:30:00+00:00");
    }

    #[test]
    fn weekly_and_monthly() {
        let weekly = ScheduleSpec {
            frequency: Frequency::Weekly(Weekday::Mon),
            hour: 9,
            minute: 0,
            timezone: "America/Los_Angeles".into(),
        };
        // Wednesday 2026-11-18 -> Monday 2026-11-23 09:00 PST (17:00Z).
        let t = weekly
            .next_after(Utc.with_ymd_and_hms(2026, 11, 18, 12, 0, 0).unwrap())
            .unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-23T17:00:00+00:00");
        let monthly = ScheduleSpec {
            frequency: Frequency::Monthly(31),
            hour: 0,
            minute: 0,
            timezone: "UTC".into(),
        };
        let t = monthly
            .next_after(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap())
            .unwrap();
        assert_eq!(t.to_rfc3339(), "2026-02-28T00:00:00+00:00");
    }

    #[test]
    fn bad_specs_are_refused_per_field() {
        let spec = ScheduleSpec {
            frequency: Frequency::Monthly(0),
            hour: 24,
            minute: 0,
            timezone: "Mars/Olympus".into(),
        };
        let err = spec.validate().unwrap_err();
        let fields: Vec<_> = err.details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, vec!["hour", "day_of_month", "timezone"]);
    }
}
