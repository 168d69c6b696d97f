//! SQL of sessions: start, update, end, extend, context, and the
//! conversations started with a session.

use frontline_platform::ApiResult;
use rusqlite::{params, Connection};

/// Whether the visitor `user` had a session with the tenant before.
pub(crate) fn visitor_returning(c: &Connection, tenant: &str, user: &str) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT EXISTS (SELECT 1 FROM chatbot_sessions WHERE tenant_id = ?1 AND user_id = ?2)",
        params![tenant, user],
        |r| r.get(0),
    )?)
}

/// A session to store.
pub(crate) struct NewSession<'a> {
    pub id: &'a str,
    pub tenant: &'a str,
    pub user: &'a str,
    pub channel: &'a str,
    /// The starting context (JSON text), also kept as the initial context.
    pub context: &'a str,
    pub token_hash: &'a str,
    pub timeout_minutes: i64,
    pub created_at: &'a str,
    pub expires_at: &'a str,
    pub persist_context: bool,
}

pub(crate) fn insert_session(tx: &Connection, s: &NewSession) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_sessions (id, tenant_id, user_id, channel, status, context, history, token_hash, timeout_minutes, created_at, last_activity, expires_at, persist_context, initial_context)
         VALUES (?1, ?2, ?3, ?4, 'active', ?5, '{}', ?6, ?7, ?8, ?8, ?9, ?10, ?5)",
        params![s.id, s.tenant, s.user, s.channel, s.context, s.token_hash, s.timeout_minutes, s.created_at, s.expires_at, s.persist_context],
    )?;
    Ok(())
}

/// Sets the user, channel and status given (others kept) and the last activity.
pub(crate) fn update_session(
    tx: &Connection,
    tenant: &str,
    id: &str,
    (user, channel, status): (Option<&str>, Option<&str>, Option<&str>),
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_sessions SET user_id = COALESCE(?3, user_id), channel = COALESCE(?4, channel), status = COALESCE(?5, status), last_activity = ?6
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id, user, channel, status, now],
    )?;
    Ok(())
}

/// Marks a session ended at `now`.
pub(crate) fn end_session(tx: &Connection, tenant: &str, id: &str, now: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_sessions SET status = 'ended', last_activity = ?3 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id, now],
    )?;
    Ok(())
}

/// Moves a session's expiry to `expires_at`.
pub(crate) fn set_expiry(
    tx: &Connection,
    tenant: &str,
    id: &str,
    expires_at: &str,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_sessions SET expires_at = ?3, last_activity = ?4 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id, expires_at, now],
    )?;
    Ok(())
}

/// Stores a session's context and history (JSON texts).
pub(crate) fn store_context(
    tx: &Connection,
    tenant: &str,
    id: &str,
    context: &str,
    history: &str,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_sessions SET context = ?3, history = ?4, last_activity = ?5 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id, context, history, now],
    )?;
    Ok(())
}

/// Whether a conversation was started with session `session` before.
pub(crate) fn session_has_conversations(
    c: &Connection,
    tenant: &str,
    session: &str,
) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT EXISTS (SELECT 1 FROM chatbot_conversations WHERE tenant_id = ?1 AND session_id = ?2)",
        params![tenant, session],
        |r| r.get(0),
    )?)
}

/// Links conversation `conv` to session `session`.
pub(crate) fn link_to_session(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    session: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_conversations SET session_id = ?3 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, session],
    )?;
    Ok(())
}

/// Puts a session's context back to the one it started with and clears its history.
pub(crate) fn reset_context(
    tx: &Connection,
    tenant: &str,
    session: &str,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_sessions SET context = COALESCE(initial_context, context), history = '{}', last_activity = ?3
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, session, now],
    )?;
    Ok(())
}
