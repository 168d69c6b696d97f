//! Request and response types of the planning document, camelCase.

use frontline_platform::http::{ErrorContext, ErrorEnvelope};
use frontline_platform::ApiError;
use poem::http::StatusCode;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::Object;
use serde::{Deserialize, Serialize};
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
        // The document's validation body always reads "Validation failed"; the
        // messages are in `details`, one list per field.
        let message =
            if err.kind == frontline_platform::ErrorKind::Validation && !err.details.is_empty() {
                "Validation failed"
            } else {
                err.message.as_str()
            };
        let mut body = json!({ "success": false, "error": message, "code": err.code() });
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

// ---------------------------------------------------------------- versions

/// Students enrolled in one year.
#[derive(Object, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentsYear {
    /// 2023..2052.
    pub year: i32,
    /// Whole students, never above the plan's capacity.
    pub students: i64,
}

/// One curriculum (FR or IB) of a version.
#[derive(Object, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct CurriculumPlan {
    pub id: String,
    /// `FR` or `IB`.
    pub curriculum_type: String,
    /// Seats available.
    pub capacity: i64,
    /// Yearly tuition per student in the base year.
    pub tuition_base: f64,
    /// Tuition rises by the CPI rate every this many years (1..5).
    pub cpi_frequency: i64,
    pub students_projection: Vec<StudentsYear>,
}

/// Parameters of the rent model; which ones apply depends on `rentModel`.
/// Amounts and areas are 0 to 1000000000000.
/// PARTNER_MODEL: landSize, landPricePerSqm, buaSize, constructionCostPerSqm, yieldBase (0..1).
/// FIXED_ESCALATION: baseRent, escalationRate (0..1), frequency (years between steps, 1..5, default 1).
/// REVENUE_SHARE: revenueSharePercent (0..1 of revenue), minimumRent (default 0).
#[derive(Object, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct RentParameters {
    pub land_size: Option<f64>,
    pub land_price_per_sqm: Option<f64>,
    pub bua_size: Option<f64>,
    pub construction_cost_per_sqm: Option<f64>,
    pub yield_base: Option<f64>,
    pub base_rent: Option<f64>,
    pub escalation_rate: Option<f64>,
    pub frequency: Option<i64>,
    pub revenue_share_percent: Option<f64>,
    pub minimum_rent: Option<f64>,
}

/// The rent plan of a version.
#[derive(Object, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct RentPlan {
    pub id: String,
    /// `PARTNER_MODEL`, `FIXED_ESCALATION` or `REVENUE_SHARE`.
    pub rent_model: String,
    pub parameters: RentParameters,
}

/// A capital expenditure in one year.
#[derive(Object, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct CapexItem {
    pub id: String,
    pub year: i32,
    /// BUILDING, TECHNOLOGY, EQUIPMENT, FURNITURE, MAINTENANCE or OTHER.
    pub category: String,
    pub amount: f64,
    pub description: Option<String>,
}

/// An operating expense account: a percent of revenue or a fixed yearly amount.
#[derive(Object, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct OpexSubAccount {
    pub id: String,
    pub sub_account_name: String,
    /// Percent of revenue (3.0 = 3 %), when not fixed.
    pub percent_of_revenue: Option<f64>,
    pub is_fixed: bool,
    /// Yearly amount, when fixed.
    pub fixed_amount: Option<f64>,
}

/// Staff cost in the base year, escalated by CPI.
#[derive(Object, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Staffing {
    pub base_cost: f64,
    /// CPI step every this many years (1..5).
    pub cpi_frequency: i64,
}

/// Rates used by a version; absent rates follow the global admin settings.
#[derive(Object, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct VersionRates {
    pub cpi_rate: Option<f64>,
    pub discount_rate: Option<f64>,
    pub tax_rate: Option<f64>,
}

/// A curriculum plan in a create or update body. In an update, `id` (or
/// `curriculumType`) picks the plan and only the given fields change.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct CurriculumPlanInput {
    /// At most 64 characters.
    pub id: Option<String>,
    pub curriculum_type: Option<String>,
    /// 1 to 100000.
    pub capacity: Option<i64>,
    /// 0 to 1000000000000.
    pub tuition_base: Option<f64>,
    /// 1 to 5.
    pub cpi_frequency: Option<i64>,
    /// At most 30 years (2023 to 2052, each once). In an update, replaces the whole projection.
    pub students_projection: Option<Vec<StudentsYear>>,
}

/// A rent plan in a create or update body. In an update, the given
/// parameters are merged unless `rentModel` changes.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct RentPlanInput {
    pub id: Option<String>,
    pub rent_model: Option<String>,
    pub parameters: Option<RentParameters>,
}

/// A capex item in a create or update body; in an update an item with `id` is changed, one without is added.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct CapexItemInput {
    /// At most 64 characters.
    pub id: Option<String>,
    /// 2023 to 2052.
    pub year: Option<i32>,
    pub category: Option<String>,
    /// 0 to 1000000000000.
    pub amount: Option<f64>,
    /// At most 500 characters.
    pub description: Option<String>,
}

/// An opex sub-account in a create or update body; in an update one with `id` is changed, one without is added.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct OpexSubAccountInput {
    /// At most 64 characters.
    pub id: Option<String>,
    pub sub_account_name: Option<String>,
    /// 0 to 100.
    pub percent_of_revenue: Option<f64>,
    pub is_fixed: Option<bool>,
    /// 0 to 1000000000000.
    pub fixed_amount: Option<f64>,
}

/// Staffing in a create or update body.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct StaffingInput {
    /// 0 to 1000000000000.
    pub base_cost: Option<f64>,
    pub cpi_frequency: Option<i64>,
}

/// A new version.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct VersionCreate {
    /// 3 to 100 characters, unique among versions.
    pub name: Option<String>,
    pub description: Option<String>,
    /// `RELOCATION_2028` (base year 2028) or `HISTORICAL_BASELINE` (base year 2023).
    pub mode: Option<String>,
    /// The version this one was derived from.
    pub based_on_id: Option<String>,
    /// Exactly two: FR and IB.
    pub curriculum_plans: Option<Vec<CurriculumPlanInput>>,
    pub rent_plan: Option<RentPlanInput>,
    /// At most 100 (in an update, after merging).
    pub capex_items: Option<Vec<CapexItemInput>>,
    /// At most 50 (in an update, after merging).
    pub opex_sub_accounts: Option<Vec<OpexSubAccountInput>>,
    pub staffing: Option<StaffingInput>,
    /// Rates for this version only; absent rates follow the global settings.
    pub admin_settings: Option<VersionRates>,
}

/// A partial update: only the given fields change; nested items are matched by `id`.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct VersionUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub mode: Option<String>,
    /// `DRAFT`, `READY` or `APPROVED` (locking is `POST /versions/{id}/lock`).
    pub status: Option<String>,
    pub curriculum_plans: Option<Vec<CurriculumPlanInput>>,
    pub rent_plan: Option<RentPlanInput>,
    /// At most 100 (in an update, after merging).
    pub capex_items: Option<Vec<CapexItemInput>>,
    /// At most 50 (in an update, after merging).
    pub opex_sub_accounts: Option<Vec<OpexSubAccountInput>>,
    pub staffing: Option<StaffingInput>,
    pub admin_settings: Option<VersionRates>,
}

/// Page figures of the versions list.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Pagination {
    pub page: u64,
    pub limit: u64,
    pub total: u64,
    pub total_pages: u64,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

/// Page figures of the reports and audit-log lists.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct SimplePagination {
    pub page: u64,
    pub limit: u64,
    pub total: u64,
    pub total_pages: u64,
}

/// A version in the list, with the engine's headline figures.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionSummary {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub mode: String,
    pub status: String,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: String,
    pub updated_at: String,
    pub rent_model: String,
    /// NPV of the 30 years of rent at the discount rate.
    pub npv_rent: f64,
    /// Mean EBITDA margin (percent) over the years with revenue.
    #[oai(rename = "avgEBITDAMargin")]
    pub avg_ebitda_margin: f64,
    /// Mean rent / revenue (percent) over the years with revenue.
    pub avg_rent_load: f64,
}

/// A page of versions.
#[derive(Object, Debug, Clone)]
pub struct VersionList {
    pub versions: Vec<VersionSummary>,
    pub pagination: Pagination,
}

/// One projected year. Money in the version's currency, percentages in percent.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ProjectionYear {
    pub year: i32,
    #[oai(rename = "tuitionFR")]
    pub tuition_fr: f64,
    #[oai(rename = "tuitionIB")]
    pub tuition_ib: f64,
    #[oai(rename = "studentsFR")]
    pub students_fr: f64,
    #[oai(rename = "studentsIB")]
    pub students_ib: f64,
    #[oai(rename = "utilizationFR")]
    pub utilization_fr: f64,
    #[oai(rename = "utilizationIB")]
    pub utilization_ib: f64,
    pub revenue: f64,
    pub rent: f64,
    pub rent_load: f64,
    pub staff_cost: f64,
    pub opex: f64,
    pub capex: f64,
    pub ebitda: f64,
    pub ebitda_margin: f64,
    /// Tax on positive EBITDA.
    pub tax: f64,
    /// EBITDA - tax - capex.
    pub cash_flow: f64,
    pub cumulative_cash_flow: f64,
}

/// The 30-year projection (2023-2052) and its summary.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Calculations {
    pub npv_rent: f64,
    pub npv_cash_flow: f64,
    #[oai(rename = "avgEBITDAMargin")]
    pub avg_ebitda_margin: f64,
    pub avg_rent_load: f64,
    /// First year from which the cumulative cash flow stays positive; null when never.
    pub breakeven_year: Option<i32>,
    pub projection_years: Vec<ProjectionYear>,
}

/// Effective rates of a version's projection.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct EffectiveRates {
    pub cpi_rate: f64,
    pub discount_rate: f64,
    pub tax_rate: f64,
}

/// A version with its full model.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionDetail {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub mode: String,
    pub status: String,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: String,
    pub updated_at: String,
    pub based_on_id: Option<String>,
    pub based_on_name: Option<String>,
    pub locked_at: Option<String>,
    pub locked_by: Option<String>,
    pub lock_reason: Option<String>,
    pub curriculum_plans: Vec<CurriculumPlan>,
    pub rent_plan: RentPlan,
    pub capex_items: Vec<CapexItem>,
    pub opex_sub_accounts: Vec<OpexSubAccount>,
    pub staffing: Staffing,
    /// The rates the projection uses (the version's own, else the global settings).
    pub admin_settings: EffectiveRates,
    /// Present with `includeCalculations=true`.
    pub calculations: Option<Calculations>,
}

/// A created version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionCreated {
    pub id: String,
    pub name: String,
    pub status: String,
    pub created_at: String,
    pub message: String,
}

/// An updated version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionUpdated {
    pub id: String,
    pub updated_at: String,
    pub message: String,
}

/// A deleted version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionDeleted {
    pub id: String,
    pub deleted_at: String,
    pub message: String,
}

/// Name of the copy.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct DuplicateRequest {
    /// Defaults to "<name> (copy)".
    pub name: Option<String>,
    pub description: Option<String>,
}

/// A duplicated version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionDuplicated {
    pub id: String,
    pub name: String,
    pub status: String,
    pub based_on_id: String,
    pub created_at: String,
    pub message: String,
}

/// Why the version is locked.
#[derive(Object, Debug, Clone, Default)]
pub struct LockRequest {
    pub reason: Option<String>,
}

/// A locked version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionLocked {
    pub id: String,
    pub status: String,
    pub locked_at: String,
    /// E-mail of the admin who locked it.
    pub locked_by: String,
    pub lock_reason: Option<String>,
    pub message: String,
}

/// Versions and metrics to compare.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct CompareRequest {
    /// 2 to 4 version ids.
    pub version_ids: Option<Vec<String>>,
    /// Any of `npvRent`, `npvCashFlow`, `avgEBITDAMargin`, `avgRentLoad`,
    /// `breakevenYear`; default: npvRent, avgEBITDAMargin, avgRentLoad, breakevenYear.
    pub metrics: Option<Vec<String>>,
}

/// One compared version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CompareItem {
    pub id: String,
    pub name: String,
    pub rent_model: String,
    pub npv_rent: f64,
    pub npv_cash_flow: f64,
    #[oai(rename = "avgEBITDAMargin")]
    pub avg_ebitda_margin: f64,
    pub avg_rent_load: f64,
    pub breakeven_year: Option<i32>,
}

/// Extension: a version's figures minus those of the first compared version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CompareDifference {
    pub id: String,
    pub name: String,
    /// The first version in `versionIds`.
    pub baseline_id: String,
    pub npv_rent: f64,
    pub npv_cash_flow: f64,
    #[oai(rename = "avgEBITDAMargin")]
    pub avg_ebitda_margin: f64,
    pub avg_rent_load: f64,
    /// Years later (positive) or earlier (negative); null when either never breaks even.
    pub breakeven_year: Option<i32>,
}

/// The comparison.
#[derive(Object, Debug, Clone)]
pub struct Comparison {
    pub comparison: Vec<CompareItem>,
    /// Metric name → name of the best version (lowest npvRent and avgRentLoad,
    /// highest npvCashFlow and avgEBITDAMargin, earliest breakevenYear).
    pub best: Value,
    /// Extension: differences to the first version.
    pub differences: Vec<CompareDifference>,
}

// ---------------------------------------------------------------- reports

/// What report to generate.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct GenerateReportRequest {
    /// `EXECUTIVE_SUMMARY`, `FINANCIAL_DETAIL` or `COMPARISON`.
    pub report_type: Option<String>,
    /// `PDF` or `EXCEL`.
    pub format: Option<String>,
    /// Charts of revenue, EBITDA, cash flow and rent load (default true).
    pub include_charts: Option<bool>,
    /// The year-by-year table (always in FINANCIAL_DETAIL).
    pub include_year_by_year: Option<bool>,
    /// For COMPARISON: 1 to 3 other version ids.
    pub compare_with_ids: Option<Vec<String>>,
}

/// A generated report.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ReportGenerated {
    pub report_id: String,
    /// Signed link, relative to the server root, valid until `expiresAt`.
    pub download_url: String,
    pub expires_at: String,
    pub generated_at: String,
    /// Bytes.
    pub file_size: u64,
    pub message: String,
}

/// A stored report.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ReportItem {
    pub id: String,
    pub version_id: String,
    pub version_name: String,
    pub report_type: String,
    pub format: String,
    pub generated_by: String,
    pub generated_at: String,
    /// Fresh signed link; null once the report expired.
    pub download_url: Option<String>,
    pub expires_at: String,
    pub file_size: u64,
}

/// A page of reports.
#[derive(Object, Debug, Clone)]
pub struct ReportList {
    pub reports: Vec<ReportItem>,
    pub pagination: SimplePagination,
}

// ---------------------------------------------------------------- admin

/// A user with a planning role.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct PlanningUser {
    pub id: String,
    pub email: String,
    pub name: String,
    /// ADMIN, PLANNER or VIEWER; null (only with `all=true`) for no role in planning.
    pub role: Option<String>,
    pub created_at: String,
    pub last_login_at: Option<String>,
}

/// The users of planning.
#[derive(Object, Debug, Clone)]
pub struct UserList {
    pub users: Vec<PlanningUser>,
}

/// The new role.
#[derive(Object, Debug, Clone, Default)]
pub struct UserRoleUpdate {
    /// ADMIN, PLANNER or VIEWER.
    pub role: Option<String>,
}

/// A changed role.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct UserRoleUpdated {
    pub id: String,
    pub role: String,
    pub updated_at: String,
    pub message: String,
}

/// One audit entry of planning.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct AuditLog {
    pub id: String,
    pub action: String,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub metadata: Value,
    pub timestamp: String,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

/// A page of audit entries, newest first.
#[derive(Object, Debug, Clone)]
pub struct AuditLogList {
    pub logs: Vec<AuditLog>,
    pub pagination: SimplePagination,
}
