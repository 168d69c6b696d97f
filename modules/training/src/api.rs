//! Handlers of the training API: declared security (`Can<Permission>`),
//! one transaction, one service call, the document's envelope.

use frontline_platform::body::JsonBody;
use frontline_platform::http::{ModuleError, RequestMeta};
use frontline_platform::page::Page;
use frontline_platform::search::{SearchQuery, SortOrder, MAX_LIMIT};
use frontline_platform::write;
use frontline_platform::Platform;
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;
use serde_json::json;

use crate::model::*;
use crate::service;
use crate::store;
pub(crate) use guard::*;

mod abtests;
mod analytics;
mod bulk;
mod comments;
mod guard;
mod search;
mod templates;
mod transfer;
mod versions;
mod webhooks;

type Result<T> = std::result::Result<T, ModuleError<TrainingEnvelope>>;

/// All the training APIs, for mounting.
pub fn apis(
    platform: &Platform,
) -> (
    ScenariosApi,
    versions::VersionsApi,
    templates::TemplatesApi,
    comments::CommentsApi,
    analytics::AnalyticsApi,
    bulk::BulkApi,
    search::SearchApi,
    abtests::AbTestsApi,
    transfer::TransferApi,
    webhooks::WebhooksApi,
) {
    let p = platform.clone();
    (
        ScenariosApi {
            platform: p.clone(),
            lists: store::list::ListCache::default(),
        },
        versions::VersionsApi {
            platform: p.clone(),
        },
        templates::TemplatesApi {
            platform: p.clone(),
        },
        comments::CommentsApi {
            platform: p.clone(),
        },
        analytics::AnalyticsApi {
            platform: p.clone(),
        },
        bulk::BulkApi {
            platform: p.clone(),
        },
        search::SearchApi {
            platform: p.clone(),
        },
        abtests::AbTestsApi {
            platform: p.clone(),
        },
        transfer::TransferApi {
            platform: p.clone(),
        },
        webhooks::WebhooksApi { platform: p },
    )
}

pub struct ScenariosApi {
    platform: Platform,
    /// Totals and keyset anchors of recent lists ([`store::list`]).
    lists: store::list::ListCache,
}

/// Page information of a page answer.
pub(crate) fn pagination(pg: &Page, total: u64) -> Pagination {
    let info = pg.info(total);
    Pagination {
        page: info.page,
        limit: info.limit,
        total: info.total,
        total_pages: info.total_pages,
        has_next: info.has_next(),
        has_prev: info.has_prev(),
    }
}

/// Scenarios: authoring and lifecycle.
#[OpenApi(tag = "ApiTags::Scenarios")]
impl ScenariosApi {
    /// Create a scenario (`scenario:create`). The slug comes from the name and
    /// must be unique (409). Invalid fields answer 422 with one detail each.
    #[oai(path = "/admin/scenarios", method = "post")]
    async fn create(
        &self,
        auth: Can<ScenarioCreate>,
        meta: RequestMeta,
        body: JsonBody<CreateScenarioRequest>,
    ) -> Result<CreatedAnswer<ScenarioCreated>> {
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::scenarios::create(w, &body.0)
        })
        .await?;
        Ok(created(out))
    }

    /// List scenarios (`scenario:read`) with filters (status, category and
    /// difficulty take several values, repeated or comma-separated), sorting
    /// and pagination. `search` is a full-text query on the search index (as
    /// POST /admin/scenarios/search): without `sortBy` the results come in
    /// relevance order; with `sortBy=name` the best 1000 matches are sorted.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/admin/scenarios", method = "get")]
    async fn list(
        &self,
        auth: Can<ScenarioRead>,
        #[oai(validator(minimum(value = "1")))] page: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(max_length = 512))] search: Query<Option<String>>,
        status: Query<Filter<ScenarioStatus>>,
        category: Query<Filter<Category>>,
        difficulty: Query<Filter<Difficulty>>,
        #[oai(name = "createdBy")] created_by: Query<Option<String>>,
        #[oai(name = "tenantId")] tenant_id: Query<Option<String>>,
        #[oai(name = "isPrivate")] is_private: Query<Option<bool>>,
        #[oai(name = "sortBy")] sort_by: Query<Option<ListSortBy>>,
        #[oai(name = "sortOrder")] sort_order: Query<Option<SortDirection>>,
    ) -> Result<DirectAnswer<ScenarioList>> {
        let p = auth.0;
        let max = self.platform.settings.max_page_size.min(100) as u64;
        let pg = Page::new(page.0, limit.0, 20, max)?;
        let (status, category, difficulty) =
            (status.0.names(), category.0.names(), difficulty.0.names());
        if let Some(text) = search.0.as_deref() {
            frontline_platform::search::check_text("search", text)?;
        }
        let sort_key = sort_by.0.as_ref().map(name_of);
        let descending = !matches!(sort_order.0, Some(SortDirection::Asc));
        let mut applied = serde_json::Map::new();
        for (name, vals) in [
            ("status", &status),
            ("category", &category),
            ("difficulty", &difficulty),
        ] {
            if !vals.is_empty() {
                applied.insert(name.into(), json!(vals));
            }
        }
        if let Some(c) = &created_by.0 {
            applied.insert("createdBy".into(), json!(c));
        }
        if let Some(t) = &tenant_id.0 {
            applied.insert("tenantId".into(), json!(t));
        }
        if let Some(b) = is_private.0 {
            applied.insert("isPrivate".into(), json!(b));
        }
        let query = store::list::ListQuery {
            viewer: p.id.clone(),
            admin: service::is_training_admin(&p),
            status: status.clone(),
            category: category.clone(),
            difficulty: difficulty.clone(),
            created_by: created_by.0.clone(),
            tenant_id: tenant_id.0.clone(),
            is_private: is_private.0,
            sort: store::list::sort_expr(sort_key.as_deref()),
            descending,
            limit: pg.limit as i64,
            offset: pg.offset() as i64,
        };
        let text = search
            .0
            .clone()
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty());
        let (items, total) = if let Some(text) = text {
            applied.insert("search".into(), json!(text));
            let mut q = search::visibility(SearchQuery::new(text), &p);
            for (field, vals) in [
                ("status", &status),
                ("categoryKey", &category),
                ("difficulty", &difficulty),
            ] {
                if !vals.is_empty() {
                    q = q.filter_any(field, vals.clone());
                }
            }
            if let Some(c) = created_by.0.clone() {
                q = q.filter("createdBy", c);
            }
            if let Some(t) = tenant_id.0.clone() {
                q = q.filter("tenantId", t);
            }
            if let Some(b) = is_private.0 {
                q = q.filter("isPrivate", b.to_string());
            }
            let ord = if descending {
                SortOrder::Desc
            } else {
                SortOrder::Asc
            };
            let idx = crate::index::index(&self.platform)?;
            let (pg_no, per) = (pg.page as usize, pg.limit as usize);
            let (ids, total, sorted) = match sort_key.as_deref() {
                // Relevance order (no explicit sort) and numeric sorts page in the index.
                None => {
                    let r = self.platform.search.query(&idx, q.page(pg_no, per)).await?;
                    (
                        r.hits.into_iter().map(|h| h.id).collect::<Vec<_>>(),
                        r.total as u64,
                        false,
                    )
                }
                Some("name") => {
                    // Names are not sortable in the index: the best 1000 matches, sorted by name.
                    let r = self.platform.search.query(&idx, q.limit(MAX_LIMIT)).await?;
                    let total = r.hits.len() as u64;
                    (r.hits.into_iter().map(|h| h.id).collect(), total, true)
                }
                Some(key) => {
                    let r = self
                        .platform
                        .search
                        .query(&idx, q.sort_by(key, ord).page(pg_no, per))
                        .await?;
                    (
                        r.hits.into_iter().map(|h| h.id).collect(),
                        r.total as u64,
                        false,
                    )
                }
            };
            let items = self
                .platform
                .db
                .read(move |conn| store::list::summaries(conn, &ids, &query, sorted))
                .await?;
            (items, total)
        } else {
            let cache = self.lists.clone();
            self.platform
                .db
                .read(move |conn| store::list::page(conn, &cache, &query))
                .await?
        };
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Ok(ok_direct(ScenarioList {
            data: items,
            pagination: pagination(&pg, total),
            filters: ListFilters {
                applied_filters: applied.into_iter().collect(),
                available_filters: AvailableFilters {
                    categories: strings(service::CATEGORIES),
                    difficulties: strings(service::DIFFICULTIES),
                    statuses: strings(service::STATUSES),
                    sort_by: store::list::SORTS
                        .iter()
                        .map(|(k, _)| k.to_string())
                        .collect(),
                },
            },
        }))
    }

    /// Get a scenario (`scenario:read`), optionally with its analytics and
    /// version history.
    #[oai(path = "/admin/scenarios/:id", method = "get")]
    async fn get(
        &self,
        auth: Can<ScenarioRead>,
        id: Path<String>,
        #[oai(name = "includeAnalytics")] include_analytics: Query<Option<bool>>,
        #[oai(name = "includeVersions")] include_versions: Query<Option<bool>>,
    ) -> Result<Answer<ScenarioDetail>> {
        let p = auth.0;
        let (ia, iv) = (
            include_analytics.0.unwrap_or(false),
            include_versions.0.unwrap_or(false),
        );
        let out = self
            .platform
            .db
            .read(move |conn| service::scenarios::detail(conn, &id.0, &p, ia, iv))
            .await?;
        Ok(ok(out))
    }

    /// Update a scenario (`scenario:update`): the given fields are merged into
    /// the scenario and a new version with a full snapshot is created.
    #[oai(path = "/admin/scenarios/:id", method = "put")]
    async fn update(
        &self,
        auth: Can<ScenarioUpdate>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<UpdateScenarioRequest>,
    ) -> Result<Answer<ScenarioUpdated>> {
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::scenarios::update(w, &id.0, &body.0)
        })
        .await?;
        Ok(ok(out))
    }

    /// Partially update a scenario (`scenario:update`) without creating a version.
    #[oai(path = "/admin/scenarios/:id", method = "patch")]
    async fn patch(
        &self,
        auth: Can<ScenarioUpdate>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<ScenarioChanges>,
    ) -> Result<Answer<ScenarioPatched>> {
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::scenarios::patch(w, &id.0, &body.0)
        })
        .await?;
        Ok(ok(out))
    }

    /// Delete a scenario (`scenario:delete`): archives it, or with
    /// `permanent=true` removes it with its versions, comments and attempts
    /// (platform `admin`, the SUPER_ADMIN, only).
    #[oai(path = "/admin/scenarios/:id", method = "delete")]
    async fn delete(
        &self,
        auth: Can<ScenarioDelete>,
        meta: RequestMeta,
        id: Path<String>,
        permanent: Query<Option<bool>>,
    ) -> Result<NoContent> {
        let permanent = permanent.0.unwrap_or(false);
        service::scenarios::check_permanent(&auth.0, permanent)?;
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::scenarios::delete(w, &id.0, permanent)
        })
        .await?;
        Ok(NoContent::NoContent)
    }

    /// Duplicate a scenario (`scenario:create`) as a new draft, optionally
    /// copying its recorded attempts (`preserveAnalytics`).
    #[oai(path = "/admin/scenarios/:id/duplicate", method = "post")]
    async fn duplicate(
        &self,
        auth: Can<ScenarioCreate>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<Option<DuplicateScenarioRequest>>,
    ) -> Result<CreatedAnswer<ScenarioDuplicated>> {
        let req = body.0.unwrap_or_default();
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::scenarios::duplicate(w, &id.0, req)
        })
        .await?;
        Ok(created(out))
    }

    /// Publish a draft, pending or approved scenario (`scenario:publish`).
    /// Publishing an archived or already published scenario answers 409.
    #[oai(path = "/admin/scenarios/:id/publish", method = "post")]
    async fn publish(
        &self,
        auth: Can<ScenarioPublish>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<Option<PublishScenarioRequest>>,
    ) -> Result<Answer<ScenarioPublished>> {
        let req = body.0.unwrap_or_default();
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::scenarios::publish(w, &id.0, req)
        })
        .await?;
        Ok(ok(out))
    }

    /// Archive a scenario (`scenario:update`) with an optional reason.
    #[oai(path = "/admin/scenarios/:id/archive", method = "post")]
    async fn archive(
        &self,
        auth: Can<ScenarioUpdate>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<Option<ArchiveScenarioRequest>>,
    ) -> Result<Answer<ScenarioArchived>> {
        let reason = body.0.unwrap_or_default().reason;
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::scenarios::archive(w, &id.0, reason)
        })
        .await?;
        Ok(ok(out))
    }

    /// Restore an archived scenario to DRAFT (`scenario:update`).
    #[oai(path = "/admin/scenarios/:id/restore", method = "post")]
    async fn restore(
        &self,
        auth: Can<ScenarioUpdate>,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Answer<ScenarioRestored>> {
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::scenarios::restore(w, &id.0)
        })
        .await?;
        Ok(ok(out))
    }
}
