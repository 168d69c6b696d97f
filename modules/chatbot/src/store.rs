//! SQL of the chatbot module: loading rows and rendering them as the document prints them.

use crate::access;
use crate::errors::ChatbotError;
use crate::model::{deep_merge, message_content, minutes_between, parse_json};
use frontline_platform::auth::now_iso;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

mod admin;
mod callers;
pub(crate) mod chat;
pub(crate) mod conversations;
pub(crate) mod delivery;
pub(crate) mod inbox;
mod invitations;
pub(crate) mod knowledge;
pub(crate) mod sessions;
pub(crate) use admin::*;
pub use callers::*;
pub(crate) use invitations::*;

pub fn tenant_config(c: &Connection, tenant: &str) -> ApiResult<Value> {
    let s: Option<String> = c
        .query_row(
            "SELECT config FROM chatbot_tenants WHERE id = ?1",
            params![tenant],
            |r| r.get(0),
        )
        .optional()?;
    s.map(|s| parse_json(&s))
        .ok_or_else(access::tenant_not_found)
}

pub(crate) fn conv_json(r: &rusqlite::Row) -> rusqlite::Result<crate::model::Conversation> {
    let status: String = r.get("status")?;
    let resolution = match status.as_str() {
        "closed" => "resolved",
        "transferred" => "escalated",
        _ => "in_progress",
    };
    let intent: Option<String> = r.get("current_intent")?;
    Ok(crate::model::Conversation {
        conversation_id: r.get("id")?,
        user_id: r.get("user_id")?,
        channel: r.get("channel")?,
        status,
        started_at: r.get("started_at")?,
        last_activity_at: r.get("last_activity_at")?,
        message_count: r.get("message_count")?,
        current_intent: intent.clone(),
        summary: crate::model::ConversationListSummary {
            primary_issue: intent,
            resolution_status: resolution.into(),
            customer_satisfaction: r.get("satisfaction")?,
        },
    })
}

/// A conversation row (its `message_count` kept by triggers: see
/// `conversations::COUNTS_MIGRATION`).
pub(crate) const CONV_SELECT: &str = "SELECT c.* FROM chatbot_conversations c";

pub(crate) fn load_conv(
    c: &Connection,
    tenant: &str,
    id: &str,
) -> ApiResult<crate::model::Conversation> {
    c.query_row(
        &format!("{CONV_SELECT} WHERE c.tenant_id = ?1 AND c.id = ?2"),
        params![tenant, id],
        conv_json,
    )
    .optional()?
    .ok_or_else(|| ChatbotError::ConversationNotFound.with_message("Conversation not found"))
}

pub(crate) fn messages_of(
    c: &Connection,
    tenant: &str,
    conv: &str,
    limit: i64,
) -> ApiResult<Vec<crate::model::ConversationMessage>> {
    let mut st = c.prepare(
        "SELECT message_id, direction, created_at, content, intent, confidence, processing_ms, model_used
         FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2 ORDER BY seq LIMIT ?3",
    )?;
    let rows = st
        .query_map(params![tenant, conv, limit], |r| {
            Ok(crate::model::ConversationMessage {
                message_id: r.get(0)?,
                direction: r.get(1)?,
                timestamp: r.get(2)?,
                content: message_content(&parse_json(&r.get::<_, String>(3)?)),
                intent: r.get(4)?,
                confidence_score: r.get(5)?,
                processing_time_ms: r.get(6)?,
                model_used: r.get(7)?,
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// One session as the API renders it; `expired` once `expires_at` has passed.
pub(crate) fn session_json(
    c: &Connection,
    tenant: &str,
    id: &str,
) -> ApiResult<crate::model::Session> {
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
        .ok_or_else(|| ChatbotError::SessionNotFound.with_message("Session not found"))?;
    let (id, user, channel, mut status, created, last, expires, ctx, hist) = row;
    if status == "active" && expires < now_iso() {
        status = "expired".into();
    }
    let (convs, msgs): (i64, i64) = c.query_row(
        "SELECT COUNT(*), COALESCE(SUM(c.message_count),0)
         FROM chatbot_conversations c WHERE c.tenant_id = ?1 AND c.user_id = ?2 AND c.channel = ?3 AND c.started_at >= ?4",
        params![tenant, user, channel, created],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut context = parse_json(&ctx);
    if !context.is_object() {
        context = json!({});
    }
    context["session_duration_minutes"] = json!(minutes_between(&created, &now_iso()));
    Ok(crate::model::Session {
        session_id: id,
        user_id: user,
        channel,
        status,
        created_at: created,
        last_activity: last,
        expires_at: expires,
        conversation_count: convs,
        message_count: msgs,
        context,
        history: parse_json(&hist),
    })
}

/// Analytics of one conversation computed from its messages and feedback.
pub(crate) fn analytics_of(
    c: &Connection,
    tenant: &str,
    id: &str,
) -> ApiResult<crate::model::ConversationAnalytics> {
    use crate::model::{BotPerformance, ConversationAnalytics, FeedbackStats, MessageCounts};
    load_conv(c, tenant, id)?;
    let (replies, avg_conf, fallbacks, avg_ms, max_ms): (i64, Option<f64>, i64, Option<f64>, Option<i64>) = c.query_row(
            "SELECT COUNT(*), AVG(confidence), COALESCE(SUM(COALESCE(is_fallback, intent IS NULL)),0), AVG(processing_ms), MAX(processing_ms)
             FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2 AND direction = 'outbound'",
            params![tenant, id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
    let inbound: i64 = c.query_row(
            "SELECT COUNT(*) FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2 AND direction = 'inbound'",
            params![tenant, id],
            |r| r.get(0),
        )?;
    let mut st = c.prepare(
            "SELECT intent, COUNT(*) FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2 AND direction = 'outbound' AND intent IS NOT NULL GROUP BY intent",
        )?;
    let dist: std::collections::BTreeMap<String, i64> = st
        .query_map(params![tenant, id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<_, _>>()?;
    let (ratings, avg_rating): (i64, Option<f64>) = c.query_row(
            "SELECT COUNT(*), AVG(f.rating) FROM chatbot_feedback f JOIN chatbot_messages m ON m.tenant_id = f.tenant_id AND m.message_id = f.message_id
             WHERE f.tenant_id = ?1 AND m.conversation_id = ?2",
            params![tenant, id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
    let round = |x: Option<f64>| x.map(|v| (v * 1000.0).round() / 1000.0);
    Ok(ConversationAnalytics {
        conversation_id: id.to_string(),
        messages: MessageCounts {
            inbound,
            outbound: replies,
            total: inbound + replies,
        },
        bot_performance: BotPerformance {
            average_confidence: round(avg_conf),
            fallback_count: fallbacks,
            fallback_rate: if replies > 0 {
                round(Some(fallbacks as f64 / replies as f64))
            } else {
                None
            },
            average_response_time_ms: round(avg_ms),
            max_response_time_ms: max_ms,
        },
        intent_distribution: dist,
        feedback: FeedbackStats {
            ratings,
            average_rating: round(avg_rating),
        },
    })
}

/// The messages of one conversation sent between `from` and `to` (RFC 3339,
/// either bound optional), oldest first.
pub(crate) fn messages_between(
    c: &Connection,
    tenant: &str,
    conv: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> ApiResult<Vec<Value>> {
    let mut st = c.prepare(
        "SELECT message_id, direction, created_at, content, intent, confidence, processing_ms, model_used, reply_to
         FROM chatbot_messages WHERE tenant_id = ?1 AND conversation_id = ?2
         AND (?3 IS NULL OR created_at >= ?3) AND (?4 IS NULL OR created_at <= ?4) ORDER BY seq",
    )?;
    let rows = st
        .query_map(params![tenant, conv, from, to], |r| {
            Ok(json!({
                "message_id": r.get::<_, String>(0)?,
                "direction": r.get::<_, String>(1)?,
                "timestamp": r.get::<_, String>(2)?,
                "content": parse_json(&r.get::<_, String>(3)?),
                "intent": r.get::<_, Option<String>>(4)?,
                "confidence_score": r.get::<_, Option<f64>>(5)?,
                "processing_time_ms": r.get::<_, Option<i64>>(6)?,
                "model_used": r.get::<_, Option<String>>(7)?,
                "reply_to": r.get::<_, Option<String>>(8)?,
            }))
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// What an external provider needs for a new inbound message: the tenant
/// configuration (`config`, as read with the caller), the conversation so far and the text. `None` when the
/// tenant answers with the built-in engine only, the body has no text, or the
/// `message_id` was already answered.
pub(crate) fn provider_context(
    c: &Connection,
    tenant: &str,
    config: Value,
    body: &crate::model::SendMessageRequest,
) -> ApiResult<Option<(Value, Vec<crate::provider::Turn>, String)>> {
    if !crate::provider::wants_provider(&config) {
        return Ok(None);
    }
    let Some(text) = body
        .content
        .text
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    else {
        return Ok(None);
    };
    if let Some(mid) = body.message_id.as_deref() {
        let seen: Option<i64> = c
            .query_row(
                "SELECT seq FROM chatbot_messages WHERE tenant_id = ?1 AND message_id = ?2",
                params![tenant, mid],
                |r| r.get(0),
            )
            .optional()?;
        if seen.is_some() {
            return Ok(None);
        }
    }
    if let Some(conv) = body.conversation_id.as_deref() {
        // An agent has the conversation: the bot does not answer, so no provider is asked.
        if crate::store::inbox::open_assignee(c, tenant, conv)?.is_some() {
            return Ok(None);
        }
    }
    let history = match body.conversation_id.as_deref() {
        Some(conv) => history_before(c, tenant, conv, i64::MAX)?,
        None => vec![],
    };
    Ok(Some((config, history, text.to_string())))
}

/// The last 20 turns of a conversation with text, before message `seq`, oldest first.
fn history_before(
    c: &Connection,
    tenant: &str,
    conv: &str,
    before_seq: i64,
) -> ApiResult<Vec<crate::provider::Turn>> {
    let mut st = c.prepare(
        "SELECT direction, content FROM (SELECT seq, direction, content FROM chatbot_messages
         WHERE tenant_id = ?1 AND conversation_id = ?2 AND seq < ?3 ORDER BY seq DESC LIMIT 20) ORDER BY seq",
    )?;
    let rows = st.query_map(params![tenant, conv, before_seq], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut history = vec![];
    for row in rows {
        let (dir, content) = row?;
        if let Some(t) = parse_json(&content).get("text").and_then(Value::as_str) {
            let role = if dir == "inbound" {
                "user"
            } else {
                "assistant"
            };
            history.push(crate::provider::Turn {
                role,
                text: t.to_string(),
            });
        }
    }
    Ok(history)
}

/// For a retry of inbound message `id`: its text and, when the tenant's
/// chain names a provider, the provider context (configuration, the
/// conversation before the message, the text). `None` when no such inbound
/// message exists.
pub(crate) type RetryContext = (String, Option<(Value, Vec<crate::provider::Turn>, String)>);

pub(crate) fn retry_context(
    c: &Connection,
    tenant: &str,
    id: &str,
) -> ApiResult<Option<RetryContext>> {
    let row: Option<(i64, String, String)> = c
        .query_row(
            "SELECT seq, conversation_id, content FROM chatbot_messages
             WHERE tenant_id = ?1 AND message_id = ?2 AND direction = 'inbound'",
            params![tenant, id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((seq, conv, content)) = row else {
        return Ok(None);
    };
    let text = parse_json(&content)
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let config = tenant_config(c, tenant)?;
    if !crate::provider::wants_provider(&config) || text.trim().is_empty() {
        return Ok(Some((text, None)));
    }
    let history = history_before(c, tenant, &conv, seq)?;
    Ok(Some((text.clone(), Some((config, history, text)))))
}

/// Records a channel event (false when the same event was seen before) and
/// reopens the channel conversation `conv` when it was closed.
pub(crate) fn record_channel_event(
    tx: &Connection,
    tenant: &str,
    channel: &str,
    event_id: &str,
    conv: &str,
) -> ApiResult<bool> {
    let fresh = tx.execute(
        "INSERT OR IGNORE INTO chatbot_webhook_events (tenant_id, channel, event_key, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![tenant, channel, event_id, now_iso()],
    )?;
    let status: Option<String> = tx
        .query_row(
            "SELECT status FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
            params![tenant, conv],
            |r| r.get(0),
        )
        .optional()?;
    if status.as_deref() == Some("closed") {
        tx.execute(
            "UPDATE chatbot_conversations SET status = 'active', closed_at = NULL WHERE tenant_id = ?1 AND id = ?2",
            params![tenant, conv],
        )?;
    }
    Ok(fresh > 0)
}

/// Records a custom integration event; `customer_updated` merges `data` into
/// the entities of the customer's open conversations. Returns the actions
/// taken and the conversations changed.
pub(crate) fn record_generic_event(
    tx: &Connection,
    tenant: &str,
    event_id: &str,
    event: &str,
    customer: Option<&str>,
    data: &Value,
) -> ApiResult<(Vec<String>, Vec<String>)> {
    tx.execute(
        "INSERT INTO chatbot_webhook_events (tenant_id, channel, event_key, created_at) VALUES (?1, 'generic', ?2, ?3)",
        params![tenant, event_id, now_iso()],
    )?;
    let mut actions = vec!["recorded_event".to_string()];
    let mut affected = vec![];
    if let (true, Some(cust)) = (event == "customer_updated", customer) {
        let mut st = tx.prepare(
            "SELECT id, entities FROM chatbot_conversations WHERE tenant_id = ?1 AND user_id = ?2 AND status != 'closed'",
        )?;
        let rows: Vec<(String, String)> = st
            .query_map(params![tenant, cust], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        for (id, ents) in rows {
            let mut e: Value = serde_json::from_str(&ents).unwrap_or(json!({}));
            let mut ch = vec![];
            deep_merge(&mut e, data, "", &mut ch);
            tx.execute(
                "UPDATE chatbot_conversations SET entities = ?3 WHERE tenant_id = ?1 AND id = ?2",
                params![tenant, id, e.to_string()],
            )?;
            affected.push(id);
        }
        actions.push("refreshed_conversation_context".into());
    }
    Ok((actions, affected))
}

/// Fails with the tenant-not-found error unless `tenant` exists, and with
/// 403 `TENANT_SUSPENDED` when it is suspended (visitor sessions name their
/// tenant in `X-Tenant-ID`).
pub(crate) fn require_active_tenant(c: &Connection, tenant: &str) -> ApiResult<()> {
    let status: Option<String> = c
        .query_row(
            "SELECT status FROM chatbot_tenants WHERE id = ?1 AND status != 'deleted'",
            params![tenant],
            |r| r.get(0),
        )
        .optional()?;
    match status.as_deref() {
        None => Err(access::tenant_not_found()),
        Some("active") => Ok(()),
        Some(_) => Err(access::tenant_suspended()),
    }
}

/// What the dependency report reads from the database: the search outbox
/// backlog, queued and failed platform jobs, and the distinct provider base
/// URLs active tenants have configured (at most `max_urls`).
pub(crate) struct DependencyCounts {
    pub search_backlog: i64,
    pub jobs_queued: i64,
    pub jobs_failed: i64,
    pub provider_urls: Vec<String>,
}

pub(crate) fn dependency_counts(c: &Connection, max_urls: usize) -> ApiResult<DependencyCounts> {
    let search_backlog = c.query_row(
        "SELECT COUNT(*) FROM platform_search_outbox WHERE index_name = ?1",
        [crate::knowledge::INDEX],
        |r| r.get(0),
    )?;
    let (jobs_queued, jobs_failed): (i64, i64) = c.query_row(
        "SELECT COALESCE(SUM(status = 'queued'), 0), COALESCE(SUM(status = 'failed'), 0) FROM platform_jobs",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut stmt = c.prepare(
        "SELECT DISTINCT json_extract(p.value, '$.base_url') AS url
         FROM chatbot_tenants t, json_each(t.config, '$.ai_models.providers') p
         WHERE t.status = 'active' AND json_valid(t.config) AND url IS NOT NULL
         ORDER BY url LIMIT ?1",
    )?;
    let provider_urls = stmt
        .query_map([max_urls as i64], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    Ok(DependencyCounts {
        search_backlog,
        jobs_queued,
        jobs_failed,
        provider_urls,
    })
}

/// The tenant routed for a channel identity (see `service::routing`).
pub(crate) fn channel_route(
    c: &Connection,
    channel: &str,
    identity: &str,
) -> ApiResult<Option<String>> {
    Ok(c.query_row(
        "SELECT tenant_id FROM chatbot_channel_routes WHERE channel = ?1 AND identity = ?2",
        params![channel, identity],
        |r| r.get(0),
    )
    .optional()?)
}

pub(crate) fn insert_channel_route(
    tx: &Connection,
    channel: &str,
    identity: &str,
    tenant: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_channel_routes (channel, identity, tenant_id) VALUES (?1, ?2, ?3)",
        params![channel, identity, tenant],
    )?;
    Ok(())
}

pub(crate) fn delete_channel_routes(tx: &Connection, tenant: &str) -> ApiResult<()> {
    tx.execute(
        "DELETE FROM chatbot_channel_routes WHERE tenant_id = ?1",
        params![tenant],
    )?;
    Ok(())
}

/// The configurations of tenants (only those without any channel route when
/// `unrouted`), for the one-time route backfill.
pub(crate) fn tenant_configs(c: &Connection, unrouted: bool) -> ApiResult<Vec<(String, Value)>> {
    let mut st = c.prepare(
        "SELECT t.id, t.config FROM chatbot_tenants t WHERE t.status != 'deleted'
         AND (?1 = 0 OR NOT EXISTS (SELECT 1 FROM chatbot_channel_routes r WHERE r.tenant_id = t.id))",
    )?;
    let rows = st
        .query_map(params![unrouted], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .map(|(id, cfg)| (id, parse_json(&cfg)))
        .collect())
}

/// The status and configuration of a tenant receiving a channel webhook
/// (404 when it does not exist).
pub(crate) fn webhook_tenant(c: &Connection, tenant: &str) -> ApiResult<(String, Value)> {
    let status: Option<String> = c
        .query_row(
            "SELECT status FROM chatbot_tenants WHERE id = ?1 AND status != 'deleted'",
            params![tenant],
            |r| r.get(0),
        )
        .optional()?;
    let status = status.ok_or_else(access::tenant_not_found)?;
    Ok((status, tenant_config(c, tenant)?))
}

/// Whether conversation `conv` of the tenant was started with session `session`.
pub(crate) fn conversation_in_session(
    c: &Connection,
    tenant: &str,
    conv: &str,
    session: &str,
) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT COUNT(*) FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2 AND session_id = ?3",
        params![tenant, conv, session],
        |r| r.get::<_, i64>(0),
    )? > 0)
}

/// Whether message `message` of the tenant belongs to a conversation started
/// with session `session`.
pub(crate) fn message_in_session(
    c: &Connection,
    tenant: &str,
    message: &str,
    session: &str,
) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT COUNT(*) FROM chatbot_messages m JOIN chatbot_conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
         WHERE m.tenant_id = ?1 AND m.message_id = ?2 AND c.session_id = ?3",
        params![tenant, message, session],
        |r| r.get::<_, i64>(0),
    )? > 0)
}
