//! Attempts (extension) and the analytics computed from them (rules in
//! [`service::analytics`]).

use frontline_platform::body::JsonBody;
use frontline_platform::http::RequestMeta;
use frontline_platform::pattern::common::DateOrDateTime;
use frontline_platform::write;
use frontline_platform::Platform;
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;

use super::guard::*;
use super::Result;
use crate::model::*;
use crate::service::{self, analytics::period};

pub struct AnalyticsApi {
    pub(super) platform: Platform,
}

/// Analytics and attempts.
#[OpenApi(tag = "ApiTags::Analytics")]
impl AnalyticsApi {
    /// Extension: record one attempt at a scenario (`scenario:read`): scores
    /// per evaluation criterion (0..100), duration in seconds, completed,
    /// passed, rating 1..5, tokens, latency in seconds, error. Without
    /// `score` the weighted mean of `scores` under the scenario's evaluation
    /// weights is used; without `passed`, a score of 70 or more passes. Every
    /// analytics figure is computed from these records.
    #[oai(
        path = "/admin/scenarios/:id/attempts",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn record_attempt(
        &self,
        auth: Can<ScenarioRead>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<RecordAttemptRequest>,
    ) -> Result<CreatedAnswer<AttemptRecorded>> {
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::analytics::record_attempt(w, &id.0, body.0)
        })
        .await?;
        Ok(created(out))
    }

    /// Analytics of a scenario over a period (`7d`, `30d`, `90d`, `1y`, or
    /// `custom` with `startDate` and `endDate`), computed from its attempts.
    #[oai(path = "/admin/scenarios/:id/analytics", method = "get")]
    async fn scenario(
        &self,
        auth: Can<ScenarioRead>,
        id: Path<String>,
        #[oai(name = "period")] period_q: Query<Option<AnalyticsPeriod>>,
        #[oai(name = "startDate")] start: Query<Option<DateOrDateTime>>,
        #[oai(name = "endDate")] end: Query<Option<DateOrDateTime>>,
    ) -> Result<Answer<ScenarioAnalytics>> {
        let p = auth.0;
        let per = period(
            period_q.0.map(AnalyticsPeriod::as_str),
            start.0.as_deref(),
            end.0.as_deref(),
        )?;
        let out = self
            .platform
            .db
            .read(move |conn| service::analytics::scenario(conn, &id.0, &p, &per))
            .await?;
        Ok(ok(out))
    }

    /// Compare the metrics of 2 to 10 scenarios over one period
    /// (`{"scenarioIds": [...], "period": "30d"}`), with the best scenario per metric.
    #[oai(path = "/admin/scenarios/analytics/compare", method = "post")]
    async fn compare(
        &self,
        auth: Can<ScenarioRead>,
        body: JsonBody<CompareScenariosRequest>,
    ) -> Result<Answer<ScenarioComparison>> {
        let p = auth.0;
        let body = body.0;
        let mut ids = body.scenario_ids;
        ids.dedup();
        let per = period(
            body.period.map(AnalyticsPeriod::as_str),
            body.start_date.as_deref(),
            body.end_date.as_deref(),
        )?;
        let out = self
            .platform
            .db
            .read(move |conn| service::analytics::compare(conn, &ids, &p, &per))
            .await?;
        Ok(ok(out))
    }

    /// Overview dashboard: scenario counts by status, category and
    /// difficulty, attempt metrics over the period (`averageScore` null
    /// without scored attempts), the most used (`topScenarios`) and the best
    /// rated scenarios (`bestRatedScenarios`, by mean rating), and daily attempts.
    #[oai(path = "/admin/analytics/dashboard", method = "get")]
    async fn dashboard(
        &self,
        auth: Can<ScenarioRead>,
        #[oai(name = "period")] period_q: Query<Option<AnalyticsPeriod>>,
        #[oai(name = "startDate")] start: Query<Option<DateOrDateTime>>,
        #[oai(name = "endDate")] end: Query<Option<DateOrDateTime>>,
    ) -> Result<Answer<Dashboard>> {
        let p = auth.0;
        let per = period(
            period_q.0.map(AnalyticsPeriod::as_str),
            start.0.as_deref(),
            end.0.as_deref(),
        )?;
        let out = self
            .platform
            .db
            .read(move |conn| service::analytics::dashboard(conn, &p, &per))
            .await?;
        Ok(ok(out))
    }
}
