//! Session rules: start, update, end, extend, context and history.

use crate::errors::ChatbotError;
use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::{json, Value};

use super::*;
use crate::access::sha256_hex;
use crate::model::{
    ContextUpdateResult, CreateSessionRequest, Session, SessionContext, SessionCreated,
    SessionEnded, SessionExtension, UpdateSessionRequest,
};
use crate::store::sessions as sessions_store;

/// Checks a new session's fields and derives its starting context:
/// `page_url` sets `current_page` and `pages_visited`, a `/products/<id>`
/// page sets `product_interest`. Returns (channel, context, timeout minutes).
pub(crate) fn validate_new(body: &CreateSessionRequest) -> ApiResult<(String, Value, i64)> {
    let mut errs = vec![];
    let channel = body.channel.map_or("web", |c| c.as_str()).to_string();
    if !CHANNELS.contains(&channel.as_str()) {
        errs.push(FieldError::new("channel", "unknown channel"));
    }
    if body.user_id.trim().is_empty() {
        errs.push(FieldError::new("user_id", "user_id is required"));
    }
    let timeout = body
        .session_config
        .as_ref()
        .and_then(|c| c.timeout_minutes)
        .unwrap_or(30);
    if !(1..=1440).contains(&timeout) {
        errs.push(FieldError::new(
            "session_config.timeout_minutes",
            "timeout_minutes must be 1-1440",
        ));
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let initial: serde_json::Map<String, Value> = body
        .initial_context
        .clone()
        .unwrap_or_default()
        .into_iter()
        .collect();
    let mut context = Value::Object(initial);
    if let Some(url) = context
        .get("page_url")
        .and_then(Value::as_str)
        .map(str::to_string)
    {
        context["current_page"] = json!(url);
        context["pages_visited"] = json!([url]);
        if let Some(p) = url.split("/products/").nth(1) {
            let p = p.split(['?', '#', '/']).next().unwrap_or_default();
            if !p.is_empty() {
                context["product_interest"] = json!(p);
            }
        }
    }
    Ok((channel, context, timeout))
}

/// Starts a session; `visitor_type` is `returning` when the user had one before.
/// The session token is returned once and stored hashed; it is the visitor's
/// credential for this session and the conversations started with it
/// (`Authorization: Bearer st_…`). Without `persist_context` every further
/// conversation of the session starts from the initial context again.
pub(crate) fn create(
    tx: &Connection,
    tenant: &str,
    user: &str,
    channel: &str,
    mut context: Value,
    timeout: i64,
    persist_context: bool,
) -> ApiResult<SessionCreated> {
    check_channel(tx, tenant, channel)?;
    let returning = sessions_store::visitor_returning(tx, tenant, user)?;
    context["visitor_type"] = json!(if returning { "returning" } else { "new" });
    let id = new_id("sess");
    let token = format!("st_{}", uuid::Uuid::new_v4().simple());
    let now = chrono::Utc::now();
    let created = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let expires = (now + chrono::Duration::minutes(timeout))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    sessions_store::insert_session(
        tx,
        &sessions_store::NewSession {
            id: &id,
            tenant,
            user,
            channel,
            context: &context.to_string(),
            token_hash: &sha256_hex(&token),
            timeout_minutes: timeout,
            created_at: &created,
            expires_at: &expires,
            persist_context,
        },
    )?;
    Ok(SessionCreated {
        session_id: id,
        user_id: user.to_string(),
        channel: channel.to_string(),
        created_at: created,
        expires_at: expires,
        session_token: token,
        context,
    })
}

/// Changes user, channel or status of a session.
pub(crate) fn update(
    tx: &Connection,
    tenant: &str,
    id: &str,
    body: &UpdateSessionRequest,
) -> ApiResult<Session> {
    // Status and channel are the schema's enums.
    session_json(tx, tenant, id)?;
    sessions_store::update_session(
        tx,
        tenant,
        id,
        (
            body.user_id.as_deref(),
            body.channel.map(|c| c.as_str()),
            body.status.map(|s| s.as_str()),
        ),
        &now_iso(),
    )?;
    session_json(tx, tenant, id)
}

/// Ends a session (409 when already ended).
pub(crate) fn end(tx: &Connection, tenant: &str, id: &str) -> ApiResult<SessionEnded> {
    let s = session_json(tx, tenant, id)?;
    if s.status == "ended" {
        return Err(ChatbotError::SessionEnded.with_message("Session already ended"));
    }
    let now = now_iso();
    sessions_store::end_session(tx, tenant, id, &now)?;
    Ok(SessionEnded {
        session_id: id.to_string(),
        status: "ended".into(),
        ended_at: now,
    })
}

/// Moves an active session's expiry `by` minutes later.
pub(crate) fn extend(
    tx: &Connection,
    tenant: &str,
    id: &str,
    by: i64,
) -> ApiResult<SessionExtension> {
    if !(1..=1440).contains(&by) {
        return Err(ApiError::invalid(
            "extend_by_minutes",
            "extend_by_minutes must be 1-1440",
        ));
    }
    let s = session_json(tx, tenant, id)?;
    if s.status != "active" {
        return Err(ChatbotError::SessionNotActive.with_message(format!("Session is {}", s.status)));
    }
    let prev = s.expires_at;
    let prev_t = chrono::DateTime::parse_from_rfc3339(&prev)
        .map_err(|_| ApiError::internal("bad stored expiry"))?;
    let new = (prev_t + chrono::Duration::minutes(by))
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    sessions_store::set_expiry(tx, tenant, id, &new, &now_iso())?;
    Ok(SessionExtension {
        session_id: id.to_string(),
        previous_expiry: prev,
        new_expiry: new,
        extended_by_minutes: by,
    })
}

/// The session's context and history.
pub(crate) fn context(c: &Connection, tenant: &str, id: &str) -> ApiResult<SessionContext> {
    let s = session_json(c, tenant, id)?;
    Ok(SessionContext {
        session_id: s.session_id,
        context: s.context,
        history: s.history,
    })
}

/// Merges `updates` into the context and appends `append` to the history lists.
pub(crate) fn update_context(
    tx: &Connection,
    tenant: &str,
    id: &str,
    updates: &std::collections::BTreeMap<String, Value>,
    append: &std::collections::BTreeMap<String, Value>,
) -> ApiResult<ContextUpdateResult> {
    let s = session_json(tx, tenant, id)?;
    if s.status != "active" {
        return Err(ChatbotError::SessionNotActive.with_message("Session is not active"));
    }
    let mut ctx = s.context;
    let mut hist = s.history;
    if !hist.is_object() {
        hist = json!({});
    }
    let mut fields = vec![];
    {
        for (k, v) in updates {
            ctx[k] = v.clone();
            fields.push(k.clone());
        }
    }
    {
        for (k, v) in append {
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
    sessions_store::store_context(
        tx,
        tenant,
        id,
        &ctx.to_string(),
        &hist.to_string(),
        &now_iso(),
    )?;
    Ok(ContextUpdateResult {
        session_id: id.to_string(),
        context_updated: true,
        updated_fields: fields,
        new_context: ctx,
    })
}

/// A conversation was started with session `session`: links it, and when
/// the session does not keep its context across conversations
/// (`enable_context_persistence: false`) and had one before, puts the
/// context back to the one the session started with and clears the history.
pub(crate) fn link_conversation(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    scope: &crate::access::SessionScope,
) -> ApiResult<()> {
    let earlier = sessions_store::session_has_conversations(tx, tenant, &scope.session_id)?;
    sessions_store::link_to_session(tx, tenant, conv, &scope.session_id)?;
    if !scope.persist_context && earlier {
        sessions_store::reset_context(tx, tenant, &scope.session_id, &now_iso())?;
    }
    Ok(())
}
