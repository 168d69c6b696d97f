//! Knowledge base articles per company: categories, tags, language, public
//! flag and free-form metadata. Handlers only: rules in `service::knowledge`,
//! SQL in `store::knowledge`, types in `model::knowledge`.

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::{
    listed, require_manager, require_operator, window, Created, Deleted, Listed, Result, Tag,
};
use crate::model::knowledge::*;
use crate::service::knowledge as service;

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
        // Internal articles are for staff; plain users list public ones only.
        let p = service::ArticleFilter {
            company_id: company_id.0,
            category: category.0,
            language: language.0,
            is_public: is_public.0,
            tag: tag.0.map(|t| t.trim().to_lowercase()),
            staff: require_operator(&auth.0).is_ok(),
        };
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::list(c, &p, &w))
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
        service::check_create(&b)?;
        let by = auth.0.clone();
        let a = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::create(w, &by, b)
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
        Ok(Json(
            self.platform
                .db
                .read(move |c| service::get(c, id, staff))
                .await?,
        ))
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
        service::check_update(&b)?;
        let id = article_id.0;
        let a = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::update(w, id, b)
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
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::delete(w, id)
        })
        .await?;
        Ok(Deleted::NoContent)
    }
}
