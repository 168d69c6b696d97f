//! A/B tests between scenario variants, with live results computed from the
//! attempts recorded at each variant's scenario during the test: the
//! statistics (Wilson and Student-t intervals, two-proportion z-test,
//! Welch's t-test), the variant rules and the test's lifecycle.

use frontline_platform::auth::Principal;
use frontline_platform::page::Page;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::{json, Value};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use super::{caller, new_id, now};
use crate::model::*;
use crate::store::abtests::{self, variants_json, Test, Variant};
use crate::store::{self, round};
use crate::SLUG;

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

/// Creates and starts a test: the name and variant rules first, then each
/// variant's scenario must be visible to the caller and not archived.
pub fn create(w: &WriteCtx<'_>, req: &CreateTestRequest) -> ApiResult<AbTest> {
    let p = caller(w)?;
    let mut errs = Vec::new();
    let name = check_name(&req.name, &mut errs);
    let metric = req.metric.as_ref().map(|m| m.as_str().to_string());
    let variants = check_variants(&req.variants, &mut errs);
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    for (i, v) in variants.iter().enumerate() {
        match store::get(w, &v.scenario_id, p) {
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
    let id = new_id("abt");
    let at = now();
    abtests::insert(
        w,
        &abtests::NewTest {
            id: &id,
            name: &name,
            description: req.description.as_deref(),
            metric: metric.as_deref().unwrap_or("passRate"),
            confidence: req.confidence_level.unwrap_or(0.95),
            min_sample: req.min_sample_size.unwrap_or(30),
            variants: &variants,
            created_by: &p.id,
            at: &at,
        },
    )?;
    let t = abtests::load(w, &id)?.ok_or_else(|| not_found(&id))?;
    w.audit(
        SLUG,
        "abtest.create",
        "abtest",
        &id,
        json!({"name": t.name, "variants": variants_json(&t.variants)}),
    )?;
    render(w, &t)
}

/// One page of the tests the caller may see (all their variants), newest
/// first, optionally of one status.
pub fn list(
    conn: &Connection,
    p: &Principal,
    status: Option<&str>,
    pg: &Page,
) -> ApiResult<(Vec<AbTestSummary>, u64)> {
    let (l, o) = (pg.limit as usize, pg.offset() as usize);
    let ids = abtests::ids(conn, status)?;
    let mut tests = Vec::new();
    for id in ids {
        let Some(t) = abtests::load(conn, &id)? else {
            continue;
        };
        if visible_to(conn, &t, p)? {
            tests.push(t);
        }
    }
    let total = tests.len() as u64;
    let items = tests
        .into_iter()
        .skip(o)
        .take(l)
        .map(|t| AbTestSummary {
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
        })
        .collect();
    Ok((items, total))
}

/// Test `id` with its live results.
pub fn get(conn: &Connection, id: &str, p: &Principal) -> ApiResult<AbTest> {
    let t = load_for(conn, id, p)?;
    render(conn, &t)
}

/// Updates a running or paused test: name, description, metric, confidence,
/// minimum sample, the traffic split of the same variants, and its status
/// (pausing and resuming keep the paused periods; COMPLETED ends it).
pub fn update(w: &WriteCtx<'_>, id: &str, req: &UpdateTestRequest) -> ApiResult<AbTest> {
    let p = caller(w)?;
    let audit_details = fields_of(req);
    let mut errs = Vec::new();
    let name = req.name.as_deref().map(|n| check_name(n, &mut errs));
    // An empty description clears it.
    let description = req
        .description
        .clone()
        .map(|d| Some(d).filter(|d| !d.trim().is_empty()));
    let metric = req.metric.as_ref().map(|m| m.as_str().to_string());
    let variants = req
        .variants
        .as_deref()
        .map(|v| check_variants(v, &mut errs));
    let status = req.status.as_ref().map(|s| s.as_str().to_string());
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let mut t = load_for(w, id, p)?;
    if t.status == "COMPLETED" || t.status == "CANCELLED" {
        return Err(TrainingError::InvalidState
            .with_message(format!("The test is {} and cannot change", t.status)));
    }
    if let Some(vs) = variants {
        let same = vs.len() == t.variants.len()
            && vs
                .iter()
                .zip(&t.variants)
                .all(|(a, b)| a.name == b.name && a.scenario_id == b.scenario_id);
        if !same {
            return Err(ApiError::invalid(
                "variants",
                "Only the traffic split can change: list the same variants (names and scenarios, in order)",
            ));
        }
        t.variants = vs;
    }
    let at = now();
    if let Some(s) = &status {
        if *s == "PAUSED" && t.status == "RUNNING" {
            t.pauses.push((at.clone(), None));
        }
        if *s != "PAUSED" {
            // Resuming or completing closes an open pause.
            if let Some(last) = t.pauses.last_mut().filter(|l| l.1.is_none()) {
                last.1 = Some(at.clone());
            }
        }
        if *s == "COMPLETED" {
            t.ended_at = Some(at.clone());
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
    if let Some(c) = req.confidence_level {
        t.confidence = c;
    }
    if let Some(n) = req.min_sample_size {
        t.min_sample = n;
    }
    t.updated_at = at;
    abtests::save(w, &t)?;
    w.audit(SLUG, "abtest.update", "abtest", &t.id, audit_details)?;
    render(w, &t)
}

/// Cancels a test (409 when it already ended); its results stay readable.
pub fn cancel(w: &WriteCtx<'_>, id: &str, reason: Option<String>) -> ApiResult<AbTest> {
    let p = caller(w)?;
    let mut t = load_for(w, id, p)?;
    if t.status == "CANCELLED" || t.status == "COMPLETED" {
        return Err(
            TrainingError::InvalidState.with_message(format!("The test is already {}", t.status))
        );
    }
    let at = now();
    abtests::mark_cancelled(w, &t.id, &at, reason.as_deref())?;
    t.status = "CANCELLED".into();
    t.ended_at = Some(at.clone());
    t.updated_at = at;
    t.cancel_reason = reason.clone();
    w.audit(
        SLUG,
        "abtest.cancel",
        "abtest",
        &t.id,
        json!({"reason": reason}),
    )?;
    render(w, &t)
}

/// The variant `user` gets in test `id`: the user's stable bucket in the
/// traffic split. Only running tests assign (409 otherwise).
pub fn assign(conn: &Connection, id: &str, p: &Principal, user: &str) -> ApiResult<Assignment> {
    let t = load_for(conn, id, p)?;
    if t.status != "RUNNING" {
        return Err(TrainingError::InvalidState.with_message(format!(
            "The test is {}; only running tests assign variants",
            t.status
        )));
    }
    let bucket = bucket_of(&t.id, user);
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
    Ok(Assignment {
        test_id: t.id,
        user_id: user.to_string(),
        bucket,
        variant: v.name,
        scenario_id: v.scenario_id,
    })
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
