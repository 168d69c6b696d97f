//! PDF and Excel reports of versions.

use super::*;

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
        auth: SessionOrBearer,
        meta: RequestMeta,
        #[oai(name = "versionId")] version_id: Path<String>,
        body: Json<GenerateReportRequest>,
    ) -> Result<Json<Envelope<ReportGenerated>>> {
        let principal = auth.principal().clone();
        require_role(&principal, &["ADMIN", "PLANNER", "VIEWER"])?;
        let version_id = version_id.0;
        let spec = reports::spec(&version_id, &body.0)?;
        let mut ids = vec![version_id.clone()];
        ids.extend(spec.compare_with_ids.iter().cloned());
        let (rows, settings) = self
            .platform
            .db
            .read(move |c| Ok((load_all(c, &ids)?, settings::load(c)?.0)))
            .await?;
        let generated_at = now();
        let by = principal.name.clone();
        let at = generated_at.clone();
        let spec2 = spec.clone();
        let (bytes, media_type, ext) = tokio::task::spawn_blocking(move || {
            let versions: Vec<_> = rows
                .into_iter()
                .map(|v| {
                    let p = service::project(&v.mode, &v.document, &settings);
                    (v, p)
                })
                .collect();
            let report = reports::build(&spec2, &versions, &settings.currency, &by, &at)?;
            reports::render(&report, &spec2.format)
        })
        .await
        .map_err(|e| ApiError::internal(format!("report task: {e}")))??;
        let report_id = uuid::Uuid::new_v4().to_string();
        let filename = format!(
            "{}-{}.{ext}",
            spec.report_type.to_lowercase().replace('_', "-"),
            &report_id[..8]
        );
        let pending = self
            .platform
            .files
            .write_blob(
                NewFile::new(crate::SLUG, &filename)
                    .media_type(media_type)
                    .owner(&principal.id)
                    .expires_in(REPORT_TTL),
                bytes,
            )
            .await?;
        let expires_at = pending
            .meta()
            .expires_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        let row = store::ReportRow {
            id: report_id,
            version_id: version_id.clone(),
            version_name: String::new(),
            report_type: spec.report_type.clone(),
            format: spec.format.clone(),
            generated_by: principal.id.clone(),
            generated_at: generated_at.clone(),
            expires_at: expires_at.clone(),
            file_id: pending.meta().id.clone(),
            file_size: pending.meta().size,
        };
        let row = self
            .platform
            .db
            .write(move |tx| {
                let mut row = row;
                row.version_name = store::require(tx, &row.version_id)?.name;
                files::record(tx, &pending)?;
                store::insert_report(tx, &row)?;
                audit::record(
                    tx,
                    Some(&principal),
                    &meta,
                    AuditEntry {
                        module: crate::SLUG,
                        action: "GENERATE_REPORT",
                        entity_type: "REPORT",
                        entity_id: Some(&row.id),
                        details: serde_json::json!({
                            "versionId": row.version_id,
                            "versionName": row.version_name,
                            "reportType": row.report_type,
                            "format": row.format,
                        }),
                    },
                )?;
                Ok(row)
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
        auth: SessionOrBearer,
        page: Query<Option<i64>>,
        limit: Query<Option<i64>>,
        #[oai(name = "versionId")] version_id: Query<Option<String>>,
    ) -> Result<Json<Envelope<ReportList>>> {
        require_role(auth.principal(), &["ADMIN", "PLANNER", "VIEWER"])?;
        let pg = Page::new(
            page.0,
            limit.0,
            20,
            self.platform.settings.max_page_size as u64,
        )?;
        let vid = version_id.0;
        let (rows, total) = self
            .platform
            .db
            .read(move |c| store::list_reports(c, vid.as_deref(), pg.offset(), pg.limit))
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
