//! The SQL of reports: templates, reports (and their stored datasets and
//! files), schedules, the outbox, and the aggregate query a report's table is
//! computed with.

use chrono::Duration;
use frontline_platform::jobs;
use frontline_platform::page::Window;
use frontline_platform::ApiResult;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Value};

use crate::insight::{iso, now, round4};
use crate::model::reports::*;

// ---------------------------------------------------------------- templates

const T_COLS: &str =
    "id, name, description, report_type, query_definition, default_format, is_public, version, \
     created_by_id, created_at, updated_at";

fn t_row(r: &Row) -> rusqlite::Result<ReportTemplate> {
    let q: String = r.get(4)?;
    Ok(ReportTemplate {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        report_type: r.get(3)?,
        query_definition: serde_json::from_str(&q).unwrap_or(json!({})),
        default_format: r.get(5)?,
        is_public: r.get(6)?,
        version: r.get(7)?,
        created_by_id: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

pub fn template(c: &Connection, id: i64) -> ApiResult<Option<ReportTemplate>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {T_COLS} FROM cc_report_templates WHERE id = ?1"
    ))?
    .query_row([id], t_row)
    .optional()?)
}

const T_FILTER: &str = "(?1 IS NULL OR report_type = ?1) AND (?2 IS NULL OR is_public = ?2)
                    AND (?3 OR is_public = 1 OR created_by_id = ?4)";

/// The templates `viewer` may see, by id, and how many there are.
pub fn templates(
    c: &Connection,
    f: &TemplateFilter,
    viewer: Viewer,
    w: &Window,
) -> ApiResult<(Vec<ReportTemplate>, u64)> {
    let (ty, public, mgr, seq) = (&f.report_type, f.is_public, viewer.manager, viewer.seq);
    let total: i64 = c
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM cc_report_templates WHERE {T_FILTER}"
        ))?
        .query_row(params![ty, public, mgr, seq], |r| r.get(0))?;
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {T_COLS} FROM cc_report_templates WHERE {T_FILTER} ORDER BY id LIMIT ?5 OFFSET ?6"
    ))?;
    let items = stmt
        .query_map(
            params![ty, public, mgr, seq, w.limit as i64, w.offset as i64],
            t_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

pub fn insert_template(
    tx: &Connection,
    t: &TemplateFields<'_>,
    version: i64,
    by: i64,
    at: &str,
) -> ApiResult<i64> {
    tx.prepare_cached(
        "INSERT INTO cc_report_templates (name, description, report_type, query_definition, default_format,
            is_public, version, created_by_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        t.name,
        t.description,
        t.report_type,
        serde_json::to_string(t.query)?,
        t.default_format,
        t.is_public,
        version,
        by,
        at
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Stores a template's new fields; its version goes up by one.
pub fn update_template(
    tx: &Connection,
    id: i64,
    t: &TemplateFields<'_>,
    at: &str,
) -> ApiResult<()> {
    tx.prepare_cached(
        "UPDATE cc_report_templates SET name = ?2, description = ?3, report_type = ?4, query_definition = ?5,
            default_format = ?6, is_public = ?7, version = version + 1, updated_at = ?8 WHERE id = ?1",
    )?
    .execute(params![
        id,
        t.name,
        t.description,
        t.report_type,
        serde_json::to_string(t.query)?,
        t.default_format,
        t.is_public,
        at
    ])?;
    Ok(())
}

/// How many schedules run template `id`.
pub fn schedules_using(tx: &Connection, id: i64) -> ApiResult<i64> {
    Ok(tx
        .prepare_cached("SELECT COUNT(*) FROM cc_report_schedules WHERE template_id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

/// Deletes template `id`; its reports keep their data without the link.
pub fn delete_template(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_reports SET template_id = NULL WHERE template_id = ?1",
        [id],
    )?;
    tx.execute("DELETE FROM cc_report_templates WHERE id = ?1", [id])?;
    Ok(())
}

// ---------------------------------------------------------------- reports

const R_COLS: &str = "id, name, template_id, schedule_id, report_type, status, format, file_size_bytes, filters, \
     parameters, period_start, period_end, row_count, error, expires_at, requested_at, completed_at, \
     estimated_completion, requested_by_id";

fn r_row(r: &Row) -> rusqlite::Result<(Report, Option<i64>)> {
    let filters: String = r.get(8)?;
    let parameters: String = r.get(9)?;
    let id: i64 = r.get(0)?;
    let status: String = r.get(5)?;
    let expires: Option<String> = r.get(14)?;
    let expired =
        status == "completed" && expires.as_deref().is_some_and(|e| e < iso(now()).as_str());
    Ok((
        Report {
            id,
            name: r.get(1)?,
            template_id: r.get(2)?,
            schedule_id: r.get(3)?,
            report_type: r.get(4)?,
            file_url: (status == "completed" && !expired)
                .then(|| format!("/contact-center/api/reports/{id}/download")),
            status: if expired { "expired".into() } else { status },
            format: r.get(6)?,
            file_size_bytes: r.get(7)?,
            filters: serde_json::from_str(&filters).unwrap_or(json!({})),
            parameters: serde_json::from_str(&parameters).unwrap_or(json!({})),
            period_start: r.get(10)?,
            period_end: r.get(11)?,
            row_count: r.get(12)?,
            error: r.get(13)?,
            expires_at: expires,
            requested_at: r.get(15)?,
            completed_at: r.get(16)?,
            estimated_completion: r.get(17)?,
        },
        r.get(18)?,
    ))
}

/// Report `id` and who requested it.
pub fn report(c: &Connection, id: i64) -> ApiResult<Option<(Report, Option<i64>)>> {
    Ok(
        c.prepare_cached(&format!("SELECT {R_COLS} FROM cc_reports WHERE id = ?1"))?
            .query_row([id], r_row)
            .optional()?,
    )
}

/// The list's filters; `?5` is now: a completed report whose file expired
/// shows status `expired` (see `r_row`), so `status = completed` leaves it out.
const R_FILTER: &str = "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR report_type = ?2) AND (?3 OR requested_by_id = ?4)
    AND (?1 IS NOT 'completed' OR IFNULL(expires_at >= ?5, 1))";

/// The reports `viewer` may see, newest first, and how many there are.
pub fn reports(
    c: &Connection,
    f: &ReportFilter,
    viewer: Viewer,
    w: &Window,
) -> ApiResult<(Vec<Report>, u64)> {
    let (st, ty, mgr, seq) = (&f.status, &f.report_type, viewer.manager, viewer.seq);
    let at = iso(now());
    let total: i64 = c
        .prepare_cached(&format!("SELECT COUNT(*) FROM cc_reports WHERE {R_FILTER}"))?
        .query_row(params![st, ty, mgr, seq, at], |r| r.get(0))?;
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {R_COLS} FROM cc_reports WHERE {R_FILTER} ORDER BY id DESC LIMIT ?6 OFFSET ?7"
    ))?;
    let items = stmt
        .query_map(
            params![st, ty, mgr, seq, at, w.limit as i64, w.offset as i64],
            r_row,
        )?
        .map(|r| r.map(|(r, _)| r))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

/// Inserts a report in `generating` (its job is queued by the caller, in the
/// same transaction); answers its id and estimated completion.
pub fn insert_report(tx: &Connection, r: &NewReport<'_>) -> ApiResult<(i64, String)> {
    let requested = now();
    let estimated = iso(requested + Duration::seconds(30));
    tx.prepare_cached(
        "INSERT INTO cc_reports (name, template_id, schedule_id, report_type, query_definition, status, format,
            filters, parameters, requested_at, estimated_completion, requested_by_id)
         VALUES (?1, ?2, ?3, ?4, ?5, 'generating', ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        r.name,
        r.template_id,
        r.schedule_id,
        r.report_type,
        serde_json::to_string(r.query)?,
        r.format,
        Value::Object(r.filters.clone()).to_string(),
        r.parameters.to_string(),
        iso(requested),
        estimated,
        r.by
    ])?;
    Ok((tx.last_insert_rowid(), estimated))
}

/// What report `id` was asked for.
pub fn request(c: &Connection, id: i64) -> ApiResult<ReportRequest> {
    // The six columns are text; the three JSON ones are parsed after the read.
    let text: [String; 6] = c.query_row(
        "SELECT name, report_type, query_definition, format, filters, parameters FROM cc_reports WHERE id = ?1",
        [id],
        |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?]),
    )?;
    let [name, report_type, query, format, filters, parameters] = text;
    Ok(ReportRequest {
        name,
        report_type,
        query: serde_json::from_str(&query)?,
        format,
        filters: serde_json::from_str(&filters)?,
        parameters: serde_json::from_str(&parameters)?,
    })
}

/// Marks report `id` completed with its dataset and file.
pub fn complete_report(tx: &Connection, id: i64, done: &Completed<'_>) -> ApiResult<()> {
    let data = done.dataset;
    tx.execute(
        "UPDATE cc_reports SET status = 'completed', dataset = ?2, file_size_bytes = ?3, row_count = ?4,
            period_start = ?5, period_end = ?6, completed_at = ?7, expires_at = ?8, error = NULL,
            file_id = ?9
         WHERE id = ?1",
        params![
            id,
            serde_json::to_string(data)?,
            done.file_size_bytes,
            data.rows.len() as i64,
            data.period_start,
            data.period_end,
            done.completed_at,
            done.expires_at,
            done.file_id
        ],
    )?;
    Ok(())
}

/// Marks report `id` failed with `error`.
pub fn fail_report(tx: &Connection, id: i64, error: &str, done: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_reports SET status = 'failed', error = ?2, completed_at = ?3 WHERE id = ?1",
        params![id, error, done],
    )?;
    Ok(())
}

/// The stored file of report `id` (none before it completed).
pub fn file_id(c: &Connection, id: i64) -> ApiResult<Option<String>> {
    Ok(
        c.prepare_cached("SELECT file_id FROM cc_reports WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?,
    )
}

/// The stored file of report `id` and when it expires (`None`: no report).
pub fn file_and_expiry(
    c: &Connection,
    id: i64,
) -> ApiResult<Option<(Option<String>, Option<String>)>> {
    Ok(c.query_row(
        "SELECT file_id, expires_at FROM cc_reports WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

/// Deletes report `id`; its outbox messages stay, without the link.
pub fn delete_report(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_report_outbox SET report_id = NULL WHERE report_id = ?1",
        [id],
    )?;
    tx.execute("DELETE FROM cc_reports WHERE id = ?1", [id])?;
    Ok(())
}

// ---------------------------------------------------------------- schedules

const S_COLS: &str =
    "id, name, template_id, schedule_type, schedule_config, format, recipients, is_active, \
     created_at, updated_at";

fn s_row(c: &Connection, r: &Row) -> rusqlite::Result<ReportSchedule> {
    let cfg: String = r.get(4)?;
    let rec: String = r.get(6)?;
    let id: i64 = r.get(0)?;
    let is_active: bool = r.get(7)?;
    let times = jobs::schedule_times(c, &schedule_name(id)).ok().flatten();
    Ok(ReportSchedule {
        id,
        name: r.get(1)?,
        template_id: r.get(2)?,
        schedule_type: r.get(3)?,
        schedule_config: serde_json::from_str(&cfg).unwrap_or(ScheduleConfig {
            day_of_week: None,
            day_of_month: None,
            hour: 0,
            minute: 0,
            timezone: None,
        }),
        format: r.get(5)?,
        recipients: serde_json::from_str(&rec).unwrap_or_default(),
        is_active,
        next_run_at: times.filter(|_| is_active).map(|t| iso(t.0)),
        last_run_at: times.and_then(|t| t.1).map(iso),
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

pub fn schedule(c: &Connection, id: i64) -> ApiResult<Option<ReportSchedule>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {S_COLS} FROM cc_report_schedules WHERE id = ?1"
    ))?
    .query_row([id], |r| s_row(c, r))
    .optional()?)
}

/// Schedules by id (all, or active or inactive ones), and how many there are.
pub fn schedules(
    c: &Connection,
    active: Option<bool>,
    w: &Window,
) -> ApiResult<(Vec<ReportSchedule>, u64)> {
    let total: i64 = c
        .prepare_cached(
            "SELECT COUNT(*) FROM cc_report_schedules WHERE ?1 IS NULL OR is_active = ?1",
        )?
        .query_row([active], |r| r.get(0))?;
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {S_COLS} FROM cc_report_schedules WHERE ?1 IS NULL OR is_active = ?1 ORDER BY id LIMIT ?2 OFFSET ?3"
    ))?;
    let items = stmt
        .query_map(params![active, w.limit as i64, w.offset as i64], |r| {
            s_row(c, r)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

pub fn insert_schedule(
    tx: &Connection,
    s: &ScheduleFields<'_>,
    by: i64,
    at: &str,
) -> ApiResult<i64> {
    tx.prepare_cached(
        "INSERT INTO cc_report_schedules (name, template_id, schedule_type, schedule_config, format, recipients,
            is_active, created_by_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        s.name,
        s.template_id,
        s.schedule_type,
        serde_json::to_string(s.schedule_config)?,
        s.format,
        serde_json::to_string(s.recipients)?,
        s.is_active,
        by,
        at
    ])?;
    Ok(tx.last_insert_rowid())
}

pub fn update_schedule(
    tx: &Connection,
    id: i64,
    s: &ScheduleFields<'_>,
    at: &str,
) -> ApiResult<()> {
    tx.prepare_cached(
        "UPDATE cc_report_schedules SET name = ?2, template_id = ?3, schedule_type = ?4, schedule_config = ?5,
            format = ?6, recipients = ?7, is_active = ?8, updated_at = ?9 WHERE id = ?1",
    )?
    .execute(params![
        id,
        s.name,
        s.template_id,
        s.schedule_type,
        serde_json::to_string(s.schedule_config)?,
        s.format,
        serde_json::to_string(s.recipients)?,
        s.is_active,
        at
    ])?;
    Ok(())
}

/// Who created schedule `id` (its reports are theirs).
pub fn schedule_owner(tx: &Connection, id: i64) -> ApiResult<Option<i64>> {
    Ok(tx.query_row(
        "SELECT created_by_id FROM cc_report_schedules WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// Deletes schedule `id`; its reports and outbox messages stay, without the link.
pub fn delete_schedule(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_reports SET schedule_id = NULL WHERE schedule_id = ?1",
        [id],
    )?;
    tx.execute(
        "UPDATE cc_report_outbox SET schedule_id = NULL WHERE schedule_id = ?1",
        [id],
    )?;
    tx.execute("DELETE FROM cc_report_schedules WHERE id = ?1", [id])?;
    Ok(())
}

// ---------------------------------------------------------------- outbox

fn o_row(r: &Row) -> rusqlite::Result<OutboxMessage> {
    let rec: String = r.get(3)?;
    Ok(OutboxMessage {
        id: r.get(0)?,
        schedule_id: r.get(1)?,
        report_id: r.get(2)?,
        recipients: serde_json::from_str(&rec).unwrap_or_default(),
        subject: r.get(4)?,
        body: r.get(5)?,
        status: r.get(6)?,
        error: r.get(7)?,
        created_at: r.get(8)?,
        sent_at: r.get(9)?,
    })
}

/// The outbox, newest first, and how many messages it holds.
pub fn outbox(c: &Connection, w: &Window) -> ApiResult<(Vec<OutboxMessage>, u64)> {
    let total: i64 = c
        .prepare_cached("SELECT COUNT(*) FROM cc_report_outbox")?
        .query_row([], |r| r.get(0))?;
    let mut stmt = c.prepare_cached(
        "SELECT id, schedule_id, report_id, recipients, subject, body, status, error, created_at, sent_at
         FROM cc_report_outbox ORDER BY id DESC LIMIT ?1 OFFSET ?2",
    )?;
    let items = stmt
        .query_map(params![w.limit as i64, w.offset as i64], o_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

pub fn insert_outbox(tx: &Connection, m: &NewOutboxMessage<'_>) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO cc_report_outbox (schedule_id, report_id, recipients, subject, body, status, error, created_at, sent_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            m.schedule_id,
            m.report_id,
            serde_json::to_string(m.recipients)?,
            m.subject,
            m.body,
            m.status,
            m.error,
            m.created_at,
            (m.status == "sent").then_some(m.created_at)
        ],
    )?;
    Ok(())
}

// ---------------------------------------------------------------- aggregates

fn sql_value(v: &Value) -> SqlValue {
    match v {
        Value::Number(n) => n.as_i64().map(SqlValue::Integer).unwrap_or(SqlValue::Null),
        Value::String(s) => SqlValue::Text(s.clone()),
        _ => SqlValue::Null,
    }
}

fn group_expr(g: &str, time_col: &str) -> String {
    match g {
        "day" => format!("substr({time_col}, 1, 10)"),
        "week" => format!("strftime('%G-W%V', {time_col})"),
        "month" => format!("substr({time_col}, 1, 7)"),
        other => other.to_string(),
    }
}

fn call_metric_sql(m: &str) -> &'static str {
    match m {
        "total_calls" => "COUNT(*)",
        "completed_calls" => "SUM(status = 'completed')",
        "successful_calls" => "SUM(outcome IN ('success','converted'))",
        "success_rate" => "CASE WHEN SUM(status = 'completed') > 0 THEN 1.0 * SUM(outcome IN ('success','converted')) / SUM(status = 'completed') ELSE 0 END",
        "abandoned_calls" => "SUM(status = 'abandoned')",
        "abandon_rate" => "1.0 * SUM(status = 'abandoned') / COUNT(*)",
        "avg_duration" => "AVG(duration)",
        "total_duration" => "COALESCE(SUM(duration), 0)",
        "avg_wait_time" => "AVG(wait_time)",
        _ => "MAX(wait_time)",
    }
}

/// The name of the agent, team, queue or campaign a group value stands for
/// (`name (#id)`); other groups show their value.
fn label_for(conn: &Connection, group: &str, v: &Value) -> Value {
    let (table, col) = match group {
        "agent_id" => ("cc_agents", "agent_number"),
        "team_id" => ("cc_teams", "name"),
        "queue_id" => ("cc_queues", "name"),
        "campaign_id" => ("cc_campaigns", "name"),
        _ => return v.clone(),
    };
    let Some(id) = v.as_i64() else {
        return Value::String("(none)".into());
    };
    conn.prepare_cached(&format!("SELECT {col} FROM {table} WHERE id = ?1"))
        .and_then(|mut stmt| stmt.query_row([id], |r| r.get::<_, String>(0)))
        .map(|name| Value::String(format!("{name} (#{id})")))
        .unwrap_or_else(|_| Value::String(format!("#{id}")))
}

fn json_of(v: SqlValue) -> Value {
    match v {
        SqlValue::Integer(i) => Value::from(i),
        SqlValue::Real(f) => Value::from(round4(f)),
        SqlValue::Text(s) => Value::String(s),
        _ => Value::Null,
    }
}

/// The table of a report (one row per group, the groups labelled, at most
/// 10 000) and the same figures over the whole period.
pub fn aggregate(
    conn: &Connection,
    q: &AggregateQuery<'_>,
) -> ApiResult<(Vec<Vec<Value>>, Vec<Value>)> {
    let metric_report = q.metric_report;
    let (table, time_col) = if metric_report {
        (
            "cc_metrics",
            "strftime('%Y-%m-%dT%H:%M:%SZ', recorded_at / 1000, 'unixepoch')",
        )
    } else {
        ("cc_calls", "started_at")
    };
    let mut wheres: Vec<String> = Vec::new();
    let mut args: Vec<SqlValue> = Vec::new();
    if metric_report {
        wheres.push("recorded_at >= ? AND recorded_at < ?".into());
        args.push(SqlValue::Integer(q.start.timestamp_millis()));
        args.push(SqlValue::Integer(q.end.timestamp_millis()));
    } else {
        wheres.push("started_at >= ? AND started_at < ?".into());
        args.push(SqlValue::Text(iso(q.start)));
        args.push(SqlValue::Text(iso(q.end)));
    }
    for (k, v) in q.filters {
        let col = match (k.as_str(), metric_report) {
            ("start_date" | "end_date", _) => continue,
            ("team_type", _) => {
                wheres.push("team_id IN (SELECT id FROM cc_teams WHERE team_type = ?)".into());
                args.push(sql_value(v));
                continue;
            }
            ("metric_type" | "metric_name", false)
            | ("queue_id" | "campaign_id" | "direction" | "status" | "outcome", true) => continue,
            (k, _) => k,
        };
        wheres.push(format!("{col} = ?"));
        args.push(sql_value(v));
    }
    let groups: Vec<String> = q.grouping.iter().map(|g| group_expr(g, time_col)).collect();
    let figures: Vec<String> = q
        .metrics
        .iter()
        .map(|m| {
            if metric_report {
                match m.as_str() {
                    "count" => "COUNT(*)".to_string(),
                    other => format!("{}(value)", other.to_uppercase()),
                }
            } else {
                call_metric_sql(m).to_string()
            }
        })
        .collect();
    let select: Vec<String> = groups.iter().chain(figures.iter()).cloned().collect();
    let group_by: Vec<String> = (1..=groups.len()).map(|i| i.to_string()).collect();
    let sql = format!(
        "SELECT {} FROM {table} WHERE {} GROUP BY {} ORDER BY {} LIMIT 10000",
        select.join(", "),
        wheres.join(" AND "),
        group_by.join(", "),
        group_by.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let width = select.len();
    let raw = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            (0..width)
                .map(|i| r.get::<_, SqlValue>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let rows: Vec<Vec<Value>> = raw
        .into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let v = json_of(v);
                    match q.grouping.get(i) {
                        Some(g) if i < groups.len() => label_for(conn, g, &v),
                        _ => v,
                    }
                })
                .collect()
        })
        .collect();
    // Totals over the period, same figures without grouping.
    let total_sql = format!(
        "SELECT {} FROM {table} WHERE {}",
        figures.join(", "),
        wheres.join(" AND ")
    );
    let totals: Vec<SqlValue> =
        conn.query_row(&total_sql, rusqlite::params_from_iter(args.iter()), |r| {
            (0..figures.len())
                .map(|i| r.get::<_, SqlValue>(i))
                .collect()
        })?;
    Ok((rows, totals.into_iter().map(json_of).collect()))
}
