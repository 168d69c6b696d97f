//! SQL of caller resolution: API keys, memberships, session tokens.

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::SessionTokenRow;

/// The tenant of the API key with SHA-256 `hash`, with the tenant's status
/// (deleted tenants' keys are no keys).
pub fn key_tenant(c: &Connection, hash: &str) -> ApiResult<Option<(String, String)>> {
    Ok(c.query_row(
        "SELECT k.tenant_id, t.status FROM chatbot_api_keys k JOIN chatbot_tenants t ON t.id = k.tenant_id
         WHERE k.hash = ?1 AND t.status != 'deleted'",
        params![hash],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

/// A tenant's status and the platform user's membership in it (role and the
/// JSON list of granted permissions; active members only: an invited one
/// has no access until the invitation is accepted). `None` when the tenant does not exist (or is deleted).
#[allow(clippy::type_complexity)]
pub fn membership(
    c: &Connection,
    tenant: &str,
    user_id: &str,
) -> ApiResult<Option<(String, Option<(String, String)>)>> {
    let status: Option<String> = c
        .query_row(
            "SELECT status FROM chatbot_tenants WHERE id = ?1 AND status != 'deleted'",
            params![tenant],
            |r| r.get(0),
        )
        .optional()?;
    let Some(status) = status else {
        return Ok(None);
    };
    let member: Option<(String, String)> = c
        .query_row(
            "SELECT role, permissions FROM chatbot_members WHERE tenant_id = ?1 AND platform_user_id = ?2
               AND status = 'active'",
            params![tenant, user_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(Some((status, member)))
}

/// The session whose token has SHA-256 `hash`, of a tenant that still exists.
pub fn session_by_token(c: &Connection, hash: &str) -> ApiResult<Option<SessionTokenRow>> {
    Ok(c.query_row(
        "SELECT s.id, s.tenant_id, s.user_id, s.channel, s.status, s.expires_at, s.persist_context, t.status
         FROM chatbot_sessions s JOIN chatbot_tenants t ON t.id = s.tenant_id
         WHERE s.token_hash = ?1 AND t.status != 'deleted'",
        params![hash],
        |r| {
            Ok(SessionTokenRow {
                session_id: r.get(0)?,
                tenant_id: r.get(1)?,
                user_id: r.get(2)?,
                channel: r.get(3)?,
                status: r.get(4)?,
                expires_at: r.get(5)?,
                persist_context: r.get(6)?,
                tenant_status: r.get(7)?,
            })
        },
    )
    .optional()?)
}
