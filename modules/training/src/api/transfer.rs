//! Bulk import from an uploaded JSON file (or a zip of one) and bulk export to a file in the
//! platform file store behind a signed, expiring download URL (the rules in
//! [`service::transfer`]).

use std::time::{Duration, Instant};

use frontline_platform::files::NewFile;
use frontline_platform::http::RequestMeta;
use frontline_platform::write;
use frontline_platform::{ApiError, Platform};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{Multipart, OpenApi};
use serde_json::{json, Value};

use frontline_platform::body::JsonBody;

use super::guard::*;
use super::Result;
use crate::model::*;
use crate::service;
use crate::service::transfer::{self, MAX_IMPORT_BYTES};
use crate::store::round;

pub struct TransferApi {
    pub(super) platform: Platform,
}

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
        let o = transfer::parse_options(form.options.as_deref())?;
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
        let bytes = tokio::task::spawn_blocking(move || transfer::unzip_import(bytes))
            .await
            .map_err(|e| ApiError::internal(format!("unpacking failed: {e}")))??;
        let rows = transfer::rows_of(&bytes)?;
        let import_id = service::new_id("imp");
        let iid = import_id.clone();
        let validate_only = o.validate_only;
        let run = write::transact(&self.platform.db, Some(p), meta, move |w| {
            transfer::run(w, &o, &rows, &iid, &file_name)
        })
        .await?;
        let transfer::ImportRun {
            ids,
            skipped,
            failed,
            errors,
            committed,
        } = run;
        let report = if errors.is_empty() {
            None
        } else {
            let rows: Vec<Value> = errors.iter().map(fields_of).collect();
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
        let format = "json";
        let compression = match body.compression.unwrap_or(Compression::None) {
            Compression::Zip => "zip",
            Compression::None => "none",
        };
        let export_id = service::new_id("exp");
        let created_at = service::now();
        let (pp, eid, at) = (p.clone(), export_id.clone(), created_at.clone());
        let doc = self
            .platform
            .db
            .read(move |conn| transfer::export_doc(conn, &pp, &body, &eid, &at))
            .await?;
        let count = doc["scenarioCount"].as_u64().unwrap_or(0);
        let json_bytes =
            serde_json::to_vec_pretty(&doc).map_err(|e| ApiError::internal(e.to_string()))?;
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        let (name, bytes, media) = if compression == "zip" {
            (
                format!("scenarios_{stamp}.zip"),
                transfer::zip_bytes(&format!("scenarios_{stamp}.json"), &json_bytes)?,
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
        let (fid, eid) = (f.id.clone(), export_id.clone());
        write::transact(&self.platform.db, Some(p), meta, move |w| {
            transfer::record_export(w, &eid, &fid, count, compression)
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
