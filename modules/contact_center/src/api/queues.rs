//! Queues and the calls extension.

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::common::*;
use crate::common::*;
use crate::model::CallQuery;
use crate::model::*;
use crate::service::queues as service;

pub struct QueuesApi {
    pub p: Platform,
}

#[OpenApi(tag = "Tag::Queues")]
impl QueuesApi {
    /// List queues with live figures: calls being handled, calls waiting,
    /// average wait (last 24 hours) and free eligible agents.
    #[oai(path = "/api/v1/queues", method = "get")]
    async fn list_queues(
        &self,
        auth: BearerAuth,
        /// active, paused or closed.
        status: Query<Option<crate::model::QueueStatus>>,
        /// inbound, outbound or callback.
        queue_type: Query<Option<crate::model::QueueType>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Paged<Queue>> {
        let queue_type = Query(queue_type.0.map(|v| v.as_str().to_string()));
        let status = Query(status.0.map(|v| v.as_str().to_string()));
        Access::of(&auth.0).require_staff()?;
        let w = window(&self.p, limit.0, offset.0)?;
        let mut problems = Vec::new();
        one_of(
            &mut problems,
            "status",
            status.0.as_deref(),
            service::QUEUE_STATUSES,
        );
        fail_if(problems)?;
        let (s, t) = (status.0.clone(), queue_type.0.clone());
        let (items, total) = self
            .p
            .db
            .read(move |c| service::list_queues(c, s.as_deref(), t.as_deref(), w))
            .await?;
        let f = Filters::new()
            .add("status", status.0)
            .add("queue_type", queue_type.0);
        Ok(paged(items, w, "/api/v1/queues", f, total))
    }

    /// Get a queue with its live figures.
    #[oai(path = "/api/v1/queues/:queue_id", method = "get")]
    async fn get_queue(&self, auth: BearerAuth, queue_id: Path<i64>) -> Result<Json<Queue>> {
        Access::of(&auth.0).require_staff()?;
        let q = self
            .p
            .db
            .read(move |c| service::get_queue(c, queue_id.0))
            .await?;
        Ok(Json(q))
    }

    /// The calls waiting in a queue, in answer order (priority, then longest
    /// waiting), with position and seconds waited.
    #[oai(path = "/api/v1/queues/:queue_id/calls", method = "get")]
    async fn queued_calls(
        &self,
        auth: BearerAuth,
        queue_id: Path<i64>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Paged<QueuedCall>> {
        Access::of(&auth.0).require_staff()?;
        let w = window(&self.p, limit.0, offset.0)?;
        let id = queue_id.0;
        let (items, total) = self
            .p
            .db
            .read(move |c| service::queued_calls(c, id, w))
            .await?;
        Ok(paged(
            items,
            w,
            &format!("/api/v1/queues/{id}/calls"),
            Filters::new(),
            total,
        ))
    }

    /// Extension: define a queue (supervisors and admins).
    #[oai(path = "/api/v1/queues", method = "post", tag = "Tag::Extensions")]
    async fn create_queue(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<QueueCreate>,
    ) -> Result<Created<Queue>> {
        let q = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::create_queue(w, body.0)
        })
        .await?;
        Ok(Created::Created(Json(q)))
    }

    /// Extension: change a queue (supervisors and admins).
    #[oai(
        path = "/api/v1/queues/:queue_id",
        method = "put",
        tag = "Tag::Extensions"
    )]
    async fn update_queue(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        queue_id: Path<i64>,
        body: JsonBody<QueueUpdate>,
    ) -> Result<Json<Queue>> {
        let q = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::update_queue(w, queue_id.0, body.0)
        })
        .await?;
        Ok(Json(q))
    }

    /// Extension: delete an empty queue (409 while calls wait or are in progress).
    #[oai(
        path = "/api/v1/queues/:queue_id",
        method = "delete",
        tag = "Tag::Extensions"
    )]
    async fn delete_queue(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        queue_id: Path<i64>,
    ) -> Result<Deleted> {
        write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::delete_queue(w, queue_id.0)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Extension: a call enters the queue (201 with its position). 409
    /// `QUEUE_NOT_ACTIVE` or `QUEUE_FULL`. Calls waiting past the queue's
    /// `timeout_seconds` are marked abandoned.
    #[oai(
        path = "/api/v1/queues/:queue_id/calls",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn enqueue_call(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        queue_id: Path<i64>,
        body: JsonBody<EnqueueCall>,
    ) -> Result<Created<QueuedCall>> {
        // Calls past their timeout leave first (in their own transaction,
        // so a refused request does not undo it).
        write::transact(&self.p.db, None, meta.clone(), service::expire).await?;
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::enqueue(w, queue_id.0, body.0)
        })
        .await?;
        Ok(Created::Created(Json(c)))
    }

    /// Extension: assign the next waiting call (send `{}`), or `call_id`, to the best
    /// eligible agent (or `agent_id`): available, under their maximum of
    /// concurrent calls, with every required skill and the caller's language;
    /// ties go to the best skill match, then the least busy, then the longest
    /// idle. Agents may only take calls themselves. 409 `NO_AGENT_AVAILABLE`,
    /// `AGENT_NOT_ELIGIBLE`, `QUEUE_EMPTY`.
    #[oai(
        path = "/api/v1/queues/:queue_id/assign",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn assign_call(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        queue_id: Path<i64>,
        body: JsonBody<AssignRequest>,
    ) -> Result<Json<Call>> {
        let body = body.0;
        // Calls past their timeout leave first (in their own transaction,
        // so a refused request does not undo it).
        write::transact(&self.p.db, None, meta.clone(), service::expire).await?;
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::assign(w, queue_id.0, body)
        })
        .await?;
        Ok(Json(c))
    }

    /// Extension: record a finished call attempt (contact, agent, queue,
    /// start, duration, outcome, cost). Campaign statistics, agent and team
    /// performance are computed from these records. The contact's attempts
    /// and status follow (completed on success or conversion; failed once the
    /// campaign's retries are used up).
    #[oai(path = "/api/v1/calls", method = "post", tag = "Tag::Extensions")]
    async fn record_call(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<CallRecord>,
    ) -> Result<Created<Call>> {
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::record(w, body.0)
        })
        .await?;
        Ok(Created::Created(Json(c)))
    }

    /// Extension: list calls, newest first. Users see calls of their own campaigns.
    #[oai(path = "/api/v1/calls", method = "get", tag = "Tag::Extensions")]
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    async fn list_calls(
        &self,
        auth: BearerAuth,
        campaign_id: Query<Option<i64>>,
        agent_id: Query<Option<i64>>,
        queue_id: Query<Option<i64>>,
        team_id: Query<Option<i64>>,
        /// queued, in_progress, completed or abandoned.
        status: Query<Option<crate::model::CallStatus>>,
        outcome: Query<Option<crate::model::CallOutcome>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Paged<Call>> {
        let outcome = Query(outcome.0.map(|v| v.as_str().to_string()));
        let status = Query(status.0.map(|v| v.as_str().to_string()));
        let w = window(&self.p, limit.0, offset.0)?;
        let q = CallQuery {
            scope: None,
            campaign_id: campaign_id.0,
            agent_id: agent_id.0,
            queue_id: queue_id.0,
            team_id: team_id.0,
            status: status.0.clone(),
            outcome: outcome.0.clone(),
        };
        let (items, total) = self
            .p
            .db
            .read(move |c| service::list_calls(c, &auth.0, q, w))
            .await?;
        let f = Filters::new()
            .add("campaign_id", campaign_id.0)
            .add("agent_id", agent_id.0)
            .add("queue_id", queue_id.0)
            .add("team_id", team_id.0)
            .add("status", status.0)
            .add("outcome", outcome.0);
        Ok(paged(items, w, "/api/v1/calls", f, total))
    }

    /// Extension: get one call.
    #[oai(
        path = "/api/v1/calls/:call_id",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn get_call(&self, auth: BearerAuth, call_id: Path<String>) -> Result<Json<Call>> {
        let c = self
            .p
            .db
            .read(move |c| service::get_call(c, &auth.0, &call_id.0))
            .await?;
        Ok(Json(c))
    }

    /// Extension: complete a call in progress with its outcome (the agent on
    /// the call, or a supervisor). Duration defaults to the time since assignment.
    #[oai(
        path = "/api/v1/calls/:call_id/complete",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn complete_call(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        call_id: Path<String>,
        body: JsonBody<CompleteCall>,
    ) -> Result<Json<Call>> {
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::complete(w, &call_id.0, body.0)
        })
        .await?;
        Ok(Json(c))
    }

    /// Extension: the caller hung up while waiting in the queue.
    #[oai(
        path = "/api/v1/calls/:call_id/abandon",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn abandon_call(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        call_id: Path<String>,
    ) -> Result<Json<Call>> {
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::abandon(w, &call_id.0)
        })
        .await?;
        Ok(Json(c))
    }
}
