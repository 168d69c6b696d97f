//! Bulk import from an uploaded JSON file (or a zip of one) and bulk export to a file in the
//! platform file store behind a signed, expiring download URL.

use std::io::Write;
use std::time::{Duration, Instant};

use frontline_platform::auth::Principal;
use frontline_platform::files::NewFile;
use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, ApiResult, Platform};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{Multipart, OpenApi};
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use frontline_platform::body::{parse_strict, JsonBody};
use frontline_platform::FieldError;

use frontline_platform::write::WriteCtx;

use super::guard::*;
use super::{apply_update, event_data, record, Result};
use crate::model::*;
use crate::service;
use crate::store::{self, round};

pub struct TransferApi {
    pub(super) platform: Platform,
}

/// Largest import file and most rows per import.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_IMPORT_ROWS: usize = 1000;
/// Most entries a zipped import may list; its JSON file may expand to at
/// most [`MAX_IMPORT_BYTES`] (checked while inflating, not after).
pub const MAX_ZIP_ENTRIES: usize = 16;
/// How long export files and import error reports (and their links) live.
const FILE_TTL: Duration = Duration::from_secs(24 * 3600);

/// The import form.
#[derive(Multipart, Debug)]
pub struct ImportForm {
    /// A JSON file: an array of scenarios (as created with POST
    /// /admin/scenarios, or as exported), or an object with a `scenarios`
    /// array; or a zip (as exported with `compression: zip`) holding one such
    /// JSON file, at most 16 entries and 10 MB unpacked.
    pub file: Upload,
    /// JSON: `{"validateOnly": false, "skipErrors": true, "defaultStatus":
    /// "DRAFT", "overwriteExisting": false}` (all optional).
    pub options: Option<String>,
}

struct Options {
    validate_only: bool,
    skip_errors: bool,
    default_status: String,
    overwrite: bool,
}

/// The `options` field: JSON checked against [`ImportOptions`], each bad
/// field named `options.<field>`.
fn parse_options(raw: Option<&str>) -> ApiResult<Options> {
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
fn unzip_import(bytes: Vec<u8>) -> ApiResult<Vec<u8>> {
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
fn rows_of(bytes: &[u8]) -> ApiResult<Vec<Value>> {
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

fn import_row(
    tx: &Connection,
    p: &Principal,
    meta: &RequestMeta,
    o: &Options,
    n: usize,
    row: &Value,
) -> ApiResult<Outcome> {
    let name = row.get("name").cloned().unwrap_or(Value::Null);
    if !row.is_object() {
        return Ok(Outcome::Failed(vec![row_error(
            n,
            &name,
            None,
            "Each row must be a JSON object",
        )]));
    }
    let content = service::content_of(row);
    let mut check = Value::Object(content.clone());
    let status = row
        .get("status")
        .filter(|s| !s.is_null())
        .cloned()
        .unwrap_or_else(|| json!(o.default_status));
    check["status"] = status.clone();
    if let Err(e) = service::validate(&check) {
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
    let slug = service::slugify(content["name"].as_str().unwrap_or_default());
    let existing = store::id_by_slug(tx, &slug)?;
    match existing {
        Some(id) if o.overwrite => {
            let mut s = match store::get(tx, &id, p) {
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
            if let Err(e) = apply_update(tx, &mut s, &patch) {
                return Ok(Outcome::Failed(vec![row_error(
                    n,
                    &name,
                    e.details.first().map(|d| d.field.as_str()),
                    &e.message,
                )]));
            }
            s.version_number += 1;
            s.updated_at = service::now();
            s.updated_by = p.id.clone();
            store::save_content(tx, &s)?;
            store::insert_version(tx, &s, Some("Bulk import (overwrite)"), None)?;
            record(
                &WriteCtx::new(tx, Some(p), meta),
                "scenario.import",
                "scenario",
                &s.id,
                json!({"row": n, "overwrite": true, "versionNumber": s.version_number}),
                Some((
                    "scenario.updated",
                    event_data(
                        &s,
                        json!({"versionNumber": s.version_number, "updatedBy": p.id}),
                    ),
                )),
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
                tx,
                store::NewScenario {
                    content: &content,
                    status: &status,
                    slug: &slug,
                    template_id: None,
                    by: &p.id,
                    changelog: "Bulk import",
                },
            )?;
            record(
                &WriteCtx::new(tx, Some(p), meta),
                "scenario.import",
                "scenario",
                &s.id,
                json!({"row": n}),
                Some((
                    "scenario.created",
                    event_data(&s, json!({"createdBy": p.id})),
                )),
            )?;
            Ok(Outcome::Imported(s.id))
        }
    }
}

fn zip_bytes(name: &str, data: &[u8]) -> ApiResult<Vec<u8>> {
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

/// Bulk import and export.
#[OpenApi(tag = "ApiTags::Scenarios")]
impl TransferApi {
    /// Bulk import (`scenario:create`) from a multipart upload: `file` (JSON,
    /// at most 10 MB and 1000 scenarios; or a zip of one such JSON file, at
    /// most 16 entries and 10 MB unpacked) and `options` (JSON:
    /// `validateOnly` checks without writing, `skipErrors` (default true)
    /// imports the valid rows and reports the others, false imports nothing
    /// when any row fails, `defaultStatus` for rows without one,
    /// `overwriteExisting` updates the scenario with the same slug as a new
    /// version instead of skipping it). Rows are numbered from 1; each
    /// invalid field is one entry of `errors`. When there are errors,
    /// `downloadErrorReport` is a signed link (24 hours) to them as JSON.
    #[oai(path = "/admin/scenarios/bulk/import", method = "post")]
    async fn import(
        &self,
        auth: Can<ScenarioCreate>,
        meta: RequestMeta,
        form: ImportForm,
    ) -> Result<Answer<ImportResult>> {
        let started = Instant::now();
        let p = auth.0;
        let o = parse_options(form.options.as_deref())?;
        if form.file.size() > MAX_IMPORT_BYTES {
            return Err(TrainingError::FileTooLarge
                .invalid("file", "The file must be at most 10 MB")
                .into());
        }
        let file_name = form.file.file_name().unwrap_or("import.json").to_string();
        let bytes = form
            .file
            .into_vec()
            .await
            .map_err(|e| ApiError::bad_request(format!("Could not read the upload: {e}")))?;
        let bytes = tokio::task::spawn_blocking(move || unzip_import(bytes))
            .await
            .map_err(|e| ApiError::internal(format!("unpacking failed: {e}")))??;
        let rows = rows_of(&bytes)?;
        let import_id = service::new_id("imp");
        let iid = import_id.clone();
        let validate_only = o.validate_only;
        let (ids, skipped, failed, errors, committed) = self
            .platform
            .db
            .write(move |tx| {
                store::savepoint(tx, "training_import")?;
                let run = || -> ApiResult<(Vec<String>, usize, usize, Vec<ImportError>)> {
                    let (mut ids, mut skipped, mut failed, mut errors) = (Vec::new(), 0, 0, Vec::new());
                    for (i, row) in rows.iter().enumerate() {
                        match import_row(tx, &p, &meta, &o, i + 1, row)? {
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
                let (ids, skipped, failed, errors) = match run() {
                    Ok(x) => x,
                    Err(e) => {
                        store::savepoint_end(tx, "training_import", false)?;
                        return Err(e);
                    }
                };
                let commit = !o.validate_only && (o.skip_errors || failed + skipped == 0);
                if commit {
                    store::savepoint_end(tx, "training_import", true)?;
                } else {
                    store::savepoint_end(tx, "training_import", false)?;
                }
                record(&WriteCtx::new(tx, Some(&p), &meta), "scenario.bulk_import", "import", &iid,
                    json!({"file": file_name, "rows": rows.len(), "imported": if commit { ids.len() } else { 0 },
                        "skipped": skipped, "failed": failed, "validateOnly": o.validate_only, "committed": commit}), None)?;
                Ok((ids, skipped, failed, errors, commit))
            })
            .await?;
        let report = if errors.is_empty() {
            None
        } else {
            let rows: Vec<Value> = errors.iter().map(super::fields_of).collect();
            let doc = json!({ "importId": import_id, "errors": rows });
            let bytes =
                serde_json::to_vec_pretty(&doc).map_err(|e| ApiError::internal(e.to_string()))?;
            let f = self
                .platform
                .files
                .put(
                    NewFile::new(crate::SLUG, &format!("{import_id}-errors.json"))
                        .media_type("application/json")
                        .expires_in(FILE_TTL),
                    bytes,
                )
                .await?;
            Some(self.platform.files.signed_url(&f.id, FILE_TTL).0)
        };
        let valid = ids.len();
        let imported = if committed { valid } else { 0 };
        Ok(ok(ImportResult {
            import_id,
            imported: imported as u64,
            skipped: skipped as u64,
            failed: failed as u64,
            valid: valid as u64,
            validate_only,
            committed,
            message: if validate_only {
                "Validation only: nothing was written".to_string()
            } else if !committed {
                "Nothing was imported: some rows have errors and skipErrors is false".to_string()
            } else {
                format!("{imported} scenarios imported")
            },
            errors,
            scenario_ids: if committed { ids } else { Vec::new() },
            processing_time: round(started.elapsed().as_secs_f64(), 3),
            download_error_report: report,
        }))
    }

    /// Bulk export (`scenario:read`) of up to 1000 scenarios (`scenarioIds`)
    /// as one JSON document (`format`: json), with each scenario's
    /// analytics (`includeAnalytics`) and version history
    /// (`includeVersions`), optionally zipped (`compression`: zip or none).
    /// The file is stored for 24 hours; `downloadUrl` is a signed link that
    /// works without a token until `expiresAt`, `fileSize` its size in bytes.
    /// The exported file can be imported again. Unknown ids answer 404.
    #[oai(path = "/admin/scenarios/bulk/export", method = "post")]
    async fn export(
        &self,
        auth: Can<ScenarioRead>,
        meta: RequestMeta,
        body: JsonBody<BulkExportRequest>,
    ) -> Result<Answer<ExportResult>> {
        let p = auth.0;
        let body = body.0;
        let ids = super::bulk::distinct(&body.scenario_ids);
        let format = "json";
        let compression = match body.compression.unwrap_or(Compression::None) {
            Compression::Zip => "zip",
            Compression::None => "none",
        };
        let with_analytics = body.include_analytics.unwrap_or(false);
        let with_versions = body.include_versions.unwrap_or(false);
        let export_id = service::new_id("exp");
        let created_at = service::now();
        let (pp, eid, at) = (p.clone(), export_id.clone(), created_at.clone());
        let doc = self
            .platform
            .db
            .read(move |conn| {
                let mut missing = Vec::new();
                let mut out = Vec::new();
                for id in &ids {
                    match store::get(conn, id, &pp) {
                        Ok(s) => {
                            let mut d = super::fields_of(&store::render_full(conn, &s)?);
                            if with_analytics {
                                d["analytics"] = super::fields_of(&store::summary(conn, &s.id)?);
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
                m.insert("exportId".into(), json!(eid));
                m.insert("exportedAt".into(), json!(at));
                m.insert("exportedBy".into(), json!(pp.id));
                m.insert("format".into(), json!("json"));
                m.insert("scenarioCount".into(), json!(out.len()));
                m.insert("scenarios".into(), json!(out));
                Ok(Value::Object(m))
            })
            .await?;
        let count = doc["scenarioCount"].as_u64().unwrap_or(0);
        let json_bytes =
            serde_json::to_vec_pretty(&doc).map_err(|e| ApiError::internal(e.to_string()))?;
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        let (name, bytes, media) = if compression == "zip" {
            (
                format!("scenarios_{stamp}.zip"),
                zip_bytes(&format!("scenarios_{stamp}.json"), &json_bytes)?,
                "application/zip",
            )
        } else {
            (
                format!("scenarios_{stamp}.json"),
                json_bytes,
                "application/json",
            )
        };
        let f = self
            .platform
            .files
            .put(
                NewFile::new(crate::SLUG, &name)
                    .media_type(media)
                    .owner(&p.id)
                    .expires_in(FILE_TTL),
                bytes,
            )
            .await?;
        let (url, expires) = self.platform.files.signed_url(&f.id, FILE_TTL);
        let fid = f.id.clone();
        let (eid, mm) = (export_id.clone(), meta.clone());
        self.platform
            .db
            .write(move |tx| {
                record(
                    &WriteCtx::new(tx, Some(&p), &mm),
                    "scenario.bulk_export",
                    "export",
                    &eid,
                    json!({"fileId": fid, "scenarioCount": count, "compression": compression}),
                    None,
                )
            })
            .await?;
        Ok(ok(ExportResult {
            export_id,
            download_url: url,
            expires_at: expires.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            file_size: f.size,
            file_name: f.filename,
            scenario_count: count,
            format: format.into(),
            compression: if name.ends_with(".zip") {
                "zip"
            } else {
                "none"
            }
            .into(),
            created_at,
        }))
    }
}
