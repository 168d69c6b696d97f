//! Reports' types, as the document names them (templates, reports,
//! schedules, the outbox), the pattern-checked strings of their bodies, and
//! the stored shapes service and store share (the query definition, the
//! computed dataset, a new report, a schedule's stored fields).

use frontline_platform::pattern::common::NonBlank;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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

frontline_platform::pattern_string! {
    /// One of the report types ([`REPORT_TYPES`]).
    pub ReportTypeText = "^(agent_performance|team_performance|queue_performance|campaign_performance|call_summary|metric_summary)$";
    /// pdf, csv or xlsx ([`FORMATS`]).
    pub FormatText = "^(pdf|csv|xlsx)$";
    /// daily, weekly or monthly.
    pub ScheduleTypeText = "^(daily|weekly|monthly)$";
    /// A recipient's address: the module's one address rule
    /// (`common::EMAIL_ADDRESS_PATTERN`).
    pub RecipientAddress = crate::common::EMAIL_ADDRESS_PATTERN;
}

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
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: NonBlank,
    pub description: Option<String>,
    pub report_type: ReportTypeText,
    /// Metrics: for call reports total_calls, completed_calls, successful_calls,
    /// success_rate, abandoned_calls, abandon_rate, avg_duration,
    /// total_duration, avg_wait_time, max_wait_time; for metric_summary
    /// count, avg, min, max, sum. Grouping: agent_id, team_id, queue_id,
    /// campaign_id, metric_name, day, week, month. Filters: team_id,
    /// agent_id, queue_id, campaign_id, team_type, direction, status,
    /// outcome, metric_type, metric_name.
    pub query_definition: Option<Value>,
    /// Default pdf.
    pub default_format: Option<FormatText>,
    /// Visible to everyone in the contact center (default false: its author and managers).
    pub is_public: Option<bool>,
    /// The template's version (default 1; at most 1000000000).
    #[oai(validator(minimum(value = "1"), maximum(value = "1000000000")))]
    pub version: Option<i64>,
}

/// Changes to a template; the version goes up by one on every change.
#[derive(Object, Debug)]
pub struct ReportTemplateUpdate {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<NonBlank>,
    pub description: Option<String>,
    pub report_type: Option<ReportTypeText>,
    pub query_definition: Option<Value>,
    pub default_format: Option<FormatText>,
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
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: NonBlank,
    /// A template; or give `report_type` (and optionally `query_definition`).
    pub template_id: Option<i64>,
    pub report_type: Option<ReportTypeText>,
    pub query_definition: Option<Value>,
    /// pdf, csv or xlsx (default: the template's).
    pub format: Option<FormatText>,
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
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: NonBlank,
    pub template_id: i64,
    /// daily, weekly (needs `schedule_config.day_of_week`) or monthly.
    pub schedule_type: ScheduleTypeText,
    pub schedule_config: ScheduleConfig,
    /// Default: the template's format.
    pub format: Option<FormatText>,
    /// Up to 50 e-mail addresses.
    #[oai(default, validator(max_items = 50, max_length = 254))]
    pub recipients: Vec<RecipientAddress>,
    pub is_active: Option<bool>,
}

/// Changes to a schedule.
#[derive(Object, Debug)]
pub struct ReportScheduleUpdate {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<NonBlank>,
    pub template_id: Option<i64>,
    pub schedule_type: Option<ScheduleTypeText>,
    pub schedule_config: Option<ScheduleConfig>,
    pub format: Option<FormatText>,
    #[oai(validator(max_items = 50, max_length = 254))]
    pub recipients: Option<Vec<RecipientAddress>>,
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
pub const REPORT_MEDIA_TYPES: [&str; 3] = [
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

/// Who reads or changes reports: the caller's user number and whether they
/// manage the contact center (managers see every template and report).
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub seq: i64,
    pub manager: bool,
}

/// The filters of the template list.
#[derive(Debug, Clone)]
pub struct TemplateFilter {
    pub report_type: Option<String>,
    pub is_public: Option<bool>,
}

/// The filters of the report list.
#[derive(Debug, Clone)]
pub struct ReportFilter {
    pub status: Option<String>,
    pub report_type: Option<String>,
}

/// A report to generate (what the store inserts, in `generating`).
pub struct NewReport<'a> {
    pub name: &'a str,
    pub template_id: Option<i64>,
    pub schedule_id: Option<i64>,
    pub report_type: &'a str,
    pub query: &'a QueryDefinition,
    pub format: &'a str,
    pub filters: &'a Map<String, Value>,
    pub parameters: &'a Value,
    pub by: Option<i64>,
}

/// A template's stored fields (insert and update).
pub struct TemplateFields<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub report_type: &'a str,
    pub query: &'a QueryDefinition,
    pub default_format: &'a str,
    pub is_public: bool,
}

/// A schedule's stored fields (insert and update).
pub struct ScheduleFields<'a> {
    pub name: &'a str,
    pub template_id: i64,
    pub schedule_type: &'a str,
    pub schedule_config: &'a ScheduleConfig,
    pub format: &'a str,
    pub recipients: &'a [String],
    pub is_active: bool,
}

/// A completed report's stored outcome.
pub struct Completed<'a> {
    pub dataset: &'a Dataset,
    pub file_id: &'a str,
    pub file_size_bytes: i64,
    pub completed_at: &'a str,
    pub expires_at: &'a str,
}

/// An outbox row to store.
pub struct NewOutboxMessage<'a> {
    pub schedule_id: i64,
    pub report_id: i64,
    pub recipients: &'a [String],
    pub subject: &'a str,
    pub body: &'a str,
    pub status: &'a str,
    pub error: Option<&'a str>,
    pub created_at: &'a str,
}

/// What the aggregate query of a report reads: the table and period, the
/// filters, the grouping expressions and the figure expressions.
pub struct AggregateQuery<'a> {
    pub metric_report: bool,
    pub start: chrono::DateTime<chrono::Utc>,
    pub end: chrono::DateTime<chrono::Utc>,
    pub filters: &'a Map<String, Value>,
    pub grouping: &'a [String],
    pub metrics: &'a [String],
}

/// What a queued report was asked for, as stored.
pub struct ReportRequest {
    pub name: String,
    pub report_type: String,
    pub query: QueryDefinition,
    pub format: String,
    pub filters: Map<String, Value>,
    pub parameters: Value,
}

/// The job schedule's name of report schedule `id`.
pub fn schedule_name(id: i64) -> String {
    format!("cc.report-schedule.{id}")
}
