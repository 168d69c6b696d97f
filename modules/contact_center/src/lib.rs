//! CC-Lite contact center (specs/contact-center.md), served at `/contact-center`.

pub mod api;
pub mod model;

use std::sync::Arc;

use frontline_platform::http::{self, Module, ModuleInfo, MountedModule};
use frontline_platform::ratelimit::LimitRule;
use frontline_platform::Platform;

pub const SLUG: &str = "contact-center";

/// Schema steps of this module, applied in order (never edit a released step).
pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE cc_profiles (
    user_seq INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    organization TEXT
);
"#];

pub fn module() -> Module {
    Module::new(SLUG, MIGRATIONS, build)
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
        api::api(platform),
        Arc::new(|req, _| {
            if req.uri().path().contains("/auth/") {
                Some(LimitRule::new("auth", 20, 300))
            } else {
                Some(LimitRule::new("api", 1000, 60))
            }
        }),
    )
}
