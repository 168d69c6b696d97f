//! The multi-tenant chatbot platform (specs/chatbot-platform.md), served at
//! `/chatbot/api/v2`.

pub mod api;
pub mod model;

use frontline_platform::http::{self, Module, ModuleInfo, MountedModule};
use frontline_platform::Platform;

pub const SLUG: &str = "chatbot";

/// Schema steps of this module, applied in order (never edit a released step).
pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE chatbot_tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"#];

pub fn module() -> Module {
    Module::new(SLUG, MIGRATIONS, build)
}

fn build(platform: &Platform) -> MountedModule {
    http::mount::<_, model::ChatbotEnvelope>(
        platform,
        ModuleInfo {
            slug: SLUG,
            title: "Multi-Tenant AI Chatbot Platform",
            version: "2.0",
            description: "Tenants, sessions, chat with the tenant's bot, conversations, channel webhooks and health.",
            base: "/chatbot/api/v2",
            require_module_role: false,
        },
        api::api(platform),
        http::flat_limit("api", 1000, 3600),
    )
}
