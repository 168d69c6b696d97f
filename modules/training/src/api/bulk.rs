//! Bulk update and bulk delete.

use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, BearerAuth, Platform};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use serde_json::{json, Value};

use super::{apply_update, body_object, delete_one, read_optional, record, Result};
use crate::model::*;
use crate::service::{self, require};
use crate::store;

pub struct BulkApi {
    pub(super) platform: Platform,
}

fn ids_of(body: &Value) -> std::result::Result<Vec<String>, ApiError> {
    match body.get("scenarioIds").and_then(Value::as_array) {
        Some(a) if !a.is_empty() && a.len() <= 100 && a.iter().all(Value::is_string) => {
            let mut v: Vec<String> = Vec::new();
            for id in a.iter().filter_map(Value::as_str) {
                if !v.iter().any(|x| x == id) {
                    v.push(id.to_string());
                }
            }
            Ok(v)
        }
        _ => Err(ApiError::invalid(
            "scenarioIds",
            "scenarioIds must list 1 to 100 scenario ids",
        )),
    }
}

fn message(e: &ApiError) -> Value {
    json!({ "code": e.code(), "message": e.message, "details": e.details })
}

/// Bulk operations.
#[OpenApi(tag = "ApiTags::Scenarios")]
impl BulkApi {
    /// Apply the same partial update (`updates`, as PATCH) to up to 100
    /// scenarios (`scenario:update`). Each scenario is updated whole or not
    /// at all; failures are listed per scenario.
    #[oai(path = "/admin/scenarios/bulk/update", method = "patch")]
    async fn update(&self, auth: BearerAuth, meta: RequestMeta, body: Json<Value>) -> Result<Doc> {
        let p = auth.0;
        require(&p, "scenario:update")?;
        let body = body_object(Some(body))?;
        let ids = ids_of(&body)?;
        let updates = match body.get("updates") {
            Some(u @ Value::Object(m)) if !m.is_empty() => u.clone(),
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
                        record(tx, &p, &meta, "scenario.bulk_update", "scenario", &s.id, json!({"fields": updates.as_object().map(|o| o.keys().collect::<Vec<_>>())}),
                            Some(("scenario.updated", json!({"scenarioId": s.id, "name": s.name, "status": s.status, "updatedBy": p.id}))))?;
                        Ok(s.id)
                    });
                    match res {
                        Ok(id) => updated.push(id),
                        Err(e) => errors.push(json!({ "scenarioId": id, "error": message(&e) })),
                    }
                }
                Ok(json!({ "updated": updated.len(), "failed": errors.len(), "scenarioIds": updated, "errors": errors }))
            })
            .await?;
        Ok(Doc::Ok(Json(out)))
    }

    /// Archive up to 100 scenarios, or remove them with `permanent: true`
    /// (platform `admin` only) (`scenario:delete`). Body:
    /// `{"scenarioIds": [...], "permanent": false}`.
    #[oai(path = "/admin/scenarios/bulk/delete", method = "delete")]
    async fn delete(&self, auth: BearerAuth, meta: RequestMeta, body: poem::Body) -> Result<Doc> {
        let p = auth.0;
        require(&p, "scenario:delete")?;
        let body = read_optional(body).await?;
        let ids = ids_of(&body)?;
        let permanent = super::opt_bool(&body, "permanent")?.unwrap_or(false);
        if permanent && !p.is_admin() {
            return Err(ApiError::forbidden("Permanent deletion requires SUPER_ADMIN").into());
        }
        let out = self
            .platform
            .db
            .write(move |tx| {
                let (mut done, mut errors) = (Vec::new(), Vec::new());
                for id in &ids {
                    match store::get(tx, id, &p).and_then(|s| delete_one(tx, &p, &meta, s, permanent)) {
                        Ok(()) => done.push(id.clone()),
                        Err(e) => errors.push(json!({ "scenarioId": id, "error": message(&e) })),
                    }
                }
                Ok(json!({ "deleted": done.len(), "failed": errors.len(), "permanent": permanent, "scenarioIds": done, "errors": errors }))
            })
            .await?;
        Ok(Doc::Ok(Json(out)))
    }
}
