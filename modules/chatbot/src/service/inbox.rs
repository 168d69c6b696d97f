//! The agent inbox's rules: what waits for a human, who may work it,
//! claiming, the agent's replies (stored as the agent's messages), internal
//! notes (never sent to the visitor) and closing with a resolution.

use frontline_platform::auth::now_iso;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult};
use rusqlite::Connection;
use serde_json::json;

use super::{emit, new_id};
use crate::access::Caller;
use crate::errors::ChatbotError;
use crate::model::{
    InboxConversation, InboxItem, InboxList, InboxMessage, InboxNote, Sender, WidgetConfig,
};
use crate::store::inbox as store;

/// Conversations listed at most.
const LIST_LIMIT: i64 = 200;
/// Messages shown with a conversation at most (the newest).
const MESSAGE_LIMIT: i64 = 500;

/// The tenant roles that work the inbox: agents and the tenant's admins.
pub fn works_inbox(who: &Caller) -> bool {
    who.session.is_none()
        && who.principal.is_some()
        && matches!(
            who.role.as_str(),
            "agent" | "owner" | "admin" | "platform_admin"
        )
}

/// 403 `INSUFFICIENT_PERMISSIONS` for callers who do not work the inbox.
pub fn require_agent(who: &Caller) -> ApiResult<()> {
    if works_inbox(who) {
        Ok(())
    } else {
        Err(ChatbotError::InsufficientPermissions
            .with_message("The inbox is worked by the tenant's agents and admins (signed in)")
            .with_extra("required_role", "agent"))
    }
}

fn not_found() -> ApiError {
    ChatbotError::ConversationNotFound.with_message("Conversation not found")
}

/// The conversations waiting for a human.
pub(crate) fn list(c: &Connection, who: &Caller) -> ApiResult<InboxList> {
    let (conversations, total, unclaimed) = store::waiting(c, &who.tenant_id, LIST_LIMIT)?;
    Ok(InboxList {
        conversations,
        total,
        unclaimed,
    })
}

/// One conversation with its messages, notes and resolution.
pub(crate) fn open(c: &Connection, who: &Caller, id: &str) -> ApiResult<InboxConversation> {
    let conversation = store::item(c, &who.tenant_id, id)?.ok_or_else(not_found)?;
    Ok(InboxConversation {
        messages: store::messages(c, &who.tenant_id, id, MESSAGE_LIMIT)?,
        notes: store::notes(c, &who.tenant_id, id)?,
        resolution: store::resolution(c, &who.tenant_id, id)?,
        conversation,
    })
}

/// The signed-in agent: platform user id and the name the tenant knows them by.
fn agent(c: &Connection, who: &Caller) -> ApiResult<(String, String)> {
    let p = who
        .principal
        .as_ref()
        .ok_or_else(|| ApiError::unauthorized("This action needs a signed-in agent"))?;
    let name = store::member_name(c, &who.tenant_id, &p.id)?.unwrap_or_else(|| {
        if p.name.trim().is_empty() {
            p.email.clone()
        } else {
            p.name.clone()
        }
    });
    Ok((p.id.clone(), name))
}

/// The open conversation `id`, checked for `agent_id` to work: 404 when
/// missing, 409 `CONVERSATION_CLOSED` when closed, 409
/// `CONVERSATION_CLAIMED` when another agent has claimed it.
fn workable(c: &Connection, who: &Caller, id: &str, agent_id: &str) -> ApiResult<InboxItem> {
    let item = store::item(c, &who.tenant_id, id)?.ok_or_else(not_found)?;
    if item.status == "closed" {
        return Err(ChatbotError::ConversationClosed.with_message("Conversation is closed"));
    }
    if let Some(a) = item.assignee.as_ref().filter(|a| a.user_id != agent_id) {
        return Err(ChatbotError::ConversationClaimed
            .with_message(format!("{} has claimed this conversation", a.name))
            .with_extra("assignee", json!({"user_id": a.user_id, "name": a.name})));
    }
    Ok(item)
}

/// The caller claims the conversation (claiming one's own claim again changes nothing).
pub(crate) fn claim(w: &WriteCtx, who: &Caller, id: &str) -> ApiResult<InboxItem> {
    let tx = w.tx();
    let (agent_id, name) = agent(tx, who)?;
    let item = workable(tx, who, id, &agent_id)?;
    if item.assignee.is_none() {
        store::set_assignee(tx, &who.tenant_id, id, &agent_id, &name, &now_iso())?;
        w.audit(
            crate::SLUG,
            "conversation.claim",
            "conversation",
            id,
            json!({"agent": agent_id}),
        )?;
        emit(
            tx,
            &who.tenant_id,
            "conversation.claimed",
            json!({"conversation_id": id, "agent_id": agent_id, "agent_name": name}),
        )?;
    }
    store::item(tx, &who.tenant_id, id)?.ok_or_else(not_found)
}

/// Stores `text` as the agent's message to the visitor of conversation `id`
/// (claiming it first when nobody has).
pub(crate) fn store_agent_reply(
    w: &WriteCtx,
    who: &Caller,
    id: &str,
    text: &str,
) -> ApiResult<InboxMessage> {
    let tx = w.tx();
    let (agent_id, name) = agent(tx, who)?;
    let item = workable(tx, who, id, &agent_id)?;
    if item.assignee.is_none() {
        claim(w, who, id)?;
    }
    let message_id = new_id("msg");
    let now = now_iso();
    store::insert_agent_message(
        tx,
        &who.tenant_id,
        id,
        &message_id,
        text,
        &agent_id,
        &name,
        &now,
    )?;
    w.audit(
        crate::SLUG,
        "conversation.agent_reply",
        "conversation",
        id,
        json!({"message_id": message_id}),
    )?;
    emit(
        tx,
        &who.tenant_id,
        "message.agent_reply",
        json!({"conversation_id": id, "message_id": message_id, "channel": item.channel,
               "user_id": item.user_id, "agent_name": name, "text": text}),
    )?;
    // The visitor's session reads the reply with the conversation; a conversation
    // that came through a channel's webhook also gets it through that channel.
    if !crate::delivery::enqueue_reply(tx, &who.tenant_id, id, &message_id)?
        && item.channel == "telegram"
        && item.user_id.starts_with("telegram_")
    {
        // Without a bot token there is no way to reach a Telegram user outside
        // a webhook's answer: say so rather than "sent".
        store::mark_message_status(tx, &who.tenant_id, &message_id, "not_configured")?;
    }
    Ok(InboxMessage {
        message_id,
        sender: Sender::Agent,
        author_name: Some(name),
        text: Some(text.to_string()),
        confidence_score: None,
        is_fallback: None,
        timestamp: now,
    })
}

/// Adds an internal note to conversation `id` (closed ones too: notes are
/// the team's record). Notes are never sent to the visitor: they are kept
/// apart from the messages, and their event carries no text.
pub(crate) fn add_note(w: &WriteCtx, who: &Caller, id: &str, text: &str) -> ApiResult<InboxNote> {
    let tx = w.tx();
    store::item(tx, &who.tenant_id, id)?.ok_or_else(not_found)?;
    let (agent_id, name) = agent(tx, who)?;
    let note = InboxNote {
        note_id: new_id("note"),
        conversation_id: id.to_string(),
        text: text.to_string(),
        author_id: Some(agent_id),
        author_name: Some(name),
        created_at: now_iso(),
    };
    store::insert_note(tx, &who.tenant_id, &note)?;
    w.audit(
        crate::SLUG,
        "conversation.note",
        "conversation",
        id,
        json!({"note_id": note.note_id}),
    )?;
    emit(
        tx,
        &who.tenant_id,
        "conversation.note_added",
        json!({"conversation_id": id, "note_id": note.note_id}),
    )?;
    Ok(note)
}

/// Closes conversation `id` with `resolution` (stored as its close reason).
pub(crate) fn resolve(
    w: &WriteCtx,
    who: &Caller,
    id: &str,
    resolution: &str,
) -> ApiResult<InboxConversation> {
    let (agent_id, _) = agent(w.tx(), who)?;
    workable(w.tx(), who, id, &agent_id)?;
    super::conversations::close(w, who, id, resolution.trim())?;
    open(w.tx(), who, id)
}

/// The website widget of a tenant: its name, colours and welcome line
/// (404 `TENANT_NOT_FOUND` for no such active tenant).
pub(crate) fn widget_config(c: &Connection, tenant: &str) -> ApiResult<WidgetConfig> {
    let (name, cfg) =
        store::active_tenant_config(c, tenant)?.ok_or_else(crate::errors::tenant_not_found)?;
    let text = |p: &str| {
        cfg.pointer(p)
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok(WidgetConfig {
        tenant_id: tenant.to_string(),
        name: text("/general/branding/company_name").unwrap_or(name),
        primary_color: text("/channels/web/widget_color")
            .or_else(|| text("/general/branding/primary_color")),
        secondary_color: text("/general/branding/secondary_color"),
        logo_url: text("/general/branding/logo_url"),
        welcome_message: text("/channels/web/welcome_message")
            .or_else(|| text("/chatbot/default_greeting")),
        position: text("/channels/web/position").unwrap_or_else(|| "bottom_right".into()),
    })
}

/// CORS for the chatbot API: a page may call it for a tenant when the
/// tenant lists the page's origin in `channels.web.allowed_origins`.
pub struct WidgetOrigins;

impl frontline_platform::cors::OriginPolicy for WidgetOrigins {
    fn owner_header(&self) -> &'static str {
        "x-tenant-id"
    }

    fn allows(&self, db: &Connection, origin: &str, owner: Option<&str>) -> ApiResult<bool> {
        store::origin_allowed(db, origin, owner)
    }
}
