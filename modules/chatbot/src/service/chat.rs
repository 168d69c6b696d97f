//! Chat rules beyond processing a message: reading, retrying and rating messages.

use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, ApiResult};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use super::*;

/// One stored message of the tenant (inbound or reply).
pub(crate) fn message(c: &Connection, tenant: &str, id: &str) -> ApiResult<Value> {
    c.query_row(
            "SELECT message_id, conversation_id, direction, content, intent, confidence, status, reply_to, processing_ms, model_used, created_at
             FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
            params![tenant, id],
            |r| {
                Ok(json!({
                    "message_id": r.get::<_, String>(0)?,
                    "conversation_id": r.get::<_, String>(1)?,
                    "direction": r.get::<_, String>(2)?,
                    "content": parse_json(&r.get::<_, String>(3)?),
                    "intent": r.get::<_, Option<String>>(4)?,
                    "confidence_score": r.get::<_, Option<f64>>(5)?,
                    "status": r.get::<_, String>(6)?,
                    "in_reply_to": r.get::<_, Option<String>>(7)?,
                    "processing_time_ms": r.get::<_, Option<i64>>(8)?,
                    "model_used": r.get::<_, Option<String>>(9)?,
                    "timestamp": r.get::<_, String>(10)?,
                }))
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("Message not found").with_code("MESSAGE_NOT_FOUND"))
}

/// Runs the engine again on a stored inbound message and stores a new reply.
pub(crate) fn retry(
    tx: &Connection,
    tenant: &str,
    id: &str,
    started: std::time::Instant,
) -> ApiResult<Value> {
    let row: Option<(String, String, String)> = tx
            .query_row(
                "SELECT conversation_id, direction, content FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
                params![tenant, id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
    let (conv, dir, content) =
        row.ok_or_else(|| ApiError::not_found("Message not found").with_code("MESSAGE_NOT_FOUND"))?;
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
        return Err(
            ApiError::conflict("Conversation is closed; reopen it first")
                .with_code("CONVERSATION_CLOSED"),
        );
    }
    let text = str_of(&parse_json(&content), "text").unwrap_or_default();
    let mut data = respond(tx, tenant, &conv, id, &text, started)?;
    data["retried"] = json!(true);
    Ok(data)
}

/// Records a rating of a message; the conversation's satisfaction becomes the mean rating.
pub(crate) fn feedback(
    tx: &Connection,
    tenant: &str,
    mid: &str,
    rating: i64,
    comment: Option<&str>,
) -> ApiResult<Value> {
    let conv: Option<String> = tx
        .query_row(
            "SELECT conversation_id FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
            params![tenant, mid],
            |r| r.get(0),
        )
        .optional()?;
    let conv = conv
        .ok_or_else(|| ApiError::not_found("Message not found").with_code("MESSAGE_NOT_FOUND"))?;
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
    Ok(
        json!({"feedback_id": id, "message_id": mid, "rating": rating, "conversation_id": conv, "conversation_satisfaction": avg}),
    )
}
