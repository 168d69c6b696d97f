//! SQL of attempts and the analytics over them.

use frontline_platform::ApiResult;
use rusqlite::{params, Connection};
use serde_json::{json, Map, Value};

use super::round;

/// A recorded attempt, as the analytics read it.
pub struct Attempt {
    pub user_id: String,
    pub score: Option<f64>,
    pub scores: Map<String, Value>,
    pub duration: Option<i64>,
    pub completed: bool,
    pub passed: bool,
    pub rating: Option<i64>,
    pub reported_issue: bool,
    pub tokens: Option<i64>,
    pub latency: Option<f64>,
    pub error: bool,
    pub created_at: String,
}

/// The attempts in `window` (ISO instants, inclusive) of one scenario or of
/// all, counting only attempts at scenarios the viewer may see (private
/// ones: their author and training admins), oldest first.
pub fn attempts(
    conn: &Connection,
    scenario_id: Option<&str>,
    window: (&str, &str),
    viewer: &str,
    admin: bool,
) -> ApiResult<Vec<Attempt>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT a.user_id, a.score, a.scores, a.duration, a.completed, a.passed, a.rating, a.reported_issue,
                a.tokens_used, a.latency, a.error, a.created_at
         FROM training_attempts a JOIN training_scenarios s ON s.id = a.scenario_id
         WHERE (?1 IS NULL OR a.scenario_id = ?1) AND a.created_at >= ?2 AND a.created_at <= ?3
           AND {}
         ORDER BY a.created_at",
        super::visible_sql("s", 4)
    ))?;
    let rows = stmt
        .query_map(
            params![scenario_id, window.0, window.1, viewer, admin as i64],
            |r| {
                let scores: String = r.get(2)?;
                Ok(Attempt {
                    user_id: r.get(0)?,
                    score: r.get(1)?,
                    scores: serde_json::from_str(&scores).unwrap_or_default(),
                    duration: r.get(3)?,
                    completed: r.get(4)?,
                    passed: r.get(5)?,
                    rating: r.get(6)?,
                    reported_issue: r.get(7)?,
                    tokens: r.get(8)?,
                    latency: r.get(9)?,
                    error: r.get(10)?,
                    created_at: r.get(11)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// An attempt to record.
pub struct NewAttempt<'a> {
    pub id: &'a str,
    pub scenario_id: &'a str,
    pub user_id: &'a str,
    pub score: Option<f64>,
    pub scores: &'a Map<String, Value>,
    pub duration: Option<i64>,
    pub completed: bool,
    pub passed: bool,
    pub rating: Option<i64>,
    pub feedback: Option<&'a str>,
    pub reported_issue: bool,
    pub tokens: Option<i64>,
    pub latency: Option<f64>,
    pub error: bool,
    pub at: &'a str,
}

pub fn insert_attempt(tx: &Connection, a: &NewAttempt) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO training_attempts (id, scenario_id, user_id, score, scores, duration, completed,
            passed, rating, feedback, reported_issue, tokens_used, latency, error, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![a.id, a.scenario_id, a.user_id, a.score, Value::Object(a.scores.clone()).to_string(),
            a.duration, a.completed, a.passed, a.rating, a.feedback, a.reported_issue, a.tokens,
            a.latency, a.error, a.at],
    )?;
    Ok(())
}

/// Scenarios the viewer may see, counted by `col` (status, category or
/// difficulty).
pub fn count_by(
    conn: &Connection,
    col: &str,
    viewer: &str,
    admin: bool,
) -> ApiResult<Map<String, Value>> {
    let col = match col {
        "status" | "category" | "difficulty" => col,
        _ => "status",
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {col}, COUNT(*) FROM training_scenarios
         WHERE is_private = 0 OR created_by = ?1 OR ?2 = 1 GROUP BY {col} ORDER BY {col}"
    ))?;
    let rows = stmt
        .query_map(params![viewer, admin as i64], |r| {
            Ok((r.get::<_, String>(0)?, json!(r.get::<_, i64>(1)?)))
        })?
        .collect::<Result<Map<_, _>, _>>()?;
    Ok(rows)
}

/// The five most attempted scenarios in `window`.
pub fn most_attempted(
    conn: &Connection,
    window: (&str, &str),
    viewer: &str,
    admin: bool,
) -> ApiResult<Vec<Value>> {
    let mut stmt = conn.prepare(
        "SELECT a.scenario_id, s.name, COUNT(*) AS n, AVG(a.score), AVG(a.rating)
         FROM training_attempts a JOIN training_scenarios s ON s.id = a.scenario_id
         WHERE a.created_at >= ?1 AND a.created_at <= ?2
           AND (s.is_private = 0 OR s.created_by = ?3 OR ?4 = 1)
         GROUP BY a.scenario_id ORDER BY n DESC, s.name LIMIT 5",
    )?;
    let rows = stmt
        .query_map(params![window.0, window.1, viewer, admin as i64], |r| {
            Ok(json!({
                "scenarioId": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)?,
                "attempts": r.get::<_, i64>(2)?,
                "averageScore": r.get::<_, Option<f64>>(3)?.map(|x| round(x, 1)),
                "averageRating": r.get::<_, Option<f64>>(4)?.map(|x| round(x, 2)),
            }))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The five best rated scenarios in `window` (highest mean rating over the
/// rated attempts).
pub fn best_rated(
    conn: &Connection,
    window: (&str, &str),
    viewer: &str,
    admin: bool,
) -> ApiResult<Vec<Value>> {
    let mut stmt = conn.prepare(
        "SELECT a.scenario_id, s.name, COUNT(a.rating) AS n, AVG(a.rating) AS r, AVG(a.score)
         FROM training_attempts a JOIN training_scenarios s ON s.id = a.scenario_id
         WHERE a.created_at >= ?1 AND a.created_at <= ?2 AND a.rating IS NOT NULL
           AND (s.is_private = 0 OR s.created_by = ?3 OR ?4 = 1)
         GROUP BY a.scenario_id ORDER BY r DESC, n DESC, s.name LIMIT 5",
    )?;
    let rows = stmt
        .query_map(params![window.0, window.1, viewer, admin as i64], |r| {
            Ok(json!({
                "scenarioId": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)?,
                "ratings": r.get::<_, i64>(2)?,
                "averageRating": r.get::<_, Option<f64>>(3)?.map(|x| round(x, 2)),
                "averageScore": r.get::<_, Option<f64>>(4)?.map(|x| round(x, 1)),
            }))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
