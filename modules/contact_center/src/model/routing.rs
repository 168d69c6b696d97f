//! What queue assignment and the routing rules share about a waiting call
//! (the service and the routing slice both use these; neither owns them).

use serde_json::Value;

/// What routing knows about a call waiting for an agent.
#[derive(Debug, Clone)]
pub struct CallAttributes {
    pub call_id: String,
    pub queue_id: i64,
    pub priority: i64,
    pub caller_number: Option<String>,
    pub campaign_id: Option<i64>,
    pub contact_id: Option<i64>,
    /// The queue's skills plus the call's own.
    pub required_skills: Vec<String>,
    pub language: Option<String>,
    /// Free-form facts given at enqueue (e.g. `customer_tier`, `call_type`).
    pub attributes: Value,
}

/// What a routing rule decided for a call.
#[derive(Debug, Clone, Default)]
pub struct RoutingDecision {
    /// The rule's agents in the order its strategy gives; the first who can
    /// take the call now gets it, nobody else does.
    pub agent_ids: Vec<i64>,
    /// The rule that matched, for the call's record.
    pub rule_id: Option<i64>,
    pub rule_name: Option<String>,
    pub strategy: Option<String>,
    /// The rule's fallback when it names no agent or team (queue, voicemail,
    /// transfer, hangup): assignment cannot carry it out and says so.
    pub fallback: Option<String>,
}
