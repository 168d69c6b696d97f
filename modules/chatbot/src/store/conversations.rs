//! SQL of conversations: the list (filters built from what was given, an
//! index for each documented filter and sort, cached totals and keyset
//! seeks through `db_paging`), and the writes of transfer, close and reopen
//! (service/conversations.rs holds the rules).

use frontline_platform::db_paging::{ListSql, PageCache};
use frontline_platform::ApiResult;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection};

use super::{conv_json, CONV_SELECT};
use crate::model::Conversation;

/// Schema step: an index for each documented filter (`status`, `channel`,
/// both) with each sort (`last_activity_at`, `started_at`), the id last (the
/// keyset tie-break); transfers found by conversation. The agent inbox's
/// "waits for a human" facts are kept on the conversation by triggers (the
/// last bot reply's fallback flag, the highest open transfer priority), so
/// its list reads one partial index instead of every open conversation.
pub const MIGRATION: &str = r#"
DROP INDEX chatbot_conversations_list;
DROP INDEX chatbot_conversations_started;
CREATE INDEX chatbot_conversations_started ON chatbot_conversations(tenant_id, started_at, id);
CREATE INDEX chatbot_conversations_activity ON chatbot_conversations(tenant_id, last_activity_at, id);
CREATE INDEX chatbot_conversations_status_activity ON chatbot_conversations(tenant_id, status, last_activity_at, id);
CREATE INDEX chatbot_conversations_status_started ON chatbot_conversations(tenant_id, status, started_at, id);
CREATE INDEX chatbot_conversations_channel_activity ON chatbot_conversations(tenant_id, channel, last_activity_at, id);
CREATE INDEX chatbot_conversations_channel_started ON chatbot_conversations(tenant_id, channel, started_at, id);
CREATE INDEX chatbot_conversations_status_channel_activity ON chatbot_conversations(tenant_id, status, channel, last_activity_at, id);
CREATE INDEX chatbot_conversations_status_channel_started ON chatbot_conversations(tenant_id, status, channel, started_at, id);
CREATE INDEX chatbot_conversations_user_activity ON chatbot_conversations(tenant_id, user_id, last_activity_at, id);
CREATE INDEX chatbot_conversations_user_started ON chatbot_conversations(tenant_id, user_id, started_at, id);
CREATE INDEX chatbot_transfers_conv ON chatbot_transfers(tenant_id, conversation_id, created_at);

ALTER TABLE chatbot_conversations ADD COLUMN last_reply_fallback INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chatbot_conversations ADD COLUMN inbox_rank INTEGER NOT NULL DEFAULT -1;
UPDATE chatbot_conversations SET
  last_reply_fallback = COALESCE((SELECT m.is_fallback FROM chatbot_messages m
      WHERE m.tenant_id = chatbot_conversations.tenant_id AND m.conversation_id = chatbot_conversations.id
        AND m.direction = 'outbound' ORDER BY m.seq DESC LIMIT 1), 0),
  inbox_rank = COALESCE((SELECT MAX(CASE t.priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END)
      FROM chatbot_transfers t WHERE t.tenant_id = chatbot_conversations.tenant_id
        AND t.conversation_id = chatbot_conversations.id AND t.status IN ('queued', 'assigned')), -1);
CREATE TRIGGER chatbot_inbox_last_reply AFTER INSERT ON chatbot_messages
WHEN NEW.direction = 'outbound' BEGIN
  UPDATE chatbot_conversations SET last_reply_fallback = COALESCE(NEW.is_fallback, 0)
   WHERE tenant_id = NEW.tenant_id AND id = NEW.conversation_id;
END;
CREATE TRIGGER chatbot_inbox_rank_insert AFTER INSERT ON chatbot_transfers BEGIN
  UPDATE chatbot_conversations SET inbox_rank = COALESCE((SELECT MAX(CASE t.priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END)
      FROM chatbot_transfers t WHERE t.tenant_id = NEW.tenant_id AND t.conversation_id = NEW.conversation_id
        AND t.status IN ('queued', 'assigned')), -1)
   WHERE tenant_id = NEW.tenant_id AND id = NEW.conversation_id;
END;
CREATE TRIGGER chatbot_inbox_rank_update AFTER UPDATE OF status, priority ON chatbot_transfers BEGIN
  UPDATE chatbot_conversations SET inbox_rank = COALESCE((SELECT MAX(CASE t.priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END)
      FROM chatbot_transfers t WHERE t.tenant_id = NEW.tenant_id AND t.conversation_id = NEW.conversation_id
        AND t.status IN ('queued', 'assigned')), -1)
   WHERE tenant_id = NEW.tenant_id AND id = NEW.conversation_id;
END;
CREATE INDEX chatbot_conversations_inbox ON chatbot_conversations(tenant_id, inbox_rank DESC, last_activity_at, id, assignee_id, status, last_reply_fallback)
  WHERE status != 'closed' AND (status = 'transferred' OR assignee_id IS NOT NULL OR last_reply_fallback = 1);
"#;

/// Schema step: a conversation keeps its message counts (all, inbound), so
/// lists, the inbox, a conversation's details and its summary read one row
/// instead of counting the conversation's messages. Triggers keep them in the
/// transaction that stores or removes a message; the outbound trigger also
/// keeps the inbox's "last reply was a fallback" flag (it replaces
/// `chatbot_inbox_last_reply`, so a reply still costs one UPDATE).
pub const COUNTS_MIGRATION: &str = r#"
ALTER TABLE chatbot_conversations ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chatbot_conversations ADD COLUMN inbound_count INTEGER NOT NULL DEFAULT 0;
UPDATE chatbot_conversations SET
  message_count = (SELECT COUNT(*) FROM chatbot_messages m
      WHERE m.tenant_id = chatbot_conversations.tenant_id AND m.conversation_id = chatbot_conversations.id),
  inbound_count = (SELECT COUNT(*) FROM chatbot_messages m
      WHERE m.tenant_id = chatbot_conversations.tenant_id AND m.conversation_id = chatbot_conversations.id
        AND m.direction = 'inbound');
DROP TRIGGER chatbot_inbox_last_reply;
CREATE TRIGGER chatbot_messages_count_outbound AFTER INSERT ON chatbot_messages
WHEN NEW.direction != 'inbound' BEGIN
  UPDATE chatbot_conversations SET message_count = message_count + 1,
    last_reply_fallback = CASE WHEN NEW.direction = 'outbound' THEN COALESCE(NEW.is_fallback, 0) ELSE last_reply_fallback END
   WHERE tenant_id = NEW.tenant_id AND id = NEW.conversation_id;
END;
CREATE TRIGGER chatbot_messages_count_inbound AFTER INSERT ON chatbot_messages
WHEN NEW.direction = 'inbound' BEGIN
  UPDATE chatbot_conversations SET message_count = message_count + 1, inbound_count = inbound_count + 1
   WHERE tenant_id = NEW.tenant_id AND id = NEW.conversation_id;
END;
CREATE TRIGGER chatbot_messages_uncount AFTER DELETE ON chatbot_messages BEGIN
  UPDATE chatbot_conversations SET message_count = message_count - 1,
    inbound_count = inbound_count - (OLD.direction = 'inbound')
   WHERE tenant_id = OLD.tenant_id AND id = OLD.conversation_id;
END;
"#;

/// The column a conversation list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    LastActivity,
    StartedAt,
}

impl SortKey {
    fn column(self) -> &'static str {
        match self {
            SortKey::LastActivity => "c.last_activity_at",
            SortKey::StartedAt => "c.started_at",
        }
    }
}

/// Which conversations of a tenant to list, and in what order (ties on the
/// sort column in the id's order, the same direction).
#[derive(Debug, Clone)]
pub struct ConversationQuery {
    pub tenant_id: String,
    pub status: Option<String>,
    pub channel: Option<String>,
    pub user_id: Option<String>,
    /// First day (YYYY-MM-DD) of the start dates.
    pub date_from: Option<String>,
    /// Last day (YYYY-MM-DD) of the start dates, included.
    pub date_to: Option<String>,
    /// Text some message of the conversation contains (any case).
    pub search: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
}

/// Conditions joined with `AND`, with their arguments in order.
#[derive(Default)]
struct Filter {
    conds: Vec<String>,
    args: Vec<SqlValue>,
}

impl Filter {
    fn and(&mut self, cond: &str, args: impl IntoIterator<Item = SqlValue>) {
        self.conds.push(cond.to_string());
        self.args.extend(args);
    }
}

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_string())
}

impl ConversationQuery {
    /// The WHERE of the filters actually given (each one an index can serve;
    /// `search` reads the messages of the conversations walked).
    fn filter(&self) -> Filter {
        let mut f = Filter::default();
        f.and("c.tenant_id = ?", [text(&self.tenant_id)]);
        // A user's conversations are few: with `user_id`, its index is the
        // one read (`+` keeps the status and channel indexes out of it).
        let plus = if self.user_id.is_some() { "+" } else { "" };
        if let Some(u) = &self.user_id {
            f.and("c.user_id = ?", [text(u)]);
        }
        if let Some(s) = &self.status {
            f.and(&format!("{plus}c.status = ?"), [text(s)]);
        }
        if let Some(ch) = &self.channel {
            f.and(&format!("{plus}c.channel = ?"), [text(ch)]);
        }
        if let Some(d) = &self.date_from {
            f.and("c.started_at >= ?", [text(d)]);
        }
        if let Some(d) = &self.date_to {
            f.and("c.started_at < date(?, '+1 day')", [text(d)]);
        }
        if let Some(q) = &self.search {
            f.and(
                "EXISTS (SELECT 1 FROM chatbot_messages s WHERE s.tenant_id = c.tenant_id AND s.conversation_id = c.id
                   AND lower(json_extract(s.content, '$.text')) LIKE '%' || lower(?) || '%')",
                [text(q)],
            );
        }
        f
    }

    /// The list query (for `db_paging` and query-plan tests).
    pub fn sql(&self) -> ListSql<'static> {
        let f = self.filter();
        ListSql {
            // `search` reads messages: a new message can change the rows.
            tables: if self.search.is_some() {
                &["chatbot_conversations", "chatbot_messages"]
            } else {
                &["chatbot_conversations"]
            },
            select: CONV_SELECT,
            from: "chatbot_conversations c",
            filter: f.conds.join(" AND "),
            args: f.args,
            order: vec![
                (self.sort.column().into(), self.descending),
                ("c.id".into(), self.descending),
            ],
        }
    }
}

/// The conversations at `offset..offset + limit` of `q`, and how many match.
pub(crate) fn list(
    c: &Connection,
    q: &ConversationQuery,
    offset: u64,
    limit: u64,
) -> ApiResult<(Vec<Conversation>, u64)> {
    // Totals and keyset anchors cached until a conversation (or, with
    // `search`, a message) changes.
    static PAGES: std::sync::LazyLock<PageCache> = std::sync::LazyLock::new(PageCache::new);
    PAGES.page(c, &q.sql(), limit, offset, conv_json)
}

/// The SQL rank of a transfer's priority (urgent 3 … low 0).
const PRIORITY_RANK: &str =
    "CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END";

/// Queued transfers of the department ahead of one of rank `rank` (those of a
/// higher rank, and of the same rank queued earlier), other than
/// conversation `conv`'s own.
pub(crate) fn transfers_ahead(
    c: &Connection,
    tenant: &str,
    department: &str,
    conv: &str,
    rank: i64,
) -> ApiResult<i64> {
    Ok(c.query_row(
        &format!(
            "SELECT COUNT(*) FROM chatbot_transfers WHERE tenant_id = ?1 AND status = 'queued'
               AND COALESCE(department, 'general') = ?2 AND conversation_id != ?3 AND {PRIORITY_RANK} >= ?4"
        ),
        params![tenant, department, conv, rank],
        |r| r.get(0),
    )?)
}

/// A member of the tenant: id, first and last name.
pub(crate) type MemberName = (String, Option<String>, Option<String>);

/// Every member of the tenant with their names.
pub(crate) fn member_names(c: &Connection, tenant: &str) -> ApiResult<Vec<MemberName>> {
    let mut st =
        c.prepare("SELECT id, first_name, last_name FROM chatbot_members WHERE tenant_id = ?1")?;
    let rows = st
        .query_map(params![tenant], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A transfer to store.
pub(crate) struct NewTransfer<'a> {
    pub id: &'a str,
    pub tenant: &'a str,
    pub conversation: &'a str,
    pub reason: &'a str,
    pub note: Option<&'a str>,
    pub department: Option<&'a str>,
    pub priority: &'a str,
    pub agent: Option<&'a str>,
    pub created_at: &'a str,
}

/// Queues a transfer.
pub(crate) fn insert_transfer(tx: &Connection, t: &NewTransfer) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_transfers (id, tenant_id, conversation_id, reason, note, department, priority, agent_id, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', ?9)",
        params![t.id, t.tenant, t.conversation, t.reason, t.note, t.department, t.priority, t.agent, t.created_at],
    )?;
    Ok(())
}

/// Gives the conversation's queued transfer (if any) status `to`
/// (`superseded` by a new one, `cancelled` by a close).
pub(crate) fn end_queued_transfer(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    to: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_transfers SET status = ?3 WHERE tenant_id = ?1 AND conversation_id = ?2 AND status = 'queued'",
        params![tenant, conv, to],
    )?;
    Ok(())
}

/// Marks the conversation transferred (one more escalation when `escalated`).
pub(crate) fn mark_transferred(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    escalated: bool,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_conversations SET status = 'transferred', escalation_count = escalation_count + ?3, last_activity_at = ?4
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, escalated as i64, now],
    )?;
    Ok(())
}

/// Closes the conversation with `reason`.
pub(crate) fn mark_closed(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    reason: &str,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_conversations SET status = 'closed', closed_at = ?3, close_reason = ?4, last_activity_at = ?3
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, now, reason],
    )?;
    Ok(())
}

/// Reopens the conversation (the bot's fallback count starts again).
pub(crate) fn mark_reopened(tx: &Connection, tenant: &str, conv: &str, now: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_conversations SET status = 'active', closed_at = NULL, close_reason = NULL, fallback_count = 0, last_activity_at = ?3
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, now],
    )?;
    Ok(())
}
