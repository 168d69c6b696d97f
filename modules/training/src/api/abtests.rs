//! A/B tests between scenario variants (rules and statistics in
//! [`service::abtests`]).

use frontline_platform::body::JsonBody;
use frontline_platform::http::RequestMeta;
use frontline_platform::page::Page;
use frontline_platform::write;
use frontline_platform::Platform;
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;

use super::guard::*;
use super::Result;
use crate::model::*;
use crate::service;

pub struct AbTestsApi {
    pub(super) platform: Platform,
}

/// A/B tests.
#[OpenApi(tag = "ApiTags::AbTests")]
impl AbTestsApi {
    /// Create and start an A/B test (`scenario:publish`) between 2 to 5
    /// scenario variants: `{"name", "description", "metric": "passRate" |
    /// "averageScore" | "completionRate", "confidenceLevel": 0.95,
    /// "minSampleSize": 30, "variants": [{"name": "Control", "scenarioId",
    /// "trafficPercentage": 50}, ...]}`. The first variant is the control;
    /// traffic percentages are whole numbers adding up to 100. Results count
    /// the attempts recorded at each variant's scenario while the test runs.
    #[oai(path = "/admin/scenarios/tests", method = "post")]
    async fn create(
        &self,
        auth: Can<ScenarioPublish>,
        meta: RequestMeta,
        body: JsonBody<CreateTestRequest>,
    ) -> Result<CreatedAnswer<AbTest>> {
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::abtests::create(w, &body.0)
        })
        .await?;
        Ok(created(out))
    }

    /// Extension: list A/B tests (`scenario:read`), newest first, optionally
    /// by `status` (RUNNING, PAUSED, COMPLETED, CANCELLED), paged. Each item
    /// is the test without its results (GET one test for those).
    #[oai(
        path = "/admin/scenarios/tests",
        method = "get",
        tag = "ApiTags::Extensions"
    )]
    async fn list(
        &self,
        auth: Can<ScenarioRead>,
        status: Query<Option<TestStatus>>,
        #[oai(validator(minimum(value = "1")))] page: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
    ) -> Result<Answer<AbTestList>> {
        let max = self.platform.settings.max_page_size.min(100) as u64;
        let pg = Page::new(page.0, limit.0, 20, max)?;
        let status = status.0.as_ref().map(name_of);
        let p = auth.0;
        let (items, total) = self
            .platform
            .db
            .read(move |conn| service::abtests::list(conn, &p, status.as_deref(), &pg))
            .await?;
        Ok(ok(AbTestList {
            data: items,
            pagination: super::pagination(&pg, total),
        }))
    }

    /// Get an A/B test with live results (`scenario:read`): per variant the
    /// attempts, completion and pass rates with Wilson confidence intervals,
    /// the mean score with a Student-t interval, the metric's lift over the
    /// control and its p-value; overall the leader, the p-value of leader
    /// against runner-up (two-proportion z-test for rates, Welch's t-test for
    /// scores), and a `winner` once that is significant at the test's
    /// confidence level and every variant reached `minSampleSize`.
    #[oai(path = "/admin/scenarios/tests/:id", method = "get")]
    async fn get(&self, auth: Can<ScenarioRead>, id: Path<String>) -> Result<Answer<AbTest>> {
        let p = auth.0;
        let out = self
            .platform
            .db
            .read(move |conn| service::abtests::get(conn, &id.0, &p))
            .await?;
        Ok(ok(out))
    }

    /// Update an A/B test (`scenario:publish`): `name`, `description`,
    /// `metric`, `confidenceLevel`, `minSampleSize`, the variants' traffic
    /// split (`variants` with the same names and scenarios, new
    /// percentages), and `status` (RUNNING <-> PAUSED, or COMPLETED to end
    /// it). Attempts recorded while the test is paused or after it ended do
    /// not count; paused tests assign no variants. Completed and cancelled
    /// tests cannot change (409).
    #[oai(path = "/admin/scenarios/tests/:id", method = "patch")]
    async fn update(
        &self,
        auth: Can<ScenarioPublish>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<UpdateTestRequest>,
    ) -> Result<Answer<AbTest>> {
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::abtests::update(w, &id.0, &body.0)
        })
        .await?;
        Ok(ok(out))
    }

    /// Cancel an A/B test (`scenario:publish`), with an optional
    /// `{"reason": "..."}`. The test and its results up to now stay readable
    /// with status CANCELLED; cancelling twice answers 409.
    #[oai(path = "/admin/scenarios/tests/:id", method = "delete")]
    async fn cancel(
        &self,
        auth: Can<ScenarioPublish>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<Option<CancelTestRequest>>,
    ) -> Result<Answer<AbTest>> {
        let reason = body.0.unwrap_or_default().reason;
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::abtests::cancel(w, &id.0, reason)
        })
        .await?;
        Ok(ok(out))
    }

    /// Extension: which variant a trainee gets (`scenario:read`):
    /// `{"userId": "..."}` is hashed into the traffic split, so the same
    /// user always gets the same variant while the split is unchanged.
    /// Only running tests assign (409 otherwise).
    #[oai(
        path = "/admin/scenarios/tests/:id/assignments",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn assign(
        &self,
        auth: Can<ScenarioRead>,
        id: Path<String>,
        body: JsonBody<Option<AssignmentRequest>>,
    ) -> Result<Answer<Assignment>> {
        let p = auth.0;
        let user = body
            .0
            .and_then(|b| b.user_id)
            .unwrap_or_else(|| p.id.clone());
        let out = self
            .platform
            .db
            .read(move |conn| service::abtests::assign(conn, &id.0, &p, &user))
            .await?;
        Ok(ok(out))
    }
}
