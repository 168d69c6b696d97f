//! SQL of the chat path: a message's idempotency, its conversation, the
//! stored inbound message and bot reply, retries and ratings. Every lookup
//! is by key (tenant + message id, tenant + conversation id, or a visitor's
//! open conversation), so a message costs the same whatever the history.

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{parse_json, ChatMessage, ConversationRow, ReplyRow};

/// The conversation and direction of the tenant's message `message_id`, when stored.
pub(crate) fn message_seen(
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

const CONVERSATION: &str = "SELECT id, user_id, channel, status, fallback_count, entities,
    assignee_id IS NOT NULL, session_id FROM chatbot_conversations";

fn conversation_row(r: &Row) -> rusqlite::Result<ConversationRow> {
    Ok(ConversationRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        channel: r.get(2)?,
        status: r.get(3)?,
        fallback_count: r.get(4)?,
        entities: r.get(5)?,
        assigned: r.get(6)?,
        session_id: r.get(7)?,
    })
}

/// The tenant's conversation `id`.
pub(crate) fn conversation(
    c: &Connection,
    tenant: &str,
    id: &str,
) -> ApiResult<Option<ConversationRow>> {
    Ok(c.query_row(
        &format!("{CONVERSATION} WHERE tenant_id = ?1 AND id = ?2"),
        params![tenant, id],
        conversation_row,
    )
    .optional()?)
}

/// The visitor's latest conversation on `channel` that is not closed (of
/// session `session` when given).
pub(crate) fn open_conversation_of(
    c: &Connection,
    tenant: &str,
    user: &str,
    channel: &str,
    session: Option<&str>,
) -> ApiResult<Option<ConversationRow>> {
    Ok(c.query_row(
        &format!(
            "{CONVERSATION} WHERE tenant_id = ?1 AND user_id = ?2 AND channel = ?3
             AND status != 'closed' AND (?4 IS NULL OR session_id = ?4)
             ORDER BY last_activity_at DESC LIMIT 1"
        ),
        params![tenant, user, channel, session],
        conversation_row,
    )
    .optional()?)
}

/// Stores a new active conversation started at `now`.
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

/// Stores an inbound message (`content`: its JSON text).
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

/// A bot reply to store.
pub(crate) struct NewReply<'a> {
    pub tenant: &'a str,
    pub conversation: &'a str,
    pub id: &'a str,
    pub in_reply_to: &'a str,
    /// JSON text.
    pub content: &'a str,
    pub intent: Option<&'a str>,
    pub confidence: f64,
    pub processing_ms: i64,
    pub model_used: &'a str,
    pub cost_cents: f64,
    pub fallback: bool,
    pub now: &'a str,
}

pub(crate) fn insert_reply(tx: &Connection, m: &NewReply) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_messages (tenant_id, conversation_id, message_id, direction, content, intent, confidence, status, reply_to, processing_ms, model_used, created_at, cost_cents, is_fallback)
         VALUES (?1, ?2, ?3, 'outbound', ?4, ?5, ?6, 'sent', ?7, ?8, ?10, ?9, ?11, ?12)",
        params![m.tenant, m.conversation, m.id, m.content, m.intent, m.confidence, m.in_reply_to, m.processing_ms, m.now, m.model_used, m.cost_cents, m.fallback],
    )?;
    Ok(())
}

/// The conversation after a bot reply: intent (kept when `None`), entities
/// (JSON text), fallbacks in a row, last activity, and `transferred` with
/// one more escalation when `transfer`.
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

/// Queues a bot-initiated transfer to a human.
pub(crate) fn insert_transfer(
    tx: &Connection,
    id: &str,
    tenant: &str,
    conv: &str,
    reason: &str,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_transfers (id, tenant_id, conversation_id, reason, priority, status, created_at)
         VALUES (?1, ?2, ?3, ?4, 'normal', 'queued', ?5)",
        params![id, tenant, conv, reason, now],
    )?;
    Ok(())
}

/// The latest bot reply to inbound message `inbound_id`.
pub(crate) fn reply_to(
    c: &Connection,
    tenant: &str,
    inbound_id: &str,
) -> ApiResult<Option<ReplyRow>> {
    Ok(c.query_row(
        "SELECT message_id, conversation_id, content, intent, confidence, processing_ms, model_used FROM chatbot_messages
         WHERE tenant_id = ?1 AND reply_to = ?2 ORDER BY seq DESC LIMIT 1",
        params![tenant, inbound_id],
        |r| {
            Ok(ReplyRow {
                message_id: r.get(0)?,
                conversation_id: r.get(1)?,
                content: parse_json(&r.get::<_, String>(2)?),
                intent: r.get(3)?,
                confidence: r.get(4)?,
                processing_ms: r.get(5)?,
                model_used: r.get(6)?,
            })
        },
    )
    .optional()?)
}

/// One stored message of the tenant (inbound or reply).
pub(crate) fn message(c: &Connection, tenant: &str, id: &str) -> ApiResult<Option<ChatMessage>> {
    Ok(c.query_row(
        "SELECT message_id, conversation_id, direction, content, intent, confidence, status, reply_to, processing_ms, model_used, created_at, delivery_error
         FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
        params![tenant, id],
        |r| {
            Ok(ChatMessage {
                message_id: r.get(0)?,
                conversation_id: r.get(1)?,
                direction: r.get(2)?,
                content: crate::model::message_content(&parse_json(&r.get::<_, String>(3)?)),
                intent: r.get(4)?,
                confidence_score: r.get(5)?,
                status: r.get(6)?,
                in_reply_to: r.get(7)?,
                processing_time_ms: r.get(8)?,
                model_used: r.get(9)?,
                timestamp: r.get(10)?,
                delivery_error: r.get(11)?,
            })
        },
    )
    .optional()?)
}

/// The conversation, direction and content (JSON text) of the tenant's message `id`.
pub(crate) fn message_origin(
    c: &Connection,
    tenant: &str,
    id: &str,
) -> ApiResult<Option<(String, String, String)>> {
    Ok(c.query_row(
        "SELECT conversation_id, direction, content FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
        params![tenant, id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

/// Stores a rating of message `message_id`.
pub(crate) fn insert_feedback(
    tx: &Connection,
    id: &str,
    tenant: &str,
    message_id: &str,
    rating: i64,
    comment: Option<&str>,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_feedback (id, tenant_id, message_id, rating, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, tenant, message_id, rating, comment, now],
    )?;
    Ok(())
}

/// Sets the conversation's satisfaction to the mean rating of its messages; returns it.
pub(crate) fn refresh_satisfaction(tx: &Connection, tenant: &str, conv: &str) -> ApiResult<f64> {
    let avg: f64 = tx.query_row(
        "SELECT AVG(f.rating) FROM chatbot_feedback f JOIN chatbot_messages m ON m.tenant_id = f.tenant_id AND m.message_id = f.message_id
         WHERE f.tenant_id = ?1 AND m.conversation_id = ?2",
        params![tenant, conv],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE chatbot_conversations SET satisfaction = ?3 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, avg],
    )?;
    Ok(avg)
}

/// What a conversation's summary is computed from: the conversation row's
/// counts and figures (kept by triggers: no count over its messages).
pub(crate) struct SummaryRows {
    pub inbound: i64,
    pub outbound: i64,
    pub escalations: i64,
    /// JSON text.
    pub entities: String,
    pub satisfaction: Option<f64>,
}

/// The message counts and stored figures of conversation `id`.
pub(crate) fn summary_rows(c: &Connection, tenant: &str, id: &str) -> ApiResult<SummaryRows> {
    Ok(c.query_row(
        "SELECT inbound_count, message_count - inbound_count, escalation_count, entities, satisfaction
         FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id],
        |r| {
            Ok(SummaryRows {
                inbound: r.get(0)?,
                outbound: r.get(1)?,
                escalations: r.get(2)?,
                entities: r.get(3)?,
                satisfaction: r.get(4)?,
            })
        },
    )?)
}

/// The bot's intents in conversation `id` by replies, most frequent (then
/// earliest) first.
pub(crate) fn intents_of(c: &Connection, tenant: &str, id: &str) -> ApiResult<Vec<(String, i64)>> {
    let mut st = c.prepare_cached(
        "SELECT intent, COUNT(*) FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2
         AND direction = 'outbound' AND intent IS NOT NULL GROUP BY intent ORDER BY COUNT(*) DESC, MIN(seq)",
    )?;
    let intents = st
        .query_map(params![tenant, id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(intents)
}
