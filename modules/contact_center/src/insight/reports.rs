//! Reports: templates (query definitions), reports generated asynchronously
//! on the platform job queue, schedules on the platform scheduler, and
//! e-mail to recipients over SMTP (or kept in an outbox the API shows).

use crate::model::CcError;
use frontline_platform::body::JsonBody;
use frontline_platform::write;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use frontline_platform::files::{self, NewFile};
use frontline_platform::jobs::{self, Frequency, Job, ScheduleSpec};
use frontline_platform::mail::{Attachment as MailAttachment, Mail, Mailer};
use frontline_platform::report::{
    Cell, Chart, KeyFigure, NumberFormat, Report as PlatformReport, Section, Table,
};
use frontline_platform::{
    events, ApiError, ApiResult, BearerAuth, FieldError, Platform, RequestMeta,
};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Map, Value};

use super::report_data::{self, Dataset, QueryDefinition, FORMATS, REPORT_TYPES};
use super::{
    check_text, fail_if, iso, listed, not_found, now, parse_instant, require_manager,
    require_operator, window, Created, Deleted, Listed, Result, Tag,
};
use crate::SLUG;

pub const JOB_KIND: &str = "contact-center.report";
/// Days a generated report stays downloadable.
pub const RETENTION_DAYS: i64 = 30;

// ---------------------------------------------------------------- model

/// A report template.
#[derive(Object, Clone, Debug)]
pub struct ReportTemplate {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    /// agent_performance, team_performance, queue_performance,
    /// campaign_performance, call_summary or metric_summary.
    pub report_type: String,
    /// `{metrics: [...], filters: {...}, grouping: [...]}`.
    pub query_definition: Value,
    /// pdf, csv or xlsx.
    pub default_format: String,
    pub is_public: bool,
    pub version: i64,
    pub created_by_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// A new template.
#[derive(Object, Debug)]
pub struct ReportTemplateCreate {
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub name: String,
    pub description: Option<String>,
    #[oai(validator(
        pattern = "^(agent_performance|team_performance|queue_performance|campaign_performance|call_summary|metric_summary)$"
    ))]
    pub report_type: String,
    /// Metrics: for call reports total_calls, completed_calls, successful_calls,
    /// success_rate, abandoned_calls, abandon_rate, avg_duration,
    /// total_duration, avg_wait_time, max_wait_time; for metric_summary
    /// count, avg, min, max, sum. Grouping: agent_id, team_id, queue_id,
    /// campaign_id, metric_name, day, week, month. Filters: team_id,
    /// agent_id, queue_id, campaign_id, team_type, direction, status,
    /// outcome, metric_type, metric_name.
    pub query_definition: Option<Value>,
    /// Default pdf.
    #[oai(validator(pattern = "^(pdf|csv|xlsx)$"))]
    pub default_format: Option<String>,
    /// Visible to everyone in the contact center (default false: its author and managers).
    pub is_public: Option<bool>,
    /// The template's version (default 1; at most 1000000000).
    #[oai(validator(minimum(value = "1"), maximum(value = "1000000000")))]
    pub version: Option<i64>,
}

/// Changes to a template; the version goes up by one on every change.
#[derive(Object, Debug)]
pub struct ReportTemplateUpdate {
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub name: Option<String>,
    pub description: Option<String>,
    #[oai(validator(
        pattern = "^(agent_performance|team_performance|queue_performance|campaign_performance|call_summary|metric_summary)$"
    ))]
    pub report_type: Option<String>,
    pub query_definition: Option<Value>,
    #[oai(validator(pattern = "^(pdf|csv|xlsx)$"))]
    pub default_format: Option<String>,
    pub is_public: Option<bool>,
}

/// A report.
#[derive(Object, Clone, Debug)]
pub struct Report {
    pub id: i64,
    pub name: String,
    pub template_id: Option<i64>,
    pub schedule_id: Option<i64>,
    pub report_type: String,
    /// generating, completed, failed or expired.
    pub status: String,
    pub format: String,
    /// Where the file downloads (with the same bearer token).
    pub file_url: Option<String>,
    pub file_size_bytes: Option<i64>,
    pub filters: Value,
    pub parameters: Value,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub row_count: Option<i64>,
    pub error: Option<String>,
    pub expires_at: Option<String>,
    pub requested_at: String,
    pub completed_at: Option<String>,
    pub estimated_completion: Option<String>,
}

/// What to generate.
#[derive(Object, Debug)]
pub struct GenerateRequest {
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub name: String,
    /// A template; or give `report_type` (and optionally `query_definition`).
    pub template_id: Option<i64>,
    #[oai(validator(
        pattern = "^(agent_performance|team_performance|queue_performance|campaign_performance|call_summary|metric_summary)$"
    ))]
    pub report_type: Option<String>,
    pub query_definition: Option<Value>,
    /// pdf, csv or xlsx (default: the template's).
    #[oai(validator(pattern = "^(pdf|csv|xlsx)$"))]
    pub format: Option<String>,
    /// `start_date`, `end_date` (default the last 30 days) and any template filter.
    pub filters: Option<crate::model::JsonObject>,
    /// `include_charts` (PDF and Excel: a chart of each figure per group),
    /// `include_raw_data` (PDF and Excel: the table again with unrounded
    /// numbers); both default false. Scheduled reports include charts.
    pub parameters: Option<Value>,
}

/// The 202 answer.
#[derive(Object, Debug)]
pub struct GenerateAccepted {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub estimated_completion: String,
}

/// When a schedule fires.
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ScheduleConfig {
    /// Weekly: 0 or 7 = Sunday, 1 = Monday … 6 = Saturday.
    #[oai(validator(maximum(value = "7")))]
    pub day_of_week: Option<u32>,
    /// Monthly: 1..=31 (shorter months run on their last day).
    #[oai(validator(minimum(value = "1"), maximum(value = "31")))]
    pub day_of_month: Option<u32>,
    /// 0..=23, in `timezone`.
    #[oai(validator(maximum(value = "23")))]
    pub hour: u32,
    /// 0..=59.
    #[oai(default, validator(maximum(value = "59")))]
    #[serde(default)]
    pub minute: u32,
    /// IANA zone, default UTC.
    pub timezone: Option<frontline_platform::tz::TimeZoneName>,
}

/// A report schedule.
#[derive(Object, Clone, Debug)]
pub struct ReportSchedule {
    pub id: i64,
    pub name: String,
    pub template_id: i64,
    /// daily, weekly or monthly.
    pub schedule_type: String,
    pub schedule_config: ScheduleConfig,
    pub format: String,
    pub recipients: Vec<String>,
    pub is_active: bool,
    pub next_run_at: Option<String>,
    pub last_run_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A new schedule.
#[derive(Object, Debug)]
pub struct ReportScheduleCreate {
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub name: String,
    pub template_id: i64,
    /// daily, weekly (needs `schedule_config.day_of_week`) or monthly.
    #[oai(validator(pattern = "^(daily|weekly|monthly)$"))]
    pub schedule_type: String,
    pub schedule_config: ScheduleConfig,
    /// Default: the template's format.
    #[oai(validator(pattern = "^(pdf|csv|xlsx)$"))]
    pub format: Option<String>,
    /// Up to 50 e-mail addresses.
    #[oai(
        default,
        validator(
            max_items = 50,
            max_length = 254,
            pattern = r"^[\x21-\x3f\x41-\x7e]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$"
        )
    )]
    pub recipients: Vec<String>,
    pub is_active: Option<bool>,
}

/// Changes to a schedule.
#[derive(Object, Debug)]
pub struct ReportScheduleUpdate {
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub name: Option<String>,
    pub template_id: Option<i64>,
    #[oai(validator(pattern = "^(daily|weekly|monthly)$"))]
    pub schedule_type: Option<String>,
    pub schedule_config: Option<ScheduleConfig>,
    #[oai(validator(pattern = "^(pdf|csv|xlsx)$"))]
    pub format: Option<String>,
    #[oai(validator(
        max_items = 50,
        max_length = 254,
        pattern = r"^[\x21-\x3f\x41-\x7e]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$"
    ))]
    pub recipients: Option<Vec<String>>,
    pub is_active: Option<bool>,
}

/// Extension: an e-mail about a scheduled report.
#[derive(Object, Clone, Debug)]
pub struct OutboxMessage {
    pub id: i64,
    pub schedule_id: Option<i64>,
    pub report_id: Option<i64>,
    pub recipients: Vec<String>,
    pub subject: String,
    pub body: String,
    /// sent (over SMTP), kept (no SMTP server configured) or failed.
    pub status: String,
    pub error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

#[derive(ApiResponse)]
pub enum Accepted {
    /// Generation started.
    #[oai(status = 202)]
    Accepted(Json<GenerateAccepted>),
}

/// The report file, in the report's format: PDF, CSV or Excel (its
/// `Content-Type` says which; the document lists the three).
pub enum Download {
    /// Bytes, media type, `Content-Disposition`.
    Ok(Binary<Vec<u8>>, String, String),
}

/// The media types a report downloads as.
const REPORT_MEDIA_TYPES: [&str; 3] = [
    "application/pdf",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

impl poem::IntoResponse for Download {
    fn into_response(self) -> poem::Response {
        let Download::Ok(Binary(bytes), mime, disposition) = self;
        poem::Response::builder()
            .status(poem::http::StatusCode::OK)
            .header(poem::http::header::CONTENT_TYPE, mime)
            .header(poem::http::header::CONTENT_DISPOSITION, disposition)
            .body(bytes)
    }
}

impl poem_openapi::ApiResponse for Download {
    fn meta() -> poem_openapi::registry::MetaResponses {
        use poem_openapi::registry::{
            MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef,
        };
        let binary =
            || MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "binary")));
        let text = || MetaSchemaRef::Inline(Box::new(MetaSchema::new("string")));
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The report file, in the report's format (PDF, CSV or Excel).",
                status: Some(200),
                status_range: None,
                content: REPORT_MEDIA_TYPES
                    .iter()
                    .map(|ct| MetaMediaType {
                        content_type: ct,
                        schema: binary(),
                    })
                    .collect(),
                headers: vec![MetaHeader {
                    name: "Content-Disposition".into(),
                    description: Some("`attachment; filename=\"…\"`".into()),
                    required: true,
                    deprecated: false,
                    schema: text(),
                }],
            }],
        }
    }

    fn register(_registry: &mut poem_openapi::registry::Registry) {}
}

// ---------------------------------------------------------------- rules

fn check_format(e: &mut Vec<FieldError>, field: &str, f: Option<&str>) {
    if let Some(f) = f {
        if !FORMATS.contains(&f) {
            e.push(FieldError::new(field, "must be pdf, csv or xlsx"));
        }
    }
}

fn check_type(e: &mut Vec<FieldError>, t: Option<&str>) {
    if let Some(t) = t {
        if !REPORT_TYPES.contains(&t) {
            e.push(FieldError::new(
                "report_type",
                format!("must be one of {}", REPORT_TYPES.join(", ")),
            ));
        }
    }
}

fn parse_query(e: &mut Vec<FieldError>, report_type: &str, v: Option<&Value>) -> QueryDefinition {
    let Some(v) = v else {
        return QueryDefinition::default();
    };
    match serde_json::from_value::<QueryDefinition>(v.clone()) {
        Ok(q) => {
            e.extend(report_data::validate_query(
                report_type,
                &q,
                "query_definition.",
            ));
            q
        }
        Err(err) => {
            e.push(FieldError::new(
                "query_definition",
                format!("must be {{metrics, filters, grouping}}: {err}"),
            ));
            QueryDefinition::default()
        }
    }
}

/// The module's one address rule (`common::EMAIL_ADDRESS_PATTERN`, the
/// document's pattern for `recipients`).
fn valid_email(s: &str) -> bool {
    crate::common::is_email_address(s)
}

fn spec_of(schedule_type: &str, c: &ScheduleConfig) -> ApiResult<ScheduleSpec> {
    use chrono::Weekday::*;
    let frequency = match schedule_type {
        "daily" => Frequency::Daily,
        "weekly" => {
            let d = c.day_of_week.ok_or_else(|| {
                ApiError::invalid(
                    "schedule_config.day_of_week",
                    "a weekly schedule needs day_of_week (0-6, 0 = Sunday)",
                )
            })?;
            Frequency::Weekly(match d {
                0 | 7 => Sun,
                1 => Mon,
                2 => Tue,
                3 => Wed,
                4 => Thu,
                5 => Fri,
                6 => Sat,
                _ => {
                    return Err(ApiError::invalid(
                        "schedule_config.day_of_week",
                        "must be 0-6 (0 = Sunday)",
                    ))
                }
            })
        }
        "monthly" => Frequency::Monthly(c.day_of_month.unwrap_or(1)),
        _ => {
            return Err(ApiError::invalid(
                "schedule_type",
                "must be daily, weekly or monthly",
            ))
        }
    };
    let spec = ScheduleSpec {
        frequency,
        hour: c.hour,
        minute: c.minute,
        timezone: c
            .timezone
            .as_ref()
            .map(|t| t.0.clone())
            .unwrap_or_else(|| "UTC".into()),
    };
    spec.validate().map_err(|mut e| {
        for d in &mut e.details {
            d.field = format!("schedule_config.{}", d.field);
        }
        e
    })?;
    Ok(spec)
}

fn schedule_name(id: i64) -> String {
    format!("cc.report-schedule.{id}")
}

// ---------------------------------------------------------------- store

const T_COLS: &str =
    "id, name, description, report_type, query_definition, default_format, is_public, version, \
     created_by_id, created_at, updated_at";

fn t_row(r: &Row) -> rusqlite::Result<ReportTemplate> {
    let q: String = r.get(4)?;
    Ok(ReportTemplate {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        report_type: r.get(3)?,
        query_definition: serde_json::from_str(&q).unwrap_or(json!({})),
        default_format: r.get(5)?,
        is_public: r.get(6)?,
        version: r.get(7)?,
        created_by_id: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

/// A template the caller may see (public, theirs, or any for managers).
fn get_template(c: &Connection, id: i64, seq: i64, manager: bool) -> ApiResult<ReportTemplate> {
    c.query_row(
        &format!("SELECT {T_COLS} FROM cc_report_templates WHERE id = ?1"),
        [id],
        t_row,
    )
    .optional()?
    .filter(|t| manager || t.is_public || t.created_by_id == Some(seq))
    .ok_or_else(|| not_found("Report template", id))
}

const R_COLS: &str = "id, name, template_id, schedule_id, report_type, status, format, file_size_bytes, filters, \
     parameters, period_start, period_end, row_count, error, expires_at, requested_at, completed_at, \
     estimated_completion, requested_by_id";

fn r_row(r: &Row) -> rusqlite::Result<(Report, Option<i64>)> {
    let filters: String = r.get(8)?;
    let parameters: String = r.get(9)?;
    let id: i64 = r.get(0)?;
    let status: String = r.get(5)?;
    let expires: Option<String> = r.get(14)?;
    let expired =
        status == "completed" && expires.as_deref().is_some_and(|e| e < iso(now()).as_str());
    Ok((
        Report {
            id,
            name: r.get(1)?,
            template_id: r.get(2)?,
            schedule_id: r.get(3)?,
            report_type: r.get(4)?,
            file_url: (status == "completed" && !expired)
                .then(|| format!("/contact-center/api/reports/{id}/download")),
            status: if expired { "expired".into() } else { status },
            format: r.get(6)?,
            file_size_bytes: r.get(7)?,
            filters: serde_json::from_str(&filters).unwrap_or(json!({})),
            parameters: serde_json::from_str(&parameters).unwrap_or(json!({})),
            period_start: r.get(10)?,
            period_end: r.get(11)?,
            row_count: r.get(12)?,
            error: r.get(13)?,
            expires_at: expires,
            requested_at: r.get(15)?,
            completed_at: r.get(16)?,
            estimated_completion: r.get(17)?,
        },
        r.get(18)?,
    ))
}

fn get_report(c: &Connection, id: i64, seq: i64, manager: bool) -> ApiResult<Report> {
    c.query_row(
        &format!("SELECT {R_COLS} FROM cc_reports WHERE id = ?1"),
        [id],
        r_row,
    )
    .optional()?
    .filter(|(_, by)| manager || *by == Some(seq))
    .map(|(r, _)| r)
    .ok_or_else(|| not_found("Report", id))
}

const S_COLS: &str =
    "id, name, template_id, schedule_type, schedule_config, format, recipients, is_active, \
     created_at, updated_at";

fn s_row(c: &Connection, r: &Row) -> rusqlite::Result<ReportSchedule> {
    let cfg: String = r.get(4)?;
    let rec: String = r.get(6)?;
    let id: i64 = r.get(0)?;
    let is_active: bool = r.get(7)?;
    let times = jobs::schedule_times(c, &schedule_name(id)).ok().flatten();
    Ok(ReportSchedule {
        id,
        name: r.get(1)?,
        template_id: r.get(2)?,
        schedule_type: r.get(3)?,
        schedule_config: serde_json::from_str(&cfg).unwrap_or(ScheduleConfig {
            day_of_week: None,
            day_of_month: None,
            hour: 0,
            minute: 0,
            timezone: None,
        }),
        format: r.get(5)?,
        recipients: serde_json::from_str(&rec).unwrap_or_default(),
        is_active,
        next_run_at: times.filter(|_| is_active).map(|t| iso(t.0)),
        last_run_at: times.and_then(|t| t.1).map(iso),
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

fn get_schedule(c: &Connection, id: i64) -> ApiResult<ReportSchedule> {
    c.query_row(
        &format!("SELECT {S_COLS} FROM cc_report_schedules WHERE id = ?1"),
        [id],
        |r| s_row(c, r),
    )
    .optional()?
    .ok_or_else(|| not_found("Report schedule", id))
}

fn o_row(r: &Row) -> rusqlite::Result<OutboxMessage> {
    let rec: String = r.get(3)?;
    Ok(OutboxMessage {
        id: r.get(0)?,
        schedule_id: r.get(1)?,
        report_id: r.get(2)?,
        recipients: serde_json::from_str(&rec).unwrap_or_default(),
        subject: r.get(4)?,
        body: r.get(5)?,
        status: r.get(6)?,
        error: r.get(7)?,
        created_at: r.get(8)?,
        sent_at: r.get(9)?,
    })
}

/// A report to generate (what [`insert_report`] stores).
struct NewReport<'a> {
    name: &'a str,
    template_id: Option<i64>,
    schedule_id: Option<i64>,
    report_type: &'a str,
    query: &'a QueryDefinition,
    format: &'a str,
    filters: &'a Map<String, Value>,
    parameters: &'a Value,
    by: Option<i64>,
}

/// Inserts a report in `generating` (its job is queued by the caller, in the
/// same transaction).
fn insert_report(tx: &Connection, r: &NewReport<'_>) -> ApiResult<(i64, String)> {
    let NewReport {
        name,
        template_id,
        schedule_id,
        report_type,
        query,
        format,
        filters,
        parameters,
        by,
    } = *r;
    let requested = now();
    let estimated = iso(requested + Duration::seconds(30));
    tx.execute(
        "INSERT INTO cc_reports (name, template_id, schedule_id, report_type, query_definition, status, format,
            filters, parameters, requested_at, estimated_completion, requested_by_id)
         VALUES (?1, ?2, ?3, ?4, ?5, 'generating', ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            name,
            template_id,
            schedule_id,
            report_type,
            serde_json::to_string(query)?,
            format,
            Value::Object(filters.clone()).to_string(),
            parameters.to_string(),
            iso(requested),
            estimated,
            by
        ],
    )?;
    let id = tx.last_insert_rowid();
    Ok((id, estimated))
}

// ---------------------------------------------------------------- generation

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
        "csv" => Ok((report_data::to_csv(d)?, "text/csv; charset=utf-8")),
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

/// Computes, renders and stores report `id` in the platform file store
/// (expiring with the report); marks it completed or failed.
pub async fn generate(platform: &Platform, id: i64) -> ApiResult<Value> {
    let computed = platform
        .db
        .read(move |c| {
            let (name, report_type, query, format, filters, parameters): (
                String,
                String,
                String,
                String,
                String,
                String,
            ) = c.query_row(
                "SELECT name, report_type, query_definition, format, filters, parameters FROM cc_reports WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )?;
            let query: QueryDefinition = serde_json::from_str(&query)?;
            let filters: Map<String, Value> = serde_json::from_str(&filters)?;
            let parameters: Value = serde_json::from_str(&parameters)?;
            let data = report_data::dataset(c, &name, &report_type, &query, &filters, now())?;
            let (bytes, mime) = render(&data, &format, &parameters)?;
            Ok((data, bytes, mime, file_name(&name, &format)))
        })
        .await;
    let expires = now() + Duration::days(RETENTION_DAYS);
    let outcome = match computed {
        Ok((data, bytes, mime, filename)) => platform
            .files
            .write_blob(
                NewFile::new(SLUG, &filename)
                    .media_type(mime)
                    .expires_at(expires),
                bytes,
            )
            .await
            .map(|pending| (data, pending)),
        Err(e) => Err(e),
    };
    // A background job: no signed-in caller.
    let result = write::transact(&platform.db, None, RequestMeta::default(), move |w| {
            let tx = w.tx();
            let done = iso(now());
            match &outcome {
                Ok((data, pending)) => {
                    let stored = files::record(tx, pending)?;
                    tx.execute(
                        "UPDATE cc_reports SET status = 'completed', dataset = ?2, file_size_bytes = ?3, row_count = ?4,
                            period_start = ?5, period_end = ?6, completed_at = ?7, expires_at = ?8, error = NULL,
                            file_id = ?9
                         WHERE id = ?1",
                        params![
                            id,
                            serde_json::to_string(data)?,
                            stored.size as i64,
                            data.rows.len() as i64,
                            data.period_start,
                            data.period_end,
                            done,
                            iso(expires),
                            stored.id
                        ],
                    )?;
                    w.emit(
                        SLUG,
                        "report.generated",
                        &json!({"report_id": id, "size": stored.size}),
                        &events::Audience::admins(),
                    )?;
                }
                Err(e) => {
                    tx.execute(
                        "UPDATE cc_reports SET status = 'failed', error = ?2, completed_at = ?3 WHERE id = ?1",
                        params![id, e.message, done],
                    )?;
                    w.emit(
                        SLUG,
                        "report.failed",
                        &json!({"report_id": id, "error": e.message}),
                        &events::Audience::admins(),
                    )?;
                }
            }
            Ok(json!({"report_id": id, "ok": outcome.is_ok()}))
        })
        .await?;
    Ok(result)
}

fn file_name(name: &str, format: &str) -> String {
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

/// The stored file of a completed report: bytes, media type, file name.
async fn stored_file(platform: &Platform, id: i64) -> ApiResult<(Vec<u8>, String, String)> {
    let file_id: Option<String> = platform
        .db
        .read(move |c| {
            Ok(
                c.query_row("SELECT file_id FROM cc_reports WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?,
            )
        })
        .await?;
    let file_id =
        file_id.ok_or_else(|| CcError::ReportNotReady.with_message("The report is not ready"))?;
    let (meta, bytes) = platform.files.read(&file_id).await?;
    Ok((bytes, meta.media_type, meta.filename))
}

/// A link that downloads the report's file without a token until it expires.
fn signed_link(platform: &Platform, c: &Connection, id: i64) -> ApiResult<Option<String>> {
    let row: Option<(Option<String>, Option<String>)> = c
        .query_row(
            "SELECT file_id, expires_at FROM cc_reports WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((Some(file_id), Some(expires))) = row else {
        return Ok(None);
    };
    let until = chrono::DateTime::parse_from_rfc3339(&expires)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| now());
    let ttl = (until - now()).to_std().unwrap_or_default();
    if ttl.is_zero() {
        return Ok(None);
    }
    Ok(Some(platform.files.signed_url(&file_id, ttl).0))
}

/// A scheduled run: a report over the previous period, then e-mail.
pub async fn run_schedule(
    platform: &Platform,
    schedule_id: i64,
    scheduled_for: DateTime<Utc>,
) -> ApiResult<Value> {
    let created = write::transact(&platform.db, None, RequestMeta::default(), move |w| {
        let tx = w.tx();
        let s = match get_schedule(tx, schedule_id) {
            Ok(s) => s,
            Err(_) => return Ok(None),
        };
        if !s.is_active {
            return Ok(None);
        }
        let t = get_template(tx, s.template_id, 0, true)?;
        let tz: Tz = s
            .schedule_config
            .timezone
            .as_deref()
            .unwrap_or("UTC")
            .parse()
            .unwrap_or(Tz::UTC);
        let (from, to) = report_data::scheduled_period(
            &s.schedule_type,
            scheduled_for.with_timezone(&tz).date_naive(),
        );
        let mut filters = Map::new();
        filters.insert("start_date".into(), Value::String(from.to_string()));
        filters.insert("end_date".into(), Value::String(to.to_string()));
        let query: QueryDefinition =
            serde_json::from_value(t.query_definition.clone()).unwrap_or_default();
        let name = format!("{} ({} to {})", s.name, from, to);
        let by: Option<i64> = tx.query_row(
            "SELECT created_by_id FROM cc_report_schedules WHERE id = ?1",
            [schedule_id],
            |r| r.get(0),
        )?;
        let (id, _) = insert_report(
            tx,
            &NewReport {
                name: &name,
                template_id: Some(t.id),
                schedule_id: Some(s.id),
                report_type: &t.report_type,
                query: &query,
                format: &s.format,
                filters: &filters,
                // Scheduled PDF and Excel reports carry their charts.
                parameters: &json!({"include_charts": true}),
                by,
            },
        )?;
        Ok(Some((id, s)))
    })
    .await?;
    let Some((report_id, schedule)) = created else {
        return Ok(json!({"skipped": true}));
    };
    generate(platform, report_id).await?;
    let p2 = platform.clone();
    let (report, link) = platform
        .db
        .read(move |c| {
            Ok((
                get_report(c, report_id, 0, true)?,
                signed_link(&p2, c, report_id)?,
            ))
        })
        .await?;
    let subject = format!("Report: {}", report.name);
    let body = match report.status.as_str() {
        "completed" => format!(
            "Your scheduled report \"{}\" is ready.\n\nPeriod: {} to {}\nRows: {}\nFormat: {}\nDownload: {}\nAvailable until: {}\n",
            report.name,
            report.period_start.clone().unwrap_or_default(),
            report.period_end.clone().unwrap_or_default(),
            report.row_count.unwrap_or(0),
            report.format,
            link.unwrap_or_default(),
            report.expires_at.clone().unwrap_or_default(),
        ),
        _ => format!(
            "Your scheduled report \"{}\" could not be generated: {}\n",
            report.name,
            report.error.clone().unwrap_or_default()
        ),
    };
    let attachment = if report.status == "completed" {
        stored_file(platform, report_id).await.ok()
    } else {
        None
    };
    let (status, error) = if schedule.recipients.is_empty() {
        ("kept".to_string(), Some("no recipients".to_string()))
    } else {
        match Mailer::from_settings(&platform.settings) {
            None => ("kept".to_string(), None),
            Some(Err(e)) => ("failed".to_string(), Some(e.to_string())),
            Some(Ok(mailer)) => {
                let mail = Mail {
                    to: schedule.recipients.clone(),
                    subject: subject.clone(),
                    body: body.clone(),
                    attachment: attachment.map(|(bytes, content_type, filename)| MailAttachment {
                        bytes,
                        content_type,
                        filename,
                    }),
                };
                match mailer.send(mail).await {
                    Ok(()) => ("sent".to_string(), None),
                    Err(e) => ("failed".to_string(), Some(e.to_string())),
                }
            }
        }
    };
    let recipients = schedule.recipients.clone();
    write::transact(&platform.db, None, RequestMeta::default(), move |w| {
            let tx = w.tx();
            tx.execute(
                "INSERT INTO cc_report_outbox (schedule_id, report_id, recipients, subject, body, status, error, created_at, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    schedule_id,
                    report_id,
                    serde_json::to_string(&recipients)?,
                    subject,
                    body,
                    status,
                    error,
                    iso(now()),
                    (status == "sent").then(|| iso(now()))
                ],
            )?;
            Ok(json!({"report_id": report_id, "mail": status}))
        })
        .await
}

/// Registers the report job with the platform runner.
pub fn register(platform: &Platform) {
    platform.jobs.register(
        JOB_KIND,
        Arc::new(|platform: Platform, job: Job| {
            Box::pin(async move {
                let p = &job.payload;
                let result = if let Some(id) = p.get("report_id").and_then(Value::as_i64) {
                    generate(&platform, id).await
                } else if let Some(id) = p.get("schedule_id").and_then(Value::as_i64) {
                    let at = p
                        .get("scheduled_for")
                        .and_then(Value::as_str)
                        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                        .map(|t| t.with_timezone(&Utc))
                        .unwrap_or_else(Utc::now);
                    run_schedule(&platform, id, at).await
                } else {
                    Err(ApiError::bad_request(
                        "report job without report_id or schedule_id",
                    ))
                };
                result.map_err(|e| e.message)
            })
        }),
    );
}

// ---------------------------------------------------------------- api

pub struct ReportsApi {
    platform: Platform,
}

impl ReportsApi {
    pub fn new(platform: &Platform) -> Self {
        ReportsApi {
            platform: platform.clone(),
        }
    }
}

fn is_manager(p: &frontline_platform::auth::Principal) -> bool {
    require_manager(p).is_ok()
}

#[OpenApi(tag = "Tag::Reports")]
impl ReportsApi {
    /// List report templates you can see (public ones, yours; managers see all).
    /// Filters: `report_type`, `is_public`.
    #[oai(path = "/api/reports/templates", method = "get")]
    async fn templates(
        &self,
        auth: BearerAuth,
        report_type: Query<Option<crate::model::ReportType>>,
        is_public: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<ReportTemplate>> {
        let report_type = Query(report_type.0.map(|v| v.as_str().to_string()));
        let w = window(&self.platform, limit.0, offset.0)?;
        let (ty, public, seq, mgr) = (report_type.0, is_public.0, auth.0.seq, is_manager(&auth.0));
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
                let filter = "(?1 IS NULL OR report_type = ?1) AND (?2 IS NULL OR is_public = ?2)
                    AND (?3 OR is_public = 1 OR created_by_id = ?4)";
                let total: i64 = c.query_row(
                    &format!("SELECT COUNT(*) FROM cc_report_templates WHERE {filter}"),
                    params![ty, public, mgr, seq],
                    |r| r.get(0),
                )?;
                let mut stmt = c.prepare(&format!(
                    "SELECT {T_COLS} FROM cc_report_templates WHERE {filter} ORDER BY id LIMIT ?5 OFFSET ?6"
                ))?;
                let items = stmt
                    .query_map(params![ty, public, mgr, seq, w.limit as i64, w.offset as i64], t_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items, total as u64))
            })
            .await?;
        Ok(listed(items, &w, "/api/reports/templates", total))
    }

    /// Create a report template.
    #[oai(path = "/api/reports/templates", method = "post")]
    async fn create_template(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<ReportTemplateCreate>,
    ) -> Result<Created<ReportTemplate>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let mut e = Vec::new();
        check_text(&mut e, "name", &b.name, 200);
        check_type(&mut e, Some(&b.report_type));
        check_format(&mut e, "default_format", b.default_format.as_deref());
        // Every change adds one: a version near i64::MAX would overflow.
        if b.version.is_some_and(|v| !(1..=1_000_000_000).contains(&v)) {
            e.push(FieldError::new(
                "version",
                "must be between 1 and 1000000000",
            ));
        }
        let q = parse_query(&mut e, &b.report_type, b.query_definition.as_ref());
        fail_if(e)?;
        let t = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let at = iso(now());
                tx.execute(
                    "INSERT INTO cc_report_templates (name, description, report_type, query_definition, default_format,
                        is_public, version, created_by_id, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                    params![
                        b.name.trim(),
                        b.description,
                        b.report_type,
                        serde_json::to_string(&q)?,
                        b.default_format.unwrap_or_else(|| "pdf".into()),
                        b.is_public.unwrap_or(false),
                        b.version.unwrap_or(1),
                        auth.0.seq,
                        at
                    ],
                )?;
                let id = tx.last_insert_rowid();
                w.audit(SLUG, "report_template.create", "report_template", &id.to_string(), json!({}))?;
                get_template(tx, id, auth.0.seq, true)
            })
            .await?;
        Ok(Created::Created(Json(t)))
    }

    /// Get a report template.
    #[oai(path = "/api/reports/templates/:template_id", method = "get")]
    async fn get_template(
        &self,
        auth: BearerAuth,
        template_id: Path<i64>,
    ) -> Result<Json<ReportTemplate>> {
        let (id, seq, mgr) = (template_id.0, auth.0.seq, is_manager(&auth.0));
        Ok(Json(
            self.platform
                .db
                .read(move |c| get_template(c, id, seq, mgr))
                .await?,
        ))
    }

    /// Update a report template (its version goes up by one).
    #[oai(path = "/api/reports/templates/:template_id", method = "put")]
    async fn update_template(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        template_id: Path<i64>,
        body: JsonBody<ReportTemplateUpdate>,
    ) -> Result<Json<ReportTemplate>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let id = template_id.0;
        let t = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let cur = get_template(tx, id, auth.0.seq, true)?;
                let mut e = Vec::new();
                if let Some(n) = &b.name {
                    check_text(&mut e, "name", n, 200);
                }
                check_type(&mut e, b.report_type.as_deref());
                check_format(&mut e, "default_format", b.default_format.as_deref());
                let ty = b.report_type.clone().unwrap_or(cur.report_type.clone());
                let q = parse_query(&mut e, &ty, Some(b.query_definition.as_ref().unwrap_or(&cur.query_definition)));
                fail_if(e)?;
                tx.execute(
                    "UPDATE cc_report_templates SET name = ?2, description = ?3, report_type = ?4, query_definition = ?5,
                        default_format = ?6, is_public = ?7, version = version + 1, updated_at = ?8 WHERE id = ?1",
                    params![
                        id,
                        b.name.as_deref().map(str::trim).unwrap_or(&cur.name),
                        b.description.or(cur.description),
                        ty,
                        serde_json::to_string(&q)?,
                        b.default_format.unwrap_or(cur.default_format),
                        b.is_public.unwrap_or(cur.is_public),
                        iso(now())
                    ],
                )?;
                w.audit(SLUG, "report_template.update", "report_template", &id.to_string(), json!({}))?;
                get_template(tx, id, auth.0.seq, true)
            })
            .await?;
        Ok(Json(t))
    }

    /// Delete a report template (409 while a schedule uses it).
    #[oai(path = "/api/reports/templates/:template_id", method = "delete")]
    async fn delete_template(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        template_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = template_id.0;
        write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            get_template(tx, id, auth.0.seq, true)?;
            let used: i64 = tx.query_row(
                "SELECT COUNT(*) FROM cc_report_schedules WHERE template_id = ?1",
                [id],
                |r| r.get(0),
            )?;
            if used > 0 {
                return Err(CcError::TemplateInUse.with_message(format!(
                    "{used} schedule(s) use this template; delete them first"
                )));
            }
            tx.execute(
                "UPDATE cc_reports SET template_id = NULL WHERE template_id = ?1",
                [id],
            )?;
            tx.execute("DELETE FROM cc_report_templates WHERE id = ?1", [id])?;
            w.audit(
                SLUG,
                "report_template.delete",
                "report_template",
                &id.to_string(),
                json!({}),
            )
            .map(drop)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// List reports (yours; managers see all), newest first. Filters:
    /// `status` (generating, completed, failed), `report_type`.
    #[oai(path = "/api/reports", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        status: Query<Option<crate::model::ReportStatus>>,
        report_type: Query<Option<crate::model::ReportType>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Report>> {
        let report_type = Query(report_type.0.map(|v| v.as_str().to_string()));
        let status = Query(status.0.map(|v| v.as_str().to_string()));
        let w = window(&self.platform, limit.0, offset.0)?;
        let (st, ty, seq, mgr) = (status.0, report_type.0, auth.0.seq, is_manager(&auth.0));
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
                let filter = "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR report_type = ?2) AND (?3 OR requested_by_id = ?4)";
                let total: i64 = c.query_row(
                    &format!("SELECT COUNT(*) FROM cc_reports WHERE {filter}"),
                    params![st, ty, mgr, seq],
                    |r| r.get(0),
                )?;
                let mut stmt = c.prepare(&format!(
                    "SELECT {R_COLS} FROM cc_reports WHERE {filter} ORDER BY id DESC LIMIT ?5 OFFSET ?6"
                ))?;
                let items = stmt
                    .query_map(params![st, ty, mgr, seq, w.limit as i64, w.offset as i64], r_row)?
                    .map(|r| r.map(|(r, _)| r))
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items, total as u64))
            })
            .await?;
        Ok(listed(items, &w, "/api/reports", total))
    }

    /// Generate a report. Answers 202 with status `generating`; a background
    /// job computes it and the report moves to `completed` (with `file_url`)
    /// or `failed` (with `error`). Files stay downloadable for 30 days.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/reports/generate", method = "post")]
    async fn generate(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<GenerateRequest>,
    ) -> Result<Accepted> {
        // Reports read the whole call log and every campaign: staff only.
        require_operator(&auth.0)?;
        let b = body.0;
        let mut e = Vec::new();
        check_text(&mut e, "name", &b.name, 200);
        check_format(&mut e, "format", b.format.as_deref());
        check_type(&mut e, b.report_type.as_deref());
        if b.template_id.is_none() && b.report_type.is_none() {
            e.push(FieldError::new(
                "template_id",
                "give template_id or report_type",
            ));
        }
        let filters = b.filters.as_ref().map(|f| f.0.clone()).unwrap_or_default();
        for k in ["start_date", "end_date"] {
            if let Some(v) = filters.get(k) {
                match v.as_str() {
                    Some(s) => {
                        if let Err(err) = parse_instant(&format!("filters.{k}"), s, false) {
                            e.extend(err.details);
                        }
                    }
                    None => e.push(FieldError::new(
                        format!("filters.{k}"),
                        "must be a date (YYYY-MM-DD)",
                    )),
                }
            }
        }
        let parameters = b.parameters.clone().unwrap_or(json!({}));
        if !parameters.is_object() {
            e.push(FieldError::new("parameters", "must be an object"));
        }
        fail_if(e)?;
        let (seq, mgr) = (auth.0.seq, is_manager(&auth.0));
        let name = b.name.trim().to_string();
        let (id, estimated) =
            write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let (ty, query, default_format) = match b.template_id {
                    Some(tid) => {
                        let t = get_template(tx, tid, seq, mgr).map_err(|_| {
                            ApiError::invalid(
                                "template_id",
                                format!("report template {tid} does not exist"),
                            )
                        })?;
                        let q: QueryDefinition =
                            serde_json::from_value(t.query_definition.clone()).unwrap_or_default();
                        (t.report_type, q, t.default_format)
                    }
                    None => {
                        let ty = b.report_type.clone().unwrap_or_default();
                        let mut e = Vec::new();
                        let q = parse_query(&mut e, &ty, b.query_definition.as_ref());
                        fail_if(e)?;
                        (ty, q, "pdf".to_string())
                    }
                };
                let mut e = report_data::validate_query(
                    &ty,
                    &QueryDefinition {
                        filters: filters.clone(),
                        ..Default::default()
                    },
                    "",
                );
                e.retain(|d| d.field.starts_with("filters."));
                fail_if(e)?;
                report_data::period(&filters, now())?;
                let format = b.format.clone().unwrap_or(default_format);
                let (id, estimated) = insert_report(
                    tx,
                    &NewReport {
                        name: &name,
                        template_id: b.template_id,
                        schedule_id: None,
                        report_type: &ty,
                        query: &query,
                        format: &format,
                        filters: &filters,
                        parameters: &parameters,
                        by: Some(seq),
                    },
                )?;
                jobs::enqueue(tx, JOB_KIND, &json!({"report_id": id}))?;
                w.audit(
                    SLUG,
                    "report.generate",
                    "report",
                    &id.to_string(),
                    json!({"format": format}),
                )?;
                Ok((id, estimated))
            })
            .await?;
        self.platform.jobs.notify();
        Ok(Accepted::Accepted(Json(GenerateAccepted {
            id,
            name: b.name.trim().to_string(),
            status: "generating".into(),
            estimated_completion: estimated,
        })))
    }

    /// Extension: the outbox of scheduled-report e-mails, newest first (sent
    /// through the server's SMTP server when one is configured — `--smtp-url` /
    /// `FRONTLINE_SMTP_URL` / `smtp_url` — otherwise kept here with status `kept`).
    #[oai(path = "/api/reports/outbox", method = "get", tag = "Tag::Extensions")]
    async fn outbox(
        &self,
        auth: BearerAuth,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<OutboxMessage>> {
        require_manager(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
                let total: i64 = c.query_row("SELECT COUNT(*) FROM cc_report_outbox", [], |r| r.get(0))?;
                let mut stmt = c.prepare(
                    "SELECT id, schedule_id, report_id, recipients, subject, body, status, error, created_at, sent_at
                     FROM cc_report_outbox ORDER BY id DESC LIMIT ?1 OFFSET ?2",
                )?;
                let items = stmt
                    .query_map(params![w.limit as i64, w.offset as i64], o_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items, total as u64))
            })
            .await?;
        Ok(listed(items, &w, "/api/reports/outbox", total))
    }

    /// List report schedules (filter by `is_active`).
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/reports/schedules", method = "get")]
    async fn schedules(
        &self,
        auth: BearerAuth,
        is_active: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<ReportSchedule>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let active = is_active.0;
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
                let total: i64 = c.query_row(
                    "SELECT COUNT(*) FROM cc_report_schedules WHERE ?1 IS NULL OR is_active = ?1",
                    [active],
                    |r| r.get(0),
                )?;
                let mut stmt = c.prepare(&format!(
                    "SELECT {S_COLS} FROM cc_report_schedules WHERE ?1 IS NULL OR is_active = ?1 ORDER BY id LIMIT ?2 OFFSET ?3"
                ))?;
                let items = stmt
                    .query_map(params![active, w.limit as i64, w.offset as i64], |r| s_row(c, r))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items, total as u64))
            })
            .await?;
        Ok(listed(items, &w, "/api/reports/schedules", total))
    }

    /// Create a schedule: daily, weekly (`day_of_week`) or monthly
    /// (`day_of_month`) at `hour`:`minute` in `timezone`. Each run generates
    /// the template's report over the previous day, week or month and
    /// e-mails it to the recipients through the server's SMTP server
    /// (`--smtp-url` / `FRONTLINE_SMTP_URL`); with none configured the message
    /// is kept in the outbox (`GET /api/reports/outbox`, status `kept`) and not sent.
    #[oai(path = "/api/reports/schedules", method = "post")]
    async fn create_schedule(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<ReportScheduleCreate>,
    ) -> Result<Created<ReportSchedule>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let mut e = Vec::new();
        check_text(&mut e, "name", &b.name, 200);
        check_format(&mut e, "format", b.format.as_deref());
        check_recipients(&mut e, &b.recipients);
        fail_if(e)?;
        let spec = spec_of(&b.schedule_type, &b.schedule_config)?;
        let s = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let t = get_template(tx, b.template_id, auth.0.seq, true)
                    .map_err(|_| ApiError::invalid("template_id", format!("report template {} does not exist", b.template_id)))?;
                let at = iso(now());
                let active = b.is_active.unwrap_or(true);
                tx.execute(
                    "INSERT INTO cc_report_schedules (name, template_id, schedule_type, schedule_config, format, recipients,
                        is_active, created_by_id, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                    params![
                        b.name.trim(),
                        t.id,
                        b.schedule_type,
                        serde_json::to_string(&b.schedule_config)?,
                        b.format.unwrap_or(t.default_format),
                        serde_json::to_string(&b.recipients)?,
                        active,
                        auth.0.seq,
                        at
                    ],
                )?;
                let id = tx.last_insert_rowid();
                jobs::upsert_schedule(tx, &schedule_name(id), JOB_KIND, &json!({"schedule_id": id}), &spec)?;
                if !active {
                    jobs::set_schedule_enabled(tx, &schedule_name(id), false)?;
                }
                w.audit(SLUG, "report_schedule.create", "report_schedule", &id.to_string(), json!({}))?;
                get_schedule(tx, id)
            })
            .await?;
        Ok(Created::Created(Json(s)))
    }

    /// Update a schedule.
    #[oai(path = "/api/reports/schedules/:schedule_id", method = "put")]
    async fn update_schedule(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        schedule_id: Path<i64>,
        body: JsonBody<ReportScheduleUpdate>,
    ) -> Result<Json<ReportSchedule>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let mut e = Vec::new();
        if let Some(n) = &b.name {
            check_text(&mut e, "name", n, 200);
        }
        check_format(&mut e, "format", b.format.as_deref());
        if let Some(r) = &b.recipients {
            check_recipients(&mut e, r);
        }
        fail_if(e)?;
        let id = schedule_id.0;
        let s = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let cur = get_schedule(tx, id)?;
                let ty = b.schedule_type.clone().unwrap_or(cur.schedule_type.clone());
                let cfg = b.schedule_config.clone().unwrap_or(cur.schedule_config.clone());
                let spec = spec_of(&ty, &cfg)?;
                let template_id = b.template_id.unwrap_or(cur.template_id);
                get_template(tx, template_id, auth.0.seq, true)
                    .map_err(|_| ApiError::invalid("template_id", format!("report template {template_id} does not exist")))?;
                let active = b.is_active.unwrap_or(cur.is_active);
                tx.execute(
                    "UPDATE cc_report_schedules SET name = ?2, template_id = ?3, schedule_type = ?4, schedule_config = ?5,
                        format = ?6, recipients = ?7, is_active = ?8, updated_at = ?9 WHERE id = ?1",
                    params![
                        id,
                        b.name.as_deref().map(str::trim).unwrap_or(&cur.name),
                        template_id,
                        ty,
                        serde_json::to_string(&cfg)?,
                        b.format.unwrap_or(cur.format),
                        serde_json::to_string(&b.recipients.unwrap_or(cur.recipients))?,
                        active,
                        iso(now())
                    ],
                )?;
                jobs::upsert_schedule(tx, &schedule_name(id), JOB_KIND, &json!({"schedule_id": id}), &spec)?;
                jobs::set_schedule_enabled(tx, &schedule_name(id), active)?;
                w.audit(SLUG, "report_schedule.update", "report_schedule", &id.to_string(), json!({}))?;
                get_schedule(tx, id)
            })
            .await?;
        Ok(Json(s))
    }

    /// Delete a schedule (its past reports are kept).
    #[oai(path = "/api/reports/schedules/:schedule_id", method = "delete")]
    async fn delete_schedule(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        schedule_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = schedule_id.0;
        write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            get_schedule(tx, id)?;
            jobs::delete_schedule(tx, &schedule_name(id))?;
            tx.execute(
                "UPDATE cc_reports SET schedule_id = NULL WHERE schedule_id = ?1",
                [id],
            )?;
            tx.execute(
                "UPDATE cc_report_outbox SET schedule_id = NULL WHERE schedule_id = ?1",
                [id],
            )?;
            tx.execute("DELETE FROM cc_report_schedules WHERE id = ?1", [id])?;
            w.audit(
                SLUG,
                "report_schedule.delete",
                "report_schedule",
                &id.to_string(),
                json!({}),
            )
            .map(drop)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Get a report (yours; managers see all).
    #[oai(path = "/api/reports/:report_id", method = "get")]
    async fn get(&self, auth: BearerAuth, report_id: Path<i64>) -> Result<Json<Report>> {
        let (id, seq, mgr) = (report_id.0, auth.0.seq, is_manager(&auth.0));
        Ok(Json(
            self.platform
                .db
                .read(move |c| get_report(c, id, seq, mgr))
                .await?,
        ))
    }

    /// Delete a report and its file.
    #[oai(path = "/api/reports/:report_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        report_id: Path<i64>,
    ) -> Result<Deleted> {
        let (id, seq, mgr) = (report_id.0, auth.0.seq, is_manager(&auth.0));
        write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            get_report(tx, id, seq, mgr)?;
            tx.execute(
                "UPDATE cc_report_outbox SET report_id = NULL WHERE report_id = ?1",
                [id],
            )?;
            tx.execute("DELETE FROM cc_reports WHERE id = ?1", [id])?;
            w.audit(SLUG, "report.delete", "report", &id.to_string(), json!({}))
                .map(drop)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Extension: download a completed report's file (410 after it expired).
    #[oai(
        path = "/api/reports/:report_id/download",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn download(&self, auth: BearerAuth, report_id: Path<i64>) -> Result<Download> {
        let (id, seq, mgr) = (report_id.0, auth.0.seq, is_manager(&auth.0));
        self.platform
            .db
            .read(move |c| {
                let r = get_report(c, id, seq, mgr)?;
                match r.status.as_str() {
                    "completed" => Ok(()),
                    "expired" => Err(CcError::ReportExpired
                        .with_message("The report has expired; generate it again")),
                    "failed" => Err(CcError::ReportFailed.with_message(format!(
                        "The report failed: {}",
                        r.error.unwrap_or_default()
                    ))),
                    _ => {
                        Err(CcError::ReportNotReady.with_message("The report is still generating"))
                    }
                }
            })
            .await?;
        let (bytes, mime, filename) = stored_file(&self.platform, id).await?;
        Ok(Download::Ok(
            Binary(bytes),
            mime,
            format!("attachment; filename=\"{filename}\""),
        ))
    }
}

fn check_recipients(e: &mut Vec<FieldError>, r: &[String]) {
    if r.len() > 50 {
        e.push(FieldError::new("recipients", "at most 50 recipients"));
    }
    for (i, x) in r.iter().enumerate() {
        if !valid_email(x) {
            e.push(FieldError::new(
                format!("recipients[{i}]"),
                "must be an e-mail address",
            ));
        }
    }
}
