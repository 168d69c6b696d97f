//! Call recordings' handlers: each checks the caller, then runs one service
//! call (in one transaction for writes). Rules and the transcript analysis
//! are in `service::recordings`, SQL in `store::recordings`, types in
//! `model::recordings`.

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::{
    listed, require_manager, require_operator, window, Created, Deleted, Listed, Result, Tag,
};
use crate::model::recordings::*;
use crate::service::recordings as service;

pub struct RecordingsApi {
    platform: Platform,
}

impl RecordingsApi {
    pub fn new(platform: &Platform) -> Self {
        RecordingsApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::Recordings")]
impl RecordingsApi {
    /// List recordings, newest first. Filters: `campaign_id`, `agent_id`,
    /// `team_id`, `start_date`/`end_date`, `duration_min`/`duration_max`
    /// (seconds), `has_transcription`.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/recordings", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        campaign_id: Query<Option<i64>>,
        agent_id: Query<Option<i64>>,
        team_id: Query<Option<i64>>,
        start_date: Query<Option<crate::common::DateOrTime>>,
        end_date: Query<Option<crate::common::DateOrTime>>,
        duration_min: Query<Option<i64>>,
        duration_max: Query<Option<i64>>,
        has_transcription: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Recording>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let q = RecordingQuery {
            campaign_id: campaign_id.0,
            agent_id: agent_id.0,
            team_id: team_id.0,
            from_ms: service::filter_instant("start_date", start_date.0.as_deref(), false)?,
            before_ms: service::filter_instant("end_date", end_date.0.as_deref(), true)?,
            duration_min: duration_min.0,
            duration_max: duration_max.0,
            has_transcription: has_transcription.0,
        };
        service::check_query(&q)?;
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::list(c, &q, &w))
            .await?;
        Ok(listed(items, &w, "/api/recordings", total))
    }

    /// Extension: register a recording whose audio is kept at `file_url`.
    /// The audio is not fetched or transcribed here: upload its transcript
    /// with `PUT /api/recordings/{id}/transcription`.
    #[oai(path = "/api/recordings", method = "post", tag = "Tag::Extensions")]
    async fn create(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<RecordingCreate>,
    ) -> Result<Created<Recording>> {
        require_operator(&auth.0)?;
        let b = body.0;
        let at = service::check_create(&b)?;
        let rec = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::create(w, &b, at)
        })
        .await?;
        Ok(Created::Created(Json(rec)))
    }

    /// Extension: the configured compliance phrases (required and forbidden).
    #[oai(
        path = "/api/recordings/compliance-phrases",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn phrases(&self, auth: BearerAuth) -> Result<Json<Vec<CompliancePhrase>>> {
        require_operator(&auth.0)?;
        Ok(Json(self.platform.db.read(service::phrases).await?))
    }

    /// Extension: add a compliance phrase every analysis checks.
    #[oai(
        path = "/api/recordings/compliance-phrases",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn add_phrase(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<CompliancePhraseCreate>,
    ) -> Result<Created<CompliancePhrase>> {
        require_manager(&auth.0)?;
        let b = body.0;
        service::check_phrase(&b)?;
        let p = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::add_phrase(w, &b)
        })
        .await?;
        Ok(Created::Created(Json(p)))
    }

    /// Extension: remove a compliance phrase.
    #[oai(
        path = "/api/recordings/compliance-phrases/:phrase_id",
        method = "delete",
        tag = "Tag::Extensions"
    )]
    async fn delete_phrase(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        phrase_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = phrase_id.0;
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::delete_phrase(w, id)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Get a recording.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/recordings/:recording_id", method = "get")]
    async fn get(&self, auth: BearerAuth, recording_id: Path<i64>) -> Result<Json<Recording>> {
        require_operator(&auth.0)?;
        let id = recording_id.0;
        Ok(Json(
            self.platform.db.read(move |c| service::get(c, id)).await?,
        ))
    }

    /// Delete a recording with its transcription and analysis.
    #[oai(path = "/api/recordings/:recording_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        recording_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = recording_id.0;
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::delete(w, id)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Get a recording's transcription (404 while it has none). Transcripts
    /// are uploaded (`PUT` on this path); this server runs no speech-to-text.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/recordings/:recording_id/transcription", method = "get")]
    async fn transcription(
        &self,
        auth: BearerAuth,
        recording_id: Path<i64>,
    ) -> Result<Json<Transcription>> {
        require_operator(&auth.0)?;
        let id = recording_id.0;
        Ok(Json(
            self.platform
                .db
                .read(move |c| service::transcription(c, id))
                .await?,
        ))
    }

    /// Extension: store a transcript as speaker segments (replaces the earlier
    /// one), e.g. from the operator's speech-to-text service. This is the only
    /// way a recording gets a transcript.
    #[oai(
        path = "/api/recordings/:recording_id/transcription",
        method = "put",
        tag = "Tag::Extensions"
    )]
    async fn put_transcription(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        recording_id: Path<i64>,
        body: JsonBody<TranscriptionUpload>,
    ) -> Result<Json<Transcription>> {
        require_operator(&auth.0)?;
        let b = body.0;
        service::check_transcription(&b)?;
        let id = recording_id.0;
        let t = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::put_transcription(w, id, b)
        })
        .await?;
        Ok(Json(t))
    }

    /// Analyze a recording's transcription: `sentiment` (lexicon-based, per
    /// segment and overall), `keywords` (counts and relevance), `summary`
    /// (extractive) and `compliance` (configured required/forbidden phrases
    /// plus any given in the request). The recording keeps the overall
    /// sentiment and top keywords. 409 while there is no transcription.
    #[oai(path = "/api/recordings/:recording_id/analyze", method = "post")]
    async fn analyze(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        recording_id: Path<i64>,
        body: JsonBody<AnalyzeRequest>,
    ) -> Result<Json<Analysis>> {
        require_operator(&auth.0)?;
        let b = body.0;
        let types = service::check_analyze(&b)?;
        let id = recording_id.0;
        let a = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::analyze(w, id, types, &b)
        })
        .await?;
        Ok(Json(a))
    }
}
