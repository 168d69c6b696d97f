//! Delivery of bot and agent replies to the channels a conversation came
//! from (WhatsApp, Messenger, Slack, Telegram, Teams) through the platform's
//! vendor clients (`frontline_platform::deliver`), with the tenant's channel
//! settings as credentials:
//! - WhatsApp: `channels.whatsapp.access_token` and `phone_number_id`;
//! - Messenger: `channels.messenger.page_access_token`;
//! - Slack: `channels.slack.bot_token` (the reply goes to the user's DM);
//! - Telegram: `channels.telegram.bot_token`;
//! - Teams: `channels.teams.app_id` and `app_secret` (the bot's app
//!   password, exchanged for a Bot Framework connector token and cached until
//!   it expires), or a ready connector token in `bot_token`; optionally `service_url`.
//!
//! A reply to such a conversation is stored `queued` and a platform job sends
//! it: `sent` when the vendor accepted it, `delivered`/`read` when WhatsApp
//! reports so (`delivered` when a Messenger delivery receipt names it), `failed` with the vendor's reason (after retries with backoff
//! for temporary errors), `not_configured` when the channel has no
//! credentials. Web and API replies are answered in the HTTP response and
//! keep `sent`, and so are Telegram replies when no bot token is set (the
//! webhook's answer carries them).

use std::sync::Arc;

use frontline_platform::callbacks;
use frontline_platform::deliver::{self, Credentials, Message, Outcome};
use frontline_platform::{jobs, ApiResult, Platform};
use rusqlite::Connection;
use serde_json::{json, Value};

use crate::model::parse_json;
use crate::store::delivery as store;
use crate::store::tenant_config;

/// The job that sends one reply.
pub const DELIVER_JOB: &str = "chatbot.reply.deliver";

/// Channels whose replies are sent through a vendor API.
pub const DELIVERED_CHANNELS: &[&str] = &["whatsapp", "messenger", "slack", "telegram", "teams"];

/// Queues delivery of outbound message `message_id` when its conversation
/// came from a delivered channel (call in the transaction that stored it):
/// the message becomes `queued`. Returns whether a delivery was queued.
pub fn enqueue_reply(
    tx: &Connection,
    tenant: &str,
    conversation_id: &str,
    message_id: &str,
) -> ApiResult<bool> {
    let Some((channel, user)) = store::conversation_target(tx, tenant, conversation_id)? else {
        return Ok(false);
    };
    queue_if_delivered(tx, tenant, &channel, &user, message_id, || {
        tenant_config(tx, tenant)
    })
}

/// [`enqueue_reply`] for a bot reply in conversation `conv` (as the chat path
/// read it), with the tenant's configuration `config`: no read.
pub fn enqueue_reply_to(
    tx: &Connection,
    tenant: &str,
    config: &Value,
    conv: &crate::model::ConversationRow,
    message_id: &str,
) -> ApiResult<bool> {
    queue_if_delivered(tx, tenant, &conv.channel, &conv.user_id, message_id, || {
        Ok(config.clone())
    })
}

fn queue_if_delivered(
    tx: &Connection,
    tenant: &str,
    channel: &str,
    user: &str,
    message_id: &str,
    config: impl FnOnce() -> ApiResult<Value>,
) -> ApiResult<bool> {
    // Only conversations that came in through the channel's webhook (their
    // users are `<channel>_<vendor id>`); a reply to an API call naming the
    // channel is answered in that call's response.
    if !(DELIVERED_CHANNELS.contains(&channel) && user.starts_with(&format!("{channel}_"))) {
        return Ok(false);
    }
    // Without a bot token a Telegram reply goes back in the webhook's answer
    // (`method: sendMessage`, which Telegram runs): it stays `sent`.
    if channel == "telegram" && !telegram_has_token(&config()?) {
        return Ok(false);
    }
    store::mark_queued(tx, tenant, message_id)?;
    jobs::enqueue_at(
        tx,
        DELIVER_JOB,
        &json!({"tenant_id": tenant, "message_id": message_id, "channel": channel}),
        chrono::Utc::now(),
        deliver::MAX_ATTEMPTS,
    )?;
    Ok(true)
}

/// Whether the tenant's configuration has a Telegram bot token (replies are
/// then sent through the Bot API rather than in the webhook's answer).
pub fn telegram_has_token(config: &Value) -> bool {
    config
        .pointer("/channels/telegram/bot_token")
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty())
}

/// What the job needs: channel, recipient, text, credentials.
fn load(
    c: &Connection,
    tenant: &str,
    message_id: &str,
) -> ApiResult<Option<(Message, Credentials)>> {
    let Some((channel, user, content)) = store::reply_to_send(c, tenant, message_id)? else {
        return Ok(None);
    };
    let config = tenant_config(c, tenant)?;
    let setting = |key: &str| {
        config
            .pointer(&format!("/channels/{channel}/{key}"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let creds = match channel.as_str() {
        "whatsapp" => Credentials {
            token: setting("access_token"),
            account: setting("phone_number_id"),
            ..Default::default()
        },
        "messenger" => Credentials {
            token: setting("page_access_token").or_else(|| setting("access_token")),
            ..Default::default()
        },
        "teams" => Credentials {
            token: setting("bot_token"),
            account: setting("app_id"),
            service_url: setting("service_url"),
            secret: setting("app_secret"),
            ..Default::default()
        },
        _ => Credentials {
            token: setting("bot_token"),
            ..Default::default()
        },
    };
    // Channel users are stored as `<channel>_<the vendor's id>`.
    let to = user
        .strip_prefix(&format!("{channel}_"))
        .map(str::to_string)
        .unwrap_or(user);
    let content = parse_json(&content);
    let text = content
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok(Some((
        Message {
            channel,
            to,
            text,
            subject: None,
            status_callback: None,
        },
        creds,
    )))
}

/// Stores what an attempt did; `last` says no retry follows.
fn record(
    tx: &Connection,
    tenant: &str,
    message_id: &str,
    outcome: &Outcome,
    last: bool,
) -> ApiResult<()> {
    let (status, id, error) = match outcome {
        Outcome::Sent { vendor_id, .. } => ("sent", vendor_id.clone(), None),
        Outcome::Retry(r) if !last => ("queued", None, Some(r.clone())),
        Outcome::Retry(r) | Outcome::Failed(r) => ("failed", None, Some(r.clone())),
        Outcome::NotConfigured(r) => ("not_configured", None, Some(r.clone())),
    };
    store::record_attempt(
        tx,
        tenant,
        message_id,
        status,
        id.as_deref(),
        error.as_deref(),
    )
}

/// WhatsApp status reports (`entry[].changes[].value.statuses[]` of the
/// webhook, read by `frontline_platform::callbacks`): a sent reply becomes
/// `delivered`, `read` or `failed` (with the vendor's error title and code),
/// never stepping back. Returns the messages changed.
pub fn record_whatsapp_statuses(tx: &Connection, tenant: &str, body: &[u8]) -> ApiResult<usize> {
    apply_reports(tx, tenant, &callbacks::whatsapp_statuses(body))
}

/// Messenger delivery receipts (`messaging[].delivery.mids[]`): the replies
/// with those message ids become `delivered`. Receipts that carry only a
/// `watermark`, and read receipts, name no message and change nothing.
pub fn record_messenger_deliveries(tx: &Connection, tenant: &str, body: &[u8]) -> ApiResult<usize> {
    apply_reports(tx, tenant, &callbacks::messenger_deliveries(body))
}

/// Applies vendors' reports to the tenant's replies they name by the
/// vendor's message id; a status only moves forward.
fn apply_reports(
    tx: &Connection,
    tenant: &str,
    reports: &[callbacks::StatusReport],
) -> ApiResult<usize> {
    let mut changed = 0;
    for report in reports {
        let Some(id) = report.vendor_id.as_deref() else {
            continue;
        };
        let Some((message_id, status)) = store::reply_by_vendor_id(tx, tenant, id)? else {
            continue;
        };
        if !callbacks::advances(Some(&status), report.status) {
            continue;
        }
        changed += store::set_status(
            tx,
            tenant,
            &message_id,
            report.status,
            report.reason.as_deref(),
        )?;
    }
    Ok(changed)
}

/// Registers the delivery job with the platform's job runner.
pub fn register_jobs(platform: &Platform) {
    platform.jobs.register(
        DELIVER_JOB,
        Arc::new(|platform: Platform, job: jobs::Job| {
            Box::pin(async move {
                let tenant = job.payload["tenant_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let message = job.payload["message_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let (t, m) = (tenant.clone(), message.clone());
                let loaded = platform
                    .db
                    .read(move |c| load(c, &t, &m))
                    .await
                    .map_err(|e| e.message)?;
                let Some((msg, creds)) = loaded else {
                    return Ok(json!({"status": "gone"}));
                };
                let outcome = deliver::send(&platform, &creds, &msg).await;
                let last = job.attempt >= deliver::MAX_ATTEMPTS;
                let stored = outcome.clone();
                platform
                    .db
                    .write(move |tx| record(tx, &tenant, &message, &stored, last))
                    .await
                    .map_err(|e| e.message)?;
                match outcome {
                    Outcome::Retry(reason) => Err(reason),
                    other => Ok(json!({"status": other.status(), "reason": other.reason()})),
                }
            })
        }),
    );
}
