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
    BotResponse, ChatMessageResponse, ConversationState, InboxConversation, InboxItem, InboxList,
    InboxMessage, InboxNote, ProcessingMetadata, Sender, WidgetConfig,
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

/// The open conversation `id` for an action the claimer, or the tenant's
/// owners and admins, may take on a claimed conversation (closing,
/// releasing): 404 when missing, 409 `CONVERSATION_CLOSED` when closed, 409
/// `CONVERSATION_CLAIMED` when another agent has it and the caller is no
/// owner or admin.
fn closable(c: &Connection, who: &Caller, id: &str, agent_id: &str) -> ApiResult<InboxItem> {
    let item = store::item(c, &who.tenant_id, id)?.ok_or_else(not_found)?;
    if item.status == "closed" {
        return Err(ChatbotError::ConversationClosed.with_message("Conversation is closed"));
    }
    if let Some(a) = item
        .assignee
        .as_ref()
        .filter(|a| a.user_id != agent_id && !who.is_tenant_admin())
    {
        return Err(ChatbotError::ConversationClaimed
            .with_message(format!(
                "{} has claimed this conversation: they (or an owner or admin of the tenant) can close or release it",
                a.name
            ))
            .with_extra("assignee", json!({"user_id": a.user_id, "name": a.name})));
    }
    Ok(item)
}

/// Closes conversation `id` with `resolution` (stored as its close reason).
/// The claimer, the tenant's owners and admins, and any agent while nobody
/// has claimed it may. The claim ends with it: should the conversation be
/// reopened, the bot answers it again.
pub(crate) fn resolve(
    w: &WriteCtx,
    who: &Caller,
    id: &str,
    resolution: &str,
) -> ApiResult<InboxConversation> {
    let (agent_id, _) = agent(w.tx(), who)?;
    let item = closable(w.tx(), who, id, &agent_id)?;
    super::conversations::close(w, who, id, resolution.trim())?;
    if item.assignee.is_some() {
        store::clear_assignee(w.tx(), &who.tenant_id, id, false)?;
    }
    open(w.tx(), who, id)
}

/// Gives up the claim on conversation `id`: nobody has it, it waits in the
/// inbox again (its transfer queued again) for any agent to claim, and the
/// bot answers the visitor again until someone does. The claimer and the
/// tenant's owners and admins may; releasing an unclaimed conversation
/// changes nothing.
pub(crate) fn release(w: &WriteCtx, who: &Caller, id: &str) -> ApiResult<InboxItem> {
    let tx = w.tx();
    let (agent_id, _) = agent(tx, who)?;
    let item = closable(tx, who, id, &agent_id)?;
    if let Some(a) = &item.assignee {
        store::clear_assignee(tx, &who.tenant_id, id, true)?;
        w.audit(
            crate::SLUG,
            "conversation.release",
            "conversation",
            id,
            json!({"agent": a.user_id}),
        )?;
        emit(
            tx,
            &who.tenant_id,
            "conversation.released",
            json!({"conversation_id": id, "agent_id": a.user_id, "agent_name": a.name,
                   "released_by": agent_id}),
        )?;
    }
    store::item(tx, &who.tenant_id, id)?.ok_or_else(not_found)
}

/// The answer to a visitor's message `inbound_id` in conversation `conv`
/// when an agent has claimed it: the bot steps back — no bot text, no
/// stored reply (`reply_message_id` absent), `conversation_stage`
/// `transferred_to_agent` — and the message waits in the agent's inbox
/// (its `message.received` event reaches the live stream). `None` when
/// nobody has claimed the conversation (the bot answers).
pub(crate) fn agent_handles(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    inbound_id: &str,
    started: std::time::Instant,
) -> ApiResult<Option<ChatMessageResponse>> {
    if store::open_assignee(tx, tenant, conv)?.is_none() {
        return Ok(None);
    }
    store::touch(tx, tenant, conv, &now_iso())?;
    Ok(Some(handled_answer(tx, tenant, conv, inbound_id, started)?))
}

/// A message sent again (same `message_id`): the stored bot reply, or the
/// agent-handled answer when the bot did not answer it.
pub(crate) fn stored_answer(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    inbound_id: &str,
) -> ApiResult<ChatMessageResponse> {
    if store::has_reply(tx, tenant, inbound_id)? {
        return super::messages::reply_for(tx, tenant, inbound_id);
    }
    handled_answer(tx, tenant, conv, inbound_id, std::time::Instant::now())
}

fn handled_answer(
    c: &Connection,
    tenant: &str,
    conv: &str,
    inbound_id: &str,
    started: std::time::Instant,
) -> ApiResult<ChatMessageResponse> {
    let (status, entities) = store::status_and_entities(c, tenant, conv)?;
    Ok(ChatMessageResponse {
        message_id: inbound_id.to_string(),
        reply_message_id: None,
        conversation_id: conv.to_string(),
        response: BotResponse {
            content_type: "text".into(),
            text: String::new(),
            quick_replies: vec![],
            source: None,
            language: None,
        },
        conversation_state: ConversationState {
            current_intent: None,
            next_expected_input: "follow_up_question".into(),
            conversation_stage: "transferred_to_agent".into(),
            entities: serde_json::from_str(&entities).unwrap_or_else(|_| json!({})),
            status,
        },
        processing_metadata: ProcessingMetadata {
            model_used: None,
            processing_time_ms: Some(started.elapsed().as_millis() as i64),
            confidence_score: None,
            sentiment: None,
        },
        duplicate: None,
        retried: None,
    })
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
