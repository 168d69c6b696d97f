//! SQL of caller resolution: API keys, memberships, session tokens — each
//! read with the tenant's state in the same statement.

use std::sync::Arc;

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{SessionTokenRow, TenantState};

/// The columns of a tenant's state (`t` is `chatbot_tenants`); read with
/// [`state_at`].
const STATE: &str = "t.status, t.plan, t.features, t.config,
    EXISTS (SELECT 1 FROM chatbot_articles a WHERE a.tenant_id = t.id)";

/// The tenant state in columns `at..at + 5` of a row selecting [`STATE`].
fn state_at(r: &Row, at: usize) -> rusqlite::Result<Arc<TenantState>> {
    Ok(Arc::new(TenantState::new(
        r.get(at)?,
        r.get(at + 1)?,
        r.get(at + 2)?,
        r.get(at + 3)?,
        r.get(at + 4)?,
    )))
}

/// The tenant of the API key with SHA-256 `hash`, with the tenant's state
/// (deleted tenants' keys are no keys).
pub fn key_tenant(c: &Connection, hash: &str) -> ApiResult<Option<(String, Arc<TenantState>)>> {
    Ok(c.query_row(
        &format!(
            "SELECT k.tenant_id, {STATE} FROM chatbot_api_keys k JOIN chatbot_tenants t ON t.id = k.tenant_id
             WHERE k.hash = ?1 AND t.status != 'deleted'"
        ),
        params![hash],
        |r| Ok((r.get(0)?, state_at(r, 1)?)),
    )
    .optional()?)
}

/// The state of a tenant that exists (and is not deleted).
pub fn tenant_state(c: &Connection, tenant: &str) -> ApiResult<Option<Arc<TenantState>>> {
    Ok(c.query_row(
        &format!("SELECT {STATE} FROM chatbot_tenants t WHERE t.id = ?1 AND t.status != 'deleted'"),
        params![tenant],
        |r| state_at(r, 0),
    )
    .optional()?)
}

/// A tenant's role and granted permissions (JSON list).
pub type Membership = (String, String);

/// A tenant's state and the platform user's membership in it (role and the
/// JSON list of granted permissions; active members only: an invited one
/// has no access until the invitation is accepted). `None` when the tenant does not exist (or is deleted).
pub fn membership(
    c: &Connection,
    tenant: &str,
    user_id: &str,
) -> ApiResult<Option<(Arc<TenantState>, Option<Membership>)>> {
    let Some(state) = tenant_state(c, tenant)? else {
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
    Ok(Some((state, member)))
}

/// The session whose token has SHA-256 `hash`, of a tenant that still exists.
pub fn session_by_token(c: &Connection, hash: &str) -> ApiResult<Option<SessionTokenRow>> {
    Ok(c.query_row(
        &format!(
            "SELECT s.id, s.tenant_id, s.user_id, s.channel, s.status, s.expires_at, s.persist_context, {STATE}
             FROM chatbot_sessions s JOIN chatbot_tenants t ON t.id = s.tenant_id
             WHERE s.token_hash = ?1 AND t.status != 'deleted'"
        ),
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
                tenant: state_at(r, 7)?,
            })
        },
    )
    .optional()?)
}
