//! Conversation export documents (JSON, CSV) for the file store.

use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::{json, Value};

use super::*;

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

fn rfc3339_utc(v: &Value, field: &str, errs: &mut Vec<FieldError>) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => Some(
                t.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ),
            Err(_) => {
                errs.push(FieldError::new(field, "must be an RFC 3339 date-time"));
                None
            }
        },
        _ => {
            errs.push(FieldError::new(field, "must be an RFC 3339 date-time"));
            None
        }
    }
}

/// Validates `format` (json, csv), the include flags and `date_range`.
pub(crate) fn export_spec(body: &Value) -> ApiResult<ExportSpec> {
    let mut errs = vec![];
    let format = str_of(body, "format")
        .unwrap_or_else(|| "json".into())
        .to_lowercase();
    if !["json", "csv"].contains(&format.as_str()) {
        errs.push(FieldError::new("format", "format must be json or csv"));
    }
    let flag = |k: &str, errs: &mut Vec<FieldError>| match body.get(k) {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errs.push(FieldError::new(k, format!("{k} must be a boolean")));
            true
        }
    };
    let include_metadata = flag("include_metadata", &mut errs);
    let include_analytics = flag("include_analytics", &mut errs);
    let range = body.get("date_range").cloned().unwrap_or(Value::Null);
    if !(range.is_null() || range.is_object()) {
        errs.push(FieldError::new(
            "date_range",
            "date_range must be an object with start and end",
        ));
    }
    let start = rfc3339_utc(
        range.get("start").unwrap_or(&Value::Null),
        "date_range.start",
        &mut errs,
    );
    let end = rfc3339_utc(
        range.get("end").unwrap_or(&Value::Null),
        "date_range.end",
        &mut errs,
    );
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
        include_metadata,
        include_analytics,
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

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
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
        let mut out = String::from("message_id,timestamp,direction,text,intent,confidence_score,processing_time_ms,model_used\n");
        for m in &messages {
            let cell = |k: &str| match &m[k] {
                Value::Null => String::new(),
                Value::String(s) => csv_field(s),
                other => csv_field(&other.to_string()),
            };
            let text = m["content"]["text"]
                .as_str()
                .map(csv_field)
                .unwrap_or_default();
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                cell("message_id"),
                cell("timestamp"),
                cell("direction"),
                text,
                cell("intent"),
                cell("confidence_score"),
                cell("processing_time_ms"),
                cell("model_used")
            ));
        }
        return Ok(out.into_bytes());
    }
    let mut doc = json!({
        "conversation_id": id,
        "exported_at": now_iso(),
        "date_range": {"start": spec.start, "end": spec.end},
        "message_count": messages.len(),
        "messages": messages,
    });
    if spec.include_metadata {
        let mut m = conv.clone();
        m["summary"] = summary_of(c, tenant, id)?;
        doc["metadata"] = m;
    }
    if spec.include_analytics {
        doc["analytics"] = analytics_of(c, tenant, id)?;
    }
    serde_json::to_vec_pretty(&doc)
        .map_err(|e| ApiError::internal(format!("export encoding failed: {e}")))
}
