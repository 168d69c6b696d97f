//! Admin settings, users and audit logs.

use super::*;

pub struct AdminApi {
    pub(super) platform: Platform,
}

#[OpenApi]
impl AdminApi {
    /// Global admin settings (ADMIN only).
    #[oai(path = "/api/admin/settings", method = "get", tag = "Tag::Admin")]
    async fn get_settings(&self, auth: SessionOrBearer) -> Result<Json<Envelope<AdminSettings>>> {
        require_admin(auth.principal())?;
        let (settings, _) = self.platform.db.read(crate::settings::load).await?;
        Ok(Json(Envelope::ok(settings.into())))
    }

    /// Change global admin settings (ADMIN only). Rates are fractions between 0 and 1;
    /// new projections use them at once. The change is audited as `UPDATE_SETTINGS`.
    #[oai(path = "/api/admin/settings", method = "patch", tag = "Tag::Admin")]
    async fn update_settings(
        &self,
        auth: SessionOrBearer,
        meta: RequestMeta,
        body: Json<AdminSettingsUpdate>,
    ) -> Result<Json<Envelope<AdminSettingsUpdated>>> {
        let principal = auth.principal().clone();
        require_admin(&principal)?;
        let patch: crate::settings::SettingsPatch = body.0.into();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let at = now.clone();
        let settings = self
            .platform
            .db
            .write(move |tx| {
                let (settings, changes) = crate::settings::apply(tx, &patch, &at)?;
                audit::record(
                    tx,
                    Some(&principal),
                    &meta,
                    AuditEntry {
                        module: crate::SLUG,
                        action: "UPDATE_SETTINGS",
                        entity_type: "SETTINGS",
                        entity_id: None,
                        details: serde_json::json!({ "changes": changes }),
                    },
                )?;
                Ok(settings)
            })
            .await?;
        Ok(Json(Envelope::ok(AdminSettingsUpdated {
            cpi_rate: settings.cpi_rate,
            discount_rate: settings.discount_rate,
            tax_rate: settings.tax_rate,
            currency: settings.currency,
            timezone: settings.timezone,
            date_format: settings.date_format,
            number_format: settings.number_format,
            updated_at: now,
            message: "Settings updated successfully".into(),
        })))
    }

    /// Users with a role in planning (platform admins count as ADMIN).
    ///
    /// Extension, for platform administrators only: `all=true` also lists the
    /// platform's other users, with `role` null, so they can grant them a role
    /// (a planning ADMIN gets 403 for it).
    #[oai(path = "/api/admin/users", method = "get", tag = "Tag::Admin")]
    async fn list_users(
        &self,
        auth: SessionOrBearer,
        all: Query<Option<bool>>,
    ) -> Result<Json<Envelope<UserList>>> {
        require_admin(auth.principal())?;
        let all = all.0.unwrap_or(false);
        if all && !auth.principal().is_admin() {
            return Err(ApiError::forbidden(
                "Listing users without a planning role needs the platform admin role",
            )
            .with_code("FORBIDDEN")
            .into());
        }
        let users = self.platform.db.read(Auth::list_users_in).await?;
        let users = users
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
                    role: role.map(str::to_string),
                    created_at: u.created_at,
                    last_login_at: u.last_login_at,
                })
            })
            .collect();
        Ok(Json(Envelope::ok(UserList { users })))
    }

    /// Change a planning user's role (ADMIN, PLANNER or VIEWER).
    ///
    /// Replaces the role they had; roles in other modules stay. Audited as
    /// `UPDATE_USER_ROLE`. A planning ADMIN changes only users who already have a planning role
    /// (others are 404 to them): access to planning is granted by a platform
    /// administrator, who may give any user a planning role here or at `/auth/users`.
    #[oai(
        path = "/api/admin/users/:userId",
        method = "patch",
        tag = "Tag::Admin"
    )]

    async fn update_user_role(
        &self,
        auth: SessionOrBearer,
        meta: RequestMeta,
        #[oai(name = "userId")] user_id: Path<String>,
        body: Json<UserRoleUpdate>,
    ) -> Result<Json<Envelope<UserRoleUpdated>>> {
        let principal = auth.principal().clone();
        require_admin(&principal)?;
        let role = body.0.role.unwrap_or_default();
        if !service::ROLES.contains(&role.as_str()) {
            return Err(ApiError::invalid("role", "Must be one of ADMIN, PLANNER, VIEWER").into());
        }
        let user_id = user_id.0;
        let auth_service = self.platform.auth.clone();
        let r = role.clone();
        let user = self
            .platform
            .db
            .write(move |tx| {
                let user = find_user(tx, &user_id)?
                    .filter(|u| principal.is_admin() || role_of_roles(&u.roles).is_some())
                    .ok_or_else(|| {
                        ApiError::not_found("User not found").with_extra("userId", &user_id)
                    })?;
                if user.roles.iter().any(|x| x == "admin") && r != "ADMIN" {
                    return Err(ApiError::conflict(
                        "Platform administrators always have the ADMIN role in planning",
                    ));
                }
                let before = role_of_roles(&user.roles);
                let changes = UserChanges {
                    roles: Some(service::with_planning_role(&user.roles, &r)),
                    ..Default::default()
                };
                let user = auth_service.update_user_in(tx, &user.id, &changes)?;
                audit::record(
                    tx,
                    Some(&principal),
                    &meta,
                    AuditEntry {
                        module: crate::SLUG,
                        action: "UPDATE_USER_ROLE",
                        entity_type: "USER",
                        entity_id: Some(&user.id),
                        details: serde_json::json!({ "email": user.email, "from": before, "to": r }),
                    },
                )?;
                Ok(user)
            })
            .await?;
        Ok(Json(Envelope::ok(UserRoleUpdated {
            id: user.id,
            role,
            updated_at: user.updated_at,
            message: "User role updated successfully".into(),
        })))
    }

    /// The planning audit log, newest first, filtered by action, user,
    /// entity type and date range (ISO 8601, inclusive).
    #[oai(path = "/api/admin/audit-logs", method = "get", tag = "Tag::Admin")]
    #[allow(clippy::too_many_arguments)]
    async fn audit_logs(
        &self,
        auth: SessionOrBearer,
        page: Query<Option<i64>>,
        limit: Query<Option<i64>>,
        action: Query<Option<String>>,
        #[oai(name = "userId")] user_id: Query<Option<String>>,
        #[oai(name = "entityType")] entity_type: Query<Option<String>>,
        #[oai(name = "startDate")] start_date: Query<Option<String>>,
        #[oai(name = "endDate")] end_date: Query<Option<String>>,
    ) -> Result<Json<Envelope<AuditLogList>>> {
        require_admin(auth.principal())?;
        let pg = Page::new(
            page.0,
            limit.0,
            50,
            self.platform.settings.max_page_size as u64,
        )?;
        let mut errors = vec![];
        let from = parse_date("startDate", start_date.0, false, &mut errors);
        let to = parse_date("endDate", end_date.0, true, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors).into());
        }
        let q = AuditQuery {
            module: Some(crate::SLUG.into()),
            actor_id: user_id.0,
            action: action.0,
            entity_type: entity_type.0,
            entity_id: None,
            from,
            to,
            offset: pg.offset(),
            limit: pg.limit,
            ..Default::default()
        };
        let (records, total, names) = self
            .platform
            .db
            .read(move |c| {
                let (records, total) = audit::query(c, &q)?;
                let mut names = std::collections::HashMap::new();
                for r in &records {
                    if let Some(a) = &r.actor_id {
                        if !names.contains_key(a) {
                            let name = find_user(c, a)?.map(|u| u.name);
                            names.insert(a.clone(), name);
                        }
                    }
                }
                Ok((records, total, names))
            })
            .await?;
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
        let info = pg.info(total);
        Ok(Json(Envelope::ok(AuditLogList {
            logs,
            pagination: SimplePagination {
                page: info.page,
                limit: info.limit,
                total: info.total,
                total_pages: info.total_pages,
            },
        })))
    }
}
