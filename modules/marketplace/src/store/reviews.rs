//! Reviews' SQL.

use rusqlite::{params, Connection};

use crate::model::{ModerationQueueItem, ModerationStatus};

fn json_list(s: Option<String>) -> Vec<String> {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// Reviews in moderation status `status` (every status when None), newest first
/// (submission second, then insertion order): the total and one page. Both read the
/// `(moderation_status, submitted_at)` or `(submitted_at)` index (rowid is its last column).
pub fn moderation_queue(
    conn: &Connection,
    status: Option<ModerationStatus>,
    limit: u64,
    offset: u64,
) -> rusqlite::Result<(u64, Vec<ModerationQueueItem>)> {
    let status = status.map(|s| s.as_str());
    let total: i64 = match status {
        Some(s) => conn.query_row(
            "SELECT COUNT(*) FROM marketplace_reviews WHERE moderation_status = ?1",
            [s],
            |r| r.get(0),
        )?,
        None => conn.query_row("SELECT COUNT(*) FROM marketplace_reviews", [], |r| r.get(0))?,
    };
    // The page's ids first (index only), then their rows.
    let ids_sql = match status {
        Some(_) => {
            "SELECT rowid AS rid FROM marketplace_reviews WHERE moderation_status = ?1
                    ORDER BY submitted_at DESC, rowid DESC LIMIT ?2 OFFSET ?3"
        }
        None => {
            "SELECT rowid AS rid FROM marketplace_reviews WHERE ?1 IS NULL
                 ORDER BY submitted_at DESC, rowid DESC LIMIT ?2 OFFSET ?3"
        }
    };
    let mut stmt = conn.prepare(&format!(
        "WITH page AS ({ids_sql})
         SELECT r.id, r.booking_id, r.provider_id, COALESCE(v.name, ''), r.customer_id, COALESCE(c.name, ''),
                r.overall_rating, r.title, r.comment, r.pros, r.photos, r.response, r.helpful_votes,
                r.not_helpful_votes, r.submitted_at, r.moderation_status, r.flagged, r.moderated_by,
                r.moderated_at, r.moderation_reason
         FROM page JOIN marketplace_reviews r ON r.rowid = page.rid
         LEFT JOIN marketplace_providers v ON v.id = r.provider_id
         LEFT JOIN marketplace_customers c ON c.id = r.customer_id
         ORDER BY r.submitted_at DESC, r.rowid DESC"
    ))?;
    let rows = stmt
        .query_map(params![status, limit as i64, offset as i64], |r| {
            Ok(ModerationQueueItem {
                review_id: r.get(0)?,
                booking_id: r.get(1)?,
                provider_id: r.get(2)?,
                provider_name: r.get(3)?,
                customer_id: r.get(4)?,
                customer_name: r.get(5)?,
                overall_rating: r.get(6)?,
                title: r.get(7)?,
                comment: r.get(8)?,
                pros: json_list(r.get(9)?),
                photos: json_list(r.get(10)?),
                provider_response: r.get(11)?,
                helpful_votes: r.get(12)?,
                not_helpful_votes: r.get(13)?,
                submitted_at: r.get(14)?,
                moderation_status: r.get(15)?,
                flagged: r.get(16)?,
                moderated_by: r.get(17)?,
                moderated_at: r.get(18)?,
                moderation_reason: r.get(19)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((total as u64, rows))
}
