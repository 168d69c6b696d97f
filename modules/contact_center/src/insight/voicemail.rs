//! Voicemail inbox handlers: deposit (extension), list with filters, status
//! machine, assignment and notes. Rules in `service::voicemail`, SQL in
//! `store::voicemail`, types in `model::voicemail`.

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::{
    listed, require_manager, require_operator, window, Created, Deleted, Listed, Result, Tag,
};
use crate::model::{Voicemail, VoicemailDeposit, VoicemailUpdate};
use crate::service::voicemail as service;

pub struct VoicemailApi {
    platform: Platform,
}

impl VoicemailApi {
    pub fn new(platform: &Platform) -> Self {
        VoicemailApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::Voicemail")]
impl VoicemailApi {
    /// List voicemails, newest first. Filters: `status`, `assigned_to_id`,
    /// `priority`, `from_number`, `start_date`/`end_date` (received).
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/voicemail", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        status: Query<Option<crate::model::VoicemailStatus>>,
        assigned_to_id: Query<Option<i64>>,
        priority: Query<Option<i64>>,
        from_number: Query<Option<String>>,
        start_date: Query<Option<crate::common::DateOrTime>>,
        end_date: Query<Option<crate::common::DateOrTime>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Voicemail>> {
        let status = status.0.map(|v| v.as_str().to_string());
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let q = service::query(
            status,
            assigned_to_id.0,
            priority.0,
            from_number.0,
            (start_date.0.as_deref(), end_date.0.as_deref()),
        )?;
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::list(c, &q, w))
            .await?;
        Ok(listed(items, &w, "/api/voicemail", total))
    }

    /// Extension: deposit a voicemail (what the phone system does when a caller
    /// leaves a message). It starts as `new`.
    #[oai(path = "/api/voicemail", method = "post", tag = "Tag::Extensions")]
    async fn deposit(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<VoicemailDeposit>,
    ) -> Result<Created<Voicemail>> {
        require_operator(&auth.0)?;
        let d = body.0;
        service::check_deposit(&d)?;
        let vm = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::deposit(w, &d)
        })
        .await?;
        Ok(Created::Created(Json(vm)))
    }

    /// Get a voicemail.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/voicemail/:voicemail_id", method = "get")]
    async fn get(&self, auth: BearerAuth, voicemail_id: Path<i64>) -> Result<Json<Voicemail>> {
        require_operator(&auth.0)?;
        let id = voicemail_id.0;
        Ok(Json(
            self.platform.db.read(move |c| service::get(c, id)).await?,
        ))
    }

    /// Update a voicemail's status, assignment, priority or notes.
    #[oai(path = "/api/voicemail/:voicemail_id", method = "put")]
    async fn update(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        voicemail_id: Path<i64>,
        body: JsonBody<VoicemailUpdate>,
    ) -> Result<Json<Voicemail>> {
        require_operator(&auth.0)?;
        let b = body.0;
        service::check_update(&b)?;
        let id = voicemail_id.0;
        let vm = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::update(w, id, b)
        })
        .await?;
        Ok(Json(vm))
    }

    /// Delete a voicemail (managers only).
    #[oai(path = "/api/voicemail/:voicemail_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        voicemail_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = voicemail_id.0;
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::delete(w, id)
        })
        .await?;
        Ok(Deleted::NoContent)
    }
}
