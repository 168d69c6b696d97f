//! Analytics rules: time buckets in the caller's zone, aggregation windows,
//! thresholds checked on every recorded sample, de-duplicated alerts with
//! acknowledge and auto-resolve, alert events, and the dashboard's figures.
//! Writes run in the handler's transaction and are audited there; SQL is in
//! `store::metrics`, types in `model::metrics`.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, SecondsFormat, TimeZone,
    Timelike, Utc,
};
use chrono_tz::Tz;
use frontline_platform::page::Window;
use frontline_platform::write::WriteCtx;
use frontline_platform::{events, ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::{json, Value};

use crate::insight::{fail_if, iso, now, parse_instant, round4};
use crate::model::metrics::*;
use crate::model::CcError;
use crate::store::metrics as store;
use crate::SLUG;

// ---------------------------------------------------------------- time buckets

/// The zone a request names (default UTC).
pub fn parse_tz(tz: Option<&str>) -> ApiResult<Tz> {
    match tz {
        None => Ok(Tz::UTC),
        Some(s) => s.parse::<Tz>().map_err(|_| {
            ApiError::invalid(
                "timezone",
                format!("unknown time zone '{s}' (use an IANA name such as Europe/Paris)"),
            )
        }),
    }
}

fn local_midnight(tz: Tz, d: NaiveDate) -> DateTime<Utc> {
    // Midnight may not exist (DST gap); the day then starts at the first valid minute.
    for minutes in [0, 30, 60, 90, 120] {
        let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes);
        if let Some(t) = tz.from_local_datetime(&naive).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// The start of the bucket containing `t`.
pub fn bucket_floor(t: DateTime<Utc>, g: &str, tz: Tz) -> DateTime<Utc> {
    let local = t.with_timezone(&tz);
    match g {
        "minute" | "hour" => {
            let offset = local.offset().fix().local_minus_utc() as i64;
            let naive: NaiveDateTime = t.naive_utc() + Duration::seconds(offset);
            let floored = if g == "minute" {
                naive.with_second(0).and_then(|n| n.with_nanosecond(0))
            } else {
                naive
                    .with_minute(0)
                    .and_then(|n| n.with_second(0))
                    .and_then(|n| n.with_nanosecond(0))
            }
            .unwrap_or(naive);
            Utc.from_utc_datetime(&(floored - Duration::seconds(offset)))
        }
        "day" => local_midnight(tz, local.date_naive()),
        "week" => {
            let d = local.date_naive();
            local_midnight(
                tz,
                d - Duration::days(d.weekday().num_days_from_monday() as i64),
            )
        }
        _ => {
            let d = local.date_naive();
            local_midnight(
                tz,
                NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d),
            )
        }
    }
}

/// The start of the bucket after the one starting at `start`.
pub fn bucket_next(start: DateTime<Utc>, g: &str, tz: Tz) -> DateTime<Utc> {
    match g {
        "minute" => start + Duration::minutes(1),
        "hour" => start + Duration::hours(1),
        "day" => local_midnight(
            tz,
            start.with_timezone(&tz).date_naive() + Duration::days(1),
        ),
        "week" => local_midnight(
            tz,
            start.with_timezone(&tz).date_naive() + Duration::days(7),
        ),
        _ => {
            let d = start.with_timezone(&tz).date_naive();
            let (y, m) = if d.month() == 12 {
                (d.year() + 1, 1)
            } else {
                (d.year(), d.month() + 1)
            };
            local_midnight(tz, NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d))
        }
    }
}

/// Most windows one aggregation may span from `start_date` to `end_date` at
/// its `granularity` (also the largest `limit`). A wider range (30 years of
/// minutes would be 15.8 million windows) is refused with a 422 naming the
/// parameters, instead of being cut silently.
pub const MAX_BUCKETS: i64 = 1000;

/// How many windows `start..end` spans at granularity `g` (months counted as
/// calendar months; DST shifts aside).
pub fn bucket_count(start: DateTime<Utc>, end: DateTime<Utc>, g: &str) -> i64 {
    let secs = (end - start).num_seconds().max(0);
    let per = match g {
        "minute" => 60,
        "hour" => 3_600,
        "day" => 86_400,
        "week" => 604_800,
        _ => {
            let months = (end.year() as i64 - start.year() as i64) * 12 + end.month() as i64
                - start.month() as i64;
            return months + 1;
        }
    };
    (secs + per - 1) / per + 1
}

/// Refuses an aggregation range of more than [`MAX_BUCKETS`] windows.
pub fn check_buckets(start: DateTime<Utc>, end: DateTime<Utc>, g: &str) -> ApiResult<()> {
    let n = bucket_count(start, end, g);
    if n <= MAX_BUCKETS {
        return Ok(());
    }
    let msg = format!(
        "start_date to end_date spans about {n} {g} windows; at most {MAX_BUCKETS}: narrow the range or use a coarser granularity"
    );
    Err(ApiError::validation(vec![
        FieldError::new("start_date", msg.clone()),
        FieldError::new("granularity", msg),
    ]))
}

/// The windows of an aggregation: from `start` forward, or the last `limit`
/// windows up to `end` when no start is given; at most `limit`.
pub fn windows(
    start: Option<DateTime<Utc>>,
    end: DateTime<Utc>,
    g: &str,
    tz: Tz,
    limit: usize,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    match start {
        Some(s) => {
            let mut w = bucket_floor(s, g, tz);
            while w < end && out.len() < limit {
                let n = bucket_next(w, g, tz);
                out.push((w, n));
                w = n;
            }
        }
        None => {
            let mut w = bucket_floor(end - Duration::milliseconds(1), g, tz);
            while out.len() < limit {
                out.push((w, bucket_next(w, g, tz)));
                w = bucket_floor(w - Duration::milliseconds(1), g, tz);
            }
            out.reverse();
        }
    }
    out
}

fn render_in(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Aggregates a metric series over `windows` (granularity `g`, labelled in
/// `tz`) in one SQL statement (see [`store::window_figures`]).
pub fn aggregate(
    conn: &Connection,
    series: &MetricSeries<'_>,
    g: &str,
    tz: Tz,
    wins: &[(DateTime<Utc>, DateTime<Utc>)],
) -> ApiResult<Vec<Aggregation>> {
    let edges: Vec<[i64; 2]> = wins
        .iter()
        .map(|(s, e)| [s.timestamp_millis(), e.timestamp_millis()])
        .collect();
    let rows = store::window_figures(conn, series, &edges)?;
    Ok(rows
        .into_iter()
        .filter_map(|(i, count, avg, min, max, sum)| {
            let (s, e) = wins.get(i as usize)?;
            Some(Aggregation {
                metric_name: series.metric_name.to_string(),
                granularity: g.to_string(),
                value: avg.map(round4),
                count,
                min,
                max,
                sum: sum.map(round4),
                window_start: render_in(*s, tz),
                window_end: render_in(*e, tz),
            })
        })
        .collect())
}

/// A checked aggregation request: the series, the granularity, the zone and
/// the windows to fill.
pub struct AggregationPlan {
    pub metric_name: String,
    pub metric_type: Option<String>,
    pub team_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub granularity: String,
    pub tz: Tz,
    pub windows: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Checks an aggregation request (granularity, limit, zone, dates, range)
/// and lays out its windows.
pub fn plan_aggregation(q: AggregationQuery) -> ApiResult<AggregationPlan> {
    let g = q.granularity.unwrap_or_else(|| "hour".into());
    if !GRANULARITIES.contains(&g.as_str()) {
        return Err(ApiError::invalid(
            "granularity",
            "must be minute, hour, day, week or month",
        ));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 1000"));
    }
    let tz = parse_tz(q.timezone.as_deref())?;
    let local = |field: &str, s: &str, end: bool| -> ApiResult<DateTime<Utc>> {
        // Bare dates are local midnights in the requested zone.
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            let d = if end { d + Duration::days(1) } else { d };
            return Ok(local_midnight(tz, d));
        }
        parse_instant(field, s, end)
    };
    let start = q
        .start_date
        .as_deref()
        .map(|s| local("start_date", s, false))
        .transpose()?;
    let end = match q.end_date.as_deref() {
        Some(s) => local("end_date", s, true)?,
        None => now(),
    };
    if start.is_some_and(|s| s >= end) {
        return Err(ApiError::invalid("end_date", "must be after start_date"));
    }
    if let Some(s) = start {
        check_buckets(s, end, &g)?;
    }
    let windows = windows(start, end, &g, tz, limit as usize);
    Ok(AggregationPlan {
        metric_name: q.metric_name,
        metric_type: q.metric_type,
        team_id: q.team_id,
        agent_id: q.agent_id,
        granularity: g,
        tz,
        windows,
    })
}

/// The windows of a checked aggregation, filled.
pub fn aggregations(conn: &Connection, p: &AggregationPlan) -> ApiResult<Vec<Aggregation>> {
    let series = MetricSeries {
        metric_name: &p.metric_name,
        metric_type: p.metric_type.as_deref(),
        team_id: p.team_id,
        agent_id: p.agent_id,
    };
    aggregate(conn, &series, &p.granularity, p.tz, &p.windows)
}

// ---------------------------------------------------------------- metrics

fn check_name(e: &mut Vec<FieldError>, field: &str, v: &str) {
    let ok = !v.is_empty()
        && v.len() <= 100
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c));
    if !ok {
        e.push(FieldError::new(
            field,
            "must be 1-100 characters of letters, digits, _ - . :",
        ));
    }
}

/// Checks a metric to record; returns when it was measured (default now;
/// at most five minutes ahead).
pub fn check_record(b: &MetricCreate) -> ApiResult<DateTime<Utc>> {
    let mut e = Vec::new();
    check_name(&mut e, "metric_type", &b.metric_type);
    check_name(&mut e, "metric_name", &b.metric_name);
    if !b.value.is_finite() {
        e.push(FieldError::new("value", "must be a finite number"));
    }
    for (f, v) in [("tags", &b.tags), ("dimensions", &b.dimensions)] {
        if let Some(v) = v {
            if !v.is_object() {
                e.push(FieldError::new(f, "must be an object"));
            } else if v.to_string().len() > 4096 {
                e.push(FieldError::new(f, "must be at most 4 KB"));
            }
        }
    }
    let at = match &b.recorded_at {
        Some(s) => match parse_instant("recorded_at", s, false) {
            Ok(t) if t <= now() + Duration::minutes(5) => t,
            Ok(_) => {
                e.push(FieldError::new("recorded_at", "must not be in the future"));
                now()
            }
            Err(err) => return Err(err),
        },
        None => now(),
    };
    fail_if(e)?;
    Ok(at)
}

/// Records a checked metric measured at `at` and audits it.
pub fn record(w: &WriteCtx<'_>, b: &MetricCreate, at: DateTime<Utc>) -> ApiResult<Metric> {
    let sample = MetricSample {
        metric_type: &b.metric_type,
        metric_name: &b.metric_name,
        value: b.value,
        team_id: b.team_id,
        agent_id: b.agent_id,
        tags: b.tags.clone().unwrap_or(json!({})),
        dimensions: b.dimensions.clone().unwrap_or(json!({})),
    };
    let m = record_metric(w, &sample, at.timestamp_millis())?;
    w.audit(
        SLUG,
        "metric.record",
        "metric",
        &m.id.to_string(),
        json!({"metric_type": m.metric_type, "metric_name": m.metric_name}),
    )?;
    Ok(m)
}

/// Records one sample and checks thresholds (inside the caller's transaction).
pub fn record_metric(w: &WriteCtx<'_>, s: &MetricSample<'_>, at_ms: i64) -> ApiResult<Metric> {
    let m = store::insert_metric(w.tx(), s, at_ms)?;
    check_thresholds(w, &m, at_ms)?;
    Ok(m)
}

/// The filters of the metric list, with its dates read (a bare end date
/// includes its whole day).
pub fn metric_filter(q: MetricQuery) -> ApiResult<MetricFilter> {
    let start = q
        .start_date
        .as_deref()
        .map(|s| parse_instant("start_date", s, false))
        .transpose()?
        .map(|t| t.timestamp_millis());
    let end = q
        .end_date
        .as_deref()
        .map(|s| parse_instant("end_date", s, true))
        .transpose()?
        .map(|t| t.timestamp_millis());
    Ok(MetricFilter {
        metric_type: q.metric_type,
        metric_name: q.metric_name,
        start,
        end,
        team_id: q.team_id,
        agent_id: q.agent_id,
    })
}

pub fn list_metrics(c: &Connection, f: &MetricFilter, w: &Window) -> ApiResult<(Vec<Metric>, u64)> {
    store::list_metrics(c, f, w)
}

// ---------------------------------------------------------------- thresholds

pub fn compare(op: &str, actual: f64, threshold: f64) -> bool {
    match op {
        "greater_than" => actual > threshold,
        "less_than" => actual < threshold,
        "equals" => (actual - threshold).abs() < 1e-9,
        "not_equals" => (actual - threshold).abs() >= 1e-9,
        "greater_or_equal" => actual >= threshold,
        "less_or_equal" => actual <= threshold,
        _ => false,
    }
}

fn phrase(op: &str) -> &'static str {
    match op {
        "greater_than" => "exceeds",
        "less_than" => "is below",
        "equals" => "equals",
        "not_equals" => "differs from",
        "greater_or_equal" => "is at or above",
        _ => "is at or below",
    }
}

fn fmt_num(x: f64) -> String {
    let s = format!("{:.4}", x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The alert a crossing of `th` by the windowed mean `actual` opens.
fn new_alert(th: &Threshold, m: &Metric, actual: f64) -> NewAlert {
    let name = th
        .name
        .clone()
        .or(th.alert_message.clone())
        .unwrap_or_else(|| {
            format!(
                "{} {} {}",
                th.metric_name,
                phrase(&th.comparison_operator),
                fmt_num(th.threshold_value)
            )
        });
    let detail = format!(
        "{} ({}, mean over {} min) {} threshold ({})",
        th.metric_name,
        fmt_num(actual),
        th.window_minutes,
        phrase(&th.comparison_operator),
        fmt_num(th.threshold_value)
    );
    let message = match &th.alert_message {
        Some(m) => format!("{m}: {detail}"),
        None => detail,
    };
    NewAlert {
        threshold_id: th.id,
        alert_name: name,
        severity: th.severity.clone(),
        message,
        actual_value: round4(actual),
        threshold_value: th.threshold_value,
        metric_type: th.metric_type.clone(),
        metric_name: th.metric_name.clone(),
        team_id: th.team_id.or(m.team_id),
        triggered_at: iso(now()),
        triggered_ms: now().timestamp_millis(),
    }
}

/// Checks every active threshold of the metric just recorded (same
/// transaction): a crossing opens one alert (or refreshes the open one), a
/// return within bounds resolves it. Returns the ids of alerts opened.
pub fn check_thresholds(w: &WriteCtx<'_>, m: &Metric, at_ms: i64) -> ApiResult<Vec<i64>> {
    let tx = w.tx();
    let ths = store::active_thresholds(tx, &m.metric_name, &m.metric_type, m.team_id)?;
    let mut opened = Vec::new();
    for th in ths {
        let since = at_ms - th.window_minutes * 60_000;
        let Some(actual) = store::window_mean(tx, &th, since, at_ms)? else {
            continue;
        };
        let breached = compare(&th.comparison_operator, actual, th.threshold_value);
        match (breached, store::open_alert_of(tx, th.id)?) {
            (true, None) => {
                let id = store::insert_alert(tx, &new_alert(&th, m, actual))?;
                let alert = store::get_alert(tx, id)?;
                w.emit(
                    SLUG,
                    "alert.triggered",
                    &alert_json(&alert),
                    &events::Audience::admins(),
                )?;
                opened.push(id);
            }
            (true, Some(id)) => store::set_actual_value(tx, id, round4(actual))?,
            (false, Some(id)) => resolve(w, id)?,
            (false, None) => {}
        }
    }
    Ok(opened)
}

fn resolve(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let tx = w.tx();
    store::mark_resolved(tx, id, &iso(now()))?;
    let alert = store::get_alert(tx, id)?;
    w.emit(
        SLUG,
        "alert.resolved",
        &alert_json(&alert),
        &events::Audience::admins(),
    )?;
    Ok(())
}

/// Resolves the open alert of a threshold, if it has one.
fn resolve_open(w: &WriteCtx<'_>, threshold_id: i64) -> ApiResult<()> {
    if let Some(id) = store::open_alert_of(w.tx(), threshold_id)? {
        resolve(w, id)?;
    }
    Ok(())
}

fn alert_json(a: &Alert) -> Value {
    json!({
        "id": a.id, "threshold_id": a.threshold_id, "alert_name": a.alert_name, "severity": a.severity,
        "message": a.message, "actual_value": a.actual_value, "threshold_value": a.threshold_value,
        "metric_type": a.metric_type, "metric_name": a.metric_name, "team_id": a.team_id,
        "status": a.status, "triggered_at": a.triggered_at, "acknowledged_at": a.acknowledged_at,
        "acknowledged_by_id": a.acknowledged_by_id, "resolved_at": a.resolved_at,
    })
}

fn check_threshold_fields(
    e: &mut Vec<FieldError>,
    op: Option<&str>,
    severity: Option<&str>,
    window: Option<i64>,
    value: Option<f64>,
) {
    if let Some(op) = op {
        if !COMPARISONS.contains(&op) {
            e.push(FieldError::new(
                "comparison_operator",
                format!("must be one of {}", COMPARISONS.join(", ")),
            ));
        }
    }
    if let Some(s) = severity {
        if !SEVERITIES.contains(&s) {
            e.push(FieldError::new(
                "severity",
                "must be info, warning or critical",
            ));
        }
    }
    if window.is_some_and(|w| !(1..=10_080).contains(&w)) {
        e.push(FieldError::new(
            "window_minutes",
            "must be between 1 and 10080",
        ));
    }
    if value.is_some_and(|v| !v.is_finite()) {
        e.push(FieldError::new(
            "threshold_value",
            "must be a finite number",
        ));
    }
}

pub fn list_thresholds(
    c: &Connection,
    is_active: Option<bool>,
    metric_name: Option<&str>,
    w: &Window,
) -> ApiResult<(Vec<Threshold>, u64)> {
    store::list_thresholds(c, is_active, metric_name, w)
}

/// Checks a new threshold.
pub fn check_create_threshold(b: &ThresholdCreate) -> ApiResult<()> {
    let mut e = Vec::new();
    check_name(&mut e, "metric_type", &b.metric_type);
    check_name(&mut e, "metric_name", &b.metric_name);
    check_threshold_fields(
        &mut e,
        Some(&b.comparison_operator),
        b.severity.as_deref(),
        b.window_minutes,
        Some(b.threshold_value),
    );
    fail_if(e)
}

/// Creates a checked threshold (severity warning, a 60-minute window and
/// active unless given) and audits it.
pub fn create_threshold(w: &WriteCtx<'_>, b: ThresholdCreate) -> ApiResult<Threshold> {
    let tx = w.tx();
    let values = ThresholdValues {
        name: b.name,
        metric_type: b.metric_type.into_inner(),
        metric_name: b.metric_name.into_inner(),
        threshold_value: b.threshold_value,
        comparison_operator: b.comparison_operator.into_inner(),
        severity: b
            .severity
            .map(SeverityText::into_inner)
            .unwrap_or_else(|| "warning".into()),
        window_minutes: b.window_minutes.unwrap_or(60),
        alert_message: b.alert_message,
        team_id: b.team_id,
        is_active: b.is_active.unwrap_or(true),
    };
    let id = store::insert_threshold(tx, &values, &iso(now()))?;
    w.audit(
        SLUG,
        "threshold.create",
        "threshold",
        &id.to_string(),
        json!({}),
    )?;
    store::get_threshold(tx, id)
}

/// Checks changes to a threshold.
pub fn check_update_threshold(b: &ThresholdUpdate) -> ApiResult<()> {
    let mut e = Vec::new();
    if let Some(v) = &b.metric_type {
        check_name(&mut e, "metric_type", v);
    }
    if let Some(v) = &b.metric_name {
        check_name(&mut e, "metric_name", v);
    }
    check_threshold_fields(
        &mut e,
        b.comparison_operator.as_deref(),
        b.severity.as_deref(),
        b.window_minutes,
        b.threshold_value,
    );
    fail_if(e)
}

/// Applies checked changes to a threshold; deactivating it resolves its open
/// alert. Audited.
pub fn update_threshold(w: &WriteCtx<'_>, id: i64, b: ThresholdUpdate) -> ApiResult<Threshold> {
    let tx = w.tx();
    let cur = store::get_threshold(tx, id)?;
    let values = ThresholdValues {
        name: b.name.or(cur.name),
        metric_type: b.metric_type.map(String::from).unwrap_or(cur.metric_type),
        metric_name: b.metric_name.map(String::from).unwrap_or(cur.metric_name),
        threshold_value: b.threshold_value.unwrap_or(cur.threshold_value),
        comparison_operator: b
            .comparison_operator
            .map(String::from)
            .unwrap_or(cur.comparison_operator),
        severity: b.severity.map(String::from).unwrap_or(cur.severity),
        window_minutes: b.window_minutes.unwrap_or(cur.window_minutes),
        alert_message: b.alert_message.or(cur.alert_message),
        team_id: b.team_id.or(cur.team_id),
        is_active: b.is_active.unwrap_or(cur.is_active),
    };
    store::update_threshold(tx, id, &values, &iso(now()))?;
    if !values.is_active {
        resolve_open(w, id)?;
    }
    w.audit(
        SLUG,
        "threshold.update",
        "threshold",
        &id.to_string(),
        json!({}),
    )?;
    store::get_threshold(tx, id)
}

/// Deletes a threshold; its open alert is resolved, past alerts are kept. Audited.
pub fn delete_threshold(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let tx = w.tx();
    store::get_threshold(tx, id)?;
    resolve_open(w, id)?;
    store::delete_threshold(tx, id)?;
    w.audit(
        SLUG,
        "threshold.delete",
        "threshold",
        &id.to_string(),
        json!({}),
    )
    .map(drop)
}

// ---------------------------------------------------------------- alerts

/// The filters of the alert list, checked.
pub fn alert_filter(f: AlertFilter) -> ApiResult<AlertFilter> {
    if f.status
        .as_deref()
        .is_some_and(|s| !ALERT_STATUSES.contains(&s))
    {
        return Err(ApiError::invalid(
            "status",
            "must be active, acknowledged or resolved",
        ));
    }
    if f.severity
        .as_deref()
        .is_some_and(|s| !SEVERITIES.contains(&s))
    {
        return Err(ApiError::invalid(
            "severity",
            "must be info, warning or critical",
        ));
    }
    Ok(f)
}

pub fn list_alerts(c: &Connection, f: &AlertFilter, w: &Window) -> ApiResult<(Vec<Alert>, u64)> {
    store::list_alerts(c, f, w)
}

pub fn get_alert(c: &Connection, id: i64) -> ApiResult<Alert> {
    store::get_alert(c, id)
}

/// Checks an acknowledgement.
pub fn check_acknowledge(b: &AcknowledgeRequest) -> ApiResult<()> {
    if b.notes.as_ref().is_some_and(|n| n.chars().count() > 5000) {
        return Err(ApiError::invalid(
            "notes",
            "must be at most 5000 characters",
        ));
    }
    Ok(())
}

/// Acknowledges an open alert (by the caller unless `acknowledged_by_id` is
/// given); a resolved alert is refused. Emits `alert.acknowledged`; audited.
pub fn acknowledge(w: &WriteCtx<'_>, id: i64, b: AcknowledgeRequest) -> ApiResult<Alert> {
    let tx = w.tx();
    let cur = store::get_alert(tx, id)?;
    if cur.status == "resolved" {
        return Err(CcError::AlertResolved.with_message("The alert is already resolved"));
    }
    let by = match b.acknowledged_by_id {
        Some(by) => by,
        None => super::caller(w)?.seq,
    };
    store::mark_acknowledged(tx, id, &iso(now()), by, b.notes.as_deref())?;
    let a = store::get_alert(tx, id)?;
    w.emit(
        SLUG,
        "alert.acknowledged",
        &alert_json(&a),
        &events::Audience::admins(),
    )?;
    w.audit(
        SLUG,
        "alert.acknowledge",
        "alert",
        &id.to_string(),
        json!({"by": by}),
    )?;
    Ok(a)
}

// ---------------------------------------------------------------- dashboard

/// The dashboard's period in hours: 1..=8760, default 24.
pub fn period_hours(hours: Option<i64>) -> ApiResult<i64> {
    let hours = hours.unwrap_or(24);
    if !(1..=8760).contains(&hours) {
        return Err(ApiError::invalid(
            "period_hours",
            "must be between 1 and 8760",
        ));
    }
    Ok(hours)
}

/// The dashboard overview over the last `hours`.
pub fn overview(c: &Connection, hours: i64) -> ApiResult<DashboardOverview> {
    let since = (now() - Duration::hours(hours)).timestamp_millis();
    let since_iso = iso(DateTime::from_timestamp_millis(since).unwrap_or_default());
    let f = store::dashboard_figures(c, &since_iso, since)?;
    Ok(DashboardOverview {
        period_hours: hours,
        call_metrics: CallMetrics {
            total_calls: f.calls,
            avg_duration: round4(f.avg_duration.unwrap_or(0.0)),
            max_duration: f.max_duration.unwrap_or(0.0),
            min_duration: f.min_duration.unwrap_or(0.0),
        },
        queue_metrics: QueueMetrics {
            avg_wait_time: round4(f.avg_wait.unwrap_or(0.0)),
            max_wait_time: f.max_wait.unwrap_or(0.0),
            samples: f.waits,
            calls_waiting: f.waiting,
        },
        alerts: AlertCounts {
            active_count: f.active_alerts,
            critical_count: f.critical_alerts,
            acknowledged_count: f.acknowledged_alerts,
            triggered_in_period: f.triggered,
        },
        new_voicemails: f.new_voicemails,
        generated_at: iso(now()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn utc_buckets() {
        let x = t("2025-11-11T10:37:12Z");
        assert_eq!(
            bucket_floor(x, "minute", Tz::UTC),
            t("2025-11-11T10:37:00Z")
        );
        assert_eq!(bucket_floor(x, "hour", Tz::UTC), t("2025-11-11T10:00:00Z"));
        assert_eq!(bucket_floor(x, "day", Tz::UTC), t("2025-11-11T00:00:00Z"));
        // 2025-11-11 is a Tuesday; weeks start on Monday.
        assert_eq!(bucket_floor(x, "week", Tz::UTC), t("2025-11-10T00:00:00Z"));
        assert_eq!(bucket_floor(x, "month", Tz::UTC), t("2025-11-01T00:00:00Z"));
        assert_eq!(
            bucket_next(t("2025-12-01T00:00:00Z"), "month", Tz::UTC),
            t("2026-01-01T00:00:00Z")
        );
    }

    #[test]
    fn dst_days_are_23_and_25_hours() {
        let la: Tz = "America/Los_Angeles".parse().unwrap();
        // DST ends 2025-11-02 in Los Angeles: that day has 25 hours.
        let d = bucket_floor(t("2025-11-02T12:00:00Z"), "day", la);
        assert_eq!(d, t("2025-11-02T07:00:00Z"));
        assert_eq!(bucket_next(d, "day", la), t("2025-11-03T08:00:00Z"));
        // DST starts 2025-03-09: 23 hours.
        let d = bucket_floor(t("2025-03-09T12:00:00Z"), "day", la);
        assert_eq!(bucket_next(d, "day", la) - d, Duration::hours(23));
        // Half-hour zones floor hours on local time.
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        assert_eq!(
            bucket_floor(t("2025-11-11T10:10:00Z"), "hour", kolkata),
            t("2025-11-11T09:30:00Z")
        );
    }

    #[test]
    fn windows_backwards_and_forwards() {
        let w = windows(None, t("2025-11-11T12:30:00Z"), "hour", Tz::UTC, 3);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].0, t("2025-11-11T10:00:00Z"));
        assert_eq!(w[2].1, t("2025-11-11T13:00:00Z"));
        let w = windows(
            Some(t("2025-11-01T00:00:00Z")),
            t("2025-11-04T00:00:00Z"),
            "day",
            Tz::UTC,
            100,
        );
        assert_eq!(w.len(), 3);
        let w = windows(
            Some(t("2025-11-01T00:00:00Z")),
            t("2025-11-04T00:00:00Z"),
            "day",
            Tz::UTC,
            2,
        );
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn comparisons() {
        assert!(compare("greater_than", 0.15, 0.10));
        assert!(!compare("greater_than", 0.10, 0.10));
        assert!(compare("greater_or_equal", 0.10, 0.10));
        assert!(compare("less_than", 1.0, 2.0));
        assert!(compare("not_equals", 1.0, 2.0));
    }
}
