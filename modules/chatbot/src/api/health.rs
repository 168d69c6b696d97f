//! Health, readiness, liveness, dependencies and metrics.

use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, Platform};
use poem::Request;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use rusqlite::params;
use serde_json::{json, Value};

use super::*;
use crate::model::*;

pub struct HealthApi {
    pub platform: Platform,
}

#[OpenApi]
impl HealthApi {
    /// Basic health check (public).
    #[oai(path = "/health", method = "get", tag = "ApiTags::Health")]
    async fn health(&self) -> Json<HealthStatus> {
        Json(HealthStatus {
            status: "healthy".into(),
            timestamp: now_iso(),
            version: env!("CARGO_PKG_VERSION").into(),
            uptime_seconds: self.platform.metrics.uptime_secs(),
            environment: "self-hosted".into(),
        })
    }

    /// Detailed status (platform admins): request latency of this module, the
    /// database round trip and live counts.
    #[oai(path = "/health/detailed", method = "get", tag = "ApiTags::Health")]
    async fn health_detailed(&self, req: &Request) -> Result<Json<Value>> {
        internal(&self.platform, req).await?;
        let m = self.platform.metrics.summary(Some("chatbot"));
        let ping = self.platform.db.ping().await;
        let counts = self
            .platform
            .db
            .read(|c| {
                let q = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0));
                Ok((
                    q("SELECT COUNT(*) FROM chatbot_conversations WHERE status != 'closed'")?,
                    q("SELECT COUNT(*) FROM chatbot_transfers WHERE status = 'queued'")?,
                    q("SELECT COUNT(*) FROM chatbot_sessions WHERE status = 'active'")?,
                    q("SELECT COUNT(*) FROM chatbot_tenants WHERE status = 'active'")?,
                ))
            })
            .await?;
        let db_status = if ping.is_ok() { "healthy" } else { "unhealthy" };
        Ok(Json(json!({
            "status": if ping.is_ok() { "healthy" } else { "degraded" },
            "timestamp": now_iso(),
            "services": {
                "chat_service": {"status": "healthy", "response_time_ms": m.mean_ms, "requests": m.requests, "errors": m.errors, "active_sessions": counts.2},
                "mcp_engine": {"status": "healthy", "active_state_machines": counts.0, "queue_size": counts.1},
                "model_orchestrator": {"status": "healthy", "models_available": 1, "active_tenants": counts.3}
            },
            "databases": {
                "sqlite": {"status": db_status, "response_time_ms": ping.as_ref().ok().map(|v| (v * 1000.0).round() / 1000.0)}
            }
        })))
    }

    /// Dependency status (platform admins): the database, and each tenant AI
    /// provider configured (only the built-in engine without a provider).
    #[oai(path = "/health/dependencies", method = "get", tag = "ApiTags::Health")]
    async fn health_dependencies(&self, req: &Request) -> Result<Json<Value>> {
        internal(&self.platform, req).await?;
        let ping = self.platform.db.ping().await;
        let now = now_iso();
        let healthy = ping.is_ok();
        Ok(Json(json!({
            "status": if healthy { "healthy" } else { "partial_degradation" },
            "timestamp": now,
            "dependencies": {
                "database": {"status": if healthy { "healthy" } else { "unhealthy" }, "last_check": now, "response_time_ms": ping.as_ref().ok(), "error": ping.as_ref().err().map(|e| e.message.clone())},
                "rule_engine": {"status": "healthy", "last_check": now, "response_time_ms": 0}
            },
            "overall_health_score": if healthy { 1.0 } else { 0.5 }
        })))
    }

    /// Performance metrics of this module since start (platform admins).
    #[oai(path = "/health/metrics", method = "get", tag = "ApiTags::Health")]
    async fn health_metrics(
        &self,
        req: &Request,
        timeframe: Query<Option<String>>,
    ) -> Result<Json<Value>> {
        internal(&self.platform, req).await?;
        let tf = timeframe.0.unwrap_or_else(|| "1h".into());
        let secs = match tf.as_str() {
            "5m" => 300,
            "15m" => 900,
            "1h" => 3600,
            "24h" => 86400,
            "7d" => 604800,
            _ => {
                return Err(ApiError::invalid(
                    "timeframe",
                    "timeframe must be 5m, 15m, 1h, 24h or 7d",
                )
                .into())
            }
        };
        let since = (chrono::Utc::now() - chrono::Duration::seconds(secs))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let m = self.platform.metrics.summary(Some("chatbot"));
        let (active, processed) = self
            .platform
            .db
            .read(move |c| {
                Ok((
                    c.query_row(
                        "SELECT COUNT(*) FROM chatbot_conversations WHERE status != 'closed'",
                        [],
                        |r| r.get::<_, i64>(0),
                    )?,
                    c.query_row(
                        "SELECT COUNT(*) FROM chatbot_messages WHERE created_at >= ?1",
                        params![since],
                        |r| r.get::<_, i64>(0),
                    )?,
                ))
            })
            .await?;
        Ok(Json(json!({
            "status": "success",
            "timestamp": now_iso(),
            "timeframe": tf,
            "metrics": {
                "requests_per_second": m.rate_per_sec,
                "average_response_time_ms": m.mean_ms,
                "p50_response_time_ms": m.p50_ms,
                "p95_response_time_ms": m.p95_ms,
                "p99_response_time_ms": m.p99_ms,
                "error_rate_percent": if m.requests > 0 { (m.errors as f64 / m.requests as f64) * 100.0 } else { 0.0 },
                "active_conversations": active,
                "messages_processed": processed
            }
        })))
    }

    /// Readiness: 200 when the database answers, 503 otherwise.
    #[oai(path = "/health/readiness", method = "get", tag = "ApiTags::Health")]
    async fn readiness(&self) -> Result<Json<Value>> {
        let ms =
            self.platform.db.ping().await.map_err(|e| {
                ApiError::unavailable(format!("Database unavailable: {}", e.message))
            })?;
        Ok(Json(
            json!({"status": "ready", "timestamp": now_iso(), "checks": {"database": {"status": "healthy", "response_time_ms": ms}}}),
        ))
    }

    /// Liveness: the process answers.
    #[oai(path = "/health/liveness", method = "get", tag = "ApiTags::Health")]
    async fn liveness(&self) -> Json<Value> {
        Json(
            json!({"status": "alive", "timestamp": now_iso(), "uptime_seconds": self.platform.metrics.uptime_secs()}),
        )
    }
}
