//! SQL of scenario templates: the built-in catalogue (`training_templates`)
//! and the scenarios marked as templates (`training_scenarios.is_template`).

use frontline_platform::auth::Principal;
use frontline_platform::{ApiError, ApiResult};
use rusqlite::{Connection, OptionalExtension};
use serde_json::{json, Value};

use crate::model::shared;
use crate::model::{Template, TrainingError};

use super::{Scenario, COLUMNS};

/// Migration step 4: the `is_template` flag of a scenario (the `isTemplate`
/// of its content), with an index of the flagged ones.
pub const MIGRATION: &str = r#"
ALTER TABLE training_scenarios ADD COLUMN is_template INTEGER NOT NULL DEFAULT 0;
UPDATE training_scenarios SET is_template = 1 WHERE json_extract(doc, '$.isTemplate') = 1;
CREATE INDEX training_scenarios_is_template ON training_scenarios(is_template, name)
    WHERE is_template = 1;
"#;

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
        (t.usage_count, t.average_rating) = usage(conn, &id, viewer)?;
        Ok((t, b))
    })
}

/// How many scenarios the viewer may see were made from template `id`, and
/// the mean rating of their attempts.
pub fn usage(
    conn: &Connection,
    id: &str,
    viewer: &Principal,
) -> rusqlite::Result<(i64, Option<f64>)> {
    let admin = shared::is_training_admin(viewer) as i64;
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
    Ok((n, rating.map(|x| super::round(x, 2))))
}

/// The scenario `id` when it is marked as a template, not archived and
/// visible to `viewer`.
pub fn marked(conn: &Connection, id: &str, viewer: &Principal) -> ApiResult<Option<Scenario>> {
    let s = conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM training_scenarios
                 WHERE id = ?1 AND is_template = 1 AND status != 'ARCHIVED'"
            ),
            [id],
            super::from_row,
        )
        .optional()?;
    Ok(s.filter(|s| super::visible(s, viewer)))
}

/// Template `id` of the catalogue, with its body.
pub fn catalogue_get(
    conn: &Connection,
    id: &str,
    viewer: &Principal,
) -> ApiResult<Option<(Template, Value)>> {
    Ok(conn
        .query_row(
            &format!("SELECT {TCOLS} FROM training_templates WHERE id = ?1"),
            [id],
            |r| template_row(conn, r, viewer),
        )
        .optional()?)
}

/// 404 for template `id`.
pub fn not_found(id: &str) -> ApiError {
    TrainingError::TemplateNotFound.with_message(format!("Template {id} not found"))
}

/// The catalogue's templates matching the filters, featured first, then by name.
pub fn catalogue_list(
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

/// The scenarios marked as templates that `viewer` may see, not archived,
/// matching the filters, by name.
pub fn marked_list(
    conn: &Connection,
    category: Option<&str>,
    difficulty: Option<&str>,
    viewer: &Principal,
) -> ApiResult<Vec<Scenario>> {
    let admin = shared::is_training_admin(viewer) as i64;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM training_scenarios s
         WHERE s.is_template = 1 AND s.status != 'ARCHIVED'
           AND (?1 IS NULL OR s.category = ?1) AND (?2 IS NULL OR s.difficulty = ?2)
           AND {}
         ORDER BY s.name COLLATE NOCASE, s.id",
        super::visible_sql("s", 3)
    ))?;
    let rows = stmt
        .query_map(
            rusqlite::params![category, difficulty, viewer.id, admin],
            super::from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
