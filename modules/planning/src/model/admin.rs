//! Admin: settings, users and audit logs.

use frontline_platform::pattern::common::CurrencyCode;
use poem_openapi::Object;
use serde_json::Value;

use super::*;

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
    /// How dates are written in reports.
    pub date_format: DateFormat,
    /// How numbers are grouped in reports.
    pub number_format: NumberFormat,
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
    /// 0 to 1.
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub cpi_rate: Option<f64>,
    /// 0 to 1.
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub discount_rate: Option<f64>,
    /// 0 to 1.
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub tax_rate: Option<f64>,
    /// A 3-letter ISO 4217 code in capitals, e.g. `SAR`.
    pub currency: Option<CurrencyCode>,
    /// An IANA time zone, e.g. `Asia/Riyadh`.
    pub timezone: Option<TimeZoneName>,
    /// How dates are written in reports.
    pub date_format: Option<DateFormat>,
    /// How numbers are grouped in reports.
    pub number_format: Option<NumberFormat>,
}

impl From<AdminSettingsUpdate> for crate::settings::SettingsPatch {
    fn from(u: AdminSettingsUpdate) -> Self {
        crate::settings::SettingsPatch {
            cpi_rate: u.cpi_rate,
            discount_rate: u.discount_rate,
            tax_rate: u.tax_rate,
            currency: u.currency.map(String::from),
            timezone: u.timezone.map(|t| t.0),
            date_format: u.date_format,
            number_format: u.number_format,
        }
    }
}

/// The settings after an update.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct AdminSettingsUpdated {
    /// Yearly CPI (0..1).
    pub cpi_rate: f64,
    /// Discount rate of the NPVs (0..1).
    pub discount_rate: f64,
    /// Tax on positive EBITDA (0..1).
    pub tax_rate: f64,
    /// ISO 4217 code.
    pub currency: String,
    /// IANA time zone.
    pub timezone: String,
    /// How dates are written in reports.
    pub date_format: DateFormat,
    /// How numbers are grouped in reports.
    pub number_format: NumberFormat,
    /// When the change was stored (RFC 3339).
    pub updated_at: String,
    /// `Settings updated successfully`.
    pub message: String,
}

/// A user with a planning role.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct PlanningUser {
    /// User id.
    pub id: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// The planning role; null (only with `all=true`) for no role in planning.
    pub role: Option<PlanningRole>,
    /// When the account was created (RFC 3339).
    pub created_at: String,
    /// Last sign-in (RFC 3339).
    pub last_login_at: Option<String>,
}

/// The users of planning.
#[derive(Object, Debug, Clone)]
pub struct UserList {
    /// The users.
    pub users: Vec<PlanningUser>,
}

/// The new role.
#[derive(Object, Debug, Clone)]
pub struct UserRoleUpdate {
    /// The user's new planning role.
    pub role: PlanningRole,
}

/// A changed role.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct UserRoleUpdated {
    /// User id.
    pub id: String,
    /// The new role.
    pub role: PlanningRole,
    /// When the change was stored (RFC 3339).
    pub updated_at: String,
    /// `User role updated successfully`.
    pub message: String,
}

/// One audit entry of planning.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct AuditLog {
    /// Entry id.
    pub id: String,
    /// What was done, e.g. `CREATE_VERSION`.
    pub action: String,
    /// Who did it.
    pub user_id: Option<String>,
    /// Their name.
    pub user_name: Option<String>,
    /// What kind of thing it was done to, e.g. `VERSION`.
    pub entity_type: String,
    /// Which one.
    pub entity_id: Option<String>,
    /// Facts about the action (free-form).
    pub metadata: Value,
    /// When (RFC 3339).
    pub timestamp: String,
    /// The client's IP address.
    pub ip_address: Option<String>,
    /// The client's user agent.
    pub user_agent: Option<String>,
}

/// A page of audit entries, newest first.
#[derive(Object, Debug, Clone)]
pub struct AuditLogList {
    /// The entries of the page.
    pub logs: Vec<AuditLog>,
    /// Page figures.
    pub pagination: SimplePagination,
}
