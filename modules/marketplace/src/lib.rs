//! DumuWaks marketplace pricing and reviews (specs/marketplace.md), served at
//! `/marketplace/v1`.

pub mod api;
pub mod model;

use std::sync::Arc;

use frontline_platform::http::{self, Module, ModuleInfo, MountedModule};
use frontline_platform::ratelimit::LimitRule;
use frontline_platform::Platform;

pub const SLUG: &str = "marketplace";

/// Schema steps of this module, applied in order (never edit a released step).
pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE marketplace_webhooks (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
"#];

pub fn module() -> Module {
    Module::new(SLUG, MIGRATIONS, build)
}

fn build(platform: &Platform) -> MountedModule {
    http::mount::<_, model::MarketplaceEnvelope>(
        platform,
        ModuleInfo {
            slug: SLUG,
            title: "DumuWaks 2.0 API",
            version: "1.0",
            description: "Service pricing, estimates, provider search, reviews, analytics and review campaigns.",
            base: "/marketplace/v1",
            require_module_role: true,
        },
        api::api(platform),
        // The document's limits per hour: anonymous 100, customer 1000, provider 2000, admin 10000.
        Arc::new(|_req, principal| {
            let limit = match principal {
                None => 100,
                Some(p) if p.is_admin() || p.has_role(SLUG, "admin") => 10_000,
                Some(p) if p.has_role(SLUG, "provider") => 2_000,
                Some(_) => 1_000,
            };
            Some(LimitRule::new("api", limit, 3600))
        }),
    )
}
