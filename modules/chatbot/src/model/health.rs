//! Health reports (not enveloped: printed as the document shows them).

use std::collections::BTreeMap;

use poem_openapi::Object;

/// Basic health.
#[derive(Object, Debug, Clone)]
pub struct HealthStatus {
    /// `healthy`.
    pub status: String,
    /// When this report was made (RFC 3339, UTC).
    pub timestamp: String,
    /// The server version.
    pub version: String,
    /// Seconds since the server started.
    pub uptime_seconds: u64,
    /// `self-hosted`.
    pub environment: String,
}

/// The chat service: this module's requests of the last five minutes
/// (`window_seconds`: 300, whole minutes with the current one; the per-minute
/// figures `/health/metrics` reads) and live sessions.
#[derive(Object, Debug, Clone)]
pub struct ChatServiceHealth {
    /// `healthy`, `degraded` (more than 5% of the window's requests ended in
    /// a server error) or `unhealthy` (no database).
    pub status: String,
    /// Mean latency (ms) of this module's requests in the window; 0 without any.
    pub response_time_ms: f64,
    /// 95th percentile latency (ms) of the window's requests.
    pub p95_response_time_ms: f64,
    /// Requests served in the window.
    pub requests: u64,
    /// The window's requests that ended in a server error (5xx).
    pub errors: u64,
    /// The window the request figures cover, in seconds (300).
    pub window_seconds: i64,
    /// Sessions not ended.
    pub active_sessions: i64,
}

/// The conversation engine: open conversations and the transfer queue.
#[derive(Object, Debug, Clone)]
pub struct EngineHealth {
    /// `healthy`.
    pub status: String,
    /// Conversations not closed.
    pub active_state_machines: i64,
    /// Transfers waiting for an agent.
    pub queue_size: i64,
}

/// The model orchestrator: the built-in engine and active tenants.
#[derive(Object, Debug, Clone)]
pub struct OrchestratorHealth {
    /// `healthy`.
    pub status: String,
    /// Answering models available: the built-in engine plus each distinct
    /// provider model (base URL and model) active tenants have configured.
    pub models_available: i64,
    /// Tenants whose status is `active`.
    pub active_tenants: i64,
}

/// The services of the chatbot.
#[derive(Object, Debug, Clone)]
pub struct HealthServices {
    /// Message handling.
    pub chat_service: ChatServiceHealth,
    /// Conversation state machines and the transfer queue.
    pub mcp_engine: EngineHealth,
    /// Answering engines.
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
    /// The SQLite database.
    pub sqlite: DatabaseHealth,
}

/// Detailed status.
#[derive(Object, Debug, Clone)]
pub struct DetailedHealth {
    /// `healthy` or `degraded`.
    pub status: String,
    /// When this report was made (RFC 3339, UTC).
    pub timestamp: String,
    /// The chatbot's services.
    pub services: HealthServices,
    /// The databases.
    pub databases: HealthDatabases,
}

/// One dependency.
#[derive(Object, Debug, Clone)]
pub struct DependencyStatus {
    /// `healthy`, `degraded` or `unhealthy`.
    pub status: String,
    /// When it was checked (RFC 3339, UTC).
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
    /// `healthy`, `partial_degradation` (some dependency is not healthy) or
    /// `unhealthy` (the database is down).
    pub status: String,
    /// When this report was made (RFC 3339, UTC).
    pub timestamp: String,
    /// By dependency name: `database`, `rule_engine`, `search_index` (knowledge
    /// articles; `degraded` when changes wait to be indexed), `job_queue`
    /// (`degraded` when jobs failed), and `provider:<host>` for each
    /// OpenAI-compatible endpoint active tenants configured (reachable or not).
    pub dependencies: BTreeMap<String, DependencyStatus>,
    /// Share of healthy dependencies, 0-1.
    pub overall_health_score: f64,
}

/// Performance figures.
#[derive(Object, Debug, Clone)]
pub struct PerformanceMetrics {
    /// Requests per second over the timeframe.
    pub requests_per_second: f64,
    /// Mean latency of the timeframe's requests, ms.
    pub average_response_time_ms: f64,
    /// Median latency of the timeframe's requests, ms.
    pub p50_response_time_ms: f64,
    /// 95th percentile latency of the timeframe's requests, ms.
    pub p95_response_time_ms: f64,
    /// 99th percentile latency of the timeframe's requests, ms.
    pub p99_response_time_ms: f64,
    /// Share of the timeframe's requests that ended in a server error, percent.
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
    /// When this report was made (RFC 3339, UTC).
    pub timestamp: String,
    /// `5m`, `15m`, `1h`, `24h` or `7d`.
    pub timeframe: String,
    /// The figures.
    pub metrics: PerformanceMetrics,
}

/// A check of the readiness probe.
#[derive(Object, Debug, Clone)]
pub struct ReadinessCheck {
    /// `healthy`.
    pub status: String,
    /// Measured round trip, ms.
    pub response_time_ms: f64,
}

/// The readiness probe's checks.
#[derive(Object, Debug, Clone)]
pub struct ReadinessChecks {
    /// The database.
    pub database: ReadinessCheck,
}

/// Readiness.
#[derive(Object, Debug, Clone)]
pub struct ReadinessReport {
    /// `ready`.
    pub status: String,
    /// When this report was made (RFC 3339, UTC).
    pub timestamp: String,
    /// What was checked.
    pub checks: ReadinessChecks,
}

/// Liveness.
#[derive(Object, Debug, Clone)]
pub struct LivenessReport {
    /// `alive`.
    pub status: String,
    /// When this report was made (RFC 3339, UTC).
    pub timestamp: String,
    /// Seconds since the server started.
    pub uptime_seconds: u64,
}
