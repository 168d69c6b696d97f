//! Analytics' SQL: counts, averages and series over prices, bookings, reviews
//! and review requests (the service rounds and compares them).

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

const PRICING_FILTER: &str =
    "(?1 IS NULL OR provider_id = ?1) AND (?2 IS NULL OR category_id = ?2)";

const REVIEW_FILTER: &str = "(?1 IS NULL OR provider_id = ?1) AND moderation_status <> 'rejected' AND submitted_at >= ?2 AND submitted_at <= ?3";

fn values(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> rusqlite::Result<Vec<f64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(p, |r| r.get::<_, f64>(0))?;
    rows.collect()
}

/// Configurations (all, active) of a provider and/or category.
pub fn pricing_counts(
    conn: &Connection,
    provider: Option<&str>,
    category: Option<&str>,
) -> rusqlite::Result<(i64, i64)> {
    conn.cached_row(
        &format!("SELECT COUNT(*), COALESCE(SUM(is_active), 0) FROM marketplace_pricing WHERE {PRICING_FILTER}"),
        params![provider, category],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The most common active pricing type and its average price.
pub fn main_pricing_type(
    conn: &Connection,
    provider: Option<&str>,
    category: Option<&str>,
) -> rusqlite::Result<Option<(String, f64)>> {
    conn.cached_row(
        &format!(
            "SELECT pricing_type, AVG(current_price) FROM marketplace_pricing WHERE {PRICING_FILTER} AND is_active = 1
             GROUP BY pricing_type ORDER BY COUNT(*) DESC, pricing_type LIMIT 1"
        ),
        params![provider, category],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Price updates recorded in `[from, to]`.
pub fn price_changes(
    conn: &Connection,
    provider: Option<&str>,
    category: Option<&str>,
    from: &str,
    to: &str,
) -> rusqlite::Result<i64> {
    conn.cached_row(
        "SELECT COUNT(*) FROM marketplace_pricing_history h JOIN marketplace_pricing p ON p.id = h.pricing_id
         WHERE h.change_type = 'updated' AND (?1 IS NULL OR h.provider_id = ?1) AND (?2 IS NULL OR p.category_id = ?2)
           AND h.changed_at >= ?3 AND h.changed_at <= ?4",
        params![provider, category, from, to],
        |r| r.get(0),
    )
}

/// Active configurations per pricing type: (type, count, average price).
pub fn pricing_by_type(
    conn: &Connection,
    provider: Option<&str>,
    category: Option<&str>,
) -> rusqlite::Result<Vec<(String, i64, f64)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT pricing_type, COUNT(*), AVG(current_price) FROM marketplace_pricing WHERE {PRICING_FILTER} AND is_active = 1
         GROUP BY pricing_type ORDER BY pricing_type"
    ))?;
    let rows = stmt.query_map(params![provider, category], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}

/// Every active price of type `ptype` in the categories `provider` prices that type in.
pub fn market_prices(
    conn: &Connection,
    provider: &str,
    category: Option<&str>,
    ptype: &str,
) -> rusqlite::Result<Vec<f64>> {
    values(
        conn,
        "SELECT current_price FROM marketplace_pricing WHERE is_active = 1 AND pricing_type = ?3 AND category_id IN
           (SELECT category_id FROM marketplace_pricing WHERE provider_id = ?1 AND is_active = 1 AND pricing_type = ?3)
           AND (?2 IS NULL OR category_id = ?2)",
        params![provider, category, ptype],
    )
}

/// Completed bookings per day in `[from, to]`: (date, bookings, revenue).
pub fn revenue_by_day(
    conn: &Connection,
    provider: Option<&str>,
    category: Option<&str>,
    from: &str,
    to: &str,
) -> rusqlite::Result<Vec<(String, i64, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(b.completed_at, 1, 10) d, COUNT(*), SUM(b.price) FROM marketplace_bookings b
         JOIN marketplace_pricing p ON p.id = b.pricing_id
         WHERE b.status = 'completed' AND (?1 IS NULL OR b.provider_id = ?1) AND (?2 IS NULL OR p.category_id = ?2)
           AND b.completed_at >= ?3 AND b.completed_at <= ?4 GROUP BY d ORDER BY d",
    )?;
    let rows = stmt.query_map(params![provider, category, from, to], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}

/// Visible reviews in `[from, to]`: (count, average rating, answered).
pub fn review_overview(
    conn: &Connection,
    provider: Option<&str>,
    from: &str,
    to: &str,
) -> rusqlite::Result<(i64, Option<f64>, i64)> {
    conn.cached_row(
        &format!("SELECT COUNT(*), AVG(overall_rating), COALESCE(SUM(response IS NOT NULL), 0) FROM marketplace_reviews WHERE {REVIEW_FILTER}"),
        params![provider, from, to],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// Visible reviews per day: (date, reviews, average rating).
pub fn reviews_by_day(
    conn: &Connection,
    provider: Option<&str>,
    from: &str,
    to: &str,
) -> rusqlite::Result<Vec<(String, i64, f64)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT substr(submitted_at, 1, 10) d, COUNT(*), AVG(overall_rating) FROM marketplace_reviews WHERE {REVIEW_FILTER} GROUP BY d ORDER BY d"
    ))?;
    let rows = stmt.query_map(params![provider, from, to], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}

/// The average of category rating `c` (a fixed name) over visible reviews.
pub fn category_average(
    conn: &Connection,
    c: &str,
    provider: Option<&str>,
    from: &str,
    to: &str,
) -> rusqlite::Result<Option<f64>> {
    conn.cached_row(
        &format!("SELECT AVG(json_extract(category_ratings, '$.{c}')) FROM marketplace_reviews WHERE {REVIEW_FILTER}"),
        params![provider, from, to],
        |r| r.get(0),
    )
}

/// A provider's average rating over all its visible reviews.
pub fn provider_average(conn: &Connection, provider: &str) -> rusqlite::Result<Option<f64>> {
    conn.cached_row(
        "SELECT AVG(overall_rating) FROM marketplace_reviews WHERE provider_id = ?1 AND moderation_status <> 'rejected'",
        [provider],
        |r| r.get(0),
    )
}

/// Every rated provider's average rating.
pub fn rated_provider_averages(conn: &Connection) -> rusqlite::Result<Vec<f64>> {
    values(
        conn,
        "SELECT rating_avg FROM marketplace_providers WHERE rating_count > 0",
        [],
    )
}

/// Review requests created in `[from, to]`: (sent, delivered, failed, not
/// configured, submitted, declined, expired at `at`).
pub type RequestCounts = (i64, i64, i64, i64, i64, i64, i64);

pub fn request_counts(
    conn: &Connection,
    from: &str,
    to: &str,
    at: &str,
) -> rusqlite::Result<RequestCounts> {
    conn.cached_row(
        "SELECT COALESCE(SUM(delivery_status IN ('sent', 'delivered')), 0), COALESCE(SUM(delivery_status = 'delivered'), 0),
                COALESCE(SUM(delivery_status = 'failed'), 0), COALESCE(SUM(delivery_status = 'not_configured'), 0),
                COALESCE(SUM(status = 'submitted'), 0), COALESCE(SUM(status = 'declined'), 0),
                COALESCE(SUM(status = 'requested' AND expires_at <= ?3), 0)
         FROM marketplace_review_requests WHERE created_at >= ?1 AND created_at <= ?2",
        params![from, to, at],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
    )
}

/// How review requests are grouped.
#[derive(Debug, Clone, Copy)]
pub enum RequestGroup {
    Channel,
    Timing,
}

/// Requests created in `[from, to]` per channel or timing: (key, sent, submitted, cost).
pub fn requests_by(
    conn: &Connection,
    group: RequestGroup,
    from: &str,
    to: &str,
) -> rusqlite::Result<Vec<(String, i64, i64, f64)>> {
    let col = match group {
        RequestGroup::Channel => "channel",
        RequestGroup::Timing => "timing_strategy",
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {col}, COALESCE(SUM(delivery_status IN ('sent', 'delivered')), 0), COALESCE(SUM(status = 'submitted'), 0),
                COALESCE(SUM(delivery_cost), 0)
         FROM marketplace_review_requests WHERE created_at >= ?1 AND created_at <= ?2 GROUP BY {col} ORDER BY {col}"
    ))?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    rows.collect()
}

/// Visible reviews submitted in `[from, to]`: (count, average rating).
pub fn platform_reviews(
    conn: &Connection,
    from: &str,
    to: &str,
) -> rusqlite::Result<(i64, Option<f64>)> {
    conn.cached_row(
        "SELECT COUNT(*), AVG(overall_rating) FROM marketplace_reviews WHERE moderation_status <> 'rejected' AND submitted_at >= ?1 AND submitted_at <= ?2",
        params![from, to],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Review rewards per type in `[from, to]`: (type, issued, claimed, claimed amount).
pub fn incentives(
    conn: &Connection,
    from: &str,
    to: &str,
) -> rusqlite::Result<Vec<(String, i64, i64, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT json_extract(incentive, '$.type') t, COUNT(*), COALESCE(SUM(incentive_claimed), 0),
                COALESCE(SUM(CASE WHEN incentive_claimed = 1 THEN json_extract(incentive, '$.amount') END), 0)
         FROM marketplace_reviews WHERE incentive IS NOT NULL AND submitted_at >= ?1 AND submitted_at <= ?2 GROUP BY t ORDER BY t",
    )?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    rows.collect()
}
