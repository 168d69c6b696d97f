//! The chatbot's security schemes and the extractors that decide the caller
//! before any parameter or body of the operation is read: a caller without
//! credentials gets 401, a caller without the operation's permission 403,
//! whatever the rest of the request holds.
//!
//! - [`BearerScheme`] (`BearerAuth`): `Authorization: Bearer <JWT>` of a
//!   platform user (checked by the platform), or a visitor's session token
//!   (`Bearer st_…`);
//! - [`ApiKeyScheme`] (`ApiKeyAuth`): `Authorization: ApiKey cb_live_…`, a
//!   tenant's server-side key.
//!
//! Handlers take one of [`Member`] (tenant-scoped operations; declares the
//! `X-Tenant-ID` header), [`TenantAdmin`] (`/tenants/{id}/…`, the tenant is
//! in the path), [`PlatformAdmin`] or [`SessionOpener`] (`POST /sessions`,
//! where a visitor may come without credentials) as their first argument.

use std::marker::PhantomData;

use frontline_platform::auth::Principal;
use frontline_platform::http::check_bearer;
use frontline_platform::{ApiError, Platform};
use poem::http::header::AUTHORIZATION;
use poem::{Request, RequestBody};
use poem_openapi::auth::{ApiKey, Bearer, BearerAuthorization};
use poem_openapi::registry::{MetaParamIn, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, SecurityScheme};

use crate::access::{is_platform_admin, Caller, Credential, Op, Resolved};
use crate::service::callers;

/// `Authorization: Bearer <token>`: a JWT from `POST /auth/login` (a tenant
/// member, who names the tenant in `X-Tenant-ID`, or a chatbot platform
/// admin), or a visitor's session token (`st_…`) from `POST /sessions`, which
/// reaches only its own session and conversations.
#[derive(SecurityScheme)]
#[oai(
    rename = "BearerAuth",
    ty = "bearer",
    bearer_format = "JWT, or a session token st_…",
    checker = "bearer_checker"
)]
pub struct BearerScheme(pub Credential);

async fn bearer_checker(req: &Request, bearer: Bearer) -> poem::Result<Credential> {
    if bearer.token.starts_with("st_") {
        Ok(callers::session_token(platform(req)?, &bearer.token).await?)
    } else {
        Ok(Credential::User(check_bearer(req, &bearer.token).await?))
    }
}

/// `Authorization: ApiKey cb_live_…`: a tenant's server-side API key (shown
/// once by `POST /tenants`). The key names its tenant: `X-Tenant-ID` may be
/// left out, and naming another tenant is 404 `TENANT_NOT_FOUND`.
#[derive(SecurityScheme)]
#[oai(
    rename = "ApiKeyAuth",
    ty = "api_key",
    key_in = "header",
    key_name = "Authorization",
    checker = "api_key_checker"
)]
pub struct ApiKeyScheme(pub Credential);

async fn api_key_checker(req: &Request, key: ApiKey) -> poem::Result<Credential> {
    let key =
        api_key_value(&key.key).ok_or_else(|| ApiError::unauthorized("Authentication required"))?;
    Ok(callers::api_key(platform(req)?, key).await?)
}

/// The key of an `ApiKey <key>` authorization value.
fn api_key_value(value: &str) -> Option<&str> {
    let value = value.trim();
    value
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("apikey "))
        .map(|_| value[7..].trim())
}

fn platform(req: &Request) -> poem::Result<&Platform> {
    Ok(req
        .data::<Platform>()
        .ok_or_else(|| ApiError::internal("platform state missing"))?)
}

/// Whether the request carries an `Authorization: ApiKey …` header.
pub fn has_api_key(req: &Request) -> bool {
    authorization(req).and_then(api_key_value).is_some()
}

fn authorization(req: &Request) -> Option<&str> {
    req.headers().get(AUTHORIZATION)?.to_str().ok()
}

/// The credential of a request, checked by the scheme its `Authorization`
/// header names (`ApiKey …` or `Bearer …`); 401 without one.
pub async fn credential(req: &Request) -> poem::Result<Credential> {
    if let Some(value) = authorization(req).filter(|v| api_key_value(v).is_some()) {
        let key = ApiKey {
            key: value.to_string(),
        };
        return api_key_checker(req, key).await;
    }
    let bearer = <Bearer as BearerAuthorization>::from_request(req)?;
    bearer_checker(req, bearer).await
}

/// The caller of a request for the tenant named in the path and/or the
/// `X-Tenant-ID` header (reusing the caller the tenant rate limit resolved).
pub async fn caller(
    req: &Request,
    path_tenant: Option<&str>,
    header_tenant: Option<&str>,
) -> poem::Result<Caller> {
    if let Some(Resolved(p, who)) = req.data::<Resolved>() {
        if p.as_deref() == path_tenant {
            return Ok(who.clone());
        }
    }
    let cred = credential(req).await?;
    Ok(callers::resolve(platform(req)?, cred, path_tenant, header_tenant).await?)
}

/// The tenant named in a `/tenants/{id}` path (poem-openapi names path
/// variables by position, so the tenant is read from the path itself).
pub fn tenant_in_path(req: &Request) -> Option<String> {
    let mut parts = req.uri().path().split('/');
    parts.find(|p| *p == "tenants")?;
    parts.next().filter(|p| !p.is_empty()).map(str::to_string)
}

fn header<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// An operation of the access table, as a type (see [`ops`]).
pub trait Operation: Send + Sync + 'static {
    const OP: Op;
}

macro_rules! operations {
    ($($name:ident),* $(,)?) => {
        /// One type per [`Op`], naming the operation a handler's caller must be allowed.
        pub mod ops {
            $(
                pub struct $name;
                impl super::Operation for $name {
                    const OP: crate::access::Op = crate::access::Op::$name;
                }
            )*
        }
    };
}

operations!(
    ChatSend,
    ChatRead,
    ChatRetry,
    ChatTyping,
    ChatFeedback,
    ConversationList,
    ConversationRead,
    ConversationSummary,
    ConversationAnalytics,
    ConversationTransfer,
    ConversationClose,
    ConversationReopen,
    ConversationExport,
    SessionCreate,
    SessionRead,
    SessionUpdate,
    SessionEnd,
    SessionExtend,
    SessionContextRead,
    SessionContextUpdate,
    KnowledgeList,
    KnowledgeCreate,
    KnowledgeDelete,
    WebhookSubscriptionList,
    WebhookSubscriptionCreate,
    WebhookSubscriptionDeliveries,
    WebhookSubscriptionDelete,
    TenantRead,
    TenantUpdate,
    UserList,
    UserAdd,
    ConfigRead,
    ConfigUpdate,
    BillingRead,
    UsageRead,
);

const TENANT_HEADER_DOC: &str = "The tenant the request is for. Required with a member's JWT; \
an API key or a session token names its tenant already (when sent, the header must name that tenant).";

fn tenant_header_schema() -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        description: Some(TENANT_HEADER_DOC),
        ..MetaSchema::new("string")
    }))
}

fn register_schemes(registry: &mut Registry) {
    <BearerScheme as ApiExtractor>::register(registry);
    <ApiKeyScheme as ApiExtractor>::register(registry);
}

fn schemes() -> Vec<&'static str> {
    let mut names = <BearerScheme as ApiExtractor>::security_schemes();
    names.extend(<ApiKeyScheme as ApiExtractor>::security_schemes());
    names
}

/// The caller of a tenant-scoped operation `O`: credentials (Bearer or API
/// key) first, then the tenant of the header the argument is named after
/// (`#[oai(name = "X-Tenant-ID")]`, documented as a required header), then
/// the permission `O` needs.
pub struct Member<O>(pub Caller, PhantomData<O>);

impl<'a, O: Operation> ApiExtractor<'a> for Member<O> {
    const TYPES: &'static [ApiExtractorType] = &[
        ApiExtractorType::SecurityScheme,
        ApiExtractorType::Parameter,
    ];
    const PARAM_IS_REQUIRED: bool = true;
    type ParamType = String;
    type ParamRawType = String;

    fn register(registry: &mut Registry) {
        register_schemes(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        schemes()
    }

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Header)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(tenant_header_schema())
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        opts: ExtractParamOptions<String>,
    ) -> poem::Result<Self> {
        let who = caller(req, None, header(req, opts.name)).await?;
        who.require(O::OP)?;
        Ok(Member(who, PhantomData))
    }
}

/// The caller of an operation `O` on the tenant `{id}` of a `/tenants/{id}`
/// path (Bearer or API key; an `X-Tenant-ID` header, when sent, must agree).
pub struct TenantAdmin<O>(pub Caller, PhantomData<O>);

impl<'a, O: Operation> ApiExtractor<'a> for TenantAdmin<O> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        register_schemes(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        schemes()
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let path = tenant_in_path(req);
        let who = caller(req, path.as_deref(), header(req, "x-tenant-id")).await?;
        who.require(O::OP)?;
        Ok(TenantAdmin(who, PhantomData))
    }
}

/// A chatbot platform admin (platform admins and `chatbot:admin`), signed in
/// with a JWT; 403 for other users.
pub struct PlatformAdmin(pub Principal);

impl<'a> ApiExtractor<'a> for PlatformAdmin {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <BearerScheme as ApiExtractor>::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        <BearerScheme as ApiExtractor>::security_schemes()
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        match credential(req).await? {
            Credential::User(p) if is_platform_admin(&p) => Ok(PlatformAdmin(p)),
            Credential::User(_) => {
                Err(ApiError::forbidden("This action needs the chatbot platform admin role").into())
            }
            _ => Err(ApiError::unauthorized("This action needs a signed-in user").into()),
        }
    }
}

/// The tenant a new session is opened for: with credentials, the caller's
/// (who needs `sessions:write`); without, the active tenant a visitor names
/// in the header the argument is named after (`X-Tenant-ID`).
pub struct SessionOpener(pub String);

impl<'a> ApiExtractor<'a> for SessionOpener {
    const TYPES: &'static [ApiExtractorType] = &[
        ApiExtractorType::SecurityScheme,
        ApiExtractorType::Parameter,
    ];
    const PARAM_IS_REQUIRED: bool = true;
    type ParamType = String;
    type ParamRawType = String;

    fn register(registry: &mut Registry) {
        register_schemes(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        schemes()
    }

    fn has_security_fallback() -> bool {
        true
    }

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Header)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(tenant_header_schema())
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        opts: ExtractParamOptions<String>,
    ) -> poem::Result<Self> {
        let named = header(req, opts.name);
        if req.headers().contains_key(AUTHORIZATION) {
            let who = caller(req, None, named).await?;
            who.require(Op::SessionCreate)?;
            return Ok(SessionOpener(who.tenant_id));
        }
        let tenant = named
            .ok_or_else(|| ApiError::invalid(opts.name, "X-Tenant-ID header is required"))?
            .to_string();
        callers::require_active_tenant(platform(req)?, &tenant).await?;
        Ok(SessionOpener(tenant))
    }
}
