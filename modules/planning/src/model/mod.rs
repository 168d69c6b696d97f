//! Request and response types of the planning document (camelCase, named as
//! the document names them), its fixed value sets, and the stored shapes the
//! service and the store share.

mod admin;
mod enums;
mod errors;
mod reports;
mod stored;
mod types;
mod versions;

pub use admin::*;
pub use enums::*;
pub use errors::*;
pub use reports::*;
pub use stored::*;
pub use types::*;
pub use versions::*;

use frontline_platform::http::{ErrorContext, ErrorEnvelope};
use frontline_platform::ApiError;
use poem::http::StatusCode;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::Object;
use serde_json::{json, Map, Value};

/// The planning error body.
#[derive(Object)]
pub struct ErrorBody {
    /// Always false.
    pub success: bool,
    /// Human-readable message.
    pub error: String,
    /// One of the document's error codes (see each status's list).
    pub code: String,
    /// Field paths mapped to their messages, or other facts about the error.
    pub details: Option<Value>,
}

pub struct PlanningEnvelope;

impl ErrorEnvelope for PlanningEnvelope {
    type Body = ErrorBody;
    const VALIDATION_STATUS: StatusCode = StatusCode::BAD_REQUEST;
    /// The document's code list has UNAUTHORIZED for every 401.
    const UNAUTHORIZED_CODE: Option<&'static str> = Some("UNAUTHORIZED");
    const ERROR_CODES: &'static [frontline_platform::ErrorCode] = PlanningError::TABLE;

    fn render(err: &ApiError, _ctx: &ErrorContext) -> Value {
        let mut details = Map::new();
        for d in &err.details {
            let entry = details.entry(d.field.clone()).or_insert_with(|| json!([]));
            if let Some(list) = entry.as_array_mut() {
                list.push(json!(d.message));
            }
        }
        for (k, v) in &err.extra {
            details.insert(k.clone(), v.clone());
        }
        // The document's validation body always reads "Validation failed"; the
        // messages are in `details`, one list per field.
        let message =
            if err.kind == frontline_platform::ErrorKind::Validation && !err.details.is_empty() {
                "Validation failed"
            } else {
                err.message.as_str()
            };
        let mut body =
            json!({ "success": false, "error": message, "code": PlanningError::code_of(err) });
        if !details.is_empty() {
            body["details"] = Value::Object(details);
        }
        body
    }
}

/// `{"success":true,"data":…}`.
#[derive(Object)]
pub struct Envelope<T: ParseFromJSON + ToJSON> {
    /// Always true.
    pub success: bool,
    /// The answer.
    pub data: T,
}

impl<T: ParseFromJSON + ToJSON> Envelope<T> {
    pub fn ok(data: T) -> Self {
        Envelope {
            success: true,
            data,
        }
    }
}

/// Database state.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct DatabaseHealth {
    /// `connected` or `disconnected`.
    pub status: String,
    /// Round-trip of `SELECT 1`, in milliseconds.
    pub response_time: Option<f64>,
    /// Why the database is unreachable.
    pub error: Option<String>,
}

/// Service health.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct Health {
    /// `healthy`.
    pub status: String,
    /// When the check ran (RFC 3339).
    pub timestamp: String,
    /// Seconds since the server started.
    pub uptime: u64,
    /// The database's state.
    pub database: DatabaseHealth,
    /// The server's version.
    pub version: String,
    /// Always `self-hosted`.
    pub environment: String,
}

/// The state of an unhealthy service.
#[derive(Object)]
pub struct UnhealthyState {
    /// `unhealthy`.
    pub status: String,
    /// The database's state.
    pub database: DatabaseHealth,
}

/// The 503 answer of the health check.
#[derive(Object)]
pub struct Unhealthy {
    /// Always false.
    pub success: bool,
    /// `Service unhealthy`.
    pub error: String,
    /// What is down.
    pub data: UnhealthyState,
}

/// Credentials.
#[derive(Object)]
pub struct SignInRequest {
    /// The account's e-mail address.
    pub email: String,
    /// The account's password.
    pub password: String,
}

/// The signed-in user.
#[derive(Object)]
pub struct SessionUser {
    /// User id.
    pub id: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// The user's planning role.
    pub role: PlanningRole,
}

/// The current session.
#[derive(Object)]
pub struct Session {
    /// Who is signed in.
    pub user: SessionUser,
    /// When the session ends (RFC 3339).
    pub expires: String,
}
