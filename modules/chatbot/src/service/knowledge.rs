//! Knowledge articles (extension): who may manage them, creation and deletion
//! with their audit entries, listing and ranked search.

use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiResult, Platform};
use serde_json::json;

use crate::access::Caller;
use crate::knowledge;
use crate::model::*;

/// Stores and indexes an article.
pub(crate) fn create(
    w: &WriteCtx,
    who: &Caller,
    req: &CreateArticleRequest,
) -> ApiResult<KnowledgeArticle> {
    let tx = w.tx();
    let (title, text, tags) = knowledge::validate(req)?;
    let a = knowledge::insert(tx, &who.tenant_id, &title, &text, &json!(tags))?;
    w.audit(
        crate::SLUG,
        "knowledge.article.create",
        "article",
        &a.article_id,
        json!({"title": title}),
    )?;
    Ok(a)
}

/// Removes an article and its index entry.
pub(crate) fn delete(w: &WriteCtx, who: &Caller, id: &str) -> ApiResult<ArticleDeleted> {
    let tx = w.tx();
    knowledge::delete(tx, &who.tenant_id, id)?;
    w.audit(
        crate::SLUG,
        "knowledge.article.delete",
        "article",
        id,
        json!({}),
    )?;
    Ok(ArticleDeleted {
        article_id: id.to_string(),
        deleted: true,
    })
}

/// A page of the tenant's articles: newest first, or ranked by the index for `q`.
pub(crate) async fn list(
    platform: &Platform,
    tenant: &str,
    q: Option<String>,
    page: u32,
    limit: u32,
) -> ApiResult<ArticleList> {
    let (articles, total) = match q.filter(|s| !s.trim().is_empty()) {
        Some(q) => knowledge::search(platform, tenant, &q, page as usize, limit as usize).await?,
        None => {
            let offset = (i64::from(page) - 1) * i64::from(limit);
            let tenant = tenant.to_string();
            platform
                .db
                .read(move |c| knowledge::list(c, &tenant, offset, i64::from(limit)))
                .await?
        }
    };
    Ok(ArticleList {
        articles,
        pagination: AdminPagination::new(total, page, limit),
    })
}
