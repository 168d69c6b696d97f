//! Versions: CRUD, duplicate, lock, compare.

use super::*;

pub struct VersionsApi {
    pub(super) platform: Platform,
}

#[OpenApi]
impl VersionsApi {
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
        if let Err(e) = frontline_platform::search::check_substring(
            "search",
            search.0.as_deref().unwrap_or_default(),
        ) {
            errors.extend(e.details);
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
                let changes = service::changed_parts(&v, &valid, new_status.as_deref());
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
                        details: serde_json::json!({
                            "versionName": v.name,
                            "status": v.status,
                            "changes": changes,
                        }),
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
}
