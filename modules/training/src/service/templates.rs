//! Templates: the built-in catalogue and the scenarios marked as templates
//! (`isTemplate`), and making scenarios from either.

use frontline_platform::auth::Principal;
use frontline_platform::write::WriteCtx;
use frontline_platform::ApiResult;
use rusqlite::Connection;
use serde_json::{json, Value};

use super::{caller, content_of, emit, slugify, substitute, template_values, validate};
use crate::model::{CreateFromTemplateRequest, ScenarioFromTemplate, Template, TemplateList};
use crate::store::{self, templates, Scenario};
use crate::SLUG;

/// The content fields a scenario marked as a template does not pass on to
/// the scenarios made from it (the new one is named by the request, is not a
/// template itself, and is private only when the request says so).
const NOT_PASSED_ON: &[&str] = &["name", "isTemplate", "isPrivate"];

/// The `{{key}}` placeholders in the text of `doc`, each once, sorted.
pub fn placeholders(doc: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => {
                let mut rest = s.as_str();
                while let Some(start) = rest.find("{{") {
                    let after = &rest[start + 2..];
                    let Some(end) = after.find("}}") else { break };
                    let key = after[..end].trim();
                    if !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    {
                        out.push(key.to_string());
                    }
                    rest = &after[end + 2..];
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut out);
    out.sort();
    out.dedup();
    out
}

/// A scenario marked as a template, as the templates API shows it (usage
/// figures still to fill in), and the content it fills in: its content
/// without [`NOT_PASSED_ON`], each placeholder a required text variable.
pub fn scenario_as_template(s: &Scenario) -> (Template, Value) {
    let mut body = s.doc.clone();
    if let Some(o) = body.as_object_mut() {
        for k in NOT_PASSED_ON {
            o.remove(*k);
        }
    }
    let variables: Vec<Value> = placeholders(&body)
        .into_iter()
        .map(|k| json!({"key": k, "label": k, "type": "text", "required": true}))
        .collect();
    let t = Template {
        id: s.id.clone(),
        name: s.name.clone(),
        description: s.doc["description"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        thumbnail: None,
        category: s.category.clone(),
        difficulty: s.difficulty.clone(),
        industry: s.doc["context"]["industry"].as_str().map(String::from),
        is_featured: false,
        variables: Value::Array(variables),
        created_by: s.created_by.clone(),
        created_at: s.created_at.clone(),
        usage_count: 0,
        average_rating: None,
        content: None,
    };
    (t, body)
}

/// Template `id` with the content it fills in: from the catalogue, or a
/// scenario marked as a template that `viewer` may see and that is not
/// archived; else 404.
pub fn find(conn: &Connection, id: &str, viewer: &Principal) -> ApiResult<(Template, Value)> {
    if let Some(found) = templates::catalogue_get(conn, id, viewer)? {
        return Ok(found);
    }
    let s = templates::marked(conn, id, viewer)?.ok_or_else(|| templates::not_found(id))?;
    let (mut t, body) = scenario_as_template(&s);
    (t.usage_count, t.average_rating) = templates::usage(conn, &s.id, viewer)?;
    Ok((t, body))
}

/// One template with its content.
pub fn get(conn: &Connection, id: &str, viewer: &Principal) -> ApiResult<Template> {
    let (mut t, body) = find(conn, id, viewer)?;
    t.content = Some(body);
    Ok(t)
}

/// The templates matching the filters: the catalogue's (featured first, then
/// by name), then the scenarios marked as templates that `viewer` may see,
/// by name (never featured; archived ones left out).
pub fn list(
    conn: &Connection,
    category: Option<&str>,
    difficulty: Option<&str>,
    featured: Option<bool>,
    viewer: &Principal,
) -> ApiResult<TemplateList> {
    let mut rows = templates::catalogue_list(conn, category, difficulty, featured, viewer)?;
    if featured != Some(true) {
        for s in templates::marked_list(conn, category, difficulty, viewer)? {
            let (mut t, _) = scenario_as_template(&s);
            (t.usage_count, t.average_rating) = templates::usage(conn, &s.id, viewer)?;
            rows.push(t);
        }
    }
    Ok(TemplateList {
        total: rows.len() as u64,
        templates: rows,
    })
}

/// Makes a draft scenario from template `id`: every required variable must
/// be given with its type; placeholders take the values; the request's
/// fields replace the template's.
pub fn create_scenario(
    w: &WriteCtx<'_>,
    id: &str,
    req: &CreateFromTemplateRequest,
) -> ApiResult<ScenarioFromTemplate> {
    let p = caller(w)?;
    let body = crate::model::fields_of(req);
    let (t, tbody) = find(w, id, p)?;
    let values = template_values(&t.variables, body.get("variables").unwrap_or(&Value::Null))?;
    let mut doc = substitute(&tbody, &values);
    doc["name"] = json!(req.name);
    for k in ["description", "difficulty", "tags", "isPrivate", "tenantId"] {
        if let Some(v) = body.get(k) {
            doc[k] = v.clone();
        }
    }
    validate(&doc)?;
    let slug = slugify(&req.name);
    if store::slug_taken(w, &slug, None)? {
        return Err(store::slug_conflict(&slug));
    }
    let content = content_of(&doc);
    let s = store::insert(
        w,
        store::NewScenario {
            content: &content,
            status: "DRAFT",
            slug: &slug,
            template_id: Some(id),
            by: &p.id,
            changelog: &format!("Created from template {id}"),
        },
    )?;
    w.audit(
        SLUG,
        "scenario.create",
        "scenario",
        &s.id,
        json!({"templateId": id}),
    )?;
    emit(
        w,
        "scenario.created",
        json!({"scenarioId": s.id, "name": s.name, "status": s.status,
               "templateId": id, "createdBy": p.id}),
    )?;
    Ok(ScenarioFromTemplate {
        id: s.id,
        name: s.name,
        slug: s.slug,
        template_id: id.to_string(),
        status: s.status,
        created_at: s.created_at,
    })
}
