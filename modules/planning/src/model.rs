//! Request and response types of the planning document, camelCase.

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
    /// e.g. `VALIDATION_ERROR`, `UNAUTHORIZED`, `CONFLICT`.
    pub code: String,
    /// Field paths mapped to their messages, or other facts about the error.
    pub details: Option<Value>,
}

pub struct PlanningEnvelope;

impl ErrorEnvelope for PlanningEnvelope {
    type Body = ErrorBody;
    const VALIDATION_STATUS: StatusCode = StatusCode::BAD_REQUEST;

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
        let mut body = json!({ "success": false, "error": err.message, "code": err.code() });
        if !details.is_empty() {
            body["details"] = Value::Object(details);
        }
        body
    }
}

/// `{"success":true,"data":…}`.
#[derive(Object)]
pub struct Envelope<T: ParseFromJSON + ToJSON> {
    pub success: bool,
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
    pub status: String,
    /// Round-trip of `SELECT 1`, in milliseconds.
    pub response_time: Option<f64>,
    pub error: Option<String>,
}

/// Service health.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct Health {
    pub status: String,
    pub timestamp: String,
    pub uptime: u64,
    pub database: DatabaseHealth,
    pub version: String,
    pub environment: String,
}

/// Credentials.
#[derive(Object)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// The signed-in user.
#[derive(Object)]
pub struct SessionUser {
    pub id: String,
    pub email: String,
    pub name: String,
    /// ADMIN, PLANNER or VIEWER.
    pub role: String,
}

/// The current session.
#[derive(Object)]
pub struct Session {
    pub user: SessionUser,
    /// When the session ends (RFC 3339).
    pub expires: String,
}
