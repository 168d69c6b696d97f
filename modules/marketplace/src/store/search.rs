//! Provider search's SQL: the offers near a place (an R*Tree of each
//! provider's active prices per category, kept by triggers), a provider's
//! matching prices and its card.

use rusqlite::{params, Connection, OptionalExtension};

/// Trigger body: the offer `NEW` in the R*Tree at its provider's place (none
/// while the provider has no place).
macro_rules! place_offer {
    () => {
        "    INSERT INTO marketplace_offers_geo
        SELECT NEW.id, k.code, k.code, v.lat, v.lat, v.lng, v.lng, NEW.min_price, NEW.max_price
        FROM marketplace_search_categories k, marketplace_providers v
        WHERE k.category_id = NEW.category_id AND v.id = NEW.provider_id
          AND v.lat IS NOT NULL AND v.lng IS NOT NULL;
"
    };
}

/// Trigger body: the offer of `$row`'s provider and category made true again:
/// gone without an active price, else its cheapest and dearest active price
/// (two seeks of `marketplace_pricing_by_provider`).
macro_rules! refresh_offer {
    ($row:literal) => {
        concat!(
            "    DELETE FROM marketplace_offers WHERE provider_id = ",
            $row,
            ".provider_id
        AND category_id = ",
            $row,
            ".category_id AND NOT EXISTS (
            SELECT 1 FROM marketplace_pricing WHERE provider_id = ",
            $row,
            ".provider_id
              AND category_id = ",
            $row,
            ".category_id AND is_active = 1);
    INSERT OR IGNORE INTO marketplace_search_categories (category_id)
        SELECT ",
            $row,
            ".category_id WHERE ",
            $row,
            ".category_id IS NOT NULL;
    INSERT INTO marketplace_offers (provider_id, category_id, min_price, max_price)
        SELECT ",
            $row,
            ".provider_id, ",
            $row,
            ".category_id, lo, hi FROM (SELECT
            (SELECT MIN(current_price) FROM marketplace_pricing WHERE provider_id = ",
            $row,
            ".provider_id
               AND category_id = ",
            $row,
            ".category_id AND is_active = 1) AS lo,
            (SELECT MAX(current_price) FROM marketplace_pricing WHERE provider_id = ",
            $row,
            ".provider_id
               AND category_id = ",
            $row,
            ".category_id AND is_active = 1) AS hi)
        WHERE lo IS NOT NULL
        ON CONFLICT (provider_id, category_id) DO UPDATE SET
            min_price = excluded.min_price, max_price = excluded.max_price
        WHERE min_price <> excluded.min_price OR max_price <> excluded.max_price;
"
        )
    };
}

/// Schema step: one offer per provider and category with an active price (its
/// cheapest and dearest), and an R*Tree of the offers by category code, place
/// and price range, so "providers of this category near here" reads the offers
/// in the box and no other provider. Triggers on prices, providers and offers
/// keep both in step in the writing transaction; existing rows are filled in.
pub const NEARBY_MIGRATION: &str = concat!(
    r#"
CREATE TABLE marketplace_search_categories (
    code INTEGER PRIMARY KEY,
    category_id TEXT NOT NULL UNIQUE
);
CREATE TABLE marketplace_offers (
    id INTEGER PRIMARY KEY,
    provider_id TEXT NOT NULL,
    category_id TEXT NOT NULL,
    min_price REAL NOT NULL,
    max_price REAL NOT NULL,
    UNIQUE (provider_id, category_id)
);
CREATE VIRTUAL TABLE marketplace_offers_geo USING rtree(
    id, min_code, max_code, min_lat, max_lat, min_lng, max_lng, min_price, max_price
);
CREATE TRIGGER marketplace_offers_placed AFTER INSERT ON marketplace_offers BEGIN
"#,
    place_offer!(),
    r#"
END;
CREATE TRIGGER marketplace_offers_replaced AFTER UPDATE ON marketplace_offers BEGIN
    DELETE FROM marketplace_offers_geo WHERE id = OLD.id;
"#,
    place_offer!(),
    r#"
END;
CREATE TRIGGER marketplace_offers_removed AFTER DELETE ON marketplace_offers BEGIN
    DELETE FROM marketplace_offers_geo WHERE id = OLD.id;
END;
CREATE TRIGGER marketplace_offers_price_added AFTER INSERT ON marketplace_pricing BEGIN
"#,
    refresh_offer!("NEW"),
    r#"
END;
CREATE TRIGGER marketplace_offers_price_removed AFTER DELETE ON marketplace_pricing BEGIN
"#,
    refresh_offer!("OLD"),
    r#"
END;
CREATE TRIGGER marketplace_offers_price_changed
AFTER UPDATE OF provider_id, category_id, is_active, current_price ON marketplace_pricing BEGIN
"#,
    refresh_offer!("OLD"),
    refresh_offer!("NEW"),
    r#"
END;
-- A provider that moves: its offers are placed again (the update fires the
-- offers' trigger, which reads the new place).
CREATE TRIGGER marketplace_offers_provider_moved AFTER UPDATE OF lat, lng ON marketplace_providers
WHEN NEW.lat IS NOT OLD.lat OR NEW.lng IS NOT OLD.lng BEGIN
    UPDATE marketplace_offers SET min_price = min_price WHERE provider_id = NEW.id;
END;
CREATE TRIGGER marketplace_offers_provider_removed AFTER DELETE ON marketplace_providers BEGIN
    DELETE FROM marketplace_offers WHERE provider_id = OLD.id;
END;
INSERT OR IGNORE INTO marketplace_search_categories (category_id)
    SELECT DISTINCT category_id FROM marketplace_pricing WHERE category_id IS NOT NULL;
INSERT INTO marketplace_offers (provider_id, category_id, min_price, max_price)
    SELECT provider_id, category_id, MIN(current_price), MAX(current_price) FROM marketplace_pricing
    WHERE category_id IS NOT NULL AND is_active = 1 GROUP BY provider_id, category_id;
"#
);

/// Trigger body: the offer `NEW` in the R*Tree at its provider's place, with
/// what a search sorts and counts by (provider, exact place, exact prices,
/// rating) as auxiliary columns, so a search reads the R*Tree alone.
macro_rules! place_offer_aux {
    () => {
        "    INSERT INTO marketplace_offers_geo
        SELECT NEW.id, k.code, k.code, v.lat, v.lat, v.lng, v.lng, NEW.min_price, NEW.max_price,
               NEW.provider_id, v.lat, v.lng, NEW.min_price, NEW.max_price, v.rating_avg, v.rating_count
        FROM marketplace_search_categories k, marketplace_providers v
        WHERE k.category_id = NEW.category_id AND v.id = NEW.provider_id
          AND v.lat IS NOT NULL AND v.lng IS NOT NULL;
"
    };
}

/// Schema step: the offers' R*Tree carries each offer's provider, exact place,
/// exact cheapest and dearest price and the provider's rating (auxiliary
/// columns), so "providers nearby" counts and orders the offers in the box
/// without reading the offers, providers or prices tables, and reads those
/// only for the page. A provider whose rating changes has its offers placed
/// again, like one that moves.
pub const NEARBY_AUX_MIGRATION: &str = concat!(
    r#"
DROP TRIGGER marketplace_offers_placed;
DROP TRIGGER marketplace_offers_replaced;
DROP TRIGGER marketplace_offers_removed;
DROP TRIGGER marketplace_offers_provider_moved;
DROP TABLE marketplace_offers_geo;
CREATE VIRTUAL TABLE marketplace_offers_geo USING rtree(
    id, min_code, max_code, min_lat, max_lat, min_lng, max_lng, min_price, max_price,
    +provider_id, +lat, +lng, +lo, +hi, +rating_avg, +rating_count
);
CREATE TRIGGER marketplace_offers_placed AFTER INSERT ON marketplace_offers BEGIN
"#,
    place_offer_aux!(),
    r#"
END;
CREATE TRIGGER marketplace_offers_replaced AFTER UPDATE ON marketplace_offers BEGIN
    DELETE FROM marketplace_offers_geo WHERE id = OLD.id;
"#,
    place_offer_aux!(),
    r#"
END;
CREATE TRIGGER marketplace_offers_removed AFTER DELETE ON marketplace_offers BEGIN
    DELETE FROM marketplace_offers_geo WHERE id = OLD.id;
END;
CREATE TRIGGER marketplace_offers_provider_moved
AFTER UPDATE OF lat, lng, rating_avg, rating_count ON marketplace_providers
WHEN NEW.lat IS NOT OLD.lat OR NEW.lng IS NOT OLD.lng
  OR NEW.rating_avg IS NOT OLD.rating_avg OR NEW.rating_count IS NOT OLD.rating_count BEGIN
    UPDATE marketplace_offers SET min_price = min_price WHERE provider_id = NEW.id;
END;
INSERT INTO marketplace_offers_geo
    SELECT o.id, k.code, k.code, v.lat, v.lat, v.lng, v.lng, o.min_price, o.max_price,
           o.provider_id, v.lat, v.lng, o.min_price, o.max_price, v.rating_avg, v.rating_count
    FROM marketplace_offers o
    JOIN marketplace_search_categories k ON k.category_id = o.category_id
    JOIN marketplace_providers v ON v.id = o.provider_id
    WHERE v.lat IS NOT NULL AND v.lng IS NOT NULL;
"#
);

/// Schema step: "providers nearby" counted by grid cells. Each placed offer
/// is a row of `marketplace_offers_near` (category code, its place's cell, exact
/// place, provider), indexed by (code, cell): the cell is the Z-order (Morton)
/// key of the place on a grid of 1/256 degree, so a cell of any coarser level
/// is one range of keys. `marketplace_offer_cells` counts the offers of each
/// category in each cell of levels 0 (1/256 degree) to 12 (16 degrees, each
/// level twice the last); a level-`l` cell's key is the fine key `>> 2l`.
/// Triggers keep both in step with the offers (and their providers' places)
/// in the writing transaction; existing offers are filled in. A search sums
/// the cells wholly inside its circle and reads the offers of the cells on its
/// edge only (see `service::pricing::nearest`).
pub const NEAR_CELLS_MIGRATION: &str = r#"
CREATE VIEW marketplace_offer_places AS
SELECT id, code, lat, lng, provider_id,
    (((a & 1) | ((a & 2) << 1) | ((a & 4) << 2) | ((a & 8) << 3) | ((a & 16) << 4) | ((a & 32) << 5)
      | ((a & 64) << 6) | ((a & 128) << 7) | ((a & 256) << 8) | ((a & 512) << 9) | ((a & 1024) << 10)
      | ((a & 2048) << 11) | ((a & 4096) << 12) | ((a & 8192) << 13) | ((a & 16384) << 14)
      | ((a & 32768) << 15) | ((a & 65536) << 16)) << 1)
    | ((b & 1) | ((b & 2) << 1) | ((b & 4) << 2) | ((b & 8) << 3) | ((b & 16) << 4) | ((b & 32) << 5)
      | ((b & 64) << 6) | ((b & 128) << 7) | ((b & 256) << 8) | ((b & 512) << 9) | ((b & 1024) << 10)
      | ((b & 2048) << 11) | ((b & 4096) << 12) | ((b & 8192) << 13) | ((b & 16384) << 14)
      | ((b & 32768) << 15) | ((b & 65536) << 16)) AS cell
FROM (
    SELECT o.id AS id, k.code AS code, v.lat AS lat, v.lng AS lng, o.provider_id AS provider_id,
           min(max(CAST((v.lat + 90.0) * 256 AS INTEGER), 0), 46079) AS a,
           min(max(CAST((v.lng + 180.0) * 256 AS INTEGER), 0), 92159) AS b
    FROM marketplace_offers o
    JOIN marketplace_search_categories k ON k.category_id = o.category_id
    JOIN marketplace_providers v ON v.id = o.provider_id
    WHERE v.lat IS NOT NULL AND v.lng IS NOT NULL
);
CREATE TABLE marketplace_offers_near (
    id INTEGER PRIMARY KEY,
    code INTEGER NOT NULL,
    cell INTEGER NOT NULL,
    lat REAL NOT NULL,
    lng REAL NOT NULL,
    provider_id TEXT NOT NULL
);
CREATE INDEX marketplace_offers_near_by_cell
    ON marketplace_offers_near (code, cell, lat, lng, provider_id);
CREATE TABLE marketplace_offer_cells (
    code INTEGER NOT NULL,
    level INTEGER NOT NULL,
    cell INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (code, level, cell)
) WITHOUT ROWID;
INSERT INTO marketplace_offers_near (id, code, cell, lat, lng, provider_id)
    SELECT id, code, cell, lat, lng, provider_id FROM marketplace_offer_places;
INSERT INTO marketplace_offer_cells (code, level, cell, n)
    SELECT code, l.column1, cell >> (2 * l.column1), COUNT(*)
    FROM marketplace_offers_near, (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)) l
    GROUP BY 1, 2, 3;
CREATE TRIGGER marketplace_offers_near_counted AFTER INSERT ON marketplace_offers_near BEGIN
    INSERT INTO marketplace_offer_cells (code, level, cell, n)
        SELECT NEW.code, column1, NEW.cell >> (2 * column1), 1
        FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)) WHERE true
        ON CONFLICT (code, level, cell) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER marketplace_offers_near_uncounted AFTER DELETE ON marketplace_offers_near BEGIN
    UPDATE marketplace_offer_cells SET n = n - 1
        WHERE code = OLD.code AND (level, cell) IN (SELECT column1, OLD.cell >> (2 * column1)
            FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)));
    DELETE FROM marketplace_offer_cells
        WHERE code = OLD.code AND n <= 0 AND (level, cell) IN (SELECT column1, OLD.cell >> (2 * column1)
            FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)));
END;
CREATE TRIGGER marketplace_offers_near_placed AFTER INSERT ON marketplace_offers BEGIN
    INSERT INTO marketplace_offers_near (id, code, cell, lat, lng, provider_id)
        SELECT id, code, cell, lat, lng, provider_id FROM marketplace_offer_places WHERE id = NEW.id;
END;
CREATE TRIGGER marketplace_offers_near_replaced AFTER UPDATE ON marketplace_offers BEGIN
    DELETE FROM marketplace_offers_near WHERE id = OLD.id AND NOT EXISTS (
        SELECT 1 FROM marketplace_offer_places p WHERE p.id = NEW.id
           AND p.code = marketplace_offers_near.code AND p.cell = marketplace_offers_near.cell
           AND p.lat = marketplace_offers_near.lat AND p.lng = marketplace_offers_near.lng
           AND p.provider_id = marketplace_offers_near.provider_id);
    INSERT INTO marketplace_offers_near (id, code, cell, lat, lng, provider_id)
        SELECT id, code, cell, lat, lng, provider_id FROM marketplace_offer_places
        WHERE id = NEW.id AND NOT EXISTS (SELECT 1 FROM marketplace_offers_near WHERE id = NEW.id);
END;
CREATE TRIGGER marketplace_offers_near_removed AFTER DELETE ON marketplace_offers BEGIN
    DELETE FROM marketplace_offers_near WHERE id = OLD.id;
END;
"#;

/// An offer in the box, as the R*Tree holds it: the provider, its exact place,
/// the offer's exact cheapest and dearest active price, and the provider's rating.
pub struct Candidate {
    pub provider_id: String,
    pub lat: f64,
    pub lng: f64,
    pub min_price: f64,
    pub max_price: f64,
    pub rating_avg: f64,
    pub rating_count: i64,
}

/// Where to look: the category, the latitude range, the longitude ranges (two
/// when the box crosses the 180° meridian) and the price range the offer's
/// cheapest..dearest must overlap.
pub struct NearbyQuery<'a> {
    pub category: &'a str,
    pub min_lat: f64,
    pub max_lat: f64,
    /// Longitude ranges (west, east) read from the R*Tree.
    pub lng_ranges: &'a [(f64, f64)],
    pub min_price: Option<f64>,
    pub max_price: Option<f64>,
}

/// The offers of `q.category` in the box whose price range overlaps the
/// filter's: the R*Tree alone (its entries and their auxiliary columns), no
/// other table. The R*Tree's float bounds are widened outwards, so this is a
/// superset of the offers whose exact place is in the box; several ranges may
/// name one offer twice.
pub fn nearby(conn: &Connection, q: &NearbyQuery<'_>) -> rusqlite::Result<Vec<Candidate>> {
    let Some(code) = category_code(conn, q.category)? else {
        return Ok(Vec::new());
    };
    let mut st = conn.prepare_cached(
        "SELECT provider_id, lat, lng, lo, hi, rating_avg, rating_count FROM marketplace_offers_geo
         WHERE min_code <= ?1 AND max_code >= ?1 AND max_lat >= ?2 AND min_lat <= ?3
           AND max_lng >= ?4 AND min_lng <= ?5 AND max_price >= ?6 AND min_price <= ?7",
    )?;
    // No bound: beyond any price (finite, so the statement prints as SQL).
    let (lo, hi) = (q.min_price.unwrap_or(-1e300), q.max_price.unwrap_or(1e300));
    let mut out = Vec::new();
    for &(west, east) in q.lng_ranges {
        let rows = st.query_map(
            params![code, q.min_lat, q.max_lat, west, east, lo, hi],
            candidate,
        )?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

/// The offers `ids` with their provider, exact place, exact prices and the
/// provider's rating (offer id, offer), from the offers and providers tables by
/// key: one statement for them all. These are the values the R*Tree's auxiliary
/// columns copy (its triggers keep them in step); reading them there would
/// prepare the R*Tree's own auxiliary-row statement on every read, and one read
/// per offer was a fifth of a page's time in the release profile.
pub fn offers(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<(i64, Candidate)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(ids)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let mut st = conn.prepare_cached(
        "SELECT o.id, o.provider_id, v.lat, v.lng, o.min_price, o.max_price, v.rating_avg, v.rating_count
         FROM marketplace_offers o JOIN marketplace_providers v ON v.id = o.provider_id
         WHERE o.id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = st.query_map([list], |r| {
        Ok((
            r.get(0)?,
            Candidate {
                provider_id: r.get(1)?,
                lat: r.get(2)?,
                lng: r.get(3)?,
                min_price: r.get(4)?,
                max_price: r.get(5)?,
                rating_avg: r.get(6)?,
                rating_count: r.get(7)?,
            },
        ))
    })?;
    rows.collect()
}

fn candidate(r: &rusqlite::Row<'_>) -> rusqlite::Result<Candidate> {
    Ok(Candidate {
        provider_id: r.get(0)?,
        lat: r.get(1)?,
        lng: r.get(2)?,
        min_price: r.get(3)?,
        max_price: r.get(4)?,
        rating_avg: r.get(5)?,
        rating_count: r.get(6)?,
    })
}

/// The R*Tree's code of a category, if it has offers.
fn category_code(conn: &Connection, category: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT code FROM marketplace_search_categories WHERE category_id = ?1")?
        .query_row([category], |r| r.get(0))
        .optional()
}

/// The cheapest and dearest of a provider's active prices of `category` within
/// `[lo, hi]`, or `None` when it has none there (two seeks of its index).
pub fn matching_range(
    conn: &Connection,
    provider: &str,
    category: &str,
    lo: f64,
    hi: f64,
) -> rusqlite::Result<Option<(f64, f64)>> {
    conn.prepare_cached(
        "SELECT (SELECT MIN(current_price) FROM marketplace_pricing INDEXED BY marketplace_pricing_by_provider
                 WHERE provider_id = ?1 AND category_id = ?2 AND is_active = 1
                   AND current_price >= ?3 AND current_price <= ?4),
                (SELECT MAX(current_price) FROM marketplace_pricing INDEXED BY marketplace_pricing_by_provider
                 WHERE provider_id = ?1 AND category_id = ?2 AND is_active = 1
                   AND current_price >= ?3 AND current_price <= ?4)",
    )?
    .query_row(params![provider, category, lo, hi], |r| {
        Ok(match (r.get::<_, Option<f64>>(0)?, r.get::<_, Option<f64>>(1)?) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        })
    })
}

/// One of a provider's prices shown in a search: (id, service name, type,
/// current price, currency, configuration JSON).
pub struct SearchPriceRow {
    pub id: String,
    pub service_name: String,
    pub pricing_type: String,
    pub current_price: f64,
    pub currency: String,
    pub config: String,
}

/// `ids` as a JSON array, for `IN (SELECT value FROM json_each(?))`.
fn id_list(ids: &[&str]) -> rusqlite::Result<String> {
    serde_json::to_string(ids).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// The active prices of `category` within the range of each of `providers`
/// (provider id, price), each provider's cheapest first: one read of the
/// providers' index entries for all of them.
pub fn matching_prices(
    conn: &Connection,
    providers: &[&str],
    category: &str,
    min_price: Option<f64>,
    max_price: Option<f64>,
) -> rusqlite::Result<Vec<(String, SearchPriceRow)>> {
    let mut st = conn.prepare_cached(
        // The providers' index: their matching prices only, in price order (not
        // the category's prices, nor the providers' other categories).
        "SELECT provider_id, id, service_name, pricing_type, current_price, currency, config
         FROM marketplace_pricing INDEXED BY marketplace_pricing_by_provider
         WHERE provider_id IN (SELECT value FROM json_each(?1)) AND category_id = ?2 AND is_active = 1
           AND current_price >= ?3 AND current_price <= ?4",
    )?;
    // No bound: beyond any price (finite, so the statement prints as SQL).
    let (lo, hi) = (min_price.unwrap_or(-1e300), max_price.unwrap_or(1e300));
    let rows = st.query_map(params![id_list(providers)?, category, lo, hi], |r| {
        Ok((
            r.get(0)?,
            SearchPriceRow {
                id: r.get(1)?,
                service_name: r.get(2)?,
                pricing_type: r.get(3)?,
                current_price: r.get(4)?,
                currency: r.get(5)?,
                config: r.get(6)?,
            },
        ))
    })?;
    let mut out: Vec<(String, SearchPriceRow)> = rows.collect::<rusqlite::Result<_>>()?;
    // Index order within a provider (price, then rowid); stable, so equal prices keep it.
    out.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.current_price.total_cmp(&b.1.current_price))
    });
    Ok(out)
}

/// A provider's name, picture and address.
pub struct Card {
    pub name: String,
    pub profile_image: Option<String>,
    pub address: Option<String>,
}

/// The cards of `providers` (provider id, card): one read of them all by key.
pub fn cards(conn: &Connection, providers: &[&str]) -> rusqlite::Result<Vec<(String, Card)>> {
    let mut st = conn.prepare_cached(
        "SELECT id, name, profile_image, address FROM marketplace_providers
         WHERE id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = st.query_map([id_list(providers)?], |r| {
        Ok((
            r.get(0)?,
            Card {
                name: r.get(1)?,
                profile_image: r.get(2)?,
                address: r.get(3)?,
            },
        ))
    })?;
    rows.collect()
}

/// The finest cell level's cells per degree (level `l` cells are `2^l` times wider).
pub const CELLS_PER_DEGREE: f64 = 256.0;
/// The coarsest level counted.
pub const TOP_LEVEL: u32 = 12;

/// The offers of category `code` counted in the cells of `level` whose keys
/// lie in one of `ranges` (first, last): (key, offers), cells without offers
/// absent. One read for them all (a seek per range).
pub fn cell_counts(
    conn: &Connection,
    code: i64,
    level: u32,
    ranges: &[(i64, i64)],
) -> rusqlite::Result<Vec<(i64, i64)>> {
    if ranges.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(ranges)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let mut st = conn.prepare_cached(
        "SELECT c.cell, c.n FROM json_each(?3) j CROSS JOIN marketplace_offer_cells c
         WHERE c.code = ?1 AND c.level = ?2 AND c.cell BETWEEN j.value ->> 0 AND j.value ->> 1",
    )?;
    let rows = st.query_map(params![code, level, list], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// A placed offer as the cell index holds it.
pub struct NearOffer {
    pub id: i64,
    pub lat: f64,
    pub lng: f64,
    pub provider_id: String,
}

/// The offers of category `code` whose fine cell keys lie in one of `ranges`
/// (first, last): one read of the cell index (a seek per range), no other table.
pub fn offers_in_cells(
    conn: &Connection,
    code: i64,
    ranges: &[(i64, i64)],
) -> rusqlite::Result<Vec<NearOffer>> {
    if ranges.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(ranges)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let mut st = conn.prepare_cached(
        "SELECT n.id, n.lat, n.lng, n.provider_id
         FROM json_each(?2) j CROSS JOIN marketplace_offers_near n INDEXED BY marketplace_offers_near_by_cell
         WHERE n.code = ?1 AND n.cell BETWEEN j.value ->> 0 AND j.value ->> 1",
    )?;
    let rows = st.query_map(params![code, list], |r| {
        Ok(NearOffer {
            id: r.get(0)?,
            lat: r.get(1)?,
            lng: r.get(2)?,
            provider_id: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// Runs `f` on one snapshot of the database: in a read transaction when none
/// is open (rolled back after; nothing is written), so counts read by one
/// statement and offers read by a later one agree while others write.
pub fn on_one_snapshot<T, E: From<rusqlite::Error>>(
    conn: &Connection,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    if !conn.is_autocommit() {
        return f();
    }
    let snapshot = conn.unchecked_transaction()?;
    let out = f();
    drop(snapshot);
    out
}

/// The R*Tree's code of a category (also the cell index's), if it has offers.
pub fn search_code(conn: &Connection, category: &str) -> rusqlite::Result<Option<i64>> {
    category_code(conn, category)
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    /// A database that had providers and prices before this step gets their
    /// offers and their places in the R*Tree; later writes keep them in step.
    #[test]
    fn the_step_fills_offers_from_existing_prices_and_triggers_follow() {
        let c = Connection::open_in_memory().unwrap();
        let steps = crate::MIGRATIONS;
        let this = steps
            .iter()
            .position(|s| *s == super::NEARBY_MIGRATION)
            .unwrap();
        for s in &steps[..this] {
            c.execute_batch(s).unwrap();
        }
        c.execute_batch(
            "INSERT INTO marketplace_providers (id, user_id, name, lng, lat, created_at) VALUES
                ('p1', 'u1', 'One', 36.82, -1.28, 't'), ('p2', 'u2', 'Two', NULL, NULL, 't');
             INSERT INTO marketplace_pricing (id, provider_id, category_id, service_key, service_name, pricing_type,
                current_price, currency, config, is_active, created_at, updated_at) VALUES
                ('a', 'p1', 'cut', 'a', 'A', 'flat', 500, 'KES', '{}', 1, 't', 't'),
                ('b', 'p1', 'cut', 'b', 'B', 'flat', 300, 'KES', '{}', 1, 't', 't'),
                ('c', 'p1', 'paint', 'c', 'C', 'flat', 900, 'KES', '{}', 0, 't', 't'),
                ('d', 'p2', 'cut', 'd', 'D', 'flat', 100, 'KES', '{}', 1, 't', 't');",
        )
        .unwrap();
        // This step and every later one (the R*Tree's auxiliary columns).
        for s in &steps[this..] {
            c.execute_batch(s).unwrap();
        }
        let offers = |c: &Connection| -> Vec<(String, String, f64, f64, bool)> {
            let mut st = c
                .prepare_cached(
                    "SELECT o.provider_id, o.category_id, o.min_price, o.max_price,
                            EXISTS(SELECT 1 FROM marketplace_offers_geo g WHERE g.id = o.id)
                     FROM marketplace_offers o ORDER BY o.provider_id, o.category_id",
                )
                .unwrap();
            st.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
        };
        // p1's active cut prices (300..500), placed; p2 has no place; p1's paint price is inactive.
        assert_eq!(
            offers(&c),
            vec![
                ("p1".into(), "cut".into(), 300.0, 500.0, true),
                ("p2".into(), "cut".into(), 100.0, 100.0, false),
            ]
        );
        c.execute_batch(
            "UPDATE marketplace_pricing SET is_active = 1 WHERE id = 'c';
             UPDATE marketplace_pricing SET current_price = 700 WHERE id = 'b';
             DELETE FROM marketplace_pricing WHERE id = 'a';
             UPDATE marketplace_providers SET lat = 0.5, lng = 35.0 WHERE id = 'p2';
             UPDATE marketplace_providers SET lat = NULL WHERE id = 'p1';",
        )
        .unwrap();
        assert_eq!(
            offers(&c),
            vec![
                ("p1".into(), "cut".into(), 700.0, 700.0, false),
                ("p1".into(), "paint".into(), 900.0, 900.0, false),
                ("p2".into(), "cut".into(), 100.0, 100.0, true),
            ]
        );
        let placed: (f64, f64) = c
            .query_row(
                "SELECT g.min_lat, g.min_lng FROM marketplace_offers_geo g JOIN marketplace_offers o ON o.id = g.id
                 WHERE o.provider_id = 'p2'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!((placed.0 - 0.5).abs() < 1e-5 && (placed.1 - 35.0).abs() < 1e-5);
        // The R*Tree's auxiliary columns: provider, exact place, exact prices
        // and rating, following the provider's rating too.
        c.execute_batch(
            "UPDATE marketplace_providers SET rating_avg = 4.5, rating_count = 2 WHERE id = 'p2'",
        )
        .unwrap();
        let aux: (String, f64, f64, f64, f64, f64, i64) = c
            .query_row(
                "SELECT provider_id, lat, lng, lo, hi, rating_avg, rating_count FROM marketplace_offers_geo",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .unwrap();
        assert_eq!(aux, ("p2".into(), 0.5, 35.0, 100.0, 100.0, 4.5, 2));
        // No active price left: no offer.
        c.execute_batch("UPDATE marketplace_pricing SET is_active = 0 WHERE provider_id = 'p1'")
            .unwrap();
        assert_eq!(offers(&c).len(), 1);
        // The cell index holds the R*Tree's offers, and every cell's count
        // is a recount of its offers at each level.
        let same =
            |c: &Connection, sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
        let check = |c: &Connection| {
            assert_eq!(
                same(c, "SELECT COUNT(*) FROM marketplace_offers_near"),
                same(c, "SELECT COUNT(*) FROM marketplace_offers_geo")
            );
            assert_eq!(
                same(
                    c,
                    "SELECT COUNT(*) FROM marketplace_offers_near n JOIN marketplace_offers_geo g
                     ON g.id = n.id AND g.lat = n.lat AND g.lng = n.lng AND g.min_code = n.code
                     AND g.provider_id = n.provider_id"
                ),
                same(c, "SELECT COUNT(*) FROM marketplace_offers_geo")
            );
            let recount = "SELECT code, l.column1, cell >> (2 * l.column1), COUNT(*)
                FROM marketplace_offers_near, (VALUES (0), (3), (7), (12)) l GROUP BY 1, 2, 3";
            assert_eq!(
                same(c, &format!("SELECT COUNT(*) FROM ({recount} EXCEPT SELECT * FROM marketplace_offer_cells)")),
                0
            );
            assert_eq!(
                same(
                    c,
                    "SELECT COUNT(*) FROM marketplace_offer_cells WHERE n <= 0"
                ),
                0
            );
        };
        check(&c);
        c.execute_batch(
            "UPDATE marketplace_pricing SET is_active = 1;
             UPDATE marketplace_providers SET lat = -1.3, lng = 36.8 WHERE id = 'p1';
             UPDATE marketplace_providers SET rating_avg = 3.0 WHERE id = 'p1';
             INSERT INTO marketplace_providers (id, user_id, name, lng, lat, created_at)
                VALUES ('p3', 'u3', 'Three', 36.81, -1.29, 't');
             INSERT INTO marketplace_pricing (id, provider_id, category_id, service_key, service_name, pricing_type,
                current_price, currency, config, is_active, created_at, updated_at) VALUES
                ('e', 'p3', 'cut', 'e', 'E', 'flat', 100, 'KES', '{}', 1, 't', 't');",
        )
        .unwrap();
        check(&c);
        assert_eq!(same(&c, "SELECT COUNT(*) FROM marketplace_offers_near"), 4);
        c.execute_batch(
            "DELETE FROM marketplace_pricing WHERE provider_id = 'p2';
             DELETE FROM marketplace_providers WHERE id = 'p2';",
        )
        .unwrap();
        check(&c);
        assert_eq!(same(&c, "SELECT COUNT(*) FROM marketplace_offers_near"), 3);
    }
}
