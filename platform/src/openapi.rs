//! Completing each module's generated OpenAPI document so that it tells the
//! whole truth: every operation documents the error statuses the gate can
//! answer with (in the module's error body), optional fields are nullable
//! (they are sent as `null`), and 405 answers carry an `Allow` header.

use poem_openapi::registry::Registry;
use poem_openapi::types::Type;
use serde_json::{json, Map, Value};

use crate::http::ErrorEnvelope;

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// Adds the module's error responses to every operation and marks optional
/// properties nullable. Returns pretty JSON.
pub fn complete<E: ErrorEnvelope>(raw: &str) -> String {
    let Ok(mut doc) = serde_json::from_str::<Value>(raw) else {
        return raw.to_string();
    };
    let mut registry = Registry::new();
    E::Body::register(&mut registry);
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .map(std::mem::take)
        .unwrap_or_default();
    let mut schemas: Map<String, Value> = schemas;
    for (name, schema) in &registry.schemas {
        if let Ok(v) = serde_json::to_value(schema) {
            schemas.entry(name.clone()).or_insert(v);
        }
    }
    for schema in schemas.values_mut() {
        make_optional_nullable(schema);
    }
    let error_ref = E::Body::schema_ref();
    let error_schema = serde_json::to_value(&error_ref).unwrap_or(Value::Null);
    let validation = E::VALIDATION_STATUS.as_u16().to_string();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                    continue;
                };
                let has_body = op.contains_key("requestBody");
                let secured = op
                    .get("security")
                    .and_then(Value::as_array)
                    .is_some_and(|s| !s.is_empty());
                if let Some(body) = op.get_mut("requestBody") {
                    make_optional_nullable(body);
                }
                let responses = op.entry("responses").or_insert_with(|| json!({}));
                let Some(responses) = responses.as_object_mut() else {
                    continue;
                };
                for r in responses.values_mut() {
                    make_optional_nullable(r);
                }
                let mut add = |status: &str, description: &str| {
                    responses.entry(status.to_string()).or_insert_with(|| {
                        json!({
                            "description": description,
                            "content": { "application/json": { "schema": error_schema.clone() } }
                        })
                    });
                };
                add("400", "Bad request");
                add(&validation, "Validation failed");
                if secured {
                    add("401", "Authentication required or invalid");
                    add("403", "Insufficient permissions");
                }
                add("404", "Not found");
                if has_body {
                    add("413", "Request body too large");
                    add("415", "Unsupported content type");
                }
                add("429", "Rate limit exceeded");
                add("500", "Internal error");
                add("503", "Service unavailable");
            }
        }
    }
    if !schemas.is_empty() {
        let components = doc
            .as_object_mut()
            .map(|o| o.entry("components").or_insert_with(|| json!({})));
        if let Some(Value::Object(c)) = components {
            c.insert("schemas".into(), Value::Object(schemas));
        }
    }
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| raw.to_string())
}

/// Object properties that are not required may be `null` in our JSON.
fn make_optional_nullable(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let required: Vec<String> = map
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                for (name, prop) in props.iter_mut() {
                    if !required.contains(name) {
                        nullable(prop);
                    }
                }
            }
            for (_, child) in map.iter_mut() {
                make_optional_nullable(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(make_optional_nullable),
        _ => {}
    }
}

fn nullable(prop: &mut Value) {
    let Value::Object(map) = prop else { return };
    if let Some(reference) = map.remove("$ref") {
        map.insert("allOf".into(), json!([{ "$ref": reference }]));
    }
    map.insert("nullable".into(), Value::Bool(true));
}

/// The methods each documented path accepts, for `Allow` on 405 answers.
#[derive(Debug, Clone, Default)]
pub struct AllowedMethods {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl AllowedMethods {
    pub fn from_spec(spec: &str) -> AllowedMethods {
        let doc: Value = serde_json::from_str(spec).unwrap_or(Value::Null);
        let mut routes = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let methods: Vec<String> = METHODS
                    .iter()
                    .filter(|m| item.get(**m).is_some())
                    .map(|m| m.to_uppercase())
                    .collect();
                routes.push((segments(path), methods));
            }
        }
        AllowedMethods { routes }
    }

    /// `GET, POST` for a request path relative to the module base.
    pub fn allow_header(&self, path: &str) -> Option<String> {
        let parts = segments(path);
        let mut methods: Vec<String> = Vec::new();
        for (template, allowed) in &self.routes {
            let fits = template.len() == parts.len()
                && template.iter().zip(&parts).all(|(t, p)| {
                    t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty())
                });
            if fits {
                for m in allowed {
                    if !methods.contains(m) {
                        methods.push(m.clone());
                    }
                }
            }
        }
        (!methods.is_empty()).then(|| methods.join(", "))
    }
}

fn segments(path: &str) -> Vec<String> {
    path.trim_matches('/')
        .split('/')
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_methods_of_matching_templates() {
        let spec = json!({"paths": {
            "/users": {"get": {}, "post": {}},
            "/users/{id}": {"get": {}, "patch": {}, "delete": {}},
        }})
        .to_string();
        let a = AllowedMethods::from_spec(&spec);
        assert_eq!(a.allow_header("/users").as_deref(), Some("GET, POST"));
        assert_eq!(
            a.allow_header("/users/42").as_deref(),
            Some("GET, DELETE, PATCH")
        );
        assert_eq!(a.allow_header("/nothing"), None);
    }
}
