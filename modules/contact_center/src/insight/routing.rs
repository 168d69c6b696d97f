//! Routing rules: conditions over a call's attributes (AND/OR), weighted
//! targets and a fallback action, evaluated by priority.

use frontline_platform::body::JsonBody;
use frontline_platform::search::MAX_FILTER_VALUES;
use frontline_platform::write;
use frontline_platform::{ApiError, ApiResult, BearerAuth, FieldError, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    check_text, fail_if, iso, listed, not_found, now, require_manager, require_operator, window,
    Created, Deleted, Listed, Result, Tag,
};
use crate::model::Agent;
use crate::model::{CallAttributes, RoutingDecision as QueueRouting};
use crate::store::org as org_store;
use crate::SLUG;

// ---------------------------------------------------------------- model

pub const OPERATORS: &[&str] = &[
    "equals",
    "not_equals",
    "in",
    "not_in",
    "contains",
    "greater_than",
    "less_than",
    "greater_or_equal",
    "less_or_equal",
    "exists",
];
pub const STRATEGIES: &[&str] = &[
    "skill_based",
    "round_robin",
    "weighted",
    "least_busy",
    "longest_idle",
    "priority",
    "direct",
];
pub const TARGET_TYPES: &[&str] = &["team", "agent", "queue"];
pub const ACTION_TYPES: &[&str] = &["queue", "voicemail", "transfer", "hangup", "agent", "team"];

/// One test on a call attribute.
#[derive(Object, Clone, Debug, Serialize, Deserialize)]
pub struct Condition {
    /// The call attribute, e.g. `customer_tier`; dotted paths reach into objects.
    pub field: String,
    /// equals, not_equals, in, not_in, contains, greater_than, less_than,
    /// greater_or_equal, less_or_equal, exists.
    pub operator: String,
    /// A string, number or boolean; a list for `in`/`not_in`.
    pub value: Value,
    /// How this condition joins the ones before it: `AND` (default) or `OR`.
    /// AND binds tighter than OR: `a AND b OR c` is `(a AND b) OR c`.
    pub logic: Option<String>,
}

/// Where matching calls go; one target is picked with probability weight / sum of weights.
#[derive(Object, Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Target {
    /// team, agent or queue.
    pub target_type: String,
    pub target_id: i64,
    /// 1..=100, default 100.
    pub weight: Option<i64>,
}

/// What happens when none of the targets can take the call.
#[derive(Object, Clone, Debug, Serialize, Deserialize)]
pub struct FallbackAction {
    /// queue, voicemail, transfer, hangup, agent or team.
    pub action_type: String,
    pub queue_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Transfer: the number to transfer to.
    pub transfer_to: Option<String>,
    pub message: Option<String>,
}

/// A routing rule.
#[derive(Object, Clone, Debug)]
pub struct RoutingRule {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    /// Higher runs first.
    pub priority: i64,
    pub strategy: String,
    pub is_active: bool,
    pub conditions: Vec<Condition>,
    pub targets: Vec<Target>,
    pub fallback_action: Option<FallbackAction>,
    pub created_at: String,
    pub updated_at: String,
}

/// A new routing rule.
#[derive(Object, Debug)]
pub struct RoutingRuleCreate {
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub name: String,
    pub description: Option<String>,
    /// 0..=1000, default 0; higher runs first.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000")))]
    pub priority: Option<i64>,
    /// How queue assignment orders the rule's agents (default weighted):
    /// round_robin (in order, after the agent served last), least_busy (fewest
    /// calls in progress), longest_idle (handed a call longest ago), skill_based
    /// (best proficiency in the call's skills, then skill level), weighted (one
    /// target drawn by weight), priority (targets in listed order) or direct
    /// (the first target only). The first agent who can take the call gets it.
    pub strategy: Option<String>,
    pub is_active: Option<bool>,
    /// No conditions: the rule matches every call.
    #[oai(default)]
    pub conditions: Vec<Condition>,
    #[oai(default)]
    pub targets: Vec<Target>,
    pub fallback_action: Option<FallbackAction>,
}

/// Changes to a rule; omitted fields stay, lists are replaced whole.
#[derive(Object, Debug)]
pub struct RoutingRuleUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub priority: Option<i64>,
    pub strategy: Option<String>,
    pub is_active: Option<bool>,
    pub conditions: Option<Vec<Condition>>,
    pub targets: Option<Vec<Target>>,
    pub fallback_action: Option<FallbackAction>,
}

/// Extension: a call to route.
#[derive(Object, Debug)]
pub struct EvaluateRequest {
    /// The call's attributes, e.g. `{"customer_tier": "VIP", "call_type": "sales"}`.
    pub attributes: crate::model::JsonObject,
    /// Targets that cannot take calls now (busy, offline); the rule's fallback
    /// applies when all its targets are listed here.
    #[oai(default)]
    pub unavailable_targets: Vec<Target>,
    /// When given, the weighted choice is stable for this call (same call, same target).
    pub call_id: Option<String>,
}

/// Extension: where a call goes.
#[derive(Object, Clone, Debug, Serialize)]
pub struct RoutingDecision {
    /// A rule matched.
    pub matched: bool,
    pub rule_id: Option<i64>,
    pub rule_name: Option<String>,
    pub strategy: Option<String>,
    /// The chosen target (none when the fallback applies or nothing matched).
    pub target: Option<Target>,
    /// True when the matched rule's targets were all unavailable.
    pub used_fallback: bool,
    pub fallback_action: Option<FallbackAction>,
    /// Active rules tested, in priority order, until one matched.
    pub rules_evaluated: i64,
}

// ---------------------------------------------------------------- rules

/// Most conditions of one rule (each is evaluated for every routed call);
/// `in`/`not_in` lists hold at most `MAX_FILTER_VALUES` (100) values.
pub const MAX_CONDITIONS: usize = 50;

fn validate(
    name: Option<&str>,
    priority: Option<i64>,
    strategy: Option<&str>,
    conditions: Option<&[Condition]>,
    targets: Option<&[Target]>,
    fallback: Option<&FallbackAction>,
) -> Vec<FieldError> {
    let mut e = Vec::new();
    if let Some(n) = name {
        check_text(&mut e, "name", n, 200);
    }
    if priority.is_some_and(|p| !(0..=1000).contains(&p)) {
        e.push(FieldError::new("priority", "must be between 0 and 1000"));
    }
    if let Some(s) = strategy {
        if !STRATEGIES.contains(&s) {
            e.push(FieldError::new(
                "strategy",
                format!("must be one of {}", STRATEGIES.join(", ")),
            ));
        }
    }
    let conditions = conditions.unwrap_or_default();
    if conditions.len() > MAX_CONDITIONS {
        e.push(FieldError::new(
            "conditions",
            format!("at most {MAX_CONDITIONS} conditions"),
        ));
    }
    for (i, c) in conditions.iter().enumerate() {
        if c.value
            .as_array()
            .is_some_and(|v| v.len() > MAX_FILTER_VALUES)
        {
            e.push(FieldError::new(
                format!("conditions[{i}].value"),
                format!("at most {MAX_FILTER_VALUES} values"),
            ));
        }
        if c.field.trim().is_empty() {
            e.push(FieldError::new(
                format!("conditions[{i}].field"),
                "must not be empty",
            ));
        }
        if !OPERATORS.contains(&c.operator.as_str()) {
            e.push(FieldError::new(
                format!("conditions[{i}].operator"),
                format!("must be one of {}", OPERATORS.join(", ")),
            ));
        }
        match c.operator.as_str() {
            "in" | "not_in" if !c.value.is_array() => e.push(FieldError::new(
                format!("conditions[{i}].value"),
                format!("{} needs a list of values", c.operator),
            )),
            "greater_than" | "less_than" | "greater_or_equal" | "less_or_equal"
                if as_number(&c.value).is_none() =>
            {
                e.push(FieldError::new(
                    format!("conditions[{i}].value"),
                    format!("{} needs a number", c.operator),
                ))
            }
            _ => {}
        }
        if let Some(l) = &c.logic {
            if !l.eq_ignore_ascii_case("and") && !l.eq_ignore_ascii_case("or") {
                e.push(FieldError::new(
                    format!("conditions[{i}].logic"),
                    "must be AND or OR",
                ));
            }
        }
    }
    if let Some(ts) = targets {
        if ts.len() > 50 {
            e.push(FieldError::new("targets", "at most 50 targets"));
        }
        for (i, t) in ts.iter().enumerate() {
            if !TARGET_TYPES.contains(&t.target_type.as_str()) {
                e.push(FieldError::new(
                    format!("targets[{i}].target_type"),
                    "must be team, agent or queue",
                ));
            }
            if t.target_id < 1 {
                e.push(FieldError::new(
                    format!("targets[{i}].target_id"),
                    "must be a positive id",
                ));
            }
            if t.weight.is_some_and(|w| !(1..=100).contains(&w)) {
                e.push(FieldError::new(
                    format!("targets[{i}].weight"),
                    "must be between 1 and 100",
                ));
            }
        }
    }
    if let Some(f) = fallback {
        let field = |s: &str| format!("fallback_action.{s}");
        match f.action_type.as_str() {
            "queue" if f.queue_id.is_none() => e.push(FieldError::new(
                field("queue_id"),
                "a queue fallback needs queue_id",
            )),
            "agent" if f.agent_id.is_none() => e.push(FieldError::new(
                field("agent_id"),
                "an agent fallback needs agent_id",
            )),
            "team" if f.team_id.is_none() => e.push(FieldError::new(
                field("team_id"),
                "a team fallback needs team_id",
            )),
            "transfer" if f.transfer_to.as_deref().is_none_or(|s| s.trim().is_empty()) => {
                e.push(FieldError::new(
                    field("transfer_to"),
                    "a transfer fallback needs transfer_to",
                ))
            }
            t if !ACTION_TYPES.contains(&t) => e.push(FieldError::new(
                field("action_type"),
                format!("must be one of {}", ACTION_TYPES.join(", ")),
            )),
            _ => {}
        }
    }
    e
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn lookup<'a>(attrs: &'a Value, field: &str) -> Option<&'a Value> {
    if let Some(v) = attrs.get(field) {
        return Some(v);
    }
    field.split('.').try_fold(attrs, |v, part| v.get(part))
}

/// Loose equality: strings compare case-insensitively, numbers numerically.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        _ => match (as_number(a), as_number(b)) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-9,
            _ => a == b,
        },
    }
}

/// True when `c` holds for `attrs`.
pub fn condition_holds(c: &Condition, attrs: &Value) -> bool {
    let actual = lookup(attrs, &c.field);
    let Some(actual) = actual.filter(|v| !v.is_null()) else {
        return matches!(c.operator.as_str(), "not_equals" | "not_in")
            || (c.operator == "exists" && c.value == Value::Bool(false));
    };
    let num = |f: fn(f64, f64) -> bool| match (as_number(actual), as_number(&c.value)) {
        (Some(a), Some(b)) => f(a, b),
        _ => false,
    };
    match c.operator.as_str() {
        "equals" => same(actual, &c.value),
        "not_equals" => !same(actual, &c.value),
        "in" => c
            .value
            .as_array()
            .is_some_and(|vs| vs.iter().any(|v| same(actual, v))),
        "not_in" => !c
            .value
            .as_array()
            .is_some_and(|vs| vs.iter().any(|v| same(actual, v))),
        "contains" => match actual {
            Value::Array(items) => items.iter().any(|v| same(v, &c.value)),
            Value::String(s) => c
                .value
                .as_str()
                .is_some_and(|needle| s.to_lowercase().contains(&needle.to_lowercase())),
            _ => false,
        },
        "greater_than" => num(|a, b| a > b),
        "less_than" => num(|a, b| a < b),
        "greater_or_equal" => num(|a, b| a >= b),
        "less_or_equal" => num(|a, b| a <= b),
        "exists" => c.value != Value::Bool(false),
        _ => false,
    }
}

/// Conditions joined by their `logic`, AND before OR. No conditions: true.
pub fn conditions_hold(conditions: &[Condition], attrs: &Value) -> bool {
    if conditions.is_empty() {
        return true;
    }
    let mut any_group = false;
    let mut group = true;
    for (i, c) in conditions.iter().enumerate() {
        let is_or = i > 0
            && c.logic
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case("or"));
        if is_or {
            any_group |= group;
            group = true;
        }
        group = group && condition_holds(c, attrs);
    }
    any_group || group
}

/// Picks a target by weight; `seed` in 0..1 (stable per call id when given).
pub fn pick_weighted(targets: &[Target], seed: f64) -> Option<Target> {
    let total: i64 = targets.iter().map(|t| t.weight.unwrap_or(100)).sum();
    if total <= 0 {
        return None;
    }
    let mut x = seed.clamp(0.0, 0.999_999_999) * total as f64;
    for t in targets {
        let w = t.weight.unwrap_or(100) as f64;
        if x < w {
            return Some(t.clone());
        }
        x -= w;
    }
    targets.last().cloned()
}

fn seed_for(call_id: Option<&str>) -> f64 {
    match call_id {
        Some(id) => {
            // FNV-1a: stable across runs and platforms.
            let mut h: u64 = 0xcbf29ce484222325;
            for b in id.bytes() {
                h ^= b as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
            (h % 1_000_000) as f64 / 1_000_000.0
        }
        None => rand::rng().random::<f64>(),
    }
}

/// Evaluates a call's `attributes` against the active rules by priority
/// (highest first, then oldest) and returns where the call goes.
pub fn evaluate(conn: &Connection, attributes: &Value) -> ApiResult<RoutingDecision> {
    evaluate_with(conn, attributes, &[], None)
}

/// The first active rule (by priority, highest first, then oldest) whose
/// conditions hold for `attributes`, and how many rules were tested.
/// Both `POST /routing/evaluate` and queue assignment use this.
pub fn matching_rule(
    conn: &Connection,
    attributes: &Value,
) -> ApiResult<(Option<RoutingRule>, i64)> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM cc_routing_rules WHERE is_active = 1 ORDER BY priority DESC, id ASC"
    ))?;
    let rules = stmt
        .query_map([], rule_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut evaluated = 0;
    for rule in rules {
        evaluated += 1;
        if conditions_hold(&rule.conditions, attributes) {
            return Ok((Some(rule), evaluated));
        }
    }
    Ok((None, evaluated))
}

/// [`evaluate`] with targets that cannot take calls now and an optional call id
/// that makes the weighted choice stable.
pub fn evaluate_with(
    conn: &Connection,
    attributes: &Value,
    unavailable: &[Target],
    call_id: Option<&str>,
) -> ApiResult<RoutingDecision> {
    let (rule, evaluated) = matching_rule(conn, attributes)?;
    let Some(rule) = rule else {
        return Ok(RoutingDecision {
            matched: false,
            rule_id: None,
            rule_name: None,
            strategy: None,
            target: None,
            used_fallback: false,
            fallback_action: None,
            rules_evaluated: evaluated,
        });
    };
    let free: Vec<Target> = rule
        .targets
        .iter()
        .filter(|t| {
            !unavailable
                .iter()
                .any(|u| u.target_type == t.target_type && u.target_id == t.target_id)
        })
        .cloned()
        .collect();
    let target = pick_weighted(&free, seed_for(call_id));
    Ok(RoutingDecision {
        matched: true,
        rule_id: Some(rule.id),
        rule_name: Some(rule.name),
        strategy: Some(rule.strategy),
        used_fallback: target.is_none(),
        fallback_action: if target.is_none() {
            rule.fallback_action
        } else {
            None
        },
        target,
        rules_evaluated: evaluated,
    })
}

// ---------------------------------------------------------------- assignment

/// The facts a queued call is matched on: its `attributes` given at enqueue,
/// plus `queue_id`, `priority`, `language`, `campaign_id`, `contact_id`,
/// `caller_number` and `required_skills` unless the attributes set them.
fn call_facts(call: &CallAttributes) -> Value {
    let mut facts = match &call.attributes {
        Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            facts.entry(k.to_string()).or_insert(v);
        }
    };
    put("queue_id", Value::from(call.queue_id));
    put("priority", Value::from(call.priority));
    put("language", serde_json::json!(call.language));
    put("campaign_id", serde_json::json!(call.campaign_id));
    put("contact_id", serde_json::json!(call.contact_id));
    put("caller_number", serde_json::json!(call.caller_number));
    put("required_skills", serde_json::json!(call.required_skills));
    Value::Object(facts)
}

/// The agents a target stands for: an agent; a team's members; a queue's
/// team's members (every agent when the queue has no team). By agent id.
fn expand(conn: &Connection, t: &Target, agents: &[Agent]) -> ApiResult<Vec<i64>> {
    let team_members = |team: Option<i64>| -> Vec<i64> {
        agents
            .iter()
            .filter(|a| team.is_none() || a.team_id == team)
            .map(|a| a.id)
            .collect()
    };
    Ok(match t.target_type.as_str() {
        "agent" => agents
            .iter()
            .filter(|a| a.id == t.target_id)
            .map(|a| a.id)
            .collect(),
        "team" => team_members(Some(t.target_id)),
        "queue" => match org_store::get_queue(conn, t.target_id) {
            Ok(q) => team_members(q.team_id),
            Err(_) => Vec::new(),
        },
        _ => Vec::new(),
    })
}

fn push_unique(into: &mut Vec<i64>, ids: Vec<i64>) {
    for id in ids {
        if !into.contains(&id) {
            into.push(id);
        }
    }
}

/// Queue assignment's routing: the first matching active rule's targets,
/// expanded into agents and ordered by the rule's strategy (assignment takes
/// the first of them that can take the call now):
///
/// - `round_robin`: the targets' agents in order, starting after the agent the
///   rule gave its previous call to (the cursor is stored with the rule);
/// - `least_busy`: fewest calls in progress first (then longest idle, id);
/// - `longest_idle`: the agent who was handed a call longest ago first (never first);
/// - `skill_based`: highest summed proficiency in the call's required skills,
///   then highest skill level, then id;
/// - `weighted`: one target drawn with probability weight / sum of weights
///   (stable per call id), its agents first, then the other targets';
/// - `priority`: the targets in the order listed;
/// - `direct`: the first target only.
///
/// The fallback's agent or team comes after the targets. `None`: no rule matched.
pub fn route_call(conn: &Connection, call: &CallAttributes) -> ApiResult<Option<QueueRouting>> {
    let (rule, _) = matching_rule(conn, &call_facts(call))?;
    let Some(rule) = rule else {
        return Ok(None);
    };
    let agents = org_store::all_agents(conn, None)?;
    let targets: Vec<Target> = match rule.strategy.as_str() {
        "direct" => rule.targets.iter().take(1).cloned().collect(),
        "weighted" => {
            let mut ts = rule.targets.clone();
            if let Some(first) = pick_weighted(&ts, seed_for(Some(&call.call_id))) {
                if let Some(p) = ts.iter().position(|t| *t == first) {
                    let t = ts.remove(p);
                    ts.insert(0, t);
                }
            }
            ts
        }
        _ => rule.targets.clone(),
    };
    let mut ids = Vec::new();
    for t in &targets {
        push_unique(&mut ids, expand(conn, t, &agents)?);
    }
    let routed = org_store::routed_order(conn)?;
    let idle = |id: &i64| routed.get(id).copied().unwrap_or(-1);
    let agent = |id: &i64| agents.iter().find(|a| a.id == *id);
    match rule.strategy.as_str() {
        "round_robin" => {
            let cursor: Option<i64> = conn.query_row(
                "SELECT last_agent_id FROM cc_routing_rules WHERE id = ?1",
                [rule.id],
                |r| r.get(0),
            )?;
            if let Some(p) = cursor.and_then(|c| ids.iter().position(|i| *i == c)) {
                ids.rotate_left(p + 1);
            }
        }
        "least_busy" => ids.sort_by_key(|id| {
            (
                agent(id).map(|a| a.current_calls).unwrap_or(i64::MAX),
                idle(id),
                *id,
            )
        }),
        "longest_idle" => ids.sort_by_key(|id| (idle(id), *id)),
        "skill_based" => ids.sort_by_key(|id| {
            let (score, level) = agent(id)
                .map(|a| {
                    let score: i64 = call
                        .required_skills
                        .iter()
                        .filter_map(|s| a.skills.iter().find(|k| &k.skill_name == s))
                        .map(|k| k.proficiency)
                        .sum();
                    (score, a.skill_level)
                })
                .unwrap_or((i64::MIN / 2, i64::MIN / 2));
            (-score, -level, *id)
        }),
        _ => {}
    }
    let mut fallback = None;
    if let Some(f) = &rule.fallback_action {
        let extra = match f.action_type.as_str() {
            "agent" => f.agent_id.map(|id| Target {
                target_type: "agent".into(),
                target_id: id,
                weight: None,
            }),
            "team" => f.team_id.map(|id| Target {
                target_type: "team".into(),
                target_id: id,
                weight: None,
            }),
            _ => None,
        };
        match extra {
            Some(t) => push_unique(&mut ids, expand(conn, &t, &agents)?),
            None => fallback = Some(f.action_type.clone()),
        }
    }
    Ok(Some(QueueRouting {
        agent_ids: ids,
        rule_id: Some(rule.id),
        rule_name: Some(rule.name),
        strategy: Some(rule.strategy),
        fallback,
    }))
}

/// Remembers which agent a rule gave a call to (the round-robin cursor).
pub fn record_choice(tx: &Connection, rule_id: i64, agent_id: i64) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_routing_rules SET last_agent_id = ?2 WHERE id = ?1",
        params![rule_id, agent_id],
    )?;
    Ok(())
}

// ---------------------------------------------------------------- store

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

fn get_rule(conn: &Connection, id: i64) -> ApiResult<RoutingRule> {
    conn.query_row(
        &format!("SELECT {COLS} FROM cc_routing_rules WHERE id = ?1"),
        [id],
        rule_row,
    )
    .optional()?
    .ok_or_else(|| not_found("Routing rule", id))
}

fn normalise_logic(mut cs: Vec<Condition>) -> Vec<Condition> {
    for c in &mut cs {
        c.logic = Some(
            c.logic
                .as_deref()
                .map(str::to_ascii_uppercase)
                .unwrap_or_else(|| "AND".into()),
        );
    }
    cs
}

fn fill_weights(ts: Vec<Target>) -> Vec<Target> {
    ts.into_iter()
        .map(|t| Target {
            weight: Some(t.weight.unwrap_or(100)),
            ..t
        })
        .collect()
}

// ---------------------------------------------------------------- api

pub struct RoutingApi {
    platform: Platform,
}

impl RoutingApi {
    pub fn new(platform: &Platform) -> Self {
        RoutingApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::RoutingRules")]
impl RoutingApi {
    /// List routing rules by priority (highest first); filter by `is_active`
    /// and `priority_min`.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/routing/rules", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        is_active: Query<Option<bool>>,
        priority_min: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<RoutingRule>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let (active, min) = (is_active.0, priority_min.0);
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
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
            })
            .await?;
        Ok(listed(items, &w, "/api/routing/rules", total))
    }

    /// Create a routing rule.
    #[oai(path = "/api/routing/rules", method = "post")]
    async fn create(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<RoutingRuleCreate>,
    ) -> Result<Created<RoutingRule>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let strategy = b.strategy.unwrap_or_else(|| "weighted".into());
        let mut errors = validate(
            Some(&b.name),
            b.priority,
            Some(&strategy),
            Some(&b.conditions),
            Some(&b.targets),
            b.fallback_action.as_ref(),
        );
        if b.targets.is_empty() && b.fallback_action.is_none() {
            errors.push(FieldError::new(
                "targets",
                "give at least one target or a fallback_action",
            ));
        }
        fail_if(errors)?;
        let rule = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let at = iso(now());
                tx.execute(
                    "INSERT INTO cc_routing_rules (name, description, priority, strategy, is_active, conditions,
                        targets, fallback_action, created_by, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                    params![
                        b.name.trim(),
                        b.description,
                        b.priority.unwrap_or(0),
                        strategy,
                        b.is_active.unwrap_or(true),
                        serde_json::to_string(&normalise_logic(b.conditions))?,
                        serde_json::to_string(&fill_weights(b.targets))?,
                        b.fallback_action.map(|f| serde_json::to_string(&f)).transpose()?,
                        auth.0.seq,
                        at
                    ],
                )?;
                let id = tx.last_insert_rowid();
                w.audit(SLUG, "routing_rule.create", "routing_rule", &id.to_string(), serde_json::json!({}))?;
                get_rule(tx, id)
            })
            .await?;
        Ok(Created::Created(Json(rule)))
    }

    /// Get a routing rule.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/routing/rules/:rule_id", method = "get")]
    async fn get(&self, auth: BearerAuth, rule_id: Path<i64>) -> Result<Json<RoutingRule>> {
        require_operator(&auth.0)?;
        let id = rule_id.0;
        Ok(Json(self.platform.db.read(move |c| get_rule(c, id)).await?))
    }

    /// Update a routing rule.
    #[oai(path = "/api/routing/rules/:rule_id", method = "put")]
    async fn update(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        rule_id: Path<i64>,
        body: JsonBody<RoutingRuleUpdate>,
    ) -> Result<Json<RoutingRule>> {
        require_manager(&auth.0)?;
        let b = body.0;
        fail_if(validate(
            b.name.as_deref(),
            b.priority,
            b.strategy.as_deref(),
            b.conditions.as_deref(),
            b.targets.as_deref(),
            b.fallback_action.as_ref(),
        ))?;
        let id = rule_id.0;
        let rule = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let cur = get_rule(tx, id)?;
                let targets = b.targets.map(fill_weights).unwrap_or(cur.targets);
                let fallback = b.fallback_action.or(cur.fallback_action);
                if targets.is_empty() && fallback.is_none() {
                    return Err(ApiError::invalid("targets", "give at least one target or a fallback_action"));
                }
                tx.execute(
                    "UPDATE cc_routing_rules SET name = ?2, description = ?3, priority = ?4, strategy = ?5,
                        is_active = ?6, conditions = ?7, targets = ?8, fallback_action = ?9, updated_at = ?10
                     WHERE id = ?1",
                    params![
                        id,
                        b.name.as_deref().map(str::trim).unwrap_or(&cur.name),
                        b.description.or(cur.description),
                        b.priority.unwrap_or(cur.priority),
                        b.strategy.unwrap_or(cur.strategy),
                        b.is_active.unwrap_or(cur.is_active),
                        serde_json::to_string(&normalise_logic(b.conditions.unwrap_or(cur.conditions)))?,
                        serde_json::to_string(&targets)?,
                        fallback.map(|f| serde_json::to_string(&f)).transpose()?,
                        iso(now())
                    ],
                )?;
                w.audit(SLUG, "routing_rule.update", "routing_rule", &id.to_string(), serde_json::json!({}))?;
                get_rule(tx, id)
            })
            .await?;
        Ok(Json(rule))
    }

    /// Delete a routing rule.
    #[oai(path = "/api/routing/rules/:rule_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        rule_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = rule_id.0;
        write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            get_rule(tx, id)?;
            tx.execute("DELETE FROM cc_routing_rules WHERE id = ?1", [id])?;
            w.audit(
                SLUG,
                "routing_rule.delete",
                "routing_rule",
                &id.to_string(),
                serde_json::json!({}),
            )
            .map(drop)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Extension: route a call. Active rules are tested by priority (highest
    /// first); the first whose conditions hold picks one of its available
    /// targets by weight, or returns its fallback action when none is available.
    #[oai(
        path = "/api/routing/evaluate",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn evaluate(
        &self,
        auth: BearerAuth,
        body: JsonBody<EvaluateRequest>,
    ) -> Result<Json<RoutingDecision>> {
        require_operator(&auth.0)?;
        let b = body.0;
        let attributes = b.attributes.into_value();
        let d = self
            .platform
            .db
            .read(move |c| {
                evaluate_with(c, &attributes, &b.unavailable_targets, b.call_id.as_deref())
            })
            .await?;
        Ok(Json(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn c(field: &str, op: &str, value: Value, logic: &str) -> Condition {
        Condition {
            field: field.into(),
            operator: op.into(),
            value,
            logic: Some(logic.into()),
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        // tier = VIP AND type = sales OR language = es
        let cs = vec![
            c("tier", "equals", json!("VIP"), "AND"),
            c("type", "equals", json!("sales"), "AND"),
            c("language", "equals", json!("es"), "OR"),
        ];
        assert!(conditions_hold(
            &cs,
            &json!({"tier": "vip", "type": "sales"})
        ));
        assert!(!conditions_hold(
            &cs,
            &json!({"tier": "VIP", "type": "support"})
        ));
        assert!(conditions_hold(
            &cs,
            &json!({"tier": "basic", "language": "es"})
        ));
    }

    #[test]
    fn operators() {
        let a = json!({"wait": 30, "tags": ["a", "b"], "name": "Acme Corp", "customer": {"tier": "gold"}});
        assert!(condition_holds(
            &c("wait", "greater_than", json!(20), "AND"),
            &a
        ));
        assert!(!condition_holds(
            &c("wait", "less_than", json!(20), "AND"),
            &a
        ));
        assert!(condition_holds(
            &c("tags", "contains", json!("b"), "AND"),
            &a
        ));
        assert!(condition_holds(
            &c("name", "contains", json!("acme"), "AND"),
            &a
        ));
        assert!(condition_holds(
            &c("customer.tier", "in", json!(["gold", "platinum"]), "AND"),
            &a
        ));
        assert!(condition_holds(
            &c("missing", "not_equals", json!("x"), "AND"),
            &a
        ));
        assert!(!condition_holds(
            &c("missing", "equals", json!("x"), "AND"),
            &a
        ));
    }

    #[test]
    fn weights_split_the_unit_interval() {
        let ts = vec![
            Target {
                target_type: "team".into(),
                target_id: 5,
                weight: Some(70),
            },
            Target {
                target_type: "agent".into(),
                target_id: 12,
                weight: Some(30),
            },
        ];
        assert_eq!(pick_weighted(&ts, 0.0).unwrap().target_id, 5);
        assert_eq!(pick_weighted(&ts, 0.69).unwrap().target_id, 5);
        assert_eq!(pick_weighted(&ts, 0.71).unwrap().target_id, 12);
        assert!(pick_weighted(&[], 0.5).is_none());
    }
}
