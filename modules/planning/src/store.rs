//! The SQL of planning: versions, reports and the settings. Takes and gives
//! the model's stored shapes; no rules.

use frontline_platform::{ApiError, ApiResult};
use std::collections::HashMap;

use frontline_platform::db_paging::{ListSql, PageCache};
use rusqlite::types::{FromSqlError, Value, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{
    ListFigures, ListRow, PlanningError, ReportFormat, ReportRow, ReportType, SortBy,
    VersionDocument, VersionFilter, VersionMode, VersionRow, VersionStatus,
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

/// Totals and keyset anchors of the versions list (see `db_paging`).
static PAGES: std::sync::LazyLock<PageCache> = std::sync::LazyLock::new(PageCache::new);

const LIST_SELECT: &str = "SELECT v.id, v.name, v.description, v.mode, v.status, v.created_by,
    v.created_by_name, v.created_at, v.updated_at, v.list_figures, v.figures_generation
    FROM planning_versions v";

fn list_row(r: &Row<'_>) -> rusqlite::Result<ListRow> {
    Ok(ListRow {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        mode: value_of(r, 3, VersionMode::parse)?,
        status: value_of(r, 4, VersionStatus::parse)?,
        created_by: r.get(5)?,
        created_by_name: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        figures: r
            .get::<_, Option<String>>(9)?
            .and_then(|f| serde_json::from_str(&f).ok()),
        figures_generation: r.get(10)?,
    })
}

/// The list query of `f`: the filters are checked on the rows of the sort's
/// index (`+column`), so a page never sorts the matching rows.
pub fn list_sql(f: &VersionFilter) -> ListSql<'static> {
    let mut clauses = vec!["v.deleted_at IS NULL".to_string()];
    let mut args: Vec<Value> = vec![];
    if let Some(s) = f.status {
        args.push(s.as_str().to_string().into());
        clauses.push("+v.status = ?".into());
    }
    if let Some(m) = f.mode {
        args.push(m.as_str().to_string().into());
        clauses.push("+v.mode = ?".into());
    }
    if let Some(q) = &f.search {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let like = format!("%{escaped}%");
        args.push(like.clone().into());
        args.push(like.into());
        clauses.push(
            "(lower(v.name) LIKE ? ESCAPE '\\' OR lower(COALESCE(v.description, '')) LIKE ? ESCAPE '\\')"
                .into(),
        );
    }
    let column = match f.sort_by {
        SortBy::Name => "lower(v.name)",
        SortBy::UpdatedAt => "v.updated_at",
        SortBy::CreatedAt => "v.created_at",
    };
    ListSql {
        tables: &["planning_versions"],
        select: LIST_SELECT,
        from: "planning_versions v",
        filter: clauses.join(" AND "),
        args,
        order: vec![
            (column.to_string(), f.descending),
            ("v.id".to_string(), f.descending),
        ],
    }
}

/// A page of live versions and the total.
pub fn list(conn: &Connection, f: &VersionFilter) -> ApiResult<(Vec<ListRow>, u64)> {
    PAGES.page(conn, &list_sql(f), f.limit, f.offset, list_row)
}

/// The generation of the settings the list figures depend on (bumped by
/// every settings change).
pub fn figures_generation(conn: &Connection) -> ApiResult<i64> {
    let raw: Option<String> = conn
        .query_row(
            "SELECT value FROM planning_settings WHERE key = 'figuresGeneration'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(raw.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Stores the list figures of version `id`, computed under settings `generation`.
pub fn save_figures(
    conn: &Connection,
    id: &str,
    figures: &ListFigures,
    generation: i64,
) -> ApiResult<()> {
    let json = serde_json::to_string(figures).map_err(|e| ApiError::internal(e.to_string()))?;
    conn.execute(
        "UPDATE planning_versions SET list_figures = ?2, figures_generation = ?3 WHERE id = ?1",
        params![id, json, generation],
    )?;
    Ok(())
}

/// Up to `limit` versions (live or not) whose figures were computed under
/// older settings than `generation` (it only grows), or never; both read
/// from the index on `figures_generation`.
pub fn stale_figures(
    conn: &Connection,
    generation: i64,
    limit: u64,
) -> ApiResult<Vec<(String, VersionMode, VersionDocument)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, mode, document FROM planning_versions
         WHERE figures_generation IS NULL OR figures_generation < ?1 LIMIT ?2",
    )?;
    let raw = stmt
        .query_map(params![generation, limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                value_of(r, 1, VersionMode::parse)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter()
        .map(|(id, mode, doc)| {
            let d = serde_json::from_str(&doc)
                .map_err(|e| ApiError::internal(format!("stored version {id}: {e}")))?;
            Ok((id, mode, d))
        })
        .collect()
}

/// The mode and document of the versions `ids`.
pub fn documents(
    conn: &Connection,
    ids: &[&str],
) -> ApiResult<HashMap<String, (VersionMode, VersionDocument)>> {
    let mut out = HashMap::new();
    let mut stmt =
        conn.prepare_cached("SELECT mode, document FROM planning_versions WHERE id = ?1")?;
    for id in ids {
        let found = stmt
            .query_row([id], |r| {
                Ok((value_of(r, 0, VersionMode::parse)?, r.get::<_, String>(1)?))
            })
            .optional()?;
        if let Some((mode, doc)) = found {
            let d = serde_json::from_str(&doc)
                .map_err(|e| ApiError::internal(format!("stored version {id}: {e}")))?;
            out.insert(id.to_string(), (mode, d));
        }
    }
    Ok(out)
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
    // Every stored list figure was computed under the old settings.
    conn.execute(
        "INSERT INTO planning_settings (key, value) VALUES ('figuresGeneration', '1')
         ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
        [],
    )?;
    Ok(())
}
