//! Processing an inbound message: idempotency, conversation routing, the
//! engine (with provider and knowledge help) and the stored reply.

use crate::errors::ChatbotError;
use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use super::*;
use crate::engine;
use crate::model::{
    ChatMessageResponse, ConversationState, InboundContent, ProcessingMetadata, SendMessageRequest,
};
use crate::provider::ProviderReply;

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
    process_message_in(tx, tenant, body, started, assist, None)
}

/// [`process_message_with`] for a caller that may be a visitor holding a
/// session token (`session`): it sends as the session's user on the
/// session's channel (403 `SESSION_MISMATCH` otherwise), continues only
/// conversations started with the session (404 `CONVERSATION_NOT_FOUND`
/// for another's) and every conversation it starts belongs to the session.
pub fn process_message_in(
    tx: &Connection,
    tenant: &str,
    body: &SendMessageRequest,
    started: std::time::Instant,
    assist: Assist,
    session: Option<&crate::access::SessionScope>,
) -> ApiResult<ChatMessageResponse> {
    let mut errs = vec![];
    let default_channel = session.map_or("web", |s| s.channel.as_str());
    let channel = body
        .channel
        .clone()
        .unwrap_or_else(|| default_channel.into());
    if let Some(s) = session {
        if body.user_id != s.user_id || channel != s.channel {
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
    let user_id = body.user_id.clone();
    if user_id.trim().is_empty() {
        errs.push(FieldError::new("user_id", "user_id is required"));
    }
    let content = &body.content;
    let ctype = content
        .content_type
        .clone()
        .unwrap_or_else(|| "text".into());
    let text = content.text.clone().unwrap_or_default();
    if ![
        "text",
        "image",
        "audio",
        "video",
        "file",
        "location",
        "quick_reply",
    ]
    .contains(&ctype.as_str())
    {
        errs.push(FieldError::new("content.type", "unknown content type"));
    } else if text.trim().is_empty() && content.media.is_none() {
        errs.push(FieldError::new("content.text", "text or media is required"));
    } else if text.chars().count() > 4096 {
        errs.push(FieldError::new(
            "content.text",
            "text is longer than 4096 characters",
        ));
    }
    let message_id = body.message_id.clone().unwrap_or_else(|| new_id("msg"));
    if message_id.len() > 200 || message_id.trim().is_empty() {
        errs.push(FieldError::new(
            "message_id",
            "message_id must be 1-200 characters",
        ));
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    check_channel(tx, tenant, &channel)?;
    // Idempotency: the same message_id returns the stored answer.
    let existing: Option<(String, String)> = tx
        .query_row(
            "SELECT conversation_id, direction FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
            params![tenant, message_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((conv, dir)) = existing {
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
    let conv_id = match body.conversation_id.clone() {
        Some(id) => {
            let status: Option<String> = tx
                .query_row(
                    "SELECT status FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
                    params![tenant, id],
                    |r| r.get(0),
                )
                .optional()?;
            if status.is_some() {
                if let Some(s) = session {
                    if !crate::store::conversation_in_session(tx, tenant, &id, &s.session_id)? {
                        return Err(ChatbotError::ConversationNotFound
                            .with_message("Conversation not found"));
                    }
                }
            }
            match status.as_deref() {
                Some("closed") => {
                    return Err(ChatbotError::ConversationClosed
                        .with_message("Conversation is closed; reopen it first"))
                }
                Some(_) => id,
                None => {
                    create_conv(tx, tenant, &id, &user_id, &channel)?;
                    if let Some(s) = session {
                        super::sessions::link_conversation(tx, tenant, &id, s)?;
                    }
                    id
                }
            }
        }
        None => {
            let active: Option<String> = tx
                .query_row(
                    "SELECT id FROM chatbot_conversations WHERE tenant_id = ?1 AND user_id = ?2 AND channel = ?3
                     AND status != 'closed' AND (?4 IS NULL OR session_id = ?4)
                     ORDER BY last_activity_at DESC LIMIT 1",
                    params![tenant, user_id, channel, session.map(|s| s.session_id.as_str())],
                    |r| r.get(0),
                )
                .optional()?;
            match active {
                Some(id) => id,
                None => {
                    let id = new_id("conv");
                    create_conv(tx, tenant, &id, &user_id, &channel)?;
                    if let Some(s) = session {
                        super::sessions::link_conversation(tx, tenant, &id, s)?;
                    }
                    id
                }
            }
        }
    };
    let now = now_iso();
    tx.execute(
        "INSERT INTO chatbot_messages (tenant_id, conversation_id, message_id, direction, content, status, created_at)
         VALUES (?1, ?2, ?3, 'inbound', ?4, 'processed', ?5)",
        params![tenant, conv_id, message_id, inbound_json(content, &ctype).to_string(), now],
    )?;
    emit(
        tx,
        tenant,
        "message.received",
        json!({"conversation_id": conv_id, "message_id": message_id, "text": text}),
    )?;
    // An agent has the conversation: the bot steps back.
    if let Some(answer) = super::inbox::agent_handles(tx, tenant, &conv_id, &message_id, started)? {
        return Ok(answer);
    }
    let language = content.language.as_deref();
    respond_with(
        tx,
        tenant,
        &conv_id,
        &message_id,
        (&text, language),
        started,
        assist,
    )
}

/// Opens a conversation: the one place that does, so every path (chat with
/// or without `conversation_id`, channel webhooks, demo data) counts against
/// the plan's monthly conversations (403 `PLAN_LIMIT_REACHED` beyond them).
pub(crate) fn create_conv(
    tx: &Connection,
    tenant: &str,
    id: &str,
    user: &str,
    channel: &str,
) -> ApiResult<()> {
    if id.is_empty() || id.len() > 200 {
        return Err(ApiError::invalid(
            "conversation_id",
            "conversation_id must be 1-200 characters",
        ));
    }
    check_conversation_limit(tx, tenant)?;
    let now = now_iso();
    tx.execute(
        "INSERT INTO chatbot_conversations (tenant_id, id, user_id, channel, status, entities, started_at, last_activity_at)
         VALUES (?1, ?2, ?3, ?4, 'active', '{}', ?5, ?5)",
        params![tenant, id, user, channel, now],
    )?;
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

/// [`respond`], answering with `llm`'s text when a provider produced one, or
/// with the knowledge article when no intent was confident enough.
pub(crate) fn respond_with(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    inbound_id: &str,
    (text, language): (&str, Option<&str>),
    started: std::time::Instant,
    assist: Assist,
) -> ApiResult<ChatMessageResponse> {
    let config = tenant_config(tx, tenant)?;
    let (fallbacks, entities, status): (i64, String, String) = tx.query_row(
        "SELECT fallback_count, entities, status FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let lang = engine::language_for(&config, language);
    let mut d = engine::decide(&config, text, fallbacks, lang);
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
    let mut all_entities = parse_json(&entities);
    if !all_entities.is_object() {
        all_entities = json!({});
    }
    let mut ignored = vec![];
    deep_merge(&mut all_entities, &d.entities, "", &mut ignored);
    let new_fallbacks = if d.fallback { fallbacks + 1 } else { 0 };
    let transfer = d.transfer && status != "transferred";
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
    tx.execute(
        "INSERT INTO chatbot_messages (tenant_id, conversation_id, message_id, direction, content, intent, confidence, status, reply_to, processing_ms, model_used, created_at, cost_cents, is_fallback)
         VALUES (?1, ?2, ?3, 'outbound', ?4, ?5, ?6, 'sent', ?7, ?8, ?10, ?9, ?11, ?12)",
        params![tenant, conv, reply_id, reply.to_string(), d.intent, d.confidence, inbound_id, elapsed, now, model_used, cost_cents, d.fallback],
    )?;
    crate::delivery::enqueue_reply(tx, tenant, conv, &reply_id)?;
    tx.execute(
        "UPDATE chatbot_conversations SET current_intent = COALESCE(?3, current_intent), entities = ?4, fallback_count = ?5,
             last_activity_at = ?6, status = CASE WHEN ?7 THEN 'transferred' ELSE status END,
             escalation_count = escalation_count + ?7
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, d.intent, all_entities.to_string(), new_fallbacks, now, transfer],
    )?;
    if transfer {
        let reason = d.transfer_reason.unwrap_or("user_request");
        tx.execute(
            "INSERT INTO chatbot_transfers (id, tenant_id, conversation_id, reason, priority, status, created_at)
             VALUES (?1, ?2, ?3, ?4, 'normal', 'queued', ?5)",
            params![new_id("transfer"), tenant, conv, reason, now],
        )?;
        emit(
            tx,
            tenant,
            "conversation.transferred",
            json!({"conversation_id": conv, "reason": reason, "department": null, "priority": "normal"}),
        )?;
    }
    reply_for(tx, tenant, inbound_id).map(|mut v| {
        v.conversation_id = conv.to_string();
        v
    })
}

/// A stored reply: id, conversation, content, intent, confidence, processing ms, model.
type ReplyRow = (
    String,
    String,
    String,
    Option<String>,
    Option<f64>,
    Option<i64>,
    Option<String>,
);

/// The stored bot reply to inbound message `inbound_id`, rendered as the send response.
pub(crate) fn reply_for(
    c: &Connection,
    tenant: &str,
    inbound_id: &str,
) -> ApiResult<ChatMessageResponse> {
    let row: Option<ReplyRow> = c
        .query_row(
            "SELECT message_id, conversation_id, content, intent, confidence, processing_ms, model_used FROM chatbot_messages
             WHERE tenant_id = ?1 AND reply_to = ?2 ORDER BY seq DESC LIMIT 1",
            params![tenant, inbound_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?;
    let (reply_id, conv, content, intent, confidence, ms, model) =
        row.ok_or_else(|| ChatbotError::MessageNotFound.with_message("Message not found"))?;
    let (status, entities): (String, String) = c.query_row(
        "SELECT status, entities FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let content = parse_json(&content);
    let stage = match (status.as_str(), intent.is_some()) {
        ("transferred", _) => "transferred_to_agent",
        (_, true) => "information_provided",
        _ => "clarification_needed",
    };
    let next = if intent.is_some() {
        "follow_up_question"
    } else {
        "rephrased_question"
    };
    Ok(ChatMessageResponse {
        message_id: inbound_id.to_string(),
        reply_message_id: Some(reply_id),
        conversation_id: conv,
        response: bot_response(&content),
        conversation_state: ConversationState {
            current_intent: intent,
            next_expected_input: next.into(),
            conversation_stage: stage.into(),
            entities: parse_json(&entities),
            status,
        },
        processing_metadata: ProcessingMetadata {
            model_used: model,
            processing_time_ms: ms,
            confidence_score: confidence,
            sentiment: crate::model::sentiment_of(&content),
        },
        duplicate: None,
        retried: None,
    })
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
    body: &SendMessageRequest,
) -> ApiResult<Prepared> {
    let (t, b) = (tenant.to_string(), body.clone());
    let pre = platform
        .db
        .read(move |c| provider_context(c, &t, &b))
        .await?;
    let text = body.content.text.clone().unwrap_or_default();
    assist_for(platform, tenant, pre, &text).await
}

/// What helps answer: a provider's reply and the best knowledge article.
pub type Prepared = (Option<ProviderReply>, Option<crate::knowledge::ArticleHit>);

/// Asks the tenant's `fallback_chain` (when `pre` holds a provider context)
/// and the knowledge index for `text`.
async fn assist_for(
    platform: &frontline_platform::Platform,
    tenant: &str,
    pre: Option<(Value, Vec<crate::provider::Turn>, String)>,
    text: &str,
) -> ApiResult<Prepared> {
    let llm = match pre {
        Some((config, history, text)) => {
            crate::provider::reply(platform, &config, &history, &text).await
        }
        None => None,
    };
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
        Some((text, pre)) => assist_for(platform, tenant, pre, &text).await,
        None => Ok((None, None)),
    }
}
