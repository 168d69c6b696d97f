//! Bulk import and export: the import file's format (JSON, or a zip of one,
//! bounded while unpacking), the options, the rules of each row (validated as
//! a created scenario; an existing slug is skipped or overwritten as a new
//! version), and the export document.

use std::io::Write;

use frontline_platform::auth::Principal;
use frontline_platform::body::parse_strict;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::scenarios::{apply_update, distinct};
use super::{caller, content_of, emit, event_data, now, slugify, validate};
use crate::model::*;
use crate::store;
use crate::SLUG;

/// Largest import file and most rows per import.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_IMPORT_ROWS: usize = 1000;
/// Most entries a zipped import may list; its JSON file may expand to at
/// most [`MAX_IMPORT_BYTES`] (checked while inflating, not after).
pub const MAX_ZIP_ENTRIES: usize = 16;
pub struct Options {
    pub validate_only: bool,
    pub skip_errors: bool,
    pub default_status: String,
    pub overwrite: bool,
}

/// The `options` field: JSON checked against [`ImportOptions`], each bad
/// field named `options.<field>`.
pub fn parse_options(raw: Option<&str>) -> ApiResult<Options> {
    let v: Value = match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Value::Null,
        Some(s) => serde_json::from_str(s).map_err(|e| {
            ApiError::invalid("options", format!("options must be a JSON object: {e}"))
        })?,
    };
    let o = parse_strict::<Option<ImportOptions>>(v)
        .map_err(|e| {
            let details = e
                .details
                .iter()
                .map(|d| match d.field.as_str() {
                    "body" => FieldError::new("options", format!("options {}", d.message)),
                    f => FieldError::new(
                        format!("options.{f}"),
                        format!("options.{f} {}", d.message),
                    ),
                })
                .collect();
            ApiError::validation(details)
        })?
        .unwrap_or_default();
    Ok(Options {
        validate_only: o.validate_only.unwrap_or(false),
        skip_errors: o.skip_errors.unwrap_or(true),
        default_status: o
            .default_status
            .unwrap_or(WritableStatus::Draft)
            .as_str()
            .to_string(),
        overwrite: o.overwrite_existing.unwrap_or(false),
    })
}

fn bad_zip(msg: impl Into<String>) -> ApiError {
    TrainingError::InvalidFile.invalid("file", msg)
}

fn unpacked_too_large() -> ApiError {
    TrainingError::FileTooLarge.invalid(
        "file",
        format!(
            "The zip's JSON file must unpack to at most {} MB",
            MAX_IMPORT_BYTES / (1024 * 1024)
        ),
    )
}

/// The number of entries a zip's end-of-central-directory record declares,
/// read before the archive is opened (opening it reads every entry).
/// `None`: no such record; zip64 archives declare 0xFFFF here.
fn declared_zip_entries(bytes: &[u8]) -> Option<usize> {
    // The record is 22 bytes plus a comment of at most 65535 bytes.
    let tail = &bytes[bytes.len().saturating_sub(22 + 65_535)..];
    let at = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let count = tail.get(at + 10..at + 12)?;
    Some(u16::from_le_bytes([count[0], count[1]]) as usize)
}

/// The JSON inside an uploaded zip (or the upload itself when it is not a
/// zip). The entry count is checked before the archive is opened and the
/// unpacked size while inflating, so a zip bomb costs at most
/// [`MAX_IMPORT_BYTES`] + 1 bytes of memory.
pub fn unzip_import(bytes: Vec<u8>) -> ApiResult<Vec<u8>> {
    use std::io::Read;
    if !bytes.starts_with(b"PK\x03\x04") && !bytes.starts_with(b"PK\x05\x06") {
        return Ok(bytes);
    }
    match declared_zip_entries(&bytes) {
        None => return Err(bad_zip("The file is not a readable zip")),
        Some(n) if n > MAX_ZIP_ENTRIES => {
            return Err(bad_zip(format!(
                "A zip import may hold at most {MAX_ZIP_ENTRIES} entries"
            )))
        }
        Some(_) => {}
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad_zip(format!("The file is not a readable zip: {e}")))?;
    let mut json_entry = None;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| bad_zip(format!("The file is not a readable zip: {e}")))?;
        if entry.is_dir() || !entry.name().to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        if json_entry.replace(i).is_some() {
            return Err(bad_zip("The zip must hold exactly one .json file"));
        }
    }
    let index = json_entry.ok_or_else(|| bad_zip("The zip must hold exactly one .json file"))?;
    let entry = archive
        .by_index(index)
        .map_err(|e| bad_zip(format!("Could not open the zip's JSON file: {e}")))?;
    let mut out = Vec::new();
    entry
        .take(MAX_IMPORT_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| bad_zip(format!("Could not unpack the zip's JSON file: {e}")))?;
    if out.len() > MAX_IMPORT_BYTES {
        return Err(unpacked_too_large());
    }
    Ok(out)
}

/// The rows of an import file.
pub fn rows_of(bytes: &[u8]) -> ApiResult<Vec<Value>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        TrainingError::InvalidFile.invalid("file", format!("The file is not valid JSON: {e}"))
    })?;
    let rows =
        match v {
            Value::Array(a) => a,
            Value::Object(mut o) => match o.remove("scenarios") {
                Some(Value::Array(a)) => a,
                _ => return Err(TrainingError::InvalidFile.invalid(
                    "file",
                    "The file must hold an array of scenarios or an object with a scenarios array",
                )),
            },
            _ => {
                return Err(TrainingError::InvalidFile
                    .invalid("file", "The file must hold an array of scenarios"))
            }
        };
    if rows.is_empty() {
        return Err(TrainingError::InvalidFile.invalid("file", "The file holds no scenarios"));
    }
    if rows.len() > MAX_IMPORT_ROWS {
        return Err(TrainingError::InvalidFile.invalid(
            "file",
            format!(
                "At most {MAX_IMPORT_ROWS} scenarios per import (the file has {})",
                rows.len()
            ),
        ));
    }
    Ok(rows)
}

/// What happened to one row.
enum Outcome {
    Imported(String),
    Skipped(Vec<ImportError>),
    Failed(Vec<ImportError>),
}

fn row_error(row: usize, name: &Value, field: Option<&str>, msg: &str) -> ImportError {
    ImportError {
        row: row as u64,
        scenario_name: name.clone(),
        error: msg.to_string(),
        field: field.map(String::from),
    }
}

fn import_row(w: &WriteCtx<'_>, o: &Options, n: usize, row: &Value) -> ApiResult<Outcome> {
    let p = caller(w)?;
    let name = row.get("name").cloned().unwrap_or(Value::Null);
    if !row.is_object() {
        return Ok(Outcome::Failed(vec![row_error(
            n,
            &name,
            None,
            "Each row must be a JSON object",
        )]));
    }
    let content = content_of(row);
    let mut check = Value::Object(content.clone());
    let status = row
        .get("status")
        .filter(|s| !s.is_null())
        .cloned()
        .unwrap_or_else(|| json!(o.default_status));
    check["status"] = status.clone();
    if let Err(e) = validate(&check) {
        let errs = if e.details.is_empty() {
            vec![row_error(n, &name, None, &e.message)]
        } else {
            e.details
                .iter()
                .map(|d| row_error(n, &name, Some(&d.field), &d.message))
                .collect()
        };
        return Ok(Outcome::Failed(errs));
    }
    let status = status.as_str().unwrap_or("DRAFT").to_string();
    let slug = slugify(content["name"].as_str().unwrap_or_default());
    let existing = store::id_by_slug(w, &slug)?;
    match existing {
        Some(id) if o.overwrite => {
            let mut s = match store::get(w, &id, p) {
                Ok(s) => s,
                Err(_) => {
                    return Ok(Outcome::Failed(vec![row_error(
                        n,
                        &name,
                        Some("slug"),
                        "Scenario with slug already exists and is not yours to overwrite",
                    )]))
                }
            };
            let mut patch = Value::Object(content);
            if row.get("status").is_some_and(|s| !s.is_null()) && s.status != "PUBLISHED" {
                patch["status"] = json!(status);
            }
            if let Err(e) = apply_update(w, &mut s, &patch) {
                return Ok(Outcome::Failed(vec![row_error(
                    n,
                    &name,
                    e.details.first().map(|d| d.field.as_str()),
                    &e.message,
                )]));
            }
            s.version_number += 1;
            s.updated_at = now();
            s.updated_by = p.id.clone();
            store::save_content(w, &s)?;
            store::insert_version(w, &s, Some("Bulk import (overwrite)"), None)?;
            w.audit(
                SLUG,
                "scenario.import",
                "scenario",
                &s.id,
                json!({"row": n, "overwrite": true, "versionNumber": s.version_number}),
            )?;
            emit(
                w,
                "scenario.updated",
                event_data(
                    &s,
                    json!({"versionNumber": s.version_number, "updatedBy": p.id}),
                ),
            )?;
            Ok(Outcome::Imported(s.id))
        }
        Some(_) => Ok(Outcome::Skipped(vec![row_error(
            n,
            &name,
            Some("slug"),
            "Scenario with slug already exists",
        )])),
        None => {
            let s = store::insert(
                w,
                store::NewScenario {
                    content: &content,
                    status: &status,
                    slug: &slug,
                    template_id: None,
                    by: &p.id,
                    changelog: "Bulk import",
                },
            )?;
            w.audit(
                SLUG,
                "scenario.import",
                "scenario",
                &s.id,
                json!({"row": n}),
            )?;
            emit(
                w,
                "scenario.created",
                event_data(&s, json!({"createdBy": p.id})),
            )?;
            Ok(Outcome::Imported(s.id))
        }
    }
}

/// What an import run did.
pub struct ImportRun {
    pub ids: Vec<String>,
    pub skipped: usize,
    pub failed: usize,
    pub errors: Vec<ImportError>,
    /// Whether the imported rows were kept.
    pub committed: bool,
}

/// Imports `rows` (numbered from 1) in a savepoint of the caller's
/// transaction: kept unless `validateOnly`, or when a row failed and
/// `skipErrors` is false; the audit entry says which.
pub fn run(
    w: &WriteCtx<'_>,
    o: &Options,
    rows: &[Value],
    import_id: &str,
    file_name: &str,
) -> ApiResult<ImportRun> {
    store::savepoint(w, "training_import")?;
    let each = || -> ApiResult<(Vec<String>, usize, usize, Vec<ImportError>)> {
        let (mut ids, mut skipped, mut failed, mut errors) = (Vec::new(), 0, 0, Vec::new());
        for (i, row) in rows.iter().enumerate() {
            match import_row(w, o, i + 1, row)? {
                Outcome::Imported(id) => ids.push(id),
                Outcome::Skipped(e) => {
                    skipped += 1;
                    errors.extend(e);
                }
                Outcome::Failed(e) => {
                    failed += 1;
                    errors.extend(e);
                }
            }
        }
        Ok((ids, skipped, failed, errors))
    };
    let (ids, skipped, failed, errors) = match each() {
        Ok(x) => x,
        Err(e) => {
            store::savepoint_end(w, "training_import", false)?;
            return Err(e);
        }
    };
    let committed = !o.validate_only && (o.skip_errors || failed + skipped == 0);
    store::savepoint_end(w, "training_import", committed)?;
    w.audit(
        SLUG,
        "scenario.bulk_import",
        "import",
        import_id,
        json!({"file": file_name, "rows": rows.len(),
               "imported": if committed { ids.len() } else { 0 },
               "skipped": skipped, "failed": failed, "validateOnly": o.validate_only,
               "committed": committed}),
    )?;
    Ok(ImportRun {
        ids,
        skipped,
        failed,
        errors,
        committed,
    })
}

/// The export document of scenarios `ids` (404 naming the missing ones),
/// each with its analytics and version history when asked.
pub fn export_doc(
    conn: &Connection,
    p: &Principal,
    req: &BulkExportRequest,
    export_id: &str,
    at: &str,
) -> ApiResult<Value> {
    let ids = distinct(&req.scenario_ids);
    let with_analytics = req.include_analytics.unwrap_or(false);
    let with_versions = req.include_versions.unwrap_or(false);
    let mut missing = Vec::new();
    let mut out = Vec::new();
    for id in &ids {
        match store::get(conn, id, p) {
            Ok(s) => {
                let mut d = fields_of(&store::render_full(conn, &s)?);
                if with_analytics {
                    d["analytics"] = fields_of(&store::summary(conn, &s.id)?);
                }
                if with_versions {
                    let mut versions = store::versions::of_scenario(conn, &s.id)?;
                    versions.reverse();
                    let versions: Vec<Value> = versions
                        .into_iter()
                        .map(|v| {
                            json!({
                                "versionNumber": v.number,
                                "changelog": v.changelog,
                                "snapshot": v.snapshot,
                                "restoredFromVersion": v.restored_from,
                                "createdBy": v.created_by,
                                "createdAt": v.created_at,
                                "publishedAt": v.published_at,
                            })
                        })
                        .collect();
                    d["versions"] = json!(versions);
                }
                out.push(d);
            }
            Err(_) => missing.push(id.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(TrainingError::ScenarioNotFound
            .with_message(format!("Scenarios not found: {}", missing.join(", ")))
            .with_extra("missingIds", json!(missing)));
    }
    let mut m = Map::new();
    m.insert("exportId".into(), json!(export_id));
    m.insert("exportedAt".into(), json!(at));
    m.insert("exportedBy".into(), json!(p.id));
    m.insert("format".into(), json!("json"));
    m.insert("scenarioCount".into(), json!(out.len()));
    m.insert("scenarios".into(), json!(out));
    Ok(Value::Object(m))
}

/// The audit entry of an export whose file is stored.
pub fn record_export(
    w: &WriteCtx<'_>,
    export_id: &str,
    file_id: &str,
    count: u64,
    compression: &str,
) -> ApiResult<()> {
    w.audit(
        SLUG,
        "scenario.bulk_export",
        "export",
        export_id,
        json!({"fileId": file_id, "scenarioCount": count, "compression": compression}),
    )?;
    Ok(())
}

pub fn zip_bytes(name: &str, data: &[u8]) -> ApiResult<Vec<u8>> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let fail = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "zip export failed");
        ApiError::internal("Could not build the archive")
    };
    w.start_file(name, opts).map_err(|e| fail(&e))?;
    w.write_all(data).map_err(|e| fail(&e))?;
    Ok(w.finish().map_err(|e| fail(&e))?.into_inner())
}
