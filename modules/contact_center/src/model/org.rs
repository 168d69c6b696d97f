//! Teams, agents, queues, calls and companies.

use poem_openapi::Object;
use serde_json::Value;

use super::values::*;
use super::{CompanySettings, EmailText, JsonObject, NonBlank, PhoneText};

/// A new team.
#[derive(Object, Debug, Clone)]
pub struct TeamCreate {
    /// Unique (case-insensitive).
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: NonBlank,
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// Free text such as sales, support, billing; default general.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub team_type: Option<NonBlank>,
    /// 1 to 1000 agents; default 50.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub max_agents: Option<i64>,
    /// The user id of the team's supervisor.
    pub supervisor_id: Option<i64>,
    pub is_active: Option<bool>,
}

/// Changes to a team; fields left out keep their value.
#[derive(Object, Debug, Clone, Default)]
pub struct TeamUpdate {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Option<NonBlank>,
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    #[oai(validator(min_length = 1, max_length = 50))]
    pub team_type: Option<NonBlank>,
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub max_agents: Option<i64>,
    pub supervisor_id: Option<i64>,
    pub is_active: Option<bool>,
}

/// A team.
#[derive(Object, Debug, Clone)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub team_type: String,
    pub max_agents: i64,
    pub supervisor_id: Option<i64>,
    pub is_active: bool,
    /// Agents in the team now.
    pub agent_count: i64,
    /// Of those, how many are `available`.
    pub available_agents: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// One agent's share of a team's performance.
#[derive(Object, Debug, Clone)]
pub struct TeamAgentPerformance {
    pub agent_id: i64,
    pub name: String,
    pub calls: i64,
    pub success_rate: f64,
    pub avg_duration: f64,
}

/// Team performance over a period, computed from recorded calls.
#[derive(Object, Debug, Clone)]
pub struct TeamPerformance {
    pub team_id: i64,
    pub period: String,
    pub period_start: String,
    pub period_end: String,
    /// Completed calls handled by the team's agents in the period.
    pub total_calls: i64,
    pub avg_duration: f64,
    pub success_rate: f64,
    pub agents: Vec<TeamAgentPerformance>,
}

/// A skill and how well the agent masters it.
#[derive(Object, Debug, Clone, PartialEq)]
pub struct AgentSkill {
    /// Lower-case name, e.g. `technical_support` (letters, digits and `_`;
    /// spaces and `-` become `_`), up to 64 characters.
    #[oai(validator(max_length = 64))]
    pub skill_name: SkillText,
    /// 1 to 10.
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub proficiency: i64,
}

/// A new agent profile for an existing user.
#[derive(Object, Debug, Clone)]
pub struct AgentCreate {
    /// The user's integer id (one agent profile per user).
    pub user_id: i64,
    pub team_id: Option<i64>,
    /// Unique, e.g. `AG-001`.
    #[oai(validator(min_length = 1, max_length = 32))]
    pub agent_number: NonBlank,
    /// available, busy, away, break or offline (default).
    pub status: Option<AgentStatusText>,
    /// 1 to 10; default 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub skill_level: Option<i64>,
    /// 1 to 20; default 1.
    #[oai(validator(minimum(value = "1"), maximum(value = "20")))]
    pub max_concurrent_calls: Option<i64>,
    /// Language codes such as `en`, `es`, `pt-BR`.
    pub languages: Option<Vec<LanguageText>>,
    /// Up to 50, each up to 64 characters.
    #[oai(validator(max_items = 50, max_length = 64))]
    pub specialties: Option<Vec<String>>,
    pub skills: Option<Vec<AgentSkill>>,
}

/// Changes to an agent; fields left out keep their value. `team_id: 0` removes
/// the agent from its team.
#[derive(Object, Debug, Clone, Default)]
pub struct AgentUpdate {
    pub team_id: Option<i64>,
    #[oai(validator(min_length = 1, max_length = 32))]
    pub agent_number: Option<NonBlank>,
    pub status: Option<AgentStatusText>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub skill_level: Option<i64>,
    #[oai(validator(minimum(value = "1"), maximum(value = "20")))]
    pub max_concurrent_calls: Option<i64>,
    /// Language codes such as `en`, `es`, `pt-BR`.
    pub languages: Option<Vec<LanguageText>>,
    /// Up to 50, each up to 64 characters.
    #[oai(validator(max_items = 50, max_length = 64))]
    pub specialties: Option<Vec<String>>,
}

/// Skills to add or update (by name).
#[derive(Object, Debug, Clone, Default)]
pub struct AgentSkillsAdd {
    /// At least one skill.
    #[oai(validator(min_items = 1))]
    pub skills: Vec<AgentSkill>,
}

/// An agent profile.
#[derive(Object, Debug, Clone)]
pub struct Agent {
    pub id: i64,
    pub user_id: i64,
    /// The user's name.
    pub name: String,
    pub email: String,
    pub team_id: Option<i64>,
    pub agent_number: String,
    pub status: String,
    pub skill_level: i64,
    pub max_concurrent_calls: i64,
    /// Calls the agent is on now.
    pub current_calls: i64,
    pub languages: Vec<String>,
    pub specialties: Vec<String>,
    pub skills: Vec<AgentSkill>,
    pub status_changed_at: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Agent performance over a period, computed from recorded calls.
#[derive(Object, Debug, Clone)]
pub struct AgentPerformance {
    pub agent_id: i64,
    pub name: String,
    pub period: String,
    pub period_start: String,
    pub period_end: String,
    /// Completed calls in the period.
    pub total_calls: i64,
    pub successful_calls: i64,
    pub success_rate: f64,
    pub conversion_rate: f64,
    pub avg_duration: f64,
    pub total_talk_time: i64,
    /// Mean time callers waited in a queue before this agent took the call.
    pub avg_wait_time: f64,
    /// Completed calls per outcome.
    pub calls_by_outcome: Value,
    pub current_calls: i64,
}

/// A new queue.
#[derive(Object, Debug, Clone)]
pub struct QueueCreate {
    /// Unique (case-insensitive).
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: NonBlank,
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// inbound (default), outbound or callback.
    pub queue_type: Option<QueueTypeText>,
    /// active (default), paused or closed. Only active queues accept calls.
    pub status: Option<QueueStatusText>,
    /// Most calls waiting at once, 1 to 10000; default 100.
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    pub max_size: Option<i64>,
    /// A call waiting longer is abandoned (5 to 86400 s); default 180.
    #[oai(validator(minimum(value = "5"), maximum(value = "86400")))]
    pub timeout_seconds: Option<i64>,
    /// Only agents of this team take the queue's calls.
    pub team_id: Option<i64>,
    /// Skills every agent taking these calls must have.
    #[oai(validator(max_length = 64))]
    pub required_skills: Option<Vec<SkillText>>,
}

/// Changes to a queue; fields left out keep their value (`team_id: 0` clears the team).
#[derive(Object, Debug, Clone, Default)]
pub struct QueueUpdate {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Option<NonBlank>,
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    pub queue_type: Option<QueueTypeText>,
    pub status: Option<QueueStatusText>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    pub max_size: Option<i64>,
    #[oai(validator(minimum(value = "5"), maximum(value = "86400")))]
    pub timeout_seconds: Option<i64>,
    pub team_id: Option<i64>,
    #[oai(validator(max_length = 64))]
    pub required_skills: Option<Vec<SkillText>>,
}

/// A queue with its live figures.
#[derive(Object, Debug, Clone)]
pub struct Queue {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub queue_type: String,
    pub status: String,
    /// Calls from this queue being handled by agents now.
    pub current_calls: i64,
    /// Calls waiting now.
    pub waiting_calls: i64,
    pub max_size: i64,
    /// Mean wait in seconds of calls answered or abandoned in the last 24 hours.
    pub avg_wait_time: f64,
    /// Longest current wait, in seconds.
    pub longest_wait_time: i64,
    pub timeout_seconds: i64,
    pub team_id: Option<i64>,
    pub required_skills: Vec<String>,
    /// Agents eligible for this queue who are available now.
    pub available_agents: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// A call waiting in a queue.
#[derive(Object, Debug, Clone)]
pub struct QueuedCall {
    pub call_id: String,
    pub caller_number: Option<String>,
    /// 1 is next.
    pub position: i64,
    /// Seconds waited so far.
    pub wait_time: i64,
    pub priority: i64,
    pub queued_at: String,
    pub required_skills: Vec<String>,
    pub language: Option<String>,
    pub contact_id: Option<i64>,
    pub campaign_id: Option<i64>,
}

/// Extension: a call entering a queue.
#[derive(Object, Debug, Clone)]
pub struct EnqueueCall {
    /// E.164.
    pub caller_number: PhoneText,
    /// 1 to 10 (higher is answered first); default 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub priority: Option<i64>,
    pub contact_id: Option<i64>,
    pub campaign_id: Option<i64>,
    /// Skills needed on top of the queue's own.
    #[oai(validator(max_length = 64))]
    pub required_skills: Option<Vec<SkillText>>,
    /// Language the caller needs, e.g. `es`.
    pub language: Option<LanguageText>,
    /// Facts about the call for routing (e.g. `{"customer_tier": "VIP"}`).
    pub attributes: Option<JsonObject>,
}

/// Extension: which call to assign, and optionally to whom.
#[derive(Object, Debug, Clone, Default)]
pub struct AssignRequest {
    /// Default: the next call (highest priority, then longest waiting).
    pub call_id: Option<String>,
    /// Default: the best eligible agent.
    pub agent_id: Option<i64>,
}

/// Extension: how a call ended.
#[derive(Object, Debug, Clone, Default)]
pub struct CompleteCall {
    /// converted, success, callback, no_answer, busy, voicemail, failed or rejected.
    pub outcome: CallOutcome,
    /// Seconds, 0 to 86400; default: since the agent took the call.
    #[oai(validator(minimum(value = "0"), maximum(value = "86400")))]
    pub duration: Option<i64>,
    /// 0 to 1000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000")))]
    pub cost: Option<f64>,
    /// At most 5000 characters.
    #[oai(validator(max_length = 5000))]
    pub notes: Option<String>,
}

/// How a call attempt ended.
#[derive(poem_openapi::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[oai(rename_all = "snake_case")]
pub enum CallOutcome {
    Converted,
    #[default]
    Success,
    Callback,
    NoAnswer,
    Busy,
    Voicemail,
    Failed,
    Rejected,
}

impl CallOutcome {
    /// The stored (and documented) name.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Converted => "converted",
            CallOutcome::Success => "success",
            CallOutcome::Callback => "callback",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::Busy => "busy",
            CallOutcome::Voicemail => "voicemail",
            CallOutcome::Failed => "failed",
            CallOutcome::Rejected => "rejected",
        }
    }
}

/// Extension: a call attempt to record (made outside a queue, e.g. by the dialer).
#[derive(Object, Debug, Clone, Default)]
pub struct CallRecord {
    pub campaign_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub queue_id: Option<i64>,
    /// outbound (default) or inbound.
    pub direction: Option<DirectionText>,
    /// E.164; default: the contact's number.
    pub caller_number: Option<PhoneText>,
    /// ISO 8601, not in the future; default now minus the duration.
    pub started_at: Option<crate::common::DateOrTime>,
    /// Seconds, 0 to 86400.
    #[oai(validator(minimum(value = "0"), maximum(value = "86400")))]
    pub duration: i64,
    /// converted, success, callback, no_answer, busy, voicemail, failed or rejected.
    pub outcome: CallOutcome,
    /// 0 to 1000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000")))]
    pub cost: Option<f64>,
    /// At most 5000 characters.
    #[oai(validator(max_length = 5000))]
    pub notes: Option<String>,
}

/// A call: a recorded attempt, or a call passing through a queue.
#[derive(Object, Debug, Clone)]
pub struct Call {
    pub id: i64,
    pub call_id: String,
    pub direction: String,
    /// queued, in_progress, completed or abandoned.
    pub status: String,
    pub outcome: Option<String>,
    pub campaign_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    pub queue_id: Option<i64>,
    pub caller_number: Option<String>,
    pub priority: i64,
    pub queued_at: Option<String>,
    pub assigned_at: Option<String>,
    /// Seconds waited in the queue.
    pub wait_time: Option<i64>,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub duration: Option<i64>,
    pub cost: Option<f64>,
    pub notes: Option<String>,
    pub attributes: Value,
    pub created_at: String,
}

crate::sorted_serialize!(Call {
    agent_id,
    assigned_at,
    attributes,
    call_id,
    caller_number,
    campaign_id,
    contact_id,
    cost,
    created_at,
    direction,
    duration,
    ended_at,
    id,
    notes,
    outcome,
    priority,
    queue_id,
    queued_at,
    started_at,
    status,
    team_id,
    wait_time,
});

/// A postal address.
#[derive(Object, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Address {
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// A new company.
#[derive(Object, Debug, Clone)]
pub struct CompanyCreate {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: NonBlank,
    /// e.g. `acme.com`; unique.
    #[oai(validator(max_length = 253))]
    pub domain: Option<DomainText>,
    #[oai(validator(max_length = 100))]
    pub industry: Option<String>,
    #[oai(validator(max_length = 50))]
    pub size: Option<String>,
    #[oai(validator(max_length = 5000))]
    pub description: Option<String>,
    /// An e-mail address (empty: none).
    #[oai(validator(max_length = 254))]
    pub contact_email: Option<EmailText>,
    /// E.164 (empty: none).
    pub contact_phone: Option<OptionalPhoneText>,
    pub address: Option<Address>,
    /// An object; `timezone` (IANA) and `language` are checked when present.
    pub settings: Option<CompanySettings>,
    pub is_active: Option<bool>,
}

/// Changes to a company; fields left out keep their value.
#[derive(Object, Debug, Clone, Default)]
pub struct CompanyUpdate {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<NonBlank>,
    #[oai(validator(max_length = 253))]
    pub domain: Option<DomainText>,
    #[oai(validator(max_length = 100))]
    pub industry: Option<String>,
    #[oai(validator(max_length = 50))]
    pub size: Option<String>,
    #[oai(validator(max_length = 5000))]
    pub description: Option<String>,
    /// An e-mail address (empty: none).
    #[oai(validator(max_length = 254))]
    pub contact_email: Option<EmailText>,
    /// E.164 (empty: none).
    pub contact_phone: Option<OptionalPhoneText>,
    pub address: Option<Address>,
    /// An object; `timezone` (IANA) and `language` are checked when present.
    pub settings: Option<CompanySettings>,
    pub is_active: Option<bool>,
}

/// A company.
#[derive(Object, Debug, Clone)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub description: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Address,
    pub settings: Value,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// Filters for agent lists.
#[derive(Debug, Clone, Default)]
pub struct AgentQuery {
    pub team_id: Option<i64>,
    pub status: Option<String>,
    pub skill: Option<String>,
    pub language: Option<String>,
}

/// Filters for call lists.
#[derive(Debug, Clone, Default)]
pub struct CallQuery {
    pub scope: Option<i64>,
    pub campaign_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub queue_id: Option<i64>,
    pub team_id: Option<i64>,
    pub status: Option<String>,
    pub outcome: Option<String>,
}
