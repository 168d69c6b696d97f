//! IVR flows' handlers: each checks the caller, then runs one service call
//! (in one transaction for writes). Rules are in `service::ivr`, SQL in
//! `store::ivr`, types in `model::ivr`.

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::{
    listed, require_manager, require_operator, window, Created, Deleted, Listed, Result, Tag,
};
use crate::model::ivr::*;
use crate::service::ivr as service;

pub use crate::service::ivr::expire_sessions;

pub struct IvrApi {
    platform: Platform,
}

impl IvrApi {
    pub fn new(platform: &Platform) -> Self {
        IvrApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::IvrFlows")]
impl IvrApi {
    /// List IVR flows (filter by `is_active`), newest first.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/ivr/flows", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        is_active: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<IvrFlowSummary>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let active = is_active.0;
        let (items, total) = self
            .platform
            .db
            .read(move |conn| service::list(conn, active, &w))
            .await?;
        Ok(listed(items, &w, "/api/ivr/flows", total))
    }

    /// Create an IVR flow. Nodes are validated as a graph: a start node, no
    /// dangling targets, every node reachable, no menu without options, no
    /// loop without an exit; each problem is reported per node (422).
    #[oai(path = "/api/ivr/flows", method = "post")]
    async fn create(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<IvrFlowCreate>,
    ) -> Result<Created<IvrFlow>> {
        require_manager(&auth.0)?;
        let b = body.0;
        service::check_create(&b)?;
        let by = auth.0.clone();
        let flow = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::create(w, &by, b)
        })
        .await?;
        Ok(Created::Created(Json(flow)))
    }

    /// Get an IVR flow with its full node tree (the working draft).
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/ivr/flows/:flow_id", method = "get")]
    async fn get(&self, auth: BearerAuth, flow_id: Path<i64>) -> Result<Json<IvrFlow>> {
        require_operator(&auth.0)?;
        let id = flow_id.0;
        Ok(Json(
            self.platform.db.read(move |c| service::get(c, id)).await?,
        ))
    }

    /// Update an IVR flow; `nodes` replaces the graph, which is validated as on create.
    /// Published versions are never changed.
    #[oai(path = "/api/ivr/flows/:flow_id", method = "put")]
    async fn update(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        flow_id: Path<i64>,
        body: JsonBody<IvrFlowUpdate>,
    ) -> Result<Json<IvrFlow>> {
        require_manager(&auth.0)?;
        let (id, b) = (flow_id.0, body.0);
        let flow = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::update(w, id, b)
        })
        .await?;
        Ok(Json(flow))
    }

    /// Delete an IVR flow with its versions and session history.
    #[oai(path = "/api/ivr/flows/:flow_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        flow_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = flow_id.0;
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::delete(w, id)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Publish the current graph as a new immutable, numbered version with notes.
    /// The graph must be valid and have at least one node.
    #[oai(path = "/api/ivr/flows/:flow_id/publish", method = "post")]
    async fn publish(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        flow_id: Path<i64>,
        body: JsonBody<PublishRequest>,
    ) -> Result<Created<IvrFlowVersion>> {
        require_manager(&auth.0)?;
        let id = flow_id.0;
        let notes = body.0.version_notes;
        service::check_notes(notes.as_deref())?;
        let by = auth.0.clone();
        let v = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::publish(w, &by, id, notes)
        })
        .await?;
        Ok(Created::Created(Json(v)))
    }

    /// Flow analytics over `period` (`24h`, `7d`, `4w`; default `7d`): sessions,
    /// average duration, completion rate, most used paths and drop-off points,
    /// computed from recorded sessions.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/ivr/flows/:flow_id/analytics", method = "get")]
    async fn analytics(
        &self,
        auth: BearerAuth,
        flow_id: Path<i64>,
        /// Hours, days or weeks back from now: `24h`, `7d`, `4w` (at most 366 days).
        period: Query<Option<crate::model::PeriodText>>,
    ) -> Result<Json<FlowAnalytics>> {
        require_operator(&auth.0)?;
        let id = flow_id.0;
        let period = period.0;
        let a = self
            .platform
            .db
            .read(move |c| service::analytics(c, id, period.as_deref()))
            .await?;
        Ok(Json(a))
    }

    /// Extension: the published versions of a flow, newest first.
    #[oai(
        path = "/api/ivr/flows/:flow_id/versions",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn versions(
        &self,
        auth: BearerAuth,
        flow_id: Path<i64>,
    ) -> Result<Json<Vec<IvrFlowVersion>>> {
        require_operator(&auth.0)?;
        let id = flow_id.0;
        Ok(Json(
            self.platform
                .db
                .read(move |c| service::versions(c, id))
                .await?,
        ))
    }

    /// Extension: one published version of a flow.
    #[oai(
        path = "/api/ivr/flows/:flow_id/versions/:version",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn version(
        &self,
        auth: BearerAuth,
        flow_id: Path<i64>,
        version: Path<i64>,
    ) -> Result<Json<IvrFlowVersion>> {
        require_operator(&auth.0)?;
        let (id, v) = (flow_id.0, version.0);
        Ok(Json(
            self.platform
                .db
                .read(move |c| service::version(c, id, v))
                .await?,
        ))
    }

    /// Extension: run a caller through a published version. The session starts
    /// at the start node, follows prompts, and applies `inputs` in order; it
    /// stays `in_progress` while it waits for input. Invalid keys count as
    /// retries (`failed` after the flow's `max_retries`). The recorded path
    /// feeds the flow analytics.
    #[oai(
        path = "/api/ivr/flows/:flow_id/sessions",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn start_session(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        flow_id: Path<i64>,
        body: JsonBody<SessionStart>,
    ) -> Result<Created<IvrSession>> {
        require_operator(&auth.0)?;
        let (id, b) = (flow_id.0, body.0);
        service::check_start(&b)?;
        let s = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::start_session(w, id, b)
        })
        .await?;
        Ok(Created::Created(Json(s)))
    }

    /// Extension: a session's state and path.
    #[oai(
        path = "/api/ivr/sessions/:session_id",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn get_session(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        session_id: Path<i64>,
    ) -> Result<Json<IvrSession>> {
        require_operator(&auth.0)?;
        let id = session_id.0;
        // Reading a session first ends the overdue ones (a write).
        let s = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::get_session(w, id)
        })
        .await?;
        Ok(Json(s))
    }

    /// Extension: apply one DTMF input to a running session.
    #[oai(
        path = "/api/ivr/sessions/:session_id/input",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn input(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        session_id: Path<i64>,
        body: JsonBody<SessionInput>,
    ) -> Result<Json<IvrSession>> {
        require_operator(&auth.0)?;
        let id = session_id.0;
        let key = body.0.dtmf;
        service::check_inputs(std::slice::from_ref(&key))?;
        Ok(Json(
            write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
                service::advance(w, id, Some(&key))
            })
            .await?,
        ))
    }

    /// Extension: the caller hung up; the session ends as `abandoned` where it is.
    #[oai(
        path = "/api/ivr/sessions/:session_id/hangup",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn hangup(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        session_id: Path<i64>,
    ) -> Result<Json<IvrSession>> {
        require_operator(&auth.0)?;
        let id = session_id.0;
        Ok(Json(
            write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
                service::advance(w, id, None)
            })
            .await?,
        ))
    }
}
