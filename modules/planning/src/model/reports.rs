//! Reports: the generate body and the answers.

use poem_openapi::Object;

use super::*;

/// What report to generate.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct GenerateReportRequest {
    /// EXECUTIVE_SUMMARY: key metrics and charts; FINANCIAL_DETAIL: also
    /// assumptions and the year-by-year table; COMPARISON: with `compareWithIds`.
    pub report_type: ReportType,
    /// The file format.
    pub format: ReportFormat,
    /// Charts of revenue, EBITDA, cash flow and rent load (default true).
    pub include_charts: Option<bool>,
    /// The year-by-year table (always in FINANCIAL_DETAIL).
    pub include_year_by_year: Option<bool>,
    /// For COMPARISON (required there): 1 to 3 other version ids.
    #[oai(validator(max_items = 4, unique_items = true))]
    pub compare_with_ids: Option<Vec<String>>,
}

/// A generated report.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ReportGenerated {
    /// Report id.
    pub report_id: String,
    /// Signed link, relative to the server root, valid until `expiresAt`.
    pub download_url: String,
    /// When the file and its link expire (RFC 3339).
    pub expires_at: String,
    /// When it was generated (RFC 3339).
    pub generated_at: String,
    /// Bytes.
    pub file_size: u64,
    /// `Report generated successfully`.
    pub message: String,
}

/// A stored report.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ReportItem {
    /// Report id.
    pub id: String,
    /// The version reported on.
    pub version_id: String,
    /// That version's name when the report was made.
    pub version_name: String,
    /// The kind of report.
    pub report_type: ReportType,
    /// The file format.
    pub format: ReportFormat,
    /// Id of the user who generated it.
    pub generated_by: String,
    /// When it was generated (RFC 3339).
    pub generated_at: String,
    /// Fresh signed link; null once the report expired.
    pub download_url: Option<String>,
    /// When the file expires (RFC 3339).
    pub expires_at: String,
    /// Bytes.
    pub file_size: u64,
}

/// A page of reports.
#[derive(Object, Debug, Clone)]
pub struct ReportList {
    /// The reports of the page, newest first.
    pub reports: Vec<ReportItem>,
    /// Page figures.
    pub pagination: SimplePagination,
}
