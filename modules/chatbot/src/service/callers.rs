//! Who is calling, for which tenant: an API key's tenant, a session token's
//! session, or a member's membership of the tenant named in the path or in
//! `X-Tenant-ID` (platform admins reach every tenant).

use crate::errors::ChatbotError;
use frontline_platform::{ApiError, ApiResult, Platform};

use crate::access::{
    effective_permissions, is_platform_admin, sha256_hex, tenant_not_found, Caller, Credential,
    SessionScope,
};
use crate::model::TenantState;
use crate::store;
use std::sync::Arc;

/// The tenant of an API key; 401 for an unknown key.
pub async fn api_key(platform: &Platform, key: &str) -> ApiResult<Credential> {
    let hash = sha256_hex(key);
    let found = platform
        .db
        .read(move |c| store::key_tenant(c, &hash))
        .await?;
    let (tenant_id, tenant) = found.ok_or_else(|| ApiError::unauthorized("Invalid API key"))?;
    Ok(Credential::ApiKey { tenant_id, tenant })
}

/// The session of a session token: 401 unless the token belongs to an
/// active, unexpired session of a tenant that still exists.
pub async fn session_token(platform: &Platform, token: &str) -> ApiResult<Credential> {
    let hash = sha256_hex(token);
    let row = platform
        .db
        .read(move |c| store::session_by_token(c, &hash))
        .await?
        .ok_or_else(|| ApiError::unauthorized("Invalid session token"))?;
    let expired = chrono::DateTime::parse_from_rfc3339(&row.expires_at)
        .map(|e| e <= chrono::Utc::now())
        .unwrap_or(true);
    if row.status != "active" || expired {
        return Err(ChatbotError::SessionExpired.with_message("The session has ended or expired"));
    }
    Ok(Credential::Session {
        scope: SessionScope {
            session_id: row.session_id,
            user_id: row.user_id,
            channel: row.channel,
            persist_context: row.persist_context,
        },
        tenant_id: row.tenant_id,
        tenant: row.tenant,
    })
}

/// The caller of a request with credential `cred`, for the tenant named in
/// the path (`path_tenant`, tenant routes) and/or `X-Tenant-ID`
/// (`header_tenant`). API keys and session tokens name their tenant: another
/// one named is 404 `TENANT_NOT_FOUND`. A member must name the tenant (400
/// without), consistently (400 when path and header differ), and belong to it
/// (404 otherwise).
pub async fn resolve(
    platform: &Platform,
    cred: Credential,
    path_tenant: Option<&str>,
    header_tenant: Option<&str>,
) -> ApiResult<Caller> {
    let named_other = |tenant: &str| {
        [path_tenant, header_tenant]
            .into_iter()
            .flatten()
            .any(|named| named != tenant)
    };
    let principal = match cred {
        Credential::ApiKey { tenant_id, tenant } => {
            if named_other(&tenant_id) {
                return Err(tenant_not_found());
            }
            return Ok(Caller {
                tenant_id,
                principal: None,
                role: "api_key".into(),
                permissions: effective_permissions("api_key", &[]),
                tenant_status: tenant.status.clone(),
                tenant: Some(tenant),
                session: None,
            });
        }
        Credential::Session {
            scope,
            tenant_id,
            tenant,
        } => {
            if named_other(&tenant_id) {
                return Err(tenant_not_found());
            }
            return Ok(Caller {
                tenant_id,
                principal: None,
                role: "session".into(),
                permissions: vec![],
                tenant_status: tenant.status.clone(),
                tenant: Some(tenant),
                session: Some(scope),
            });
        }
        Credential::User(p) => p,
    };
    let tenant_id = match (path_tenant, header_tenant) {
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
    let (uid, tid) = (principal.id.clone(), tenant_id.clone());
    let found = platform
        .db
        .read(move |c| store::membership(c, &tid, &uid))
        .await?;
    let (state, role, granted) = match found {
        None => return Err(tenant_not_found()),
        Some((s, _)) if admin => (s, "platform_admin".to_string(), vec![]),
        Some((s, Some((role, perms)))) => {
            let granted: Vec<String> = serde_json::from_str(&perms).unwrap_or_default();
            (s, role, granted)
        }
        Some((_, None)) => return Err(tenant_not_found()),
    };
    Ok(Caller {
        tenant_id,
        principal: Some(principal),
        permissions: effective_permissions(&role, &granted),
        role,
        tenant_status: state.status.clone(),
        tenant: Some(state),
        session: None,
    })
}

/// Fails with 404 `TENANT_NOT_FOUND` unless `tenant` exists, and with 403
/// `TENANT_SUSPENDED` when it is suspended.
pub async fn require_active_tenant(platform: &Platform, tenant: &str) -> ApiResult<()> {
    let t = tenant.to_string();
    platform
        .db
        .read(move |c| store::require_active_tenant(c, &t))
        .await
}

/// The tenant's state for `who`: as read with the credentials, or read now
/// (a platform admin acting on a tenant by id).
pub async fn state_of(platform: &Platform, who: &Caller) -> ApiResult<Arc<TenantState>> {
    if let Some(state) = &who.tenant {
        return Ok(state.clone());
    }
    let t = who.tenant_id.clone();
    platform
        .db
        .read(move |c| store::tenant_state(c, &t))
        .await?
        .ok_or_else(tenant_not_found)
}
