//! Bookings' SQL.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::Booking;

/// A new booking, pending.
pub struct NewBooking<'a> {
    pub id: &'a str,
    pub customer: &'a str,
    pub provider: &'a str,
    pub pricing: &'a str,
    pub service: &'a str,
    pub service_date: &'a str,
    pub duration: i64,
    pub price: f64,
    pub incentive_code: Option<&'a str>,
    pub at: &'a str,
}

pub fn insert(tx: &Connection, b: &NewBooking<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO marketplace_bookings (id, customer_id, provider_id, pricing_id, service_type, service_date,
            duration, price, incentive_code, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10)",
        params![b.id, b.customer, b.provider, b.pricing, b.service, b.service_date, b.duration, b.price,
            b.incentive_code, b.at],
    )?;
    Ok(())
}

/// Moves booking `id` to `status` (`completed` records when).
pub fn set_status(tx: &Connection, id: &str, status: &str, at: &str) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_bookings SET status = ?2, completed_at = CASE WHEN ?2 = 'completed' THEN ?3 ELSE completed_at END WHERE id = ?1",
        params![id, status, at],
    )?;
    Ok(())
}

/// A booking's (customer, provider, status).
pub fn parties(conn: &Connection, id: &str) -> rusqlite::Result<Option<(String, String, String)>> {
    conn.cached_row(
        "SELECT customer_id, provider_id, status FROM marketplace_bookings WHERE id = ?1",
        [id],
        |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
    )
    .optional()
}

/// A booking's (customer, provider, category, completed at or else created at).
pub type Completion = (String, String, Option<String>, String);

/// See [`Completion`].
pub fn completion(conn: &Connection, id: &str) -> rusqlite::Result<Completion> {
    conn.cached_row(
        "SELECT b.customer_id, b.provider_id, p.category_id, COALESCE(b.completed_at, b.created_at)
         FROM marketplace_bookings b JOIN marketplace_pricing p ON p.id = b.pricing_id WHERE b.id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
}

/// A booking's (provider, customer, status).
pub fn provider_customer_status(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<(String, String, String)>> {
    conn.cached_row(
        "SELECT provider_id, customer_id, status FROM marketplace_bookings WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

/// Booking `id` (no review request attached).
pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Booking> {
    conn.cached_row(
        "SELECT id, customer_id, provider_id, pricing_id, service_type, service_date, duration, price, status,
                completed_at, created_at, incentive_code FROM marketplace_bookings WHERE id = ?1",
        [id],
        |r| {
            Ok(Booking {
                booking_id: r.get(0)?,
                customer_id: r.get(1)?,
                provider_id: r.get(2)?,
                service_pricing_id: r.get(3)?,
                service_type: r.get(4)?,
                service_date: r.get(5)?,
                duration: r.get(6)?,
                price: r.get(7)?,
                status: r.get(8)?,
                completed_at: r.get(9)?,
                created_at: r.get(10)?,
                incentive_code: r.get(11)?,
                review_request: None,
            })
        },
    )
}

/// The ids of bookings visible to a caller (`all`: an admin; else those of
/// their customer or provider profile), optionally in `status`, latest service first.
pub fn visible_ids(
    conn: &Connection,
    all: bool,
    customer: Option<&str>,
    provider: Option<&str>,
    status: Option<&str>,
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM marketplace_bookings WHERE (?1 OR customer_id = ?2 OR provider_id = ?3)
           AND (?4 IS NULL OR status = ?4) ORDER BY service_date DESC LIMIT 500",
    )?;
    let rows = stmt.query_map(params![all, customer, provider, status], |r| r.get(0))?;
    rows.collect()
}

/// The pending and confirmed bookings of `providers` (provider, service date,
/// minutes) in `[from, to)`: one read for all of them.
pub fn open_between(
    conn: &Connection,
    providers: &[&str],
    from: &str,
    to: &str,
) -> rusqlite::Result<Vec<(String, String, i64)>> {
    let ids = serde_json::to_string(providers)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let mut stmt = conn.prepare_cached(
        "SELECT provider_id, service_date, duration FROM marketplace_bookings
         WHERE provider_id IN (SELECT value FROM json_each(?1))
           AND status IN ('pending', 'confirmed') AND service_date >= ?2 AND service_date < ?3",
    )?;
    let rows = stmt.query_map(params![ids, from, to], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}
