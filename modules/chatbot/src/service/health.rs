//! Health reports of this server: database round trips, live counts from the
//! store and request latency from the platform metrics.

use std::collections::BTreeMap;

use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, ApiResult, Platform};

use crate::model::*;
use crate::store::{health_counts, messages_since};

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Basic health.
pub(crate) fn basic(p: &Platform) -> HealthStatus {
    HealthStatus {
        status: "healthy".into(),
        timestamp: now_iso(),
        version: env!("CARGO_PKG_VERSION").into(),
        uptime_seconds: p.metrics.uptime_secs(),
        environment: "self-hosted".into(),
    }
}

/// Detailed status: this module's latency, the database round trip, live counts.
pub(crate) async fn detailed(p: &Platform) -> ApiResult<DetailedHealth> {
    let m = p.metrics.summary(Some("chatbot"));
    let ping = p.db.ping().await;
    let counts = p.db.read(health_counts).await?;
    let healthy = ping.is_ok();
    Ok(DetailedHealth {
        status: if healthy { "healthy" } else { "degraded" }.into(),
        timestamp: now_iso(),
        services: HealthServices {
            chat_service: ChatServiceHealth {
                status: "healthy".into(),
                response_time_ms: m.mean_ms,
                requests: m.requests,
                errors: m.errors,
                active_sessions: counts.active_sessions,
            },
            mcp_engine: EngineHealth {
                status: "healthy".into(),
                active_state_machines: counts.open_conversations,
                queue_size: counts.queued_transfers,
            },
            model_orchestrator: OrchestratorHealth {
                status: "healthy".into(),
                models_available: 1,
                active_tenants: counts.active_tenants,
            },
        },
        databases: HealthDatabases {
            sqlite: DatabaseHealth {
                status: if healthy { "healthy" } else { "unhealthy" }.into(),
                response_time_ms: ping.as_ref().ok().map(|v| round3(*v)),
            },
        },
    })
}

/// Dependency status: the database and the built-in engine.
pub(crate) async fn dependencies(p: &Platform) -> DependencyReport {
    let ping = p.db.ping().await;
    let now = now_iso();
    let healthy = ping.is_ok();
    let mut deps = BTreeMap::new();
    deps.insert(
        "database".to_string(),
        DependencyStatus {
            status: if healthy { "healthy" } else { "unhealthy" }.into(),
            last_check: now.clone(),
            response_time_ms: ping.as_ref().ok().copied(),
            error: ping.as_ref().err().map(|e| e.message.clone()),
        },
    );
    deps.insert(
        "rule_engine".to_string(),
        DependencyStatus {
            status: "healthy".into(),
            last_check: now.clone(),
            response_time_ms: Some(0.0),
            error: None,
        },
    );
    let score = deps.values().filter(|d| d.status == "healthy").count() as f64 / deps.len() as f64;
    DependencyReport {
        status: if healthy {
            "healthy"
        } else {
            "partial_degradation"
        }
        .into(),
        timestamp: now,
        dependencies: deps,
        overall_health_score: score,
    }
}

/// Seconds of a metrics timeframe (`5m`, `15m`, `1h`, `24h`, `7d`).
pub(crate) fn timeframe_secs(tf: &str) -> ApiResult<i64> {
    match tf {
        "5m" => Ok(300),
        "15m" => Ok(900),
        "1h" => Ok(3600),
        "24h" => Ok(86400),
        "7d" => Ok(604800),
        _ => Err(ApiError::invalid(
            "timeframe",
            "timeframe must be 5m, 15m, 1h, 24h or 7d",
        )),
    }
}

/// Performance metrics of this module since start, messages within the timeframe.
pub(crate) async fn metrics(p: &Platform, timeframe: Option<String>) -> ApiResult<MetricsReport> {
    let tf = timeframe.unwrap_or_else(|| "1h".into());
    let secs = timeframe_secs(&tf)?;
    let since = (chrono::Utc::now() - chrono::Duration::seconds(secs))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let m = p.metrics.summary(Some("chatbot"));
    let (active, processed) =
        p.db.read(move |c| {
            Ok((
                health_counts(c)?.open_conversations,
                messages_since(c, &since)?,
            ))
        })
        .await?;
    Ok(MetricsReport {
        status: "success".into(),
        timestamp: now_iso(),
        timeframe: tf,
        metrics: PerformanceMetrics {
            requests_per_second: m.rate_per_sec,
            average_response_time_ms: m.mean_ms,
            p50_response_time_ms: m.p50_ms,
            p95_response_time_ms: m.p95_ms,
            p99_response_time_ms: m.p99_ms,
            error_rate_percent: if m.requests > 0 {
                (m.errors as f64 / m.requests as f64) * 100.0
            } else {
                0.0
            },
            active_conversations: active,
            messages_processed: processed,
        },
    })
}

/// Readiness: the database answers (503 otherwise).
pub(crate) async fn readiness(p: &Platform) -> ApiResult<ReadinessReport> {
    let ms =
        p.db.ping()
            .await
            .map_err(|e| ApiError::unavailable(format!("Database unavailable: {}", e.message)))?;
    Ok(ReadinessReport {
        status: "ready".into(),
        timestamp: now_iso(),
        checks: ReadinessChecks {
            database: ReadinessCheck {
                status: "healthy".into(),
                response_time_ms: ms,
            },
        },
    })
}

/// Liveness: the process answers.
pub(crate) fn liveness(p: &Platform) -> LivenessReport {
    LivenessReport {
        status: "alive".into(),
        timestamp: now_iso(),
        uptime_seconds: p.metrics.uptime_secs(),
    }
}
