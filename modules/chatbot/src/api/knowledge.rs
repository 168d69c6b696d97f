//! Extension: the tenant's knowledge articles the bot answers from.

use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, Platform};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use serde_json::{json, Value};

use super::*;
use crate::access::caller;
use crate::knowledge;
use crate::service::pagination;

pub struct KnowledgeApi {
    pub platform: Platform,
}

fn require_editor(who: &crate::access::Caller) -> ApiResult<()> {
    if who.is_tenant_admin() || who.role == "api_key" {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Managing knowledge articles needs the tenant admin role or an API key",
        ))
    }
}

#[OpenApi]
impl KnowledgeApi {
    /// Extension: add a knowledge article (`title`, `body`, optional `tags`).
    /// It is indexed at once; when no intent reaches the confidence threshold,
    /// the bot answers with the best-matching article if it covers at least
    /// `chatbot.knowledge_threshold` (default 0.5) of the message's words.
    #[oai(
        path = "/knowledge/articles",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn create_article(
        &self,
        req: &Request,
        meta: RequestMeta,
        body: Json<Value>,
    ) -> Result<Created> {
        let who = caller(&self.platform, req, None).await?;
        require_editor(&who)?;
        let (title, text, tags) = knowledge::validate(body_obj(&body)?)?;
        let data = self
            .platform
            .db
            .write(move |tx| {
                let a = knowledge::insert(tx, &who.tenant_id, &title, &text, &tags)?;
                audit_in(
                    tx,
                    &who,
                    &meta,
                    "knowledge.article.create",
                    "article",
                    a["article_id"].as_str().unwrap_or_default(),
                    json!({"title": title}),
                )?;
                Ok(a)
            })
            .await?;
        Ok(Created::Ok(ok(data)))
    }

    /// Extension: the tenant's knowledge articles, newest first; with `q`, ranked
    /// by the search index (BM25, title boosted) with `<em>` highlights and the
    /// share of the query each article covers.
    #[oai(
        path = "/knowledge/articles",
        method = "get",
        tag = "ApiTags::Extensions"
    )]
    async fn list_articles(
        &self,
        req: &Request,
        q: Query<Option<String>>,
        page: Query<Option<u32>>,
        limit: Query<Option<u32>>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let (page, limit) = pagination(
            page.0,
            limit.0,
            self.platform.settings.max_page_size.min(100),
        )?;
        let (articles, total) = match q.0.filter(|s| !s.trim().is_empty()) {
            Some(q) => {
                knowledge::search(
                    &self.platform,
                    &who.tenant_id,
                    &q,
                    page as usize,
                    limit as usize,
                )
                .await?
            }
            None => {
                let offset = (page as i64 - 1) * limit as i64;
                let tenant = who.tenant_id.clone();
                self.platform
                    .db
                    .read(move |c| knowledge::list(c, &tenant, offset, limit as i64))
                    .await?
            }
        };
        Ok(ok(json!({
            "articles": articles,
            "pagination": {"total": total, "page": page, "page_size": limit, "has_next": (page as i64) * (limit as i64) < total}
        })))
    }

    /// Extension: delete a knowledge article (and its index entry).
    #[oai(
        path = "/knowledge/articles/:id",
        method = "delete",
        tag = "ApiTags::Extensions"
    )]
    async fn delete_article(
        &self,
        req: &Request,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        require_editor(&who)?;
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                knowledge::delete(tx, &who.tenant_id, &id)?;
                audit_in(
                    tx,
                    &who,
                    &meta,
                    "knowledge.article.delete",
                    "article",
                    &id,
                    json!({}),
                )?;
                Ok(json!({"article_id": id, "deleted": true}))
            })
            .await?;
        Ok(ok(data))
    }
}
