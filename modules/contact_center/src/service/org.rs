//! Teams, agents (skills, languages, availability) and companies.

use frontline_platform::auth::find_user_by_seq;
use frontline_platform::{ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::json;

use frontline_platform::write::WriteCtx;

use super::caller;
use crate::common::*;
use crate::model::*;
use crate::store::calls as calls_store;
use crate::store::org as store;
use crate::SLUG;

pub const AGENT_STATUSES: &[&str] = &["available", "busy", "away", "break", "offline"];

fn check_user(
    conn: &Connection,
    problems: &mut Vec<FieldError>,
    field: &str,
    id: Option<i64>,
) -> ApiResult<()> {
    if let Some(id) = id {
        if find_user_by_seq(conn, id)?.is_none() {
            problems.push(FieldError::new(field, format!("User {id} does not exist")));
        }
    }
    Ok(())
}

// ---- teams ----

fn check_team(conn: &Connection, problems: &mut Vec<FieldError>, t: &mut Team) -> ApiResult<()> {
    t.name = required_text(problems, "name", &t.name, 100);
    t.description = optional_text(problems, "description", t.description.take(), 2000);
    t.team_type = required_text(problems, "team_type", &t.team_type.to_lowercase(), 50);
    in_range(problems, "max_agents", Some(t.max_agents), 1, 1000);
    check_user(conn, problems, "supervisor_id", t.supervisor_id)
}

pub fn create_team(w: &WriteCtx<'_>, body: TeamCreate) -> ApiResult<Team> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_supervisor()?;
    let mut t = Team {
        id: 0,
        name: body.name.into(),
        description: body.description,
        team_type: body
            .team_type
            .map_or_else(|| "general".into(), String::from),
        max_agents: body.max_agents.unwrap_or(50),
        supervisor_id: body.supervisor_id,
        is_active: body.is_active.unwrap_or(true),
        agent_count: 0,
        available_agents: 0,
        created_at: String::new(),
        updated_at: String::new(),
    };
    let mut problems = Vec::new();
    check_team(tx, &mut problems, &mut t)?;
    fail_if(problems)?;
    if store::team_name_taken(tx, &t.name, None)? {
        return Err(duplicate(
            "name",
            format!("A team named '{}' already exists", t.name),
        ));
    }
    let id = store::save_team(tx, &t)?;
    w.audit(
        SLUG,
        "team.create",
        "team",
        &id.to_string(),
        json!({"name": t.name}),
    )?;
    store::get_team(tx, id)
}

pub fn update_team(w: &WriteCtx<'_>, id: i64, body: TeamUpdate) -> ApiResult<Team> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_supervisor()?;
    let mut t = store::get_team(tx, id)?;
    if let Some(v) = body.name {
        t.name = v.into();
    }
    if body.description.is_some() {
        t.description = body.description;
    }
    if let Some(v) = body.team_type {
        t.team_type = v.into();
    }
    if let Some(v) = body.max_agents {
        t.max_agents = v;
    }
    if body.supervisor_id.is_some() {
        t.supervisor_id = body.supervisor_id;
    }
    if let Some(v) = body.is_active {
        t.is_active = v;
    }
    let mut problems = Vec::new();
    check_team(tx, &mut problems, &mut t)?;
    if t.max_agents < t.agent_count && problems.iter().all(|p| p.field != "max_agents") {
        problems.push(FieldError::new(
            "max_agents",
            format!("The team already has {} agents", t.agent_count),
        ));
    }
    fail_if(problems)?;
    if store::team_name_taken(tx, &t.name, Some(id))? {
        return Err(duplicate(
            "name",
            format!("A team named '{}' already exists", t.name),
        ));
    }
    store::save_team(tx, &t)?;
    w.audit(SLUG, "team.update", "team", &id.to_string(), json!({}))?;
    store::get_team(tx, id)
}

/// Deletes a team; its agents and queues stay, without a team.
pub fn delete_team(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_supervisor()?;
    let t = store::get_team(tx, id)?;
    store::delete_team(tx, id)?;
    w.audit(
        SLUG,
        "team.delete",
        "team",
        &id.to_string(),
        json!({"name": t.name, "agents": t.agent_count}),
    )
    .map(drop)
}

pub fn team_performance(conn: &Connection, id: i64, period: &Period) -> ApiResult<TeamPerformance> {
    store::get_team(conn, id)?;
    let (start, end) = (ts(period.start), ts(period.end));
    let (total_calls, avg_duration, success_rate, agents) =
        calls_store::team_figures(conn, id, &start, &end)?;
    Ok(TeamPerformance {
        team_id: id,
        period: period.label.clone(),
        period_start: start,
        period_end: end,
        total_calls,
        avg_duration,
        success_rate,
        agents,
    })
}

// ---- agents ----

/// `pt-BR` style codes: 2-3 letters, optional region.
fn language_ok(l: &str) -> bool {
    let mut parts = l.split('-');
    let lang = parts.next().unwrap_or("");
    let region = parts.next();
    (2..=3).contains(&lang.len())
        && lang.chars().all(|c| c.is_ascii_lowercase())
        && region.is_none_or(|r| {
            (2..=4).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric())
        })
        && parts.next().is_none()
}

pub fn normalize_language(problems: &mut Vec<FieldError>, field: &str, l: &str) -> String {
    let l = l.trim();
    let norm = match l.split_once(['-', '_']) {
        Some((a, b)) => format!("{}-{}", a.to_lowercase(), b.to_uppercase()),
        None => l.to_lowercase(),
    };
    if !language_ok(&norm) {
        problems.push(FieldError::new(
            field,
            format!("'{l}' is not a language code such as en or pt-BR"),
        ));
    }
    norm
}

/// Lower-case skill names with `_` for spaces.
pub fn normalize_skill(problems: &mut Vec<FieldError>, field: &str, s: &str) -> String {
    let name = s.trim().to_lowercase().replace([' ', '-'], "_");
    if name.is_empty()
        || name.len() > 64
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        problems.push(FieldError::new(
            field,
            format!(
                "'{}' is not a skill name (letters, digits and _, up to 64)",
                s.trim()
            ),
        ));
    }
    name
}

fn check_agent(conn: &Connection, problems: &mut Vec<FieldError>, a: &mut Agent) -> ApiResult<()> {
    a.agent_number = required_text(problems, "agent_number", &a.agent_number, 32);
    one_of(problems, "status", Some(&a.status), AGENT_STATUSES);
    in_range(problems, "skill_level", Some(a.skill_level), 1, 10);
    in_range(
        problems,
        "max_concurrent_calls",
        Some(a.max_concurrent_calls),
        1,
        20,
    );
    let mut langs: Vec<String> = a
        .languages
        .iter()
        .map(|l| normalize_language(problems, "languages", l))
        .collect();
    langs.dedup();
    a.languages = langs;
    let mut specs: Vec<String> = a
        .specialties
        .iter()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    specs.dedup();
    if specs.iter().any(|s| s.chars().count() > 64) || specs.len() > 50 {
        problems.push(FieldError::new(
            "specialties",
            "At most 50 specialties of up to 64 characters",
        ));
    }
    a.specialties = specs;
    if let Some(team) = a.team_id {
        if store::get_team(conn, team).is_err() {
            problems.push(FieldError::new(
                "team_id",
                format!("Team {team} does not exist"),
            ));
        }
    }
    Ok(())
}

fn check_team_room(conn: &Connection, team: Option<i64>) -> ApiResult<()> {
    if let Some(team) = team {
        let t = store::get_team(conn, team)?;
        if t.agent_count >= t.max_agents {
            return Err(CcError::TeamFull.with_message(format!(
                "Team {team} already has its maximum of {} agents",
                t.max_agents
            )));
        }
    }
    Ok(())
}

fn check_skills(problems: &mut Vec<FieldError>, skills: Vec<AgentSkill>) -> Vec<AgentSkill> {
    skills
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let name = normalize_skill(problems, &format!("skills[{i}].skill_name"), &s.skill_name);
            in_range(
                problems,
                &format!("skills[{i}].proficiency"),
                Some(s.proficiency),
                1,
                10,
            );
            AgentSkill {
                // A name that fails the rules is refused above (`problems`).
                skill_name: SkillText::new(name).unwrap_or_else(|_| s.skill_name.clone()),
                proficiency: s.proficiency,
            }
        })
        .collect()
}

pub fn create_agent(w: &WriteCtx<'_>, body: AgentCreate) -> ApiResult<Agent> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_supervisor()?;
    let mut problems = Vec::new();
    check_user(tx, &mut problems, "user_id", Some(body.user_id))?;
    let mut a = Agent {
        id: 0,
        user_id: body.user_id,
        name: String::new(),
        email: String::new(),
        team_id: body.team_id,
        agent_number: body.agent_number.into(),
        status: body.status.map_or_else(|| "offline".into(), String::from),
        skill_level: body.skill_level.unwrap_or(5),
        max_concurrent_calls: body.max_concurrent_calls.unwrap_or(1),
        current_calls: 0,
        languages: body
            .languages
            .map(|l| l.into_iter().map(String::from).collect())
            .unwrap_or_default(),
        specialties: body.specialties.unwrap_or_default(),
        skills: Vec::new(),
        status_changed_at: String::new(),
        created_at: String::new(),
        updated_at: String::new(),
    };
    check_agent(tx, &mut problems, &mut a)?;
    let skills = check_skills(&mut problems, body.skills.unwrap_or_default());
    fail_if(problems)?;
    if store::agent_for_user(tx, a.user_id)?.is_some() {
        return Err(duplicate(
            "user_id",
            format!("User {} already has an agent profile", a.user_id),
        ));
    }
    if store::agent_number_taken(tx, &a.agent_number, None)? {
        return Err(duplicate(
            "agent_number",
            format!("Agent number {} is taken", a.agent_number),
        ));
    }
    check_team_room(tx, a.team_id)?;
    let id = store::save_agent(tx, &a, true)?;
    for s in &skills {
        store::upsert_skill(tx, id, s)?;
    }
    w.audit(
        SLUG,
        "agent.create",
        "agent",
        &id.to_string(),
        json!({"user_id": a.user_id}),
    )?;
    store::get_agent(tx, id)
}

/// Supervisors change anything; an agent may change only their own status.
pub fn update_agent(w: &WriteCtx<'_>, id: i64, body: AgentUpdate) -> ApiResult<Agent> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    let mut a = store::get_agent(tx, id)?;
    if !access.supervisor {
        let own = access.agent && a.user_id == who.seq;
        let only_status = body.team_id.is_none()
            && body.agent_number.is_none()
            && body.skill_level.is_none()
            && body.max_concurrent_calls.is_none()
            && body.languages.is_none()
            && body.specialties.is_none();
        if !(own && only_status) {
            return Err(forbidden("Agents may only change their own status"));
        }
    }
    let old_team = a.team_id;
    let old_status = a.status.clone();
    if let Some(t) = body.team_id {
        a.team_id = (t != 0).then_some(t);
    }
    if let Some(v) = body.agent_number {
        a.agent_number = v.into();
    }
    if let Some(v) = body.status {
        a.status = v.into();
    }
    if let Some(v) = body.skill_level {
        a.skill_level = v;
    }
    if let Some(v) = body.max_concurrent_calls {
        a.max_concurrent_calls = v;
    }
    if let Some(v) = body.languages {
        a.languages = v.into_iter().map(String::from).collect();
    }
    if let Some(v) = body.specialties {
        a.specialties = v;
    }
    let mut problems = Vec::new();
    check_agent(tx, &mut problems, &mut a)?;
    fail_if(problems)?;
    if store::agent_number_taken(tx, &a.agent_number, Some(id))? {
        return Err(duplicate(
            "agent_number",
            format!("Agent number {} is taken", a.agent_number),
        ));
    }
    if a.team_id != old_team {
        check_team_room(tx, a.team_id)?;
    }
    store::save_agent(tx, &a, a.status != old_status)?;
    w.audit(
        SLUG,
        "agent.update",
        "agent",
        &id.to_string(),
        json!({"status": a.status}),
    )?;
    store::get_agent(tx, id)
}

pub fn delete_agent(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_supervisor()?;
    let a = store::get_agent(tx, id)?;
    if a.current_calls > 0 {
        return Err(CcError::AgentOnCall.with_message(format!(
            "Agent {id} is on {} call(s); complete them first",
            a.current_calls
        )));
    }
    store::delete_agent(tx, id)?;
    w.audit(
        SLUG,
        "agent.delete",
        "agent",
        &id.to_string(),
        json!({"user_id": a.user_id}),
    )
    .map(drop)
}

/// Adds skills or updates their proficiency.
pub fn add_skills(w: &WriteCtx<'_>, id: i64, body: AgentSkillsAdd) -> ApiResult<Agent> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_supervisor()?;
    store::get_agent(tx, id)?;
    let mut problems = Vec::new();
    if body.skills.is_empty() {
        problems.push(FieldError::new("skills", "Give at least one skill"));
    }
    let skills = check_skills(&mut problems, body.skills);
    fail_if(problems)?;
    for s in &skills {
        store::upsert_skill(tx, id, s)?;
    }
    w.audit(
        SLUG,
        "agent.skills",
        "agent",
        &id.to_string(),
        json!({"skills": skills.iter().map(|s| &s.skill_name).collect::<Vec<_>>()}),
    )?;
    store::get_agent(tx, id)
}

pub fn agent_performance(
    conn: &Connection,
    id: i64,
    period: &Period,
) -> ApiResult<AgentPerformance> {
    let a = store::get_agent(conn, id)?;
    let (start, end) = (ts(period.start), ts(period.end));
    let (total, ok, converted, avg, talk, wait, by) =
        calls_store::agent_figures(conn, id, &start, &end)?;
    use crate::store::campaigns::{ratio, round};
    Ok(AgentPerformance {
        agent_id: id,
        name: a.name,
        period: period.label.clone(),
        period_start: start,
        period_end: end,
        total_calls: total,
        successful_calls: ok,
        success_rate: ratio(ok, total),
        conversion_rate: ratio(converted, total),
        avg_duration: round(avg, 2),
        total_talk_time: talk,
        avg_wait_time: round(wait, 2),
        calls_by_outcome: by,
        current_calls: a.current_calls,
    })
}

// ---- companies ----

fn check_company(problems: &mut Vec<FieldError>, c: &mut Company) {
    c.name = required_text(problems, "name", &c.name, 200);
    c.industry = optional_text(problems, "industry", c.industry.take(), 100);
    c.size = optional_text(problems, "size", c.size.take(), 50);
    c.description = optional_text(problems, "description", c.description.take(), 5000);
    c.domain = optional_text(problems, "domain", c.domain.take(), 253).map(|d| d.to_lowercase());
    if let Some(d) = &c.domain {
        let ok = d.contains('.')
            && d.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
            });
        if !ok {
            problems.push(FieldError::new(
                "domain",
                format!("'{d}' is not a domain name such as acme.com"),
            ));
        }
    }
    if let Some(e) = c
        .contact_email
        .take()
        .filter(|e| !crate::common::no_email(e))
    {
        match normalize_email("contact_email", &e) {
            Ok(e) => c.contact_email = Some(e),
            Err(err) => problems.push(err),
        }
    }
    if let Some(p) = c.contact_phone.take().filter(|p| !p.trim().is_empty()) {
        match normalize_phone("contact_phone", &p) {
            Ok(p) => c.contact_phone = Some(p),
            Err(err) => problems.push(err),
        }
    }
    let a = &mut c.address;
    for (field, v, max) in [
        ("address.street", &mut a.street, 200),
        ("address.city", &mut a.city, 100),
        ("address.state", &mut a.state, 100),
        ("address.postal_code", &mut a.postal_code, 20),
        ("address.country", &mut a.country, 100),
    ] {
        *v = optional_text(problems, field, v.take(), max);
    }
    // A null setting is no setting (the document marks them nullable).
    if let Some(tz) = c.settings.get("timezone").filter(|v| !v.is_null()) {
        let ok = tz
            .as_str()
            .is_some_and(|s| s.parse::<chrono_tz::Tz>().is_ok());
        if !ok {
            problems.push(FieldError::new(
                "settings.timezone",
                "timezone must be an IANA name such as America/Los_Angeles",
            ));
        }
    }
    if let Some(lang) = c.settings.get("language").filter(|v| !v.is_null()) {
        match lang.as_str() {
            Some(l) => {
                let norm = normalize_language(problems, "settings.language", l);
                c.settings["language"] = json!(norm);
            }
            None => problems.push(FieldError::new(
                "settings.language",
                "language must be a code such as en",
            )),
        }
    }
}

pub fn create_company(w: &WriteCtx<'_>, body: CompanyCreate) -> ApiResult<Company> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_supervisor()?;
    let mut problems = Vec::new();
    let settings = body
        .settings
        .map(|s| s.0.into_value())
        .unwrap_or_else(|| json!({}));
    let mut c = Company {
        id: 0,
        name: body.name.into(),
        domain: body.domain.map(String::from),
        industry: body.industry,
        size: body.size,
        description: body.description,
        contact_email: body.contact_email.map(String::from),
        contact_phone: body.contact_phone.map(String::from),
        address: body.address.unwrap_or_default(),
        settings,
        is_active: body.is_active.unwrap_or(true),
        created_at: String::new(),
        updated_at: String::new(),
    };
    check_company(&mut problems, &mut c);
    fail_if(problems)?;
    if let Some(d) = &c.domain {
        if store::domain_taken(tx, d, None)? {
            return Err(duplicate(
                "domain",
                format!("A company with domain {d} already exists"),
            ));
        }
    }
    let id = store::save_company(tx, &c, who.seq)?;
    w.audit(
        SLUG,
        "company.create",
        "company",
        &id.to_string(),
        json!({"name": c.name}),
    )?;
    store::get_company(tx, id)
}

pub fn update_company(w: &WriteCtx<'_>, id: i64, body: CompanyUpdate) -> ApiResult<Company> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_supervisor()?;
    let mut c = store::get_company(tx, id)?;
    let mut problems = Vec::new();
    if let Some(v) = body.name {
        c.name = v.into();
    }
    for (slot, v) in [
        (&mut c.domain, body.domain.map(String::from)),
        (&mut c.industry, body.industry),
        (&mut c.size, body.size),
        (&mut c.description, body.description),
        (&mut c.contact_email, body.contact_email.map(String::from)),
        (&mut c.contact_phone, body.contact_phone.map(String::from)),
    ] {
        if v.is_some() {
            *slot = v;
        }
    }
    if let Some(a) = body.address {
        c.address = a;
    }
    if let Some(s) = body.settings.map(|s| s.0.into_value()) {
        c.settings = s;
    }
    if let Some(v) = body.is_active {
        c.is_active = v;
    }
    check_company(&mut problems, &mut c);
    fail_if(problems)?;
    if let Some(d) = &c.domain {
        if store::domain_taken(tx, d, Some(id))? {
            return Err(duplicate(
                "domain",
                format!("A company with domain {d} already exists"),
            ));
        }
    }
    store::save_company(tx, &c, who.seq)?;
    w.audit(
        SLUG,
        "company.update",
        "company",
        &id.to_string(),
        json!({}),
    )?;
    store::get_company(tx, id)
}

pub fn delete_company(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let (tx, who) = (w.tx(), caller(w)?);
    Access::of(who).require_admin()?;
    let c = store::get_company(tx, id)?;
    store::delete_company(tx, id)?;
    w.audit(
        SLUG,
        "company.delete",
        "company",
        &id.to_string(),
        json!({"name": c.name}),
    )
    .map(drop)
}

// ---- reads (staff only: the handlers check the role before any input)

pub fn list_teams(
    conn: &Connection,
    is_active: Option<bool>,
    team_type: Option<&str>,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<Team>, u64)> {
    store::list_teams(conn, is_active, team_type, w)
}

pub fn get_team(conn: &Connection, id: i64) -> ApiResult<Team> {
    store::get_team(conn, id)
}

/// The agents of team `q.team_id` (404 when there is no such team).
pub fn team_agents(
    conn: &Connection,
    q: &crate::model::AgentQuery,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<Agent>, u64)> {
    if let Some(team) = q.team_id {
        store::get_team(conn, team)?;
    }
    store::list_agents(conn, q, w)
}

pub fn list_agents(
    conn: &Connection,
    q: &crate::model::AgentQuery,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<Agent>, u64)> {
    store::list_agents(conn, q, w)
}

pub fn get_agent(conn: &Connection, id: i64) -> ApiResult<Agent> {
    store::get_agent(conn, id)
}

pub fn list_companies(
    conn: &Connection,
    is_active: Option<bool>,
    industry: Option<&str>,
    search: Option<&str>,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<Company>, u64)> {
    store::list_companies(conn, is_active, industry, search, w)
}

pub fn get_company(conn: &Connection, id: i64) -> ApiResult<Company> {
    store::get_company(conn, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_and_skills() {
        let mut p = Vec::new();
        assert_eq!(normalize_language(&mut p, "l", "EN"), "en");
        assert_eq!(normalize_language(&mut p, "l", "pt_br"), "pt-BR");
        assert!(p.is_empty());
        normalize_language(&mut p, "l", "english!");
        assert_eq!(p.len(), 1);
        let mut p = Vec::new();
        assert_eq!(
            normalize_skill(&mut p, "s", "Technical Support"),
            "technical_support"
        );
        normalize_skill(&mut p, "s", "  ");
        assert_eq!(p.len(), 1);
    }
}
