//! CC-Lite contact center (specs/contact-center.md), served at `/contact-center`.

pub mod api;
pub mod common;
mod demo;
pub mod insight;
pub mod model;
pub mod service;
pub mod store;

use std::sync::Arc;

use frontline_platform::http::{self, Module, ModuleInfo, MountedModule};
use frontline_platform::ratelimit::LimitRule;
use frontline_platform::write;
use frontline_platform::{Platform, RequestMeta};

pub const SLUG: &str = "contact-center";

/// Schema steps of this module, applied in order (never edit a released step).
/// Step 1 is part 1 (accounts, campaigns, contacts, teams, queues, companies);
/// step 2 is parts 2 and 3 (see [`insight`]).
pub const MIGRATIONS: &[&str] = &[
    CORE_SCHEMA,
    insight::SCHEMA,
    METRICS_COVERING_INDEX,
    ROUTING_AND_IVR_STATE,
    LIST_INDEXES,
];

/// What routing strategies remember (each rule's round-robin cursor, the order
/// in which agents were last handed a call) and what IVR sessions act on (the
/// number dialled, the call queued or voicemail left, the input deadline).
const ROUTING_AND_IVR_STATE: &str = "
ALTER TABLE cc_routing_rules ADD COLUMN last_agent_id INTEGER;
ALTER TABLE cc_agents ADD COLUMN last_routed_seq INTEGER;
ALTER TABLE cc_ivr_sessions ADD COLUMN called_number TEXT;
ALTER TABLE cc_ivr_sessions ADD COLUMN call_id TEXT;
ALTER TABLE cc_ivr_sessions ADD COLUMN voicemail_id INTEGER;
ALTER TABLE cc_ivr_sessions ADD COLUMN deadline INTEGER;
CREATE INDEX cc_ivr_sessions_deadline ON cc_ivr_sessions(deadline) WHERE status = 'in_progress';
";

/// The main lists (contacts in id order, calls newest first) read one page
/// through an index for each documented filter alone, with no sort.
const LIST_INDEXES: &str = "
CREATE INDEX cc_contacts_status ON cc_contacts(status, id);
CREATE INDEX cc_contacts_campaign ON cc_contacts(campaign_id, id);
CREATE INDEX cc_calls_status_started ON cc_calls(status, started_at, id);
CREATE INDEX cc_calls_outcome_started ON cc_calls(outcome, started_at, id);
CREATE INDEX cc_calls_campaign_started ON cc_calls(campaign_id, started_at, id);
CREATE INDEX cc_calls_started_id ON cc_calls(started_at, id);
DROP INDEX cc_calls_started;
CREATE INDEX cc_calls_campaign_outcome ON cc_calls(campaign_id, status, outcome);
";

/// Aggregations filter by type, team and agent inside each time window: with
/// those columns in the index they read no table rows.
const METRICS_COVERING_INDEX: &str = "
CREATE INDEX cc_metrics_window ON cc_metrics(metric_name, recorded_at, value, metric_type, team_id, agent_id);
DROP INDEX cc_metrics_name_time;
";

/// Part 1's schema: accounts, companies, campaigns, contacts, call lists,
/// campaign templates, teams, agents, queues and the calls they handle.
pub const CORE_SCHEMA: &str = r#"
CREATE TABLE cc_profiles (
    user_seq INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    organization TEXT
);

CREATE TABLE cc_companies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    domain TEXT,
    industry TEXT,
    size TEXT,
    description TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    address TEXT NOT NULL DEFAULT '{}',
    settings TEXT NOT NULL DEFAULT '{}',
    is_active INTEGER NOT NULL DEFAULT 1,
    created_by_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX cc_companies_domain ON cc_companies(domain COLLATE NOCASE) WHERE domain IS NOT NULL;
CREATE INDEX cc_companies_active ON cc_companies(is_active, id);

CREATE TABLE cc_campaign_templates (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    campaign_type TEXT NOT NULL,
    provider_type TEXT NOT NULL,
    provider_model TEXT,
    system_prompt TEXT,
    default_config TEXT NOT NULL DEFAULT '{}',
    is_public INTEGER NOT NULL DEFAULT 0,
    is_system INTEGER NOT NULL DEFAULT 0,
    created_by_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cc_campaign_templates_owner ON cc_campaign_templates(created_by_id);

CREATE TABLE cc_campaigns (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL DEFAULT 'draft',
    campaign_type TEXT NOT NULL,
    provider_type TEXT NOT NULL,
    provider_model TEXT,
    provider_config TEXT NOT NULL DEFAULT '{}',
    system_prompt TEXT,
    start_date TEXT,
    end_date TEXT,
    max_daily_calls INTEGER,
    retry_failed INTEGER NOT NULL DEFAULT 0,
    max_retries INTEGER NOT NULL DEFAULT 0,
    template_id INTEGER REFERENCES cc_campaign_templates(id) ON DELETE SET NULL,
    cloned_from_id INTEGER REFERENCES cc_campaigns(id) ON DELETE SET NULL,
    created_by_id INTEGER NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cc_campaigns_status ON cc_campaigns(status, id);
CREATE INDEX cc_campaigns_owner ON cc_campaigns(created_by_id, id);

CREATE TABLE cc_contacts (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER REFERENCES cc_campaigns(id) ON DELETE CASCADE,
    first_name TEXT NOT NULL,
    last_name TEXT,
    email TEXT,
    phone_number TEXT NOT NULL,
    company TEXT,
    custom_fields TEXT NOT NULL DEFAULT '{}',
    priority INTEGER NOT NULL DEFAULT 5,
    status TEXT NOT NULL DEFAULT 'pending',
    call_attempts INTEGER NOT NULL DEFAULT 0,
    last_called_at TEXT,
    created_by_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX cc_contacts_campaign_phone ON cc_contacts(campaign_id, phone_number);
CREATE INDEX cc_contacts_campaign_status ON cc_contacts(campaign_id, status, priority);
CREATE INDEX cc_contacts_owner ON cc_contacts(created_by_id, id);
CREATE INDEX cc_contacts_phone ON cc_contacts(phone_number);

CREATE TABLE cc_call_lists (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER REFERENCES cc_campaigns(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    filters TEXT NOT NULL DEFAULT '{}',
    sort_by TEXT NOT NULL DEFAULT 'priority',
    sort_order TEXT NOT NULL DEFAULT 'desc',
    created_by_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cc_call_lists_campaign ON cc_call_lists(campaign_id, id);

CREATE TABLE cc_teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    team_type TEXT NOT NULL DEFAULT 'general',
    max_agents INTEGER NOT NULL DEFAULT 50,
    supervisor_id INTEGER,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX cc_teams_name ON cc_teams(name COLLATE NOCASE);

CREATE TABLE cc_agents (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL UNIQUE,
    team_id INTEGER REFERENCES cc_teams(id) ON DELETE SET NULL,
    agent_number TEXT NOT NULL UNIQUE COLLATE NOCASE,
    status TEXT NOT NULL DEFAULT 'offline',
    skill_level INTEGER NOT NULL DEFAULT 5,
    max_concurrent_calls INTEGER NOT NULL DEFAULT 1,
    languages TEXT NOT NULL DEFAULT '[]',
    specialties TEXT NOT NULL DEFAULT '[]',
    status_changed_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cc_agents_team ON cc_agents(team_id, status);

CREATE TABLE cc_agent_skills (
    agent_id INTEGER NOT NULL REFERENCES cc_agents(id) ON DELETE CASCADE,
    skill_name TEXT NOT NULL,
    proficiency INTEGER NOT NULL,
    PRIMARY KEY (agent_id, skill_name)
);
CREATE INDEX cc_agent_skills_name ON cc_agent_skills(skill_name, proficiency);

CREATE TABLE cc_queues (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    queue_type TEXT NOT NULL DEFAULT 'inbound',
    status TEXT NOT NULL DEFAULT 'active',
    max_size INTEGER NOT NULL DEFAULT 100,
    timeout_seconds INTEGER NOT NULL DEFAULT 180,
    team_id INTEGER REFERENCES cc_teams(id) ON DELETE SET NULL,
    required_skills TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX cc_queues_name ON cc_queues(name COLLATE NOCASE);

-- Every call: recorded attempts (status completed) and calls that pass
-- through a queue (queued -> in_progress -> completed, or abandoned).
CREATE TABLE cc_calls (
    id INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL UNIQUE,
    direction TEXT NOT NULL DEFAULT 'outbound',
    status TEXT NOT NULL,
    outcome TEXT,
    campaign_id INTEGER REFERENCES cc_campaigns(id) ON DELETE SET NULL,
    contact_id INTEGER REFERENCES cc_contacts(id) ON DELETE SET NULL,
    agent_id INTEGER REFERENCES cc_agents(id) ON DELETE SET NULL,
    team_id INTEGER REFERENCES cc_teams(id) ON DELETE SET NULL,
    queue_id INTEGER REFERENCES cc_queues(id) ON DELETE SET NULL,
    caller_number TEXT,
    priority INTEGER NOT NULL DEFAULT 5,
    required_skills TEXT NOT NULL DEFAULT '[]',
    language TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',
    queued_at TEXT,
    assigned_at TEXT,
    wait_time INTEGER,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    duration INTEGER,
    cost REAL,
    notes TEXT,
    recorded_by_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX cc_calls_campaign ON cc_calls(campaign_id, status);
CREATE INDEX cc_calls_agent ON cc_calls(agent_id, started_at);
CREATE INDEX cc_calls_team ON cc_calls(team_id, started_at);
CREATE INDEX cc_calls_queue ON cc_calls(queue_id, status, priority, queued_at);
CREATE INDEX cc_calls_started ON cc_calls(started_at);

INSERT INTO cc_campaign_templates
    (name, description, campaign_type, provider_type, provider_model, system_prompt,
     default_config, is_public, is_system, created_at, updated_at)
VALUES
    ('B2B Sales Outreach', 'Standard template for outbound B2B sales calls', 'outbound',
     'openai', 'gpt-4-realtime-preview',
     'You are a professional sales representative. Introduce yourself, qualify the prospect''s needs and offer a demo.',
     '{"temperature":0.7,"max_duration":300,"voice":"alloy"}', 1, 1,
     '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('Customer Satisfaction Survey', 'Short post-purchase survey with three questions', 'outbound',
     'openai', 'gpt-4-realtime-preview',
     'You are a friendly survey assistant. Ask the customer to rate their experience from 1 to 10 and note their comments.',
     '{"temperature":0.3,"max_duration":180,"voice":"shimmer"}', 1, 1,
     '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('Inbound Support Line', 'Answers support calls and hands off to an agent when needed', 'inbound',
     'openai', 'gpt-4-realtime-preview',
     'You are a patient support agent. Identify the customer''s issue, search the knowledge base, and transfer to a human when you cannot resolve it.',
     '{"temperature":0.5,"max_duration":600,"voice":"alloy"}', 1, 1,
     '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
"#;

pub fn module() -> Module {
    Module::new(SLUG, MIGRATIONS, build)
        .with_start(start)
        .with_demo(demo)
        .with_reindex(insight::reindex)
}

/// Part 1's background work (a sweep that abandons calls waiting past their
/// queue's timeout and ends IVR sessions past their input deadline), then part
/// 2 and 3's.
fn start(platform: &Platform) {
    let p = platform.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            if let Err(e) =
                write::transact(&p.db, None, RequestMeta::default(), service::queues::expire).await
            {
                tracing::warn!(error = %e, "queue timeout sweep failed");
            }
            let now = chrono::Utc::now().timestamp_millis();
            if let Err(e) = write::transact(&p.db, None, RequestMeta::default(), move |w| {
                insight::ivr::expire_sessions(w, now)
            })
            .await
            {
                tracing::warn!(error = %e, "IVR session timeout sweep failed");
            }
        }
    });
    insight::start(platform);
}

fn demo(platform: &Platform) -> frontline_platform::ApiResult<()> {
    demo::load(platform)?;
    insight::demo(platform)
}

fn build(platform: &Platform) -> MountedModule {
    http::mount::<_, model::CcEnvelope>(
        platform,
        ModuleInfo {
            slug: SLUG,
            title: "CC-Lite 2026 API",
            version: "2.0.0",
            description:
                "Campaigns, contacts, teams and agents, queues, knowledge base, IVR, routing, \
                          recordings, voicemail, metrics and reports.",
            base: "/contact-center",
            require_module_role: true,
        },
        (api::api(platform), insight::api(platform)),
        Arc::new(|req, _| {
            if req.uri().path().ends_with("/auth/login") {
                // One sign-in budget per client IP, shared with every sign-in route.
                Some(LimitRule::sign_in())
            } else if req.uri().path().contains("/auth/") {
                Some(LimitRule::new("auth", 20, 300))
            } else {
                // The document: 100 requests per minute per user, bursts of 200
                // (GCRA: a burst of 200 refilled at 100 per minute).
                Some(LimitRule::new("api", 200, 120))
            }
        }),
    )
}
