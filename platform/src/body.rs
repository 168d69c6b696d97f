//! `JsonBody<T>`: a JSON request body parsed into a typed poem-openapi
//! `Object`, so the Swagger shows its fields, with errors a user can act on.
//!
//! poem-openapi's own `Json<T>` names only the *type* that failed to parse
//! (`occurred while parsing "CreateTenantRequest"`) and quietly turns a number
//! or boolean into a string. This body first checks the JSON against `T`'s
//! registered schema and answers with one detail per bad field
//! (`configuration.chatbot.confidence_threshold: must be between 0 and 1`,
//! `permissions[1]: must be a string`, `content.text: text is required`), in
//! the module's own error body and validation status; then it parses.
//! An optional body (`T = Option<_>`) may be sent empty, with or without a
//! content type.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::error::{ContentTypeError, ParseRequestPayloadError};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::ParseFromJSON;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde_json::Value;

use crate::error::{ApiError, ApiResult, FieldError};

/// A typed JSON request body (see the module docs).
pub struct JsonBody<T>(pub T);

impl<'a, T: ParseFromJSON + Send + 'static> ApiExtractor<'a> for JsonBody<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: "application/json; charset=utf-8",
                schema: T::schema_ref(),
            }],
            required: T::IS_REQUIRED,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(ct) if !<Json<T> as Payload>::check_content_type(ct) => {
                return Err(ContentTypeError::NotSupported {
                    content_type: ct.to_string(),
                }
                .into())
            }
            None if T::IS_REQUIRED => return Err(ContentTypeError::ExpectContentType.into()),
            _ => {}
        }
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        let value = if data.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            let v: Value =
                serde_json::from_slice(&data).map_err(|err| ParseRequestPayloadError {
                    reason: err.to_string(),
                })?;
            // A body is left out or has its documented type; a literal `null`
            // is neither (an optional body must not be sent as null).
            if v.is_null() {
                return Err(ApiError::invalid(
                    "body",
                    "The request body must not be null: leave it out or send a JSON object",
                )
                .into());
            }
            v
        };
        Ok(JsonBody(parse_strict::<T>(value)?))
    }
}

/// Parses `value` as `T`, strictly: every field must have its documented JSON
/// type, length, range and enum value; every bad field is named, one detail each.
pub fn parse_strict<T: ParseFromJSON + 'static>(value: Value) -> ApiResult<T> {
    let errs = diagnose::<T>(&value);
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    T::parse_from_json(Some(value)).map_err(|e| ApiError::invalid("body", e.into_message()))
}

/// Every field of `value` that does not fit `T`'s schema, with its dotted path.
pub fn diagnose<T: ParseFromJSON + 'static>(value: &Value) -> Vec<FieldError> {
    let mut errs = vec![];
    if value.is_null() {
        if T::IS_REQUIRED {
            errs.push(FieldError::new("body", "A JSON request body is required"));
        }
        return errs;
    }
    let (registry, schema) = &*schema_of::<T>();
    check(registry, schema, value, "", &mut errs);
    errs
}

type SchemaCache = HashMap<TypeId, Arc<(Registry, MetaSchemaRef)>>;

/// `T`'s schema and the registry of the types it refers to, built once per type.
fn schema_of<T: ParseFromJSON + 'static>() -> Arc<(Registry, MetaSchemaRef)> {
    static CACHE: OnceLock<RwLock<SchemaCache>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = TypeId::of::<T>();
    if let Some(hit) = cache.read().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let mut registry = Registry::new();
    T::register(&mut registry);
    let built = Arc::new((registry, T::schema_ref()));
    if let Ok(mut c) = cache.write() {
        c.insert(key, built.clone());
    }
    built
}

fn field_name(path: &str) -> String {
    if path.is_empty() {
        "body".into()
    } else {
        path.into()
    }
}

fn resolve<'r>(registry: &'r Registry, schema: &'r MetaSchemaRef) -> Option<&'r MetaSchema> {
    match schema {
        MetaSchemaRef::Inline(s) => Some(s),
        MetaSchemaRef::Reference(name) => registry.schemas.get(name),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Enum values named in an error message; a longer list is only counted.
const MAX_NAMED_VALUES: usize = 20;

/// True when `text` matches the schema's `pattern` (an unknown pattern matches).
fn matches(pattern: &str, text: &str) -> bool {
    static CACHE: OnceLock<RwLock<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.read().ok().and_then(|c| c.get(pattern).cloned()) {
        return hit.is_none_or(|re| re.is_match(text));
    }
    let re = regex::Regex::new(pattern).ok();
    let ok = re.as_ref().is_none_or(|re| re.is_match(text));
    if let Ok(mut c) = cache.write() {
        c.insert(pattern.to_string(), re);
    }
    ok
}

/// A field's doc text as what a value must be, when it reads as one
/// ("A 3-letter ISO 4217 code in capitals, e.g. `SAR`." -> "a 3-letter ISO
/// 4217 code in capitals, e.g. SAR").
fn noun_phrase(description: &str) -> Option<String> {
    let first = description.lines().next()?.trim();
    let rest = first
        .strip_prefix("A ")
        .map(|r| format!("a {r}"))
        .or_else(|| first.strip_prefix("An ").map(|r| format!("an {r}")))?;
    Some(rest.trim_end_matches('.').replace('`', ""))
}

/// What a failed `pattern` means, in words: a regular expression is the
/// document's business, not the person typing.
fn pattern_message(pattern: &str, description: Option<&str>) -> String {
    if matches!(pattern, r"\S" | r".*\S.*" | r"^.*\S.*$" | r"[^\s]") {
        return "must not be blank".into();
    }
    match description.and_then(noun_phrase) {
        Some(what) => format!("must be {what}"),
        None => "is not in the documented format".into(),
    }
}

fn check(
    registry: &Registry,
    schema: &MetaSchemaRef,
    value: &Value,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let Some(s) = resolve(registry, schema) else {
        return;
    };
    let before = errs.len();
    for part in &s.all_of {
        check(registry, part, value, path, errs);
    }
    if errs.len() > before {
        // A field documented as "An IANA time zone, e.g. …" says that rather
        // than "one of the 597 values the document lists".
        if let Some(what) = s.description.and_then(noun_phrase) {
            for e in &mut errs[before..] {
                if e.message.starts_with("must be one of the ") {
                    e.message = format!("must be {what}");
                }
            }
        }
        return;
    }
    let wrong = |what: &str| FieldError::new(field_name(path), format!("must be {what}"));
    if !s.any_of.is_empty() {
        // One of the documented forms (e.g. a date or a date-time) must fit.
        let fits = s.any_of.iter().any(|alt| {
            let mut scratch = vec![];
            check(registry, alt, value, path, &mut scratch);
            scratch.is_empty()
        });
        if !fits {
            errs.push(match s.description.and_then(noun_phrase) {
                Some(what) => wrong(&what),
                None => FieldError::new(field_name(path), "is not in a documented form"),
            });
        }
        return;
    }
    match s.ty {
        "object" => {
            let Some(obj) = value.as_object() else {
                errs.push(wrong(if path.is_empty() {
                    "a JSON object"
                } else {
                    "an object"
                }));
                return;
            };
            for req in &s.required {
                if obj.get(*req).is_none_or(Value::is_null) {
                    errs.push(FieldError::new(
                        join(path, req),
                        format!("{req} is required"),
                    ));
                }
            }
            // In the order the document declares the fields, then any extra keys.
            for (key, prop) in &s.properties {
                if let Some(v) = obj.get(*key).filter(|v| !v.is_null()) {
                    check(registry, prop, v, &join(path, key), errs);
                }
            }
            if let Some(extra) = &s.additional_properties {
                for (key, v) in obj {
                    if !v.is_null() && !s.properties.iter().any(|(n, _)| n == key) {
                        check(registry, extra, v, &join(path, key), errs);
                    }
                }
            }
        }
        "array" => {
            let Some(items) = value.as_array() else {
                errs.push(wrong("a list"));
                return;
            };
            if let Some(max) = s.max_items {
                if items.len() > max {
                    errs.push(wrong(&format!("a list of at most {max} items")));
                    return;
                }
            }
            if let Some(min) = s.min_items.filter(|m| items.len() < *m) {
                errs.push(wrong(&format!("a list of at least {min} items")));
                return;
            }
            if s.unique_items == Some(true)
                && items
                    .iter()
                    .enumerate()
                    .any(|(i, v)| items[..i].contains(v))
            {
                errs.push(wrong("a list without repeated items"));
                return;
            }
            if let Some(item) = &s.items {
                for (i, v) in items.iter().enumerate() {
                    check(
                        registry,
                        item,
                        v,
                        &format!("{}[{i}]", field_name(path)),
                        errs,
                    );
                }
            }
        }
        "string" => {
            let Some(text) = value.as_str() else {
                errs.push(wrong("a string"));
                return;
            };
            if !s.enum_items.is_empty() && !s.enum_items.iter().any(|e| e == value) {
                let names: Vec<String> = s
                    .enum_items
                    .iter()
                    .filter_map(|e| e.as_str().map(String::from))
                    .collect();
                errs.push(if names.len() > MAX_NAMED_VALUES {
                    wrong(&format!(
                        "one of the {} values the document lists",
                        names.len()
                    ))
                } else {
                    wrong(&format!("one of {}", names.join(", ")))
                });
            } else if let Some(pattern) = s.pattern.as_deref().filter(|p| !matches(p, text)) {
                errs.push(FieldError::new(
                    field_name(path),
                    pattern_message(pattern, s.description),
                ));
            } else if let Some(min) = s.min_length.filter(|m| text.chars().count() < *m) {
                errs.push(if min == 1 {
                    FieldError::new(field_name(path), "must not be empty")
                } else {
                    wrong(&format!("at least {min} characters"))
                });
            } else if let Some(max) = s.max_length.filter(|m| text.chars().count() > *m) {
                errs.push(wrong(&format!("at most {max} characters")));
            } else if s.format == Some("date-time")
                && chrono::DateTime::parse_from_rfc3339(text).is_err()
            {
                errs.push(wrong("a date-time (RFC 3339, e.g. 2026-01-31T09:00:00Z)"));
            } else if s.format == Some("date")
                && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err()
            {
                errs.push(wrong("a date (YYYY-MM-DD)"));
            }
        }
        "integer" => {
            let unsigned = s.format.is_some_and(|f| f.starts_with('u'));
            if !(value.is_i64() || value.is_u64()) {
                errs.push(wrong("an integer"));
            } else if unsigned && !value.is_u64() {
                errs.push(wrong("a non-negative integer"));
            } else if !unsigned && !value.is_i64() {
                errs.push(wrong("an integer below 2^63"));
            }
        }
        "number" if !value.is_number() => errs.push(wrong("a number")),
        "boolean" if !value.is_boolean() => errs.push(wrong("true or false")),
        _ => {}
    }
    if errs.len() == before {
        if let Some(x) = value.as_f64() {
            if s.minimum.is_some_and(|m| x < m) || s.maximum.is_some_and(|m| x > m) {
                errs.push(wrong(&format!(
                    "between {} and {}",
                    s.minimum.map(|m| m.to_string()).unwrap_or("-∞".into()),
                    s.maximum.map(|m| m.to_string()).unwrap_or("∞".into())
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem_openapi::Object;
    use serde_json::json;

    /// A nested body.
    #[derive(Object, Debug)]
    struct Inner {
        #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
        threshold: Option<f64>,
        tags: Option<Vec<String>>,
    }

    /// A body.
    #[derive(Object, Debug)]
    struct Outer {
        name: String,
        count: Option<u32>,
        inner: Option<Inner>,
    }

    fn fields(v: Value) -> Vec<(String, String)> {
        diagnose::<Outer>(&v)
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn every_bad_field_is_named_with_its_path() {
        let got = fields(json!({
            "count": -1,
            "inner": {"threshold": 1.5, "tags": ["a", 5]}
        }));
        assert_eq!(
            got,
            vec![
                ("name".into(), "name is required".into()),
                ("count".into(), "must be a non-negative integer".into()),
                ("inner.threshold".into(), "must be between 0 and 1".into()),
                ("inner.tags[1]".into(), "must be a string".into()),
            ]
        );
    }

    /// A body with list and text rules.
    #[derive(Object, Debug)]
    struct Lists {
        #[oai(validator(min_items = 2, unique_items = true))]
        ids: Vec<String>,
        /// A 3-letter code in capitals, e.g. `SAR`.
        #[oai(validator(pattern = "^[A-Z]{3}$"))]
        code: Option<String>,
        /// Free text.
        #[oai(validator(pattern = "\\S"))]
        note: Option<String>,
    }

    #[test]
    fn list_sizes_repeats_and_patterns_are_named() {
        let got: Vec<(String, String)> = diagnose::<Lists>(&json!({"ids": ["a"], "code": "abc"}))
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect();
        assert_eq!(
            got,
            vec![
                ("ids".into(), "must be a list of at least 2 items".into()),
                (
                    "code".into(),
                    "must be a 3-letter code in capitals, e.g. SAR".into()
                ),
            ]
        );
        let got = diagnose::<Lists>(&json!({"ids": ["a", "a"]}));
        assert_eq!(got[0].message, "must be a list without repeated items");
        let got = diagnose::<Lists>(&json!({"ids": ["a", "b"], "note": "   "}));
        assert_eq!(got[0].message, "must not be blank");
        assert!(parse_strict::<Lists>(json!({"ids": ["a", "b"], "code": "SAR"})).is_ok());
    }

    #[test]
    fn a_number_is_not_a_string_and_good_bodies_parse() {
        assert_eq!(
            fields(json!({"name": 5})),
            vec![("name".into(), "must be a string".into())]
        );
        let ok = parse_strict::<Outer>(json!({"name": "x", "inner": {"threshold": 0.5}}))
            .expect("parses");
        assert_eq!(ok.name, "x");
        assert!(parse_strict::<Outer>(Value::Null).is_err());
        assert!(parse_strict::<Option<Outer>>(Value::Null)
            .expect("optional")
            .is_none());
    }
}
