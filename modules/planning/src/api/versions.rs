//! Versions: CRUD, duplicate, lock, compare.

use super::*;

pub struct VersionsApi {
    pub(super) platform: Platform,
}

#[OpenApi]
impl VersionsApi {
    /// List versions with paging, filters (status, mode, search in name and
    /// description) and sorting; each with the engine's npvRent,
    /// avgEBITDAMargin and avgRentLoad (stored when the version is written,
    /// and recomputed after a settings change).
    #[oai(path = "/api/versions", method = "get", tag = "Tag::Versions")]
    #[allow(clippy::too_many_arguments)]
    async fn list_versions(
        &self,
        _caller: Caller<AnyRole>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Versions per page, 1 to 100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
        /// Only versions in this status (default `all`).
        status: Query<Option<StatusFilter>>,
        /// Only versions in this mode (default `all`).
        mode: Query<Option<ModeFilter>>,
        /// Text in the name or description (at most 200 characters).
        #[oai(validator(max_length = 200))]
        search: Query<Option<String>>,
        /// Sort key (default `createdAt`).
        #[oai(name = "sortBy")]
        sort_by: Query<Option<SortBy>>,
        /// Sort direction (default `desc`).
        #[oai(name = "sortOrder")]
        sort_order: Query<Option<SortOrder>>,
    ) -> Result<Json<Envelope<VersionList>>> {
        let pg = super::page(&self.platform, page.0, limit.0, 20)?;
        let filter = VersionFilter {
            status: status.0.and_then(StatusFilter::status),
            mode: mode.0.and_then(ModeFilter::mode),
            search: search
                .0
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            sort_by: sort_by.0.unwrap_or(SortBy::CreatedAt),
            descending: sort_order.0.unwrap_or(SortOrder::Desc) == SortOrder::Desc,
            offset: pg.offset(),
            limit: pg.limit,
        };
        let (versions, total, stale) = self
            .platform
            .db
            .read(move |c| service::list(c, &filter))
            .await?;
        if stale {
            super::refresh_figures_later(&self.platform);
        }
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
        _caller: Caller<AnyRole>,
        /// Version id.
        id: Path<String>,
        /// Include the 30-year projection (default false).
        #[oai(name = "includeCalculations")]
        include_calculations: Query<Option<bool>>,
    ) -> Result<Json<Envelope<VersionDetail>>> {
        let with = include_calculations.0.unwrap_or(false);
        let v = self
            .platform
            .db
            .read(move |c| service::detail(c, &id.0, with))
            .await?;
        Ok(Json(Envelope::ok(v)))
    }

    /// Create a version (ADMIN, PLANNER) in status DRAFT. Exactly two
    /// curriculum plans (FR and IB); students never above capacity; the rent
    /// model's parameters. 409 when the name is taken.
    #[oai(path = "/api/versions", method = "post", tag = "Tag::Versions")]
    async fn create_version(
        &self,
        caller: Caller<Editor>,
        meta: RequestMeta,
        body: JsonBody<VersionCreate>,
    ) -> Result<CreatedVersion> {
        let at = now();
        let v = write::transact(&self.platform.db, Some(caller.principal), meta, move |w| {
            service::create(w, body.0, &at)
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
        caller: Caller<Editor>,
        meta: RequestMeta,
        /// Version id.
        id: Path<String>,
        body: JsonBody<VersionUpdate>,
    ) -> Result<Json<Envelope<VersionUpdated>>> {
        let at = now();
        let v = write::transact(&self.platform.db, Some(caller.principal), meta, move |w| {
            service::update(w, &id.0, body.0, &at)
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
        caller: Caller<AdminOnly>,
        meta: RequestMeta,
        /// Version id.
        id: Path<String>,
    ) -> Result<Json<Envelope<VersionDeleted>>> {
        let deleted_at = now();
        let at = deleted_at.clone();
        let id = write::transact(&self.platform.db, Some(caller.principal), meta, move |w| {
            service::delete(w, &id.0, &at)
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
        caller: Caller<Editor>,
        meta: RequestMeta,
        /// Id of the version to copy.
        id: Path<String>,
        body: JsonBody<DuplicateRequest>,
    ) -> Result<DuplicatedVersion> {
        let at = now();
        let v = write::transact(&self.platform.db, Some(caller.principal), meta, move |w| {
            service::duplicate(w, &id.0, body.0, &at)
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
        caller: Caller<AdminOnly>,
        meta: RequestMeta,
        /// Version id.
        id: Path<String>,
        body: JsonBody<LockRequest>,
    ) -> Result<Json<Envelope<VersionLocked>>> {
        let at = now();
        let v = write::transact(&self.platform.db, Some(caller.principal), meta, move |w| {
            service::lock(w, &id.0, body.0.reason, &at)
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
        _caller: Caller<AnyRole>,
        body: JsonBody<CompareRequest>,
    ) -> Result<Json<Envelope<Comparison>>> {
        let comparison = self
            .platform
            .db
            .read(move |c| service::compare(c, body.0))
            .await?;
        Ok(Json(Envelope::ok(comparison)))
    }
}
