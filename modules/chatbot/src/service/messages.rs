//! Processing an inbound message: idempotency, conversation routing, the
//! engine (with provider and knowledge help) and the stored reply.

use crate::errors::ChatbotError;
use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::{json, Value};

use super::*;
use crate::engine;
use crate::model::{
    ChatMessageResponse, ConversationRow, ConversationState, InboundContent, InboundContentType,
    ProcessingMetadata, ReplyRow, SendMessageRequest, TenantState,
};
use crate::provider::ProviderReply;
use crate::store::chat as chat_store;

/// Records one inbound message given as JSON (demo data, tools), runs the
/// engine and stores the reply. Idempotent on `message_id`.
pub fn process_message(
    tx: &Connection,
    tenant: &str,
    body: &Value,
    started: std::time::Instant,
) -> ApiResult<ChatMessageResponse> {
    let body = frontline_platform::body::parse_strict::<SendMessageRequest>(body.clone())?;
    process_message_with(tx, tenant, &body, started, Assist::default())
}

/// [`process_message`] with a reply already produced by an external provider
/// (the engine still detects intent and entities, and transfers on request).
pub fn process_message_with(
    tx: &Connection,
    tenant: &str,
    body: &SendMessageRequest,
    started: std::time::Instant,
    assist: Assist,
) -> ApiResult<ChatMessageResponse> {
    let state = tenant_state(tx, tenant)?.ok_or_else(crate::errors::tenant_not_found)?;
    process_message_in(tx, tenant, &state, body, started, assist, None)
}

/// The request's checks of a message (one detail per bad field): the
/// channel (the session's by default), `user_id`, the content and
/// `message_id`; a session token sends only as its session's user on its
/// channel (403 `SESSION_MISMATCH`). Returns the channel, content type and
/// message id.
fn checked(
    body: &SendMessageRequest,
    session: Option<&crate::access::SessionScope>,
) -> ApiResult<(String, String, String)> {
    let mut errs = vec![];
    let default_channel = session.map_or("web", |s| s.channel.as_str());
    let channel = match body.channel {
        Some(c) => c.as_str().to_string(),
        None => default_channel.to_string(),
    };
    if let Some(s) = session {
        if *body.user_id != *s.user_id || channel != s.channel {
            return Err(ChatbotError::SessionMismatch.with_message(
                "A session token sends messages only as its session's user_id on its channel",
            ));
        }
    }
    if !CHANNELS.contains(&channel.as_str()) {
        errs.push(FieldError::new(
            "channel",
            format!("channel must be one of {}", CHANNELS.join(", ")),
        ));
    }
    if body.user_id.trim().is_empty() {
        errs.push(FieldError::new("user_id", "user_id is required"));
    }
    let content = &body.content;
    let ctype = content
        .content_type
        .map_or("text", InboundContentType::as_str)
        .to_string();
    let text = content.text.as_deref().unwrap_or_default();
    // The type is one of the schema's; text or media is a rule across fields.
    if text.trim().is_empty() && content.media.is_none() {
        errs.push(FieldError::new("content.text", "text or media is required"));
    } else if text.chars().count() > 4096 {
        errs.push(FieldError::new(
            "content.text",
            "text is longer than 4096 characters",
        ));
    }
    let message_id = body
        .message_id
        .as_deref()
        .map_or_else(|| new_id("msg"), str::to_string);
    if message_id.chars().count() > 200 || message_id.trim().is_empty() {
        errs.push(FieldError::new(
            "message_id",
            "message_id must be 1-200 characters",
        ));
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    Ok((channel, ctype, message_id))
}

/// [`process_message_with`] for a caller that may be a visitor holding a
/// session token (`session`): it sends as the session's user on the
/// session's channel (403 `SESSION_MISMATCH` otherwise), continues only
/// conversations started with the session (404 `CONVERSATION_NOT_FOUND`
/// for another's) and every conversation it starts belongs to the session.
///
/// `state` is the tenant as read with the caller: the message reads only its
/// own keys (the message id, the conversation) and writes the inbound
/// message, its event, the reply and the conversation — a fixed number of
/// statements, whatever the conversation's or the tenant's history.
pub fn process_message_in(
    tx: &Connection,
    tenant: &str,
    state: &TenantState,
    body: &SendMessageRequest,
    started: std::time::Instant,
    assist: Assist,
    session: Option<&crate::access::SessionScope>,
) -> ApiResult<ChatMessageResponse> {
    let (channel, ctype, message_id) = checked(body, session)?;
    channel_allowed(state, &channel)?;
    let in_session = |conv: &ConversationRow| match session {
        Some(s) => conv.session_id.as_deref() == Some(s.session_id.as_str()),
        None => true,
    };
    // Idempotency: the same message_id returns the stored answer.
    if let Some((conv, dir)) = chat_store::message_seen(tx, tenant, &message_id)? {
        let foreign = match session {
            Some(s) => !crate::store::conversation_in_session(tx, tenant, &conv, &s.session_id)?,
            None => false,
        };
        if dir != "inbound" || foreign {
            let msg = if foreign {
                "message_id is already used"
            } else {
                "message_id is already used by a bot reply"
            };
            return Err(ChatbotError::DuplicateMessageId.with_message(msg));
        }
        let mut data = super::inbox::stored_answer(tx, tenant, &conv, &message_id)?;
        data.conversation_id = conv;
        data.duplicate = Some(true);
        return Ok(data);
    }
    let user_id: &str = &body.user_id;
    let conv = match body.conversation_id.as_deref() {
        Some(id) => match chat_store::conversation(tx, tenant, id)? {
            Some(conv) if !in_session(&conv) => {
                return Err(
                    ChatbotError::ConversationNotFound.with_message("Conversation not found")
                )
            }
            Some(conv) if conv.status == "closed" => {
                return Err(ChatbotError::ConversationClosed
                    .with_message("Conversation is closed; reopen it first"))
            }
            Some(conv) => conv,
            None => open_conversation(tx, tenant, state, id, user_id, &channel, session)?,
        },
        None => {
            let sid = session.map(|s| s.session_id.as_str());
            match chat_store::open_conversation_of(tx, tenant, user_id, &channel, sid)? {
                Some(conv) => conv,
                None => {
                    let id = new_id("conv");
                    open_conversation(tx, tenant, state, &id, user_id, &channel, session)?
                }
            }
        }
    };
    let content = &body.content;
    let text = content.text.as_deref().unwrap_or_default();
    let now = now_iso();
    chat_store::insert_inbound(
        tx,
        tenant,
        &conv.id,
        &message_id,
        &inbound_json(content, &ctype).to_string(),
        &now,
    )?;
    emit(
        tx,
        tenant,
        "message.received",
        json!({"conversation_id": conv.id, "message_id": message_id, "text": text}),
    )?;
    // An agent has the conversation: the bot steps back.
    if conv.assigned {
        if let Some(answer) =
            super::inbox::agent_handles(tx, tenant, &conv.id, &message_id, started)?
        {
            return Ok(answer);
        }
    }
    respond_with(
        tx,
        tenant,
        state.config(),
        &conv,
        &message_id,
        (text, content.language.as_deref()),
        started,
        assist,
    )
}

/// [`create_conv`], linked to the visitor's session when there is one; the
/// new conversation as the chat path reads it.
fn open_conversation(
    tx: &Connection,
    tenant: &str,
    state: &TenantState,
    id: &str,
    user: &str,
    channel: &str,
    session: Option<&crate::access::SessionScope>,
) -> ApiResult<ConversationRow> {
    create_conv(tx, tenant, state, id, user, channel)?;
    if let Some(s) = session {
        super::sessions::link_conversation(tx, tenant, id, s)?;
    }
    Ok(ConversationRow {
        id: id.to_string(),
        user_id: user.to_string(),
        channel: channel.to_string(),
        status: "active".into(),
        fallback_count: 0,
        entities: "{}".into(),
        assigned: false,
        session_id: session.map(|s| s.session_id.clone()),
    })
}

/// Opens a conversation: the one place that does, so every path (chat with
/// or without `conversation_id`, channel webhooks, demo data) counts against
/// the plan's monthly conversations (403 `PLAN_LIMIT_REACHED` beyond them).
fn create_conv(
    tx: &Connection,
    tenant: &str,
    state: &TenantState,
    id: &str,
    user: &str,
    channel: &str,
) -> ApiResult<()> {
    if id.is_empty() || id.chars().count() > 200 {
        return Err(ApiError::invalid(
            "conversation_id",
            "conversation_id must be 1-200 characters",
        ));
    }
    check_conversation_limit(tx, tenant, state)?;
    chat_store::insert_conversation(tx, tenant, id, user, channel, &now_iso())?;
    emit(
        tx,
        tenant,
        "conversation.started",
        json!({"conversation_id": id, "user_id": user, "channel": channel}),
    )?;
    Ok(())
}

/// Help the engine may use for one reply: an external provider's answer and
/// the best-matching knowledge article.
#[derive(Default, Clone, Copy)]
pub struct Assist<'a> {
    pub llm: Option<&'a ProviderReply>,
    pub article: Option<&'a crate::knowledge::ArticleHit>,
}

/// The bot's reply to inbound message `inbound_id` of conversation `conv`
/// (as read before the reply), with the tenant's configuration `config`:
/// the engine's answer, or `llm`'s text when a provider produced one, or the
/// knowledge article when no intent was confident enough. Stores the reply
/// and the conversation's new state, and answers from what it wrote.
#[allow(clippy::too_many_arguments)]
pub(crate) fn respond_with(
    tx: &Connection,
    tenant: &str,
    config: &Value,
    conv: &ConversationRow,
    inbound_id: &str,
    (text, language): (&str, Option<&str>),
    started: std::time::Instant,
    assist: Assist,
) -> ApiResult<ChatMessageResponse> {
    let fallbacks = conv.fallback_count;
    let lang = engine::language_for(config, language);
    let mut d = engine::decide(config, text, fallbacks, lang);
    let mut model_used = "rule_based".to_string();
    let mut cost_cents = 0.0;
    let mut source = Value::Null;
    let k_threshold = config
        .pointer("/chatbot/knowledge_threshold")
        .and_then(Value::as_f64)
        .unwrap_or(0.5);
    if let Some(a) = assist
        .article
        .filter(|a| d.fallback && a.coverage >= k_threshold && assist.llm.is_none())
    {
        // No confident intent, but an article covers the question: answer from it.
        d.text = a.body.chars().take(1000).collect();
        d.intent = Some("knowledge_article".into());
        d.confidence = (a.coverage * 100.0).round() / 100.0;
        d.quick_replies = json!([]);
        d.fallback = false;
        d.transfer = false;
        model_used = "knowledge_base".into();
        source = json!({"article_id": a.id, "title": a.title});
    }
    let order = d.entities.get("order_number").and_then(Value::as_str);
    if let (Some(a), Some(order)) = (assist.article, order) {
        // The tenant's own data mentions this order: answer from it.
        if !d.transfer && a.body.to_uppercase().contains(order) {
            d.text = a.body.chars().take(1000).collect();
            d.intent = Some("order_status_inquiry".into());
            d.fallback = false;
            model_used = "knowledge_base".into();
            source = json!({"article_id": a.id, "title": a.title});
        }
    }
    let mut language = (model_used == "rule_based" || d.transfer).then_some(d.language);
    if let Some(l) = assist.llm.filter(|_| !d.transfer) {
        language = None;
        // The provider answered: no fallback, the engine's intent is kept when it was confident.
        d.text = l.text.clone();
        d.fallback = false;
        if d.intent.is_none() {
            d.quick_replies = json!([]);
        }
        model_used = l.model.clone();
        cost_cents = l.cost_cents;
    }
    let mut all_entities = parse_json(&conv.entities);
    if !all_entities.is_object() {
        all_entities = json!({});
    }
    let mut ignored = vec![];
    deep_merge(&mut all_entities, &d.entities, "", &mut ignored);
    let new_fallbacks = if d.fallback { fallbacks + 1 } else { 0 };
    let transfer = d.transfer && conv.status != "transferred";
    let elapsed = started.elapsed().as_millis() as i64;
    let reply_id = new_id("msg");
    let mut reply = json!({"type": "text", "text": d.text, "quick_replies": d.quick_replies});
    if !source.is_null() {
        reply["source"] = source;
        language = None;
    }
    if let Some(l) = language {
        reply["language"] = json!(l);
    }
    if let Some(s) = &d.sentiment {
        reply["sentiment"] = json!({"score": s.score, "label": s.label});
    }
    let now = now_iso();
    let entities_text = all_entities.to_string();
    chat_store::insert_reply(
        tx,
        &chat_store::NewReply {
            tenant,
            conversation: &conv.id,
            id: &reply_id,
            in_reply_to: inbound_id,
            content: &reply.to_string(),
            intent: d.intent.as_deref(),
            confidence: d.confidence,
            processing_ms: elapsed,
            model_used: &model_used,
            cost_cents,
            fallback: d.fallback,
            now: &now,
        },
    )?;
    crate::delivery::enqueue_reply_to(tx, tenant, config, conv, &reply_id)?;
    chat_store::update_after_reply(
        tx,
        tenant,
        &conv.id,
        d.intent.as_deref(),
        &entities_text,
        new_fallbacks,
        &now,
        transfer,
    )?;
    if transfer {
        let reason = d.transfer_reason.unwrap_or("user_request");
        chat_store::insert_transfer(tx, &new_id("transfer"), tenant, &conv.id, reason, &now)?;
        emit(
            tx,
            tenant,
            "conversation.transferred",
            json!({"conversation_id": conv.id, "reason": reason, "department": null, "priority": "normal"}),
        )?;
    }
    let status = if transfer {
        "transferred".to_string()
    } else {
        conv.status.clone()
    };
    Ok(reply_response(
        inbound_id,
        ReplyRow {
            message_id: reply_id,
            conversation_id: conv.id.clone(),
            content: reply,
            intent: d.intent,
            confidence: Some(d.confidence),
            processing_ms: Some(elapsed),
            model_used: Some(model_used),
        },
        status,
        all_entities,
    ))
}

/// The send response for a bot reply, with the conversation's status and
/// entities after it.
fn reply_response(
    inbound_id: &str,
    reply: ReplyRow,
    status: String,
    entities: Value,
) -> ChatMessageResponse {
    let stage = match (status.as_str(), reply.intent.is_some()) {
        ("transferred", _) => "transferred_to_agent",
        (_, true) => "information_provided",
        _ => "clarification_needed",
    };
    let next = if reply.intent.is_some() {
        "follow_up_question"
    } else {
        "rephrased_question"
    };
    ChatMessageResponse {
        message_id: inbound_id.to_string(),
        reply_message_id: Some(reply.message_id),
        conversation_id: reply.conversation_id,
        response: bot_response(&reply.content),
        conversation_state: ConversationState {
            current_intent: reply.intent,
            next_expected_input: next.into(),
            conversation_stage: stage.into(),
            entities,
            status,
        },
        processing_metadata: ProcessingMetadata {
            model_used: reply.model_used,
            processing_time_ms: reply.processing_ms,
            confidence_score: reply.confidence,
            sentiment: crate::model::sentiment_of(&reply.content),
        },
        duplicate: None,
        retried: None,
    }
}

/// The stored bot reply to inbound message `inbound_id`, rendered as the send response.
pub(crate) fn reply_for(
    c: &Connection,
    tenant: &str,
    inbound_id: &str,
) -> ApiResult<ChatMessageResponse> {
    let reply = chat_store::reply_to(c, tenant, inbound_id)?
        .ok_or_else(|| ChatbotError::MessageNotFound.with_message("Message not found"))?;
    let conv = chat_store::conversation(c, tenant, &reply.conversation_id)?
        .ok_or_else(|| ChatbotError::MessageNotFound.with_message("Message not found"))?;
    Ok(reply_response(
        inbound_id,
        reply,
        conv.status,
        parse_json(&conv.entities),
    ))
}

/// The stored form of an inbound message's content (`type` defaulted).
fn inbound_json(c: &InboundContent, ctype: &str) -> Value {
    let mut v = json!({ "type": ctype });
    if let Some(t) = &c.text {
        v["text"] = json!(t);
    }
    if let Some(l) = &c.language {
        v["language"] = json!(l);
    }
    if let Some(p) = &c.payload {
        v["payload"] = json!(p);
    }
    if let Some(m) = &c.media {
        let mut mv = json!({});
        if let Some(x) = &m.url {
            mv["url"] = json!(x);
        }
        if let Some(x) = &m.media_type {
            mv["type"] = json!(x);
        }
        if let Some(x) = m.size_bytes {
            mv["size_bytes"] = json!(x);
        }
        if let Some(x) = &m.alt_text {
            mv["alt_text"] = json!(x);
        }
        v["media"] = mv;
    }
    v
}

/// Asks what may help answer one inbound message, outside any write
/// transaction: the tenant's external provider (when its `fallback_chain`
/// starts with one; never for a `message_id` already answered) and the best
/// knowledge article. A failing search is logged and ignored.
pub async fn prepare_assist(
    platform: &frontline_platform::Platform,
    tenant: &str,
    state: &TenantState,
    body: &SendMessageRequest,
) -> ApiResult<Prepared> {
    let text = body.content.text.clone().unwrap_or_default();
    let pre = if crate::provider::wants_provider(state.config()) && !text.trim().is_empty() {
        let (t, b, config) = (tenant.to_string(), body.clone(), state.config().clone());
        platform
            .db
            .read(move |c| provider_context(c, &t, config, &b))
            .await?
    } else {
        None
    };
    assist_for(platform, tenant, state.has_articles, pre, &text).await
}

/// What helps answer: a provider's reply and the best knowledge article.
pub type Prepared = (Option<ProviderReply>, Option<crate::knowledge::ArticleHit>);

/// Asks the tenant's `fallback_chain` (when `pre` holds a provider context)
/// and, when the tenant has articles, the knowledge index for `text`.
async fn assist_for(
    platform: &frontline_platform::Platform,
    tenant: &str,
    has_articles: bool,
    pre: Option<(Value, Vec<crate::provider::Turn>, String)>,
    text: &str,
) -> ApiResult<Prepared> {
    let llm = match pre {
        Some((config, history, text)) => {
            crate::provider::reply(platform, &config, &history, &text).await
        }
        None => None,
    };
    if !has_articles {
        return Ok((llm, None));
    }
    let article = match crate::knowledge::best(platform, tenant, text).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e.message, "chatbot: knowledge search failed");
            None
        }
    };
    Ok((llm, article))
}

/// [`prepare_assist`] for a retry of stored inbound message `id`: the
/// provider sees the conversation before that message, exactly as when it
/// was first sent. Nothing is asked when the message does not exist (the
/// write reports it).
pub async fn prepare_retry(
    platform: &frontline_platform::Platform,
    tenant: &str,
    id: &str,
) -> ApiResult<Prepared> {
    let (t, i) = (tenant.to_string(), id.to_string());
    let found = platform.db.read(move |c| retry_context(c, &t, &i)).await?;
    match found {
        Some((text, pre)) => assist_for(platform, tenant, true, pre, &text).await,
        None => Ok((None, None)),
    }
}
