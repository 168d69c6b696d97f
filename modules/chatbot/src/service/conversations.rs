//! Conversation rules: listing, details, transfer to a human, close and reopen.

use crate::errors::ChatbotError;
use frontline_platform::auth::now_iso;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult};
use rusqlite::Connection;
use serde_json::{json, Value};

use super::*;
use crate::access::Caller;
use crate::model::{
    AssignedAgent, CloseResult, ConversationContext, ConversationDetails,
    ConversationDetailsSummary, ConversationList, Pagination, ReopenResult, TransferRequest,
    TransferResult,
};
use crate::store::conversations::{self as store, ConversationQuery, SortKey};

/// Filters of the conversation list (all optional).
pub struct ListFilter {
    pub status: Option<String>,
    pub channel: Option<String>,
    pub user_id: Option<String>,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub search: Option<String>,
}

/// The order of a conversation list: `sort` is `last_activity` (default),
/// `started_at` or `created_at` (its alias) with `order` `desc` (default)
/// or `asc`, or one of `<field>_desc` / `<field>_asc` (then `order`, when
/// sent, must agree). Conversations that tie on the field come in the
/// order of their ids, in the same direction.
pub(crate) fn list_order(sort: Option<&str>, order: Option<&str>) -> ApiResult<ListOrder> {
    let dir = match order {
        None => None,
        Some(o) if o.eq_ignore_ascii_case("asc") => Some(true),
        Some(o) if o.eq_ignore_ascii_case("desc") => Some(false),
        Some(_) => return Err(ApiError::invalid("order", "order must be asc or desc")),
    };
    let sort = sort.unwrap_or("last_activity");
    let (key, own) = match sort {
        "last_activity" => (SortKey::LastActivity, None),
        "started_at" | "created_at" => (SortKey::StartedAt, None),
        "last_activity_desc" => (SortKey::LastActivity, Some(false)),
        "last_activity_asc" => (SortKey::LastActivity, Some(true)),
        "started_at_desc" => (SortKey::StartedAt, Some(false)),
        "started_at_asc" => (SortKey::StartedAt, Some(true)),
        _ => {
            return Err(ApiError::invalid(
                "sort",
                "sort must be last_activity, started_at or created_at (or last_activity_desc, last_activity_asc, started_at_desc, started_at_asc)",
            ))
        }
    };
    if let (Some(a), Some(b)) = (own, dir) {
        if a != b {
            return Err(ApiError::invalid(
                "order",
                "order contradicts the direction named in sort",
            ));
        }
    }
    let asc = own.or(dir).unwrap_or(false);
    Ok(ListOrder {
        key,
        descending: !asc,
    })
}

/// The sort of a conversation list.
#[derive(Debug, Clone, Copy)]
pub struct ListOrder {
    pub key: SortKey,
    pub descending: bool,
}

/// One page of the tenant's conversations matching `f`, in `order`. The
/// total is exact at the moment of the read (cached until a conversation
/// changes); a deep page seeks from the nearest cached position.
pub(crate) fn list(
    c: &Connection,
    who: &Caller,
    f: ListFilter,
    order: ListOrder,
    page: u32,
    limit: u32,
) -> ApiResult<ConversationList> {
    let q = ConversationQuery {
        tenant_id: who.tenant_id.clone(),
        status: f.status,
        channel: f.channel,
        user_id: f.user_id,
        date_from: f.date_from,
        date_to: f.date_to,
        search: f.search,
        sort: order.key,
        descending: order.descending,
    };
    let offset = u64::from(page.saturating_sub(1)) * u64::from(limit);
    let (rows, total) = store::list(c, &q, offset, u64::from(limit))?;
    Ok(ConversationList {
        conversations: rows,
        pagination: Pagination {
            total: total.min(i64::MAX as u64) as i64,
            page,
            page_size: limit,
            has_next: offset + u64::from(limit) < total,
        },
    })
}

/// One conversation with its context, summary and (optionally) its first `lim` messages.
pub(crate) fn details(
    c: &Connection,
    who: &Caller,
    id: &str,
    include: bool,
    lim: i64,
) -> ApiResult<ConversationDetails> {
    let conv = load_conv(c, &who.tenant_id, id)?;
    let messages = if include {
        Some(messages_of(c, &who.tenant_id, id, lim)?)
    } else {
        None
    };
    // The row's counts and figures: nothing that counts the messages.
    let s = crate::store::chat::summary_rows(c, &who.tenant_id, id)?;
    let duration_minutes = minutes_between(&conv.started_at, &conv.last_activity_at);
    Ok(ConversationDetails {
        context: ConversationContext {
            current_intent: conv.current_intent.clone(),
            entities: parse_json(&s.entities),
        },
        conversation_id: conv.conversation_id,
        user_id: conv.user_id,
        channel: conv.channel,
        status: conv.status,
        started_at: conv.started_at,
        last_activity_at: conv.last_activity_at,
        message_count: conv.message_count,
        current_intent: conv.current_intent,
        messages,
        summary: ConversationDetailsSummary {
            total_messages: s.inbound + s.outbound,
            duration_minutes,
            resolution_status: conv.summary.resolution_status,
            escalation_count: s.escalations,
        },
    })
}

/// Hands the conversation to a human: queues a transfer (replacing an earlier
/// queued one) and estimates the wait from the queue ahead in the department.
pub(crate) fn transfer(
    w: &WriteCtx,
    who: &Caller,
    id: &str,
    body: &TransferRequest,
) -> ApiResult<TransferResult> {
    let tx = w.tx();
    let reason = body.transfer_reason.as_str();
    let priority = body.priority.map_or("normal", |p| p.as_str());
    let mut errs = vec![];
    if reason.trim().is_empty() {
        errs.push(frontline_platform::FieldError::new(
            "transfer_reason",
            "transfer_reason is required",
        ));
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let conv = load_conv(tx, &who.tenant_id, id)?;
    if conv.status == "closed" {
        return Err(ChatbotError::ConversationClosed.with_message("Conversation is closed"));
    }
    let dept = body.department.clone().unwrap_or_else(|| "general".into());
    let agent = body.agent_id.clone();
    let config = tenant_config(tx, &who.tenant_id)?;
    let handle = config
        .pointer("/chatbot/average_handle_minutes")
        .and_then(Value::as_i64)
        .unwrap_or(5);
    // Ahead in the department's queue: transfers of a higher priority, and
    // those of the same priority queued earlier.
    let ahead = store::transfers_ahead(tx, &who.tenant_id, &dept, id, priority_rank(priority))?;
    let wait = ahead * handle;
    let agent_name: Option<String> = match &agent {
        Some(a) => Some(agent_name_of(tx, &who.tenant_id, a)?),
        None => None,
    };
    // Replace any earlier queued transfer of this conversation.
    store::end_queued_transfer(tx, &who.tenant_id, id, "superseded")?;
    let tid = new_id("transfer");
    store::insert_transfer(
        tx,
        &store::NewTransfer {
            id: &tid,
            tenant: &who.tenant_id,
            conversation: id,
            reason,
            note: body.transfer_note.as_deref(),
            department: Some(&dept),
            priority,
            agent: agent.as_deref(),
            created_at: &now_iso(),
        },
    )?;
    store::mark_transferred(
        tx,
        &who.tenant_id,
        id,
        conv.status != "transferred",
        &now_iso(),
    )?;
    w.audit(
        crate::SLUG,
        "conversation.transfer",
        "conversation",
        id,
        json!({"department": dept, "priority": priority}),
    )?;
    emit(
        tx,
        &who.tenant_id,
        "conversation.transferred",
        json!({"conversation_id": id, "reason": reason, "department": dept, "priority": priority}),
    )?;
    let who_txt = agent_name
        .clone()
        .filter(|n| !n.is_empty())
        .map(|n| format!("{n} from {dept}"))
        .unwrap_or_else(|| format!("the next available {dept} agent"));
    Ok(TransferResult {
        transfer_id: tid,
        assigned_agent: agent.map(|a| AssignedAgent {
            agent_id: a,
            name: agent_name,
            department: dept.clone(),
        }),
        queue_position: ahead + 1,
        estimated_wait_time_minutes: wait,
        transfer_message: format!(
            "I'm connecting you with {who_txt}. Estimated wait time: {wait} minutes."
        ),
    })
}

fn priority_rank(p: &str) -> i64 {
    match p {
        "urgent" => 3,
        "high" => 2,
        "normal" => 1,
        _ => 0,
    }
}

/// The name of the member a transfer names by `user_id` or by agent handle
/// (`agent_john_doe`, see [`agent_handle`]); 400 when no member (or more
/// than one) answers to it.
fn agent_name_of(tx: &Connection, tenant: &str, agent: &str) -> ApiResult<String> {
    let mut found = vec![];
    for (id, first, last) in store::member_names(tx, tenant)? {
        let handle = agent_handle(first.as_deref(), last.as_deref());
        if id == agent || handle.as_deref() == Some(agent) {
            let name = format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default());
            found.push((id == agent, name.trim().to_string()));
        }
    }
    if let Some((_, name)) = found.iter().find(|(by_id, _)| *by_id) {
        return Ok(name.clone());
    }
    match found.as_slice() {
        [(_, name)] => Ok(name.clone()),
        [] => Err(ApiError::invalid(
            "agent_id",
            "agent_id names no member of this tenant (use a member's user_id or agent_id)",
        )),
        _ => Err(ApiError::invalid(
            "agent_id",
            "agent_id answers to more than one member; use the member's user_id",
        )),
    }
}

/// Closes the conversation and cancels its queued transfer.
pub(crate) fn close(w: &WriteCtx, who: &Caller, id: &str, reason: &str) -> ApiResult<CloseResult> {
    let tx = w.tx();
    let conv = load_conv(tx, &who.tenant_id, id)?;
    if conv.status == "closed" {
        return Err(ChatbotError::ConversationClosed.with_message("Conversation is already closed"));
    }
    let now = now_iso();
    store::mark_closed(tx, &who.tenant_id, id, reason, &now)?;
    store::end_queued_transfer(tx, &who.tenant_id, id, "cancelled")?;
    w.audit(
        crate::SLUG,
        "conversation.close",
        "conversation",
        id,
        json!({"reason": reason}),
    )?;
    emit(
        tx,
        &who.tenant_id,
        "conversation.closed",
        json!({"conversation_id": id, "reason": reason}),
    )?;
    Ok(CloseResult {
        conversation_id: id.to_string(),
        status: "closed".into(),
        closed_at: now,
        close_reason: reason.to_string(),
    })
}

/// Reopens a closed conversation.
pub(crate) fn reopen(w: &WriteCtx, who: &Caller, id: &str) -> ApiResult<ReopenResult> {
    let tx = w.tx();
    let conv = load_conv(tx, &who.tenant_id, id)?;
    if conv.status != "closed" {
        return Err(ChatbotError::ConversationNotClosed.with_message("Conversation is not closed"));
    }
    let now = now_iso();
    store::mark_reopened(tx, &who.tenant_id, id, &now)?;
    w.audit(
        crate::SLUG,
        "conversation.reopen",
        "conversation",
        id,
        json!({}),
    )?;
    emit(
        tx,
        &who.tenant_id,
        "conversation.reopened",
        json!({"conversation_id": id}),
    )?;
    Ok(ReopenResult {
        conversation_id: id.to_string(),
        status: "active".into(),
        reopened_at: now,
    })
}
