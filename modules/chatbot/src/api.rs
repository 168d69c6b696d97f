//! Handlers of the chatbot API (tenants, sessions, chat, conversations, health).

use frontline_platform::audit::{self, AuditEntry};
use frontline_platform::auth::{now_iso, NewUser};
use frontline_platform::http::{ModuleError, RequestMeta};
use frontline_platform::{ApiError, ApiResult, FieldError, Platform};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use crate::access::{self, caller, sha256_hex, Caller};
use crate::engine;
use crate::model::*;

pub type Result<T> = std::result::Result<T, ModuleError<ChatbotEnvelope>>;

#[derive(Tags)]
pub enum ApiTags {
    /// Send messages to the tenant's bot.
    Chat,
    /// Conversation lifecycle, history and analytics.
    Conversations,
    /// Visitor sessions and their context.
    Sessions,
    /// Service health.
    Health,
    /// Incoming channel webhooks.
    Webhooks,
    /// Tenants, their users, configuration, usage and billing.
    Tenants,
}

/// A `201 Created` response.
#[derive(ApiResponse)]
pub enum Created {
    #[oai(status = 201)]
    Ok(Json<Value>),
}

pub struct ChatbotApi {
    platform: Platform,
}

pub fn api(platform: &Platform) -> ChatbotApi {
    ChatbotApi { platform: platform.clone() }
}

pub fn ok(v: Value) -> Json<Value> {
    Json(json!({"status": "success", "data": v}))
}

pub fn str_of(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

fn parse_json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or(Value::Null)
}

pub const CHANNELS: &[&str] = &["web", "whatsapp", "messenger", "slack", "teams", "telegram", "sms", "api", "generic"];
const PLANS: &[&str] = &["free", "starter", "professional", "enterprise"];

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
            let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
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
                    if (k.ends_with("_secret") || k.ends_with("_token")) && x.is_string() {
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

pub fn tenant_config(c: &Connection, tenant: &str) -> ApiResult<Value> {
    let s: Option<String> = c
        .query_row("SELECT config FROM chatbot_tenants WHERE id = ?1", params![tenant], |r| r.get(0))
        .optional()?;
    s.map(|s| parse_json(&s)).ok_or_else(access::tenant_not_found)
}

fn pagination(page: Option<u32>, limit: Option<u32>, max: u32) -> ApiResult<(u32, u32)> {
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

fn conv_json(r: &rusqlite::Row) -> rusqlite::Result<Value> {
    let status: String = r.get("status")?;
    let resolution = match status.as_str() {
        "closed" => "resolved",
        "transferred" => "escalated",
        _ => "in_progress",
    };
    Ok(json!({
        "conversation_id": r.get::<_, String>("id")?,
        "user_id": r.get::<_, String>("user_id")?,
        "channel": r.get::<_, String>("channel")?,
        "status": status,
        "started_at": r.get::<_, String>("started_at")?,
        "last_activity_at": r.get::<_, String>("last_activity_at")?,
        "message_count": r.get::<_, i64>("message_count")?,
        "current_intent": r.get::<_, Option<String>>("current_intent")?,
        "summary": {
            "primary_issue": r.get::<_, Option<String>>("current_intent")?,
            "resolution_status": resolution,
            "customer_satisfaction": r.get::<_, Option<f64>>("satisfaction")?,
        }
    }))
}

const CONV_SELECT: &str = "SELECT c.*, (SELECT COUNT(*) FROM chatbot_messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id) AS message_count FROM chatbot_conversations c";

fn load_conv(c: &Connection, tenant: &str, id: &str) -> ApiResult<Value> {
    c.query_row(
        &format!("{CONV_SELECT} WHERE c.tenant_id = ?1 AND c.id = ?2"),
        params![tenant, id],
        conv_json,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("Conversation not found").with_code("CONVERSATION_NOT_FOUND"))
}

fn messages_of(c: &Connection, tenant: &str, conv: &str, limit: i64) -> ApiResult<Vec<Value>> {
    let mut st = c.prepare(
        "SELECT message_id, direction, created_at, content, intent, confidence, processing_ms, model_used
         FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2 ORDER BY seq LIMIT ?3",
    )?;
    let rows = st
        .query_map(params![tenant, conv, limit], |r| {
            Ok(json!({
                "message_id": r.get::<_, String>(0)?,
                "direction": r.get::<_, String>(1)?,
                "timestamp": r.get::<_, String>(2)?,
                "content": parse_json(&r.get::<_, String>(3)?),
                "intent": r.get::<_, Option<String>>(4)?,
                "confidence_score": r.get::<_, Option<f64>>(5)?,
                "processing_time_ms": r.get::<_, Option<i64>>(6)?,
                "model_used": r.get::<_, Option<String>>(7)?,
            }))
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn minutes_between(a: &str, b: &str) -> i64 {
    match (chrono::DateTime::parse_from_rfc3339(a), chrono::DateTime::parse_from_rfc3339(b)) {
        (Ok(a), Ok(b)) => (b - a).num_minutes().max(0),
        _ => 0,
    }
}

/// Computes the summary of one conversation from its stored messages.
fn summary_of(c: &Connection, tenant: &str, id: &str) -> ApiResult<Value> {
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
pub fn process_message(tx: &Connection, tenant: &str, body: &Value, started: std::time::Instant) -> ApiResult<Value> {
    let mut errs = vec![];
    let channel = str_of(body, "channel").unwrap_or_else(|| "web".into());
    if !CHANNELS.contains(&channel.as_str()) {
        errs.push(FieldError::new("channel", format!("channel must be one of {}", CHANNELS.join(", "))));
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
    } else if !["text", "image", "audio", "video", "file", "location", "quick_reply"].contains(&ctype.as_str()) {
        errs.push(FieldError::new("content.type", "unknown content type"));
    } else if text.trim().is_empty() && content.get("media").is_none() {
        errs.push(FieldError::new("content.text", "text or media is required"));
    } else if text.chars().count() > 4096 {
        errs.push(FieldError::new("content.text", "text is longer than 4096 characters"));
    }
    let message_id = str_of(body, "message_id").unwrap_or_else(|| new_id("msg"));
    if message_id.len() > 200 || message_id.trim().is_empty() {
        errs.push(FieldError::new("message_id", "message_id must be 1-200 characters"));
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
            return Err(ApiError::conflict("message_id is already used by a bot reply").with_code("DUPLICATE_MESSAGE_ID"));
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
                    return Err(ApiError::conflict("Conversation is closed; reopen it first").with_code("CONVERSATION_CLOSED"))
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
    respond(tx, tenant, &conv_id, &message_id, &text, started)
}

fn create_conv(tx: &Connection, tenant: &str, id: &str, user: &str, channel: &str) -> ApiResult<()> {
    if id.is_empty() || id.len() > 200 {
        return Err(ApiError::invalid("conversation_id", "conversation_id must be 1-200 characters"));
    }
    let now = now_iso();
    tx.execute(
        "INSERT INTO chatbot_conversations (tenant_id, id, user_id, channel, status, entities, started_at, last_activity_at)
         VALUES (?1, ?2, ?3, ?4, 'active', '{}', ?5, ?5)",
        params![tenant, id, user, channel, now],
    )?;
    Ok(())
}

/// Runs the engine on `text` for conversation `conv` and stores the bot reply.
fn respond(tx: &Connection, tenant: &str, conv: &str, inbound_id: &str, text: &str, started: std::time::Instant) -> ApiResult<Value> {
    let config = tenant_config(tx, tenant)?;
    let (fallbacks, entities, status): (i64, String, String) = tx.query_row(
        "SELECT fallback_count, entities, status FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let d = engine::decide(&config, text, fallbacks);
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
    let reply = json!({"type": "text", "text": d.text, "quick_replies": d.quick_replies});
    let now = now_iso();
    tx.execute(
        "INSERT INTO chatbot_messages (tenant_id, conversation_id, message_id, direction, content, intent, confidence, status, reply_to, processing_ms, model_used, created_at)
         VALUES (?1, ?2, ?3, 'outbound', ?4, ?5, ?6, 'sent', ?7, ?8, 'rule_based', ?9)",
        params![tenant, conv, reply_id, reply.to_string(), d.intent, d.confidence, inbound_id, elapsed, now],
    )?;
    tx.execute(
        "UPDATE chatbot_conversations SET current_intent = COALESCE(?3, current_intent), entities = ?4, fallback_count = ?5,
             last_activity_at = ?6, status = CASE WHEN ?7 THEN 'transferred' ELSE status END,
             escalation_count = escalation_count + ?7
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, d.intent, all_entities.to_string(), new_fallbacks, now, transfer],
    )?;
    if transfer {
        let reason = if d.fallback { "repeated_fallback" } else { "user_request" };
        tx.execute(
            "INSERT INTO chatbot_transfers (id, tenant_id, conversation_id, reason, priority, status, created_at)
             VALUES (?1, ?2, ?3, ?4, 'normal', 'queued', ?5)",
            params![new_id("transfer"), tenant, conv, reason, now],
        )?;
    }
    reply_for(tx, tenant, inbound_id).map(|mut v| {
        v["conversation_id"] = json!(conv);
        v
    })
}

/// The stored bot reply to inbound message `inbound_id`, rendered as the send response.
fn reply_for(c: &Connection, tenant: &str, inbound_id: &str) -> ApiResult<Value> {
    let row: Option<(String, String, String, Option<String>, Option<f64>, Option<i64>, Option<String>)> = c
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

fn audit_in(tx: &Connection, who: &Caller, meta: &RequestMeta, action: &str, etype: &str, id: &str, details: Value) -> ApiResult<()> {
    audit::record(
        tx,
        who.principal.as_ref(),
        meta,
        AuditEntry { module: "chatbot", action, entity_type: etype, entity_id: Some(id), details },
    )?;
    Ok(())
}

fn body_obj(body: &Json<Value>) -> ApiResult<&Value> {
    if body.0.is_object() {
        Ok(&body.0)
    } else {
        Err(ApiError::bad_request("The request body must be a JSON object"))
    }
}

fn valid_email(e: &str) -> bool {
    frontline_platform::auth::validate_email(e).is_ok()
}

fn member_json(r: &rusqlite::Row) -> rusqlite::Result<Value> {
    Ok(json!({
        "user_id": r.get::<_, String>("id")?,
        "platform_user_id": r.get::<_, Option<String>>("platform_user_id")?,
        "email": r.get::<_, String>("email")?,
        "first_name": r.get::<_, Option<String>>("first_name")?,
        "last_name": r.get::<_, Option<String>>("last_name")?,
        "role": r.get::<_, String>("role")?,
        "status": r.get::<_, String>("status")?,
        "invitation_expires_at": r.get::<_, Option<String>>("invitation_expires_at")?,
        "permissions": parse_json(&r.get::<_, String>("permissions")?),
        "created_at": r.get::<_, String>("created_at")?,
    }))
}

const MEMBER_ROLES: &[&str] = &["owner", "admin", "developer", "agent", "analyst", "viewer"];

/// Adds a member; links (or creates) the platform user with that e-mail.
fn add_member(tx: &Connection, platform: &Platform, tenant: &str, body: &Value, default_role: &str, invite: bool) -> ApiResult<Value> {
    let email = str_of(body, "email").unwrap_or_default().trim().to_lowercase();
    let role = str_of(body, "role").unwrap_or_else(|| default_role.into());
    let mut errs = vec![];
    if !valid_email(&email) {
        errs.push(FieldError::new("email", "Invalid email format"));
    }
    if !MEMBER_ROLES.contains(&role.as_str()) {
        errs.push(FieldError::new("role", format!("role must be one of {}", MEMBER_ROLES.join(", "))));
    }
    let permissions = body.get("permissions").cloned().unwrap_or(json!([]));
    if !permissions.as_array().map(|a| a.iter().all(|p| p.as_str().map(|s| s.contains(':')).unwrap_or(false))).unwrap_or(false) {
        errs.push(FieldError::new("permissions", "permissions must be a list of resource:action strings"));
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let taken: Option<String> = tx
        .query_row("SELECT id FROM chatbot_members WHERE tenant_id = ?1 AND email = ?2", params![tenant, email], |r| r.get(0))
        .optional()?;
    if taken.is_some() {
        return Err(ApiError::conflict("This user is already a member of the tenant").with_code("USER_EXISTS"));
    }
    let existing: Option<String> = tx
        .query_row("SELECT id FROM platform_users WHERE lower(email) = ?1", params![email], |r| r.get(0))
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
        ("invitation_sent", Some((now + chrono::Duration::days(7)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
    } else {
        ("active", None)
    };
    let id = new_id("user");
    tx.execute(
        "INSERT INTO chatbot_members (id, tenant_id, platform_user_id, email, first_name, last_name, role, permissions, status, invitation_expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![id, tenant, platform_user, email, first, last, role, permissions.to_string(), status, expires, now_iso()],
    )?;
    tx.query_row("SELECT * FROM chatbot_members WHERE id = ?1", params![id], member_json).map_err(Into::into)
}

fn issue_key(tx: &Connection, tenant: &str, kind: &str) -> ApiResult<String> {
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

fn tenant_json(c: &Connection, id: &str) -> ApiResult<Value> {
    let t = c
        .query_row(
            "SELECT id, name, domain, plan, status, features, config_version, created_at, updated_at FROM chatbot_tenants WHERE id = ?1 AND status != 'deleted'",
            params![id],
            |r| {
                Ok(json!({
                    "tenant_id": r.get::<_, String>(0)?,
                    "name": r.get::<_, String>(1)?,
                    "domain": r.get::<_, Option<String>>(2)?,
                    "plan": r.get::<_, String>(3)?,
                    "status": r.get::<_, String>(4)?,
                    "features": parse_json(&r.get::<_, String>(5)?),
                    "configuration_version": format!("v{}", r.get::<_, i64>(6)?),
                    "created_at": r.get::<_, String>(7)?,
                    "updated_at": r.get::<_, String>(8)?,
                }))
            },
        )
        .optional()?
        .ok_or_else(access::tenant_not_found)?;
    let mut t = t;
    let users: i64 = c.query_row("SELECT COUNT(*) FROM chatbot_members WHERE tenant_id = ?1", params![id], |r| r.get(0))?;
    let mut st = c.prepare("SELECT kind, prefix, created_at FROM chatbot_api_keys WHERE tenant_id = ?1 ORDER BY created_at")?;
    let keys: Vec<Value> = st
        .query_map(params![id], |r| {
            Ok(json!({"type": r.get::<_, String>(0)?, "prefix": r.get::<_, String>(1)?, "created_at": r.get::<_, String>(2)?}))
        })?
        .collect::<std::result::Result<_, _>>()?;
    t["user_count"] = json!(users);
    t["api_keys"] = json!(keys);
    Ok(t)
}

/// Usage of the current calendar month, computed from stored messages.
fn usage_of(c: &Connection, tenant: &str) -> ApiResult<Value> {
    let now = chrono::Utc::now();
    use chrono::Datelike;
    let start = chrono::NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap_or_default();
    let next = if now.month() == 12 {
        chrono::NaiveDate::from_ymd_opt(now.year() + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(now.year(), now.month() + 1, 1)
    }
    .unwrap_or(start);
    let from = format!("{start}T00:00:00Z");
    let to = format!("{next}T00:00:00Z");
    let (total, closed, transferred, active): (i64, i64, i64, i64) = c.query_row(
        "SELECT COUNT(*), COALESCE(SUM(status='closed'),0), COALESCE(SUM(escalation_count > 0),0), COALESCE(SUM(status='active'),0)
         FROM chatbot_conversations WHERE tenant_id = ?1 AND started_at >= ?2 AND started_at < ?3",
        params![tenant, from, to],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let (msgs, inbound, outbound, cost): (i64, i64, i64, f64) = c.query_row(
        "SELECT COUNT(*), COALESCE(SUM(direction='inbound'),0), COALESCE(SUM(direction='outbound'),0), COALESCE(SUM(cost_cents),0)
         FROM chatbot_messages WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?3",
        params![tenant, from, to],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let mut st = c.prepare(
        "SELECT c.channel, COUNT(*) FROM chatbot_messages m JOIN chatbot_conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
         WHERE m.tenant_id = ?1 AND m.created_at >= ?2 AND m.created_at < ?3 GROUP BY c.channel",
    )?;
    let by_channel: serde_json::Map<String, Value> = st
        .query_map(params![tenant, from, to], |r| Ok((r.get::<_, String>(0)?, json!(r.get::<_, i64>(1)?))))?
        .collect::<std::result::Result<_, _>>()?;
    let mut st = c.prepare(
        "SELECT COALESCE(model_used,'rule_based'), SUM(cost_cents) FROM chatbot_messages WHERE tenant_id = ?1 AND direction = 'outbound'
         AND created_at >= ?2 AND created_at < ?3 GROUP BY 1",
    )?;
    let by_model: serde_json::Map<String, Value> = st
        .query_map(params![tenant, from, to], |r| Ok((r.get::<_, String>(0)?, json!(r.get::<_, f64>(1)?.round() as i64))))?
        .collect::<std::result::Result<_, _>>()?;
    let webhook_calls: i64 = c.query_row(
        "SELECT COUNT(*) FROM chatbot_webhook_events WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?3",
        params![tenant, from, to],
        |r| r.get(0),
    )?;
    let plan: String = c.query_row("SELECT plan FROM chatbot_tenants WHERE id = ?1", params![tenant], |r| r.get(0))?;
    let features = parse_json(&c.query_row("SELECT features FROM chatbot_tenants WHERE id = ?1", params![tenant], |r| r.get::<_, String>(0))?);
    let (_, conv_limit, api_limit, _) = plan_terms(&plan);
    let conv_limit = features.get("conversations_per_month").and_then(Value::as_i64).unwrap_or(conv_limit);
    let pct = |used: i64, lim: i64| if lim > 0 { ((used as f64 / lim as f64) * 10000.0).round() / 100.0 } else { 0.0 };
    let end = next.and_hms_opt(0, 0, 0).unwrap_or_default() - chrono::Duration::seconds(1);
    let days_remaining = (next - now.date_naive()).num_days() - 1;
    Ok(json!({
        "tenant_id": tenant,
        "period": format!("{:04}-{:02}", now.year(), now.month()),
        "usage": {
            "conversations": {"total": total, "completed": closed, "abandoned": total - closed - active - (transferred.min(total - closed - active).max(0)), "escalated": transferred, "active": active},
            "messages": {"total": msgs, "inbound": inbound, "outbound": outbound, "by_channel": by_channel},
            "ai_costs": {"total_cents": cost.round() as i64, "by_model": by_model},
            "integrations": {"api_calls": inbound, "webhook_calls": webhook_calls},
        },
        "limits": {
            "conversations_limit": conv_limit,
            "conversations_used_percent": pct(total, conv_limit),
            "api_calls_limit": api_limit,
            "api_calls_used_percent": pct(inbound, api_limit),
        },
        "billing_period": {
            "start": from,
            "end": format!("{}Z", end.format("%Y-%m-%dT%H:%M:%S")),
            "days_remaining": days_remaining.max(0),
        }
    }))
}

/// Fails with 429 `CONVERSATION_LIMIT_REACHED` when a new conversation would
/// exceed the plan's monthly conversations.
pub fn check_conversation_limit(c: &Connection, tenant: &str) -> ApiResult<()> {
    let u = usage_of(c, tenant)?;
    let used = u["usage"]["conversations"]["total"].as_i64().unwrap_or(0);
    let limit = u["limits"]["conversations_limit"].as_i64().unwrap_or(i64::MAX);
    if used >= limit {
        return Err(ApiError::new(frontline_platform::ErrorKind::Forbidden, "The plan's monthly conversation limit is reached")
            .with_code("PLAN_LIMIT_REACHED")
            .with_extra("limit", limit));
    }
    Ok(())
}

#[OpenApi]
impl ChatbotApi {
    // ---------------------------------------------------------------- chat

    /// Send a message to the tenant's bot and get its reply. The built-in engine
    /// matches the tenant's intents (examples → confidence), extracts order numbers
    /// and e-mails, answers with the fallback below the confidence threshold and
    /// hands the conversation to a human after repeated fallbacks or when asked.
    /// Sending the same `message_id` again returns the stored reply.
    #[oai(path = "/chat/message", method = "post", tag = "ApiTags::Chat")]
    async fn send_message(&self, req: &Request, body: Json<Value>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        let started = std::time::Instant::now();
        let tenant = who.tenant_id.clone();
        let data = self
            .platform
            .db
            .write(move |tx| {
                if body.get("conversation_id").is_none() {
                    check_conversation_limit(tx, &tenant)?;
                }
                process_message(tx, &tenant, &body, started)
            })
            .await?;
        Ok(ok(data))
    }

    /// One stored message (inbound or bot reply) with its intent and confidence.
    #[oai(path = "/chat/message/:message_id", method = "get", tag = "ApiTags::Chat")]
    async fn get_message(&self, req: &Request, message_id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = message_id.0;
        let data = self
            .platform
            .db
            .read(move |c| {
                c.query_row(
                    "SELECT message_id, conversation_id, direction, content, intent, confidence, status, reply_to, processing_ms, model_used, created_at
                     FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
                    params![who.tenant_id, id],
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
            })
            .await?;
        Ok(ok(data))
    }

    /// Process an inbound message again with the tenant's current configuration;
    /// a new bot reply is stored and returned.
    #[oai(path = "/chat/message/:message_id/retry", method = "post", tag = "ApiTags::Chat")]
    async fn retry_message(&self, req: &Request, message_id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = message_id.0;
        let started = std::time::Instant::now();
        let data = self
            .platform
            .db
            .write(move |tx| {
                let row: Option<(String, String, String)> = tx
                    .query_row(
                        "SELECT conversation_id, direction, content FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
                        params![who.tenant_id, id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                let (conv, dir, content) = row.ok_or_else(|| ApiError::not_found("Message not found").with_code("MESSAGE_NOT_FOUND"))?;
                if dir != "inbound" {
                    return Err(ApiError::invalid("message_id", "Only inbound messages can be retried"));
                }
                let status: String = tx.query_row(
                    "SELECT status FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, conv],
                    |r| r.get(0),
                )?;
                if status == "closed" {
                    return Err(ApiError::conflict("Conversation is closed; reopen it first").with_code("CONVERSATION_CLOSED"));
                }
                let text = str_of(&parse_json(&content), "text").unwrap_or_default();
                let mut data = respond(tx, &who.tenant_id, &conv, &id, &text, started)?;
                data["retried"] = json!(true);
                Ok(data)
            })
            .await?;
        Ok(ok(data))
    }

    /// Send a typing indicator on a conversation (0-30000 ms).
    #[oai(path = "/chat/typing", method = "post", tag = "ApiTags::Chat")]
    async fn typing(&self, req: &Request, body: Json<Value>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        let conv = str_of(&body, "conversation_id").ok_or_else(|| ApiError::invalid("conversation_id", "conversation_id is required"))?;
        let ms = body.get("typing_duration_ms").map(|v| v.as_i64().unwrap_or(-1)).unwrap_or(3000);
        if !(0..=30000).contains(&ms) {
            return Err(ApiError::invalid("typing_duration_ms", "typing_duration_ms must be 0-30000").into());
        }
        let tenant = who.tenant_id.clone();
        self.platform.db.read(move |c| load_conv(c, &tenant, &conv).map(|_| ())).await?;
        Ok(ok(json!({"typing_sent": true, "duration_ms": ms})))
    }

    /// Rate a bot reply (1-5); the conversation's satisfaction is the mean rating.
    #[oai(path = "/chat/feedback", method = "post", tag = "ApiTags::Chat")]
    async fn feedback(&self, req: &Request, body: Json<Value>) -> Result<Created> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        let mut errs = vec![];
        let mid = str_of(&body, "message_id").unwrap_or_default();
        if mid.is_empty() {
            errs.push(FieldError::new("message_id", "message_id is required"));
        }
        let rating = body.get("rating").and_then(Value::as_i64).unwrap_or(0);
        if !(1..=5).contains(&rating) {
            errs.push(FieldError::new("rating", "rating must be an integer 1-5"));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let comment = str_of(&body, "comment");
        let data = self
            .platform
            .db
            .write(move |tx| {
                let conv: Option<String> = tx
                    .query_row(
                        "SELECT conversation_id FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
                        params![who.tenant_id, mid],
                        |r| r.get(0),
                    )
                    .optional()?;
                let conv = conv.ok_or_else(|| ApiError::not_found("Message not found").with_code("MESSAGE_NOT_FOUND"))?;
                let id = new_id("fb");
                tx.execute(
                    "INSERT INTO chatbot_feedback (id, tenant_id, message_id, rating, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![id, who.tenant_id, mid, rating, comment, now_iso()],
                )?;
                let avg: f64 = tx.query_row(
                    "SELECT AVG(f.rating) FROM chatbot_feedback f JOIN chatbot_messages m ON m.tenant_id = f.tenant_id AND m.message_id = f.message_id
                     WHERE f.tenant_id = ?1 AND m.conversation_id = ?2",
                    params![who.tenant_id, conv],
                    |r| r.get(0),
                )?;
                tx.execute(
                    "UPDATE chatbot_conversations SET satisfaction = ?3 WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, conv, avg],
                )?;
                Ok(json!({"feedback_id": id, "message_id": mid, "rating": rating, "conversation_id": conv, "conversation_satisfaction": avg}))
            })
            .await?;
        Ok(Created::Ok(ok(data)))
    }

    // ------------------------------------------------------- conversations

    /// List the tenant's conversations. Filters: `status`, `channel`, `user_id`,
    /// `date_from`/`date_to` (YYYY-MM-DD), `search` (message text); sort
    /// `last_activity_desc` (default), `last_activity_asc`, `started_at_desc`, `started_at_asc`.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/conversations", method = "get", tag = "ApiTags::Conversations")]
    async fn list_conversations(
        &self,
        req: &Request,
        status: Query<Option<String>>,
        channel: Query<Option<String>>,
        user_id: Query<Option<String>>,
        date_from: Query<Option<String>>,
        date_to: Query<Option<String>>,
        search: Query<Option<String>>,
        sort: Query<Option<String>>,
        page: Query<Option<u32>>,
        limit: Query<Option<u32>>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let (page, limit) = pagination(page.0, limit.0, self.platform.settings.max_page_size.min(100) as u32)?;
        let order = match sort.0.as_deref().unwrap_or("last_activity_desc") {
            "last_activity_desc" => "c.last_activity_at DESC",
            "last_activity_asc" => "c.last_activity_at ASC",
            "started_at_desc" | "created_at" => "c.started_at DESC",
            "started_at_asc" => "c.started_at ASC",
            _ => return Err(ApiError::invalid("sort", "sort must be last_activity_desc, last_activity_asc, started_at_desc or started_at_asc").into()),
        };
        if let Some(s) = status.0.as_deref() {
            if !["active", "transferred", "closed"].contains(&s) {
                return Err(ApiError::invalid("status", "status must be active, transferred or closed").into());
            }
        }
        for (name, d) in [("date_from", &date_from.0), ("date_to", &date_to.0)] {
            if let Some(d) = d {
                if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                    return Err(ApiError::invalid(name, "dates are YYYY-MM-DD").into());
                }
            }
        }
        let (status, channel, user_id, date_from, date_to, search) = (status.0, channel.0, user_id.0, date_from.0, date_to.0, search.0);
        let data = self
            .platform
            .db
            .read(move |c| {
                let filter = "c.tenant_id = ?1 AND (?2 IS NULL OR c.status = ?2) AND (?3 IS NULL OR c.channel = ?3)
                    AND (?4 IS NULL OR c.user_id = ?4) AND (?5 IS NULL OR c.started_at >= ?5)
                    AND (?6 IS NULL OR c.started_at < date(?6, '+1 day'))
                    AND (?7 IS NULL OR EXISTS (SELECT 1 FROM chatbot_messages s WHERE s.tenant_id = c.tenant_id AND s.conversation_id = c.id
                         AND lower(json_extract(s.content, '$.text')) LIKE '%' || lower(?7) || '%'))";
                let p = params![who.tenant_id, status, channel, user_id, date_from, date_to, search];
                let total: i64 = c.query_row(&format!("SELECT COUNT(*) FROM chatbot_conversations c WHERE {filter}"), p, |r| r.get(0))?;
                let mut st = c.prepare(&format!("{CONV_SELECT} WHERE {filter} ORDER BY {order}, c.id LIMIT {limit} OFFSET {}", (page - 1) * limit))?;
                let rows: Vec<Value> = st.query_map(p, conv_json)?.collect::<std::result::Result<_, _>>()?;
                Ok(json!({
                    "conversations": rows,
                    "pagination": {"total": total, "page": page, "page_size": limit, "has_next": (page as i64) * (limit as i64) < total}
                }))
            })
            .await?;
        Ok(ok(data))
    }

    /// One conversation with its context (intent, extracted entities), messages
    /// (`include_messages`, `message_limit` up to 500) and summary.
    #[oai(path = "/conversations/:id", method = "get", tag = "ApiTags::Conversations")]
    async fn get_conversation(&self, req: &Request, id: Path<String>, include_messages: Query<Option<bool>>, message_limit: Query<Option<u32>>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let include = include_messages.0.unwrap_or(true);
        let lim = message_limit.0.unwrap_or(100).clamp(1, 500) as i64;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| {
                let mut conv = load_conv(c, &who.tenant_id, &id)?;
                let entities: String = c.query_row(
                    "SELECT entities FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, id],
                    |r| r.get(0),
                )?;
                conv["context"] = json!({"current_intent": conv["current_intent"], "entities": parse_json(&entities)});
                if include {
                    conv["messages"] = json!(messages_of(c, &who.tenant_id, &id, lim)?);
                }
                let s = summary_of(c, &who.tenant_id, &id)?;
                conv["summary"] = json!({
                    "total_messages": s["total_messages"], "duration_minutes": s["duration_minutes"],
                    "resolution_status": s["resolution_status"], "escalation_count": s["escalation_count"]
                });
                Ok(conv)
            })
            .await?;
        Ok(ok(data))
    }

    /// Hand the conversation to a human agent. The estimated wait is the number of
    /// queued transfers ahead in the same department times the tenant's
    /// `chatbot.average_handle_minutes` (default 5).
    #[oai(path = "/conversations/:id/transfer", method = "post", tag = "ApiTags::Conversations")]
    async fn transfer(&self, req: &Request, meta: RequestMeta, id: Path<String>, body: Json<Value>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        let reason = str_of(&body, "transfer_reason").unwrap_or_default();
        let priority = str_of(&body, "priority").unwrap_or_else(|| "normal".into());
        let mut errs = vec![];
        if reason.trim().is_empty() {
            errs.push(FieldError::new("transfer_reason", "transfer_reason is required"));
        }
        if !["low", "normal", "high", "urgent"].contains(&priority.as_str()) {
            errs.push(FieldError::new("priority", "priority must be low, normal, high or urgent"));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                let conv = load_conv(tx, &who.tenant_id, &id)?;
                if conv["status"] == "closed" {
                    return Err(ApiError::conflict("Conversation is closed").with_code("CONVERSATION_CLOSED"));
                }
                let dept = str_of(&body, "department").unwrap_or_else(|| "general".into());
                let agent = str_of(&body, "agent_id");
                let config = tenant_config(tx, &who.tenant_id)?;
                let handle = config.pointer("/chatbot/average_handle_minutes").and_then(Value::as_i64).unwrap_or(5);
                let ahead: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM chatbot_transfers WHERE tenant_id = ?1 AND status = 'queued' AND COALESCE(department,'general') = ?2 AND conversation_id != ?3",
                    params![who.tenant_id, dept, id],
                    |r| r.get(0),
                )?;
                let wait = ahead * handle;
                let agent_name: Option<String> = match &agent {
                    Some(a) => tx
                        .query_row(
                            "SELECT trim(COALESCE(first_name,'') || ' ' || COALESCE(last_name,'')) FROM chatbot_members WHERE tenant_id = ?1 AND id = ?2",
                            params![who.tenant_id, a],
                            |r| r.get(0),
                        )
                        .optional()?,
                    None => None,
                };
                if agent.is_some() && agent_name.is_none() {
                    return Err(ApiError::invalid("agent_id", "agent_id is not a member of this tenant"));
                }
                // Replace any earlier queued transfer of this conversation.
                tx.execute(
                    "UPDATE chatbot_transfers SET status = 'superseded' WHERE tenant_id = ?1 AND conversation_id = ?2 AND status = 'queued'",
                    params![who.tenant_id, id],
                )?;
                let tid = new_id("transfer");
                tx.execute(
                    "INSERT INTO chatbot_transfers (id, tenant_id, conversation_id, reason, note, department, priority, agent_id, status, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', ?9)",
                    params![tid, who.tenant_id, id, reason, str_of(&body, "transfer_note"), dept, priority, agent, now_iso()],
                )?;
                let was = conv["status"].as_str().unwrap_or_default().to_string();
                tx.execute(
                    "UPDATE chatbot_conversations SET status = 'transferred', escalation_count = escalation_count + ?3, last_activity_at = ?4 WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, id, (was != "transferred") as i64, now_iso()],
                )?;
                audit_in(tx, &who, &meta, "conversation.transfer", "conversation", &id, json!({"department": dept, "priority": priority}))?;
                let who_txt = agent_name.clone().filter(|n| !n.is_empty()).map(|n| format!("{n} from {dept}")).unwrap_or_else(|| format!("the next available {dept} agent"));
                Ok(json!({
                    "transfer_id": tid,
                    "assigned_agent": agent.as_ref().map(|a| json!({"agent_id": a, "name": agent_name, "department": dept})),
                    "queue_position": ahead + 1,
                    "estimated_wait_time_minutes": wait,
                    "transfer_message": format!("I'm connecting you with {who_txt}. Estimated wait time: {wait} minutes."),
                }))
            })
            .await?;
        Ok(ok(data))
    }

    /// Close a conversation (409 when already closed).
    #[oai(path = "/conversations/:id/close", method = "post", tag = "ApiTags::Conversations")]
    async fn close(&self, req: &Request, meta: RequestMeta, id: Path<String>, body: Vec<u8>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body: Value = if body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            serde_json::from_slice(&body).map_err(|_| ApiError::bad_request("The request body must be JSON"))?
        };
        let reason = str_of(&body, "reason").unwrap_or_else(|| "resolved".into());
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                let conv = load_conv(tx, &who.tenant_id, &id)?;
                if conv["status"] == "closed" {
                    return Err(ApiError::conflict("Conversation is already closed").with_code("CONVERSATION_CLOSED"));
                }
                let now = now_iso();
                tx.execute(
                    "UPDATE chatbot_conversations SET status = 'closed', closed_at = ?3, close_reason = ?4, last_activity_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, id, now, reason],
                )?;
                tx.execute(
                    "UPDATE chatbot_transfers SET status = 'cancelled' WHERE tenant_id = ?1 AND conversation_id = ?2 AND status = 'queued'",
                    params![who.tenant_id, id],
                )?;
                audit_in(tx, &who, &meta, "conversation.close", "conversation", &id, json!({"reason": reason}))?;
                Ok(json!({"conversation_id": id, "status": "closed", "closed_at": now, "close_reason": reason}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Reopen a closed conversation (409 when it is not closed).
    #[oai(path = "/conversations/:id/reopen", method = "post", tag = "ApiTags::Conversations")]
    async fn reopen(&self, req: &Request, meta: RequestMeta, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                let conv = load_conv(tx, &who.tenant_id, &id)?;
                if conv["status"] != "closed" {
                    return Err(ApiError::conflict("Conversation is not closed").with_code("CONVERSATION_NOT_CLOSED"));
                }
                let now = now_iso();
                tx.execute(
                    "UPDATE chatbot_conversations SET status = 'active', closed_at = NULL, close_reason = NULL, fallback_count = 0, last_activity_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, id, now],
                )?;
                audit_in(tx, &who, &meta, "conversation.reopen", "conversation", &id, json!({}))?;
                Ok(json!({"conversation_id": id, "status": "active", "reopened_at": now}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Summary computed from the conversation's messages.
    #[oai(path = "/conversations/:id/summary", method = "get", tag = "ApiTags::Conversations")]
    async fn summary(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self.platform.db.read(move |c| summary_of(c, &who.tenant_id, &id)).await?;
        Ok(ok(data))
    }

    /// Analytics computed from the conversation's messages: counts, mean bot
    /// confidence, fallback rate, response times and intent distribution.
    #[oai(path = "/conversations/:id/analytics", method = "get", tag = "ApiTags::Conversations")]
    async fn analytics(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| {
                load_conv(c, &who.tenant_id, &id)?;
                let (replies, avg_conf, fallbacks, avg_ms, max_ms): (i64, Option<f64>, i64, Option<f64>, Option<i64>) = c.query_row(
                    "SELECT COUNT(*), AVG(confidence), COALESCE(SUM(intent IS NULL),0), AVG(processing_ms), MAX(processing_ms)
                     FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2 AND direction = 'outbound'",
                    params![who.tenant_id, id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )?;
                let inbound: i64 = c.query_row(
                    "SELECT COUNT(*) FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2 AND direction = 'inbound'",
                    params![who.tenant_id, id],
                    |r| r.get(0),
                )?;
                let mut st = c.prepare(
                    "SELECT intent, COUNT(*) FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2 AND direction = 'outbound' AND intent IS NOT NULL GROUP BY intent",
                )?;
                let dist: serde_json::Map<String, Value> = st
                    .query_map(params![who.tenant_id, id], |r| Ok((r.get::<_, String>(0)?, json!(r.get::<_, i64>(1)?))))?
                    .collect::<std::result::Result<_, _>>()?;
                let (ratings, avg_rating): (i64, Option<f64>) = c.query_row(
                    "SELECT COUNT(*), AVG(f.rating) FROM chatbot_feedback f JOIN chatbot_messages m ON m.tenant_id = f.tenant_id AND m.message_id = f.message_id
                     WHERE f.tenant_id = ?1 AND m.conversation_id = ?2",
                    params![who.tenant_id, id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let round = |x: Option<f64>| x.map(|v| (v * 1000.0).round() / 1000.0);
                Ok(json!({
                    "conversation_id": id,
                    "messages": {"inbound": inbound, "outbound": replies, "total": inbound + replies},
                    "bot_performance": {
                        "average_confidence": round(avg_conf),
                        "fallback_count": fallbacks,
                        "fallback_rate": if replies > 0 { round(Some(fallbacks as f64 / replies as f64)) } else { None },
                        "average_response_time_ms": round(avg_ms),
                        "max_response_time_ms": max_ms,
                    },
                    "intent_distribution": dist,
                    "feedback": {"ratings": ratings, "average_rating": round(avg_rating)},
                }))
            })
            .await?;
        Ok(ok(data))
    }

    // ------------------------------------------------------------ sessions

    /// Start a session. Without credentials a visitor session is created for the
    /// tenant named in `X-Tenant-ID`. The `session_token` is shown once.
    #[oai(path = "/sessions", method = "post", tag = "ApiTags::Sessions")]
    async fn create_session(&self, req: &Request, body: Json<Value>) -> Result<Created> {
        let tenant = if req.headers().contains_key("authorization") {
            caller(&self.platform, req, None).await?.tenant_id
        } else {
            let t = req
                .headers()
                .get("x-tenant-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .ok_or_else(|| ApiError::invalid("X-Tenant-ID", "X-Tenant-ID header is required"))?;
            let t2 = t.clone();
            let found: Option<String> = self
                .platform
                .db
                .read(move |c| Ok(c.query_row("SELECT id FROM chatbot_tenants WHERE id = ?1 AND status = 'active'", params![t2], |r| r.get(0)).optional()?))
                .await?;
            found.ok_or_else(access::tenant_not_found)?;
            t
        };
        let body = body_obj(&body)?.clone();
        let mut errs = vec![];
        let channel = str_of(&body, "channel").unwrap_or_else(|| "web".into());
        if !CHANNELS.contains(&channel.as_str()) {
            errs.push(FieldError::new("channel", "unknown channel"));
        }
        let user = str_of(&body, "user_id").unwrap_or_default();
        if user.trim().is_empty() {
            errs.push(FieldError::new("user_id", "user_id is required"));
        }
        let timeout = body.pointer("/session_config/timeout_minutes").map(|v| v.as_i64().unwrap_or(-1)).unwrap_or(30);
        if !(1..=1440).contains(&timeout) {
            errs.push(FieldError::new("session_config.timeout_minutes", "timeout_minutes must be 1-1440"));
        }
        let initial = body.get("initial_context").cloned().unwrap_or(json!({}));
        if !initial.is_object() {
            errs.push(FieldError::new("initial_context", "initial_context must be an object"));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let mut context = initial.clone();
        if let Some(url) = initial.get("page_url").and_then(Value::as_str) {
            context["current_page"] = json!(url);
            context["pages_visited"] = json!([url]);
            if let Some(p) = url.split("/products/").nth(1) {
                let p = p.split(['?', '#', '/']).next().unwrap_or_default();
                if !p.is_empty() {
                    context["product_interest"] = json!(p);
                }
            }
        }
        let data = self
            .platform
            .db
            .write(move |tx| {
                let returning: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM chatbot_sessions WHERE tenant_id = ?1 AND user_id = ?2",
                    params![tenant, user],
                    |r| r.get(0),
                )?;
                context["visitor_type"] = json!(if returning > 0 { "returning" } else { "new" });
                let id = new_id("sess");
                let token = format!("st_{}", uuid::Uuid::new_v4().simple());
                let now = chrono::Utc::now();
                let created = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                let expires = (now + chrono::Duration::minutes(timeout)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                tx.execute(
                    "INSERT INTO chatbot_sessions (id, tenant_id, user_id, channel, status, context, history, token_hash, timeout_minutes, created_at, last_activity, expires_at)
                     VALUES (?1, ?2, ?3, ?4, 'active', ?5, '{}', ?6, ?7, ?8, ?8, ?9)",
                    params![id, tenant, user, channel, context.to_string(), sha256_hex(&token), timeout, created, expires],
                )?;
                Ok(json!({"session_id": id, "user_id": user, "channel": channel, "created_at": created, "expires_at": expires, "session_token": token, "context": context}))
            })
            .await?;
        Ok(Created::Ok(ok(data)))
    }

    /// Session details; status is `expired` once `expires_at` has passed.
    #[oai(path = "/sessions/:id", method = "get", tag = "ApiTags::Sessions")]
    async fn get_session(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self.platform.db.read(move |c| session_json(c, &who.tenant_id, &id)).await?;
        Ok(ok(data))
    }

    /// Update a session's `user_id`, `channel` or `status` (`active`/`ended`).
    #[oai(path = "/sessions/:id", method = "put", tag = "ApiTags::Sessions")]
    async fn update_session(&self, req: &Request, id: Path<String>, body: Json<Value>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        if let Some(s) = str_of(&body, "status") {
            if !["active", "ended"].contains(&s.as_str()) {
                return Err(ApiError::invalid("status", "status must be active or ended").into());
            }
        }
        if let Some(ch) = str_of(&body, "channel") {
            if !CHANNELS.contains(&ch.as_str()) {
                return Err(ApiError::invalid("channel", "unknown channel").into());
            }
        }
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                session_json(tx, &who.tenant_id, &id)?;
                tx.execute(
                    "UPDATE chatbot_sessions SET user_id = COALESCE(?3, user_id), channel = COALESCE(?4, channel), status = COALESCE(?5, status), last_activity = ?6
                     WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, id, str_of(&body, "user_id"), str_of(&body, "channel"), str_of(&body, "status"), now_iso()],
                )?;
                session_json(tx, &who.tenant_id, &id)
            })
            .await?;
        Ok(ok(data))
    }

    /// End a session.
    #[oai(path = "/sessions/:id", method = "delete", tag = "ApiTags::Sessions")]
    async fn end_session(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                let s = session_json(tx, &who.tenant_id, &id)?;
                if s["status"] == "ended" {
                    return Err(ApiError::conflict("Session already ended").with_code("SESSION_ENDED"));
                }
                let now = now_iso();
                tx.execute("UPDATE chatbot_sessions SET status = 'ended', last_activity = ?3 WHERE tenant_id = ?1 AND id = ?2", params![who.tenant_id, id, now])?;
                Ok(json!({"session_id": id, "status": "ended", "ended_at": now}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Extend an active session by `extend_by_minutes` (1-1440).
    #[oai(path = "/sessions/:id/extend", method = "post", tag = "ApiTags::Sessions")]
    async fn extend_session(&self, req: &Request, id: Path<String>, body: Json<Value>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let by = body.0.get("extend_by_minutes").map(|v| v.as_i64().unwrap_or(-1)).unwrap_or(30);
        if !(1..=1440).contains(&by) {
            return Err(ApiError::invalid("extend_by_minutes", "extend_by_minutes must be 1-1440").into());
        }
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                let s = session_json(tx, &who.tenant_id, &id)?;
                if s["status"] != "active" {
                    return Err(ApiError::conflict(format!("Session is {}", s["status"].as_str().unwrap_or_default())).with_code("SESSION_NOT_ACTIVE"));
                }
                let prev = s["expires_at"].as_str().unwrap_or_default().to_string();
                let prev_t = chrono::DateTime::parse_from_rfc3339(&prev).map_err(|_| ApiError::internal("bad stored expiry"))?;
                let new = (prev_t + chrono::Duration::minutes(by)).with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                tx.execute("UPDATE chatbot_sessions SET expires_at = ?3, last_activity = ?4 WHERE tenant_id = ?1 AND id = ?2", params![who.tenant_id, id, new, now_iso()])?;
                Ok(json!({"session_id": id, "previous_expiry": prev, "new_expiry": new, "extended_by_minutes": by}))
            })
            .await?;
        Ok(ok(data))
    }

    /// The session's context.
    #[oai(path = "/sessions/:id/context", method = "get", tag = "ApiTags::Sessions")]
    async fn get_context(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| {
                let s = session_json(c, &who.tenant_id, &id)?;
                Ok(json!({"session_id": id, "context": s["context"], "history": s["history"]}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Merge `context_updates` into the context; `append_to_history` appends
    /// to history lists (`page_visits` also extends `pages_visited`).
    #[oai(path = "/sessions/:id/context", method = "put", tag = "ApiTags::Sessions")]
    async fn put_context(&self, req: &Request, id: Path<String>, body: Json<Value>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        let updates = body.get("context_updates").cloned().unwrap_or(json!({}));
        let append = body.get("append_to_history").cloned().unwrap_or(json!({}));
        if !updates.is_object() {
            return Err(ApiError::invalid("context_updates", "context_updates must be an object").into());
        }
        if !append.is_object() {
            return Err(ApiError::invalid("append_to_history", "append_to_history must be an object").into());
        }
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                let s = session_json(tx, &who.tenant_id, &id)?;
                if s["status"] != "active" {
                    return Err(ApiError::conflict("Session is not active").with_code("SESSION_NOT_ACTIVE"));
                }
                let mut ctx = s["context"].clone();
                let mut hist = s["history"].clone();
                let mut fields = vec![];
                if let Some(m) = updates.as_object() {
                    for (k, v) in m {
                        ctx[k] = v.clone();
                        fields.push(k.clone());
                    }
                }
                if let Some(m) = append.as_object() {
                    for (k, v) in m {
                        let mut list = hist.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
                        list.push(v.clone());
                        hist[k] = json!(list);
                        if k == "page_visits" {
                            let mut pages = ctx.get("pages_visited").and_then(Value::as_array).cloned().unwrap_or_default();
                            pages.push(v.clone());
                            ctx["pages_visited"] = json!(pages);
                        }
                    }
                }
                tx.execute(
                    "UPDATE chatbot_sessions SET context = ?3, history = ?4, last_activity = ?5 WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, id, ctx.to_string(), hist.to_string(), now_iso()],
                )?;
                Ok(json!({"session_id": id, "context_updated": true, "updated_fields": fields, "new_context": ctx}))
            })
            .await?;
        Ok(ok(data))
    }

    // -------------------------------------------------------------- health

    /// Basic health check (public).
    #[oai(path = "/health", method = "get", tag = "ApiTags::Health")]
    async fn health(&self) -> Json<HealthStatus> {
        Json(HealthStatus {
            status: "healthy".into(),
            timestamp: now_iso(),
            version: env!("CARGO_PKG_VERSION").into(),
            uptime_seconds: self.platform.metrics.uptime_secs(),
            environment: "self-hosted".into(),
        })
    }

    /// Detailed status (platform admins): request latency of this module, the
    /// database round trip and live counts.
    #[oai(path = "/health/detailed", method = "get", tag = "ApiTags::Health")]
    async fn health_detailed(&self, req: &Request) -> Result<Json<Value>> {
        self.internal(req).await?;
        let m = self.platform.metrics.summary(Some("chatbot"));
        let ping = self.platform.db.ping().await;
        let counts = self
            .platform
            .db
            .read(|c| {
                let q = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0));
                Ok((
                    q("SELECT COUNT(*) FROM chatbot_conversations WHERE status != 'closed'")?,
                    q("SELECT COUNT(*) FROM chatbot_transfers WHERE status = 'queued'")?,
                    q("SELECT COUNT(*) FROM chatbot_sessions WHERE status = 'active'")?,
                    q("SELECT COUNT(*) FROM chatbot_tenants WHERE status = 'active'")?,
                ))
            })
            .await?;
        let db_status = if ping.is_ok() { "healthy" } else { "unhealthy" };
        Ok(Json(json!({
            "status": if ping.is_ok() { "healthy" } else { "degraded" },
            "timestamp": now_iso(),
            "services": {
                "chat_service": {"status": "healthy", "response_time_ms": m.mean_ms, "requests": m.requests, "errors": m.errors, "active_sessions": counts.2},
                "mcp_engine": {"status": "healthy", "active_state_machines": counts.0, "queue_size": counts.1},
                "model_orchestrator": {"status": "healthy", "models_available": 1, "active_tenants": counts.3}
            },
            "databases": {
                "sqlite": {"status": db_status, "response_time_ms": ping.as_ref().ok().map(|v| (v * 1000.0).round() / 1000.0)}
            }
        })))
    }

    /// Dependency status (platform admins): the database, and each tenant AI
    /// provider configured (only the built-in engine without a provider).
    #[oai(path = "/health/dependencies", method = "get", tag = "ApiTags::Health")]
    async fn health_dependencies(&self, req: &Request) -> Result<Json<Value>> {
        self.internal(req).await?;
        let ping = self.platform.db.ping().await;
        let now = now_iso();
        let healthy = ping.is_ok();
        Ok(Json(json!({
            "status": if healthy { "healthy" } else { "partial_degradation" },
            "timestamp": now,
            "dependencies": {
                "database": {"status": if healthy { "healthy" } else { "unhealthy" }, "last_check": now, "response_time_ms": ping.as_ref().ok(), "error": ping.as_ref().err().map(|e| e.message.clone())},
                "rule_engine": {"status": "healthy", "last_check": now, "response_time_ms": 0}
            },
            "overall_health_score": if healthy { 1.0 } else { 0.5 }
        })))
    }

    /// Performance metrics of this module since start (platform admins).
    #[oai(path = "/health/metrics", method = "get", tag = "ApiTags::Health")]
    async fn health_metrics(&self, req: &Request, timeframe: Query<Option<String>>) -> Result<Json<Value>> {
        self.internal(req).await?;
        let tf = timeframe.0.unwrap_or_else(|| "1h".into());
        let secs = match tf.as_str() {
            "5m" => 300,
            "15m" => 900,
            "1h" => 3600,
            "24h" => 86400,
            "7d" => 604800,
            _ => return Err(ApiError::invalid("timeframe", "timeframe must be 5m, 15m, 1h, 24h or 7d").into()),
        };
        let since = (chrono::Utc::now() - chrono::Duration::seconds(secs)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let m = self.platform.metrics.summary(Some("chatbot"));
        let (active, processed) = self
            .platform
            .db
            .read(move |c| {
                Ok((
                    c.query_row("SELECT COUNT(*) FROM chatbot_conversations WHERE status != 'closed'", [], |r| r.get::<_, i64>(0))?,
                    c.query_row("SELECT COUNT(*) FROM chatbot_messages WHERE created_at >= ?1", params![since], |r| r.get::<_, i64>(0))?,
                ))
            })
            .await?;
        Ok(Json(json!({
            "status": "success",
            "timestamp": now_iso(),
            "timeframe": tf,
            "metrics": {
                "requests_per_second": m.rate_per_sec,
                "average_response_time_ms": m.mean_ms,
                "p50_response_time_ms": m.p50_ms,
                "p95_response_time_ms": m.p95_ms,
                "p99_response_time_ms": m.p99_ms,
                "error_rate_percent": if m.requests > 0 { (m.errors as f64 / m.requests as f64) * 100.0 } else { 0.0 },
                "active_conversations": active,
                "messages_processed": processed
            }
        })))
    }

    /// Readiness: 200 when the database answers, 503 otherwise.
    #[oai(path = "/health/readiness", method = "get", tag = "ApiTags::Health")]
    async fn readiness(&self) -> Result<Json<Value>> {
        let ms = self.platform.db.ping().await.map_err(|e| ApiError::unavailable(format!("Database unavailable: {}", e.message)))?;
        Ok(Json(json!({"status": "ready", "timestamp": now_iso(), "checks": {"database": {"status": "healthy", "response_time_ms": ms}}})))
    }

    /// Liveness: the process answers.
    #[oai(path = "/health/liveness", method = "get", tag = "ApiTags::Health")]
    async fn liveness(&self) -> Json<Value> {
        Json(json!({"status": "alive", "timestamp": now_iso(), "uptime_seconds": self.platform.metrics.uptime_secs()}))
    }

    // ------------------------------------------------------------- tenants

    /// List tenants (chatbot platform admins).
    #[oai(path = "/tenants", method = "get", tag = "ApiTags::Tenants")]
    async fn list_tenants(&self, req: &Request, page: Query<Option<u32>>, limit: Query<Option<u32>>, status: Query<Option<String>>) -> Result<Json<Value>> {
        self.internal(req).await?;
        let (page, limit) = pagination(page.0, limit.0, self.platform.settings.max_page_size.min(100) as u32)?;
        let status = status.0;
        let data = self
            .platform
            .db
            .read(move |c| {
                let total: i64 = c.query_row(
                    "SELECT COUNT(*) FROM chatbot_tenants WHERE status != 'deleted' AND (?1 IS NULL OR status = ?1)",
                    params![status],
                    |r| r.get(0),
                )?;
                let mut st = c.prepare(&format!(
                    "SELECT id FROM chatbot_tenants WHERE status != 'deleted' AND (?1 IS NULL OR status = ?1) ORDER BY created_at, id LIMIT {limit} OFFSET {}",
                    (page - 1) * limit
                ))?;
                let ids: Vec<String> = st.query_map(params![status], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
                let tenants = ids.iter().map(|i| tenant_json(c, i)).collect::<ApiResult<Vec<_>>>()?;
                Ok(json!({"tenants": tenants, "pagination": {"total": total, "page": page, "page_size": limit, "has_next": (page as i64) * (limit as i64) < total}}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Create a tenant with its owner (a platform user, created when new) and its
    /// API keys. The keys are shown only in this response; only their SHA-256
    /// hash and prefix are stored.
    #[oai(path = "/tenants", method = "post", tag = "ApiTags::Tenants")]
    async fn create_tenant(&self, req: &Request, meta: RequestMeta, body: Json<Value>) -> Result<Created> {
        let admin = self.internal(req).await?;
        let body = body_obj(&body)?.clone();
        let mut errs = vec![];
        let name = str_of(&body, "name").unwrap_or_default().trim().to_string();
        if name.is_empty() || name.len() > 200 {
            errs.push(FieldError::new("name", "name is required (1-200 characters)"));
        }
        let plan = str_of(&body, "plan").unwrap_or_else(|| "starter".into());
        if !PLANS.contains(&plan.as_str()) {
            errs.push(FieldError::new("plan", format!("plan must be one of {}", PLANS.join(", "))));
        }
        let admin_user = body.get("admin_user").cloned().unwrap_or(Value::Null);
        if !admin_user.is_object() || !valid_email(&str_of(&admin_user, "email").unwrap_or_default()) {
            errs.push(FieldError::new("admin_user.email", "Invalid email format"));
        }
        let cfg_in = body.get("configuration").cloned().unwrap_or(json!({}));
        if !cfg_in.is_object() {
            errs.push(FieldError::new("configuration", "configuration must be an object"));
        }
        let features = body.get("features").cloned().unwrap_or(json!({}));
        if !features.is_object() {
            errs.push(FieldError::new("features", "features must be an object"));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let platform = self.platform.clone();
        let domain = str_of(&body, "domain");
        let who = Caller { tenant_id: String::new(), principal: Some(admin), role: "platform_admin".into() };
        let data = self
            .platform
            .db
            .write(move |tx| {
                if let Some(d) = &domain {
                    let taken: Option<String> = tx
                        .query_row("SELECT id FROM chatbot_tenants WHERE domain = ?1 AND status != 'deleted'", params![d], |r| r.get(0))
                        .optional()?;
                    if taken.is_some() {
                        return Err(ApiError::conflict("A tenant with this domain exists").with_code("TENANT_EXISTS").with_detail("domain", "already used"));
                    }
                }
                let id = new_id("tenant");
                let mut config = default_config();
                let mut general = json!({});
                let mut ignored = vec![];
                for (k, v) in cfg_in.as_object().into_iter().flatten() {
                    if ["chatbot", "channels", "integrations", "ai_models", "general"].contains(&k.as_str()) {
                        deep_merge(&mut config, &json!({ k: v }), "", &mut ignored);
                    } else {
                        general[k] = v.clone();
                    }
                }
                deep_merge(&mut config, &json!({ "general": general }), "", &mut ignored);
                let now = now_iso();
                tx.execute(
                    "INSERT INTO chatbot_tenants (id, name, domain, plan, status, config, config_version, features, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, 'active', ?5, 1, ?6, ?7, ?7)",
                    params![id, name, domain, plan, config.to_string(), features.to_string(), now],
                )?;
                let mut owner_body = admin_user.clone();
                owner_body["role"] = json!("owner");
                let owner = add_member(tx, &platform, &id, &owner_body, "owner", false)?;
                let primary = issue_key(tx, &id, "live")?;
                let test = issue_key(tx, &id, "test")?;
                audit_in(tx, &who, &meta, "tenant.create", "tenant", &id, json!({"name": name, "plan": plan}))?;
                Ok(json!({
                    "tenant_id": id, "name": name, "domain": domain, "plan": plan, "status": "active", "created_at": now,
                    "admin_user": {"user_id": owner["user_id"], "platform_user_id": owner["platform_user_id"], "email": owner["email"], "role": "owner", "invitation_sent": false},
                    "api_keys": {"primary": primary, "test": test},
                    "webhook_endpoints": {"incoming": format!("/chatbot/api/v2/webhooks/generic/{id}"), "outgoing": config.pointer("/integrations/outgoing_webhook_url")}
                }))
            })
            .await?;
        Ok(Created::Ok(ok(data)))
    }

    /// Tenant details (tenant admins).
    #[oai(path = "/tenants/:id", method = "get", tag = "ApiTags::Tenants")]
    async fn get_tenant(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let data = self.platform.db.read(move |c| tenant_json(c, &who.tenant_id)).await?;
        Ok(ok(data))
    }

    /// Update `name`, `domain`, `features`; `plan` and `status` (`active`/`suspended`)
    /// only by platform admins.
    #[oai(path = "/tenants/:id", method = "put", tag = "ApiTags::Tenants")]
    async fn update_tenant(&self, req: &Request, meta: RequestMeta, id: Path<String>, body: Json<Value>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let body = body_obj(&body)?.clone();
        if (body.get("plan").is_some() || body.get("status").is_some()) && who.role != "platform_admin" {
            return Err(ApiError::forbidden("Only platform admins change the plan or status").into());
        }
        let mut errs = vec![];
        if let Some(p) = str_of(&body, "plan") {
            if !PLANS.contains(&p.as_str()) {
                errs.push(FieldError::new("plan", "unknown plan"));
            }
        }
        if let Some(s) = str_of(&body, "status") {
            if !["active", "suspended"].contains(&s.as_str()) {
                errs.push(FieldError::new("status", "status must be active or suspended"));
            }
        }
        if let Some(n) = body.get("name") {
            if n.as_str().map(|s| s.trim().is_empty()).unwrap_or(true) {
                errs.push(FieldError::new("name", "name must be a non-empty string"));
            }
        }
        if body.get("features").map(|f| !f.is_object()).unwrap_or(false) {
            errs.push(FieldError::new("features", "features must be an object"));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let data = self
            .platform
            .db
            .write(move |tx| {
                let t = tenant_json(tx, &who.tenant_id)?;
                let mut features = t["features"].clone();
                let mut changes = vec![];
                if let Some(f) = body.get("features") {
                    deep_merge(&mut features, f, "features", &mut changes);
                }
                tx.execute(
                    "UPDATE chatbot_tenants SET name = COALESCE(?2, name), domain = COALESCE(?3, domain), plan = COALESCE(?4, plan), status = COALESCE(?5, status), features = ?6, updated_at = ?7 WHERE id = ?1",
                    params![who.tenant_id, str_of(&body, "name"), str_of(&body, "domain"), str_of(&body, "plan"), str_of(&body, "status"), features.to_string(), now_iso()],
                )?;
                audit_in(tx, &who, &meta, "tenant.update", "tenant", &who.tenant_id, body.clone())?;
                tenant_json(tx, &who.tenant_id)
            })
            .await?;
        Ok(ok(data))
    }

    /// Delete a tenant and all its data (chatbot platform admins).
    #[oai(path = "/tenants/:id", method = "delete", tag = "ApiTags::Tenants")]
    async fn delete_tenant(&self, req: &Request, meta: RequestMeta, id: Path<String>) -> Result<Json<Value>> {
        let admin = self.internal(req).await?;
        let id = id.0;
        let who = Caller { tenant_id: id.clone(), principal: Some(admin), role: "platform_admin".into() };
        let data = self
            .platform
            .db
            .write(move |tx| {
                tenant_json(tx, &id)?;
                let mut removed = serde_json::Map::new();
                for t in ["chatbot_messages", "chatbot_feedback", "chatbot_transfers", "chatbot_conversations", "chatbot_sessions", "chatbot_api_keys", "chatbot_members", "chatbot_webhook_events"] {
                    let n = tx.execute(&format!("DELETE FROM {t} WHERE tenant_id = ?1"), params![id])?;
                    removed.insert(t.trim_start_matches("chatbot_").to_string(), json!(n));
                }
                tx.execute("DELETE FROM chatbot_tenants WHERE id = ?1", params![id])?;
                audit_in(tx, &who, &meta, "tenant.delete", "tenant", &id, json!(removed))?;
                Ok(json!({"tenant_id": id, "deleted": true, "records_removed": removed}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Members of the tenant (tenant admins).
    #[oai(path = "/tenants/:id/users", method = "get", tag = "ApiTags::Tenants")]
    async fn list_users(&self, req: &Request, id: Path<String>, page: Query<Option<u32>>, limit: Query<Option<u32>>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let (page, limit) = pagination(page.0, limit.0, self.platform.settings.max_page_size.min(100) as u32)?;
        let data = self
            .platform
            .db
            .read(move |c| {
                let total: i64 = c.query_row("SELECT COUNT(*) FROM chatbot_members WHERE tenant_id = ?1", params![who.tenant_id], |r| r.get(0))?;
                let mut st = c.prepare(&format!("SELECT * FROM chatbot_members WHERE tenant_id = ?1 ORDER BY created_at, email LIMIT {limit} OFFSET {}", (page - 1) * limit))?;
                let users: Vec<Value> = st.query_map(params![who.tenant_id], member_json)?.collect::<std::result::Result<_, _>>()?;
                Ok(json!({"users": users, "pagination": {"total": total, "page": page, "page_size": limit, "has_next": (page as i64) * (limit as i64) < total}}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Add a user to the tenant. With `send_invitation` the membership is an
    /// invitation valid for 7 days. The plan's user limit applies.
    #[oai(path = "/tenants/:id/users", method = "post", tag = "ApiTags::Tenants")]
    async fn add_user(&self, req: &Request, meta: RequestMeta, id: Path<String>, body: Json<Value>) -> Result<Created> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let body = body_obj(&body)?.clone();
        if str_of(&body, "role").as_deref() == Some("owner") && who.role != "owner" && who.role != "platform_admin" {
            return Err(ApiError::forbidden("Only owners add owners").into());
        }
        let platform = self.platform.clone();
        let data = self
            .platform
            .db
            .write(move |tx| {
                let (plan, features): (String, String) = tx.query_row("SELECT plan, features FROM chatbot_tenants WHERE id = ?1", params![who.tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                let limit = parse_json(&features).get("users_limit").and_then(Value::as_i64).unwrap_or(plan_terms(&plan).3);
                let n: i64 = tx.query_row("SELECT COUNT(*) FROM chatbot_members WHERE tenant_id = ?1", params![who.tenant_id], |r| r.get(0))?;
                if n >= limit {
                    return Err(ApiError::forbidden(format!("The plan allows {limit} users")).with_code("PLAN_LIMIT_REACHED").with_extra("limit", limit));
                }
                let invite = body.get("send_invitation").and_then(Value::as_bool).unwrap_or(true);
                let m = add_member(tx, &platform, &who.tenant_id, &body, "viewer", invite)?;
                audit_in(tx, &who, &meta, "tenant.user.add", "tenant_user", m["user_id"].as_str().unwrap_or_default(), json!({"email": m["email"], "role": m["role"]}))?;
                Ok(m)
            })
            .await?;
        Ok(Created::Ok(ok(data)))
    }

    /// The tenant's configuration (secrets masked).
    #[oai(path = "/tenants/:id/config", method = "get", tag = "ApiTags::Tenants")]
    async fn get_config(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let data = self
            .platform
            .db
            .read(move |c| {
                let (cfg, v): (String, i64) = c.query_row("SELECT config, config_version FROM chatbot_tenants WHERE id = ?1", params![who.tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(json!({"tenant_id": who.tenant_id, "configuration_version": format!("v{v}"), "configuration": mask_secrets(&parse_json(&cfg))}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Deep-merge `configuration` into the tenant's configuration; lists the
    /// changed paths and bumps the version when anything changed.
    #[oai(path = "/tenants/:id/config", method = "put", tag = "ApiTags::Tenants")]
    async fn put_config(&self, req: &Request, meta: RequestMeta, id: Path<String>, body: Json<Value>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let patch = body.0.get("configuration").cloned().unwrap_or(Value::Null);
        if !patch.is_object() {
            return Err(ApiError::invalid("configuration", "configuration must be an object").into());
        }
        if let Some(t) = patch.pointer("/chatbot/confidence_threshold") {
            if !t.as_f64().map(|x| (0.0..=1.0).contains(&x)).unwrap_or(false) {
                return Err(ApiError::invalid("configuration.chatbot.confidence_threshold", "must be a number 0-1").into());
            }
        }
        if let Some(intents) = patch.pointer("/chatbot/intents") {
            let okay = intents.as_array().map(|a| a.iter().all(|i| i.get("name").and_then(Value::as_str).is_some() && i.get("examples").map(Value::is_array).unwrap_or(false))).unwrap_or(false);
            if !okay {
                return Err(ApiError::invalid("configuration.chatbot.intents", "intents are objects with name and examples[]").into());
            }
        }
        let data = self
            .platform
            .db
            .write(move |tx| {
                let (cfg, v): (String, i64) = tx.query_row("SELECT config, config_version FROM chatbot_tenants WHERE id = ?1", params![who.tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                let mut cfg = parse_json(&cfg);
                let mut changes = vec![];
                deep_merge(&mut cfg, &patch, "", &mut changes);
                let now = now_iso();
                let version = if changes.is_empty() { v } else { v + 1 };
                if !changes.is_empty() {
                    tx.execute("UPDATE chatbot_tenants SET config = ?2, config_version = ?3, updated_at = ?4 WHERE id = ?1", params![who.tenant_id, cfg.to_string(), version, now])?;
                    audit_in(tx, &who, &meta, "tenant.config.update", "tenant", &who.tenant_id, json!({"changes": changes, "version": version}))?;
                }
                Ok(json!({"updated_at": now, "configuration_version": format!("v{version}"), "changes_applied": changes, "deployment_status": "deployed"}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Billing of the current month: the plan's price, the included conversations
    /// and the overage (1 cent per conversation above the plan), plus AI costs.
    #[oai(path = "/tenants/:id/billing", method = "get", tag = "ApiTags::Tenants")]
    async fn billing(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        let data = self
            .platform
            .db
            .read(move |c| {
                let u = usage_of(c, &who.tenant_id)?;
                let plan: String = c.query_row("SELECT plan FROM chatbot_tenants WHERE id = ?1", params![who.tenant_id], |r| r.get(0))?;
                let (price, _, _, _) = plan_terms(&plan);
                let used = u["usage"]["conversations"]["total"].as_i64().unwrap_or(0);
                let included = u["limits"]["conversations_limit"].as_i64().unwrap_or(0);
                let overage = (used - included).max(0);
                let ai = u["usage"]["ai_costs"]["total_cents"].as_i64().unwrap_or(0);
                Ok(json!({
                    "tenant_id": who.tenant_id, "plan": plan, "currency": "USD", "period": u["period"],
                    "line_items": [
                        {"description": format!("{plan} plan"), "amount_cents": price},
                        {"description": "Conversations above plan", "quantity": overage, "unit_price_cents": 1, "amount_cents": overage},
                        {"description": "AI provider usage", "amount_cents": ai}
                    ],
                    "total_cents": price + overage + ai,
                    "billing_period": u["billing_period"]
                }))
            })
            .await?;
        Ok(ok(data))
    }

    /// Usage of the current month computed from stored conversations and messages,
    /// against the plan's limits.
    #[oai(path = "/tenants/:id/usage", method = "get", tag = "ApiTags::Tenants")]
    async fn usage(&self, req: &Request, id: Path<String>, period: Query<Option<String>>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, Some(&id.0)).await?;
        who.require_tenant_admin()?;
        if let Some(p) = period.0.as_deref() {
            if p != "current_month" {
                return Err(ApiError::invalid("period", "period must be current_month").into());
            }
        }
        let data = self.platform.db.read(move |c| usage_of(c, &who.tenant_id)).await?;
        Ok(ok(data))
    }
}

impl ChatbotApi {
    /// Platform admins and `chatbot:admin` only.
    async fn internal(&self, req: &Request) -> ApiResult<frontline_platform::auth::Principal> {
        let p = access::principal(&self.platform, req).await?;
        if !access::is_platform_admin(&p) {
            return Err(ApiError::forbidden("This action needs the chatbot platform admin role"));
        }
        Ok(p)
    }
}

fn session_json(c: &Connection, tenant: &str, id: &str) -> ApiResult<Value> {
    let row = c
        .query_row(
            "SELECT id, user_id, channel, status, created_at, last_activity, expires_at, context, history FROM chatbot_sessions WHERE tenant_id = ?1 AND id = ?2",
            params![tenant, id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("Session not found").with_code("SESSION_NOT_FOUND"))?;
    let (id, user, channel, mut status, created, last, expires, ctx, hist) = row;
    if status == "active" && expires < now_iso() {
        status = "expired".into();
    }
    let (convs, msgs): (i64, i64) = c.query_row(
        "SELECT COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM chatbot_messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id)),0)
         FROM chatbot_conversations c WHERE c.tenant_id = ?1 AND c.user_id = ?2 AND c.channel = ?3 AND c.started_at >= ?4",
        params![tenant, user, channel, created],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut context = parse_json(&ctx);
    context["session_duration_minutes"] = json!(minutes_between(&created, &now_iso()));
    Ok(json!({
        "session_id": id, "user_id": user, "channel": channel, "status": status, "created_at": created,
        "last_activity": last, "expires_at": expires, "conversation_count": convs, "message_count": msgs,
        "context": context, "history": parse_json(&hist)
    }))
}
