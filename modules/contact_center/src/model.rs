//! Request and response types of the contact-center document, snake_case.

use frontline_platform::http::{ErrorContext, ErrorEnvelope};
use frontline_platform::{ApiError, ErrorCode};
use poem::http::StatusCode;
use poem_openapi::Object;
use serde_json::{json, Value};

/// The FastAPI-style error body.
#[derive(Object)]
pub struct ErrorBody {
    /// Human-readable message.
    pub detail: String,
    /// e.g. `VALIDATION_ERROR`, `AUTHENTICATION_ERROR`, `NOT_FOUND` (the
    /// codes each status may carry are listed with its response).
    pub error_code: String,
    /// The offending field, when one is to blame (the first of `errors`).
    pub field: Option<String>,
    /// When the answer is about input: every field (body member, or query or
    /// path parameter) that was refused, each with its own message.
    pub errors: Option<Vec<FieldProblem>>,
    /// When the error was answered (RFC 3339).
    pub timestamp: String,
}

/// One refused input field.
#[derive(Object)]
pub struct FieldProblem {
    /// The field: a body member's dotted path (`filters.priority_max`,
    /// `contacts[2].phone_number`) or a parameter's name.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

pub struct CcEnvelope;

impl ErrorEnvelope for CcEnvelope {
    type Body = ErrorBody;
    const VALIDATION_STATUS: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
    /// The document's code list has AUTHENTICATION_ERROR for every 401.
    const UNAUTHORIZED_CODE: Option<&'static str> = Some("AUTHENTICATION_ERROR");
    const ERROR_CODES: &'static [ErrorCode] = CcError::TABLE;

    fn render(err: &ApiError, ctx: &ErrorContext) -> Value {
        let mut body = json!({
            "detail": err.message,
            "error_code": CcError::code_of(err),
            "field": err.details.first().map(|d| d.field.clone()),
            "timestamp": ctx.timestamp,
        });
        if !err.details.is_empty() {
            body["errors"] = json!(err.details);
        }
        for (k, v) in &err.extra {
            body[k] = v.clone();
        }
        body
    }
}

/// Registration.
#[derive(Object)]
pub struct RegisterRequest {
    /// The sign-in e-mail address (unique).
    #[oai(validator(
        max_length = 254,
        pattern = r"^[\x21-\x3f\x41-\x7e]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$"
    ))]
    pub email: String,
    /// 8 to 128 characters with a letter and a digit.
    #[oai(validator(
        min_length = 8,
        max_length = 128,
        pattern = r"^([\s\S]*[^\W\d_][\s\S]*[0-9][\s\S]*|[\s\S]*[0-9][\s\S]*[^\W\d_][\s\S]*)$"
    ))]
    pub password: String,
    /// 1 to 200 characters.
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub full_name: String,
    pub organization: Option<String>,
}

/// Credentials.
#[derive(Object)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A user account.
#[derive(Object)]
pub struct UserOut {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub organization: Option<String>,
    pub is_active: bool,
    pub created_at: String,
}

/// The user in a login answer.
#[derive(Object)]
pub struct UserBrief {
    pub id: i64,
    pub email: String,
    pub full_name: String,
}

/// A token for every API call.
#[derive(Object)]
pub struct LoginResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub user: UserBrief,
}

mod campaigns;
pub mod documents;
mod errors;
pub mod ivr;
pub mod kb_search;
pub mod knowledge;
pub mod metrics;
mod org;
pub mod recordings;
pub mod reports;
mod routing;
pub mod routing_rules;
mod values;
mod voicemail;
pub use campaigns::*;
pub use errors::CcError;
pub use org::*;
pub use routing::*;
pub use values::*;
pub use voicemail::*;
