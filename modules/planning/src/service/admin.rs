//! Roles, global settings, users and the audit log of planning.

use frontline_platform::audit::{self, AuditEntry, AuditQuery};
use frontline_platform::auth::{find_user, Auth, Principal, User, UserChanges};
use frontline_platform::ApiResult;
use rusqlite::Connection;

use super::*;
use crate::settings::{self, SettingsPatch};
use crate::store;

/// The planning role of a principal: ADMIN for platform admins.
pub fn planning_role(p: &Principal) -> Option<PlanningRole> {
    if p.is_admin() || p.has_role(crate::SLUG, "ADMIN") {
        Some(PlanningRole::Admin)
    } else if p.has_role(crate::SLUG, "PLANNER") {
        Some(PlanningRole::Planner)
    } else if p.has_role(crate::SLUG, "VIEWER") {
        Some(PlanningRole::Viewer)
    } else {
        None
    }
}

/// The planning role implied by a user's stored roles.
pub fn role_of_roles(roles: &[String]) -> Option<PlanningRole> {
    let has = |r: &str| roles.iter().any(|x| x == r);
    if has("admin") || has("planning:ADMIN") {
        Some(PlanningRole::Admin)
    } else if has("planning:PLANNER") {
        Some(PlanningRole::Planner)
    } else if has("planning:VIEWER") {
        Some(PlanningRole::Viewer)
    } else {
        None
    }
}

/// Applies a settings change at `now`; returns the new settings.
pub fn update_settings(
    w: &WriteCtx<'_>,
    patch: &SettingsPatch,
    now: &str,
) -> ApiResult<settings::Settings> {
    let (current, _) = store::settings(w.tx())?;
    let (next, changes) = settings::apply(&current, patch)?;
    store::save_settings(w.tx(), &next, now)?;
    w.record(AuditEntry {
        module: crate::SLUG,
        action: "UPDATE_SETTINGS",
        entity_type: "SETTINGS",
        entity_id: None,
        details: serde_json::json!({ "changes": changes }),
    })?;
    Ok(next)
}

/// Active users with a planning role; with `all`, the others too (role null).
pub fn users(conn: &Connection, all: bool) -> ApiResult<Vec<PlanningUser>> {
    Ok(Auth::list_users_in(conn)?
        .into_iter()
        .filter(|u| u.is_active)
        .filter_map(|u| {
            let role = role_of_roles(&u.roles);
            if role.is_none() && !all {
                return None;
            }
            Some(PlanningUser {
                id: u.id,
                email: u.email,
                name: u.name,
                role,
                created_at: u.created_at,
                last_login_at: u.last_login_at,
            })
        })
        .collect())
}

/// Gives user `user_id` the planning role `role` (their roles elsewhere
/// stay). A planning ADMIN reaches only users who have a planning role (404
/// for others); platform administrators stay ADMIN (409).
pub fn set_user_role(
    w: &WriteCtx<'_>,
    auth: &Auth,
    user_id: &str,
    role: PlanningRole,
) -> ApiResult<User> {
    let platform_admin = actor(w)?.is_admin();
    let user = find_user(w.tx(), user_id)?
        .filter(|u| platform_admin || role_of_roles(&u.roles).is_some())
        .ok_or_else(|| {
            PlanningError::NotFound
                .with_message("User not found")
                .with_extra("userId", user_id)
        })?;
    if user.roles.iter().any(|x| x == "admin") && role != PlanningRole::Admin {
        return Err(PlanningError::Conflict
            .with_message("Platform administrators always have the ADMIN role in planning"));
    }
    let before = role_of_roles(&user.roles);
    let changes = UserChanges {
        roles: Some(with_planning_role(&user.roles, role)),
        ..Default::default()
    };
    let user = auth.update_user_in(w.tx(), &user.id, &changes)?;
    w.audit(
        crate::SLUG,
        "UPDATE_USER_ROLE",
        "USER",
        &user.id,
        serde_json::json!({ "email": user.email, "from": before, "to": role }),
    )?;
    Ok(user)
}

/// A page of planning's audit entries (newest first) with the actors' names, and the total.
pub fn audit_logs(conn: &Connection, q: &AuditQuery) -> ApiResult<(Vec<AuditLog>, u64)> {
    let (records, total) = audit::query(conn, q)?;
    let mut names = std::collections::HashMap::new();
    for r in &records {
        if let Some(a) = &r.actor_id {
            if !names.contains_key(a) {
                let name = find_user(conn, a)?.map(|u| u.name);
                names.insert(a.clone(), name);
            }
        }
    }
    let logs = records
        .into_iter()
        .map(|r| AuditLog {
            id: r.id.to_string(),
            user_name: r
                .actor_id
                .as_ref()
                .and_then(|a| names.get(a).cloned().flatten()),
            action: r.action,
            user_id: r.actor_id,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            metadata: r.details,
            timestamp: r.at,
            ip_address: r.ip,
            user_agent: r.user_agent,
        })
        .collect();
    Ok((logs, total))
}

/// The global settings.
pub fn global_settings(conn: &Connection) -> ApiResult<settings::Settings> {
    Ok(store::settings(conn)?.0)
}
