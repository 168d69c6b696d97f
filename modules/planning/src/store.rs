//! The SQL of planning: versions, reports and the settings. Takes and gives
//! the model's stored shapes; no rules.

use frontline_platform::{ApiError, ApiResult};
use rusqlite::types::{FromSqlError, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{
    PlanningError, ReportFormat, ReportRow, ReportType, SortBy, VersionDocument, VersionFilter,
    VersionMode, VersionRow, VersionStatus,
};
use crate::settings::Settings;

/// Reads a column holding one of a value set's texts.
fn value_of<T>(r: &Row<'_>, i: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    let text = r.get_ref(i)?.as_str()?;
    parse(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            ValueRef::Text(text.as_bytes()).data_type(),
            Box::new(FromSqlError::Other(
                format!("unknown value {text:?}").into(),
            )),
        )
    })
}

const COLUMNS: &str = "v.id, v.name, v.description, v.mode, v.status, v.created_by, v.created_by_name,
    v.created_at, v.updated_at, v.based_on_id, b.name, v.locked_at, v.locked_by, v.lock_reason, v.document";

fn row(r: &Row<'_>) -> rusqlite::Result<(VersionRow, String)> {
    let doc: String = r.get(14)?;
    Ok((
        VersionRow {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            mode: value_of(r, 3, VersionMode::parse)?,
            status: value_of(r, 4, VersionStatus::parse)?,
            created_by: r.get(5)?,
            created_by_name: r.get(6)?,
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
            based_on_id: r.get(9)?,
            based_on_name: r.get(10)?,
            locked_at: r.get(11)?,
            locked_by: r.get(12)?,
            lock_reason: r.get(13)?,
            // Filled from the JSON column by `finish`.
            document: VersionDocument::default(),
        },
        doc,
    ))
}

fn finish((mut v, doc): (VersionRow, String)) -> ApiResult<VersionRow> {
    v.document = serde_json::from_str(&doc)
        .map_err(|e| ApiError::internal(format!("stored version {}: {e}", v.id)))?;
    Ok(v)
}

/// The version `id` unless deleted.
pub fn get(conn: &Connection, id: &str) -> ApiResult<Option<VersionRow>> {
    let raw = conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM planning_versions v
                 LEFT JOIN planning_versions b ON b.id = v.based_on_id
                 WHERE v.id = ?1 AND v.deleted_at IS NULL"
            ),
            [id],
            row,
        )
        .optional()?;
    raw.map(finish).transpose()
}

/// The version `id`, or 404 in the document's body.
pub fn require(conn: &Connection, id: &str) -> ApiResult<VersionRow> {
    get(conn, id)?.ok_or_else(|| not_found(id))
}

pub fn not_found(id: &str) -> ApiError {
    PlanningError::NotFound
        .with_message("Version not found")
        .with_extra("versionId", id)
}

/// True when another live version has this name (case-insensitive).
pub fn name_taken(conn: &Connection, name: &str, except: Option<&str>) -> ApiResult<bool> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM planning_versions
         WHERE lower(name) = lower(?1) AND deleted_at IS NULL AND id != COALESCE(?2, '')",
        params![name, except],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

fn doc_json(doc: &VersionDocument) -> ApiResult<String> {
    serde_json::to_string(doc).map_err(|e| ApiError::internal(e.to_string()))
}

/// Inserts a version.
pub fn insert(conn: &Connection, v: &VersionRow) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO planning_versions (id, name, description, mode, status, created_by,
            created_by_name, created_at, updated_at, based_on_id, document)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            v.id,
            v.name,
            v.description,
            v.mode.as_str(),
            v.status.as_str(),
            v.created_by,
            v.created_by_name,
            v.created_at,
            v.updated_at,
            v.based_on_id,
            doc_json(&v.document)?
        ],
    )?;
    Ok(())
}

/// Stores the editable fields of a version.
pub fn update(conn: &Connection, v: &VersionRow) -> ApiResult<()> {
    conn.execute(
        "UPDATE planning_versions SET name = ?2, description = ?3, mode = ?4, status = ?5,
            updated_at = ?6, document = ?7, locked_at = ?8, locked_by = ?9, lock_reason = ?10
         WHERE id = ?1",
        params![
            v.id,
            v.name,
            v.description,
            v.mode.as_str(),
            v.status.as_str(),
            v.updated_at,
            doc_json(&v.document)?,
            v.locked_at,
            v.locked_by,
            v.lock_reason
        ],
    )?;
    Ok(())
}

/// Soft delete: the row stays for the audit trail.
pub fn soft_delete(conn: &Connection, id: &str, at: &str) -> ApiResult<()> {
    conn.execute(
        "UPDATE planning_versions SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// A page of live versions and the total.
pub fn list(conn: &Connection, f: &VersionFilter) -> ApiResult<(Vec<VersionRow>, u64)> {
    let mut clauses = vec!["v.deleted_at IS NULL".to_string()];
    let mut args: Vec<String> = vec![];
    if let Some(s) = f.status {
        args.push(s.as_str().to_string());
        clauses.push(format!("v.status = ?{}", args.len()));
    }
    if let Some(m) = f.mode {
        args.push(m.as_str().to_string());
        clauses.push(format!("v.mode = ?{}", args.len()));
    }
    if let Some(q) = &f.search {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        args.push(format!("%{escaped}%"));
        let n = args.len();
        clauses.push(format!(
            "(lower(v.name) LIKE ?{n} ESCAPE '\\' OR lower(COALESCE(v.description, '')) LIKE ?{n} ESCAPE '\\')"
        ));
    }
    let filter = clauses.join(" AND ");
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM planning_versions v WHERE {filter}"),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let column = match f.sort_by {
        SortBy::Name => "lower(v.name)",
        SortBy::UpdatedAt => "v.updated_at",
        SortBy::CreatedAt => "v.created_at",
    };
    let dir = if f.descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT {COLUMNS} FROM planning_versions v
         LEFT JOIN planning_versions b ON b.id = v.based_on_id
         WHERE {filter} ORDER BY {column} {dir}, v.id {dir} LIMIT {} OFFSET {}",
        f.limit, f.offset
    );
    let mut stmt = conn.prepare(&sql)?;
    let raw = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), row)?
        .collect::<Result<Vec<_>, _>>()?;
    let rows = raw.into_iter().map(finish).collect::<ApiResult<Vec<_>>>()?;
    Ok((rows, total as u64))
}

/// Inserts a report.
pub fn insert_report(conn: &Connection, r: &ReportRow) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO planning_reports (id, version_id, version_name, report_type, format,
            generated_by, generated_at, expires_at, file_id, file_size)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            r.id,
            r.version_id,
            r.version_name,
            r.report_type.as_str(),
            r.format.as_str(),
            r.generated_by,
            r.generated_at,
            r.expires_at,
            r.file_id,
            r.file_size as i64
        ],
    )?;
    Ok(())
}

/// Reports newest first, optionally of one version, and the total.
pub fn list_reports(
    conn: &Connection,
    version_id: Option<&str>,
    offset: u64,
    limit: u64,
) -> ApiResult<(Vec<ReportRow>, u64)> {
    let total: i64 = conn.query_row(
        "SELECT COUNT(*) FROM planning_reports WHERE ?1 IS NULL OR version_id = ?1",
        [version_id],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(
        "SELECT id, version_id, version_name, report_type, format, generated_by, generated_at,
                expires_at, file_id, file_size
         FROM planning_reports WHERE ?1 IS NULL OR version_id = ?1
         ORDER BY generated_at DESC, id DESC LIMIT ?2 OFFSET ?3",
    )?;
    let rows = stmt
        .query_map(params![version_id, limit as i64, offset as i64], |r| {
            Ok(ReportRow {
                id: r.get(0)?,
                version_id: r.get(1)?,
                version_name: r.get(2)?,
                report_type: value_of(r, 3, ReportType::parse)?,
                format: value_of(r, 4, ReportFormat::parse)?,
                generated_by: r.get(5)?,
                generated_at: r.get(6)?,
                expires_at: r.get(7)?,
                file_id: r.get(8)?,
                file_size: r.get::<_, i64>(9)? as u64,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total as u64))
}

/// The global settings (defaults for what was never set) and when they last changed.
pub fn settings(conn: &Connection) -> ApiResult<(Settings, Option<String>)> {
    let raw: Option<String> = conn
        .query_row(
            "SELECT value FROM planning_settings WHERE key = 'settings'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let updated: Option<String> = conn
        .query_row(
            "SELECT value FROM planning_settings WHERE key = 'updatedAt'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let settings = match raw {
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| ApiError::internal(format!("stored settings: {e}")))?,
        None => Settings::default(),
    };
    Ok((settings, updated))
}

/// Stores the global settings, changed at `now`.
pub fn save_settings(conn: &Connection, s: &Settings, now: &str) -> ApiResult<()> {
    let value = serde_json::to_string(s).map_err(|e| ApiError::internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO planning_settings (key, value) VALUES ('settings', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [value],
    )?;
    conn.execute(
        "INSERT INTO planning_settings (key, value) VALUES ('updatedAt', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [now],
    )?;
    Ok(())
}
