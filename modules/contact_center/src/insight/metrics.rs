//! Analytics & metrics handlers: each checks the caller, then runs one
//! service call (in one transaction for writes). Rules (time buckets in the
//! caller's zone, thresholds checked on every recorded metric, de-duplicated
//! alerts with acknowledge and auto-resolve, the dashboard) are in
//! `service::metrics`, SQL in `store::metrics`, types in `model::metrics`.

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::{
    listed, require_manager, require_operator, window, Created, Deleted, Listed, Result, Tag,
};
use crate::model::metrics::*;
use crate::service::metrics as service;

pub struct MetricsApi {
    platform: Platform,
}

impl MetricsApi {
    pub fn new(platform: &Platform) -> Self {
        MetricsApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::Analytics")]
impl MetricsApi {
    /// Record a metric. Active thresholds on the metric are checked straight
    /// away over their window: a crossing raises one alert (never one per
    /// metric), a return within bounds resolves it.
    #[oai(path = "/api/analytics/metrics", method = "post")]
    async fn record(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<MetricCreate>,
    ) -> Result<Created<Metric>> {
        require_operator(&auth.0)?;
        let b = body.0;
        let at = service::check_record(&b)?;
        let m = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::record(w, &b, at)
        })
        .await?;
        Ok(Created::Created(Json(m)))
    }

    /// Query recorded metrics, newest first.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/analytics/metrics", method = "get")]
    async fn query(
        &self,
        auth: BearerAuth,
        metric_type: Query<Option<String>>,
        metric_name: Query<Option<String>>,
        start_date: Query<Option<crate::common::DateOrTime>>,
        end_date: Query<Option<crate::common::DateOrTime>>,
        team_id: Query<Option<i64>>,
        agent_id: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Metric>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let filter = service::metric_filter(MetricQuery {
            metric_type: metric_type.0,
            metric_name: metric_name.0,
            start_date: start_date.0.map(|d| d.0),
            end_date: end_date.0.map(|d| d.0),
            team_id: team_id.0,
            agent_id: agent_id.0,
        })?;
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::list_metrics(c, &filter, &w))
            .await?;
        Ok(listed(items, &w, "/api/analytics/metrics", total))
    }

    /// Aggregate a metric by `granularity` (minute, hour, day, week, month):
    /// mean `value`, `count`, min, max and sum per window, oldest first;
    /// empty windows are included with count 0. With `start_date` the windows
    /// run forward from it (until `end_date`); otherwise the last `limit`
    /// windows up to `end_date` (default now). Window edges follow
    /// `timezone` (IANA, default UTC): days, weeks (from Monday) and months
    /// start at local midnight, so DST days are 23 or 25 hours long. A
    /// `start_date`..`end_date` range of more than 1000 windows at the
    /// granularity is refused (422); use a coarser granularity.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/analytics/aggregations", method = "get")]
    async fn aggregations(
        &self,
        auth: BearerAuth,
        metric_name: Query<String>,
        granularity: Query<Option<crate::model::Granularity>>,
        start_date: Query<Option<crate::common::DateOrTime>>,
        end_date: Query<Option<crate::common::DateOrTime>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))] limit: Query<Option<i64>>,
        timezone: Query<Option<frontline_platform::tz::TimeZoneName>>,
        metric_type: Query<Option<String>>,
        team_id: Query<Option<i64>>,
        agent_id: Query<Option<i64>>,
    ) -> Result<Json<Vec<Aggregation>>> {
        require_operator(&auth.0)?;
        let plan = service::plan_aggregation(AggregationQuery {
            metric_name: metric_name.0,
            granularity: granularity.0.map(|v| v.as_str().to_string()),
            start_date: start_date.0.map(|d| d.0),
            end_date: end_date.0.map(|d| d.0),
            limit: limit.0,
            timezone: timezone.0.map(|z| z.0),
            metric_type: metric_type.0,
            team_id: team_id.0,
            agent_id: agent_id.0,
        })?;
        let out = self
            .platform
            .db
            .read(move |c| service::aggregations(c, &plan))
            .await?;
        Ok(Json(out))
    }

    /// List alerts, newest first; filter by `status` (active, acknowledged,
    /// resolved), `severity`, `team_id`, `metric_name`.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/analytics/alerts", method = "get")]
    async fn alerts(
        &self,
        auth: BearerAuth,
        status: Query<Option<crate::model::AlertStatus>>,
        severity: Query<Option<crate::model::Severity>>,
        team_id: Query<Option<i64>>,
        metric_name: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Alert>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let filter = service::alert_filter(AlertFilter {
            status: status.0.map(|v| v.as_str().to_string()),
            severity: severity.0.map(|v| v.as_str().to_string()),
            team_id: team_id.0,
            metric_name: metric_name.0,
        })?;
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::list_alerts(c, &filter, &w))
            .await?;
        Ok(listed(items, &w, "/api/analytics/alerts", total))
    }

    /// Extension: one alert.
    #[oai(
        path = "/api/analytics/alerts/:alert_id",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn alert(&self, auth: BearerAuth, alert_id: Path<i64>) -> Result<Json<Alert>> {
        require_operator(&auth.0)?;
        let id = alert_id.0;
        Ok(Json(
            self.platform
                .db
                .read(move |c| service::get_alert(c, id))
                .await?,
        ))
    }

    /// Acknowledge an active alert with who and notes. It stays open until
    /// the metric returns within bounds; a resolved alert answers 409.
    #[oai(path = "/api/analytics/alerts/:alert_id/acknowledge", method = "put")]
    async fn acknowledge(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        alert_id: Path<i64>,
        body: JsonBody<AcknowledgeRequest>,
    ) -> Result<Json<Alert>> {
        require_operator(&auth.0)?;
        let b = body.0;
        service::check_acknowledge(&b)?;
        let id = alert_id.0;
        let a = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::acknowledge(w, id, b)
        })
        .await?;
        Ok(Json(a))
    }

    /// List thresholds (filter by `is_active`, `metric_name`).
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/analytics/thresholds", method = "get")]
    async fn thresholds(
        &self,
        auth: BearerAuth,
        is_active: Query<Option<bool>>,
        metric_name: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Threshold>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let (active, name) = (is_active.0, metric_name.0);
        let (items, total) = self
            .platform
            .db
            .read(move |c| service::list_thresholds(c, active, name.as_deref(), &w))
            .await?;
        Ok(listed(items, &w, "/api/analytics/thresholds", total))
    }

    /// Create a threshold.
    #[oai(path = "/api/analytics/thresholds", method = "post")]
    async fn create_threshold(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<ThresholdCreate>,
    ) -> Result<Created<Threshold>> {
        require_manager(&auth.0)?;
        let b = body.0;
        service::check_create_threshold(&b)?;
        let th = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::create_threshold(w, b)
        })
        .await?;
        Ok(Created::Created(Json(th)))
    }

    /// Update a threshold. Deactivating it resolves its open alert.
    #[oai(path = "/api/analytics/thresholds/:threshold_id", method = "put")]
    async fn update_threshold(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        threshold_id: Path<i64>,
        body: JsonBody<ThresholdUpdate>,
    ) -> Result<Json<Threshold>> {
        require_manager(&auth.0)?;
        let b = body.0;
        service::check_update_threshold(&b)?;
        let id = threshold_id.0;
        let th = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::update_threshold(w, id, b)
        })
        .await?;
        Ok(Json(th))
    }

    /// Delete a threshold; its open alert is resolved, past alerts are kept.
    #[oai(path = "/api/analytics/thresholds/:threshold_id", method = "delete")]
    async fn delete_threshold(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        threshold_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = threshold_id.0;
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::delete_threshold(w, id)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Dashboard overview over the last `period_hours` (1..=8760, default 24):
    /// calls started in the period with their durations, queue waits of
    /// calls queued in the period and calls waiting now, alerts (active as
    /// the alert list counts them; acknowledged apart), and new voicemails.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/analytics/dashboard/overview", method = "get")]
    async fn overview(
        &self,
        auth: BearerAuth,
        #[oai(validator(minimum(value = "1"), maximum(value = "8760")))] period_hours: Query<
            Option<i64>,
        >,
    ) -> Result<Json<DashboardOverview>> {
        require_operator(&auth.0)?;
        let hours = service::period_hours(period_hours.0)?;
        let o = self
            .platform
            .db
            .read(move |c| service::overview(c, hours))
            .await?;
        Ok(Json(o))
    }
}
