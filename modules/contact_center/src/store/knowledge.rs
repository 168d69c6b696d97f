//! The SQL of knowledge base articles.

use frontline_platform::page::Window;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Value};

use crate::insight::not_found;
use crate::model::knowledge::Article;

/// True when company `id` exists.
pub fn company_exists(c: &Connection, id: i64) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT EXISTS(SELECT 1 FROM cc_companies WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )?)
}

pub const COLS: &str =
    "id, company_id, title, content, category, tags, is_public, language, metadata, \
     created_by_id, created_at, updated_at";

pub fn row(r: &Row) -> rusqlite::Result<Article> {
    let tags: String = r.get(5)?;
    let meta: String = r.get(8)?;
    Ok(Article {
        id: r.get(0)?,
        company_id: r.get(1)?,
        title: r.get(2)?,
        content: r.get(3)?,
        category: r.get(4)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        is_public: r.get(6)?,
        language: r.get(7)?,
        metadata: serde_json::from_str(&meta).unwrap_or(json!({})),
        created_by_id: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

pub fn get_article(c: &Connection, id: i64) -> ApiResult<Article> {
    c.query_row(
        &format!("SELECT {COLS} FROM cc_kb_articles WHERE id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or_else(|| not_found("Article", id))
}

/// The list's filters.
pub struct ArticleFilter {
    pub company_id: Option<i64>,
    pub category: Option<String>,
    pub language: Option<String>,
    pub is_public: Option<bool>,
    /// Lower-cased.
    pub tag: Option<String>,
    /// Staff see internal articles too.
    pub staff: bool,
}

/// One page of articles, newest first, with the total.
pub fn list(c: &Connection, p: &ArticleFilter, w: &Window) -> ApiResult<(Vec<Article>, u64)> {
    let filter = "(?1 IS NULL OR company_id = ?1) AND (?2 IS NULL OR category = ?2)
        AND (?3 IS NULL OR language = ?3) AND (?4 IS NULL OR is_public = ?4)
        AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(tags) WHERE json_each.value = ?5))
        AND (?8 OR is_public = 1)";
    let total: i64 = c.query_row(
        &format!("SELECT COUNT(*) FROM cc_kb_articles WHERE {filter}"),
        params![
            p.company_id,
            p.category,
            p.language,
            p.is_public,
            p.tag,
            None::<i64>,
            None::<i64>,
            p.staff
        ],
        |r| r.get(0),
    )?;
    let mut stmt = c.prepare(&format!(
        "SELECT {COLS} FROM cc_kb_articles WHERE {filter} ORDER BY id DESC LIMIT ?6 OFFSET ?7"
    ))?;
    let items = stmt
        .query_map(
            params![
                p.company_id,
                p.category,
                p.language,
                p.is_public,
                p.tag,
                w.limit as i64,
                w.offset as i64,
                p.staff
            ],
            row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

/// An article's stored fields.
pub struct ArticleFields<'a> {
    pub company_id: Option<i64>,
    pub title: &'a str,
    pub content: &'a str,
    pub category: Option<&'a str>,
    pub tags: &'a [String],
    pub is_public: bool,
    pub language: &'a str,
    pub metadata: &'a Value,
    pub at: &'a str,
}

/// Inserts an article; returns its id.
pub fn insert(tx: &Connection, f: &ArticleFields<'_>, created_by: i64) -> ApiResult<i64> {
    tx.execute(
        "INSERT INTO cc_kb_articles (company_id, title, content, category, tags, is_public, language,
            metadata, created_by_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![
            f.company_id,
            f.title,
            f.content,
            f.category,
            serde_json::to_string(f.tags)?,
            f.is_public,
            f.language,
            f.metadata.to_string(),
            created_by,
            f.at
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Writes article `id`'s fields.
pub fn update(tx: &Connection, id: i64, f: &ArticleFields<'_>) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_kb_articles SET company_id = ?2, title = ?3, content = ?4, category = ?5, tags = ?6,
            is_public = ?7, language = ?8, metadata = ?9, updated_at = ?10 WHERE id = ?1",
        params![
            id,
            f.company_id,
            f.title,
            f.content,
            f.category,
            serde_json::to_string(f.tags)?,
            f.is_public,
            f.language,
            f.metadata.to_string(),
            f.at
        ],
    )?;
    Ok(())
}

/// Deletes article `id`.
pub fn delete(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute("DELETE FROM cc_kb_articles WHERE id = ?1", [id])?;
    Ok(())
}
