//! Project Zeta: school financial planning (specs/planning.md), served at `/planning`.

pub mod api;
pub mod demo;
pub mod engine;
pub mod model;
pub mod reports;
pub mod service;
pub mod settings;
pub mod store;

use std::sync::Arc;

use frontline_platform::http::{self, Module, ModuleInfo, MountedModule};
use frontline_platform::ratelimit::LimitRule;
use frontline_platform::Platform;
use poem::http::Method;

pub const SLUG: &str = "planning";

/// Schema steps of this module, applied in order (never edit a released step).
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE planning_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE planning_versions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    based_on_id TEXT,
    locked_at TEXT,
    locked_by TEXT,
    lock_reason TEXT,
    deleted_at TEXT,
    document TEXT NOT NULL
);
CREATE UNIQUE INDEX planning_versions_name ON planning_versions (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX planning_versions_created ON planning_versions (created_at);
CREATE INDEX planning_versions_status ON planning_versions (status, mode);
CREATE TABLE planning_reports (
    id TEXT PRIMARY KEY,
    version_id TEXT NOT NULL,
    version_name TEXT NOT NULL,
    report_type TEXT NOT NULL,
    format TEXT NOT NULL,
    generated_by TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    file_id TEXT NOT NULL,
    file_size INTEGER NOT NULL
);
CREATE INDEX planning_reports_version ON planning_reports (version_id, generated_at);
CREATE INDEX planning_reports_generated ON planning_reports (generated_at);
"#,
    // Issue 18: the list shows stored figures (computed at write time, and
    // again for versions written under older settings), and each sort reads
    // its page from an index of the live versions.
    r#"
ALTER TABLE planning_versions ADD COLUMN list_figures TEXT;
ALTER TABLE planning_versions ADD COLUMN figures_generation INTEGER;
CREATE INDEX planning_versions_live_created ON planning_versions (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX planning_versions_live_updated ON planning_versions (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX planning_versions_live_name ON planning_versions (lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX planning_versions_stale ON planning_versions (figures_generation);
"#,
];

pub fn module() -> Module {
    Module::new(SLUG, MIGRATIONS, build).with_demo(demo::seed)
}

fn build(platform: &Platform) -> MountedModule {
    http::mount::<_, model::PlanningEnvelope>(
        platform,
        ModuleInfo {
            slug: SLUG,
            title: "Project Zeta API",
            version: "1.0",
            description: "Versions of a school's 30-year financial plan, projections, comparisons, reports and admin.",
            base: "/planning",
            require_module_role: true,
        },
        api::api(platform),
        // The document's limits: reads 100/min, writes 30/min, reports 5/min, auth 10 per 5 min.
        Arc::new(|req, _| {
            let path = req.uri().path();
            Some(if path.ends_with("/api/auth/signin") {
                // One sign-in budget per client IP, shared with every sign-in route.
                LimitRule::sign_in()
            } else if path.contains("/api/auth/") {
                LimitRule::new("auth", 10, 300)
            } else if path.contains("/api/reports/generate") {
                LimitRule::new("reports", 5, 60)
            } else if req.method() == Method::GET {
                LimitRule::new("read", 100, 60)
            } else {
                LimitRule::new("write", 30, 60)
            })
        }),
    )
}
