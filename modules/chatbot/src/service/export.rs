//! Conversation export documents (JSON, CSV) for the file store.

use frontline_platform::auth::now_iso;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::{json, Value};

use super::*;
use crate::model::ExportRequest;
use poem_openapi::types::ToJSON;

/// How long a conversation export's download link (and file) lives.
pub(crate) const EXPORT_TTL_SECS: u64 = 24 * 3600;

/// A validated export request.
#[derive(Clone)]
pub(crate) struct ExportSpec {
    pub format: String,
    pub include_metadata: bool,
    pub include_analytics: bool,
    pub start: Option<String>,
    pub end: Option<String>,
}

/// A bound as stored times are written (UTC, milliseconds); the schema
/// (`format: date-time`) has checked it is an RFC 3339 date-time.
fn rfc3339_utc(v: Option<chrono::DateTime<chrono::FixedOffset>>) -> Option<String> {
    v.map(|t| {
        t.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    })
}

/// The export's settings; `format` (json, csv) is checked by the schema, `date_range` here.
pub(crate) fn export_spec(body: &ExportRequest) -> ApiResult<ExportSpec> {
    let mut errs = vec![];
    let format = body.format.unwrap_or_default().as_str().to_string();
    let range = body.date_range.clone().unwrap_or_default();
    let start = rfc3339_utc(range.start);
    let end = rfc3339_utc(range.end);
    if let (Some(a), Some(b)) = (&start, &end) {
        if a > b {
            errs.push(FieldError::new(
                "date_range.end",
                "end must not be before start",
            ));
        }
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    Ok(ExportSpec {
        format,
        include_metadata: body.include_metadata.unwrap_or(true),
        include_analytics: body.include_analytics.unwrap_or(true),
        start,
        end,
    })
}

/// `json` or `csv`, from an export's stored file name.
pub(crate) fn export_format_of(filename: &str) -> &'static str {
    if filename.ends_with(".csv") {
        "csv"
    } else {
        "json"
    }
}

/// Builds the export document of one conversation (404 for another tenant's).
pub(crate) fn export_document(
    c: &Connection,
    tenant: &str,
    id: &str,
    spec: &ExportSpec,
) -> ApiResult<Vec<u8>> {
    let conv = load_conv(c, tenant, id)?;
    let messages = messages_between(c, tenant, id, spec.start.as_deref(), spec.end.as_deref())?;
    if spec.format == "csv" {
        // The platform's CSV writer: RFC 4180 quoting, formula cells neutralised.
        let mut w = frontline_platform::report::CsvWriter::new();
        w.record([
            "message_id",
            "timestamp",
            "direction",
            "text",
            "intent",
            "confidence_score",
            "processing_time_ms",
            "model_used",
        ])?;
        for m in &messages {
            let cell = |k: &str| match &m[k] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let text = m["content"]["text"].as_str().unwrap_or_default();
            w.record([
                cell("message_id"),
                cell("timestamp"),
                cell("direction"),
                text.to_string(),
                cell("intent"),
                cell("confidence_score"),
                cell("processing_time_ms"),
                cell("model_used"),
            ])?;
        }
        return w.finish();
    }
    let mut doc = json!({
        "conversation_id": id,
        "exported_at": now_iso(),
        "date_range": {"start": spec.start, "end": spec.end},
        "message_count": messages.len(),
        "messages": messages,
    });
    if spec.include_metadata {
        let mut m = conv.to_json().unwrap_or_else(|| json!({}));
        m["summary"] = summary_of(c, tenant, id)?.to_json().unwrap_or_default();
        doc["metadata"] = m;
    }
    if spec.include_analytics {
        doc["analytics"] = analytics_of(c, tenant, id)?.to_json().unwrap_or_default();
    }
    serde_json::to_vec_pretty(&doc)
        .map_err(|e| ApiError::internal(format!("export encoding failed: {e}")))
}

/// Exports conversation `id` of the caller's tenant into the file store
/// (one audited record) and returns its signed download link.
pub(crate) async fn export(
    platform: &frontline_platform::Platform,
    who: crate::access::Caller,
    meta: frontline_platform::http::RequestMeta,
    id: String,
    body: &ExportRequest,
) -> ApiResult<crate::model::ExportResult> {
    let spec = export_spec(body)?;
    let (tenant, conv_id, spec2) = (who.tenant_id.clone(), id.clone(), spec.clone());
    let bytes = platform
        .db
        .read(move |c| export_document(c, &tenant, &conv_id, &spec2))
        .await?;
    let ttl = std::time::Duration::from_secs(EXPORT_TTL_SECS);
    let filename = format!("{id}.{}", spec.format);
    let new = frontline_platform::files::NewFile::new(crate::SLUG, &filename)
        .media_type(if spec.format == "csv" {
            "text/csv"
        } else {
            "application/json"
        })
        .owner(&who.tenant_id)
        .expires_in(ttl);
    let pending = platform.files.write_blob(new, bytes).await?;
    let stored = platform
        .db
        .write(move |tx| {
            let f = frontline_platform::files::record(tx, &pending)?;
            WriteCtx::new(tx, who.principal.as_ref(), &meta).audit(
                crate::SLUG,
                "EXPORT",
                "conversation",
                &id,
                json!({"format": spec.format, "file_id": f.id, "bytes": f.size}),
            )?;
            Ok(f)
        })
        .await?;
    let (url, expires) = platform.files.signed_url(&stored.id, ttl);
    Ok(crate::model::ExportResult {
        export_id: format!("export_{}", stored.id),
        download_url: url,
        format: export_format_of(&stored.filename).into(),
        expires_at: expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        file_size_bytes: stored.size as i64,
    })
}
