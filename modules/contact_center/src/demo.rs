//! Part 1's demo data set: a company, two teams with a supervisor and four
//! agents (skills, languages), two queues with live calls, an active
//! campaign with contacts and a week of recorded calls, a draft campaign from
//! a system template, and a call list. Loading it twice changes nothing.

use chrono::{Duration, Utc};
use frontline_platform::auth::{NewUser, Principal, User};
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, Platform, RequestMeta};
use poem_openapi::types::ParseFromParameter;
use rusqlite::Connection;
use serde_json::json;

use crate::common::ts;
use crate::model::*;
use crate::service::{campaigns, contacts, org, queues};
use crate::store::demo as store;

/// Password of the demo accounts (`*.demo@contact-center.local`).
pub const DEMO_PASSWORD: &str = "demo-password-2026";
const SUPERVISOR: &str = "supervisor.demo@contact-center.local";

fn user(
    platform: &Platform,
    tx: &Connection,
    email: &str,
    name: &str,
    role: &str,
) -> ApiResult<User> {
    platform.auth.create_user_in(
        tx,
        &NewUser {
            email: email.into(),
            password: DEMO_PASSWORD.into(),
            name: name.into(),
            roles: vec![format!("contact-center:{role}")],
            organization: Some("Acme Corporation".into()),
        },
    )
}

/// A demo constant as the pattern-checked type its body field takes (every
/// constant here matches; a mismatch is a bug in this file, not bad input).
fn v<T: ParseFromParameter>(text: &str) -> ApiResult<T> {
    T::parse_from_parameter(text)
        .map_err(|e| ApiError::internal(format!("demo value {text:?}: {}", e.into_message())))
}

/// A campaign named `name` with every other field left to its default.
fn campaign(name: &str) -> ApiResult<CampaignCreate> {
    Ok(CampaignCreate {
        name: v(name)?,
        description: None,
        campaign_type: None,
        status: None,
        provider_type: None,
        provider_model: None,
        provider_config: None,
        system_prompt: None,
        start_date: None,
        end_date: None,
        max_daily_calls: None,
        retry_failed: None,
        max_retries: None,
        template_id: None,
    })
}

fn principal(u: &User) -> Principal {
    Principal::acting_as(u)
}

pub fn load(platform: &Platform) -> ApiResult<()> {
    let p = platform.clone();
    platform.db.write_blocking(move |tx| {
        if store::user_exists(tx, SUPERVISOR)? {
            return Ok(());
        }
        let meta = RequestMeta {
            request_id: "demo".into(),
            ..Default::default()
        };
        let sup_user = user(&p, tx, SUPERVISOR, "Sam Supervisor", "supervisor")?;
        let sup = principal(&sup_user);
        let w = WriteCtx::new(tx, Some(&sup), &meta);
        org::create_company(
            &w,
            CompanyCreate {
                name: v("Acme Corporation")?,
                domain: Some(v("acme.example")?),
                industry: Some("Technology".into()),
                size: Some("500-1000".into()),
                description: Some("Leading provider of enterprise software solutions".into()),
                contact_email: Some(v("info@acme.example")?),
                contact_phone: Some(v("+14155550100")?),
                address: Some(Address {
                    street: Some("123 Tech Street".into()),
                    city: Some("San Francisco".into()),
                    state: Some("CA".into()),
                    postal_code: Some("94102".into()),
                    country: Some("USA".into()),
                }),
                settings: json!({"timezone": "America/Los_Angeles", "language": "en"}).as_object().cloned().map(|m| crate::model::CompanySettings(crate::model::JsonObject(m))),
                is_active: Some(true),
            },
        )?;
        let mut team_ids = Vec::new();
        for (name, kind) in [("Sales Team Alpha", "sales"), ("Support Team", "support")] {
            let t = org::create_team(
            &w,
                TeamCreate {
                    name: v(name)?,
                    description: Some(format!("{kind} representatives")),
                    team_type: Some(v(kind)?),
                    max_agents: Some(20),
                    supervisor_id: Some(sup_user.seq),
                    is_active: Some(true),
                },
            )?;
            team_ids.push(t.id);
        }
        let agents_spec = [
            ("John Agent", 0, "available", vec!["en", "es"], vec![("sales", 9), ("spanish_fluent", 10)]),
            ("Priya Patel", 0, "available", vec!["en"], vec![("sales", 7), ("negotiation", 8)]),
            ("Lucas Silva", 1, "available", vec!["en", "pt-BR"], vec![("technical_support", 9)]),
            ("Mei Chen", 1, "break", vec!["en", "zh"], vec![("technical_support", 7), ("billing", 8)]),
        ];
        let mut agent_ids = Vec::new();
        for (i, (name, team, status, langs, skills)) in agents_spec.into_iter().enumerate() {
            let u = user(&p, tx, &format!("agent{}.demo@contact-center.local", i + 1), name, "agent")?;
            let a = org::create_agent(
            &w,
                AgentCreate {
                    user_id: u.seq,
                    team_id: Some(team_ids[team]),
                    agent_number: v(&format!("AG-{:03}", i + 1))?,
                    status: Some(v(status)?),
                    skill_level: Some(7 + (i as i64 % 3)),
                    max_concurrent_calls: Some(2),
                    languages: Some(langs.into_iter().map(v).collect::<ApiResult<_>>()?),
                    specialties: Some(vec![if team == 0 { "sales" } else { "support" }.into()]),
                    skills: Some(
                        skills
                            .into_iter()
                            .map(|(s, p)| Ok(AgentSkill { skill_name: v(s)?, proficiency: p }))
                            .collect::<ApiResult<_>>()?,
                    ),
                },
            )?;
            agent_ids.push(a.id);
        }
        let mut queue_ids = Vec::new();
        for (name, team, skill) in [("Inbound Sales", 0, "sales"), ("Technical Support", 1, "technical_support")] {
            let q = queues::create_queue(
            &w,
                QueueCreate {
                    name: v(name)?,
                    description: Some(format!("{name} line")),
                    queue_type: Some(v("inbound")?),
                    status: Some(v("active")?),
                    max_size: Some(100),
                    timeout_seconds: Some(1800),
                    team_id: Some(team_ids[team]),
                    required_skills: Some(vec![v(skill)?]),
                },
            )?;
            queue_ids.push(q.id);
        }

        // The active campaign: contacts and a week of calls.
        let template = store::first_system_template(tx)?;
        let q4 = campaigns::create(
            &w,
            CampaignCreate {
                description: Some("Outbound sales for Q4 products".into()),
                template_id: Some(template),
                start_date: Some(crate::common::DateOrTime(ts(Utc::now() - Duration::days(14)))),
                end_date: Some(crate::common::DateOrTime(ts(Utc::now() + Duration::days(60)))),
                max_daily_calls: Some(100),
                retry_failed: Some(true),
                max_retries: Some(2),
                ..campaign("Q4 Sales Campaign")?
            },
        )?;
        let first = ["Jane", "John", "Maria", "Wei", "Amara", "Lars", "Sofia", "Omar", "Chloe", "Ravi", "Elena", "Kenji"];
        let last = ["Smith", "Doe", "Garcia", "Zhang", "Okafor", "Berg", "Rossi", "Haddad", "Martin", "Iyer", "Petrova", "Sato"];
        let rows = (0..24)
            .map(|i| ContactImportRow {
                first_name: Some(first[i % 12].into()),
                last_name: Some(last[(i * 5) % 12].into()),
                email: Some(format!("{}.{}{}@example.com", first[i % 12], last[(i * 5) % 12], i).to_lowercase()),
                phone_number: Some(format!("+1415555{:04}", 1000 + i)),
                company: Some(["Tech Corp", "Globex", "Initech", "Umbrella"][i % 4].into()),
                custom_fields: json!({"industry": "Technology", "segment": if i % 3 == 0 { "enterprise" } else { "smb" }}).as_object().cloned().map(crate::model::JsonObject),
                priority: Some((i as i64 % 10) + 1),
            })
            .collect();
        contacts::import(
            &w, ContactImport { campaign_id: Some(q4.id), contacts: rows })?;
        campaigns::transition(
            &w, q4.id, "active")?;
        let contact_ids = store::campaign_contact_ids(tx, q4.id)?;
        use crate::model::CallOutcome as O;
        let outcomes = [O::Success, O::NoAnswer, O::Converted, O::Voicemail, O::Success, O::Busy, O::Failed, O::Callback];
        for (n, contact) in contact_ids.iter().take(18).enumerate() {
            let agent = agent_ids[n % 2];
            queues::record(
            &w,
                CallRecord {
                    campaign_id: Some(q4.id),
                    contact_id: Some(*contact),
                    agent_id: Some(agent),
                    started_at: Some(crate::common::DateOrTime(ts(Utc::now() - Duration::hours(6 + 8 * n as i64)))),
                    duration: 60 + (n as i64 * 37) % 300,
                    outcome: outcomes[n % outcomes.len()],
                    cost: Some(0.12 + (n as f64 % 5.0) * 0.07),
                    ..Default::default()
                },
            )?;
        }
        // Support calls handled by the support team.
        for n in 0..6 {
            queues::record(
            &w,
                CallRecord {
                    agent_id: Some(agent_ids[2 + n % 2]),
                    queue_id: Some(queue_ids[1]),
                    direction: Some(v("inbound")?),
                    caller_number: Some(v(&format!("+44207183{:04}", 8750 + n))?),
                    started_at: Some(crate::common::DateOrTime(ts(Utc::now() - Duration::hours(3 + 11 * n as i64)))),
                    duration: 240 + (n as i64 * 53) % 400,
                    outcome: if n % 3 == 2 { O::Failed } else { O::Success },
                    ..Default::default()
                },
            )?;
        }
        contacts::create_call_list(
            &w,
            CallListCreate {
                campaign_id: Some(q4.id),
                name: v("Priority Contacts")?,
                filters: Some(CallListFilters { priority_min: Some(7), status: Some(v("pending")?), ..Default::default() }),
                sort_by: Some(v("priority")?),
                sort_order: Some(v("desc")?),
            },
        )?;
        campaigns::create(
            &w,
            CampaignCreate {
                template_id: Some(template + 1),
                start_date: Some(crate::common::DateOrTime(ts(Utc::now() + Duration::days(20)))),
                end_date: Some(crate::common::DateOrTime(ts(Utc::now() + Duration::days(45)))),
                ..campaign("Holiday Satisfaction Survey")?
            },
        )?;

        // Live queue state: callers waiting, one on a call.
        for (n, (queue, lang)) in [(0, None), (0, Some("es")), (1, None), (1, None)].into_iter().enumerate() {
            queues::enqueue(
            &w,
                queue_ids[queue],
                EnqueueCall {
                    caller_number: v(&format!("+1650555{:04}", 2000 + n))?,
                    priority: Some(5 + n as i64),
                    language: lang.map(v).transpose()?,
                    attributes: json!({"customer_tier": if n == 1 { "VIP" } else { "standard" }}).as_object().cloned().map(crate::model::JsonObject),
                    contact_id: None,
                    campaign_id: None,
                    required_skills: None,
                },
            )?;
        }
        queues::assign(
            &w, queue_ids[1], AssignRequest::default())?;
        Ok(())
    })
}
