//! Routing rules' handlers: each checks the caller, then runs one service
//! call (in one transaction for writes). Rules are in `service::routing`,
//! SQL in `store::routing`, types in `model::routing_rules`.

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::{
    listed, require_manager, require_operator, window, Created, Deleted, Listed, Result, Tag,
};
use crate::model::routing_rules::*;
use crate::service::routing as service;

pub use crate::service::routing::{evaluate, record_choice, route_call};

pub struct RoutingApi {
    platform: Platform,
}

impl RoutingApi {
    pub fn new(platform: &Platform) -> Self {
        RoutingApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::RoutingRules")]
impl RoutingApi {
    /// List routing rules by priority (highest first); filter by `is_active`
    /// and `priority_min`.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/routing/rules", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        is_active: Query<Option<bool>>,
        priority_min: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<RoutingRule>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let (active, min) = (is_active.0, priority_min.0);
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::list(c, active, min, &w))
            .await?;
        Ok(listed(items, &w, "/api/routing/rules", total))
    }

    /// Create a routing rule.
    #[oai(path = "/api/routing/rules", method = "post")]
    async fn create(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<RoutingRuleCreate>,
    ) -> Result<Created<RoutingRule>> {
        require_manager(&auth.0)?;
        let b = body.0;
        service::check_create(&b)?;
        let by = auth.0.clone();
        let rule = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::create(w, &by, b)
        })
        .await?;
        Ok(Created::Created(Json(rule)))
    }

    /// Get a routing rule.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/routing/rules/:rule_id", method = "get")]
    async fn get(&self, auth: BearerAuth, rule_id: Path<i64>) -> Result<Json<RoutingRule>> {
        require_operator(&auth.0)?;
        let id = rule_id.0;
        Ok(Json(
            self.platform.db.read(move |c| service::get(c, id)).await?,
        ))
    }

    /// Update a routing rule.
    #[oai(path = "/api/routing/rules/:rule_id", method = "put")]
    async fn update(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        rule_id: Path<i64>,
        body: JsonBody<RoutingRuleUpdate>,
    ) -> Result<Json<RoutingRule>> {
        require_manager(&auth.0)?;
        let b = body.0;
        service::check_update(&b)?;
        let id = rule_id.0;
        let rule = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::update(w, id, b)
        })
        .await?;
        Ok(Json(rule))
    }

    /// Delete a routing rule.
    #[oai(path = "/api/routing/rules/:rule_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        rule_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = rule_id.0;
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::delete(w, id)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Extension: route a call. Active rules are tested by priority (highest
    /// first); the first whose conditions hold picks one of its available
    /// targets by weight, or returns its fallback action when none is available.
    #[oai(
        path = "/api/routing/evaluate",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn evaluate(
        &self,
        auth: BearerAuth,
        body: JsonBody<EvaluateRequest>,
    ) -> Result<Json<RoutingDecision>> {
        require_operator(&auth.0)?;
        let b = body.0;
        let attributes = b.attributes.into_value();
        let d = self
            .platform
            .db
            .read(move |c| {
                service::evaluate_with(c, &attributes, &b.unavailable_targets, b.call_id.as_deref())
            })
            .await?;
        Ok(Json(d))
    }
}
