//! Calls: recorded attempts and calls passing through queues, and the
//! figures computed from them.

use frontline_platform::db_paging::{ListSql, PageCache};
use frontline_platform::page::Window;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Map, Value};

use super::campaigns::{ratio, round};
use super::{int, text, Filter};
use crate::common::{json_col, not_found, string_list};
use crate::model::*;

const SUCCESS: &str = "('success','converted')";

const CALL_SELECT: &str = "SELECT k.id, k.call_id, k.direction, k.status, k.outcome, k.campaign_id,
    k.contact_id, k.agent_id, k.team_id, k.queue_id, k.caller_number, k.priority, k.queued_at,
    k.assigned_at, k.wait_time, k.started_at, k.ended_at, k.duration, k.cost, k.notes, k.attributes,
    k.created_at, k.required_skills, k.language FROM cc_calls k";

/// A call with the routing facts stored beside it.
#[derive(Debug, Clone)]
pub struct CallRow {
    pub call: Call,
    pub required_skills: Vec<String>,
    pub language: Option<String>,
}

/// The call of a `CALL_SELECT` row, without the routing facts.
fn call_of(r: &Row<'_>) -> rusqlite::Result<Call> {
    Ok(Call {
        id: r.get(0)?,
        call_id: r.get(1)?,
        direction: r.get(2)?,
        status: r.get(3)?,
        outcome: r.get(4)?,
        campaign_id: r.get(5)?,
        contact_id: r.get(6)?,
        agent_id: r.get(7)?,
        team_id: r.get(8)?,
        queue_id: r.get(9)?,
        caller_number: r.get(10)?,
        priority: r.get(11)?,
        queued_at: r.get(12)?,
        assigned_at: r.get(13)?,
        wait_time: r.get(14)?,
        started_at: r.get(15)?,
        ended_at: r.get(16)?,
        duration: r.get(17)?,
        cost: r.get(18)?,
        notes: r.get(19)?,
        attributes: json_col(&r.get::<_, String>(20)?),
        created_at: r.get(21)?,
    })
}

fn call_row(r: &Row<'_>) -> rusqlite::Result<CallRow> {
    Ok(CallRow {
        call: call_of(r)?,
        required_skills: string_list(&r.get::<_, String>(22)?),
        language: r.get(23)?,
    })
}

/// Call `call_id`; with `scope` (a plain user's id) only calls of their campaigns.
pub fn get_call(conn: &Connection, call_id: &str, scope: Option<i64>) -> ApiResult<CallRow> {
    conn.query_row(
        &format!(
            "{CALL_SELECT} WHERE k.call_id = ?1 AND (?2 IS NULL OR k.campaign_id IN
                (SELECT id FROM cc_campaigns WHERE created_by_id = ?2))"
        ),
        params![call_id, scope],
        call_row,
    )
    .optional()?
    .ok_or_else(|| not_found("Call", call_id))
}

pub fn list_calls(conn: &Connection, q: &CallQuery, w: Window) -> ApiResult<(Vec<Call>, u64)> {
    let mut f = Filter::new();
    if let Some(s) = q.scope {
        f.and(
            "k.campaign_id IN (SELECT id FROM cc_campaigns WHERE created_by_id = ?)",
            vec![int(s)],
        );
    }
    for (col, v) in [
        ("k.campaign_id", q.campaign_id),
        ("k.agent_id", q.agent_id),
        ("k.queue_id", q.queue_id),
        ("k.team_id", q.team_id),
    ] {
        if let Some(v) = v {
            f.and(&format!("{col} = ?"), vec![int(v)]);
        }
    }
    if let Some(s) = &q.status {
        f.and("k.status = ?", vec![text(s)]);
    }
    if let Some(o) = &q.outcome {
        f.and("k.outcome = ?", vec![text(o)]);
    }
    // Total and keyset anchors cached until calls or campaigns change.
    static PAGES: std::sync::LazyLock<PageCache> = std::sync::LazyLock::new(PageCache::new);
    let list = ListSql {
        tables: &["cc_calls", "cc_campaigns"],
        select: CALL_SELECT,
        from: "cc_calls k",
        filter: f.clause(),
        args: f.args,
        order: vec![("k.started_at".into(), true), ("k.id".into(), true)],
    };
    // A list shows calls only: the routing facts are not parsed per row.
    PAGES.page(conn, &list, w.limit, w.offset, call_of)
}

/// What a new call row holds.
#[derive(Debug, Clone, Default)]
pub struct NewCall {
    pub call_id: String,
    pub direction: String,
    pub status: String,
    pub outcome: Option<String>,
    pub campaign_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    pub queue_id: Option<i64>,
    pub caller_number: Option<String>,
    pub priority: i64,
    pub required_skills: Vec<String>,
    pub language: Option<String>,
    pub attributes: Value,
    pub queued_at: Option<String>,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub duration: Option<i64>,
    pub cost: Option<f64>,
    pub notes: Option<String>,
    pub recorded_by_id: i64,
    pub created_at: String,
}

pub fn insert_call(tx: &Connection, c: &NewCall) -> ApiResult<i64> {
    tx.execute(
        "INSERT INTO cc_calls (call_id, direction, status, outcome, campaign_id, contact_id, agent_id,
            team_id, queue_id, caller_number, priority, required_skills, language, attributes,
            queued_at, started_at, ended_at, duration, cost, notes, recorded_by_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, ?21, ?22)",
        params![
            c.call_id,
            c.direction,
            c.status,
            c.outcome,
            c.campaign_id,
            c.contact_id,
            c.agent_id,
            c.team_id,
            c.queue_id,
            c.caller_number,
            c.priority,
            serde_json::to_string(&c.required_skills)?,
            c.language,
            c.attributes.to_string(),
            c.queued_at,
            c.started_at,
            c.ended_at,
            c.duration,
            c.cost,
            c.notes,
            c.recorded_by_id,
            c.created_at
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Waiting calls of a queue in answer order: priority, then longest waiting.
pub fn waiting_calls(conn: &Connection, queue: i64, w: Option<Window>) -> ApiResult<Vec<CallRow>> {
    let paging = w
        .map(|w| format!("LIMIT {} OFFSET {}", w.limit, w.offset))
        .unwrap_or_default();
    let mut stmt = conn.prepare(&format!(
        "{CALL_SELECT} WHERE k.queue_id = ?1 AND k.status = 'queued'
         ORDER BY k.priority DESC, k.queued_at ASC, k.id ASC {paging}"
    ))?;
    let rows = stmt
        .query_map([queue], call_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Calls of a campaign started on one UTC day (`YYYY-MM-DD`).
pub fn count_campaign_day(conn: &Connection, campaign: i64, day: &str) -> ApiResult<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM cc_calls WHERE campaign_id = ?1 AND substr(started_at, 1, 10) = ?2",
        rusqlite::params![campaign, day],
        |r| r.get(0),
    )?)
}

pub fn count_waiting(conn: &Connection, queue: i64) -> ApiResult<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM cc_calls WHERE queue_id = ?1 AND status = 'queued'",
        [queue],
        |r| r.get(0),
    )?)
}

pub fn count_active(conn: &Connection, queue: i64) -> ApiResult<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM cc_calls WHERE queue_id = ?1 AND status IN ('queued','in_progress')",
        [queue],
        |r| r.get(0),
    )?)
}

pub fn count_agent_active(conn: &Connection, agent: i64) -> ApiResult<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM cc_calls WHERE agent_id = ?1 AND status = 'in_progress'",
        [agent],
        |r| r.get(0),
    )?)
}

/// When each agent last took a call (for longest-idle routing).
pub fn last_assigned(conn: &Connection, agent: i64) -> ApiResult<Option<String>> {
    Ok(conn.query_row(
        "SELECT MAX(COALESCE(assigned_at, started_at)) FROM cc_calls WHERE agent_id = ?1",
        [agent],
        |r| r.get(0),
    )?)
}

/// Marks calls that waited past their queue's timeout as abandoned; returns how many.
/// Marks the calls waiting past their queue's timeout abandoned; returns their call ids.
pub fn expire_waiting(tx: &Connection, now: i64, now_ts: &str) -> ApiResult<Vec<String>> {
    let mut stmt = tx.prepare(
        "UPDATE cc_calls SET status = 'abandoned', outcome = 'timeout', ended_at = ?2,
            wait_time = ?1 - unixepoch(queued_at)
         WHERE status = 'queued' AND EXISTS (SELECT 1 FROM cc_queues q WHERE q.id = cc_calls.queue_id
            AND unixepoch(cc_calls.queued_at) + q.timeout_seconds <= ?1)
         RETURNING call_id",
    )?;
    let ids = stmt
        .query_map(params![now, now_ts], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

pub fn assign(
    tx: &Connection,
    id: i64,
    agent: i64,
    team: Option<i64>,
    at: &str,
    wait: i64,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_calls SET status = 'in_progress', agent_id = ?2, team_id = ?3, assigned_at = ?4,
            wait_time = ?5 WHERE id = ?1",
        params![id, agent, team, at, wait],
    )?;
    Ok(())
}

/// How a call ended (written by [`finish`]).
pub struct CallEnd<'a> {
    pub status: &'a str,
    pub outcome: &'a str,
    pub ended_at: &'a str,
    pub duration: Option<i64>,
    /// Kept as it was when `None`.
    pub wait: Option<i64>,
    /// Kept as it was when `None`.
    pub cost: Option<f64>,
    /// Kept as they were when `None`.
    pub notes: Option<&'a str>,
}

pub fn finish(tx: &Connection, id: i64, end: &CallEnd<'_>) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_calls SET status = ?2, outcome = ?3, ended_at = ?4, duration = ?5,
            wait_time = COALESCE(?6, wait_time), cost = COALESCE(?7, cost),
            notes = COALESCE(?8, notes) WHERE id = ?1",
        params![
            id,
            end.status,
            end.outcome,
            end.ended_at,
            end.duration,
            end.wait,
            end.cost,
            end.notes
        ],
    )?;
    Ok(())
}

/// Completed-call figures of one agent in `[start, end]`.
pub fn agent_figures(
    conn: &Connection,
    agent: i64,
    start: &str,
    end: &str,
) -> ApiResult<(i64, i64, i64, f64, i64, f64, Value)> {
    let (total, ok, converted, avg, talk, wait): (i64, i64, i64, f64, i64, f64) = conn.query_row(
        &format!(
            "SELECT COUNT(*), COALESCE(SUM(outcome IN {SUCCESS}), 0),
                COALESCE(SUM(outcome = 'converted'), 0), COALESCE(AVG(duration), 0.0),
                COALESCE(SUM(duration), 0), COALESCE(AVG(wait_time), 0.0)
             FROM cc_calls WHERE agent_id = ?1 AND status = 'completed'
               AND started_at >= ?2 AND started_at <= ?3"
        ),
        params![agent, start, end],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )?;
    let mut by = Map::new();
    let mut stmt = conn.prepare(
        "SELECT outcome, COUNT(*) FROM cc_calls WHERE agent_id = ?1 AND status = 'completed'
           AND started_at >= ?2 AND started_at <= ?3 GROUP BY outcome ORDER BY outcome",
    )?;
    for row in stmt.query_map(params![agent, start, end], |r| {
        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (o, n) = row?;
        by.insert(o.unwrap_or_else(|| "unknown".into()), json!(n));
    }
    Ok((total, ok, converted, avg, talk, wait, Value::Object(by)))
}

/// Team figures in `[start, end]`: totals and one line per agent (members now,
/// and anyone who took the team's calls in the period), busiest first.
pub fn team_figures(
    conn: &Connection,
    team: i64,
    start: &str,
    end: &str,
) -> ApiResult<(i64, f64, f64, Vec<TeamAgentPerformance>)> {
    let (total, ok, avg): (i64, i64, f64) = conn.query_row(
        &format!(
            "SELECT COUNT(*), COALESCE(SUM(outcome IN {SUCCESS}), 0), COALESCE(AVG(duration), 0.0)
             FROM cc_calls WHERE team_id = ?1 AND status = 'completed'
               AND started_at >= ?2 AND started_at <= ?3"
        ),
        params![team, start, end],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT a.id, COALESCE(u.name, a.agent_number), COUNT(k.id),
            COALESCE(SUM(k.outcome IN {SUCCESS}), 0), COALESCE(AVG(k.duration), 0.0)
         FROM cc_agents a
         LEFT JOIN platform_users u ON u.seq = a.user_id
         LEFT JOIN cc_calls k ON k.agent_id = a.id AND k.team_id = ?1 AND k.status = 'completed'
              AND k.started_at >= ?2 AND k.started_at <= ?3
         WHERE a.team_id = ?1 OR a.id IN (SELECT agent_id FROM cc_calls WHERE team_id = ?1
              AND status = 'completed' AND started_at >= ?2 AND started_at <= ?3)
         GROUP BY a.id ORDER BY COUNT(k.id) DESC, a.id"
    ))?;
    let agents = stmt
        .query_map(params![team, start, end], |r| {
            let calls: i64 = r.get(2)?;
            let ok: i64 = r.get(3)?;
            Ok(TeamAgentPerformance {
                agent_id: r.get(0)?,
                name: r.get(1)?,
                calls,
                success_rate: ratio(ok, calls),
                avg_duration: round(r.get(4)?, 2),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((total, round(avg, 2), ratio(ok, total), agents))
}
