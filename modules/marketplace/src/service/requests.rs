//! Review requests: created when a booking completes, scheduled by the active
//! campaign's variant (or the default next-morning timing), sent by a
//! platform job through the customer's channel (push, SMS, WhatsApp, e-mail:
//! `frontline_platform::deliver`, with the server's `delivery_*` settings),
//! then remind (another job) / decline / submit.
//!
//! Lifecycle (`status`): `scheduled` → `requested` (open in the app from its
//! time on) → `submitted` / `declined`. What sending did (`delivery_status`,
//! and `reminder_status` for the last reminder): `queued` (retrying),
//! `sent`, `delivered` (only when the channel reports it: Twilio status
//! callbacks, WhatsApp status webhooks; see [`super::reports`]), `failed`
//! (with the reason, also when the channel reports it undelivered),
//! `not_configured`.
//! `delivery_cost` adds up the vendor's price of each accepted message (Twilio
//! `price`) or else the operator's per-message cost (`delivery_costs`).

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use frontline_platform::auth::Principal;
use frontline_platform::deliver::{self, Credentials, DeliverySettings, Message, Outcome};
use frontline_platform::error::FieldError;
use frontline_platform::write::WriteCtx;
use frontline_platform::{jobs, ApiResult, Platform};
use rand::Rng;
use rusqlite::Connection;
use serde_json::{json, Value};

use super::{iso, new_id, now};
use crate::model::MarketplaceError;
use crate::model::{
    DeclineInput, PendingReviewRequest, Preferences, PreferencesUpdated, ReviewPreferences,
    ReviewReminder, ReviewRequestDeclined, ReviewRequestScheduled, Variant,
};
use crate::SLUG;
use poem_openapi::types::MaybeUndefined;

pub const DELIVER_JOB: &str = "marketplace.review_request.deliver";
/// The job that sends a reminder.
pub const REMIND_JOB: &str = "marketplace.review_request.remind";

/// Schema step: what sending a request and its reminders did.
pub const DELIVERY_MIGRATION: &str = r#"
ALTER TABLE marketplace_review_requests ADD COLUMN delivery_status TEXT;
ALTER TABLE marketplace_review_requests ADD COLUMN delivery_error TEXT;
ALTER TABLE marketplace_review_requests ADD COLUMN delivery_id TEXT;
ALTER TABLE marketplace_review_requests ADD COLUMN delivery_cost REAL NOT NULL DEFAULT 0;
ALTER TABLE marketplace_review_requests ADD COLUMN reminder_status TEXT;
ALTER TABLE marketplace_review_requests ADD COLUMN reminder_error TEXT;
UPDATE marketplace_review_requests SET status = 'requested' WHERE status = 'delivered';
"#;
/// Schema step: the vendor's id of the last reminder (status reports find it by it).
pub const STATUS_MIGRATION: &str = r#"
ALTER TABLE marketplace_review_requests ADD COLUMN reminder_delivery_id TEXT;
CREATE INDEX marketplace_review_requests_delivery ON marketplace_review_requests(delivery_id)
    WHERE delivery_id IS NOT NULL;
CREATE INDEX marketplace_review_requests_reminder_delivery ON marketplace_review_requests(reminder_delivery_id)
    WHERE reminder_delivery_id IS NOT NULL;
"#;
pub const CHANNELS: &[&str] = &["push", "sms", "whatsapp", "email"];
/// Days a delivered request stays open.
pub const OPEN_DAYS: i64 = 7;
pub const MAX_REMINDERS: i64 = 3;

/// Stored preferences with defaults filled in.
pub fn prefs_json(stored: &str) -> ReviewPreferences {
    let p: Value = serde_json::from_str(stored).unwrap_or_else(|_| json!({}));
    ReviewPreferences {
        review_requests_enabled: p
            .get("reviewRequestsEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        preferred_channel: p
            .get("preferredChannel")
            .and_then(Value::as_str)
            .unwrap_or("push")
            .to_string(),
        preferred_time_of_day: p
            .get("preferredTimeOfDay")
            .and_then(Value::as_str)
            .unwrap_or("morning")
            .to_string(),
        max_requests_per_month: p
            .get("maxRequestsPerMonth")
            .and_then(Value::as_i64)
            .unwrap_or(5),
        phone: p.get("phone").and_then(Value::as_str).map(str::to_string),
    }
}

/// `PUT /customers/review-preferences`.
pub fn update_prefs(
    tx: &Connection,
    user: &Principal,
    p: &Preferences,
) -> ApiResult<PreferencesUpdated> {
    let mut problems = Vec::new();
    if let Some(c) = &p.preferred_channel {
        if !CHANNELS.contains(&c.as_str()) {
            problems.push(FieldError::new(
                "preferredChannel",
                "preferredChannel must be push, sms, whatsapp or email",
            ));
        }
    }
    if let Some(t) = &p.preferred_time_of_day {
        if !["morning", "afternoon", "evening"].contains(&t.as_str()) {
            problems.push(FieldError::new(
                "preferredTimeOfDay",
                "preferredTimeOfDay must be morning, afternoon or evening",
            ));
        }
    }
    if let Some(m) = p.max_requests_per_month {
        if !(0..=31).contains(&m) {
            problems.push(FieldError::new(
                "maxRequestsPerMonth",
                "maxRequestsPerMonth must be between 0 and 31",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(MarketplaceError::fields(problems));
    }
    let id = super::ensure_customer(tx, user)?;
    let stored: String = crate::store::profiles::preferences(tx, &id)?;
    let mut cur = prefs_json(&stored);
    if let Some(v) = p.review_requests_enabled {
        cur.review_requests_enabled = v;
    }
    if let Some(v) = &p.preferred_channel {
        cur.preferred_channel = v.as_str().to_string();
    }
    if let Some(v) = &p.preferred_time_of_day {
        cur.preferred_time_of_day = v.as_str().to_string();
    }
    if let Some(v) = p.max_requests_per_month {
        cur.max_requests_per_month = v;
    }
    if let Some(v) = &p.phone {
        cur.phone = Some(v.to_string());
    }
    let stored = json!({
        "phone": cur.phone,
        "reviewRequestsEnabled": cur.review_requests_enabled,
        "preferredChannel": cur.preferred_channel,
        "preferredTimeOfDay": cur.preferred_time_of_day,
        "maxRequestsPerMonth": cur.max_requests_per_month,
    });
    crate::store::profiles::set_customer_preferences(tx, &id, &stored.to_string())?;
    Ok(PreferencesUpdated { preferences: cur })
}

fn hour_of(pref: &str) -> u32 {
    match pref {
        "afternoon" => 14,
        "evening" => 18,
        _ => 9,
    }
}

/// When a variant's config sends the request after `done`; also its timing label.
pub fn schedule(done: DateTime<Utc>, cfg: &crate::model::VariantConfig) -> (DateTime<Utc>, String) {
    let delay = cfg.delay.unwrap_or(0).max(0);
    let unit = cfg.unit.map(|u| u.as_str()).unwrap_or("hours");
    let mut at = match unit {
        "minutes" => done + Duration::minutes(delay),
        "days" => done + Duration::days(delay),
        _ => done + Duration::hours(delay),
    };
    let mut label = format!("{delay}_{unit}");
    if let Some(t) = cfg
        .time
        .as_deref()
        .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
    {
        at = at.date_naive().and_time(t).and_utc();
        label = if unit == "days" && delay == 1 {
            "next_morning".into()
        } else {
            format!("{label}_at_{}", t.format("%H:%M"))
        };
    }
    (at, label)
}

/// Picks a variant by traffic allocation.
fn pick(variants: &[Variant]) -> Option<&Variant> {
    let total: f64 = variants.iter().map(|v| v.traffic_allocation).sum();
    if total <= 0.0 {
        return None;
    }
    let mut x = rand::rng().random_range(0.0..total);
    for v in variants {
        if x < v.traffic_allocation {
            return Some(v);
        }
        x -= v.traffic_allocation;
    }
    variants.last()
}

/// Creates the review request of completed booking `booking` (unless the
/// customer opted out or reached their monthly maximum) and queues its delivery.
pub fn create_for_booking(tx: &Connection, booking: &str) -> ApiResult<ReviewRequestScheduled> {
    let (customer, provider, category, done): (String, String, Option<String>, String) =
        crate::store::bookings::completion(tx, booking)?;
    let stored: String = crate::store::profiles::preferences(tx, &customer)?;
    let prefs = prefs_json(&stored);
    if !prefs.review_requests_enabled {
        return Ok(ReviewRequestScheduled::skipped(
            "review requests are turned off for this customer",
        ));
    }
    let month_ago = iso(Utc::now() - Duration::days(30));
    let recent = crate::store::requests::count_since(tx, &customer, &month_ago)?;
    if recent >= prefs.max_requests_per_month {
        return Ok(ReviewRequestScheduled::skipped(
            "the customer's monthly maximum of review requests is reached",
        ));
    }
    let done_t = DateTime::parse_from_rfc3339(&done)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now());
    let mut channel = prefs.preferred_channel.clone();
    // The active campaign that targets this category and still needs participants.
    let at = now();
    let campaigns = crate::store::campaigns::active_definitions(tx, &at)?;
    let mut assigned = None;
    for (id, def) in campaigns {
        let Ok(c) = serde_json::from_str::<crate::model::CampaignInput>(&def) else {
            continue;
        };
        let targeting = c.targeting.clone().unwrap_or_default();
        if let Some(cats) = &targeting.service_categories {
            if !cats.is_empty()
                && !category
                    .as_ref()
                    .map(|x| cats.iter().any(|c| c.as_str() == x.as_str()))
                    .unwrap_or(false)
            {
                continue;
            }
        }
        if let Some(n) = targeting.sample_size {
            let taken: i64 = crate::store::requests::count_in_campaign(tx, &id)?;
            if taken >= n {
                continue;
            }
        }
        if let Some(v) = pick(&c.variants) {
            assigned = Some((id, v.clone()));
            break;
        }
    }
    let (scheduled, label, campaign, variant) = match &assigned {
        Some((cid, v)) => {
            let (t, l) = schedule(done_t, &v.config);
            if let Some(ch) = &v.config.channel {
                channel = ch.as_str().to_string();
            }
            (t, l, Some(cid.clone()), Some(v.variant_id.clone()))
        }
        None => {
            // Default: the next day at the customer's preferred time of day.
            let h = hour_of(&prefs.preferred_time_of_day);
            let day = (done_t + Duration::days(1)).date_naive();
            let t = day
                .and_hms_opt(h, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or(done_t + Duration::days(1));
            (t, "next_morning".to_string(), None, None)
        }
    };
    let id = new_id();
    crate::store::requests::insert(
        tx,
        &crate::store::requests::NewRequest {
            id: &id,
            booking,
            customer: &customer,
            provider: &provider,
            campaign: campaign.as_deref(),
            variant: variant.as_deref(),
            channel: &channel,
            timing: &label,
            scheduled_at: &iso(scheduled),
            at: &at,
        },
    )?;
    jobs::enqueue_at(
        tx,
        DELIVER_JOB,
        &json!({"requestId": id}),
        scheduled,
        deliver::MAX_ATTEMPTS,
    )?;
    Ok(ReviewRequestScheduled {
        created: true,
        reason: None,
        request_id: Some(id),
        scheduled_at: Some(iso(scheduled)),
        channel: Some(channel),
        timing_strategy: Some(label),
        campaign_id: MaybeUndefined::from_opt_null(campaign),
        variant_id: MaybeUndefined::from_opt_null(variant.map(Into::into)),
    })
}

/// Which message a job sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Request,
    Reminder,
}

/// The message job `kind` sends for request `id`, or `None` when there is
/// nothing to send (answered, declined, or already sent).
fn message_for(c: &Connection, id: &str, kind: Kind) -> ApiResult<Option<Message>> {
    let row = crate::store::requests::message_row(c, id)?;
    let Some((status, sent, channel, user, prefs, provider, service, campaign, variant)) = row
    else {
        return Ok(None);
    };
    let due = match kind {
        Kind::Request => {
            status == "scheduled" || (status == "requested" && sent.as_deref() == Some("queued"))
        }
        Kind::Reminder => status == "requested",
    };
    if !due {
        return Ok(None);
    }
    let to = match channel.as_str() {
        "push" => user,
        "email" => crate::store::profiles::user_email(c, &user)?.unwrap_or_default(),
        _ => prefs_json(&prefs).phone.unwrap_or_default(),
    };
    let (subject, text) = match kind {
        Kind::Request => (
            format!("How was your {service}?"),
            {
                // The request's text is its A/B arm's (a `message` arm's own words, or
                // the arm's reward), the same text the pending-request list shows.
                let arm = super::campaigns::arm_config(c, campaign.as_deref(), variant.as_deref())?;
                let ask = super::campaigns::request_message(arm.as_ref(), &provider, &service);
                format!("{ask} Rate it in the app within {OPEN_DAYS} days (review request {id}).")
            },
        ),
        Kind::Reminder => (
            format!("Reminder: review your {service}"),
            format!(
                "A reminder: your review of {service} with {provider} is still open in the app (review request {id})."
            ),
        ),
    };
    Ok(Some(Message {
        channel,
        to,
        text,
        subject: Some(subject),
        status_callback: None,
    }))
}

/// The server's credentials for `channel` (the marketplace has no per-tenant senders).
fn credentials(s: &DeliverySettings, channel: &str) -> Credentials {
    match channel {
        "sms" => Credentials {
            token: s.twilio_auth_token.clone(),
            account: s.twilio_account_sid.clone(),
            from: s.twilio_from.clone(),
            ..Default::default()
        },
        "whatsapp" => Credentials {
            token: s.whatsapp_token.clone(),
            account: s.whatsapp_phone_number_id.clone(),
            ..Default::default()
        },
        _ => Credentials::default(),
    }
}

/// The status an attempt leaves: `queued` while retries remain.
fn status_of(outcome: &Outcome, last: bool) -> &'static str {
    match outcome {
        Outcome::Retry(_) if !last => "queued",
        Outcome::Retry(_) => "failed",
        other => other.status(),
    }
}

/// Stores what an attempt did. The request opens (in the app) at its first
/// attempt whatever the channel did; `review.request.delivered` is emitted
/// when the channel accepted the message.
fn record(
    w: &WriteCtx,
    id: &str,
    kind: Kind,
    outcome: &Outcome,
    last: bool,
    cost: f64,
) -> ApiResult<()> {
    let tx = w.tx();
    let status = status_of(outcome, last);
    let error = outcome.reason().map(str::to_string);
    let vendor_id = match outcome {
        Outcome::Sent { vendor_id, .. } => vendor_id.clone(),
        _ => None,
    };
    let attempt = crate::store::requests::Attempt {
        status,
        error: error.as_deref(),
        vendor_id: vendor_id.as_deref(),
        cost,
    };
    if kind == Kind::Reminder {
        // A vendor's report may have come before this (a status callback
        // racing the vendor's answer): it is not undone.
        crate::store::requests::record_reminder_attempt(tx, id, &attempt)?;
        return Ok(());
    }
    let t = Utc::now();
    crate::store::requests::record_attempt(
        tx,
        id,
        &iso(t),
        &iso(t + Duration::days(OPEN_DAYS)),
        &attempt,
    )?;
    if status != "sent" {
        return Ok(());
    }
    let (booking, customer, provider, channel, requested, expires): (
        String,
        String,
        String,
        String,
        String,
        String,
    ) = crate::store::requests::sent_request(tx, id)?;
    let audience = super::party_audience(tx, Some(&customer), Some(&provider))?;
    w.emit(
        SLUG,
        "review.request.delivered",
        &json!({
            "requestId": id, "bookingId": booking, "customerId": customer, "providerId": provider,
            "channel": channel, "deliveryStatus": status, "requestedAt": requested, "expiresAt": expires,
        }),
        &audience,
    )?;
    Ok(())
}

/// Runs one delivery or reminder job: sends, stores what happened, and
/// answers an error (so the platform retries with backoff) while a
/// temporary failure has attempts left.
async fn run(platform: Platform, job: jobs::Job, kind: Kind) -> jobs::JobOutcome {
    let id = job.payload["requestId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let rid = id.clone();
    let msg = platform
        .db
        .read(move |c| message_for(c, &rid, kind))
        .await
        .map_err(|e| e.message)?;
    let Some(mut msg) = msg else {
        return Ok(json!({"skipped": true}));
    };
    if msg.channel == "sms" {
        msg.status_callback = super::reports::twilio_callback(&platform.settings, &id, kind);
    }
    let settings = &platform.settings.delivery;
    let outcome = send(&platform, &msg).await;
    let cost = match &outcome {
        Outcome::Sent { price: Some(p), .. } => *p,
        Outcome::Sent { .. } => settings.cost_of(&msg.channel),
        _ => 0.0,
    };
    let last = job.attempt >= deliver::MAX_ATTEMPTS;
    let stored = outcome.clone();
    platform
        .db
        .write(move |tx| {
            // The job acts for nobody: no principal, the job as the request.
            let meta = frontline_platform::http::RequestMeta {
                request_id: format!("job:{DELIVER_JOB}"),
                ip: None,
                user_agent: None,
                https: false,
            };
            record(
                &WriteCtx::new(tx, None, &meta),
                &id,
                kind,
                &stored,
                last,
                cost,
            )
        })
        .await
        .map_err(|e| e.message)?;
    match outcome {
        Outcome::Retry(reason) => Err(reason),
        other => Ok(json!({"status": other.status(), "reason": other.reason()})),
    }
}

/// Sends `msg` with the server's credentials; a channel that is configured
/// but has no address for this customer fails with that reason.
async fn send(platform: &Platform, msg: &Message) -> Outcome {
    let creds = credentials(&platform.settings.delivery, &msg.channel);
    if !msg.to.trim().is_empty() {
        return deliver::send(platform, &creds, msg).await;
    }
    let configured = match msg.channel.as_str() {
        "sms" => creds.account.is_some() && creds.token.is_some() && creds.from.is_some(),
        "whatsapp" => creds.account.is_some() && creds.token.is_some(),
        "email" => platform.settings.mail.smtp_url.is_some(),
        _ => true,
    };
    if !configured {
        // Answers not_configured before any call is made.
        let probe = Message {
            to: "-".into(),
            ..msg.clone()
        };
        return deliver::send(platform, &creds, &probe).await;
    }
    Outcome::Failed(match msg.channel.as_str() {
        "email" => "the customer has no e-mail address".into(),
        _ => "the customer has no phone number (review preferences: phone)".into(),
    })
}

/// Registers the delivery and reminder jobs with the platform's job runner.
pub fn register_jobs(platform: &Platform) {
    platform.jobs.register(
        DELIVER_JOB,
        Arc::new(|platform: Platform, job: jobs::Job| Box::pin(run(platform, job, Kind::Request))),
    );
    platform.jobs.register(
        REMIND_JOB,
        Arc::new(|platform: Platform, job: jobs::Job| Box::pin(run(platform, job, Kind::Reminder))),
    );
}

fn own_request(conn: &Connection, user: &Principal, id: &str) -> ApiResult<(String, i64)> {
    let customer = super::customer_of(conn, &user.id)?;
    let row: Option<(String, String, i64)> = crate::store::requests::reminder_state(conn, id)?;
    match row {
        Some((c, status, n)) if Some(&c) == customer.as_ref() => Ok((status, n)),
        _ => Err(MarketplaceError::NotFound.with_message("Review request not found")),
    }
}

/// `POST /reviews/request/:requestId/decline`.
pub fn decline(
    tx: &Connection,
    user: &Principal,
    id: &str,
    d: &DeclineInput,
) -> ApiResult<ReviewRequestDeclined> {
    let (status, _) = own_request(tx, user, id)?;
    if let Some(r) = &d.reason {
        if ![
            "not_interested",
            "too_busy",
            "bad_experience",
            "privacy",
            "other",
        ]
        .contains(&r.as_str())
        {
            return Err(MarketplaceError::Validation.invalid(
                "reason",
                "reason must be not_interested, too_busy, bad_experience, privacy or other",
            ));
        }
    }
    if d.feedback
        .as_ref()
        .map(|f| f.chars().count() > 1000)
        .unwrap_or(false)
    {
        return Err(MarketplaceError::Validation
            .invalid("feedback", "feedback must be at most 1000 characters"));
    }
    if !["scheduled", "requested"].contains(&status.as_str()) {
        return Err(MarketplaceError::Conflict
            .with_message(format!("This review request is already {status}")));
    }
    crate::store::requests::decline(
        tx,
        id,
        d.reason.map(|r| r.as_str()).unwrap_or("not_interested"),
        d.feedback.as_deref(),
    )?;
    let opt_out = d.permanently_opt_out.unwrap_or(false);
    if opt_out {
        update_prefs(
            tx,
            user,
            &Preferences {
                review_requests_enabled: Some(false),
                preferred_channel: None,
                preferred_time_of_day: None,
                max_requests_per_month: None,
                phone: None,
            },
        )?;
    }
    Ok(ReviewRequestDeclined {
        request_id: id.to_string(),
        status: "declined".into(),
        follow_up_disabled: opt_out,
    })
}

/// `POST /reviews/request/:requestId/remind`: tomorrow at 09:00 UTC, at most
/// three times; a job sends the reminder then (`reminderStatus`).
pub fn remind(tx: &Connection, user: &Principal, id: &str) -> ApiResult<ReviewReminder> {
    let (status, count) = own_request(tx, user, id)?;
    if !["scheduled", "requested"].contains(&status.as_str()) {
        return Err(MarketplaceError::Conflict
            .with_message(format!("This review request is already {status}")));
    }
    if count >= MAX_REMINDERS {
        return Err(MarketplaceError::Conflict
            .with_message(format!("At most {MAX_REMINDERS} reminders per request")));
    }
    let tomorrow = (Utc::now() + Duration::days(1)).date_naive();
    let next = tomorrow
        .and_hms_opt(9, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_else(Utc::now);
    // The request stays open at least a day after the reminder.
    crate::store::requests::schedule_reminder(tx, id, &iso(next), &iso(next + Duration::days(1)))?;
    jobs::enqueue_at(
        tx,
        REMIND_JOB,
        &json!({"requestId": id}),
        next,
        deliver::MAX_ATTEMPTS,
    )?;
    Ok(ReviewReminder {
        request_id: id.to_string(),
        next_reminder_date: iso(next),
        reminder_count: count + 1,
    })
}

/// `GET /customers/reviews/pending`: open (requested), unexpired requests.
pub fn pending(conn: &Connection, user: &Principal) -> ApiResult<Vec<PendingReviewRequest>> {
    let customer = super::customer_of(conn, &user.id)?;
    let rows = crate::store::requests::pending_rows(conn, customer.as_deref(), &now())?;
    // What the request's A/B arm says the customer receives.
    let mut out = Vec::with_capacity(rows.len());
    for (mut p, campaign, variant) in rows {
        let arm = super::campaigns::arm_config(conn, campaign.as_deref(), variant.as_deref())?;
        p.message =
            super::campaigns::request_message(arm.as_ref(), &p.provider_name, &p.service_type);
        p.incentive_type = arm
            .and_then(|c| c.incentive)
            .unwrap_or(super::campaigns::DEFAULT_INCENTIVE)
            .as_str()
            .to_string();
        out.push(p);
    }
    Ok(out)
}
