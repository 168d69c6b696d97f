//! Knowledge articles: stored per tenant, indexed in the platform search index
//! `chatbot.articles` (title boosted over body), and consulted by the bot when
//! no intent is confident enough.

use crate::errors::ChatbotError;
use frontline_platform::auth::now_iso;
use frontline_platform::search::{self, IndexSchema, SearchIndex, SearchQuery};
use frontline_platform::{ApiError, ApiResult, FieldError, Platform};
use rusqlite::Connection;
use serde_json::{json, Value};

use crate::model::{CreateArticleRequest, KnowledgeArticle};
use crate::store::knowledge::{self as store, tags_of};

pub const INDEX: &str = "chatbot.articles";

/// The best article for a message, with the share of its words it matched.
#[derive(Debug, Clone)]
pub struct ArticleHit {
    pub id: String,
    pub title: String,
    pub body: String,
    /// Share of the message's words the article matched (0..1).
    pub coverage: f64,
}

pub fn index(p: &Platform) -> ApiResult<SearchIndex> {
    p.search.index(
        IndexSchema::new(INDEX)
            .text("title", 3.0)
            .text("body", 1.0)
            .keyword("tenant")
            .keywords("tags"),
    )
}

fn doc(tenant: &str, title: &str, body: &str, tags: &Value) -> Value {
    json!({"title": title, "body": body, "tenant": tenant, "tags": tags})
}

/// `frontline reindex` and a fresh data dir: rebuilds the index from the table.
pub fn reindex(p: &Platform) -> ApiResult<u64> {
    let idx = index(p)?;
    p.search.rebuild_blocking(&idx, |conn, out| {
        store::each_article(conn, |id, tenant, title, body, tags| {
            out.add(id, &doc(tenant, title, body, tags))?;
            Ok(())
        })
    })
}

/// A validated new article: (title, body, tags); one detail per bad field.
pub fn validate(req: &CreateArticleRequest) -> ApiResult<(String, String, Vec<String>)> {
    let mut errs = vec![];
    let title = req.title.trim().to_string();
    let text = req.body.trim().to_string();
    if title.is_empty() || title.chars().count() > 200 {
        errs.push(FieldError::new(
            "title",
            "title is required (at most 200 characters)",
        ));
    }
    if text.is_empty() || text.chars().count() > 20_000 {
        errs.push(FieldError::new(
            "body",
            "body is required (at most 20000 characters)",
        ));
    }
    let tags: Vec<String> = req
        .tags
        .iter()
        .flatten()
        .map(|t| t.trim().to_string())
        .collect();
    if tags.len() > 20 || tags.iter().any(|s| s.is_empty() || s.chars().count() > 50) {
        errs.push(FieldError::new(
            "tags",
            "tags must be a list of up to 20 short strings",
        ));
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    Ok((title, text, tags))
}

/// Stores an article and stages its index document in the same transaction.
pub fn insert(
    tx: &Connection,
    tenant: &str,
    title: &str,
    body: &str,
    tags: &Value,
) -> ApiResult<KnowledgeArticle> {
    let id = format!("article_{}", uuid::Uuid::new_v4().simple());
    let now = now_iso();
    store::insert(tx, &id, tenant, title, body, tags, &now)?;
    search::stage_upsert(tx, INDEX, &id, &doc(tenant, title, body, tags))?;
    get(tx, tenant, &id)
}

/// One article of the tenant (404 for anyone else's).
pub fn get(c: &Connection, tenant: &str, id: &str) -> ApiResult<KnowledgeArticle> {
    store::get(c, tenant, id)?
        .ok_or_else(|| ChatbotError::ArticleNotFound.with_message("Article not found"))
}

/// Deletes an article of the tenant and its index document.
pub fn delete(tx: &Connection, tenant: &str, id: &str) -> ApiResult<()> {
    get(tx, tenant, id)?;
    store::delete(tx, tenant, id)?;
    search::stage_delete(tx, INDEX, id)?;
    Ok(())
}

/// The tenant's articles, newest first, and their total.
pub fn list(
    c: &Connection,
    tenant: &str,
    offset: i64,
    limit: i64,
) -> ApiResult<(Vec<KnowledgeArticle>, i64)> {
    store::list(c, tenant, offset, limit)
}

/// Ranked search over the tenant's articles with highlights.
pub async fn search(
    p: &Platform,
    tenant: &str,
    q: &str,
    page: usize,
    per_page: usize,
) -> ApiResult<(Vec<KnowledgeArticle>, i64)> {
    let idx = index(p)?;
    let res = p
        .search
        .query(
            &idx,
            SearchQuery::new(q)
                .filter("tenant", tenant)
                .page(page, per_page),
        )
        .await?;
    let hits = res
        .hits
        .into_iter()
        .map(|h| {
            let text = |f: &str| {
                h.fields
                    .get(f)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            KnowledgeArticle {
                title: text("title"),
                body: text("body"),
                tags: h.fields.get("tags").map(tags_of).unwrap_or_default(),
                created_at: None,
                updated_at: None,
                score: Some((h.normalized_score as f64 * 1000.0).round() / 1000.0),
                coverage: Some((h.coverage as f64 * 1000.0).round() / 1000.0),
                matched_fields: Some(h.matched_fields),
                highlights: Some(h.highlights),
                article_id: h.id,
            }
        })
        .collect();
    Ok((hits, res.total as i64))
}

/// The best article for `text` in the tenant's knowledge base, if any matched.
pub async fn best(p: &Platform, tenant: &str, text: &str) -> ApiResult<Option<ArticleHit>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let idx = index(p)?;
    let res = p
        .search
        .query(
            &idx,
            SearchQuery::new(text).filter("tenant", tenant).limit(1),
        )
        .await?;
    Ok(res.hits.into_iter().next().map(|h| ArticleHit {
        title: h
            .fields
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        body: h
            .fields
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        coverage: h.coverage as f64,
        id: h.id,
    }))
}
