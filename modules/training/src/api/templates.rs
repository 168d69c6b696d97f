//! Scenario templates and creating scenarios from them.

use frontline_platform::auth::Principal;
use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiResult, Platform};
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;
use rusqlite::{Connection, OptionalExtension};
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

const TCOLS: &str = "id, name, description, thumbnail, category, difficulty, industry, is_featured, variables, body, created_by, created_at";

/// A template as the API shows it (with usage figures counted over the
/// scenarios `viewer` may see), and its body.
fn template_row(
    conn: &Connection,
    r: &rusqlite::Row,
    viewer: &Principal,
) -> rusqlite::Result<(Template, Value)> {
    let vars: String = r.get(8)?;
    let body: String = r.get(9)?;
    let id: String = r.get(0)?;
    Ok((
        Template {
            id: id.clone(),
            name: r.get(1)?,
            description: r.get(2)?,
            thumbnail: r.get(3)?,
            category: r.get(4)?,
            difficulty: r.get(5)?,
            industry: r.get(6)?,
            is_featured: r.get(7)?,
            variables: serde_json::from_str::<Value>(&vars).unwrap_or(json!([])),
            created_by: r.get(10)?,
            created_at: r.get(11)?,
            usage_count: 0,
            average_rating: None,
            content: None,
        },
        serde_json::from_str::<Value>(&body).unwrap_or(json!({})),
    ))
    .map(|(mut t, b)| {
        // How many scenarios came from it and how their attempts were rated.
        let admin = service::is_training_admin(viewer) as i64;
        if let Ok((n, rating)) = conn.query_row(
            &format!(
                "SELECT COUNT(*), (SELECT AVG(a.rating) FROM training_attempts a JOIN training_scenarios s
                    ON s.id = a.scenario_id WHERE s.template_id = ?1 AND {})
                 FROM training_scenarios t WHERE t.template_id = ?1 AND {}",
                store::visible_sql("s", 2),
                store::visible_sql("t", 2)
            ),
            rusqlite::params![id, viewer.id, admin],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<f64>>(1)?)),
        ) {
            t.usage_count = n;
            t.average_rating = rating.map(|x| store::round(x, 2));
        }
        (t, b)
    })
}

fn template(conn: &Connection, id: &str, viewer: &Principal) -> ApiResult<(Template, Value)> {
    conn.query_row(
        &format!("SELECT {TCOLS} FROM training_templates WHERE id = ?1"),
        [id],
        |r| template_row(conn, r, viewer),
    )
    .optional()?
    .ok_or_else(|| TrainingError::TemplateNotFound.with_message(format!("Template {id} not found")))
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
                let mut stmt = conn.prepare(&format!(
                    "SELECT {TCOLS} FROM training_templates
                     WHERE (?1 IS NULL OR category = ?1) AND (?2 IS NULL OR difficulty = ?2)
                       AND (?3 IS NULL OR is_featured = ?3)
                     ORDER BY is_featured DESC, name"
                ))?;
                let rows = stmt
                    .query_map(rusqlite::params![category, difficulty, featured.0], |r| {
                        template_row(conn, r, &p)
                    })?
                    .map(|r| r.map(|(t, _)| t))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
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
                let (mut t, body) = template(conn, &id.0, &p)?;
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
                let (t, tbody) = template(tx, &id.0, &p)?;
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
                let s = store::insert(tx, &content, "DRAFT", &slug, Some(&id.0), &p.id, &format!("Created from template {}", id.0))?;
                record(&WriteCtx::new(tx, Some(&p), &meta), "scenario.create", "scenario", &s.id, json!({"templateId": id.0}),
                    Some(("scenario.created", json!({"scenarioId": s.id, "name": s.name, "status": s.status, "templateId": id.0, "createdBy": p.id}))))?;
                Ok(ScenarioFromTemplate { id: s.id, name: s.name, slug: s.slug, template_id: id.0.clone(), status: s.status, created_at: s.created_at })
            })
            .await?;
        Ok(created(out))
    }
}
