//! Domain rules of the chatbot: message processing, plans and limits, configuration merge, members and keys.

use crate::access::sha256_hex;
use crate::errors::ChatbotError;
use crate::model::{AiModelSettings, InviteUserRequest, TenantState, TenantUser};
use crate::store::*;

pub mod callers;
pub mod chat;
pub mod conversations;
pub mod export;
pub mod health;
pub mod inbox;
pub mod invitations;
pub mod knowledge;
pub mod messages;
pub mod routing;
pub mod sessions;
pub mod subscriptions;
pub mod tenants;
/// Pure helpers kept in the model (the store uses them too).
pub use crate::model::{
    agent_handle, bot_response, deep_merge, events_module, message_content, minutes_between,
    parse_json, plan_terms, quick_replies, source_of, str_of,
};
pub(crate) use export::*;
use frontline_platform::auth::{now_iso, NewUser};
use frontline_platform::{ApiError, ApiResult, FieldError, Platform};
pub use messages::*;
use rusqlite::Connection;
use serde_json::{json, Value};

pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
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

/// What secrets read back as.
pub(crate) const MASK: &str = "********";

/// Replaces secret values (`*_secret`, `*_token`) with a mask.
pub fn mask_secrets(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    if (k.ends_with("_secret") || k.ends_with("_token") || k == "api_key")
                        && x.is_string()
                    {
                        (k.clone(), json!(MASK))
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

/// Computes the summary of one conversation from its stored messages.
pub(crate) fn summary_of(
    c: &Connection,
    tenant: &str,
    id: &str,
) -> ApiResult<crate::model::ConversationSummary> {
    let conv = load_conv(c, tenant, id)?;
    let crate::store::chat::SummaryRows {
        inbound,
        outbound,
        escalations,
        entities,
        satisfaction,
    } = crate::store::chat::summary_rows(c, tenant, id)?;
    let intents = crate::store::chat::intents_of(c, tenant, id)?;
    Ok(crate::model::ConversationSummary {
        conversation_id: id.to_string(),
        total_messages: inbound + outbound,
        inbound_messages: inbound,
        outbound_messages: outbound,
        duration_minutes: minutes_between(&conv.started_at, &conv.last_activity_at),
        primary_issue: intents.first().map(|(i, _)| i.clone()),
        intents_detected: intents.iter().map(|(i, _)| i.clone()).collect(),
        entities: parse_json(&entities),
        resolution_status: conv.summary.resolution_status,
        escalation_count: escalations,
        customer_satisfaction: satisfaction,
    })
}

pub(crate) fn valid_email(e: &str) -> bool {
    frontline_platform::auth::validate_email(e).is_ok()
}

pub(crate) const MEMBER_ROLES: &[&str] =
    &["owner", "admin", "developer", "agent", "analyst", "viewer"];

/// Checks an invitation: e-mail format, role and permissions (the strings of
/// `access::PERMISSIONS`), one detail per bad field.
pub(crate) fn member_errors(req: &InviteUserRequest, default_role: &str) -> Vec<FieldError> {
    let mut errs = vec![];
    if !valid_email(req.email.trim()) {
        errs.push(FieldError::new("email", "Invalid email format"));
    }
    let role = req.role.map_or(default_role, |r| r.as_str());
    if !MEMBER_ROLES.contains(&role) {
        errs.push(FieldError::new(
            "role",
            format!("role must be one of {}", MEMBER_ROLES.join(", ")),
        ));
    }
    errs
}

/// Adds a member; links (or creates) the platform user with that e-mail.
/// An invited member is `invited`; `true` with it when the platform account
/// was created here.
pub(crate) fn add_member(
    tx: &Connection,
    platform: &Platform,
    tenant: &str,
    req: &InviteUserRequest,
    default_role: &str,
    invite: bool,
) -> ApiResult<(TenantUser, bool)> {
    let errs = member_errors(req, default_role);
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let email = req.email.trim().to_lowercase();
    let role = req.role.map_or(default_role, |r| r.as_str());
    let permissions: Vec<String> = req
        .permissions
        .iter()
        .flatten()
        .map(|p| p.as_str().to_string())
        .collect();
    if member_exists(tx, tenant, &email)? {
        return Err(
            ChatbotError::UserExists.with_message("This user is already a member of the tenant")
        );
    }
    let first = req.first_name.clone().unwrap_or_default();
    let last = req.last_name.clone().unwrap_or_default();
    let mut new_account = false;
    let platform_user = match platform_user_by_email(tx, &email)? {
        Some(id) => id,
        None => {
            new_account = true;
            let user = platform.auth.create_user_in(
                tx,
                &NewUser {
                    email: email.clone(),
                    password: frontline_platform::auth::random_password(),
                    name: {
                        let full = format!("{first} {last}").trim().to_string();
                        if full.is_empty() {
                            email.split('@').next().unwrap_or_default().to_string()
                        } else {
                            full
                        }
                    },
                    roles: vec![],
                    organization: None,
                },
            )?;
            // An invited account has no usable password: the random one is
            // never shown, and the account signs in only once the invitation
            // is accepted (until then a sign-in fails like a wrong password).
            if invite {
                platform.auth.update_user_in(
                    tx,
                    &user.id,
                    &frontline_platform::auth::UserChanges {
                        is_active: Some(false),
                        ..Default::default()
                    },
                )?;
            }
            user.id
        }
    };
    let (status, expires) = if invite {
        ("invited", Some(invitations::expiry_from_now()))
    } else {
        ("active", None)
    };
    let id = new_id("user");
    insert_member(
        tx,
        &NewMember {
            id: &id,
            tenant,
            platform_user: &platform_user,
            email: &email,
            first_name: &first,
            last_name: &last,
            role,
            permissions: &permissions,
            status,
            expires: expires.as_deref(),
            created_at: &now_iso(),
        },
    )?;
    Ok((member_by_id(tx, &id)?, new_account))
}

pub(crate) fn issue_key(tx: &Connection, tenant: &str, kind: &str) -> ApiResult<String> {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let key = format!("cb_{kind}_{}", hex::encode(bytes));
    insert_api_key(
        tx,
        &new_id("key"),
        tenant,
        kind,
        &key[..12],
        &sha256_hex(&key),
    )?;
    Ok(key)
}

/// Fails with 403 `PLAN_LIMIT_REACHED` when a new conversation would
/// exceed the plan's monthly conversations (`state`: the tenant's plan and
/// features; the month's conversations are counted here).
pub fn check_conversation_limit(
    c: &Connection,
    tenant: &str,
    state: &TenantState,
) -> ApiResult<()> {
    let used = conversations_this_month(c, tenant)?;
    let limit = conversations_limit(&state.plan, state.features());
    if used >= limit {
        return Err(ChatbotError::PlanLimitReached
            .with_message("The plan's monthly conversation limit is reached")
            .with_extra("limit", limit));
    }
    Ok(())
}

/// [`channel_allowed`] for the tenant as stored now.
pub fn check_channel(c: &Connection, tenant: &str, channel: &str) -> ApiResult<()> {
    let state = tenant_state(c, tenant)?.ok_or_else(crate::errors::tenant_not_found)?;
    channel_allowed(&state, channel)
}

/// Fails with 403 `CHANNEL_NOT_ENABLED` when the tenant may not use
/// `channel`: it is not among `features.channels` (when the tenant's
/// features name channels), or its configuration says `enabled: false`.
/// Unknown channel names are left to the caller's validation.
pub fn channel_allowed(state: &TenantState, channel: &str) -> ApiResult<()> {
    if !CHANNELS.contains(&channel) {
        return Ok(());
    }
    if let Some(list) = state.features().get("channels").and_then(Value::as_array) {
        if !list.iter().any(|x| x.as_str() == Some(channel)) {
            return Err(ChatbotError::ChannelNotEnabled
                .with_message(format!(
                    "The tenant's plan does not include the {channel} channel"
                ))
                .with_extra("channel", channel));
        }
    }
    if state
        .config()
        .pointer(&format!("/channels/{channel}/enabled"))
        == Some(&json!(false))
    {
        return Err(ChatbotError::ChannelNotEnabled
            .with_message(format!(
                "The {channel} channel is disabled in the tenant's configuration"
            ))
            .with_extra("channel", channel));
    }
    Ok(())
}

/// Checks `ai_models` of a configuration update: `fallback_chain` is a list of
/// provider names, each provider's `base_url` an allowed http(s) URL,
/// temperatures 0-2 and `max_tokens` 1-32000; one detail per bad field.
pub(crate) fn validate_ai_models(
    policy: &frontline_platform::outbound::OutboundPolicy,
    ai: &AiModelSettings,
    errs: &mut Vec<FieldError>,
) {
    let f = "configuration.ai_models";
    if let Some(chain) = &ai.fallback_chain {
        let okay = !chain.is_empty()
            && chain.len() <= 10
            && chain
                .iter()
                .all(|s| !s.is_empty() && s.chars().count() <= 64);
        if !okay {
            errs.push(FieldError::new(
                format!("{f}.fallback_chain"),
                "fallback_chain must be a list of 1-10 provider names",
            ));
        }
    }
    let sampling = |errs: &mut Vec<FieldError>, at: &str, t: Option<f64>, m: Option<i64>| {
        if t.is_some_and(|x| !(0.0..=2.0).contains(&x)) {
            errs.push(FieldError::new(
                format!("{at}.temperature"),
                "temperature must be 0-2",
            ));
        }
        if m.is_some_and(|x| !(1..=32_000).contains(&x)) {
            errs.push(FieldError::new(
                format!("{at}.max_tokens"),
                "max_tokens must be 1-32000",
            ));
        }
    };
    sampling(errs, f, ai.temperature, ai.max_tokens);
    if let Some(map) = &ai.providers {
        for (name, p) in map {
            let pf = format!("{f}.providers.{name}");
            if let Some(u) = &p.base_url {
                if let Err(e) = policy.check_url(&format!("{pf}.base_url"), u) {
                    errs.push(e);
                }
            }
            sampling(errs, &pf, p.temperature, p.max_tokens);
            if p.timeout_ms.is_some_and(|x| !(100..=60_000).contains(&x)) {
                errs.push(FieldError::new(
                    format!("{pf}.timeout_ms"),
                    "timeout_ms must be 100-60000",
                ));
            }
            // Usage costs are sums of tokens times this: bounded, they stay finite.
            if p.cost_per_1k_tokens_cents
                .is_some_and(|x| !(0.0..=MAX_COST_PER_1K_CENTS).contains(&x))
            {
                errs.push(FieldError::new(
                    format!("{pf}.cost_per_1k_tokens_cents"),
                    "cost_per_1k_tokens_cents must be 0-1000000",
                ));
            }
        }
    }
}

/// The highest provider price per 1000 tokens, in cents.
pub const MAX_COST_PER_1K_CENTS: f64 = 1_000_000.0;

/// The event names tenants can subscribe to.
pub const EVENTS: &[&str] = &[
    "conversation.started",
    "conversation.transferred",
    "conversation.closed",
    "conversation.reopened",
    "conversation.typing",
    "feedback.received",
    "message.received",
    "conversation.claimed",
    "conversation.released",
    "message.agent_reply",
    "conversation.note_added",
];

/// Emits `event` for `tenant` inside the caller's transaction (delivered to
/// the tenant's webhook subscriptions, signed and retried by the platform).
pub(crate) fn emit(tx: &Connection, tenant: &str, event: &str, mut data: Value) -> ApiResult<()> {
    data["tenant_id"] = json!(tenant);
    // The stream is the tenant's own: every subscription on it is the tenant's.
    frontline_platform::events::emit(
        tx,
        &events_module(tenant),
        event,
        &data,
        &frontline_platform::events::Audience::All,
    )?;
    Ok(())
}
