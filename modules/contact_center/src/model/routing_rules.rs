//! Routing rules' types, as the document names them.

use poem_openapi::Object;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: crate::model::NonBlank,
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
