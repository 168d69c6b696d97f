//! Request and response types of the training document, camelCase.

mod answers;
mod errors;
mod params;
mod scenario;
pub mod shared;

pub use answers::*;
pub use errors::*;
pub use params::*;
pub use scenario::*;

use frontline_platform::http::{ErrorContext, ErrorEnvelope};
use frontline_platform::{ApiError, FieldError};
use poem::http::StatusCode;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object, Tags};
use serde_json::{json, Value};

/// One problem with one field.
#[derive(Object, Debug, Clone)]
pub struct ErrorDetail {
    pub field: String,
    pub message: String,
}

/// What went wrong.
#[derive(Object)]
pub struct ErrorInfo {
    /// e.g. `VALIDATION_ERROR`, `SCENARIO_NOT_FOUND`, `RATE_LIMIT_EXCEEDED`.
    pub code: String,
    pub message: String,
    pub details: Vec<ErrorDetail>,
    /// Seconds to wait (429 only).
    #[oai(rename = "retryAfter")]
    pub retry_after: Option<u64>,
    /// The limit that was hit (429 only).
    pub limit: Option<u64>,
    /// The limit's window in seconds (429 only).
    #[oai(rename = "windowSeconds")]
    pub window_seconds: Option<u64>,
}

/// The training error body: `{"error":{code,message,details}}`.
#[derive(Object)]
pub struct ErrorBody {
    pub error: ErrorInfo,
}

pub struct TrainingEnvelope;

impl ErrorEnvelope for TrainingEnvelope {
    type Body = ErrorBody;
    const VALIDATION_STATUS: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
    const ERROR_CODES: &'static [frontline_platform::error::ErrorCode] = TrainingError::TABLE;

    fn render(err: &ApiError, _ctx: &ErrorContext) -> Value {
        let details = labelled(&err.details);
        // A single detail is also the message: keep the two the same.
        let message = match (err.details.as_slice(), details.as_slice()) {
            ([raw], [one]) if raw.message == err.message => one.message.clone(),
            _ => err.message.clone(),
        };
        let mut error = json!({
            "code": err.code(),
            "message": message,
            "details": details,
        });
        for (k, v) in &err.extra {
            error[k] = v.clone();
        }
        json!({ "error": error })
    }
}

/// How the document names a field in its messages
/// (`Name must be at least 3 characters`).
fn label(field: &str) -> String {
    const LABELS: &[(&str, &str)] = &[
        ("name", "Name"),
        ("description", "Description"),
        ("category", "Category"),
        ("difficulty", "Difficulty"),
        ("status", "Status"),
        ("estimatedDuration", "Estimated duration"),
        ("tags", "Tags"),
        ("aiConfig.temperature", "Temperature"),
        ("aiConfig.interruptionRate", "Interruption rate"),
        ("aiConfig.escalationThreshold", "Escalation threshold"),
        ("customerProfile.age", "Age"),
        ("customerProfile.initialMood", "Initial mood"),
        ("content", "Content"),
    ];
    LABELS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| field.to_string())
}

/// Field errors in the document's wording: the schema check says
/// `must be ...` about a field; the document says `Name must be ...`.
pub fn labelled(details: &[FieldError]) -> Vec<FieldError> {
    details
        .iter()
        .map(|d| {
            let last = d.field.rsplit('.').next().unwrap_or(&d.field);
            let message = if d.message.starts_with("must ") {
                let m = d.message.replacen("must be one of ", "must be one of: ", 1);
                format!("{} {m}", label(&d.field))
            } else if d.message == format!("{last} is required") {
                format!("{} is required", label(&d.field))
            } else {
                d.message.clone()
            };
            FieldError::new(d.field.clone(), message)
        })
        .collect()
}

/// Nothing to answer.
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

/// Groups of operations in the API documentation.
#[derive(Tags)]
pub enum ApiTags {
    /// Scenario authoring and lifecycle.
    Scenarios,
    /// Version history, comparison and restore.
    Versions,
    /// Scenario templates.
    Templates,
    /// Comments and collaboration.
    Comments,
    /// Analytics computed from recorded attempts.
    Analytics,
    /// A/B tests between scenario variants, with live results.
    AbTests,
    /// Operations the document needs data from but does not list.
    Extensions,
}

/// The JSON of a typed body, with only the fields it gives (for merging).
pub fn fields_of<T: ToJSON>(body: &T) -> Value {
    body.to_json().unwrap_or_else(|| json!({}))
}
