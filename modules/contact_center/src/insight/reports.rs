//! Reports' handlers: templates (query definitions), reports generated
//! asynchronously on the platform job queue, schedules on the platform
//! scheduler, and e-mail to recipients through the platform mail service (or
//! kept in an outbox the API shows). Each handler checks the caller, then
//! runs one service call (in one transaction for writes). Rules and the
//! report job are in `service::reports` (the table a report holds in
//! `service::report_data`), SQL in `store::reports`, types in `model::reports`.

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::OpenApi;

use super::{
    listed, require_manager, require_operator, window, Created, Deleted, Listed, Result, Tag,
};
use crate::model::reports::*;
use crate::service::reports as service;

pub use crate::service::report_data::{document, render};
pub use crate::service::reports::{generate, register, run_schedule, JOB_KIND, RETENTION_DAYS};

pub struct ReportsApi {
    platform: Platform,
}

impl ReportsApi {
    pub fn new(platform: &Platform) -> Self {
        ReportsApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::Reports")]
impl ReportsApi {
    /// List report templates you can see (public ones, yours; managers see all).
    /// Filters: `report_type`, `is_public`.
    #[oai(path = "/api/reports/templates", method = "get")]
    async fn templates(
        &self,
        auth: BearerAuth,
        report_type: Query<Option<crate::model::ReportType>>,
        is_public: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<ReportTemplate>> {
        let w = window(&self.platform, limit.0, offset.0)?;
        let filter = TemplateFilter {
            report_type: report_type.0.map(|v| v.as_str().to_string()),
            is_public: is_public.0,
        };
        let viewer = service::viewer(&auth.0);
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::templates(c, &filter, viewer, &w))
            .await?;
        Ok(listed(items, &w, "/api/reports/templates", total))
    }

    /// Create a report template.
    #[oai(path = "/api/reports/templates", method = "post")]
    async fn create_template(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<ReportTemplateCreate>,
    ) -> Result<Created<ReportTemplate>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let q = service::check_template_create(&b)?;
        let t = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::create_template(w, b, q)
        })
        .await?;
        Ok(Created::Created(Json(t)))
    }

    /// Get a report template.
    #[oai(path = "/api/reports/templates/:template_id", method = "get")]
    async fn get_template(
        &self,
        auth: BearerAuth,
        template_id: Path<i64>,
    ) -> Result<Json<ReportTemplate>> {
        let (id, viewer) = (template_id.0, service::viewer(&auth.0));
        Ok(Json(
            self.platform
                .db
                .read(move |c| service::template(c, id, viewer))
                .await?,
        ))
    }

    /// Update a report template (its version goes up by one).
    #[oai(path = "/api/reports/templates/:template_id", method = "put")]
    async fn update_template(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        template_id: Path<i64>,
        body: JsonBody<ReportTemplateUpdate>,
    ) -> Result<Json<ReportTemplate>> {
        require_manager(&auth.0)?;
        let (id, b) = (template_id.0, body.0);
        let t = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::update_template(w, id, b)
        })
        .await?;
        Ok(Json(t))
    }

    /// Delete a report template (409 while a schedule uses it).
    #[oai(path = "/api/reports/templates/:template_id", method = "delete")]
    async fn delete_template(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        template_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = template_id.0;
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::delete_template(w, id)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// List reports (yours; managers see all), newest first. Filters:
    /// `status` (generating, completed, failed), `report_type`.
    #[oai(path = "/api/reports", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        status: Query<Option<crate::model::ReportStatus>>,
        report_type: Query<Option<crate::model::ReportType>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Report>> {
        let w = window(&self.platform, limit.0, offset.0)?;
        let filter = ReportFilter {
            status: status.0.map(|v| v.as_str().to_string()),
            report_type: report_type.0.map(|v| v.as_str().to_string()),
        };
        let viewer = service::viewer(&auth.0);
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::reports(c, &filter, viewer, &w))
            .await?;
        Ok(listed(items, &w, "/api/reports", total))
    }

    /// Generate a report. Answers 202 with status `generating`; a background
    /// job computes it and the report moves to `completed` (with `file_url`)
    /// or `failed` (with `error`). Files stay downloadable for 30 days.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/reports/generate", method = "post")]
    async fn generate(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<GenerateRequest>,
    ) -> Result<Accepted> {
        // Reports read the whole call log and every campaign: staff only.
        require_operator(&auth.0)?;
        let b = body.0;
        let checked = service::check_generate(&b)?;
        let accepted = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::request_report(w, b, checked)
        })
        .await?;
        self.platform.jobs.notify();
        Ok(Accepted::Accepted(Json(accepted)))
    }

    /// Extension: the outbox of scheduled-report e-mails, newest first (sent
    /// through the server's SMTP server when one is configured — `--smtp-url` /
    /// `FRONTLINE_SMTP_URL` / `smtp_url` — otherwise kept here with status `kept`).
    #[oai(path = "/api/reports/outbox", method = "get", tag = "Tag::Extensions")]
    async fn outbox(
        &self,
        auth: BearerAuth,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<OutboxMessage>> {
        require_manager(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::outbox(c, &w))
            .await?;
        Ok(listed(items, &w, "/api/reports/outbox", total))
    }

    /// List report schedules (filter by `is_active`).
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/reports/schedules", method = "get")]
    async fn schedules(
        &self,
        auth: BearerAuth,
        is_active: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<ReportSchedule>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let active = is_active.0;
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::schedules(c, active, &w))
            .await?;
        Ok(listed(items, &w, "/api/reports/schedules", total))
    }

    /// Create a schedule: daily, weekly (`day_of_week`) or monthly
    /// (`day_of_month`) at `hour`:`minute` in `timezone`. Each run generates
    /// the template's report over the previous day, week or month and
    /// e-mails it to the recipients through the server's SMTP server
    /// (`--smtp-url` / `FRONTLINE_SMTP_URL`); with none configured the message
    /// is kept in the outbox (`GET /api/reports/outbox`, status `kept`) and not sent.
    #[oai(path = "/api/reports/schedules", method = "post")]
    async fn create_schedule(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<ReportScheduleCreate>,
    ) -> Result<Created<ReportSchedule>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let spec = service::check_schedule_create(&b)?;
        let s = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::create_schedule(w, b, spec)
        })
        .await?;
        Ok(Created::Created(Json(s)))
    }

    /// Update a schedule.
    #[oai(path = "/api/reports/schedules/:schedule_id", method = "put")]
    async fn update_schedule(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        schedule_id: Path<i64>,
        body: JsonBody<ReportScheduleUpdate>,
    ) -> Result<Json<ReportSchedule>> {
        require_manager(&auth.0)?;
        let (id, b) = (schedule_id.0, body.0);
        service::check_schedule_update(&b)?;
        let s = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::update_schedule(w, id, b)
        })
        .await?;
        Ok(Json(s))
    }

    /// Delete a schedule (its past reports are kept).
    #[oai(path = "/api/reports/schedules/:schedule_id", method = "delete")]
    async fn delete_schedule(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        schedule_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = schedule_id.0;
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::delete_schedule(w, id)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Get a report (yours; managers see all).
    #[oai(path = "/api/reports/:report_id", method = "get")]
    async fn get(&self, auth: BearerAuth, report_id: Path<i64>) -> Result<Json<Report>> {
        let (id, viewer) = (report_id.0, service::viewer(&auth.0));
        Ok(Json(
            self.platform
                .db
                .read(move |c| service::report(c, id, viewer))
                .await?,
        ))
    }

    /// Delete a report and its file.
    #[oai(path = "/api/reports/:report_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        report_id: Path<i64>,
    ) -> Result<Deleted> {
        let id = report_id.0;
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::delete_report(w, id)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Extension: download a completed report's file (410 after it expired).
    #[oai(
        path = "/api/reports/:report_id/download",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn download(&self, auth: BearerAuth, report_id: Path<i64>) -> Result<Download> {
        let (id, viewer) = (report_id.0, service::viewer(&auth.0));
        let (bytes, mime, filename) = service::download(&self.platform, id, viewer).await?;
        Ok(Download::Ok(
            Binary(bytes),
            mime,
            format!("attachment; filename=\"{filename}\""),
        ))
    }
}
