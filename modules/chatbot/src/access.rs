//! Who is calling and for which tenant: JWT + `X-Tenant-ID` membership, or
//! `Authorization: ApiKey cb_live_…` (hash lookup).

use frontline_platform::auth::Principal;
use frontline_platform::{ApiError, ApiResult, Platform};
use poem::Request;
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

/// The resolved caller of a tenant-scoped request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub tenant_id: String,
    pub principal: Option<Principal>,
    /// The tenant role (`owner`, `admin`, …); `platform_admin` for platform admins,
    /// `api_key` for key callers.
    pub role: String,
}

impl Caller {
    /// Owners, tenant admins and platform admins manage the tenant.
    pub fn is_tenant_admin(&self) -> bool {
        matches!(self.role.as_str(), "owner" | "admin" | "platform_admin")
    }
    pub fn require_tenant_admin(&self) -> ApiResult<()> {
        if self.is_tenant_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "This action needs the tenant admin role",
            ))
        }
    }
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn is_platform_admin(p: &Principal) -> bool {
    p.is_admin() || p.roles_in("chatbot").contains(&"admin")
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The signed-in user (JWT) of the request; 401 without one.
pub async fn principal(platform: &Platform, req: &Request) -> ApiResult<Principal> {
    match header(req, "authorization") {
        Some(h) if h.len() > 7 && h[..7].eq_ignore_ascii_case("bearer ") => {
            platform.auth.verify(h[7..].trim()).await
        }
        _ => Err(ApiError::unauthorized("Bearer token required")),
    }
}

/// Resolves the tenant of a request. `path_tenant` is the tenant named in the
/// path (tenant routes), which must agree with `X-Tenant-ID` when both are sent.
pub async fn caller(
    platform: &Platform,
    req: &Request,
    path_tenant: Option<&str>,
) -> ApiResult<Caller> {
    let auth = header(req, "authorization")
        .ok_or_else(|| ApiError::unauthorized("Authentication required"))?;
    if auth.len() > 7 && auth[..7].eq_ignore_ascii_case("apikey ") {
        let key = auth[7..].trim().to_string();
        let hash = sha256_hex(&key);
        let tenant: Option<String> = platform
            .db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT k.tenant_id FROM chatbot_api_keys k JOIN chatbot_tenants t ON t.id = k.tenant_id
                     WHERE k.hash = ?1 AND t.status != 'deleted'",
                    params![hash],
                    |r| r.get(0),
                )
                .optional()?)
            })
            .await?;
        let tenant = tenant.ok_or_else(|| ApiError::unauthorized("Invalid API key"))?;
        if let Some(p) = path_tenant {
            if p != tenant {
                return Err(tenant_not_found());
            }
        }
        if let Some(h) = header(req, "x-tenant-id") {
            if h != tenant {
                return Err(tenant_not_found());
            }
        }
        return Ok(Caller {
            tenant_id: tenant,
            principal: None,
            role: "api_key".into(),
        });
    }
    let principal = principal(platform, req).await?;
    let named = header(req, "x-tenant-id").map(str::to_string);
    let tenant_id = match (path_tenant, named.as_deref()) {
        (Some(p), Some(h)) if p != h => {
            return Err(ApiError::invalid(
                "X-Tenant-ID",
                "X-Tenant-ID does not match the tenant in the path",
            ))
        }
        (Some(p), _) => p.to_string(),
        (None, Some(h)) => h.to_string(),
        (None, None) => {
            return Err(ApiError::invalid(
                "X-Tenant-ID",
                "X-Tenant-ID header is required",
            ))
        }
    };
    let admin = is_platform_admin(&principal);
    let uid = principal.id.clone();
    let tid = tenant_id.clone();
    let role: Option<Option<String>> = platform
        .db
        .read(move |c| {
            let exists: Option<String> = c
                .query_row(
                    "SELECT id FROM chatbot_tenants WHERE id = ?1 AND status != 'deleted'",
                    params![tid],
                    |r| r.get(0),
                )
                .optional()?;
            if exists.is_none() {
                return Ok(None);
            }
            let role: Option<String> = c
                .query_row(
                    "SELECT role FROM chatbot_members WHERE tenant_id = ?1 AND platform_user_id = ?2
                       AND (status = 'active' OR (status = 'invitation_sent' AND invitation_expires_at > ?3))",
                    params![tid, uid, frontline_platform::auth::now_iso()],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(Some(role))
        })
        .await?;
    let role = match role {
        None => return Err(tenant_not_found()),
        Some(_) if admin => "platform_admin".to_string(),
        Some(Some(r)) => r,
        Some(None) => return Err(tenant_not_found()),
    };
    Ok(Caller {
        tenant_id,
        principal: Some(principal),
        role,
    })
}

pub fn tenant_not_found() -> ApiError {
    ApiError::not_found("Tenant not found").with_code("TENANT_NOT_FOUND")
}
