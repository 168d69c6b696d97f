//! IVR rules: a node graph per flow, validated on every save; published
//! versions are immutable snapshots; sessions run callers through a published
//! version and feed the flow analytics. Each write runs in the handler's
//! transaction and is audited there.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{Duration, Utc};
use frontline_platform::auth::Principal;
use frontline_platform::page::Window;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;

use crate::insight::{check_text, fail_if, iso, iso_ms, now, round4};
use crate::model::ivr::*;
use crate::model::CcError;
use crate::store::ivr as store;
use crate::SLUG;

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
                        s.outcome = walker.nodes.get(&settled).map(|n| n.node_type.to_string());
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

pub fn parse_period(period: Option<&str>) -> ApiResult<(String, Duration)> {
    let p = crate::common::period(period, "7d")?;
    Ok((p.label, p.end - p.start))
}

fn compute_analytics(
    conn: &Connection,
    flow: &IvrFlow,
    period: &str,
    since_ms: i64,
) -> ApiResult<FlowAnalytics> {
    let rows = store::sessions_since(conn, flow.id, since_ms)?;
    // Node names per version (names can change between versions).
    let mut names: HashMap<(i64, i64), String> = HashMap::new();
    let defs = store::version_definitions(conn, flow.id)?;
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

pub fn check_inputs<K: AsRef<str>>(inputs: &[K]) -> ApiResult<()> {
    if inputs.len() > 100 {
        return Err(ApiError::invalid("inputs", "at most 100 inputs"));
    }
    for (i, k) in inputs.iter().map(AsRef::as_ref).enumerate() {
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

pub fn advance(w: &WriteCtx<'_>, id: i64, key: Option<&str>) -> ApiResult<IvrSession> {
    let tx = w.tx();
    expire_sessions(w, Utc::now().timestamp_millis())?;
    let mut s = store::load_session(tx, id)?;
    if s.status != "in_progress" {
        return Err(CcError::SessionEnded
            .with_message(format!("The session has already ended ({})", s.status)));
    }
    let def = store::load_definition(tx, s.flow_id, s.version)?;
    step(&mut s, &def, key, None);
    settle_session(w, &mut s, &def)?;
    store::save_session(tx, &s)?;
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
                crate::service::queues::CallToQueue {
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
                &crate::model::NewVoicemail {
                    from_number: s.caller_number.as_deref().unwrap_or("anonymous"),
                    to_number: s.called_number.as_deref().unwrap_or_default(),
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
    store::expire(w.tx(), now_ms)
}

/// One page of flows, newest first, with the total.
pub fn list(
    conn: &Connection,
    active: Option<bool>,
    w: &Window,
) -> ApiResult<(Vec<IvrFlowSummary>, u64)> {
    let (items, total) = store::list_flows(conn, active, w)?;
    Ok((items.into_iter().map(summary).collect(), total))
}

/// Checks a new flow (every problem at once, the graph per node).
pub fn check_create(b: &IvrFlowCreate) -> ApiResult<()> {
    let mut errors = Vec::new();
    check_text(&mut errors, "name", &b.name, 200);
    check_settings(
        &mut errors,
        b.timeout_seconds,
        b.max_retries,
        b.language.as_deref(),
    );
    errors.extend(validate_graph(
        b.nodes.as_deref().unwrap_or_default(),
        b.start_node_id,
    ));
    fail_if(errors)
}

/// Creates a checked flow (see [`check_create`]); audited.
pub fn create(w: &WriteCtx<'_>, by: &Principal, b: IvrFlowCreate) -> ApiResult<IvrFlow> {
    let tx = w.tx();
    let nodes = b.nodes.unwrap_or_default();
    let start = b.start_node_id.or(nodes.first().map(|n| n.id));
    let at = iso(now());
    let id = store::insert_flow(
        tx,
        &store::NewFlow {
            name: b.name.trim(),
            description: b.description.as_deref(),
            is_active: b.is_active.unwrap_or(false),
            timeout_seconds: b.timeout_seconds.unwrap_or(30),
            max_retries: b.max_retries.unwrap_or(3),
            language: b.language.as_deref().unwrap_or("en"),
            start_node_id: start,
            nodes: &nodes,
            created_by: by.seq,
            at: &at,
        },
    )?;
    w.audit(
        SLUG,
        "ivr_flow.create",
        "ivr_flow",
        &id.to_string(),
        serde_json::json!({}),
    )?;
    store::get_flow(tx, id)
}

/// Applies changes to flow `id`; the resulting graph is validated as on create. Audited.
pub fn update(w: &WriteCtx<'_>, id: i64, b: IvrFlowUpdate) -> ApiResult<IvrFlow> {
    let tx = w.tx();
    let cur = store::get_flow(tx, id)?;
    let mut errors = Vec::new();
    if let Some(n) = &b.name {
        check_text(&mut errors, "name", n, 200);
    }
    check_settings(
        &mut errors,
        b.timeout_seconds,
        b.max_retries,
        b.language.as_deref(),
    );
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
    let description = b.description.or(cur.description);
    let language = b.language.unwrap_or(cur.language);
    store::update_flow(
        tx,
        id,
        &store::NewFlow {
            name: b.name.as_deref().map(str::trim).unwrap_or(&cur.name),
            description: description.as_deref(),
            is_active: b.is_active.unwrap_or(cur.is_active),
            timeout_seconds: b.timeout_seconds.unwrap_or(cur.timeout_seconds),
            max_retries: b.max_retries.unwrap_or(cur.max_retries),
            language: &language,
            start_node_id: start,
            nodes: &nodes,
            created_by: 0,
            at: &iso(now()),
        },
    )?;
    w.audit(
        SLUG,
        "ivr_flow.update",
        "ivr_flow",
        &id.to_string(),
        serde_json::json!({}),
    )?;
    store::get_flow(tx, id)
}

/// Deletes flow `id` with its versions and sessions. Audited.
pub fn delete(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let tx = w.tx();
    store::get_flow(tx, id)?;
    store::delete_flow(tx, id)?;
    w.audit(
        SLUG,
        "ivr_flow.delete",
        "ivr_flow",
        &id.to_string(),
        serde_json::json!({}),
    )
    .map(drop)
}

/// Checks publish notes.
pub fn check_notes(notes: Option<&str>) -> ApiResult<()> {
    if notes.is_some_and(|n| n.chars().count() > 2000) {
        return Err(ApiError::invalid(
            "version_notes",
            "must be at most 2000 characters",
        ));
    }
    Ok(())
}

/// Publishes flow `id`'s valid, non-empty graph as its next version. Audited.
pub fn publish(
    w: &WriteCtx<'_>,
    by: &Principal,
    id: i64,
    notes: Option<String>,
) -> ApiResult<IvrFlowVersion> {
    let tx = w.tx();
    let flow = store::get_flow(tx, id)?;
    if flow.nodes.is_empty() {
        return Err(ApiError::invalid(
            "nodes",
            "a flow needs at least one node to be published",
        ));
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
    store::insert_version(tx, id, version, notes.as_deref(), &def, by.seq, &iso(now()))?;
    w.audit(
        SLUG,
        "ivr_flow.publish",
        "ivr_flow",
        &id.to_string(),
        serde_json::json!({"version": version}),
    )?;
    store::get_version(tx, id, version)
}

/// Flow `id`'s analytics over `period` (default `7d`).
pub fn analytics(conn: &Connection, id: i64, period: Option<&str>) -> ApiResult<FlowAnalytics> {
    let (period, span) = parse_period(period)?;
    let since = (Utc::now() - span).timestamp_millis();
    let flow = store::get_flow(conn, id)?;
    compute_analytics(conn, &flow, &period, since)
}

/// Flow `id`, with its working draft.
pub fn get(conn: &Connection, id: i64) -> ApiResult<IvrFlow> {
    store::get_flow(conn, id)
}

/// Flow `id`'s published versions, newest first.
pub fn versions(conn: &Connection, id: i64) -> ApiResult<Vec<IvrFlowVersion>> {
    store::get_flow(conn, id)?;
    store::version_numbers(conn, id)?
        .into_iter()
        .map(|v| store::get_version(conn, id, v))
        .collect()
}

/// Version `version` of flow `id`.
pub fn version(conn: &Connection, id: i64, version: i64) -> ApiResult<IvrFlowVersion> {
    store::get_version(conn, id, version)
}

/// Checks a session start's inputs and duration.
pub fn check_start(b: &SessionStart) -> ApiResult<()> {
    check_inputs(&b.inputs)?;
    if b.duration_seconds
        .is_some_and(|d| !(0.0..=86_400.0).contains(&d))
    {
        return Err(ApiError::invalid(
            "duration_seconds",
            "must be between 0 and 86400",
        ));
    }
    Ok(())
}

/// Runs a caller into flow `id`'s published version (see the handler's
/// document text). Audited.
pub fn start_session(w: &WriteCtx<'_>, id: i64, b: SessionStart) -> ApiResult<IvrSession> {
    let tx = w.tx();
    let flow = store::get_flow(tx, id)?;
    if !flow.is_active {
        return Err(CcError::FlowNotActive.with_message(format!(
            "IVR flow {id} is not active (is_active: false); it takes no new sessions"
        )));
    }
    let version = b.version.unwrap_or(flow.version);
    if version < 1 {
        return Err(CcError::FlowNotPublished
            .with_message("The flow has no published version yet; publish it first"));
    }
    let def = store::load_definition(tx, id, version)?;
    let walker = Walker {
        nodes: def.nodes.iter().map(|n| (n.id, n)).collect(),
        max_retries: def.max_retries,
    };
    let mut path = vec![def.start_node_id];
    let current = walker.settle(def.start_node_id, &mut path);
    let started = Utc::now().timestamp_millis();
    let sid = store::insert_session(
        tx,
        id,
        version,
        b.caller_number.as_deref(),
        b.called_number.as_deref(),
        current,
        &path,
        started,
    )?;
    let mut s = store::load_session(tx, sid)?;
    if walker.is_end(current) {
        s.status = "completed".into();
        s.outcome = walker.nodes.get(&current).map(|n| n.node_type.to_string());
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
    store::save_session(tx, &s)?;
    w.audit(
        SLUG,
        "ivr_session.start",
        "ivr_session",
        &s.id.to_string(),
        serde_json::json!({"flow_id": id, "version": version, "status": s.status}),
    )?;
    Ok(render_session(&s, &def))
}

/// Session `id` (the overdue sessions are ended first).
pub fn get_session(w: &WriteCtx<'_>, id: i64) -> ApiResult<IvrSession> {
    expire_sessions(w, Utc::now().timestamp_millis())?;
    let s = store::load_session(w, id)?;
    let def = store::load_definition(w, s.flow_id, s.version)?;
    Ok(render_session(&s, &def))
}
