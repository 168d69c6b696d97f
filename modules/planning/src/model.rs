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

/// Global admin settings; the rates feed every projection.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminSettings {
    /// Yearly consumer price inflation used to escalate tuition and staff cost (0..1).
    pub cpi_rate: f64,
    /// Discount rate of the NPVs (0..1).
    pub discount_rate: f64,
    /// Tax on positive EBITDA (0..1).
    pub tax_rate: f64,
    /// ISO 4217 code, e.g. `SAR`.
    pub currency: String,
    /// IANA time zone, e.g. `Asia/Riyadh`.
    pub timezone: String,
    /// One of `DD/MM/YYYY`, `MM/DD/YYYY`, `YYYY-MM-DD`, `DD.MM.YYYY`.
    pub date_format: String,
    /// One of `1,000,000`, `1.000.000`, `1 000 000`, `1000000`.
    pub number_format: String,
}

impl From<crate::settings::Settings> for AdminSettings {
    fn from(s: crate::settings::Settings) -> Self {
        AdminSettings {
            cpi_rate: s.cpi_rate,
            discount_rate: s.discount_rate,
            tax_rate: s.tax_rate,
            currency: s.currency,
            timezone: s.timezone,
            date_format: s.date_format,
            number_format: s.number_format,
        }
    }
}

/// Fields to change; absent fields keep their value.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminSettingsUpdate {
    pub cpi_rate: Option<f64>,
    pub discount_rate: Option<f64>,
    pub tax_rate: Option<f64>,
    pub currency: Option<String>,
    pub timezone: Option<String>,
    pub date_format: Option<String>,
    pub number_format: Option<String>,
}

impl From<AdminSettingsUpdate> for crate::settings::SettingsPatch {
    fn from(u: AdminSettingsUpdate) -> Self {
        crate::settings::SettingsPatch {
            cpi_rate: u.cpi_rate,
            discount_rate: u.discount_rate,
            tax_rate: u.tax_rate,
            currency: u.currency,
            timezone: u.timezone,
            date_format: u.date_format,
            number_format: u.number_format,
        }
    }
}

/// The settings after an update.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminSettingsUpdated {
    pub cpi_rate: f64,
    pub discount_rate: f64,
    pub tax_rate: f64,
    pub currency: String,
    pub timezone: String,
    pub date_format: String,
    pub number_format: String,
    /// When the change was stored (RFC 3339).
    pub updated_at: String,
    pub message: String,
}
