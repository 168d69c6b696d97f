//! Handlers of the planning API.

use frontline_platform::audit::{self, AuditEntry, AuditQuery};
use frontline_platform::auth::{find_user, Auth, Principal, UserChanges};
use frontline_platform::files::{self, NewFile};
use frontline_platform::http::{ModuleError, RequestMeta, SessionOrBearer};
use frontline_platform::page::Page;
use frontline_platform::{ApiError, FieldError, Platform};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::model::*;
use crate::{reports, service, settings, store};

type Result<T> = std::result::Result<T, ModuleError<PlanningEnvelope>>;

pub const SESSION_COOKIE: &str = "next-auth.session-token";

/// The planning role of a principal: ADMIN for platform admins.
pub fn planning_role(p: &Principal) -> Option<&'static str> {
    if p.is_admin() || p.has_role(crate::SLUG, "ADMIN") {
        Some("ADMIN")
    } else if p.has_role(crate::SLUG, "PLANNER") {
        Some("PLANNER")
    } else if p.has_role(crate::SLUG, "VIEWER") {
        Some("VIEWER")
    } else {
        None
    }
}

#[derive(ApiResponse)]
enum HealthResponse {
    /// Healthy.
    #[oai(status = 200)]
    Ok(Json<Envelope<Health>>),
    /// The database is unreachable.
    #[oai(status = 503)]
    Unavailable(Json<serde_json::Value>),
}

#[derive(ApiResponse)]
enum SignedIn {
    /// Signed in; the session cookie is set.
    #[oai(status = 200)]
    Ok(
        Json<Envelope<Session>>,
        #[oai(header = "Set-Cookie")] String,
    ),
}

#[derive(ApiResponse)]
enum SignedOut {
    /// Signed out; the session cookie is cleared.
    #[oai(status = 200)]
    Ok(Json<Envelope<bool>>, #[oai(header = "Set-Cookie")] String),
}

pub struct PlanningApi {
    platform: Platform,
}

pub fn api(platform: &Platform) -> PlanningApi {
    PlanningApi {
        platform: platform.clone(),
    }
}

fn session_of(p: &Principal, role: &str) -> Session {
    Session {
        user: SessionUser {
            id: p.id.clone(),
            email: p.email.clone(),
            name: p.name.clone(),
            role: role.to_string(),
        },
        expires: chrono::DateTime::from_timestamp(p.token_expires_at, 0)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

#[OpenApi]
impl PlanningApi {
    /// API and database health (public).
    #[oai(path = "/api/health", method = "get")]
    async fn health(&self) -> HealthResponse {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        match self.platform.db.ping().await {
            Ok(ms) => HealthResponse::Ok(Json(Envelope::ok(Health {
                status: "healthy".into(),
                timestamp: now,
                uptime: self.platform.metrics.uptime_secs(),
                database: DatabaseHealth {
                    status: "connected".into(),
                    response_time: Some(ms),
                    error: None,
                },
                version: env!("CARGO_PKG_VERSION").into(),
                environment: "self-hosted".into(),
            }))),
            Err(e) => HealthResponse::Unavailable(Json(serde_json::json!({
                "success": false,
                "error": "Service unhealthy",
                "data": { "status": "unhealthy", "database": { "status": "disconnected", "error": e.message } }
            }))),
        }
    }

    /// Sign in with e-mail and password; sets the `next-auth.session-token` cookie.
    #[oai(path = "/api/auth/signin", method = "post")]
    async fn signin(&self, body: Json<SignInRequest>) -> Result<SignedIn> {
        let (_, token) = self
            .platform
            .auth
            .login(&body.email, &body.password)
            .await?;
        let principal = self.platform.auth.verify(&token.access_token).await?;
        let role = planning_role(&principal)
            .ok_or_else(|| ApiError::forbidden("Your account has no role in planning"))?;
        let cookie = format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
            token.access_token, token.expires_in
        );
        Ok(SignedIn::Ok(
            Json(Envelope::ok(session_of(&principal, role))),
            cookie,
        ))
    }

    /// Sign out: the session ends and the cookie is cleared.
    #[oai(path = "/api/auth/signout", method = "post")]
    async fn signout(&self, auth: SessionOrBearer) -> Result<SignedOut> {
        let p = auth.principal();
        self.platform
            .auth
            .revoke(&p.token_id, p.token_expires_at)
            .await?;
        let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
        Ok(SignedOut::Ok(Json(Envelope::ok(true)), cookie))
    }

    /// The current session and role.
    #[oai(path = "/api/auth/session", method = "get")]
    async fn session(&self, auth: SessionOrBearer) -> Result<Json<Session>> {
        let p = auth.principal();
        let role = planning_role(p).ok_or_else(|| {
            ApiError::new(frontline_platform::ErrorKind::Forbidden, "No planning role")
                .with_code("FORBIDDEN")
        })?;
        Ok(Json(session_of(p, role)))
    }

    /// Global admin settings (ADMIN only).
    #[oai(path = "/api/admin/settings", method = "get", tag = "Tag::Admin")]
    async fn get_settings(&self, auth: SessionOrBearer) -> Result<Json<Envelope<AdminSettings>>> {
        require_admin(auth.principal())?;
        let (settings, _) = self
            .platform
            .db
            .read(crate::settings::load)
            .await?;
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

    /// List versions with paging, filters (status, mode, search in name and
    /// description) and sorting; each with the engine's npvRent,
    /// avgEBITDAMargin and avgRentLoad.
    #[oai(path = "/api/versions", method = "get", tag = "Tag::Versions")]
    #[allow(clippy::too_many_arguments)]
    async fn list_versions(
        &self,
        auth: SessionOrBearer,
        page: Query<Option<i64>>,
        limit: Query<Option<i64>>,
        status: Query<Option<String>>,
        mode: Query<Option<String>>,
        search: Query<Option<String>>,
        #[oai(name = "sortBy")] sort_by: Query<Option<String>>,
        #[oai(name = "sortOrder")] sort_order: Query<Option<String>>,
    ) -> Result<Json<Envelope<VersionList>>> {
        require_role(auth.principal(), &["ADMIN", "PLANNER", "VIEWER"])?;
        let max = (self.platform.settings.max_page_size as u64).min(100);
        let pg = Page::new(page.0, limit.0, 20, max)?;
        let mut errors = vec![];
        let status = status.0.filter(|s| s != "all");
        if status
            .as_deref()
            .is_some_and(|s| !service::STATUSES.contains(&s))
        {
            errors.push(FieldError::new(
                "status",
                "Must be one of DRAFT, READY, APPROVED, LOCKED, all",
            ));
        }
        let mode = mode.0.filter(|s| s != "all");
        if mode
            .as_deref()
            .is_some_and(|m| !service::MODES.contains(&m))
        {
            errors.push(FieldError::new(
                "mode",
                "Must be one of RELOCATION_2028, HISTORICAL_BASELINE, all",
            ));
        }
        let sort_by = sort_by.0.unwrap_or_else(|| "createdAt".into());
        if !["name", "createdAt", "updatedAt"].contains(&sort_by.as_str()) {
            errors.push(FieldError::new(
                "sortBy",
                "Must be one of name, createdAt, updatedAt",
            ));
        }
        let order = sort_order.0.unwrap_or_else(|| "desc".into());
        if order != "asc" && order != "desc" {
            errors.push(FieldError::new("sortOrder", "Must be asc or desc"));
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors).into());
        }
        let filter = store::VersionFilter {
            status,
            mode,
            search: search
                .0
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            sort_by,
            descending: order == "desc",
            offset: pg.offset(),
            limit: pg.limit,
        };
        let (rows, total, settings) = self
            .platform
            .db
            .read(move |c| {
                let (rows, total) = store::list(c, &filter)?;
                Ok((rows, total, settings::load(c)?.0))
            })
            .await?;
        let versions = rows
            .iter()
            .map(|v| {
                let p = service::project(&v.mode, &v.document, &settings);
                VersionSummary {
                    id: v.id.clone(),
                    name: v.name.clone(),
                    description: v.description.clone(),
                    mode: v.mode.clone(),
                    status: v.status.clone(),
                    created_by: v.created_by.clone(),
                    created_by_name: v.created_by_name.clone(),
                    created_at: v.created_at.clone(),
                    updated_at: v.updated_at.clone(),
                    rent_model: v.document.rent_plan.rent_model.clone(),
                    npv_rent: service::money(p.npv_rent),
                    avg_ebitda_margin: service::percent(p.avg_ebitda_margin),
                    avg_rent_load: service::percent(p.avg_rent_load),
                }
            })
            .collect();
        let info = pg.info(total);
        Ok(Json(Envelope::ok(VersionList {
            versions,
            pagination: Pagination {
                page: info.page,
                limit: info.limit,
                total: info.total,
                total_pages: info.total_pages,
                has_next_page: info.has_next(),
                has_previous_page: info.has_prev(),
            },
        })))
    }

    /// A version with its curriculum plans, rent plan, capex, opex, staffing
    /// and rates; with `includeCalculations=true` also the 30-year projection.
    #[oai(path = "/api/versions/:id", method = "get", tag = "Tag::Versions")]
    async fn get_version(
        &self,
        auth: SessionOrBearer,
        id: Path<String>,
        #[oai(name = "includeCalculations")] include_calculations: Query<Option<bool>>,
    ) -> Result<Json<Envelope<VersionDetail>>> {
        require_role(auth.principal(), &["ADMIN", "PLANNER", "VIEWER"])?;
        let id = id.0;
        let (v, settings) = self
            .platform
            .db
            .read(move |c| Ok((store::require(c, &id)?, settings::load(c)?.0)))
            .await?;
        let calculations = include_calculations
            .0
            .unwrap_or(false)
            .then(|| service::calculations(&service::project(&v.mode, &v.document, &settings)));
        let rates = service::effective_rates(&v.document, &settings);
        let d = v.document;
        Ok(Json(Envelope::ok(VersionDetail {
            id: v.id,
            name: v.name,
            description: v.description,
            mode: v.mode,
            status: v.status,
            created_by: v.created_by,
            created_by_name: v.created_by_name,
            created_at: v.created_at,
            updated_at: v.updated_at,
            based_on_id: v.based_on_id,
            based_on_name: v.based_on_name,
            locked_at: v.locked_at,
            locked_by: v.locked_by,
            lock_reason: v.lock_reason,
            curriculum_plans: d.curriculum_plans,
            rent_plan: d.rent_plan,
            capex_items: d.capex_items,
            opex_sub_accounts: d.opex_sub_accounts,
            staffing: d.staffing,
            admin_settings: EffectiveRates {
                cpi_rate: rates.cpi_rate,
                discount_rate: rates.discount_rate,
                tax_rate: rates.tax_rate,
            },
            calculations,
        })))
    }

    /// Create a version (ADMIN, PLANNER) in status DRAFT. Exactly two
    /// curriculum plans (FR and IB); students never above capacity; rates
    /// within 0..1. 409 when the name is taken.
    #[oai(path = "/api/versions", method = "post", tag = "Tag::Versions")]
    async fn create_version(
        &self,
        auth: SessionOrBearer,
        meta: RequestMeta,
        body: Json<VersionCreate>,
    ) -> Result<CreatedVersion> {
        let principal = auth.principal().clone();
        require_role(&principal, &["ADMIN", "PLANNER"])?;
        let based_on = body.0.based_on_id.clone();
        let valid = service::validate(&body.0.into())?;
        let now = now();
        let row = store::VersionRow {
            id: uuid::Uuid::new_v4().to_string(),
            name: valid.name,
            description: valid.description,
            mode: valid.mode,
            status: "DRAFT".into(),
            created_by: principal.id.clone(),
            created_by_name: principal.name.clone(),
            created_at: now.clone(),
            updated_at: now,
            based_on_id: based_on,
            based_on_name: None,
            locked_at: None,
            locked_by: None,
            lock_reason: None,
            document: valid.document,
        };
        let v = self
            .platform
            .db
            .write(move |tx| {
                if let Some(b) = &row.based_on_id {
                    if store::get(tx, b)?.is_none() {
                        return Err(ApiError::invalid("basedOnId", "Unknown version"));
                    }
                }
                unique_name(tx, &row.name, None)?;
                store::insert(tx, &row)?;
                audit::record(
                    tx,
                    Some(&principal),
                    &meta,
                    AuditEntry {
                        module: crate::SLUG,
                        action: "CREATE_VERSION",
                        entity_type: "VERSION",
                        entity_id: Some(&row.id),
                        details: serde_json::json!({ "versionName": row.name }),
                    },
                )?;
                Ok(row)
            })
            .await?;
        Ok(CreatedVersion::Ok(Json(Envelope::ok(VersionCreated {
            id: v.id,
            name: v.name,
            status: v.status,
            created_at: v.created_at,
            message: "Version created successfully".into(),
        }))))
    }

    /// Partly update a version (ADMIN, PLANNER): only DRAFT or READY versions
    /// change (an APPROVED one only its status); LOCKED versions answer 403.
    /// Nested items are matched by `id`; items without one are added.
    #[oai(path = "/api/versions/:id", method = "patch", tag = "Tag::Versions")]
    async fn update_version(
        &self,
        auth: SessionOrBearer,
        meta: RequestMeta,
        id: Path<String>,
        body: Json<VersionUpdate>,
    ) -> Result<Json<Envelope<VersionUpdated>>> {
        let principal = auth.principal().clone();
        require_role(&principal, &["ADMIN", "PLANNER"])?;
        if let Some(s) = &body.0.status {
            service::check_status(s)?;
        }
        let id = id.0;
        let update = body.0;
        let at = now();
        let v = self
            .platform
            .db
            .write(move |tx| {
                let mut v = store::require(tx, &id)?;
                if v.status == "LOCKED" {
                    return Err(locked(&v.id));
                }
                let status_only = update.name.is_none()
                    && update.description.is_none()
                    && update.mode.is_none()
                    && update.curriculum_plans.is_none()
                    && update.rent_plan.is_none()
                    && update.capex_items.is_none()
                    && update.opex_sub_accounts.is_none()
                    && update.staffing.is_none()
                    && update.admin_settings.is_none();
                if v.status == "APPROVED" && !status_only {
                    return Err(ApiError::conflict(
                        "Only DRAFT or READY versions can be edited; set status to DRAFT first",
                    )
                    .with_extra("status", &v.status));
                }
                let new_status = update.status.clone();
                let mut draft =
                    service::draft_of(&v.name, v.description.as_deref(), &v.mode, &v.document);
                let unknown = service::merge(&mut draft, update);
                if !unknown.is_empty() {
                    return Err(ApiError::validation(unknown));
                }
                let valid = service::validate(&draft)?;
                unique_name(tx, &valid.name, Some(&v.id))?;
                v.name = valid.name;
                v.description = valid.description;
                v.mode = valid.mode;
                v.document = valid.document;
                if let Some(s) = new_status {
                    v.status = s;
                }
                v.updated_at = at;
                store::update(tx, &v)?;
                audit::record(
                    tx,
                    Some(&principal),
                    &meta,
                    AuditEntry {
                        module: crate::SLUG,
                        action: "UPDATE_VERSION",
                        entity_type: "VERSION",
                        entity_id: Some(&v.id),
                        details: serde_json::json!({ "versionName": v.name, "status": v.status }),
                    },
                )?;
                Ok(v)
            })
            .await?;
        Ok(Json(Envelope::ok(VersionUpdated {
            id: v.id,
            updated_at: v.updated_at,
            message: "Version updated successfully".into(),
        })))
    }

    /// Delete a version (ADMIN only): a soft delete, its audit trail stays.
    /// 409 for a LOCKED version.
    #[oai(path = "/api/versions/:id", method = "delete", tag = "Tag::Versions")]
    async fn delete_version(
        &self,
        auth: SessionOrBearer,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Json<Envelope<VersionDeleted>>> {
        let principal = auth.principal().clone();
        require_role(&principal, &["ADMIN"])?;
        let id = id.0;
        let at = now();
        let deleted_at = at.clone();
        let id = self
            .platform
            .db
            .write(move |tx| {
                let v = store::require(tx, &id)?;
                if v.status == "LOCKED" {
                    return Err(ApiError::conflict("Cannot delete a LOCKED version")
                        .with_extra("versionId", &v.id));
                }
                store::soft_delete(tx, &v.id, &at)?;
                audit::record(
                    tx,
                    Some(&principal),
                    &meta,
                    AuditEntry {
                        module: crate::SLUG,
                        action: "DELETE_VERSION",
                        entity_type: "VERSION",
                        entity_id: Some(&v.id),
                        details: serde_json::json!({ "versionName": v.name }),
                    },
                )?;
                Ok(v.id)
            })
            .await?;
        Ok(Json(Envelope::ok(VersionDeleted {
            id,
            deleted_at,
            message: "Version deleted successfully".into(),
        })))
    }

    /// Copy a version (ADMIN, PLANNER) as a new DRAFT with `basedOnId`
    /// pointing at the original. 400 when the name exists.
    #[oai(
        path = "/api/versions/:id/duplicate",
        method = "post",
        tag = "Tag::Versions"
    )]
    async fn duplicate_version(
        &self,
        auth: SessionOrBearer,
        meta: RequestMeta,
        id: Path<String>,
        body: Json<DuplicateRequest>,
    ) -> Result<DuplicatedVersion> {
        let principal = auth.principal().clone();
        require_role(&principal, &["ADMIN", "PLANNER"])?;
        let req = body.0;
        let id = id.0;
        let now = now();
        let v = self
            .platform
            .db
            .write(move |tx| {
                let src = store::require(tx, &id)?;
                let name = req
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{} (copy)", src.name));
                let mut draft = service::draft_of(
                    &name,
                    req.description.as_deref().or(src.description.as_deref()),
                    &src.mode,
                    &src.document,
                );
                // The copy's nested items get ids of their own.
                for p in draft.curriculum_plans.iter_mut().flatten() {
                    p.id = None;
                }
                if let Some(r) = draft.rent_plan.as_mut() {
                    r.id = None;
                }
                draft.capex_items.iter_mut().for_each(|c| c.id = None);
                draft.opex_sub_accounts.iter_mut().for_each(|o| o.id = None);
                let valid = service::validate(&draft)?;
                if store::name_taken(tx, &valid.name, None)? {
                    return Err(ApiError::invalid("name", "Version name already exists"));
                }
                let row = store::VersionRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    name: valid.name,
                    description: valid.description,
                    mode: valid.mode,
                    status: "DRAFT".into(),
                    created_by: principal.id.clone(),
                    created_by_name: principal.name.clone(),
                    created_at: now.clone(),
                    updated_at: now,
                    based_on_id: Some(src.id.clone()),
                    based_on_name: Some(src.name.clone()),
                    locked_at: None,
                    locked_by: None,
                    lock_reason: None,
                    document: valid.document,
                };
                store::insert(tx, &row)?;
                audit::record(
                    tx,
                    Some(&principal),
                    &meta,
                    AuditEntry {
                        module: crate::SLUG,
                        action: "DUPLICATE_VERSION",
                        entity_type: "VERSION",
                        entity_id: Some(&row.id),
                        details: serde_json::json!({ "versionName": row.name, "basedOnId": src.id }),
                    },
                )?;
                Ok(row)
            })
            .await?;
        Ok(DuplicatedVersion::Ok(Json(Envelope::ok(
            VersionDuplicated {
                id: v.id,
                name: v.name,
                status: v.status,
                based_on_id: v.based_on_id.unwrap_or_default(),
                created_at: v.created_at,
                message: "Version duplicated successfully".into(),
            },
        ))))
    }

    /// Lock a version (ADMIN only): status LOCKED, no further edits or
    /// deletion. The rates in force are frozen into the version so its
    /// figures no longer move with the global settings. 409 when locked already.
    #[oai(
        path = "/api/versions/:id/lock",
        method = "post",
        tag = "Tag::Versions"
    )]
    async fn lock_version(
        &self,
        auth: SessionOrBearer,
        meta: RequestMeta,
        id: Path<String>,
        body: Json<LockRequest>,
    ) -> Result<Json<Envelope<VersionLocked>>> {
        let principal = auth.principal().clone();
        require_role(&principal, &["ADMIN"])?;
        let reason = body
            .0
            .reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            return Err(ApiError::invalid("reason", "Must be at most 500 characters").into());
        }
        let id = id.0;
        let at = now();
        let v = self
            .platform
            .db
            .write(move |tx| {
                let mut v = store::require(tx, &id)?;
                if v.status == "LOCKED" {
                    return Err(ApiError::conflict("Version is already locked")
                        .with_extra("versionId", &v.id));
                }
                let rates = service::effective_rates(&v.document, &settings::load(tx)?.0);
                v.document.admin_settings = VersionRates {
                    cpi_rate: Some(rates.cpi_rate),
                    discount_rate: Some(rates.discount_rate),
                    tax_rate: Some(rates.tax_rate),
                };
                v.status = "LOCKED".into();
                v.locked_at = Some(at.clone());
                v.locked_by = Some(principal.email.clone());
                v.lock_reason = reason;
                v.updated_at = at;
                store::update(tx, &v)?;
                audit::record(
                    tx,
                    Some(&principal),
                    &meta,
                    AuditEntry {
                        module: crate::SLUG,
                        action: "LOCK_VERSION",
                        entity_type: "VERSION",
                        entity_id: Some(&v.id),
                        details: serde_json::json!({ "versionName": v.name, "reason": v.lock_reason }),
                    },
                )?;
                Ok(v)
            })
            .await?;
        Ok(Json(Envelope::ok(VersionLocked {
            id: v.id,
            status: v.status,
            locked_at: v.locked_at.unwrap_or_default(),
            locked_by: v.locked_by.unwrap_or_default(),
            lock_reason: v.lock_reason,
            message: "Version locked successfully".into(),
        })))
    }

    /// Compare 2-4 versions side by side on the engine's figures, with the
    /// best version per chosen metric and (extension) the differences to the
    /// first version.
    #[oai(path = "/api/versions/compare", method = "post", tag = "Tag::Versions")]
    async fn compare_versions(
        &self,
        auth: SessionOrBearer,
        body: Json<CompareRequest>,
    ) -> Result<Json<Envelope<Comparison>>> {
        require_role(auth.principal(), &["ADMIN", "PLANNER", "VIEWER"])?;
        let (ids, metrics) = service::compare_request(&body.0)?;
        let (rows, settings) = self
            .platform
            .db
            .read(move |c| Ok((load_all(c, &ids)?, settings::load(c)?.0)))
            .await?;
        let comparison: Vec<CompareItem> = rows
            .iter()
            .map(|v| {
                let p = service::project(&v.mode, &v.document, &settings);
                service::compare_item(&v.id, &v.name, &v.document.rent_plan.rent_model, &p)
            })
            .collect();
        Ok(Json(Envelope::ok(Comparison {
            best: service::best(&comparison, &metrics),
            differences: service::differences(&comparison),
            comparison,
        })))
    }

    /// Generate a PDF or Excel report of a version from its projection
    /// (any role). EXECUTIVE_SUMMARY: key metrics and charts;
    /// FINANCIAL_DETAIL: also assumptions and the year-by-year table;
    /// COMPARISON: with `compareWithIds`. The file is kept 24 hours behind a
    /// signed download link.
    #[oai(
        path = "/api/reports/generate/:versionId",
        method = "post",
        tag = "Tag::Reports"
    )]
    async fn generate_report(
        &self,
        auth: SessionOrBearer,
        meta: RequestMeta,
        #[oai(name = "versionId")] version_id: Path<String>,
        body: Json<GenerateReportRequest>,
    ) -> Result<Json<Envelope<ReportGenerated>>> {
        let principal = auth.principal().clone();
        require_role(&principal, &["ADMIN", "PLANNER", "VIEWER"])?;
        let version_id = version_id.0;
        let spec = reports::spec(&version_id, &body.0)?;
        let mut ids = vec![version_id.clone()];
        ids.extend(spec.compare_with_ids.iter().cloned());
        let (rows, settings) = self
            .platform
            .db
            .read(move |c| Ok((load_all(c, &ids)?, settings::load(c)?.0)))
            .await?;
        let generated_at = now();
        let by = principal.name.clone();
        let at = generated_at.clone();
        let spec2 = spec.clone();
        let (bytes, media_type, ext) = tokio::task::spawn_blocking(move || {
            let versions: Vec<_> = rows
                .into_iter()
                .map(|v| {
                    let p = service::project(&v.mode, &v.document, &settings);
                    (v, p)
                })
                .collect();
            let report = reports::build(&spec2, &versions, &settings.currency, &by, &at)?;
            reports::render(&report, &spec2.format)
        })
        .await
        .map_err(|e| ApiError::internal(format!("report task: {e}")))??;
        let report_id = uuid::Uuid::new_v4().to_string();
        let filename = format!(
            "{}-{}.{ext}",
            spec.report_type.to_lowercase().replace('_', "-"),
            &report_id[..8]
        );
        let pending = self
            .platform
            .files
            .write_blob(
                NewFile::new(crate::SLUG, &filename)
                    .media_type(media_type)
                    .owner(&principal.id)
                    .expires_in(REPORT_TTL),
                bytes,
            )
            .await?;
        let expires_at = pending
            .meta()
            .expires_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        let row = store::ReportRow {
            id: report_id,
            version_id: version_id.clone(),
            version_name: String::new(),
            report_type: spec.report_type.clone(),
            format: spec.format.clone(),
            generated_by: principal.id.clone(),
            generated_at: generated_at.clone(),
            expires_at: expires_at.clone(),
            file_id: pending.meta().id.clone(),
            file_size: pending.meta().size,
        };
        let row = self
            .platform
            .db
            .write(move |tx| {
                let mut row = row;
                row.version_name = store::require(tx, &row.version_id)?.name;
                files::record(tx, &pending)?;
                store::insert_report(tx, &row)?;
                audit::record(
                    tx,
                    Some(&principal),
                    &meta,
                    AuditEntry {
                        module: crate::SLUG,
                        action: "GENERATE_REPORT",
                        entity_type: "REPORT",
                        entity_id: Some(&row.id),
                        details: serde_json::json!({
                            "versionId": row.version_id,
                            "versionName": row.version_name,
                            "reportType": row.report_type,
                            "format": row.format,
                        }),
                    },
                )?;
                Ok(row)
            })
            .await?;
        let (url, _) = self.platform.files.signed_url(&row.file_id, REPORT_TTL);
        Ok(Json(Envelope::ok(ReportGenerated {
            report_id: row.id,
            download_url: url,
            expires_at,
            generated_at,
            file_size: row.file_size,
            message: "Report generated successfully".into(),
        })))
    }

    /// Generated reports, newest first, optionally of one version; each
    /// with a fresh signed download link until the report expires.
    #[oai(path = "/api/reports", method = "get", tag = "Tag::Reports")]
    async fn list_reports(
        &self,
        auth: SessionOrBearer,
        page: Query<Option<i64>>,
        limit: Query<Option<i64>>,
        #[oai(name = "versionId")] version_id: Query<Option<String>>,
    ) -> Result<Json<Envelope<ReportList>>> {
        require_role(auth.principal(), &["ADMIN", "PLANNER", "VIEWER"])?;
        let pg = Page::new(
            page.0,
            limit.0,
            20,
            self.platform.settings.max_page_size as u64,
        )?;
        let vid = version_id.0;
        let (rows, total) = self
            .platform
            .db
            .read(move |c| store::list_reports(c, vid.as_deref(), pg.offset(), pg.limit))
            .await?;
        let now = chrono::Utc::now();
        let reports = rows
            .into_iter()
            .map(|r| {
                let left = chrono::DateTime::parse_from_rfc3339(&r.expires_at)
                    .map(|t| t.with_timezone(&chrono::Utc) - now)
                    .ok()
                    .and_then(|d| d.to_std().ok())
                    .filter(|d| d.as_secs() > 0);
                ReportItem {
                    download_url: left.map(|ttl| self.platform.files.signed_url(&r.file_id, ttl).0),
                    id: r.id,
                    version_id: r.version_id,
                    version_name: r.version_name,
                    report_type: r.report_type,
                    format: r.format,
                    generated_by: r.generated_by,
                    generated_at: r.generated_at,
                    expires_at: r.expires_at,
                    file_size: r.file_size,
                }
            })
            .collect();
        let info = pg.info(total);
        Ok(Json(Envelope::ok(ReportList {
            reports,
            pagination: SimplePagination {
                page: info.page,
                limit: info.limit,
                total: info.total,
                total_pages: info.total_pages,
            },
        })))
    }

    /// Users with a role in planning (platform admins count as ADMIN).
    #[oai(path = "/api/admin/users", method = "get", tag = "Tag::Admin")]
    async fn list_users(&self, auth: SessionOrBearer) -> Result<Json<Envelope<UserList>>> {
        require_admin(auth.principal())?;
        let users = self.platform.db.read(Auth::list_users_in).await?;
        let users = users
            .into_iter()
            .filter_map(|u| {
                let role = role_of_roles(&u.roles)?;
                Some(PlanningUser {
                    id: u.id,
                    email: u.email,
                    name: u.name,
                    role: role.into(),
                    created_at: u.created_at,
                    last_login_at: u.last_login_at,
                })
            })
            .collect();
        Ok(Json(Envelope::ok(UserList { users })))
    }

    /// Give a user a planning role (ADMIN, PLANNER or VIEWER), replacing the
    /// one they had; roles in other modules stay. Audited as `UPDATE_USER_ROLE`.
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
                let user = find_user(tx, &user_id)?.ok_or_else(|| {
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

/// Tags of the planning operations.
#[derive(poem_openapi::Tags)]
pub enum Tag {
    /// Versions of the 30-year plan, their projections and comparisons.
    Versions,
    /// PDF and Excel reports of versions.
    Reports,
    /// Admin settings, users and audit logs (ADMIN only).
    Admin,
}

/// 403 unless the caller is a planning ADMIN (or a platform admin).
fn require_admin(p: &Principal) -> std::result::Result<(), ApiError> {
    match planning_role(p) {
        Some("ADMIN") => Ok(()),
        _ => Err(ApiError::forbidden("Admin access required").with_code("FORBIDDEN")),
    }
}

/// How long a generated report and its link live.
const REPORT_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[derive(ApiResponse)]
enum CreatedVersion {
    /// Created.
    #[oai(status = 201)]
    Ok(Json<Envelope<VersionCreated>>),
}

#[derive(ApiResponse)]
enum DuplicatedVersion {
    /// Duplicated.
    #[oai(status = 201)]
    Ok(Json<Envelope<VersionDuplicated>>),
}

/// 403 unless the caller has one of `roles` in planning.
fn require_role(p: &Principal, roles: &[&str]) -> std::result::Result<(), ApiError> {
    match planning_role(p) {
        Some(r) if roles.contains(&r) => Ok(()),
        _ => Err(ApiError::forbidden(format!(
            "Insufficient permissions. {} role required.",
            roles.join(" or ")
        ))
        .with_code("FORBIDDEN")),
    }
}

/// The planning role implied by a user's stored roles.
fn role_of_roles(roles: &[String]) -> Option<&'static str> {
    let has = |r: &str| roles.iter().any(|x| x == r);
    if has("admin") || has("planning:ADMIN") {
        Some("ADMIN")
    } else if has("planning:PLANNER") {
        Some("PLANNER")
    } else if has("planning:VIEWER") {
        Some("VIEWER")
    } else {
        None
    }
}

/// 403 for edits of a LOCKED version.
fn locked(id: &str) -> ApiError {
    ApiError::forbidden("Version is LOCKED and cannot be edited")
        .with_code("FORBIDDEN")
        .with_extra("versionId", id)
}

/// 409 when another version has the name.
fn unique_name(
    conn: &rusqlite::Connection,
    name: &str,
    except: Option<&str>,
) -> std::result::Result<(), ApiError> {
    if store::name_taken(conn, name, except)? {
        return Err(ApiError::conflict("Version name already exists")
            .with_extra("field", "name")
            .with_extra("value", name));
    }
    Ok(())
}

/// All versions of `ids` in that order; 404 naming the unknown ones.
fn load_all(
    conn: &rusqlite::Connection,
    ids: &[String],
) -> std::result::Result<Vec<store::VersionRow>, ApiError> {
    let mut rows = vec![];
    let mut missing = vec![];
    for id in ids {
        match store::get(conn, id)? {
            Some(v) => rows.push(v),
            None => missing.push(id.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(
            ApiError::not_found("One or more versions not found").with_extra("versionIds", missing)
        );
    }
    Ok(rows)
}

/// An ISO 8601 date or date-time as an RFC 3339 bound (a bare end date covers its whole day).
fn parse_date(
    field: &str,
    v: Option<String>,
    end: bool,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = v?.trim().to_string();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&v) {
        return Some(
            t.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        );
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
        let t = if end {
            d.and_hms_milli_opt(23, 59, 59, 999)
        } else {
            d.and_hms_opt(0, 0, 0)
        };
        if let Some(t) = t {
            return Some(
                t.and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            );
        }
    }
    errors.push(FieldError::new(
        field,
        "Must be an ISO 8601 date or date-time",
    ));
    None
}
