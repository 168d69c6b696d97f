//! Reviews' SQL.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use super::window::{limit_offset, Window};
use crate::model::{
    CustomerReview, ModerationQueueItem, ModerationStatus, ProviderResponse, ProviderReview,
    Reviewer,
};

fn json_list(s: Option<String>) -> Vec<String> {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// A stored JSON column as `T` (its default when unreadable).
fn parse<T: serde::de::DeserializeOwned + Default>(s: String) -> T {
    serde_json::from_str(&s).unwrap_or_default()
}

/// Schema step: reviews per customer and per moderation status, kept by triggers
/// in the writing transaction (filled from the existing reviews).
pub const TOTALS_MIGRATION: &str = r#"
CREATE TABLE marketplace_customer_review_counts (
    customer_id TEXT PRIMARY KEY,
    n INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE marketplace_review_status_counts (
    moderation_status TEXT PRIMARY KEY,
    n INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO marketplace_customer_review_counts (customer_id, n)
    SELECT customer_id, COUNT(*) FROM marketplace_reviews GROUP BY customer_id;
INSERT INTO marketplace_review_status_counts (moderation_status, n)
    SELECT moderation_status, COUNT(*) FROM marketplace_reviews GROUP BY moderation_status;
CREATE TRIGGER marketplace_review_totals_insert AFTER INSERT ON marketplace_reviews BEGIN
    INSERT INTO marketplace_customer_review_counts VALUES (NEW.customer_id, 1)
        ON CONFLICT (customer_id) DO UPDATE SET n = n + 1;
    INSERT INTO marketplace_review_status_counts VALUES (NEW.moderation_status, 1)
        ON CONFLICT (moderation_status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER marketplace_review_totals_delete AFTER DELETE ON marketplace_reviews BEGIN
    UPDATE marketplace_customer_review_counts SET n = n - 1 WHERE customer_id = OLD.customer_id;
    UPDATE marketplace_review_status_counts SET n = n - 1 WHERE moderation_status = OLD.moderation_status;
END;
CREATE TRIGGER marketplace_review_totals_update
AFTER UPDATE OF customer_id, moderation_status ON marketplace_reviews BEGIN
    UPDATE marketplace_customer_review_counts SET n = n - 1 WHERE customer_id = OLD.customer_id;
    INSERT INTO marketplace_customer_review_counts VALUES (NEW.customer_id, 1)
        ON CONFLICT (customer_id) DO UPDATE SET n = n + 1;
    UPDATE marketplace_review_status_counts SET n = n - 1 WHERE moderation_status = OLD.moderation_status;
    INSERT INTO marketplace_review_status_counts VALUES (NEW.moderation_status, 1)
        ON CONFLICT (moderation_status) DO UPDATE SET n = n + 1;
END;
"#;

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
    // From the kept counts (a handful of rows), not a count of the reviews.
    let total: i64 = conn.cached_row(
        "SELECT COALESCE(SUM(n), 0) FROM marketplace_review_status_counts
         WHERE ?1 IS NULL OR moderation_status = ?1",
        [status],
        |r| r.get(0),
    )?;
    // The page's ids first (index only), then their rows.
    let ids_sql = match status {
        Some(_) => {
            "SELECT rowid AS rid FROM marketplace_reviews WHERE moderation_status = ?1
                    ORDER BY submitted_at DESC, rowid DESC"
        }
        None => {
            "SELECT rowid AS rid FROM marketplace_reviews WHERE ?1 IS NULL
                 ORDER BY submitted_at DESC, rowid DESC"
        }
    };
    let mut stmt = conn.prepare_cached(&format!(
        "WITH page AS ({ids_sql} {})
         SELECT r.id, r.booking_id, r.provider_id, COALESCE(v.name, ''), r.customer_id, COALESCE(c.name, ''),
                r.overall_rating, r.title, r.comment, r.pros, r.photos, r.response, r.helpful_votes,
                r.not_helpful_votes, r.submitted_at, r.moderation_status, r.flagged, r.moderated_by,
                r.moderated_at, r.moderation_reason
         FROM page JOIN marketplace_reviews r ON r.rowid = page.rid
         LEFT JOIN marketplace_providers v ON v.id = r.provider_id
         LEFT JOIN marketplace_customers c ON c.id = r.customer_id
         ORDER BY r.submitted_at DESC, r.rowid DESC",
        limit_offset(limit, offset)
    ))?;
    let rows = stmt
        .query_map(params![status], |r| {
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

/// Reviews of one provider per rating (1-5), rejected ones left out, optionally within
/// `[since, until]`: one pass over the `(provider_id, overall_rating, ...)` index.
pub fn rating_counts(
    conn: &Connection,
    provider: Option<&str>,
    since: Option<&str>,
    until: Option<&str>,
) -> rusqlite::Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT overall_rating, COUNT(*) FROM marketplace_reviews WHERE (?1 IS NULL OR provider_id = ?1)
           AND moderation_status <> 'rejected' AND (?2 IS NULL OR submitted_at >= ?2) AND (?3 IS NULL OR submitted_at <= ?3)
         GROUP BY overall_rating",
    )?;
    let rows = stmt
        .query_map(params![provider, since, until], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A provider's visible reviews per rating, from the counts the triggers keep.
pub fn provider_rating_counts(
    conn: &Connection,
    provider: &str,
) -> rusqlite::Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT rating, visible FROM marketplace_provider_ratings WHERE provider_id = ?1",
    )?;
    let rows = stmt
        .query_map([provider], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Sets a provider's average rating and count of visible reviews from the kept counts.
pub fn refresh_provider_rating(conn: &Connection, provider: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE marketplace_providers SET
            rating_avg = COALESCE((SELECT CAST(SUM(rating * visible) AS REAL) / NULLIF(SUM(visible), 0)
                                   FROM marketplace_provider_ratings WHERE provider_id = ?1), 0),
            rating_count = COALESCE((SELECT SUM(visible) FROM marketplace_provider_ratings WHERE provider_id = ?1), 0)
         WHERE id = ?1",
        [provider],
    )?;
    Ok(())
}

/// The orders of a provider's review page. Each is exactly the order of one index
/// (its columns, then rowid), so a page is read from the index without sorting; ties
/// within a second end newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewOrder {
    Recent,
    Helpful,
    Highest,
    Lowest,
}

impl ReviewOrder {
    fn sql(self) -> &'static str {
        match self {
            ReviewOrder::Recent => {
                "submitted_at DESC, moderation_status DESC, overall_rating DESC, rowid DESC"
            }
            ReviewOrder::Helpful => {
                "helpful_votes DESC, submitted_at DESC, moderation_status DESC, overall_rating DESC, rowid DESC"
            }
            ReviewOrder::Highest => {
                "overall_rating DESC, submitted_at DESC, moderation_status DESC, rowid DESC"
            }
            ReviewOrder::Lowest => {
                "overall_rating ASC, submitted_at DESC, moderation_status DESC, rowid DESC"
            }
        }
    }
}

/// One page of a provider's visible reviews.
pub struct ProviderReviewQuery<'a> {
    pub provider: &'a str,
    pub min_rating: Option<f64>,
    pub max_rating: Option<f64>,
    pub order: ReviewOrder,
    pub limit: u64,
    pub offset: u64,
    /// Rows matching the filters (from the kept counts).
    pub total: u64,
}

/// The statement that picks the page `w` of a provider's reviews: index only (the
/// rows of the page are read afterwards); a reversed window reads the list from its end.
pub fn provider_page_sql(order: ReviewOrder, w: &Window) -> String {
    format!(
        "SELECT rowid AS rid FROM marketplace_reviews WHERE provider_id = ?1 AND moderation_status <> 'rejected'
           AND (?2 IS NULL OR overall_rating >= ?2) AND (?3 IS NULL OR overall_rating <= ?3)
         ORDER BY {} {}",
        w.order(order.sql()),
        w.limit_offset()
    )
}

/// One page of a provider's visible reviews in `q.order`; `customer.name` is the
/// stored full name (the service decides how it is shown).
pub fn provider_page(
    conn: &Connection,
    q: &ProviderReviewQuery,
) -> rusqlite::Result<Vec<ProviderReview>> {
    let Some(w) = Window::of(q.total, q.limit, q.offset) else {
        return Ok(Vec::new());
    };
    let outer = w
        .order(q.order.sql())
        .replace("submitted_at", "r.submitted_at")
        .replace("rowid", "r.rowid")
        .replace("helpful_votes", "r.helpful_votes")
        .replace("overall_rating", "r.overall_rating")
        .replace("moderation_status", "r.moderation_status");
    let mut stmt = conn.prepare_cached(&format!(
        "WITH page AS ({})
         SELECT r.id, c.name, r.overall_rating, r.category_ratings, r.title, r.comment, r.photos, r.helpful_votes,
                r.not_helpful_votes, r.response, r.responded_at, b.service_type, b.service_date, r.submitted_at, r.pros
         FROM page JOIN marketplace_reviews r ON r.rowid = page.rid
         JOIN marketplace_customers c ON c.id = r.customer_id
         JOIN marketplace_bookings b ON b.id = r.booking_id
         ORDER BY {outer}",
        provider_page_sql(q.order, &w),
    ))?;
    let rows = stmt
        .query_map(params![q.provider, q.min_rating, q.max_rating], |r| {
            let response: Option<String> = r.get(9)?;
            Ok(ProviderReview {
                review_id: r.get(0)?,
                customer: Reviewer {
                    name: r.get(1)?,
                    initials: String::new(),
                },
                overall_rating: r.get(2)?,
                category_ratings: parse(r.get(3)?),
                title: r.get(4)?,
                comment: r.get(5)?,
                pros: parse(r.get(14)?),
                photos: parse(r.get(6)?),
                helpful_votes: r.get(7)?,
                not_helpful_votes: r.get(8)?,
                provider_response: match response {
                    Some(t) => Some(ProviderResponse {
                        response: t,
                        responded_at: r.get(10)?,
                    }),
                    None => None,
                },
                service_type: r.get(11)?,
                service_date: r.get(12)?,
                submitted_at: r.get(13)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(w.finish(rows))
}

/// A provider's name, average rating and visible reviews, with its visible
/// reviews per rating (from the kept counts).
pub struct ProviderSummary {
    pub name: String,
    pub rating_avg: f64,
    pub rating_count: i64,
    /// (rating, visible reviews) pairs.
    pub per_rating: Vec<(i64, i64)>,
}

/// The provider's summary and its kept counts per rating: one statement (the
/// provider by key, its few rating rows by key).
pub fn provider_summary(
    conn: &Connection,
    provider: &str,
) -> rusqlite::Result<Option<ProviderSummary>> {
    let mut st = conn.prepare_cached(
        "SELECT v.name, v.rating_avg, v.rating_count, k.rating, k.visible
         FROM marketplace_providers v LEFT JOIN marketplace_provider_ratings k ON k.provider_id = v.id
         WHERE v.id = ?1",
    )?;
    let mut rows = st.query([provider])?;
    let mut out: Option<ProviderSummary> = None;
    while let Some(r) = rows.next()? {
        let summary = match &mut out {
            Some(s) => s,
            None => out.insert(ProviderSummary {
                name: r.get(0)?,
                rating_avg: r.get(1)?,
                rating_count: r.get(2)?,
                per_rating: Vec::new(),
            }),
        };
        if let (Some(k), Some(n)) = (r.get::<_, Option<i64>>(3)?, r.get::<_, Option<i64>>(4)?) {
            summary.per_rating.push((k, n));
        }
    }
    Ok(out)
}

/// The statement that picks a page of a customer's reviews (index only).
pub fn customer_page_sql(limit: u64, offset: u64) -> String {
    format!(
        "SELECT rowid AS rid FROM marketplace_reviews WHERE customer_id = ?1
     ORDER BY submitted_at DESC, rowid DESC {}",
        limit_offset(limit, offset)
    )
}

/// A customer's reviews, newest first: the total and one page.
pub fn customer_page(
    conn: &Connection,
    customer: &str,
    limit: u64,
    offset: u64,
) -> rusqlite::Result<(u64, Vec<CustomerReview>)> {
    // From the kept count, not a count of the customer's reviews.
    let total: i64 = conn.cached_row(
        "SELECT COALESCE(SUM(n), 0) FROM marketplace_customer_review_counts WHERE customer_id = ?1",
        [customer],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "WITH page AS ({})
         SELECT r.id, v.name, r.overall_rating, r.title, r.comment, r.submitted_at, r.incentive_claimed, r.moderation_status,
                r.booking_id, r.provider_id, r.incentive
         FROM page JOIN marketplace_reviews r ON r.rowid = page.rid
         JOIN marketplace_providers v ON v.id = r.provider_id
         ORDER BY r.submitted_at DESC, r.rowid DESC",
        customer_page_sql(limit, offset)
    ))?;
    let rows = stmt
        .query_map(params![customer], |r| {
            Ok(CustomerReview {
                review_id: r.get(0)?,
                provider_name: r.get(1)?,
                overall_rating: r.get(2)?,
                title: r.get(3)?,
                comment: r.get(4)?,
                submitted_at: r.get(5)?,
                incentive_claimed: r.get(6)?,
                moderation_status: r.get(7)?,
                booking_id: r.get(8)?,
                provider_id: r.get(9)?,
                incentive: r
                    .get::<_, Option<String>>(10)?
                    .and_then(|s| serde_json::from_str(&s).ok()),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((total as u64, rows))
}

/// A new review (JSON fields already encoded).
pub struct NewReview<'a> {
    pub id: &'a str,
    pub booking: &'a str,
    pub provider: &'a str,
    pub customer: &'a str,
    pub request: Option<&'a str>,
    pub overall_rating: i64,
    pub category_ratings: &'a str,
    pub title: Option<&'a str>,
    pub comment: Option<&'a str>,
    pub pros: &'a str,
    pub photos: &'a str,
    pub source: Option<&'a str>,
    pub incentive: &'a str,
    pub incentive_code: &'a str,
    pub at: &'a str,
}

pub fn insert(tx: &Connection, r: &NewReview<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO marketplace_reviews (id, booking_id, provider_id, customer_id, request_id, overall_rating,
            category_ratings, title, comment, pros, photos, source, incentive, incentive_code, submitted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            r.id, r.booking, r.provider, r.customer, r.request, r.overall_rating, r.category_ratings,
            r.title, r.comment, r.pros, r.photos, r.source, r.incentive, r.incentive_code, r.at
        ],
    )?;
    Ok(())
}

/// Marks the reward of review `id` used.
pub fn claim_incentive(tx: &Connection, id: &str) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_reviews SET incentive_claimed = 1 WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

pub fn set_response(tx: &Connection, id: &str, text: &str, at: &str) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_reviews SET response = ?2, responded_at = ?3 WHERE id = ?1",
        params![id, text, at],
    )?;
    Ok(())
}

/// Records `user`'s vote on review `id` (replacing an earlier one) and
/// returns the review's (helpful, not helpful) counts.
pub fn vote(tx: &Connection, id: &str, user: &str, vote: &str) -> rusqlite::Result<(i64, i64)> {
    tx.execute(
        "INSERT INTO marketplace_review_votes (review_id, user_id, vote) VALUES (?1, ?2, ?3)
         ON CONFLICT(review_id, user_id) DO UPDATE SET vote = excluded.vote",
        params![id, user, vote],
    )?;
    tx.execute(
        "UPDATE marketplace_reviews SET
            helpful_votes = (SELECT COUNT(*) FROM marketplace_review_votes WHERE review_id = ?1 AND vote = 'helpful'),
            not_helpful_votes = (SELECT COUNT(*) FROM marketplace_review_votes WHERE review_id = ?1 AND vote = 'not_helpful')
         WHERE id = ?1",
        [id],
    )?;
    tx.cached_row(
        "SELECT helpful_votes, not_helpful_votes FROM marketplace_reviews WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

pub fn moderate(
    tx: &Connection,
    id: &str,
    status: &str,
    flagged: bool,
    by: &str,
    at: &str,
    reason: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_reviews SET moderation_status = ?2, flagged = ?3, moderated_by = ?4, moderated_at = ?5,
            moderation_reason = ?6 WHERE id = ?1",
        params![id, status, flagged, by, at, reason],
    )?;
    Ok(())
}

/// The provider a review is about.
pub fn review_provider(conn: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT provider_id FROM marketplace_reviews WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .optional()
}

/// The customer who wrote a review.
pub fn review_customer(conn: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT customer_id FROM marketplace_reviews WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .optional()
}

/// A review's moderation status.
pub fn moderation_status_of(conn: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT moderation_status FROM marketplace_reviews WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .optional()
}

/// The review of a booking, if any.
pub fn review_of_booking(conn: &Connection, booking: &str) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT id FROM marketplace_reviews WHERE booking_id = ?1",
        [booking],
        |x| x.get(0),
    )
    .optional()
}

/// The review with reward code `code`: (id, reward JSON, claimed, customer).
pub type Reward = (String, String, i64, String);

/// See [`Reward`].
pub fn incentive_by_code(conn: &Connection, code: &str) -> rusqlite::Result<Option<Reward>> {
    conn.cached_row(
        "SELECT id, COALESCE(incentive, '{}'), incentive_claimed, customer_id FROM marketplace_reviews WHERE incentive_code = ?1",
        [code],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()
}
