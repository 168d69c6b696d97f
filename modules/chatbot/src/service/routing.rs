//! Which tenant an incoming channel webhook belongs to. Channels cannot send
//! `X-Tenant-ID`, so each tenant's channel settings name the channel's
//! identity, and saving them writes a route (`chatbot_channel_routes`,
//! indexed by channel and identity) that the webhook looks up:
//!
//! | channel | setting | in the webhook |
//! |---|---|---|
//! | whatsapp | `phone_number_id` | `entry[].changes[].value.metadata.phone_number_id` |
//! | messenger | `page_id` | `entry[].id` |
//! | slack | `team_id`, `workspace_id`, `api_app_id` | `team_id`, `api_app_id` |
//! | teams | `app_id` | `recipient.id` (with or without `28:`) |
//! | telegram | `secret_token` | `X-Telegram-Bot-Api-Secret-Token` (stored hashed) |
//! | any (verification) | `verify_token` | `hub.verify_token` (stored hashed) |
//! | generic | `integrations.<name>.webhook_token` | `Authorization: Bearer` (stored hashed) |

use crate::errors::ChatbotError;
use frontline_platform::ApiResult;
use rusqlite::Connection;
use serde_json::Value;

use crate::access::sha256_hex;
use crate::store::{channel_route, insert_channel_route, tenant_configs};

/// One identity a tenant's configuration claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The channel, or `<channel>.verify` for verification tokens.
    pub channel: String,
    /// The identity (secrets as `sha256:<hex>`).
    pub identity: String,
    /// The configuration field it comes from, for errors.
    pub field: String,
}

/// Plain identities: (channel, setting).
const PLAIN: &[(&str, &str)] = &[
    ("whatsapp", "phone_number_id"),
    ("messenger", "page_id"),
    ("slack", "team_id"),
    ("slack", "workspace_id"),
    ("slack", "api_app_id"),
    ("teams", "app_id"),
];

/// The route key of a secret identity (tokens are never stored in the clear here).
pub fn hashed(secret: &str) -> String {
    format!("sha256:{}", sha256_hex(secret))
}

/// The identities a tenant's configuration claims.
pub fn identities(config: &Value) -> Vec<Identity> {
    let mut out = vec![];
    let text = |ch: &str, key: &str| {
        config
            .pointer(&format!("/channels/{ch}/{key}"))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    for (ch, key) in PLAIN {
        if let Some(v) = text(ch, key) {
            out.push(Identity {
                channel: ch.to_string(),
                identity: v,
                field: format!("configuration.channels.{ch}.{key}"),
            });
        }
    }
    if let Some(t) = text("telegram", "secret_token") {
        out.push(Identity {
            channel: "telegram".into(),
            identity: hashed(&t),
            field: "configuration.channels.telegram.secret_token".into(),
        });
    }
    for ch in crate::service::CHANNELS {
        if let Some(t) = text(ch, "verify_token") {
            out.push(Identity {
                channel: format!("{ch}.verify"),
                identity: hashed(&t),
                field: format!("configuration.channels.{ch}.verify_token"),
            });
        }
    }
    // Generic integrations are found by their webhook token.
    if let Some(map) = config.get("integrations").and_then(Value::as_object) {
        for (name, i) in map {
            if let Some(t) = i
                .get("webhook_token")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                out.push(Identity {
                    channel: "generic".into(),
                    identity: hashed(t),
                    field: format!("configuration.integrations.{name}.webhook_token"),
                });
            }
        }
    }
    out.dedup_by(|a, b| a.channel == b.channel && a.identity == b.identity);
    out
}

/// Replaces `tenant`'s routes with the identities of `config`; 409
/// `CHANNEL_IDENTITY_TAKEN` when another tenant already routes one of them
/// (verification tokens may be shared: the first tenant keeps the route).
pub fn save_routes(tx: &Connection, tenant: &str, config: &Value) -> ApiResult<()> {
    crate::store::delete_channel_routes(tx, tenant)?;
    for id in identities(config) {
        if let Some(owner) = channel_route(tx, &id.channel, &id.identity)? {
            if owner != tenant && !id.channel.ends_with(".verify") {
                return Err(ChatbotError::ChannelIdentityTaken
                    .with_message("Another tenant already uses this channel identity")
                    .with_detail(id.field, "already configured by another tenant"));
            }
            continue;
        }
        insert_channel_route(tx, &id.channel, &id.identity, tenant)?;
    }
    Ok(())
}

/// Writes the routes of every tenant that has none yet (tenants configured
/// before routes existed); identities already routed are left to their tenant.
pub fn backfill(tx: &Connection) -> ApiResult<()> {
    for (tenant, config) in tenant_configs(tx, true)? {
        for id in identities(&config) {
            if channel_route(tx, &id.channel, &id.identity)?.is_none() {
                insert_channel_route(tx, &id.channel, &id.identity, &tenant)?;
            }
        }
    }
    Ok(())
}
