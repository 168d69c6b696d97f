//! Request and response types of the chatbot document, snake_case.

use frontline_platform::http::{ErrorContext, ErrorEnvelope};
use frontline_platform::ApiError;
use poem::http::StatusCode;
use poem_openapi::Object;
use serde_json::{json, Value};

/// What went wrong.
#[derive(Object)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
    /// The first bad field (`field`, `reason`) and all of them in `errors`.
    pub details: Value,
    pub trace_id: String,
    pub timestamp: String,
}

/// Request facts.
#[derive(Object)]
pub struct ErrorMeta {
    pub request_id: String,
    pub api_version: String,
}

/// The chatbot error body.
#[derive(Object)]
pub struct ErrorBody {
    /// Always `error`.
    pub status: String,
    pub error: ErrorInfo,
    pub meta: ErrorMeta,
}

pub struct ChatbotEnvelope;

impl ErrorEnvelope for ChatbotEnvelope {
    type Body = ErrorBody;
    const VALIDATION_STATUS: StatusCode = StatusCode::BAD_REQUEST;
    const ERROR_CODES: &'static [frontline_platform::error::ErrorCode] =
        crate::errors::ChatbotError::TABLE;

    fn render(err: &ApiError, ctx: &ErrorContext) -> Value {
        let mut details = json!({});
        if let Some(first) = err.details.first() {
            details =
                json!({ "field": first.field, "reason": first.message, "errors": err.details });
        }
        for (k, v) in &err.extra {
            details[k] = v.clone();
        }
        json!({
            "status": "error",
            "error": {
                "code": err.code(),
                "message": err.message,
                "details": details,
                "trace_id": format!("trace_{}", ctx.request_id.trim_start_matches("req_")),
                "timestamp": ctx.timestamp,
            },
            "meta": { "request_id": ctx.request_id, "api_version": "v2" }
        })
    }
}

/// `{"status":"success","data":…}`.
#[derive(Object)]
pub struct Envelope<T: poem_openapi::types::ParseFromJSON + poem_openapi::types::ToJSON> {
    pub status: String,
    pub data: T,
}

impl<T: poem_openapi::types::ParseFromJSON + poem_openapi::types::ToJSON> Envelope<T> {
    pub fn success(data: T) -> Self {
        Envelope {
            status: "success".into(),
            data,
        }
    }
}

mod invitations;
mod tenants;
pub use invitations::*;

pub use tenants::*;
mod health;
mod knowledge;

pub use health::*;
pub use knowledge::*;
mod chat;
mod conversations;
mod inbox;
mod sessions;
mod webhooks;
pub use chat::*;
pub use conversations::*;
pub use inbox::*;
pub use sessions::*;
pub use webhooks::*;

/// A session found by its token (`store::session_by_token`).
#[derive(Clone, Debug)]
pub struct SessionTokenRow {
    pub session_id: String,
    pub tenant_id: String,
    pub user_id: String,
    pub channel: String,
    pub status: String,
    pub expires_at: String,
    pub persist_context: bool,
    pub tenant: std::sync::Arc<TenantState>,
}

/// A tenant's stored state as one request sees it: read once, with the
/// caller's credentials (`store::callers`), and used by every rule of the
/// request (rate limits, channels, the bot's configuration, the plan's
/// limits) instead of reading the tenant row again.
#[derive(Debug)]
pub struct TenantState {
    /// `active` or `suspended`.
    pub status: String,
    pub plan: String,
    /// The stored features (JSON text).
    pub features: String,
    /// The stored configuration (JSON text).
    pub config: String,
    /// Whether the tenant has knowledge articles (the bot searches them only then).
    pub has_articles: bool,
    parsed: std::sync::OnceLock<(serde_json::Value, serde_json::Value)>,
}

impl TenantState {
    pub fn new(
        status: String,
        plan: String,
        features: String,
        config: String,
        has_articles: bool,
    ) -> TenantState {
        TenantState {
            status,
            plan,
            features,
            config,
            has_articles,
            parsed: std::sync::OnceLock::new(),
        }
    }

    fn parsed(&self) -> &(serde_json::Value, serde_json::Value) {
        self.parsed
            .get_or_init(|| (parse_json(&self.features), parse_json(&self.config)))
    }

    /// The features, parsed (once).
    pub fn features(&self) -> &serde_json::Value {
        &self.parsed().0
    }

    /// The configuration, parsed (once).
    pub fn config(&self) -> &serde_json::Value {
        &self.parsed().1
    }
}
mod values;
pub use values::*;
mod text;
pub use text::*;
mod shared;
pub use shared::*;
