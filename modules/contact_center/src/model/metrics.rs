//! Analytics & metrics types, as the document names them, and the values the
//! service hands the store (`MetricSample`, `ThresholdValues`, `NewAlert`,
//! the list filters, the dashboard's figures).

use poem_openapi::Object;
use serde_json::Value;

pub const GRANULARITIES: &[&str] = &["minute", "hour", "day", "week", "month"];
pub const COMPARISONS: &[&str] = &[
    "greater_than",
    "less_than",
    "equals",
    "not_equals",
    "greater_or_equal",
    "less_or_equal",
];
pub const SEVERITIES: &[&str] = &["info", "warning", "critical"];
pub const ALERT_STATUSES: &[&str] = &["active", "acknowledged", "resolved"];

frontline_platform::pattern_string! {
    /// A metric's type or name: 1-100 letters, digits, `_ . : -`.
    pub MetricKey = "^[A-Za-z0-9_.:-]{1,100}$";
    /// A threshold's comparison operator.
    pub ComparisonText = "^(greater_than|less_than|equals|not_equals|greater_or_equal|less_or_equal)$";
    /// An alert severity: info, warning or critical.
    pub SeverityText = "^(info|warning|critical)$";
}

/// A metric to record.
#[derive(Object, Debug)]
pub struct MetricCreate {
    /// e.g. `call`, `queue`, `agent`.
    pub metric_type: MetricKey,
    /// e.g. `call_duration`, `wait_time`, `failure_rate`.
    pub metric_name: MetricKey,
    /// -1e15 to 1e15 (sums and means of many values stay finite).
    #[oai(validator(minimum(value = "-1e15"), maximum(value = "1e15")))]
    pub value: f64,
    pub team_id: Option<i64>,
    pub agent_id: Option<i64>,
    /// Free-form labels (an object).
    pub tags: Option<Value>,
    /// Free-form dimensions (an object).
    pub dimensions: Option<Value>,
    /// When it was measured (RFC 3339); default now. Lets other systems backfill.
    pub recorded_at: Option<crate::common::DateOrTime>,
}

/// A recorded metric.
#[derive(Object, Clone, Debug)]
pub struct Metric {
    pub id: i64,
    pub metric_type: String,
    pub metric_name: String,
    pub value: f64,
    pub team_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub tags: Value,
    pub dimensions: Value,
    pub recorded_at: String,
}

/// One time window of an aggregation.
#[derive(Object, Clone, Debug, PartialEq)]
pub struct Aggregation {
    pub metric_name: String,
    pub granularity: String,
    /// Mean of the window's values (null for an empty window).
    pub value: Option<f64>,
    pub count: i64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub sum: Option<f64>,
    /// Window start (inclusive), in the requested time zone.
    pub window_start: String,
    /// Window end (exclusive).
    pub window_end: String,
}

/// A threshold that raises alerts.
#[derive(Object, Clone, Debug)]
pub struct Threshold {
    pub id: i64,
    pub name: Option<String>,
    pub metric_type: String,
    pub metric_name: String,
    pub threshold_value: f64,
    /// greater_than, less_than, equals, not_equals, greater_or_equal, less_or_equal.
    pub comparison_operator: String,
    /// info, warning or critical.
    pub severity: String,
    /// The mean over this many minutes before each recorded metric is compared.
    pub window_minutes: i64,
    pub alert_message: Option<String>,
    /// Only metrics of this team (none: all teams).
    pub team_id: Option<i64>,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A new threshold.
#[derive(Object, Debug)]
pub struct ThresholdCreate {
    pub name: Option<String>,
    pub metric_type: MetricKey,
    pub metric_name: MetricKey,
    /// -1e15 to 1e15.
    #[oai(validator(minimum(value = "-1e15"), maximum(value = "1e15")))]
    pub threshold_value: f64,
    pub comparison_operator: ComparisonText,
    /// Default warning.
    pub severity: Option<SeverityText>,
    /// 1..=10080, default 60.
    #[oai(validator(minimum(value = "1"), maximum(value = "10080")))]
    pub window_minutes: Option<i64>,
    pub alert_message: Option<String>,
    pub team_id: Option<i64>,
    pub is_active: Option<bool>,
}

/// Changes to a threshold; omitted fields stay.
#[derive(Object, Debug)]
pub struct ThresholdUpdate {
    pub name: Option<String>,
    pub metric_type: Option<MetricKey>,
    pub metric_name: Option<MetricKey>,
    /// -1e15 to 1e15.
    #[oai(validator(minimum(value = "-1e15"), maximum(value = "1e15")))]
    pub threshold_value: Option<f64>,
    pub comparison_operator: Option<ComparisonText>,
    pub severity: Option<SeverityText>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10080")))]
    pub window_minutes: Option<i64>,
    pub alert_message: Option<String>,
    pub team_id: Option<i64>,
    pub is_active: Option<bool>,
}

/// An alert raised when a threshold was crossed. One alert stays open per
/// threshold until the metric returns within bounds (then it is resolved).
#[derive(Object, Clone, Debug)]
pub struct Alert {
    pub id: i64,
    pub threshold_id: Option<i64>,
    pub alert_name: String,
    pub severity: String,
    pub message: String,
    /// The latest windowed mean that breached the threshold.
    pub actual_value: f64,
    pub threshold_value: f64,
    pub metric_type: String,
    pub metric_name: String,
    pub triggered_at: String,
    /// active, acknowledged or resolved.
    pub status: String,
    pub team_id: Option<i64>,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by_id: Option<i64>,
    pub notes: Option<String>,
    pub resolved_at: Option<String>,
}

/// Acknowledgement of an alert.
#[derive(Object, Debug)]
pub struct AcknowledgeRequest {
    /// Who acknowledges (default: the signed-in user's id).
    pub acknowledged_by_id: Option<i64>,
    pub notes: Option<String>,
}

/// Call figures of the dashboard: calls started in the period (seconds).
#[derive(Object, Clone, Debug)]
pub struct CallMetrics {
    pub total_calls: i64,
    pub avg_duration: f64,
    pub max_duration: f64,
    pub min_duration: f64,
}

/// Queue figures of the dashboard: waits of calls queued in the period (seconds).
#[derive(Object, Clone, Debug)]
pub struct QueueMetrics {
    pub avg_wait_time: f64,
    pub max_wait_time: f64,
    /// Waits measured in the period.
    pub samples: i64,
    /// Calls in a queue right now.
    pub calls_waiting: i64,
}

/// Alert counts of the dashboard.
#[derive(Object, Clone, Debug)]
pub struct AlertCounts {
    /// Alerts with status `active` (what `GET /api/analytics/alerts?status=active` lists).
    pub active_count: i64,
    /// Of the active ones, critical (`?status=active&severity=critical`).
    pub critical_count: i64,
    /// Acknowledged alerts, counted apart (`?status=acknowledged`): still open,
    /// no longer active.
    pub acknowledged_count: i64,
    /// Raised within the period.
    pub triggered_in_period: i64,
}

/// Dashboard overview over the last `period_hours`.
#[derive(Object, Clone, Debug)]
pub struct DashboardOverview {
    pub period_hours: i64,
    pub call_metrics: CallMetrics,
    pub queue_metrics: QueueMetrics,
    pub alerts: AlertCounts,
    pub new_voicemails: i64,
    pub generated_at: String,
}

// ---------------------------------------------------------------- service <-> store

/// One sample to store (a checked `MetricCreate`, or a sample a finished
/// call implies).
#[derive(Debug, Clone)]
pub struct MetricSample<'a> {
    pub metric_type: &'a str,
    pub metric_name: &'a str,
    pub value: f64,
    pub team_id: Option<i64>,
    pub agent_id: Option<i64>,
    /// An object.
    pub tags: Value,
    /// An object.
    pub dimensions: Value,
}

/// Which samples an aggregation reads: one metric, optionally narrowed to a
/// metric type, a team and an agent.
pub struct MetricSeries<'a> {
    pub metric_name: &'a str,
    pub metric_type: Option<&'a str>,
    pub team_id: Option<i64>,
    pub agent_id: Option<i64>,
}

/// One window's figures as the store reads them: index of the window,
/// count, mean, min, max, sum.
pub type WindowFigures = (i64, i64, Option<f64>, Option<f64>, Option<f64>, Option<f64>);

/// The filters of `GET /api/analytics/metrics` (times in epoch milliseconds).
#[derive(Debug, Clone, Default)]
pub struct MetricFilter {
    pub metric_type: Option<String>,
    pub metric_name: Option<String>,
    /// Inclusive.
    pub start: Option<i64>,
    /// Exclusive.
    pub end: Option<i64>,
    pub team_id: Option<i64>,
    pub agent_id: Option<i64>,
}

/// The filters of `GET /api/analytics/alerts`.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub team_id: Option<i64>,
    pub metric_name: Option<String>,
}

/// A threshold's stored fields (create, and update after merging).
#[derive(Debug, Clone)]
pub struct ThresholdValues {
    pub name: Option<String>,
    pub metric_type: String,
    pub metric_name: String,
    pub threshold_value: f64,
    pub comparison_operator: String,
    pub severity: String,
    pub window_minutes: i64,
    pub alert_message: Option<String>,
    pub team_id: Option<i64>,
    pub is_active: bool,
}

/// An alert to open.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub threshold_id: i64,
    pub alert_name: String,
    pub severity: String,
    pub message: String,
    pub actual_value: f64,
    pub threshold_value: f64,
    pub metric_type: String,
    pub metric_name: String,
    pub team_id: Option<i64>,
    pub triggered_at: String,
    pub triggered_ms: i64,
}

/// The dashboard's figures as the store counts them (no rounding, no defaults).
#[derive(Debug, Clone, Default)]
pub struct DashboardFigures {
    pub calls: i64,
    pub avg_duration: Option<f64>,
    pub max_duration: Option<f64>,
    pub min_duration: Option<f64>,
    pub waits: i64,
    pub avg_wait: Option<f64>,
    pub max_wait: Option<f64>,
    pub waiting: i64,
    pub active_alerts: i64,
    pub critical_alerts: i64,
    pub acknowledged_alerts: i64,
    pub triggered: i64,
    pub new_voicemails: i64,
}

/// The parameters of `GET /api/analytics/metrics`, as sent.
#[derive(Debug, Clone, Default)]
pub struct MetricQuery {
    pub metric_type: Option<String>,
    pub metric_name: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub team_id: Option<i64>,
    pub agent_id: Option<i64>,
}

/// The parameters of `GET /api/analytics/aggregations`, as sent.
#[derive(Debug, Clone, Default)]
pub struct AggregationQuery {
    pub metric_name: String,
    pub granularity: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub limit: Option<i64>,
    pub timezone: Option<String>,
    pub metric_type: Option<String>,
    pub team_id: Option<i64>,
    pub agent_id: Option<i64>,
}
