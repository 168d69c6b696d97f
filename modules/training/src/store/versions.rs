//! SQL of scenario versions (reads; versions are written by
//! [`super::insert_version`]).

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use crate::model::TrainingError;

/// A stored version of a scenario.
#[derive(Debug, Clone)]
pub struct Version {
    pub id: String,
    pub number: i64,
    pub changelog: Option<String>,
    pub snapshot: Value,
    pub restored_from: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    pub published_at: Option<String>,
}

fn version_row(r: &rusqlite::Row) -> rusqlite::Result<Version> {
    let snap: String = r.get(3)?;
    Ok(Version {
        id: r.get(0)?,
        number: r.get(1)?,
        changelog: r.get(2)?,
        snapshot: serde_json::from_str(&snap).unwrap_or_else(|_| json!({})),
        restored_from: r.get(4)?,
        created_by: r.get(5)?,
        created_at: r.get(6)?,
        published_at: r.get(7)?,
    })
}

const VCOLS: &str =
    "id, version_number, changelog, snapshot, restored_from, created_by, created_at, published_at";

/// Version `number` of scenario `scenario_id`, else 404.
pub fn version(conn: &Connection, scenario_id: &str, number: i64) -> ApiResult<Version> {
    conn.query_row(
        &format!(
            "SELECT {VCOLS} FROM training_versions WHERE scenario_id = ?1 AND version_number = ?2"
        ),
        params![scenario_id, number],
        version_row,
    )
    .optional()?
    .ok_or_else(|| {
        TrainingError::VersionNotFound.with_message(format!(
            "Version {number} of scenario {scenario_id} not found"
        ))
    })
}

/// The versions of scenario `scenario_id`, newest first.
pub fn of_scenario(conn: &Connection, scenario_id: &str) -> ApiResult<Vec<Version>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {VCOLS} FROM training_versions WHERE scenario_id = ?1 ORDER BY version_number DESC"
    ))?;
    let rows = stmt
        .query_map([scenario_id], version_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
