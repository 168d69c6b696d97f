//! Domain rules of the chatbot: message processing, plans and limits, configuration merge, members and keys.

use crate::access::{sha256_hex, Caller};
use crate::engine;
use crate::provider::ProviderReply;
use crate::store::*;
use frontline_platform::audit::{self, AuditEntry};
use frontline_platform::http::RequestMeta;

pub mod chat;
pub mod conversations;
pub mod sessions;
pub mod tenants;
use frontline_platform::auth::{now_iso, NewUser};
use frontline_platform::{ApiError, ApiResult, FieldError, Platform};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

pub fn str_of(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

pub(crate) fn parse_json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or(Value::Null)
}

pub const CHANNELS: &[&str] = &[
    "web",
    "whatsapp",
    "messenger",
    "slack",
    "teams",
    "telegram",
    "sms",
    "api",
    "generic",
];
pub(crate) const PLANS: &[&str] = &["free", "starter", "professional", "enterprise"];

/// Monthly price (cents), conversations per month, API calls per month, users.
pub fn plan_terms(plan: &str) -> (i64, i64, i64, i64) {
    match plan {
        "free" => (0, 1_000, 5_000, 3),
        "starter" => (4_900, 10_000, 20_000, 10),
        "professional" => (19_900, 50_000, 50_000, 50),
        _ => (99_900, 100_000, 50_000, 100),
    }
}

pub fn default_config() -> Value {
    json!({
        "general": {"default_language": "en", "timezone": "UTC", "currency": "USD", "date_format": "MM/DD/YYYY"},
        "chatbot": {
            "default_greeting": "Hello! How can I help you today?",
            "fallback_response": "I'm sorry, I didn't understand. Could you please rephrase?",
            "escalation_trigger": "human_agent",
            "confidence_threshold": 0.7,
            "max_fallbacks": 2
        },
        "channels": {"web": {"enabled": true}},
        "integrations": {},
        "ai_models": {"primary_provider": "rule_based", "primary_model": "rule_based", "fallback_chain": ["rule_based"]}
    })
}

/// Merges `patch` into `base` recursively (objects merge, anything else replaces)
/// and lists the dotted paths of the leaves that changed.
pub fn deep_merge(base: &mut Value, patch: &Value, prefix: &str, changes: &mut Vec<String>) {
    if let (Some(b), Some(p)) = (base.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match b.get_mut(k) {
                Some(existing) if existing.is_object() && v.is_object() => {
                    deep_merge(existing, v, &path, changes)
                }
                Some(existing) => {
                    if existing != v {
                        *existing = v.clone();
                        changes.push(path);
                    }
                }
                None => {
                    if v.is_object() {
                        let mut fresh = json!({});
                        deep_merge(&mut fresh, v, &path, changes);
                        b.insert(k.clone(), fresh);
                    } else {
                        b.insert(k.clone(), v.clone());
                        changes.push(path);
                    }
                }
            }
        }
    }
}

/// Replaces secret values (`*_secret`, `*_token`) with a mask.
pub fn mask_secrets(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    if (k.ends_with("_secret") || k.ends_with("_token") || k == "api_key")
                        && x.is_string()
                    {
                        (k.clone(), json!("********"))
                    } else {
                        (k.clone(), mask_secrets(x))
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(mask_secrets).collect()),
        other => other.clone(),
    }
}

pub(crate) fn pagination(page: Option<u32>, limit: Option<u32>, max: u32) -> ApiResult<(u32, u32)> {
    let page = page.unwrap_or(1);
    let limit = limit.unwrap_or(20);
    if page == 0 {
        return Err(ApiError::invalid("page", "page starts at 1"));
    }
    if limit == 0 {
        return Err(ApiError::invalid("limit", "limit must be at least 1"));
    }
    Ok((page, limit.min(max)))
}

pub(crate) fn minutes_between(a: &str, b: &str) -> i64 {
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => (b - a).num_minutes().max(0),
        _ => 0,
    }
}

/// Computes the summary of one conversation from its stored messages.
pub(crate) fn summary_of(c: &Connection, tenant: &str, id: &str) -> ApiResult<Value> {
    let conv = load_conv(c, tenant, id)?;
    let (inbound, outbound): (i64, i64) = c.query_row(
        "SELECT COALESCE(SUM(direction = 'inbound'), 0), COALESCE(SUM(direction = 'outbound'), 0)
         FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2",
        params![tenant, id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut st = c.prepare(
        "SELECT intent, COUNT(*) FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2
         AND direction = 'outbound' AND intent IS NOT NULL GROUP BY intent ORDER BY COUNT(*) DESC, MIN(seq)",
    )?;
    let intents: Vec<(String, i64)> = st
        .query_map(params![tenant, id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<_, _>>()?;
    let (escalations, entities, satisfaction): (i64, String, Option<f64>) = c.query_row(
        "SELECT escalation_count, entities, satisfaction FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(json!({
        "conversation_id": id,
        "total_messages": inbound + outbound,
        "inbound_messages": inbound,
        "outbound_messages": outbound,
        "duration_minutes": minutes_between(conv["started_at"].as_str().unwrap_or_default(), conv["last_activity_at"].as_str().unwrap_or_default()),
        "primary_issue": intents.first().map(|(i, _)| i.clone()),
        "intents_detected": intents.iter().map(|(i, _)| i.clone()).collect::<Vec<_>>(),
        "entities": parse_json(&entities),
        "resolution_status": conv["summary"]["resolution_status"],
        "escalation_count": escalations,
        "customer_satisfaction": satisfaction,
    }))
}

/// Records one inbound message, runs the engine and stores the reply.
/// Returns the response `data`. Idempotent on `message_id`.
pub fn process_message(
    tx: &Connection,
    tenant: &str,
    body: &Value,
    started: std::time::Instant,
) -> ApiResult<Value> {
    process_message_with(tx, tenant, body, started, Assist::default())
}

/// [`process_message`] with a reply already produced by an external provider
/// (the engine still detects intent and entities, and transfers on request).
pub fn process_message_with(
    tx: &Connection,
    tenant: &str,
    body: &Value,
    started: std::time::Instant,
    assist: Assist,
) -> ApiResult<Value> {
    let mut errs = vec![];
    let channel = str_of(body, "channel").unwrap_or_else(|| "web".into());
    if !CHANNELS.contains(&channel.as_str()) {
        errs.push(FieldError::new(
            "channel",
            format!("channel must be one of {}", CHANNELS.join(", ")),
        ));
    }
    let user_id = str_of(body, "user_id").unwrap_or_default();
    if user_id.trim().is_empty() {
        errs.push(FieldError::new("user_id", "user_id is required"));
    }
    let content = body.get("content").cloned().unwrap_or(Value::Null);
    let ctype = str_of(&content, "type").unwrap_or_else(|| "text".into());
    let text = str_of(&content, "text").unwrap_or_default();
    if !content.is_object() {
        errs.push(FieldError::new("content", "content is required"));
    } else if ![
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
    } else if text.trim().is_empty() && content.get("media").is_none() {
        errs.push(FieldError::new("content.text", "text or media is required"));
    } else if text.chars().count() > 4096 {
        errs.push(FieldError::new(
            "content.text",
            "text is longer than 4096 characters",
        ));
    }
    let message_id = str_of(body, "message_id").unwrap_or_else(|| new_id("msg"));
    if message_id.len() > 200 || message_id.trim().is_empty() {
        errs.push(FieldError::new(
            "message_id",
            "message_id must be 1-200 characters",
        ));
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    // Idempotency: the same message_id returns the stored answer.
    let existing: Option<(String, String)> = tx
        .query_row(
            "SELECT conversation_id, direction FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
            params![tenant, message_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((conv, dir)) = existing {
        if dir != "inbound" {
            return Err(
                ApiError::conflict("message_id is already used by a bot reply")
                    .with_code("DUPLICATE_MESSAGE_ID"),
            );
        }
        let mut data = reply_for(tx, tenant, &message_id)?;
        data["conversation_id"] = json!(conv);
        data["duplicate"] = json!(true);
        return Ok(data);
    }
    let conv_id = match str_of(body, "conversation_id") {
        Some(id) => {
            let status: Option<String> = tx
                .query_row(
                    "SELECT status FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
                    params![tenant, id],
                    |r| r.get(0),
                )
                .optional()?;
            match status.as_deref() {
                Some("closed") => {
                    return Err(
                        ApiError::conflict("Conversation is closed; reopen it first")
                            .with_code("CONVERSATION_CLOSED"),
                    )
                }
                Some(_) => id,
                None => {
                    create_conv(tx, tenant, &id, &user_id, &channel)?;
                    id
                }
            }
        }
        None => {
            let active: Option<String> = tx
                .query_row(
                    "SELECT id FROM chatbot_conversations WHERE tenant_id = ?1 AND user_id = ?2 AND channel = ?3
                     AND status != 'closed' ORDER BY last_activity_at DESC LIMIT 1",
                    params![tenant, user_id, channel],
                    |r| r.get(0),
                )
                .optional()?;
            match active {
                Some(id) => id,
                None => {
                    let id = new_id("conv");
                    create_conv(tx, tenant, &id, &user_id, &channel)?;
                    id
                }
            }
        }
    };
    let now = now_iso();
    tx.execute(
        "INSERT INTO chatbot_messages (tenant_id, conversation_id, message_id, direction, content, status, created_at)
         VALUES (?1, ?2, ?3, 'inbound', ?4, 'processed', ?5)",
        params![tenant, conv_id, message_id, content.to_string(), now],
    )?;
    respond_with(tx, tenant, &conv_id, &message_id, &text, started, assist)
}

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

/// Runs the engine on `text` for conversation `conv` and stores the bot reply.
pub(crate) fn respond(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    inbound_id: &str,
    text: &str,
    started: std::time::Instant,
) -> ApiResult<Value> {
    respond_with(
        tx,
        tenant,
        conv,
        inbound_id,
        text,
        started,
        Assist::default(),
    )
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
    text: &str,
    started: std::time::Instant,
    assist: Assist,
) -> ApiResult<Value> {
    let config = tenant_config(tx, tenant)?;
    let (fallbacks, entities, status): (i64, String, String) = tx.query_row(
        "SELECT fallback_count, entities, status FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut d = engine::decide(&config, text, fallbacks);
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
    if let Some(l) = assist.llm.filter(|_| !d.transfer) {
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
    }
    let now = now_iso();
    tx.execute(
        "INSERT INTO chatbot_messages (tenant_id, conversation_id, message_id, direction, content, intent, confidence, status, reply_to, processing_ms, model_used, created_at, cost_cents)
         VALUES (?1, ?2, ?3, 'outbound', ?4, ?5, ?6, 'sent', ?7, ?8, ?10, ?9, ?11)",
        params![tenant, conv, reply_id, reply.to_string(), d.intent, d.confidence, inbound_id, elapsed, now, model_used, cost_cents],
    )?;
    tx.execute(
        "UPDATE chatbot_conversations SET current_intent = COALESCE(?3, current_intent), entities = ?4, fallback_count = ?5,
             last_activity_at = ?6, status = CASE WHEN ?7 THEN 'transferred' ELSE status END,
             escalation_count = escalation_count + ?7
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, d.intent, all_entities.to_string(), new_fallbacks, now, transfer],
    )?;
    if transfer {
        let reason = if d.fallback {
            "repeated_fallback"
        } else {
            "user_request"
        };
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
        v["conversation_id"] = json!(conv);
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
pub(crate) fn reply_for(c: &Connection, tenant: &str, inbound_id: &str) -> ApiResult<Value> {
    let row: Option<ReplyRow> = c
        .query_row(
            "SELECT message_id, conversation_id, content, intent, confidence, processing_ms, model_used FROM chatbot_messages
             WHERE tenant_id = ?1 AND reply_to = ?2 ORDER BY seq DESC LIMIT 1",
            params![tenant, inbound_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?;
    let (reply_id, conv, content, intent, confidence, ms, model) =
        row.ok_or_else(|| ApiError::not_found("Message not found").with_code("MESSAGE_NOT_FOUND"))?;
    let (status, entities): (String, String) = c.query_row(
        "SELECT status, entities FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let stage = match (status.as_str(), intent.is_some()) {
        ("transferred", _) => "transferred_to_agent",
        (_, true) => "information_provided",
        _ => "clarification_needed",
    };
    Ok(json!({
        "message_id": inbound_id,
        "reply_message_id": reply_id,
        "conversation_id": conv,
        "response": parse_json(&content),
        "conversation_state": {
            "current_intent": intent,
            "next_expected_input": if intent.is_some() { "follow_up_question" } else { "rephrased_question" },
            "conversation_stage": stage,
            "entities": parse_json(&entities),
            "status": status,
        },
        "processing_metadata": {
            "model_used": model,
            "processing_time_ms": ms,
            "confidence_score": confidence,
        }
    }))
}

pub(crate) fn valid_email(e: &str) -> bool {
    frontline_platform::auth::validate_email(e).is_ok()
}

pub(crate) const MEMBER_ROLES: &[&str] =
    &["owner", "admin", "developer", "agent", "analyst", "viewer"];

/// Adds a member; links (or creates) the platform user with that e-mail.
pub(crate) fn add_member(
    tx: &Connection,
    platform: &Platform,
    tenant: &str,
    body: &Value,
    default_role: &str,
    invite: bool,
) -> ApiResult<Value> {
    let email = str_of(body, "email")
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    let role = str_of(body, "role").unwrap_or_else(|| default_role.into());
    let mut errs = vec![];
    if !valid_email(&email) {
        errs.push(FieldError::new("email", "Invalid email format"));
    }
    if !MEMBER_ROLES.contains(&role.as_str()) {
        errs.push(FieldError::new(
            "role",
            format!("role must be one of {}", MEMBER_ROLES.join(", ")),
        ));
    }
    let permissions = body.get("permissions").cloned().unwrap_or(json!([]));
    if !permissions
        .as_array()
        .map(|a| {
            a.iter()
                .all(|p| p.as_str().map(|s| s.contains(':')).unwrap_or(false))
        })
        .unwrap_or(false)
    {
        errs.push(FieldError::new(
            "permissions",
            "permissions must be a list of resource:action strings",
        ));
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let taken: Option<String> = tx
        .query_row(
            "SELECT id FROM chatbot_members WHERE tenant_id = ?1 AND email = ?2",
            params![tenant, email],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(
            ApiError::conflict("This user is already a member of the tenant")
                .with_code("USER_EXISTS"),
        );
    }
    let existing: Option<String> = tx
        .query_row(
            "SELECT id FROM platform_users WHERE lower(email) = ?1",
            params![email],
            |r| r.get(0),
        )
        .optional()?;
    let first = str_of(body, "first_name").unwrap_or_default();
    let last = str_of(body, "last_name").unwrap_or_default();
    let platform_user = match existing {
        Some(id) => id,
        None => {
            platform
                .auth
                .create_user_in(
                    tx,
                    &NewUser {
                        email: email.clone(),
                        password: frontline_platform::auth::random_password(),
                        name: format!("{first} {last}").trim().to_string(),
                        roles: vec![],
                        organization: None,
                    },
                )?
                .id
        }
    };
    let now = chrono::Utc::now();
    let (status, expires) = if invite {
        (
            "invitation_sent",
            Some(
                (now + chrono::Duration::days(7))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
        )
    } else {
        ("active", None)
    };
    let id = new_id("user");
    tx.execute(
        "INSERT INTO chatbot_members (id, tenant_id, platform_user_id, email, first_name, last_name, role, permissions, status, invitation_expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![id, tenant, platform_user, email, first, last, role, permissions.to_string(), status, expires, now_iso()],
    )?;
    tx.query_row(
        "SELECT * FROM chatbot_members WHERE id = ?1",
        params![id],
        member_json,
    )
    .map_err(Into::into)
}

pub(crate) fn issue_key(tx: &Connection, tenant: &str, kind: &str) -> ApiResult<String> {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let key = format!("cb_{kind}_{}", hex::encode(bytes));
    tx.execute(
        "INSERT INTO chatbot_api_keys (id, tenant_id, kind, prefix, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![new_id("key"), tenant, kind, &key[..12], sha256_hex(&key), now_iso()],
    )?;
    Ok(key)
}

/// Fails with 403 `PLAN_LIMIT_REACHED` when a new conversation would
/// exceed the plan's monthly conversations.
pub fn check_conversation_limit(c: &Connection, tenant: &str) -> ApiResult<()> {
    let u = usage_of(c, tenant)?;
    let used = u["usage"]["conversations"]["total"].as_i64().unwrap_or(0);
    let limit = u["limits"]["conversations_limit"]
        .as_i64()
        .unwrap_or(i64::MAX);
    if used >= limit {
        return Err(ApiError::new(
            frontline_platform::ErrorKind::Forbidden,
            "The plan's monthly conversation limit is reached",
        )
        .with_code("PLAN_LIMIT_REACHED")
        .with_extra("limit", limit));
    }
    Ok(())
}

/// How long a conversation export's download link (and file) lives.
pub(crate) const EXPORT_TTL_SECS: u64 = 24 * 3600;

/// A validated export request.
#[derive(Clone)]
pub(crate) struct ExportSpec {
    pub format: String,
    pub include_metadata: bool,
    pub include_analytics: bool,
    pub start: Option<String>,
    pub end: Option<String>,
}

fn rfc3339_utc(v: &Value, field: &str, errs: &mut Vec<FieldError>) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => Some(
                t.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ),
            Err(_) => {
                errs.push(FieldError::new(field, "must be an RFC 3339 date-time"));
                None
            }
        },
        _ => {
            errs.push(FieldError::new(field, "must be an RFC 3339 date-time"));
            None
        }
    }
}

/// Validates `format` (json, csv), the include flags and `date_range`.
pub(crate) fn export_spec(body: &Value) -> ApiResult<ExportSpec> {
    let mut errs = vec![];
    let format = str_of(body, "format")
        .unwrap_or_else(|| "json".into())
        .to_lowercase();
    if !["json", "csv"].contains(&format.as_str()) {
        errs.push(FieldError::new("format", "format must be json or csv"));
    }
    let flag = |k: &str, errs: &mut Vec<FieldError>| match body.get(k) {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errs.push(FieldError::new(k, format!("{k} must be a boolean")));
            true
        }
    };
    let include_metadata = flag("include_metadata", &mut errs);
    let include_analytics = flag("include_analytics", &mut errs);
    let range = body.get("date_range").cloned().unwrap_or(Value::Null);
    if !(range.is_null() || range.is_object()) {
        errs.push(FieldError::new(
            "date_range",
            "date_range must be an object with start and end",
        ));
    }
    let start = rfc3339_utc(
        range.get("start").unwrap_or(&Value::Null),
        "date_range.start",
        &mut errs,
    );
    let end = rfc3339_utc(
        range.get("end").unwrap_or(&Value::Null),
        "date_range.end",
        &mut errs,
    );
    if let (Some(a), Some(b)) = (&start, &end) {
        if a > b {
            errs.push(FieldError::new(
                "date_range.end",
                "end must not be before start",
            ));
        }
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    Ok(ExportSpec {
        format,
        include_metadata,
        include_analytics,
        start,
        end,
    })
}

/// `json` or `csv`, from an export's stored file name.
pub(crate) fn export_format_of(filename: &str) -> &'static str {
    if filename.ends_with(".csv") {
        "csv"
    } else {
        "json"
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Builds the export document of one conversation (404 for another tenant's).
pub(crate) fn export_document(
    c: &Connection,
    tenant: &str,
    id: &str,
    spec: &ExportSpec,
) -> ApiResult<Vec<u8>> {
    let conv = load_conv(c, tenant, id)?;
    let messages = messages_between(c, tenant, id, spec.start.as_deref(), spec.end.as_deref())?;
    if spec.format == "csv" {
        let mut out = String::from("message_id,timestamp,direction,text,intent,confidence_score,processing_time_ms,model_used\n");
        for m in &messages {
            let cell = |k: &str| match &m[k] {
                Value::Null => String::new(),
                Value::String(s) => csv_field(s),
                other => csv_field(&other.to_string()),
            };
            let text = m["content"]["text"]
                .as_str()
                .map(csv_field)
                .unwrap_or_default();
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                cell("message_id"),
                cell("timestamp"),
                cell("direction"),
                text,
                cell("intent"),
                cell("confidence_score"),
                cell("processing_time_ms"),
                cell("model_used")
            ));
        }
        return Ok(out.into_bytes());
    }
    let mut doc = json!({
        "conversation_id": id,
        "exported_at": now_iso(),
        "date_range": {"start": spec.start, "end": spec.end},
        "message_count": messages.len(),
        "messages": messages,
    });
    if spec.include_metadata {
        let mut m = conv.clone();
        m["summary"] = summary_of(c, tenant, id)?;
        doc["metadata"] = m;
    }
    if spec.include_analytics {
        doc["analytics"] = analytics_of(c, tenant, id)?;
    }
    serde_json::to_vec_pretty(&doc)
        .map_err(|e| ApiError::internal(format!("export encoding failed: {e}")))
}

/// Checks `ai_models` of a configuration patch: `fallback_chain` is a list of
/// provider names, each provider's `base_url` an allowed http(s) URL, and the
/// numbers in range.
pub(crate) fn validate_ai_models(patch: &Value) -> ApiResult<()> {
    let mut errs = vec![];
    let f = "configuration.ai_models";
    if let Some(chain) = patch.pointer("/ai_models/fallback_chain") {
        let okay = chain.as_array().is_some_and(|a| {
            !a.is_empty()
                && a.len() <= 10
                && a.iter()
                    .all(|n| n.as_str().is_some_and(|s| !s.is_empty() && s.len() <= 64))
        });
        if !okay {
            errs.push(FieldError::new(
                format!("{f}.fallback_chain"),
                "fallback_chain must be a list of 1-10 provider names",
            ));
        }
    }
    if let Some(providers) = patch.pointer("/ai_models/providers") {
        let Some(map) = providers.as_object() else {
            return Err(ApiError::invalid(
                format!("{f}.providers"),
                "providers must be an object",
            ));
        };
        let policy = frontline_platform::outbound::OutboundPolicy::from_env();
        for (name, p) in map {
            let pf = format!("{f}.providers.{name}");
            if let Some(url) = p.get("base_url") {
                match url.as_str() {
                    Some(u) => {
                        if let Err(e) = policy.check_url(&format!("{pf}.base_url"), u) {
                            errs.push(e);
                        }
                    }
                    None => errs.push(FieldError::new(
                        format!("{pf}.base_url"),
                        "base_url must be a URL",
                    )),
                }
            }
            if let Some(t) = p.get("temperature") {
                if !t.as_f64().is_some_and(|x| (0.0..=2.0).contains(&x)) {
                    errs.push(FieldError::new(
                        format!("{pf}.temperature"),
                        "temperature must be 0-2",
                    ));
                }
            }
            if let Some(m) = p.get("max_tokens") {
                if !m.as_u64().is_some_and(|x| (1..=32_000).contains(&x)) {
                    errs.push(FieldError::new(
                        format!("{pf}.max_tokens"),
                        "max_tokens must be 1-32000",
                    ));
                }
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errs))
    }
}

/// The event names tenants can subscribe to.
pub const EVENTS: &[&str] = &[
    "conversation.started",
    "conversation.transferred",
    "conversation.closed",
    "conversation.reopened",
    "feedback.received",
];

/// The platform event stream of one tenant: subscriptions and events are
/// keyed by it, so a tenant's subscriptions never receive another's events.
pub fn events_module(tenant: &str) -> String {
    format!("chatbot.{tenant}")
}

/// Emits `event` for `tenant` inside the caller's transaction (delivered to
/// the tenant's webhook subscriptions, signed and retried by the platform).
pub(crate) fn emit(tx: &Connection, tenant: &str, event: &str, mut data: Value) -> ApiResult<()> {
    data["tenant_id"] = json!(tenant);
    frontline_platform::events::emit(tx, &events_module(tenant), event, &data)?;
    Ok(())
}

/// Records an audit entry in the transaction of the change.
pub(crate) fn audit_in(
    tx: &Connection,
    who: &Caller,
    meta: &RequestMeta,
    action: &str,
    etype: &str,
    id: &str,
    details: Value,
) -> ApiResult<()> {
    audit::record(
        tx,
        who.principal.as_ref(),
        meta,
        AuditEntry {
            module: "chatbot",
            action,
            entity_type: etype,
            entity_id: Some(id),
            details,
        },
    )?;
    Ok(())
}

/// Asks what may help answer one inbound message, outside any write
/// transaction: the tenant's external provider (when its `fallback_chain`
/// starts with one; never for a `message_id` already answered) and the best
/// knowledge article. A failing search is logged and ignored.
pub async fn prepare_assist(
    platform: &frontline_platform::Platform,
    tenant: &str,
    body: &Value,
) -> ApiResult<(Option<ProviderReply>, Option<crate::knowledge::ArticleHit>)> {
    let (t, b) = (tenant.to_string(), body.clone());
    let pre = platform
        .db
        .read(move |c| provider_context(c, &t, &b))
        .await?;
    let llm = match pre {
        Some((config, history, text)) => crate::provider::reply(&config, &history, &text).await,
        None => None,
    };
    let text = body
        .pointer("/content/text")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let article = match crate::knowledge::best(platform, tenant, text).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e.message, "chatbot: knowledge search failed");
            None
        }
    };
    Ok((llm, article))
}
