//! Chat rules beyond processing a message: reading, retrying and rating messages.

use crate::errors::ChatbotError;
use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, ApiResult};
use rusqlite::Connection;
use serde_json::json;

use super::*;
use crate::model::{ChatMessage, ChatMessageResponse, FeedbackResult};
use crate::store::chat as chat_store;

fn message_not_found() -> ApiError {
    ChatbotError::MessageNotFound.with_message("Message not found")
}

/// One stored message of the tenant (inbound or reply).
pub(crate) fn message(c: &Connection, tenant: &str, id: &str) -> ApiResult<ChatMessage> {
    chat_store::message(c, tenant, id)?.ok_or_else(message_not_found)
}

/// Runs the engine again on a stored inbound message and stores a new reply.
pub(crate) fn retry(
    tx: &Connection,
    tenant: &str,
    id: &str,
    started: std::time::Instant,
    assist: Assist,
) -> ApiResult<ChatMessageResponse> {
    let (conv, dir, content) =
        chat_store::message_origin(tx, tenant, id)?.ok_or_else(message_not_found)?;
    if dir != "inbound" {
        return Err(ApiError::invalid(
            "message_id",
            "Only inbound messages can be retried",
        ));
    }
    let conv = chat_store::conversation(tx, tenant, &conv)?.ok_or_else(message_not_found)?;
    if conv.status == "closed" {
        return Err(ChatbotError::ConversationClosed
            .with_message("Conversation is closed; reopen it first"));
    }
    let config = tenant_config(tx, tenant)?;
    let content = parse_json(&content);
    let text = str_of(&content, "text").unwrap_or_default();
    let language = str_of(&content, "language");
    let mut data = respond_with(
        tx,
        tenant,
        &config,
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
    let (conv, _, _) =
        chat_store::message_origin(tx, tenant, mid)?.ok_or_else(message_not_found)?;
    let id = new_id("fb");
    chat_store::insert_feedback(tx, &id, tenant, mid, rating, comment, &now_iso())?;
    emit(
        tx,
        tenant,
        "feedback.received",
        json!({"feedback_id": id, "message_id": mid, "rating": rating, "comment": comment}),
    )?;
    let avg = chat_store::refresh_satisfaction(tx, tenant, &conv)?;
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
