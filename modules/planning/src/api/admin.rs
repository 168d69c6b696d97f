//! Admin settings, users and audit logs.

use frontline_platform::audit::AuditQuery;

use super::*;

pub struct AdminApi {
    pub(super) platform: Platform,
}

#[OpenApi]
impl AdminApi {
    /// Global admin settings (ADMIN only).
    #[oai(path = "/api/admin/settings", method = "get", tag = "Tag::Admin")]
    async fn get_settings(
        &self,
        _caller: Caller<AdminOnly>,
    ) -> Result<Json<Envelope<AdminSettings>>> {
        let settings = self.platform.db.read(service::global_settings).await?;
        Ok(Json(Envelope::ok(settings.into())))
    }

    /// Change global admin settings (ADMIN only). Rates are fractions between 0 and 1;
    /// new projections use them at once. The change is audited as `UPDATE_SETTINGS`.
    #[oai(path = "/api/admin/settings", method = "patch", tag = "Tag::Admin")]
    async fn update_settings(
        &self,
        caller: Caller<AdminOnly>,
        meta: RequestMeta,
        body: JsonBody<AdminSettingsUpdate>,
    ) -> Result<Json<Envelope<AdminSettingsUpdated>>> {
        let patch: crate::settings::SettingsPatch = body.0.into();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let at = now.clone();
        let settings = write::transact(&self.platform.db, Some(caller.principal), meta, move |w| {
            service::update_settings(w, &patch, &at)
        })
        .await?;
        // The versions list's stored figures move with the settings.
        super::refresh_figures_later(&self.platform);
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
        caller: Caller<AdminOnly>,
        /// Also users without a planning role (platform administrators only; default false).
        all: Query<Option<bool>>,
    ) -> Result<Json<Envelope<UserList>>> {
        let all = all.0.unwrap_or(false);
        if all && !caller.principal.is_admin() {
            return Err(PlanningError::Forbidden
                .with_message("Listing users without a planning role needs the platform admin role")
                .into());
        }
        let users = self
            .platform
            .db
            .read(move |c| service::users(c, all))
            .await?;
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
        caller: Caller<AdminOnly>,
        meta: RequestMeta,
        /// User id.
        #[oai(name = "userId")]
        user_id: Path<String>,
        body: JsonBody<UserRoleUpdate>,
    ) -> Result<Json<Envelope<UserRoleUpdated>>> {
        let role = body.0.role;
        let auth = self.platform.auth.clone();
        let user = write::transact(&self.platform.db, Some(caller.principal), meta, move |w| {
            service::set_user_role(w, &auth, &user_id.0, role)
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
    /// entity type and date range (ISO 8601 dates or date-times, inclusive).
    #[oai(path = "/api/admin/audit-logs", method = "get", tag = "Tag::Admin")]
    #[allow(clippy::too_many_arguments)]
    async fn audit_logs(
        &self,
        _caller: Caller<AdminOnly>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Entries per page, 1 to 100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
        /// Only this action, e.g. `CREATE_VERSION`.
        action: Query<Option<String>>,
        /// Only entries by this user.
        #[oai(name = "userId")]
        user_id: Query<Option<String>>,
        /// Only this entity type, e.g. `VERSION`.
        #[oai(name = "entityType")]
        entity_type: Query<Option<String>>,
        /// From this date or date-time (inclusive).
        #[oai(name = "startDate")]
        start_date: Query<Option<DateBound>>,
        /// Up to this date-time, or the end of this date (inclusive).
        #[oai(name = "endDate")]
        end_date: Query<Option<DateBound>>,
    ) -> Result<Json<Envelope<AuditLogList>>> {
        let pg = super::page(&self.platform, page.0, limit.0, 50)?;
        let q = AuditQuery {
            module: Some(crate::SLUG.into()),
            actor_id: user_id.0,
            action: action.0,
            entity_type: entity_type.0,
            from: start_date.0.map(|d| d.instant(false)),
            to: end_date.0.map(|d| d.instant(true)),
            offset: pg.offset(),
            limit: pg.limit,
            ..Default::default()
        };
        let (logs, total) = self
            .platform
            .db
            .read(move |c| service::audit_logs(c, &q))
            .await?;
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
