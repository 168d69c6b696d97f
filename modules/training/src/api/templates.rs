//! Scenario templates and creating scenarios from them.

use frontline_platform::http::RequestMeta;
use frontline_platform::Platform;
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;
use serde_json::{json, Value};

use frontline_platform::body::JsonBody;

use frontline_platform::write::WriteCtx;

use super::guard::*;
use super::{fields_of, record, Result};
use crate::model::*;
use crate::service;
use crate::store;

pub struct TemplatesApi {
    pub(super) platform: Platform,
}

/// Scenario templates.
#[OpenApi(tag = "ApiTags::Templates")]
impl TemplatesApi {
    /// List scenario templates (`template:read`), featured first, filtered
    /// by category, difficulty and featured.
    #[oai(path = "/admin/templates", method = "get")]
    async fn list(
        &self,
        auth: Can<TemplateRead>,
        category: Query<Option<Category>>,
        difficulty: Query<Option<Difficulty>>,
        featured: Query<Option<bool>>,
    ) -> Result<Answer<TemplateList>> {
        let p = auth.0;
        let (category, difficulty) = (
            category.0.as_ref().map(name_of),
            difficulty.0.as_ref().map(name_of),
        );
        let out = self
            .platform
            .db
            .read(move |conn| {
                let rows = store::templates::list(
                    conn,
                    category.as_deref(),
                    difficulty.as_deref(),
                    featured.0,
                    &p,
                )?;
                Ok(TemplateList {
                    total: rows.len() as u64,
                    templates: rows,
                })
            })
            .await?;
        Ok(ok(out))
    }

    /// One template with its variables and the scenario content it fills in
    /// (`template:read`).
    #[oai(path = "/admin/templates/:id", method = "get")]
    async fn get(&self, auth: Can<TemplateRead>, id: Path<String>) -> Result<Answer<Template>> {
        let p = auth.0;
        let out = self
            .platform
            .db
            .read(move |conn| {
                let (mut t, body) = store::templates::template(conn, &id.0, &p)?;
                t.content = Some(body);
                Ok(t)
            })
            .await?;
        Ok(ok(out))
    }

    /// Create a scenario from a template (`scenario:create`). Every required
    /// variable must be given with its type (text, number, boolean, select);
    /// `{{key}}` placeholders in the template are replaced by the values.
    #[oai(path = "/admin/templates/:id/create-scenario", method = "post")]
    async fn create_scenario(
        &self,
        auth: Can<ScenarioCreate>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<CreateFromTemplateRequest>,
    ) -> Result<CreatedAnswer<ScenarioFromTemplate>> {
        let p = auth.0;
        let body = fields_of(&body.0);
        let out = self
            .platform
            .db
            .write(move |tx| {
                let (t, tbody) = store::templates::template(tx, &id.0, &p)?;
                let values = service::template_values(&t.variables, body.get("variables").unwrap_or(&Value::Null))?;
                let mut doc = service::substitute(&tbody, &values);
                doc["name"] = body.get("name").cloned().unwrap_or(Value::Null);
                for k in ["description", "difficulty", "tags", "isPrivate", "tenantId"] {
                    if let Some(v) = body.get(k) {
                        doc[k] = v.clone();
                    }
                }
                service::validate(&doc)?;
                let slug = service::slugify(doc["name"].as_str().unwrap_or_default());
                if store::slug_taken(tx, &slug, None)? {
                    return Err(store::slug_conflict(&slug));
                }
                let content = service::content_of(&doc);
                let s = store::insert(tx, store::NewScenario { content: &content, status: "DRAFT", slug: &slug, template_id: Some(&id.0), by: &p.id, changelog: &format!("Created from template {}", id.0) })?;
                record(&WriteCtx::new(tx, Some(&p), &meta), "scenario.create", "scenario", &s.id, json!({"templateId": id.0}),
                    Some(("scenario.created", json!({"scenarioId": s.id, "name": s.name, "status": s.status, "templateId": id.0, "createdBy": p.id}))))?;
                Ok(ScenarioFromTemplate { id: s.id, name: s.name, slug: s.slug, template_id: id.0.clone(), status: s.status, created_at: s.created_at })
            })
            .await?;
        Ok(created(out))
    }
}
