//! Extension: the tenant's knowledge articles the bot answers from.

use frontline_platform::http::RequestMeta;
use frontline_platform::Platform;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::auth::*;
use super::*;
use crate::model::*;
use crate::service::knowledge as articles;
use crate::service::pagination;

pub struct KnowledgeApi {
    pub platform: Platform,
}

#[OpenApi]
impl KnowledgeApi {
    /// Extension: add a knowledge article (`title`, `body`, optional `tags`).
    /// It is indexed at once; when no intent reaches the confidence threshold,
    /// the bot answers with the best-matching article if it covers at least
    /// `chatbot.knowledge_threshold` (default 0.5) of the message's words.
    /// Tenant admins and API keys.
    #[oai(
        path = "/knowledge/articles",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn create_article(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::KnowledgeCreate>,
        meta: RequestMeta,
        body: JsonBody<CreateArticleRequest>,
    ) -> Result<CreatedResponse<KnowledgeArticle>> {
        let who = who.0;
        let body = body.0;
        crate::knowledge::validate(&body)?;
        let a = self
            .platform
            .db
            .write(move |tx| articles::create(&who.writing(tx, &meta), &who, &body))
            .await?;
        Ok(CreatedResponse::new(a))
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
        #[oai(name = "X-Tenant-ID")] who: Member<ops::KnowledgeList>,
        q: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "4294967295")))] page: Query<
            Option<u32>,
        >,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u32>>,
    ) -> Result<Json<Envelope<ArticleList>>> {
        let who = who.0;
        let (page, limit) = pagination(
            page.0,
            limit.0,
            self.platform.settings.max_page_size.min(100),
        )?;
        if let Some(text) = q.0.as_deref() {
            frontline_platform::search::check_text("q", text)?;
        }
        let list = articles::list(&self.platform, &who.tenant_id, q.0, page, limit).await?;
        Ok(Json(Envelope::success(list)))
    }

    /// Extension: delete a knowledge article (and its index entry).
    #[oai(
        path = "/knowledge/articles/:id",
        method = "delete",
        tag = "ApiTags::Extensions"
    )]
    async fn delete_article(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::KnowledgeDelete>,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Json<Envelope<ArticleDeleted>>> {
        let who = who.0;
        let id = id.0;
        let d = self
            .platform
            .db
            .write(move |tx| articles::delete(&who.writing(tx, &meta), &who, &id))
            .await?;
        Ok(Json(Envelope::success(d)))
    }
}
