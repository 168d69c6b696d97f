//! Knowledge base articles per company: categories, tags, language, public
//! flag and free-form metadata.

use frontline_platform::body::JsonBody;
use frontline_platform::write::{self, WriteCtx};
use frontline_platform::{ApiError, ApiResult, BearerAuth, FieldError, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Value};

use super::kb_search;
use super::{
    check_text, fail_if, iso, listed, not_found, now, require_manager, require_operator, window,
    Created, Deleted, Listed, Result, Tag,
};
use crate::SLUG;

/// A knowledge base article.
#[derive(Object, Clone, Debug)]
pub struct Article {
    pub id: i64,
    pub company_id: Option<i64>,
    pub title: String,
    pub content: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub is_public: bool,
    /// ISO 639-1 code, e.g. en, es, fr, de.
    pub language: String,
    pub metadata: Value,
    pub created_by_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// A new article.
#[derive(Object, Debug)]
pub struct ArticleCreate {
    pub company_id: Option<i64>,
    /// 1..=300 characters.
    #[oai(validator(min_length = 1, max_length = 300, pattern = r"\S"))]
    pub title: String,
    /// 1..=200000 characters.
    #[oai(validator(min_length = 1, max_length = 200000, pattern = r"\S"))]
    pub content: String,
    #[oai(validator(min_length = 1, max_length = 100, pattern = r"\S"))]
    pub category: Option<String>,
    #[oai(
        default,
        validator(max_items = 50, min_length = 1, max_length = 50, pattern = r"\S")
    )]
    pub tags: Vec<String>,
    /// Default true.
    pub is_public: Option<bool>,
    /// Default en.
    #[oai(validator(min_length = 2, max_length = 8, pattern = "^[A-Za-z-]+$"))]
    pub language: Option<String>,
    /// Free-form object (author, last_reviewed, …), at most 16 KB.
    pub metadata: Option<crate::model::JsonObject>,
}

/// Changes to an article; omitted fields stay.
#[derive(Object, Debug)]
pub struct ArticleUpdate {
    pub company_id: Option<i64>,
    #[oai(validator(min_length = 1, max_length = 300, pattern = r"\S"))]
    pub title: Option<String>,
    #[oai(validator(min_length = 1, max_length = 200000, pattern = r"\S"))]
    pub content: Option<String>,
    #[oai(validator(min_length = 1, max_length = 100, pattern = r"\S"))]
    pub category: Option<String>,
    #[oai(validator(max_items = 50, min_length = 1, max_length = 50, pattern = r"\S"))]
    pub tags: Option<Vec<String>>,
    pub is_public: Option<bool>,
    #[oai(validator(min_length = 2, max_length = 8, pattern = "^[A-Za-z-]+$"))]
    pub language: Option<String>,
    pub metadata: Option<crate::model::JsonObject>,
}

fn validate(
    e: &mut Vec<FieldError>,
    title: Option<&str>,
    content: Option<&str>,
    category: Option<&str>,
    tags: Option<&[String]>,
    language: Option<&str>,
    metadata: Option<&Value>,
) {
    if let Some(t) = title {
        check_text(e, "title", t, 300);
    }
    if let Some(c) = content {
        check_text(e, "content", c, 200_000);
    }
    if let Some(c) = category {
        check_text(e, "category", c, 100);
    }
    if let Some(ts) = tags {
        if ts.len() > 50 {
            e.push(FieldError::new("tags", "at most 50 tags"));
        }
        if ts
            .iter()
            .any(|t| t.trim().is_empty() || t.chars().count() > 50)
        {
            e.push(FieldError::new("tags", "each tag is 1-50 characters"));
        }
    }
    if let Some(l) = language {
        let ok =
            (2..=8).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic() || c == '-');
        if !ok {
            e.push(FieldError::new(
                "language",
                "must be a language code such as en or pt-BR",
            ));
        }
    }
    if let Some(m) = metadata {
        if !m.is_object() {
            e.push(FieldError::new("metadata", "must be an object"));
        } else if m.to_string().len() > 16_384 {
            e.push(FieldError::new("metadata", "must be at most 16 KB"));
        }
    }
}

fn check_company(c: &Connection, id: Option<i64>) -> ApiResult<()> {
    if let Some(id) = id {
        let exists: bool = c.query_row(
            "SELECT EXISTS(SELECT 1 FROM cc_companies WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(ApiError::invalid(
                "company_id",
                format!("company {id} does not exist"),
            ));
        }
    }
    Ok(())
}

fn clean_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim().to_lowercase();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
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

/// Puts an article in the search index (same transaction as the row).
fn stage(w: &WriteCtx<'_>, a: &Article, old_language: Option<&str>) -> ApiResult<()> {
    kb_search::stage(
        w,
        &kb_search::Entry {
            kind: "article",
            id: a.id,
            company_id: a.company_id,
            title: &a.title,
            content: &a.content,
            category: a.category.as_deref(),
            tags: &a.tags,
            is_public: a.is_public,
            language: &a.language,
        },
        old_language,
    )
}

pub struct KnowledgeApi {
    platform: Platform,
}

impl KnowledgeApi {
    pub fn new(platform: &Platform) -> Self {
        KnowledgeApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::KnowledgeBase")]
impl KnowledgeApi {
    /// List articles, newest first. Filters: `company_id`, `category`,
    /// `language`, `is_public`, `tag`. Plain users (no agent, supervisor or
    /// admin role) see public articles only.
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/v1/knowledge", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        company_id: Query<Option<i64>>,
        category: Query<Option<String>>,
        language: Query<Option<String>>,
        is_public: Query<Option<bool>>,
        tag: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Article>> {
        let w = window(&self.platform, limit.0, offset.0)?;
        let p = (
            company_id.0,
            category.0,
            language.0,
            is_public.0,
            tag.0.map(|t| t.trim().to_lowercase()),
        );
        // Internal articles are for staff; plain users list public ones only.
        let staff = require_operator(&auth.0).is_ok();
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
                let filter = "(?1 IS NULL OR company_id = ?1) AND (?2 IS NULL OR category = ?2)
                    AND (?3 IS NULL OR language = ?3) AND (?4 IS NULL OR is_public = ?4)
                    AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(tags) WHERE json_each.value = ?5))
                    AND (?8 OR is_public = 1)";
                let total: i64 = c.query_row(
                    &format!("SELECT COUNT(*) FROM cc_kb_articles WHERE {filter}"),
                    params![p.0, p.1, p.2, p.3, p.4, None::<i64>, None::<i64>, staff],
                    |r| r.get(0),
                )?;
                let mut stmt = c.prepare(&format!(
                    "SELECT {COLS} FROM cc_kb_articles WHERE {filter} ORDER BY id DESC LIMIT ?6 OFFSET ?7"
                ))?;
                let items = stmt
                    .query_map(params![p.0, p.1, p.2, p.3, p.4, w.limit as i64, w.offset as i64, staff], row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items, total as u64))
            })
            .await?;
        Ok(listed(items, &w, "/api/v1/knowledge", total))
    }

    /// Create an article.
    #[oai(path = "/api/v1/knowledge", method = "post")]
    async fn create(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<ArticleCreate>,
    ) -> Result<Created<Article>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let mut e = Vec::new();
        validate(
            &mut e,
            Some(&b.title),
            Some(&b.content),
            b.category.as_deref(),
            Some(&b.tags),
            b.language.as_deref(),
            b.metadata.as_ref().map(|m| m.to_value()).as_ref(),
        );
        fail_if(e)?;
        let a = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                check_company(tx, b.company_id)?;
                let at = iso(now());
                tx.execute(
                    "INSERT INTO cc_kb_articles (company_id, title, content, category, tags, is_public, language,
                        metadata, created_by_id, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                    params![
                        b.company_id,
                        b.title.trim(),
                        b.content,
                        b.category.as_deref().map(str::trim),
                        serde_json::to_string(&clean_tags(&b.tags))?,
                        b.is_public.unwrap_or(true),
                        b.language.unwrap_or_else(|| "en".into()).to_lowercase(),
                        b.metadata.map(crate::model::JsonObject::into_value).unwrap_or(json!({})).to_string(),
                        auth.0.seq,
                        at
                    ],
                )?;
                let id = tx.last_insert_rowid();
                w.audit(SLUG, "kb_article.create", "kb_article", &id.to_string(), json!({}))?;
                let a = get_article(tx, id)?;
                stage(w, &a, None)?;
                Ok(a)
            })
            .await?;
        Ok(Created::Created(Json(a)))
    }

    /// Get an article (internal articles: agents, supervisors and admins only;
    /// 404 for others).
    #[oai(path = "/api/v1/knowledge/:article_id", method = "get")]
    async fn get(&self, auth: BearerAuth, article_id: Path<i64>) -> Result<Json<Article>> {
        let id = article_id.0;
        let staff = require_operator(&auth.0).is_ok();
        let a = self.platform.db.read(move |c| get_article(c, id)).await?;
        // An internal article does not exist for a plain user.
        if !a.is_public && !staff {
            return Err(not_found("Article", id).into());
        }
        Ok(Json(a))
    }

    /// Update an article.
    #[oai(path = "/api/v1/knowledge/:article_id", method = "put")]
    async fn update(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        article_id: Path<i64>,
        body: JsonBody<ArticleUpdate>,
    ) -> Result<Json<Article>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let mut e = Vec::new();
        validate(
            &mut e,
            b.title.as_deref(),
            b.content.as_deref(),
            b.category.as_deref(),
            b.tags.as_deref(),
            b.language.as_deref(),
            b.metadata.as_ref().map(|m| m.to_value()).as_ref(),
        );
        fail_if(e)?;
        let id = article_id.0;
        let a = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let cur = get_article(tx, id)?;
                check_company(tx, b.company_id)?;
                tx.execute(
                    "UPDATE cc_kb_articles SET company_id = ?2, title = ?3, content = ?4, category = ?5, tags = ?6,
                        is_public = ?7, language = ?8, metadata = ?9, updated_at = ?10 WHERE id = ?1",
                    params![
                        id,
                        b.company_id.or(cur.company_id),
                        b.title.as_deref().map(str::trim).unwrap_or(&cur.title),
                        b.content.unwrap_or(cur.content),
                        b.category.or(cur.category),
                        serde_json::to_string(&b.tags.map(|t| clean_tags(&t)).unwrap_or(cur.tags))?,
                        b.is_public.unwrap_or(cur.is_public),
                        b.language.map(|l| l.to_lowercase()).unwrap_or(cur.language.clone()),
                        b.metadata.map(crate::model::JsonObject::into_value).unwrap_or(cur.metadata).to_string(),
                        iso(now())
                    ],
                )?;
                w.audit(SLUG, "kb_article.update", "kb_article", &id.to_string(), json!({}))?;
                let a = get_article(tx, id)?;
                stage(w, &a, Some(&cur.language))?;
                Ok(a)
            })
            .await?;
        Ok(Json(a))
    }

    /// Delete an article.
    #[oai(path = "/api/v1/knowledge/:article_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        article_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = article_id.0;
        write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            let a = get_article(tx, id)?;
            tx.execute("DELETE FROM cc_kb_articles WHERE id = ?1", [id])?;
            kb_search::unstage(w, "article", id, &a.language)?;
            w.audit(
                SLUG,
                "kb_article.delete",
                "kb_article",
                &id.to_string(),
                json!({}),
            )
            .map(drop)
        })
        .await?;
        Ok(Deleted::NoContent)
    }
}
