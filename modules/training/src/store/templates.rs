//! SQL of scenario templates.

use frontline_platform::auth::Principal;
use frontline_platform::ApiResult;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{json, Value};

use crate::model::{Template, TrainingError};
use crate::service;

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
    .and_then(|(mut t, b)| {
        // How many scenarios came from it and how their attempts were rated.
        let admin = service::is_training_admin(viewer) as i64;
        let (n, rating) = conn.query_row(
            &format!(
                "SELECT COUNT(*), (SELECT AVG(a.rating) FROM training_attempts a JOIN training_scenarios s
                    ON s.id = a.scenario_id WHERE s.template_id = ?1 AND {})
                 FROM training_scenarios t WHERE t.template_id = ?1 AND {}",
                super::visible_sql("s", 2),
                super::visible_sql("t", 2)
            ),
            rusqlite::params![id, viewer.id, admin],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<f64>>(1)?)),
        )?;
        t.usage_count = n;
        t.average_rating = rating.map(|x| super::round(x, 2));
        Ok((t, b))
    })
}

pub fn template(conn: &Connection, id: &str, viewer: &Principal) -> ApiResult<(Template, Value)> {
    conn.query_row(
        &format!("SELECT {TCOLS} FROM training_templates WHERE id = ?1"),
        [id],
        |r| template_row(conn, r, viewer),
    )
    .optional()?
    .ok_or_else(|| TrainingError::TemplateNotFound.with_message(format!("Template {id} not found")))
}

/// The templates matching the filters, featured first, then by name.
pub fn list(
    conn: &Connection,
    category: Option<&str>,
    difficulty: Option<&str>,
    featured: Option<bool>,
    viewer: &Principal,
) -> ApiResult<Vec<Template>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {TCOLS} FROM training_templates
         WHERE (?1 IS NULL OR category = ?1) AND (?2 IS NULL OR difficulty = ?2)
           AND (?3 IS NULL OR is_featured = ?3)
         ORDER BY is_featured DESC, name"
    ))?;
    let rows = stmt
        .query_map(rusqlite::params![category, difficulty, featured], |r| {
            template_row(conn, r, viewer)
        })?
        .map(|r| r.map(|(t, _)| t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
