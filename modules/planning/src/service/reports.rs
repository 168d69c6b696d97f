//! Reports: what a report covers, its rendering, and its record.

use frontline_platform::files::{self, PendingFile};
use frontline_platform::ApiResult;
use rusqlite::Connection;

use super::*;
use crate::reports::{self as document, ReportSpec};
use crate::store;

/// The versions a report covers (the subject first; 404 naming unknown ones)
/// and the settings their projections use.
pub fn report_inputs(
    conn: &Connection,
    version_id: &str,
    spec: &ReportSpec,
) -> ApiResult<(Vec<VersionRow>, Settings)> {
    let mut ids = vec![version_id.to_string()];
    ids.extend(spec.compare_with_ids.iter().cloned());
    Ok((load_all(conn, &ids)?, store::settings(conn)?.0))
}

/// The report's bytes, media type and file extension (CPU-bound: run it off
/// the async threads).
pub fn render_report(
    spec: &ReportSpec,
    rows: Vec<VersionRow>,
    settings: &Settings,
    generated_by: &str,
    generated_at: &str,
) -> ApiResult<(Vec<u8>, &'static str, &'static str)> {
    let versions: Vec<_> = rows
        .into_iter()
        .map(|v| {
            let p = project(v.mode, &v.document, settings);
            (v, p)
        })
        .collect();
    let report = document::build(
        spec,
        &versions,
        &settings.currency,
        generated_by,
        generated_at,
    )?;
    document::render(&report, spec.format)
}

/// Records a generated report: its file, its row (with the version's
/// current name; 404 when the version went meanwhile) and its audit entry.
pub fn record_report(
    w: &WriteCtx<'_>,
    mut row: ReportRow,
    file: &PendingFile,
) -> ApiResult<ReportRow> {
    row.version_name = store::require(w.tx(), &row.version_id)?.name;
    files::record(w.tx(), file)?;
    store::insert_report(w.tx(), &row)?;
    w.audit(
        crate::SLUG,
        "GENERATE_REPORT",
        "REPORT",
        &row.id,
        serde_json::json!({
            "versionId": row.version_id,
            "versionName": row.version_name,
            "reportType": row.report_type,
            "format": row.format,
        }),
    )?;
    Ok(row)
}

/// A page of reports, newest first, optionally of one version, and the total.
pub fn reports(
    conn: &Connection,
    version_id: Option<&str>,
    offset: u64,
    limit: u64,
) -> ApiResult<(Vec<ReportRow>, u64)> {
    store::list_reports(conn, version_id, offset, limit)
}
