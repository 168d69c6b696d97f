//! Bulk update and bulk delete.

use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, Platform};
use poem_openapi::OpenApi;
use serde_json::{json, Value};

use frontline_platform::body::JsonBody;

use frontline_platform::write::WriteCtx;

use super::guard::*;
use super::{apply_update, delete_one, fields_of, record, Result};
use crate::model::*;
use crate::service;
use crate::store;

pub struct BulkApi {
    pub(super) platform: Platform,
}

/// The ids, each once, in the order given.
pub(crate) fn distinct(ids: &[String]) -> Vec<String> {
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

/// Bulk operations.
#[OpenApi(tag = "ApiTags::Scenarios")]
impl BulkApi {
    /// Apply the same partial update (`updates`, as PATCH) to up to 100
    /// scenarios (`scenario:update`). Each scenario is updated whole or not
    /// at all; failures are listed per scenario.
    #[oai(path = "/admin/scenarios/bulk/update", method = "patch")]
    async fn update(
        &self,
        auth: Can<ScenarioUpdate>,
        meta: RequestMeta,
        body: JsonBody<BulkUpdateRequest>,
    ) -> Result<Answer<BulkUpdateResult>> {
        let p = auth.0;
        let ids = distinct(&body.0.scenario_ids);
        let updates = match fields_of(&body.0.updates) {
            u @ Value::Object(_) if u.as_object().is_some_and(|m| !m.is_empty()) => u,
            _ => {
                return Err(ApiError::invalid(
                    "updates",
                    "updates must be a non-empty object of scenario fields",
                )
                .into())
            }
        };
        if updates.get("name").is_some() && ids.len() > 1 {
            return Err(ApiError::invalid(
                "updates.name",
                "Names are unique; rename scenarios one at a time",
            )
            .into());
        }
        let out = self
            .platform
            .db
            .write(move |tx| {
                let (mut updated, mut errors) = (Vec::new(), Vec::new());
                for id in &ids {
                    let res = store::get(tx, id, &p).and_then(|mut s| {
                        apply_update(tx, &mut s, &updates)?;
                        s.updated_at = service::now();
                        s.updated_by = p.id.clone();
                        store::save_content(tx, &s)?;
                        record(&WriteCtx::new(tx, Some(&p), &meta), "scenario.bulk_update", "scenario", &s.id, json!({"fields": updates.as_object().map(|o| o.keys().collect::<Vec<_>>())}),
                            Some(("scenario.updated", json!({"scenarioId": s.id, "name": s.name, "status": s.status, "updatedBy": p.id}))))?;
                        Ok(s.id)
                    });
                    match res {
                        Ok(id) => updated.push(id),
                        Err(e) => errors.push(failure(id, &e)),
                    }
                }
                Ok(BulkUpdateResult { updated: updated.len() as u64, failed: errors.len() as u64, scenario_ids: updated, errors })
            })
            .await?;
        Ok(ok(out))
    }

    /// Archive up to 100 scenarios, or remove them with `permanent: true`
    /// (platform `admin` only) (`scenario:delete`). Body:
    /// `{"scenarioIds": [...], "permanent": false}`.
    #[oai(path = "/admin/scenarios/bulk/delete", method = "delete")]
    async fn delete(
        &self,
        auth: Can<ScenarioDelete>,
        meta: RequestMeta,
        body: JsonBody<BulkDeleteRequest>,
    ) -> Result<Answer<BulkDeleteResult>> {
        let p = auth.0;
        let ids = distinct(&body.0.scenario_ids);
        let permanent = body.0.permanent.unwrap_or(false);
        if permanent && !p.is_admin() {
            return Err(ApiError::forbidden("Permanent deletion requires SUPER_ADMIN").into());
        }
        let out = self
            .platform
            .db
            .write(move |tx| {
                let (mut done, mut errors) = (Vec::new(), Vec::new());
                for id in &ids {
                    match store::get(tx, id, &p)
                        .and_then(|s| delete_one(tx, &p, &meta, s, permanent))
                    {
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
            })
            .await?;
        Ok(ok(out))
    }
}
