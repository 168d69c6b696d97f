//! Completing each module's generated OpenAPI document so that it tells the
//! whole truth: every operation documents the error statuses the gate can
//! answer with (in the module's error body), optional fields are nullable
//! (they are sent as `null`), and 405 answers carry an `Allow` header.

use poem_openapi::registry::Registry;
use poem_openapi::types::Type;
use serde_json::{json, Map, Value};

use crate::error::{ErrorCode, FieldError};
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

/// A credential an operation's declared security schemes accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A platform token: `Authorization: Bearer …` or a session cookie.
    Token,
    /// Any value of this request header (lower case), e.g. an API key.
    Header(String),
    /// Any value of this query parameter.
    Query(String),
    /// Any value of this cookie.
    Cookie(String),
}

/// One documented operation, as the gate needs it.
#[derive(Debug, Clone)]
struct Operation {
    /// Upper case.
    method: String,
    /// `None`: public (no security, or an anonymous alternative).
    credentials: Option<Vec<Credential>>,
    /// Query/path/header parameters with a fixed value set: name, values.
    enums: Vec<(String, Vec<String>)>,
    /// Query parameters: name, required, schema (references resolved).
    query: Vec<(String, bool, Value)>,
}

/// The documented routes of a module: which methods each path accepts (for
/// `Allow` on 405 answers), which credentials each operation needs (for
/// checking credentials before input) and the value sets of enum parameters
/// (for naming them in errors).
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<Operation>)>,
}

/// The former name of [`RouteTable`].
pub type AllowedMethods = RouteTable;

impl RouteTable {
    pub fn from_spec(spec: &str) -> RouteTable {
        let doc: Value = serde_json::from_str(spec).unwrap_or(Value::Null);
        let schemes = doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object);
        let credential_of = |name: &str| -> Option<Credential> {
            let scheme = schemes?.get(name)?;
            let field = |k: &str| scheme.get(k).and_then(Value::as_str).unwrap_or_default();
            Some(match (field("type"), field("in")) {
                ("http", _) if field("scheme").eq_ignore_ascii_case("bearer") => Credential::Token,
                ("apiKey", "cookie") if crate::http::SESSION_COOKIES.contains(&field("name")) => {
                    Credential::Token
                }
                ("apiKey", "cookie") => Credential::Cookie(field("name").to_string()),
                ("apiKey", "query") => Credential::Query(field("name").to_string()),
                ("apiKey", _) => Credential::Header(field("name").to_ascii_lowercase()),
                ("oauth2" | "openIdConnect", _) => Credential::Token,
                _ => Credential::Header("authorization".into()),
            })
        };
        let mut routes = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let mut ops = Vec::new();
                for m in METHODS {
                    let Some(op) = item.get(m) else { continue };
                    let credentials =
                        op.get("security")
                            .and_then(Value::as_array)
                            .and_then(|reqs| {
                                if reqs.is_empty()
                                    || reqs.iter().any(|r| r.as_object().is_none_or(Map::is_empty))
                                {
                                    return None;
                                }
                                let mut creds: Vec<Credential> = Vec::new();
                                for name in
                                    reqs.iter().filter_map(Value::as_object).flat_map(Map::keys)
                                {
                                    // An undeclared scheme: let the handler decide.
                                    let c = credential_of(name)?;
                                    if !creds.contains(&c) {
                                        creds.push(c);
                                    }
                                }
                                Some(creds)
                            });
                    let enums = op
                        .get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|p| {
                            let name = p.get("name")?.as_str()?;
                            let values = enum_values(&doc, p.get("schema")?);
                            (!values.is_empty()).then(|| (name.to_string(), values))
                        })
                        .collect();
                    let query = op
                        .get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
                        .filter_map(|p| {
                            let name = p.get("name")?.as_str()?;
                            let required = p.get("required").and_then(Value::as_bool);
                            let schema = resolved(&doc, p.get("schema")?);
                            Some((name.to_string(), required == Some(true), schema))
                        })
                        .collect();
                    ops.push(Operation {
                        method: m.to_uppercase(),
                        credentials,
                        enums,
                        query,
                    });
                }
                routes.push((segments(path), ops));
            }
        }
        RouteTable { routes }
    }

    /// The one documented operation set the router picks for a request path
    /// relative to the module base. Like poem's router, a literal segment
    /// beats a parameter, so `/scenarios/search` does not inherit the
    /// methods of `/scenarios/{id}`.
    fn route(&self, path: &str) -> Option<&[Operation]> {
        self.best(path).map(|(_, ops)| ops.as_slice())
    }

    fn best(&self, path: &str) -> Option<&(Vec<String>, Vec<Operation>)> {
        let parts = segments(path);
        self.routes
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
            })
    }

    fn operation(&self, path: &str, method: &str) -> Option<&Operation> {
        self.route(path)?
            .iter()
            .find(|op| op.method.eq_ignore_ascii_case(method))
    }

    /// `GET, POST` for a request path relative to the module base: the
    /// methods of the one template the router picks for it.
    pub fn allow_header(&self, path: &str) -> Option<String> {
        let methods: Vec<&str> = self
            .route(path)?
            .iter()
            .map(|op| op.method.as_str())
            .collect();
        (!methods.is_empty()).then(|| methods.join(", "))
    }

    /// The credentials an operation accepts; `None` when it is public (or
    /// not documented).
    pub fn credentials(&self, path: &str, method: &str) -> Option<&[Credential]> {
        self.operation(path, method)?.credentials.as_deref()
    }

    /// The name of the `index`th path parameter of the template that serves
    /// `path` (poem-openapi reports path parameters as `param0`, `param1`, …).
    pub fn path_param(&self, path: &str, index: usize) -> Option<&str> {
        self.best(path)?
            .0
            .iter()
            .filter(|t| is_param(t))
            .nth(index)
            .map(|t| t.trim_start_matches('{').trim_end_matches('}'))
    }

    /// The router's pattern of the template that serves `path`, as poem
    /// labels it (`/users/:param0`), for metrics of answers the gate gives
    /// before routing.
    pub fn pattern(&self, path: &str) -> Option<String> {
        let mut n = 0;
        let mut out = String::new();
        for t in &self.best(path)?.0 {
            out.push('/');
            if is_param(t) {
                out.push_str(&format!(":param{n}"));
                n += 1;
            } else {
                out.push_str(t);
            }
        }
        Some(out)
    }

    /// The documented values of an enum parameter of an operation.
    pub fn enum_values(&self, path: &str, method: &str, param: &str) -> Option<&[String]> {
        self.operation(path, method)?
            .enums
            .iter()
            .find(|(name, _)| name == param)
            .map(|(_, values)| values.as_slice())
    }
}

impl RouteTable {
    /// Every documented query parameter of an operation that `query` (the
    /// raw query string) gives a value its schema refuses, or leaves out
    /// though required: one detail each, so a request with several bad
    /// parameters learns of all of them at once (the parser stops at the first).
    pub fn query_errors(&self, path: &str, method: &str, query: &str) -> Vec<FieldError> {
        let Some(op) = self.operation(path, method) else {
            return vec![];
        };
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut errs = Vec::new();
        for (name, required, schema) in &op.query {
            let values: Vec<&str> = pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect();
            if values.is_empty() {
                if *required {
                    errs.push(FieldError::new(name, "is required"));
                }
                continue;
            }
            let (item, values) = match schema.get("type").and_then(Value::as_str) {
                Some("array") => (
                    schema.get("items").cloned().unwrap_or(Value::Null),
                    values.iter().flat_map(|v| v.split(',')).collect::<Vec<_>>(),
                ),
                _ => (schema.clone(), values[..1].to_vec()),
            };
            if let Some(problem) = values.iter().find_map(|v| scalar_problem(&item, v)) {
                errs.push(FieldError::new(name, problem));
            }
        }
        errs
    }
}

/// `schema` with a top-level `$ref` / single `allOf` followed.
fn resolved(doc: &Value, schema: &Value) -> Value {
    let mut schema = schema;
    for _ in 0..4 {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(target) => schema = target,
                None => break,
            }
        } else if let Some([first]) = schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            schema = first;
        } else {
            break;
        }
    }
    schema.clone()
}

/// Why a parameter's text does not fit a scalar schema (`None`: it fits).
fn scalar_problem(schema: &Value, raw: &str) -> Option<String> {
    let num = |k: &str| schema.get(k).and_then(Value::as_f64);
    let int = |k: &str| schema.get(k).and_then(Value::as_u64).map(|n| n as usize);
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let range = |x: f64| -> Option<String> {
        if let Some(min) = num("minimum").filter(|m| x < *m) {
            return Some(format!("must be at least {min}"));
        }
        if let Some(max) = num("maximum").filter(|m| x > *m) {
            return Some(format!("must be at most {max}"));
        }
        None
    };
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => {
            let unsigned = format.starts_with('u');
            match raw.parse::<i64>() {
                Ok(n) if unsigned && n < 0 => Some("must be a non-negative integer".into()),
                Ok(n) => range(n as f64),
                Err(_) if unsigned && raw.parse::<u64>().is_ok() => None,
                Err(_) if unsigned => Some("must be a non-negative integer".into()),
                Err(_) => Some("must be an integer".into()),
            }
        }
        Some("number") => match raw.parse::<f64>() {
            Ok(x) if x.is_finite() => range(x),
            _ => Some("must be a number".into()),
        },
        Some("boolean") => {
            (!matches!(raw, "true" | "false")).then(|| "must be true or false".into())
        }
        Some("string") => {
            let values = enum_values(&Value::Null, schema);
            if !values.is_empty() && !values.iter().any(|v| v == raw) {
                return Some(if values.len() > 20 {
                    format!(
                        "must be one of the {} values the document lists",
                        values.len()
                    )
                } else {
                    format!("must be one of {}", values.join(", "))
                });
            }
            let chars = raw.chars().count();
            if let Some(min) = int("minLength").filter(|m| chars < *m) {
                return Some(if min == 1 {
                    "must not be empty".into()
                } else {
                    format!("must be at least {min} characters")
                });
            }
            if let Some(max) = int("maxLength").filter(|m| chars > *m) {
                return Some(format!("must be at most {max} characters"));
            }
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
                if regex::Regex::new(pattern).is_ok_and(|re| !re.is_match(raw)) {
                    return Some("is not in the documented format".into());
                }
            }
            match format {
                "date-time" if chrono::DateTime::parse_from_rfc3339(raw).is_err() => {
                    Some("must be a date-time (RFC 3339, e.g. 2026-01-31T09:00:00Z)".into())
                }
                "date" if chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").is_err() => {
                    Some("must be a date (YYYY-MM-DD)".into())
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The values of an enum schema (inline, `$ref`, `allOf` or array items).
fn enum_values(doc: &Value, schema: &Value) -> Vec<String> {
    let mut schema = schema;
    for _ in 0..4 {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let Some(target) = r.strip_prefix('#').and_then(|p| doc.pointer(p)) else {
                return vec![];
            };
            schema = target;
        } else if let Some(first) = schema
            .get("allOf")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            schema = first;
        } else if let Some(items) = schema.get("items") {
            schema = items;
        } else {
            break;
        }
    }
    schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
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
