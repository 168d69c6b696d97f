//! SQL of vendors' status reports on review requests and reminders.

use super::CachedRow;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};

/// The delivery status and the vendor's message id of request `id`'s
/// message (`reminder`: its last reminder); `None` when there is no such request.
pub fn current(
    c: &Connection,
    id: &str,
    reminder: bool,
) -> ApiResult<Option<(Option<String>, Option<String>)>> {
    let sql = if reminder {
        "SELECT reminder_status, reminder_delivery_id FROM marketplace_review_requests WHERE id = ?1"
    } else {
        "SELECT delivery_status, delivery_id FROM marketplace_review_requests WHERE id = ?1"
    };
    Ok(c.cached_row(sql, [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The request whose message (or last reminder: `true`) has the vendor's
/// id `vendor_id`, with that message's status.
pub fn by_vendor_id(
    c: &Connection,
    vendor_id: &str,
) -> ApiResult<Option<(String, bool, Option<String>)>> {
    if let Some((id, status)) = c
        .cached_row(
            "SELECT id, delivery_status FROM marketplace_review_requests WHERE delivery_id = ?1",
            [vendor_id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
        )
        .optional()?
    {
        return Ok(Some((id, false, status)));
    }
    Ok(c.cached_row(
        "SELECT id, reminder_status FROM marketplace_review_requests WHERE reminder_delivery_id = ?1",
        [vendor_id],
        |r| Ok((r.get::<_, String>(0)?, true, r.get::<_, Option<String>>(1)?)),
    )
    .optional()?)
}

/// Stores a reported status (and the reason of a failure) of request `id`'s
/// message or last reminder.
pub fn set_status(
    tx: &Connection,
    id: &str,
    reminder: bool,
    status: &str,
    reason: Option<&str>,
) -> ApiResult<usize> {
    let sql = if reminder {
        "UPDATE marketplace_review_requests SET reminder_status = ?2, reminder_error = ?3 WHERE id = ?1"
    } else {
        "UPDATE marketplace_review_requests SET delivery_status = ?2, delivery_error = ?3 WHERE id = ?1"
    };
    Ok(tx.execute(sql, params![id, status, reason])?)
}
