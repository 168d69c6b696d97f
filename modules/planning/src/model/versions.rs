//! Versions: their nested model, the create/update/duplicate/lock/compare
//! bodies and the answers.
//!
//! Bounds in the schema are the ones the server enforces: years 2023 to 2052,
//! money and areas 0 to 1e12, rates 0 to 1, CPI steps every 1 to 5 years.

use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use super::*;

// ---------------------------------------------------------------- the stored model

/// Students enrolled in one year.
#[derive(Object, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentsYear {
    /// 2023..2052.
    #[oai(validator(minimum(value = "2023"), maximum(value = "2052")))]
    pub year: i32,
    /// Whole students, never above the plan's capacity.
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub students: i64,
}

/// One curriculum (FR or IB) of a version.
#[derive(Object, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct CurriculumPlan {
    /// Item id.
    pub id: String,
    /// The curriculum.
    pub curriculum_type: CurriculumType,
    /// Seats available.
    pub capacity: i64,
    /// Yearly tuition per student in the base year.
    pub tuition_base: f64,
    /// Tuition rises by the CPI rate every this many years (1..5).
    pub cpi_frequency: i64,
    /// Students per year, in year order.
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
    /// PARTNER_MODEL: land area in square metres.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub land_size: Option<f64>,
    /// PARTNER_MODEL: land price per square metre.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub land_price_per_sqm: Option<f64>,
    /// PARTNER_MODEL: built-up area in square metres.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub bua_size: Option<f64>,
    /// PARTNER_MODEL: construction cost per square metre.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub construction_cost_per_sqm: Option<f64>,
    /// PARTNER_MODEL: yearly yield on land and construction (0..1).
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub yield_base: Option<f64>,
    /// FIXED_ESCALATION: rent in the base year.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub base_rent: Option<f64>,
    /// FIXED_ESCALATION: rise per step (0..1).
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub escalation_rate: Option<f64>,
    /// FIXED_ESCALATION: years between steps (1..5, default 1).
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub frequency: Option<i64>,
    /// REVENUE_SHARE: share of revenue (0..1).
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub revenue_share_percent: Option<f64>,
    /// REVENUE_SHARE: the least rent in any year (default 0).
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub minimum_rent: Option<f64>,
}

/// The rent plan of a version.
#[derive(Object, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct RentPlan {
    /// Item id.
    pub id: String,
    /// How rent is computed.
    pub rent_model: RentModelKind,
    /// The model's parameters.
    pub parameters: RentParameters,
}

impl Default for RentPlan {
    fn default() -> Self {
        RentPlan {
            id: String::new(),
            rent_model: RentModelKind::PartnerModel,
            parameters: RentParameters::default(),
        }
    }
}

/// A capital expenditure in one year.
#[derive(Object, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct CapexItem {
    /// Item id.
    pub id: String,
    /// The year it is spent (2023..2052).
    pub year: i32,
    /// What it is for.
    pub category: CapexCategory,
    /// The amount spent.
    pub amount: f64,
    /// What it is.
    pub description: Option<String>,
}

/// An operating expense account: a percent of revenue or a fixed yearly amount.
#[derive(Object, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct OpexSubAccount {
    /// Item id.
    pub id: String,
    /// The account's name.
    pub sub_account_name: String,
    /// Percent of revenue (3.0 = 3 %), when not fixed.
    pub percent_of_revenue: Option<f64>,
    /// True for a fixed yearly amount.
    pub is_fixed: bool,
    /// Yearly amount, when fixed.
    pub fixed_amount: Option<f64>,
}

/// Staff cost in the base year, escalated by CPI.
#[derive(Object, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Staffing {
    /// Staff cost in the base year.
    pub base_cost: f64,
    /// CPI step every this many years (1..5).
    pub cpi_frequency: i64,
}

/// Rates used by a version; absent rates follow the global admin settings.
#[derive(Object, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct VersionRates {
    /// Yearly CPI (0..1).
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub cpi_rate: Option<f64>,
    /// Discount rate of the NPVs (0..1).
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub discount_rate: Option<f64>,
    /// Tax on positive EBITDA (0..1).
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub tax_rate: Option<f64>,
}

// ---------------------------------------------------------------- create bodies

/// A curriculum plan of a new version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct NewCurriculumPlan {
    /// Your own item id (a new one is made when absent).
    #[oai(validator(max_length = 64))]
    pub id: Option<String>,
    /// The curriculum; a version has one FR and one IB plan.
    pub curriculum_type: CurriculumType,
    /// Seats available, 1 to 100000.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub capacity: i64,
    /// Yearly tuition per student in the base year, 0 to 1000000000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub tuition_base: f64,
    /// Tuition rises by the CPI rate every this many years, 1 to 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub cpi_frequency: i64,
    /// At most 30 years (2023 to 2052, each once); students never above `capacity`.
    #[oai(validator(max_items = 30))]
    pub students_projection: Option<Vec<StudentsYear>>,
}

/// The rent plan of a new version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct NewRentPlan {
    /// Your own item id (a new one is made when absent).
    #[oai(validator(max_length = 64))]
    pub id: Option<String>,
    /// How rent is computed.
    pub rent_model: RentModelKind,
    /// The parameters `rentModel` needs.
    pub parameters: Option<RentParameters>,
}

/// A capex item of a new version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct NewCapexItem {
    /// Your own item id (a new one is made when absent).
    #[oai(validator(max_length = 64))]
    pub id: Option<String>,
    /// 2023 to 2052.
    #[oai(validator(minimum(value = "2023"), maximum(value = "2052")))]
    pub year: i32,
    /// What it is for.
    pub category: CapexCategory,
    /// 0 to 1000000000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub amount: f64,
    /// At most 500 characters.
    #[oai(validator(max_length = 500))]
    pub description: Option<String>,
}

/// An opex sub-account of a new version: `percentOfRevenue` unless `isFixed`, then `fixedAmount`.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct NewOpexSubAccount {
    /// Your own item id (a new one is made when absent).
    #[oai(validator(max_length = 64))]
    pub id: Option<String>,
    /// 1 to 100 characters (surrounding spaces are dropped).
    #[oai(validator(min_length = 1, max_length = 100))]
    pub sub_account_name: String,
    /// 0 to 100; required unless `isFixed`.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub percent_of_revenue: Option<f64>,
    /// True for a fixed yearly amount (default false).
    pub is_fixed: Option<bool>,
    /// 0 to 1000000000000; required when `isFixed`.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub fixed_amount: Option<f64>,
}

/// Staffing of a new version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct NewStaffing {
    /// Staff cost in the base year, 0 to 1000000000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub base_cost: f64,
    /// CPI step every this many years, 1 to 5 (default 1).
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub cpi_frequency: Option<i64>,
}

/// A new version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionCreate {
    /// 3 to 100 characters (surrounding spaces are dropped), unique among versions.
    #[oai(validator(min_length = 3, max_length = 100))]
    pub name: String,
    /// At most 2000 characters.
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// `RELOCATION_2028` (base year 2028) or `HISTORICAL_BASELINE` (base year 2023).
    pub mode: VersionMode,
    /// The version this one was derived from.
    #[oai(validator(max_length = 64))]
    pub based_on_id: Option<String>,
    /// Exactly two: FR and IB.
    #[oai(validator(min_items = 2, max_items = 2))]
    pub curriculum_plans: Vec<NewCurriculumPlan>,
    /// The rent plan.
    pub rent_plan: NewRentPlan,
    /// At most 100.
    #[oai(validator(max_items = 100))]
    pub capex_items: Option<Vec<NewCapexItem>>,
    /// At most 50.
    #[oai(validator(max_items = 50))]
    pub opex_sub_accounts: Option<Vec<NewOpexSubAccount>>,
    /// Staff cost (none when absent).
    pub staffing: Option<NewStaffing>,
    /// Rates for this version only; absent rates follow the global settings.
    pub admin_settings: Option<VersionRates>,
}

// ---------------------------------------------------------------- update bodies

/// A curriculum plan in an update: `id` (or `curriculumType`) picks the plan
/// and only the given fields change; a plan matching none is added.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct CurriculumPlanInput {
    /// The plan to change; at most 64 characters.
    #[oai(validator(max_length = 64))]
    pub id: Option<String>,
    /// The curriculum.
    pub curriculum_type: Option<CurriculumType>,
    /// 1 to 100000.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub capacity: Option<i64>,
    /// 0 to 1000000000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub tuition_base: Option<f64>,
    /// 1 to 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub cpi_frequency: Option<i64>,
    /// At most 30 years (2023 to 2052, each once); replaces the whole projection.
    #[oai(validator(max_items = 30))]
    pub students_projection: Option<Vec<StudentsYear>>,
}

/// A rent plan in an update: the given parameters are merged unless `rentModel` changes.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct RentPlanInput {
    /// The rent plan's id (informative).
    #[oai(validator(max_length = 64))]
    pub id: Option<String>,
    /// A new rent model (its parameters replace the old ones).
    pub rent_model: Option<RentModelKind>,
    /// Parameters to change.
    pub parameters: Option<RentParameters>,
}

/// A capex item in an update: one with `id` is changed, one without is added.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct CapexItemInput {
    /// The item to change; at most 64 characters.
    #[oai(validator(max_length = 64))]
    pub id: Option<String>,
    /// 2023 to 2052.
    #[oai(validator(minimum(value = "2023"), maximum(value = "2052")))]
    pub year: Option<i32>,
    /// What it is for.
    pub category: Option<CapexCategory>,
    /// 0 to 1000000000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub amount: Option<f64>,
    /// At most 500 characters.
    #[oai(validator(max_length = 500))]
    pub description: Option<String>,
}

/// An opex sub-account in an update: one with `id` is changed, one without is added.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct OpexSubAccountInput {
    /// The account to change; at most 64 characters.
    #[oai(validator(max_length = 64))]
    pub id: Option<String>,
    /// 1 to 100 characters.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub sub_account_name: Option<String>,
    /// 0 to 100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub percent_of_revenue: Option<f64>,
    /// True for a fixed yearly amount.
    pub is_fixed: Option<bool>,
    /// 0 to 1000000000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub fixed_amount: Option<f64>,
}

/// Staffing in an update.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct StaffingInput {
    /// 0 to 1000000000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub base_cost: Option<f64>,
    /// 1 to 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub cpi_frequency: Option<i64>,
}

/// A partial update: only the given fields change; nested items are matched by `id`.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct VersionUpdate {
    /// 3 to 100 characters, unique among versions.
    #[oai(validator(min_length = 3, max_length = 100))]
    pub name: Option<String>,
    /// At most 2000 characters.
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// The plan's base.
    pub mode: Option<VersionMode>,
    /// `DRAFT`, `READY` or `APPROVED` (locking is `POST /api/versions/{id}/lock`).
    pub status: Option<StatusChange>,
    /// Plans to change or add.
    #[oai(validator(max_items = 2))]
    pub curriculum_plans: Option<Vec<CurriculumPlanInput>>,
    /// Rent plan changes.
    pub rent_plan: Option<RentPlanInput>,
    /// Items to change or add; at most 100 after merging.
    #[oai(validator(max_items = 100))]
    pub capex_items: Option<Vec<CapexItemInput>>,
    /// Accounts to change or add; at most 50 after merging.
    #[oai(validator(max_items = 50))]
    pub opex_sub_accounts: Option<Vec<OpexSubAccountInput>>,
    /// Staffing changes.
    pub staffing: Option<StaffingInput>,
    /// Rates for this version only.
    pub admin_settings: Option<VersionRates>,
}

// ---------------------------------------------------------------- answers

/// Page figures of the versions list.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Pagination {
    /// The page (from 1).
    pub page: u64,
    /// Versions per page.
    pub limit: u64,
    /// Versions matching the filters.
    pub total: u64,
    /// Pages in all.
    pub total_pages: u64,
    /// True when a later page exists.
    pub has_next_page: bool,
    /// True after the first page.
    pub has_previous_page: bool,
}

/// Page figures of the reports and audit-log lists.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct SimplePagination {
    /// The page (from 1).
    pub page: u64,
    /// Entries per page.
    pub limit: u64,
    /// Entries matching the filters.
    pub total: u64,
    /// Pages in all.
    pub total_pages: u64,
}

/// A version in the list, with the engine's headline figures.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionSummary {
    /// Version id.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The plan's base.
    pub mode: VersionMode,
    /// Where the version is in its life.
    pub status: VersionStatus,
    /// Id of the user who created it.
    pub created_by: String,
    /// Name of the user who created it.
    pub created_by_name: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
    /// The rent plan's model.
    pub rent_model: RentModelKind,
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
    /// The versions of the page.
    pub versions: Vec<VersionSummary>,
    /// Page figures.
    pub pagination: Pagination,
}

/// One projected year. Money in the version's currency, percentages in percent.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ProjectionYear {
    /// The year.
    pub year: i32,
    /// FR tuition per student.
    #[oai(rename = "tuitionFR")]
    pub tuition_fr: f64,
    /// IB tuition per student.
    #[oai(rename = "tuitionIB")]
    pub tuition_ib: f64,
    /// FR students.
    #[oai(rename = "studentsFR")]
    pub students_fr: f64,
    /// IB students.
    #[oai(rename = "studentsIB")]
    pub students_ib: f64,
    /// FR students / capacity (percent).
    #[oai(rename = "utilizationFR")]
    pub utilization_fr: f64,
    /// IB students / capacity (percent).
    #[oai(rename = "utilizationIB")]
    pub utilization_ib: f64,
    /// Tuition revenue.
    pub revenue: f64,
    /// Rent.
    pub rent: f64,
    /// Rent / revenue (percent).
    pub rent_load: f64,
    /// Staff cost.
    pub staff_cost: f64,
    /// Operating expenses.
    pub opex: f64,
    /// Capital expenditure.
    pub capex: f64,
    /// Revenue - rent - staff cost - opex.
    pub ebitda: f64,
    /// EBITDA / revenue (percent).
    pub ebitda_margin: f64,
    /// Tax on positive EBITDA.
    pub tax: f64,
    /// EBITDA - tax - capex.
    pub cash_flow: f64,
    /// Cash flow summed up to this year.
    pub cumulative_cash_flow: f64,
}

/// The 30-year projection (2023-2052) and its summary.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Calculations {
    /// NPV of the rent.
    pub npv_rent: f64,
    /// NPV of the cash flow.
    pub npv_cash_flow: f64,
    /// Mean EBITDA margin (percent) over the years with revenue.
    #[oai(rename = "avgEBITDAMargin")]
    pub avg_ebitda_margin: f64,
    /// Mean rent load (percent) over the years with revenue.
    pub avg_rent_load: f64,
    /// First year from which the cumulative cash flow stays positive; null when never.
    pub breakeven_year: Option<i32>,
    /// The 30 years.
    pub projection_years: Vec<ProjectionYear>,
}

/// Effective rates of a version's projection.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct EffectiveRates {
    /// Yearly CPI.
    pub cpi_rate: f64,
    /// Discount rate of the NPVs.
    pub discount_rate: f64,
    /// Tax on positive EBITDA.
    pub tax_rate: f64,
}

/// A version with its full model.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionDetail {
    /// Version id.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The plan's base.
    pub mode: VersionMode,
    /// Where the version is in its life.
    pub status: VersionStatus,
    /// Id of the user who created it.
    pub created_by: String,
    /// Name of the user who created it.
    pub created_by_name: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
    /// The version it was derived from.
    pub based_on_id: Option<String>,
    /// That version's name.
    pub based_on_name: Option<String>,
    /// When it was locked (RFC 3339).
    pub locked_at: Option<String>,
    /// E-mail of the admin who locked it.
    pub locked_by: Option<String>,
    /// Why it was locked.
    pub lock_reason: Option<String>,
    /// The FR and IB plans.
    pub curriculum_plans: Vec<CurriculumPlan>,
    /// The rent plan.
    pub rent_plan: RentPlan,
    /// Capital expenditures.
    pub capex_items: Vec<CapexItem>,
    /// Operating expense accounts.
    pub opex_sub_accounts: Vec<OpexSubAccount>,
    /// Staff cost.
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
    /// Version id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Always DRAFT.
    pub status: VersionStatus,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// `Version created successfully`.
    pub message: String,
}

/// An updated version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionUpdated {
    /// Version id.
    pub id: String,
    /// When it changed (RFC 3339).
    pub updated_at: String,
    /// `Version updated successfully`.
    pub message: String,
}

/// A deleted version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionDeleted {
    /// Version id.
    pub id: String,
    /// When it was deleted (RFC 3339).
    pub deleted_at: String,
    /// `Version deleted successfully`.
    pub message: String,
}

/// Name of the copy.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct DuplicateRequest {
    /// 3 to 100 characters; defaults to "<name> (copy)". 400 when taken.
    #[oai(validator(min_length = 3, max_length = 100))]
    pub name: Option<String>,
    /// At most 2000 characters; defaults to the original's.
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
}

/// A duplicated version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionDuplicated {
    /// The copy's id.
    pub id: String,
    /// The copy's name.
    pub name: String,
    /// Always DRAFT.
    pub status: VersionStatus,
    /// The original's id.
    pub based_on_id: String,
    /// When the copy was made (RFC 3339).
    pub created_at: String,
    /// `Version duplicated successfully`.
    pub message: String,
}

/// Why the version is locked.
#[derive(Object, Debug, Clone, Default)]
pub struct LockRequest {
    /// At most 500 characters.
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// A locked version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionLocked {
    /// Version id.
    pub id: String,
    /// Always LOCKED.
    pub status: VersionStatus,
    /// When it was locked (RFC 3339).
    pub locked_at: String,
    /// E-mail of the admin who locked it.
    pub locked_by: String,
    /// Why it was locked.
    pub lock_reason: Option<String>,
    /// `Version locked successfully`.
    pub message: String,
}

/// Versions and metrics to compare.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CompareRequest {
    /// 2 to 4 distinct version ids.
    #[oai(validator(min_items = 2, max_items = 4, unique_items = true))]
    pub version_ids: Vec<String>,
    /// Default: npvRent, avgEBITDAMargin, avgRentLoad, breakevenYear.
    #[oai(validator(max_items = 5))]
    pub metrics: Option<Vec<Metric>>,
}

/// One compared version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CompareItem {
    /// Version id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its rent model.
    pub rent_model: RentModelKind,
    /// NPV of the rent.
    pub npv_rent: f64,
    /// NPV of the cash flow.
    pub npv_cash_flow: f64,
    /// Mean EBITDA margin (percent).
    #[oai(rename = "avgEBITDAMargin")]
    pub avg_ebitda_margin: f64,
    /// Mean rent load (percent).
    pub avg_rent_load: f64,
    /// First year the cumulative cash flow stays positive; null when never.
    pub breakeven_year: Option<i32>,
}

/// Extension: a version's figures minus those of the first compared version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CompareDifference {
    /// Version id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The first version in `versionIds`.
    pub baseline_id: String,
    /// Difference in NPV of the rent.
    pub npv_rent: f64,
    /// Difference in NPV of the cash flow.
    pub npv_cash_flow: f64,
    /// Difference in mean EBITDA margin (percentage points).
    #[oai(rename = "avgEBITDAMargin")]
    pub avg_ebitda_margin: f64,
    /// Difference in mean rent load (percentage points).
    pub avg_rent_load: f64,
    /// Years later (positive) or earlier (negative); null when either never breaks even.
    pub breakeven_year: Option<i32>,
}

/// The comparison.
#[derive(Object, Debug, Clone)]
pub struct Comparison {
    /// The versions in the order asked.
    pub comparison: Vec<CompareItem>,
    /// Metric name → name of the best version (lowest npvRent and avgRentLoad,
    /// highest npvCashFlow and avgEBITDAMargin, earliest breakevenYear; null
    /// when no version breaks even), for the metrics asked.
    pub best: std::collections::BTreeMap<String, Option<String>>,
    /// Extension: differences to the first version.
    pub differences: Vec<CompareDifference>,
}
