//! Routing rules: checks, condition evaluation, the weighted pick, queue
//! assignment's agent order, and the rules' operations (each write in the
//! handler's transaction, audited there). SQL is in `store::routing`.

use frontline_platform::auth::Principal;
use frontline_platform::page::Window;
use frontline_platform::search::MAX_FILTER_VALUES;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rand::Rng;
use rusqlite::Connection;
use serde_json::Value;

use crate::insight::{check_text, fail_if, iso, now};
use crate::model::routing_rules::*;
use crate::model::Agent;
use crate::model::{CallAttributes, RoutingDecision as QueueRouting};
use crate::store::org as org_store;
use crate::store::routing as store;
use crate::SLUG;

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
    let rules = store::active_rules(conn)?;
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
            let cursor = store::cursor(conn, rule.id)?;
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
                        .filter_map(|s| a.skills.iter().find(|k| k.skill_name.as_str() == s))
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
    store::set_cursor(tx, rule_id, agent_id)
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

/// One page of rules by priority (highest first), with the total.
pub fn list(
    conn: &Connection,
    active: Option<bool>,
    min: Option<i64>,
    w: &Window,
) -> ApiResult<(Vec<RoutingRule>, u64)> {
    store::list_rules(conn, active, min, w)
}

/// Rule `id`.
pub fn get(conn: &Connection, id: i64) -> ApiResult<RoutingRule> {
    store::get_rule(conn, id)
}

/// Checks a new rule (every problem at once).
pub fn check_create(b: &RoutingRuleCreate) -> ApiResult<()> {
    let strategy = b.strategy.as_deref().unwrap_or("weighted");
    let mut errors = validate(
        Some(&b.name),
        b.priority,
        Some(strategy),
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
    fail_if(errors)
}

/// Creates a checked rule (see [`check_create`]); audited.
pub fn create(w: &WriteCtx<'_>, by: &Principal, b: RoutingRuleCreate) -> ApiResult<RoutingRule> {
    let tx = w.tx();
    let strategy = b.strategy.unwrap_or_else(|| "weighted".into());
    let id = store::insert_rule(
        tx,
        &store::RuleFields {
            name: b.name.trim(),
            description: b.description.as_deref(),
            priority: b.priority.unwrap_or(0),
            strategy: &strategy,
            is_active: b.is_active.unwrap_or(true),
            conditions: &normalise_logic(b.conditions),
            targets: &fill_weights(b.targets),
            fallback_action: b.fallback_action.as_ref(),
            at: &iso(now()),
        },
        by.seq,
    )?;
    w.audit(
        SLUG,
        "routing_rule.create",
        "routing_rule",
        &id.to_string(),
        serde_json::json!({}),
    )?;
    store::get_rule(tx, id)
}

/// Checks an update's fields (every problem at once).
pub fn check_update(b: &RoutingRuleUpdate) -> ApiResult<()> {
    fail_if(validate(
        b.name.as_deref(),
        b.priority,
        b.strategy.as_deref(),
        b.conditions.as_deref(),
        b.targets.as_deref(),
        b.fallback_action.as_ref(),
    ))
}

/// Applies a checked update to rule `id` (it must keep a target or a
/// fallback); audited.
pub fn update(w: &WriteCtx<'_>, id: i64, b: RoutingRuleUpdate) -> ApiResult<RoutingRule> {
    let tx = w.tx();
    let cur = store::get_rule(tx, id)?;
    let targets = b.targets.map(fill_weights).unwrap_or(cur.targets);
    let fallback = b.fallback_action.or(cur.fallback_action);
    if targets.is_empty() && fallback.is_none() {
        return Err(ApiError::invalid(
            "targets",
            "give at least one target or a fallback_action",
        ));
    }
    let description = b.description.or(cur.description);
    let strategy = b.strategy.unwrap_or(cur.strategy);
    store::update_rule(
        tx,
        id,
        &store::RuleFields {
            name: b.name.as_deref().map(str::trim).unwrap_or(&cur.name),
            description: description.as_deref(),
            priority: b.priority.unwrap_or(cur.priority),
            strategy: &strategy,
            is_active: b.is_active.unwrap_or(cur.is_active),
            conditions: &normalise_logic(b.conditions.unwrap_or(cur.conditions)),
            targets: &targets,
            fallback_action: fallback.as_ref(),
            at: &iso(now()),
        },
    )?;
    w.audit(
        SLUG,
        "routing_rule.update",
        "routing_rule",
        &id.to_string(),
        serde_json::json!({}),
    )?;
    store::get_rule(tx, id)
}

/// Deletes rule `id`; audited.
pub fn delete(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let tx = w.tx();
    store::get_rule(tx, id)?;
    store::delete_rule(tx, id)?;
    w.audit(
        SLUG,
        "routing_rule.delete",
        "routing_rule",
        &id.to_string(),
        serde_json::json!({}),
    )
    .map(drop)
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
