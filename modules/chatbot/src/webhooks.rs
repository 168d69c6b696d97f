//! Incoming channel webhooks. Every request names its tenant (`X-Tenant-ID`
//! header or `tenant_id` query) and is authenticated against the secret stored
//! in that tenant's configuration:
//! WhatsApp/Messenger `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with
//! `channels.<ch>.app_secret`), Slack signing secret v0 (`channels.slack.signing_secret`,
//! 5-minute replay window), Teams `Authorization: Bearer` = `channels.teams.webhook_token`,
//! Telegram `X-Telegram-Bot-Api-Secret-Token` = `channels.telegram.secret_token`,
//! generic `Authorization: Bearer` = `integrations.<integration_id>.webhook_token`.

use frontline_platform::auth::now_iso;
use frontline_platform::{ApiError, ApiResult, Platform};
use hmac::{Hmac, Mac};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::OpenApi;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::api::{ApiTags, Result};
use crate::service::str_of;
use crate::store::tenant_config;

pub struct WebhookApi {
    pub platform: Platform,
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
}

fn tenant_of(req: &Request) -> ApiResult<String> {
    if let Some(t) = header(req, "x-tenant-id") {
        return Ok(t);
    }
    req.uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("tenant_id=").map(str::to_string))
        .ok_or_else(|| {
            ApiError::invalid(
                "X-Tenant-ID",
                "X-Tenant-ID header or tenant_id query is required",
            )
        })
}

fn unauthorized() -> ApiError {
    ApiError::unauthorized("Webhook signature or token is invalid").with_code("INVALID_SIGNATURE")
}

fn hmac_hex(secret: &str, data: &[u8]) -> ApiResult<Vec<u8>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| ApiError::internal("bad key"))?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

/// Constant-time check of `expected_hex` (a lowercase hex MAC) against `mac`.
fn verify_mac(secret: &str, data: &[u8], given_hex: &str) -> ApiResult<()> {
    let given = hex::decode(given_hex).map_err(|_| unauthorized())?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| ApiError::internal("bad key"))?;
    mac.update(data);
    mac.verify_slice(&given).map_err(|_| unauthorized())
}

fn same_token(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

/// Signs `body` the way Meta does (`sha256=<hex>`); exposed for tests and tools.
pub fn meta_signature(secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(hmac_hex(secret, body).unwrap_or_default())
    )
}

/// Slack's `v0=<hex>` signature of `v0:<timestamp>:<body>`.
pub fn slack_signature(secret: &str, ts: &str, body: &[u8]) -> String {
    let mut base = format!("v0:{ts}:").into_bytes();
    base.extend_from_slice(body);
    format!(
        "v0={}",
        hex::encode(hmac_hex(secret, &base).unwrap_or_default())
    )
}

fn secret(config: &Value, pointer: &str) -> ApiResult<String> {
    config
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::forbidden("This channel has no webhook secret configured")
                .with_code("CHANNEL_NOT_CONFIGURED")
        })
}

fn malformed(msg: &str) -> ApiError {
    ApiError::bad_request(msg).with_code("INVALID_PAYLOAD")
}

impl WebhookApi {
    async fn config(&self, tenant: &str) -> ApiResult<Value> {
        let t = tenant.to_string();
        self.platform
            .db
            .read(move |c| {
                let active: Option<String> = c
                    .query_row(
                        "SELECT status FROM chatbot_tenants WHERE id = ?1 AND status = 'active'",
                        params![t],
                        |r| r.get(0),
                    )
                    .optional()?;
                if active.is_none() {
                    return Err(crate::access::tenant_not_found());
                }
                tenant_config(c, &t)
            })
            .await
    }

    /// Feeds channel messages to the engine in one transaction; replayed events
    /// (same channel message id) are acknowledged without processing.
    async fn ingest(
        &self,
        tenant: String,
        channel: &'static str,
        msgs: Vec<(String, String, String)>,
    ) -> ApiResult<Vec<Value>> {
        let started = std::time::Instant::now();
        // The bot answers channel messages as it answers the chat API: with the
        // tenant's provider and knowledge articles, asked before the write.
        let mut prepared = vec![];
        for (event_id, user, text) in msgs {
            let conv = format!("conv_{channel}_user_{user}");
            let body = json!({
                "message_id": format!("msg_{channel}_{event_id}"),
                "conversation_id": conv,
                "user_id": format!("{channel}_{user}"),
                "channel": channel,
                "content": {"type": "text", "text": text},
            });
            let assist = crate::service::prepare_assist(&self.platform, &tenant, &body).await?;
            prepared.push((event_id, conv, body, assist));
        }
        self.platform
            .db
            .write(move |tx| {
                let mut out = vec![];
                for (event_id, conv, body, (llm, article)) in prepared {
                    let fresh = tx.execute(
                        "INSERT OR IGNORE INTO chatbot_webhook_events (tenant_id, channel, event_key, created_at) VALUES (?1, ?2, ?3, ?4)",
                        params![tenant, channel, event_id, now_iso()],
                    )?;
                    let status: Option<String> = tx
                        .query_row("SELECT status FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2", params![tenant, conv], |r| r.get(0))
                        .optional()?;
                    if status.as_deref() == Some("closed") {
                        tx.execute("UPDATE chatbot_conversations SET status = 'active', closed_at = NULL WHERE tenant_id = ?1 AND id = ?2", params![tenant, conv])?;
                    }
                    let assist = crate::service::Assist { llm: llm.as_ref(), article: article.as_ref() };
                    let data = crate::service::process_message_with(tx, &tenant, &body, started, assist)?;
                    out.push(json!({"fresh": fresh > 0, "data": data}));
                }
                Ok(out)
            })
            .await
    }

    async fn meta_channel(
        &self,
        req: &Request,
        body: Vec<u8>,
        channel: &'static str,
    ) -> Result<Json<Value>> {
        let started = std::time::Instant::now();
        let tenant = tenant_of(req)?;
        let config = self.config(&tenant).await?;
        let secret = secret(&config, &format!("/channels/{channel}/app_secret"))?;
        let sig = header(req, "x-hub-signature-256").ok_or_else(unauthorized)?;
        let hexsig = sig.strip_prefix("sha256=").ok_or_else(unauthorized)?;
        verify_mac(&secret, &body, hexsig)?;
        let v: Value =
            serde_json::from_slice(&body).map_err(|_| malformed("Body is not valid JSON"))?;
        let entries = v
            .get("entry")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("entry[] is required"))?;
        let mut msgs = vec![];
        for e in entries {
            if channel == "whatsapp" {
                for ch in e
                    .get("changes")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    for m in ch
                        .pointer("/value/messages")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let (Some(id), Some(from)) = (str_of(m, "id"), str_of(m, "from")) else {
                            return Err(malformed("messages[] need id and from").into());
                        };
                        let text = m
                            .pointer("/text/body")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        if !text.is_empty() {
                            msgs.push((id, from, text));
                        }
                    }
                }
            } else {
                for m in e
                    .get("messaging")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let from = m.pointer("/sender/id").and_then(Value::as_str);
                    let id = m.pointer("/message/mid").and_then(Value::as_str);
                    let text = m.pointer("/message/text").and_then(Value::as_str);
                    if let (Some(from), Some(id), Some(text)) = (from, id, text) {
                        msgs.push((id.to_string(), from.to_string(), text.to_string()));
                    }
                }
            }
        }
        let results = self.ingest(tenant, channel, msgs).await?;
        let first = results.first();
        Ok(Json(json!({
            "status": "received",
            "messages_processed": results.iter().filter(|r| r["fresh"] == true).count(),
            "duplicates_ignored": results.iter().filter(|r| r["fresh"] == false).count(),
            "message_id": first.map(|r| r["data"]["reply_message_id"].clone()),
            "conversation_id": first.map(|r| r["data"]["conversation_id"].clone()),
            "processing_time_ms": started.elapsed().as_millis() as u64,
        })))
    }
}

fn form_field(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        if k == key {
            Some(url_decode(v))
        } else {
            None
        }
    })
}

fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[OpenApi]
impl WebhookApi {
    /// WhatsApp Business webhook; `X-Hub-Signature-256` must be the HMAC-SHA256 of
    /// the raw body with the tenant's `channels.whatsapp.app_secret`.
    #[oai(
        path = "/webhooks/whatsapp",
        method = "post",
        tag = "ApiTags::Webhooks"
    )]
    async fn whatsapp(&self, req: &Request, body: Vec<u8>) -> Result<Json<Value>> {
        self.meta_channel(req, body, "whatsapp").await
    }

    /// Facebook Messenger webhook; signed like WhatsApp with `channels.messenger.app_secret`.
    #[oai(
        path = "/webhooks/messenger",
        method = "post",
        tag = "ApiTags::Webhooks"
    )]
    async fn messenger(&self, req: &Request, body: Vec<u8>) -> Result<Json<Value>> {
        self.meta_channel(req, body, "messenger").await
    }

    /// Slack slash commands (form) and events (JSON, incl. `url_verification`),
    /// verified with the signing secret v0 and a 5-minute timestamp window.
    #[oai(path = "/webhooks/slack", method = "post", tag = "ApiTags::Webhooks")]
    async fn slack(&self, req: &Request, body: Vec<u8>) -> Result<Json<Value>> {
        let tenant = tenant_of(req)?;
        let config = self.config(&tenant).await?;
        let secret = secret(&config, "/channels/slack/signing_secret")?;
        let ts = header(req, "x-slack-request-timestamp").ok_or_else(unauthorized)?;
        let ts_n: i64 = ts.parse().map_err(|_| unauthorized())?;
        if (chrono::Utc::now().timestamp() - ts_n).abs() > 300 {
            return Err(
                ApiError::unauthorized("Request timestamp is outside the 5-minute window")
                    .with_code("REPLAYED_REQUEST")
                    .into(),
            );
        }
        let sig = header(req, "x-slack-signature").ok_or_else(unauthorized)?;
        let hexsig = sig.strip_prefix("v0=").ok_or_else(unauthorized)?;
        let mut base = format!("v0:{ts}:").into_bytes();
        base.extend_from_slice(&body);
        verify_mac(&secret, &base, hexsig)?;
        let text = std::str::from_utf8(&body).map_err(|_| malformed("Body is not UTF-8"))?;
        let (event_id, user, msg) = if text.trim_start().starts_with('{') {
            let v: Value =
                serde_json::from_str(text).map_err(|_| malformed("Body is not valid JSON"))?;
            if v["type"] == "url_verification" {
                return Ok(Json(json!({"challenge": v["challenge"]})));
            }
            let ev = v
                .get("event")
                .ok_or_else(|| malformed("event is required"))?;
            match (
                str_of(&v, "event_id"),
                str_of(ev, "user"),
                str_of(ev, "text"),
            ) {
                (Some(a), Some(b), Some(c)) => (a, b, c),
                _ => {
                    return Err(
                        malformed("event_id, event.user and event.text are required").into(),
                    )
                }
            }
        } else {
            match (
                form_field(text, "trigger_id"),
                form_field(text, "user_id"),
                form_field(text, "text"),
            ) {
                (Some(a), Some(b), Some(c)) => (a, b, c),
                _ => return Err(malformed("trigger_id, user_id and text are required").into()),
            }
        };
        let results = self
            .ingest(tenant, "slack", vec![(event_id, user, msg)])
            .await?;
        let data = &results[0]["data"];
        let actions: Vec<Value> = data["response"]["quick_replies"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|q| json!({"name": q["payload"], "text": q["title"], "type": "button", "value": q["payload"]}))
            .collect();
        let mut out = json!({"response_type": "in_channel", "text": data["response"]["text"]});
        if !actions.is_empty() {
            out["attachments"] = json!([{"text": "What would you like to do?", "fallback": "Options", "callback_id": data["conversation_state"]["current_intent"], "color": "good", "actions": actions}]);
        }
        Ok(Json(out))
    }

    /// Microsoft Teams activities; `Authorization: Bearer <channels.teams.webhook_token>`.
    #[oai(path = "/webhooks/teams", method = "post", tag = "ApiTags::Webhooks")]
    async fn teams(&self, req: &Request, body: Vec<u8>) -> Result<Json<Value>> {
        let tenant = tenant_of(req)?;
        let config = self.config(&tenant).await?;
        let token = secret(&config, "/channels/teams/webhook_token")?;
        let given = header(req, "authorization")
            .and_then(|h| h.strip_prefix("Bearer ").map(str::to_string))
            .ok_or_else(unauthorized)?;
        if !same_token(&given, &token) {
            return Err(unauthorized().into());
        }
        let v: Value =
            serde_json::from_slice(&body).map_err(|_| malformed("Body is not valid JSON"))?;
        let (Some(id), Some(from), Some(text)) = (
            str_of(&v, "id"),
            v.pointer("/from/id").and_then(Value::as_str),
            str_of(&v, "text"),
        ) else {
            return Err(malformed("id, from.id and text are required").into());
        };
        let r = self
            .ingest(tenant, "teams", vec![(id, from.to_string(), text)])
            .await?;
        Ok(Json(
            json!({"type": "message", "text": r[0]["data"]["response"]["text"], "conversation_id": r[0]["data"]["conversation_id"]}),
        ))
    }

    /// Telegram updates; `X-Telegram-Bot-Api-Secret-Token` must equal `channels.telegram.secret_token`.
    #[oai(
        path = "/webhooks/telegram",
        method = "post",
        tag = "ApiTags::Webhooks"
    )]
    async fn telegram(&self, req: &Request, body: Vec<u8>) -> Result<Json<Value>> {
        let tenant = tenant_of(req)?;
        let config = self.config(&tenant).await?;
        let token = secret(&config, "/channels/telegram/secret_token")?;
        let given = header(req, "x-telegram-bot-api-secret-token").ok_or_else(unauthorized)?;
        if !same_token(&given, &token) {
            return Err(unauthorized().into());
        }
        let v: Value =
            serde_json::from_slice(&body).map_err(|_| malformed("Body is not valid JSON"))?;
        let upd = v.get("update_id").and_then(Value::as_i64);
        let from = v.pointer("/message/from/id").and_then(Value::as_i64);
        let text = v.pointer("/message/text").and_then(Value::as_str);
        let (Some(upd), Some(from), Some(text)) = (upd, from, text) else {
            return Err(
                malformed("update_id, message.from.id and message.text are required").into(),
            );
        };
        let r = self
            .ingest(
                tenant,
                "telegram",
                vec![(upd.to_string(), from.to_string(), text.to_string())],
            )
            .await?;
        Ok(Json(
            json!({"method": "sendMessage", "chat_id": from, "text": r[0]["data"]["response"]["text"]}),
        ))
    }

    /// Custom integration events; `Authorization: Bearer <integrations.<integration_id>.webhook_token>`.
    /// `customer_updated` events merge `data` into the entities of the customer's open conversations.
    #[oai(
        path = "/webhooks/generic/:integration_id",
        method = "post",
        tag = "ApiTags::Webhooks"
    )]
    async fn generic(
        &self,
        req: &Request,
        integration_id: Path<String>,
        body: Vec<u8>,
    ) -> Result<Json<Value>> {
        let tenant = tenant_of(req)?;
        let config = self.config(&tenant).await?;
        let key = integration_id.0.replace(['/', '~'], "");
        let token =
            secret(&config, &format!("/integrations/{key}/webhook_token")).map_err(|_| {
                ApiError::not_found("Integration not found").with_code("INTEGRATION_NOT_FOUND")
            })?;
        let given = header(req, "authorization")
            .and_then(|h| h.strip_prefix("Bearer ").map(str::to_string))
            .ok_or_else(unauthorized)?;
        if !same_token(&given, &token) {
            return Err(unauthorized().into());
        }
        let v: Value =
            serde_json::from_slice(&body).map_err(|_| malformed("Body is not valid JSON"))?;
        let event = str_of(&v, "event_type").ok_or_else(|| malformed("event_type is required"))?;
        let customer = str_of(&v, "customer_id");
        let data = v.get("data").cloned().unwrap_or(json!({}));
        if !data.is_object() {
            return Err(malformed("data must be an object").into());
        }
        let event_id = format!("evt_{}", uuid::Uuid::new_v4().simple());
        let eid = event_id.clone();
        let (actions, affected) = self
            .platform
            .db
            .write(move |tx| {
                tx.execute(
                    "INSERT INTO chatbot_webhook_events (tenant_id, channel, event_key, created_at) VALUES (?1, 'generic', ?2, ?3)",
                    params![tenant, eid, now_iso()],
                )?;
                let mut actions = vec!["recorded_event".to_string()];
                let mut affected = vec![];
                if event == "customer_updated" {
                    let cust = customer.ok_or_else(|| malformed("customer_id is required for customer_updated"))?;
                    let mut st = tx.prepare("SELECT id, entities FROM chatbot_conversations WHERE tenant_id = ?1 AND user_id = ?2 AND status != 'closed'")?;
                    let rows: Vec<(String, String)> = st.query_map(params![tenant, cust], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<std::result::Result<_, _>>()?;
                    for (id, ents) in rows {
                        let mut e: Value = serde_json::from_str(&ents).unwrap_or(json!({}));
                        let mut ch = vec![];
                        crate::service::deep_merge(&mut e, &data, "", &mut ch);
                        tx.execute("UPDATE chatbot_conversations SET entities = ?3 WHERE tenant_id = ?1 AND id = ?2", params![tenant, id, e.to_string()])?;
                        affected.push(id);
                    }
                    actions.push("refreshed_conversation_context".into());
                }
                Ok((actions, affected))
            })
            .await?;
        Ok(Json(
            json!({"status": "processed", "event_id": event_id, "actions_taken": actions, "affected_conversations": affected}),
        ))
    }

    /// Subscription verification: echoes `hub.challenge` when `hub.verify_token`
    /// equals the tenant's `channels.<channel>.verify_token`.
    #[oai(
        path = "/webhooks/verify/:channel",
        method = "get",
        tag = "ApiTags::Webhooks"
    )]
    async fn verify(
        &self,
        req: &Request,
        channel: Path<String>,
        #[oai(name = "hub.mode")] mode: Query<Option<String>>,
        #[oai(name = "hub.challenge")] challenge: Query<Option<String>>,
        #[oai(name = "hub.verify_token")] verify_token: Query<Option<String>>,
    ) -> Result<PlainText<String>> {
        if !crate::service::CHANNELS.contains(&channel.0.as_str()) {
            return Err(ApiError::not_found("Unknown channel")
                .with_code("CHANNEL_NOT_FOUND")
                .into());
        }
        let tenant = tenant_of(req)?;
        let config = self.config(&tenant).await?;
        let expected = secret(&config, &format!("/channels/{}/verify_token", channel.0))?;
        if mode.0.as_deref() != Some("subscribe") {
            return Err(ApiError::invalid("hub.mode", "hub.mode must be subscribe").into());
        }
        let challenge = challenge
            .0
            .ok_or_else(|| ApiError::invalid("hub.challenge", "hub.challenge is required"))?;
        if !same_token(verify_token.0.as_deref().unwrap_or_default(), &expected) {
            return Err(ApiError::forbidden("verify_token does not match")
                .with_code("INVALID_VERIFY_TOKEN")
                .into());
        }
        Ok(PlainText(challenge))
    }
}
