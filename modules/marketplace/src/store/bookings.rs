//! Bookings' SQL.

use rusqlite::{params, Connection, OptionalExtension};

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

pub fn parties(conn: &Connection, a: &str) -> rusqlite::Result<Option<(String, String, String)>> {
    conn.query_row(
        "SELECT customer_id, provider_id, status FROM marketplace_bookings WHERE id = ?1",
        [a],
        |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
    )
    .optional()
}

pub fn completion(
    conn: &Connection,
    a: &str,
) -> rusqlite::Result<(String, String, Option<String>, String)> {
    conn.query_row(
        "SELECT b.customer_id, b.provider_id, p.category_id, COALESCE(b.completed_at, b.created_at)
         FROM marketplace_bookings b JOIN marketplace_pricing p ON p.id = b.pricing_id WHERE b.id = ?1",
        [a],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
}
