//! Operations on scenarios: authoring and lifecycle. Each runs in the
//! handler's one transaction ([`WriteCtx`]), writing its audit entry and
//! event there; reads take the connection.

use frontline_platform::auth::Principal;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult};
use rusqlite::Connection;
use serde_json::{json, Value};

use super::{caller, content_of, domain_rules, emit, event_data, merge, now, slugify, validate};
use crate::model::*;
use crate::store::{self, Scenario};
use crate::SLUG;

/// Applies `body`'s content fields to `s` (validated as a whole) for PUT/PATCH.
pub fn apply_update(conn: &Connection, s: &mut Scenario, body: &Value) -> ApiResult<()> {
    if s.status == "ARCHIVED" {
        return Err(TrainingError::InvalidState
            .with_message("Archived scenarios cannot be edited; restore it first"));
    }
    let mut doc = s.doc.clone();
    merge(&mut doc, &Value::Object(content_of(body)));
    let mut check = doc.clone();
    if let Some(st) = body.get("status") {
        check["status"] = st.clone();
    }
    validate(&check)?;
    if let Some(st) = body.get("status").and_then(Value::as_str) {
        if s.status == "PUBLISHED" {
            return Err(TrainingError::InvalidState
                .with_message("Published scenarios change status through archive"));
        }
        s.status = st.to_string();
    }
    let name = doc["name"].as_str().unwrap_or_default().to_string();
    if name != s.name {
        let slug = slugify(&name);
        if store::slug_taken(conn, &slug, Some(&s.id))? {
            return Err(store::slug_conflict(&slug));
        }
        s.slug = slug;
        s.name = name;
    }
    s.doc = doc;
    Ok(())
}

/// Creates a scenario; its slug (from the name) must be free.
pub fn create(w: &WriteCtx<'_>, req: &CreateScenarioRequest) -> ApiResult<ScenarioCreated> {
    let p = caller(w)?;
    let body = fields_of(req);
    domain_rules(&body)?;
    let content = content_of(&body);
    let status = body["status"].as_str().unwrap_or("DRAFT");
    let slug = slugify(&req.name);
    if store::slug_taken(w, &slug, None)? {
        return Err(store::slug_conflict(&slug));
    }
    let s = store::insert(
        w,
        store::NewScenario {
            content: &content,
            status,
            slug: &slug,
            template_id: None,
            by: &p.id,
            changelog: "Initial version",
        },
    )?;
    w.audit(
        SLUG,
        "scenario.create",
        "scenario",
        &s.id,
        json!({"name": s.name}),
    )?;
    emit(
        w,
        "scenario.created",
        event_data(&s, json!({"createdBy": p.id})),
    )?;
    Ok(ScenarioCreated {
        creator: store::person(w, &p.id)?,
        id: s.id,
        name: s.name,
        slug: s.slug,
        status: s.status,
        version_number: 1,
        created_at: s.created_at,
        created_by: s.created_by,
    })
}

/// A scenario as `GET /admin/scenarios/{id}` shows it.
pub fn detail(
    conn: &Connection,
    id: &str,
    p: &Principal,
    with_analytics: bool,
    with_versions: bool,
) -> ApiResult<ScenarioDetail> {
    let s = store::get(conn, id, p)?;
    let mut out = store::render_full(conn, &s)?;
    if with_analytics {
        out.analytics = Some(store::summary(conn, &s.id)?);
    }
    if with_versions {
        out.versions = Some(super::versions::list_versions(conn, &s)?);
    }
    Ok(out)
}

/// PUT: merges the changes in and makes a new version with a full snapshot.
pub fn update(
    w: &WriteCtx<'_>,
    id: &str,
    req: &UpdateScenarioRequest,
) -> ApiResult<ScenarioUpdated> {
    let p = caller(w)?;
    let changelog = req.changelog.clone();
    let body = fields_of(&req.changes);
    let mut s = store::get(w, id, p)?;
    apply_update(w, &mut s, &body)?;
    let previous = s.version_number;
    s.version_number += 1;
    s.updated_at = now();
    s.updated_by = p.id.clone();
    store::save_content(w, &s)?;
    store::insert_version(w, &s, changelog.as_deref(), None)?;
    w.audit(
        SLUG,
        "scenario.update",
        "scenario",
        &s.id,
        json!({"versionNumber": s.version_number, "changelog": changelog}),
    )?;
    emit(
        w,
        "scenario.updated",
        event_data(
            &s,
            json!({"versionNumber": s.version_number, "updatedBy": p.id}),
        ),
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
}

/// PATCH: merges the changes in without a new version.
pub fn patch(w: &WriteCtx<'_>, id: &str, req: &ScenarioChanges) -> ApiResult<ScenarioPatched> {
    let p = caller(w)?;
    let body = fields_of(req);
    let mut s = store::get(w, id, p)?;
    apply_update(w, &mut s, &body)?;
    s.updated_at = now();
    s.updated_by = p.id.clone();
    store::save_content(w, &s)?;
    let fields: Vec<&String> = body
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    w.audit(
        SLUG,
        "scenario.patch",
        "scenario",
        &s.id,
        json!({"fields": fields}),
    )?;
    emit(
        w,
        "scenario.updated",
        event_data(
            &s,
            json!({"versionNumber": s.version_number, "updatedBy": p.id}),
        ),
    )?;
    Ok(ScenarioPatched {
        id: s.id,
        updated_at: s.updated_at,
        message: "Scenario updated successfully".into(),
    })
}

/// 403 unless the caller may remove scenarios for good (platform `admin`,
/// the SUPER_ADMIN).
pub fn check_permanent(p: &Principal, permanent: bool) -> ApiResult<()> {
    if permanent && !p.is_admin() {
        return Err(ApiError::forbidden(
            "Permanent deletion requires SUPER_ADMIN",
        ));
    }
    Ok(())
}

/// DELETE: archives the scenario, or with `permanent` removes it with its
/// versions, comments and attempts.
pub fn delete(w: &WriteCtx<'_>, id: &str, permanent: bool) -> ApiResult<()> {
    let p = caller(w)?;
    check_permanent(p, permanent)?;
    let s = store::get(w, id, p)?;
    delete_one(w, s, permanent)
}

fn archive_row(w: &WriteCtx<'_>, s: &mut Scenario, reason: Option<&str>) -> ApiResult<String> {
    let p = caller(w)?;
    let at = now();
    store::mark_archived(w, &s.id, &at, &p.id, reason)?;
    s.status = "ARCHIVED".into();
    Ok(at)
}

/// Archives (or removes, when `permanent`) one scenario.
pub fn delete_one(w: &WriteCtx<'_>, mut s: Scenario, permanent: bool) -> ApiResult<()> {
    let p = caller(w)?;
    if permanent {
        store::remove(w, &s.id)?;
        w.audit(
            SLUG,
            "scenario.delete",
            "scenario",
            &s.id,
            json!({"permanent": true, "name": s.name}),
        )?;
        emit(
            w,
            "scenario.deleted",
            event_data(&s, json!({"deletedBy": p.id, "permanent": true})),
        )?;
    } else if s.status != "ARCHIVED" {
        archive_row(w, &mut s, Some("Deleted"))?;
        w.audit(
            SLUG,
            "scenario.delete",
            "scenario",
            &s.id,
            json!({"permanent": false}),
        )?;
        emit(
            w,
            "scenario.archived",
            event_data(&s, json!({"archivedBy": p.id, "reason": "Deleted"})),
        )?;
    }
    Ok(())
}

/// The default name of a copy: the original's + " (Copy)", the original's
/// part shortened so that the whole stays within a name's 200 characters.
fn copy_name(name: &str) -> String {
    const SUFFIX: &str = " (Copy)";
    let keep = 200 - SUFFIX.chars().count();
    let head: String = name.chars().take(keep).collect();
    format!("{}{SUFFIX}", head.trim_end())
}

/// Copies a scenario as a new one (default name "<name> (Copy)", a free
/// slug), optionally with its recorded attempts.
pub fn duplicate(
    w: &WriteCtx<'_>,
    id: &str,
    req: DuplicateScenarioRequest,
) -> ApiResult<ScenarioDuplicated> {
    let p = caller(w)?;
    let preserve = req.preserve_analytics.unwrap_or(false);
    let status = req.status.unwrap_or(WritableStatus::Draft).as_str();
    let orig = store::get(w, id, p)?;
    let mut doc = orig.doc.clone();
    doc["name"] = json!(req.new_name.unwrap_or_else(|| copy_name(&orig.name)));
    validate(&doc)?;
    let slug = store::free_slug(w, &slugify(doc["name"].as_str().unwrap_or_default()))?;
    let content = doc.as_object().cloned().unwrap_or_default();
    let s = store::insert(
        w,
        store::NewScenario {
            content: &content,
            status,
            slug: &slug,
            template_id: orig.template_id.as_deref(),
            by: &p.id,
            changelog: &format!("Duplicated from {}", orig.id),
        },
    )?;
    if preserve {
        store::copy_attempts(w, &orig.id, &s.id)?;
    }
    w.audit(
        SLUG,
        "scenario.duplicate",
        "scenario",
        &s.id,
        json!({"originalId": orig.id, "preserveAnalytics": preserve}),
    )?;
    emit(
        w,
        "scenario.created",
        event_data(&s, json!({"originalId": orig.id, "createdBy": p.id})),
    )?;
    Ok(ScenarioDuplicated {
        id: s.id,
        original_id: orig.id,
        name: s.name,
        slug: s.slug,
        status: s.status,
        created_at: s.created_at,
    })
}

/// Publishes a draft, pending or approved scenario (409 for archived or
/// already published ones), notifying its followers when asked.
pub fn publish(
    w: &WriteCtx<'_>,
    id: &str,
    req: PublishScenarioRequest,
) -> ApiResult<ScenarioPublished> {
    let p = caller(w)?;
    let notes = req.notes;
    let notify = req.notify_users.unwrap_or(false);
    let mut s = store::get(w, id, p)?;
    match s.status.as_str() {
        "PUBLISHED" => {
            return Err(TrainingError::InvalidState.with_message("Scenario is already published"))
        }
        "ARCHIVED" => {
            return Err(TrainingError::InvalidState
                .with_message("Archived scenarios must be restored before publishing"))
        }
        _ => {}
    }
    let at = now();
    store::mark_published(w, &s.id, s.version_number, &at, &p.id)?;
    s.status = "PUBLISHED".into();
    let notified = if notify {
        Some(crate::notify::queue(w, &s, &p.id, notes.as_deref())?)
    } else {
        None
    };
    w.audit(
        SLUG,
        "scenario.publish",
        "scenario",
        &s.id,
        json!({"notes": notes, "notifyUsers": notify, "notifiedUsers": notified}),
    )?;
    emit(
        w,
        "scenario.published",
        event_data(
            &s,
            json!({"publishedBy": p.id, "versionNumber": s.version_number}),
        ),
    )?;
    Ok(ScenarioPublished {
        id: s.id,
        status: "PUBLISHED".into(),
        published_at: at,
        published_by: p.id.clone(),
        version_number: s.version_number,
        message: "Scenario published successfully".into(),
        notified_users: notified,
    })
}

/// Archives a scenario (409 when it already is).
pub fn archive(w: &WriteCtx<'_>, id: &str, reason: Option<String>) -> ApiResult<ScenarioArchived> {
    let p = caller(w)?;
    let mut s = store::get(w, id, p)?;
    if s.status == "ARCHIVED" {
        return Err(TrainingError::InvalidState.with_message("Scenario is already archived"));
    }
    let at = archive_row(w, &mut s, reason.as_deref())?;
    w.audit(
        SLUG,
        "scenario.archive",
        "scenario",
        &s.id,
        json!({"reason": reason}),
    )?;
    emit(
        w,
        "scenario.archived",
        event_data(&s, json!({"archivedBy": p.id, "reason": reason})),
    )?;
    Ok(ScenarioArchived {
        id: s.id,
        status: "ARCHIVED".into(),
        archived_at: at,
        archived_by: p.id.clone(),
        reason,
    })
}

/// Brings an archived scenario back as a draft (409 for others).
pub fn restore(w: &WriteCtx<'_>, id: &str) -> ApiResult<ScenarioRestored> {
    let p = caller(w)?;
    let mut s = store::get(w, id, p)?;
    if s.status != "ARCHIVED" {
        return Err(TrainingError::InvalidState.with_message(format!(
            "Only archived scenarios can be restored (this one is {})",
            s.status
        )));
    }
    let at = now();
    store::mark_restored(w, &s.id, &at, &p.id)?;
    s.status = "DRAFT".into();
    w.audit(SLUG, "scenario.restore", "scenario", &s.id, json!({}))?;
    emit(
        w,
        "scenario.updated",
        event_data(&s, json!({"restoredBy": p.id})),
    )?;
    Ok(ScenarioRestored {
        id: s.id,
        status: "DRAFT".into(),
        restored_at: at,
        restored_by: p.id.clone(),
        message: "Scenario restored successfully".into(),
    })
}

/// The ids, each once, in the order given.
pub fn distinct(ids: &[String]) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for id in ids {
        if !v.contains(id) {
            v.push(id.clone());
        }
    }
    v
}

fn failure(id: &str, e: &ApiError) -> BulkFailure {
    BulkFailure {
        scenario_id: id.to_string(),
        error: BulkErrorInfo {
            code: e.code().to_string(),
            message: e.message.clone(),
            details: e
                .details
                .iter()
                .map(|d| ErrorDetail {
                    field: d.field.clone(),
                    message: d.message.clone(),
                })
                .collect(),
        },
    }
}

/// The same partial update to each scenario, whole or not at all per
/// scenario; failures are listed per scenario.
pub fn bulk_update(w: &WriteCtx<'_>, req: &BulkUpdateRequest) -> ApiResult<BulkUpdateResult> {
    let p = caller(w)?;
    let ids = distinct(&req.scenario_ids);
    let updates = match fields_of(&req.updates) {
        u @ Value::Object(_) if u.as_object().is_some_and(|m| !m.is_empty()) => u,
        _ => {
            return Err(ApiError::invalid(
                "updates",
                "updates must be a non-empty object of scenario fields",
            ))
        }
    };
    if updates.get("name").is_some() && ids.len() > 1 {
        return Err(ApiError::invalid(
            "updates.name",
            "Names are unique; rename scenarios one at a time",
        ));
    }
    let fields: Vec<&String> = updates
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    let (mut updated, mut errors) = (Vec::new(), Vec::new());
    for id in &ids {
        let res = store::get(w, id, p).and_then(|mut s| {
            apply_update(w, &mut s, &updates)?;
            s.updated_at = now();
            s.updated_by = p.id.clone();
            store::save_content(w, &s)?;
            w.audit(
                SLUG,
                "scenario.bulk_update",
                "scenario",
                &s.id,
                json!({"fields": fields}),
            )?;
            emit(
                w,
                "scenario.updated",
                json!({"scenarioId": s.id, "name": s.name, "status": s.status, "updatedBy": p.id}),
            )?;
            Ok(s.id)
        });
        match res {
            Ok(id) => updated.push(id),
            Err(e) => errors.push(failure(id, &e)),
        }
    }
    Ok(BulkUpdateResult {
        updated: updated.len() as u64,
        failed: errors.len() as u64,
        scenario_ids: updated,
        errors,
    })
}

/// Archives (or removes) each scenario; failures are listed per scenario.
pub fn bulk_delete(w: &WriteCtx<'_>, req: &BulkDeleteRequest) -> ApiResult<BulkDeleteResult> {
    let p = caller(w)?;
    let ids = distinct(&req.scenario_ids);
    let permanent = req.permanent.unwrap_or(false);
    check_permanent(p, permanent)?;
    let (mut done, mut errors) = (Vec::new(), Vec::new());
    for id in &ids {
        match store::get(w, id, p).and_then(|s| delete_one(w, s, permanent)) {
            Ok(()) => done.push(id.clone()),
            Err(e) => errors.push(failure(id, &e)),
        }
    }
    Ok(BulkDeleteResult {
        deleted: done.len() as u64,
        failed: errors.len() as u64,
        permanent,
        scenario_ids: done,
        errors,
    })
}
