//! Analytics & metrics: recorded metrics, time-bucket aggregations computed in
//! SQL over the indexed time column (bucket edges in the caller's time zone),
//! thresholds checked on every recorded metric, de-duplicated alerts with
//! acknowledge and auto-resolve, alert events, and the dashboard overview.

use crate::model::CcError;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, SecondsFormat, TimeZone,
    Timelike, Utc,
};
use chrono_tz::Tz;
use frontline_platform::body::JsonBody;
use frontline_platform::write::{self, WriteCtx};
use frontline_platform::{
    events, ApiError, ApiResult, BearerAuth, FieldError, Platform, RequestMeta,
};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Value};

use super::round4;
use super::{
    fail_if, iso, listed, not_found, now, parse_instant, require_manager, require_operator, window,
    Created, Deleted, Listed, Result, Tag,
};
use crate::SLUG;

// ---------------------------------------------------------------- model

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

/// A metric to record.
#[derive(Object, Debug)]
pub struct MetricCreate {
    /// e.g. `call`, `queue`, `agent`.
    #[oai(validator(pattern = "^[A-Za-z0-9_.:-]{1,100}$"))]
    pub metric_type: String,
    /// e.g. `call_duration`, `wait_time`, `failure_rate`.
    #[oai(validator(pattern = "^[A-Za-z0-9_.:-]{1,100}$"))]
    pub metric_name: String,
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
    #[oai(validator(pattern = "^[A-Za-z0-9_.:-]{1,100}$"))]
    pub metric_type: String,
    #[oai(validator(pattern = "^[A-Za-z0-9_.:-]{1,100}$"))]
    pub metric_name: String,
    /// -1e15 to 1e15.
    #[oai(validator(minimum(value = "-1e15"), maximum(value = "1e15")))]
    pub threshold_value: f64,
    #[oai(validator(
        pattern = "^(greater_than|less_than|equals|not_equals|greater_or_equal|less_or_equal)$"
    ))]
    pub comparison_operator: String,
    /// Default warning.
    #[oai(validator(pattern = "^(info|warning|critical)$"))]
    pub severity: Option<String>,
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
    #[oai(validator(pattern = "^[A-Za-z0-9_.:-]{1,100}$"))]
    pub metric_type: Option<String>,
    #[oai(validator(pattern = "^[A-Za-z0-9_.:-]{1,100}$"))]
    pub metric_name: Option<String>,
    /// -1e15 to 1e15.
    #[oai(validator(minimum(value = "-1e15"), maximum(value = "1e15")))]
    pub threshold_value: Option<f64>,
    #[oai(validator(
        pattern = "^(greater_than|less_than|equals|not_equals|greater_or_equal|less_or_equal)$"
    ))]
    pub comparison_operator: Option<String>,
    #[oai(validator(pattern = "^(info|warning|critical)$"))]
    pub severity: Option<String>,
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

// ---------------------------------------------------------------- time buckets

/// The zone a request names (default UTC).
pub fn parse_tz(tz: Option<&str>) -> ApiResult<Tz> {
    match tz {
        None => Ok(Tz::UTC),
        Some(s) => s.parse::<Tz>().map_err(|_| {
            ApiError::invalid(
                "timezone",
                format!("unknown time zone '{s}' (use an IANA name such as Europe/Paris)"),
            )
        }),
    }
}

fn local_midnight(tz: Tz, d: NaiveDate) -> DateTime<Utc> {
    // Midnight may not exist (DST gap); the day then starts at the first valid minute.
    for minutes in [0, 30, 60, 90, 120] {
        let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes);
        if let Some(t) = tz.from_local_datetime(&naive).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// The start of the bucket containing `t`.
pub fn bucket_floor(t: DateTime<Utc>, g: &str, tz: Tz) -> DateTime<Utc> {
    let local = t.with_timezone(&tz);
    match g {
        "minute" | "hour" => {
            let offset = local.offset().fix().local_minus_utc() as i64;
            let naive: NaiveDateTime = t.naive_utc() + Duration::seconds(offset);
            let floored = if g == "minute" {
                naive.with_second(0).and_then(|n| n.with_nanosecond(0))
            } else {
                naive
                    .with_minute(0)
                    .and_then(|n| n.with_second(0))
                    .and_then(|n| n.with_nanosecond(0))
            }
            .unwrap_or(naive);
            Utc.from_utc_datetime(&(floored - Duration::seconds(offset)))
        }
        "day" => local_midnight(tz, local.date_naive()),
        "week" => {
            let d = local.date_naive();
            local_midnight(
                tz,
                d - Duration::days(d.weekday().num_days_from_monday() as i64),
            )
        }
        _ => {
            let d = local.date_naive();
            local_midnight(
                tz,
                NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d),
            )
        }
    }
}

/// The start of the bucket after the one starting at `start`.
pub fn bucket_next(start: DateTime<Utc>, g: &str, tz: Tz) -> DateTime<Utc> {
    match g {
        "minute" => start + Duration::minutes(1),
        "hour" => start + Duration::hours(1),
        "day" => local_midnight(
            tz,
            start.with_timezone(&tz).date_naive() + Duration::days(1),
        ),
        "week" => local_midnight(
            tz,
            start.with_timezone(&tz).date_naive() + Duration::days(7),
        ),
        _ => {
            let d = start.with_timezone(&tz).date_naive();
            let (y, m) = if d.month() == 12 {
                (d.year() + 1, 1)
            } else {
                (d.year(), d.month() + 1)
            };
            local_midnight(tz, NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d))
        }
    }
}

/// Most windows one aggregation may span from `start_date` to `end_date` at
/// its `granularity` (also the largest `limit`). A wider range (30 years of
/// minutes would be 15.8 million windows) is refused with a 422 naming the
/// parameters, instead of being cut silently.
pub const MAX_BUCKETS: i64 = 1000;

/// How many windows `start..end` spans at granularity `g` (months counted as
/// calendar months; DST shifts aside).
pub fn bucket_count(start: DateTime<Utc>, end: DateTime<Utc>, g: &str) -> i64 {
    let secs = (end - start).num_seconds().max(0);
    let per = match g {
        "minute" => 60,
        "hour" => 3_600,
        "day" => 86_400,
        "week" => 604_800,
        _ => {
            let months = (end.year() as i64 - start.year() as i64) * 12 + end.month() as i64
                - start.month() as i64;
            return months + 1;
        }
    };
    (secs + per - 1) / per + 1
}

/// Refuses an aggregation range of more than [`MAX_BUCKETS`] windows.
pub fn check_buckets(start: DateTime<Utc>, end: DateTime<Utc>, g: &str) -> ApiResult<()> {
    let n = bucket_count(start, end, g);
    if n <= MAX_BUCKETS {
        return Ok(());
    }
    let msg = format!(
        "start_date to end_date spans about {n} {g} windows; at most {MAX_BUCKETS}: narrow the range or use a coarser granularity"
    );
    Err(ApiError::validation(vec![
        FieldError::new("start_date", msg.clone()),
        FieldError::new("granularity", msg),
    ]))
}

/// The windows of an aggregation: from `start` forward, or the last `limit`
/// windows up to `end` when no start is given; at most `limit`.
pub fn windows(
    start: Option<DateTime<Utc>>,
    end: DateTime<Utc>,
    g: &str,
    tz: Tz,
    limit: usize,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    match start {
        Some(s) => {
            let mut w = bucket_floor(s, g, tz);
            while w < end && out.len() < limit {
                let n = bucket_next(w, g, tz);
                out.push((w, n));
                w = n;
            }
        }
        None => {
            let mut w = bucket_floor(end - Duration::milliseconds(1), g, tz);
            while out.len() < limit {
                out.push((w, bucket_next(w, g, tz)));
                w = bucket_floor(w - Duration::milliseconds(1), g, tz);
            }
            out.reverse();
        }
    }
    out
}

fn render_in(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Which samples an aggregation reads: one metric, optionally narrowed to a
/// metric type, a team and an agent.
pub struct MetricSeries<'a> {
    pub metric_name: &'a str,
    pub metric_type: Option<&'a str>,
    pub team_id: Option<i64>,
    pub agent_id: Option<i64>,
}

/// Aggregates a metric series over `windows` (granularity `g`, labelled in
/// `tz`) in one SQL statement (a range scan of the
/// `(metric_name, recorded_at, value)` index per window).
pub fn aggregate(
    conn: &Connection,
    series: &MetricSeries<'_>,
    g: &str,
    tz: Tz,
    wins: &[(DateTime<Utc>, DateTime<Utc>)],
) -> ApiResult<Vec<Aggregation>> {
    let MetricSeries {
        metric_name,
        metric_type,
        team_id,
        agent_id,
    } = *series;
    let edges: Vec<[i64; 2]> = wins
        .iter()
        .map(|(s, e)| [s.timestamp_millis(), e.timestamp_millis()])
        .collect();
    let mut stmt = conn.prepare_cached(
        "WITH w(i, s, e) AS (
            SELECT CAST(key AS INTEGER), json_extract(value, '$[0]'), json_extract(value, '$[1]')
            FROM json_each(?1))
         SELECT w.i, COUNT(m.value), AVG(m.value), MIN(m.value), MAX(m.value), SUM(m.value)
         FROM w LEFT JOIN cc_metrics m
           ON m.metric_name = ?2 AND m.recorded_at >= w.s AND m.recorded_at < w.e
          AND (?3 IS NULL OR m.metric_type = ?3)
          AND (?4 IS NULL OR m.team_id = ?4)
          AND (?5 IS NULL OR m.agent_id = ?5)
         GROUP BY w.i ORDER BY w.i",
    )?;
    let rows = stmt
        .query_map(
            params![
                serde_json::to_string(&edges)?,
                metric_name,
                metric_type,
                team_id,
                agent_id
            ],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<f64>>(2)?,
                    r.get::<_, Option<f64>>(3)?,
                    r.get::<_, Option<f64>>(4)?,
                    r.get::<_, Option<f64>>(5)?,
                ))
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(i, count, avg, min, max, sum)| {
            let (s, e) = wins.get(i as usize)?;
            Some(Aggregation {
                metric_name: metric_name.to_string(),
                granularity: g.to_string(),
                value: avg.map(round4),
                count,
                min,
                max,
                sum: sum.map(round4),
                window_start: render_in(*s, tz),
                window_end: render_in(*e, tz),
            })
        })
        .collect())
}

// ---------------------------------------------------------------- thresholds

pub fn compare(op: &str, actual: f64, threshold: f64) -> bool {
    match op {
        "greater_than" => actual > threshold,
        "less_than" => actual < threshold,
        "equals" => (actual - threshold).abs() < 1e-9,
        "not_equals" => (actual - threshold).abs() >= 1e-9,
        "greater_or_equal" => actual >= threshold,
        "less_or_equal" => actual <= threshold,
        _ => false,
    }
}

fn phrase(op: &str) -> &'static str {
    match op {
        "greater_than" => "exceeds",
        "less_than" => "is below",
        "equals" => "equals",
        "not_equals" => "differs from",
        "greater_or_equal" => "is at or above",
        _ => "is at or below",
    }
}

fn fmt_num(x: f64) -> String {
    let s = format!("{:.4}", x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Checks every active threshold of the metric just recorded (same
/// transaction): a crossing opens one alert (or refreshes the open one), a
/// return within bounds resolves it. Returns the ids of alerts opened.
pub fn check_thresholds(w: &WriteCtx<'_>, m: &Metric, at_ms: i64) -> ApiResult<Vec<i64>> {
    let tx = w.tx();
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {TH_COLS} FROM cc_thresholds WHERE metric_name = ?1 AND metric_type = ?2 AND is_active = 1
           AND (team_id IS NULL OR team_id = ?3)"
    ))?;
    let ths = stmt
        .query_map(params![m.metric_name, m.metric_type, m.team_id], th_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut opened = Vec::new();
    for th in ths {
        let since = at_ms - th.window_minutes * 60_000;
        let avg: Option<f64> = tx.query_row(
            "SELECT AVG(value) FROM cc_metrics WHERE metric_name = ?1 AND metric_type = ?2
               AND recorded_at > ?3 AND recorded_at <= ?4 AND (?5 IS NULL OR team_id = ?5)",
            params![th.metric_name, th.metric_type, since, at_ms, th.team_id],
            |r| r.get(0),
        )?;
        let Some(actual) = avg else { continue };
        let breached = compare(&th.comparison_operator, actual, th.threshold_value);
        let open: Option<i64> = tx
            .query_row(
                "SELECT id FROM cc_alerts WHERE threshold_id = ?1 AND status IN ('active', 'acknowledged')",
                [th.id],
                |r| r.get(0),
            )
            .optional()?;
        match (breached, open) {
            (true, None) => {
                let name = th
                    .name
                    .clone()
                    .or(th.alert_message.clone())
                    .unwrap_or_else(|| {
                        format!(
                            "{} {} {}",
                            th.metric_name,
                            phrase(&th.comparison_operator),
                            fmt_num(th.threshold_value)
                        )
                    });
                let detail = format!(
                    "{} ({}, mean over {} min) {} threshold ({})",
                    th.metric_name,
                    fmt_num(actual),
                    th.window_minutes,
                    phrase(&th.comparison_operator),
                    fmt_num(th.threshold_value)
                );
                let message = match &th.alert_message {
                    Some(m) => format!("{m}: {detail}"),
                    None => detail,
                };
                tx.execute(
                    "INSERT INTO cc_alerts (threshold_id, alert_name, severity, message, actual_value, threshold_value,
                        metric_type, metric_name, team_id, status, triggered_at, triggered_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'active', ?10, ?11)",
                    params![
                        th.id,
                        name,
                        th.severity,
                        message,
                        round4(actual),
                        th.threshold_value,
                        th.metric_type,
                        th.metric_name,
                        th.team_id.or(m.team_id),
                        iso(now()),
                        now().timestamp_millis()
                    ],
                )?;
                let id = tx.last_insert_rowid();
                let alert = get_alert(tx, id)?;
                w.emit(
                    SLUG,
                    "alert.triggered",
                    &alert_json(&alert),
                    &events::Audience::admins(),
                )?;
                opened.push(id);
            }
            (true, Some(id)) => {
                tx.execute(
                    "UPDATE cc_alerts SET actual_value = ?2 WHERE id = ?1",
                    params![id, round4(actual)],
                )?;
            }
            (false, Some(id)) => resolve(w, id)?,
            (false, None) => {}
        }
    }
    Ok(opened)
}

fn resolve(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let tx = w.tx();
    tx.execute(
        "UPDATE cc_alerts SET status = 'resolved', resolved_at = ?2 WHERE id = ?1",
        params![id, iso(now())],
    )?;
    let alert = get_alert(tx, id)?;
    w.emit(
        SLUG,
        "alert.resolved",
        &alert_json(&alert),
        &events::Audience::admins(),
    )?;
    Ok(())
}

fn alert_json(a: &Alert) -> Value {
    json!({
        "id": a.id, "threshold_id": a.threshold_id, "alert_name": a.alert_name, "severity": a.severity,
        "message": a.message, "actual_value": a.actual_value, "threshold_value": a.threshold_value,
        "metric_type": a.metric_type, "metric_name": a.metric_name, "team_id": a.team_id,
        "status": a.status, "triggered_at": a.triggered_at, "acknowledged_at": a.acknowledged_at,
        "acknowledged_by_id": a.acknowledged_by_id, "resolved_at": a.resolved_at,
    })
}

fn check_threshold_fields(
    e: &mut Vec<FieldError>,
    op: Option<&str>,
    severity: Option<&str>,
    window: Option<i64>,
    value: Option<f64>,
) {
    if let Some(op) = op {
        if !COMPARISONS.contains(&op) {
            e.push(FieldError::new(
                "comparison_operator",
                format!("must be one of {}", COMPARISONS.join(", ")),
            ));
        }
    }
    if let Some(s) = severity {
        if !SEVERITIES.contains(&s) {
            e.push(FieldError::new(
                "severity",
                "must be info, warning or critical",
            ));
        }
    }
    if window.is_some_and(|w| !(1..=10_080).contains(&w)) {
        e.push(FieldError::new(
            "window_minutes",
            "must be between 1 and 10080",
        ));
    }
    if value.is_some_and(|v| !v.is_finite()) {
        e.push(FieldError::new(
            "threshold_value",
            "must be a finite number",
        ));
    }
}

fn check_name(e: &mut Vec<FieldError>, field: &str, v: &str) {
    let ok = !v.is_empty()
        && v.len() <= 100
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c));
    if !ok {
        e.push(FieldError::new(
            field,
            "must be 1-100 characters of letters, digits, _ - . :",
        ));
    }
}

// ---------------------------------------------------------------- store

const METRIC_COLS: &str =
    "id, metric_type, metric_name, value, team_id, agent_id, tags, dimensions, recorded_at";

fn metric_row(r: &Row) -> rusqlite::Result<Metric> {
    let tags: String = r.get(6)?;
    let dims: String = r.get(7)?;
    let at: i64 = r.get(8)?;
    Ok(Metric {
        id: r.get(0)?,
        metric_type: r.get(1)?,
        metric_name: r.get(2)?,
        value: r.get(3)?,
        team_id: r.get(4)?,
        agent_id: r.get(5)?,
        tags: serde_json::from_str(&tags).unwrap_or(json!({})),
        dimensions: serde_json::from_str(&dims).unwrap_or(json!({})),
        recorded_at: DateTime::from_timestamp_millis(at)
            .unwrap_or_default()
            .to_rfc3339_opts(SecondsFormat::AutoSi, true),
    })
}

const TH_COLS: &str =
    "id, name, metric_type, metric_name, threshold_value, comparison_operator, severity, \
     window_minutes, alert_message, team_id, is_active, created_at, updated_at";

fn th_row(r: &Row) -> rusqlite::Result<Threshold> {
    Ok(Threshold {
        id: r.get(0)?,
        name: r.get(1)?,
        metric_type: r.get(2)?,
        metric_name: r.get(3)?,
        threshold_value: r.get(4)?,
        comparison_operator: r.get(5)?,
        severity: r.get(6)?,
        window_minutes: r.get(7)?,
        alert_message: r.get(8)?,
        team_id: r.get(9)?,
        is_active: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
    })
}

fn get_threshold(c: &Connection, id: i64) -> ApiResult<Threshold> {
    c.query_row(
        &format!("SELECT {TH_COLS} FROM cc_thresholds WHERE id = ?1"),
        [id],
        th_row,
    )
    .optional()?
    .ok_or_else(|| not_found("Threshold", id))
}

const ALERT_COLS: &str = "id, threshold_id, alert_name, severity, message, actual_value, threshold_value, \
     metric_type, metric_name, triggered_at, status, team_id, acknowledged_at, acknowledged_by_id, notes, resolved_at";

fn alert_row(r: &Row) -> rusqlite::Result<Alert> {
    Ok(Alert {
        id: r.get(0)?,
        threshold_id: r.get(1)?,
        alert_name: r.get(2)?,
        severity: r.get(3)?,
        message: r.get(4)?,
        actual_value: r.get(5)?,
        threshold_value: r.get(6)?,
        metric_type: r.get(7)?,
        metric_name: r.get(8)?,
        triggered_at: r.get(9)?,
        status: r.get(10)?,
        team_id: r.get(11)?,
        acknowledged_at: r.get(12)?,
        acknowledged_by_id: r.get(13)?,
        notes: r.get(14)?,
        resolved_at: r.get(15)?,
    })
}

fn get_alert(c: &Connection, id: i64) -> ApiResult<Alert> {
    c.query_row(
        &format!("SELECT {ALERT_COLS} FROM cc_alerts WHERE id = ?1"),
        [id],
        alert_row,
    )
    .optional()?
    .ok_or_else(|| not_found("Alert", id))
}

/// Records one metric and checks thresholds (inside the caller's transaction).
pub fn record_metric(w: &WriteCtx<'_>, b: &MetricCreate, at_ms: i64) -> ApiResult<Metric> {
    let tx = w.tx();
    tx.execute(
        "INSERT INTO cc_metrics (metric_type, metric_name, value, team_id, agent_id, tags, dimensions, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            b.metric_type,
            b.metric_name,
            b.value,
            b.team_id,
            b.agent_id,
            b.tags.clone().unwrap_or(json!({})).to_string(),
            b.dimensions.clone().unwrap_or(json!({})).to_string(),
            at_ms
        ],
    )?;
    let id = tx.last_insert_rowid();
    let m = tx.query_row(
        &format!("SELECT {METRIC_COLS} FROM cc_metrics WHERE id = ?1"),
        [id],
        metric_row,
    )?;
    check_thresholds(w, &m, at_ms)?;
    Ok(m)
}

// ---------------------------------------------------------------- api

pub struct MetricsApi {
    platform: Platform,
}

impl MetricsApi {
    pub fn new(platform: &Platform) -> Self {
        MetricsApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::Analytics")]
impl MetricsApi {
    /// Record a metric. Active thresholds on the metric are checked straight
    /// away over their window: a crossing raises one alert (never one per
    /// metric), a return within bounds resolves it.
    #[oai(path = "/api/analytics/metrics", method = "post")]
    async fn record(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<MetricCreate>,
    ) -> Result<Created<Metric>> {
        require_operator(&auth.0)?;
        let b = body.0;
        let mut e = Vec::new();
        check_name(&mut e, "metric_type", &b.metric_type);
        check_name(&mut e, "metric_name", &b.metric_name);
        if !b.value.is_finite() {
            e.push(FieldError::new("value", "must be a finite number"));
        }
        for (f, v) in [("tags", &b.tags), ("dimensions", &b.dimensions)] {
            if let Some(v) = v {
                if !v.is_object() {
                    e.push(FieldError::new(f, "must be an object"));
                } else if v.to_string().len() > 4096 {
                    e.push(FieldError::new(f, "must be at most 4 KB"));
                }
            }
        }
        let at = match &b.recorded_at {
            Some(s) => match parse_instant("recorded_at", s, false) {
                Ok(t) if t <= now() + Duration::minutes(5) => t,
                Ok(_) => {
                    e.push(FieldError::new("recorded_at", "must not be in the future"));
                    now()
                }
                Err(err) => return Err(err.into()),
            },
            None => now(),
        };
        fail_if(e)?;
        let m = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            let m = record_metric(w, &b, at.timestamp_millis())?;
            w.audit(
                SLUG,
                "metric.record",
                "metric",
                &m.id.to_string(),
                json!({"metric_type": m.metric_type, "metric_name": m.metric_name}),
            )?;
            Ok(m)
        })
        .await?;
        Ok(Created::Created(Json(m)))
    }

    /// Query recorded metrics, newest first.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/analytics/metrics", method = "get")]
    async fn query(
        &self,
        auth: BearerAuth,
        metric_type: Query<Option<String>>,
        metric_name: Query<Option<String>>,
        start_date: Query<Option<crate::common::DateOrTime>>,
        end_date: Query<Option<crate::common::DateOrTime>>,
        team_id: Query<Option<i64>>,
        agent_id: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Metric>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let start = start_date
            .0
            .as_deref()
            .map(|s| parse_instant("start_date", s, false))
            .transpose()?
            .map(|t| t.timestamp_millis());
        let end = end_date
            .0
            .as_deref()
            .map(|s| parse_instant("end_date", s, true))
            .transpose()?
            .map(|t| t.timestamp_millis());
        let (ty, name, team, agent) = (metric_type.0, metric_name.0, team_id.0, agent_id.0);
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
                let filter = "(?1 IS NULL OR metric_type = ?1) AND (?2 IS NULL OR metric_name = ?2)
                    AND (?3 IS NULL OR recorded_at >= ?3) AND (?4 IS NULL OR recorded_at < ?4)
                    AND (?5 IS NULL OR team_id = ?5) AND (?6 IS NULL OR agent_id = ?6)";
                let total: i64 = c.query_row(
                    &format!("SELECT COUNT(*) FROM cc_metrics WHERE {filter}"),
                    params![ty, name, start, end, team, agent],
                    |r| r.get(0),
                )?;
                let mut stmt = c.prepare(&format!(
                    "SELECT {METRIC_COLS} FROM cc_metrics WHERE {filter}
                     ORDER BY recorded_at DESC, id DESC LIMIT ?7 OFFSET ?8"
                ))?;
                let items = stmt
                    .query_map(
                        params![
                            ty,
                            name,
                            start,
                            end,
                            team,
                            agent,
                            w.limit as i64,
                            w.offset as i64
                        ],
                        metric_row,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items, total as u64))
            })
            .await?;
        Ok(listed(items, &w, "/api/analytics/metrics", total))
    }

    /// Aggregate a metric by `granularity` (minute, hour, day, week, month):
    /// mean `value`, `count`, min, max and sum per window, oldest first;
    /// empty windows are included with count 0. With `start_date` the windows
    /// run forward from it (until `end_date`); otherwise the last `limit`
    /// windows up to `end_date` (default now). Window edges follow
    /// `timezone` (IANA, default UTC): days, weeks (from Monday) and months
    /// start at local midnight, so DST days are 23 or 25 hours long. A
    /// `start_date`..`end_date` range of more than 1000 windows at the
    /// granularity is refused (422); use a coarser granularity.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/analytics/aggregations", method = "get")]
    async fn aggregations(
        &self,
        auth: BearerAuth,
        metric_name: Query<String>,
        granularity: Query<Option<crate::model::Granularity>>,
        start_date: Query<Option<crate::common::DateOrTime>>,
        end_date: Query<Option<crate::common::DateOrTime>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))] limit: Query<Option<i64>>,
        timezone: Query<Option<frontline_platform::tz::TimeZoneName>>,
        metric_type: Query<Option<String>>,
        team_id: Query<Option<i64>>,
        agent_id: Query<Option<i64>>,
    ) -> Result<Json<Vec<Aggregation>>> {
        let granularity = Query(granularity.0.map(|v| v.as_str().to_string()));
        require_operator(&auth.0)?;
        let g = granularity.0.unwrap_or_else(|| "hour".into());
        if !GRANULARITIES.contains(&g.as_str()) {
            return Err(ApiError::invalid(
                "granularity",
                "must be minute, hour, day, week or month",
            )
            .into());
        }
        let limit = limit.0.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(ApiError::invalid("limit", "must be between 1 and 1000").into());
        }
        let tz = parse_tz(timezone.0.as_deref())?;
        let local = |field: &str, s: &str, end: bool| -> ApiResult<DateTime<Utc>> {
            // Bare dates are local midnights in the requested zone.
            if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                let d = if end { d + Duration::days(1) } else { d };
                return Ok(local_midnight(tz, d));
            }
            parse_instant(field, s, end)
        };
        let start = start_date
            .0
            .as_deref()
            .map(|s| local("start_date", s, false))
            .transpose()?;
        let end = match end_date.0.as_deref() {
            Some(s) => local("end_date", s, true)?,
            None => now(),
        };
        if start.is_some_and(|s| s >= end) {
            return Err(ApiError::invalid("end_date", "must be after start_date").into());
        }
        if let Some(s) = start {
            check_buckets(s, end, &g)?;
        }
        let wins = windows(start, end, &g, tz, limit as usize);
        let name = metric_name.0;
        let (ty, team, agent) = (metric_type.0, team_id.0, agent_id.0);
        let out = self
            .platform
            .db
            .read(move |c| {
                let series = MetricSeries {
                    metric_name: &name,
                    metric_type: ty.as_deref(),
                    team_id: team,
                    agent_id: agent,
                };
                aggregate(c, &series, &g, tz, &wins)
            })
            .await?;
        Ok(Json(out))
    }

    /// List alerts, newest first; filter by `status` (active, acknowledged,
    /// resolved), `severity`, `team_id`, `metric_name`.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/analytics/alerts", method = "get")]
    async fn alerts(
        &self,
        auth: BearerAuth,
        status: Query<Option<crate::model::AlertStatus>>,
        severity: Query<Option<crate::model::Severity>>,
        team_id: Query<Option<i64>>,
        metric_name: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Alert>> {
        let severity = Query(severity.0.map(|v| v.as_str().to_string()));
        let status = Query(status.0.map(|v| v.as_str().to_string()));
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        if status
            .0
            .as_deref()
            .is_some_and(|s| !ALERT_STATUSES.contains(&s))
        {
            return Err(
                ApiError::invalid("status", "must be active, acknowledged or resolved").into(),
            );
        }
        if severity
            .0
            .as_deref()
            .is_some_and(|s| !SEVERITIES.contains(&s))
        {
            return Err(ApiError::invalid("severity", "must be info, warning or critical").into());
        }
        let (st, sev, team, name) = (status.0, severity.0, team_id.0, metric_name.0);
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
                let filter = "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR severity = ?2)
                    AND (?3 IS NULL OR team_id = ?3) AND (?4 IS NULL OR metric_name = ?4)";
                let total: i64 = c.query_row(
                    &format!("SELECT COUNT(*) FROM cc_alerts WHERE {filter}"),
                    params![st, sev, team, name],
                    |r| r.get(0),
                )?;
                let mut stmt = c.prepare(&format!(
                    "SELECT {ALERT_COLS} FROM cc_alerts WHERE {filter} ORDER BY triggered_ms DESC, id DESC LIMIT ?5 OFFSET ?6"
                ))?;
                let items = stmt
                    .query_map(params![st, sev, team, name, w.limit as i64, w.offset as i64], alert_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items, total as u64))
            })
            .await?;
        Ok(listed(items, &w, "/api/analytics/alerts", total))
    }

    /// Extension: one alert.
    #[oai(
        path = "/api/analytics/alerts/:alert_id",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn alert(&self, auth: BearerAuth, alert_id: Path<i64>) -> Result<Json<Alert>> {
        require_operator(&auth.0)?;
        let id = alert_id.0;
        Ok(Json(
            self.platform.db.read(move |c| get_alert(c, id)).await?,
        ))
    }

    /// Acknowledge an active alert with who and notes. It stays open until
    /// the metric returns within bounds; a resolved alert answers 409.
    #[oai(path = "/api/analytics/alerts/:alert_id/acknowledge", method = "put")]
    async fn acknowledge(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        alert_id: Path<i64>,
        body: JsonBody<AcknowledgeRequest>,
    ) -> Result<Json<Alert>> {
        require_operator(&auth.0)?;
        let b = body.0;
        if b.notes.as_ref().is_some_and(|n| n.chars().count() > 5000) {
            return Err(ApiError::invalid("notes", "must be at most 5000 characters").into());
        }
        let id = alert_id.0;
        let a = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let cur = get_alert(tx, id)?;
                if cur.status == "resolved" {
                    return Err(CcError::AlertResolved.with_message("The alert is already resolved"));
                }
                let by = b.acknowledged_by_id.unwrap_or(auth.0.seq);
                tx.execute(
                    "UPDATE cc_alerts SET status = 'acknowledged', acknowledged_at = ?2, acknowledged_by_id = ?3,
                        notes = COALESCE(?4, notes) WHERE id = ?1",
                    params![id, iso(now()), by, b.notes],
                )?;
                let a = get_alert(tx, id)?;
                w.emit(SLUG, "alert.acknowledged", &alert_json(&a), &events::Audience::admins())?;
                w.audit(SLUG, "alert.acknowledge", "alert", &id.to_string(), json!({"by": by}))?;
                Ok(a)
            })
            .await?;
        Ok(Json(a))
    }

    /// List thresholds (filter by `is_active`, `metric_name`).
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/analytics/thresholds", method = "get")]
    async fn thresholds(
        &self,
        auth: BearerAuth,
        is_active: Query<Option<bool>>,
        metric_name: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Threshold>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let (active, name) = (is_active.0, metric_name.0);
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
                let filter = "(?1 IS NULL OR is_active = ?1) AND (?2 IS NULL OR metric_name = ?2)";
                let total: i64 = c.query_row(
                    &format!("SELECT COUNT(*) FROM cc_thresholds WHERE {filter}"),
                    params![active, name],
                    |r| r.get(0),
                )?;
                let mut stmt = c.prepare(&format!(
                    "SELECT {TH_COLS} FROM cc_thresholds WHERE {filter} ORDER BY id LIMIT ?3 OFFSET ?4"
                ))?;
                let items = stmt
                    .query_map(params![active, name, w.limit as i64, w.offset as i64], th_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items, total as u64))
            })
            .await?;
        Ok(listed(items, &w, "/api/analytics/thresholds", total))
    }

    /// Create a threshold.
    #[oai(path = "/api/analytics/thresholds", method = "post")]
    async fn create_threshold(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<ThresholdCreate>,
    ) -> Result<Created<Threshold>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let mut e = Vec::new();
        check_name(&mut e, "metric_type", &b.metric_type);
        check_name(&mut e, "metric_name", &b.metric_name);
        check_threshold_fields(
            &mut e,
            Some(&b.comparison_operator),
            b.severity.as_deref(),
            b.window_minutes,
            Some(b.threshold_value),
        );
        fail_if(e)?;
        let th = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let at = iso(now());
                tx.execute(
                    "INSERT INTO cc_thresholds (name, metric_type, metric_name, threshold_value, comparison_operator,
                        severity, window_minutes, alert_message, team_id, is_active, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
                    params![
                        b.name,
                        b.metric_type,
                        b.metric_name,
                        b.threshold_value,
                        b.comparison_operator,
                        b.severity.unwrap_or_else(|| "warning".into()),
                        b.window_minutes.unwrap_or(60),
                        b.alert_message,
                        b.team_id,
                        b.is_active.unwrap_or(true),
                        at
                    ],
                )?;
                let id = tx.last_insert_rowid();
                w.audit(SLUG, "threshold.create", "threshold", &id.to_string(), json!({}))?;
                get_threshold(tx, id)
            })
            .await?;
        Ok(Created::Created(Json(th)))
    }

    /// Update a threshold. Deactivating it resolves its open alert.
    #[oai(path = "/api/analytics/thresholds/:threshold_id", method = "put")]
    async fn update_threshold(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        threshold_id: Path<i64>,
        body: JsonBody<ThresholdUpdate>,
    ) -> Result<Json<Threshold>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let mut e = Vec::new();
        if let Some(v) = &b.metric_type {
            check_name(&mut e, "metric_type", v);
        }
        if let Some(v) = &b.metric_name {
            check_name(&mut e, "metric_name", v);
        }
        check_threshold_fields(
            &mut e,
            b.comparison_operator.as_deref(),
            b.severity.as_deref(),
            b.window_minutes,
            b.threshold_value,
        );
        fail_if(e)?;
        let id = threshold_id.0;
        let th = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let cur = get_threshold(tx, id)?;
                let active = b.is_active.unwrap_or(cur.is_active);
                tx.execute(
                    "UPDATE cc_thresholds SET name = ?2, metric_type = ?3, metric_name = ?4, threshold_value = ?5,
                        comparison_operator = ?6, severity = ?7, window_minutes = ?8, alert_message = ?9,
                        team_id = ?10, is_active = ?11, updated_at = ?12 WHERE id = ?1",
                    params![
                        id,
                        b.name.or(cur.name),
                        b.metric_type.unwrap_or(cur.metric_type),
                        b.metric_name.unwrap_or(cur.metric_name),
                        b.threshold_value.unwrap_or(cur.threshold_value),
                        b.comparison_operator.unwrap_or(cur.comparison_operator),
                        b.severity.unwrap_or(cur.severity),
                        b.window_minutes.unwrap_or(cur.window_minutes),
                        b.alert_message.or(cur.alert_message),
                        b.team_id.or(cur.team_id),
                        active,
                        iso(now())
                    ],
                )?;
                if !active {
                    resolve_open(w, id)?;
                }
                w.audit(SLUG, "threshold.update", "threshold", &id.to_string(), json!({}))?;
                get_threshold(tx, id)
            })
            .await?;
        Ok(Json(th))
    }

    /// Delete a threshold; its open alert is resolved, past alerts are kept.
    #[oai(path = "/api/analytics/thresholds/:threshold_id", method = "delete")]
    async fn delete_threshold(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        threshold_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = threshold_id.0;
        write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            get_threshold(tx, id)?;
            resolve_open(w, id)?;
            tx.execute("DELETE FROM cc_thresholds WHERE id = ?1", [id])?;
            w.audit(
                SLUG,
                "threshold.delete",
                "threshold",
                &id.to_string(),
                json!({}),
            )
            .map(drop)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Dashboard overview over the last `period_hours` (1..=8760, default 24):
    /// calls started in the period with their durations, queue waits of
    /// calls queued in the period and calls waiting now, alerts (active as
    /// the alert list counts them; acknowledged apart), and new voicemails.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/analytics/dashboard/overview", method = "get")]
    async fn overview(
        &self,
        auth: BearerAuth,
        #[oai(validator(minimum(value = "1"), maximum(value = "8760")))] period_hours: Query<
            Option<i64>,
        >,
    ) -> Result<Json<DashboardOverview>> {
        require_operator(&auth.0)?;
        let hours = period_hours.0.unwrap_or(24);
        if !(1..=8760).contains(&hours) {
            return Err(ApiError::invalid("period_hours", "must be between 1 and 8760").into());
        }
        let since = (now() - Duration::hours(hours)).timestamp_millis();
        let o = self
            .platform
            .db
            .read(move |c| {
                // Calls started in the period (part 1's call log); durations of ended calls.
                let since_iso = iso(DateTime::from_timestamp_millis(since).unwrap_or_default());
                let (calls, avg, max, min): (i64, Option<f64>, Option<f64>, Option<f64>) = c
                    .query_row(
                        "SELECT COUNT(*), AVG(duration), MAX(duration), MIN(duration) FROM cc_calls
                     WHERE started_at >= ?1",
                        [&since_iso],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )?;
                // Waits of calls that left a queue in the period, and calls waiting now.
                let (waits, wavg, wmax): (i64, Option<f64>, Option<f64>) = c.query_row(
                    "SELECT COUNT(wait_time), AVG(wait_time), MAX(wait_time) FROM cc_calls
                     WHERE queued_at >= ?1 AND wait_time IS NOT NULL AND status != 'queued'",
                    [&since_iso],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                let waiting: i64 = c.query_row(
                    "SELECT COUNT(*) FROM cc_calls WHERE status = 'queued'",
                    [],
                    |r| r.get(0),
                )?;
                // The same statuses the alert list filters on: active apart from acknowledged.
                let (open, critical, acked): (i64, i64, i64) = c.query_row(
                    "SELECT COALESCE(SUM(status = 'active'), 0),
                            COALESCE(SUM(status = 'active' AND severity = 'critical'), 0),
                            COALESCE(SUM(status = 'acknowledged'), 0)
                     FROM cc_alerts WHERE status IN ('active', 'acknowledged')",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                let triggered: i64 = c.query_row(
                    "SELECT COUNT(*) FROM cc_alerts WHERE triggered_ms >= ?1",
                    [since],
                    |r| r.get(0),
                )?;
                let vms: i64 = c.query_row(
                    "SELECT COUNT(*) FROM cc_voicemails WHERE status = 'new'",
                    [],
                    |r| r.get(0),
                )?;
                Ok(DashboardOverview {
                    period_hours: hours,
                    call_metrics: CallMetrics {
                        total_calls: calls,
                        avg_duration: round4(avg.unwrap_or(0.0)),
                        max_duration: max.unwrap_or(0.0),
                        min_duration: min.unwrap_or(0.0),
                    },
                    queue_metrics: QueueMetrics {
                        avg_wait_time: round4(wavg.unwrap_or(0.0)),
                        max_wait_time: wmax.unwrap_or(0.0),
                        samples: waits,
                        calls_waiting: waiting,
                    },
                    alerts: AlertCounts {
                        active_count: open,
                        critical_count: critical,
                        acknowledged_count: acked,
                        triggered_in_period: triggered,
                    },
                    new_voicemails: vms,
                    generated_at: iso(now()),
                })
            })
            .await?;
        Ok(Json(o))
    }
}

fn resolve_open(w: &WriteCtx<'_>, threshold_id: i64) -> ApiResult<()> {
    let tx = w.tx();
    let open: Option<i64> = tx
        .query_row(
            "SELECT id FROM cc_alerts WHERE threshold_id = ?1 AND status IN ('active', 'acknowledged')",
            [threshold_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = open {
        resolve(w, id)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn utc_buckets() {
        let x = t("2025-11-11T10:37:12Z");
        assert_eq!(
            bucket_floor(x, "minute", Tz::UTC),
            t("2025-11-11T10:37:00Z")
        );
        assert_eq!(bucket_floor(x, "hour", Tz::UTC), t("2025-11-11T10:00:00Z"));
        assert_eq!(bucket_floor(x, "day", Tz::UTC), t("2025-11-11T00:00:00Z"));
        // 2025-11-11 is a Tuesday; weeks start on Monday.
        assert_eq!(bucket_floor(x, "week", Tz::UTC), t("2025-11-10T00:00:00Z"));
        assert_eq!(bucket_floor(x, "month", Tz::UTC), t("2025-11-01T00:00:00Z"));
        assert_eq!(
            bucket_next(t("2025-12-01T00:00:00Z"), "month", Tz::UTC),
            t("2026-01-01T00:00:00Z")
        );
    }

    #[test]
    fn dst_days_are_23_and_25_hours() {
        let la: Tz = "America/Los_Angeles".parse().unwrap();
        // DST ends 2025-11-02 in Los Angeles: that day has 25 hours.
        let d = bucket_floor(t("2025-11-02T12:00:00Z"), "day", la);
        assert_eq!(d, t("2025-11-02T07:00:00Z"));
        assert_eq!(bucket_next(d, "day", la), t("2025-11-03T08:00:00Z"));
        // DST starts 2025-03-09: 23 hours.
        let d = bucket_floor(t("2025-03-09T12:00:00Z"), "day", la);
        assert_eq!(bucket_next(d, "day", la) - d, Duration::hours(23));
        // Half-hour zones floor hours on local time.
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        assert_eq!(
            bucket_floor(t("2025-11-11T10:10:00Z"), "hour", kolkata),
            t("2025-11-11T09:30:00Z")
        );
    }

    #[test]
    fn windows_backwards_and_forwards() {
        let w = windows(None, t("2025-11-11T12:30:00Z"), "hour", Tz::UTC, 3);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].0, t("2025-11-11T10:00:00Z"));
        assert_eq!(w[2].1, t("2025-11-11T13:00:00Z"));
        let w = windows(
            Some(t("2025-11-01T00:00:00Z")),
            t("2025-11-04T00:00:00Z"),
            "day",
            Tz::UTC,
            100,
        );
        assert_eq!(w.len(), 3);
        let w = windows(
            Some(t("2025-11-01T00:00:00Z")),
            t("2025-11-04T00:00:00Z"),
            "day",
            Tz::UTC,
            2,
        );
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn comparisons() {
        assert!(compare("greater_than", 0.15, 0.10));
        assert!(!compare("greater_than", 0.10, 0.10));
        assert!(compare("greater_or_equal", 0.10, 0.10));
        assert!(compare("less_than", 1.0, 2.0));
        assert!(compare("not_equals", 1.0, 2.0));
    }
}
