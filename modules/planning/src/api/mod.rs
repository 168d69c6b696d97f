//! Handlers of the planning API (thin: parse, authorize, call the
//! service and the store, render), one file per part of the document.

use frontline_platform::audit::{self, AuditEntry, AuditQuery};
use frontline_platform::auth::{find_user, Auth, Principal, UserChanges};
use frontline_platform::files::{self, NewFile};
use frontline_platform::http::{ModuleError, RequestMeta, SessionOrBearer};
use frontline_platform::page::Page;
use frontline_platform::{ApiError, FieldError, Platform};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::model::*;
use crate::{reports, service, settings, store};

type Result<T> = std::result::Result<T, ModuleError<PlanningEnvelope>>;

pub const SESSION_COOKIE: &str = "next-auth.session-token";

/// The planning role of a principal: ADMIN for platform admins.
pub fn planning_role(p: &Principal) -> Option<&'static str> {
    if p.is_admin() || p.has_role(crate::SLUG, "ADMIN") {
        Some("ADMIN")
    } else if p.has_role(crate::SLUG, "PLANNER") {
        Some("PLANNER")
    } else if p.has_role(crate::SLUG, "VIEWER") {
        Some("VIEWER")
    } else {
        None
    }
}

#[derive(ApiResponse)]
enum HealthResponse {
    /// Healthy.
    #[oai(status = 200)]
    Ok(Json<Envelope<Health>>),
    /// The database is unreachable.
    #[oai(status = 503)]
    Unavailable(Json<serde_json::Value>),
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

fn session_of(p: &Principal, role: &str) -> Session {
    Session {
        user: SessionUser {
            id: p.id.clone(),
            email: p.email.clone(),
            name: p.name.clone(),
            role: role.to_string(),
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

/// 403 unless the caller is a planning ADMIN (or a platform admin).
fn require_admin(p: &Principal) -> std::result::Result<(), ApiError> {
    match planning_role(p) {
        Some("ADMIN") => Ok(()),
        _ => Err(ApiError::forbidden("Admin access required").with_code("FORBIDDEN")),
    }
}

/// How long a generated report and its link live.
const REPORT_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
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

/// 403 unless the caller has one of `roles` in planning.
fn require_role(p: &Principal, roles: &[&str]) -> std::result::Result<(), ApiError> {
    match planning_role(p) {
        Some(r) if roles.contains(&r) => Ok(()),
        _ => Err(ApiError::forbidden(format!(
            "Insufficient permissions. {} role required.",
            roles.join(" or ")
        ))
        .with_code("FORBIDDEN")),
    }
}

/// The planning role implied by a user's stored roles.
fn role_of_roles(roles: &[String]) -> Option<&'static str> {
    let has = |r: &str| roles.iter().any(|x| x == r);
    if has("admin") || has("planning:ADMIN") {
        Some("ADMIN")
    } else if has("planning:PLANNER") {
        Some("PLANNER")
    } else if has("planning:VIEWER") {
        Some("VIEWER")
    } else {
        None
    }
}

/// 403 for edits of a LOCKED version.
fn locked(id: &str) -> ApiError {
    ApiError::forbidden("Version is LOCKED and cannot be edited")
        .with_code("FORBIDDEN")
        .with_extra("versionId", id)
}

/// 409 when another version has the name.
fn unique_name(
    conn: &rusqlite::Connection,
    name: &str,
    except: Option<&str>,
) -> std::result::Result<(), ApiError> {
    if store::name_taken(conn, name, except)? {
        return Err(ApiError::conflict("Version name already exists")
            .with_extra("field", "name")
            .with_extra("value", name));
    }
    Ok(())
}

/// All versions of `ids` in that order; 404 naming the unknown ones.
fn load_all(
    conn: &rusqlite::Connection,
    ids: &[String],
) -> std::result::Result<Vec<store::VersionRow>, ApiError> {
    let mut rows = vec![];
    let mut missing = vec![];
    for id in ids {
        match store::get(conn, id)? {
            Some(v) => rows.push(v),
            None => missing.push(id.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(
            ApiError::not_found("One or more versions not found").with_extra("versionIds", missing)
        );
    }
    Ok(rows)
}

/// An ISO 8601 date or date-time as an RFC 3339 bound (a bare end date covers its whole day).
fn parse_date(
    field: &str,
    v: Option<String>,
    end: bool,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = v?.trim().to_string();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&v) {
        return Some(
            t.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        );
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
        let t = if end {
            d.and_hms_milli_opt(23, 59, 59, 999)
        } else {
            d.and_hms_opt(0, 0, 0)
        };
        if let Some(t) = t {
            return Some(
                t.and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            );
        }
    }
    errors.push(FieldError::new(
        field,
        "Must be an ISO 8601 date or date-time",
    ));
    None
}
