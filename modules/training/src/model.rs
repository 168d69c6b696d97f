//! Request and response types of the training document, camelCase.

use frontline_platform::http::{ErrorContext, ErrorEnvelope};
use frontline_platform::ApiError;
use poem::http::StatusCode;
use poem_openapi::Object;
use serde_json::{json, Value};

/// One problem with one field.
#[derive(Object)]
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

    fn render(err: &ApiError, _ctx: &ErrorContext) -> Value {
        let mut error = json!({
            "code": err.code(),
            "message": err.message,
            "details": err.details,
        });
        for (k, v) in &err.extra {
            error[k] = v.clone();
        }
        json!({ "error": error })
    }
}

/// A template's summary in lists.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct TemplateSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub is_system: bool,
}

/// Pagination figures.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct Pagination {
    pub page: u64,
    pub limit: u64,
    pub total: u64,
    pub total_pages: u64,
    pub has_next: bool,
    pub has_prev: bool,
}

/// A page of templates.
#[derive(Object)]
pub struct TemplateList {
    pub data: Vec<TemplateSummary>,
    pub pagination: Pagination,
}
