//! Domain rules of training scenarios: permissions, validation, slugs, ids,
//! merging, version differences and template variables, and (one file per
//! route family) the operations the handlers call, each in the handler's one
//! transaction: writes take its [`WriteCtx`] and record their audit entry and
//! event there. No HTTP types here; SQL only through `store`.

use frontline_platform::auth::Principal;
use frontline_platform::body::diagnose;
use frontline_platform::{ApiError, ApiResult, FieldError};
use serde_json::{Map, Value};

pub use crate::model::shared::{is_training_admin, new_id, now};
use frontline_platform::write::WriteCtx;

use crate::model::{labelled, CreateScenarioRequest, Difference, TrainingError};
use crate::store::{self, Scenario};
use crate::SLUG;

pub mod abtests;
pub mod analytics;
pub mod comments;
pub mod scenarios;
pub mod templates;
pub mod transfer;
pub mod versions;
pub mod webhooks;

pub const CATEGORIES: &[&str] = &[
    "BILLING_PAYMENTS",
    "TECHNICAL_SUPPORT",
    "ACCOUNT_MANAGEMENT",
    "COMPLAINTS",
    "CUSTOMER_SERVICE",
    "ONBOARDING",
    "RETENTION",
    "SALES",
];
pub const DIFFICULTIES: &[&str] = &["BEGINNER", "INTERMEDIATE", "ADVANCED", "EXPERT"];
pub const STATUSES: &[&str] = &[
    "DRAFT",
    "PENDING_REVIEW",
    "APPROVED",
    "PUBLISHED",
    "ARCHIVED",
];
/// Statuses a scenario may be written with directly (publishing and
/// archiving have their own endpoints).
pub const WRITABLE_STATUSES: &[&str] = &["DRAFT", "PENDING_REVIEW", "APPROVED"];
pub const WEIGHT_KEYS: &[&str] = &["greeting", "listening", "solution", "empathy", "closing"];

/// The fields that make up a scenario's content (and a version snapshot).
pub const CONTENT_FIELDS: &[&str] = &[
    "name",
    "description",
    "category",
    "difficulty",
    "estimatedDuration",
    "tags",
    "customerProfile",
    "context",
    "aiConfig",
    "successCriteria",
    "evaluationWeights",
    "isPrivate",
    "tenantId",
    "isTemplate",
];

/// Permissions of the document, granted by training roles.
pub fn permissions(p: &Principal) -> Vec<&'static str> {
    if p.is_admin() || p.has_role(SLUG, "admin") {
        return vec![
            "scenario:read",
            "template:read",
            "scenario:create",
            "scenario:update",
            "scenario:publish",
            "scenario:delete",
            "scenario:admin",
        ];
    }
    let mut out = Vec::new();
    if p.has_role(SLUG, "viewer") || p.has_role(SLUG, "editor") || p.has_role(SLUG, "publisher") {
        out.extend(["scenario:read", "template:read"]);
    }
    if p.has_role(SLUG, "editor") || p.has_role(SLUG, "publisher") {
        out.extend(["scenario:create", "scenario:update"]);
    }
    if p.has_role(SLUG, "publisher") {
        out.extend(["scenario:publish", "scenario:delete"]);
    }
    out
}

/// The signed-in caller of a write (every training write has one).
pub(crate) fn caller<'a>(w: &WriteCtx<'a>) -> ApiResult<&'a Principal> {
    w.principal()
        .ok_or_else(|| TrainingError::Unauthorized.error())
}

/// Emits event `event_type` about the scenario `data.scenarioId` to that
/// scenario's audience ([`store::scenario_audience`]), in the change's
/// transaction.
pub(crate) fn emit(w: &WriteCtx<'_>, event_type: &str, data: Value) -> ApiResult<()> {
    let audience =
        store::scenario_audience(w.tx(), data["scenarioId"].as_str().unwrap_or_default())?;
    w.emit(SLUG, event_type, &data, &audience)?;
    Ok(())
}

/// The data of an event about `s`: its id, name and status, plus `extra`.
pub(crate) fn event_data(s: &Scenario, extra: Value) -> Value {
    let mut d = serde_json::json!({ "scenarioId": s.id, "name": s.name, "status": s.status });
    if let (Some(o), Some(e)) = (d.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
    }
    d
}

/// 403 unless the principal holds `perm`.
pub fn require(p: &Principal, perm: &str) -> ApiResult<()> {
    if permissions(p).contains(&perm) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "This action needs the {perm} permission"
        )))
    }
}

/// `Billing Dispute - Overcharge` -> `billing-dispute-overcharge`.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars().flat_map(|c| c.to_lowercase()) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "scenario".into()
    } else {
        out.chars().take(120).collect()
    }
}

/// Keeps only the content fields of a request body.
pub fn content_of(body: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(obj) = body.as_object() {
        for k in CONTENT_FIELDS {
            if let Some(v) = obj.get(*k) {
                out.insert((*k).to_string(), v.clone());
            }
        }
    }
    out
}

/// Deep merge: objects merge key by key, anything else replaces.
pub fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// Validates a whole scenario document (content fields plus `status`):
/// first against the document's schema of a scenario
/// ([`CreateScenarioRequest`]: types, lengths, ranges, enums, required
/// fields), one detail per bad field; then the rules a schema cannot say
/// ([`domain_rules`]).
pub fn validate(doc: &Value) -> ApiResult<()> {
    let errs = diagnose::<CreateScenarioRequest>(doc);
    if !errs.is_empty() {
        return Err(ApiError::validation(labelled(&errs)));
    }
    domain_rules(doc)
}

/// A name of at least 3 characters besides spaces; evaluation weights
/// (the five criteria and the custom metrics) that total 100.
pub fn domain_rules(doc: &Value) -> ApiResult<()> {
    let mut errors = Vec::new();
    if let Some(name) = doc.get("name").and_then(Value::as_str) {
        if name.trim().chars().count() < 3 {
            errors.push(FieldError::new(
                "name",
                "Name must be at least 3 characters",
            ));
        }
    }
    if let Some(w) = doc.get("evaluationWeights").filter(|w| w.is_object()) {
        let standard: f64 = WEIGHT_KEYS
            .iter()
            .filter_map(|k| w.get(*k).and_then(Value::as_f64))
            .sum();
        let custom: f64 = w
            .get("customMetrics")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| m.get("weight").and_then(Value::as_f64))
            .sum();
        let total = standard + custom;
        if (total - 100.0).abs() > 1e-6 {
            errors.push(FieldError::new(
                "evaluationWeights",
                format!("Evaluation weights must total 100 (they total {total})"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// One difference between two snapshots.
pub fn diff(old: &Value, new: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    diff_at("", old, new, &mut out);
    out
}

fn diff_at(path: &str, old: &Value, new: &Value, out: &mut Vec<Difference>) {
    if let (Value::Object(a), Value::Object(b)) = (old, new) {
        let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            match (a.get(k), b.get(k)) {
                (Some(x), Some(y)) => diff_at(&p, x, y, out),
                (None, Some(y)) => out.push(change(&p, k, &Value::Null, y, "added")),
                (Some(x), None) => out.push(change(&p, k, x, &Value::Null, "removed")),
                (None, None) => {}
            }
        }
        return;
    }
    if old == new {
        return;
    }
    let field = path.rsplit('.').next().unwrap_or(path);
    let kind = match (old, new) {
        (Value::Null, _) => "added",
        (_, Value::Null) => "removed",
        (Value::Array(a), Value::Array(b)) => {
            if b.len() > a.len() && a.iter().all(|x| b.contains(x)) {
                "added"
            } else if a.len() > b.len() && b.iter().all(|x| a.contains(x)) {
                "removed"
            } else {
                "modified"
            }
        }
        _ => "modified",
    };
    out.push(change(path, field, old, new, kind));
}

fn change(path: &str, field: &str, old: &Value, new: &Value, kind: &str) -> Difference {
    Difference {
        path: path.into(),
        field: field.into(),
        old_value: old.clone(),
        new_value: new.clone(),
        change_type: kind.into(),
    }
}

/// Checks the values given for a template's variables (required, typed) and
/// returns them with defaults filled in.
pub fn template_values(variables: &Value, given: &Value) -> ApiResult<Map<String, Value>> {
    let given = match given {
        Value::Null => Map::new(),
        Value::Object(m) => m.clone(),
        _ => {
            return Err(ApiError::invalid(
                "variables",
                "variables must be an object",
            ))
        }
    };
    let mut errors = Vec::new();
    let mut out = Map::new();
    for var in variables.as_array().into_iter().flatten() {
        let key = var["key"].as_str().unwrap_or_default();
        let label = var["label"].as_str().unwrap_or(key);
        let ty = var["type"].as_str().unwrap_or("text");
        let field = format!("variables.{key}");
        let value = given
            .get(key)
            .filter(|v| !v.is_null())
            .or(var.get("default"));
        match value {
            None => {
                if var["required"].as_bool().unwrap_or(false) {
                    errors.push(FieldError::new(field, format!("{label} is required")));
                }
            }
            Some(v) => {
                let ok = match ty {
                    "number" => v.is_number(),
                    "boolean" => v.is_boolean(),
                    "select" => var["options"].as_array().is_some_and(|o| o.contains(v)),
                    _ => v.as_str().is_some_and(|s| !s.trim().is_empty()),
                };
                if ok {
                    out.insert(key.to_string(), v.clone());
                } else {
                    let what = match ty {
                        "number" => "a number",
                        "boolean" => "true or false",
                        "select" => "one of the listed options",
                        _ => "non-empty text",
                    };
                    errors.push(FieldError::new(field, format!("{label} must be {what}")));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Replaces `{{key}}` placeholders: a string that is exactly one placeholder
/// takes the value with its type, others get the text substituted.
pub fn substitute(body: &Value, values: &Map<String, Value>) -> Value {
    match body {
        Value::String(s) => {
            let t = s.trim();
            if let Some(key) = t.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")) {
                if !key.contains("{{") {
                    if let Some(v) = values.get(key) {
                        return v.clone();
                    }
                }
            }
            let mut out = s.clone();
            for (k, v) in values {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out = out.replace(&format!("{{{{{k}}}}}"), &text);
            }
            Value::String(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute(x, values)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), substitute(v, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Billing Dispute - Overcharge"),
            "billing-dispute-overcharge"
        );
        assert_eq!(slugify("  ¡Hola!  "), "hola");
    }

    #[test]
    fn array_growth_is_an_addition() {
        let d = diff(&json!({"tags": ["a"]}), &json!({"tags": ["a", "b"]}));
        assert_eq!(d[0].change_type, "added");
        let d = diff(
            &json!({"aiConfig": {"temperature": 0.8}}),
            &json!({"aiConfig": {"temperature": 0.85}}),
        );
        assert_eq!(d[0].path, "aiConfig.temperature");
        assert_eq!(d[0].field, "temperature");
        assert_eq!(d[0].change_type, "modified");
    }

    #[test]
    fn typed_substitution() {
        let mut m = Map::new();
        m.insert("n".into(), json!(75));
        assert_eq!(substitute(&json!("{{n}}"), &m), json!(75));
        assert_eq!(substitute(&json!("${{n}} more"), &m), json!("$75 more"));
    }
}
