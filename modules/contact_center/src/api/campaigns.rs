//! Campaigns and campaign templates.

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::common::*;
use crate::common::*;
use crate::model::*;
use crate::service::campaigns as service;

pub struct CampaignsApi {
    pub p: Platform,
}

#[OpenApi(tag = "Tag::Campaigns")]
impl CampaignsApi {
    /// List campaigns, newest first. Users see their own campaigns; agents,
    /// supervisors and admins see all.
    #[oai(path = "/api/v1/campaigns", method = "get")]
    async fn list_campaigns(
        &self,
        auth: BearerAuth,
        /// draft, active, paused, completed or archived.
        status: Query<Option<crate::model::CampaignStatus>>,
        /// Text in the campaign name (at most 200 characters).
        search: Query<Option<String>>,
        /// Results per page (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
        /// Records to skip (default 0).
        #[oai(validator(minimum(value = "0")))]
        offset: Query<Option<i64>>,
    ) -> Result<Paged<Campaign>> {
        let status = Query(status.0.map(|v| v.as_str().to_string()));
        let w = window(&self.p, limit.0, offset.0)?;
        let mut problems = Vec::new();
        one_of(
            &mut problems,
            "status",
            status.0.as_deref(),
            service::CAMPAIGN_STATUSES,
        );
        fail_if(problems)?;
        if let Some(s) = &search.0 {
            frontline_platform::search::check_substring("search", s)?;
        }
        let (st, se) = (status.0.clone(), search.0.clone());
        let (items, total) = self
            .p
            .db
            .read(move |c| service::list(c, &auth.0, st.as_deref(), se.as_deref(), w))
            .await?;
        let f = Filters::new()
            .add("status", status.0)
            .add("search", search.0);
        Ok(paged(items, w, "/api/v1/campaigns", f, total))
    }

    /// Create a campaign (always as `draft`). Give `template_id` to start from
    /// a campaign template. Agents cannot create campaigns. `provider_type`,
    /// `provider_model`, `provider_config` and `system_prompt` are stored only,
    /// for the dialer or voice agent an operator connects: this server never
    /// calls an LLM or places a call.
    #[oai(path = "/api/v1/campaigns", method = "post")]
    async fn create_campaign(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<CampaignCreate>,
    ) -> Result<Created<Campaign>> {
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::create(w, body.0)
        })
        .await?;
        Ok(Created::Created(Json(c)))
    }

    /// Get a campaign with its progress.
    #[oai(path = "/api/v1/campaigns/:campaign_id", method = "get")]
    async fn get_campaign(
        &self,
        auth: BearerAuth,
        campaign_id: Path<i64>,
    ) -> Result<Json<Campaign>> {
        let c = self
            .p
            .db
            .read(move |c| service::get(c, &auth.0, campaign_id.0))
            .await?;
        Ok(Json(c))
    }

    /// Update a campaign. Completed and archived campaigns cannot be changed
    /// (except archiving); `status` follows the same rules as start and pause.
    #[oai(path = "/api/v1/campaigns/:campaign_id", method = "put")]
    async fn update_campaign(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        campaign_id: Path<i64>,
        body: JsonBody<CampaignUpdate>,
    ) -> Result<Json<Campaign>> {
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::update(w, campaign_id.0, body.0)
        })
        .await?;
        Ok(Json(c))
    }

    /// Delete a campaign. Active campaigns must be paused first (409
    /// `CAMPAIGN_ACTIVE`); a campaign that still has contacts or call lists is
    /// kept (409 `CAMPAIGN_NOT_EMPTY`): delete those first, or archive it.
    #[oai(path = "/api/v1/campaigns/:campaign_id", method = "delete")]
    async fn delete_campaign(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        campaign_id: Path<i64>,
    ) -> Result<Deleted> {
        write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::delete(w, campaign_id.0)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Start (or resume) a campaign: its status becomes `active`, nothing
    /// else happens here. This server never dials and never calls an LLM; a
    /// dialer the operator connects reads active campaigns and their contacts
    /// and records each call with `POST /api/v1/calls`.
    /// 409 `CAMPAIGN_HAS_NO_CONTACTS` without
    /// contacts, `CAMPAIGN_ENDED` past its end date, `INVALID_STATUS_TRANSITION`
    /// from completed or archived.
    #[oai(path = "/api/v1/campaigns/:campaign_id/start", method = "post")]
    async fn start_campaign(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        campaign_id: Path<i64>,
    ) -> Result<Json<Campaign>> {
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::transition(w, campaign_id.0, "active")
        })
        .await?;
        Ok(Json(c))
    }

    /// Pause an active campaign (409 otherwise): its status becomes `paused`;
    /// a connected dialer is expected to stop calling it (nothing is dialled here).
    #[oai(path = "/api/v1/campaigns/:campaign_id/pause", method = "post")]
    async fn pause_campaign(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        campaign_id: Path<i64>,
    ) -> Result<Json<Campaign>> {
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::transition(w, campaign_id.0, "paused")
        })
        .await?;
        Ok(Json(c))
    }

    /// Copy a campaign's configuration into a new draft (contacts and results
    /// are not copied).
    #[oai(path = "/api/v1/campaigns/:campaign_id/clone", method = "post")]
    async fn clone_campaign(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        campaign_id: Path<i64>,
        body: JsonBody<CampaignClone>,
    ) -> Result<Created<Campaign>> {
        let body = body.0;
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::clone(w, campaign_id.0, body)
        })
        .await?;
        Ok(Created::Created(Json(c)))
    }

    /// Campaign statistics computed from its contacts and recorded calls.
    #[oai(path = "/api/v1/campaigns/:campaign_id/stats", method = "get")]
    async fn campaign_stats(
        &self,
        auth: BearerAuth,
        campaign_id: Path<i64>,
    ) -> Result<Json<CampaignStats>> {
        let s = self
            .p
            .db
            .read(move |c| service::stats(c, &auth.0, campaign_id.0))
            .await?;
        Ok(Json(s))
    }

    /// List campaign templates you can use: public and system ones, and your own.
    #[oai(
        path = "/api/v1/campaign-templates",
        method = "get",
        tag = "Tag::Templates"
    )]
    async fn list_templates(
        &self,
        auth: BearerAuth,
        is_public: Query<Option<bool>>,
        /// outbound, inbound or blended.
        campaign_type: Query<Option<crate::model::CampaignType>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Paged<CampaignTemplate>> {
        let campaign_type = Query(campaign_type.0.map(|v| v.as_str().to_string()));
        let w = window(&self.p, limit.0, offset.0)?;
        let (p, t) = (is_public.0, campaign_type.0.clone());
        let (items, total) = self
            .p
            .db
            .read(move |c| service::list_templates(c, &auth.0, p, t.as_deref(), w))
            .await?;
        let f = Filters::new()
            .add("is_public", is_public.0)
            .add("campaign_type", campaign_type.0);
        Ok(paged(items, w, "/api/v1/campaign-templates", f, total))
    }

    /// Create a campaign template (public templates need a supervisor or admin).
    #[oai(
        path = "/api/v1/campaign-templates",
        method = "post",
        tag = "Tag::Templates"
    )]
    async fn create_template(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<TemplateCreate>,
    ) -> Result<Created<CampaignTemplate>> {
        let t = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::create_template(w, body.0)
        })
        .await?;
        Ok(Created::Created(Json(t)))
    }

    /// Get a template (private templates only for their author and admins).
    #[oai(
        path = "/api/v1/campaign-templates/:template_id",
        method = "get",
        tag = "Tag::Templates"
    )]
    async fn get_template(
        &self,
        auth: BearerAuth,
        template_id: Path<i64>,
    ) -> Result<Json<CampaignTemplate>> {
        let id = template_id.0;
        let t = self
            .p
            .db
            .read(move |c| service::get_template(c, &auth.0, id))
            .await?;
        Ok(Json(t))
    }

    /// Update your template (admins: any non-system template).
    #[oai(
        path = "/api/v1/campaign-templates/:template_id",
        method = "put",
        tag = "Tag::Templates"
    )]
    async fn update_template(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        template_id: Path<i64>,
        body: JsonBody<TemplateUpdate>,
    ) -> Result<Json<CampaignTemplate>> {
        let t = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::update_template(w, template_id.0, body.0)
        })
        .await?;
        Ok(Json(t))
    }

    /// Delete your template; campaigns made from it keep their configuration.
    #[oai(
        path = "/api/v1/campaign-templates/:template_id",
        method = "delete",
        tag = "Tag::Templates"
    )]
    async fn delete_template(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        template_id: Path<i64>,
    ) -> Result<Deleted> {
        write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::delete_template(w, template_id.0)
        })
        .await?;
        Ok(Deleted::NoContent)
    }
}
