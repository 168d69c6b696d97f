//! Domain rules of training scenarios: permissions, validation, slugs, ids,
//! merging, version differences and template variables. No HTTP types here.

use frontline_platform::auth::Principal;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rand::Rng;
use serde_json::{json, Map, Value};

use crate::SLUG;

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

/// Training admins (and platform admins) see and manage everything.
pub fn is_training_admin(p: &Principal) -> bool {
    p.is_admin() || p.has_role(SLUG, "admin")
}

/// `prefix_` followed by 10 random base62 characters.
pub fn new_id(prefix: &str) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    let s: String = (0..10)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect();
    format!("{prefix}_{s}")
}

/// Current time as `2025-10-17T10:00:00.000Z`.
pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
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

struct V {
    errors: Vec<FieldError>,
}

impl V {
    fn err(&mut self, f: &str, m: impl Into<String>) {
        if !self.errors.iter().any(|e| e.field == f) {
            self.errors.push(FieldError::new(f, m));
        }
    }
    fn string(
        &mut self,
        doc: &Value,
        f: &str,
        label: &str,
        min: usize,
        max: usize,
        required: bool,
    ) {
        match lookup(doc, f) {
            None | Some(Value::Null) => {
                if required {
                    self.err(f, format!("{label} is required"));
                }
            }
            Some(Value::String(s)) => {
                let n = s.trim().chars().count();
                if n < min {
                    self.err(f, format!("{label} must be at least {min} characters"));
                } else if s.chars().count() > max {
                    self.err(f, format!("{label} must be at most {max} characters"));
                }
            }
            Some(_) => self.err(f, format!("{label} must be a string")),
        }
    }
    fn number(&mut self, doc: &Value, f: &str, label: &str, min: f64, max: f64, integer: bool) {
        match lookup(doc, f) {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                if integer && x.fract() != 0.0 {
                    self.err(f, format!("{label} must be a whole number"));
                } else if !(min..=max).contains(&x) {
                    self.err(f, format!("{label} must be between {min} and {max}"));
                }
            }
            Some(_) => self.err(f, format!("{label} must be a number")),
        }
    }
    fn enumeration(&mut self, doc: &Value, f: &str, label: &str, allowed: &[&str], required: bool) {
        match lookup(doc, f) {
            None | Some(Value::Null) => {
                if required {
                    self.err(f, format!("{label} is required"));
                }
            }
            Some(Value::String(s)) if allowed.contains(&s.as_str()) => {}
            Some(_) => self.err(f, format!("{label} must be one of: {}", allowed.join(", "))),
        }
    }
    fn object(&mut self, doc: &Value, f: &str, label: &str) -> bool {
        match lookup(doc, f) {
            None | Some(Value::Null) => false,
            Some(Value::Object(_)) => true,
            Some(_) => {
                self.err(f, format!("{label} must be an object"));
                false
            }
        }
    }
    fn strings(&mut self, doc: &Value, f: &str, label: &str, max_items: usize, max_len: usize) {
        match lookup(doc, f) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                if items.len() > max_items {
                    self.err(f, format!("{label} may hold at most {max_items} items"));
                }
                for s in items {
                    match s.as_str() {
                        Some(s) if !s.trim().is_empty() && s.chars().count() <= max_len => {}
                        _ => {
                            self.err(
                                f,
                                format!("{label} must be non-empty strings of at most {max_len} characters"),
                            );
                        }
                    }
                }
            }
            Some(_) => self.err(f, format!("{label} must be an array of strings")),
        }
    }
    fn boolean(&mut self, doc: &Value, f: &str, label: &str) {
        if let Some(v) = lookup(doc, f) {
            if !v.is_null() && !v.is_boolean() {
                self.err(f, format!("{label} must be true or false"));
            }
        }
    }
}

/// The value at a dotted path.
pub fn lookup<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = doc;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    Some(cur)
}

/// Validates a whole scenario document (content fields plus `status`);
/// one detail per bad field.
pub fn validate(doc: &Value) -> ApiResult<()> {
    let mut v = V { errors: Vec::new() };
    if !doc.is_object() {
        return Err(ApiError::invalid("body", "The body must be a JSON object"));
    }
    v.string(doc, "name", "Name", 3, 200, true);
    v.string(doc, "description", "Description", 0, 5000, false);
    v.enumeration(doc, "category", "Category", CATEGORIES, true);
    v.enumeration(doc, "difficulty", "Difficulty", DIFFICULTIES, true);
    v.enumeration(doc, "status", "Status", WRITABLE_STATUSES, false);
    v.number(
        doc,
        "estimatedDuration",
        "Estimated duration",
        1.0,
        240.0,
        true,
    );
    v.strings(doc, "tags", "Tags", 20, 50);
    v.boolean(doc, "isPrivate", "isPrivate");
    if let Some(t) = doc.get("tenantId") {
        if !t.is_null() && !t.is_string() {
            v.err("tenantId", "tenantId must be a string or null");
        }
    }
    if v.object(doc, "customerProfile", "Customer profile") {
        v.string(doc, "customerProfile.name", "Customer name", 1, 100, false);
        v.number(doc, "customerProfile.age", "Age", 16.0, 120.0, true);
        v.number(
            doc,
            "customerProfile.initialMood",
            "Initial mood",
            0.0,
            100.0,
            true,
        );
        v.strings(doc, "customerProfile.personality", "Personality", 10, 50);
        v.string(
            doc,
            "customerProfile.speakingStyle",
            "Speaking style",
            0,
            500,
            false,
        );
        v.string(
            doc,
            "customerProfile.backgroundStory",
            "Background story",
            0,
            5000,
            false,
        );
        v.string(
            doc,
            "customerProfile.voiceProfileId",
            "Voice profile",
            0,
            100,
            false,
        );
    }
    if v.object(doc, "context", "Context") {
        v.string(doc, "context.companyName", "Company name", 0, 200, false);
        v.string(doc, "context.industry", "Industry", 0, 100, false);
        v.string(
            doc,
            "context.productService",
            "Product or service",
            0,
            500,
            false,
        );
        v.string(doc, "context.issue", "Issue", 0, 2000, false);
        v.object(doc, "context.contextDetails", "Context details");
        v.number(
            doc,
            "context.priorInteractions",
            "Prior interactions",
            0.0,
            1000.0,
            true,
        );
    }
    if v.object(doc, "aiConfig", "AI configuration") {
        v.string(
            doc,
            "aiConfig.systemPrompt",
            "System prompt",
            0,
            20000,
            false,
        );
        match lookup(doc, "aiConfig.temperature") {
            Some(Value::Number(n)) if (0.0..=2.0).contains(&n.as_f64().unwrap_or(-1.0)) => {}
            None | Some(Value::Null) => {}
            Some(_) => v.err(
                "aiConfig.temperature",
                "Temperature must be between 0 and 2",
            ),
        }
        v.number(
            doc,
            "aiConfig.interruptionRate",
            "Interruption rate",
            0.0,
            1.0,
            false,
        );
        v.number(
            doc,
            "aiConfig.escalationThreshold",
            "Escalation threshold",
            0.0,
            100.0,
            false,
        );
        match lookup(doc, "aiConfig.emotionalTriggers") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, t) in items.iter().enumerate() {
                    let ok_trigger = t
                        .get("trigger")
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.is_empty());
                    let ok_change = t
                        .get("moodChange")
                        .and_then(Value::as_f64)
                        .is_some_and(|x| (-100.0..=100.0).contains(&x));
                    if !ok_trigger || !ok_change {
                        v.err(
                            &format!("aiConfig.emotionalTriggers[{i}]"),
                            "Each trigger needs a trigger name and a moodChange between -100 and 100",
                        );
                    }
                }
            }
            Some(_) => v.err(
                "aiConfig.emotionalTriggers",
                "Emotional triggers must be an array",
            ),
        }
    }
    if v.object(doc, "successCriteria", "Success criteria") {
        v.string(
            doc,
            "successCriteria.targetOutcome",
            "Target outcome",
            0,
            1000,
            false,
        );
        v.strings(
            doc,
            "successCriteria.acceptableSolutions",
            "Acceptable solutions",
            50,
            500,
        );
        v.strings(
            doc,
            "successCriteria.mustUseKeywords",
            "Must-use keywords",
            50,
            100,
        );
        v.strings(
            doc,
            "successCriteria.avoidKeywords",
            "Avoid keywords",
            50,
            100,
        );
        v.number(
            doc,
            "successCriteria.timeLimit",
            "Time limit",
            1.0,
            7200.0,
            true,
        );
    }
    if v.object(doc, "evaluationWeights", "Evaluation weights") {
        let before = v.errors.len();
        for k in WEIGHT_KEYS {
            let f = format!("evaluationWeights.{k}");
            v.number(doc, &f, &format!("The {k} weight"), 0.0, 100.0, false);
        }
        let mut total: f64 = WEIGHT_KEYS
            .iter()
            .filter_map(|k| doc["evaluationWeights"].get(*k).and_then(Value::as_f64))
            .sum();
        match lookup(doc, "evaluationWeights.customMetrics") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, m) in items.iter().enumerate() {
                    let name_ok = m
                        .get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.trim().is_empty());
                    let w = m
                        .get("weight")
                        .and_then(Value::as_f64)
                        .filter(|w| (0.0..=100.0).contains(w));
                    if !name_ok || w.is_none() {
                        v.err(
                            &format!("evaluationWeights.customMetrics[{i}]"),
                            "Each custom metric needs a name and a weight between 0 and 100",
                        );
                    }
                    total += w.unwrap_or(0.0);
                }
            }
            Some(_) => v.err(
                "evaluationWeights.customMetrics",
                "Custom metrics must be an array",
            ),
        }
        if v.errors.len() == before && (total - 100.0).abs() > 1e-6 {
            v.err(
                "evaluationWeights",
                format!("Evaluation weights must total 100 (they total {total})"),
            );
        }
    }
    if v.errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(v.errors))
    }
}

/// One difference between two snapshots.
pub fn diff(old: &Value, new: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    diff_at("", old, new, &mut out);
    out
}

fn diff_at(path: &str, old: &Value, new: &Value, out: &mut Vec<Value>) {
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

fn change(path: &str, field: &str, old: &Value, new: &Value, kind: &str) -> Value {
    json!({ "path": path, "field": field, "oldValue": old, "newValue": new, "changeType": kind })
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
        assert_eq!(d[0]["changeType"], "added");
        let d = diff(
            &json!({"aiConfig": {"temperature": 0.8}}),
            &json!({"aiConfig": {"temperature": 0.85}}),
        );
        assert_eq!(d[0]["path"], "aiConfig.temperature");
        assert_eq!(d[0]["field"], "temperature");
        assert_eq!(d[0]["changeType"], "modified");
    }

    #[test]
    fn typed_substitution() {
        let mut m = Map::new();
        m.insert("n".into(), json!(75));
        assert_eq!(substitute(&json!("{{n}}"), &m), json!(75));
        assert_eq!(substitute(&json!("${{n}} more"), &m), json!("$75 more"));
    }
}
