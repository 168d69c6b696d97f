//! How a module is served: its OpenAPI service mounted under its base path
//! with Swagger UI, ReDoc and the JSON spec, behind one gate that enforces
//! body limits and rate limits and renders every error — ours, the
//! framework's (404, 405, malformed JSON, missing auth) and panics — in the
//! module's own documented error body.

use std::marker::PhantomData;
use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use poem::http::{header, HeaderValue, Method, StatusCode};
use poem::{
    Endpoint, EndpointExt, FromRequest, IntoResponse, Request, RequestBody, Response, Route,
};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, OpenApi, OpenApiService};
use serde_json::Value;

use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind};
use crate::ratelimit::{Decision, LimitRule};
use crate::state::Platform;

tokio::task_local! {
    static CURRENT_REQUEST_ID: String;
}

/// The id of the request being served (for error bodies and logs).
pub fn current_request_id() -> Option<String> {
    CURRENT_REQUEST_ID.try_with(|id| id.clone()).ok()
}

/// Runs `fut` with `id` as the current request id.
pub async fn with_request_id<F: std::future::Future>(id: String, fut: F) -> F::Output {
    CURRENT_REQUEST_ID.scope(id, fut).await
}

/// The request id, set on every request by the outermost middleware.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The full path as the client sent it (nesting strips module bases), set
/// by the outermost middleware.
#[derive(Debug, Clone)]
pub struct RequestPath(pub String);

/// Which module is serving the request, for the security checkers.
#[derive(Debug, Clone, Copy)]
pub struct ModuleContext {
    pub slug: &'static str,
    /// When true, a signed-in user with no role in this module gets 403.
    pub require_module_role: bool,
}

/// Facts about the caller that audit entries and rate limits need.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The request reached us over HTTPS (directly, or through a trusted proxy).
    pub https: bool,
}

impl RequestMeta {
    pub fn of(req: &Request) -> RequestMeta {
        RequestMeta {
            request_id: req
                .data::<RequestId>()
                .map(|r| r.0.clone())
                .unwrap_or_default(),
            ip: client_ip(req),
            https: is_https(req),
            user_agent: req
                .headers()
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(512).collect()),
        }
    }
}

impl<'a> FromRequest<'a> for RequestMeta {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(RequestMeta::of(req))
    }
}

/// One entry of the `trusted_proxies` setting: an IP address or a CIDR range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet(pub ipnet::IpNet);

impl std::str::FromStr for ProxyNet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(net) = s.parse::<ipnet::IpNet>() {
            return Ok(ProxyNet(net.trunc()));
        }
        s.parse::<IpAddr>()
            .map(|ip| ProxyNet(ipnet::IpNet::from(ip)))
            .map_err(|_| {
                format!("'{s}' is not an IP address or CIDR range (e.g. 10.0.0.1 or 10.0.0.0/8)")
            })
    }
}

impl<'de> serde::Deserialize<'de> for ProxyNet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Display for ProxyNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

fn trusted(proxies: &[ProxyNet], ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    proxies.iter().any(|p| p.0.contains(&ip))
}

/// Where a request came from, decided once per request (the outermost
/// middleware stores it in the request data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub https: bool,
}

impl ClientInfo {
    /// The peer, unless the peer is a trusted proxy: then the client is the
    /// right-most `X-Forwarded-For` address that is not itself a trusted
    /// proxy, and `X-Forwarded-Proto` says whether it used HTTPS. From any
    /// other peer both headers are ignored.
    pub fn of(req: &Request, proxies: &[ProxyNet]) -> ClientInfo {
        let peer = req.remote_addr().as_socket_addr().map(|a| a.ip());
        let direct_https = req.scheme() == &poem::http::uri::Scheme::HTTPS;
        let Some(peer_ip) = peer.filter(|ip| trusted(proxies, *ip)) else {
            return ClientInfo {
                ip: peer.map(|ip| ip.to_string()),
                https: direct_https,
            };
        };
        let hops: Vec<IpAddr> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
            .collect();
        let client = hops
            .iter()
            .rev()
            .find(|ip| !trusted(proxies, **ip))
            .or_else(|| hops.first())
            .copied()
            .unwrap_or(peer_ip);
        let forwarded_https = req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
        ClientInfo {
            ip: Some(client.to_string()),
            https: direct_https || forwarded_https,
        }
    }
}

fn client_info(req: &Request) -> ClientInfo {
    if let Some(info) = req.data::<ClientInfo>() {
        return info.clone();
    }
    let proxies = req
        .data::<Platform>()
        .map(|p| p.settings.trusted_proxies.as_slice())
        .unwrap_or(&[]);
    ClientInfo::of(req, proxies)
}

/// The client's IP: the peer, or what a trusted proxy forwarded (see [`ClientInfo::of`]).
pub fn client_ip(req: &Request) -> Option<String> {
    client_info(req).ip
}

/// Whether the client used HTTPS (directly, or to a trusted proxy).
pub fn is_https(req: &Request) -> bool {
    client_info(req).https
}

/// The bearer token of a request: `Authorization: Bearer …`, or the session
/// cookie the planning document uses.
pub fn token_from_request(req: &Request) -> Option<String> {
    if let Some(value) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let value = value.trim();
        if value.len() > 7 && value[..7].eq_ignore_ascii_case("bearer ") {
            return Some(value[7..].trim().to_string());
        }
    }
    let cookies = req.headers().get_all(header::COOKIE);
    for value in cookies.iter().filter_map(|v| v.to_str().ok()) {
        for pair in value.split(';') {
            if let Some((name, token)) = pair.trim().split_once('=') {
                if SESSION_COOKIES.contains(&name) && !token.is_empty() {
                    return Some(token.to_string());
                }
            }
        }
    }
    None
}

/// Cookies that carry a session token.
pub const SESSION_COOKIES: &[&str] = &["next-auth.session-token", "frontline_session"];

/// Resolves the principal of a request once (the gate caches it in the request data).
pub async fn principal_of(req: &Request) -> Result<Principal, ApiError> {
    if let Some(p) = req.data::<Principal>() {
        return Ok(p.clone());
    }
    let platform = req
        .data::<Platform>()
        .ok_or_else(|| ApiError::internal("platform state missing"))?;
    let token =
        token_from_request(req).ok_or_else(|| ApiError::unauthorized("Authentication required"))?;
    platform.auth.verify(&token).await
}

/// Verifies a bearer token for a poem-openapi security scheme and applies the
/// module rule that a user needs a role there.
pub async fn check_bearer(req: &Request, token: &str) -> poem::Result<Principal> {
    let principal = match req.data::<Principal>() {
        Some(p) => p.clone(),
        None => {
            let platform = req
                .data::<Platform>()
                .ok_or_else(|| ApiError::internal("platform state missing"))?;
            platform.auth.verify(token).await?
        }
    };
    if let Some(ctx) = req.data::<ModuleContext>() {
        if ctx.require_module_role && !principal.in_module(ctx.slug) {
            return Err(ApiError::forbidden(format!(
                "Your account has no role in the {} module",
                ctx.slug
            ))
            .into());
        }
    }
    Ok(principal)
}

/// Bearer JWT authentication (`Authorization: Bearer <token>`) from `POST /auth/login`.
#[derive(poem_openapi::SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "bearer_checker")]
pub struct BearerAuth(pub Principal);

async fn bearer_checker(
    req: &Request,
    bearer: poem_openapi::auth::Bearer,
) -> poem::Result<Principal> {
    check_bearer(req, &bearer.token).await
}

/// A security scheme argument that yields the signed-in [`Principal`]
/// (what [`Guarded`] wraps).
pub trait PrincipalScheme: Send + 'static {
    /// Registers the scheme in the document.
    fn register_scheme(registry: &mut Registry);
    /// The scheme names the operation's `security` lists.
    fn scheme_names() -> Vec<&'static str>;
    /// Checks the request's credentials.
    fn principal<'a>(
        req: &'a Request,
        body: &'a mut RequestBody,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = poem::Result<Principal>> + Send + 'a>>;
}

macro_rules! principal_scheme {
    ($ty:ty, |$s:ident| $principal:expr) => {
        impl PrincipalScheme for $ty {
            fn register_scheme(registry: &mut Registry) {
                <$ty as poem_openapi::ApiExtractor>::register(registry);
            }
            fn scheme_names() -> Vec<&'static str> {
                <$ty as poem_openapi::ApiExtractor>::security_schemes()
            }
            fn principal<'a>(
                req: &'a Request,
                body: &'a mut RequestBody,
            ) -> std::pin::Pin<
                Box<dyn std::future::Future<Output = poem::Result<Principal>> + Send + 'a>,
            > {
                Box::pin(async move {
                    let $s = <$ty as poem_openapi::ApiExtractor>::from_request(
                        req,
                        body,
                        Default::default(),
                    )
                    .await?;
                    Ok($principal)
                })
            }
        }
    };
}

principal_scheme!(BearerAuth, |s| s.0);
principal_scheme!(SessionCookieAuth, |s| s.0);
principal_scheme!(SessionOrBearer, |s| match s {
    SessionOrBearer::Session(c) => c.0,
    SessionOrBearer::Bearer(b) => b.0,
});

/// Who may call an operation, checked as the handler's security argument
/// is extracted (see [`Guarded`]); write one with [`crate::bearer_policy!`].
pub trait Policy: Send + Sync + 'static {
    /// `Err` (usually 403) when `principal` may not call the operation.
    fn check(principal: &Principal) -> Result<(), ApiError>;
}

/// The signed-in caller, admitted by policy `P`: the role check lives in
/// the handler's type, like meilisearch's `GuardedData<Policy, _>`.
///
/// poem-openapi extracts a handler's arguments in the order they are
/// declared, so with the `Guarded` argument first a caller without the role
/// gets 403 before any parameter or the body is parsed (and, via the gate, a
/// caller without credentials 401). It documents as the scheme `S` it wraps
/// (by default the same `BearerAuth` scheme as [`BearerAuth`]).
///
/// ```ignore
/// frontline_platform::bearer_policy!(
///     /// Planning editors and admins.
///     pub PlanningEditor, |p| p.require_any_role("planning", &["EDITOR"])
/// );
///
/// async fn update(&self, auth: Guarded<PlanningEditor>, id: Path<String>,
///                 body: JsonBody<UpdateVersion>) -> Result<..> {
///     let principal: &Principal = &auth; // Deref
/// }
/// // With the planning session cookie too:
/// async fn list(&self, auth: Guarded<PlanningViewer, SessionOrBearer>) -> ..
/// ```
pub struct Guarded<P, S = BearerAuth>(pub Principal, PhantomData<(P, S)>);

impl<P, S> Guarded<P, S> {
    pub fn principal(&self) -> &Principal {
        &self.0
    }
    pub fn into_principal(self) -> Principal {
        self.0
    }
}

impl<P, S> std::ops::Deref for Guarded<P, S> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<'a, P: Policy, S: PrincipalScheme> poem_openapi::ApiExtractor<'a> for Guarded<P, S> {
    const TYPES: &'static [poem_openapi::ApiExtractorType] =
        &[poem_openapi::ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        S::register_scheme(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        S::scheme_names()
    }

    async fn from_request(
        req: &'a Request,
        body: &mut RequestBody,
        _opts: poem_openapi::ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let principal = S::principal(req, body).await?;
        P::check(&principal)?;
        Ok(Guarded(principal, PhantomData))
    }
}

/// Declares a [`Policy`] type for [`Guarded`]:
///
/// ```ignore
/// frontline_platform::bearer_policy!(
///     /// Admins only.
///     pub AdminOnly, |p| p.require_admin()
/// );
/// ```
/// The closure gets `&Principal` and returns `ApiResult<()>`.
#[macro_export]
macro_rules! bearer_policy {
    ($(#[$meta:meta])* $vis:vis $name:ident, |$p:ident| $check:expr) => {
        $(#[$meta])*
        $vis struct $name;

        impl $crate::http::Policy for $name {
            fn check($p: &$crate::auth::Principal) -> ::std::result::Result<(), $crate::error::ApiError> {
                $check
            }
        }
    };
}

crate::bearer_policy!(
    /// Platform admins only (403 `This action needs the admin role`).
    pub Admin, |p| p.require_admin()
);

/// What an error body may need besides the error itself.
#[derive(Debug, Clone)]
pub struct ErrorContext {
    pub request_id: String,
    pub timestamp: String,
    pub path: String,
}

/// How one module prints errors. `Body` documents the shape in the spec;
/// `render` produces it.
pub trait ErrorEnvelope: Send + Sync + 'static {
    type Body: Type;
    /// 422 or 400, as the module's document says.
    const VALIDATION_STATUS: StatusCode;
    /// The code every 401 carries, when the module's document lists its
    /// error codes (missing, malformed, expired, revoked tokens and wrong
    /// credentials alike; the message says which). `None`: the platform's
    /// own codes (`UNAUTHORIZED`, `INVALID_TOKEN`, `TOKEN_EXPIRED`, …).
    const UNAUTHORIZED_CODE: Option<&'static str> = None;
    /// The module's error table (see [`crate::error_codes!`]): when set,
    /// each error response in the document lists the codes it may carry.
    const ERROR_CODES: &'static [crate::error::ErrorCode] = &[];
    fn render(err: &ApiError, ctx: &ErrorContext) -> Value;
}

/// Renders `err` as the module `E` prints it.
pub fn error_response<E: ErrorEnvelope>(err: &ApiError, ctx: &ErrorContext) -> Response {
    let status = err.status(E::VALIDATION_STATUS);
    let body = match E::UNAUTHORIZED_CODE {
        Some(code) if err.kind == ErrorKind::Unauthorized => {
            E::render(&err.clone().with_code(code), ctx)
        }
        _ => E::render(err, ctx),
    };
    let mut resp = Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string());
    if let Some(retry) = err.extra.get("retryAfter").and_then(Value::as_u64) {
        if let Ok(v) = HeaderValue::from_str(&retry.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    resp
}

/// A handler's error: an [`ApiError`] documented with module `E`'s body.
pub struct ModuleError<E>(pub ApiError, PhantomData<E>);

impl<E> ModuleError<E> {
    pub fn new(err: ApiError) -> Self {
        ModuleError(err, PhantomData)
    }
}

impl<E> std::fmt::Debug for ModuleError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<E> From<ApiError> for ModuleError<E> {
    fn from(err: ApiError) -> Self {
        ModuleError(err, PhantomData)
    }
}

impl<E> From<ModuleError<E>> for poem::Error {
    fn from(err: ModuleError<E>) -> Self {
        poem::Error::from(err.0)
    }
}

impl<E: ErrorEnvelope> ApiResponse for ModuleError<E> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: error_statuses(E::VALIDATION_STATUS)
                .into_iter()
                .map(|s| MetaResponse {
                    description: s.description,
                    status: Some(s.status),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: "application/json",
                        schema: E::Body::schema_ref(),
                    }],
                    headers: vec![],
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        E::Body::register(registry);
    }
}

/// When an error status can be answered (see [`error_statuses`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusWhen {
    /// By any operation (the gate or the framework may answer it).
    Always,
    /// By an operation that declares security.
    Secured,
    /// By an operation with a request body.
    WithBody,
    /// Only by a handler that says so (documented on `ModuleError` results).
    Handler,
}

/// One error status a module's operations may answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorStatus {
    pub status: u16,
    pub description: &'static str,
    pub when: StatusWhen,
}

/// The one list of error statuses, in status order, with the module's
/// validation status (400 or 422): `ModuleError` documents all of them, and
/// [`crate::openapi::complete`] adds those that apply to every operation.
pub fn error_statuses(validation: StatusCode) -> Vec<ErrorStatus> {
    use StatusWhen::*;
    let row = |status: u16, description: &'static str, when: StatusWhen| ErrorStatus {
        status,
        description,
        when,
    };
    let mut out = vec![
        row(400, "Bad request", Always),
        row(401, "Authentication required or invalid", Secured),
        row(403, "Insufficient permissions", Secured),
        row(404, "Not found", Always),
        row(409, "Conflict with the current state", Handler),
        row(413, "Request body too large", WithBody),
        row(415, "Unsupported content type", WithBody),
        row(429, "Rate limit exceeded", Always),
        row(500, "Internal error", Always),
        row(503, "Service unavailable", Always),
    ];
    if validation.as_u16() != 400 {
        out.push(row(validation.as_u16(), "Validation failed", Always));
        out.sort_by_key(|s| s.status);
    }
    out
}

/// `Ok` when the request carries a credential `accepted` lists: a platform
/// token that verified, or any API key (its handler checks it). A token that
/// did not verify answers with why (expired, revoked, …).
fn credentials_present(
    req: &Request,
    accepted: &[crate::openapi::Credential],
    verified: Option<Result<Principal, ApiError>>,
) -> Result<(), ApiError> {
    use crate::openapi::Credential;
    let present = |c: &Credential| match c {
        Credential::Token => false,
        Credential::Header(name) => req.headers().get(name.as_str()).is_some(),
        Credential::Query(name) => req
            .uri()
            .query()
            .unwrap_or_default()
            .split('&')
            .any(|pair| pair.split('=').next() == Some(name.as_str())),
        Credential::Cookie(name) => req
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|pair| pair.trim().split('=').next() == Some(name.as_str())),
    };
    if accepted.iter().any(present) {
        return Ok(());
    }
    match verified {
        Some(Ok(_)) if accepted.contains(&Credential::Token) => Ok(()),
        Some(Err(err)) if accepted.contains(&Credential::Token) => Err(err),
        _ => Err(ApiError::unauthorized("Authentication required")),
    }
}

/// A refused parameter: `limit must be at least 1`, with the field in `details`.
fn param_error(name: &str, reason: &str) -> ApiError {
    let message = param_message(reason);
    let mut err = ApiError::invalid(name, message.clone());
    err.message = format!("{name} {message}");
    err
}

/// A parser's reason for refusing a query/path/header parameter, in words a
/// client can act on (`must be an integer`, `must be at least 1`, `is required`).
pub fn param_message(reason: &str) -> String {
    let reason = reason.trim();
    // `Type "integer(uint32)" expects an input value.`
    if reason.starts_with("Type \"") && reason.ends_with("expects an input value.") {
        return "is required".into();
    }
    // `verification failed. minimum(1, exclusive: false)`, also as the reason
    // a [`crate::pattern_string!`] type gives (`failed to parse "string":
    // verification failed. pattern("…")`, maybe with `(occurred while parsing …)`).
    if let Some((_, rule)) = reason.split_once("verification failed.") {
        let rule = rule
            .split(" (occurred while parsing \"")
            .next()
            .unwrap_or_default();
        return validator_message(rule.trim()).unwrap_or_else(|| "is not allowed".into());
    }
    if reason.contains("Expect a valid enumeration value") {
        return "must be one of the documented values".into();
    }
    // `failed to parse "integer(uint32)": invalid digit found in string`
    let ty = reason
        .strip_prefix("failed to parse \"")
        .or_else(|| reason.strip_prefix("Expected input type \""))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default();
    type_message(ty).unwrap_or_else(|| "is not valid".into())
}

/// What a value of the parser's type name must be.
fn type_message(ty: &str) -> Option<String> {
    // `integer(uint32)`, `integer_int64`, `optional_integer_int64`, `string_date-time`.
    let ty = ty.trim_start_matches("optional_");
    let (base, format) = match ty.split_once(['(', '_']) {
        Some((base, rest)) => (base, rest.trim_end_matches(')')),
        None => (ty, ""),
    };
    Some(match (base, format) {
        ("integer", f) if f.starts_with('u') => "must be a non-negative integer".into(),
        ("integer", _) => "must be an integer".into(),
        ("number", _) => "must be a number".into(),
        ("boolean", _) => "must be true or false".into(),
        ("string", "date-time") => {
            "must be a date-time (RFC 3339, e.g. 2026-01-31T09:00:00Z)".into()
        }
        ("string", "date") => "must be a date (YYYY-MM-DD)".into(),
        ("string", "uuid") => "must be a UUID".into(),
        ("string", "email") => "must be an e-mail address".into(),
        ("string", _) => "must be a string".into(),
        ("array", _) => "must be a list".into(),
        _ => return None,
    })
}

/// A poem-openapi validator (`minimum(1, exclusive: false)`) as words.
fn validator_message(rule: &str) -> Option<String> {
    let (name, args) = rule.split_once('(')?;
    let args = args.strip_suffix(')')?;
    let first = args.split(',').next().unwrap_or_default().trim();
    let exclusive = args.contains("exclusive: true");
    Some(match name {
        "minimum" if exclusive => format!("must be greater than {first}"),
        "minimum" => format!("must be at least {first}"),
        "maximum" if exclusive => format!("must be less than {first}"),
        "maximum" => format!("must be at most {first}"),
        "minLength" if first == "1" => "must not be empty".into(),
        "minLength" => format!("must be at least {first} characters"),
        "maxLength" => format!("must be at most {first} characters"),
        "pattern" => format!("must match the pattern {args}"),
        "minItems" => format!("must have at least {first} items"),
        "maxItems" => format!("must have at most {first} items"),
        "multipleOf" => format!("must be a multiple of {first}"),
        "uniqueItems" => "must not repeat items".into(),
        _ => return None,
    })
}

/// Maps any error reaching the gate to an [`ApiError`].
pub fn to_api_error(err: &poem::Error) -> ApiError {
    use poem_openapi::error::*;
    if let Some(api) = err.downcast_ref::<ApiError>() {
        return api.clone();
    }
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return param_error(e.name, &e.reason);
    }
    if let Some(e) = err.downcast_ref::<ParsePathError>() {
        return param_error(e.name, &e.reason);
    }
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        return payload_error(&e.reason);
    }
    if let Some(e) = err.downcast_ref::<ParseMultipartError>() {
        return ApiError::invalid("body", format!("Invalid multipart body: {}", e.reason));
    }
    if err.is::<ContentTypeError>() {
        return ApiError::new(ErrorKind::UnsupportedMediaType, err.to_string());
    }
    if err.is::<AuthorizationError>() {
        return ApiError::unauthorized("Authentication required");
    }
    status_error(err.status(), &err.to_string())
}

/// Turns a serde message into a field error a client can act on.
fn payload_error(reason: &str) -> ApiError {
    let field = reason
        .split('`')
        .nth(1)
        .filter(|_| reason.contains("missing field") || reason.contains("unknown field"))
        .map(str::to_string)
        .or_else(|| {
            // poem-openapi reports nested paths as `failed to parse "X": ... (occurred while parsing "Y")`.
            reason
                .rsplit("while parsing \"")
                .next()
                .filter(|_| reason.contains("while parsing"))
                .map(|s| s.trim_end_matches(['"', ')']).to_string())
        })
        .unwrap_or_else(|| "body".to_string());
    let message = if reason.contains("EOF")
        || reason.contains("expected value")
        || reason.contains("key must be")
    {
        format!("Malformed JSON: {reason}")
    } else {
        reason.to_string()
    };
    ApiError::invalid(field, message)
}

fn status_error(status: StatusCode, text: &str) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::not_found("The requested resource was not found"),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            ErrorKind::MethodNotAllowed,
            "Method not allowed for this resource",
        ),
        StatusCode::UNAUTHORIZED => ApiError::unauthorized("Authentication required"),
        StatusCode::FORBIDDEN => ApiError::forbidden("Forbidden"),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(ErrorKind::PayloadTooLarge, "Request body too large")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::new(ErrorKind::UnsupportedMediaType, "Unsupported content type")
        }
        StatusCode::TOO_MANY_REQUESTS => ApiError::new(ErrorKind::RateLimited, "Too many requests"),
        StatusCode::CONFLICT => ApiError::conflict(text),
        StatusCode::GONE => ApiError::gone(text),
        StatusCode::SERVICE_UNAVAILABLE => ApiError::unavailable("Service unavailable"),
        s if s.is_client_error() => {
            ApiError::bad_request(if text.is_empty() { "Bad request" } else { text })
        }
        _ => {
            tracing::error!(%status, error = text, "unhandled server error");
            ApiError::internal("Internal server error")
        }
    }
}

/// Decides the rate limit of a request (`None`: not limited).
pub type Classifier = Arc<dyn Fn(&Request, Option<&Principal>) -> Option<LimitRule> + Send + Sync>;

/// A module as the platform sees it: its migrations, how to build its
/// routes, and optional hooks the server calls.
pub struct Module {
    pub slug: &'static str,
    pub migrations: &'static [&'static str],
    pub build: fn(&Platform) -> MountedModule,
    /// Loads the module's demo data set (`frontline demo`, `serve --demo`).
    pub demo: Option<fn(&Platform) -> crate::ApiResult<()>>,
    /// Starts background work (workers, schedules) inside the server runtime.
    pub start: Option<fn(&Platform)>,
    /// Rebuilds the module's search indexes from the database; returns documents indexed.
    pub reindex: Option<fn(&Platform) -> crate::ApiResult<u64>>,
}

impl Module {
    pub fn new(
        slug: &'static str,
        migrations: &'static [&'static str],
        build: fn(&Platform) -> MountedModule,
    ) -> Self {
        Module {
            slug,
            migrations,
            build,
            demo: None,
            start: None,
            reindex: None,
        }
    }
    pub fn with_demo(mut self, f: fn(&Platform) -> crate::ApiResult<()>) -> Self {
        self.demo = Some(f);
        self
    }
    pub fn with_start(mut self, f: fn(&Platform)) -> Self {
        self.start = Some(f);
        self
    }
    pub fn with_reindex(mut self, f: fn(&Platform) -> crate::ApiResult<u64>) -> Self {
        self.reindex = Some(f);
        self
    }
    pub fn migrations(&self) -> crate::db::Migrations {
        crate::db::Migrations {
            module: self.slug,
            steps: self.migrations,
        }
    }
}

/// Static facts about a module's API.
#[derive(Debug, Clone)]
pub struct ModuleInfo {
    pub slug: &'static str,
    pub title: &'static str,
    pub version: &'static str,
    pub description: &'static str,
    /// Where the document's base path is served, e.g. `/training/api`.
    pub base: &'static str,
    pub require_module_role: bool,
}

/// A built module, ready to nest into the server.
pub struct MountedModule {
    pub info: ModuleInfo,
    pub endpoint: poem::endpoint::BoxEndpoint<'static>,
    document: Arc<ModuleDocument>,
}

impl MountedModule {
    /// The module's OpenAPI document (JSON), generated now.
    pub fn spec(&self) -> String {
        self.document.generate()
    }
}

/// A module's OpenAPI document, generated when something needs it: the docs
/// pages, `/openapi.json`, and the route table the gate checks requests
/// against (kept from the module's first request on). A server that is
/// never asked about a module keeps neither the document (up to 1 MB of
/// JSON each) nor the schema code that writes it in memory.
struct ModuleDocument {
    generate: Box<dyn Fn() -> (String, String) + Send + Sync>,
    routes: std::sync::OnceLock<crate::openapi::RouteTable>,
}

impl ModuleDocument {
    /// The completed document.
    fn generate(&self) -> String {
        (self.generate)().1
    }

    /// poem-openapi's document and the completed one.
    fn generate_both(&self) -> (String, String) {
        (self.generate)()
    }

    fn routes(&self) -> &crate::openapi::RouteTable {
        self.routes
            .get_or_init(|| crate::openapi::RouteTable::from_spec(&self.generate()))
    }
}

/// An API's document without the API: poem-openapi writes a document from
/// the API type alone (`meta` and `register`), so the document can be
/// written later from this stand-in while the API itself serves requests.
struct DocumentOnly<A>(PhantomData<fn() -> A>);

impl<A: OpenApi> OpenApi for DocumentOnly<A> {
    fn meta() -> Vec<poem_openapi::registry::MetaApi> {
        A::meta()
    }

    fn register(registry: &mut Registry) {
        A::register(registry)
    }

    fn add_routes(
        self,
        _: &mut std::collections::HashMap<
            String,
            std::collections::HashMap<Method, poem::endpoint::BoxEndpoint<'static>>,
        >,
    ) {
    }
}

/// Builds a module: the API under `info.base`, its docs beside it, all behind the gate.
pub fn mount<A, E>(
    platform: &Platform,
    info: ModuleInfo,
    api: A,
    classify: Classifier,
) -> MountedModule
where
    A: OpenApi + 'static,
    E: ErrorEnvelope,
{
    let about = info.clone();
    let document = Arc::new(ModuleDocument {
        generate: Box::new(move || {
            let raw = document_service::<A>(&about).spec();
            let complete = crate::openapi::complete::<E>(&raw);
            (raw, complete)
        }),
        routes: std::sync::OnceLock::new(),
    });
    let (for_swagger_page, for_redoc_page) = (info.clone(), info.clone());
    let svc = OpenApiService::new(api, info.title, info.version)
        .description(info.description)
        .server(info.base);
    // The UIs embed the document. Their pages are the same around the
    // document for every module (2.6 MB of script), so one copy is kept,
    // made on the first docs request, and each page is put together when
    // asked for: a copy per module and page was 40 MB of the idle server's heap.
    let (for_swagger, for_redoc, for_json) = (document.clone(), document.clone(), document.clone());
    let routes = Route::new()
        .at(
            "/docs",
            poem::endpoint::make_sync(move |_| {
                let (raw, complete) = for_swagger.generate_both();
                let page = DOCS_PAGES[0].get_or_init(|| {
                    DocsPage::around(
                        &document_service::<A>(&for_swagger_page).swagger_ui_html(),
                        &raw,
                    )
                });
                poem::web::Html(page.with(&complete))
            }),
        )
        .at(
            "/redoc",
            poem::endpoint::make_sync(move |_| {
                let (raw, complete) = for_redoc.generate_both();
                let page = DOCS_PAGES[1].get_or_init(|| {
                    DocsPage::around(&document_service::<A>(&for_redoc_page).redoc_html(), &raw)
                });
                poem::web::Html(page.with(&complete))
            }),
        )
        .at(
            "/openapi.json",
            poem::endpoint::make_sync(move |_| {
                for_json.generate().with_content_type("application/json")
            }),
        )
        .nest("/", svc);
    let gate = Gate::<_, E> {
        inner: routes,
        platform: platform.clone(),
        info: info.clone(),
        classify,
        document: document.clone(),
        _envelope: PhantomData,
    };
    MountedModule {
        endpoint: gate.boxed(),
        info,
        document,
    }
}

/// The service poem-openapi writes `info`'s document (and docs pages) with.
fn document_service<A: OpenApi>(info: &ModuleInfo) -> OpenApiService<DocumentOnly<A>, ()> {
    OpenApiService::new(DocumentOnly::<A>(PhantomData), info.title, info.version)
        .description(info.description)
        .server(info.base)
}

/// A documentation page (Swagger UI, ReDoc) without its document: the
/// page's HTML before and after where the document goes.
struct DocsPage {
    before: String,
    after: String,
}

impl DocsPage {
    /// Splits `html`, made around `document`, at the document.
    fn around(html: &str, document: &str) -> DocsPage {
        let (before, after) = html.split_once(document).unwrap_or((html, ""));
        DocsPage {
            before: before.to_string(),
            after: after.to_string(),
        }
    }

    /// The page with `document` in it.
    fn with(&self, document: &str) -> String {
        let mut page = String::with_capacity(self.before.len() + document.len() + self.after.len());
        page.push_str(&self.before);
        page.push_str(document);
        page.push_str(&self.after);
        page
    }
}

/// Swagger UI's and ReDoc's pages, shared by every module.
static DOCS_PAGES: [std::sync::OnceLock<DocsPage>; 2] =
    [std::sync::OnceLock::new(), std::sync::OnceLock::new()];

/// A classifier for modules with one limit for everything.
pub fn flat_limit(class: &'static str, limit: u32, window_secs: u64) -> Classifier {
    Arc::new(move |_req, _p| Some(LimitRule::new(class, limit, window_secs)))
}

struct Gate<Ep, E> {
    inner: Ep,
    platform: Platform,
    info: ModuleInfo,
    classify: Classifier,
    document: Arc<ModuleDocument>,
    _envelope: PhantomData<E>,
}

fn is_json(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"))
}

fn rate_headers(resp: &mut Response, d: &Decision) {
    let h = resp.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", d.limit.to_string()),
        ("x-ratelimit-remaining", d.remaining.to_string()),
        ("x-ratelimit-reset", d.reset_at.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
}

impl<Ep: Endpoint, E: ErrorEnvelope> Gate<Ep, E> {
    fn context(req: &Request) -> ErrorContext {
        ErrorContext {
            request_id: req
                .data::<RequestId>()
                .map(|r| r.0.clone())
                .or_else(current_request_id)
                .unwrap_or_default(),
            timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            path: req.uri().path().to_string(),
        }
    }

    /// Rejects bodies over the limit; reads chunked bodies with the limit applied.
    async fn limit_body(&self, req: &mut Request) -> Result<(), ApiError> {
        let multipart = req
            .content_type()
            .is_some_and(|ct| ct.starts_with("multipart/"));
        let settings = &self.platform.settings;
        let limit = if multipart {
            settings.max_upload_bytes
        } else {
            settings.max_body_bytes
        };
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        match declared {
            Some(len) if len > limit as u64 => Err(ApiError::payload_too_large(limit)),
            Some(_) => Ok(()),
            None if matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) => {
                let body = req.take_body();
                match body.into_bytes_limit(limit).await {
                    Ok(bytes) => {
                        req.set_body(bytes);
                        Ok(())
                    }
                    Err(poem::error::ReadBodyError::PayloadTooLarge) => {
                        Err(ApiError::payload_too_large(limit))
                    }
                    Err(e) => Err(ApiError::bad_request(format!(
                        "Could not read the request body: {e}"
                    ))),
                }
            }
            None => Ok(()),
        }
    }
}

impl<Ep: Endpoint, E: ErrorEnvelope> Endpoint for Gate<Ep, E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let ctx = Self::context(&req);
        req.set_data(ModuleContext {
            slug: self.info.slug,
            require_module_role: self.info.require_module_role,
        });

        if let Err(err) = self.limit_body(&mut req).await {
            return Ok(error_response::<E>(&err, &ctx));
        }

        // Who is calling (for per-user limits and the credential check below).
        let verified = match token_from_request(&req) {
            Some(token) => Some(self.platform.auth.verify(&token).await),
            None => None,
        };
        let principal = verified.as_ref().and_then(|v| v.as_ref().ok()).cloned();
        if let Some(p) = &principal {
            req.set_data(p.clone());
        }

        let decision = (self.classify)(&req, principal.as_ref()).map(|rule| {
            let ip = || format!("ip:{}", client_ip(&req).unwrap_or_default());
            let subject = rule
                .key
                .clone()
                .unwrap_or_else(|| match (&principal, rule.shared) {
                    // A shared budget (sign-in) counts the IP, whatever token comes along.
                    (_, Some(_)) => ip(),
                    (Some(p), None) => format!("user:{}", p.id),
                    (None, None) => ip(),
                });
            let scope = rule.shared.unwrap_or(self.info.slug);
            self.platform.limiter.check(scope, &rule, &subject)
        });
        if let Some(d) = decision.as_ref().filter(|d| !d.allowed) {
            let err = ApiError::new(ErrorKind::RateLimited, "Too many requests")
                .with_extra("retryAfter", d.retry_after)
                .with_extra("limit", d.limit)
                .with_extra("windowSeconds", d.window_secs);
            let mut resp = error_response::<E>(&err, &ctx);
            rate_headers(&mut resp, d);
            return Ok(resp);
        }

        // Credentials before input: an operation that declares security
        // answers 401 to a caller without credentials before any parameter
        // or body is looked at. A credential the platform cannot verify (an
        // API key) is left to the handler.
        if let Some(accepted) = self
            .document
            .routes()
            .credentials(&ctx.path, req.method().as_str())
        {
            if let Err(err) = credentials_present(&req, accepted, verified) {
                let mut resp = error_response::<E>(&err, &ctx);
                if let Some(d) = &decision {
                    rate_headers(&mut resp, d);
                }
                if let Some(pattern) = self.document.routes().pattern(&ctx.path) {
                    let base = self.info.base.trim_end_matches('/');
                    resp.set_data(poem::PathPattern(format!("{base}{pattern}").into()));
                }
                return Ok(resp);
            }
        }

        let meta = RequestMeta::of(&req);
        let method = req.method().clone();
        let query = req.uri().query().unwrap_or_default().to_string();
        let full_path = req
            .data::<RequestPath>()
            .map(|p| p.0.clone())
            .unwrap_or_else(|| ctx.path.clone());
        let outcome = AssertUnwindSafe(self.inner.call(req)).catch_unwind().await;
        let mut resp = match outcome {
            Ok(Ok(out)) => {
                let resp = out.into_response();
                let status = resp.status();
                if (status.is_client_error() || status.is_server_error()) && !is_json(&resp) {
                    // A framework response (e.g. a bare 405): keep the status, use our body.
                    let err = status_error(status, "");
                    let mut rendered = error_response::<E>(&err, &ctx);
                    rendered.set_status(status);
                    rendered
                } else {
                    resp
                }
            }
            Ok(Err(err)) => {
                let mut api = to_api_error(&err);
                self.refine_param_error(&err, &mut api, &method, &ctx.path, &query);
                if api.kind == ErrorKind::Internal {
                    tracing::error!(error = %err, path = %ctx.path, "request failed");
                }
                let pattern = err.data::<poem::PathPattern>().cloned();
                let mut resp = error_response::<E>(&api, &ctx);
                if let Some(p) = pattern {
                    resp.set_data(p);
                }
                resp
            }
            Err(_) => {
                tracing::error!(path = %ctx.path, "handler panicked");
                error_response::<E>(&ApiError::internal("Internal server error"), &ctx)
            }
        };
        if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
            if let Some(allow) = self.document.routes().allow_header(&ctx.path) {
                if let Ok(v) = HeaderValue::from_str(&allow) {
                    resp.headers_mut().insert(header::ALLOW, v);
                }
            }
        }
        if let Some(d) = &decision {
            rate_headers(&mut resp, d);
        }
        if resp.status() == StatusCode::FORBIDDEN {
            self.record_refusal(principal.as_ref(), &meta, &method, &full_path)
                .await;
        }
        Ok(resp)
    }
}

impl<Ep, E> Gate<Ep, E> {
    /// A refused query/path/header parameter, as the document names it: a
    /// path parameter under its documented name (poem-openapi says
    /// `param0`), an enum with the values the document lists; with every
    /// other refused query parameter of the request named too.
    fn refine_param_error(
        &self,
        err: &poem::Error,
        api: &mut ApiError,
        method: &Method,
        path: &str,
        query: &str,
    ) {
        use poem_openapi::error::{ParseParamError, ParsePathError};
        let (mut name, reason) = if let Some(e) = err.downcast_ref::<ParseParamError>() {
            (e.name, &e.reason)
        } else if let Some(e) = err.downcast_ref::<ParsePathError>() {
            let documented = e
                .name
                .strip_prefix("param")
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|i| self.document.routes().path_param(path, i));
            (documented.unwrap_or(e.name), &e.reason)
        } else {
            return;
        };
        let mut message = param_message(reason);
        if reason.contains("Expect a valid enumeration value") {
            if let Some(values) = self
                .document
                .routes()
                .enum_values(path, method.as_str(), name)
            {
                message = format!("must be one of {}", values.join(", "));
            }
        }
        if name.is_empty() {
            name = "parameter";
        }
        // The parser stops at the first bad parameter; the document names the rest.
        let mut details = self
            .document
            .routes()
            .query_errors(path, method.as_str(), query);
        let first = match details.iter().position(|d| d.field == name) {
            Some(i) => details.remove(i),
            None => crate::error::FieldError::new(name, message),
        };
        details.insert(0, first);
        let mut refined = ApiError::validation(details);
        refined.message = refined
            .details
            .iter()
            .map(|d| format!("{} {}", d.field, d.message))
            .collect::<Vec<_>>()
            .join("; ");
        *api = refined;
    }

    /// Records a refused (403) request as `auth.forbidden`: who, where from, what.
    async fn record_refusal(
        &self,
        principal: Option<&Principal>,
        meta: &RequestMeta,
        method: &Method,
        path: &str,
    ) {
        let actor = principal.cloned();
        let meta = meta.clone();
        let details = serde_json::json!({
            "module": self.info.slug,
            "method": method.as_str(),
            "path": path,
        });
        let path: String = path.chars().take(512).collect();
        let written = self
            .platform
            .db
            .write(move |tx| {
                crate::audit::record(
                    tx,
                    actor.as_ref(),
                    &meta,
                    crate::audit::AuditEntry {
                        module: "platform",
                        action: "auth.forbidden",
                        entity_type: "request",
                        entity_id: Some(&path),
                        details,
                    },
                )
            })
            .await;
        if let Err(e) = written {
            tracing::error!(error = %e, "refused request not recorded");
        }
    }
}

/// Session cookie authentication (`next-auth.session-token`, set by a sign-in endpoint).
#[derive(poem_openapi::SecurityScheme)]
#[oai(
    ty = "api_key",
    key_name = "next-auth.session-token",
    key_in = "cookie",
    checker = "cookie_checker"
)]
pub struct SessionCookieAuth(pub Principal);

async fn cookie_checker(req: &Request, key: poem_openapi::auth::ApiKey) -> poem::Result<Principal> {
    check_bearer(req, &key.key).await
}

/// Either a session cookie or a bearer token.
#[derive(poem_openapi::SecurityScheme)]
pub enum SessionOrBearer {
    Session(SessionCookieAuth),
    Bearer(BearerAuth),
}

impl SessionOrBearer {
    pub fn principal(&self) -> &Principal {
        match self {
            SessionOrBearer::Session(s) => &s.0,
            SessionOrBearer::Bearer(b) => &b.0,
        }
    }
}
