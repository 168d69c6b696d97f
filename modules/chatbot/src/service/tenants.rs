//! Tenant rules: creation, listing, updates, deletion, members, configuration,
//! usage and billing. Everything here speaks the document's typed structs.

use crate::errors::ChatbotError;
use frontline_platform::auth::now_iso;
use frontline_platform::outbound::OutboundPolicy;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError, Platform};
use poem_openapi::types::{ParseFromJSON, ToJSON};
use rusqlite::Connection;
use serde_json::{json, Value};

use super::*;
use crate::access::Caller;
use crate::model::*;

fn to_value<T: ToJSON>(v: &T) -> Value {
    v.to_json().unwrap_or_else(|| json!({}))
}

/// Checks the chatbot section: thresholds 0-1, `max_fallbacks` 1-20, intents
/// with a name and examples.
fn chatbot_errors(c: &ChatbotSettings, errs: &mut Vec<FieldError>) {
    let f = "configuration.chatbot";
    for (name, v) in [
        ("confidence_threshold", c.confidence_threshold),
        ("knowledge_threshold", c.knowledge_threshold),
    ] {
        if v.is_some_and(|x| !(0.0..=1.0).contains(&x)) {
            errs.push(FieldError::new(
                format!("{f}.{name}"),
                format!("{name} must be a number 0-1"),
            ));
        }
    }
    if c.max_fallbacks.is_some_and(|x| !(1..=20).contains(&x)) {
        errs.push(FieldError::new(
            format!("{f}.max_fallbacks"),
            "max_fallbacks must be 1-20",
        ));
    }
    for (i, intent) in c.intents.iter().flatten().enumerate() {
        if intent.name.trim().is_empty() || intent.name.chars().count() > 100 {
            errs.push(FieldError::new(
                format!("{f}.intents[{i}].name"),
                "an intent needs a name (at most 100 characters)",
            ));
        }
        if intent.examples.iter().all(|e| e.trim().is_empty()) {
            errs.push(FieldError::new(
                format!("{f}.intents[{i}].examples"),
                "an intent needs at least one example",
            ));
        }
    }
}

/// Checks the channel names.
fn channel_errors(channels: &ChannelsSettings, errs: &mut Vec<FieldError>) {
    for (name, ch) in channels.iter() {
        if !CHANNELS.contains(&name.as_str()) {
            errs.push(FieldError::new(
                format!("configuration.channels.{name}"),
                format!("channels are {}", CHANNELS.join(", ")),
            ));
        }
        let at = format!("configuration.channels.{name}.allowed_origins");
        for (i, o) in ch.allowed_origins.iter().flatten().enumerate() {
            if name != "web" {
                errs.push(FieldError::new(
                    &at,
                    "allowed_origins is a web channel setting",
                ));
                break;
            }
            if frontline_platform::cors::normalize_origin(o).as_deref() != Some(o.as_str()) {
                errs.push(FieldError::new(
                    format!("{at}[{i}]"),
                    "must be an origin in lower case: scheme, host and optional port, e.g. https://shop.example (no path)",
                ));
            }
        }
    }
}

/// Every bad field of a configuration update, one detail each.
pub(crate) fn configuration_errors(
    policy: &OutboundPolicy,
    cfg: &ConfigurationSections,
) -> Vec<FieldError> {
    let mut errs = vec![];
    if let Some(c) = &cfg.chatbot {
        chatbot_errors(c, &mut errs);
    }
    if let Some(ch) = &cfg.channels {
        channel_errors(ch, &mut errs);
    }
    if let Some(ai) = &cfg.ai_models {
        validate_ai_models(policy, ai, &mut errs);
    }
    errs
}

/// Checks features: limits above 0, known channels.
fn feature_errors(f: &TenantFeatures, errs: &mut Vec<FieldError>) {
    for (name, v) in [
        ("integrations_limit", f.integrations_limit),
        ("users_limit", f.users_limit),
        ("conversations_per_month", f.conversations_per_month),
        ("rate_limit_per_hour", f.rate_limit_per_hour),
        ("api_calls_limit", f.api_calls_limit),
    ] {
        if v.is_some_and(|x| x < 1) {
            errs.push(FieldError::new(
                format!("features.{name}"),
                format!("{name} must be at least 1"),
            ));
        }
    }
}

fn plan_error(plan: &str, errs: &mut Vec<FieldError>) {
    if !PLANS.contains(&plan) {
        errs.push(FieldError::new(
            "plan",
            format!("plan must be one of {}", PLANS.join(", ")),
        ));
    }
}

/// Every bad field of a new tenant, one detail each.
pub(crate) fn create_errors(policy: &OutboundPolicy, req: &CreateTenantRequest) -> Vec<FieldError> {
    let mut errs = vec![];
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errs.push(FieldError::new(
            "name",
            "name is required (1-200 characters)",
        ));
    }
    if let Some(d) = &req.domain {
        if d.trim().is_empty() || d.len() > 253 || d.contains(char::is_whitespace) {
            errs.push(FieldError::new("domain", "domain must be a host name"));
        }
    }
    plan_error(req.plan.map_or("starter", Plan::as_str), &mut errs);
    if !valid_email(req.admin_user.email.trim()) {
        errs.push(FieldError::new("admin_user.email", "Invalid email format"));
    }
    if let Some(cfg) = &req.configuration {
        errs.extend(configuration_errors(
            policy,
            &ConfigurationSections {
                general: None,
                chatbot: cfg.chatbot.clone(),
                channels: cfg.channels.clone(),
                integrations: None,
                ai_models: cfg.ai_models.clone(),
            },
        ));
    }
    if let Some(f) = &req.features {
        feature_errors(f, &mut errs);
    }
    errs
}

/// The configuration of a new tenant: the defaults, the given sections merged
/// in, and the top-level general settings merged into `general`.
fn initial_config(cfg: Option<&NewTenantConfiguration>) -> Value {
    let mut config = default_config();
    let Some(cfg) = cfg else {
        return config;
    };
    let mut ignored = vec![];
    let given = to_value(cfg);
    let mut general = json!({});
    for (k, v) in given.as_object().into_iter().flatten() {
        if [
            "chatbot",
            "channels",
            "integrations",
            "ai_models",
            "general",
        ]
        .contains(&k.as_str())
        {
            deep_merge(&mut config, &json!({ k: v }), "", &mut ignored);
        } else {
            general[k] = v.clone();
        }
    }
    deep_merge(
        &mut config,
        &json!({ "general": general }),
        "",
        &mut ignored,
    );
    config
}

/// Creates a tenant with its owner and API keys (shown only here).
/// The generic integration every tenant starts with.
const INCOMING: &str = "incoming";

/// Gives a new tenant's configuration the generic integration `incoming`
/// with a fresh webhook token, returned to show once (`None` when the
/// configuration already sets its token).
fn add_incoming_integration(config: &mut Value) -> Option<String> {
    if config
        .pointer(&format!("/integrations/{INCOMING}/webhook_token"))
        .and_then(Value::as_str)
        .is_some_and(|t| !t.is_empty())
    {
        return None;
    }
    let token = format!("whk_{}", uuid::Uuid::new_v4().simple());
    if !config.get("integrations").is_some_and(Value::is_object) {
        config["integrations"] = json!({});
    }
    let entry = &mut config["integrations"][INCOMING];
    if !entry.is_object() {
        *entry = json!({});
    }
    entry["provider"] = json!("generic");
    entry["enabled"] = json!(true);
    entry["webhook_token"] = json!(token);
    Some(token)
}

pub(crate) fn create(
    w: &WriteCtx,
    platform: &Platform,
    req: &CreateTenantRequest,
) -> ApiResult<TenantCreated> {
    let tx = w.tx();
    let errs = create_errors(platform.outbound.policy(), req);
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let domain = req.domain.as_deref().map(str::trim);
    if let Some(d) = domain {
        if domain_taken(tx, d)? {
            return Err(ChatbotError::TenantExists
                .with_message("A tenant with this domain exists")
                .with_detail("domain", "already used"));
        }
    }
    let id = new_id("tenant");
    let name = req.name.trim().to_string();
    let plan = req.plan.map_or("starter", Plan::as_str).to_string();
    let mut config = initial_config(req.configuration.as_ref());
    let incoming_token = add_incoming_integration(&mut config);
    crate::provider::seal_keys(&mut config, &crate::provider::key_box(platform))?;
    let features = req.features.as_ref().map(to_value).unwrap_or(json!({}));
    let now = now_iso();
    insert_tenant(
        tx,
        &NewTenant {
            id: &id,
            name: &name,
            domain,
            plan: &plan,
            config: &config,
            features: &features,
            now: &now,
        },
    )?;
    super::routing::save_routes(tx, &id, &config)?;
    let owner_req = InviteUserRequest {
        email: req.admin_user.email.clone(),
        first_name: req.admin_user.first_name.clone(),
        last_name: req.admin_user.last_name.clone(),
        role: Some(MemberRole::Owner),
        permissions: None,
        send_invitation: Some(false),
        invitation_message: None,
    };
    let (owner, _) = add_member(tx, platform, &id, &owner_req, "owner", false)?;
    let primary = issue_key(tx, &id, "live")?;
    let test = issue_key(tx, &id, "test")?;
    w.audit(
        crate::SLUG,
        "tenant.create",
        "tenant",
        &id,
        json!({"name": name, "plan": plan}),
    )?;
    Ok(TenantCreated {
        webhook_endpoints: WebhookEndpoints {
            incoming: format!("/chatbot/api/v2/webhooks/generic/{INCOMING}"),
            incoming_token,
            outgoing: config
                .pointer("/integrations/outgoing_webhook_url")
                .and_then(Value::as_str)
                .map(String::from),
        },
        tenant_id: id,
        name,
        domain: domain.map(String::from),
        plan,
        status: "active".into(),
        created_at: now,
        admin_user: CreatedAdminUser {
            user_id: owner.user_id,
            platform_user_id: owner.platform_user_id,
            email: owner.email,
            role: "owner".into(),
            invitation_sent: false,
        },
        api_keys: IssuedApiKeys { primary, test },
    })
}

/// One page of tenants (deleted ones never), optionally of one status.
pub(crate) fn list(
    c: &Connection,
    status: Option<&str>,
    page: u32,
    limit: u32,
) -> ApiResult<TenantList> {
    let (ids, total) = tenant_ids_page(c, status, page, limit)?;
    let tenants = ids
        .iter()
        .map(|i| tenant_of(c, i))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(TenantList {
        tenants,
        pagination: AdminPagination::new(total, page, limit),
    })
}

/// Every bad field of a tenant update, one detail each; 403 when a tenant
/// admin tries to change the plan, status or features (the channels and
/// limits the tenant is entitled to are granted with its plan).
pub(crate) fn check_update(who: &Caller, req: &UpdateTenantRequest) -> ApiResult<()> {
    if (req.plan.is_some() || req.status.is_some() || req.features.is_some())
        && who.role != "platform_admin"
    {
        return Err(ApiError::forbidden(
            "Only platform admins change the plan, status or features",
        ));
    }
    let mut errs = vec![];
    if let Some(p) = req.plan {
        plan_error(p.as_str(), &mut errs);
    }
    if req.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        errs.push(FieldError::new("name", "name must be a non-empty string"));
    }
    if let Some(f) = &req.features {
        feature_errors(f, &mut errs);
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errs))
    }
}

/// Updates name, domain, plan, status and (deep-merged) features.
pub(crate) fn update(w: &WriteCtx, who: &Caller, req: &UpdateTenantRequest) -> ApiResult<Tenant> {
    let tx = w.tx();
    check_update(who, req)?;
    let (_, mut features) = plan_and_features(tx, &who.tenant_id)?;
    tenant_of(tx, &who.tenant_id)?;
    let mut changes = vec![];
    if let Some(f) = &req.features {
        deep_merge(&mut features, &to_value(f), "features", &mut changes);
    }
    update_tenant_row(
        tx,
        &who.tenant_id,
        req.name.as_deref().map(str::trim),
        req.domain.as_deref(),
        req.plan.map(Plan::as_str),
        req.status.map(TenantStatus::as_str),
        &features,
        &now_iso(),
    )?;
    w.audit(
        crate::SLUG,
        "tenant.update",
        "tenant",
        &who.tenant_id,
        to_value(req),
    )?;
    tenant_of(tx, &who.tenant_id)
}

/// Deletes a tenant and all its data, its search documents and its webhook subscriptions.
pub(crate) fn delete(w: &WriteCtx, id: &str) -> ApiResult<TenantDeleted> {
    let tx = w.tx();
    tenant_of(tx, id)?;
    frontline_platform::search::stage_delete_where(tx, crate::knowledge::INDEX, "tenant", id)?;
    let removed = delete_tenant_rows(tx, id)?;
    w.audit(crate::SLUG, "tenant.delete", "tenant", id, json!(removed))?;
    Ok(TenantDeleted {
        tenant_id: id.to_string(),
        deleted: true,
        records_removed: removed,
    })
}

/// One page of the tenant's members.
pub(crate) fn users(
    c: &Connection,
    who: &Caller,
    page: u32,
    limit: u32,
) -> ApiResult<TenantUserList> {
    let (users, total) = members_page(c, &who.tenant_id, page, limit)?;
    Ok(TenantUserList {
        users,
        pagination: AdminPagination::new(total, page, limit),
    })
}

/// Adds a member within the plan's user limit; only owners add owners.
pub(crate) fn add_user(
    w: &WriteCtx,
    platform: &Platform,
    who: &Caller,
    req: &InviteUserRequest,
) -> ApiResult<TenantUser> {
    let tx = w.tx();
    if req.role == Some(MemberRole::Owner) && who.role != "owner" && who.role != "platform_admin" {
        return Err(ApiError::forbidden("Only owners add owners"));
    }
    let errs = member_errors(req, "viewer");
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let invite = req.send_invitation.unwrap_or(true);
    // A member who has not accepted yet is invited again (a new link; the
    // earlier one stops working).
    if invite {
        let email = req.email.trim().to_lowercase();
        if let Some((id, status, _)) = member_by_email(tx, &who.tenant_id, &email)? {
            if status != "active" {
                return super::invitations::reinvite(w, platform, &who.tenant_id, &id, req);
            }
        }
    }
    let (plan, features) = plan_and_features(tx, &who.tenant_id)?;
    let limit = features
        .get("users_limit")
        .and_then(Value::as_i64)
        .unwrap_or(plan_terms(&plan).3);
    if member_count(tx, &who.tenant_id)? >= limit {
        return Err(ChatbotError::PlanLimitReached
            .with_message(format!("The plan allows {limit} users"))
            .with_extra("limit", limit));
    }
    let (mut m, new_account) = add_member(tx, platform, &who.tenant_id, req, "viewer", invite)?;
    w.audit(
        crate::SLUG,
        "tenant.user.add",
        "tenant_user",
        &m.user_id,
        json!({"email": m.email, "role": m.role, "invited": invite}),
    )?;
    if invite {
        super::invitations::issue(
            w,
            platform,
            &who.tenant_id,
            &mut m,
            new_account,
            req.invitation_message.as_deref(),
        )?;
    }
    Ok(m)
}

/// The configuration with secrets masked.
pub(crate) fn config(c: &Connection, who: &Caller) -> ApiResult<TenantConfiguration> {
    let (cfg, v) = config_and_version(c, &who.tenant_id)?;
    let configuration =
        ConfigurationSections::parse_from_json(Some(mask_credentials(&mask_secrets(&cfg))))
            .map_err(|e| {
                ApiError::internal(format!(
                    "The stored configuration does not fit its schema: {}",
                    e.into_message()
                ))
            })?;
    Ok(TenantConfiguration {
        tenant_id: who.tenant_id.clone(),
        configuration_version: format!("v{v}"),
        configuration,
    })
}

/// Whether a configuration key names a credential beyond the ones
/// `mask_secrets` knows (`*_secret`, `*_token`, `api_key`), in any casing:
/// passwords, secrets, tokens, private/access/secret/API keys, credentials.
fn credential_key(k: &str) -> bool {
    let k: String = k
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "privatekey",
        "accesskey",
        "secretkey",
    ]
    .iter()
    .any(|end| k.ends_with(end))
        || k == "credentials"
        || k == "authorization"
}

/// Masks every string under a credential key (see `credential_key`), at any depth.
fn mask_credentials(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    if credential_key(k) && x.is_string() {
                        (k.clone(), json!(MASK))
                    } else {
                        (k.clone(), mask_credentials(x))
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(mask_credentials).collect()),
        other => other.clone(),
    }
}

/// Removes secrets sent back as their mask (`********`, as the configuration
/// is read), so saving a configuration that was read keeps the stored secrets.
fn drop_masked(v: &mut Value) {
    if let Some(m) = v.as_object_mut() {
        m.retain(|_, x| x.as_str() != Some(MASK));
        for x in m.values_mut() {
            drop_masked(x);
        }
    }
}

/// Deep-merges the update; bumps the version when anything changed.
/// Provider `api_key`s are compared in clear and stored encrypted.
pub(crate) fn update_config(
    w: &WriteCtx,
    platform: &Platform,
    who: &Caller,
    req: &UpdateConfigurationRequest,
) -> ApiResult<ConfigurationUpdate> {
    let tx = w.tx();
    let errs = configuration_errors(platform.outbound.policy(), &req.configuration);
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let keys = crate::provider::key_box(platform);
    let (mut cfg, v) = config_and_version(tx, &who.tenant_id)?;
    crate::provider::open_keys(&mut cfg, &keys);
    let mut patch = to_value(&req.configuration);
    drop_masked(&mut patch);
    let mut changes = vec![];
    deep_merge(&mut cfg, &patch, "", &mut changes);
    let now = now_iso();
    let version = if changes.is_empty() { v } else { v + 1 };
    if !changes.is_empty() {
        crate::provider::seal_keys(&mut cfg, &keys)?;
        store_config(tx, &who.tenant_id, &cfg, version, &now)?;
        super::routing::save_routes(tx, &who.tenant_id, &cfg)?;
        w.audit(
            crate::SLUG,
            "tenant.config.update",
            "tenant",
            &who.tenant_id,
            json!({"changes": changes, "version": version}),
        )?;
    }
    let inactive = crate::provider::settings_not_in_effect(&cfg);
    let not_in_effect: Vec<String> = changes
        .iter()
        .filter(|c| {
            inactive
                .iter()
                .any(|i| c == &i || c.starts_with(&format!("{i}.")))
        })
        .cloned()
        .collect();
    let deployment_status = if not_in_effect.is_empty() {
        "deployed"
    } else if not_in_effect.len() == changes.len() {
        "not_deployed"
    } else {
        "partially_deployed"
    };
    let not_in_effect_reason = (!not_in_effect.is_empty()).then(|| {
        "Model settings are used by external providers only: name a provider with \
         ai_models.providers.<name>.base_url as primary_provider or before rule_based \
         in fallback_chain; until then the built-in rule_based engine answers"
            .to_string()
    });
    Ok(ConfigurationUpdate {
        updated_at: now,
        configuration_version: format!("v{version}"),
        changes_applied: changes,
        deployment_status: deployment_status.into(),
        not_in_effect,
        not_in_effect_reason,
    })
}

/// The current period's bill computed from usage and the plan.
pub(crate) fn billing(c: &Connection, who: &Caller) -> ApiResult<BillingInfo> {
    let u = usage_report(c, &who.tenant_id, crate::store::UsageExtras::stored())?;
    let (plan, _) = plan_and_features(c, &who.tenant_id)?;
    let (price, _, _, _) = plan_terms(&plan);
    let used = u.usage.conversations.total;
    let included = u.limits.conversations_limit;
    let overage = (used - included).max(0);
    let ai = u.usage.ai_costs.total_cents;
    Ok(BillingInfo {
        tenant_id: who.tenant_id.clone(),
        currency: "USD".into(),
        period: u.period,
        line_items: vec![
            BillingLineItem {
                description: format!("{plan} plan"),
                quantity: None,
                unit_price_cents: None,
                amount_cents: price,
            },
            BillingLineItem {
                description: "Conversations above plan".into(),
                quantity: Some(overage),
                unit_price_cents: Some(1),
                amount_cents: overage,
            },
            BillingLineItem {
                description: "AI provider usage".into(),
                quantity: None,
                unit_price_cents: None,
                amount_cents: ai,
            },
        ],
        total_cents: price + overage + ai,
        billing_period: u.billing_period,
        plan,
    })
}

/// Usage of the current month (`period` may only be `current_month`).
pub(crate) fn usage(
    c: &Connection,
    who: &Caller,
    calls: &crate::api_calls::ApiCalls,
    detailed: bool,
) -> ApiResult<UsageReport> {
    let t = who.tenant_id.clone();
    let pending = move |from: &str| calls.pending(&t, from);
    usage_report(
        c,
        &who.tenant_id,
        crate::store::UsageExtras {
            pending_api_calls: &pending,
            detailed,
        },
    )
}
