//! SQL of the admin side: tenants, members, keys, usage and health counts,
//! read into the document's typed structs.

use std::collections::BTreeMap;

use frontline_platform::ApiResult;
use poem_openapi::types::ParseFromJSON;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::access;
use crate::model::*;
use crate::model::{parse_json, plan_terms};

fn offset(page: u32, limit: u32) -> u64 {
    (u64::from(page.saturating_sub(1)) * u64::from(limit)).min(i64::MAX as u64)
}

/// A stored JSON column read as a typed object (`Default` when it does not fit).
pub(crate) fn typed_json<T: ParseFromJSON + Default>(text: &str) -> T {
    T::parse_from_json(Some(parse_json(text))).unwrap_or_default()
}

/// A member with the delivery of its open invitation (at most one is open).
const MEMBER_COLUMNS: &str =
    "m.*, i.mail_status AS invitation_delivery, i.mail_error AS invitation_error
     FROM chatbot_members m
     LEFT JOIN chatbot_invitations i ON i.member_id = m.id AND i.status = 'pending'";

/// One member row.
pub(crate) fn member_row(r: &rusqlite::Row) -> rusqlite::Result<TenantUser> {
    let permissions = parse_json(&r.get::<_, String>("permissions")?);
    Ok(TenantUser {
        user_id: r.get("id")?,
        platform_user_id: r.get("platform_user_id")?,
        email: r.get("email")?,
        first_name: r.get("first_name")?,
        last_name: r.get("last_name")?,
        role: r.get("role")?,
        status: MemberStatus::stored(&r.get::<_, String>("status")?),
        invitation_expires_at: r.get("invitation_expires_at")?,
        invitation_delivery: r
            .get::<_, Option<String>>("invitation_delivery")?
            .as_deref()
            .and_then(InvitationDelivery::parse),
        invitation_error: r.get("invitation_error")?,
        permissions: permissions
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        created_at: r.get("created_at")?,
        agent_id: crate::model::agent_handle(
            r.get::<_, Option<String>>("first_name")?.as_deref(),
            r.get::<_, Option<String>>("last_name")?.as_deref(),
        ),
    })
}

/// One member by id.
pub(crate) fn member_by_id(c: &Connection, id: &str) -> ApiResult<TenantUser> {
    Ok(c.query_row(
        &format!("SELECT {MEMBER_COLUMNS} WHERE m.id = ?1"),
        params![id],
        member_row,
    )?)
}

/// One page of a tenant's members and their total.
pub(crate) fn members_page(
    c: &Connection,
    tenant: &str,
    page: u32,
    limit: u32,
) -> ApiResult<(Vec<TenantUser>, i64)> {
    let total: i64 = c.query_row(
        "SELECT COUNT(*) FROM chatbot_members WHERE tenant_id = ?1",
        params![tenant],
        |r| r.get(0),
    )?;
    let mut st = c.prepare(&format!(
        "SELECT {MEMBER_COLUMNS} WHERE m.tenant_id = ?1 ORDER BY m.created_at, m.email LIMIT {limit} OFFSET {}",
        offset(page, limit)
    ))?;
    let users = st
        .query_map(params![tenant], member_row)?
        .collect::<std::result::Result<_, _>>()?;
    Ok((users, total))
}

/// Whether a member with this e-mail exists in the tenant.
pub(crate) fn member_exists(c: &Connection, tenant: &str, email: &str) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT 1 FROM chatbot_members WHERE tenant_id = ?1 AND email = ?2",
        params![tenant, email],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

/// The number of members of a tenant.
pub(crate) fn member_count(c: &Connection, tenant: &str) -> ApiResult<i64> {
    Ok(c.query_row(
        "SELECT COUNT(*) FROM chatbot_members WHERE tenant_id = ?1",
        params![tenant],
        |r| r.get(0),
    )?)
}

/// A new member row.
pub(crate) struct NewMember<'a> {
    pub id: &'a str,
    pub tenant: &'a str,
    pub platform_user: &'a str,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub role: &'a str,
    pub permissions: &'a [String],
    pub status: &'a str,
    pub expires: Option<&'a str>,
    pub created_at: &'a str,
}

pub(crate) fn insert_member(tx: &Connection, m: &NewMember) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_members (id, tenant_id, platform_user_id, email, first_name, last_name, role, permissions, status, invitation_expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            m.id,
            m.tenant,
            m.platform_user,
            m.email,
            m.first_name,
            m.last_name,
            m.role,
            serde_json::to_string(m.permissions)?,
            m.status,
            m.expires,
            m.created_at
        ],
    )?;
    Ok(())
}

/// The platform user with this e-mail, if any.
pub(crate) fn platform_user_by_email(c: &Connection, email: &str) -> ApiResult<Option<String>> {
    Ok(c.query_row(
        "SELECT id FROM platform_users WHERE lower(email) = ?1",
        params![email],
        |r| r.get(0),
    )
    .optional()?)
}

/// Stores an API key by its prefix and SHA-256 hash.
pub(crate) fn insert_api_key(
    tx: &Connection,
    id: &str,
    tenant: &str,
    kind: &str,
    prefix: &str,
    hash: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_api_keys (id, tenant_id, kind, prefix, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, tenant, kind, prefix, hash, frontline_platform::auth::now_iso()],
    )?;
    Ok(())
}

/// One tenant (404 for deleted or unknown ones).
pub(crate) fn tenant_of(c: &Connection, id: &str) -> ApiResult<Tenant> {
    let mut t = c
        .query_row(
            "SELECT id, name, domain, plan, status, features, config_version, created_at, updated_at FROM chatbot_tenants WHERE id = ?1 AND status != 'deleted'",
            params![id],
            |r| {
                Ok(Tenant {
                    tenant_id: r.get(0)?,
                    name: r.get(1)?,
                    domain: r.get(2)?,
                    plan: r.get(3)?,
                    status: r.get(4)?,
                    features: typed_json(&r.get::<_, String>(5)?),
                    configuration_version: format!("v{}", r.get::<_, i64>(6)?),
                    created_at: r.get(7)?,
                    updated_at: r.get(8)?,
                    user_count: 0,
                    api_keys: vec![],
                })
            },
        )
        .optional()?
        .ok_or_else(access::tenant_not_found)?;
    t.user_count = member_count(c, id)?;
    let mut st = c.prepare(
        "SELECT kind, prefix, created_at FROM chatbot_api_keys WHERE tenant_id = ?1 ORDER BY created_at",
    )?;
    t.api_keys = st
        .query_map(params![id], |r| {
            Ok(ApiKeyInfo {
                kind: r.get(0)?,
                prefix: r.get(1)?,
                created_at: r.get(2)?,
            })
        })?
        .collect::<std::result::Result<_, _>>()?;
    Ok(t)
}

/// One page of tenant ids (deleted ones never), optionally of one status, and their total.
pub(crate) fn tenant_ids_page(
    c: &Connection,
    status: Option<&str>,
    page: u32,
    limit: u32,
) -> ApiResult<(Vec<String>, i64)> {
    let total: i64 = c.query_row(
        "SELECT COUNT(*) FROM chatbot_tenants WHERE status != 'deleted' AND (?1 IS NULL OR status = ?1)",
        params![status],
        |r| r.get(0),
    )?;
    let mut st = c.prepare(&format!(
        "SELECT id FROM chatbot_tenants WHERE status != 'deleted' AND (?1 IS NULL OR status = ?1) ORDER BY created_at, id LIMIT {limit} OFFSET {}",
        offset(page, limit)
    ))?;
    let ids = st
        .query_map(params![status], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok((ids, total))
}

/// Whether another live tenant uses this domain.
pub(crate) fn domain_taken(c: &Connection, domain: &str) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT 1 FROM chatbot_tenants WHERE domain = ?1 AND status != 'deleted'",
        params![domain],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

/// A new tenant row (configuration version 1, active).
pub(crate) struct NewTenant<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub domain: Option<&'a str>,
    pub plan: &'a str,
    pub config: &'a Value,
    pub features: &'a Value,
    pub now: &'a str,
}

pub(crate) fn insert_tenant(tx: &Connection, t: &NewTenant) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_tenants (id, name, domain, plan, status, config, config_version, features, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'active', ?5, 1, ?6, ?7, ?7)",
        params![t.id, t.name, t.domain, t.plan, t.config.to_string(), t.features.to_string(), t.now],
    )?;
    Ok(())
}

/// Changes a tenant's row (each `None` keeps the stored value).
#[allow(clippy::too_many_arguments)]
pub(crate) fn update_tenant_row(
    tx: &Connection,
    id: &str,
    name: Option<&str>,
    domain: Option<&str>,
    plan: Option<&str>,
    status: Option<&str>,
    features: &Value,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_tenants SET name = COALESCE(?2, name), domain = COALESCE(?3, domain), plan = COALESCE(?4, plan), status = COALESCE(?5, status), features = ?6, updated_at = ?7 WHERE id = ?1",
        params![id, name, domain, plan, status, features.to_string(), now],
    )?;
    Ok(())
}

/// The stored plan and features of a tenant.
pub(crate) fn plan_and_features(c: &Connection, tenant: &str) -> ApiResult<(String, Value)> {
    let (plan, features): (String, String) = c
        .query_row(
            "SELECT plan, features FROM chatbot_tenants WHERE id = ?1",
            params![tenant],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(access::tenant_not_found)?;
    Ok((plan, parse_json(&features)))
}

/// The stored configuration and its version.
pub(crate) fn config_and_version(c: &Connection, tenant: &str) -> ApiResult<(Value, i64)> {
    let (cfg, v): (String, i64) = c
        .query_row(
            "SELECT config, config_version FROM chatbot_tenants WHERE id = ?1",
            params![tenant],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(access::tenant_not_found)?;
    Ok((parse_json(&cfg), v))
}

/// Stores a new configuration version.
pub(crate) fn store_config(
    tx: &Connection,
    tenant: &str,
    config: &Value,
    version: i64,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_tenants SET config = ?2, config_version = ?3, updated_at = ?4 WHERE id = ?1",
        params![tenant, config.to_string(), version, now],
    )?;
    Ok(())
}

/// Deletes a tenant's rows from every chatbot table; rows removed per table.
pub(crate) fn delete_tenant_rows(tx: &Connection, id: &str) -> ApiResult<BTreeMap<String, i64>> {
    let mut removed = BTreeMap::new();
    for t in [
        "chatbot_messages",
        "chatbot_feedback",
        "chatbot_transfers",
        "chatbot_conversations",
        "chatbot_sessions",
        "chatbot_api_keys",
        "chatbot_members",
        "chatbot_invitations",
        "chatbot_webhook_events",
    ] {
        let n = tx.execute(
            &format!("DELETE FROM {t} WHERE tenant_id = ?1"),
            params![id],
        )?;
        removed.insert(t.trim_start_matches("chatbot_").to_string(), n as i64);
    }
    tx.execute(
        "DELETE FROM chatbot_articles WHERE tenant_id = ?1",
        params![id],
    )?;
    tx.execute(
        "DELETE FROM chatbot_channel_routes WHERE tenant_id = ?1",
        params![id],
    )?;
    tx.execute(
        "DELETE FROM platform_webhooks WHERE module = ?1",
        params![crate::model::events_module(id)],
    )?;
    tx.execute("DELETE FROM chatbot_tenants WHERE id = ?1", params![id])?;
    Ok(removed)
}

/// Minutes without activity after which an open conversation that was never
/// escalated counts as abandoned.
pub const ABANDONED_AFTER_MINUTES: i64 = 30;

/// Usage of the current calendar month, computed from stored conversations,
/// messages and webhook calls.
/// Adds API call counts (`((tenant, day), calls)`) to `chatbot_api_calls`.
pub(crate) fn add_api_calls(tx: &Connection, rows: &[((String, String), i64)]) -> ApiResult<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO chatbot_api_calls (tenant_id, day, calls) VALUES (?1, ?2, ?3)
         ON CONFLICT (tenant_id, day) DO UPDATE SET calls = calls + excluded.calls",
    )?;
    for ((t, d), n) in rows {
        st.execute(params![t, d, n])?;
    }
    Ok(())
}

/// What a usage report adds to the stored figures: API calls counted in
/// memory and not yet written, and whether `detailed=true` was asked.
pub(crate) struct UsageExtras<'a> {
    pub pending_api_calls: &'a dyn Fn(&str) -> i64,
    pub detailed: bool,
}

impl UsageExtras<'static> {
    /// Stored figures only (calls counted in the last seconds may be missing).
    pub(crate) fn stored() -> Self {
        UsageExtras {
            pending_api_calls: &|_| 0,
            detailed: false,
        }
    }
}

/// The UTC month of `now`: its first day and the next month's.
pub(crate) fn month_of(
    now: chrono::DateTime<chrono::Utc>,
) -> (chrono::NaiveDate, chrono::NaiveDate) {
    use chrono::Datelike;
    let start = chrono::NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap_or_default();
    let next = if now.month() == 12 {
        chrono::NaiveDate::from_ymd_opt(now.year() + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(now.year(), now.month() + 1, 1)
    }
    .unwrap_or(start);
    (start, next)
}

/// Conversations a month the tenant may open: `features.conversations_per_month`,
/// else the plan's.
pub(crate) fn conversations_limit(plan: &str, features: &Value) -> i64 {
    features
        .get("conversations_per_month")
        .and_then(Value::as_i64)
        .unwrap_or(plan_terms(plan).1)
}

/// API calls a month the tenant's keys may make: `features.api_calls_limit`,
/// else the plan's.
pub(crate) fn api_calls_limit(plan: &str, features: &Value) -> i64 {
    features
        .get("api_calls_limit")
        .and_then(Value::as_i64)
        .unwrap_or(plan_terms(plan).2)
}

/// API calls written for the tenant on days `from` (inclusive) to `to`
/// (exclusive), `YYYY-MM-DD`.
pub(crate) fn api_calls_between(
    c: &Connection,
    tenant: &str,
    from: &str,
    to: &str,
) -> ApiResult<i64> {
    Ok(c.query_row(
        "SELECT COALESCE(SUM(calls), 0) FROM chatbot_api_calls WHERE tenant_id = ?1 AND day >= ?2 AND day < ?3",
        params![tenant, from, to],
        |r| r.get(0),
    )?)
}

/// The tenant's conversations started this UTC month (one count over
/// `chatbot_conversations_started`).
pub(crate) fn conversations_this_month(c: &Connection, tenant: &str) -> ApiResult<i64> {
    let (start, next) = month_of(chrono::Utc::now());
    let used: i64 = c.query_row(
        "SELECT COUNT(*) FROM chatbot_conversations
         WHERE tenant_id = ?1 AND started_at >= ?2 AND started_at < ?3",
        params![
            tenant,
            format!("{start}T00:00:00Z"),
            format!("{next}T00:00:00Z")
        ],
        |r| r.get(0),
    )?;
    Ok(used)
}

pub(crate) fn usage_report(
    c: &Connection,
    tenant: &str,
    extras: UsageExtras,
) -> ApiResult<UsageReport> {
    use chrono::Datelike;
    let now = chrono::Utc::now();
    let (start, next) = month_of(now);
    let from = format!("{start}T00:00:00Z");
    let to = format!("{next}T00:00:00Z");
    // Abandoned: not closed, never escalated, idle for ABANDONED_AFTER_MINUTES.
    let idle_since = (now - chrono::Duration::minutes(ABANDONED_AFTER_MINUTES))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (total, closed, transferred, active, abandoned): (i64, i64, i64, i64, i64) = c.query_row(
        "SELECT COUNT(*), COALESCE(SUM(status='closed'),0), COALESCE(SUM(escalation_count > 0),0), COALESCE(SUM(status='active'),0),
                COALESCE(SUM(status != 'closed' AND escalation_count = 0 AND last_activity_at < ?4),0)
         FROM chatbot_conversations WHERE tenant_id = ?1 AND started_at >= ?2 AND started_at < ?3",
        params![tenant, from, to, idle_since],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
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
    let by_channel: BTreeMap<String, i64> = st
        .query_map(params![tenant, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<_, _>>()?;
    let mut st = c.prepare(
        "SELECT COALESCE(model_used,'rule_based'), SUM(cost_cents) FROM chatbot_messages WHERE tenant_id = ?1 AND direction = 'outbound'
         AND created_at >= ?2 AND created_at < ?3 GROUP BY 1",
    )?;
    let by_model: BTreeMap<String, i64> = st
        .query_map(params![tenant, from, to], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<f64>>(1)?.unwrap_or(0.0).round() as i64,
            ))
        })?
        .collect::<std::result::Result<_, _>>()?;
    let webhook_calls: i64 = c.query_row(
        "SELECT COUNT(*) FROM chatbot_webhook_events WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?3",
        params![tenant, from, to],
        |r| r.get(0),
    )?;
    let day_from = start.format("%Y-%m-%d").to_string();
    let day_to = next.format("%Y-%m-%d").to_string();
    let stored_calls = api_calls_between(c, tenant, &day_from, &day_to)?;
    let api_calls = stored_calls + (extras.pending_api_calls)(&day_from);
    let (by_provider, data_sync) = if extras.detailed {
        // Provider names by model, from the tenant's configuration.
        let config = crate::store::tenant_config(c, tenant)?;
        let mut provider_of: BTreeMap<String, String> = BTreeMap::new();
        if let Some(ps) = config
            .pointer("/ai_models/providers")
            .and_then(Value::as_object)
        {
            for (name, p) in ps {
                if let Some(m) = p.get("model").and_then(Value::as_str) {
                    provider_of.entry(m.to_string()).or_insert(name.clone());
                }
            }
        }
        let mut by_provider: BTreeMap<String, i64> = BTreeMap::new();
        for (model, cents) in &by_model {
            let p = match model.as_str() {
                "rule_based" | "knowledge_base" => "built_in".to_string(),
                m => provider_of
                    .get(m)
                    .cloned()
                    .unwrap_or_else(|| "unknown".into()),
            };
            *by_provider.entry(p).or_default() += cents;
        }
        let synced: i64 = c.query_row(
            "SELECT COUNT(*) FROM platform_webhook_deliveries d JOIN platform_webhooks w ON w.id = d.webhook_id
             WHERE w.module = ?1 AND d.status = 'delivered' AND d.delivered_at >= ?2 AND d.delivered_at < ?3",
            params![
                crate::model::events_module(tenant),
                start.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp(),
                next.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp()
            ],
            |r| r.get(0),
        )?;
        (Some(by_provider), Some(synced))
    } else {
        (None, None)
    };
    let (plan, features) = plan_and_features(c, tenant)?;
    let api_limit = api_calls_limit(&plan, &features);
    let conv_limit = conversations_limit(&plan, &features);
    let pct = |used: i64, lim: i64| {
        if lim > 0 {
            ((used as f64 / lim as f64) * 10000.0).round() / 100.0
        } else {
            0.0
        }
    };
    let end = next.and_hms_opt(0, 0, 0).unwrap_or_default() - chrono::Duration::seconds(1);
    let days_remaining = (next - now.date_naive()).num_days() - 1;
    Ok(UsageReport {
        tenant_id: tenant.to_string(),
        period: format!("{:04}-{:02}", now.year(), now.month()),
        usage: UsageFigures {
            conversations: ConversationUsage {
                total,
                completed: closed,
                abandoned,
                escalated: transferred,
                active,
            },
            messages: MessageUsage {
                total: msgs,
                inbound,
                outbound,
                by_channel,
            },
            ai_costs: AiCostUsage {
                total_cents: cost.round() as i64,
                by_provider,
                by_model,
            },
            integrations: IntegrationUsage {
                api_calls,
                webhook_calls,
                data_sync_operations: data_sync,
            },
        },
        limits: UsageLimits {
            conversations_limit: conv_limit,
            conversations_used_percent: pct(total, conv_limit),
            api_calls_limit: api_limit,
            api_calls_used_percent: pct(api_calls, api_limit),
        },
        billing_period: BillingPeriod {
            start: from,
            end: format!("{}Z", end.format("%Y-%m-%dT%H:%M:%S")),
            days_remaining: days_remaining.max(0),
        },
    })
}

/// Live counts for the health reports.
#[derive(Default)]
pub(crate) struct HealthCounts {
    pub open_conversations: i64,
    pub queued_transfers: i64,
    pub active_sessions: i64,
    pub active_tenants: i64,
    /// Distinct provider models (base URL and model) configured by active tenants.
    pub provider_models: i64,
}

pub(crate) fn health_counts(c: &Connection) -> ApiResult<HealthCounts> {
    let q = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0));
    Ok(HealthCounts {
        open_conversations: q(
            "SELECT COUNT(*) FROM chatbot_conversations WHERE status != 'closed'",
        )?,
        queued_transfers: q("SELECT COUNT(*) FROM chatbot_transfers WHERE status = 'queued'")?,
        active_sessions: q("SELECT COUNT(*) FROM chatbot_sessions WHERE status = 'active'")?,
        active_tenants: q("SELECT COUNT(*) FROM chatbot_tenants WHERE status = 'active'")?,
        provider_models: q(
            "SELECT COUNT(DISTINCT json_extract(p.value, '$.base_url') || ' ' || COALESCE(json_extract(p.value, '$.model'), ''))
             FROM chatbot_tenants t, json_each(t.config, '$.ai_models.providers') p
             WHERE t.status = 'active' AND json_valid(t.config) AND json_extract(p.value, '$.base_url') IS NOT NULL",
        )?,
    })
}

/// Messages stored since `since` (RFC 3339), over all tenants.
pub(crate) fn messages_since(c: &Connection, since: &str) -> ApiResult<i64> {
    Ok(c.query_row(
        "SELECT COUNT(*) FROM chatbot_messages WHERE created_at >= ?1",
        params![since],
        |r| r.get(0),
    )?)
}

/// Whether tenant `id` is stored.
pub(crate) fn tenant_exists(c: &Connection, id: &str) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT 1 FROM chatbot_tenants WHERE id = ?1",
        params![id],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

/// The (id, configuration JSON text) of tenants whose configuration names
/// an `api_key` (the provider keys to seal at start).
pub(crate) fn configs_with_api_keys(c: &Connection) -> ApiResult<Vec<(String, String)>> {
    let mut st =
        c.prepare("SELECT id, config FROM chatbot_tenants WHERE config LIKE '%\"api_key\"%'")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Replaces a tenant's configuration in place (no new version: the same
/// settings, stored differently).
pub(crate) fn replace_config(tx: &Connection, id: &str, config: &Value) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_tenants SET config = ?2 WHERE id = ?1",
        params![id, config.to_string()],
    )?;
    Ok(())
}

/// Closes the tenant's conversation `conv` as resolved at `now` (demo data).
pub(crate) fn close_resolved(
    tx: &Connection,
    tenant: &str,
    conv: &str,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_conversations SET status = 'closed', closed_at = ?3, close_reason = 'resolved' WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, conv, now],
    )?;
    Ok(())
}
