//! Handlers of the training API: parse, authorize, call the service, render.

use frontline_platform::auth::Principal;
use frontline_platform::body::JsonBody;
use frontline_platform::http::{ModuleError, RequestMeta};
use frontline_platform::page::Page;
use frontline_platform::search::{SearchQuery, SortOrder, MAX_LIMIT};
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, Platform};
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;
use rusqlite::Connection;
use serde_json::{json, Value};

use crate::model::*;
use crate::service;
use crate::store::{self, Scenario};
use crate::SLUG;
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

/// Records the audit entry of a training change and, when given, its
/// domain event, delivered to the scenario's audience
/// ([`store::scenario_audience`]), in the change's transaction.
pub(crate) fn record(
    w: &WriteCtx,
    action: &str,
    entity_type: &str,
    id: &str,
    details: Value,
    event: Option<(&str, Value)>,
) -> ApiResult<()> {
    w.audit(SLUG, action, entity_type, id, details)?;
    if let Some((event_type, data)) = event {
        let audience =
            store::scenario_audience(w.tx(), data["scenarioId"].as_str().unwrap_or_default())?;
        w.emit(SLUG, event_type, &data, &audience)?;
    }
    Ok(())
}

pub(crate) fn event_data(s: &Scenario, extra: Value) -> Value {
    let mut d = json!({ "scenarioId": s.id, "name": s.name, "status": s.status });
    if let (Some(o), Some(e)) = (d.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
    }
    d
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

/// Applies `body`'s content fields to `s` (validated as a whole) for PUT/PATCH.
pub(crate) fn apply_update(conn: &Connection, s: &mut Scenario, body: &Value) -> ApiResult<()> {
    if s.status == "ARCHIVED" {
        return Err(TrainingError::InvalidState
            .with_message("Archived scenarios cannot be edited; restore it first"));
    }
    let mut doc = s.doc.clone();
    merge_content(&mut doc, body);
    let mut check = doc.clone();
    if let Some(st) = body.get("status") {
        check["status"] = st.clone();
    }
    service::validate(&check)?;
    if let Some(st) = body.get("status").and_then(Value::as_str) {
        if s.status == "PUBLISHED" {
            return Err(TrainingError::InvalidState
                .with_message("Published scenarios change status through archive"));
        }
        s.status = st.to_string();
    }
    let name = doc["name"].as_str().unwrap_or_default().to_string();
    if name != s.name {
        let slug = service::slugify(&name);
        if store::slug_taken(conn, &slug, Some(&s.id))? {
            return Err(store::slug_conflict(&slug));
        }
        s.slug = slug;
        s.name = name;
    }
    s.doc = doc;
    Ok(())
}

fn merge_content(doc: &mut Value, body: &Value) {
    let patch = Value::Object(service::content_of(body));
    service::merge(doc, &patch);
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
        let p = auth.0;
        let body = fields_of(&body.0);
        service::domain_rules(&body)?;
        let content = service::content_of(&body);
        let status = body["status"].as_str().unwrap_or("DRAFT").to_string();
        let slug = service::slugify(content["name"].as_str().unwrap_or_default());
        let out = self
            .platform
            .db
            .write(move |tx| {
                if store::slug_taken(tx, &slug, None)? {
                    return Err(store::slug_conflict(&slug));
                }
                let s = store::insert(
                    tx,
                    store::NewScenario {
                        content: &content,
                        status: &status,
                        slug: &slug,
                        template_id: None,
                        by: &p.id,
                        changelog: "Initial version",
                    },
                )?;
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "scenario.create",
                    "scenario",
                    &s.id,
                    json!({"name": s.name}),
                    Some((
                        "scenario.created",
                        event_data(&s, json!({"createdBy": p.id})),
                    )),
                )?;
                Ok(ScenarioCreated {
                    creator: store::person(tx, &p.id)?,
                    id: s.id,
                    name: s.name,
                    slug: s.slug,
                    status: s.status,
                    version_number: 1,
                    created_at: s.created_at,
                    created_by: s.created_by,
                })
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
    ) -> Result<Answer<ScenarioList>> {
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
        Ok(ok(ScenarioList {
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
            .read(move |conn| {
                let s = store::get(conn, &id.0, &p)?;
                let mut out = store::render_full(conn, &s)?;
                if ia {
                    out.analytics = Some(store::summary(conn, &s.id)?);
                }
                if iv {
                    out.versions = Some(versions::list_versions(conn, &s)?);
                }
                Ok(out)
            })
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
        let p = auth.0;
        let changelog = body.0.changelog.clone();
        let body = fields_of(&body.0.changes);
        let out = self
            .platform
            .db
            .write(move |tx| {
                let mut s = store::get(tx, &id.0, &p)?;
                apply_update(tx, &mut s, &body)?;
                let previous = s.version_number;
                s.version_number += 1;
                s.updated_at = service::now();
                s.updated_by = p.id.clone();
                store::save_content(tx, &s)?;
                store::insert_version(tx, &s, changelog.as_deref(), None)?;
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "scenario.update",
                    "scenario",
                    &s.id,
                    json!({"versionNumber": s.version_number, "changelog": changelog}),
                    Some((
                        "scenario.updated",
                        event_data(
                            &s,
                            json!({"versionNumber": s.version_number, "updatedBy": p.id}),
                        ),
                    )),
                )?;
                Ok(ScenarioUpdated {
                    id: s.id,
                    version_number: s.version_number,
                    previous_version_number: previous,
                    updated_at: s.updated_at,
                    updated_by: s.updated_by,
                    changelog,
                    message: "Scenario updated successfully".into(),
                })
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
        let p = auth.0;
        let body = fields_of(&body.0);
        let out = self
            .platform
            .db
            .write(move |tx| {
                let mut s = store::get(tx, &id.0, &p)?;
                apply_update(tx, &mut s, &body)?;
                s.updated_at = service::now();
                s.updated_by = p.id.clone();
                store::save_content(tx, &s)?;
                let fields: Vec<&String> = body
                    .as_object()
                    .map(|o| o.keys().collect())
                    .unwrap_or_default();
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "scenario.patch",
                    "scenario",
                    &s.id,
                    json!({"fields": fields}),
                    Some((
                        "scenario.updated",
                        event_data(
                            &s,
                            json!({"versionNumber": s.version_number, "updatedBy": p.id}),
                        ),
                    )),
                )?;
                Ok(ScenarioPatched {
                    id: s.id,
                    updated_at: s.updated_at,
                    message: "Scenario updated successfully".into(),
                })
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
        let p = auth.0;
        let permanent = permanent.0.unwrap_or(false);
        if permanent && !p.is_admin() {
            return Err(ApiError::forbidden("Permanent deletion requires SUPER_ADMIN").into());
        }
        self.platform
            .db
            .write(move |tx| {
                let s = store::get(tx, &id.0, &p)?;
                delete_one(tx, &p, &meta, s, permanent)
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
        let p = auth.0;
        let body = body.0.unwrap_or_default();
        let new_name = body.new_name;
        let preserve = body.preserve_analytics.unwrap_or(false);
        let status = body
            .status
            .unwrap_or(WritableStatus::Draft)
            .as_str()
            .to_string();
        let out = self
            .platform
            .db
            .write(move |tx| {
                let orig = store::get(tx, &id.0, &p)?;
                let mut doc = orig.doc.clone();
                doc["name"] = json!(new_name
                    .clone()
                    .unwrap_or_else(|| format!("{} (Copy)", orig.name)));
                service::validate(&doc)?;
                let slug = store::free_slug(
                    tx,
                    &service::slugify(doc["name"].as_str().unwrap_or_default()),
                )?;
                let content = doc.as_object().cloned().unwrap_or_default();
                let s = store::insert(
                    tx,
                    store::NewScenario {
                        content: &content,
                        status: &status,
                        slug: &slug,
                        template_id: orig.template_id.as_deref(),
                        by: &p.id,
                        changelog: &format!("Duplicated from {}", orig.id),
                    },
                )?;
                if preserve {
                    store::copy_attempts(tx, &orig.id, &s.id)?;
                }
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "scenario.duplicate",
                    "scenario",
                    &s.id,
                    json!({"originalId": orig.id, "preserveAnalytics": preserve}),
                    Some((
                        "scenario.created",
                        event_data(&s, json!({"originalId": orig.id, "createdBy": p.id})),
                    )),
                )?;
                Ok(ScenarioDuplicated {
                    id: s.id,
                    original_id: orig.id,
                    name: s.name,
                    slug: s.slug,
                    status: s.status,
                    created_at: s.created_at,
                })
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
        let p = auth.0;
        let body = body.0.unwrap_or_default();
        let notes = body.notes;
        let notify = body.notify_users.unwrap_or(false);
        let out = self
            .platform
            .db
            .write(move |tx| {
                let mut s = store::get(tx, &id.0, &p)?;
                match s.status.as_str() {
                    "PUBLISHED" => {
                        return Err(TrainingError::InvalidState
                            .with_message("Scenario is already published"))
                    }
                    "ARCHIVED" => {
                        return Err(TrainingError::InvalidState
                            .with_message("Archived scenarios must be restored before publishing"))
                    }
                    _ => {}
                }
                let now = service::now();
                store::mark_published(tx, &s.id, s.version_number, &now, &p.id)?;
                s.status = "PUBLISHED".into();
                let notified = if notify {
                    Some(crate::notify::queue(tx, &s, &p.id, notes.as_deref())?)
                } else {
                    None
                };
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "scenario.publish",
                    "scenario",
                    &s.id,
                    json!({"notes": notes, "notifyUsers": notify, "notifiedUsers": notified}),
                    Some((
                        "scenario.published",
                        event_data(
                            &s,
                            json!({"publishedBy": p.id, "versionNumber": s.version_number}),
                        ),
                    )),
                )?;
                Ok(ScenarioPublished {
                    id: s.id,
                    status: "PUBLISHED".into(),
                    published_at: now,
                    published_by: p.id.clone(),
                    version_number: s.version_number,
                    message: "Scenario published successfully".into(),
                    notified_users: notified,
                })
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
        let p = auth.0;
        let reason = body.0.unwrap_or_default().reason;
        let out =
            self.platform
                .db
                .write(move |tx| {
                    let mut s = store::get(tx, &id.0, &p)?;
                    if s.status == "ARCHIVED" {
                        return Err(TrainingError::InvalidState
                            .with_message("Scenario is already archived"));
                    }
                    let now = archive_row(tx, &mut s, &p, reason.as_deref())?;
                    record(
                        &WriteCtx::new(tx, Some(&p), &meta),
                        "scenario.archive",
                        "scenario",
                        &s.id,
                        json!({"reason": reason}),
                        Some((
                            "scenario.archived",
                            event_data(&s, json!({"archivedBy": p.id, "reason": reason})),
                        )),
                    )?;
                    Ok(ScenarioArchived {
                        id: s.id,
                        status: "ARCHIVED".into(),
                        archived_at: now,
                        archived_by: p.id.clone(),
                        reason,
                    })
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
        let p = auth.0;
        let out = self
            .platform
            .db
            .write(move |tx| {
                let mut s = store::get(tx, &id.0, &p)?;
                if s.status != "ARCHIVED" {
                    return Err(TrainingError::InvalidState.with_message(format!(
                        "Only archived scenarios can be restored (this one is {})",
                        s.status
                    )));
                }
                let now = service::now();
                store::mark_restored(tx, &s.id, &now, &p.id)?;
                s.status = "DRAFT".into();
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "scenario.restore",
                    "scenario",
                    &s.id,
                    json!({}),
                    Some((
                        "scenario.updated",
                        event_data(&s, json!({"restoredBy": p.id})),
                    )),
                )?;
                Ok(ScenarioRestored {
                    id: s.id,
                    status: "DRAFT".into(),
                    restored_at: now,
                    restored_by: p.id.clone(),
                    message: "Scenario restored successfully".into(),
                })
            })
            .await?;
        Ok(ok(out))
    }
}

fn archive_row(
    tx: &Connection,
    s: &mut Scenario,
    p: &Principal,
    reason: Option<&str>,
) -> ApiResult<String> {
    let now = service::now();
    store::mark_archived(tx, &s.id, &now, &p.id, reason)?;
    s.status = "ARCHIVED".into();
    Ok(now)
}

/// Archives (or removes, when `permanent`) one scenario.
pub(crate) fn delete_one(
    tx: &Connection,
    p: &Principal,
    meta: &RequestMeta,
    mut s: Scenario,
    permanent: bool,
) -> ApiResult<()> {
    if permanent {
        store::remove(tx, &s.id)?;
        record(
            &WriteCtx::new(tx, Some(p), meta),
            "scenario.delete",
            "scenario",
            &s.id,
            json!({"permanent": true, "name": s.name}),
            Some((
                "scenario.deleted",
                event_data(&s, json!({"deletedBy": p.id, "permanent": true})),
            )),
        )?;
    } else if s.status != "ARCHIVED" {
        archive_row(tx, &mut s, p, Some("Deleted"))?;
        record(
            &WriteCtx::new(tx, Some(p), meta),
            "scenario.delete",
            "scenario",
            &s.id,
            json!({"permanent": false}),
            Some((
                "scenario.archived",
                event_data(&s, json!({"archivedBy": p.id, "reason": "Deleted"})),
            )),
        )?;
    }
    Ok(())
}
