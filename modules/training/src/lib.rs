//! Training scenarios: the Scenario Management API (specs/training-scenarios.md),
//! served at `/training/api`.

pub mod api;
pub mod model;

use std::sync::Arc;

use frontline_platform::http::{self, Classifier, Module, ModuleInfo, MountedModule};
use frontline_platform::ratelimit::LimitRule;
use frontline_platform::Platform;
use poem::http::Method;

pub const SLUG: &str = "training";

/// Schema steps of this module, applied in order (never edit a released step).
pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE training_templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    is_system INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
"#];

pub fn module() -> Module {
    Module::new(SLUG, MIGRATIONS, build)
}

fn build(platform: &Platform) -> MountedModule {
    http::mount::<_, model::TrainingEnvelope>(
        platform,
        ModuleInfo {
            slug: SLUG,
            title: "Scenario Management API",
            version: "1.0",
            description: "Customer-service training scenarios: authoring, versions, templates, \
                          search, bulk import/export, analytics, comments and A/B tests.",
            base: "/training/api",
            require_module_role: true,
        },
        api::api(platform),
        classifier(),
    )
}

/// The document's limits: create/update 10/hour, reads 100/min, bulk import
/// 3/hour, export 5/hour, analytics 20/min.
fn classifier() -> Classifier {
    Arc::new(|req, _| {
        let path = req.uri().path();
        let rule = if path.contains("/bulk/import") {
            LimitRule::new("bulk_import", 3, 3600)
        } else if path.contains("/bulk/export") {
            LimitRule::new("bulk_export", 5, 3600)
        } else if path.contains("/analytics") {
            LimitRule::new("analytics", 20, 60)
        } else if req.method() == Method::GET || path.ends_with("/search") {
            LimitRule::new("read", 100, 60)
        } else {
            LimitRule::new("write", 10, 3600)
        };
        Some(rule)
    })
}
