//! What the store keeps and hands back: shared by the service (rules) and the
//! store (SQL), so neither imports the other's types.

use serde::{Deserialize, Serialize};

use super::*;

/// The nested model of a version, stored as one JSON document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionDocument {
    pub curriculum_plans: Vec<CurriculumPlan>,
    pub rent_plan: RentPlan,
    pub capex_items: Vec<CapexItem>,
    pub opex_sub_accounts: Vec<OpexSubAccount>,
    pub staffing: Staffing,
    pub admin_settings: VersionRates,
}

/// A stored version.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub mode: VersionMode,
    pub status: VersionStatus,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: String,
    pub updated_at: String,
    pub based_on_id: Option<String>,
    pub based_on_name: Option<String>,
    pub locked_at: Option<String>,
    pub locked_by: Option<String>,
    pub lock_reason: Option<String>,
    pub document: VersionDocument,
}

/// The figures the versions list shows, computed when the version is
/// written (and again after a settings change) and stored with it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListFigures {
    pub rent_model: RentModelKind,
    pub npv_rent: f64,
    pub avg_ebitda_margin: f64,
    pub avg_rent_load: f64,
}

/// A row of the versions list: what the list shows, with the stored
/// figures and the settings generation they were computed under.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub mode: VersionMode,
    pub status: VersionStatus,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: String,
    pub updated_at: String,
    /// `None` when never computed or unreadable.
    pub figures: Option<ListFigures>,
    pub figures_generation: Option<i64>,
}

/// Filters, order and page of the versions list.
#[derive(Debug, Clone)]
pub struct VersionFilter {
    pub status: Option<VersionStatus>,
    pub mode: Option<VersionMode>,
    pub search: Option<String>,
    pub sort_by: SortBy,
    pub descending: bool,
    pub offset: u64,
    pub limit: u64,
}

/// A stored report.
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub id: String,
    pub version_id: String,
    pub version_name: String,
    pub report_type: ReportType,
    pub format: ReportFormat,
    pub generated_by: String,
    pub generated_at: String,
    pub expires_at: String,
    pub file_id: String,
    pub file_size: u64,
}
