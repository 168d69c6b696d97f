//! Completing each module's generated OpenAPI document so that it tells the
//! whole truth: every operation documents the error statuses the gate can
//! answer with (in the module's error body), optional fields are nullable
//! (they are sent as `null`), and 405 answers carry an `Allow` header.

use poem_openapi::registry::Registry;
use poem_openapi::types::Type;
use serde_json::{json, Map, Value};

use crate::error::ErrorCode;
use crate::http::{error_statuses, ErrorEnvelope, StatusWhen};

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
    let statuses = error_statuses(E::VALIDATION_STATUS);
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
                for s in &statuses {
                    let applies = match s.when {
                        StatusWhen::Always => true,
                        StatusWhen::Secured => secured,
                        StatusWhen::WithBody => has_body,
                        StatusWhen::Handler => false,
                    };
                    if applies {
                        responses.entry(s.status.to_string()).or_insert_with(|| {
                            json!({
                                "description": s.description,
                                "content": { "application/json": { "schema": error_schema.clone() } }
                            })
                        });
                    }
                }
                if !E::ERROR_CODES.is_empty() {
                    list_codes(responses, E::ERROR_CODES, E::VALIDATION_STATUS);
                }
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

/// Appends to each error response's description the module's codes that
/// answer with its status: "Not found. Codes: `SCENARIO_NOT_FOUND` (No
/// scenario has this id), …".
fn list_codes(
    responses: &mut Map<String, Value>,
    codes: &[ErrorCode],
    validation: poem::http::StatusCode,
) {
    for (status, response) in responses.iter_mut() {
        let Ok(status) = status.parse::<u16>() else {
            continue;
        };
        let listed: Vec<String> = codes
            .iter()
            .filter(|c| c.status(validation).as_u16() == status)
            .map(|c| format!("`{}` ({})", c.code, c.meaning))
            .collect();
        if listed.is_empty() {
            continue;
        }
        let Some(obj) = response.as_object_mut() else {
            continue;
        };
        let description = obj
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_string();
        obj.insert(
            "description".into(),
            Value::String(format!("{description}. Codes: {}.", listed.join(", "))),
        );
    }
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

    /// `GET, POST` for a request path relative to the module base: the
    /// methods of the one template the router picks for it. Like poem's
    /// router, a literal segment beats a parameter, so
    /// `/scenarios/search` does not inherit the methods of `/scenarios/{id}`.
    pub fn allow_header(&self, path: &str) -> Option<String> {
        let parts = segments(path);
        let is_param = |t: &str| t.starts_with('{') && t.ends_with('}');
        let best = self
            .routes
            .iter()
            .filter(|(template, _)| {
                template.len() == parts.len()
                    && template
                        .iter()
                        .zip(&parts)
                        .all(|(t, p)| t == p || (is_param(t) && !p.is_empty()))
            })
            // Most specific: literal where the other has a parameter, leftmost first.
            .max_by(|(a, _), (b, _)| {
                let rank = |t: &Vec<String>| t.iter().map(|s| !is_param(s)).collect::<Vec<bool>>();
                rank(a).cmp(&rank(b))
            })?;
        let methods = &best.1;
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

    #[test]
    fn allow_lists_only_the_most_specific_template() {
        let spec = json!({"paths": {
            "/admin/scenarios/{id}": {"get": {}, "put": {}, "delete": {}},
            "/admin/scenarios/search": {"get": {}},
            "/admin/scenarios/{id}/versions": {"get": {}},
            "/admin/scenarios/search/{field}": {"post": {}},
            "/admin/{kind}/search/suggest": {"get": {}},
        }})
        .to_string();
        let a = AllowedMethods::from_spec(&spec);
        assert_eq!(
            a.allow_header("/admin/scenarios/search").as_deref(),
            Some("GET")
        );
        assert_eq!(
            a.allow_header("/admin/scenarios/abc").as_deref(),
            Some("GET, PUT, DELETE")
        );
        assert_eq!(
            a.allow_header("/admin/scenarios/search/versions")
                .as_deref(),
            Some("POST")
        );
        assert_eq!(
            a.allow_header("/admin/scenarios/abc/versions").as_deref(),
            Some("GET")
        );
        assert_eq!(
            a.allow_header("/admin/things/search/suggest").as_deref(),
            Some("GET")
        );
    }

    struct Sample;

    crate::error_codes! {
        enum SampleError {
            ThingNotFound => (NotFound, "THING_NOT_FOUND", "No thing has this id"),
            OtherMissing => (NotFound, "OTHER_MISSING", "No other"),
            BadName => (Validation, "BAD_NAME", "The name is not valid"),
        }
    }

    impl ErrorEnvelope for Sample {
        type Body = crate::auth_api::PlatformErrorBody;
        const VALIDATION_STATUS: poem::http::StatusCode =
            poem::http::StatusCode::UNPROCESSABLE_ENTITY;
        const ERROR_CODES: &'static [ErrorCode] = SampleError::TABLE;
        fn render(_: &crate::ApiError, _: &crate::http::ErrorContext) -> Value {
            Value::Null
        }
    }

    #[test]
    fn error_responses_list_the_module_codes_per_status() {
        let _ = SampleError::all();
        let raw = json!({"openapi": "3.0.0", "paths": {
            "/things/{id}": {"get": {"responses": {"200": {"description": "ok"}}},
                             "put": {"security": [{"BearerAuth": []}], "requestBody": {},
                                     "responses": {"200": {"description": "ok"}}}},
        }})
        .to_string();
        let doc: Value = serde_json::from_str(&complete::<Sample>(&raw)).unwrap();
        let get = &doc["paths"]["/things/{id}"]["get"]["responses"];
        assert_eq!(
            get["404"]["description"],
            "Not found. Codes: `THING_NOT_FOUND` (No thing has this id), `OTHER_MISSING` (No other)."
        );
        assert_eq!(
            get["422"]["description"],
            "Validation failed. Codes: `BAD_NAME` (The name is not valid)."
        );
        assert_eq!(get["500"]["description"], "Internal error");
        // Public operation without a body: no 401/403/413/415; never 409 from the gate.
        for status in ["401", "403", "409", "413", "415"] {
            assert!(get.get(status).is_none(), "{status}");
        }
        let put = &doc["paths"]["/things/{id}"]["put"]["responses"];
        for status in [
            "400", "401", "403", "404", "413", "415", "422", "429", "500", "503",
        ] {
            assert!(put.get(status).is_some(), "{status}");
        }
    }
}
