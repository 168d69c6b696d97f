//! Teams, agents and their skills, queues and companies.

use frontline_platform::page::Window;
use frontline_platform::ApiResult;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use super::{int, like, text, Filter};
use crate::common::{json_col, not_found, now, string_list};
use crate::model::*;

// ---- teams ----

const TEAM_SELECT: &str = "SELECT t.id, t.name, t.description, t.team_type, t.max_agents,
    t.supervisor_id, t.is_active,
    (SELECT COUNT(*) FROM cc_agents a WHERE a.team_id = t.id),
    (SELECT COUNT(*) FROM cc_agents a WHERE a.team_id = t.id AND a.status = 'available'),
    t.created_at, t.updated_at FROM cc_teams t";

fn team_row(r: &Row<'_>) -> rusqlite::Result<Team> {
    Ok(Team {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        team_type: r.get(3)?,
        max_agents: r.get(4)?,
        supervisor_id: r.get(5)?,
        is_active: r.get(6)?,
        agent_count: r.get(7)?,
        available_agents: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

pub fn get_team(conn: &Connection, id: i64) -> ApiResult<Team> {
    conn.query_row(&format!("{TEAM_SELECT} WHERE t.id = ?1"), [id], team_row)
        .optional()?
        .ok_or_else(|| not_found("Team", id))
}

pub fn list_teams(
    conn: &Connection,
    is_active: Option<bool>,
    team_type: Option<&str>,
    w: Window,
) -> ApiResult<(Vec<Team>, u64)> {
    let mut f = Filter::new();
    if let Some(a) = is_active {
        f.and("t.is_active = ?", vec![int(a as i64)]);
    }
    if let Some(t) = team_type {
        f.and("t.team_type = ?", vec![text(t)]);
    }
    page(conn, TEAM_SELECT, "cc_teams t", &f, "t.id", w, team_row)
}

/// Runs a filtered, paged select and its count.
fn page<T>(
    conn: &Connection,
    select: &str,
    from: &str,
    f: &Filter,
    order: &str,
    w: Window,
    map: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> ApiResult<(Vec<T>, u64)> {
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM {from} {}", f.sql()),
        params_from_iter(f.args.iter()),
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "{select} {} ORDER BY {order} LIMIT {} OFFSET {}",
        f.sql(),
        w.limit,
        w.offset
    ))?;
    let rows = stmt
        .query_map(params_from_iter(f.args.iter()), map)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total as u64))
}

pub fn team_name_taken(conn: &Connection, name: &str, except: Option<i64>) -> ApiResult<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM cc_teams WHERE name = ?1 COLLATE NOCASE AND (?2 IS NULL OR id != ?2))",
        params![name, except],
        |r| r.get(0),
    )?)
}

pub fn save_team(tx: &Connection, t: &Team) -> ApiResult<i64> {
    let now = now();
    if t.id == 0 {
        tx.execute(
            "INSERT INTO cc_teams (name, description, team_type, max_agents, supervisor_id, is_active,
                created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![t.name, t.description, t.team_type, t.max_agents, t.supervisor_id, t.is_active, now],
        )?;
        Ok(tx.last_insert_rowid())
    } else {
        tx.execute(
            "UPDATE cc_teams SET name = ?2, description = ?3, team_type = ?4, max_agents = ?5,
                supervisor_id = ?6, is_active = ?7, updated_at = ?8 WHERE id = ?1",
            params![
                t.id,
                t.name,
                t.description,
                t.team_type,
                t.max_agents,
                t.supervisor_id,
                t.is_active,
                now
            ],
        )?;
        Ok(t.id)
    }
}

pub fn delete_team(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute("DELETE FROM cc_teams WHERE id = ?1", [id])?;
    Ok(())
}

// ---- agents ----

const AGENT_SELECT: &str = "SELECT a.id, a.user_id, COALESCE(u.name, ''), COALESCE(u.email, ''),
    a.team_id, a.agent_number, a.status, a.skill_level, a.max_concurrent_calls,
    (SELECT COUNT(*) FROM cc_calls k WHERE k.agent_id = a.id AND k.status = 'in_progress'),
    a.languages, a.specialties, a.status_changed_at, a.created_at, a.updated_at
    FROM cc_agents a LEFT JOIN platform_users u ON u.seq = a.user_id";

fn agent_row(r: &Row<'_>) -> rusqlite::Result<Agent> {
    Ok(Agent {
        id: r.get(0)?,
        user_id: r.get(1)?,
        name: r.get(2)?,
        email: r.get(3)?,
        team_id: r.get(4)?,
        agent_number: r.get(5)?,
        status: r.get(6)?,
        skill_level: r.get(7)?,
        max_concurrent_calls: r.get(8)?,
        current_calls: r.get(9)?,
        languages: string_list(&r.get::<_, String>(10)?),
        specialties: string_list(&r.get::<_, String>(11)?),
        skills: Vec::new(),
        status_changed_at: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

pub fn skills_of(conn: &Connection, agent: i64) -> ApiResult<Vec<AgentSkill>> {
    let mut stmt = conn.prepare_cached(
        "SELECT skill_name, proficiency FROM cc_agent_skills WHERE agent_id = ?1
         ORDER BY proficiency DESC, skill_name",
    )?;
    let rows = stmt
        .query_map([agent], |r| {
            let name: String = r.get(0)?;
            Ok(AgentSkill {
                // Stored names were checked on the way in.
                skill_name: SkillText::new(name).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Text,
                        e.into(),
                    )
                })?,
                proficiency: r.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn with_skills(conn: &Connection, mut a: Agent) -> ApiResult<Agent> {
    a.skills = skills_of(conn, a.id)?;
    Ok(a)
}

pub fn get_agent(conn: &Connection, id: i64) -> ApiResult<Agent> {
    let a = conn
        .query_row(&format!("{AGENT_SELECT} WHERE a.id = ?1"), [id], agent_row)
        .optional()?
        .ok_or_else(|| not_found("Agent", id))?;
    with_skills(conn, a)
}

pub fn list_agents(conn: &Connection, q: &AgentQuery, w: Window) -> ApiResult<(Vec<Agent>, u64)> {
    let mut f = Filter::new();
    if let Some(t) = q.team_id {
        f.and("a.team_id = ?", vec![int(t)]);
    }
    if let Some(s) = &q.status {
        f.and("a.status = ?", vec![text(s)]);
    }
    if let Some(s) = &q.skill {
        f.and(
            "EXISTS (SELECT 1 FROM cc_agent_skills s WHERE s.agent_id = a.id AND s.skill_name = ?)",
            vec![text(&s.to_lowercase())],
        );
    }
    if let Some(l) = &q.language {
        f.and(
            "a.languages LIKE ? ESCAPE '\\'",
            vec![like(&format!("\"{l}"))],
        );
    }
    let (rows, total) = page(conn, AGENT_SELECT, "cc_agents a", &f, "a.id", w, agent_row)?;
    let rows = rows
        .into_iter()
        .map(|a| with_skills(conn, a))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((rows, total))
}

/// Every agent (for routing), with skills.
pub fn all_agents(conn: &Connection, status: Option<&str>) -> ApiResult<Vec<Agent>> {
    let mut stmt = conn.prepare(&format!(
        "{AGENT_SELECT} WHERE (?1 IS NULL OR a.status = ?1) ORDER BY a.id"
    ))?;
    let rows = stmt
        .query_map([status], agent_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(|a| with_skills(conn, a)).collect()
}

pub fn agent_for_user(conn: &Connection, user_id: i64) -> ApiResult<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM cc_agents WHERE user_id = ?1",
            [user_id],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn agent_number_taken(conn: &Connection, number: &str, except: Option<i64>) -> ApiResult<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM cc_agents WHERE agent_number = ?1 AND (?2 IS NULL OR id != ?2))",
        params![number, except],
        |r| r.get(0),
    )?)
}

pub fn save_agent(tx: &Connection, a: &Agent, status_changed: bool) -> ApiResult<i64> {
    let now = now();
    let langs = serde_json::to_string(&a.languages)?;
    let specs = serde_json::to_string(&a.specialties)?;
    if a.id == 0 {
        tx.execute(
            "INSERT INTO cc_agents (user_id, team_id, agent_number, status, skill_level,
                max_concurrent_calls, languages, specialties, status_changed_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?9)",
            params![a.user_id, a.team_id, a.agent_number, a.status, a.skill_level,
                    a.max_concurrent_calls, langs, specs, now],
        )?;
        Ok(tx.last_insert_rowid())
    } else {
        tx.execute(
            "UPDATE cc_agents SET team_id = ?2, agent_number = ?3, status = ?4, skill_level = ?5,
                max_concurrent_calls = ?6, languages = ?7, specialties = ?8, updated_at = ?9,
                status_changed_at = CASE WHEN ?10 THEN ?9 ELSE status_changed_at END
             WHERE id = ?1",
            params![
                a.id,
                a.team_id,
                a.agent_number,
                a.status,
                a.skill_level,
                a.max_concurrent_calls,
                langs,
                specs,
                now,
                status_changed
            ],
        )?;
        Ok(a.id)
    }
}

pub fn upsert_skill(tx: &Connection, agent: i64, s: &AgentSkill) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO cc_agent_skills (agent_id, skill_name, proficiency) VALUES (?1, ?2, ?3)
         ON CONFLICT(agent_id, skill_name) DO UPDATE SET proficiency = excluded.proficiency",
        params![agent, s.skill_name.as_str(), s.proficiency],
    )?;
    Ok(())
}

pub fn delete_agent(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute("DELETE FROM cc_agents WHERE id = ?1", [id])?;
    Ok(())
}

// ---- queues ----

/// Calls leaving a queue this recently count in its average wait.
pub const AVG_WAIT_WINDOW_SECS: i64 = 86_400;

const QUEUE_SELECT: &str = "SELECT q.id, q.name, q.description, q.queue_type, q.status,
    (SELECT COUNT(*) FROM cc_calls k WHERE k.queue_id = q.id AND k.status = 'in_progress'),
    (SELECT COUNT(*) FROM cc_calls k WHERE k.queue_id = q.id AND k.status = 'queued'),
    q.max_size,
    (SELECT AVG(k.wait_time) FROM cc_calls k WHERE k.queue_id = q.id AND k.wait_time IS NOT NULL
        AND k.status != 'queued' AND COALESCE(k.assigned_at, k.ended_at) >= ?1),
    (SELECT MIN(k.queued_at) FROM cc_calls k WHERE k.queue_id = q.id AND k.status = 'queued'),
    q.timeout_seconds, q.team_id, q.required_skills, q.created_at, q.updated_at
    FROM cc_queues q";

fn queue_row(r: &Row<'_>) -> rusqlite::Result<Queue> {
    let oldest: Option<String> = r.get(9)?;
    let avg: Option<f64> = r.get(8)?;
    Ok(Queue {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        queue_type: r.get(3)?,
        status: r.get(4)?,
        current_calls: r.get(5)?,
        waiting_calls: r.get(6)?,
        max_size: r.get(7)?,
        avg_wait_time: crate::store::campaigns::round(avg.unwrap_or(0.0), 2),
        longest_wait_time: oldest
            .map(|t| (chrono::Utc::now().timestamp() - crate::common::epoch(&t)).max(0))
            .unwrap_or(0),
        timeout_seconds: r.get(10)?,
        team_id: r.get(11)?,
        required_skills: string_list(&r.get::<_, String>(12)?),
        available_agents: 0,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

fn since() -> String {
    crate::common::ts(chrono::Utc::now() - chrono::Duration::seconds(AVG_WAIT_WINDOW_SECS))
}

pub fn get_queue(conn: &Connection, id: i64) -> ApiResult<Queue> {
    conn.query_row(
        &format!("{QUEUE_SELECT} WHERE q.id = ?2"),
        params![since(), id],
        queue_row,
    )
    .optional()?
    .ok_or_else(|| not_found("Queue", id))
}

pub fn list_queues(
    conn: &Connection,
    status: Option<&str>,
    queue_type: Option<&str>,
    w: Window,
) -> ApiResult<(Vec<Queue>, u64)> {
    let mut f = Filter::new();
    // ?1 is the average-wait window.
    f.args.push(text(&since()));
    if let Some(s) = status {
        f.and("q.status = ?", vec![text(s)]);
    }
    if let Some(t) = queue_type {
        f.and("q.queue_type = ?", vec![text(t)]);
    }
    let count_args = &f.args[1..];
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM cc_queues q {}", f.sql()),
        params_from_iter(count_args.iter()),
        |r| r.get(0),
    )?;
    // Positional `?` after the numbered ?1 continue at ?2.
    let mut stmt = conn.prepare(&format!(
        "{QUEUE_SELECT} {} ORDER BY q.id LIMIT {} OFFSET {}",
        f.sql(),
        w.limit,
        w.offset
    ))?;
    let rows = stmt
        .query_map(params_from_iter(f.args.iter()), queue_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total as u64))
}

pub fn queue_name_taken(conn: &Connection, name: &str, except: Option<i64>) -> ApiResult<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM cc_queues WHERE name = ?1 COLLATE NOCASE AND (?2 IS NULL OR id != ?2))",
        params![name, except],
        |r| r.get(0),
    )?)
}

pub fn save_queue(tx: &Connection, q: &Queue) -> ApiResult<i64> {
    let now = now();
    let skills = serde_json::to_string(&q.required_skills)?;
    if q.id == 0 {
        tx.execute(
            "INSERT INTO cc_queues (name, description, queue_type, status, max_size, timeout_seconds,
                team_id, required_skills, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            params![q.name, q.description, q.queue_type, q.status, q.max_size, q.timeout_seconds,
                    q.team_id, skills, now],
        )?;
        Ok(tx.last_insert_rowid())
    } else {
        tx.execute(
            "UPDATE cc_queues SET name = ?2, description = ?3, queue_type = ?4, status = ?5,
                max_size = ?6, timeout_seconds = ?7, team_id = ?8, required_skills = ?9, updated_at = ?10
             WHERE id = ?1",
            params![q.id, q.name, q.description, q.queue_type, q.status, q.max_size,
                    q.timeout_seconds, q.team_id, skills, now],
        )?;
        Ok(q.id)
    }
}

pub fn delete_queue(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute("DELETE FROM cc_queues WHERE id = ?1", [id])?;
    Ok(())
}

// ---- companies ----

const COMPANY_SELECT: &str = "SELECT c.id, c.name, c.domain, c.industry, c.size, c.description,
    c.contact_email, c.contact_phone, c.address, c.settings, c.is_active, c.created_at, c.updated_at
    FROM cc_companies c";

fn company_row(r: &Row<'_>) -> rusqlite::Result<Company> {
    Ok(Company {
        id: r.get(0)?,
        name: r.get(1)?,
        domain: r.get(2)?,
        industry: r.get(3)?,
        size: r.get(4)?,
        description: r.get(5)?,
        contact_email: r.get(6)?,
        contact_phone: r.get(7)?,
        address: serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or_default(),
        settings: json_col(&r.get::<_, String>(9)?),
        is_active: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
    })
}

pub fn get_company(conn: &Connection, id: i64) -> ApiResult<Company> {
    conn.query_row(
        &format!("{COMPANY_SELECT} WHERE c.id = ?1"),
        [id],
        company_row,
    )
    .optional()?
    .ok_or_else(|| not_found("Company", id))
}

pub fn list_companies(
    conn: &Connection,
    is_active: Option<bool>,
    industry: Option<&str>,
    search: Option<&str>,
    w: Window,
) -> ApiResult<(Vec<Company>, u64)> {
    let mut f = Filter::new();
    if let Some(a) = is_active {
        f.and("c.is_active = ?", vec![int(a as i64)]);
    }
    if let Some(i) = industry {
        f.and("c.industry = ? COLLATE NOCASE", vec![text(i)]);
    }
    if let Some(q) = search {
        f.and(
            "(c.name LIKE ? ESCAPE '\\' OR c.domain LIKE ? ESCAPE '\\')",
            vec![like(q), like(q)],
        );
    }
    page(
        conn,
        COMPANY_SELECT,
        "cc_companies c",
        &f,
        "c.id",
        w,
        company_row,
    )
}

pub fn domain_taken(conn: &Connection, domain: &str, except: Option<i64>) -> ApiResult<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM cc_companies WHERE domain = ?1 COLLATE NOCASE AND (?2 IS NULL OR id != ?2))",
        params![domain, except],
        |r| r.get(0),
    )?)
}

pub fn save_company(tx: &Connection, c: &Company, created_by: i64) -> ApiResult<i64> {
    let now = now();
    let address = serde_json::to_string(&c.address)?;
    let settings = c.settings.to_string();
    if c.id == 0 {
        tx.execute(
            "INSERT INTO cc_companies (name, domain, industry, size, description, contact_email,
                contact_phone, address, settings, is_active, created_by_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
            params![
                c.name,
                c.domain,
                c.industry,
                c.size,
                c.description,
                c.contact_email,
                c.contact_phone,
                address,
                settings,
                c.is_active,
                created_by,
                now
            ],
        )?;
        Ok(tx.last_insert_rowid())
    } else {
        tx.execute(
            "UPDATE cc_companies SET name = ?2, domain = ?3, industry = ?4, size = ?5,
                description = ?6, contact_email = ?7, contact_phone = ?8, address = ?9,
                settings = ?10, is_active = ?11, updated_at = ?12 WHERE id = ?1",
            params![
                c.id,
                c.name,
                c.domain,
                c.industry,
                c.size,
                c.description,
                c.contact_email,
                c.contact_phone,
                address,
                settings,
                c.is_active,
                now
            ],
        )?;
        Ok(c.id)
    }
}

pub fn delete_company(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute("DELETE FROM cc_companies WHERE id = ?1", [id])?;
    Ok(())
}

/// Each agent's place in the order calls were handed out (higher: more
/// recently); agents never handed a call are absent.
pub fn routed_order(conn: &Connection) -> ApiResult<std::collections::HashMap<i64, i64>> {
    let mut stmt = conn
        .prepare("SELECT id, last_routed_seq FROM cc_agents WHERE last_routed_seq IS NOT NULL")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Records that `agent` was just handed a call (for longest-idle routing).
pub fn mark_routed(tx: &Connection, agent: i64) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_agents SET last_routed_seq =
            (SELECT COALESCE(MAX(last_routed_seq), 0) + 1 FROM cc_agents) WHERE id = ?1",
        [agent],
    )?;
    Ok(())
}
