//! The SQL of metrics, thresholds, alerts and the dashboard's counts.

use chrono::{DateTime, SecondsFormat};
use frontline_platform::page::Window;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension, Row, ToSql};
use serde_json::json;

use crate::insight::not_found;
use crate::model::metrics::*;

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

// ---------------------------------------------------------------- metrics

/// Stores one sample at `at_ms`; returns it as stored.
pub fn insert_metric(c: &Connection, s: &MetricSample<'_>, at_ms: i64) -> ApiResult<Metric> {
    c.prepare_cached(
        "INSERT INTO cc_metrics (metric_type, metric_name, value, team_id, agent_id, tags, dimensions, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        s.metric_type,
        s.metric_name,
        s.value,
        s.team_id,
        s.agent_id,
        s.tags.to_string(),
        s.dimensions.to_string(),
        at_ms
    ])?;
    let id = c.last_insert_rowid();
    Ok(c.prepare_cached(&format!(
        "SELECT {METRIC_COLS} FROM cc_metrics WHERE id = ?1"
    ))?
    .query_row([id], metric_row)?)
}

/// One list's SQL: its table and columns, its filter (`?1`..`?n`, one per
/// argument) and its order.
struct ListSql {
    table: &'static str,
    cols: &'static str,
    filter: &'static str,
    order: &'static str,
}

/// A page of the rows of `l` whose filter holds for `args`, in its order,
/// with the filtered total.
fn page<T>(
    c: &Connection,
    l: &ListSql,
    args: &[&dyn ToSql],
    w: &Window,
    row: fn(&Row) -> rusqlite::Result<T>,
) -> ApiResult<(Vec<T>, u64)> {
    let total: i64 = c
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM {} WHERE {}",
            l.table, l.filter
        ))?
        .query_row(args, |r| r.get(0))?;
    let (limit, offset) = (w.limit as i64, w.offset as i64);
    let mut paged: Vec<&dyn ToSql> = args.to_vec();
    paged.extend([&limit as &dyn ToSql, &offset]);
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT ?{} OFFSET ?{}",
        l.cols,
        l.table,
        l.filter,
        l.order,
        args.len() + 1,
        args.len() + 2
    ))?;
    let items = stmt
        .query_map(paged.as_slice(), row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

/// A page of metrics, newest first, with the filtered total.
pub fn list_metrics(c: &Connection, f: &MetricFilter, w: &Window) -> ApiResult<(Vec<Metric>, u64)> {
    const LIST: ListSql = ListSql {
        table: "cc_metrics",
        cols: METRIC_COLS,
        filter: "(?1 IS NULL OR metric_type = ?1) AND (?2 IS NULL OR metric_name = ?2)
            AND (?3 IS NULL OR recorded_at >= ?3) AND (?4 IS NULL OR recorded_at < ?4)
            AND (?5 IS NULL OR team_id = ?5) AND (?6 IS NULL OR agent_id = ?6)",
        order: "recorded_at DESC, id DESC",
    };
    page(
        c,
        &LIST,
        params![
            f.metric_type,
            f.metric_name,
            f.start,
            f.end,
            f.team_id,
            f.agent_id
        ],
        w,
        metric_row,
    )
}

/// Count, mean, min, max and sum of a series in each window (`[start, end)`
/// in epoch milliseconds), in one statement: a range scan of the
/// `(metric_name, recorded_at, value)` index per window. Rows come by window
/// index, oldest first.
pub fn window_figures(
    c: &Connection,
    series: &MetricSeries<'_>,
    edges: &[[i64; 2]],
) -> ApiResult<Vec<WindowFigures>> {
    let mut stmt = c.prepare_cached(
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
                serde_json::to_string(edges)?,
                series.metric_name,
                series.metric_type,
                series.team_id,
                series.agent_id
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
    Ok(rows)
}

/// The mean of a threshold's metric over `(since, until]` (epoch ms),
/// narrowed to its team when it has one; `None` without samples.
pub fn window_mean(
    c: &Connection,
    th: &Threshold,
    since: i64,
    until: i64,
) -> ApiResult<Option<f64>> {
    Ok(c.prepare_cached(
        "SELECT AVG(value) FROM cc_metrics WHERE metric_name = ?1 AND metric_type = ?2
               AND recorded_at > ?3 AND recorded_at <= ?4 AND (?5 IS NULL OR team_id = ?5)",
    )?
    .query_row(
        params![th.metric_name, th.metric_type, since, until, th.team_id],
        |r| r.get(0),
    )?)
}

// ---------------------------------------------------------------- thresholds

pub fn get_threshold(c: &Connection, id: i64) -> ApiResult<Threshold> {
    c.prepare_cached(&format!(
        "SELECT {TH_COLS} FROM cc_thresholds WHERE id = ?1"
    ))?
    .query_row([id], th_row)
    .optional()?
    .ok_or_else(|| not_found("Threshold", id))
}

/// The active thresholds a sample of this metric (and team) is checked against.
pub fn active_thresholds(
    c: &Connection,
    metric_name: &str,
    metric_type: &str,
    team_id: Option<i64>,
) -> ApiResult<Vec<Threshold>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {TH_COLS} FROM cc_thresholds WHERE metric_name = ?1 AND metric_type = ?2 AND is_active = 1
           AND (team_id IS NULL OR team_id = ?3)"
    ))?;
    let ths = stmt
        .query_map(params![metric_name, metric_type, team_id], th_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ths)
}

/// A page of thresholds by id, with the filtered total.
pub fn list_thresholds(
    c: &Connection,
    is_active: Option<bool>,
    metric_name: Option<&str>,
    w: &Window,
) -> ApiResult<(Vec<Threshold>, u64)> {
    const LIST: ListSql = ListSql {
        table: "cc_thresholds",
        cols: TH_COLS,
        filter: "(?1 IS NULL OR is_active = ?1) AND (?2 IS NULL OR metric_name = ?2)",
        order: "id",
    };
    page(c, &LIST, params![is_active, metric_name], w, th_row)
}

/// A threshold's stored fields as `?1`..`?10`, then `at` as `?11`.
fn threshold_args<'a>(v: &'a ThresholdValues, at: &'a dyn ToSql) -> [&'a dyn ToSql; 11] {
    [
        &v.name,
        &v.metric_type,
        &v.metric_name,
        &v.threshold_value,
        &v.comparison_operator,
        &v.severity,
        &v.window_minutes,
        &v.alert_message,
        &v.team_id,
        &v.is_active,
        at,
    ]
}

/// Stores a new threshold created at `at`; returns its id.
pub fn insert_threshold(c: &Connection, v: &ThresholdValues, at: &str) -> ApiResult<i64> {
    c.prepare_cached(
        "INSERT INTO cc_thresholds (name, metric_type, metric_name, threshold_value, comparison_operator,
            severity, window_minutes, alert_message, team_id, is_active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
    )?
    .execute(threshold_args(v, &at).as_slice())?;
    Ok(c.last_insert_rowid())
}

/// Replaces a threshold's fields (updated at `at`).
pub fn update_threshold(c: &Connection, id: i64, v: &ThresholdValues, at: &str) -> ApiResult<()> {
    let mut args = threshold_args(v, &at).to_vec();
    args.push(&id);
    c.prepare_cached(
        "UPDATE cc_thresholds SET name = ?1, metric_type = ?2, metric_name = ?3, threshold_value = ?4,
            comparison_operator = ?5, severity = ?6, window_minutes = ?7, alert_message = ?8,
            team_id = ?9, is_active = ?10, updated_at = ?11 WHERE id = ?12",
    )?
    .execute(args.as_slice())?;
    Ok(())
}

pub fn delete_threshold(c: &Connection, id: i64) -> ApiResult<()> {
    c.prepare_cached("DELETE FROM cc_thresholds WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

// ---------------------------------------------------------------- alerts

pub fn get_alert(c: &Connection, id: i64) -> ApiResult<Alert> {
    c.prepare_cached(&format!("SELECT {ALERT_COLS} FROM cc_alerts WHERE id = ?1"))?
        .query_row([id], alert_row)
        .optional()?
        .ok_or_else(|| not_found("Alert", id))
}

/// The open (active or acknowledged) alert of a threshold, if any.
pub fn open_alert_of(c: &Connection, threshold_id: i64) -> ApiResult<Option<i64>> {
    Ok(c.prepare_cached(
        "SELECT id FROM cc_alerts WHERE threshold_id = ?1 AND status IN ('active', 'acknowledged')",
    )?
    .query_row([threshold_id], |r| r.get(0))
    .optional()?)
}

/// Opens an alert (status `active`); returns its id.
pub fn insert_alert(c: &Connection, a: &NewAlert) -> ApiResult<i64> {
    c.prepare_cached(
        "INSERT INTO cc_alerts (threshold_id, alert_name, severity, message, actual_value, threshold_value,
            metric_type, metric_name, team_id, status, triggered_at, triggered_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'active', ?10, ?11)",
    )?
    .execute(params![
        a.threshold_id,
        a.alert_name,
        a.severity,
        a.message,
        a.actual_value,
        a.threshold_value,
        a.metric_type,
        a.metric_name,
        a.team_id,
        a.triggered_at,
        a.triggered_ms
    ])?;
    Ok(c.last_insert_rowid())
}

/// The latest windowed mean of an open alert.
pub fn set_actual_value(c: &Connection, id: i64, value: f64) -> ApiResult<()> {
    c.prepare_cached("UPDATE cc_alerts SET actual_value = ?2 WHERE id = ?1")?
        .execute(params![id, value])?;
    Ok(())
}

pub fn mark_resolved(c: &Connection, id: i64, at: &str) -> ApiResult<()> {
    c.prepare_cached("UPDATE cc_alerts SET status = 'resolved', resolved_at = ?2 WHERE id = ?1")?
        .execute(params![id, at])?;
    Ok(())
}

/// Marks an alert acknowledged by `by` at `at`; `notes` replaces the notes
/// when given.
pub fn mark_acknowledged(
    c: &Connection,
    id: i64,
    at: &str,
    by: i64,
    notes: Option<&str>,
) -> ApiResult<()> {
    c.prepare_cached(
        "UPDATE cc_alerts SET status = 'acknowledged', acknowledged_at = ?2, acknowledged_by_id = ?3,
            notes = COALESCE(?4, notes) WHERE id = ?1",
    )?
    .execute(params![id, at, by, notes])?;
    Ok(())
}

/// A page of alerts, newest first, with the filtered total.
pub fn list_alerts(c: &Connection, f: &AlertFilter, w: &Window) -> ApiResult<(Vec<Alert>, u64)> {
    const LIST: ListSql = ListSql {
        table: "cc_alerts",
        cols: ALERT_COLS,
        filter: "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR severity = ?2)
            AND (?3 IS NULL OR team_id = ?3) AND (?4 IS NULL OR metric_name = ?4)",
        order: "triggered_ms DESC, id DESC",
    };
    page(
        c,
        &LIST,
        params![f.status, f.severity, f.team_id, f.metric_name],
        w,
        alert_row,
    )
}

// ---------------------------------------------------------------- dashboard

/// The dashboard's counts since `since_iso` (calls, by their ISO times) and
/// `since_ms` (alerts, by their epoch-millisecond trigger time).
pub fn dashboard_figures(
    c: &Connection,
    since_iso: &str,
    since_ms: i64,
) -> ApiResult<DashboardFigures> {
    let mut f = DashboardFigures::default();
    // Calls started in the period (part 1's call log); durations of ended calls.
    (f.calls, f.avg_duration, f.max_duration, f.min_duration) = c
        .prepare_cached(
            "SELECT COUNT(*), AVG(duration), MAX(duration), MIN(duration) FROM cc_calls
                     WHERE started_at >= ?1",
        )?
        .query_row([since_iso], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    // Waits of calls that left a queue in the period, and calls waiting now.
    (f.waits, f.avg_wait, f.max_wait) = c
        .prepare_cached(
            "SELECT COUNT(wait_time), AVG(wait_time), MAX(wait_time) FROM cc_calls
                     WHERE queued_at >= ?1 AND wait_time IS NOT NULL AND status != 'queued'",
        )?
        .query_row([since_iso], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    f.waiting = c
        .prepare_cached("SELECT COUNT(*) FROM cc_calls WHERE status = 'queued'")?
        .query_row([], |r| r.get(0))?;
    // The same statuses the alert list filters on: active apart from acknowledged.
    (f.active_alerts, f.critical_alerts, f.acknowledged_alerts) = c
        .prepare_cached(
            "SELECT COALESCE(SUM(status = 'active'), 0),
                            COALESCE(SUM(status = 'active' AND severity = 'critical'), 0),
                            COALESCE(SUM(status = 'acknowledged'), 0)
                     FROM cc_alerts WHERE status IN ('active', 'acknowledged')",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    f.triggered = c
        .prepare_cached("SELECT COUNT(*) FROM cc_alerts WHERE triggered_ms >= ?1")?
        .query_row([since_ms], |r| r.get(0))?;
    f.new_voicemails = c
        .prepare_cached("SELECT COUNT(*) FROM cc_voicemails WHERE status = 'new'")?
        .query_row([], |r| r.get(0))?;
    Ok(f)
}
