//! Knowledge base rules: field checks, tag cleaning, search staging, and the
//! articles' operations (each write in the handler's transaction, audited there).

use frontline_platform::auth::Principal;
use frontline_platform::page::Window;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::{json, Value};

use crate::insight::{check_text, fail_if, iso, not_found, now};
use crate::model::knowledge::*;
use crate::service::kb_search;
use crate::store::knowledge as store;
use crate::SLUG;

pub use crate::store::knowledge::ArticleFilter;

pub fn validate(
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
        if !store::company_exists(c, id)? {
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

/// One page of articles (plain users: public ones only).
pub fn list(c: &Connection, p: &ArticleFilter, w: &Window) -> ApiResult<(Vec<Article>, u64)> {
    store::list(c, p, w)
}

/// Article `id`; an internal one does not exist for a plain user.
pub fn get(c: &Connection, id: i64, staff: bool) -> ApiResult<Article> {
    let a = store::get_article(c, id)?;
    if !a.is_public && !staff {
        return Err(not_found("Article", id));
    }
    Ok(a)
}

/// Checks a new article's fields (every problem at once).
pub fn check_create(b: &ArticleCreate) -> ApiResult<()> {
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
    fail_if(e)
}

/// Creates a checked article; audited and staged for search.
pub fn create(w: &WriteCtx<'_>, by: &Principal, b: ArticleCreate) -> ApiResult<Article> {
    let tx = w.tx();
    check_company(tx, b.company_id)?;
    let language = b.language.unwrap_or_else(|| "en".into()).to_lowercase();
    let metadata: Value = b
        .metadata
        .map(crate::model::JsonObject::into_value)
        .unwrap_or(json!({}));
    let id = store::insert(
        tx,
        &store::ArticleFields {
            company_id: b.company_id,
            title: b.title.trim(),
            content: &b.content,
            category: b.category.as_deref().map(str::trim),
            tags: &clean_tags(&b.tags),
            is_public: b.is_public.unwrap_or(true),
            language: &language,
            metadata: &metadata,
            at: &iso(now()),
        },
        by.seq,
    )?;
    w.audit(
        SLUG,
        "kb_article.create",
        "kb_article",
        &id.to_string(),
        json!({}),
    )?;
    let a = store::get_article(tx, id)?;
    stage(w, &a, None)?;
    Ok(a)
}

/// Checks an update's fields (every problem at once).
pub fn check_update(b: &ArticleUpdate) -> ApiResult<()> {
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
    fail_if(e)
}

/// Applies a checked update to article `id`; audited and re-staged.
pub fn update(w: &WriteCtx<'_>, id: i64, b: ArticleUpdate) -> ApiResult<Article> {
    let tx = w.tx();
    let cur = store::get_article(tx, id)?;
    check_company(tx, b.company_id)?;
    let content = b.content.unwrap_or(cur.content.clone());
    let category = b.category.or(cur.category.clone());
    let tags = b.tags.map(|t| clean_tags(&t)).unwrap_or(cur.tags.clone());
    let language = b
        .language
        .map(|l| l.to_lowercase())
        .unwrap_or(cur.language.clone());
    let metadata = b
        .metadata
        .map(crate::model::JsonObject::into_value)
        .unwrap_or(cur.metadata.clone());
    store::update(
        tx,
        id,
        &store::ArticleFields {
            company_id: b.company_id.or(cur.company_id),
            title: b.title.as_deref().map(str::trim).unwrap_or(&cur.title),
            content: &content,
            category: category.as_deref(),
            tags: &tags,
            is_public: b.is_public.unwrap_or(cur.is_public),
            language: &language,
            metadata: &metadata,
            at: &iso(now()),
        },
    )?;
    w.audit(
        SLUG,
        "kb_article.update",
        "kb_article",
        &id.to_string(),
        json!({}),
    )?;
    let a = store::get_article(tx, id)?;
    stage(w, &a, Some(&cur.language))?;
    Ok(a)
}

/// Deletes article `id` and its search entry; audited.
pub fn delete(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let tx = w.tx();
    let a = store::get_article(tx, id)?;
    store::delete(tx, id)?;
    kb_search::unstage(w, "article", id, &a.language)?;
    w.audit(
        SLUG,
        "kb_article.delete",
        "kb_article",
        &id.to_string(),
        json!({}),
    )
    .map(drop)
}
