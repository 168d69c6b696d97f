//! Request and response types of the training document, camelCase.

use frontline_platform::http::{ErrorContext, ErrorEnvelope};
use frontline_platform::ApiError;
use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, Tags};
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

/// A JSON document answered with 200.
#[derive(ApiResponse)]
pub enum Doc {
    /// OK.
    #[oai(status = 200)]
    Ok(Json<Value>),
}

/// A JSON document answered with 201.
#[derive(ApiResponse)]
pub enum Created {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Value>),
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
