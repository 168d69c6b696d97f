//! Jobs survive restarts, retry with backoff, and schedules fire once per due time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{Duration as Span, Utc};
use frontline_platform::jobs::{self, Frequency, ScheduleSpec};
use frontline_platform::{Platform, Settings};
use serde_json::json;

fn open(dir: &std::path::Path) -> Platform {
    let mut s = Settings::for_data_dir(dir);
    s.rate_limits = false;
    let p = Platform::open(s, &[]).expect("open");
    p.jobs.set_retry_base(Duration::from_millis(10));
    p
}

fn echo_handler(counter: Arc<AtomicUsize>) -> jobs::Handler {
    Arc::new(move |_platform, job| {
        let counter = counter.clone();
        Box::pin(async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(json!({ "echo": job.payload["n"], "attempt": job.attempt }))
        })
    })
}

async fn wait_for_status(p: &Platform, id: i64, want: &str) -> jobs::JobRecord {
    for _ in 0..200 {
        let rec =
            p.db.read(move |c| jobs::status(c, id))
                .await
                .unwrap()
                .unwrap();
        if rec.status == want {
            return rec;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job {id} never reached {want}");
}

#[tokio::test]
async fn a_job_enqueued_with_a_change_runs_and_reports_its_result() {
    let dir = tempfile::tempdir().unwrap();
    let p = open(dir.path());
    let runs = Arc::new(AtomicUsize::new(0));
    p.jobs.register("test.echo", echo_handler(runs.clone()));
    let id =
        p.db.write(|tx| jobs::enqueue(tx, "test.echo", &json!({"n": 7})))
            .await
            .unwrap();
    let queued =
        p.db.read(move |c| jobs::status(c, id))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(queued.status, "queued");
    p.start_background();
    let done = wait_for_status(&p, id, "completed").await;
    assert_eq!(done.result, Some(json!({"echo": 7, "attempt": 1})));
    assert_eq!(done.attempts, 1);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failing_job_is_retried_then_marked_failed() {
    let dir = tempfile::tempdir().unwrap();
    let p = open(dir.path());
    let tries = Arc::new(AtomicUsize::new(0));
    let t = tries.clone();
    p.jobs.register(
        "test.flaky",
        Arc::new(move |_p, job| {
            let t = t.clone();
            Box::pin(async move {
                t.fetch_add(1, Ordering::SeqCst);
                if job.attempt < 3 {
                    Err(format!("boom {}", job.attempt))
                } else {
                    Ok(json!("ok"))
                }
            })
        }),
    );
    p.jobs.register(
        "test.doomed",
        Arc::new(|_p, _job| Box::pin(async { Err("always".to_string()) })),
    );
    let (flaky, doomed) =
        p.db.write(|tx| {
            let a = jobs::enqueue(tx, "test.flaky", &json!({}))?;
            let b = jobs::enqueue_at(tx, "test.doomed", &json!({}), Utc::now(), 2)?;
            Ok((a, b))
        })
        .await
        .unwrap();
    p.start_background();
    let rec = wait_for_status(&p, flaky, "completed").await;
    assert_eq!(rec.attempts, 3);
    assert_eq!(tries.load(Ordering::SeqCst), 3);
    let rec = wait_for_status(&p, doomed, "failed").await;
    assert_eq!(rec.attempts, 2);
    assert_eq!(rec.last_error.as_deref(), Some("always"));
}

#[tokio::test]
async fn jobs_survive_a_crash_and_run_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (waiting, interrupted) = {
        let p = open(dir.path());
        p.db.write(|tx| {
            let a = jobs::enqueue(tx, "test.echo", &json!({"n": 1}))?;
            let b = jobs::enqueue(tx, "test.echo", &json!({"n": 2}))?;
            // The process "dies" while job b is running.
            tx.execute(
                "UPDATE platform_jobs SET status = 'running', attempts = 1 WHERE id = ?1",
                [b],
            )?;
            Ok((a, b))
        })
        .await
        .unwrap()
    };
    let p = open(dir.path());
    let runs = Arc::new(AtomicUsize::new(0));
    p.jobs.register("test.echo", echo_handler(runs.clone()));
    p.start_background();
    assert_eq!(
        wait_for_status(&p, waiting, "completed").await.result,
        Some(json!({"echo": 1, "attempt": 1}))
    );
    let rec = wait_for_status(&p, interrupted, "completed").await;
    assert_eq!(rec.result, Some(json!({"echo": 2, "attempt": 2})));
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn missed_schedule_runs_fire_once_and_move_to_the_next_time() {
    let dir = tempfile::tempdir().unwrap();
    let p = open(dir.path());
    let spec = ScheduleSpec {
        frequency: Frequency::Daily,
        hour: 6,
        minute: 0,
        timezone: "Europe/Berlin".into(),
    };
    let next =
        p.db.write(move |tx| {
            jobs::upsert_schedule(tx, "test.daily", "test.echo", &json!({"n": 9}), &spec)
        })
        .await
        .unwrap();
    assert!(next > Utc::now());
    // Pretend the server was down for three days.
    let now = Utc::now();
    let three_days_ago = (now - Span::days(3)).timestamp_millis();
    p.db.write(move |tx| {
        tx.execute(
            "UPDATE platform_schedules SET next_run_at = ?1",
            [three_days_ago],
        )?;
        Ok(())
    })
    .await
    .unwrap();
    let fired =
        p.db.write(move |tx| jobs::fire_due_schedules(tx, now))
            .await
            .unwrap();
    assert_eq!(fired, 1, "missed runs collapse into one");
    let again =
        p.db.write(move |tx| jobs::fire_due_schedules(tx, now))
            .await
            .unwrap();
    assert_eq!(again, 0);
    let (next, last) =
        p.db.read(|c| jobs::schedule_times(c, "test.daily"))
            .await
            .unwrap()
            .unwrap();
    assert!(next > now && next - now <= Span::days(1), "{next}");
    assert!(last.is_some());
    let payload: String =
        p.db.read(|c| {
            Ok(c.query_row(
                "SELECT payload FROM platform_jobs WHERE kind = 'test.echo'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    let payload: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["n"], 9);
    assert!(payload["scheduled_for"].is_string());
}

#[tokio::test]
async fn the_server_schedules_the_nightly_purge_of_expired_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = open(dir.path());
    p.start_background();
    let (next, _) =
        p.db.read(|c| jobs::schedule_times(c, frontline_platform::state::PURGE_FILES_JOB))
            .await
            .unwrap()
            .expect("purge schedule exists");
    assert!(next > Utc::now() && next - Utc::now() <= Span::days(1));
    let id =
        p.db.write(|tx| jobs::enqueue(tx, frontline_platform::state::PURGE_FILES_JOB, &json!({})))
            .await
            .unwrap();
    let rec = wait_for_status(&p, id, "completed").await;
    assert_eq!(rec.result, Some(json!({"removed": 0})));
}
