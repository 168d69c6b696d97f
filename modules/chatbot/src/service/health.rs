//! Health reports of this server: database round trips, live counts from the
//! store and request latency from the platform metrics.

use std::collections::BTreeMap;

use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, ApiResult, Platform};

use crate::model::*;
use crate::store::{dependency_counts, health_counts, messages_since};

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Basic health: `healthy` when the database answers, `unhealthy` otherwise.
pub(crate) async fn basic(p: &Platform) -> HealthStatus {
    let db_up = p.db.ping().await.is_ok();
    HealthStatus {
        status: if db_up { "healthy" } else { "unhealthy" }.into(),
        timestamp: now_iso(),
        version: env!("CARGO_PKG_VERSION").into(),
        uptime_seconds: p.metrics.uptime_secs(),
        environment: "self-hosted".into(),
    }
}

/// The window of `/health/detailed`'s request figures: the last five minutes.
pub const DETAILED_WINDOW_SECS: i64 = 300;

/// The share of a window's requests that may fail (5xx) before the chat
/// service reports `degraded`.
const ERROR_RATE_DEGRADED: f64 = 0.05;
/// A built-in engine answer slower than this (ms) reports the engine `degraded`.
const ENGINE_SLOW_MS: f64 = 250.0;

/// The status of the chat service from the last five minutes' requests:
/// `unhealthy` without a database, `degraded` above the error-rate threshold.
fn chat_status(db_ok: bool, recent: &crate::window::WindowFigures) -> &'static str {
    if !db_ok {
        "unhealthy"
    } else if recent.requests > 0
        && recent.errors as f64 / recent.requests as f64 > ERROR_RATE_DEGRADED
    {
        "degraded"
    } else {
        "healthy"
    }
}

/// Detailed status: this module's latency, the database round trip, live counts.
/// Each service's status is measured now: the chat service from the last five
/// minutes' requests (its latency and counts are of that window too) and the database, the engine from a timed sample answer,
/// the orchestrator from the engine and the database (provider endpoints are
/// probed by `/health/dependencies`).
pub(crate) async fn detailed(
    p: &Platform,
    window: &crate::window::RequestWindow,
) -> ApiResult<DetailedHealth> {
    let recent = window.figures(DETAILED_WINDOW_SECS);
    let ping = p.db.ping().await;
    let healthy = ping.is_ok();
    let counts = if healthy {
        p.db.read(health_counts).await?
    } else {
        Default::default()
    };
    let engine_ms = engine_round_trip_ms();
    let engine = if engine_ms > ENGINE_SLOW_MS {
        "degraded"
    } else {
        "healthy"
    };
    let chat = chat_status(healthy, &recent);
    let orchestrator = if !healthy { "unhealthy" } else { engine };
    let overall = if !healthy {
        "unhealthy"
    } else if chat != "healthy" || engine != "healthy" {
        "degraded"
    } else {
        "healthy"
    };
    Ok(DetailedHealth {
        status: overall.into(),
        timestamp: now_iso(),
        services: HealthServices {
            chat_service: ChatServiceHealth {
                status: chat.into(),
                response_time_ms: round3(recent.mean_ms),
                p95_response_time_ms: recent.p95_ms,
                requests: recent.requests,
                errors: recent.errors,
                window_seconds: DETAILED_WINDOW_SECS,
                active_sessions: counts.active_sessions,
            },
            mcp_engine: EngineHealth {
                status: engine.into(),
                active_state_machines: counts.open_conversations,
                queue_size: counts.queued_transfers,
            },
            model_orchestrator: OrchestratorHealth {
                status: orchestrator.into(),
                models_available: 1 + counts.provider_models,
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

/// Outbox rows waiting for the knowledge index above which it is `degraded`
/// (answers are missing recent articles).
const SEARCH_BACKLOG_DEGRADED: i64 = 1000;
/// Provider endpoints checked per report, and how long each may take.
const PROVIDERS_CHECKED: usize = 10;
const PROVIDER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

fn dependency(status: &str, now: &str, ms: Option<f64>, error: Option<String>) -> DependencyStatus {
    DependencyStatus {
        status: status.into(),
        last_check: now.to_string(),
        response_time_ms: ms.map(round3),
        error,
    }
}

/// Whether a configured provider answers at all (any HTTP status counts:
/// the endpoint is there; a key problem shows in the chat answers).
/// Goes through the platform's outbound client: an address the policy
/// refuses is reported, not probed.
async fn probe_provider(
    outbound: &frontline_platform::outbound::Outbound,
    url: &str,
) -> (Option<f64>, Option<String>) {
    let parsed = match outbound.policy().check_url("base_url", url) {
        Ok(u) => u,
        Err(e) => return (None, Some(e.message)),
    };
    let started = std::time::Instant::now();
    match outbound
        .client()
        .get(parsed)
        .timeout(PROVIDER_TIMEOUT)
        .send()
        .await
    {
        Ok(_) => (Some(started.elapsed().as_secs_f64() * 1000.0), None),
        Err(e) if e.is_timeout() => (None, Some("timed out".into())),
        Err(e)
            if e.is_connect()
                && frontline_platform::outbound::describe(&e).contains("not public") =>
        {
            (
                None,
                Some("refused by this server's outbound policy (not a public address)".into()),
            )
        }
        Err(_) => (None, Some("unreachable".into())),
    }
}

/// Dependency status of this server: the database, the knowledge search
/// index (with its outbox backlog), the job queue, the built-in engine and
/// every OpenAI-compatible provider endpoint active tenants have configured.
pub(crate) async fn dependencies(p: &Platform) -> DependencyReport {
    let ping = p.db.ping().await;
    let now = now_iso();
    let db_up = ping.is_ok();
    let mut deps = BTreeMap::new();
    deps.insert(
        "database".to_string(),
        dependency(
            if db_up { "healthy" } else { "unhealthy" },
            &now,
            ping.as_ref().ok().copied(),
            ping.as_ref().err().map(|e| e.message.clone()),
        ),
    );
    deps.insert(
        "rule_engine".to_string(),
        dependency("healthy", &now, Some(engine_round_trip_ms()), None),
    );
    let started = std::time::Instant::now();
    let counts = p.db.read(|c| dependency_counts(c, PROVIDERS_CHECKED)).await;
    let read_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &counts {
        Ok(c) => {
            let (status, error) = if let Err(e) = crate::knowledge::index(p) {
                (
                    "unhealthy",
                    Some(format!(
                        "the knowledge index cannot be opened: {}",
                        e.message
                    )),
                )
            } else if c.search_backlog > SEARCH_BACKLOG_DEGRADED {
                (
                    "degraded",
                    Some(format!(
                        "{} article changes waiting to be indexed",
                        c.search_backlog
                    )),
                )
            } else {
                ("healthy", None)
            };
            deps.insert(
                "search_index".to_string(),
                dependency(status, &now, Some(read_ms), error),
            );
            let jobs_error = (c.jobs_failed > 0)
                .then(|| format!("{} queued, {} failed", c.jobs_queued, c.jobs_failed));
            deps.insert(
                "job_queue".to_string(),
                dependency(
                    if c.jobs_failed > 0 {
                        "degraded"
                    } else {
                        "healthy"
                    },
                    &now,
                    Some(read_ms),
                    jobs_error,
                ),
            );
        }
        Err(e) => {
            for name in ["search_index", "job_queue"] {
                deps.insert(
                    name.to_string(),
                    dependency("unhealthy", &now, None, Some(e.message.clone())),
                );
            }
        }
    }
    if let Ok(c) = &counts {
        let outbound = &p.outbound;
        let probes = c
            .provider_urls
            .iter()
            .map(|url| async move { (url.clone(), probe_provider(outbound, url).await) });
        for (url, (ms, error)) in futures_util::future::join_all(probes).await {
            let host = reqwest::Url::parse(&url)
                .ok()
                .and_then(|u| {
                    u.host_str().map(|h| {
                        format!(
                            "{h}{}",
                            u.port().map(|p| format!(":{p}")).unwrap_or_default()
                        )
                    })
                })
                .unwrap_or(url);
            let status = if error.is_none() {
                "healthy"
            } else {
                "unhealthy"
            };
            deps.insert(
                format!("provider:{host}"),
                dependency(status, &now, ms, error),
            );
        }
    }
    let healthy = deps.values().filter(|d| d.status == "healthy").count();
    let score = healthy as f64 / deps.len() as f64;
    DependencyReport {
        status: if !db_up {
            "unhealthy"
        } else if healthy == deps.len() {
            "healthy"
        } else {
            "partial_degradation"
        }
        .into(),
        timestamp: now,
        dependencies: deps,
        overall_health_score: round3(score),
    }
}

/// Time (ms) the built-in engine takes to answer a sample question.
fn engine_round_trip_ms() -> f64 {
    let started = std::time::Instant::now();
    let d = crate::engine::decide(
        &crate::service::default_config(),
        "What are your store hours?",
        0,
        "en",
    );
    std::hint::black_box(d);
    started.elapsed().as_secs_f64() * 1000.0
}

/// Seconds of a metrics timeframe.
pub(crate) fn timeframe_secs(tf: MetricsTimeframe) -> i64 {
    match tf {
        MetricsTimeframe::FiveMinutes => 300,
        MetricsTimeframe::FifteenMinutes => 900,
        MetricsTimeframe::OneHour => 3600,
        MetricsTimeframe::OneDay => 86400,
        MetricsTimeframe::SevenDays => 604800,
    }
}

/// Performance metrics of this module's requests and messages within the timeframe.
pub(crate) async fn metrics(
    p: &Platform,
    window: &crate::window::RequestWindow,
    timeframe: Option<MetricsTimeframe>,
) -> ApiResult<MetricsReport> {
    let tf = timeframe.unwrap_or(MetricsTimeframe::OneHour);
    let secs = timeframe_secs(tf);
    let tf = tf.as_str().to_string();
    let since = (chrono::Utc::now() - chrono::Duration::seconds(secs))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let m = window.figures(secs);
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
            requests_per_second: round3(m.requests as f64 / secs as f64),
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

#[cfg(test)]
mod status_tests {
    use super::chat_status;
    use crate::window::WindowFigures;

    fn window(requests: u64, errors: u64) -> WindowFigures {
        WindowFigures {
            requests,
            errors,
            ..Default::default()
        }
    }

    #[test]
    fn the_chat_service_status_follows_the_last_minutes_errors_and_the_database() {
        assert_eq!(chat_status(true, &window(0, 0)), "healthy");
        assert_eq!(chat_status(true, &window(100, 5)), "healthy");
        assert_eq!(chat_status(true, &window(100, 6)), "degraded");
        assert_eq!(chat_status(false, &window(100, 0)), "unhealthy");
    }
}
