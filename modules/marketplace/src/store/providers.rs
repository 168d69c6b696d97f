//! Providers' SQL: finding providers by name (the UI's provider picker).

use rusqlite::{params, Connection, Row};

use crate::model::{ProviderLocation, ProviderProfile, Rating};

/// Schema step: providers are found by name through a case-insensitive index.
pub const NAME_INDEX_MIGRATION: &str = r#"
CREATE INDEX marketplace_providers_name ON marketplace_providers(name COLLATE NOCASE, id);
"#;

const COLUMNS: &str =
    "id, name, profile_image, lng, lat, address, city, rating_avg, rating_count, created_at";

fn profile(r: &Row) -> rusqlite::Result<ProviderProfile> {
    let lng: Option<f64> = r.get(3)?;
    let lat: Option<f64> = r.get(4)?;
    Ok(ProviderProfile {
        provider_id: r.get(0)?,
        provider_name: r.get(1)?,
        profile_image: r.get(2)?,
        location: ProviderLocation {
            coordinates: lng.zip(lat).map(|(a, b)| vec![a, b]),
            address: r.get(5)?,
            city: r.get(6)?,
        },
        rating: Rating {
            average: crate::stats::round(r.get(7)?, 2),
            count: r.get(8)?,
        },
        created_at: r.get(9)?,
    })
}

/// Providers whose name starts with `q` (ignoring ASCII case), in name
/// order, at most `limit`: a range of the name index.
pub fn name_prefix(c: &Connection, q: &str, limit: i64) -> rusqlite::Result<Vec<ProviderProfile>> {
    // Everything that starts with `q` sorts between `q` and `q` + the highest character.
    let upper = format!("{q}\u{10FFFF}");
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM marketplace_providers
         WHERE name COLLATE NOCASE >= ?1 AND name COLLATE NOCASE < ?2
         ORDER BY name COLLATE NOCASE, id LIMIT {}",
        limit.max(0)
    ))?;
    let rows = st.query_map(params![q, upper], profile)?;
    rows.collect()
}

/// Providers whose name holds `q` further in (not at its start), in name
/// order, at most `limit`: the name index read in order until enough match.
pub fn name_contains(
    c: &Connection,
    q: &str,
    limit: i64,
) -> rusqlite::Result<Vec<ProviderProfile>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM marketplace_providers INDEXED BY marketplace_providers_name
         WHERE instr(lower(name), lower(?1)) > 1
         ORDER BY name COLLATE NOCASE, id LIMIT {}",
        limit.max(0)
    ))?;
    let rows = st.query_map(params![q], profile)?;
    rows.collect()
}

/// The provider with id `id`, if any.
pub fn by_id(c: &Connection, id: &str) -> rusqlite::Result<Vec<ProviderProfile>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM marketplace_providers WHERE id = ?1"
    ))?;
    let rows = st.query_map(params![id], profile)?;
    rows.collect()
}
