//! Health reports (not enveloped: printed as the document shows them).

use std::collections::BTreeMap;

use poem_openapi::Object;

/// Basic health.
#[derive(Object, Debug, Clone)]
pub struct HealthStatus {
    /// `healthy`.
    pub status: String,
    pub timestamp: String,
    /// The server version.
    pub version: String,
    pub uptime_seconds: u64,
    /// `self-hosted`.
    pub environment: String,
}

/// The chat service: this module's request latency and live sessions.
#[derive(Object, Debug, Clone)]
pub struct ChatServiceHealth {
    pub status: String,
    /// Mean latency of this module's recent requests.
    pub response_time_ms: f64,
    /// Requests served since start.
    pub requests: u64,
    /// Requests that ended in a server error.
    pub errors: u64,
    /// Sessions not ended.
    pub active_sessions: i64,
}

/// The conversation engine: open conversations and the transfer queue.
#[derive(Object, Debug, Clone)]
pub struct EngineHealth {
    pub status: String,
    /// Conversations not closed.
    pub active_state_machines: i64,
    /// Transfers waiting for an agent.
    pub queue_size: i64,
}

/// The model orchestrator: the built-in engine and active tenants.
#[derive(Object, Debug, Clone)]
pub struct OrchestratorHealth {
    pub status: String,
    pub models_available: i64,
    pub active_tenants: i64,
}

/// The services of the chatbot.
#[derive(Object, Debug, Clone)]
pub struct HealthServices {
    pub chat_service: ChatServiceHealth,
    pub mcp_engine: EngineHealth,
    pub model_orchestrator: OrchestratorHealth,
}

/// A database and its measured round trip.
#[derive(Object, Debug, Clone)]
pub struct DatabaseHealth {
    /// `healthy` or `unhealthy`.
    pub status: String,
    /// Round trip of a trivial query; null when it failed.
    pub response_time_ms: Option<f64>,
}

/// The databases.
#[derive(Object, Debug, Clone)]
pub struct HealthDatabases {
    pub sqlite: DatabaseHealth,
}

/// Detailed status.
#[derive(Object, Debug, Clone)]
pub struct DetailedHealth {
    /// `healthy` or `degraded`.
    pub status: String,
    pub timestamp: String,
    pub services: HealthServices,
    pub databases: HealthDatabases,
}

/// One dependency.
#[derive(Object, Debug, Clone)]
pub struct DependencyStatus {
    /// `healthy`, `degraded` or `unhealthy`.
    pub status: String,
    pub last_check: String,
    /// Measured round trip; null when the check failed.
    pub response_time_ms: Option<f64>,
    /// Why the check failed.
    #[oai(skip_serializing_if_is_none)]
    pub error: Option<String>,
}

/// Dependency status.
#[derive(Object, Debug, Clone)]
pub struct DependencyReport {
    /// `healthy` or `partial_degradation`.
    pub status: String,
    pub timestamp: String,
    /// By dependency name (`database`, `rule_engine`).
    pub dependencies: BTreeMap<String, DependencyStatus>,
    /// Share of healthy dependencies, 0-1.
    pub overall_health_score: f64,
}

/// Performance figures.
#[derive(Object, Debug, Clone)]
pub struct PerformanceMetrics {
    /// Requests per second since start.
    pub requests_per_second: f64,
    pub average_response_time_ms: f64,
    pub p50_response_time_ms: f64,
    pub p95_response_time_ms: f64,
    pub p99_response_time_ms: f64,
    pub error_rate_percent: f64,
    /// Conversations not closed.
    pub active_conversations: i64,
    /// Messages stored within the timeframe.
    pub messages_processed: i64,
}

/// Performance metrics.
#[derive(Object, Debug, Clone)]
pub struct MetricsReport {
    /// `success`.
    pub status: String,
    pub timestamp: String,
    /// `5m`, `15m`, `1h`, `24h` or `7d`.
    pub timeframe: String,
    pub metrics: PerformanceMetrics,
}

/// A check of the readiness probe.
#[derive(Object, Debug, Clone)]
pub struct ReadinessCheck {
    pub status: String,
    pub response_time_ms: f64,
}

/// The readiness probe's checks.
#[derive(Object, Debug, Clone)]
pub struct ReadinessChecks {
    pub database: ReadinessCheck,
}

/// Readiness.
#[derive(Object, Debug, Clone)]
pub struct ReadinessReport {
    /// `ready`.
    pub status: String,
    pub timestamp: String,
    pub checks: ReadinessChecks,
}

/// Liveness.
#[derive(Object, Debug, Clone)]
pub struct LivenessReport {
    /// `alive`.
    pub status: String,
    pub timestamp: String,
    pub uptime_seconds: u64,
}
