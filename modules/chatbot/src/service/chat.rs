//! Chat rules beyond processing a message: reading, retrying and rating messages.

use crate::errors::ChatbotError;
use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, ApiResult};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use super::*;
use crate::model::{ChatMessage, ChatMessageResponse, FeedbackResult};

/// One stored message of the tenant (inbound or reply).
pub(crate) fn message(c: &Connection, tenant: &str, id: &str) -> ApiResult<ChatMessage> {
    c.query_row(
            "SELECT message_id, conversation_id, direction, content, intent, confidence, status, reply_to, processing_ms, model_used, created_at, delivery_error
             FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
            params![tenant, id],
            |r| {
                Ok(ChatMessage {
                    message_id: r.get(0)?,
                    conversation_id: r.get(1)?,
                    direction: r.get(2)?,
                    content: message_content(&parse_json(&r.get::<_, String>(3)?)),
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
        .optional()?
        .ok_or_else(|| ChatbotError::MessageNotFound.with_message("Message not found"))
}

/// Runs the engine again on a stored inbound message and stores a new reply.
pub(crate) fn retry(
    tx: &Connection,
    tenant: &str,
    id: &str,
    started: std::time::Instant,
    assist: Assist,
) -> ApiResult<ChatMessageResponse> {
    let row: Option<(String, String, String)> = tx
            .query_row(
                "SELECT conversation_id, direction, content FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
                params![tenant, id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
    let (conv, dir, content) =
        row.ok_or_else(|| ChatbotError::MessageNotFound.with_message("Message not found"))?;
    if dir != "inbound" {
        return Err(ApiError::invalid(
            "message_id",
            "Only inbound messages can be retried",
        ));
    }
    let status: String = tx.query_row(
        "SELECT status FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv],
        |r| r.get(0),
    )?;
    if status == "closed" {
        return Err(ChatbotError::ConversationClosed
            .with_message("Conversation is closed; reopen it first"));
    }
    let content = parse_json(&content);
    let text = str_of(&content, "text").unwrap_or_default();
    let language = str_of(&content, "language");
    let mut data = respond_with(
        tx,
        tenant,
        &conv,
        id,
        (&text, language.as_deref()),
        started,
        assist,
    )?;
    data.retried = Some(true);
    Ok(data)
}

/// Records a rating of a message; the conversation's satisfaction becomes the mean rating.
pub(crate) fn feedback(
    tx: &Connection,
    tenant: &str,
    mid: &str,
    rating: i64,
    comment: Option<&str>,
) -> ApiResult<FeedbackResult> {
    let conv: Option<String> = tx
        .query_row(
            "SELECT conversation_id FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
            params![tenant, mid],
            |r| r.get(0),
        )
        .optional()?;
    let conv =
        conv.ok_or_else(|| ChatbotError::MessageNotFound.with_message("Message not found"))?;
    let id = new_id("fb");
    tx.execute(
            "INSERT INTO chatbot_feedback (id, tenant_id, message_id, rating, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, tenant, mid, rating, comment, now_iso()],
        )?;
    emit(
        tx,
        tenant,
        "feedback.received",
        json!({"feedback_id": id, "message_id": mid, "rating": rating, "comment": comment}),
    )?;
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
    Ok(FeedbackResult {
        feedback_id: id,
        message_id: mid.to_string(),
        rating,
        conversation_id: conv,
        conversation_satisfaction: avg,
    })
}

/// Sends a typing indicator on a conversation of the tenant (404 for another's).
pub(crate) fn typing(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    is_typing: bool,
    ms: i64,
) -> ApiResult<crate::model::TypingResult> {
    load_conv(tx, tenant, conv)?;
    emit(
        tx,
        tenant,
        "conversation.typing",
        json!({"conversation_id": conv, "is_typing": is_typing, "duration_ms": ms}),
    )?;
    Ok(crate::model::TypingResult {
        typing_sent: true,
        duration_ms: ms,
    })
}
