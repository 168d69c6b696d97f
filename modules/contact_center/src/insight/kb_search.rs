//! Knowledge search's handler: it checks the caller, then runs the search
//! (`service::kb_search`; types in `model::kb_search`).

use frontline_platform::body::JsonBody;
use frontline_platform::{BearerAuth, Platform};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::{require_operator, Result, Tag};
use crate::model::kb_search::*;
use crate::service::kb_search as service;

pub use crate::service::kb_search::rebuild;

pub struct KnowledgeSearchApi {
    platform: Platform,
}

impl KnowledgeSearchApi {
    pub fn new(platform: &Platform) -> Self {
        service::declare_all(platform);
        KnowledgeSearchApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::KnowledgeBase")]
impl KnowledgeSearchApi {
    /// Search articles and uploaded documents, best first. This is keyword
    /// search, not embeddings: ranked by the search index (BM25, title and
    /// tags boosted), tolerant to typos and word forms (per-language
    /// stemming); no model is called. `score` is 0..1. Filters:
    /// `company_id`, `language`, `category`; `min_score` drops weak hits.
    /// Callers with only the `user` role see public articles only (never
    /// internal articles nor uploaded documents).
    #[oai(path = "/api/v1/knowledge/search", method = "post")]
    async fn search(
        &self,
        auth: BearerAuth,
        body: JsonBody<SearchRequest>,
    ) -> Result<Json<Vec<SearchHit>>> {
        let internal = require_operator(&auth.0).is_ok();
        Ok(Json(service::run(&self.platform, &body.0, internal).await?))
    }
}
