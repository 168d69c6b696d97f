//! Request and response types of the marketplace document, camelCase.

use frontline_platform::http::{ErrorContext, ErrorEnvelope};
use frontline_platform::ApiError;
use poem::http::StatusCode;
use poem_openapi::types::{ParseFromJSON, ToJSON};
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
    pub code: String,
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

/// The marketplace error body.
#[derive(Object)]
pub struct ErrorBody {
    /// Always false.
    pub success: bool,
    pub error: ErrorInfo,
}

pub struct MarketplaceEnvelope;

impl ErrorEnvelope for MarketplaceEnvelope {
    type Body = ErrorBody;
    const VALIDATION_STATUS: StatusCode = StatusCode::BAD_REQUEST;

    fn render(err: &ApiError, _ctx: &ErrorContext) -> Value {
        let mut error = json!({
            "code": err.code(),
            "message": err.message,
            "details": err.details,
        });
        for (k, v) in &err.extra {
            error[k] = v.clone();
        }
        json!({ "success": false, "error": error })
    }
}

/// `{"success":true,"data":…,"message":…}`.
#[derive(Object)]
pub struct Envelope<T: ParseFromJSON + ToJSON> {
    pub success: bool,
    pub data: T,
    pub message: Option<String>,
}

impl<T: ParseFromJSON + ToJSON> Envelope<T> {
    pub fn ok(data: T) -> Self {
        Envelope {
            success: true,
            data,
            message: None,
        }
    }
}

/// A registered webhook.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: String,
}
