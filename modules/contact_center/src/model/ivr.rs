//! IVR flows' types, as the document names them, and the stored session.

use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use super::{DtmfKey, DtmfKeys, IvrNodeTypeText, NonBlank};

/// The node types a flow may hold.
pub const NODE_TYPES: &[&str] = &[
    "menu",
    "prompt",
    "input",
    "transfer",
    "queue",
    "voicemail",
    "hangup",
];
/// Node types that end a session.
pub const TERMINAL: &[&str] = &["transfer", "queue", "voicemail", "hangup"];

/// One DTMF choice of a menu node.
#[derive(Object, Clone, Debug, Serialize, Deserialize)]
pub struct MenuOption {
    /// The key pressed: `0`-`9`, `*` or `#`.
    pub dtmf_key: DtmfKey,
    pub description: Option<String>,
    /// The node the caller goes to.
    pub target_node_id: i64,
}

/// One node of a flow.
#[derive(Object, Clone, Debug, Serialize, Deserialize)]
pub struct IvrNode {
    /// Unique within the flow; menu options and `next_node_id` refer to it.
    pub id: i64,
    /// menu, prompt, input, transfer, queue, voicemail or hangup.
    pub node_type: IvrNodeTypeText,
    pub name: String,
    pub prompt_text: Option<String>,
    /// Menu nodes: at least one option, distinct keys.
    #[oai(default)]
    #[serde(default)]
    pub menu_options: Vec<MenuOption>,
    /// Prompt and input nodes: where to go next (none ends the call).
    pub next_node_id: Option<i64>,
    /// Transfer nodes: the number or extension to transfer to.
    pub transfer_to: Option<String>,
    /// Queue nodes: the queue the caller joins.
    pub queue_id: Option<i64>,
    /// Input nodes: the variable the digits are stored in.
    pub input_variable: Option<String>,
}

/// A flow in a list.
#[derive(Object, Clone, Debug)]
pub struct IvrFlowSummary {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub is_active: bool,
    /// The latest published version (0 before the first publish).
    pub version: i64,
    pub timeout_seconds: i64,
    pub max_retries: i64,
    pub language: String,
    pub created_at: String,
    pub updated_at: String,
    pub node_count: i64,
}

/// A flow with its full node tree.
#[derive(Object, Clone, Debug)]
pub struct IvrFlow {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub is_active: bool,
    pub version: i64,
    pub timeout_seconds: i64,
    pub max_retries: i64,
    pub language: String,
    /// Where sessions start (defaults to the first node).
    pub start_node_id: Option<i64>,
    pub node_count: i64,
    pub nodes: Vec<IvrNode>,
    pub created_at: String,
    pub updated_at: String,
}

/// A new flow. Nodes may be given now or later with `PUT`.
#[derive(Object, Debug)]
pub struct IvrFlowCreate {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: NonBlank,
    pub description: Option<String>,
    /// 1..=600, default 30.
    #[oai(validator(minimum(value = "1"), maximum(value = "600")))]
    pub timeout_seconds: Option<i64>,
    /// 0..=10, default 3.
    #[oai(validator(minimum(value = "0"), maximum(value = "10")))]
    pub max_retries: Option<i64>,
    /// Default `en`.
    pub language: Option<String>,
    /// Default false.
    pub is_active: Option<bool>,
    pub start_node_id: Option<i64>,
    pub nodes: Option<Vec<IvrNode>>,
}

/// Changes to a flow; omitted fields stay. `nodes` replaces the whole graph.
#[derive(Object, Debug)]
pub struct IvrFlowUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub timeout_seconds: Option<i64>,
    pub max_retries: Option<i64>,
    pub language: Option<String>,
    pub is_active: Option<bool>,
    pub start_node_id: Option<i64>,
    pub nodes: Option<Vec<IvrNode>>,
}

/// Publish request.
#[derive(Object, Debug)]
pub struct PublishRequest {
    pub version_notes: Option<String>,
}

/// An immutable published version of a flow.
#[derive(Object, Clone, Debug)]
pub struct IvrFlowVersion {
    pub flow_id: i64,
    pub version: i64,
    pub version_notes: Option<String>,
    pub published_at: String,
    pub published_by_id: Option<i64>,
    pub start_node_id: i64,
    pub node_count: i64,
    pub nodes: Vec<IvrNode>,
}

/// The snapshot stored with a version.
#[derive(Serialize, Deserialize)]
pub struct Definition {
    pub start_node_id: i64,
    pub timeout_seconds: i64,
    pub max_retries: i64,
    pub language: String,
    pub nodes: Vec<IvrNode>,
}

/// Extension: a caller entering a published flow.
#[derive(Object, Debug)]
pub struct SessionStart {
    /// Version to run; the latest published one by default.
    pub version: Option<i64>,
    /// The caller's number (E.164); a `queue` node needs it to queue the call.
    pub caller_number: Option<String>,
    /// The number the caller dialled; a voicemail left at a `voicemail` node is for it.
    pub called_number: Option<String>,
    /// DTMF input to apply straight away, in order (e.g. `["1", "2"]`), at most 100.
    #[oai(default, validator(max_items = 100))]
    pub inputs: Vec<DtmfKeys>,
    /// The caller hung up after these inputs.
    #[oai(default)]
    pub hangup: bool,
    /// For calls replayed from another system: the measured call length,
    /// used instead of the wall-clock time when the session ends in this request
    /// (0 to 86400).
    #[oai(validator(minimum(value = "0"), maximum(value = "86400")))]
    pub duration_seconds: Option<f64>,
}

/// Extension: DTMF input for a running session.
#[derive(Object, Debug)]
pub struct SessionInput {
    /// One key (`0`-`9`, `*`, `#`) or, at an input node, the digits entered.
    pub dtmf: DtmfKeys,
}

/// Extension: a caller's session through a flow.
#[derive(Object, Clone, Debug)]
pub struct IvrSession {
    pub id: i64,
    pub flow_id: i64,
    pub version: i64,
    pub caller_number: Option<String>,
    /// in_progress, completed (reached a transfer, queue, voicemail or hangup
    /// node), abandoned (caller hung up) or failed (retries exhausted, or no
    /// input within the flow's `timeout_seconds`: outcome `timeout`).
    pub status: String,
    /// Where the caller is (or where the session ended).
    pub current_node_id: Option<i64>,
    pub current_prompt: Option<String>,
    /// Node ids visited, in order.
    pub path: Vec<i64>,
    /// Node names visited, joined with ` -> `.
    pub path_names: String,
    pub inputs: Vec<String>,
    pub variables: serde_json::Value,
    /// The terminal node type reached (transfer, queue, voicemail, hangup), or
    /// `timeout` when the caller gave no input within the flow's `timeout_seconds`.
    pub outcome: Option<String>,
    /// A `queue` node put the caller in its queue: the queued call's id
    /// (see `GET /api/v1/queues/{id}/calls`).
    pub call_id: Option<String>,
    /// A `voicemail` node took a message: the voicemail's id (status `new`;
    /// no audio is recorded by this server, `message_url` stays empty).
    pub voicemail_id: Option<i64>,
    /// While in progress: when the session times out without input.
    pub expires_at: Option<String>,
    pub retries: i64,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub duration_seconds: Option<f64>,
}

/// A path through the flow and how many sessions took it.
#[derive(Object, Clone, Debug)]
pub struct PathCount {
    pub path: String,
    pub count: i64,
}

/// A node where callers leave before completing.
#[derive(Object, Clone, Debug)]
pub struct DropOff {
    pub node_id: i64,
    pub node_name: Option<String>,
    /// Sessions that ended unfinished here / sessions that reached the node.
    pub drop_rate: f64,
    pub drops: i64,
}

/// Flow analytics over a period.
#[derive(Object, Clone, Debug)]
pub struct FlowAnalytics {
    pub flow_id: i64,
    pub period: String,
    pub total_sessions: i64,
    pub completed_sessions: i64,
    pub abandoned_sessions: i64,
    pub failed_sessions: i64,
    pub in_progress_sessions: i64,
    /// Mean seconds of ended sessions.
    pub avg_duration: f64,
    /// Completed sessions / ended sessions.
    pub completion_rate: f64,
    pub most_used_paths: Vec<PathCount>,
    pub drop_off_points: Vec<DropOff>,
}

/// A session as stored (the service moves it, the store reads and writes it).
pub struct SessionRow {
    pub id: i64,
    pub flow_id: i64,
    pub version: i64,
    pub caller_number: Option<String>,
    pub status: String,
    pub current_node_id: Option<i64>,
    pub retries: i64,
    pub path: Vec<i64>,
    pub inputs: Vec<String>,
    pub variables: serde_json::Value,
    pub outcome: Option<String>,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub duration_seconds: Option<f64>,
    pub called_number: Option<String>,
    pub call_id: Option<String>,
    pub voicemail_id: Option<i64>,
    /// Epoch ms after which an in-progress session has timed out.
    pub deadline: Option<i64>,
}
