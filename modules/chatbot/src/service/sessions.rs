//! Session rules: start, update, end, extend, context and history.

use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, ApiResult};
use rusqlite::{params, Connection};
use serde_json::{json, Value};

use super::*;
use crate::access::sha256_hex;

/// Starts a session; `visitor_type` is `returning` when the user had one before.
/// The session token is returned once and stored hashed.
pub(crate) fn create(
    tx: &Connection,
    tenant: &str,
    user: &str,
    channel: &str,
    mut context: Value,
    timeout: i64,
) -> ApiResult<Value> {
    let returning: i64 = tx.query_row(
        "SELECT COUNT(*) FROM chatbot_sessions WHERE tenant_id = ?1 AND user_id = ?2",
        params![tenant, user],
        |r| r.get(0),
    )?;
    context["visitor_type"] = json!(if returning > 0 { "returning" } else { "new" });
    let id = new_id("sess");
    let token = format!("st_{}", uuid::Uuid::new_v4().simple());
    let now = chrono::Utc::now();
    let created = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let expires = (now + chrono::Duration::minutes(timeout))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    tx.execute(
            "INSERT INTO chatbot_sessions (id, tenant_id, user_id, channel, status, context, history, token_hash, timeout_minutes, created_at, last_activity, expires_at)
             VALUES (?1, ?2, ?3, ?4, 'active', ?5, '{}', ?6, ?7, ?8, ?8, ?9)",
            params![id, tenant, user, channel, context.to_string(), sha256_hex(&token), timeout, created, expires],
        )?;
    Ok(
        json!({"session_id": id, "user_id": user, "channel": channel, "created_at": created, "expires_at": expires, "session_token": token, "context": context}),
    )
}

/// Changes user, channel or status of a session.
pub(crate) fn update(tx: &Connection, tenant: &str, id: &str, body: &Value) -> ApiResult<Value> {
    session_json(tx, tenant, id)?;
    tx.execute(
            "UPDATE chatbot_sessions SET user_id = COALESCE(?3, user_id), channel = COALESCE(?4, channel), status = COALESCE(?5, status), last_activity = ?6
             WHERE tenant_id = ?1 AND id = ?2",
            params![tenant, id, str_of(body, "user_id"), str_of(body, "channel"), str_of(body, "status"), now_iso()],
        )?;
    session_json(tx, tenant, id)
}

/// Ends a session (409 when already ended).
pub(crate) fn end(tx: &Connection, tenant: &str, id: &str) -> ApiResult<Value> {
    let s = session_json(tx, tenant, id)?;
    if s["status"] == "ended" {
        return Err(ApiError::conflict("Session already ended").with_code("SESSION_ENDED"));
    }
    let now = now_iso();
    tx.execute("UPDATE chatbot_sessions SET status = 'ended', last_activity = ?3 WHERE tenant_id = ?1 AND id = ?2", params![tenant, id, now])?;
    Ok(json!({"session_id": id, "status": "ended", "ended_at": now}))
}

/// Moves an active session's expiry `by` minutes later.
pub(crate) fn extend(tx: &Connection, tenant: &str, id: &str, by: i64) -> ApiResult<Value> {
    let s = session_json(tx, tenant, id)?;
    if s["status"] != "active" {
        return Err(ApiError::conflict(format!(
            "Session is {}",
            s["status"].as_str().unwrap_or_default()
        ))
        .with_code("SESSION_NOT_ACTIVE"));
    }
    let prev = s["expires_at"].as_str().unwrap_or_default().to_string();
    let prev_t = chrono::DateTime::parse_from_rfc3339(&prev)
        .map_err(|_| ApiError::internal("bad stored expiry"))?;
    let new = (prev_t + chrono::Duration::minutes(by))
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    tx.execute("UPDATE chatbot_sessions SET expires_at = ?3, last_activity = ?4 WHERE tenant_id = ?1 AND id = ?2", params![tenant, id, new, now_iso()])?;
    Ok(
        json!({"session_id": id, "previous_expiry": prev, "new_expiry": new, "extended_by_minutes": by}),
    )
}

/// The session's context and history.
pub(crate) fn context(c: &Connection, tenant: &str, id: &str) -> ApiResult<Value> {
    let s = session_json(c, tenant, id)?;
    Ok(json!({"session_id": id, "context": s["context"], "history": s["history"]}))
}

/// Merges `updates` into the context and appends `append` to the history lists.
pub(crate) fn update_context(
    tx: &Connection,
    tenant: &str,
    id: &str,
    updates: &Value,
    append: &Value,
) -> ApiResult<Value> {
    let s = session_json(tx, tenant, id)?;
    if s["status"] != "active" {
        return Err(ApiError::conflict("Session is not active").with_code("SESSION_NOT_ACTIVE"));
    }
    let mut ctx = s["context"].clone();
    let mut hist = s["history"].clone();
    let mut fields = vec![];
    if let Some(m) = updates.as_object() {
        for (k, v) in m {
            ctx[k] = v.clone();
            fields.push(k.clone());
        }
    }
    if let Some(m) = append.as_object() {
        for (k, v) in m {
            let mut list = hist
                .get(k)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            list.push(v.clone());
            hist[k] = json!(list);
            if k == "page_visits" {
                let mut pages = ctx
                    .get("pages_visited")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                pages.push(v.clone());
                ctx["pages_visited"] = json!(pages);
            }
        }
    }
    tx.execute(
            "UPDATE chatbot_sessions SET context = ?3, history = ?4, last_activity = ?5 WHERE tenant_id = ?1 AND id = ?2",
            params![tenant, id, ctx.to_string(), hist.to_string(), now_iso()],
        )?;
    Ok(
        json!({"session_id": id, "context_updated": true, "updated_fields": fields, "new_context": ctx}),
    )
}
