//! Bulk update and bulk delete.

use frontline_platform::body::JsonBody;
use frontline_platform::http::RequestMeta;
use frontline_platform::write;
use frontline_platform::Platform;
use poem_openapi::OpenApi;

use super::guard::*;
use super::Result;
use crate::model::*;
use crate::service;

pub struct BulkApi {
    pub(super) platform: Platform,
}

/// Bulk operations.
#[OpenApi(tag = "ApiTags::Scenarios")]
impl BulkApi {
    /// Apply the same partial update (`updates`, as PATCH) to up to 100
    /// scenarios (`scenario:update`). Each scenario is updated whole or not
    /// at all; failures are listed per scenario.
    #[oai(path = "/admin/scenarios/bulk/update", method = "patch")]
    async fn update(
        &self,
        auth: Can<ScenarioUpdate>,
        meta: RequestMeta,
        body: JsonBody<BulkUpdateRequest>,
    ) -> Result<Answer<BulkUpdateResult>> {
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::scenarios::bulk_update(w, &body.0)
        })
        .await?;
        Ok(ok(out))
    }

    /// Archive up to 100 scenarios, or remove them with `permanent: true`
    /// (platform `admin` only) (`scenario:delete`). Body:
    /// `{"scenarioIds": [...], "permanent": false}`.
    #[oai(path = "/admin/scenarios/bulk/delete", method = "delete")]
    async fn delete(
        &self,
        auth: Can<ScenarioDelete>,
        meta: RequestMeta,
        body: JsonBody<BulkDeleteRequest>,
    ) -> Result<Answer<BulkDeleteResult>> {
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::scenarios::bulk_delete(w, &body.0)
        })
        .await?;
        Ok(ok(out))
    }
}
