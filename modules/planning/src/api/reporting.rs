//! PDF and Excel reports of versions.

use frontline_platform::files::NewFile;

use super::*;
use crate::reports;

pub struct ReportsApi {
    pub(super) platform: Platform,
}

#[OpenApi]
impl ReportsApi {
    /// Generate a PDF or Excel report of a version from its projection
    /// (any role). EXECUTIVE_SUMMARY: key metrics and charts;
    /// FINANCIAL_DETAIL: also assumptions and the year-by-year table;
    /// COMPARISON: with `compareWithIds`. The file is kept 24 hours behind a
    /// signed download link.
    #[oai(
        path = "/api/reports/generate/:versionId",
        method = "post",
        tag = "Tag::Reports"
    )]
    async fn generate_report(
        &self,
        caller: Caller<AnyRole>,
        meta: RequestMeta,
        /// The version to report on.
        #[oai(name = "versionId")]
        version_id: Path<String>,
        body: JsonBody<GenerateReportRequest>,
    ) -> Result<Json<Envelope<ReportGenerated>>> {
        let version_id = version_id.0;
        let spec = reports::spec(&version_id, &body.0)?;
        let (vid, s) = (version_id.clone(), spec.clone());
        let (rows, settings) = self
            .platform
            .db
            .read(move |c| service::report_inputs(c, &vid, &s))
            .await?;
        let generated_at = now();
        let (by, at, s) = (
            caller.principal.name.clone(),
            generated_at.clone(),
            spec.clone(),
        );
        let (bytes, media_type, ext) = tokio::task::spawn_blocking(move || {
            service::render_report(&s, rows, &settings, &by, &at)
        })
        .await
        .map_err(|e| ApiError::internal(format!("report task: {e}")))??;
        let report_id = uuid::Uuid::new_v4().to_string();
        let filename = format!(
            "{}-{}.{ext}",
            spec.report_type.as_str().to_lowercase().replace('_', "-"),
            &report_id[..8]
        );
        let pending = self
            .platform
            .files
            .write_blob(
                NewFile::new(crate::SLUG, &filename)
                    .media_type(media_type)
                    .owner(&caller.principal.id)
                    .expires_in(REPORT_TTL),
                bytes,
            )
            .await?;
        let expires_at = pending
            .meta()
            .expires_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        let row = ReportRow {
            id: report_id,
            version_id,
            version_name: String::new(),
            report_type: spec.report_type,
            format: spec.format,
            generated_by: caller.principal.id.clone(),
            generated_at: generated_at.clone(),
            expires_at: expires_at.clone(),
            file_id: pending.meta().id.clone(),
            file_size: pending.meta().size,
        };
        let row = write::transact(&self.platform.db, Some(caller.principal), meta, move |w| {
            service::record_report(w, row, &pending)
        })
        .await?;
        let (url, _) = self.platform.files.signed_url(&row.file_id, REPORT_TTL);
        Ok(Json(Envelope::ok(ReportGenerated {
            report_id: row.id,
            download_url: url,
            expires_at,
            generated_at,
            file_size: row.file_size,
            message: "Report generated successfully".into(),
        })))
    }

    /// Generated reports, newest first, optionally of one version; each
    /// with a fresh signed download link until the report expires.
    #[oai(path = "/api/reports", method = "get", tag = "Tag::Reports")]
    async fn list_reports(
        &self,
        _caller: Caller<AnyRole>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Reports per page, 1 to 100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
        /// Only reports of this version.
        #[oai(name = "versionId")]
        version_id: Query<Option<String>>,
    ) -> Result<Json<Envelope<ReportList>>> {
        let pg = super::page(&self.platform, page.0, limit.0, 20)?;
        let vid = version_id.0;
        let (rows, total) = self
            .platform
            .db
            .read(move |c| service::reports(c, vid.as_deref(), pg.offset(), pg.limit))
            .await?;
        let now = chrono::Utc::now();
        let reports = rows
            .into_iter()
            .map(|r| {
                let left = chrono::DateTime::parse_from_rfc3339(&r.expires_at)
                    .map(|t| t.with_timezone(&chrono::Utc) - now)
                    .ok()
                    .and_then(|d| d.to_std().ok())
                    .filter(|d| d.as_secs() > 0);
                ReportItem {
                    download_url: left.map(|ttl| self.platform.files.signed_url(&r.file_id, ttl).0),
                    id: r.id,
                    version_id: r.version_id,
                    version_name: r.version_name,
                    report_type: r.report_type,
                    format: r.format,
                    generated_by: r.generated_by,
                    generated_at: r.generated_at,
                    expires_at: r.expires_at,
                    file_size: r.file_size,
                }
            })
            .collect();
        let info = pg.info(total);
        Ok(Json(Envelope::ok(ReportList {
            reports,
            pagination: SimplePagination {
                page: info.page,
                limit: info.limit,
                total: info.total,
                total_pages: info.total_pages,
            },
        })))
    }
}
