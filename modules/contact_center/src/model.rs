//! Request and response types of the contact-center document, snake_case.

use frontline_platform::http::{ErrorContext, ErrorEnvelope};
use frontline_platform::{ApiError, ErrorKind};
use poem::http::StatusCode;
use poem_openapi::Object;
use serde_json::{json, Value};

/// The FastAPI-style error body.
#[derive(Object)]
pub struct ErrorBody {
    /// Human-readable message.
    pub detail: String,
    /// e.g. `VALIDATION_ERROR`, `AUTHENTICATION_ERROR`, `NOT_FOUND`.
    pub error_code: String,
    /// The offending field, when one is to blame.
    pub field: Option<String>,
    pub timestamp: String,
}

pub struct CcEnvelope;

impl ErrorEnvelope for CcEnvelope {
    type Body = ErrorBody;
    const VALIDATION_STATUS: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
    /// The document's code list has AUTHENTICATION_ERROR for every 401.
    const UNAUTHORIZED_CODE: Option<&'static str> = Some("AUTHENTICATION_ERROR");

    fn render(err: &ApiError, ctx: &ErrorContext) -> Value {
        let code = match (err.code.as_deref(), err.kind) {
            (Some(code), _) => code,
            (None, ErrorKind::Unauthorized) => "AUTHENTICATION_ERROR",
            (None, ErrorKind::Forbidden) => "AUTHORIZATION_ERROR",
            (None, kind) => kind.default_code(),
        };
        let mut body = json!({
            "detail": err.message,
            "error_code": code,
            "field": err.details.first().map(|d| d.field.clone()),
            "timestamp": ctx.timestamp,
        });
        if err.details.len() > 1 {
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
    pub email: String,
    /// At least 8 characters with a letter and a digit.
    pub password: String,
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
mod org;
mod values;
pub use campaigns::*;
pub use org::*;
pub use values::*;
