//! What a report contains: the query rules (figures, filters and grouping
//! per report type), the period, the table computed through
//! `store::reports::aggregate`, and its renderings (CSV, and PDF and Excel
//! through the platform's report document).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use frontline_platform::report::{
    Cell, Chart, KeyFigure, NumberFormat, Report as PlatformReport, Section, Table,
};
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::{Map, Value};

use crate::insight::{iso, now};
use crate::model::reports::*;
use crate::store::reports as store;

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
            Some(s) => crate::insight::parse_instant(&format!("filters.{k}"), s, end).map(Some),
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
    let (rows, totals) = store::aggregate(
        conn,
        &AggregateQuery {
            metric_report: report_type == "metric_summary",
            start,
            end,
            filters: &all,
            grouping: &grouping,
            metrics: &metrics,
        },
    )?;
    Ok(Dataset {
        title: title.to_string(),
        report_type: report_type.to_string(),
        period_start: iso(start),
        period_end: iso(end),
        columns: grouping.iter().chain(metrics.iter()).cloned().collect(),
        rows,
        summary: metrics.iter().cloned().zip(totals).collect(),
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

/// How a figure is shown: rates as percentages, counts whole, the rest with
/// two decimals (`raw`: six decimals, as computed).
fn figure_cell(column: &str, v: &Value, raw: bool) -> Cell {
    match v {
        Value::Null => Cell::Empty,
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            if raw {
                Cell::decimal(x, 6)
            } else if column.ends_with("_rate") {
                Cell::percent(x, 1)
            } else if n.is_i64() || n.is_u64() {
                Cell::int(x)
            } else {
                Cell::decimal(x, 2)
            }
        }
        Value::String(s) => Cell::text(s.clone()),
        other => Cell::text(other.to_string()),
    }
}

/// The dataset as a platform report document: title page (period, type),
/// the totals as key figures, a chart of each figure per group when
/// `include_charts` is true, the table of groups, and the same table with
/// unrounded numbers when `include_raw_data` is true.
pub fn document(d: &Dataset, parameters: &Value) -> PlatformReport {
    let flag = |k: &str| parameters.get(k).and_then(Value::as_bool).unwrap_or(false);
    let (charts, raw) = (flag("include_charts"), flag("include_raw_data"));
    let groups = d.columns.len().saturating_sub(d.summary.len());
    let mut report = PlatformReport::new(d.title.clone())
        .subtitle(format!(
            "Contact center {}",
            d.report_type.replace('_', " ")
        ))
        .meta("Report type", d.report_type.clone())
        .meta("Period", format!("{} to {}", d.period_start, d.period_end))
        .meta("Rows", d.rows.len().to_string())
        .meta("Generated at", iso(now()));
    let totals = d
        .summary
        .iter()
        .map(|(k, v)| KeyFigure::new(k.clone(), figure_cell(k, v, false)))
        .collect();
    report.push(Section::new("Totals").key_figures(totals));
    let mut detail = Section::new("Figures");
    if d.rows.is_empty() {
        detail = detail.paragraph("No data in this period.");
    }
    let label = |row: &[Value]| -> String {
        row.iter()
            .take(groups)
            .map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Null => "–".into(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" / ")
    };
    if charts && groups > 0 && !d.rows.is_empty() {
        let categories: Vec<String> = d.rows.iter().map(|r| label(r)).collect();
        for (i, (name, _)) in d.summary.iter().enumerate() {
            let values = d
                .rows
                .iter()
                .map(|r| r.get(groups + i).and_then(Value::as_f64).unwrap_or(0.0))
                .collect();
            let format = if name.ends_with("_rate") {
                NumberFormat::Percent(0)
            } else {
                NumberFormat::Decimal(1)
            };
            let chart = if groups == 1 && ["day", "week", "month"].contains(&d.columns[0].as_str())
            {
                Chart::line(name.replace('_', " "), categories.clone())
            } else {
                Chart::bar(name.replace('_', " "), categories.clone())
            };
            detail = detail.chart(chart.series(name.clone(), values).format(format));
        }
    }
    let table = |raw: bool| {
        let mut t = Table::new(d.columns.clone());
        for row in &d.rows {
            t.push(
                row.iter()
                    .zip(&d.columns)
                    .map(|(v, c)| figure_cell(c, v, raw))
                    .collect(),
            );
        }
        t
    };
    detail = detail.table(table(false));
    report.push(detail);
    if raw {
        report.push(Section::new("Raw data").table(table(true)));
    }
    report
}

/// Renders a stored dataset in `format` (pdf, xlsx or csv) through the
/// platform's report renderer.
pub fn render(d: &Dataset, format: &str, parameters: &Value) -> ApiResult<(Vec<u8>, &'static str)> {
    match format {
        "csv" => Ok((to_csv(d)?, "text/csv; charset=utf-8")),
        "pdf" => Ok((document(d, parameters).to_pdf()?, "application/pdf")),
        "xlsx" => Ok((
            document(d, parameters).to_xlsx()?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )),
        other => Err(ApiError::invalid(
            "format",
            format!("{other} is not pdf, csv or xlsx"),
        )),
    }
}

/// The file name of a report: its name with only letters, digits, `-` and
/// `_` kept, and the format as extension.
pub fn file_name(name: &str, format: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.{format}")
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
