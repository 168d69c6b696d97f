//! SQL of reply delivery (delivery.rs holds the rules and the job): the
//! conversation a reply goes to, its delivery status and the vendor's id.

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};

/// Schema step: the vendor's id and the reason a reply was not sent.
pub const MIGRATION: &str = r#"
ALTER TABLE chatbot_messages ADD COLUMN delivery_id TEXT;
ALTER TABLE chatbot_messages ADD COLUMN delivery_error TEXT;
CREATE INDEX chatbot_messages_delivery ON chatbot_messages(delivery_id);
"#;

/// The channel and user of the tenant's conversation `conversation_id`.
pub(crate) fn conversation_target(
    c: &Connection,
    tenant: &str,
    conversation_id: &str,
) -> ApiResult<Option<(String, String)>> {
    Ok(c.query_row(
        "SELECT channel, user_id FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conversation_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

/// Marks message `message_id` `queued` for delivery.
pub(crate) fn mark_queued(tx: &Connection, tenant: &str, message_id: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_messages SET status = 'queued', delivery_error = NULL
         WHERE tenant_id = ?1 AND message_id = ?2",
        params![tenant, message_id],
    )?;
    Ok(())
}

/// The channel, user and content (JSON text) of the reply `message_id`.
pub(crate) fn reply_to_send(
    c: &Connection,
    tenant: &str,
    message_id: &str,
) -> ApiResult<Option<(String, String, String)>> {
    Ok(c.query_row(
        "SELECT v.channel, v.user_id, m.content FROM chatbot_messages m
         JOIN chatbot_conversations v ON v.tenant_id = m.tenant_id AND v.id = m.conversation_id
         WHERE m.tenant_id = ?1 AND m.message_id = ?2",
        params![tenant, message_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

/// Stores what a delivery attempt did (the vendor's id kept when `None`).
pub(crate) fn record_attempt(
    tx: &Connection,
    tenant: &str,
    message_id: &str,
    status: &str,
    vendor_id: Option<&str>,
    error: Option<&str>,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_messages SET status = ?3, delivery_id = COALESCE(?4, delivery_id), delivery_error = ?5
         WHERE tenant_id = ?1 AND message_id = ?2",
        params![tenant, message_id, status, vendor_id, error],
    )?;
    Ok(())
}

/// The id and status of the tenant's reply the vendor knows as `vendor_id`.
pub(crate) fn reply_by_vendor_id(
    c: &Connection,
    tenant: &str,
    vendor_id: &str,
) -> ApiResult<Option<(String, String)>> {
    Ok(c.query_row(
        "SELECT message_id, status FROM chatbot_messages
         WHERE tenant_id = ?1 AND delivery_id = ?2 AND direction = 'outbound'",
        params![tenant, vendor_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

/// Sets a reply's delivery status and reason; returns the rows changed.
pub(crate) fn set_status(
    tx: &Connection,
    tenant: &str,
    message_id: &str,
    status: &str,
    reason: Option<&str>,
) -> ApiResult<usize> {
    Ok(tx.execute(
        "UPDATE chatbot_messages SET status = ?3, delivery_error = ?4
         WHERE tenant_id = ?1 AND message_id = ?2",
        params![tenant, message_id, status, reason],
    )?)
}
