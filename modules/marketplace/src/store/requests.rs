//! Review requests' SQL (scheduling, attempts, reminders, declines).

use rusqlite::{params, Connection};

/// A review request scheduled for a completed booking.
pub struct NewRequest<'a> {
    pub id: &'a str,
    pub booking: &'a str,
    pub customer: &'a str,
    pub provider: &'a str,
    pub campaign: Option<&'a str>,
    pub variant: Option<&'a str>,
    pub channel: &'a str,
    pub timing: &'a str,
    pub scheduled_at: &'a str,
    pub at: &'a str,
}

pub fn insert(tx: &Connection, r: &NewRequest<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO marketplace_review_requests (id, booking_id, customer_id, provider_id, campaign_id, variant_id,
            channel, timing_strategy, status, scheduled_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'scheduled', ?9, ?10)",
        params![r.id, r.booking, r.customer, r.provider, r.campaign, r.variant, r.channel, r.timing,
            r.scheduled_at, r.at],
    )?;
    Ok(())
}

/// What one sending attempt did: its status, error, the vendor's message id and cost.
pub struct Attempt<'a> {
    pub status: &'a str,
    pub error: Option<&'a str>,
    pub vendor_id: Option<&'a str>,
    pub cost: f64,
}

/// Records a reminder attempt. A vendor's report that came first (a status
/// callback racing the vendor's answer) is not undone.
pub fn record_reminder_attempt(tx: &Connection, id: &str, a: &Attempt<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_review_requests SET
            reminder_error = CASE WHEN ?2 = 'sent' AND reminder_status IN ('failed', 'delivered') THEN reminder_error ELSE ?3 END,
            reminder_status = CASE WHEN ?2 = 'sent' AND reminder_status IN ('failed', 'delivered') THEN reminder_status ELSE ?2 END,
            reminder_delivery_id = COALESCE(?5, reminder_delivery_id),
            delivery_cost = delivery_cost + ?4,
            next_reminder_at = CASE WHEN ?2 = 'queued' THEN next_reminder_at ELSE NULL END
         WHERE id = ?1",
        params![id, a.status, a.error, a.cost, a.vendor_id],
    )?;
    Ok(())
}

/// Records a request's attempt: it opens (requested at `at`, open until
/// `expires_at`) at its first attempt; a vendor's earlier report is not undone.
pub fn record_attempt(
    tx: &Connection,
    id: &str,
    at: &str,
    expires_at: &str,
    a: &Attempt<'_>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_review_requests SET status = CASE WHEN status = 'scheduled' THEN 'requested' ELSE status END,
            requested_at = COALESCE(requested_at, ?2), expires_at = COALESCE(expires_at, ?3),
            delivery_error = CASE WHEN ?4 = 'sent' AND delivery_status IN ('failed', 'delivered') THEN delivery_error ELSE ?5 END,
            delivery_status = CASE WHEN ?4 = 'sent' AND delivery_status IN ('failed', 'delivered') THEN delivery_status ELSE ?4 END,
            delivery_id = COALESCE(?6, delivery_id),
            delivery_cost = delivery_cost + ?7
         WHERE id = ?1",
        params![id, at, expires_at, a.status, a.error, a.vendor_id, a.cost],
    )?;
    Ok(())
}

pub fn decline(
    tx: &Connection,
    id: &str,
    reason: &str,
    feedback: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_review_requests SET status = 'declined', decline_reason = ?2, decline_feedback = ?3,
            next_reminder_at = NULL WHERE id = ?1",
        params![id, reason, feedback],
    )?;
    Ok(())
}

/// Schedules the next reminder at `next`; the request stays open until at least `open_until`.
pub fn schedule_reminder(
    tx: &Connection,
    id: &str,
    next: &str,
    open_until: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_review_requests SET reminder_count = reminder_count + 1, next_reminder_at = ?2,
            reminder_status = 'scheduled', reminder_error = NULL, reminder_delivery_id = NULL,
            expires_at = CASE WHEN expires_at IS NOT NULL AND expires_at < ?3 THEN ?3 ELSE expires_at END WHERE id = ?1",
        params![id, next, open_until],
    )?;
    Ok(())
}

/// The request was answered with a review.
pub fn mark_submitted(tx: &Connection, id: &str) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_review_requests SET status = 'submitted', next_reminder_at = NULL WHERE id = ?1",
        [id],
    )?;
    Ok(())
}
