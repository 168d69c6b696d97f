//! What a report contains: tables computed in SQL from the call log and the
//! recorded metrics, per report type, grouping, filters and period; and the
//! CSV rendering of a table.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::iso;
use super::round4;

pub const REPORT_TYPES: &[&str] = &[
    "agent_performance",
    "team_performance",
    "queue_performance",
    "campaign_performance",
    "call_summary",
    "metric_summary",
];
pub const FORMATS: &[&str] = &["pdf", "csv", "xlsx"];

/// Figures computed from the call log.
pub const CALL_METRICS: &[&str] = &[
    "total_calls",
    "completed_calls",
    "successful_calls",
    "success_rate",
    "abandoned_calls",
    "abandon_rate",
    "avg_duration",
    "total_duration",
    "avg_wait_time",
    "max_wait_time",
];
/// Figures of `metric_summary` reports, per recorded metric.
pub const METRIC_FIGURES: &[&str] = &["count", "avg", "min", "max", "sum"];
pub const GROUPINGS: &[&str] = &[
    "agent_id",
    "team_id",
    "queue_id",
    "campaign_id",
    "metric_name",
    "day",
    "week",
    "month",
];
pub const FILTERS: &[&str] = &[
    "team_id",
    "agent_id",
    "queue_id",
    "campaign_id",
    "team_type",
    "direction",
    "status",
    "outcome",
    "metric_type",
    "metric_name",
];

/// A template's query: which figures, filters and grouping.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct QueryDefinition {
    #[serde(default)]
    pub metrics: Vec<String>,
    #[serde(default)]
    pub filters: Map<String, Value>,
    #[serde(default)]
    pub grouping: Vec<String>,
}

/// A computed table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dataset {
    pub title: String,
    pub report_type: String,
    pub period_start: String,
    pub period_end: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// Totals over the whole period (label, value).
    pub summary: Vec<(String, Value)>,
}

/// Checks a query definition against a report type; one detail per problem.
pub fn validate_query(report_type: &str, q: &QueryDefinition, prefix: &str) -> Vec<FieldError> {
    let mut e = Vec::new();
    let f = |s: &str| format!("{prefix}{s}");
    if report_type == "metric_summary" {
        for (i, m) in q.metrics.iter().enumerate() {
            if !METRIC_FIGURES.contains(&m.as_str()) {
                e.push(FieldError::new(
                    f(&format!("metrics[{i}]")),
                    format!("a metric_summary reports {}", METRIC_FIGURES.join(", ")),
                ));
            }
        }
    } else {
        for (i, m) in q.metrics.iter().enumerate() {
            if !CALL_METRICS.contains(&m.as_str()) {
                e.push(FieldError::new(
                    f(&format!("metrics[{i}]")),
                    format!("unknown metric '{m}' (one of {})", CALL_METRICS.join(", ")),
                ));
            }
        }
    }
    for (i, g) in q.grouping.iter().enumerate() {
        if !GROUPINGS.contains(&g.as_str()) {
            e.push(FieldError::new(
                f(&format!("grouping[{i}]")),
                format!("unknown grouping '{g}' (one of {})", GROUPINGS.join(", ")),
            ));
        } else if g == "metric_name" && report_type != "metric_summary" {
            e.push(FieldError::new(
                f(&format!("grouping[{i}]")),
                "metric_name grouping is for metric_summary reports",
            ));
        }
    }
    if q.grouping.len() > 3 {
        e.push(FieldError::new(f("grouping"), "at most 3 groupings"));
    }
    for (k, v) in &q.filters {
        if matches!(k.as_str(), "start_date" | "end_date") {
            continue;
        }
        if !FILTERS.contains(&k.as_str()) {
            e.push(FieldError::new(
                f(&format!("filters.{k}")),
                format!("unknown filter (one of {})", FILTERS.join(", ")),
            ));
        } else if !(v.is_string() || v.is_i64()) {
            e.push(FieldError::new(
                f(&format!("filters.{k}")),
                "must be a string or an integer",
            ));
        }
    }
    e
}

fn default_grouping(report_type: &str) -> Vec<String> {
    match report_type {
        "agent_performance" => vec!["agent_id".into()],
        "team_performance" => vec!["team_id".into()],
        "queue_performance" => vec!["queue_id".into()],
        "campaign_performance" => vec!["campaign_id".into()],
        "metric_summary" => vec!["metric_name".into()],
        _ => vec!["day".into()],
    }
}

fn default_metrics(report_type: &str) -> Vec<String> {
    let m: &[&str] = match report_type {
        "queue_performance" => &[
            "total_calls",
            "abandoned_calls",
            "abandon_rate",
            "avg_wait_time",
            "max_wait_time",
        ],
        "metric_summary" => &["count", "avg", "min", "max"],
        "call_summary" => &[
            "total_calls",
            "completed_calls",
            "success_rate",
            "avg_duration",
            "avg_wait_time",
        ],
        _ => &[
            "total_calls",
            "completed_calls",
            "success_rate",
            "avg_duration",
            "total_duration",
        ],
    };
    m.iter().map(|s| s.to_string()).collect()
}

/// The reporting period: `start_date`/`end_date` filters (dates are whole
/// days, end inclusive); the last 30 days by default.
pub fn period(
    filters: &Map<String, Value>,
    now: DateTime<Utc>,
) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
    let get = |k: &str, end: bool| -> ApiResult<Option<DateTime<Utc>>> {
        match filters.get(k).and_then(Value::as_str) {
            None => Ok(None),
            Some(s) => super::parse_instant(&format!("filters.{k}"), s, end).map(Some),
        }
    };
    let end = get("end_date", true)?.unwrap_or(now);
    let start = get("start_date", false)?.unwrap_or(end - Duration::days(30));
    if start >= end {
        return Err(ApiError::invalid(
            "filters.end_date",
            "must be after start_date",
        ));
    }
    if end - start > Duration::days(3700) {
        return Err(ApiError::invalid(
            "filters.start_date",
            "a report covers at most 10 years",
        ));
    }
    Ok((start, end))
}

fn sql_value(v: &Value) -> SqlValue {
    match v {
        Value::Number(n) => n.as_i64().map(SqlValue::Integer).unwrap_or(SqlValue::Null),
        Value::String(s) => SqlValue::Text(s.clone()),
        _ => SqlValue::Null,
    }
}

fn group_expr(g: &str, time_col: &str) -> (String, String) {
    match g {
        "day" => (format!("substr({time_col}, 1, 10)"), "day".into()),
        "week" => (format!("strftime('%G-W%V', {time_col})"), "week".into()),
        "month" => (format!("substr({time_col}, 1, 7)"), "month".into()),
        other => (other.to_string(), other.to_string()),
    }
}

fn call_metric_sql(m: &str) -> &'static str {
    match m {
        "total_calls" => "COUNT(*)",
        "completed_calls" => "SUM(status = 'completed')",
        "successful_calls" => "SUM(outcome IN ('success','converted'))",
        "success_rate" => "CASE WHEN SUM(status = 'completed') > 0 THEN 1.0 * SUM(outcome IN ('success','converted')) / SUM(status = 'completed') ELSE 0 END",
        "abandoned_calls" => "SUM(status = 'abandoned')",
        "abandon_rate" => "1.0 * SUM(status = 'abandoned') / COUNT(*)",
        "avg_duration" => "AVG(duration)",
        "total_duration" => "COALESCE(SUM(duration), 0)",
        "avg_wait_time" => "AVG(wait_time)",
        _ => "MAX(wait_time)",
    }
}

fn label_for(conn: &Connection, group: &str, v: &Value) -> Value {
    let (table, col) = match group {
        "agent_id" => ("cc_agents", "agent_number"),
        "team_id" => ("cc_teams", "name"),
        "queue_id" => ("cc_queues", "name"),
        "campaign_id" => ("cc_campaigns", "name"),
        _ => return v.clone(),
    };
    let Some(id) = v.as_i64() else {
        return Value::String("(none)".into());
    };
    conn.query_row(
        &format!("SELECT {col} FROM {table} WHERE id = ?1"),
        [id],
        |r| r.get::<_, String>(0),
    )
    .map(|name| Value::String(format!("{name} (#{id})")))
    .unwrap_or_else(|_| Value::String(format!("#{id}")))
}

fn json_of(v: SqlValue) -> Value {
    match v {
        SqlValue::Integer(i) => Value::from(i),
        SqlValue::Real(f) => Value::from(round4(f)),
        SqlValue::Text(s) => Value::String(s),
        _ => Value::Null,
    }
}

/// Computes the table of a report.
pub fn dataset(
    conn: &Connection,
    title: &str,
    report_type: &str,
    q: &QueryDefinition,
    filters: &Map<String, Value>,
    now: DateTime<Utc>,
) -> ApiResult<Dataset> {
    let mut all = q.filters.clone();
    for (k, v) in filters {
        all.insert(k.clone(), v.clone());
    }
    let errors = validate_query(
        report_type,
        &QueryDefinition {
            filters: all.clone(),
            ..q.clone()
        },
        "filters.",
    );
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let (start, end) = period(&all, now)?;
    let grouping = if q.grouping.is_empty() {
        default_grouping(report_type)
    } else {
        q.grouping.clone()
    };
    let metrics = if q.metrics.is_empty() {
        default_metrics(report_type)
    } else {
        q.metrics.clone()
    };
    let metric_report = report_type == "metric_summary";
    let (table, time_col) = if metric_report {
        (
            "cc_metrics",
            "strftime('%Y-%m-%dT%H:%M:%SZ', recorded_at / 1000, 'unixepoch')",
        )
    } else {
        ("cc_calls", "started_at")
    };
    let mut wheres: Vec<String> = Vec::new();
    let mut args: Vec<SqlValue> = Vec::new();
    if metric_report {
        wheres.push("recorded_at >= ? AND recorded_at < ?".into());
        args.push(SqlValue::Integer(start.timestamp_millis()));
        args.push(SqlValue::Integer(end.timestamp_millis()));
    } else {
        wheres.push("started_at >= ? AND started_at < ?".into());
        args.push(SqlValue::Text(iso(start)));
        args.push(SqlValue::Text(iso(end)));
    }
    for (k, v) in &all {
        let col = match (k.as_str(), metric_report) {
            ("start_date" | "end_date", _) => continue,
            ("team_type", _) => {
                wheres.push("team_id IN (SELECT id FROM cc_teams WHERE team_type = ?)".into());
                args.push(sql_value(v));
                continue;
            }
            ("metric_type" | "metric_name", false)
            | ("queue_id" | "campaign_id" | "direction" | "status" | "outcome", true) => continue,
            (k, _) => k,
        };
        wheres.push(format!("{col} = ?"));
        args.push(sql_value(v));
    }
    let groups: Vec<(String, String)> = grouping.iter().map(|g| group_expr(g, time_col)).collect();
    let figures: Vec<String> = metrics
        .iter()
        .map(|m| {
            if metric_report {
                match m.as_str() {
                    "count" => "COUNT(*)".to_string(),
                    other => format!("{}(value)", other.to_uppercase()),
                }
            } else {
                call_metric_sql(m).to_string()
            }
        })
        .collect();
    let select: Vec<String> = groups
        .iter()
        .map(|(e, _)| e.clone())
        .chain(figures.iter().cloned())
        .collect();
    let group_by: Vec<String> = (1..=groups.len()).map(|i| i.to_string()).collect();
    let sql = format!(
        "SELECT {} FROM {table} WHERE {} GROUP BY {} ORDER BY {} LIMIT 10000",
        select.join(", "),
        wheres.join(" AND "),
        group_by.join(", "),
        group_by.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let width = select.len();
    let raw = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            (0..width)
                .map(|i| r.get::<_, SqlValue>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let rows: Vec<Vec<Value>> = raw
        .into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let v = json_of(v);
                    match grouping.get(i) {
                        Some(g) if i < groups.len() => label_for(conn, g, &v),
                        _ => v,
                    }
                })
                .collect()
        })
        .collect();
    // Totals over the period, same figures without grouping.
    let total_sql = format!(
        "SELECT {} FROM {table} WHERE {}",
        figures.join(", "),
        wheres.join(" AND ")
    );
    let totals: Vec<SqlValue> =
        conn.query_row(&total_sql, rusqlite::params_from_iter(args.iter()), |r| {
            (0..figures.len())
                .map(|i| r.get::<_, SqlValue>(i))
                .collect()
        })?;
    Ok(Dataset {
        title: title.to_string(),
        report_type: report_type.to_string(),
        period_start: iso(start),
        period_end: iso(end),
        columns: groups
            .iter()
            .map(|(_, n)| n.clone())
            .chain(metrics.iter().cloned())
            .collect(),
        rows,
        summary: metrics
            .iter()
            .cloned()
            .zip(totals.into_iter().map(json_of))
            .collect(),
    })
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The table as CSV (RFC 4180), header first, through the platform's CSV
/// writer (text cells that a spreadsheet would run as formulas are neutralised).
pub fn to_csv(d: &Dataset) -> ApiResult<Vec<u8>> {
    frontline_platform::report::to_csv(
        d.columns.iter().cloned(),
        d.rows
            .iter()
            .map(|row| row.iter().map(cell_text).collect::<Vec<_>>()),
    )
}

/// First and last day of the period a scheduled run covers: the previous
/// day, week (Monday to Sunday) or month, in the schedule's zone.
pub fn scheduled_period(schedule_type: &str, local_today: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    match schedule_type {
        "weekly" => {
            let this_monday =
                local_today - Duration::days(local_today.weekday().num_days_from_monday() as i64);
            (
                this_monday - Duration::days(7),
                this_monday - Duration::days(1),
            )
        }
        "monthly" => {
            let first = NaiveDate::from_ymd_opt(local_today.year(), local_today.month(), 1)
                .unwrap_or(local_today);
            let last_prev = first - Duration::days(1);
            (
                NaiveDate::from_ymd_opt(last_prev.year(), last_prev.month(), 1)
                    .unwrap_or(last_prev),
                last_prev,
            )
        }
        _ => {
            let y = local_today - Duration::days(1);
            (y, y)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduled_periods() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Wednesday 2025-11-12.
        assert_eq!(
            scheduled_period("daily", d("2025-11-12")),
            (d("2025-11-11"), d("2025-11-11"))
        );
        assert_eq!(
            scheduled_period("weekly", d("2025-11-12")),
            (d("2025-11-03"), d("2025-11-09"))
        );
        assert_eq!(
            scheduled_period("monthly", d("2025-01-01")),
            (d("2024-12-01"), d("2024-12-31"))
        );
    }

    #[test]
    fn query_validation() {
        let q = QueryDefinition {
            metrics: vec!["total_calls".into(), "vibes".into()],
            filters: serde_json::from_value(
                serde_json::json!({"team_type": "sales", "color": "red"}),
            )
            .unwrap(),
            grouping: vec!["agent_id".into(), "week".into(), "year".into()],
        };
        let e = validate_query("agent_performance", &q, "query_definition.");
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "query_definition.metrics[1]",
                "query_definition.grouping[2]",
                "query_definition.filters.color"
            ]
        );
    }
}
