//! The scenarios' search index on the platform search service: its
//! declaration (field boosts), the staged writes that keep it in step with
//! the database (always inside the transaction of the change) and the
//! reindex hook.

use frontline_platform::search::{self, IndexSchema, SearchIndex};
use frontline_platform::{ApiResult, Platform};
use rusqlite::Connection;
use serde_json::{json, Value};

use crate::store::{self, Scenario};

pub const INDEX: &str = "training.scenarios";

/// Name counts most, then tags, the description, the category, and the
/// customer profile and context last.
pub fn schema() -> IndexSchema {
    IndexSchema::new(INDEX)
        .text("name", 4.0)
        .text("tags", 2.5)
        .text("description", 1.5)
        .text("category", 1.2)
        .text("customerProfile", 0.8)
        .text("context", 0.8)
        .keyword("categoryKey")
        .keyword("difficulty")
        .keyword("status")
        .keyword("createdBy")
        .keyword("tenantId")
        .keyword("isPrivate")
        .keywords("visibleTo")
        .keywords("tagList")
        .float("rating")
        .integer("usageCount")
        .integer("createdAt")
        .integer("updatedAt")
}

/// The (cached) index handle.
pub fn index(p: &Platform) -> ApiResult<SearchIndex> {
    p.search.index(schema())
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn join_texts(obj: Option<&Value>, keys: &[&str]) -> String {
    let mut out: Vec<String> = Vec::new();
    let Some(o) = obj else {
        return String::new();
    };
    for k in keys {
        match o.get(*k) {
            Some(Value::String(s)) if !s.is_empty() => out.push(s.clone()),
            Some(Value::Array(a)) => {
                out.extend(a.iter().filter_map(Value::as_str).map(String::from))
            }
            _ => {}
        }
    }
    out.join(". ")
}

/// `BILLING_PAYMENTS` -> `billing payments`.
pub fn category_words(c: &str) -> String {
    c.to_lowercase().replace('_', " ")
}

/// What the index holds for one scenario.
pub fn document(s: &Scenario) -> Value {
    let tags = strings(s.doc.get("tags"));
    json!({
        "name": s.name,
        "tags": tags.join(", "),
        "tagList": tags,
        "description": s.doc.get("description").and_then(Value::as_str).unwrap_or_default(),
        "category": category_words(&s.category),
        "customerProfile": join_texts(s.doc.get("customerProfile"),
            &["name", "personality", "speakingStyle", "backgroundStory"]),
        "context": join_texts(s.doc.get("context"),
            &["companyName", "industry", "productService", "issue"]),
        "categoryKey": s.category,
        "difficulty": s.difficulty,
        "status": s.status,
        "createdBy": s.created_by,
        "tenantId": s.tenant_id.clone().unwrap_or_default(),
        "isPrivate": if s.is_private { "true" } else { "false" },
        "visibleTo": if s.is_private { s.created_by.clone() } else { "public".to_string() },
        "rating": s.rating,
        "usageCount": s.usage_count,
        "createdAt": s.created_at,
        "updatedAt": s.updated_at,
    })
}

/// Stages the current row of scenario `id` (or its removal when gone) in
/// `tx`, the transaction of the change.
pub fn stage(tx: &Connection, id: &str) -> ApiResult<()> {
    match store::find(tx, id)? {
        Some(s) => search::stage_upsert(tx, INDEX, &s.id, &document(&s)),
        None => search::stage_delete(tx, INDEX, id),
    }
}

/// `frontline reindex` and fresh data dirs: rebuilds the index from the table.
pub fn reindex(p: &Platform) -> ApiResult<u64> {
    let idx = index(p)?;
    p.search.rebuild_blocking(&idx, |conn, out| {
        store::for_each(conn, |s| out.add(&s.id, &document(&s)))
    })
}
