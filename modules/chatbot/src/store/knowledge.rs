//! SQL of knowledge articles (knowledge.rs holds the rules and the search
//! index documents).

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use crate::model::KnowledgeArticle;

/// An article's tags from their stored JSON (a list, or one string).
pub(crate) fn tags_of(v: &Value) -> Vec<String> {
    if let Some(one) = v.as_str() {
        return vec![one.to_string()];
    }
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn row_json(r: &rusqlite::Row) -> rusqlite::Result<KnowledgeArticle> {
    Ok(KnowledgeArticle {
        article_id: r.get("id")?,
        title: r.get("title")?,
        body: r.get("body")?,
        tags: tags_of(
            &serde_json::from_str::<Value>(&r.get::<_, String>("tags")?).unwrap_or(json!([])),
        ),
        created_at: Some(r.get("created_at")?),
        updated_at: Some(r.get("updated_at")?),
        score: None,
        coverage: None,
        matched_fields: None,
        highlights: None,
    })
}

/// Calls `each(id, tenant, title, body, tags)` for every stored article.
pub(crate) fn each_article(
    c: &Connection,
    mut each: impl FnMut(&str, &str, &str, &str, &Value) -> ApiResult<()>,
) -> ApiResult<()> {
    let mut st = c.prepare("SELECT id, tenant_id, title, body, tags FROM chatbot_articles")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let tags: Value = serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or(json!([]));
        each(
            &r.get::<_, String>(0)?,
            &r.get::<_, String>(1)?,
            &r.get::<_, String>(2)?,
            &r.get::<_, String>(3)?,
            &tags,
        )?;
    }
    Ok(())
}

/// Stores a new article.
pub(crate) fn insert(
    tx: &Connection,
    id: &str,
    tenant: &str,
    title: &str,
    body: &str,
    tags: &Value,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_articles (id, tenant_id, title, body, tags, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![id, tenant, title, body, tags.to_string(), now],
    )?;
    Ok(())
}

/// One article of the tenant.
pub(crate) fn get(c: &Connection, tenant: &str, id: &str) -> ApiResult<Option<KnowledgeArticle>> {
    Ok(c.query_row(
        "SELECT * FROM chatbot_articles WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id],
        row_json,
    )
    .optional()?)
}

/// Deletes an article of the tenant.
pub(crate) fn delete(tx: &Connection, tenant: &str, id: &str) -> ApiResult<()> {
    tx.execute(
        "DELETE FROM chatbot_articles WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id],
    )?;
    Ok(())
}

/// The tenant's articles, newest first, and their total.
pub(crate) fn list(
    c: &Connection,
    tenant: &str,
    offset: i64,
    limit: i64,
) -> ApiResult<(Vec<KnowledgeArticle>, i64)> {
    let total: i64 = c.query_row(
        "SELECT COUNT(*) FROM chatbot_articles WHERE tenant_id = ?1",
        params![tenant],
        |r| r.get(0),
    )?;
    let mut st = c.prepare(
        "SELECT * FROM chatbot_articles WHERE tenant_id = ?1 ORDER BY updated_at DESC, id LIMIT ?2 OFFSET ?3",
    )?;
    let rows = st
        .query_map(params![tenant, limit, offset], row_json)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total))
}
