//! Contact center parts 2 and 3: knowledge base, documents, IVR flows, routing
//! rules, recordings, voicemail, metrics and alerts, dashboard, reports and
//! schedules.
//!
//! Each section here is its thin handlers; its types are in `model/<area>.rs`,
//! its rules in `service/<area>.rs` and its SQL in `store/<area>.rs`.

pub mod documents;
pub mod ivr;
pub mod kb_search;
pub mod knowledge;
pub mod metrics;
pub mod recordings;
pub mod reports;
pub mod routing;
pub mod voicemail;

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use frontline_platform::auth::Principal;
use frontline_platform::http::ModuleError;
use frontline_platform::page::Window;
use frontline_platform::{ApiError, ApiResult, Platform};
use poem_openapi::payload::{Json, Response};
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiResponse, OpenApi, Tags};

use crate::model::CcEnvelope;
use crate::SLUG;

/// This part's schema: migration step 2 of the module.
pub const SCHEMA: &str = r#"
CREATE TABLE cc_ivr_flows (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    is_active INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0,
    timeout_seconds INTEGER NOT NULL DEFAULT 30,
    max_retries INTEGER NOT NULL DEFAULT 3,
    language TEXT NOT NULL DEFAULT 'en',
    start_node_id INTEGER,
    nodes TEXT NOT NULL DEFAULT '[]',
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cc_ivr_flows_active ON cc_ivr_flows(is_active, id);
CREATE TABLE cc_ivr_flow_versions (
    id INTEGER PRIMARY KEY,
    flow_id INTEGER NOT NULL REFERENCES cc_ivr_flows(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    version_notes TEXT,
    definition TEXT NOT NULL,
    published_by INTEGER,
    published_at TEXT NOT NULL,
    UNIQUE (flow_id, version)
);
CREATE TABLE cc_ivr_sessions (
    id INTEGER PRIMARY KEY,
    flow_id INTEGER NOT NULL REFERENCES cc_ivr_flows(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    caller_number TEXT,
    status TEXT NOT NULL,
    current_node_id INTEGER,
    retries INTEGER NOT NULL DEFAULT 0,
    path TEXT NOT NULL DEFAULT '[]',
    inputs TEXT NOT NULL DEFAULT '[]',
    variables TEXT NOT NULL DEFAULT '{}',
    outcome TEXT,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    duration_seconds REAL
);
CREATE INDEX cc_ivr_sessions_flow ON cc_ivr_sessions(flow_id, started_at);

CREATE TABLE cc_routing_rules (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    priority INTEGER NOT NULL DEFAULT 0,
    strategy TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    conditions TEXT NOT NULL DEFAULT '[]',
    targets TEXT NOT NULL DEFAULT '[]',
    fallback_action TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cc_routing_rules_active ON cc_routing_rules(is_active, priority DESC, id);

CREATE TABLE cc_voicemails (
    id INTEGER PRIMARY KEY,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    duration INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'new',
    message_url TEXT,
    transcription TEXT,
    received_at TEXT NOT NULL,
    assigned_to_id INTEGER,
    priority INTEGER NOT NULL DEFAULT 5,
    notes TEXT,
    queue_id INTEGER,
    status_changed_at TEXT,
    completed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cc_voicemails_status ON cc_voicemails(status, received_at);
CREATE INDEX cc_voicemails_assignee ON cc_voicemails(assigned_to_id, received_at);
CREATE INDEX cc_voicemails_received ON cc_voicemails(received_at);

CREATE TABLE cc_metrics (
    id INTEGER PRIMARY KEY,
    metric_type TEXT NOT NULL,
    metric_name TEXT NOT NULL,
    value REAL NOT NULL,
    team_id INTEGER,
    agent_id INTEGER,
    tags TEXT NOT NULL DEFAULT '{}',
    dimensions TEXT NOT NULL DEFAULT '{}',
    recorded_at INTEGER NOT NULL
);
CREATE INDEX cc_metrics_name_time ON cc_metrics(metric_name, recorded_at, value);
CREATE INDEX cc_metrics_type_time ON cc_metrics(metric_type, recorded_at);
CREATE INDEX cc_metrics_time ON cc_metrics(recorded_at);
CREATE INDEX cc_metrics_team ON cc_metrics(team_id, metric_name, recorded_at);
CREATE INDEX cc_metrics_agent ON cc_metrics(agent_id, metric_name, recorded_at);

CREATE TABLE cc_thresholds (
    id INTEGER PRIMARY KEY,
    name TEXT,
    metric_type TEXT NOT NULL,
    metric_name TEXT NOT NULL,
    threshold_value REAL NOT NULL,
    comparison_operator TEXT NOT NULL,
    severity TEXT NOT NULL,
    window_minutes INTEGER NOT NULL,
    alert_message TEXT,
    team_id INTEGER,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cc_thresholds_metric ON cc_thresholds(metric_name, is_active);
CREATE TABLE cc_alerts (
    id INTEGER PRIMARY KEY,
    threshold_id INTEGER REFERENCES cc_thresholds(id) ON DELETE SET NULL,
    alert_name TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    actual_value REAL NOT NULL,
    threshold_value REAL NOT NULL,
    metric_type TEXT NOT NULL,
    metric_name TEXT NOT NULL,
    team_id INTEGER,
    status TEXT NOT NULL,
    triggered_at TEXT NOT NULL,
    triggered_ms INTEGER NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by_id INTEGER,
    notes TEXT,
    resolved_at TEXT
);
CREATE INDEX cc_alerts_status ON cc_alerts(status, severity, triggered_ms);
CREATE INDEX cc_alerts_threshold ON cc_alerts(threshold_id, status);

CREATE TABLE cc_recordings (
    id INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL,
    campaign_id INTEGER,
    agent_id INTEGER,
    team_id INTEGER,
    duration INTEGER NOT NULL DEFAULT 0,
    file_url TEXT,
    file_id TEXT,
    file_size_bytes INTEGER,
    content_type TEXT,
    recorded_at TEXT NOT NULL,
    recorded_ms INTEGER NOT NULL,
    has_transcription INTEGER NOT NULL DEFAULT 0,
    sentiment_score REAL,
    keywords TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
CREATE INDEX cc_recordings_time ON cc_recordings(recorded_ms);
CREATE INDEX cc_recordings_campaign ON cc_recordings(campaign_id, recorded_ms);
CREATE INDEX cc_recordings_agent ON cc_recordings(agent_id, recorded_ms);
CREATE INDEX cc_recordings_team ON cc_recordings(team_id, recorded_ms);
CREATE TABLE cc_transcriptions (
    recording_id INTEGER PRIMARY KEY REFERENCES cc_recordings(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    segments TEXT NOT NULL,
    language TEXT NOT NULL,
    confidence REAL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE cc_recording_analyses (
    recording_id INTEGER PRIMARY KEY REFERENCES cc_recordings(id) ON DELETE CASCADE,
    result TEXT NOT NULL,
    analyzed_at TEXT NOT NULL
);
CREATE TABLE cc_compliance_phrases (
    id INTEGER PRIMARY KEY,
    phrase TEXT NOT NULL,
    kind TEXT NOT NULL,
    speaker TEXT,
    description TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (phrase, kind)
);
CREATE TABLE cc_kb_articles (
    id INTEGER PRIMARY KEY,
    company_id INTEGER,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    category TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    is_public INTEGER NOT NULL DEFAULT 1,
    language TEXT NOT NULL DEFAULT 'en',
    metadata TEXT NOT NULL DEFAULT '{}',
    created_by_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cc_kb_articles_company ON cc_kb_articles(company_id, category, id);
CREATE INDEX cc_kb_articles_language ON cc_kb_articles(language, id);
CREATE TABLE cc_report_templates (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    report_type TEXT NOT NULL,
    query_definition TEXT NOT NULL DEFAULT '{}',
    default_format TEXT NOT NULL DEFAULT 'pdf',
    is_public INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_by_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cc_report_templates_type ON cc_report_templates(report_type, is_public);
CREATE TABLE cc_reports (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    template_id INTEGER,
    schedule_id INTEGER,
    report_type TEXT NOT NULL,
    query_definition TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,
    format TEXT NOT NULL,
    filters TEXT NOT NULL DEFAULT '{}',
    parameters TEXT NOT NULL DEFAULT '{}',
    dataset TEXT,
    file_id TEXT,
    file_size_bytes INTEGER,
    row_count INTEGER,
    period_start TEXT,
    period_end TEXT,
    error TEXT,
    expires_at TEXT,
    requested_at TEXT NOT NULL,
    completed_at TEXT,
    estimated_completion TEXT,
    requested_by_id INTEGER
);
CREATE INDEX cc_reports_status ON cc_reports(status, id);
CREATE INDEX cc_reports_owner ON cc_reports(requested_by_id, id);
CREATE TABLE cc_report_schedules (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    template_id INTEGER NOT NULL REFERENCES cc_report_templates(id),
    schedule_type TEXT NOT NULL,
    schedule_config TEXT NOT NULL,
    format TEXT NOT NULL,
    recipients TEXT NOT NULL DEFAULT '[]',
    is_active INTEGER NOT NULL DEFAULT 1,
    created_by_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE cc_report_outbox (
    id INTEGER PRIMARY KEY,
    schedule_id INTEGER,
    report_id INTEGER,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE TABLE cc_documents (
    id INTEGER PRIMARY KEY,
    company_id INTEGER,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    file_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT,
    category TEXT,
    description TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    language TEXT NOT NULL DEFAULT 'en',
    file_id TEXT NOT NULL,
    text_content TEXT NOT NULL DEFAULT '',
    uploaded_by_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX cc_documents_company ON cc_documents(company_id, category, id);
"#;

/// Handler result in the contact-center error body.
pub(crate) type Result<T> = std::result::Result<T, ModuleError<CcEnvelope>>;

/// A list answer: a bare JSON array with `X-Total-Count`, `X-Page-Count` and `Link` headers.
pub(crate) type Listed<T> = Response<Json<Vec<T>>>;

/// A 201 answer with the created resource, or a 204 without a body.
#[derive(ApiResponse)]
pub(crate) enum Created<T: ParseFromJSON + ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// 204 No Content.
#[derive(ApiResponse)]
pub(crate) enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Tags)]
pub(crate) enum Tag {
    /// Knowledge base articles and search. The "semantic" search is BM25
    /// keyword ranking with per-language stemming and typo tolerance, not
    /// embeddings; no model is called.
    #[oai(rename = "Knowledge Base")]
    KnowledgeBase,
    /// Uploaded documents (text extracted and searchable).
    Documents,
    /// IVR flows: node graphs, published versions, analytics.
    #[oai(rename = "IVR Flows")]
    IvrFlows,
    /// Routing rules: conditions, weighted targets, fallback.
    #[oai(rename = "Routing Rules")]
    RoutingRules,
    /// Call recordings, transcriptions and analysis. No speech-to-text runs
    /// here: a recording has a transcript once one is uploaded
    /// (`PUT /api/recordings/{id}/transcription`, e.g. from the operator's
    /// speech-to-text service); analysis works on that transcript.
    Recordings,
    /// Voicemail inbox.
    Voicemail,
    /// Metrics, aggregations, thresholds, alerts and the dashboard.
    #[oai(rename = "Analytics & Metrics")]
    Analytics,
    /// Report templates, generated reports and schedules.
    Reports,
    /// Endpoints this server adds to the document to record the data it needs.
    Extensions,
}

/// Builds a list answer for `path` (relative to the module base).
pub(crate) fn listed<T>(items: Vec<T>, window: &Window, path: &str, total: u64) -> Listed<T> {
    let mut resp = Response::new(Json(items));
    for (k, v) in window.headers(&format!("/contact-center{path}"), total) {
        resp = resp.header(k, v);
    }
    resp
}

/// The limit/offset window of a list, capped to the server's maximum page size.
pub(crate) fn window(
    platform: &Platform,
    limit: Option<i64>,
    offset: Option<i64>,
) -> ApiResult<Window> {
    Window::new(limit, offset, 50, platform.settings.max_page_size as u64)
}

/// Admins and supervisors configure the contact center.
pub(crate) fn require_manager(p: &Principal) -> ApiResult<()> {
    p.require_any_role(SLUG, &["admin", "supervisor"])
}

/// Agents (and managers) work calls, voicemail and alerts.
pub(crate) fn require_operator(p: &Principal) -> ApiResult<()> {
    p.require_any_role(SLUG, &["admin", "supervisor", "agent"])
}

pub(crate) fn now() -> DateTime<Utc> {
    Utc::now()
}

/// RFC 3339 in UTC with a `Z`, seconds precision.
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn iso_ms(ms: i64) -> String {
    iso(DateTime::from_timestamp_millis(ms).unwrap_or_default())
}

/// Parses `2025-11-01` (midnight UTC, or the next midnight when `end_of_day`)
/// or an RFC 3339 timestamp.
pub(crate) fn parse_instant(field: &str, s: &str, end_of_day: bool) -> ApiResult<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let d = if end_of_day {
            d.succ_opt().unwrap_or(d)
        } else {
            d
        };
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(Utc.from_utc_datetime(&t));
        }
    }
    Err(ApiError::invalid(
        field,
        "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp",
    ))
}

/// Rejects blank strings and overlong text.
pub(crate) fn check_text(
    errors: &mut Vec<frontline_platform::FieldError>,
    field: &str,
    value: &str,
    max: usize,
) {
    if value.trim().is_empty() {
        errors.push(frontline_platform::FieldError::new(
            field,
            "must not be empty",
        ));
    } else if value.chars().count() > max {
        errors.push(frontline_platform::FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
}

pub(crate) fn fail_if(errors: Vec<frontline_platform::FieldError>) -> ApiResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

pub(crate) fn not_found(what: &str, id: i64) -> ApiError {
    ApiError::not_found(format!("{what} {id} not found"))
}

/// The API of this part (one struct or a tuple of them).
pub fn api(platform: &Platform) -> impl OpenApi + 'static {
    (
        ivr::IvrApi::new(platform),
        knowledge::KnowledgeApi::new(platform),
        kb_search::KnowledgeSearchApi::new(platform),
        documents::DocumentsApi::new(platform),
        routing::RoutingApi::new(platform),
        voicemail::VoicemailApi::new(platform),
        metrics::MetricsApi::new(platform),
        recordings::RecordingsApi::new(platform),
        reports::ReportsApi::new(platform),
    )
}

/// Starts this part's background work (report schedules) inside the server.
pub fn start(platform: &Platform) {
    reports::register(platform);
}

/// Loads this part's demo data.
pub fn demo(_platform: &Platform) -> ApiResult<()> {
    Ok(())
}

/// Rebuilds this part's search indexes; returns documents indexed.
pub fn reindex(platform: &Platform) -> ApiResult<u64> {
    kb_search::rebuild(platform)
}

/// Rounds to four decimals (rates and averages in answers).
pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
