//! The SQL of the knowledge search: what its indexes are rebuilt from.

use frontline_platform::ApiResult;
use rusqlite::Connection;

use crate::model::kb_search::Entry;

/// Calls `f` with every article and document (a document's title is its
/// description, or its file name), in table order.
pub fn each_entry(
    conn: &Connection,
    mut f: impl FnMut(Entry<'_>) -> ApiResult<()>,
) -> ApiResult<()> {
    let mut stmt = conn.prepare(
        "SELECT 'article', id, company_id, title, content, category, tags, is_public, language FROM cc_kb_articles
         UNION ALL
         SELECT 'document', id, company_id, COALESCE(description, filename), text_content, category, tags, 0, language
         FROM cc_documents",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let kind: String = r.get(0)?;
        let language: String = r.get(8)?;
        let tags: String = r.get(6)?;
        let tags: Vec<String> = serde_json::from_str(&tags).unwrap_or_default();
        let title: String = r.get(3)?;
        let content: String = r.get(4)?;
        let category: Option<String> = r.get(5)?;
        f(Entry {
            kind: &kind,
            id: r.get(1)?,
            company_id: r.get(2)?,
            title: &title,
            content: &content,
            category: category.as_deref(),
            tags: &tags,
            is_public: r.get(7)?,
            language: &language,
        })?;
    }
    Ok(())
}
