//! Queues and calls: queue definitions, enqueueing, assignment to agents
//! (availability, skills, languages, max concurrent calls), completion, and
//! recorded call attempts that feed campaign, agent and team figures.
//!
//! ## Routing rules
//! Assignment evaluates the active routing rules first (the same matching as
//! `POST /routing/evaluate`, see [`crate::service::routing::route_call`]): the
//! first rule whose conditions hold gives the agents, in its strategy's order.
//! When no rule matches, the queue's own team and skills decide. Either way only
//! eligible agents are chosen: available, under their maximum of concurrent
//! calls, with every required skill and the caller's language.

use chrono::{Duration, Utc};

use frontline_platform::auth::Principal;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::json;

use super::org::{normalize_language, normalize_skill};
use frontline_platform::write::WriteCtx;

use super::caller;
use crate::common::*;
use crate::model::*;
use crate::store::calls::{self as calls_store, CallEnd, CallRow, NewCall};
use crate::store::campaigns::{self as campaigns_store, get_campaign};
use crate::store::contacts::{get_contact, mark_attempt};
use crate::store::org as org_store;
use crate::SLUG;

pub const QUEUE_TYPES: &[&str] = &["inbound", "outbound", "callback"];
pub const QUEUE_STATUSES: &[&str] = &["active", "paused", "closed"];
pub const OUTCOMES: &[&str] = &[
    "converted",
    "success",
    "callback",
    "no_answer",
    "busy",
    "voicemail",
    "failed",
    "rejected",
];

fn route(conn: &Connection, call: &CallAttributes) -> ApiResult<Option<RoutingDecision>> {
    crate::service::routing::route_call(conn, call)
}

// ---- queues ----

fn check_queue(conn: &Connection, problems: &mut Vec<FieldError>, q: &mut Queue) {
    q.name = required_text(problems, "name", &q.name, 100);
    q.description = optional_text(problems, "description", q.description.take(), 2000);
    one_of(problems, "queue_type", Some(&q.queue_type), QUEUE_TYPES);
    one_of(problems, "status", Some(&q.status), QUEUE_STATUSES);
    in_range(problems, "max_size", Some(q.max_size), 1, 10_000);
    in_range(
        problems,
        "timeout_seconds",
        Some(q.timeout_seconds),
        5,
        86_400,
    );
    let mut skills: Vec<String> = q
        .required_skills
        .iter()
        .map(|s| normalize_skill(problems, "required_skills", s))
        .collect();
    skills.sort();
    skills.dedup();
    q.required_skills = skills;
    if let Some(t) = q.team_id {
        if org_store::get_team(conn, t).is_err() {
            problems.push(FieldError::new(
                "team_id",
                format!("Team {t} does not exist"),
            ));
        }
    }
}

pub fn create_queue(w: &WriteCtx<'_>, body: QueueCreate) -> ApiResult<Queue> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_supervisor()?;
    let mut q = Queue {
        id: 0,
        name: body.name.into(),
        description: body.description,
        queue_type: body
            .queue_type
            .map_or_else(|| "inbound".into(), String::from),
        status: body.status.map_or_else(|| "active".into(), String::from),
        current_calls: 0,
        waiting_calls: 0,
        max_size: body.max_size.unwrap_or(100),
        avg_wait_time: 0.0,
        longest_wait_time: 0,
        timeout_seconds: body.timeout_seconds.unwrap_or(180),
        team_id: body.team_id,
        required_skills: body
            .required_skills
            .map(|s| s.into_iter().map(String::from).collect())
            .unwrap_or_default(),
        available_agents: 0,
        created_at: String::new(),
        updated_at: String::new(),
    };
    let mut problems = Vec::new();
    check_queue(tx, &mut problems, &mut q);
    fail_if(problems)?;
    if org_store::queue_name_taken(tx, &q.name, None)? {
        return Err(duplicate(
            "name",
            format!("A queue named '{}' already exists", q.name),
        ));
    }
    let id = org_store::save_queue(tx, &q)?;
    w.audit(
        SLUG,
        "queue.create",
        "queue",
        &id.to_string(),
        json!({"name": q.name}),
    )?;
    get_queue(tx, id)
}

pub fn update_queue(w: &WriteCtx<'_>, id: i64, body: QueueUpdate) -> ApiResult<Queue> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_supervisor()?;
    let mut q = org_store::get_queue(tx, id)?;
    if let Some(v) = body.name {
        q.name = v.into();
    }
    if body.description.is_some() {
        q.description = body.description;
    }
    if let Some(v) = body.queue_type {
        q.queue_type = v.into();
    }
    if let Some(v) = body.status {
        q.status = v.into();
    }
    if let Some(v) = body.max_size {
        q.max_size = v;
    }
    if let Some(v) = body.timeout_seconds {
        q.timeout_seconds = v;
    }
    if let Some(t) = body.team_id {
        q.team_id = (t != 0).then_some(t);
    }
    if let Some(v) = body.required_skills {
        q.required_skills = v.into_iter().map(String::from).collect();
    }
    let mut problems = Vec::new();
    check_queue(tx, &mut problems, &mut q);
    fail_if(problems)?;
    if org_store::queue_name_taken(tx, &q.name, Some(id))? {
        return Err(duplicate(
            "name",
            format!("A queue named '{}' already exists", q.name),
        ));
    }
    org_store::save_queue(tx, &q)?;
    w.audit(
        SLUG,
        "queue.update",
        "queue",
        &id.to_string(),
        json!({"status": q.status}),
    )?;
    get_queue(tx, id)
}

pub fn delete_queue(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_supervisor()?;
    let q = org_store::get_queue(tx, id)?;
    if calls_store::count_active(tx, id)? > 0 {
        return Err(CcError::QueueNotEmpty.with_message(
            "The queue still has waiting or active calls; close it and let them finish first",
        ));
    }
    org_store::delete_queue(tx, id)?;
    w.audit(
        SLUG,
        "queue.delete",
        "queue",
        &id.to_string(),
        json!({"name": q.name}),
    )
    .map(drop)
}

/// A queue with its live figures, including how many eligible agents are free.
pub fn get_queue(conn: &Connection, id: i64) -> ApiResult<Queue> {
    let q = org_store::get_queue(conn, id)?;
    with_available(conn, q)
}

pub fn with_available(conn: &Connection, mut q: Queue) -> ApiResult<Queue> {
    let agents = org_store::all_agents(conn, Some("available"))?;
    q.available_agents = agents
        .iter()
        .filter(|a| {
            q.team_id.is_none_or(|t| a.team_id == Some(t))
                && a.current_calls < a.max_concurrent_calls
                && has_skills(a, &q.required_skills)
        })
        .count() as i64;
    Ok(q)
}

/// Waiting calls with their 1-based position and current wait.
pub fn queued_calls(
    conn: &Connection,
    queue: i64,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<QueuedCall>, u64)> {
    org_store::get_queue(conn, queue)?;
    let total = calls_store::count_waiting(conn, queue)? as u64;
    let now = Utc::now().timestamp();
    let rows = calls_store::waiting_calls(conn, queue, Some(w))?;
    let calls = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let queued_at = r
                .call
                .queued_at
                .clone()
                .unwrap_or_else(|| r.call.started_at.clone());
            QueuedCall {
                call_id: r.call.call_id,
                caller_number: r.call.caller_number,
                position: w.offset as i64 + i as i64 + 1,
                wait_time: (now - epoch(&queued_at)).max(0),
                priority: r.call.priority,
                queued_at,
                required_skills: r.required_skills,
                language: r.language,
                contact_id: r.call.contact_id,
                campaign_id: r.call.campaign_id,
            }
        })
        .collect();
    Ok((calls, total))
}

// ---- routing ----

fn has_skills(a: &Agent, skills: &[String]) -> bool {
    skills
        .iter()
        .all(|s| a.skills.iter().any(|k| k.skill_name.as_str() == s))
}

fn speaks(a: &Agent, language: Option<&str>) -> bool {
    language.is_none_or(|l| {
        let base = l.split('-').next().unwrap_or(l);
        a.languages
            .iter()
            .any(|k| k == l || k.split('-').next() == Some(base))
    })
}

/// Why `a` cannot take the call, if it cannot.
fn ineligible(a: &Agent, call: &CallAttributes, teams: &[i64]) -> Option<String> {
    if a.status != "available" {
        Some(format!("agent {} is {}", a.id, a.status))
    } else if a.current_calls >= a.max_concurrent_calls {
        Some(format!(
            "agent {} is at their maximum of {} concurrent calls",
            a.id, a.max_concurrent_calls
        ))
    } else if !teams.is_empty() && !a.team_id.is_some_and(|t| teams.contains(&t)) {
        Some(format!("agent {} is not in team {:?}", a.id, teams))
    } else if !has_skills(a, &call.required_skills) {
        Some(format!(
            "agent {} lacks skills {:?}",
            a.id, call.required_skills
        ))
    } else if !speaks(a, call.language.as_deref()) {
        Some(format!(
            "agent {} does not speak {}",
            a.id,
            call.language.as_deref().unwrap_or("")
        ))
    } else {
        None
    }
}

/// Chooses an agent for `call`: `forced` if given and eligible; else the
/// router's preferred agents; else the best eligible agent by summed
/// proficiency in the required skills, fewest current calls, longest idle,
/// skill level, id.
pub fn choose_agent(
    conn: &Connection,
    queue: &Queue,
    call: &mut CallAttributes,
    forced: Option<i64>,
) -> ApiResult<(Agent, Option<RoutingDecision>)> {
    let teams: Vec<i64> = queue.team_id.into_iter().collect();
    if let Some(id) = forced {
        let a = org_store::get_agent(conn, id)?;
        // A supervisor may hand a call to anyone eligible, whatever the team.
        if let Some(why) = ineligible(&a, call, &[]) {
            return Err(CcError::AgentNotEligible.with_message(format!("Cannot assign: {why}")));
        }
        return Ok((a, None));
    }
    let decision = route(conn, call)?;
    let agents = org_store::all_agents(conn, Some("available"))?;
    if let Some(d) = &decision {
        for id in &d.agent_ids {
            if let Some(a) = agents.iter().find(|a| a.id == *id) {
                if ineligible(a, call, &[]).is_none() {
                    return Ok((a.clone(), decision));
                }
            }
        }
        let fallback = match &d.fallback {
            Some(f) => format!("; its fallback ({f}) is not carried out by assignment"),
            None => String::new(),
        };
        return Err(CcError::NoAgentAvailable.with_message(format!(
                "Routing rule {} ({}) matched this call, but none of its agents can take it now{fallback}",
                d.rule_id.unwrap_or_default(),
                d.rule_name.as_deref().unwrap_or("")
            ),
        ));
    }
    // (-skill match, current calls, last assigned, -skill level, id): smaller wins.
    type Rank = (i64, i64, String, i64, i64);
    let mut best: Option<(Rank, &Agent)> = None;
    for a in agents
        .iter()
        .filter(|a| ineligible(a, call, &teams).is_none())
    {
        let match_score: i64 = call
            .required_skills
            .iter()
            .filter_map(|s| a.skills.iter().find(|k| k.skill_name.as_str() == s))
            .map(|k| k.proficiency)
            .sum();
        let idle_since = calls_store::last_assigned(conn, a.id)?.unwrap_or_default();
        // Smaller key wins.
        let key = (
            -match_score,
            a.current_calls,
            idle_since,
            -a.skill_level,
            a.id,
        );
        if best.as_ref().is_none_or(|(k, _)| key < *k) {
            best = Some((key, a));
        }
    }
    match best {
        Some((_, a)) => Ok((a.clone(), decision)),
        None => Err(CcError::NoAgentAvailable.with_message(
            "No available agent has the skills, language and capacity for this call",
        )),
    }
}

fn attributes_of(queue: &Queue, r: &CallRow) -> CallAttributes {
    let mut skills = queue.required_skills.clone();
    skills.extend(r.required_skills.iter().cloned());
    skills.sort();
    skills.dedup();
    CallAttributes {
        call_id: r.call.call_id.clone(),
        queue_id: queue.id,
        priority: r.call.priority,
        caller_number: r.call.caller_number.clone(),
        campaign_id: r.call.campaign_id,
        contact_id: r.call.contact_id,
        required_skills: skills,
        language: r.language.clone(),
        attributes: r.call.attributes.clone(),
    }
}

/// Emits a call event (`call.ended`, `call.abandoned`) for webhook subscribers.
/// The audience is the owner of the call's campaign (and admins).
fn call_event(w: &WriteCtx<'_>, event: &str, call: &Call) -> ApiResult<()> {
    let owner = match call.campaign_id {
        Some(c) => campaigns_store::owner_of(w, c)?,
        None => None,
    };
    let audience = super::owners_audience(w, owner.as_slice())?;
    w.emit(
        SLUG,
        event,
        &json!({
            "call_id": call.call_id, "status": call.status, "outcome": call.outcome,
            "campaign_id": call.campaign_id, "contact_id": call.contact_id,
            "agent_id": call.agent_id, "queue_id": call.queue_id, "duration": call.duration,
        }),
        &audience,
    )?;
    Ok(())
}

fn new_call_id() -> String {
    format!("call_{}", &uuid::Uuid::new_v4().simple().to_string()[..16])
}

/// Marks calls that waited past their queue's timeout as abandoned.
/// Each one records the samples an abandoned call records (`calls_abandoned`,
/// `wait_time`), in the same transaction.
pub fn expire(w: &WriteCtx<'_>) -> ApiResult<usize> {
    let tx = w.tx();
    let now = Utc::now();
    let ids = calls_store::expire_waiting(tx, now.timestamp(), &ts(now))?;
    for id in &ids {
        let gone = calls_store::get_call(tx, id, None)?.call;
        call_samples(w, &gone)?;
    }
    Ok(ids.len())
}

/// A call to queue, as the body gives it or as an IVR session hands it over
/// (its caller number and language are checked here, not by the body's types).
#[derive(Debug, Clone, Default)]
pub struct CallToQueue {
    pub caller_number: String,
    pub priority: Option<i64>,
    pub contact_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub required_skills: Option<Vec<String>>,
    pub language: Option<String>,
    pub attributes: Option<JsonObject>,
}

impl From<EnqueueCall> for CallToQueue {
    fn from(b: EnqueueCall) -> CallToQueue {
        CallToQueue {
            caller_number: b.caller_number.into(),
            priority: b.priority,
            contact_id: b.contact_id,
            campaign_id: b.campaign_id,
            required_skills: b
                .required_skills
                .map(|s| s.into_iter().map(String::from).collect()),
            language: b.language.map(String::from),
            attributes: b.attributes,
        }
    }
}

pub fn enqueue(
    w: &WriteCtx<'_>,
    queue_id: i64,
    body: impl Into<CallToQueue>,
) -> ApiResult<QueuedCall> {
    let body: CallToQueue = body.into();
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_staff()?;
    let q = org_store::get_queue(tx, queue_id)?;
    let mut problems = Vec::new();
    let caller = normalize_phone("caller_number", &body.caller_number)
        .map_err(|e| problems.push(e))
        .ok();
    let priority = body.priority.unwrap_or(5);
    in_range(&mut problems, "priority", Some(priority), 1, 10);
    let skills: Vec<String> = body
        .required_skills
        .unwrap_or_default()
        .iter()
        .map(|s| normalize_skill(&mut problems, "required_skills", s))
        .collect();
    let language = body
        .language
        .map(|l| normalize_language(&mut problems, "language", &l));
    let attributes = body
        .attributes
        .map(JsonObject::into_value)
        .unwrap_or_else(|| json!({}));
    fail_if(problems)?;
    let contact = match body.contact_id {
        Some(c) => Some(get_contact(tx, c, None)?),
        None => None,
    };
    if let Some(c) = body.campaign_id {
        let camp = get_campaign(tx, c, None)?;
        campaign_limits(tx, &camp, Utc::now(), contact.as_ref())?;
    }
    if q.status != "active" {
        return Err(
            CcError::QueueNotActive.with_message(format!("Queue {queue_id} is {}", q.status))
        );
    }
    if q.waiting_calls >= q.max_size {
        return Err(CcError::QueueFull
            .with_message(format!("Queue {queue_id} is full ({} waiting)", q.max_size)));
    }
    let now = now();
    let call = NewCall {
        call_id: new_call_id(),
        direction: if q.queue_type == "inbound" {
            "inbound"
        } else {
            "outbound"
        }
        .into(),
        status: "queued".into(),
        campaign_id: body.campaign_id,
        contact_id: body.contact_id,
        queue_id: Some(queue_id),
        caller_number: caller,
        priority,
        required_skills: skills,
        language,
        attributes,
        queued_at: Some(now.clone()),
        started_at: now.clone(),
        recorded_by_id: who.seq,
        created_at: now,
        ..Default::default()
    };
    let id = calls_store::insert_call(tx, &call)?;
    w.audit(
        SLUG,
        "call.enqueue",
        "call",
        &id.to_string(),
        json!({"call_id": call.call_id, "queue_id": queue_id}),
    )?;
    let waiting = calls_store::waiting_calls(tx, queue_id, None)?;
    let position = waiting
        .iter()
        .position(|r| r.call.id == id)
        .map(|p| p as i64 + 1)
        .unwrap_or(0);
    Ok(QueuedCall {
        call_id: call.call_id,
        caller_number: call.caller_number,
        position,
        wait_time: 0,
        priority,
        queued_at: call.queued_at.unwrap_or_default(),
        required_skills: call.required_skills,
        language: call.language,
        contact_id: call.contact_id,
        campaign_id: call.campaign_id,
    })
}

/// Assigns the next waiting call (or `body.call_id`) to the best eligible agent
/// (or `body.agent_id`).
pub fn assign(w: &WriteCtx<'_>, queue_id: i64, body: AssignRequest) -> ApiResult<Call> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_staff()?;
    let q = org_store::get_queue(tx, queue_id)?;
    // Agents pick up calls for themselves; supervisors hand them to anyone.
    let forced = if access.supervisor {
        body.agent_id
    } else {
        let own = org_store::agent_for_user(tx, who.seq)?
            .ok_or_else(|| forbidden("Only agents with an agent profile can take calls"))?;
        if body.agent_id.is_some_and(|a| a != own) {
            return Err(forbidden("Agents can only assign calls to themselves"));
        }
        Some(own)
    };
    let row = match &body.call_id {
        Some(cid) => {
            let r = calls_store::get_call(tx, cid, None)?;
            if r.call.queue_id != Some(queue_id) {
                return Err(not_found("Call", format!("{cid} in queue {queue_id}")));
            }
            if r.call.status != "queued" {
                return Err(CcError::CallNotWaiting
                    .with_message(format!("Call {cid} is {}", r.call.status)));
            }
            r
        }
        None => calls_store::waiting_calls(tx, queue_id, None)?
            .into_iter()
            .next()
            .ok_or_else(|| {
                CcError::QueueEmpty
                    .with_message(format!("No calls are waiting in queue {queue_id}"))
            })?,
    };
    let mut attrs = attributes_of(&q, &row);
    let (agent, decision) = choose_agent(tx, &q, &mut attrs, forced)?;
    let now = Utc::now();
    let queued = row
        .call
        .queued_at
        .as_deref()
        .unwrap_or(&row.call.started_at);
    let wait = (now.timestamp() - epoch(queued)).max(0);
    calls_store::assign(tx, row.call.id, agent.id, agent.team_id, &ts(now), wait)?;
    org_store::mark_routed(tx, agent.id)?;
    if let Some(rule) = decision.as_ref().and_then(|d| d.rule_id) {
        crate::service::routing::record_choice(tx, rule, agent.id)?;
    }
    w.audit(SLUG, "call.assign", "call", &row.call.id.to_string(), json!({"call_id": row.call.call_id, "agent_id": agent.id, "rule_id": decision.as_ref().and_then(|d| d.rule_id)}))?;
    Ok(calls_store::get_call(tx, &row.call.call_id, None)?.call)
}

fn check_outcome(
    problems: &mut Vec<FieldError>,
    outcome: &str,
    duration: Option<i64>,
    cost: Option<f64>,
) {
    one_of(problems, "outcome", Some(outcome), OUTCOMES);
    in_range(problems, "duration", duration, 0, 86_400);
    if cost.is_some_and(|c| !(0.0..=1_000_000.0).contains(&c) || c.is_nan()) {
        problems.push(FieldError::new(
            "cost",
            "cost must be between 0 and 1000000",
        ));
    }
}

/// Moves a contact after an attempt: done on success, failed once retries run out.
/// The campaign's documented limits for a call started at `at`: its calling
/// window (`start_date`..`end_date`), `max_daily_calls` per UTC day and, for a
/// contact, the retries (`retry_failed`, `max_retries`): a contact marked
/// failed has used them up. A call over a limit is refused with 409
/// CAMPAIGN_LIMIT_REACHED naming the limit (`limit` in the body).
fn campaign_limits(
    tx: &Connection,
    camp: &Campaign,
    at: chrono::DateTime<Utc>,
    contact: Option<&Contact>,
) -> ApiResult<()> {
    let refuse = |limit: &str, msg: String| {
        Err(CcError::CampaignLimitReached
            .with_message(msg)
            .with_extra("limit", limit))
    };
    let parse = |d: &Option<String>| {
        d.as_deref()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.with_timezone(&Utc))
    };
    if let Some(start) = parse(&camp.start_date) {
        if at < start {
            return refuse(
                "start_date",
                format!(
                    "Campaign {} calls from its start_date {}; this call starts at {}",
                    camp.id,
                    ts(start),
                    ts(at)
                ),
            );
        }
    }
    if let Some(end) = parse(&camp.end_date) {
        if at > end {
            return refuse(
                "end_date",
                format!(
                    "Campaign {} calls until its end_date {}; this call starts at {}",
                    camp.id,
                    ts(end),
                    ts(at)
                ),
            );
        }
    }
    if let Some(max) = camp.max_daily_calls {
        let day = at.format("%Y-%m-%d").to_string();
        if calls_store::count_campaign_day(tx, camp.id, &day)? >= max {
            return refuse(
                "max_daily_calls",
                format!(
                    "Campaign {} already has its max_daily_calls ({max}) on {day}",
                    camp.id
                ),
            );
        }
    }
    if let Some(k) = contact {
        if k.status == "failed" {
            let retries = if camp.retry_failed {
                camp.max_retries
            } else {
                0
            };
            return refuse(
                "max_retries",
                format!(
                    "Contact {} has used its attempts in campaign {} ({} call(s), retry_failed {}, max_retries {retries})",
                    k.id, camp.id, k.call_attempts, camp.retry_failed
                ),
            );
        }
    }
    Ok(())
}

fn after_attempt(
    tx: &Connection,
    contact: i64,
    campaign: Option<i64>,
    outcome: &str,
    at: &str,
) -> ApiResult<()> {
    let c = get_contact(tx, contact, None)?;
    let attempts = c.call_attempts + 1;
    let status = match outcome {
        // A contact reached successfully stays done.
        _ if c.status == "completed" => "completed",
        "success" | "converted" => "completed",
        "callback" => "called",
        _ => {
            let retries = match campaign.or(c.campaign_id) {
                Some(id) => {
                    let camp = get_campaign(tx, id, None)?;
                    if camp.retry_failed {
                        camp.max_retries
                    } else {
                        0
                    }
                }
                None => 0,
            };
            if attempts <= retries {
                "called"
            } else {
                "failed"
            }
        }
    };
    mark_attempt(tx, contact, at, status)
}

/// The metric samples a finished call implies, recorded in the caller's
/// transaction (metric type `call`, at the call's end, with the call's agent
/// and team): `call_duration` and `calls_handled` (1) for a completed call,
/// `success_rate` (1 for success/converted, else 0) and `failure_rate` (1 for
/// failed, rejected, no_answer, busy, else 0), `wait_time` when it waited in a
/// queue, and `calls_abandoned` (1) when the caller hung up waiting.
/// The dashboard charts these; thresholds on them are checked as for any sample.
fn call_samples(w: &WriteCtx<'_>, call: &Call) -> ApiResult<()> {
    use crate::model::metrics::MetricSample;
    use crate::service::metrics::record_metric;
    let at_ms = call
        .ended_at
        .as_deref()
        .and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok())
        .map(|d| d.timestamp_millis())
        .unwrap_or_else(|| Utc::now().timestamp_millis());
    let outcome = call.outcome.as_deref().unwrap_or("");
    let mut samples: Vec<(&str, f64)> = Vec::new();
    if call.status == "completed" {
        samples.push(("calls_handled", 1.0));
        if let Some(d) = call.duration {
            samples.push(("call_duration", d as f64));
        }
        let ok = matches!(outcome, "success" | "converted");
        let failed = matches!(outcome, "failed" | "rejected" | "no_answer" | "busy");
        samples.push(("success_rate", if ok { 1.0 } else { 0.0 }));
        samples.push(("failure_rate", if failed { 1.0 } else { 0.0 }));
    } else if call.status == "abandoned" {
        samples.push(("calls_abandoned", 1.0));
    }
    if call.queued_at.is_some() {
        if let Some(wait) = call.wait_time {
            samples.push(("wait_time", wait as f64));
        }
    }
    for (name, value) in samples {
        record_metric(
            w,
            &MetricSample {
                metric_type: "call",
                metric_name: name,
                value,
                team_id: call.team_id,
                agent_id: call.agent_id,
                tags: json!({"source": "call"}),
                dimensions: json!({
                    "call_id": call.call_id, "outcome": call.outcome,
                    "queue_id": call.queue_id, "campaign_id": call.campaign_id,
                }),
            },
            at_ms,
        )?;
    }
    Ok(())
}

/// Completes a call an agent is on.
pub fn complete(w: &WriteCtx<'_>, call_id: &str, body: CompleteCall) -> ApiResult<Call> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_staff()?;
    let r = calls_store::get_call(tx, call_id, None)?;
    if r.call.status != "in_progress" {
        return Err(
            CcError::CallNotInProgress.with_message(format!("Call {call_id} is {}", r.call.status))
        );
    }
    if !access.supervisor {
        let own = org_store::agent_for_user(tx, who.seq)?;
        if own.is_none() || own != r.call.agent_id {
            return Err(forbidden(
                "Only the agent on the call or a supervisor can complete it",
            ));
        }
    }
    let mut problems = Vec::new();
    check_outcome(
        &mut problems,
        body.outcome.as_str(),
        body.duration,
        body.cost,
    );
    let notes = optional_text(&mut problems, "notes", body.notes, 5000);
    fail_if(problems)?;
    let now = Utc::now();
    let since = r.call.assigned_at.as_deref().unwrap_or(&r.call.started_at);
    let duration = body
        .duration
        .unwrap_or((now.timestamp() - epoch(since)).max(0));
    let end = ts(now);
    calls_store::finish(
        tx,
        r.call.id,
        &CallEnd {
            status: "completed",
            outcome: body.outcome.as_str(),
            ended_at: &end,
            duration: Some(duration),
            wait: None,
            cost: body.cost,
            notes: notes.as_deref(),
        },
    )?;
    if let Some(contact) = r.call.contact_id {
        after_attempt(tx, contact, r.call.campaign_id, body.outcome.as_str(), &end)?;
    }
    w.audit(
        SLUG,
        "call.complete",
        "call",
        &r.call.id.to_string(),
        json!({"call_id": call_id, "outcome": body.outcome.as_str()}),
    )?;
    let done = calls_store::get_call(tx, call_id, None)?.call;
    call_samples(w, &done)?;
    call_event(w, "call.ended", &done)?;
    Ok(done)
}

/// The caller hung up while waiting.
pub fn abandon(w: &WriteCtx<'_>, call_id: &str) -> ApiResult<Call> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_staff()?;
    let r = calls_store::get_call(tx, call_id, None)?;
    if r.call.status != "queued" {
        return Err(
            CcError::CallNotWaiting.with_message(format!("Call {call_id} is {}", r.call.status))
        );
    }
    let now = Utc::now();
    let queued = r.call.queued_at.as_deref().unwrap_or(&r.call.started_at);
    let wait = (now.timestamp() - epoch(queued)).max(0);
    calls_store::finish(
        tx,
        r.call.id,
        &CallEnd {
            status: "abandoned",
            outcome: "abandoned",
            ended_at: &ts(now),
            duration: None,
            wait: Some(wait),
            cost: None,
            notes: None,
        },
    )?;
    w.audit(
        SLUG,
        "call.abandon",
        "call",
        &r.call.id.to_string(),
        json!({"call_id": call_id}),
    )?;
    let gone = calls_store::get_call(tx, call_id, None)?.call;
    call_samples(w, &gone)?;
    call_event(w, "call.abandoned", &gone)?;
    Ok(gone)
}

/// Records a finished call attempt (e.g. from the dialer or an AI campaign).
pub fn record(w: &WriteCtx<'_>, body: CallRecord) -> ApiResult<Call> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    let staff = access.supervisor || access.agent;
    let mut problems = Vec::new();
    check_outcome(
        &mut problems,
        body.outcome.as_str(),
        Some(body.duration),
        body.cost,
    );
    let direction = body
        .direction
        .map_or_else(|| "outbound".into(), String::from);
    one_of(
        &mut problems,
        "direction",
        Some(&direction),
        &["outbound", "inbound"],
    );
    let caller = body.caller_number.as_deref().and_then(|p| {
        normalize_phone("caller_number", p)
            .map_err(|e| problems.push(e))
            .ok()
    });
    let started = match body.started_at.as_deref() {
        Some(raw) => parse_ts("started_at", raw)
            .map_err(|e| problems.push(e))
            .ok(),
        // An out-of-range duration is already a problem; no start from it.
        None => Duration::try_seconds(body.duration.max(0))
            .and_then(|d| Utc::now().checked_sub_signed(d)),
    };
    if started.is_some_and(|s| s > Utc::now() + Duration::minutes(5)) {
        problems.push(FieldError::new(
            "started_at",
            "started_at cannot be in the future",
        ));
    }
    let notes = optional_text(&mut problems, "notes", body.notes, 5000);
    fail_if(problems)?;
    let started = started.ok_or_else(|| ApiError::internal("start time missing"))?;
    let scope = access.owner_scope();
    let contact = match body.contact_id {
        Some(id) => Some(get_contact(tx, id, scope)?),
        None => None,
    };
    let campaign_id = body
        .campaign_id
        .or(contact.as_ref().and_then(|c| c.campaign_id));
    if !staff && (campaign_id.is_none() || body.agent_id.is_some() || body.queue_id.is_some()) {
        return Err(forbidden(
            "Users record calls of their own campaigns only (no agent or queue)",
        ));
    }
    if let Some(id) = campaign_id {
        let camp = get_campaign(tx, id, scope)?;
        campaign_limits(tx, &camp, started, contact.as_ref())?;
    }
    if let (Some(c), Some(k)) = (body.campaign_id, &contact) {
        if k.campaign_id.is_some_and(|kc| kc != c) {
            return Err(ApiError::invalid(
                "contact_id",
                format!("Contact {} is not in campaign {c}", k.id),
            ));
        }
    }
    let team_id = match body.agent_id {
        Some(a) => org_store::get_agent(tx, a)?.team_id,
        None => None,
    };
    if let Some(q) = body.queue_id {
        org_store::get_queue(tx, q)?;
    }
    let end = Duration::try_seconds(body.duration)
        .and_then(|d| started.checked_add_signed(d))
        .ok_or_else(|| ApiError::invalid("duration", "duration must be between 0 and 86400"))?;
    let call = NewCall {
        call_id: new_call_id(),
        direction,
        status: "completed".into(),
        outcome: Some(body.outcome.as_str().to_string()),
        campaign_id,
        contact_id: body.contact_id,
        agent_id: body.agent_id,
        team_id,
        queue_id: body.queue_id,
        caller_number: caller.or(contact.as_ref().map(|c| c.phone_number.clone())),
        priority: contact.as_ref().map(|c| c.priority).unwrap_or(5),
        attributes: json!({}),
        started_at: ts(started),
        ended_at: Some(ts(end)),
        duration: Some(body.duration),
        cost: body.cost,
        notes,
        recorded_by_id: who.seq,
        created_at: now(),
        ..Default::default()
    };
    let id = calls_store::insert_call(tx, &call)?;
    if let Some(k) = &contact {
        after_attempt(tx, k.id, campaign_id, body.outcome.as_str(), &ts(started))?;
    }
    w.audit(
        SLUG,
        "call.record",
        "call",
        &id.to_string(),
        json!({"call_id": call.call_id, "outcome": body.outcome.as_str()}),
    )?;
    let done = calls_store::get_call(tx, &call.call_id, None)?.call;
    call_samples(w, &done)?;
    call_event(w, "call.ended", &done)?;
    Ok(done)
}

/// The queues, filtered, each with its live figures.
pub fn list_queues(
    conn: &Connection,
    status: Option<&str>,
    queue_type: Option<&str>,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<Queue>, u64)> {
    let (rows, total) = org_store::list_queues(conn, status, queue_type, w)?;
    let rows = rows
        .into_iter()
        .map(|q| with_available(conn, q))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((rows, total))
}

/// The calls visible to the caller, filtered (`q.scope` is set here).
pub fn list_calls(
    conn: &Connection,
    who: &Principal,
    mut q: crate::model::CallQuery,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<Call>, u64)> {
    q.scope = Access::of(who).owner_scope();
    calls_store::list_calls(conn, &q, w)
}

/// One call the caller may see (404 otherwise).
pub fn get_call(conn: &Connection, who: &Principal, call_id: &str) -> ApiResult<Call> {
    Ok(calls_store::get_call(conn, call_id, Access::of(who).owner_scope())?.call)
}
