//! Incoming channel webhooks. Channels cannot send `X-Tenant-ID`, so a
//! webhook finds its tenant by the channel's identity as configured in the
//! tenant's channel settings (see `service::routing`: WhatsApp
//! `phone_number_id`, Messenger `page_id`, Slack `team_id`/`workspace_id`/
//! `api_app_id`, Teams `app_id`, Telegram `secret_token`, verification
//! `verify_token`); `X-Tenant-ID` or `?tenant_id=` override the routing.
//! Order of checks: the signature or token header must be present (401),
//! then the identity is looked up (404 `CHANNEL_NOT_FOUND`), then the
//! signature is verified against the tenant's secret (401), then the tenant
//! must be active (403 `TENANT_SUSPENDED`) and the channel enabled and in its
//! plan (403 `CHANNEL_NOT_ENABLED`). Secrets:
//! WhatsApp/Messenger `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with
//! `channels.<ch>.app_secret`), Slack signing secret v0 (`channels.slack.signing_secret`,
//! 5-minute replay window), Teams `Authorization: Bearer` = `channels.teams.webhook_token`,
//! Telegram `X-Telegram-Bot-Api-Secret-Token` = `channels.telegram.secret_token`,
//! generic `Authorization: Bearer` = `integrations.<integration_id>.webhook_token`
//! (the token finds its tenant; `X-Tenant-ID` or `?tenant_id=` may name it).

use crate::errors::ChatbotError;
use std::marker::PhantomData;

use frontline_platform::{ApiError, ApiResult, Platform};
use hmac::{Hmac, Mac};
use poem::{FromRequest, Request};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, OpenApi};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::access::tenant_suspended;
use crate::api::{ApiTags, Result};
use crate::model::*;
use crate::service::routing::hashed;
use crate::store::{channel_route, record_channel_event, record_generic_event, webhook_tenant};

pub struct WebhookApi {
    pub platform: Platform,
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
}

/// The tenant named by `X-Tenant-ID` or `?tenant_id=` (overrides routing).
fn named_tenant(req: &Request) -> Option<String> {
    if let Some(t) = header(req, "x-tenant-id") {
        return Some(t);
    }
    req.uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("tenant_id=").map(url_decode))
}

/// The strings at `path` (a list of keys; `*` walks every list item) of `v`.
fn strings_at(v: &Value, path: &[&str]) -> Vec<String> {
    let Some((first, rest)) = path.split_first() else {
        return v.as_str().map(|s| vec![s.to_string()]).unwrap_or_default();
    };
    if *first == "*" {
        return v
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|x| strings_at(x, rest))
            .collect();
    }
    v.get(*first)
        .map(|x| strings_at(x, rest))
        .unwrap_or_default()
}

/// The channel identities a JSON payload names at `paths`, in order, without repeats.
fn identities_in(bytes: &[u8], paths: &[&[&str]]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        return vec![];
    };
    let mut out: Vec<String> = vec![];
    for p in paths {
        for s in strings_at(&v, p) {
            if !s.is_empty() && !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

fn unauthorized() -> ApiError {
    ChatbotError::InvalidSignature.with_message("Webhook signature or token is invalid")
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
    frontline_platform::callbacks::meta_signature(secret, body)
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
            ChatbotError::ChannelNotConfigured
                .with_message("This channel has no webhook secret configured")
        })
}

fn malformed(msg: &str) -> ApiError {
    ChatbotError::InvalidPayload.with_message(msg)
}

/// The raw body of a channel webhook, documented with the provider's payload
/// type `T` (JSON). The bytes are kept as received: signatures are computed
/// over them, and the payload is parsed only after the check passed.
pub struct Signed<T> {
    pub bytes: Vec<u8>,
    _payload: PhantomData<T>,
}

impl<'a, T: ParseFromJSON + Send + 'static> ApiExtractor<'a> for Signed<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: "application/json",
                schema: T::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut poem::RequestBody,
        _opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        Ok(Signed {
            bytes: <Vec<u8> as FromRequest>::from_request(request, body).await?,
            _payload: PhantomData,
        })
    }
}

impl<T: ParseFromJSON + 'static> Signed<T> {
    /// Parses the (already verified) body; a mismatch is a 400 `INVALID_PAYLOAD`.
    pub fn parse(&self) -> ApiResult<T> {
        let v: Value =
            serde_json::from_slice(&self.bytes).map_err(|_| malformed("Body is not valid JSON"))?;
        parse_payload(v)
    }
}

fn parse_payload<T: ParseFromJSON + 'static>(v: Value) -> ApiResult<T> {
    frontline_platform::body::parse_strict::<T>(v).map_err(|e| {
        let mut err = malformed(&format!("The payload does not match: {}", e.message));
        for d in e.details {
            err = err.with_detail(d.field, d.message);
        }
        err
    })
}

/// The raw Slack body: a slash command (form) or an Events API callback (JSON).
pub struct SlackBody(pub Vec<u8>);

impl<'a> ApiExtractor<'a> for SlackBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        SlackCommand::register(registry);
        SlackEventCallback::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![
                MetaMediaType {
                    content_type: "application/x-www-form-urlencoded",
                    schema: SlackCommand::schema_ref(),
                },
                MetaMediaType {
                    content_type: "application/json",
                    schema: SlackEventCallback::schema_ref(),
                },
            ],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut poem::RequestBody,
        _opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        Ok(SlackBody(
            <Vec<u8> as FromRequest>::from_request(request, body).await?,
        ))
    }
}

/// One channel message to answer: the channel's event id, sender and text.
struct Inbound {
    event_id: String,
    user: String,
    text: String,
}

/// What the bot did with one channel message.
struct Ingested {
    fresh: bool,
    reply: ChatMessageResponse,
}

impl WebhookApi {
    /// The status and configuration of `tenant` (404 when it does not exist).
    async fn tenant(&self, tenant: &str) -> ApiResult<(String, Value)> {
        let t = tenant.to_string();
        self.platform.db.read(move |c| webhook_tenant(c, &t)).await
    }

    /// The tenant of a channel webhook: the one named by `X-Tenant-ID` or
    /// `?tenant_id=`, else the tenant that routes one of `identities` of
    /// `channel` (404 `CHANNEL_NOT_FOUND` when none does).
    async fn route(
        &self,
        req: &Request,
        channel: &str,
        identities: Vec<String>,
    ) -> ApiResult<String> {
        if let Some(t) = named_tenant(req) {
            return Ok(t);
        }
        if identities.is_empty() {
            return Err(malformed(&format!(
                "The payload names no {channel} identity to route it by; configure the channel's identity or send X-Tenant-ID"
            )));
        }
        let ch = channel.to_string();
        let found = self
            .platform
            .db
            .read(move |c| {
                for i in &identities {
                    if let Some(t) = channel_route(c, &ch, i)? {
                        return Ok(Some(t));
                    }
                }
                Ok(None)
            })
            .await?;
        found.ok_or_else(|| {
            ChatbotError::ChannelNotFound
                .with_message(format!("No tenant has this {channel} channel configured"))
        })
    }

    /// After the request is authenticated: the tenant must be active (403
    /// `TENANT_SUSPENDED`) and may use `channel` (403 `CHANNEL_NOT_ENABLED`).
    async fn admit(&self, tenant: &str, status: &str, channel: &'static str) -> ApiResult<()> {
        if status != "active" {
            return Err(tenant_suspended());
        }
        let t = tenant.to_string();
        self.platform
            .db
            .read(move |c| crate::service::check_channel(c, &t, channel))
            .await
    }

    /// Feeds channel messages to the engine in one transaction; replayed events
    /// (same channel message id) are acknowledged without processing.
    async fn ingest(
        &self,
        tenant: String,
        channel: &'static str,
        msgs: Vec<Inbound>,
    ) -> ApiResult<Vec<Ingested>> {
        let started = std::time::Instant::now();
        let t = tenant.clone();
        let state = self
            .platform
            .db
            .read(move |c| crate::store::tenant_state(c, &t))
            .await?
            .ok_or_else(crate::errors::tenant_not_found)?;
        // The bot answers channel messages as it answers the chat API: with the
        // tenant's provider and knowledge articles, asked before the write.
        let mut prepared = vec![];
        for m in msgs {
            let body = SendMessageRequest {
                message_id: Some(crate::model::Key200(format!(
                    "msg_{channel}_{}",
                    m.event_id
                ))),
                conversation_id: Some(format!("conv_{channel}_user_{}", m.user)),
                user_id: crate::model::NonBlank(format!("{channel}_{}", m.user)),
                channel: crate::model::Channel::from_name(channel),
                content: InboundContent {
                    content_type: Some(crate::model::InboundContentType::Text),
                    text: Some(m.text),
                    ..Default::default()
                },
                channel_metadata: Some(ChannelMetadata {
                    platform_user_id: Some(m.user),
                    platform_message_id: Some(m.event_id.clone()),
                    ..Default::default()
                }),
            };
            let assist =
                crate::service::prepare_assist(&self.platform, &tenant, &state, &body).await?;
            prepared.push((m.event_id, body, assist));
        }
        self.platform
            .db
            .write(move |tx| {
                let mut out = vec![];
                for (event_id, body, (llm, article)) in prepared {
                    let conv = body.conversation_id.clone().unwrap_or_default();
                    let fresh = record_channel_event(tx, &tenant, channel, &event_id, &conv)?;
                    let assist = crate::service::Assist {
                        llm: llm.as_ref(),
                        article: article.as_ref(),
                    };
                    let reply =
                        crate::service::process_message_with(tx, &tenant, &body, started, assist)?;
                    out.push(Ingested { fresh, reply });
                }
                Ok(out)
            })
            .await
    }

    /// WhatsApp/Messenger: the `X-Hub-Signature-256` header, the tenant
    /// (by `identities`), the HMAC with `channels.<channel>.app_secret`, then
    /// the tenant's status and entitlement.
    async fn verify_meta(
        &self,
        req: &Request,
        bytes: &[u8],
        channel: &'static str,
        identities: Vec<String>,
    ) -> ApiResult<String> {
        let sig = header(req, "x-hub-signature-256").ok_or_else(unauthorized)?;
        if !sig.starts_with("sha256=") {
            return Err(unauthorized());
        }
        let tenant = self.route(req, channel, identities).await?;
        let (status, config) = self.tenant(&tenant).await?;
        let secret = secret(&config, &format!("/channels/{channel}/app_secret"))?;
        if !frontline_platform::callbacks::meta_signature_ok(&secret, bytes, &sig) {
            return Err(unauthorized());
        }
        self.admit(&tenant, &status, channel).await?;
        Ok(tenant)
    }

    async fn receipt(
        &self,
        tenant: String,
        channel: &'static str,
        msgs: Vec<Inbound>,
        started: std::time::Instant,
    ) -> Result<Json<WebhookReceipt>> {
        let results = self.ingest(tenant, channel, msgs).await?;
        let first = results.first();
        Ok(Json(WebhookReceipt {
            status: "received".into(),
            messages_processed: results.iter().filter(|r| r.fresh).count() as i64,
            duplicates_ignored: results.iter().filter(|r| !r.fresh).count() as i64,
            message_id: first.and_then(|r| r.reply.reply_message_id.clone()),
            conversation_id: first.map(|r| r.reply.conversation_id.clone()),
            processing_time_ms: started.elapsed().as_millis() as i64,
        }))
    }
}

/// The fields of a form-encoded body as a JSON object of strings.
fn form_object(body: &str) -> Value {
    let mut out = serde_json::Map::new();
    for kv in body.split('&').filter(|kv| !kv.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        out.insert(url_decode(k), Value::String(url_decode(v)));
    }
    Value::Object(out)
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
    /// the raw body with the tenant's `channels.whatsapp.app_secret`. Routed to
    /// the tenant whose `channels.whatsapp.phone_number_id` is the payload's
    /// `metadata.phone_number_id` (`X-Tenant-ID` or `?tenant_id=` override).
    /// 401 without a valid signature, 404 `CHANNEL_NOT_FOUND` for an unknown number.
    #[oai(
        path = "/webhooks/whatsapp",
        method = "post",
        tag = "ApiTags::Webhooks"
    )]
    async fn whatsapp(
        &self,
        req: &Request,
        body: Signed<WhatsAppWebhook>,
    ) -> Result<Json<WebhookReceipt>> {
        let started = std::time::Instant::now();
        let ids = identities_in(
            &body.bytes,
            &[&[
                "entry",
                "*",
                "changes",
                "*",
                "value",
                "metadata",
                "phone_number_id",
            ]],
        );
        let tenant = self.verify_meta(req, &body.bytes, "whatsapp", ids).await?;
        let payload = body.parse()?;
        // Status reports of replies sent (delivered, read, failed).
        let (t, b) = (tenant.clone(), body.bytes.clone());
        self.platform
            .db
            .write(move |tx| crate::delivery::record_whatsapp_statuses(tx, &t, &b))
            .await?;
        let mut msgs = vec![];
        for ch in payload
            .entry
            .into_iter()
            .flat_map(|e| e.changes.unwrap_or_default())
        {
            for m in ch.value.and_then(|v| v.messages).unwrap_or_default() {
                let (Some(id), Some(from)) = (m.id, m.from) else {
                    return Err(malformed("messages[] need id and from").into());
                };
                let text = m.text.and_then(|t| t.body).unwrap_or_default();
                if !text.is_empty() {
                    msgs.push(Inbound {
                        event_id: id,
                        user: from,
                        text,
                    });
                }
            }
        }
        self.receipt(tenant, "whatsapp", msgs, started).await
    }

    /// Facebook Messenger webhook; signed like WhatsApp with `channels.messenger.app_secret`.
    /// Routed to the tenant whose `channels.messenger.page_id` is `entry[].id`.
    /// Delivery receipts (`messaging[].delivery.mids[]`) mark those replies `delivered`.
    #[oai(
        path = "/webhooks/messenger",
        method = "post",
        tag = "ApiTags::Webhooks"
    )]
    async fn messenger(
        &self,
        req: &Request,
        body: Signed<MessengerWebhook>,
    ) -> Result<Json<WebhookReceipt>> {
        let started = std::time::Instant::now();
        let ids = identities_in(&body.bytes, &[&["entry", "*", "id"]]);
        let tenant = self.verify_meta(req, &body.bytes, "messenger", ids).await?;
        let payload = body.parse()?;
        // Delivery receipts of replies sent (`delivery.mids[]`).
        let (t, b) = (tenant.clone(), body.bytes.clone());
        self.platform
            .db
            .write(move |tx| crate::delivery::record_messenger_deliveries(tx, &t, &b))
            .await?;
        let mut msgs = vec![];
        for m in payload
            .entry
            .into_iter()
            .flat_map(|e| e.messaging.unwrap_or_default())
        {
            let from = m.sender.and_then(|s| s.id);
            let (id, text) = m.message.map(|x| (x.mid, x.text)).unwrap_or_default();
            if let (Some(user), Some(event_id), Some(text)) = (from, id, text) {
                msgs.push(Inbound {
                    event_id,
                    user,
                    text,
                });
            }
        }
        self.receipt(tenant, "messenger", msgs, started).await
    }

    /// Slack slash commands (form) and events (JSON, incl. `url_verification`),
    /// verified with the signing secret v0 and a 5-minute timestamp window.
    /// Routed to the tenant whose `channels.slack.team_id` (or `workspace_id`,
    /// `api_app_id`) is the payload's `team_id` or `api_app_id`;
    /// `url_verification` carries neither, so its Request URL names the tenant
    /// (`?tenant_id=`).
    #[oai(path = "/webhooks/slack", method = "post", tag = "ApiTags::Webhooks")]
    async fn slack(&self, req: &Request, body: SlackBody) -> Result<Json<SlackResponse>> {
        let body = body.0;
        let ts = header(req, "x-slack-request-timestamp").ok_or_else(unauthorized)?;
        let sig = header(req, "x-slack-signature").ok_or_else(unauthorized)?;
        let hexsig = sig.strip_prefix("v0=").ok_or_else(unauthorized)?;
        let ts_n: i64 = ts.parse().map_err(|_| unauthorized())?;
        if chrono::Utc::now().timestamp().abs_diff(ts_n) > 300 {
            return Err(ChatbotError::ReplayedRequest
                .with_message("Request timestamp is outside the 5-minute window")
                .into());
        }
        let ids = if body.trim_ascii_start().starts_with(b"{") {
            identities_in(&body, &[&["team_id"], &["api_app_id"]])
        } else {
            let form = form_object(&String::from_utf8_lossy(&body));
            ["team_id", "api_app_id"]
                .iter()
                .filter_map(|k| form.get(*k).and_then(Value::as_str))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        let tenant = self.route(req, "slack", ids).await?;
        let (status, config) = self.tenant(&tenant).await?;
        let secret = secret(&config, "/channels/slack/signing_secret")?;
        let mut base = format!("v0:{ts}:").into_bytes();
        base.extend_from_slice(&body);
        verify_mac(&secret, &base, hexsig)?;
        self.admit(&tenant, &status, "slack").await?;
        let text = std::str::from_utf8(&body).map_err(|_| malformed("Body is not UTF-8"))?;
        let msg = if text.trim_start().starts_with('{') {
            let v: Value =
                serde_json::from_str(text).map_err(|_| malformed("Body is not valid JSON"))?;
            let cb: SlackEventCallback = parse_payload(v)?;
            if cb.callback_type.as_deref() == Some("url_verification") {
                return Ok(Json(SlackResponse {
                    challenge: Some(cb.challenge.unwrap_or_default()),
                    ..Default::default()
                }));
            }
            let ev = cb.event.ok_or_else(|| malformed("event is required"))?;
            match (cb.event_id, ev.user, ev.text) {
                (Some(event_id), Some(user), Some(text)) => Inbound {
                    event_id,
                    user,
                    text,
                },
                _ => {
                    return Err(
                        malformed("event_id, event.user and event.text are required").into(),
                    )
                }
            }
        } else {
            let cmd: SlackCommand = parse_payload(form_object(text))?;
            match (cmd.trigger_id, cmd.user_id, cmd.text) {
                (Some(event_id), Some(user), Some(text)) => Inbound {
                    event_id,
                    user,
                    text,
                },
                _ => return Err(malformed("trigger_id, user_id and text are required").into()),
            }
        };
        let results = self.ingest(tenant, "slack", vec![msg]).await?;
        let reply = results
            .into_iter()
            .next()
            .map(|r| r.reply)
            .ok_or_else(|| ApiError::internal("no reply"))?;
        let actions: Vec<SlackAction> = reply
            .response
            .quick_replies
            .iter()
            .map(|q| SlackAction {
                name: q.payload.clone(),
                text: q.title.clone(),
                action_type: "button".into(),
                value: q.payload.clone(),
            })
            .collect();
        let attachments = (!actions.is_empty()).then(|| {
            vec![SlackAttachment {
                text: "What would you like to do?".into(),
                fallback: "Options".into(),
                callback_id: reply.conversation_state.current_intent.clone(),
                color: "good".into(),
                actions,
            }]
        });
        Ok(Json(SlackResponse {
            response_type: Some("in_channel".into()),
            text: Some(reply.response.text),
            attachments,
            challenge: None,
        }))
    }

    /// Microsoft Teams activities; `Authorization: Bearer <channels.teams.webhook_token>`.
    /// Routed to the tenant whose `channels.teams.app_id` is `recipient.id`
    /// (with or without the `28:` prefix).
    #[oai(path = "/webhooks/teams", method = "post", tag = "ApiTags::Webhooks")]
    async fn teams(&self, req: &Request, body: Signed<TeamsActivity>) -> Result<Json<TeamsReply>> {
        let given = header(req, "authorization")
            .and_then(|h| h.strip_prefix("Bearer ").map(str::to_string))
            .ok_or_else(unauthorized)?;
        let mut ids = identities_in(&body.bytes, &[&["recipient", "id"]]);
        if let Some(bare) = ids.first().and_then(|i| i.strip_prefix("28:")) {
            ids.push(bare.to_string());
        }
        let tenant = self.route(req, "teams", ids).await?;
        let (status, config) = self.tenant(&tenant).await?;
        let token = secret(&config, "/channels/teams/webhook_token")?;
        if !same_token(&given, &token) {
            return Err(unauthorized().into());
        }
        self.admit(&tenant, &status, "teams").await?;
        let a = body.parse()?;
        let (id, from, text) = (a.id, a.from.id, a.text);
        let r = self
            .ingest(
                tenant,
                "teams",
                vec![Inbound {
                    event_id: id,
                    user: from,
                    text,
                }],
            )
            .await?;
        let reply = r
            .into_iter()
            .next()
            .map(|r| r.reply)
            .ok_or_else(|| ApiError::internal("no reply"))?;
        Ok(Json(TeamsReply {
            reply_type: "message".into(),
            text: reply.response.text,
            conversation_id: reply.conversation_id,
        }))
    }

    /// Telegram updates; `X-Telegram-Bot-Api-Secret-Token` must equal `channels.telegram.secret_token`,
    /// which also routes the update to its tenant (an unknown token is 401).
    #[oai(
        path = "/webhooks/telegram",
        method = "post",
        tag = "ApiTags::Webhooks"
    )]
    async fn telegram(
        &self,
        req: &Request,
        body: Signed<TelegramUpdate>,
    ) -> Result<Json<TelegramReply>> {
        let given = header(req, "x-telegram-bot-api-secret-token").ok_or_else(unauthorized)?;
        // The secret token is the identity: an unknown one is a bad token (401).
        let tenant = match named_tenant(req) {
            Some(t) => t,
            None => {
                let key = hashed(&given);
                self.platform
                    .db
                    .read(move |c| channel_route(c, "telegram", &key))
                    .await?
                    .ok_or_else(unauthorized)?
            }
        };
        let (status, config) = self.tenant(&tenant).await?;
        let token = secret(&config, "/channels/telegram/secret_token")?;
        if !same_token(&given, &token) {
            return Err(unauthorized().into());
        }
        self.admit(&tenant, &status, "telegram").await?;
        let u = body.parse()?;
        let (from, text) = u
            .message
            .map(|m| (m.from.and_then(|f| f.id), m.text))
            .unwrap_or_default();
        let (Some(upd), Some(from), Some(text)) = (u.update_id, from, text) else {
            return Err(
                malformed("update_id, message.from.id and message.text are required").into(),
            );
        };
        let r = self
            .ingest(
                tenant,
                "telegram",
                vec![Inbound {
                    event_id: upd.to_string(),
                    user: from.to_string(),
                    text,
                }],
            )
            .await?;
        let reply = r
            .into_iter()
            .next()
            .map(|r| r.reply)
            .ok_or_else(|| ApiError::internal("no reply"))?;
        // With a bot token the reply is sent through the Bot API (a job);
        // the answer then carries no method, so Telegram does not send it twice.
        let method = (!crate::delivery::telegram_has_token(&config)).then(|| "sendMessage".into());
        Ok(Json(TelegramReply {
            method,
            chat_id: from,
            text: reply.response.text,
        }))
    }

    /// Custom integration events; `Authorization: Bearer <integrations.<integration_id>.webhook_token>`
    /// (the token finds the tenant; `X-Tenant-ID` is not needed). Every tenant
    /// starts with the integration `incoming`, whose URL and token tenant
    /// creation returns in `webhook_endpoints`.
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
        body: Signed<GenericWebhookEvent>,
    ) -> Result<Json<GenericWebhookResult>> {
        let given = header(req, "authorization")
            .and_then(|h| h.strip_prefix("Bearer ").map(str::to_string))
            .ok_or_else(unauthorized)?;
        // The tenant: named, or the one whose integration owns the token.
        let tenant = match named_tenant(req) {
            Some(t) => t,
            None => {
                let key = hashed(&given);
                self.platform
                    .db
                    .read(move |c| channel_route(c, "generic", &key))
                    .await?
                    .ok_or_else(unauthorized)?
            }
        };
        let (status, config) = self.tenant(&tenant).await?;
        let key = integration_id.0.replace(['/', '~'], "");
        let token = secret(&config, &format!("/integrations/{key}/webhook_token"))
            .map_err(|_| ChatbotError::IntegrationNotFound.with_message("Integration not found"))?;
        if !same_token(&given, &token) {
            return Err(unauthorized().into());
        }
        if status != "active" {
            return Err(tenant_suspended().into());
        }
        let ev = body.parse()?;
        let event = ev
            .event_type
            .ok_or_else(|| malformed("event_type is required"))?;
        let data = ev
            .data
            .and_then(|d| poem_openapi::types::ToJSON::to_json(&d))
            .unwrap_or_else(|| json!({}));
        let customer = ev.customer_id;
        if event == "customer_updated" && customer.is_none() {
            return Err(malformed("customer_id is required for customer_updated").into());
        }
        let event_id = format!("evt_{}", uuid::Uuid::new_v4().simple());
        let eid = event_id.clone();
        let (actions, affected) = self
            .platform
            .db
            .write(move |tx| {
                record_generic_event(tx, &tenant, &eid, &event, customer.as_deref(), &data)
            })
            .await?;
        Ok(Json(GenericWebhookResult {
            status: "processed".into(),
            event_id,
            actions_taken: actions,
            affected_conversations: affected,
        }))
    }

    /// Subscription verification: echoes `hub.challenge` when `hub.verify_token`
    /// equals the tenant's `channels.<channel>.verify_token` (the token also
    /// finds the tenant when neither `X-Tenant-ID` nor `?tenant_id=` is sent).
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
            return Err(ChatbotError::ChannelNotFound
                .with_message("Unknown channel")
                .into());
        }
        let invalid_token =
            || ChatbotError::InvalidVerifyToken.with_message("verify_token does not match");
        let tenant = match named_tenant(req) {
            Some(t) => t,
            None => {
                let (ch, key) = (
                    format!("{}.verify", channel.0),
                    hashed(verify_token.0.as_deref().unwrap_or_default()),
                );
                self.platform
                    .db
                    .read(move |c| channel_route(c, &ch, &key))
                    .await?
                    .ok_or_else(invalid_token)?
            }
        };
        let (_, config) = self.tenant(&tenant).await?;
        let expected = secret(&config, &format!("/channels/{}/verify_token", channel.0))?;
        if mode.0.as_deref() != Some("subscribe") {
            return Err(ApiError::invalid("hub.mode", "hub.mode must be subscribe").into());
        }
        let challenge = challenge
            .0
            .ok_or_else(|| ApiError::invalid("hub.challenge", "hub.challenge is required"))?;
        if !same_token(verify_token.0.as_deref().unwrap_or_default(), &expected) {
            return Err(invalid_token().into());
        }
        Ok(PlainText(challenge))
    }
}
