//! IVR flows: a node graph per flow, validated on every save; published
//! versions are immutable snapshots; sessions run callers through a published
//! version and feed the flow analytics.

use crate::model::CcError;
use frontline_platform::body::JsonBody;
use frontline_platform::write::{self, WriteCtx};
use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{Duration, Utc};

use frontline_platform::{ApiError, ApiResult, BearerAuth, FieldError, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::{
    check_text, fail_if, iso, iso_ms, listed, not_found, now, require_manager, require_operator,
    window, Created, Deleted, Listed, Result, Tag,
};
use crate::SLUG;

// ---------------------------------------------------------------- model

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
const TERMINAL: &[&str] = &["transfer", "queue", "voicemail", "hangup"];

/// One DTMF choice of a menu node.
#[derive(Object, Clone, Debug, Serialize, Deserialize)]
pub struct MenuOption {
    /// The key pressed: `0`-`9`, `*` or `#`.
    #[oai(validator(pattern = "^[0-9*#]$"))]
    pub dtmf_key: String,
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
    #[oai(validator(pattern = "^(menu|prompt|input|transfer|queue|voicemail|hangup)$"))]
    pub node_type: String,
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
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub name: String,
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
struct Definition {
    start_node_id: i64,
    timeout_seconds: i64,
    max_retries: i64,
    language: String,
    nodes: Vec<IvrNode>,
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
    #[oai(default, validator(max_items = 100, pattern = "^[0-9*#]{1,32}$"))]
    pub inputs: Vec<String>,
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
    #[oai(validator(pattern = "^[0-9*#]{1,32}$"))]
    pub dtmf: String,
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

// ---------------------------------------------------------------- rules

/// Validates a graph. Every problem gets its own detail naming the node.
pub fn validate_graph(nodes: &[IvrNode], start: Option<i64>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if nodes.is_empty() {
        if start.is_some() {
            errors.push(FieldError::new(
                "start_node_id",
                "a flow without nodes has no start node",
            ));
        }
        return errors;
    }
    if nodes.len() > 500 {
        errors.push(FieldError::new("nodes", "a flow has at most 500 nodes"));
        return errors;
    }
    let mut index: HashMap<i64, usize> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if index.insert(n.id, i).is_some() {
            errors.push(FieldError::new(
                format!("nodes[{i}].id"),
                format!("node id {} is used more than once", n.id),
            ));
        }
    }
    let exists = |id: i64| index.contains_key(&id);
    for (i, n) in nodes.iter().enumerate() {
        let at = |f: &str| format!("nodes[{i}]{f}");
        if !NODE_TYPES.contains(&n.node_type.as_str()) {
            errors.push(FieldError::new(
                at(".node_type"),
                format!(
                    "node {}: unknown node_type '{}' (one of {})",
                    n.id,
                    n.node_type,
                    NODE_TYPES.join(", ")
                ),
            ));
            continue;
        }
        if n.name.trim().is_empty() {
            errors.push(FieldError::new(
                at(".name"),
                format!("node {}: name must not be empty", n.id),
            ));
        }
        match n.node_type.as_str() {
            "menu" => {
                if n.menu_options.is_empty() {
                    errors.push(FieldError::new(
                        at(".menu_options"),
                        format!("node {}: a menu needs at least one option", n.id),
                    ));
                }
                let mut keys = HashSet::new();
                for (j, o) in n.menu_options.iter().enumerate() {
                    let key_ok = o.dtmf_key.len() == 1
                        && o.dtmf_key
                            .chars()
                            .all(|c| c.is_ascii_digit() || c == '*' || c == '#');
                    if !key_ok {
                        errors.push(FieldError::new(
                            at(&format!(".menu_options[{j}].dtmf_key")),
                            format!("node {}: dtmf_key must be one of 0-9, * or #", n.id),
                        ));
                    } else if !keys.insert(o.dtmf_key.clone()) {
                        errors.push(FieldError::new(
                            at(&format!(".menu_options[{j}].dtmf_key")),
                            format!("node {}: key {} is used twice", n.id, o.dtmf_key),
                        ));
                    }
                    if !exists(o.target_node_id) {
                        errors.push(FieldError::new(
                            at(&format!(".menu_options[{j}].target_node_id")),
                            format!(
                                "node {}: option {} points to node {}, which does not exist",
                                n.id, o.dtmf_key, o.target_node_id
                            ),
                        ));
                    }
                }
                if n.next_node_id.is_some() {
                    errors.push(FieldError::new(
                        at(".next_node_id"),
                        format!(
                            "node {}: a menu continues through its options, not next_node_id",
                            n.id
                        ),
                    ));
                }
            }
            t => {
                if !n.menu_options.is_empty() {
                    errors.push(FieldError::new(
                        at(".menu_options"),
                        format!("node {}: only menu nodes have options", n.id),
                    ));
                }
                if let Some(next) = n.next_node_id {
                    if TERMINAL.contains(&t) {
                        errors.push(FieldError::new(
                            at(".next_node_id"),
                            format!(
                                "node {}: a {t} node ends the call and has no next node",
                                n.id
                            ),
                        ));
                    } else if !exists(next) {
                        errors.push(FieldError::new(
                            at(".next_node_id"),
                            format!("node {}: next node {next} does not exist", n.id),
                        ));
                    } else if next == n.id {
                        errors.push(FieldError::new(
                            at(".next_node_id"),
                            format!("node {}: a node cannot continue to itself", n.id),
                        ));
                    }
                }
                if t == "transfer" && n.transfer_to.as_deref().is_none_or(|s| s.trim().is_empty()) {
                    errors.push(FieldError::new(
                        at(".transfer_to"),
                        format!("node {}: a transfer node needs transfer_to", n.id),
                    ));
                }
                if t == "queue" && n.queue_id.is_none() {
                    errors.push(FieldError::new(
                        at(".queue_id"),
                        format!("node {}: a queue node needs queue_id", n.id),
                    ));
                }
            }
        }
    }
    let start = start.unwrap_or(nodes[0].id);
    if !exists(start) {
        errors.push(FieldError::new(
            "start_node_id",
            format!("start node {start} does not exist"),
        ));
    }
    if !errors.is_empty() {
        return errors;
    }
    // Reachability from the start node.
    let edges = |n: &IvrNode| -> Vec<i64> {
        let mut out: Vec<i64> = n.menu_options.iter().map(|o| o.target_node_id).collect();
        out.extend(n.next_node_id);
        out
    };
    let mut seen = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(id) = queue.pop_front() {
        for next in edges(&nodes[index[&id]]) {
            if seen.insert(next) {
                queue.push_back(next);
            }
        }
    }
    for (i, n) in nodes.iter().enumerate() {
        if !seen.contains(&n.id) {
            errors.push(FieldError::new(
                format!("nodes[{i}]"),
                format!(
                    "node {} ({}) cannot be reached from the start node {start}",
                    n.id, n.name
                ),
            ));
        }
    }
    // Every node must be able to end the call: a loop with no way out traps callers.
    let ends = |n: &IvrNode| TERMINAL.contains(&n.node_type.as_str()) || edges(n).is_empty();
    let mut can_end: HashSet<i64> = nodes.iter().filter(|n| ends(n)).map(|n| n.id).collect();
    loop {
        let before = can_end.len();
        for n in nodes {
            if !can_end.contains(&n.id) && edges(n).iter().any(|e| can_end.contains(e)) {
                can_end.insert(n.id);
            }
        }
        if can_end.len() == before {
            break;
        }
    }
    for (i, n) in nodes.iter().enumerate() {
        if seen.contains(&n.id) && !can_end.contains(&n.id) {
            errors.push(FieldError::new(
                format!("nodes[{i}]"),
                format!(
                    "node {} ({}) is in a loop with no way to end the call",
                    n.id, n.name
                ),
            ));
        }
    }
    errors
}

fn check_settings(
    errors: &mut Vec<FieldError>,
    timeout: Option<i64>,
    retries: Option<i64>,
    language: Option<&str>,
) {
    if let Some(t) = timeout {
        if !(1..=600).contains(&t) {
            errors.push(FieldError::new(
                "timeout_seconds",
                "must be between 1 and 600",
            ));
        }
    }
    if let Some(r) = retries {
        if !(0..=10).contains(&r) {
            errors.push(FieldError::new("max_retries", "must be between 0 and 10"));
        }
    }
    if let Some(l) = language {
        let ok = (2..=10).contains(&l.len())
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            errors.push(FieldError::new(
                "language",
                "must be a language code such as en or en-US",
            ));
        }
    }
}

/// Where the session is after applying one step.
struct Walker<'a> {
    nodes: HashMap<i64, &'a IvrNode>,
    max_retries: i64,
}

impl Walker<'_> {
    /// Follows automatic transitions (prompts) from `id`; records the path.
    /// Returns the node where input is needed or the call ends.
    fn settle(&self, mut id: i64, path: &mut Vec<i64>) -> i64 {
        for _ in 0..1000 {
            let Some(n) = self.nodes.get(&id) else {
                return id;
            };
            if n.node_type == "prompt" {
                if let Some(next) = n.next_node_id {
                    path.push(next);
                    id = next;
                    continue;
                }
            }
            return id;
        }
        id
    }

    /// True when the node ends the call.
    fn is_end(&self, id: i64) -> bool {
        self.nodes.get(&id).is_none_or(|n| {
            TERMINAL.contains(&n.node_type.as_str())
                || (n.node_type != "menu" && n.next_node_id.is_none())
        })
    }
}

// ---------------------------------------------------------------- store

const FLOW_COLS: &str = "id, name, description, is_active, version, timeout_seconds, max_retries, \
     language, start_node_id, nodes, created_at, updated_at";

fn flow_row(r: &Row) -> rusqlite::Result<IvrFlow> {
    let nodes: String = r.get(9)?;
    let nodes: Vec<IvrNode> = serde_json::from_str(&nodes).unwrap_or_default();
    Ok(IvrFlow {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        is_active: r.get(3)?,
        version: r.get(4)?,
        timeout_seconds: r.get(5)?,
        max_retries: r.get(6)?,
        language: r.get(7)?,
        start_node_id: r.get(8)?,
        node_count: nodes.len() as i64,
        nodes,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

fn get_flow(conn: &Connection, id: i64) -> ApiResult<IvrFlow> {
    conn.query_row(
        &format!("SELECT {FLOW_COLS} FROM cc_ivr_flows WHERE id = ?1"),
        [id],
        flow_row,
    )
    .optional()?
    .ok_or_else(|| not_found("IVR flow", id))
}

fn summary(f: IvrFlow) -> IvrFlowSummary {
    IvrFlowSummary {
        id: f.id,
        name: f.name,
        description: f.description,
        is_active: f.is_active,
        version: f.version,
        timeout_seconds: f.timeout_seconds,
        max_retries: f.max_retries,
        language: f.language,
        created_at: f.created_at,
        updated_at: f.updated_at,
        node_count: f.node_count,
    }
}

fn get_version(conn: &Connection, flow_id: i64, version: i64) -> ApiResult<IvrFlowVersion> {
    conn.query_row(
        "SELECT flow_id, version, version_notes, definition, published_by, published_at
         FROM cc_ivr_flow_versions WHERE flow_id = ?1 AND version = ?2",
        params![flow_id, version],
        |r| {
            let def: String = r.get(3)?;
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, def, r.get(4)?, r.get(5)?))
        },
    )
    .optional()?
    .map(
        |(flow_id, version, version_notes, def, published_by_id, published_at)| {
            let def: Definition = serde_json::from_str(&def)?;
            Ok::<_, ApiError>(IvrFlowVersion {
                flow_id,
                version,
                version_notes,
                published_at,
                published_by_id,
                start_node_id: def.start_node_id,
                node_count: def.nodes.len() as i64,
                nodes: def.nodes,
            })
        },
    )
    .transpose()?
    .ok_or_else(|| {
        ApiError::not_found(format!("Version {version} of IVR flow {flow_id} not found"))
    })
}

fn load_definition(conn: &Connection, flow_id: i64, version: i64) -> ApiResult<Definition> {
    let def: String = conn
        .query_row(
            "SELECT definition FROM cc_ivr_flow_versions WHERE flow_id = ?1 AND version = ?2",
            params![flow_id, version],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            ApiError::not_found(format!("Version {version} of IVR flow {flow_id} not found"))
        })?;
    Ok(serde_json::from_str(&def)?)
}

struct SessionRow {
    id: i64,
    flow_id: i64,
    version: i64,
    caller_number: Option<String>,
    status: String,
    current_node_id: Option<i64>,
    retries: i64,
    path: Vec<i64>,
    inputs: Vec<String>,
    variables: serde_json::Value,
    outcome: Option<String>,
    started_at: i64,
    ended_at: Option<i64>,
    duration_seconds: Option<f64>,
    called_number: Option<String>,
    call_id: Option<String>,
    voicemail_id: Option<i64>,
    /// Epoch ms after which an in-progress session has timed out.
    deadline: Option<i64>,
}

fn load_session(conn: &Connection, id: i64) -> ApiResult<SessionRow> {
    conn.query_row(
        "SELECT id, flow_id, version, caller_number, status, current_node_id, retries, path, inputs,
                variables, outcome, started_at, ended_at, duration_seconds,
                called_number, call_id, voicemail_id, deadline
         FROM cc_ivr_sessions WHERE id = ?1",
        [id],
        |r| {
            let path: String = r.get(7)?;
            let inputs: String = r.get(8)?;
            let vars: String = r.get(9)?;
            Ok(SessionRow {
                id: r.get(0)?,
                flow_id: r.get(1)?,
                version: r.get(2)?,
                caller_number: r.get(3)?,
                status: r.get(4)?,
                current_node_id: r.get(5)?,
                retries: r.get(6)?,
                path: serde_json::from_str(&path).unwrap_or_default(),
                inputs: serde_json::from_str(&inputs).unwrap_or_default(),
                variables: serde_json::from_str(&vars).unwrap_or_default(),
                outcome: r.get(10)?,
                started_at: r.get(11)?,
                ended_at: r.get(12)?,
                duration_seconds: r.get(13)?,
                called_number: r.get(14)?,
                call_id: r.get(15)?,
                voicemail_id: r.get(16)?,
                deadline: r.get(17)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| not_found("IVR session", id))
}

fn save_session(conn: &Connection, s: &SessionRow) -> ApiResult<()> {
    conn.execute(
        "UPDATE cc_ivr_sessions SET status = ?2, current_node_id = ?3, retries = ?4, path = ?5,
            inputs = ?6, variables = ?7, outcome = ?8, ended_at = ?9, duration_seconds = ?10,
            call_id = ?11, voicemail_id = ?12, deadline = ?13
         WHERE id = ?1",
        params![
            s.id,
            s.status,
            s.current_node_id,
            s.retries,
            serde_json::to_string(&s.path)?,
            serde_json::to_string(&s.inputs)?,
            s.variables.to_string(),
            s.outcome,
            s.ended_at,
            s.duration_seconds,
            s.call_id,
            s.voicemail_id,
            s.deadline
        ],
    )?;
    Ok(())
}

fn render_session(s: &SessionRow, def: &Definition) -> IvrSession {
    let names: HashMap<i64, &str> = def.nodes.iter().map(|n| (n.id, n.name.as_str())).collect();
    IvrSession {
        id: s.id,
        flow_id: s.flow_id,
        version: s.version,
        caller_number: s.caller_number.clone(),
        status: s.status.clone(),
        current_node_id: s.current_node_id,
        current_prompt: s
            .current_node_id
            .and_then(|id| def.nodes.iter().find(|n| n.id == id))
            .and_then(|n| n.prompt_text.clone()),
        path_names: path_names(&s.path, &names),
        path: s.path.clone(),
        inputs: s.inputs.clone(),
        variables: s.variables.clone(),
        outcome: s.outcome.clone(),
        retries: s.retries,
        started_at: iso_ms(s.started_at),
        ended_at: s.ended_at.map(iso_ms),
        duration_seconds: s.duration_seconds,
        call_id: s.call_id.clone(),
        voicemail_id: s.voicemail_id,
        expires_at: if s.status == "in_progress" {
            s.deadline.map(iso_ms)
        } else {
            None
        },
    }
}

fn path_names(path: &[i64], names: &HashMap<i64, &str>) -> String {
    path.iter()
        .map(|id| {
            names
                .get(id)
                .map(|s| s.to_string())
                .unwrap_or_else(|| format!("#{id}"))
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Applies one input to a session (or hangs up when `input` is None).
fn step(s: &mut SessionRow, def: &Definition, input: Option<&str>, duration: Option<f64>) {
    let walker = Walker {
        nodes: def.nodes.iter().map(|n| (n.id, n)).collect(),
        max_retries: def.max_retries,
    };
    let Some(current) = s.current_node_id else {
        return;
    };
    match input {
        None => {
            s.status = "abandoned".into();
        }
        Some(key) => {
            s.inputs.push(key.to_string());
            let Some(node) = walker.nodes.get(&current) else {
                return;
            };
            let next = match node.node_type.as_str() {
                "menu" => node
                    .menu_options
                    .iter()
                    .find(|o| o.dtmf_key == key)
                    .map(|o| o.target_node_id),
                "input" => {
                    let var = node
                        .input_variable
                        .clone()
                        .unwrap_or_else(|| format!("node_{}", node.id));
                    s.variables[var] = serde_json::Value::String(key.to_string());
                    node.next_node_id
                }
                _ => None,
            };
            match next {
                Some(next) => {
                    s.retries = 0;
                    s.path.push(next);
                    let settled = walker.settle(next, &mut s.path);
                    s.current_node_id = Some(settled);
                    if walker.is_end(settled) {
                        s.status = "completed".into();
                        s.outcome = walker.nodes.get(&settled).map(|n| n.node_type.clone());
                    }
                }
                None if node.node_type == "input" => {
                    s.status = "completed".into();
                    s.outcome = Some("hangup".into());
                }
                None => {
                    s.retries += 1;
                    if s.retries > walker.max_retries {
                        s.status = "failed".into();
                    }
                }
            }
        }
    }
    if s.status != "in_progress" && s.ended_at.is_none() {
        let end = Utc::now().timestamp_millis();
        s.ended_at = Some(end);
        s.duration_seconds = Some(duration.unwrap_or((end - s.started_at).max(0) as f64 / 1000.0));
    }
}

fn parse_period(period: Option<&str>) -> ApiResult<(String, Duration)> {
    let p = crate::common::period(period, "7d")?;
    Ok((p.label, p.end - p.start))
}

fn analytics(
    conn: &Connection,
    flow: &IvrFlow,
    period: &str,
    since_ms: i64,
) -> ApiResult<FlowAnalytics> {
    let mut stmt = conn.prepare(
        "SELECT version, status, path, current_node_id, duration_seconds FROM cc_ivr_sessions
         WHERE flow_id = ?1 AND started_at >= ?2",
    )?;
    let rows = stmt
        .query_map(params![flow.id, since_ms], |r| {
            let path: String = r.get(2)?;
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                serde_json::from_str::<Vec<i64>>(&path).unwrap_or_default(),
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<f64>>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Node names per version (names can change between versions).
    let mut names: HashMap<(i64, i64), String> = HashMap::new();
    let mut vstmt =
        conn.prepare("SELECT version, definition FROM cc_ivr_flow_versions WHERE flow_id = ?1")?;
    let defs = vstmt
        .query_map([flow.id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (v, d) in defs {
        if let Ok(d) = serde_json::from_str::<Definition>(&d) {
            for n in d.nodes {
                names.insert((v, n.id), n.name);
            }
        }
    }
    let name_of = |v: i64, id: i64| {
        names
            .get(&(v, id))
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    };
    let total = rows.len() as i64;
    let count = |s: &str| rows.iter().filter(|r| r.1 == s).count() as i64;
    let (completed, abandoned, failed, running) = (
        count("completed"),
        count("abandoned"),
        count("failed"),
        count("in_progress"),
    );
    let durations: Vec<f64> = rows.iter().filter_map(|r| r.4).collect();
    let avg = if durations.is_empty() {
        0.0
    } else {
        durations.iter().sum::<f64>() / durations.len() as f64
    };
    let ended = completed + abandoned + failed;
    let mut paths: HashMap<String, i64> = HashMap::new();
    let mut visits: HashMap<i64, i64> = HashMap::new();
    let mut drops: HashMap<i64, i64> = HashMap::new();
    for (v, status, path, current, _) in &rows {
        let key = path
            .iter()
            .map(|id| name_of(*v, *id))
            .collect::<Vec<_>>()
            .join(" -> ");
        *paths.entry(key).or_default() += 1;
        for id in path.iter().collect::<HashSet<_>>() {
            *visits.entry(*id).or_default() += 1;
        }
        if status == "abandoned" || status == "failed" {
            if let Some(c) = current {
                *drops.entry(*c).or_default() += 1;
            }
        }
    }
    let mut most: Vec<PathCount> = paths
        .into_iter()
        .map(|(path, count)| PathCount { path, count })
        .collect();
    most.sort_by(|a, b| b.count.cmp(&a.count).then(a.path.cmp(&b.path)));
    most.truncate(10);
    let current_names: HashMap<i64, String> =
        flow.nodes.iter().map(|n| (n.id, n.name.clone())).collect();
    let mut drop_off: Vec<DropOff> = drops
        .into_iter()
        .map(|(node_id, d)| {
            let seen = visits.get(&node_id).copied().unwrap_or(d).max(d);
            DropOff {
                node_id,
                node_name: current_names.get(&node_id).cloned(),
                drop_rate: round4(d as f64 / seen as f64),
                drops: d,
            }
        })
        .collect();
    drop_off.sort_by(|a, b| {
        b.drop_rate
            .total_cmp(&a.drop_rate)
            .then(b.drops.cmp(&a.drops))
            .then(a.node_id.cmp(&b.node_id))
    });
    Ok(FlowAnalytics {
        flow_id: flow.id,
        period: period.to_string(),
        total_sessions: total,
        completed_sessions: completed,
        abandoned_sessions: abandoned,
        failed_sessions: failed,
        in_progress_sessions: running,
        avg_duration: round4(avg),
        completion_rate: if ended == 0 {
            0.0
        } else {
            round4(completed as f64 / ended as f64)
        },
        most_used_paths: most,
        drop_off_points: drop_off,
    })
}

pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

// ---------------------------------------------------------------- api

pub struct IvrApi {
    platform: Platform,
}

impl IvrApi {
    pub fn new(platform: &Platform) -> Self {
        IvrApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::IvrFlows")]
impl IvrApi {
    /// List IVR flows (filter by `is_active`), newest first.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/ivr/flows", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        is_active: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<IvrFlowSummary>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let active = is_active.0;
        let (items, total) = self
            .platform
            .db
            .read(move |conn| {
                let total: i64 = conn.query_row(
                    "SELECT COUNT(*) FROM cc_ivr_flows WHERE ?1 IS NULL OR is_active = ?1",
                    [active],
                    |r| r.get(0),
                )?;
                let mut stmt = conn.prepare(&format!(
                    "SELECT {FLOW_COLS} FROM cc_ivr_flows WHERE ?1 IS NULL OR is_active = ?1
                     ORDER BY id DESC LIMIT ?2 OFFSET ?3"
                ))?;
                let items = stmt
                    .query_map(params![active, w.limit as i64, w.offset as i64], flow_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items.into_iter().map(summary).collect(), total as u64))
            })
            .await?;
        Ok(listed(items, &w, "/api/ivr/flows", total))
    }

    /// Create an IVR flow. Nodes are validated as a graph: a start node, no
    /// dangling targets, every node reachable, no menu without options, no
    /// loop without an exit; each problem is reported per node (422).
    #[oai(path = "/api/ivr/flows", method = "post")]
    async fn create(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<IvrFlowCreate>,
    ) -> Result<Created<IvrFlow>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let mut errors = Vec::new();
        check_text(&mut errors, "name", &b.name, 200);
        check_settings(
            &mut errors,
            b.timeout_seconds,
            b.max_retries,
            b.language.as_deref(),
        );
        let nodes = b.nodes.unwrap_or_default();
        errors.extend(validate_graph(&nodes, b.start_node_id));
        fail_if(errors)?;
        let start = b.start_node_id.or(nodes.first().map(|n| n.id));
        let flow = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let at = iso(now());
                tx.execute(
                    "INSERT INTO cc_ivr_flows (name, description, is_active, timeout_seconds, max_retries,
                        language, start_node_id, nodes, created_by, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                    params![
                        b.name.trim(),
                        b.description,
                        b.is_active.unwrap_or(false),
                        b.timeout_seconds.unwrap_or(30),
                        b.max_retries.unwrap_or(3),
                        b.language.unwrap_or_else(|| "en".into()),
                        start,
                        serde_json::to_string(&nodes)?,
                        auth.0.seq,
                        at
                    ],
                )?;
                let id = tx.last_insert_rowid();
                w.audit(SLUG, "ivr_flow.create", "ivr_flow", &id.to_string(), serde_json::json!({}))?;
                get_flow(tx, id)
            })
            .await?;
        Ok(Created::Created(Json(flow)))
    }

    /// Get an IVR flow with its full node tree (the working draft).
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/ivr/flows/:flow_id", method = "get")]
    async fn get(&self, auth: BearerAuth, flow_id: Path<i64>) -> Result<Json<IvrFlow>> {
        require_operator(&auth.0)?;
        let id = flow_id.0;
        Ok(Json(self.platform.db.read(move |c| get_flow(c, id)).await?))
    }

    /// Update an IVR flow; `nodes` replaces the graph, which is validated as on create.
    /// Published versions are never changed.
    #[oai(path = "/api/ivr/flows/:flow_id", method = "put")]
    async fn update(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        flow_id: Path<i64>,
        body: JsonBody<IvrFlowUpdate>,
    ) -> Result<Json<IvrFlow>> {
        require_manager(&auth.0)?;
        let id = flow_id.0;
        let b = body.0;
        let flow = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let cur = get_flow(tx, id)?;
                let mut errors = Vec::new();
                if let Some(n) = &b.name {
                    check_text(&mut errors, "name", n, 200);
                }
                check_settings(&mut errors, b.timeout_seconds, b.max_retries, b.language.as_deref());
                let nodes = b.nodes.clone().unwrap_or(cur.nodes.clone());
                let start = match (b.start_node_id, &b.nodes) {
                    (Some(s), _) => Some(s),
                    (None, Some(new)) => cur
                        .start_node_id
                        .filter(|s| new.iter().any(|n| n.id == *s))
                        .or(new.first().map(|n| n.id)),
                    (None, None) => cur.start_node_id,
                };
                errors.extend(validate_graph(&nodes, start));
                fail_if(errors)?;
                tx.execute(
                    "UPDATE cc_ivr_flows SET name = ?2, description = ?3, is_active = ?4, timeout_seconds = ?5,
                        max_retries = ?6, language = ?7, start_node_id = ?8, nodes = ?9, updated_at = ?10
                     WHERE id = ?1",
                    params![
                        id,
                        b.name.as_deref().map(str::trim).unwrap_or(&cur.name),
                        b.description.or(cur.description),
                        b.is_active.unwrap_or(cur.is_active),
                        b.timeout_seconds.unwrap_or(cur.timeout_seconds),
                        b.max_retries.unwrap_or(cur.max_retries),
                        b.language.unwrap_or(cur.language),
                        start,
                        serde_json::to_string(&nodes)?,
                        iso(now())
                    ],
                )?;
                w.audit(SLUG, "ivr_flow.update", "ivr_flow", &id.to_string(), serde_json::json!({}))?;
                get_flow(tx, id)
            })
            .await?;
        Ok(Json(flow))
    }

    /// Delete an IVR flow with its versions and session history.
    #[oai(path = "/api/ivr/flows/:flow_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        flow_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = flow_id.0;
        write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            get_flow(tx, id)?;
            tx.execute("DELETE FROM cc_ivr_flows WHERE id = ?1", [id])?;
            w.audit(
                SLUG,
                "ivr_flow.delete",
                "ivr_flow",
                &id.to_string(),
                serde_json::json!({}),
            )
            .map(drop)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Publish the current graph as a new immutable, numbered version with notes.
    /// The graph must be valid and have at least one node.
    #[oai(path = "/api/ivr/flows/:flow_id/publish", method = "post")]
    async fn publish(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        flow_id: Path<i64>,
        body: JsonBody<PublishRequest>,
    ) -> Result<Created<IvrFlowVersion>> {
        require_manager(&auth.0)?;
        let id = flow_id.0;
        let notes = body.0.version_notes;
        if notes.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            return Err(
                ApiError::invalid("version_notes", "must be at most 2000 characters").into(),
            );
        }
        let v = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let flow = get_flow(tx, id)?;
                if flow.nodes.is_empty() {
                    return Err(ApiError::invalid("nodes", "a flow needs at least one node to be published"));
                }
                fail_if(validate_graph(&flow.nodes, flow.start_node_id))?;
                let version = flow.version + 1;
                let def = Definition {
                    start_node_id: flow.start_node_id.unwrap_or(flow.nodes[0].id),
                    timeout_seconds: flow.timeout_seconds,
                    max_retries: flow.max_retries,
                    language: flow.language.clone(),
                    nodes: flow.nodes.clone(),
                };
                tx.execute(
                    "INSERT INTO cc_ivr_flow_versions (flow_id, version, version_notes, definition, published_by, published_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![id, version, notes, serde_json::to_string(&def)?, auth.0.seq, iso(now())],
                )?;
                tx.execute(
                    "UPDATE cc_ivr_flows SET version = ?2, updated_at = ?3 WHERE id = ?1",
                    params![id, version, iso(now())],
                )?;
                w.audit(SLUG, "ivr_flow.publish", "ivr_flow", &id.to_string(), serde_json::json!({"version": version}))?;
                get_version(tx, id, version)
            })
            .await?;
        Ok(Created::Created(Json(v)))
    }

    /// Flow analytics over `period` (`24h`, `7d`, `4w`; default `7d`): sessions,
    /// average duration, completion rate, most used paths and drop-off points,
    /// computed from recorded sessions.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/ivr/flows/:flow_id/analytics", method = "get")]
    async fn analytics(
        &self,
        auth: BearerAuth,
        flow_id: Path<i64>,
        /// Hours, days or weeks back from now: `24h`, `7d`, `4w` (at most 366 days).
        #[oai(validator(
            pattern = r"^(([1-9][0-9]{0,2}|[1-7][0-9]{3}|8[0-6][0-9]{2}|87[0-7][0-9]|878[0-4])h|([1-9][0-9]?|[12][0-9]{2}|3[0-5][0-9]|36[0-6])d|([1-9]|[1-4][0-9]|5[0-2])w)$"
        ))]
        period: Query<Option<String>>,
    ) -> Result<Json<FlowAnalytics>> {
        require_operator(&auth.0)?;
        let (period, span) = parse_period(period.0.as_deref())?;
        let since = (Utc::now() - span).timestamp_millis();
        let id = flow_id.0;
        let a = self
            .platform
            .db
            .read(move |c| {
                let flow = get_flow(c, id)?;
                analytics(c, &flow, &period, since)
            })
            .await?;
        Ok(Json(a))
    }

    /// Extension: the published versions of a flow, newest first.
    #[oai(
        path = "/api/ivr/flows/:flow_id/versions",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn versions(
        &self,
        auth: BearerAuth,
        flow_id: Path<i64>,
    ) -> Result<Json<Vec<IvrFlowVersion>>> {
        require_operator(&auth.0)?;
        let id = flow_id.0;
        let out = self
            .platform
            .db
            .read(move |c| {
                get_flow(c, id)?;
                let mut stmt = c.prepare(
                    "SELECT version FROM cc_ivr_flow_versions WHERE flow_id = ?1 ORDER BY version DESC",
                )?;
                let vs = stmt
                    .query_map([id], |r| r.get::<_, i64>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                vs.into_iter().map(|v| get_version(c, id, v)).collect()
            })
            .await?;
        Ok(Json(out))
    }

    /// Extension: one published version of a flow.
    #[oai(
        path = "/api/ivr/flows/:flow_id/versions/:version",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn version(
        &self,
        auth: BearerAuth,
        flow_id: Path<i64>,
        version: Path<i64>,
    ) -> Result<Json<IvrFlowVersion>> {
        require_operator(&auth.0)?;
        let (id, v) = (flow_id.0, version.0);
        Ok(Json(
            self.platform
                .db
                .read(move |c| get_version(c, id, v))
                .await?,
        ))
    }

    /// Extension: run a caller through a published version. The session starts
    /// at the start node, follows prompts, and applies `inputs` in order; it
    /// stays `in_progress` while it waits for input. Invalid keys count as
    /// retries (`failed` after the flow's `max_retries`). The recorded path
    /// feeds the flow analytics.
    #[oai(
        path = "/api/ivr/flows/:flow_id/sessions",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn start_session(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        flow_id: Path<i64>,
        body: JsonBody<SessionStart>,
    ) -> Result<Created<IvrSession>> {
        require_operator(&auth.0)?;
        let id = flow_id.0;
        let b = body.0;
        check_inputs(&b.inputs)?;
        if b.duration_seconds
            .is_some_and(|d| !(0.0..=86_400.0).contains(&d))
        {
            return Err(
                ApiError::invalid("duration_seconds", "must be between 0 and 86400").into(),
            );
        }
        let s = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let flow = get_flow(tx, id)?;
                if !flow.is_active {
                    return Err(CcError::FlowNotActive.with_message(format!(
                        "IVR flow {id} is not active (is_active: false); it takes no new sessions"
                    )));
                }
                let version = b.version.unwrap_or(flow.version);
                if version < 1 {
                    return Err(CcError::FlowNotPublished.with_message("The flow has no published version yet; publish it first"));
                }
                let def = load_definition(tx, id, version)?;
                let walker = Walker {
                    nodes: def.nodes.iter().map(|n| (n.id, n)).collect(),
                    max_retries: def.max_retries,
                };
                let mut path = vec![def.start_node_id];
                let current = walker.settle(def.start_node_id, &mut path);
                let started = Utc::now().timestamp_millis();
                tx.execute(
                    "INSERT INTO cc_ivr_sessions (flow_id, version, caller_number, called_number, status,
                        current_node_id, path, started_at)
                     VALUES (?1, ?2, ?3, ?4, 'in_progress', ?5, ?6, ?7)",
                    params![id, version, b.caller_number, b.called_number, current,
                        serde_json::to_string(&path)?, started],
                )?;
                let mut s = load_session(tx, tx.last_insert_rowid())?;
                if walker.is_end(current) {
                    s.status = "completed".into();
                    s.outcome = walker.nodes.get(&current).map(|n| n.node_type.clone());
                    s.ended_at = Some(started);
                    s.duration_seconds = Some(b.duration_seconds.unwrap_or(0.0));
                }
                for key in &b.inputs {
                    if s.status != "in_progress" {
                        break;
                    }
                    step(&mut s, &def, Some(key), b.duration_seconds);
                }
                if b.hangup && s.status == "in_progress" {
                    step(&mut s, &def, None, b.duration_seconds);
                }
                settle_session(w, &mut s, &def)?;
                save_session(tx, &s)?;
                w.audit(SLUG, "ivr_session.start", "ivr_session", &s.id.to_string(), serde_json::json!({"flow_id": id, "version": version, "status": s.status}))?;
                Ok(render_session(&s, &def))
            })
            .await?;
        Ok(Created::Created(Json(s)))
    }

    /// Extension: a session's state and path.
    #[oai(
        path = "/api/ivr/sessions/:session_id",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn get_session(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        session_id: Path<i64>,
    ) -> Result<Json<IvrSession>> {
        require_operator(&auth.0)?;
        let id = session_id.0;
        // Reading a session first ends the overdue ones (a write).
        let s = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            expire_sessions(w, Utc::now().timestamp_millis())?;
            let s = load_session(w, id)?;
            let def = load_definition(w, s.flow_id, s.version)?;
            Ok(render_session(&s, &def))
        })
        .await?;
        Ok(Json(s))
    }

    /// Extension: apply one DTMF input to a running session.
    #[oai(
        path = "/api/ivr/sessions/:session_id/input",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn input(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        session_id: Path<i64>,
        body: JsonBody<SessionInput>,
    ) -> Result<Json<IvrSession>> {
        require_operator(&auth.0)?;
        let id = session_id.0;
        let key = body.0.dtmf;
        check_inputs(std::slice::from_ref(&key))?;
        Ok(Json(
            write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
                advance(w, id, Some(&key))
            })
            .await?,
        ))
    }

    /// Extension: the caller hung up; the session ends as `abandoned` where it is.
    #[oai(
        path = "/api/ivr/sessions/:session_id/hangup",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn hangup(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        session_id: Path<i64>,
    ) -> Result<Json<IvrSession>> {
        require_operator(&auth.0)?;
        let id = session_id.0;
        Ok(Json(
            write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
                advance(w, id, None)
            })
            .await?,
        ))
    }
}

fn check_inputs(inputs: &[String]) -> ApiResult<()> {
    if inputs.len() > 100 {
        return Err(ApiError::invalid("inputs", "at most 100 inputs"));
    }
    for (i, k) in inputs.iter().enumerate() {
        let ok = !k.is_empty()
            && k.len() <= 32
            && k.chars()
                .all(|c| c.is_ascii_digit() || c == '*' || c == '#');
        if !ok {
            return Err(ApiError::invalid(
                format!("inputs[{i}]"),
                "DTMF input is made of 0-9, * and # (1 to 32 keys)",
            ));
        }
    }
    Ok(())
}

fn advance(w: &WriteCtx<'_>, id: i64, key: Option<&str>) -> ApiResult<IvrSession> {
    let tx = w.tx();
    expire_sessions(w, Utc::now().timestamp_millis())?;
    let mut s = load_session(tx, id)?;
    if s.status != "in_progress" {
        return Err(CcError::SessionEnded
            .with_message(format!("The session has already ended ({})", s.status)));
    }
    let def = load_definition(tx, s.flow_id, s.version)?;
    step(&mut s, &def, key, None);
    settle_session(w, &mut s, &def)?;
    save_session(tx, &s)?;
    let action = if key.is_some() {
        "ivr_session.input"
    } else {
        "ivr_session.hangup"
    };
    w.audit(
        SLUG,
        action,
        "ivr_session",
        &id.to_string(),
        serde_json::json!({"status": s.status}),
    )?;
    Ok(render_session(&s, &def))
}

/// After a step: a session still waiting for input gets its next deadline
/// (now + the flow's `timeout_seconds`); one that ended at a `queue` or
/// `voicemail` node does what the node names, through the same services the
/// queue and voicemail APIs use:
/// - `queue`: the caller is queued in the node's queue (`POST /queues/{id}/calls`
///   rules: the caller's number is needed, a full or inactive queue refuses
///   with 409 and the session does not move), with the session's variables as
///   the call's `attributes` and the flow's language;
/// - `voicemail`: a `new` voicemail from the caller (`anonymous` when the number
///   is withheld) to `called_number`, in the node's queue when it names one.
fn settle_session(w: &WriteCtx<'_>, s: &mut SessionRow, def: &Definition) -> ApiResult<()> {
    let tx = w.tx();
    let now = Utc::now().timestamp_millis();
    if s.status == "in_progress" {
        s.deadline = Some(now + def.timeout_seconds.max(1) * 1000);
        return Ok(());
    }
    s.deadline = None;
    if s.status != "completed" || s.call_id.is_some() || s.voicemail_id.is_some() {
        return Ok(());
    }
    let Some(node) = s
        .current_node_id
        .and_then(|id| def.nodes.iter().find(|n| n.id == id))
    else {
        return Ok(());
    };
    match node.node_type.as_str() {
        "queue" => {
            let queue_id = node
                .queue_id
                .ok_or_else(|| ApiError::invalid("queue_id", "the queue node names no queue"))?;
            let caller = s.caller_number.clone().ok_or_else(|| {
                ApiError::invalid(
                    "caller_number",
                    "a queue node queues the caller: give the caller_number",
                )
            })?;
            let mut attributes = match &s.variables {
                serde_json::Value::Object(m) => m.clone(),
                _ => serde_json::Map::new(),
            };
            attributes.insert("ivr_flow_id".into(), s.flow_id.into());
            attributes.insert("ivr_session_id".into(), s.id.into());
            let queued = crate::service::queues::enqueue(
                w,
                queue_id,
                crate::model::EnqueueCall {
                    caller_number: caller,
                    priority: None,
                    contact_id: None,
                    campaign_id: None,
                    required_skills: None,
                    language: Some(def.language.clone()).filter(|l| !l.is_empty()),
                    attributes: Some(crate::model::JsonObject(attributes)),
                },
            )?;
            s.call_id = Some(queued.call_id);
        }
        "voicemail" => {
            let id = crate::service::voicemail::insert(
                tx,
                &crate::model::VoicemailDeposit {
                    from_number: s
                        .caller_number
                        .clone()
                        .unwrap_or_else(|| "anonymous".into()),
                    to_number: s.called_number.clone().unwrap_or_default(),
                    duration: 0,
                    message_url: None,
                    transcription: None,
                    received_at: None,
                    priority: None,
                    assigned_to_id: None,
                    queue_id: node.queue_id,
                },
            )?;
            w.audit(
                SLUG,
                "voicemail.deposit",
                "voicemail",
                &id.to_string(),
                serde_json::json!({"ivr_session_id": s.id}),
            )?;
            s.voicemail_id = Some(id);
        }
        _ => {}
    }
    Ok(())
}

/// Ends the sessions whose deadline has passed without input: status
/// `failed`, outcome `timeout`, ended at the deadline. Run lazily before a
/// session is read or moved, and by the module's background sweep.
pub fn expire_sessions(w: &WriteCtx<'_>, now_ms: i64) -> ApiResult<usize> {
    Ok(w.execute(
        "UPDATE cc_ivr_sessions SET status = 'failed', outcome = 'timeout', ended_at = deadline,
            duration_seconds = MAX(deadline - started_at, 0) / 1000.0, deadline = NULL
         WHERE status = 'in_progress' AND deadline IS NOT NULL AND deadline <= ?1",
        [now_ms],
    )?)
}
