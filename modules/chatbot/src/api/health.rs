//! Health, readiness, liveness, dependencies and metrics.

use frontline_platform::Platform;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::auth::*;
use super::*;
use crate::model::*;
use crate::service::health;

pub struct HealthApi {
    pub platform: Platform,
    /// This module's requests by minute (for `/health/metrics`).
    pub window: std::sync::Arc<crate::window::RequestWindow>,
}

#[OpenApi]
impl HealthApi {
    /// Basic health check (public): `healthy` when the database answers a
    /// round trip, `unhealthy` otherwise.
    #[oai(path = "/health", method = "get", tag = "ApiTags::Health")]
    async fn health(&self) -> Json<HealthStatus> {
        Json(health::basic(&self.platform).await)
    }

    /// Detailed status (platform admins): this module's requests, errors and
    /// latency over the last five minutes (`window_seconds`: 300, the
    /// per-minute figures `/health/metrics` uses; older traffic does not
    /// count), the database round trip and live counts.
    #[oai(path = "/health/detailed", method = "get", tag = "ApiTags::Health")]
    async fn health_detailed(&self, _admin: PlatformAdmin) -> Result<Json<DetailedHealth>> {
        Ok(Json(health::detailed(&self.platform, &self.window).await?))
    }

    /// Dependency status (platform admins): the database and the built-in
    /// rule engine, each with its measured round trip.
    #[oai(path = "/health/dependencies", method = "get", tag = "ApiTags::Health")]
    async fn health_dependencies(&self, _admin: PlatformAdmin) -> Result<Json<DependencyReport>> {
        Ok(Json(health::dependencies(&self.platform).await))
    }

    /// Performance metrics of this module over the `timeframe` (`5m`, `15m`,
    /// `1h` default, `24h`, `7d`; platform admins): requests per second,
    /// mean and percentile latencies and the server-error rate of the
    /// module's requests in that window (kept by minute for seven days since
    /// the server started; percentiles interpolated in a latency histogram),
    /// and the chat messages stored in it.
    #[oai(path = "/health/metrics", method = "get", tag = "ApiTags::Health")]
    async fn health_metrics(
        &self,
        _admin: PlatformAdmin,
        timeframe: Query<Option<MetricsTimeframe>>,
    ) -> Result<Json<MetricsReport>> {
        Ok(Json(
            health::metrics(&self.platform, &self.window, timeframe.0).await?,
        ))
    }

    /// Readiness: 200 when the database answers, 503 otherwise.
    #[oai(path = "/health/readiness", method = "get", tag = "ApiTags::Health")]
    async fn readiness(&self) -> Result<Json<ReadinessReport>> {
        Ok(Json(health::readiness(&self.platform).await?))
    }

    /// Liveness: the process answers.
    #[oai(path = "/health/liveness", method = "get", tag = "ApiTags::Health")]
    async fn liveness(&self) -> Json<LivenessReport> {
        Json(health::liveness(&self.platform))
    }
}
