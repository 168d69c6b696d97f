//! The SQL of routing rules.

use frontline_platform::page::Window;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::insight::not_found;
use crate::model::routing_rules::*;

const COLS: &str = "id, name, description, priority, strategy, is_active, conditions, targets, \
     fallback_action, created_at, updated_at";

fn rule_row(r: &Row) -> rusqlite::Result<RoutingRule> {
    let conditions: String = r.get(6)?;
    let targets: String = r.get(7)?;
    let fallback: Option<String> = r.get(8)?;
    Ok(RoutingRule {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        priority: r.get(3)?,
        strategy: r.get(4)?,
        is_active: r.get(5)?,
        conditions: serde_json::from_str(&conditions).unwrap_or_default(),
        targets: serde_json::from_str(&targets).unwrap_or_default(),
        fallback_action: fallback.and_then(|f| serde_json::from_str(&f).ok()),
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

pub fn get_rule(conn: &Connection, id: i64) -> ApiResult<RoutingRule> {
    conn.query_row(
        &format!("SELECT {COLS} FROM cc_routing_rules WHERE id = ?1"),
        [id],
        rule_row,
    )
    .optional()?
    .ok_or_else(|| not_found("Routing rule", id))
}

/// The active rules by priority (highest first, then oldest).
pub fn active_rules(conn: &Connection) -> ApiResult<Vec<RoutingRule>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM cc_routing_rules WHERE is_active = 1 ORDER BY priority DESC, id ASC"
    ))?;
    let rules = stmt
        .query_map([], rule_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rules)
}

/// The agent rule `rule_id` gave its previous call to (the round-robin cursor).
pub fn cursor(conn: &Connection, rule_id: i64) -> ApiResult<Option<i64>> {
    Ok(conn.query_row(
        "SELECT last_agent_id FROM cc_routing_rules WHERE id = ?1",
        [rule_id],
        |r| r.get(0),
    )?)
}

/// Moves rule `rule_id`'s round-robin cursor to `agent_id`.
pub fn set_cursor(conn: &Connection, rule_id: i64, agent_id: i64) -> ApiResult<()> {
    conn.execute(
        "UPDATE cc_routing_rules SET last_agent_id = ?2 WHERE id = ?1",
        params![rule_id, agent_id],
    )?;
    Ok(())
}

/// One page of rules by priority (highest first, then oldest), with the total.
pub fn list_rules(
    c: &Connection,
    active: Option<bool>,
    min: Option<i64>,
    w: &Window,
) -> ApiResult<(Vec<RoutingRule>, u64)> {
    let filter = "(?1 IS NULL OR is_active = ?1) AND (?2 IS NULL OR priority >= ?2)";
    let total: i64 = c.query_row(
        &format!("SELECT COUNT(*) FROM cc_routing_rules WHERE {filter}"),
        params![active, min],
        |r| r.get(0),
    )?;
    let mut stmt = c.prepare(&format!(
        "SELECT {COLS} FROM cc_routing_rules WHERE {filter}
         ORDER BY priority DESC, id ASC LIMIT ?3 OFFSET ?4"
    ))?;
    let items = stmt
        .query_map(
            params![active, min, w.limit as i64, w.offset as i64],
            rule_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

/// A rule's stored fields.
pub struct RuleFields<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub priority: i64,
    pub strategy: &'a str,
    pub is_active: bool,
    pub conditions: &'a [Condition],
    pub targets: &'a [Target],
    pub fallback_action: Option<&'a FallbackAction>,
    pub at: &'a str,
}

/// Inserts a rule; returns its id.
pub fn insert_rule(tx: &Connection, f: &RuleFields<'_>, created_by: i64) -> ApiResult<i64> {
    tx.execute(
        "INSERT INTO cc_routing_rules (name, description, priority, strategy, is_active, conditions,
            targets, fallback_action, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![
            f.name,
            f.description,
            f.priority,
            f.strategy,
            f.is_active,
            serde_json::to_string(f.conditions)?,
            serde_json::to_string(f.targets)?,
            f.fallback_action.map(serde_json::to_string).transpose()?,
            created_by,
            f.at
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Writes rule `id`'s fields.
pub fn update_rule(tx: &Connection, id: i64, f: &RuleFields<'_>) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_routing_rules SET name = ?2, description = ?3, priority = ?4, strategy = ?5,
            is_active = ?6, conditions = ?7, targets = ?8, fallback_action = ?9, updated_at = ?10
         WHERE id = ?1",
        params![
            id,
            f.name,
            f.description,
            f.priority,
            f.strategy,
            f.is_active,
            serde_json::to_string(f.conditions)?,
            serde_json::to_string(f.targets)?,
            f.fallback_action.map(serde_json::to_string).transpose()?,
            f.at
        ],
    )?;
    Ok(())
}

/// Deletes rule `id`.
pub fn delete_rule(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute("DELETE FROM cc_routing_rules WHERE id = ?1", [id])?;
    Ok(())
}
