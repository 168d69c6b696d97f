//! SQL of the chat path: stored messages, opening a conversation, the bot's
//! reply and the conversation state it leaves (service/messages.rs holds the
//! rules). Every statement reads index entries of one visitor, conversation
//! or message, never the tenant's history.

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};

/// The conversation and direction of stored message `message_id`.
pub(crate) fn message_place(
    c: &Connection,
    tenant: &str,
    message_id: &str,
) -> ApiResult<Option<(String, String)>> {
    Ok(c.query_row(
        "SELECT conversation_id, direction FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
        params![tenant, message_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

/// The visitor's newest open conversation on `channel` (of `session` when given).
pub(crate) fn open_conversation_of(
    c: &Connection,
    tenant: &str,
    user: &str,
    channel: &str,
    session: Option<&str>,
) -> ApiResult<Option<String>> {
    Ok(c.query_row(
        "SELECT id FROM chatbot_conversations WHERE tenant_id = ?1 AND user_id = ?2 AND channel = ?3
         AND status != 'closed' AND (?4 IS NULL OR session_id = ?4)
         ORDER BY last_activity_at DESC LIMIT 1",
        params![tenant, user, channel, session],
        |r| r.get(0),
    )
    .optional()?)
}

/// Stores a new active conversation started `now`.
pub(crate) fn insert_conversation(
    tx: &Connection,
    tenant: &str,
    id: &str,
    user: &str,
    channel: &str,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_conversations (tenant_id, id, user_id, channel, status, entities, started_at, last_activity_at)
         VALUES (?1, ?2, ?3, ?4, 'active', '{}', ?5, ?5)",
        params![tenant, id, user, channel, now],
    )?;
    Ok(())
}

/// Stores a visitor's message (`content` is the stored JSON).
pub(crate) fn insert_inbound(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    message_id: &str,
    content: &str,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_messages (tenant_id, conversation_id, message_id, direction, content, status, created_at)
         VALUES (?1, ?2, ?3, 'inbound', ?4, 'processed', ?5)",
        params![tenant, conv, message_id, content, now],
    )?;
    Ok(())
}

/// What the bot's next reply depends on: the conversation's fallbacks in a
/// row, its entities (JSON text) and its status.
pub(crate) fn bot_state(
    c: &Connection,
    tenant: &str,
    conv: &str,
) -> ApiResult<(i64, String, String)> {
    Ok(c.query_row(
        "SELECT fallback_count, entities, status FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}

/// A bot reply to store.
pub(crate) struct NewReply<'a> {
    pub tenant: &'a str,
    pub conversation: &'a str,
    pub message_id: &'a str,
    /// The stored JSON content.
    pub content: &'a str,
    pub intent: Option<&'a str>,
    pub confidence: f64,
    pub reply_to: &'a str,
    pub processing_ms: i64,
    pub model_used: &'a str,
    pub cost_cents: f64,
    pub is_fallback: bool,
    pub created_at: &'a str,
}

/// Stores the bot's reply.
pub(crate) fn insert_reply(tx: &Connection, m: &NewReply) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_messages (tenant_id, conversation_id, message_id, direction, content, intent, confidence, status, reply_to, processing_ms, model_used, created_at, cost_cents, is_fallback)
         VALUES (?1, ?2, ?3, 'outbound', ?4, ?5, ?6, 'sent', ?7, ?8, ?10, ?9, ?11, ?12)",
        params![
            m.tenant,
            m.conversation,
            m.message_id,
            m.content,
            m.intent,
            m.confidence,
            m.reply_to,
            m.processing_ms,
            m.created_at,
            m.model_used,
            m.cost_cents,
            m.is_fallback
        ],
    )?;
    Ok(())
}

/// The conversation after a bot reply: its intent (kept when `intent` is
/// none), entities, fallbacks in a row and activity; `transferred` (one more
/// escalation) when `transfer`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn update_after_reply(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    intent: Option<&str>,
    entities: &str,
    fallbacks: i64,
    now: &str,
    transfer: bool,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_conversations SET current_intent = COALESCE(?3, current_intent), entities = ?4, fallback_count = ?5,
             last_activity_at = ?6, status = CASE WHEN ?7 THEN 'transferred' ELSE status END,
             escalation_count = escalation_count + ?7
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, intent, entities, fallbacks, now, transfer],
    )?;
    Ok(())
}

/// A stored reply: id, conversation, content, intent, confidence, processing ms, model.
pub(crate) type ReplyRow = (
    String,
    String,
    String,
    Option<String>,
    Option<f64>,
    Option<i64>,
    Option<String>,
);

/// The newest stored reply to inbound message `inbound_id`.
pub(crate) fn reply_to(
    c: &Connection,
    tenant: &str,
    inbound_id: &str,
) -> ApiResult<Option<ReplyRow>> {
    Ok(c.query_row(
        "SELECT message_id, conversation_id, content, intent, confidence, processing_ms, model_used FROM chatbot_messages
         WHERE tenant_id = ?1 AND reply_to = ?2 ORDER BY seq DESC LIMIT 1",
        params![tenant, inbound_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
    )
    .optional()?)
}
