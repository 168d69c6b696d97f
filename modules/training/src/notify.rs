//! Publish notifications: `notifyUsers: true` on publish e-mails the people who
//! follow the scenario (see [`store::notifications::followers`]) through the
//! platform's delivery service, one job per person, retried with backoff.
//! Each notification's status says what happened: `queued`, `sent`, `failed`
//! (with the reason) or `not_configured` (no SMTP server: nothing was sent).

use std::sync::Arc;

use frontline_platform::deliver::{self, Credentials, Message, Outcome};
use frontline_platform::{jobs, ApiResult, Platform};
use rusqlite::Connection;
use serde_json::json;

use crate::service;
use crate::store::notifications::{self as store, NewNotification};
use crate::store::Scenario;

/// The job kind that sends one notification.
pub const NOTIFY_JOB: &str = "training.publish_notification";

/// Queues a notification to each follower of scenario `s`, published by
/// `publisher` (in the publishing transaction). Returns how many were queued.
pub fn queue(
    tx: &Connection,
    s: &Scenario,
    publisher: &str,
    notes: Option<&str>,
) -> ApiResult<i64> {
    let now = service::now();
    let subject = format!("Scenario published: {}", s.name);
    let mut body = format!(
        "The training scenario \"{}\" is published (version {}) and ready to practise.",
        s.name, s.version_number
    );
    if let Some(n) = notes.map(str::trim).filter(|n| !n.is_empty()) {
        body.push_str(&format!("\n\nNotes: {n}"));
    }
    let mut queued = 0;
    for (user_id, email) in store::followers(tx, &s.id, publisher)? {
        let id = service::new_id("ntf");
        store::insert(
            tx,
            &NewNotification {
                id: &id,
                scenario_id: &s.id,
                user_id: &user_id,
                email: &email,
                subject: &subject,
                body: &body,
                now: &now,
            },
        )?;
        jobs::enqueue_at(
            tx,
            NOTIFY_JOB,
            &json!({"notificationId": id}),
            chrono::Utc::now(),
            deliver::MAX_ATTEMPTS,
        )?;
        queued += 1;
    }
    Ok(queued)
}

/// Sends one notification and records what happened; a temporary failure
/// with attempts left answers an error so the platform retries it.
async fn run(platform: Platform, job: jobs::Job) -> jobs::JobOutcome {
    let id = job.payload["notificationId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let key = id.clone();
    let Some((email, subject, text)) = platform
        .db
        .read(move |c| store::pending(c, &key))
        .await
        .map_err(|e| e.message)?
    else {
        return Ok(json!({"skipped": true}));
    };
    let msg = Message {
        channel: "email".into(),
        to: email,
        text,
        subject: Some(subject),
        status_callback: None,
    };
    let outcome = deliver::send(&platform, &Credentials::default(), &msg).await;
    let last = job.attempt >= deliver::MAX_ATTEMPTS;
    let (status, error) = match &outcome {
        Outcome::Retry(r) if last => ("failed", Some(r.clone())),
        other => (other.status(), other.reason().map(str::to_string)),
    };
    let sent_at = matches!(outcome, Outcome::Sent { .. }).then(service::now);
    platform
        .db
        .write(move |tx| store::record(tx, &id, status, error.as_deref(), sent_at.as_deref()))
        .await
        .map_err(|e| e.message)?;
    match outcome {
        Outcome::Retry(reason) if !last => Err(reason),
        other => Ok(json!({"status": other.status(), "reason": other.reason()})),
    }
}

/// Registers the notification job with the platform's job runner.
pub fn register_jobs(platform: &Platform) {
    platform.jobs.register(
        NOTIFY_JOB,
        Arc::new(|platform: Platform, job: jobs::Job| Box::pin(run(platform, job))),
    );
}
