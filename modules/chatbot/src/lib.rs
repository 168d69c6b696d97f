//! The multi-tenant chatbot platform (specs/chatbot-platform.md), served at
//! `/chatbot/api/v2`.

pub mod access;
pub mod api;
pub mod api_calls;
pub mod delivery;
pub mod demo;
pub mod engine;
pub mod errors;
pub mod knowledge;
pub mod limits;
pub mod model;
pub mod provider;
pub mod service;
pub mod store;
pub mod webhooks;
pub mod window;

use frontline_platform::http::{self, Module, ModuleInfo, MountedModule};
use frontline_platform::Platform;
use poem::EndpointExt;

pub const SLUG: &str = "chatbot";

/// Schema steps of this module, applied in order (never edit a released step).
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE chatbot_tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    domain TEXT,
    plan TEXT NOT NULL,
    status TEXT NOT NULL,
    config TEXT NOT NULL,
    config_version INTEGER NOT NULL DEFAULT 1,
    features TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE chatbot_members (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES chatbot_tenants(id) ON DELETE CASCADE,
    platform_user_id TEXT,
    email TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT,
    role TEXT NOT NULL,
    permissions TEXT NOT NULL,
    status TEXT NOT NULL,
    invitation_expires_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, email)
);
CREATE INDEX chatbot_members_user ON chatbot_members(platform_user_id);
CREATE TABLE chatbot_api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES chatbot_tenants(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE chatbot_sessions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES chatbot_tenants(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    context TEXT NOT NULL,
    history TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    timeout_minutes INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    last_activity TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX chatbot_sessions_tenant ON chatbot_sessions(tenant_id, user_id);
CREATE TABLE chatbot_conversations (
    tenant_id TEXT NOT NULL REFERENCES chatbot_tenants(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    current_intent TEXT,
    entities TEXT NOT NULL,
    fallback_count INTEGER NOT NULL DEFAULT 0,
    escalation_count INTEGER NOT NULL DEFAULT 0,
    satisfaction REAL,
    started_at TEXT NOT NULL,
    last_activity_at TEXT NOT NULL,
    closed_at TEXT,
    close_reason TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX chatbot_conversations_list ON chatbot_conversations(tenant_id, status, channel, last_activity_at);
CREATE TABLE chatbot_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    content TEXT NOT NULL,
    intent TEXT,
    confidence REAL,
    status TEXT NOT NULL,
    reply_to TEXT,
    processing_ms INTEGER,
    model_used TEXT,
    cost_cents REAL NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, message_id)
);
CREATE INDEX chatbot_messages_conv ON chatbot_messages(tenant_id, conversation_id, seq);
CREATE TABLE chatbot_feedback (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    rating INTEGER NOT NULL,
    comment TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE chatbot_transfers (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    note TEXT,
    department TEXT,
    priority TEXT NOT NULL,
    agent_id TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX chatbot_transfers_queue ON chatbot_transfers(tenant_id, status, department);
CREATE TABLE chatbot_articles (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES chatbot_tenants(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX chatbot_articles_tenant ON chatbot_articles(tenant_id, updated_at);
CREATE TABLE chatbot_webhook_events (
    tenant_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    event_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, channel, event_key)
);
"#,
    r#"
CREATE TABLE chatbot_channel_routes (
    channel TEXT NOT NULL,
    identity TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES chatbot_tenants(id) ON DELETE CASCADE,
    PRIMARY KEY (channel, identity)
);
CREATE INDEX chatbot_channel_routes_tenant ON chatbot_channel_routes(tenant_id);
"#,
    r#"
ALTER TABLE chatbot_sessions ADD COLUMN persist_context INTEGER NOT NULL DEFAULT 1;
ALTER TABLE chatbot_sessions ADD COLUMN initial_context TEXT;
CREATE INDEX chatbot_sessions_token ON chatbot_sessions(token_hash);
ALTER TABLE chatbot_conversations ADD COLUMN session_id TEXT;
CREATE INDEX chatbot_conversations_session ON chatbot_conversations(tenant_id, session_id);
ALTER TABLE chatbot_messages ADD COLUMN is_fallback INTEGER;
"#,
    store::delivery::MIGRATION,
    r#"
ALTER TABLE chatbot_conversations ADD COLUMN assignee_id TEXT;
ALTER TABLE chatbot_conversations ADD COLUMN assignee_name TEXT;
ALTER TABLE chatbot_conversations ADD COLUMN claimed_at TEXT;
ALTER TABLE chatbot_messages ADD COLUMN author_id TEXT;
ALTER TABLE chatbot_messages ADD COLUMN author_name TEXT;
CREATE TABLE chatbot_inbox_notes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    text TEXT NOT NULL,
    author_id TEXT,
    author_name TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX chatbot_inbox_notes_conv ON chatbot_inbox_notes(tenant_id, conversation_id, created_at);
"#,
    r#"
CREATE TABLE chatbot_api_calls (
    tenant_id TEXT NOT NULL,
    day TEXT NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day)
);
"#,
    // A chat message's lookups read index entries of its own user and message,
    // never the tenant's history: the visitor's open conversation, the reply.
    r#"
CREATE INDEX chatbot_conversations_user ON chatbot_conversations(tenant_id, user_id, channel, last_activity_at);
CREATE INDEX chatbot_messages_reply ON chatbot_messages(tenant_id, reply_to);
"#,
    store::INVITATIONS_MIGRATION,
    // A new conversation counts the tenant's conversations of the month
    // against the plan: one range of this index, not the usage report.
    r#"
CREATE INDEX chatbot_conversations_started ON chatbot_conversations(tenant_id, started_at);
"#,
    store::conversations::MIGRATION,
    store::conversations::COUNTS_MIGRATION,
];

pub fn module() -> Module {
    Module::new(SLUG, MIGRATIONS, build)
        .with_reindex(knowledge::reindex)
        .with_demo(demo::load)
        .with_start(start)
}

/// At start: provider API keys stored in clear by earlier versions are
/// encrypted (an upgrade on first start of this version; later starts find
/// nothing to do).
fn start(platform: &Platform) {
    delivery::register_jobs(platform);
    service::invitations::start(platform);
    let keys = provider::key_box(platform);
    match platform
        .db
        .write_blocking(move |tx| provider::seal_stored_keys(tx, &keys))
    {
        Ok(0) => {}
        Ok(n) => tracing::info!(tenants = n, "chatbot: encrypted stored provider api keys"),
        Err(e) => {
            tracing::error!(error = %e.message, "chatbot: could not encrypt stored provider api keys")
        }
    }
}

fn build(platform: &Platform) -> MountedModule {
    // Channel routes of tenants configured before the route table existed.
    if let Err(e) = platform
        .db
        .write_blocking(|tx| service::routing::backfill(tx))
    {
        tracing::warn!(error = %e.message, "chatbot: channel routes not backfilled");
    }
    let window = std::sync::Arc::new(window::RequestWindow::default());
    window::register(platform, &window);
    let api_calls = std::sync::Arc::new(api_calls::ApiCalls::default());
    let mut mounted = http::mount::<_, model::ChatbotEnvelope>(
        platform,
        ModuleInfo {
            slug: SLUG,
            title: "Multi-Tenant AI Chatbot Platform",
            version: "2.0",
            description: "Tenants, sessions, chat with the tenant's bot, conversations, channel webhooks and health.",
            base: "/chatbot/api/v2",
            require_module_role: false,
        },
        (api::api(platform, &window, &api_calls), webhooks::WebhookApi { platform: platform.clone() }),
        limits::flat_classifier(),
    );
    // Requests made for a tenant draw on the tenant's allowance (limits.rs).
    mounted.endpoint = limits::TenantLimits {
        inner: mounted.endpoint,
        platform: platform.clone(),
        api_calls,
    }
    .boxed();
    // Every request counts in the health window (/health/metrics).
    mounted.endpoint = window::Record {
        inner: mounted.endpoint,
        window,
    }
    .boxed();
    // Browser pages of the origins a tenant lists (channels.web.allowed_origins).
    mounted.endpoint = frontline_platform::cors::PerOwnerCors::new(
        mounted.endpoint,
        platform.db.clone(),
        service::inbox::WidgetOrigins,
    )
    .boxed();
    mounted
}
