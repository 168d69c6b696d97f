//! The SQL of uploaded documents. A document comes back with the id of its
//! file in the platform file store.

use frontline_platform::page::Window;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::insight::not_found;
use crate::model::documents::*;

const COLS: &str = "id, company_id, filename, content_type, file_type, size_bytes, sha256, category, description, \
     tags, language, text_content, uploaded_by_id, created_at, file_id";

fn row(r: &Row) -> rusqlite::Result<(Document, String)> {
    let tags: String = r.get(9)?;
    let text: String = r.get(11)?;
    let file_type: String = r.get(4)?;
    Ok((
        Document {
            id: r.get(0)?,
            company_id: r.get(1)?,
            filename: r.get(2)?,
            content_type: r.get(3)?,
            // A PDF's text is whatever the parser found (none: a scan, an
            // unreadable file, or extraction over its time limit).
            text_extracted: file_type != "pdf" || !text.is_empty(),
            file_type,
            size_bytes: r.get(5)?,
            sha256: r.get(6)?,
            category: r.get(7)?,
            description: r.get(8)?,
            tags: serde_json::from_str(&tags).unwrap_or_default(),
            language: r.get(10)?,
            text_length: text.chars().count() as i64,
            text_preview: text.chars().take(300).collect(),
            download_url: None,
            download_expires_at: None,
            uploaded_by_id: r.get(12)?,
            created_at: r.get(13)?,
        },
        r.get(14)?,
    ))
}

/// Document `id` with its file id, or 404.
pub fn get(c: &Connection, id: i64) -> ApiResult<(Document, String)> {
    c.prepare_cached(&format!("SELECT {COLS} FROM cc_documents WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| not_found("Document", id))
}

/// One page of documents matching `q`, newest first, and the number matching.
pub fn list(c: &Connection, q: &DocumentQuery, w: &Window) -> ApiResult<(Vec<Document>, u64)> {
    let filter = "(?1 IS NULL OR company_id = ?1) AND (?2 IS NULL OR category = ?2)";
    let total: i64 = c
        .prepare_cached(&format!("SELECT COUNT(*) FROM cc_documents WHERE {filter}"))?
        .query_row(params![q.company_id, q.category], |r| r.get(0))?;
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLS} FROM cc_documents WHERE {filter} ORDER BY id DESC LIMIT ?3 OFFSET ?4"
    ))?;
    let items = stmt
        .query_map(
            params![q.company_id, q.category, w.limit as i64, w.offset as i64],
            row,
        )?
        .map(|r| r.map(|(d, _)| d))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

/// Whether company `id` exists.
pub fn company_exists(c: &Connection, id: i64) -> ApiResult<bool> {
    Ok(
        c.prepare_cached("SELECT EXISTS(SELECT 1 FROM cc_companies WHERE id = ?1)")?
            .query_row([id], |r| r.get(0))?,
    )
}

/// A document to insert.
pub struct NewDocument<'a> {
    pub fields: &'a DocumentFields,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub file_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub file_id: &'a str,
    pub text: &'a str,
    pub uploaded_by_id: i64,
    pub created_at: &'a str,
}

/// Inserts a document; returns its id.
pub fn insert(tx: &Connection, d: &NewDocument<'_>) -> ApiResult<i64> {
    tx.prepare_cached(
        "INSERT INTO cc_documents (company_id, filename, content_type, file_type, size_bytes, sha256, category,
            description, tags, language, file_id, text_content, uploaded_by_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        d.fields.company_id,
        d.filename,
        d.content_type,
        d.file_type,
        d.size_bytes,
        d.sha256,
        d.fields.category,
        d.fields.description,
        serde_json::to_string(&d.fields.tags)?,
        d.fields.language,
        d.file_id,
        d.text,
        d.uploaded_by_id,
        d.created_at
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Deletes document `id` (not its file).
pub fn delete(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.prepare_cached("DELETE FROM cc_documents WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}
