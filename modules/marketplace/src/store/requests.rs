//! Review requests' SQL (scheduling, attempts, reminders, declines).

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::PendingReviewRequest;

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

/// The (id, campaign, variant) of the review request of a booking.
pub type RequestArm = (String, Option<String>, Option<String>);

/// See [`RequestArm`].
pub fn of_booking(conn: &Connection, booking: &str) -> rusqlite::Result<Option<RequestArm>> {
    conn.cached_row(
        "SELECT id, campaign_id, variant_id FROM marketplace_review_requests WHERE booking_id = ?1",
        [booking],
        |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
    )
    .optional()
}

/// Review requests assigned to a campaign.
pub fn count_in_campaign(conn: &Connection, campaign: &str) -> rusqlite::Result<i64> {
    conn.cached_row(
        "SELECT COUNT(*) FROM marketplace_review_requests WHERE campaign_id = ?1",
        [campaign],
        |r| r.get(0),
    )
}

/// A request's (booking, customer, provider, channel, requested at, expires at) after sending.
pub type SentRequest = (String, String, String, String, String, String);

/// See [`SentRequest`].
pub fn sent_request(conn: &Connection, id: &str) -> rusqlite::Result<SentRequest> {
    conn.cached_row(
        "SELECT booking_id, customer_id, provider_id, channel, requested_at, expires_at
             FROM marketplace_review_requests WHERE id = ?1",
        [id],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )
}

/// A request's (customer, status, reminders sent).
pub fn reminder_state(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<(String, String, i64)>> {
    conn.cached_row(
        "SELECT customer_id, status, reminder_count FROM marketplace_review_requests WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

/// Review requests made to `customer` since `since`.
pub fn count_since(conn: &Connection, customer: &str, since: &str) -> rusqlite::Result<i64> {
    conn.cached_row(
        "SELECT COUNT(*) FROM marketplace_review_requests WHERE customer_id = ?1 AND created_at >= ?2",
        params![customer, since],
        |r| r.get(0),
    )
}

/// A request's (status, delivery status, channel, customer's user, customer's
/// preferences, provider's name, service, campaign, variant).
pub type MessageRow = (
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// What a request's message is made from; `None` for an unknown request.
pub fn message_row(c: &Connection, id: &str) -> rusqlite::Result<Option<MessageRow>> {
    c.cached_row(
            "SELECT r.status, r.delivery_status, r.channel, cu.user_id, cu.preferences, v.name, b.service_type,
                    r.campaign_id, r.variant_id
             FROM marketplace_review_requests r JOIN marketplace_customers cu ON cu.id = r.customer_id
             JOIN marketplace_providers v ON v.id = r.provider_id JOIN marketplace_bookings b ON b.id = r.booking_id
             WHERE r.id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            },
        )
    .optional()
}

/// An open request as listed to its customer, with its campaign and variant.
pub type PendingRow = (PendingReviewRequest, Option<String>, Option<String>);

/// `customer`'s requested, unexpired requests at `at`, newest first (message and
/// incentive left empty).
pub fn pending_rows(
    conn: &Connection,
    customer: Option<&str>,
    at: &str,
) -> rusqlite::Result<Vec<PendingRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, v.name, b.service_type, b.service_date, r.requested_at, r.expires_at, r.channel,
                r.reminder_count, r.next_reminder_at, r.booking_id,
                r.delivery_status, r.delivery_error, r.reminder_status, r.reminder_error,
                r.campaign_id, r.variant_id
         FROM marketplace_review_requests r JOIN marketplace_bookings b ON b.id = r.booking_id
         JOIN marketplace_providers v ON v.id = r.provider_id
         WHERE r.customer_id = ?1 AND r.status = 'requested' AND r.expires_at > ?2 ORDER BY r.requested_at DESC",
    )?;
    let rows: Vec<PendingRow> = stmt
        .query_map(params![customer, at], |r| {
            Ok((
                PendingReviewRequest {
                    request_id: r.get(0)?,
                    provider_name: r.get(1)?,
                    service_type: r.get(2)?,
                    service_date: r.get(3)?,
                    requested_at: r.get(4)?,
                    expires_at: r.get(5)?,
                    channel: r.get(6)?,
                    reminder_count: r.get(7)?,
                    next_reminder_date: r.get(8)?,
                    booking_id: r.get(9)?,
                    delivery_status: r.get(10)?,
                    delivery_error: r.get(11)?,
                    reminder_status: r.get(12)?,
                    reminder_error: r.get(13)?,
                    message: String::new(),
                    incentive_type: String::new(),
                },
                r.get::<_, Option<String>>(14)?,
                r.get::<_, Option<String>>(15)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
