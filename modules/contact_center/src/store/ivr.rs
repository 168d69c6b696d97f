//! The SQL of IVR flows, their published versions and sessions.

use frontline_platform::page::Window;
use frontline_platform::{ApiError, ApiResult};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::insight::not_found;
use crate::model::ivr::*;

const FLOW_COLS: &str = "id, name, description, is_active, version, timeout_seconds, max_retries, \
     language, start_node_id, nodes, created_at, updated_at";

fn flow_row(r: &Row) -> rusqlite::Result<IvrFlow> {
    let nodes: String = r.get(9)?;
    let nodes: Vec<IvrNode> = serde_json::from_str(&nodes).unwrap_or_default();
    Ok(IvrFlow {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        is_active: r.get(3)?,
        version: r.get(4)?,
        timeout_seconds: r.get(5)?,
        max_retries: r.get(6)?,
        language: r.get(7)?,
        start_node_id: r.get(8)?,
        node_count: nodes.len() as i64,
        nodes,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

pub fn get_flow(conn: &Connection, id: i64) -> ApiResult<IvrFlow> {
    conn.query_row(
        &format!("SELECT {FLOW_COLS} FROM cc_ivr_flows WHERE id = ?1"),
        [id],
        flow_row,
    )
    .optional()?
    .ok_or_else(|| not_found("IVR flow", id))
}

pub fn get_version(conn: &Connection, flow_id: i64, version: i64) -> ApiResult<IvrFlowVersion> {
    conn.query_row(
        "SELECT flow_id, version, version_notes, definition, published_by, published_at
         FROM cc_ivr_flow_versions WHERE flow_id = ?1 AND version = ?2",
        params![flow_id, version],
        |r| {
            let def: String = r.get(3)?;
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, def, r.get(4)?, r.get(5)?))
        },
    )
    .optional()?
    .map(
        |(flow_id, version, version_notes, def, published_by_id, published_at)| {
            let def: Definition = serde_json::from_str(&def)?;
            Ok::<_, ApiError>(IvrFlowVersion {
                flow_id,
                version,
                version_notes,
                published_at,
                published_by_id,
                start_node_id: def.start_node_id,
                node_count: def.nodes.len() as i64,
                nodes: def.nodes,
            })
        },
    )
    .transpose()?
    .ok_or_else(|| {
        ApiError::not_found(format!("Version {version} of IVR flow {flow_id} not found"))
    })
}

pub fn load_definition(conn: &Connection, flow_id: i64, version: i64) -> ApiResult<Definition> {
    let def: String = conn
        .query_row(
            "SELECT definition FROM cc_ivr_flow_versions WHERE flow_id = ?1 AND version = ?2",
            params![flow_id, version],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            ApiError::not_found(format!("Version {version} of IVR flow {flow_id} not found"))
        })?;
    Ok(serde_json::from_str(&def)?)
}

pub fn load_session(conn: &Connection, id: i64) -> ApiResult<SessionRow> {
    conn.query_row(
        "SELECT id, flow_id, version, caller_number, status, current_node_id, retries, path, inputs,
                variables, outcome, started_at, ended_at, duration_seconds,
                called_number, call_id, voicemail_id, deadline
         FROM cc_ivr_sessions WHERE id = ?1",
        [id],
        |r| {
            let path: String = r.get(7)?;
            let inputs: String = r.get(8)?;
            let vars: String = r.get(9)?;
            Ok(SessionRow {
                id: r.get(0)?,
                flow_id: r.get(1)?,
                version: r.get(2)?,
                caller_number: r.get(3)?,
                status: r.get(4)?,
                current_node_id: r.get(5)?,
                retries: r.get(6)?,
                path: serde_json::from_str(&path).unwrap_or_default(),
                inputs: serde_json::from_str(&inputs).unwrap_or_default(),
                variables: serde_json::from_str(&vars).unwrap_or_default(),
                outcome: r.get(10)?,
                started_at: r.get(11)?,
                ended_at: r.get(12)?,
                duration_seconds: r.get(13)?,
                called_number: r.get(14)?,
                call_id: r.get(15)?,
                voicemail_id: r.get(16)?,
                deadline: r.get(17)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| not_found("IVR session", id))
}

pub fn save_session(conn: &Connection, s: &SessionRow) -> ApiResult<()> {
    conn.execute(
        "UPDATE cc_ivr_sessions SET status = ?2, current_node_id = ?3, retries = ?4, path = ?5,
            inputs = ?6, variables = ?7, outcome = ?8, ended_at = ?9, duration_seconds = ?10,
            call_id = ?11, voicemail_id = ?12, deadline = ?13
         WHERE id = ?1",
        params![
            s.id,
            s.status,
            s.current_node_id,
            s.retries,
            serde_json::to_string(&s.path)?,
            serde_json::to_string(&s.inputs)?,
            s.variables.to_string(),
            s.outcome,
            s.ended_at,
            s.duration_seconds,
            s.call_id,
            s.voicemail_id,
            s.deadline
        ],
    )?;
    Ok(())
}

/// One page of flows (newest first), with the total, filtered by `active`.
pub fn list_flows(
    conn: &Connection,
    active: Option<bool>,
    w: &Window,
) -> ApiResult<(Vec<IvrFlow>, u64)> {
    let total: i64 = conn.query_row(
        "SELECT COUNT(*) FROM cc_ivr_flows WHERE ?1 IS NULL OR is_active = ?1",
        [active],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {FLOW_COLS} FROM cc_ivr_flows WHERE ?1 IS NULL OR is_active = ?1
         ORDER BY id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let items = stmt
        .query_map(params![active, w.limit as i64, w.offset as i64], flow_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

/// A new flow's stored fields.
pub struct NewFlow<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub is_active: bool,
    pub timeout_seconds: i64,
    pub max_retries: i64,
    pub language: &'a str,
    pub start_node_id: Option<i64>,
    pub nodes: &'a [IvrNode],
    pub created_by: i64,
    pub at: &'a str,
}

/// Inserts a flow; returns its id.
pub fn insert_flow(conn: &Connection, f: &NewFlow<'_>) -> ApiResult<i64> {
    conn.execute(
        "INSERT INTO cc_ivr_flows (name, description, is_active, timeout_seconds, max_retries,
            language, start_node_id, nodes, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![
            f.name,
            f.description,
            f.is_active,
            f.timeout_seconds,
            f.max_retries,
            f.language,
            f.start_node_id,
            serde_json::to_string(f.nodes)?,
            f.created_by,
            f.at
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Writes a flow's editable fields (`created_by` is not changed).
pub fn update_flow(conn: &Connection, id: i64, f: &NewFlow<'_>) -> ApiResult<()> {
    conn.execute(
        "UPDATE cc_ivr_flows SET name = ?2, description = ?3, is_active = ?4, timeout_seconds = ?5,
            max_retries = ?6, language = ?7, start_node_id = ?8, nodes = ?9, updated_at = ?10
         WHERE id = ?1",
        params![
            id,
            f.name,
            f.description,
            f.is_active,
            f.timeout_seconds,
            f.max_retries,
            f.language,
            f.start_node_id,
            serde_json::to_string(f.nodes)?,
            f.at
        ],
    )?;
    Ok(())
}

/// Deletes a flow (its versions and sessions go with it).
pub fn delete_flow(conn: &Connection, id: i64) -> ApiResult<()> {
    conn.execute("DELETE FROM cc_ivr_flows WHERE id = ?1", [id])?;
    Ok(())
}

/// Stores a published version and makes it the flow's current version.
pub fn insert_version(
    conn: &Connection,
    flow_id: i64,
    version: i64,
    notes: Option<&str>,
    def: &Definition,
    published_by: i64,
    at: &str,
) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO cc_ivr_flow_versions (flow_id, version, version_notes, definition, published_by, published_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![flow_id, version, notes, serde_json::to_string(def)?, published_by, at],
    )?;
    conn.execute(
        "UPDATE cc_ivr_flows SET version = ?2, updated_at = ?3 WHERE id = ?1",
        params![flow_id, version, at],
    )?;
    Ok(())
}

/// The flow's published version numbers, newest first.
pub fn version_numbers(conn: &Connection, flow_id: i64) -> ApiResult<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT version FROM cc_ivr_flow_versions WHERE flow_id = ?1 ORDER BY version DESC",
    )?;
    let vs = stmt
        .query_map([flow_id], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(vs)
}

/// Every published version's definition text of a flow.
pub fn version_definitions(conn: &Connection, flow_id: i64) -> ApiResult<Vec<(i64, String)>> {
    let mut stmt =
        conn.prepare("SELECT version, definition FROM cc_ivr_flow_versions WHERE flow_id = ?1")?;
    let defs = stmt
        .query_map([flow_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(defs)
}

/// Starts a session in progress at `current`; returns its id.
#[allow(clippy::too_many_arguments)]
pub fn insert_session(
    conn: &Connection,
    flow_id: i64,
    version: i64,
    caller_number: Option<&str>,
    called_number: Option<&str>,
    current: i64,
    path: &[i64],
    started_ms: i64,
) -> ApiResult<i64> {
    conn.execute(
        "INSERT INTO cc_ivr_sessions (flow_id, version, caller_number, called_number, status,
            current_node_id, path, started_at)
         VALUES (?1, ?2, ?3, ?4, 'in_progress', ?5, ?6, ?7)",
        params![
            flow_id,
            version,
            caller_number,
            called_number,
            current,
            serde_json::to_string(path)?,
            started_ms
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A session as the analytics read it: version, status, path, current node, duration.
pub type SessionStat = (i64, String, Vec<i64>, Option<i64>, Option<f64>);

/// The flow's sessions started at or after `since_ms`.
pub fn sessions_since(
    conn: &Connection,
    flow_id: i64,
    since_ms: i64,
) -> ApiResult<Vec<SessionStat>> {
    let mut stmt = conn.prepare(
        "SELECT version, status, path, current_node_id, duration_seconds FROM cc_ivr_sessions
         WHERE flow_id = ?1 AND started_at >= ?2",
    )?;
    let rows = stmt
        .query_map(params![flow_id, since_ms], |r| {
            let path: String = r.get(2)?;
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                serde_json::from_str::<Vec<i64>>(&path).unwrap_or_default(),
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<f64>>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Ends the in-progress sessions whose deadline is at or before `now_ms`
/// (`failed`, outcome `timeout`, ended at the deadline); returns how many.
pub fn expire(conn: &Connection, now_ms: i64) -> ApiResult<usize> {
    Ok(conn.execute(
        "UPDATE cc_ivr_sessions SET status = 'failed', outcome = 'timeout', ended_at = deadline,
            duration_seconds = MAX(deadline - started_at, 0) / 1000.0, deadline = NULL
         WHERE status = 'in_progress' AND deadline IS NOT NULL AND deadline <= ?1",
        [now_ms],
    )?)
}
