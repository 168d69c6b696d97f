//! SQL of A/B tests.

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

/// One variant as stored.
#[derive(Clone, Debug)]
pub struct Variant {
    pub name: String,
    pub scenario_id: String,
    pub traffic: f64,
}

pub fn variants_json(v: &[Variant]) -> Value {
    json!(v
        .iter()
        .map(
            |v| json!({"name": v.name, "scenarioId": v.scenario_id, "trafficPercentage": v.traffic})
        )
        .collect::<Vec<_>>())
}

pub fn variants_of(v: &Value) -> Vec<Variant> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|x| Variant {
            name: x["name"].as_str().unwrap_or_default().to_string(),
            scenario_id: x["scenarioId"].as_str().unwrap_or_default().to_string(),
            traffic: x["trafficPercentage"].as_f64().unwrap_or(0.0),
        })
        .collect()
}

/// A stored test.
pub struct Test {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub status: String,
    pub metric: String,
    pub confidence: f64,
    pub min_sample: i64,
    pub variants: Vec<Variant>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub cancel_reason: Option<String>,
    /// Paused periods `[from, to]` (`to` null while paused): attempts in
    /// them do not count.
    pub pauses: Vec<(String, Option<String>)>,
}

const COLS: &str = "id, name, description, status, metric, confidence_level, min_sample_size, \
    variants, created_by, created_at, updated_at, started_at, ended_at, cancel_reason, pauses";

/// Test `id`, if it exists.
pub fn load(conn: &Connection, id: &str) -> ApiResult<Option<Test>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM training_ab_tests WHERE id = ?1"),
            [id],
            |r| {
                let v: String = r.get(7)?;
                Ok(Test {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    description: r.get(2)?,
                    status: r.get(3)?,
                    metric: r.get(4)?,
                    confidence: r.get(5)?,
                    min_sample: r.get(6)?,
                    variants: variants_of(&serde_json::from_str(&v).unwrap_or(Value::Null)),
                    created_by: r.get(8)?,
                    created_at: r.get(9)?,
                    updated_at: r.get(10)?,
                    started_at: r.get(11)?,
                    ended_at: r.get(12)?,
                    cancel_reason: r.get(13)?,
                    pauses: serde_json::from_str(&r.get::<_, String>(14)?).unwrap_or_default(),
                })
            },
        )
        .optional()?)
}

/// A test to insert (it starts RUNNING).
pub struct NewTest<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub metric: &'a str,
    pub confidence: f64,
    pub min_sample: i64,
    pub variants: &'a [Variant],
    pub created_by: &'a str,
    pub at: &'a str,
}

pub fn insert(tx: &Connection, t: &NewTest) -> ApiResult<()> {
    tx.execute(
        &format!("INSERT INTO training_ab_tests ({COLS}) VALUES (?1, ?2, ?3, 'RUNNING', ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?9, NULL, NULL, '[]')"),
        params![t.id, t.name, t.description, t.metric, t.confidence, t.min_sample,
            variants_json(t.variants).to_string(), t.created_by, t.at],
    )?;
    Ok(())
}

/// Ids of the tests, newest first, optionally with one status.
pub fn ids(conn: &Connection, status: Option<&str>) -> ApiResult<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM training_ab_tests WHERE ?1 IS NULL OR status = ?1
         ORDER BY created_at DESC, id DESC",
    )?;
    let ids = stmt
        .query_map(params![status], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}

/// Writes the changeable fields of `t`.
pub fn save(tx: &Connection, t: &Test) -> ApiResult<()> {
    tx.execute(
        "UPDATE training_ab_tests SET name = ?2, description = ?3, status = ?4, metric = ?5,
            confidence_level = ?6, min_sample_size = ?7, variants = ?8, updated_at = ?9, ended_at = ?10,
            pauses = ?11
         WHERE id = ?1",
        params![t.id, t.name, t.description, t.status, t.metric, t.confidence, t.min_sample,
            variants_json(&t.variants).to_string(), t.updated_at, t.ended_at,
            serde_json::to_string(&t.pauses).unwrap_or_else(|_| "[]".into())],
    )?;
    Ok(())
}

pub fn mark_cancelled(tx: &Connection, id: &str, now: &str, reason: Option<&str>) -> ApiResult<()> {
    tx.execute(
        "UPDATE training_ab_tests SET status = 'CANCELLED', ended_at = ?2, updated_at = ?2,
            cancel_reason = ?3 WHERE id = ?1",
        params![id, now, reason],
    )?;
    Ok(())
}

/// `(completed, passed, score, created_at)` of an attempt.
pub type WindowAttempt = (bool, bool, Option<f64>, String);

/// `(completed, passed, score, created_at)` of the attempts at variant `v`'s
/// scenario between the start and the end of test `t`.
pub fn attempts_in_window(
    conn: &Connection,
    t: &Test,
    v: &Variant,
) -> ApiResult<Vec<WindowAttempt>> {
    let end = t.ended_at.clone().unwrap_or_else(|| "9999".into());
    let mut stmt = conn.prepare(
        "SELECT completed, passed, score, created_at FROM training_attempts
         WHERE scenario_id = ?1 AND created_at >= ?2 AND created_at <= ?3",
    )?;
    let rows = stmt
        .query_map(params![v.scenario_id, t.started_at, end], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// `(name, status)` of scenario `id`, if it exists.
pub fn scenario_brief(conn: &Connection, id: &str) -> ApiResult<Option<(String, String)>> {
    Ok(conn
        .query_row(
            "SELECT name, status FROM training_scenarios WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}
