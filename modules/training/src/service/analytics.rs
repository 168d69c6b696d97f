//! Attempts and the analytics computed from them: how an attempt is scored
//! and passed, periods, per-scenario analytics, comparisons and the
//! dashboard. Every figure counts only attempts at scenarios the caller may
//! see.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use frontline_platform::auth::Principal;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::{caller, is_training_admin, new_id, now, WEIGHT_KEYS};
use crate::model::*;
use crate::store::analytics::Attempt;
use crate::store::{self, round};
use crate::SLUG;

/// Score at or above which an attempt passes when `passed` is not given.
pub const PASS_MARK: f64 = 70.0;

/// A resolved period.
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Period {
    fn days(&self) -> i64 {
        ((self.end - self.start).num_seconds() as f64 / 86400.0)
            .round()
            .max(1.0) as i64
    }
    fn json(&self) -> Value {
        json!({ "start": iso(self.start), "end": iso(self.end), "days": self.days() })
    }
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn parse_time(field: &str, s: &str) -> ApiResult<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc());
        }
    }
    Err(ApiError::invalid(
        field,
        format!("{field} must be an ISO 8601 date or date-time"),
    ))
}

/// `7d`, `30d`, `90d`, `1y` end now (whole days, from midnight UTC);
/// `custom` needs `startDate` and `endDate`.
pub fn period(p: Option<&str>, start: Option<&str>, end: Option<&str>) -> ApiResult<Period> {
    let now = Utc::now();
    let day_end = now
        .date_naive()
        .and_hms_milli_opt(23, 59, 59, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    let days = match p.unwrap_or("30d") {
        "7d" => 7,
        "30d" => 30,
        "90d" => 90,
        "1y" => 365,
        "custom" => {
            let (Some(s), Some(e)) = (start, end) else {
                let mut errs = Vec::new();
                if start.is_none() {
                    errs.push(FieldError::new(
                        "startDate",
                        "startDate is required for a custom period",
                    ));
                }
                if end.is_none() {
                    errs.push(FieldError::new(
                        "endDate",
                        "endDate is required for a custom period",
                    ));
                }
                return Err(ApiError::validation(errs));
            };
            let s = parse_time("startDate", s)?;
            let mut e = parse_time("endDate", e)?;
            if e.time() == chrono::NaiveTime::MIN {
                e += Duration::milliseconds(86_399_000);
            }
            if e < s {
                return Err(ApiError::invalid(
                    "endDate",
                    "endDate must not be before startDate",
                ));
            }
            if e - s > Duration::days(731) {
                return Err(ApiError::invalid(
                    "endDate",
                    "A custom period may span at most two years",
                ));
            }
            return Ok(Period { start: s, end: e });
        }
        _ => {
            return Err(ApiError::invalid(
                "period",
                "period must be one of: 7d, 30d, 90d, 1y, custom",
            ))
        }
    };
    let start = (day_end - Duration::days(days)) + Duration::seconds(1);
    Ok(Period {
        start,
        end: day_end,
    })
}

/// The attempts in `per` (of one scenario, or of all), counting only
/// attempts at scenarios `viewer` may see (private ones: their author and
/// training admins), as `GET /admin/scenarios/{id}` does.
fn attempts(
    conn: &Connection,
    scenario_id: Option<&str>,
    per: &Period,
    viewer: &Principal,
) -> ApiResult<Vec<Attempt>> {
    store::analytics::attempts(
        conn,
        scenario_id,
        (&iso(per.start), &iso(per.end)),
        &viewer.id,
        is_training_admin(viewer),
    )
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut n, mut s) = (0usize, 0.0);
    for x in xs {
        n += 1;
        s += x;
    }
    (n > 0).then(|| s / n as f64)
}

fn rate(n: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        round(n as f64 / total as f64, 4)
    }
}

/// The headline metrics of a set of attempts.
fn metrics(a: &[Attempt]) -> Value {
    let users: HashSet<&str> = a.iter().map(|x| x.user_id.as_str()).collect();
    json!({
        "totalAttempts": a.len(),
        "uniqueUsers": users.len(),
        "completionRate": rate(a.iter().filter(|x| x.completed).count(), a.len()),
        "averageDuration": mean(a.iter().filter_map(|x| x.duration.map(|d| d as f64))).map(|x| x.round()).unwrap_or(0.0),
        "averageScore": mean(a.iter().filter_map(|x| x.score)).map(|x| round(x, 1)),
        "passRate": rate(a.iter().filter(|x| x.passed).count(), a.len()),
        "averageRating": mean(a.iter().filter_map(|x| x.rating.map(|r| r as f64))).map(|x| round(x, 2)),
    })
}

fn full_analytics(s: &store::Scenario, a: &[Attempt], per: &Period) -> ScenarioAnalytics {
    // Average per evaluation criterion, over the attempts scored on it.
    let mut keys: Vec<String> = WEIGHT_KEYS.iter().map(|k| k.to_string()).collect();
    for m in s.doc["evaluationWeights"]["customMetrics"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(n) = m["name"].as_str() {
            keys.push(n.to_string());
        }
    }
    let mut dist = Map::new();
    for k in &keys {
        if let Some(m) = mean(
            a.iter()
                .filter_map(|x| x.scores.get(k).and_then(Value::as_f64)),
        ) {
            dist.insert(k.clone(), json!(round(m, 1)));
        }
    }
    let mut buckets: Vec<(&str, i64)> = vec![
        ("0-60", 0),
        ("61-70", 0),
        ("71-80", 0),
        ("81-90", 0),
        ("91-100", 0),
    ];
    for sc in a.iter().filter_map(|x| x.score) {
        let i = if sc <= 60.0 {
            0
        } else if sc <= 70.0 {
            1
        } else if sc <= 80.0 {
            2
        } else if sc <= 90.0 {
            3
        } else {
            4
        };
        buckets[i].1 += 1;
    }
    let mut ratings = Map::new();
    for r in (1..=5).rev() {
        ratings.insert(
            r.to_string(),
            json!(a.iter().filter(|x| x.rating == Some(r)).count()),
        );
    }
    let rated: Vec<f64> = a
        .iter()
        .filter_map(|x| x.rating.map(|r| r as f64))
        .collect();
    let mut by_day: BTreeMap<String, Vec<&Attempt>> = BTreeMap::new();
    for x in a {
        by_day
            .entry(x.created_at.chars().take(10).collect())
            .or_default()
            .push(x);
    }
    let trends: Vec<Value> = by_day
        .iter()
        .map(|(d, xs)| {
            json!({
                "date": d,
                "attempts": xs.len(),
                "avgScore": mean(xs.iter().filter_map(|x| x.score)).map(|x| round(x, 1)),
                "completionRate": rate(xs.iter().filter(|x| x.completed).count(), xs.len()),
            })
        })
        .collect();
    let m = metrics(a);
    ScenarioAnalytics {
        scenario_id: s.id.clone(),
        period: per.json(),
        metrics: json!({
            "totalAttempts": m["totalAttempts"], "uniqueUsers": m["uniqueUsers"],
            "completionRate": m["completionRate"], "averageDuration": m["averageDuration"],
            "averageScore": m["averageScore"], "passRate": m["passRate"],
        }),
        score_distribution: json!(dist),
        score_breakdown: Value::Object(
            buckets
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect::<Map<_, _>>(),
        ),
        user_feedback: json!({
            "averageRating": mean(rated.iter().copied()).map(|x| round(x, 2)),
            "feedbackCount": rated.len(),
            "ratings": ratings,
            "reportedIssues": a.iter().filter(|x| x.reported_issue).count(),
        }),
        performance: json!({
            "avgTokensUsed": mean(a.iter().filter_map(|x| x.tokens.map(|t| t as f64))).map(|x| x.round()),
            "avgLatency": mean(a.iter().filter_map(|x| x.latency)).map(|x| round(x, 2)),
            "errorRate": rate(a.iter().filter(|x| x.error).count(), a.len()),
        }),
        trends: json!(trends),
    }
}

/// The score of an attempt without an overall `score`: the mean of its
/// per-criterion `scores` weighted by the scenario's evaluation weights
/// (custom metrics included), over the criteria both give; none when no
/// weighted criterion was scored.
pub fn weighted_score(weights: &Value, scores: &Map<String, Value>) -> Option<f64> {
    let mut pairs: Vec<(f64, f64)> = WEIGHT_KEYS
        .iter()
        .filter_map(|k| Some((scores.get(*k)?.as_f64()?, weights.get(*k)?.as_f64()?)))
        .collect();
    for m in weights["customMetrics"].as_array().into_iter().flatten() {
        if let (Some(n), Some(wt)) = (m["name"].as_str(), m["weight"].as_f64()) {
            if let Some(x) = scores.get(n).and_then(Value::as_f64) {
                pairs.push((x, wt));
            }
        }
    }
    let total: f64 = pairs.iter().map(|(_, w)| w).sum();
    (total > 0.0).then(|| round(pairs.iter().map(|(x, w)| x * w).sum::<f64>() / total, 2))
}

/// Whether an attempt passed when `passed` is not given: completed with a
/// score of at least [`PASS_MARK`].
pub fn passes(completed: bool, score: Option<f64>) -> bool {
    completed && score.is_some_and(|x| x >= PASS_MARK)
}

/// Records one attempt at scenario `id`: per-criterion scores within
/// 0..100, a completion time not in the future; the score and pass follow
/// [`weighted_score`] and [`passes`] when not given.
pub fn record_attempt(
    w: &WriteCtx<'_>,
    id: &str,
    req: RecordAttemptRequest,
) -> ApiResult<AttemptRecorded> {
    let p = caller(w)?;
    let mut errs = Vec::new();
    let mut scores = Map::new();
    for (k, x) in req.scores.iter().flatten() {
        if (0.0..=100.0).contains(x) {
            scores.insert(k.clone(), json!(x));
        } else {
            errs.push(FieldError::new(
                format!("scores.{k}"),
                "Scores must be numbers between 0 and 100",
            ));
        }
    }
    let duration = req.duration.map(|x| x.round() as i64);
    let tokens = req.tokens_used.map(|x| x.round() as i64);
    let completed = req.completed.unwrap_or(true);
    let error = req.error.unwrap_or(false);
    let reported = req.reported_issue.unwrap_or(false);
    let feedback = req
        .feedback
        .map(|s| s.chars().take(5000).collect::<String>());
    let user_id = req.user_id.unwrap_or_else(|| p.id.clone());
    let at = match req.completed_at.as_deref() {
        Some(t) => match parse_time("completedAt", t) {
            Ok(t) if t <= Utc::now() + Duration::minutes(5) => Some(iso(t)),
            Ok(_) => {
                errs.push(FieldError::new(
                    "completedAt",
                    "completedAt cannot be in the future",
                ));
                None
            }
            Err(e) => {
                errs.extend(e.details);
                None
            }
        },
        None => None,
    }
    .unwrap_or_else(now);
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let s = store::get(w, id, p)?;
    let score = req
        .score
        .or_else(|| weighted_score(&s.doc["evaluationWeights"], &scores));
    let passed = req.passed.unwrap_or(passes(completed, score));
    let aid = new_id("att");
    store::analytics::insert_attempt(
        w,
        &store::analytics::NewAttempt {
            id: &aid,
            scenario_id: &s.id,
            user_id: &user_id,
            score,
            scores: &scores,
            duration,
            completed,
            passed,
            rating: req.rating,
            feedback: feedback.as_deref(),
            reported_issue: reported,
            tokens,
            latency: req.latency,
            error,
            at: &at,
        },
    )?;
    store::refresh_usage(w, &s.id)?;
    w.audit(
        SLUG,
        "attempt.record",
        "attempt",
        &aid,
        json!({"scenarioId": s.id}),
    )?;
    Ok(AttemptRecorded {
        id: aid,
        scenario_id: s.id,
        user_id,
        score,
        scores: scores.into_iter().collect(),
        duration,
        completed,
        passed,
        rating: req.rating,
        tokens_used: tokens,
        latency: req.latency,
        error,
        reported_issue: reported,
        completed_at: at,
    })
}

/// The analytics of scenario `id` over `per`.
pub fn scenario(
    conn: &Connection,
    id: &str,
    p: &Principal,
    per: &Period,
) -> ApiResult<ScenarioAnalytics> {
    let s = store::get(conn, id, p)?;
    let a = attempts(conn, Some(&s.id), per, p)?;
    Ok(full_analytics(&s, &a, per))
}

/// The metrics of each scenario over one period, and the best per metric.
pub fn compare(
    conn: &Connection,
    ids: &[String],
    p: &Principal,
    per: &Period,
) -> ApiResult<ScenarioComparison> {
    let mut rows = Vec::new();
    for id in ids {
        let s = store::get(conn, id, p)?;
        let a = attempts(conn, Some(&s.id), per, p)?;
        rows.push(
            json!({ "scenarioId": s.id, "name": s.name, "category": s.category,
            "difficulty": s.difficulty, "metrics": metrics(&a) }),
        );
    }
    let mut best = Map::new();
    for (m, higher) in [
        ("totalAttempts", true),
        ("completionRate", true),
        ("averageScore", true),
        ("passRate", true),
        ("averageRating", true),
        ("averageDuration", false),
    ] {
        let pick = rows
            .iter()
            .filter(|r| r["metrics"]["totalAttempts"].as_i64().unwrap_or(0) > 0)
            .filter_map(|r| Some((r["scenarioId"].clone(), r["metrics"][m].as_f64()?)))
            .fold(None::<(Value, f64)>, |acc, (id, x)| match acc {
                Some((_, y)) if (higher && y >= x) || (!higher && y <= x) => acc,
                _ => Some((id, x)),
            });
        best.insert(m.into(), pick.map(|(id, _)| id).unwrap_or(Value::Null));
    }
    Ok(ScenarioComparison {
        period: per.json(),
        scenarios: rows,
        best: best.into_iter().collect(),
    })
}

/// The overview dashboard over `per`.
pub fn dashboard(conn: &Connection, p: &Principal, per: &Period) -> ApiResult<Dashboard> {
    let admin = is_training_admin(p);
    let count_by = |col: &str| store::analytics::count_by(conn, col, &p.id, admin);
    let by_status = count_by("status")?;
    let total: i64 = by_status.values().filter_map(Value::as_i64).sum();
    let all = attempts(conn, None, per, p)?;
    let window = (iso(per.start), iso(per.end));
    let top = store::analytics::most_attempted(conn, (&window.0, &window.1), &p.id, admin)?;
    let best = store::analytics::best_rated(conn, (&window.0, &window.1), &p.id, admin)?;
    let mut by_day: BTreeMap<String, usize> = BTreeMap::new();
    for x in &all {
        *by_day
            .entry(x.created_at.chars().take(10).collect())
            .or_default() += 1;
    }
    Ok(Dashboard {
        period: per.json(),
        scenarios: json!({
            "total": total,
            "byStatus": by_status,
            "byCategory": count_by("category")?,
            "byDifficulty": count_by("difficulty")?,
        }),
        attempts: metrics(&all),
        top_scenarios: top,
        best_rated_scenarios: best,
        daily_attempts: by_day
            .iter()
            .map(|(d, n)| json!({"date": d, "attempts": n}))
            .collect::<Vec<_>>(),
    })
}
