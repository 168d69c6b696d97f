//! SQL of the agent inbox (service/inbox.rs holds the rules).

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{InboxAssignee, InboxItem, InboxMessage, InboxNote, Sender, WaitingReason};

/// `model_used` of a message a human agent wrote.
pub const AGENT_MODEL: &str = "human_agent";

const ITEM_SELECT: &str = "SELECT c.id, c.user_id, c.channel, c.status, c.started_at, c.last_activity_at,
    c.assignee_id, c.assignee_name, c.claimed_at,
    c.message_count,
    (SELECT json_extract(m.content, '$.text') FROM chatbot_messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id AND m.direction = 'inbound' ORDER BY m.seq DESC LIMIT 1),
    (SELECT t.department FROM chatbot_transfers t WHERE t.tenant_id = c.tenant_id AND t.conversation_id = c.id AND t.status IN ('queued', 'assigned') ORDER BY t.created_at DESC LIMIT 1),
    (SELECT t.priority FROM chatbot_transfers t WHERE t.tenant_id = c.tenant_id AND t.conversation_id = c.id AND t.status IN ('queued', 'assigned') ORDER BY t.created_at DESC LIMIT 1),
    c.last_reply_fallback
  FROM chatbot_conversations c";

/// Conversations that wait for a human: open, and transferred, claimed by
/// an agent, or last answered by the bot with a fallback. The terms are
/// those of the partial index `chatbot_conversations_inbox` (see
/// `store::conversations::MIGRATION`: triggers keep `last_reply_fallback`
/// and `inbox_rank` on the conversation), so the list and its counts read
/// only the waiting conversations.
const WAITING: &str = "c.status != 'closed' AND (c.status = 'transferred' OR c.assignee_id IS NOT NULL OR c.last_reply_fallback = 1)";

fn item_row(r: &Row) -> rusqlite::Result<InboxItem> {
    let status: String = r.get(3)?;
    let assignee_id: Option<String> = r.get(6)?;
    let low: bool = r.get::<_, i64>(13)? != 0;
    let waiting_reason = if status == "closed" {
        None
    } else if status == "transferred" {
        Some(WaitingReason::Transfer)
    } else if low {
        Some(WaitingReason::LowConfidence)
    } else {
        None
    };
    Ok(InboxItem {
        conversation_id: r.get(0)?,
        user_id: r.get(1)?,
        channel: r.get(2)?,
        status,
        started_at: r.get(4)?,
        last_activity_at: r.get(5)?,
        assignee: match assignee_id {
            Some(user_id) => Some(InboxAssignee {
                user_id,
                name: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                claimed_at: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
            }),
            None => None,
        },
        message_count: r.get(9)?,
        last_visitor_message: r.get(10)?,
        department: r.get(11)?,
        priority: r.get(12)?,
        waiting_reason,
    })
}

/// The waiting conversations (urgent first — the highest priority of their
/// open transfers —, then the longest waiting), at most `limit`, with how
/// many wait and how many of them are unclaimed.
pub(crate) fn waiting(
    c: &Connection,
    tenant: &str,
    limit: i64,
) -> ApiResult<(Vec<InboxItem>, i64, i64)> {
    let (total, unclaimed): (i64, i64) = c.query_row(
        &format!(
            "SELECT COUNT(*), COALESCE(SUM(c.assignee_id IS NULL), 0) FROM chatbot_conversations c WHERE c.tenant_id = ?1 AND {WAITING}"
        ),
        params![tenant],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut st = c.prepare(&format!(
        "{ITEM_SELECT} WHERE c.tenant_id = ?1 AND {WAITING}
         ORDER BY c.inbox_rank DESC, c.last_activity_at ASC, c.id ASC
         LIMIT ?2"
    ))?;
    let rows = st
        .query_map(params![tenant, limit], item_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total, unclaimed))
}

/// One conversation as the inbox lists it (`None` when the tenant has no such conversation).
pub(crate) fn item(c: &Connection, tenant: &str, id: &str) -> ApiResult<Option<InboxItem>> {
    Ok(c.query_row(
        &format!("{ITEM_SELECT} WHERE c.tenant_id = ?1 AND c.id = ?2"),
        params![tenant, id],
        item_row,
    )
    .optional()?)
}

/// The newest `limit` messages of the conversation, oldest first.
pub(crate) fn messages(
    c: &Connection,
    tenant: &str,
    conv: &str,
    limit: i64,
) -> ApiResult<Vec<InboxMessage>> {
    let mut st = c.prepare(
        "SELECT * FROM (SELECT seq, message_id, direction, model_used, author_name, json_extract(content, '$.text'),
                confidence, is_fallback, created_at
           FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2 ORDER BY seq DESC LIMIT ?3)
         ORDER BY seq",
    )?;
    let rows = st
        .query_map(params![tenant, conv, limit], |r| {
            let direction: String = r.get(2)?;
            let model: Option<String> = r.get(3)?;
            let sender = if direction == "inbound" {
                Sender::Visitor
            } else if model.as_deref() == Some(AGENT_MODEL) {
                Sender::Agent
            } else {
                Sender::Bot
            };
            Ok(InboxMessage {
                message_id: r.get(1)?,
                sender,
                author_name: r.get(4)?,
                text: r.get(5)?,
                confidence_score: r.get(6)?,
                is_fallback: r.get::<_, Option<i64>>(7)?.map(|v| v != 0),
                timestamp: r.get(8)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The conversation's internal notes, oldest first.
pub(crate) fn notes(c: &Connection, tenant: &str, conv: &str) -> ApiResult<Vec<InboxNote>> {
    let mut st = c.prepare(
        "SELECT id, conversation_id, text, author_id, author_name, created_at FROM chatbot_inbox_notes
         WHERE tenant_id = ?1 AND conversation_id = ?2 ORDER BY created_at, rowid",
    )?;
    let rows = st
        .query_map(params![tenant, conv], note_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn note_row(r: &Row) -> rusqlite::Result<InboxNote> {
    Ok(InboxNote {
        note_id: r.get(0)?,
        conversation_id: r.get(1)?,
        text: r.get(2)?,
        author_id: r.get(3)?,
        author_name: r.get(4)?,
        created_at: r.get(5)?,
    })
}

/// The resolution a closed conversation was closed with.
pub(crate) fn resolution(c: &Connection, tenant: &str, conv: &str) -> ApiResult<Option<String>> {
    Ok(c
        .query_row(
            "SELECT close_reason FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2 AND status = 'closed'",
            params![tenant, conv],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// The name the tenant knows its member `user_id` by (first and last name,
/// else the e-mail), `None` when the user is no member.
pub(crate) fn member_name(
    c: &Connection,
    tenant: &str,
    user_id: &str,
) -> ApiResult<Option<String>> {
    let row: Option<(Option<String>, Option<String>, String)> = c
        .query_row(
            "SELECT first_name, last_name, email FROM chatbot_members WHERE tenant_id = ?1 AND platform_user_id = ?2",
            params![tenant, user_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(row.map(|(first, last, email)| {
        let name = format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default());
        let name = name.trim();
        if name.is_empty() {
            email
        } else {
            name.to_string()
        }
    }))
}

/// Makes `user_id` the conversation's agent (an active conversation is now
/// `transferred`: a person has it) and marks its queued transfer assigned.
pub(crate) fn set_assignee(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    user_id: &str,
    name: &str,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_conversations SET assignee_id = ?3, assignee_name = ?4, claimed_at = ?5, last_activity_at = ?5,
             status = CASE WHEN status = 'active' THEN 'transferred' ELSE status END
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, user_id, name, now],
    )?;
    tx.execute(
        "UPDATE chatbot_transfers SET status = 'assigned', agent_id = ?3 WHERE tenant_id = ?1 AND conversation_id = ?2 AND status = 'queued'",
        params![tenant, conv, user_id],
    )?;
    Ok(())
}

/// The agent (user id, name) who has claimed open conversation `conv`;
/// `None` when nobody has or it is closed.
pub(crate) fn open_assignee(
    c: &Connection,
    tenant: &str,
    conv: &str,
) -> ApiResult<Option<(String, String)>> {
    Ok(c.query_row(
        "SELECT assignee_id, COALESCE(assignee_name, '') FROM chatbot_conversations
             WHERE tenant_id = ?1 AND id = ?2 AND status != 'closed' AND assignee_id IS NOT NULL",
        params![tenant, conv],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

/// The conversation's status and entities (JSON text).
pub(crate) fn status_and_entities(
    c: &Connection,
    tenant: &str,
    conv: &str,
) -> ApiResult<(String, String)> {
    Ok(c.query_row(
        "SELECT status, entities FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Whether a reply is stored for inbound message `inbound_id`.
pub(crate) fn has_reply(c: &Connection, tenant: &str, inbound_id: &str) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT EXISTS (SELECT 1 FROM chatbot_messages WHERE tenant_id = ?1 AND reply_to = ?2)",
        params![tenant, inbound_id],
        |r| r.get(0),
    )?)
}

/// Marks the conversation's newest activity.
pub(crate) fn touch(tx: &Connection, tenant: &str, conv: &str, now: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_conversations SET last_activity_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, now],
    )?;
    Ok(())
}

/// Nobody has the conversation any more; with `requeue`, its assigned
/// transfer waits in the queue again.
pub(crate) fn clear_assignee(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    requeue: bool,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_conversations SET assignee_id = NULL, assignee_name = NULL, claimed_at = NULL
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv],
    )?;
    if requeue {
        tx.execute(
            "UPDATE chatbot_transfers SET status = 'queued', agent_id = NULL WHERE tenant_id = ?1 AND conversation_id = ?2 AND status = 'assigned'",
            params![tenant, conv],
        )?;
    }
    Ok(())
}

/// Stores a message an agent wrote to the visitor.
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_agent_message(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    message_id: &str,
    text: &str,
    author_id: &str,
    author_name: &str,
    now: &str,
) -> ApiResult<()> {
    let content = serde_json::json!({"type": "text", "text": text}).to_string();
    tx.execute(
        "INSERT INTO chatbot_messages (tenant_id, conversation_id, message_id, direction, content, status, model_used, author_id, author_name, created_at)
         VALUES (?1, ?2, ?3, 'outbound', ?4, 'sent', ?5, ?6, ?7, ?8)",
        params![tenant, conv, message_id, content, AGENT_MODEL, author_id, author_name, now],
    )?;
    tx.execute(
        "UPDATE chatbot_conversations SET last_activity_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, now],
    )?;
    Ok(())
}

/// Sets the delivery status of stored message `message_id`.
pub(crate) fn mark_message_status(
    tx: &Connection,
    tenant: &str,
    message_id: &str,
    status: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_messages SET status = ?3 WHERE tenant_id = ?1 AND message_id = ?2",
        params![tenant, message_id, status],
    )?;
    Ok(())
}

/// Stores an internal note.
pub(crate) fn insert_note(tx: &Connection, tenant: &str, note: &InboxNote) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_inbox_notes (id, tenant_id, conversation_id, text, author_id, author_name, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            note.note_id,
            tenant,
            note.conversation_id,
            note.text,
            note.author_id,
            note.author_name,
            note.created_at
        ],
    )?;
    Ok(())
}

/// Whether the active tenant `tenant` — or, with `None`, any active tenant —
/// lists `origin` in `channels.web.allowed_origins`.
pub(crate) fn origin_allowed(
    c: &Connection,
    origin: &str,
    tenant: Option<&str>,
) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT EXISTS (SELECT 1 FROM chatbot_tenants t, json_each(t.config, '$.channels.web.allowed_origins') o
          WHERE t.status = 'active' AND (?2 IS NULL OR t.id = ?2) AND o.value = ?1)",
        params![origin, tenant],
        |r| r.get(0),
    )?)
}

/// The active tenant's name and configuration (`None` for no such active tenant).
pub(crate) fn active_tenant_config(
    c: &Connection,
    tenant: &str,
) -> ApiResult<Option<(String, serde_json::Value)>> {
    let row: Option<(String, String)> = c
        .query_row(
            "SELECT name, config FROM chatbot_tenants WHERE id = ?1 AND status = 'active'",
            params![tenant],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.map(|(name, cfg)| (name, serde_json::from_str(&cfg).unwrap_or_default())))
}
