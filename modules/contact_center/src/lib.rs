//! CC-Lite contact center (specs/contact-center.md), served at `/contact-center`.

pub mod api;
pub mod insight;
pub mod model;

use std::sync::Arc;

use frontline_platform::http::{self, Module, ModuleInfo, MountedModule};
use frontline_platform::ratelimit::LimitRule;
use frontline_platform::Platform;

pub const SLUG: &str = "contact-center";

/// Schema steps of this module, applied in order (never edit a released step).
/// Step 1 is part 1 (accounts, campaigns, contacts, teams, queues, companies);
/// step 2 is parts 2 and 3 (see [`insight`]).
pub const MIGRATIONS: &[&str] = &[CORE_SCHEMA, insight::SCHEMA];

/// Part 1's schema.
pub const CORE_SCHEMA: &str = r#"
CREATE TABLE cc_profiles (
    user_seq INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    organization TEXT
);
"#;

pub fn module() -> Module {
    Module::new(SLUG, MIGRATIONS, build)
        .with_start(insight::start)
        .with_demo(demo)
        .with_reindex(insight::reindex)
}

fn demo(platform: &Platform) -> frontline_platform::ApiResult<()> {
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
            if req.uri().path().contains("/auth/") {
                Some(LimitRule::new("auth", 20, 300))
            } else {
                Some(LimitRule::new("api", 1000, 60))
            }
        }),
    )
}
