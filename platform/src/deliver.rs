//! Outbound messages through the vendors' real APIs: WhatsApp Cloud API,
//! Messenger Send API, Slack `chat.postMessage`, Telegram `sendMessage`,
//! Microsoft Teams (Bot Framework connector), Twilio-compatible SMS, push
//! through an operator's HTTP endpoint, and e-mail through [`crate::mail`].
//!
//! Every call goes through the platform's [`Outbound`] client (public
//! addresses only unless the operator allows others). Base URLs default to
//! the vendors' and are settings ([`DeliverySettings`]), so a test or a proxy
//! can stand in. A call answers an [`Outcome`]:
//! - `Sent`: the vendor accepted the message (its id, and its price when the
//!   answer carries one, e.g. Twilio's `price`);
//! - `Retry`: the vendor could not be reached, answered 429 or 5xx — the
//!   caller's platform job retries with backoff;
//! - `Failed`: the vendor refused the message (4xx, Slack/Telegram `ok:false`)
//!   or there is no recipient — retrying would not help;
//! - `NotConfigured`: the channel has no credentials; nothing was sent.
//!
//! "Delivered" is never claimed here: only a vendor's status report
//! (WhatsApp status webhook, Twilio status callback; see [`crate::callbacks`]) says so.
//!
//! Teams: a bot's app id and password are exchanged for a Bot Framework
//! connector token (OAuth client credentials at `teams_login_base_url`),
//! cached until a minute before it expires; a ready token may be given instead.

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::mail::{Mail, Mailer};
use crate::outbound::describe;
use crate::state::Platform;

/// The channels this service sends through.
pub const CHANNELS: &[&str] = &[
    "whatsapp",
    "messenger",
    "slack",
    "telegram",
    "teams",
    "sms",
    "push",
    "email",
];

/// How many times a delivery job is tried before the message is `failed`.
pub const MAX_ATTEMPTS: i64 = 4;

/// Where and with what the server sends (the `delivery_*` settings).
/// Base URLs default to the vendors'; credentials that belong to a tenant
/// (chatbot channel settings) are passed per call in [`Credentials`].
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Graph API host for WhatsApp Cloud API and Messenger (`https://graph.facebook.com`).
    pub meta_base_url: String,
    /// Graph API version in the path (`v21.0`).
    pub meta_api_version: String,
    /// Slack Web API (`https://slack.com/api`).
    pub slack_base_url: String,
    /// Telegram Bot API (`https://api.telegram.org`).
    pub telegram_base_url: String,
    /// Bot Framework connector service URL (`https://smba.trafficmanager.net/teams`).
    pub teams_service_url: String,
    /// Microsoft identity platform, where a Teams bot's app id and password
    /// are exchanged for a connector token (`https://login.microsoftonline.com`;
    /// the token is asked at `{this}/botframework.com/oauth2/v2.0/token`).
    pub teams_login_base_url: String,
    /// Twilio REST API (`https://api.twilio.com`).
    pub twilio_base_url: String,
    /// Server-wide senders (used by the marketplace): Twilio account SID,
    /// auth token and sender number.
    pub twilio_account_sid: Option<String>,
    pub twilio_auth_token: Option<String>,
    pub twilio_from: Option<String>,
    /// Server-wide WhatsApp sender: access token and phone number id.
    pub whatsapp_token: Option<String>,
    pub whatsapp_phone_number_id: Option<String>,
    /// The server-wide WhatsApp app's secret: checks `X-Hub-Signature-256`
    /// of its status webhooks (`/marketplace/v1/webhooks/whatsapp/status`).
    pub whatsapp_app_secret: Option<String>,
    /// The token Meta's webhook verification (`hub.verify_token`) must give.
    pub whatsapp_verify_token: Option<String>,
    /// Push: the operator's HTTP endpoint (receives `{to, title, body, data}`) and its bearer token.
    pub push_url: Option<String>,
    pub push_token: Option<String>,
    /// Cost of one message by channel, counted when the vendor's answer
    /// carries no price (`delivery_costs`, e.g. `sms=0.0079,whatsapp=0.005`); 0 when unset.
    pub costs: BTreeMap<String, f64>,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            meta_base_url: "https://graph.facebook.com".into(),
            meta_api_version: "v21.0".into(),
            slack_base_url: "https://slack.com/api".into(),
            telegram_base_url: "https://api.telegram.org".into(),
            teams_service_url: "https://smba.trafficmanager.net/teams".into(),
            teams_login_base_url: "https://login.microsoftonline.com".into(),
            twilio_base_url: "https://api.twilio.com".into(),
            twilio_account_sid: None,
            twilio_auth_token: None,
            twilio_from: None,
            whatsapp_token: None,
            whatsapp_phone_number_id: None,
            whatsapp_app_secret: None,
            whatsapp_verify_token: None,
            push_url: None,
            push_token: None,
            costs: BTreeMap::new(),
        }
    }
}

impl DeliverySettings {
    /// Parses `channel=cost` pairs (comma-separated); bad entries are named.
    pub fn parse_costs(entries: &[String]) -> Result<BTreeMap<String, f64>, String> {
        let mut out = BTreeMap::new();
        for e in entries.iter().flat_map(|s| s.split(',')) {
            let e = e.trim();
            if e.is_empty() {
                continue;
            }
            let (k, v) = e
                .split_once('=')
                .ok_or_else(|| format!("delivery cost '{e}' must be channel=amount"))?;
            let cost: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|c: &f64| c.is_finite() && *c >= 0.0)
                .ok_or_else(|| format!("delivery cost '{e}': amount must be a number >= 0"))?;
            out.insert(k.trim().to_ascii_lowercase(), cost);
        }
        Ok(out)
    }

    /// The configured cost of one message on `channel` (0 when unset).
    pub fn cost_of(&self, channel: &str) -> f64 {
        self.costs.get(channel).copied().unwrap_or(0.0)
    }
}

/// A tenant's (or the server's) credentials for one channel.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// WhatsApp/Messenger access token, Slack/Telegram bot token, Teams
    /// connector bearer token, Twilio auth token, push token.
    pub token: Option<String>,
    /// WhatsApp phone number id; Teams bot (app) id; Twilio account SID.
    pub account: Option<String>,
    /// SMS sender number.
    pub from: Option<String>,
    /// Teams: the service URL (else the setting's).
    pub service_url: Option<String>,
    /// Teams: the bot's app password (client secret), exchanged with
    /// `account` (the app id) for a connector token when `token` is unset.
    pub secret: Option<String>,
}

/// One message to send.
#[derive(Debug, Clone)]
pub struct Message {
    pub channel: String,
    /// Phone number (WhatsApp, SMS), page-scoped id (Messenger), user or
    /// channel id (Slack), chat id (Telegram), user id (Teams, push), e-mail address.
    pub to: String,
    pub text: String,
    /// E-mail subject, push title.
    pub subject: Option<String>,
    /// Twilio `StatusCallback` URL, when the server has a public one.
    pub status_callback: Option<String>,
}

/// What happened to one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The vendor accepted it; its message id and price when it said.
    Sent {
        vendor_id: Option<String>,
        price: Option<f64>,
    },
    /// Temporary trouble: try again later.
    Retry(String),
    /// The vendor refused it (or there is no one to send to).
    Failed(String),
    /// The channel has no credentials: nothing was sent.
    NotConfigured(String),
}

impl Outcome {
    /// The message status this outcome means: sent, queued (retrying), failed, not_configured.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Sent { .. } => "sent",
            Outcome::Retry(_) => "queued",
            Outcome::Failed(_) => "failed",
            Outcome::NotConfigured(_) => "not_configured",
        }
    }

    /// The reason, when not sent.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Sent { .. } => None,
            Outcome::Retry(r) | Outcome::Failed(r) | Outcome::NotConfigured(r) => Some(r),
        }
    }
}

fn needs(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn trim_base(s: &str) -> &str {
    s.trim_end_matches('/')
}

/// Sends `msg` on its channel with `creds` (the caller's or the server's).
pub async fn send(platform: &Platform, creds: &Credentials, msg: &Message) -> Outcome {
    let s = &platform.settings.delivery;
    let out = &platform.outbound;
    if msg.to.trim().is_empty() {
        return Outcome::Failed(format!("no {} recipient", msg.channel));
    }
    match msg.channel.as_str() {
        "whatsapp" => {
            let (Some(token), Some(number)) = (needs(&creds.token), needs(&creds.account)) else {
                return Outcome::NotConfigured(
                    "WhatsApp needs an access token and a phone number id".into(),
                );
            };
            let url = format!(
                "{}/{}/{}/messages",
                trim_base(&s.meta_base_url),
                s.meta_api_version,
                number
            );
            let body = json!({"messaging_product": "whatsapp", "recipient_type": "individual",
                "to": msg.to, "type": "text", "text": {"preview_url": false, "body": msg.text}});
            let req = out.client().post(&url).bearer_auth(token).json(&body);
            call(&url, req, |v| {
                v.pointer("/messages/0/id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .await
        }
        "messenger" => {
            let Some(token) = needs(&creds.token) else {
                return Outcome::NotConfigured("Messenger needs a page access token".into());
            };
            let url = format!(
                "{}/{}/me/messages",
                trim_base(&s.meta_base_url),
                s.meta_api_version
            );
            let body = json!({"recipient": {"id": msg.to}, "messaging_type": "RESPONSE",
                "message": {"text": msg.text}});
            let req = out.client().post(&url).bearer_auth(token).json(&body);
            call(&url, req, |v| {
                v.get("message_id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .await
        }
        "slack" => {
            let Some(token) = needs(&creds.token) else {
                return Outcome::NotConfigured("Slack needs a bot token".into());
            };
            let url = format!("{}/chat.postMessage", trim_base(&s.slack_base_url));
            let body = json!({"channel": msg.to, "text": msg.text});
            let req = out.client().post(&url).bearer_auth(token).json(&body);
            call(&url, req, |v| {
                v.get("ts").and_then(Value::as_str).map(str::to_string)
            })
            .await
        }
        "telegram" => {
            let Some(token) = needs(&creds.token) else {
                return Outcome::NotConfigured("Telegram needs a bot token".into());
            };
            let base = trim_base(&s.telegram_base_url);
            let url = format!("{base}/bot{token}/sendMessage");
            let shown = format!("{base}/bot***/sendMessage");
            let chat: Value = msg
                .to
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(msg.to.clone()));
            let body = json!({"chat_id": chat, "text": msg.text});
            let req = out.client().post(&url).json(&body);
            call(&shown, req, |v| {
                v.pointer("/result/message_id").map(|id| match id {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            })
            .await
        }
        "teams" => {
            let Some(bot) = needs(&creds.account) else {
                return Outcome::NotConfigured(
                    "Teams needs the bot's app_id and its app password (app_secret) or a connector token (bot_token)".into(),
                );
            };
            let mut exchanged = None;
            let token = match (needs(&creds.token), needs(&creds.secret)) {
                (Some(token), _) => token.to_string(),
                (None, Some(password)) => match teams_token(platform, bot, password).await {
                    Ok(token) => {
                        exchanged = Some(password);
                        token
                    }
                    Err(outcome) => return outcome,
                },
                (None, None) => {
                    return Outcome::NotConfigured(
                        "Teams needs the bot's app password (app_secret) or a connector token (bot_token)".into(),
                    )
                }
            };
            let token = token.as_str();
            let service = needs(&creds.service_url).unwrap_or(&s.teams_service_url);
            let service = trim_base(service);
            // Open (or find) the 1:1 conversation with the user, then post into it.
            let url = format!("{service}/v3/conversations");
            let body = json!({"bot": {"id": bot}, "members": [{"id": msg.to}], "isGroup": false});
            let req = out.client().post(&url).bearer_auth(token).json(&body);
            let conv = match call(&url, req, |v| {
                v.get("id").and_then(Value::as_str).map(str::to_string)
            })
            .await
            {
                Outcome::Sent {
                    vendor_id: Some(id),
                    ..
                } => id,
                Outcome::Sent {
                    vendor_id: None, ..
                } => return Outcome::Failed("Teams answered no conversation id".into()),
                // An exchanged token the connector refuses is forgotten: the
                // retry asks for a new one.
                Outcome::Failed(why) if why.starts_with("HTTP 401") => {
                    if let Some(password) = exchanged {
                        forget_teams_token(&s.teams_login_base_url, bot, password);
                        return Outcome::Retry(why);
                    }
                    return Outcome::Failed(why);
                }
                other => return other,
            };
            let url = format!(
                "{service}/v3/conversations/{}/activities",
                url::form_urlencoded::byte_serialize(conv.as_bytes()).collect::<String>()
            );
            let body = json!({"type": "message", "from": {"id": bot}, "recipient": {"id": msg.to},
                "text": msg.text});
            let req = out.client().post(&url).bearer_auth(token).json(&body);
            call(&url, req, |v| {
                v.get("id").and_then(Value::as_str).map(str::to_string)
            })
            .await
        }
        "sms" => {
            let (Some(sid), Some(token), Some(from)) = (
                needs(&creds.account),
                needs(&creds.token),
                needs(&creds.from),
            ) else {
                return Outcome::NotConfigured(
                    "SMS needs a Twilio account SID, auth token and sender number".into(),
                );
            };
            let url = format!(
                "{}/2010-04-01/Accounts/{sid}/Messages.json",
                trim_base(&s.twilio_base_url)
            );
            let form = {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                form.append_pair("To", &msg.to)
                    .append_pair("From", from)
                    .append_pair("Body", &msg.text);
                if let Some(cb) = &msg.status_callback {
                    form.append_pair("StatusCallback", cb);
                }
                form.finish()
            };
            let req = out
                .client()
                .post(&url)
                .basic_auth(sid, Some(token))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form);
            call(&url, req, |v| {
                v.get("sid").and_then(Value::as_str).map(str::to_string)
            })
            .await
        }
        "push" => {
            let Some(url) = needs(&s.push_url) else {
                return Outcome::NotConfigured("push needs delivery_push_url".into());
            };
            let body = json!({"to": msg.to, "title": msg.subject, "body": msg.text});
            let mut req = out.client().post(url).json(&body);
            if let Some(token) = needs(&s.push_token) {
                req = req.bearer_auth(token);
            }
            call(url, req, |v| {
                v.get("id").and_then(Value::as_str).map(str::to_string)
            })
            .await
        }
        "email" => match Mailer::from_settings(&platform.settings) {
            None => Outcome::NotConfigured("e-mail needs smtp_url".into()),
            Some(Err(e)) => Outcome::NotConfigured(e.to_string()),
            Some(Ok(mailer)) => {
                let mail = Mail {
                    to: vec![msg.to.clone()],
                    subject: msg.subject.clone().unwrap_or_default(),
                    body: msg.text.clone(),
                    attachment: None,
                };
                match mailer.send(mail).await {
                    Ok(()) => Outcome::Sent {
                        vendor_id: None,
                        price: None,
                    },
                    Err(e @ crate::mail::MailError::Delivery(_)) => Outcome::Retry(e.to_string()),
                    Err(e) => Outcome::Failed(e.to_string()),
                }
            }
        },
        other => Outcome::Failed(format!("no delivery for channel {other}")),
    }
}

/// Connector tokens by login base URL, app id and password digest, each
/// kept until a minute before it expires.
static TEAMS_TOKENS: LazyLock<Mutex<HashMap<String, (String, Instant)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn teams_key(login_base: &str, app_id: &str, password: &str) -> String {
    format!(
        "{}\n{app_id}\n{}",
        trim_base(login_base),
        hex::encode(Sha256::digest(password.as_bytes()))
    )
}

/// Held while a connector token is being exchanged.
static TEAMS_EXCHANGE: LazyLock<tokio::sync::Mutex<()>> =
    LazyLock::new(|| tokio::sync::Mutex::new(()));

fn cached_teams_token(key: &str) -> Option<String> {
    TEAMS_TOKENS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(key)
        .filter(|(_, until)| *until > Instant::now())
        .map(|(token, _)| token.clone())
}

fn forget_teams_token(login_base: &str, app_id: &str, password: &str) {
    TEAMS_TOKENS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&teams_key(login_base, app_id, password));
}

/// A Bot Framework connector token for Teams bot `app_id`: the cached one
/// while it lasts, else the OAuth client-credentials exchange at
/// `{teams_login_base_url}/botframework.com/oauth2/v2.0/token` (scope
/// `https://api.botframework.com/.default`). Err is the outcome to report.
async fn teams_token(platform: &Platform, app_id: &str, password: &str) -> Result<String, Outcome> {
    let base = trim_base(&platform.settings.delivery.teams_login_base_url);
    let key = teams_key(base, app_id, password);
    if let Some(token) = cached_teams_token(&key) {
        return Ok(token);
    }
    // One exchange at a time: replies sent together wait for the first
    // exchange's token instead of each asking the login server.
    let _one_exchange = TEAMS_EXCHANGE.lock().await;
    if let Some(token) = cached_teams_token(&key) {
        return Ok(token);
    }
    let url = format!("{base}/botframework.com/oauth2/v2.0/token");
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_id", app_id)
        .append_pair("client_secret", password)
        .append_pair("scope", "https://api.botframework.com/.default")
        .finish();
    let req = platform
        .outbound
        .client()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form);
    let resp = req
        .send()
        .await
        .map_err(|e| transport_error(&format!("Teams token: {url}"), &e))?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let why = || {
        let said = v
            .get("error_description")
            .and_then(Value::as_str)
            .map(|d| d.lines().next().unwrap_or_default().to_string())
            .or_else(|| vendor_error(&v))
            .unwrap_or_else(|| text.chars().take(200).collect());
        format!("Teams token: HTTP {}: {said}", status.as_u16())
    };
    if status.as_u16() == 429 || status.is_server_error() {
        return Err(Outcome::Retry(why()));
    }
    if !status.is_success() {
        return Err(Outcome::Failed(why()));
    }
    let Some(token) = v.get("access_token").and_then(Value::as_str) else {
        return Err(Outcome::Failed(
            "Teams token: the answer has no access_token".into(),
        ));
    };
    let lasts = v
        .get("expires_in")
        .and_then(|e| {
            e.as_u64()
                .or_else(|| e.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(3600);
    let until = Instant::now() + Duration::from_secs(lasts.saturating_sub(60));
    TEAMS_TOKENS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, (token.to_string(), until));
    Ok(token.to_string())
}

/// A call that got no answer: retried, unless the address is refused by policy.
fn transport_error(shown: &str, e: &reqwest::Error) -> Outcome {
    let why = describe(e);
    // A refused address will not change by retrying.
    if why.contains("not public") || why.contains("not a public address") {
        return Outcome::Failed(format!("{shown}: {why}"));
    }
    Outcome::Retry(format!("{shown}: {why}"))
}

/// Makes one call and reads the vendor's answer into an [`Outcome`].
async fn call(
    shown: &str,
    req: reqwest::RequestBuilder,
    id_of: impl Fn(&Value) -> Option<String>,
) -> Outcome {
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return transport_error(shown, &e),
    };
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let vendor_error =
        vendor_error(&v).unwrap_or_else(|| text.chars().take(200).collect::<String>());
    if status.as_u16() == 429 || status.is_server_error() {
        return Outcome::Retry(format!("HTTP {}: {vendor_error}", status.as_u16()));
    }
    if !status.is_success() {
        return Outcome::Failed(format!("HTTP {}: {vendor_error}", status.as_u16()));
    }
    // Slack and Telegram answer 200 with `ok: false` on errors.
    if v.get("ok") == Some(&Value::Bool(false)) {
        if vendor_error.contains("ratelimited") {
            return Outcome::Retry(vendor_error);
        }
        return Outcome::Failed(vendor_error);
    }
    let price = v
        .get("price")
        .and_then(|p| match p {
            Value::String(s) => s.parse::<f64>().ok(),
            Value::Number(n) => n.as_f64(),
            _ => None,
        })
        .map(f64::abs);
    Outcome::Sent {
        vendor_id: id_of(&v),
        price,
    }
}

/// The vendor's own words for an error, from the shapes the vendors use.
fn vendor_error(v: &Value) -> Option<String> {
    v.pointer("/error/message")
        .or_else(|| v.get("description"))
        .or_else(|| v.get("message"))
        .or_else(|| v.get("error"))
        .and_then(|e| match e {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_parse() {
        let c = DeliverySettings::parse_costs(&["sms=0.0079, whatsapp=0.005".into()]).unwrap();
        assert_eq!(c.get("sms"), Some(&0.0079));
        assert!(DeliverySettings::parse_costs(&["sms".into()]).is_err());
        assert!(DeliverySettings::parse_costs(&["sms=-1".into()]).is_err());
    }

    #[test]
    fn vendor_errors_are_read() {
        assert_eq!(
            vendor_error(&json!({"error": {"message": "Invalid OAuth access token", "code": 190}})),
            Some("Invalid OAuth access token".into())
        );
        assert_eq!(
            vendor_error(&json!({"ok": false, "error": "channel_not_found"})),
            Some("channel_not_found".into())
        );
        assert_eq!(
            vendor_error(
                &json!({"ok": false, "error_code": 400, "description": "Bad Request: chat not found"})
            ),
            Some("Bad Request: chat not found".into())
        );
    }
}
