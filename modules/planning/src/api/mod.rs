//! Handlers of the planning API, one file per part of the document. Thin:
//! the caller's role is checked by the handler's type ([`Caller`]) before any
//! parameter or body is read; parameters and bodies arrive typed; a handler
//! runs the service in one transaction and renders the answer.

use std::marker::PhantomData;

use frontline_platform::auth::Principal;
use frontline_platform::body::JsonBody;
use frontline_platform::http::{BearerAuth, ModuleError, RequestMeta, SessionCookieAuth};
use frontline_platform::page::Page;
use frontline_platform::write;
use frontline_platform::{ApiError, Platform};
use poem::{Request, RequestBody};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::registry::Registry;
use poem_openapi::{ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions, OpenApi};

use crate::model::*;
use crate::service;

type Result<T> = std::result::Result<T, ModuleError<PlanningEnvelope>>;

pub const SESSION_COOKIE: &str = "next-auth.session-token";

/// Who may call an operation.
pub trait Policy: Send + Sync + 'static {
    /// The planning roles allowed.
    const ROLES: &'static [PlanningRole];
}

/// Any planning role (ADMIN, PLANNER, VIEWER).
pub struct AnyRole;
impl Policy for AnyRole {
    const ROLES: &'static [PlanningRole] = &[
        PlanningRole::Admin,
        PlanningRole::Planner,
        PlanningRole::Viewer,
    ];
}

/// ADMIN or PLANNER.
pub struct Editor;
impl Policy for Editor {
    const ROLES: &'static [PlanningRole] = &[PlanningRole::Admin, PlanningRole::Planner];
}

/// ADMIN only.
pub struct AdminOnly;
impl Policy for AdminOnly {
    const ROLES: &'static [PlanningRole] = &[PlanningRole::Admin];
}

/// The caller, signed in (session cookie or bearer token: 401 otherwise)
/// with one of `P`'s roles (403 otherwise). Declared first in a handler, it
/// is checked before the handler's parameters and body are read.
pub struct Caller<P: Policy> {
    pub principal: Principal,
    pub role: PlanningRole,
    _policy: PhantomData<P>,
}

impl<'a, P: Policy> ApiExtractor<'a> for Caller<P> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        BearerAuth::register(registry);
        SessionCookieAuth::register(registry);
    }

    /// Bearer first: a client that sends a bearer token means it.
    fn security_schemes() -> Vec<&'static str> {
        let mut schemes = BearerAuth::security_schemes();
        schemes.extend(SessionCookieAuth::security_schemes());
        schemes
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let principal = caller(request, body).await?;
        match service::planning_role(&principal) {
            Some(role) if P::ROLES.contains(&role) => Ok(Caller {
                principal,
                role,
                _policy: PhantomData,
            }),
            _ => Err(forbidden(P::ROLES).into()),
        }
    }
}

/// The signed-in caller: the bearer token when the request has one (a bad
/// token is 401 even beside a session cookie), else the session cookie.
pub(crate) async fn caller(request: &Request, body: &mut RequestBody) -> poem::Result<Principal> {
    if request
        .headers()
        .contains_key(poem::http::header::AUTHORIZATION)
    {
        Ok(BearerAuth::from_request(request, body, Default::default())
            .await?
            .0)
    } else {
        Ok(
            SessionCookieAuth::from_request(request, body, Default::default())
                .await?
                .0,
        )
    }
}

/// 403 naming the roles an operation needs.
fn forbidden(roles: &[PlanningRole]) -> ApiError {
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    if roles == [PlanningRole::Admin] {
        PlanningError::Forbidden.with_message("Admin access required")
    } else {
        PlanningError::Forbidden.with_message(format!(
            "Insufficient permissions. {} role required.",
            names.join(" or ")
        ))
    }
}

#[derive(ApiResponse)]
enum HealthResponse {
    /// Healthy.
    #[oai(status = 200)]
    Ok(Json<Envelope<Health>>),
    /// The database is unreachable.
    #[oai(status = 503)]
    Unavailable(Json<Unhealthy>),
}

#[derive(ApiResponse)]
enum SignedIn {
    /// Signed in; the session cookie is set.
    #[oai(status = 200)]
    Ok(
        Json<Envelope<Session>>,
        #[oai(header = "Set-Cookie")] String,
    ),
}

#[derive(ApiResponse)]
enum SignedOut {
    /// Signed out; the session cookie is cleared.
    #[oai(status = 200)]
    Ok(Json<Envelope<bool>>, #[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
enum CreatedVersion {
    /// Created.
    #[oai(status = 201)]
    Ok(Json<Envelope<VersionCreated>>),
}

#[derive(ApiResponse)]
enum DuplicatedVersion {
    /// Duplicated.
    #[oai(status = 201)]
    Ok(Json<Envelope<VersionDuplicated>>),
}

mod admin;
mod auth;
mod reporting;
mod versions;

pub use admin::AdminApi;
pub use auth::AuthApi;
pub use reporting::ReportsApi;
pub use versions::VersionsApi;

/// Every operation of the planning document, grouped by part.
pub fn api(platform: &Platform) -> (AuthApi, VersionsApi, ReportsApi, AdminApi) {
    (
        AuthApi {
            platform: platform.clone(),
        },
        VersionsApi {
            platform: platform.clone(),
        },
        ReportsApi {
            platform: platform.clone(),
        },
        AdminApi {
            platform: platform.clone(),
        },
    )
}

fn session_of(p: &Principal, role: PlanningRole) -> Session {
    Session {
        user: SessionUser {
            id: p.id.clone(),
            email: p.email.clone(),
            name: p.name.clone(),
            role,
        },
        expires: chrono::DateTime::from_timestamp(p.token_expires_at, 0)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

/// Tags of the planning operations.
#[derive(poem_openapi::Tags)]
pub enum Tag {
    /// Versions of the 30-year plan, their projections and comparisons.
    Versions,
    /// PDF and Excel reports of versions.
    Reports,
    /// Admin settings, users and audit logs (ADMIN only).
    Admin,
}

/// How long a generated report and its link live.
const REPORT_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Recomputes, in the background, the stored list figures of versions
/// written under older settings (one short write transaction per 200
/// versions); at most one such task runs.
fn refresh_figures_later(platform: &Platform) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static RUNNING: AtomicBool = AtomicBool::new(false);
    if RUNNING.swap(true, Ordering::AcqRel) {
        return;
    }
    let db = platform.db.clone();
    tokio::spawn(async move {
        loop {
            match db.write(|tx| service::refresh_figures(tx, 200)).await {
                Ok(0) => break,
                Ok(_) => tokio::task::yield_now().await,
                Err(e) => {
                    tracing::warn!(error = %e.message, "planning: refreshing list figures failed");
                    break;
                }
            }
        }
        RUNNING.store(false, Ordering::Release);
    });
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A page request: `limit` within the document's 100 and the server's
/// `max_page_size`, whichever is smaller.
fn page(platform: &Platform, page: Option<i64>, limit: Option<i64>, default: u64) -> Result<Page> {
    let max = (platform.settings.max_page_size as u64).min(100);
    Ok(Page::new(page, limit, default, max)?)
}
