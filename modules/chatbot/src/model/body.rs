//! `TypedJson<T>`: a JSON request body parsed into a typed poem-openapi
//! `Object` (so the Swagger shows its fields) whose type errors name the
//! field. poem-openapi's own `Json<T>` reports the *type* that failed
//! (`occurred while parsing "CreateTenantRequest"`); this body walks the
//! registered schema instead and answers 400 with one detail per bad field
//! (`configuration.chatbot.confidence_threshold: must be a number`). It is
//! also strict where poem-openapi coerces (a number or boolean given for a
//! string is refused).

use frontline_platform::{ApiError, FieldError};
use poem::{FromRequest, Request, RequestBody};
use poem_openapi::error::ParseRequestPayloadError;
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde_json::Value;

/// A typed JSON request body (see the module docs).
pub struct TypedJson<T>(pub T);

impl<T: Type> Payload for TypedJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for TypedJson<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        let value = if data.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&data).map_err(|err| ParseRequestPayloadError {
                reason: err.to_string(),
            })?
        };
        // Strict first (poem-openapi would take `5` for a string), every bad
        // field at once; then the typed parse.
        let errs = diagnose::<T>(&value);
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        T::parse_from_json(Some(value))
            .map(TypedJson)
            .map_err(|err| ApiError::invalid("body", err.into_message()).into())
    }
}

impl<'a, T: ParseFromJSON> ApiExtractor<'a> for TypedJson<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(ct) if Self::check_content_type(ct) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(ct) => Err(poem_openapi::error::ContentTypeError::NotSupported {
                content_type: ct.to_string(),
            }
            .into()),
            None => Err(poem_openapi::error::ContentTypeError::ExpectContentType.into()),
        }
    }
}

/// Every field of `value` that does not fit `T`'s schema, with its dotted path.
pub fn diagnose<T: Type>(value: &Value) -> Vec<FieldError> {
    let mut registry = Registry::new();
    T::register(&mut registry);
    let mut errs = vec![];
    check(&registry, &T::schema_ref(), value, "", &mut errs);
    errs
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
        return;
    }
    let wrong = |what: &str| FieldError::new(field_name(path), format!("must be {what}"));
    match s.ty {
        "object" => {
            let Some(obj) = value.as_object() else {
                let what = if path.is_empty() {
                    "a JSON object"
                } else {
                    "an object"
                };
                errs.push(wrong(what));
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
            for (key, v) in obj {
                if v.is_null() {
                    continue;
                }
                let sub = join(path, key);
                if let Some((_, prop)) = s.properties.iter().find(|(n, _)| n == key) {
                    check(registry, prop, v, &sub, errs);
                } else if let Some(extra) = &s.additional_properties {
                    check(registry, extra, v, &sub, errs);
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
                errs.push(wrong(&format!("one of {}", names.join(", "))));
            } else if s.min_length.is_some_and(|m| text.chars().count() < m) {
                errs.push(match s.min_length {
                    Some(1) => FieldError::new(field_name(path), "must not be empty"),
                    m => wrong(&format!("at least {} characters", m.unwrap_or_default())),
                });
            } else if s.max_length.is_some_and(|m| text.chars().count() > m) {
                errs.push(wrong(&format!(
                    "at most {} characters",
                    s.max_length.unwrap_or_default()
                )));
            }
        }
        "integer" => {
            let unsigned = s.format.is_some_and(|f| f.starts_with("uint"));
            if !(value.is_i64() || value.is_u64()) {
                errs.push(wrong("an integer"));
            } else if unsigned && !value.is_u64() {
                errs.push(wrong("a non-negative integer"));
            } else if !unsigned && !value.is_i64() {
                errs.push(wrong("a smaller integer"));
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
