//! SQL of `frontline demo` that the other store files do not already have.

use frontline_platform::ApiResult;
use rusqlite::{params, Connection};

/// Whether a scenario with `slug` exists (the demo is loaded once).
pub fn loaded(tx: &Connection, slug: &str) -> ApiResult<bool> {
    let n: i64 = tx.query_row(
        "SELECT COUNT(*) FROM training_scenarios WHERE slug = ?1",
        [slug],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Publishes the just-inserted demo scenario `id` at its first version,
/// keeping its creation time as its last change.
pub fn publish_new(tx: &Connection, id: &str, at: &str, by: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE training_scenarios SET status = 'PUBLISHED', published_at = ?2, published_by = ?3 WHERE id = ?1",
        params![id, at, by],
    )?;
    tx.execute(
        "UPDATE training_versions SET published_at = ?2 WHERE scenario_id = ?1",
        params![id, at],
    )?;
    Ok(())
}
