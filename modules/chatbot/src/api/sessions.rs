//! Visitor sessions: create, read, update, end, extend, context.

use frontline_platform::Platform;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::auth::*;
use super::*;
use crate::model::{
    ContextUpdateRequest, ContextUpdateResult, CreateSessionRequest, ExtendSessionRequest, Session,
    SessionContext, SessionCreated, SessionEnded, SessionExtension, UpdateSessionRequest,
};
use crate::service::sessions;
use crate::store::*;

pub struct SessionsApi {
    pub platform: Platform,
}

#[OpenApi]
impl SessionsApi {
    /// Start a session. Without credentials a visitor session is created for the
    /// tenant named in `X-Tenant-ID`. The `session_token` is shown once.
    #[oai(path = "/sessions", method = "post", tag = "ApiTags::Sessions")]
    async fn create_session(
        &self,
        #[oai(name = "X-Tenant-ID")] opener: SessionOpener,
        body: JsonBody<CreateSessionRequest>,
    ) -> Result<Created201<SessionCreated>> {
        let tenant = opener.0;
        let body = body.0;
        let (channel, context, timeout) = sessions::validate_new(&body)?;
        let persist = body
            .session_config
            .as_ref()
            .and_then(|c| c.enable_context_persistence)
            .unwrap_or(true);
        let data = self
            .platform
            .db
            .write(move |tx| {
                sessions::create(
                    tx,
                    &tenant,
                    &body.user_id,
                    &channel,
                    context.clone(),
                    timeout,
                    persist,
                )
            })
            .await?;
        Ok(Created201::Ok(success(data)))
    }

    /// Session details; status is `expired` once `expires_at` has passed.
    #[oai(path = "/sessions/:id", method = "get", tag = "ApiTags::Sessions")]
    async fn get_session(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::SessionRead>,
        id: Path<String>,
    ) -> Result<Json<Envelope<Session>>> {
        let who = who.0;
        own_session(&who, &id.0)?;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| session_json(c, &who.tenant_id, &id))
            .await?;
        Ok(success(data))
    }

    /// Update a session's `user_id`, `channel` or `status` (`active`/`ended`).
    #[oai(path = "/sessions/:id", method = "put", tag = "ApiTags::Sessions")]
    async fn update_session(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::SessionUpdate>,
        id: Path<String>,
        body: JsonBody<UpdateSessionRequest>,
    ) -> Result<Json<Envelope<Session>>> {
        let who = who.0;
        own_session(&who, &id.0)?;
        let body = body.0;
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| sessions::update(tx, &who.tenant_id, &id, &body))
            .await?;
        Ok(success(data))
    }

    /// End a session.
    #[oai(path = "/sessions/:id", method = "delete", tag = "ApiTags::Sessions")]
    async fn end_session(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::SessionEnd>,
        id: Path<String>,
    ) -> Result<Json<Envelope<SessionEnded>>> {
        let who = who.0;
        own_session(&who, &id.0)?;
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| sessions::end(tx, &who.tenant_id, &id))
            .await?;
        Ok(success(data))
    }

    /// Extend an active session by `extend_by_minutes` (1-1440, default 30;
    /// the body may be omitted).
    #[oai(
        path = "/sessions/:id/extend",
        method = "post",
        tag = "ApiTags::Sessions"
    )]
    async fn extend_session(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::SessionExtend>,
        id: Path<String>,
        body: JsonBody<Option<ExtendSessionRequest>>,
    ) -> Result<Json<Envelope<SessionExtension>>> {
        let who = who.0;
        own_session(&who, &id.0)?;
        let by = body.0.and_then(|b| b.extend_by_minutes).unwrap_or(30);
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| sessions::extend(tx, &who.tenant_id, &id, by))
            .await?;
        Ok(success(data))
    }

    /// The session's context and history.
    #[oai(
        path = "/sessions/:id/context",
        method = "get",
        tag = "ApiTags::Sessions"
    )]
    async fn get_context(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::SessionContextRead>,
        id: Path<String>,
    ) -> Result<Json<Envelope<SessionContext>>> {
        let who = who.0;
        own_session(&who, &id.0)?;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| sessions::context(c, &who.tenant_id, &id))
            .await?;
        Ok(success(data))
    }

    /// Merge `context_updates` into the context; `append_to_history` appends
    /// to history lists (`page_visits` also extends `pages_visited`).
    #[oai(
        path = "/sessions/:id/context",
        method = "put",
        tag = "ApiTags::Sessions"
    )]
    async fn put_context(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::SessionContextUpdate>,
        id: Path<String>,
        body: JsonBody<ContextUpdateRequest>,
    ) -> Result<Json<Envelope<ContextUpdateResult>>> {
        let who = who.0;
        own_session(&who, &id.0)?;
        let body = body.0;
        let updates = body.context_updates.unwrap_or_default();
        let append = body.append_to_history.unwrap_or_default();
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| sessions::update_context(tx, &who.tenant_id, &id, &updates, &append))
            .await?;
        Ok(success(data))
    }
}
