//! Campaigns' SQL.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

/// A campaign as stored: its definition is the JSON of the `CampaignInput` it was made from.
pub struct NewCampaign<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub definition: &'a str,
    pub start_date: &'a str,
    pub end_date: &'a str,
    pub created_by: &'a str,
    pub created_at: &'a str,
}

/// Stores a new campaign in `draft`.
pub fn insert(conn: &Connection, c: &NewCampaign) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO marketplace_campaigns (id, name, definition, status, start_date, end_date, created_by, created_at)
         VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7)",
        params![c.id, c.name, c.definition, c.start_date, c.end_date, c.created_by, c.created_at],
    )?;
    Ok(())
}

/// A campaign's status (None when there is no such campaign).
pub fn status(conn: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT status FROM marketplace_campaigns WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .optional()
}

pub fn set_status(conn: &Connection, id: &str, status: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE marketplace_campaigns SET status = ?2 WHERE id = ?1",
        params![id, status],
    )?;
    Ok(())
}

/// A campaign's (name, definition JSON, status).
pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<(String, String, String)>> {
    conn.cached_row(
        "SELECT name, definition, status FROM marketplace_campaigns WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

/// One variant's figures: (requests, answered with a review, average rating of those
/// reviews, their rewards redeemed).
pub fn arm_figures(
    conn: &Connection,
    campaign: &str,
    variant: &str,
) -> rusqlite::Result<(i64, i64, Option<f64>, i64)> {
    conn.cached_row(
        "SELECT COUNT(*), COALESCE(SUM(rq.status = 'submitted'), 0), AVG(rv.overall_rating),
                COALESCE(SUM(rv.incentive_claimed), 0)
         FROM marketplace_review_requests rq LEFT JOIN marketplace_reviews rv ON rv.booking_id = rq.booking_id
         WHERE rq.campaign_id = ?1 AND rq.variant_id = ?2",
        params![campaign, variant],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
}

/// The (id, definition JSON) of campaigns running at `at`, oldest first.
pub fn active_definitions(conn: &Connection, at: &str) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, definition FROM marketplace_campaigns WHERE status = 'active' AND start_date <= ?1 AND end_date > ?1
         ORDER BY created_at",
    )?;
    let rows = stmt.query_map([at], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}
