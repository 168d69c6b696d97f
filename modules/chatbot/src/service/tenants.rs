//! Tenant rules: listing, updates, deletion, members, configuration and billing.

use frontline_platform::auth::now_iso;
use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, ApiResult, Platform};
use rusqlite::{params, Connection};
use serde_json::{json, Value};

use super::*;
use crate::access::Caller;

/// One page of tenants (deleted ones never), optionally of one status.
pub(crate) fn list(
    c: &Connection,
    status: Option<&str>,
    page: u32,
    limit: u32,
) -> ApiResult<Value> {
    let total: i64 = c.query_row(
            "SELECT COUNT(*) FROM chatbot_tenants WHERE status != 'deleted' AND (?1 IS NULL OR status = ?1)",
            params![status],
            |r| r.get(0),
        )?;
    let mut st = c.prepare(&format!(
            "SELECT id FROM chatbot_tenants WHERE status != 'deleted' AND (?1 IS NULL OR status = ?1) ORDER BY created_at, id LIMIT {limit} OFFSET {}",
            (u64::from(page.saturating_sub(1)) * u64::from(limit)).min(i64::MAX as u64)
        ))?;
    let ids: Vec<String> = st
        .query_map(params![status], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    let tenants = ids
        .iter()
        .map(|i| tenant_json(c, i))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(
        json!({"tenants": tenants, "pagination": {"total": total, "page": page, "page_size": limit, "has_next": (page as i64) * (limit as i64) < total}}),
    )
}

/// Updates name, domain, plan, status and (deep-merged) features.
pub(crate) fn update(
    tx: &Connection,
    who: &Caller,
    meta: &RequestMeta,
    body: &Value,
) -> ApiResult<Value> {
    let t = tenant_json(tx, &who.tenant_id)?;
    let mut features = t["features"].clone();
    let mut changes = vec![];
    if let Some(f) = body.get("features") {
        deep_merge(&mut features, f, "features", &mut changes);
    }
    tx.execute(
            "UPDATE chatbot_tenants SET name = COALESCE(?2, name), domain = COALESCE(?3, domain), plan = COALESCE(?4, plan), status = COALESCE(?5, status), features = ?6, updated_at = ?7 WHERE id = ?1",
            params![who.tenant_id, str_of(body, "name"), str_of(body, "domain"), str_of(body, "plan"), str_of(body, "status"), features.to_string(), now_iso()],
        )?;
    audit_in(
        tx,
        who,
        meta,
        "tenant.update",
        "tenant",
        &who.tenant_id,
        body.clone(),
    )?;
    tenant_json(tx, &who.tenant_id)
}

/// Deletes a tenant and all its data, its search documents and its webhook subscriptions.
pub(crate) fn delete(
    tx: &Connection,
    who: &Caller,
    meta: &RequestMeta,
    id: &str,
) -> ApiResult<Value> {
    tenant_json(tx, id)?;
    let mut removed = serde_json::Map::new();
    for t in [
        "chatbot_messages",
        "chatbot_feedback",
        "chatbot_transfers",
        "chatbot_conversations",
        "chatbot_sessions",
        "chatbot_api_keys",
        "chatbot_members",
        "chatbot_webhook_events",
    ] {
        let n = tx.execute(
            &format!("DELETE FROM {t} WHERE tenant_id = ?1"),
            params![id],
        )?;
        removed.insert(t.trim_start_matches("chatbot_").to_string(), json!(n));
    }
    tx.execute(
        "DELETE FROM chatbot_articles WHERE tenant_id = ?1",
        params![id],
    )?;
    frontline_platform::search::stage_delete_where(tx, crate::knowledge::INDEX, "tenant", id)?;
    tx.execute(
        "DELETE FROM platform_webhooks WHERE module = ?1",
        params![events_module(id)],
    )?;
    tx.execute("DELETE FROM chatbot_tenants WHERE id = ?1", params![id])?;
    audit_in(tx, who, meta, "tenant.delete", "tenant", id, json!(removed))?;
    Ok(json!({"tenant_id": id, "deleted": true, "records_removed": removed}))
}

/// One page of the tenant's members.
pub(crate) fn users(c: &Connection, who: &Caller, page: u32, limit: u32) -> ApiResult<Value> {
    let total: i64 = c.query_row(
        "SELECT COUNT(*) FROM chatbot_members WHERE tenant_id = ?1",
        params![who.tenant_id],
        |r| r.get(0),
    )?;
    let mut st = c.prepare(&format!("SELECT * FROM chatbot_members WHERE tenant_id = ?1 ORDER BY created_at, email LIMIT {limit} OFFSET {}", (u64::from(page.saturating_sub(1)) * u64::from(limit)).min(i64::MAX as u64)))?;
    let users: Vec<Value> = st
        .query_map(params![who.tenant_id], member_json)?
        .collect::<std::result::Result<_, _>>()?;
    Ok(
        json!({"users": users, "pagination": {"total": total, "page": page, "page_size": limit, "has_next": (page as i64) * (limit as i64) < total}}),
    )
}

/// Adds a member within the plan's user limit.
pub(crate) fn add_user(
    tx: &Connection,
    platform: &Platform,
    who: &Caller,
    meta: &RequestMeta,
    body: &Value,
) -> ApiResult<Value> {
    let (plan, features): (String, String) = tx.query_row(
        "SELECT plan, features FROM chatbot_tenants WHERE id = ?1",
        params![who.tenant_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let limit = parse_json(&features)
        .get("users_limit")
        .and_then(Value::as_i64)
        .unwrap_or(plan_terms(&plan).3);
    let n: i64 = tx.query_row(
        "SELECT COUNT(*) FROM chatbot_members WHERE tenant_id = ?1",
        params![who.tenant_id],
        |r| r.get(0),
    )?;
    if n >= limit {
        return Err(
            ApiError::forbidden(format!("The plan allows {limit} users"))
                .with_code("PLAN_LIMIT_REACHED")
                .with_extra("limit", limit),
        );
    }
    let invite = body
        .get("send_invitation")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let m = add_member(tx, platform, &who.tenant_id, body, "viewer", invite)?;
    audit_in(
        tx,
        who,
        meta,
        "tenant.user.add",
        "tenant_user",
        m["user_id"].as_str().unwrap_or_default(),
        json!({"email": m["email"], "role": m["role"]}),
    )?;
    Ok(m)
}

/// The configuration with secrets masked.
pub(crate) fn config(c: &Connection, who: &Caller) -> ApiResult<Value> {
    let (cfg, v): (String, i64) = c.query_row(
        "SELECT config, config_version FROM chatbot_tenants WHERE id = ?1",
        params![who.tenant_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(
        json!({"tenant_id": who.tenant_id, "configuration_version": format!("v{v}"), "configuration": mask_secrets(&parse_json(&cfg))}),
    )
}

/// Deep-merges `patch`; bumps the version when anything changed.
pub(crate) fn update_config(
    tx: &Connection,
    who: &Caller,
    meta: &RequestMeta,
    patch: &Value,
) -> ApiResult<Value> {
    let (cfg, v): (String, i64) = tx.query_row(
        "SELECT config, config_version FROM chatbot_tenants WHERE id = ?1",
        params![who.tenant_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut cfg = parse_json(&cfg);
    let mut changes = vec![];
    deep_merge(&mut cfg, patch, "", &mut changes);
    let now = now_iso();
    let version = if changes.is_empty() { v } else { v + 1 };
    if !changes.is_empty() {
        tx.execute("UPDATE chatbot_tenants SET config = ?2, config_version = ?3, updated_at = ?4 WHERE id = ?1", params![who.tenant_id, cfg.to_string(), version, now])?;
        audit_in(
            tx,
            who,
            meta,
            "tenant.config.update",
            "tenant",
            &who.tenant_id,
            json!({"changes": changes, "version": version}),
        )?;
    }
    Ok(
        json!({"updated_at": now, "configuration_version": format!("v{version}"), "changes_applied": changes, "deployment_status": "deployed"}),
    )
}

/// The current period's bill computed from usage and the plan.
pub(crate) fn billing(c: &Connection, who: &Caller) -> ApiResult<Value> {
    let u = usage_of(c, &who.tenant_id)?;
    let plan: String = c.query_row(
        "SELECT plan FROM chatbot_tenants WHERE id = ?1",
        params![who.tenant_id],
        |r| r.get(0),
    )?;
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
}
