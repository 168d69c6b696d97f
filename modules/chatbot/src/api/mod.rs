//! Handlers of the chatbot API, one submodule per route group: parse,
//! authorize, call the service, render.

mod chat;
mod conversations;
mod health;
mod knowledge;
mod sessions;
mod subscriptions;
mod tenants;

use frontline_platform::http::ModuleError;
use frontline_platform::FieldError;
use frontline_platform::{ApiError, ApiResult, Platform};
use poem::{FromRequest, Request};
use poem_openapi::error::{ContentTypeError, ParseRequestPayloadError};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions, Tags};
use serde_json::{json, Value};
use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use crate::access::{self, Caller};
use crate::model::{ChatbotEnvelope, Envelope};
pub(crate) use crate::service::audit_in;

pub use chat::ChatApi;
pub use conversations::ConversationsApi;
pub use health::HealthApi;
pub use knowledge::KnowledgeApi;
pub use sessions::SessionsApi;
pub use subscriptions::SubscriptionsApi;
pub use tenants::TenantsApi;

pub type Result<T> = std::result::Result<T, ModuleError<ChatbotEnvelope>>;

#[derive(Tags)]
pub enum ApiTags {
    /// Send messages to the tenant's bot.
    Chat,
    /// Conversation lifecycle, history and analytics.
    Conversations,
    /// Visitor sessions and their context.
    Sessions,
    /// Service health.
    Health,
    /// Incoming channel webhooks.
    Webhooks,
    /// Tenants, their users, configuration, usage and billing.
    Tenants,
    /// Additions beyond the document (marked "Extension:").
    Extensions,
}

/// A `201 Created` response.
#[derive(ApiResponse)]
pub enum Created {
    #[oai(status = 201)]
    Ok(Json<Value>),
}

/// The chatbot's route groups (webhooks are mounted beside them).
pub fn api(
    platform: &Platform,
) -> (
    ChatApi,
    ConversationsApi,
    SessionsApi,
    HealthApi,
    TenantsApi,
    KnowledgeApi,
    SubscriptionsApi,
) {
    let p = || platform.clone();
    (
        ChatApi { platform: p() },
        ConversationsApi { platform: p() },
        SessionsApi { platform: p() },
        HealthApi { platform: p() },
        TenantsApi { platform: p() },
        KnowledgeApi { platform: p() },
        SubscriptionsApi { platform: p() },
    )
}

pub fn ok(v: Value) -> Json<Value> {
    Json(json!({"status": "success", "data": v}))
}

pub(crate) fn body_obj(body: &Json<Value>) -> ApiResult<&Value> {
    if body.0.is_object() {
        Ok(&body.0)
    } else {
        Err(ApiError::bad_request(
            "The request body must be a JSON object",
        ))
    }
}

/// Platform admins and `chatbot:admin` only.
pub(crate) async fn internal(
    platform: &Platform,
    req: &Request,
) -> ApiResult<frontline_platform::auth::Principal> {
    let p = access::principal(platform, req).await?;
    if !access::is_platform_admin(&p) {
        return Err(ApiError::forbidden(
            "This action needs the chatbot platform admin role",
        ));
    }
    Ok(p)
}

/// A JSON request body of type `T`, documented in the Swagger with `T`'s
/// schema. Unlike a bare `Json<T>`, a body that does not match names each bad
/// field (`content.text`, `rating`, `date_range.start`) in the chatbot error
/// body (400, one detail per field). An optional body (`T = Option<_>`) may
/// be sent empty, with or without a content type.
pub struct Body<T>(pub T);

impl<'a, T: ParseFromJSON + Send + 'static> ApiExtractor<'a> for Body<T> {
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
        body: &mut poem::RequestBody,
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
            serde_json::from_slice(&data).map_err(|err| ParseRequestPayloadError {
                reason: err.to_string(),
            })?
        };
        Ok(Body(parse_body::<T>(value)?))
    }
}

/// Parses `value` as `T`, strictly: every field must have its documented
/// JSON type (poem-openapi alone would turn a number into a string). Every
/// bad field (wrong type, missing required field, unknown enum value) is
/// named, one detail each.
pub fn parse_body<T: ParseFromJSON + 'static>(value: Value) -> ApiResult<T> {
    let (registry, schema) = &*schema_of::<T>();
    let mut errs = vec![];
    if !value.is_null() || T::IS_REQUIRED {
        check_schema(registry, schema, &value, "", &mut errs);
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    T::parse_from_json(Some(value)).map_err(|e| ApiError::invalid("body", e.into_message()))
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

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn check_schema(
    registry: &Registry,
    schema: &MetaSchemaRef,
    v: &Value,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let schema: &MetaSchema = match schema {
        MetaSchemaRef::Inline(s) => s,
        MetaSchemaRef::Reference(name) => match registry.schemas.get(name) {
            Some(s) => s,
            None => return,
        },
    };
    let field = if path.is_empty() { "body" } else { path };
    if v.is_null() {
        if path.is_empty() && !schema.ty.is_empty() {
            errs.push(FieldError::new("body", "A JSON request body is required"));
        }
        return;
    }
    for part in &schema.all_of {
        check_schema(registry, part, v, path, errs);
    }
    let kind = match schema.ty {
        "object" => "an object",
        "array" => "an array",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        _ => return,
    };
    let fits = match schema.ty {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" if schema.format.is_some_and(|f| f.starts_with('u')) => v.is_u64(),
        "integer" => v.is_i64(),
        "number" => v.is_number(),
        _ => v.is_boolean(),
    };
    if !fits {
        let what = match (schema.ty, schema.format) {
            ("integer", Some(f)) if f.starts_with('u') => "a non-negative integer",
            ("integer", _) if v.is_u64() => "an integer below 2^63",
            _ => kind,
        };
        errs.push(FieldError::new(field, format!("{field} must be {what}")));
        return;
    }
    if !schema.enum_items.is_empty() && !schema.enum_items.contains(v) {
        let allowed: Vec<String> = schema
            .enum_items
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect();
        errs.push(FieldError::new(
            field,
            format!("{field} must be one of {}", allowed.join(", ")),
        ));
    }
    match (v, schema.ty) {
        (Value::Object(obj), _) => {
            for name in &schema.required {
                if obj.get(*name).is_none_or(Value::is_null) {
                    let f = join(path, name);
                    errs.push(FieldError::new(f.clone(), format!("{f} is required")));
                }
            }
            for (name, p) in &schema.properties {
                if let Some(x) = obj.get(*name) {
                    check_schema(registry, p, x, &join(path, name), errs);
                }
            }
            if let Some(extra) = &schema.additional_properties {
                for (k, x) in obj {
                    if !schema.properties.iter().any(|(n, _)| n == k) {
                        check_schema(registry, extra, x, &join(path, k), errs);
                    }
                }
            }
        }
        (Value::Array(items), _) => {
            if let Some(item) = &schema.items {
                for (i, x) in items.iter().enumerate() {
                    check_schema(registry, item, x, &format!("{field}[{i}]"), errs);
                }
            }
        }
        _ => {}
    }
}

/// A `201 Created` response with a typed `data`.
#[derive(ApiResponse)]
pub enum Created201<T: ParseFromJSON + ToJSON + Send + Sync> {
    #[oai(status = 201)]
    Ok(Json<Envelope<T>>),
}

/// `{"status":"success","data":…}` with a typed `data`.
pub fn success<T: ParseFromJSON + ToJSON>(data: T) -> Json<Envelope<T>> {
    Json(Envelope::success(data))
}
