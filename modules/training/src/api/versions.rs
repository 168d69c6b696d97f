//! Version history, comparison and restore.

use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiResult, Platform};
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;
use rusqlite::Connection;
use serde_json::json;

use frontline_platform::body::JsonBody;

use frontline_platform::write::WriteCtx;

use super::guard::*;
use super::{record, Result};
use crate::model::*;
use crate::service;
use crate::store::versions::version;
use crate::store::{self, Scenario};

pub struct VersionsApi {
    pub(super) platform: Platform,
}

fn creator(conn: &Connection, id: &str) -> ApiResult<VersionCreator> {
    let p = store::person(conn, id)?;
    Ok(VersionCreator {
        name: p.name,
        email: p.email,
    })
}

/// The version list of `s`, newest first.
pub(crate) fn list_versions(conn: &Connection, s: &Scenario) -> ApiResult<Vec<VersionSummary>> {
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

/// Versions of a scenario.
#[OpenApi(tag = "ApiTags::Versions")]
impl VersionsApi {
    /// List the versions of a scenario, newest first (`scenario:read`).
    #[oai(path = "/admin/scenarios/:id/versions", method = "get")]
    async fn list(
        &self,
        auth: Can<ScenarioRead>,
        id: Path<String>,
    ) -> Result<Answer<VersionHistory>> {
        let p = auth.0;
        let out = self
            .platform
            .db
            .read(move |conn| {
                let s = store::get(conn, &id.0, &p)?;
                let versions = list_versions(conn, &s)?;
                Ok(VersionHistory {
                    scenario_id: s.id,
                    current_version: s.version_number,
                    total_versions: versions.len() as u64,
                    versions,
                })
            })
            .await?;
        Ok(ok(out))
    }

    /// Compare two versions (`from`, `to`): every changed path with its old
    /// and new value and whether it was added, removed or modified. Arrays
    /// compare as a whole: growing keeps "added", shrinking "removed".
    #[oai(path = "/admin/scenarios/:id/versions/compare", method = "get")]
    async fn compare(
        &self,
        auth: Can<ScenarioRead>,
        id: Path<String>,
        #[oai(validator(minimum(value = "1")))] from: Query<i64>,
        #[oai(validator(minimum(value = "1")))] to: Query<i64>,
    ) -> Result<Answer<VersionComparison>> {
        let p = auth.0;
        let (from, to) = (from.0, to.0);
        let out = self
            .platform
            .db
            .read(move |conn| {
                let s = store::get(conn, &id.0, &p)?;
                let a = version(conn, &s.id, from)?;
                let b = version(conn, &s.id, to)?;
                let differences = service::diff(&a.snapshot, &b.snapshot);
                Ok(VersionComparison {
                    scenario_id: s.id,
                    from,
                    to,
                    total_changes: differences.len() as u64,
                    differences,
                    changed_by: b.created_by,
                    changed_at: b.created_at,
                })
            })
            .await?;
        Ok(ok(out))
    }

    /// One version with its full snapshot (`scenario:read`).
    #[oai(path = "/admin/scenarios/:id/versions/:versionNumber", method = "get")]
    async fn get(
        &self,
        auth: Can<ScenarioRead>,
        id: Path<String>,
        #[oai(name = "versionNumber")] number: Path<i64>,
    ) -> Result<Answer<VersionDetail>> {
        let p = auth.0;
        let out = self
            .platform
            .db
            .read(move |conn| {
                let s = store::get(conn, &id.0, &p)?;
                let v = version(conn, &s.id, number.0)?;
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
            })
            .await?;
        Ok(ok(out))
    }

    /// Restore a version's content (`scenario:update`). By default this makes
    /// a new version (`createNewVersion: true`); with `false` the content is
    /// replaced in the current version.
    #[oai(
        path = "/admin/scenarios/:id/versions/:versionNumber/restore",
        method = "post"
    )]
    async fn restore(
        &self,
        auth: Can<ScenarioUpdate>,
        meta: RequestMeta,
        id: Path<String>,
        #[oai(name = "versionNumber")] number: Path<i64>,
        body: JsonBody<Option<RestoreVersionRequest>>,
    ) -> Result<Answer<VersionRestored>> {
        let p = auth.0;
        let body = body.0.unwrap_or_default();
        let new_version = body.create_new_version.unwrap_or(true);
        let changelog = body.changelog;
        let out = self
            .platform
            .db
            .write(move |tx| {
                let mut s = store::get(tx, &id.0, &p)?;
                if s.status == "ARCHIVED" {
                    return Err(TrainingError::InvalidState.with_message("Archived scenarios cannot be edited; restore it first"));
                }
                let v = version(tx, &s.id, number.0)?;
                let name = v.snapshot["name"].as_str().unwrap_or_default().to_string();
                if name != s.name {
                    let slug = service::slugify(&name);
                    if store::slug_taken(tx, &slug, Some(&s.id))? {
                        return Err(store::slug_conflict(&slug));
                    }
                    s.slug = slug;
                    s.name = name;
                }
                s.doc = v.snapshot.clone();
                s.updated_at = service::now();
                s.updated_by = p.id.clone();
                if new_version {
                    s.version_number += 1;
                    let log = changelog.clone().unwrap_or_else(|| format!("Restored from version {}", v.number));
                    store::insert_version(tx, &s, Some(&log), Some(v.number))?;
                }
                store::save_content(tx, &s)?;
                record(&WriteCtx::new(tx, Some(&p), &meta), "scenario.version_restore", "scenario", &s.id,
                    json!({"restoredFromVersion": v.number, "versionNumber": s.version_number}),
                    Some(("scenario.updated", json!({"scenarioId": s.id, "name": s.name, "status": s.status,
                        "versionNumber": s.version_number, "restoredFromVersion": v.number, "updatedBy": p.id}))))?;
                Ok(VersionRestored {
                    id: s.id, version_number: s.version_number, restored_from_version: v.number,
                    updated_at: s.updated_at, message: "Version restored successfully".into(),
                })
            })
            .await?;
        Ok(ok(out))
    }
}
