//! Bookings' SQL.

use rusqlite::{params, Connection};

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
