//! A/B tests between scenario variants, with live results computed from the
//! attempts recorded at each variant's scenario during the test.

use frontline_platform::auth::Principal;
use frontline_platform::http::RequestMeta;
use frontline_platform::page::Page;
use frontline_platform::{ApiError, ApiResult, FieldError, Platform};
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;
use rusqlite::Connection;
use serde_json::{json, Value};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use frontline_platform::body::JsonBody;

use frontline_platform::write::WriteCtx;

use super::guard::*;
use super::{record, Result};
use crate::model::*;
use crate::service;
use crate::store::abtests::{self, variants_json, Test, Variant};
use crate::store::{self, round};

pub struct AbTestsApi {
    pub(super) platform: Platform,
}

/// A test's name: 3 to 200 characters besides surrounding spaces.
fn check_name(name: &str, errs: &mut Vec<FieldError>) -> String {
    let n = name.trim();
    if n.chars().count() < 3 {
        errs.push(FieldError::new("name", "name must be 3 to 200 characters"));
    }
    n.to_string()
}

fn not_found(id: &str) -> ApiError {
    TrainingError::TestNotFound.with_message(format!("A/B test {id} not found"))
}

/// The rules on `variants` a schema cannot say (their count, names,
/// scenarios and whole-number 1..99 percentages are in the schema):
/// percentages adding up to 100, distinct names and scenarios.
fn check_variants(items: &[TestVariantInput], errs: &mut Vec<FieldError>) -> Vec<Variant> {
    let out: Vec<Variant> = items
        .iter()
        .map(|v| Variant {
            name: v.name.trim().to_string(),
            scenario_id: v.scenario_id.clone(),
            traffic: v.traffic_percentage as f64,
        })
        .collect();
    let total: f64 = out.iter().map(|v| v.traffic).sum();
    if (total - 100.0).abs() > 1e-9 {
        errs.push(FieldError::new(
            "variants",
            format!("Traffic percentages must add up to 100 (they add up to {total})"),
        ));
    }
    for (i, a) in out.iter().enumerate() {
        if out[..i].iter().any(|b| b.name == a.name) {
            errs.push(FieldError::new(
                format!("variants[{i}].name"),
                "Variant names must be unique",
            ));
        }
        if out[..i].iter().any(|b| b.scenario_id == a.scenario_id) {
            errs.push(FieldError::new(
                format!("variants[{i}].scenarioId"),
                "Each variant must use a different scenario",
            ));
        }
    }
    out
}

/// The test `id` as `p` may see it: 404 when one of its variants is a
/// scenario `p` may not see (the rule of `GET /admin/scenarios/{id}`), so
/// its results never reveal a private scenario's attempts.
fn load_for(conn: &Connection, id: &str, p: &Principal) -> ApiResult<Test> {
    let t = abtests::load(conn, id)?.ok_or_else(|| not_found(id))?;
    if visible_to(conn, &t, p)? {
        Ok(t)
    } else {
        Err(not_found(id))
    }
}

fn visible_to(conn: &Connection, t: &Test, p: &Principal) -> ApiResult<bool> {
    for v in &t.variants {
        if store::hidden(conn, &v.scenario_id, p)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Figures of one variant over the test window.
struct Stats {
    attempts: u64,
    completed: u64,
    passed: u64,
    scores: Vec<f64>,
}

fn stats(conn: &Connection, t: &Test, v: &Variant) -> ApiResult<Stats> {
    let rows = abtests::attempts_in_window(conn, t, v)?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| {
            !t.pauses
                .iter()
                .any(|(from, to)| r.3 >= *from && to.as_ref().is_none_or(|to| r.3 < *to))
        })
        .collect();
    Ok(Stats {
        attempts: rows.len() as u64,
        completed: rows.iter().filter(|r| r.0).count() as u64,
        passed: rows.iter().filter(|r| r.1).count() as u64,
        scores: rows.iter().filter_map(|r| r.2).collect(),
    })
}

fn z_of(confidence: f64) -> f64 {
    Normal::standard().inverse_cdf(1.0 - (1.0 - confidence) / 2.0)
}

/// Wilson score interval of `k` successes in `n`.
pub fn wilson(k: u64, n: u64, confidence: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n, z) = (k as f64, n as f64, z_of(confidence));
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

fn mean_var(xs: &[f64]) -> Option<(f64, f64)> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    Some((m, var))
}

/// Student-t interval of a mean.
fn mean_ci(xs: &[f64], confidence: f64) -> Option<(f64, f64)> {
    let (m, var) = mean_var(xs)?;
    if xs.len() < 2 {
        return None;
    }
    let n = xs.len() as f64;
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .ok()?
        .inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    let half = t * (var / n).sqrt();
    Some((m - half, m + half))
}

/// Two-sided p-value of the difference of two proportions (pooled z-test).
pub fn two_proportion_p(k1: u64, n1: u64, k2: u64, n2: u64) -> Option<f64> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (k1, n1, k2, n2) = (k1 as f64, n1 as f64, k2 as f64, n2 as f64);
    let pool = (k1 + k2) / (n1 + n2);
    let se = (pool * (1.0 - pool) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se == 0.0 {
        return Some(if k1 / n1 == k2 / n2 { 1.0 } else { 0.0 });
    }
    let z = (k1 / n1 - k2 / n2) / se;
    Some(2.0 * (1.0 - Normal::standard().cdf(z.abs())))
}

/// Two-sided p-value of Welch's t-test of two means.
pub fn welch_p(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (m1, v1) = mean_var(a)?;
    let (m2, v2) = mean_var(b)?;
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let se2 = v1 / n1 + v2 / n2;
    if se2 == 0.0 {
        return Some(if m1 == m2 { 1.0 } else { 0.0 });
    }
    let t = (m1 - m2) / se2.sqrt();
    let df = se2.powi(2) / ((v1 / n1).powi(2) / (n1 - 1.0) + (v2 / n2).powi(2) / (n2 - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some(2.0 * (1.0 - dist.cdf(t.abs())))
}

fn metric_value(metric: &str, s: &Stats) -> Option<f64> {
    match metric {
        "averageScore" => mean_var(&s.scores).map(|x| x.0),
        "completionRate" => (s.attempts > 0).then(|| s.completed as f64 / s.attempts as f64),
        _ => (s.attempts > 0).then(|| s.passed as f64 / s.attempts as f64),
    }
}

fn p_value(metric: &str, a: &Stats, b: &Stats) -> Option<f64> {
    match metric {
        "averageScore" => welch_p(&a.scores, &b.scores),
        "completionRate" => two_proportion_p(a.completed, a.attempts, b.completed, b.attempts),
        _ => two_proportion_p(a.passed, a.attempts, b.passed, b.attempts),
    }
}

fn ci_json(ci: Option<(f64, f64)>, places: i32) -> Value {
    match ci {
        Some((lo, hi)) => json!({"lower": round(lo, places), "upper": round(hi, places)}),
        None => Value::Null,
    }
}

/// The test with its live results.
fn render(conn: &Connection, t: &Test) -> ApiResult<AbTest> {
    let stats: Vec<Stats> = t
        .variants
        .iter()
        .map(|v| stats(conn, t, v))
        .collect::<ApiResult<_>>()?;
    let control = &stats[0];
    let control_value = metric_value(&t.metric, control);
    let mut variants = Vec::new();
    for (v, s) in t.variants.iter().zip(&stats) {
        let scenario = match abtests::scenario_brief(conn, &v.scenario_id)? {
            Some((name, status)) => json!({"id": v.scenario_id, "name": name, "status": status}),
            None => json!({"id": v.scenario_id, "name": Value::Null, "status": "DELETED"}),
        };
        let value = metric_value(&t.metric, s);
        let lift = match (value, control_value) {
            (Some(x), Some(c)) if c != 0.0 && !std::ptr::eq(s, control) => {
                Some(round((x - c) / c, 4))
            }
            _ => None,
        };
        variants.push(json!({
            "name": v.name,
            "scenarioId": v.scenario_id,
            "scenario": scenario,
            "trafficPercentage": v.traffic,
            "results": {
                "attempts": s.attempts,
                "completed": s.completed,
                "passed": s.passed,
                "completionRate": (s.attempts > 0).then(|| round(s.completed as f64 / s.attempts as f64, 4)),
                "passRate": (s.attempts > 0).then(|| round(s.passed as f64 / s.attempts as f64, 4)),
                "passRateConfidenceInterval": ci_json(wilson(s.passed, s.attempts, t.confidence), 4),
                "completionRateConfidenceInterval": ci_json(wilson(s.completed, s.attempts, t.confidence), 4),
                "scoredAttempts": s.scores.len(),
                "averageScore": mean_var(&s.scores).map(|x| round(x.0, 2)),
                "scoreStandardDeviation": mean_var(&s.scores).filter(|_| s.scores.len() > 1).map(|x| round(x.1.sqrt(), 2)),
                "averageScoreConfidenceInterval": ci_json(mean_ci(&s.scores, t.confidence), 2),
                "metricValue": value.map(|x| round(x, 4)),
                "liftOverControl": lift,
                "pValueVsControl": if std::ptr::eq(s, control) { None } else { p_value(&t.metric, s, control).map(|p| round(p, 6)) },
            },
        }));
    }
    // Leader against runner-up: a winner only when that difference is significant
    // and every variant reached the minimum sample size.
    let mut ranked: Vec<(usize, f64)> = stats
        .iter()
        .enumerate()
        .filter_map(|(i, s)| metric_value(&t.metric, s).map(|x| (i, x)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let alpha = 1.0 - t.confidence;
    let enough = stats.iter().all(|s| {
        let n = if t.metric == "averageScore" {
            s.scores.len() as i64
        } else {
            s.attempts as i64
        };
        n >= t.min_sample
    });
    let (p, leader) = match (ranked.first(), ranked.get(1)) {
        (Some(a), Some(b)) => (p_value(&t.metric, &stats[a.0], &stats[b.0]), Some(a.0)),
        _ => (None, None),
    };
    let significant = enough && p.is_some_and(|p| p < alpha);
    let winner = if significant {
        leader.map(|i| json!({"name": t.variants[i].name, "scenarioId": t.variants[i].scenario_id}))
    } else {
        None
    };
    let total_attempts: u64 = stats.iter().map(|s| s.attempts).sum();
    Ok(AbTest {
        id: t.id.clone(),
        name: t.name.clone(),
        description: t.description.clone(),
        status: t.status.clone(),
        metric: t.metric.clone(),
        confidence_level: t.confidence,
        min_sample_size: t.min_sample,
        variants,
        results: json!({
            "totalAttempts": total_attempts,
            "leader": leader.map(|i| t.variants[i].name.clone()),
            "pValue": p.map(|p| round(p, 6)),
            "significanceLevel": round(alpha, 4),
            "sampleSizeReached": enough,
            "isSignificant": significant,
            "winner": winner,
            "test": if t.metric == "averageScore" { "welch-t" } else { "two-proportion-z" },
        }),
        created_by: t.created_by.clone(),
        created_at: t.created_at.clone(),
        updated_at: t.updated_at.clone(),
        started_at: t.started_at.clone(),
        ended_at: t.ended_at.clone(),
        cancel_reason: t.cancel_reason.clone(),
        paused_periods: t
            .pauses
            .iter()
            .map(|(f, to)| json!({"from": f, "to": to}))
            .collect::<Vec<_>>(),
    })
}

/// A/B tests.
#[OpenApi(tag = "ApiTags::AbTests")]
impl AbTestsApi {
    /// Create and start an A/B test (`scenario:publish`) between 2 to 5
    /// scenario variants: `{"name", "description", "metric": "passRate" |
    /// "averageScore" | "completionRate", "confidenceLevel": 0.95,
    /// "minSampleSize": 30, "variants": [{"name": "Control", "scenarioId",
    /// "trafficPercentage": 50}, ...]}`. The first variant is the control;
    /// traffic percentages are whole numbers adding up to 100. Results count
    /// the attempts recorded at each variant's scenario while the test runs.
    #[oai(path = "/admin/scenarios/tests", method = "post")]
    async fn create(
        &self,
        auth: Can<ScenarioPublish>,
        meta: RequestMeta,
        body: JsonBody<CreateTestRequest>,
    ) -> Result<CreatedAnswer<AbTest>> {
        let p = auth.0;
        let body = body.0;
        let mut errs = Vec::new();
        let name = check_name(&body.name, &mut errs);
        let (description, confidence, min_sample) = (
            body.description,
            body.confidence_level,
            body.min_sample_size,
        );
        let metric = body.metric.map(|m| m.as_str().to_string());
        let variants = check_variants(&body.variants, &mut errs);
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let out = self
            .platform
            .db
            .write(move |tx| {
                let mut errs = Vec::new();
                for (i, v) in variants.iter().enumerate() {
                    match store::get(tx, &v.scenario_id, &p) {
                        Ok(s) if s.status == "ARCHIVED" => errs.push(FieldError::new(
                            format!("variants[{i}].scenarioId"),
                            format!("Scenario {} is archived", s.id),
                        )),
                        Ok(_) => {}
                        Err(_) => errs.push(FieldError::new(
                            format!("variants[{i}].scenarioId"),
                            format!("Scenario {} not found", v.scenario_id),
                        )),
                    }
                }
                if !errs.is_empty() {
                    return Err(ApiError::validation(errs));
                }
                let id = service::new_id("abt");
                let now = service::now();
                abtests::insert(
                    tx,
                    &abtests::NewTest {
                        id: &id,
                        name: &name,
                        description: description.as_deref(),
                        metric: metric.as_deref().unwrap_or("passRate"),
                        confidence: confidence.unwrap_or(0.95),
                        min_sample: min_sample.unwrap_or(30),
                        variants: &variants,
                        created_by: &p.id,
                        at: &now,
                    },
                )?;
                let t = abtests::load(tx, &id)?.ok_or_else(|| not_found(&id))?;
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "abtest.create",
                    "abtest",
                    &id,
                    json!({"name": t.name, "variants": variants_json(&t.variants)}),
                    None,
                )?;
                render(tx, &t)
            })
            .await?;
        Ok(created(out))
    }

    /// Extension: list A/B tests (`scenario:read`), newest first, optionally
    /// by `status` (RUNNING, PAUSED, COMPLETED, CANCELLED), paged. Each item
    /// is the test without its results (GET one test for those).
    #[oai(
        path = "/admin/scenarios/tests",
        method = "get",
        tag = "ApiTags::Extensions"
    )]
    async fn list(
        &self,
        auth: Can<ScenarioRead>,
        status: Query<Option<TestStatus>>,
        #[oai(validator(minimum(value = "1")))] page: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
    ) -> Result<Answer<AbTestList>> {
        let max = self.platform.settings.max_page_size.min(100) as u64;
        let pg = Page::new(page.0, limit.0, 20, max)?;
        let status = status.0.as_ref().map(name_of);
        let (l, o) = (pg.limit as usize, pg.offset() as usize);
        let p = auth.0;
        let (items, total) = self
            .platform
            .db
            .read(move |conn| {
                let ids = abtests::ids(conn, status.as_deref())?;
                // Only tests whose variants the caller may all see.
                let mut tests = Vec::new();
                for id in ids {
                    let Some(t) = abtests::load(conn, &id)? else {
                        continue;
                    };
                    if visible_to(conn, &t, &p)? {
                        tests.push(t);
                    }
                }
                let total = tests.len() as i64;
                let mut items = Vec::new();
                for t in tests.into_iter().skip(o).take(l) {
                    items.push(AbTestSummary {
                        variants: t
                            .variants
                            .iter()
                            .map(|v| TestVariant {
                                name: v.name.clone(),
                                scenario_id: v.scenario_id.clone(),
                                traffic_percentage: v.traffic,
                            })
                            .collect(),
                        id: t.id,
                        name: t.name,
                        status: t.status,
                        metric: t.metric,
                        confidence_level: t.confidence,
                        min_sample_size: t.min_sample,
                        created_by: t.created_by,
                        created_at: t.created_at,
                        started_at: t.started_at,
                        ended_at: t.ended_at,
                    });
                }
                Ok((items, total as u64))
            })
            .await?;
        Ok(ok(AbTestList {
            data: items,
            pagination: super::pagination(&pg, total),
        }))
    }

    /// Get an A/B test with live results (`scenario:read`): per variant the
    /// attempts, completion and pass rates with Wilson confidence intervals,
    /// the mean score with a Student-t interval, the metric's lift over the
    /// control and its p-value; overall the leader, the p-value of leader
    /// against runner-up (two-proportion z-test for rates, Welch's t-test for
    /// scores), and a `winner` once that is significant at the test's
    /// confidence level and every variant reached `minSampleSize`.
    #[oai(path = "/admin/scenarios/tests/:id", method = "get")]
    async fn get(&self, auth: Can<ScenarioRead>, id: Path<String>) -> Result<Answer<AbTest>> {
        let p = auth.0;
        let out = self
            .platform
            .db
            .read(move |conn| {
                let t = load_for(conn, &id.0, &p)?;
                render(conn, &t)
            })
            .await?;
        Ok(ok(out))
    }

    /// Update an A/B test (`scenario:publish`): `name`, `description`,
    /// `metric`, `confidenceLevel`, `minSampleSize`, the variants' traffic
    /// split (`variants` with the same names and scenarios, new
    /// percentages), and `status` (RUNNING <-> PAUSED, or COMPLETED to end
    /// it). Attempts recorded while the test is paused or after it ended do
    /// not count; paused tests assign no variants. Completed and cancelled
    /// tests cannot change (409).
    #[oai(path = "/admin/scenarios/tests/:id", method = "patch")]
    async fn update(
        &self,
        auth: Can<ScenarioPublish>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<UpdateTestRequest>,
    ) -> Result<Answer<AbTest>> {
        let p = auth.0;
        let audit_details = super::fields_of(&body.0);
        let body = body.0;
        let mut errs = Vec::new();
        let name = body.name.as_deref().map(|n| check_name(n, &mut errs));
        // An empty description clears it.
        let description = body
            .description
            .clone()
            .map(|d| Some(d).filter(|d| !d.trim().is_empty()));
        let (confidence, min_sample) = (body.confidence_level, body.min_sample_size);
        let metric = body.metric.map(|m| m.as_str().to_string());
        let variants = body
            .variants
            .as_deref()
            .map(|v| check_variants(v, &mut errs));
        let status = body.status.map(|s| s.as_str().to_string());
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let out = self
            .platform
            .db
            .write(move |tx| {
                let mut t = load_for(tx, &id.0, &p)?;
                if t.status == "COMPLETED" || t.status == "CANCELLED" {
                    return Err(TrainingError::InvalidState.with_message(format!("The test is {} and cannot change", t.status)));
                }
                if let Some(vs) = variants {
                    let same = vs.len() == t.variants.len()
                        && vs.iter().zip(&t.variants).all(|(a, b)| a.name == b.name && a.scenario_id == b.scenario_id);
                    if !same {
                        return Err(ApiError::invalid(
                            "variants",
                            "Only the traffic split can change: list the same variants (names and scenarios, in order)",
                        ));
                    }
                    t.variants = vs;
                }
                let now = service::now();
                if let Some(s) = &status {
                    if *s == "PAUSED" && t.status == "RUNNING" {
                        t.pauses.push((now.clone(), None));
                    }
                    if *s != "PAUSED" {
                        // Resuming or completing closes an open pause.
                        if let Some(last) = t.pauses.last_mut().filter(|l| l.1.is_none()) {
                            last.1 = Some(now.clone());
                        }
                    }
                    if *s == "COMPLETED" {
                        t.ended_at = Some(now.clone());
                    }
                    t.status = s.clone();
                }
                if let Some(n) = name {
                    t.name = n;
                }
                if let Some(d) = description {
                    t.description = d;
                }
                if let Some(m) = metric {
                    t.metric = m;
                }
                if let Some(c) = confidence {
                    t.confidence = c;
                }
                if let Some(n) = min_sample {
                    t.min_sample = n;
                }
                t.updated_at = now;
                abtests::save(tx, &t)?;
                record(&WriteCtx::new(tx, Some(&p), &meta), "abtest.update", "abtest", &t.id, audit_details, None)?;
                render(tx, &t)
            })
            .await?;
        Ok(ok(out))
    }

    /// Cancel an A/B test (`scenario:publish`), with an optional
    /// `{"reason": "..."}`. The test and its results up to now stay readable
    /// with status CANCELLED; cancelling twice answers 409.
    #[oai(path = "/admin/scenarios/tests/:id", method = "delete")]
    async fn cancel(
        &self,
        auth: Can<ScenarioPublish>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<Option<CancelTestRequest>>,
    ) -> Result<Answer<AbTest>> {
        let p = auth.0;
        let reason = body.0.unwrap_or_default().reason;
        let out = self
            .platform
            .db
            .write(move |tx| {
                let mut t = load_for(tx, &id.0, &p)?;
                if t.status == "CANCELLED" || t.status == "COMPLETED" {
                    return Err(TrainingError::InvalidState
                        .with_message(format!("The test is already {}", t.status)));
                }
                let now = service::now();
                abtests::mark_cancelled(tx, &t.id, &now, reason.as_deref())?;
                t.status = "CANCELLED".into();
                t.ended_at = Some(now.clone());
                t.updated_at = now;
                t.cancel_reason = reason.clone();
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "abtest.cancel",
                    "abtest",
                    &t.id,
                    json!({"reason": reason}),
                    None,
                )?;
                render(tx, &t)
            })
            .await?;
        Ok(ok(out))
    }

    /// Extension: which variant a trainee gets (`scenario:read`):
    /// `{"userId": "..."}` is hashed into the traffic split, so the same
    /// user always gets the same variant while the split is unchanged.
    /// Only running tests assign (409 otherwise).
    #[oai(
        path = "/admin/scenarios/tests/:id/assignments",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn assign(
        &self,
        auth: Can<ScenarioRead>,
        id: Path<String>,
        body: JsonBody<Option<AssignmentRequest>>,
    ) -> Result<Answer<Assignment>> {
        let p = auth.0;
        let user = body
            .0
            .and_then(|b| b.user_id)
            .unwrap_or_else(|| p.id.clone());
        let t = self
            .platform
            .db
            .read(move |conn| load_for(conn, &id.0, &p))
            .await?;
        if t.status != "RUNNING" {
            return Err(TrainingError::InvalidState
                .with_message(format!(
                    "The test is {}; only running tests assign variants",
                    t.status
                ))
                .into());
        }
        let bucket = bucket_of(&t.id, &user);
        let mut acc = 0.0;
        let mut chosen = t.variants.last().cloned();
        for v in &t.variants {
            acc += v.traffic;
            if (bucket as f64) < acc {
                chosen = Some(v.clone());
                break;
            }
        }
        let v = chosen.ok_or_else(|| ApiError::internal("test without variants"))?;
        Ok(ok(Assignment {
            test_id: t.id,
            user_id: user,
            bucket,
            variant: v.name,
            scenario_id: v.scenario_id,
        }))
    }
}

/// A stable bucket 0..100 of (test, user): FNV-1a.
fn bucket_of(test: &str, user: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in test.bytes().chain([0u8]).chain(user.bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h % 100
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_hand_computation() {
        // 8 of 10 at 95%: z = 1.95996; centre 0.7167, half 0.2071.
        let (lo, hi) = wilson(8, 10, 0.95).unwrap();
        assert!((lo - 0.4902).abs() < 1e-3, "{lo}");
        assert!((hi - 0.9433).abs() < 1e-3, "{hi}");
    }

    #[test]
    fn two_proportion_test() {
        // 60/100 vs 40/100: pooled 0.5, se 0.0707, z 2.828, p 0.00468.
        let p = two_proportion_p(60, 100, 40, 100).unwrap();
        assert!((p - 0.00468).abs() < 1e-4, "{p}");
        assert!(two_proportion_p(5, 10, 5, 10).unwrap() > 0.99);
    }

    #[test]
    fn welch_test() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [3.0, 4.0, 5.0, 6.0, 7.0];
        // t = -2, df = 8, two-sided p = 0.0805.
        let p = welch_p(&a, &b).unwrap();
        assert!((p - 0.0805).abs() < 1e-3, "{p}");
    }

    #[test]
    fn buckets_are_stable_and_spread() {
        assert_eq!(bucket_of("abt_1", "u1"), bucket_of("abt_1", "u1"));
        let mut counts = [0u32; 2];
        for i in 0..2000 {
            counts[(bucket_of("abt_x", &format!("user{i}")) >= 50) as usize] += 1;
        }
        assert!(counts[0] > 850 && counts[1] > 850, "{counts:?}");
    }
}
