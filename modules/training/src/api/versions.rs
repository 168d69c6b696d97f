//! Version history, comparison and restore.

use frontline_platform::body::JsonBody;
use frontline_platform::http::RequestMeta;
use frontline_platform::write;
use frontline_platform::Platform;
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;

use super::guard::*;
use super::Result;
use crate::model::*;
use crate::service;

pub struct VersionsApi {
    pub(super) platform: Platform,
}

/// Versions of a scenario.
#[OpenApi(tag = "ApiTags::Versions")]
impl VersionsApi {
    /// List the versions of a scenario, newest first (`scenario:read`).
    #[oai(path = "/admin/scenarios/:id/versions", method = "get")]
    async fn list(
        &self,
        auth: Can<ScenarioRead>,
        id: Path<String>,
    ) -> Result<Answer<VersionHistory>> {
        let p = auth.0;
        let out = self
            .platform
            .db
            .read(move |conn| service::versions::history(conn, &id.0, &p))
            .await?;
        Ok(ok(out))
    }

    /// Compare two versions (`from`, `to`): every changed path with its old
    /// and new value and whether it was added, removed or modified. Arrays
    /// compare as a whole: growing keeps "added", shrinking "removed".
    #[oai(path = "/admin/scenarios/:id/versions/compare", method = "get")]
    async fn compare(
        &self,
        auth: Can<ScenarioRead>,
        id: Path<String>,
        #[oai(validator(minimum(value = "1")))] from: Query<i64>,
        #[oai(validator(minimum(value = "1")))] to: Query<i64>,
    ) -> Result<Answer<VersionComparison>> {
        let p = auth.0;
        let out = self
            .platform
            .db
            .read(move |conn| service::versions::compare(conn, &id.0, &p, from.0, to.0))
            .await?;
        Ok(ok(out))
    }

    /// One version with its full snapshot (`scenario:read`).
    #[oai(path = "/admin/scenarios/:id/versions/:versionNumber", method = "get")]
    async fn get(
        &self,
        auth: Can<ScenarioRead>,
        id: Path<String>,
        #[oai(name = "versionNumber")] number: Path<i64>,
    ) -> Result<Answer<VersionDetail>> {
        let p = auth.0;
        let out = self
            .platform
            .db
            .read(move |conn| service::versions::detail(conn, &id.0, &p, number.0))
            .await?;
        Ok(ok(out))
    }

    /// Restore a version's content (`scenario:update`). By default this makes
    /// a new version (`createNewVersion: true`); with `false` the content is
    /// replaced in the current version.
    #[oai(
        path = "/admin/scenarios/:id/versions/:versionNumber/restore",
        method = "post"
    )]
    async fn restore(
        &self,
        auth: Can<ScenarioUpdate>,
        meta: RequestMeta,
        id: Path<String>,
        #[oai(name = "versionNumber")] number: Path<i64>,
        body: JsonBody<Option<RestoreVersionRequest>>,
    ) -> Result<Answer<VersionRestored>> {
        let req = body.0.unwrap_or_default();
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::versions::restore(w, &id.0, number.0, req)
        })
        .await?;
        Ok(ok(out))
    }
}
