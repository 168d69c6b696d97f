//! Knowledge search on the platform search service: one index per language
//! (its own stemmer and stop words) holding articles and uploaded documents'
//! text, kept in step through the search outbox in each write transaction.

use frontline_platform::search::{IndexSchema, Language, SearchIndex, SearchQuery};
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, Platform};
use serde_json::{json, Value};

pub use crate::model::kb_search::Entry;
use crate::model::kb_search::*;
use crate::store::kb_search as store;

/// Languages with their own stemmer; any other code is indexed with English rules.
pub const LANGUAGES: &[(&str, Language)] = &[
    ("en", Language::English),
    ("es", Language::Spanish),
    ("fr", Language::French),
    ("de", Language::German),
    ("pt", Language::Portuguese),
    ("it", Language::Italian),
    ("nl", Language::Dutch),
];

/// The index code of a language tag (`pt-BR` → `pt`; unknown → `en`).
pub fn lang_code(lang: &str) -> &'static str {
    let base = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|(c, _)| *c == base)
        .map(|(c, _)| *c)
        .unwrap_or("en")
}

pub fn index_name(lang: &str) -> String {
    format!("contact-center.kb.{}", lang_code(lang))
}

/// Declares (or returns) the index of `lang`.
pub fn kb_index(p: &Platform, lang: &str) -> ApiResult<SearchIndex> {
    let code = lang_code(lang);
    let language = LANGUAGES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or(Language::English);
    p.search.index(
        IndexSchema::new(index_name(code))
            .language(language)
            .text("title", 3.0)
            .text("tags", 2.0)
            .text("content", 1.0)
            .keyword("company")
            .keyword("category")
            .keyword("public")
            .keyword("kind")
            .keyword("lang"),
    )
}

/// Declares every language index (at build; file I/O).
pub fn declare_all(p: &Platform) {
    for (code, _) in LANGUAGES {
        if let Err(e) = kb_index(p, code) {
            tracing::error!(error = %e, index = %index_name(code), "knowledge index unavailable");
        }
    }
}

fn doc_id(kind: &str, id: i64) -> String {
    format!("{}{id}", if kind == "document" { "d" } else { "a" })
}

fn doc_json(e: &Entry) -> Value {
    json!({
        "title": e.title,
        "content": e.content,
        "tags": e.tags.join(" "),
        "company": e.company_id.map(|c| c.to_string()).unwrap_or_else(|| "none".into()),
        "category": e.category.unwrap_or(""),
        "public": if e.is_public { "true" } else { "false" },
        "kind": e.kind,
        "lang": e.language,
    })
}

/// Stages an entry in its language index (inside the write transaction);
/// `old_language` removes it from the index it was in.
pub fn stage(w: &WriteCtx<'_>, e: &Entry, old_language: Option<&str>) -> ApiResult<()> {
    if let Some(old) = old_language {
        if lang_code(old) != lang_code(e.language) {
            w.stage_delete(index_name(old), &doc_id(e.kind, e.id))?;
        }
    }
    w.stage_upsert(index_name(e.language), &doc_id(e.kind, e.id), &doc_json(e))
}

/// Removes an entry from its index (inside the write transaction).
pub fn unstage(w: &WriteCtx<'_>, kind: &str, id: i64, language: &str) -> ApiResult<()> {
    w.stage_delete(index_name(language), &doc_id(kind, id))
}

/// Rebuilds every language index from articles and documents.
pub fn rebuild(p: &Platform) -> ApiResult<u64> {
    let mut total = 0;
    for (code, _) in LANGUAGES {
        let idx = kb_index(p, code)?;
        total += p.search.rebuild_blocking(&idx, |conn, out| {
            store::each_entry(conn, |e| {
                if lang_code(e.language) != *code {
                    return Ok(());
                }
                out.add(&doc_id(e.kind, e.id), &doc_json(&e))
            })
        })?;
    }
    Ok(total)
}

fn first_chars(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Runs a knowledge search; `internal` callers also see non-public articles.
pub async fn run(p: &Platform, req: &SearchRequest, internal: bool) -> ApiResult<Vec<SearchHit>> {
    let limit = req.limit.unwrap_or(5);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 50"));
    }
    let min = req.min_score.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&min) {
        return Err(ApiError::invalid("min_score", "must be between 0 and 1"));
    }
    if req.query.trim().is_empty() {
        return Err(ApiError::invalid("query", "must not be empty"));
    }
    // At most 512 characters and 32 words (the platform's search limits).
    frontline_platform::search::check_text("query", &req.query)?;
    let codes: Vec<&str> = match &req.language {
        Some(l) => vec![lang_code(l)],
        None => LANGUAGES.iter().map(|(c, _)| *c).collect(),
    };
    let mut hits = Vec::new();
    for code in codes {
        let p2 = p.clone();
        let idx = tokio::task::spawn_blocking(move || kb_index(&p2, code))
            .await
            .map_err(|_| ApiError::internal("search task failed"))??;
        let mut q = SearchQuery::new(req.query.clone()).limit((limit as usize) * 3);
        if let Some(c) = req.company_id {
            q = q.filter("company", c.to_string());
        }
        if let Some(c) = &req.category {
            q = q.filter("category", c.clone());
        }
        if let Some(l) = &req.language {
            q = q.filter("lang", l.to_lowercase());
        }
        if !internal {
            // Public articles only: documents are staff data (entries indexed
            // before documents were staged as non-public are left out too).
            q = q.filter("public", "true").filter("kind", "article");
        }
        if req.include_documents == Some(false) {
            q = q.filter("kind", "article");
        }
        let res = p.search.query(&idx, q).await?;
        for h in res.hits {
            let f = |k: &str| {
                h.fields
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let id: i64 = h.id[1..].parse().unwrap_or(0);
            let score =
                (h.content_coverage as f64 * (0.5 + 0.5 * h.normalized_score as f64) * 10_000.0)
                    .round()
                    / 10_000.0;
            if score < min {
                continue;
            }
            let category = f("category");
            hits.push(SearchHit {
                id,
                title: f("title"),
                content: first_chars(&f("content"), 500),
                score,
                category: (!category.is_empty()).then_some(category),
                source: f("kind"),
                language: f("lang"),
                highlight: h
                    .highlights
                    .get("content")
                    .or_else(|| h.highlights.get("title"))
                    .cloned(),
                matched_fields: h.matched_fields.clone(),
            });
        }
    }
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    hits.truncate(limit as usize);
    Ok(hits)
}
