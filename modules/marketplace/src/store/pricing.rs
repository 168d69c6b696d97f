//! Pricing's SQL.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use super::window::{limit_offset, Window};

/// A stored pricing configuration: (id, provider, config JSON, active, version,
/// current price, created at, updated at).
pub struct PricingRow {
    pub id: String,
    pub provider_id: String,
    pub config: String,
    pub is_active: bool,
    pub version: i64,
    pub current_price: f64,
    pub created_at: String,
    pub updated_at: String,
}

/// The filters of a provider's pricing list.
pub struct PricingListQuery<'a> {
    pub provider: &'a str,
    pub is_active: Option<bool>,
    pub category: Option<&'a str>,
    pub pricing_type: Option<&'a str>,
    pub limit: u64,
    pub offset: u64,
}

const PRICING_FILTER: &str = "provider_id = ?1 AND (?2 IS NULL OR is_active = ?2)
    AND (?3 IS NULL OR category_id = ?3) AND (?4 IS NULL OR pricing_type = ?4)";

const PRICING_ORDER: &str = "created_at, is_active, category_id, pricing_type, rowid";

/// The statement that picks the page `w` of a provider's pricing, oldest first (index
/// only; the order is the index's, so nothing is sorted); a reversed window reads from
/// the end.
pub fn pricing_page_sql(w: &Window) -> String {
    format!(
        "SELECT rowid AS rid FROM marketplace_pricing WHERE {PRICING_FILTER}
         ORDER BY {} {}",
        w.order(PRICING_ORDER),
        w.limit_offset()
    )
}

/// The statement that counts a provider's pricing: a sum over the counts the triggers
/// keep per category, type and state (a few rows, whatever the number of configurations).
pub fn pricing_count_sql() -> String {
    "SELECT COALESCE(SUM(n), 0) FROM marketplace_pricing_counts WHERE provider_id = ?1
       AND (?2 IS NULL OR is_active = ?2) AND (?3 IS NULL OR category_id = ?3) AND (?4 IS NULL OR pricing_type = ?4)"
        .to_string()
}

/// Whether the provider exists.
pub fn provider_exists(conn: &Connection, provider: &str) -> rusqlite::Result<bool> {
    conn.cached_row(
        "SELECT EXISTS(SELECT 1 FROM marketplace_providers WHERE id = ?1)",
        [provider],
        |r| r.get(0),
    )
}

/// A provider's pricing configurations: the total and one page, oldest first.
pub fn pricing_page(
    conn: &Connection,
    q: &PricingListQuery,
) -> rusqlite::Result<(u64, Vec<PricingRow>)> {
    let total: i64 = conn.cached_row(
        &pricing_count_sql(),
        params![q.provider, q.is_active, q.category, q.pricing_type],
        |r| r.get(0),
    )?;
    let Some(w) = Window::of(total as u64, q.limit, q.offset) else {
        return Ok((total as u64, Vec::new()));
    };
    let outer = w
        .order(PRICING_ORDER)
        .split(", ")
        .map(|t| format!("p.{t}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn.prepare_cached(&format!(
        "WITH page AS ({})
         SELECT p.id, p.provider_id, p.config, p.is_active, p.version, p.current_price, p.created_at, p.updated_at
         FROM page JOIN marketplace_pricing p ON p.rowid = page.rid ORDER BY {outer}",
        pricing_page_sql(&w)
    ))?;
    let rows = stmt
        .query_map(
            params![q.provider, q.is_active, q.category, q.pricing_type],
            |r| {
                Ok(PricingRow {
                    id: r.get(0)?,
                    provider_id: r.get(1)?,
                    config: r.get(2)?,
                    is_active: r.get(3)?,
                    version: r.get(4)?,
                    current_price: r.get(5)?,
                    created_at: r.get(6)?,
                    updated_at: r.get(7)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((total as u64, w.finish(rows)))
}

/// The filters of a provider's pricing history.
pub struct HistoryQuery<'a> {
    pub provider: &'a str,
    pub pricing_id: Option<&'a str>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub change_type: Option<&'a str>,
    pub limit: u64,
    pub offset: u64,
}

const HISTORY_FILTER: &str = "provider_id = ?1 AND (?2 IS NULL OR pricing_id = ?2)
    AND (?3 IS NULL OR changed_at >= ?3) AND (?4 IS NULL OR changed_at <= ?4)
    AND (?5 IS NULL OR change_type = ?5)";

/// The statement that picks a page of a provider's pricing history, newest first (index only).
pub fn history_page_sql(limit: u64, offset: u64) -> String {
    format!(
        "SELECT rowid AS rid FROM marketplace_pricing_history WHERE {HISTORY_FILTER}
         ORDER BY changed_at DESC, pricing_id DESC, change_type DESC, rowid DESC {}",
        limit_offset(limit, offset)
    )
}

/// The statement that counts a provider's pricing history (index only).
pub fn history_count_sql() -> String {
    format!("SELECT COUNT(*) FROM marketplace_pricing_history WHERE {HISTORY_FILTER}")
}

/// A stored history entry: (id, pricing, change type, previous JSON, new JSON,
/// changed fields JSON, reason, changed by, changed at).
pub struct HistoryRow {
    pub id: String,
    pub pricing_id: String,
    pub change_type: String,
    pub previous_state: String,
    pub new_state: String,
    pub changed_fields: String,
    pub reason: Option<String>,
    pub changed_by: String,
    pub changed_at: String,
}

/// A provider's pricing history: the total and one page, newest first.
pub fn history_page(
    conn: &Connection,
    q: &HistoryQuery,
) -> rusqlite::Result<(u64, Vec<HistoryRow>)> {
    let total: i64 = conn.cached_row(
        &history_count_sql(),
        params![q.provider, q.pricing_id, q.start, q.end, q.change_type],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "WITH page AS ({})
         SELECT h.id, h.pricing_id, h.change_type, h.previous_state, h.new_state, h.changed_fields, h.reason,
                h.changed_by, h.changed_at
         FROM page JOIN marketplace_pricing_history h ON h.rowid = page.rid
         ORDER BY h.changed_at DESC, h.pricing_id DESC, h.change_type DESC, h.rowid DESC",
        history_page_sql(q.limit, q.offset)
    ))?;
    let rows = stmt
        .query_map(
            params![q.provider, q.pricing_id, q.start, q.end, q.change_type],
            |r| {
                Ok(HistoryRow {
                    id: r.get(0)?,
                    pricing_id: r.get(1)?,
                    change_type: r.get(2)?,
                    previous_state: r.get(3)?,
                    new_state: r.get(4)?,
                    changed_fields: r.get(5)?,
                    reason: r.get(6)?,
                    changed_by: r.get(7)?,
                    changed_at: r.get(8)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((total as u64, rows))
}

/// A new pricing configuration (its configuration JSON encoded).
pub struct NewPricing<'a> {
    pub id: &'a str,
    pub provider: &'a str,
    pub category: Option<&'a str>,
    pub service_key: &'a str,
    pub service_name: &'a str,
    pub pricing_type: &'a str,
    pub current_price: f64,
    pub currency: Option<&'a str>,
    pub config: &'a str,
    pub is_active: bool,
    pub at: &'a str,
}

pub fn insert(tx: &Connection, p: &NewPricing<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO marketplace_pricing (id, provider_id, category_id, service_key, service_name, pricing_type,
            current_price, currency, config, is_active, version, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, ?11)",
        params![
            p.id, p.provider, p.category, p.service_key, p.service_name, p.pricing_type, p.current_price,
            p.currency, p.config, p.is_active, p.at
        ],
    )?;
    Ok(())
}

/// A configuration's new state (`version` already counted).
pub struct PricingChange<'a> {
    pub category: Option<&'a str>,
    pub service_key: &'a str,
    pub service_name: &'a str,
    pub pricing_type: &'a str,
    pub current_price: f64,
    pub currency: Option<&'a str>,
    pub config: &'a str,
    pub is_active: bool,
    pub version: i64,
    pub at: &'a str,
}

pub fn update(tx: &Connection, id: &str, p: &PricingChange<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_pricing SET category_id = ?2, service_key = ?3, service_name = ?4, pricing_type = ?5,
            current_price = ?6, currency = ?7, config = ?8, is_active = ?9, version = ?10, updated_at = ?11
         WHERE id = ?1",
        params![id, p.category, p.service_key, p.service_name, p.pricing_type, p.current_price, p.currency,
            p.config, p.is_active, p.version, p.at],
    )?;
    Ok(())
}

/// One entry of a configuration's history (states and changes JSON-encoded).
pub struct NewHistory<'a> {
    pub id: &'a str,
    pub pricing: &'a str,
    pub provider: &'a str,
    pub change: &'a str,
    pub previous: &'a str,
    pub new: &'a str,
    pub changed_fields: &'a str,
    pub reason: Option<&'a str>,
    pub by: &'a str,
    pub at: &'a str,
}

pub fn insert_history(tx: &Connection, h: &NewHistory<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO marketplace_pricing_history (id, pricing_id, provider_id, change_type, previous_state,
            new_state, changed_fields, reason, changed_by, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![h.id, h.pricing, h.provider, h.change, h.previous, h.new, h.changed_fields, h.reason, h.by, h.at],
    )?;
    Ok(())
}

/// A configuration's (provider, service name, current price, active) for a booking.
pub fn booking_terms(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<(String, String, f64, bool)>> {
    conn.cached_row(
        "SELECT provider_id, service_name, current_price, is_active FROM marketplace_pricing WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()
}

/// A configuration's (provider, config JSON, current price, version, active) before an update.
pub type PricingState = (String, String, f64, i64, bool);

/// See [`PricingState`].
pub fn for_update(conn: &Connection, id: &str) -> rusqlite::Result<Option<PricingState>> {
    conn.cached_row(
        "SELECT provider_id, config, current_price, version, is_active FROM marketplace_pricing WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )
    .optional()
}

/// A configuration's (provider, config JSON, active) for an estimate.
pub fn for_estimate(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<(String, String, bool)>> {
    conn.cached_row(
        "SELECT provider_id, config, is_active FROM marketplace_pricing WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

/// Another configuration (not `except`) of `provider` with service key `key`.
pub fn by_service_key(
    conn: &Connection,
    provider: &str,
    key: &str,
    except: &str,
) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT id FROM marketplace_pricing WHERE provider_id = ?1 AND service_key = ?2 AND id <> ?3",
        params![provider, key, except],
        |r| r.get(0),
    )
    .optional()
}

/// An active price of a category with its provider: (price, latitude,
/// longitude, rating average, rating count, pricing type, currency, completed bookings).
pub type MarketRow = (f64, Option<f64>, Option<f64>, f64, i64, String, String, i64);

/// Every active price of `category` (market suggestions).
pub fn market_rows(conn: &Connection, category: &str) -> rusqlite::Result<Vec<MarketRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.current_price, v.lat, v.lng, v.rating_avg, v.rating_count, p.pricing_type, p.currency,
                (SELECT COUNT(*) FROM marketplace_bookings b WHERE b.provider_id = v.id AND b.status = 'completed')
         FROM marketplace_pricing p
         JOIN marketplace_providers v ON v.id = p.provider_id
         WHERE p.category_id = ?1 AND p.is_active = 1",
    )?;
    let rows: Vec<MarketRow> = stmt
        .query_map([category], |r| {
            Ok((
                r.get::<_, f64>(0)?,
                r.get::<_, Option<f64>>(1)?,
                r.get::<_, Option<f64>>(2)?,
                r.get::<_, f64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
