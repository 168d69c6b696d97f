//! Version history, comparison and restore.

use frontline_platform::auth::Principal;
use frontline_platform::write::WriteCtx;
use frontline_platform::ApiResult;
use rusqlite::Connection;
use serde_json::json;

use super::{caller, diff, emit, now, slugify};
use crate::model::*;
use crate::store::versions::version;
use crate::store::{self, Scenario};
use crate::SLUG;

fn creator(conn: &Connection, id: &str) -> ApiResult<VersionCreator> {
    let p = store::person(conn, id)?;
    Ok(VersionCreator {
        name: p.name,
        email: p.email,
    })
}

/// The version list of `s`, newest first.
pub fn list_versions(conn: &Connection, s: &Scenario) -> ApiResult<Vec<VersionSummary>> {
    let rows = store::versions::of_scenario(conn, &s.id)?;
    rows.iter()
        .map(|v| {
            Ok(VersionSummary {
                version_id: v.id.clone(),
                version_number: v.number,
                changelog: v.changelog.clone(),
                created_by: v.created_by.clone(),
                creator: creator(conn, &v.created_by)?,
                created_at: v.created_at.clone(),
                is_active: v.number == s.version_number,
                published_at: v.published_at.clone(),
                restored_from_version: v.restored_from,
            })
        })
        .collect()
}

/// The version history of scenario `id`.
pub fn history(conn: &Connection, id: &str, p: &Principal) -> ApiResult<VersionHistory> {
    let s = store::get(conn, id, p)?;
    let versions = list_versions(conn, &s)?;
    Ok(VersionHistory {
        scenario_id: s.id,
        current_version: s.version_number,
        total_versions: versions.len() as u64,
        versions,
    })
}

/// The differences from version `from` to version `to`.
pub fn compare(
    conn: &Connection,
    id: &str,
    p: &Principal,
    from: i64,
    to: i64,
) -> ApiResult<VersionComparison> {
    let s = store::get(conn, id, p)?;
    let a = version(conn, &s.id, from)?;
    let b = version(conn, &s.id, to)?;
    let differences = diff(&a.snapshot, &b.snapshot);
    Ok(VersionComparison {
        scenario_id: s.id,
        from,
        to,
        total_changes: differences.len() as u64,
        differences,
        changed_by: b.created_by,
        changed_at: b.created_at,
    })
}

/// One version with its snapshot.
pub fn detail(conn: &Connection, id: &str, p: &Principal, number: i64) -> ApiResult<VersionDetail> {
    let s = store::get(conn, id, p)?;
    let v = version(conn, &s.id, number)?;
    Ok(VersionDetail {
        creator: creator(conn, &v.created_by)?,
        is_active: v.number == s.version_number,
        version_id: v.id,
        scenario_id: s.id,
        version_number: v.number,
        changelog: v.changelog,
        snapshot: v.snapshot,
        created_by: v.created_by,
        created_at: v.created_at,
        published_at: v.published_at,
        restored_from_version: v.restored_from,
    })
}

/// Restores version `number`'s content, as a new version (default) or in
/// the current one.
pub fn restore(
    w: &WriteCtx<'_>,
    id: &str,
    number: i64,
    req: RestoreVersionRequest,
) -> ApiResult<VersionRestored> {
    let p = caller(w)?;
    let new_version = req.create_new_version.unwrap_or(true);
    let mut s = store::get(w, id, p)?;
    if s.status == "ARCHIVED" {
        return Err(TrainingError::InvalidState
            .with_message("Archived scenarios cannot be edited; restore it first"));
    }
    let v = version(w, &s.id, number)?;
    let name = v.snapshot["name"].as_str().unwrap_or_default().to_string();
    if name != s.name {
        let slug = slugify(&name);
        if store::slug_taken(w, &slug, Some(&s.id))? {
            return Err(store::slug_conflict(&slug));
        }
        s.slug = slug;
        s.name = name;
    }
    s.doc = v.snapshot.clone();
    s.updated_at = now();
    s.updated_by = p.id.clone();
    if new_version {
        s.version_number += 1;
        let log = req
            .changelog
            .unwrap_or_else(|| format!("Restored from version {}", v.number));
        store::insert_version(w, &s, Some(&log), Some(v.number))?;
    }
    store::save_content(w, &s)?;
    w.audit(
        SLUG,
        "scenario.version_restore",
        "scenario",
        &s.id,
        json!({"restoredFromVersion": v.number, "versionNumber": s.version_number}),
    )?;
    emit(
        w,
        "scenario.updated",
        json!({"scenarioId": s.id, "name": s.name, "status": s.status,
               "versionNumber": s.version_number, "restoredFromVersion": v.number,
               "updatedBy": p.id}),
    )?;
    Ok(VersionRestored {
        id: s.id,
        version_number: s.version_number,
        restored_from_version: v.number,
        updated_at: s.updated_at,
        message: "Version restored successfully".into(),
    })
}
