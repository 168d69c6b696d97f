//! SQL of the training module.

pub mod abtests;
pub mod analytics;
pub mod comments;
pub mod demo;
pub mod list;
pub mod notifications;
pub mod templates;
pub mod versions;

use frontline_platform::auth::{find_user, Principal};
use frontline_platform::{events, ApiError, ApiResult};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value};

use crate::model::shared;
use crate::model::{
    CreatorRef, Person, ScenarioDetail, ScenarioMetadata, ScenarioSummary,
    ScenarioSummaryAnalytics, SummaryAnalytics, TrainingError,
};

/// A stored scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub category: String,
    pub difficulty: String,
    pub status: String,
    pub tenant_id: Option<String>,
    pub is_private: bool,
    /// Marked as a template (`isTemplate` of its content).
    pub is_template: bool,
    pub template_id: Option<String>,
    /// The content fields (see `service::CONTENT_FIELDS`).
    pub doc: Value,
    pub version_number: i64,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
    pub published_at: Option<String>,
    pub published_by: Option<String>,
    pub archived_at: Option<String>,
    pub archived_by: Option<String>,
    pub usage_count: i64,
    pub rating: Option<f64>,
}

pub const COLUMNS: &str = "id, slug, name, category, difficulty, status, tenant_id, is_private, \
    template_id, doc, version_number, created_at, created_by, updated_at, updated_by, \
    published_at, published_by, archived_at, archived_by, usage_count, rating, is_template";

pub fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Scenario> {
    let doc: String = r.get(9)?;
    Ok(Scenario {
        id: r.get(0)?,
        slug: r.get(1)?,
        name: r.get(2)?,
        category: r.get(3)?,
        difficulty: r.get(4)?,
        status: r.get(5)?,
        tenant_id: r.get(6)?,
        is_private: r.get(7)?,
        template_id: r.get(8)?,
        doc: serde_json::from_str(&doc).unwrap_or_else(|_| json!({})),
        version_number: r.get(10)?,
        created_at: r.get(11)?,
        created_by: r.get(12)?,
        updated_at: r.get(13)?,
        updated_by: r.get(14)?,
        published_at: r.get(15)?,
        published_by: r.get(16)?,
        archived_at: r.get(17)?,
        archived_by: r.get(18)?,
        usage_count: r.get(19)?,
        rating: r.get(20)?,
        is_template: r.get(21)?,
    })
}

pub fn not_found(id: &str) -> ApiError {
    TrainingError::ScenarioNotFound.with_message(format!("Scenario {id} not found"))
}

/// Whether `p` may see scenario `s` (private scenarios: their creator and admins).
pub fn visible(s: &Scenario, p: &Principal) -> bool {
    !s.is_private || s.created_by == p.id || shared::is_training_admin(p)
}

/// The SQL condition "scenario `alias` is visible to the viewer" (the rule of
/// [`visible`]), with `?{n}` the viewer's id and `?{n+1}` 1 for admins; every
/// aggregate over scenarios or their attempts applies it.
pub fn visible_sql(alias: &str, n: usize) -> String {
    format!(
        "({alias}.is_private = 0 OR {alias}.created_by = ?{n} OR ?{} = 1)",
        n + 1
    )
}

/// Scenario `id` whoever asks, if it exists.
pub fn find(conn: &Connection, id: &str) -> ApiResult<Option<Scenario>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM training_scenarios WHERE id = ?1"
        ))?
        .query_row([id], from_row)
        .optional()?)
}

/// Calls `each` with every scenario, one row at a time (the reindex).
pub fn for_each(
    conn: &Connection,
    mut each: impl FnMut(Scenario) -> ApiResult<()>,
) -> ApiResult<()> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM training_scenarios"))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        each(from_row(r)?)?;
    }
    Ok(())
}

/// Whether scenario `id` exists and `p` may not see it (missing scenarios
/// hide nothing).
pub fn hidden(conn: &Connection, id: &str, p: &Principal) -> ApiResult<bool> {
    Ok(find(conn, id)?.is_some_and(|s| !visible(&s, p)))
}

/// The scenario `id` as `p` may see it, else 404.
pub fn get(conn: &Connection, id: &str, p: &Principal) -> ApiResult<Scenario> {
    match find(conn, id)? {
        Some(s) if visible(&s, p) => Ok(s),
        _ => Err(not_found(id)),
    }
}

/// The scenarios `ids` in that order (unknown ids left out), or, with
/// `sorted`, one page of them ordered by a column.
pub fn get_many(
    conn: &Connection,
    ids: &[String],
    sorted: Option<(&str, &str, (i64, i64))>,
) -> ApiResult<Vec<Scenario>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(",");
    let mut args: Vec<rusqlite::types::Value> = ids.iter().map(|i| i.clone().into()).collect();
    let sql = match sorted {
        Some((col, order, (limit, offset))) => {
            args.push(limit.into());
            args.push(offset.into());
            format!("SELECT {COLUMNS} FROM training_scenarios WHERE id IN ({marks}) ORDER BY {col} {order}, id {order} LIMIT ? OFFSET ?")
        }
        None => format!("SELECT {COLUMNS} FROM training_scenarios WHERE id IN ({marks})"),
    };
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), from_row)?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if sorted.is_none() {
        rows.sort_by_key(|s| ids.iter().position(|i| *i == s.id).unwrap_or(usize::MAX));
    }
    Ok(rows)
}

/// `{id, name, email}` of a user, or of the system.
pub fn person(conn: &Connection, id: &str) -> ApiResult<Person> {
    Ok(match find_user(conn, id)? {
        Some(u) => Person {
            id: u.id,
            name: u.name,
            email: Some(u.email),
        },
        None => Person {
            id: id.to_string(),
            name: if id == "usr_system" {
                "System"
            } else {
                "Unknown user"
            }
            .into(),
            email: None,
        },
    })
}

/// Who may receive an event about scenario `id`: everyone for a public
/// scenario; its author (and module-wide, i.e. admins', subscriptions) for a
/// private one; admins only once it is gone.
pub fn scenario_audience(tx: &Connection, id: &str) -> ApiResult<events::Audience> {
    let row: Option<(bool, String)> = tx
        .query_row(
            "SELECT is_private, created_by FROM training_scenarios WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        Some((false, _)) => events::Audience::All,
        Some((true, author)) => events::Audience::owners([author]),
        None => events::Audience::admins(),
    })
}

/// The id of the scenario with `slug`, if any.
pub fn id_by_slug(conn: &Connection, slug: &str) -> ApiResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT id FROM training_scenarios WHERE slug = ?1",
            [slug],
            |r| r.get(0),
        )
        .optional()?)
}

/// Opens savepoint `name` (a fixed identifier) inside the transaction.
pub fn savepoint(tx: &Connection, name: &'static str) -> ApiResult<()> {
    tx.execute_batch(&format!("SAVEPOINT {name}"))?;
    Ok(())
}

/// Ends savepoint `name`, keeping (`keep`) or undoing its changes.
pub fn savepoint_end(tx: &Connection, name: &'static str, keep: bool) -> ApiResult<()> {
    if keep {
        tx.execute_batch(&format!("RELEASE {name}"))?;
    } else {
        tx.execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))?;
    }
    Ok(())
}

pub fn slug_taken(conn: &Connection, slug: &str, except: Option<&str>) -> ApiResult<bool> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM training_scenarios WHERE slug = ?1 AND id != ?2",
        params![slug, except.unwrap_or("")],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// `base`, or `base-2`, `base-3`, ... whichever is free.
pub fn free_slug(conn: &Connection, base: &str) -> ApiResult<String> {
    if !slug_taken(conn, base, None)? {
        return Ok(base.to_string());
    }
    for i in 2..10_000 {
        let s = format!("{base}-{i}");
        if !slug_taken(conn, &s, None)? {
            return Ok(s);
        }
    }
    Err(TrainingError::DuplicateSlug.with_message("No free slug for this name"))
}

pub fn slug_conflict(slug: &str) -> ApiError {
    TrainingError::DuplicateSlug
        .with_message(format!("A scenario with slug '{slug}' already exists"))
        .with_detail("slug", "Scenario with slug already exists")
}

/// A boolean content field (false when absent).
fn flag(doc: &Value, k: &str) -> bool {
    doc.get(k).and_then(Value::as_bool).unwrap_or(false)
}

fn str_of(doc: &Value, k: &str) -> String {
    doc.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A scenario to insert (content already validated).
pub struct NewScenario<'a> {
    pub content: &'a Map<String, Value>,
    pub status: &'a str,
    pub slug: &'a str,
    pub template_id: Option<&'a str>,
    /// Who creates it.
    pub by: &'a str,
    /// The changelog of its version 1.
    pub changelog: &'a str,
}

/// Inserts a new scenario with version 1.
pub fn insert(tx: &Connection, new: NewScenario) -> ApiResult<Scenario> {
    let NewScenario {
        content: doc,
        status,
        slug,
        template_id,
        by,
        changelog,
    } = new;
    let id = shared::new_id("scn");
    let now = shared::now();
    let doc = Value::Object(doc.clone());
    tx.execute(
        "INSERT INTO training_scenarios (id, slug, name, category, difficulty, status, tenant_id,
            is_private, template_id, doc, version_number, created_at, created_by, updated_at, updated_by,
            is_template)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, ?12, ?11, ?12, ?13)",
        params![
            id,
            slug,
            str_of(&doc, "name"),
            str_of(&doc, "category"),
            str_of(&doc, "difficulty"),
            status,
            doc.get("tenantId").and_then(Value::as_str),
            doc.get("isPrivate").and_then(Value::as_bool).unwrap_or(false),
            template_id,
            doc.to_string(),
            now,
            by,
            flag(&doc, "isTemplate"),
        ],
    )?;
    let s = Scenario {
        id,
        slug: slug.to_string(),
        name: str_of(&doc, "name"),
        category: str_of(&doc, "category"),
        difficulty: str_of(&doc, "difficulty"),
        status: status.to_string(),
        tenant_id: doc
            .get("tenantId")
            .and_then(Value::as_str)
            .map(String::from),
        is_private: doc
            .get("isPrivate")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        is_template: flag(&doc, "isTemplate"),
        template_id: template_id.map(String::from),
        doc,
        version_number: 1,
        created_at: now.clone(),
        created_by: by.to_string(),
        updated_at: now,
        updated_by: by.to_string(),
        published_at: None,
        published_by: None,
        archived_at: None,
        archived_by: None,
        usage_count: 0,
        rating: None,
    };
    insert_version(tx, &s, Some(changelog), None)?;
    crate::index::stage(tx, &s.id)?;
    Ok(s)
}

/// Records the current content of `s` as its version `s.version_number`,
/// made by `s.updated_by` at `s.updated_at`.
pub fn insert_version(
    tx: &Connection,
    s: &Scenario,
    changelog: Option<&str>,
    restored_from: Option<i64>,
) -> ApiResult<String> {
    let id = shared::new_id("ver");
    tx.execute(
        "INSERT INTO training_versions (id, scenario_id, version_number, changelog, snapshot,
            restored_from, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            s.id,
            s.version_number,
            changelog,
            s.doc.to_string(),
            restored_from,
            s.updated_by,
            s.updated_at
        ],
    )?;
    Ok(id)
}

/// Writes the content of `s` (doc and the columns derived from it).
pub fn save_content(tx: &Connection, s: &Scenario) -> ApiResult<()> {
    tx.execute(
        "UPDATE training_scenarios SET slug = ?2, name = ?3, category = ?4, difficulty = ?5,
            status = ?6, tenant_id = ?7, is_private = ?8, doc = ?9, version_number = ?10,
            updated_at = ?11, updated_by = ?12, is_template = ?13 WHERE id = ?1",
        params![
            s.id,
            s.slug,
            str_of(&s.doc, "name"),
            str_of(&s.doc, "category"),
            str_of(&s.doc, "difficulty"),
            s.status,
            s.doc.get("tenantId").and_then(Value::as_str),
            s.doc
                .get("isPrivate")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            s.doc.to_string(),
            s.version_number,
            s.updated_at,
            s.updated_by,
            flag(&s.doc, "isTemplate"),
        ],
    )?;
    crate::index::stage(tx, &s.id)
}

/// Headline analytics of a scenario over all its recorded attempts.
pub fn summary(conn: &Connection, id: &str) -> ApiResult<ScenarioSummaryAnalytics> {
    conn.query_row(
        "SELECT COUNT(*), COUNT(DISTINCT user_id), AVG(completed), AVG(duration), AVG(score),
                AVG(passed), AVG(rating)
         FROM training_attempts WHERE scenario_id = ?1",
        [id],
        |r| {
            Ok(ScenarioSummaryAnalytics {
                total_attempts: r.get(0)?,
                unique_users: r.get(1)?,
                completion_rate: round(r.get::<_, Option<f64>>(2)?.unwrap_or(0.0), 4),
                average_duration: r
                    .get::<_, Option<f64>>(3)?
                    .map(|x| x.round())
                    .unwrap_or(0.0),
                average_score: r.get::<_, Option<f64>>(4)?.map(|x| round(x, 1)),
                pass_rate: round(r.get::<_, Option<f64>>(5)?.unwrap_or(0.0), 4),
                average_rating: r.get::<_, Option<f64>>(6)?.map(|x| round(x, 2)),
            })
        },
    )
    .map_err(Into::into)
}

pub fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// The full document of a scenario as GET returns it.
pub fn render_full(conn: &Connection, s: &Scenario) -> ApiResult<ScenarioDetail> {
    let part = |k: &str| s.doc.get(k).filter(|v| !v.is_null()).cloned();
    Ok(ScenarioDetail {
        id: s.id.clone(),
        slug: s.slug.clone(),
        status: s.status.clone(),
        version_number: s.version_number,
        template_id: s.template_id.clone(),
        usage_count: s.usage_count,
        name: s.name.clone(),
        description: str_of(&s.doc, "description"),
        category: s.category.clone(),
        difficulty: s.difficulty.clone(),
        estimated_duration: part("estimatedDuration"),
        tags: part("tags").unwrap_or_else(|| json!([])),
        customer_profile: part("customerProfile"),
        context: part("context"),
        ai_config: part("aiConfig"),
        success_criteria: part("successCriteria"),
        evaluation_weights: part("evaluationWeights"),
        is_private: json!(s.is_private),
        is_template: s.is_template,
        tenant_id: json!(s.tenant_id),
        metadata: ScenarioMetadata {
            created_at: s.created_at.clone(),
            created_by: s.created_by.clone(),
            creator: person(conn, &s.created_by)?,
            updated_at: s.updated_at.clone(),
            updated_by: s.updated_by.clone(),
            published_at: s.published_at.clone(),
            published_by: s.published_by.clone(),
            archived_at: s.archived_at.clone(),
            archived_by: s.archived_by.clone(),
        },
        analytics: None,
        versions: None,
    })
}

/// The list form of a scenario.
pub fn render_summary(conn: &Connection, s: &Scenario) -> ApiResult<ScenarioSummary> {
    let a = summary(conn, &s.id)?;
    let creator = person(conn, &s.created_by)?;
    Ok(ScenarioSummary {
        id: s.id.clone(),
        name: s.name.clone(),
        slug: s.slug.clone(),
        description: str_of(&s.doc, "description"),
        category: s.category.clone(),
        difficulty: s.difficulty.clone(),
        status: s.status.clone(),
        tags: s
            .doc
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        version_number: s.version_number,
        is_template: s.is_template,
        is_private: s.is_private,
        usage_count: s.usage_count,
        analytics: SummaryAnalytics {
            total_attempts: a.total_attempts,
            average_score: a.average_score,
            average_rating: a.average_rating,
        },
        creator: CreatorRef {
            id: creator.id,
            name: creator.name,
        },
        created_at: s.created_at.clone(),
        updated_at: s.updated_at.clone(),
        published_at: s.published_at.clone(),
    })
}

/// Keeps `usage_count`, `rating` (used for sorting) and `average_score`
/// (shown by the list) in step with attempts.
pub fn refresh_usage(tx: &Connection, id: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE training_scenarios SET
            usage_count = (SELECT COUNT(*) FROM training_attempts WHERE scenario_id = ?1),
            rating = (SELECT AVG(rating) FROM training_attempts WHERE scenario_id = ?1),
            average_score = (SELECT AVG(score) FROM training_attempts WHERE scenario_id = ?1)
         WHERE id = ?1",
        [id],
    )?;
    crate::index::stage(tx, id)
}

/// Publishes scenario `id` at version `version`.
pub fn mark_published(
    tx: &Connection,
    id: &str,
    version: i64,
    now: &str,
    by: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE training_scenarios SET status = 'PUBLISHED', published_at = ?2, published_by = ?3,
            updated_at = ?2, updated_by = ?3 WHERE id = ?1",
        params![id, now, by],
    )?;
    tx.execute(
        "UPDATE training_versions SET published_at = ?3 WHERE scenario_id = ?1 AND version_number = ?2",
        params![id, version, now],
    )?;
    crate::index::stage(tx, id)
}

/// Archives scenario `id`.
pub fn mark_archived(
    tx: &Connection,
    id: &str,
    now: &str,
    by: &str,
    reason: Option<&str>,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE training_scenarios SET status = 'ARCHIVED', archived_at = ?2, archived_by = ?3,
            archive_reason = ?4, updated_at = ?2, updated_by = ?3 WHERE id = ?1",
        params![id, now, by, reason],
    )?;
    crate::index::stage(tx, id)
}

/// Brings archived scenario `id` back as a draft.
pub fn mark_restored(tx: &Connection, id: &str, now: &str, by: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE training_scenarios SET status = 'DRAFT', archived_at = NULL, archived_by = NULL,
            archive_reason = NULL, updated_at = ?2, updated_by = ?3 WHERE id = ?1",
        params![id, now, by],
    )?;
    crate::index::stage(tx, id)
}

/// Copies the recorded attempts of scenario `from` to scenario `to`.
pub fn copy_attempts(tx: &Connection, from: &str, to: &str) -> ApiResult<()> {
    let mut stmt = tx.prepare("SELECT id FROM training_attempts WHERE scenario_id = ?1")?;
    let ids = stmt
        .query_map([from], |r| r.get::<_, String>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    for aid in ids {
        tx.execute(
            "INSERT INTO training_attempts (id, scenario_id, user_id, score, scores, duration, completed, passed,
                rating, feedback, reported_issue, tokens_used, latency, error, created_at)
             SELECT ?1, ?2, user_id, score, scores, duration, completed, passed, rating, feedback,
                reported_issue, tokens_used, latency, error, created_at FROM training_attempts WHERE id = ?3",
            params![shared::new_id("att"), to, aid],
        )?;
    }
    refresh_usage(tx, to)
}

/// Removes scenario `id` with its versions, comments and attempts.
pub fn remove(tx: &Connection, id: &str) -> ApiResult<()> {
    for t in [
        "training_versions",
        "training_comments",
        "training_attempts",
    ] {
        tx.execute(&format!("DELETE FROM {t} WHERE scenario_id = ?1"), [id])?;
    }
    tx.execute("DELETE FROM training_scenarios WHERE id = ?1", [id])?;
    crate::index::stage(tx, id)
}
