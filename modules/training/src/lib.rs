//! Training scenarios: the Scenario Management API (specs/training-scenarios.md),
//! served at `/training/api`.

pub mod api;
pub mod demo;
pub mod index;
pub mod model;
pub mod notify;
pub mod service;
pub mod store;

use std::sync::Arc;

use frontline_platform::http::{self, Classifier, Module, ModuleInfo, MountedModule};
use frontline_platform::ratelimit::LimitRule;
use frontline_platform::Platform;
use poem::http::Method;

pub const SLUG: &str = "training";

/// Schema steps of this module, applied in order (never edit a released step).
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE training_scenarios (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    difficulty TEXT NOT NULL,
    status TEXT NOT NULL,
    tenant_id TEXT,
    is_private INTEGER NOT NULL DEFAULT 0,
    template_id TEXT,
    doc TEXT NOT NULL,
    version_number INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    published_at TEXT,
    published_by TEXT,
    archived_at TEXT,
    archived_by TEXT,
    archive_reason TEXT,
    usage_count INTEGER NOT NULL DEFAULT 0,
    rating REAL
);
CREATE INDEX training_scenarios_status ON training_scenarios(status, category, difficulty);
CREATE INDEX training_scenarios_created ON training_scenarios(created_at);
CREATE INDEX training_scenarios_updated ON training_scenarios(updated_at);
CREATE INDEX training_scenarios_usage ON training_scenarios(usage_count);
CREATE INDEX training_scenarios_creator ON training_scenarios(created_by);

CREATE TABLE training_versions (
    id TEXT PRIMARY KEY,
    scenario_id TEXT NOT NULL REFERENCES training_scenarios(id) ON DELETE CASCADE,
    version_number INTEGER NOT NULL,
    changelog TEXT,
    snapshot TEXT NOT NULL,
    restored_from INTEGER,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    published_at TEXT,
    UNIQUE (scenario_id, version_number)
);

CREATE TABLE training_templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    thumbnail TEXT,
    category TEXT NOT NULL,
    difficulty TEXT NOT NULL,
    industry TEXT,
    is_featured INTEGER NOT NULL DEFAULT 0,
    variables TEXT NOT NULL DEFAULT '[]',
    body TEXT NOT NULL DEFAULT '{}',
    created_by TEXT NOT NULL DEFAULT 'usr_system',
    created_at TEXT NOT NULL
);

CREATE TABLE training_comments (
    id TEXT PRIMARY KEY,
    scenario_id TEXT NOT NULL REFERENCES training_scenarios(id) ON DELETE CASCADE,
    parent_id TEXT,
    author_id TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    edited INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX training_comments_scenario ON training_comments(scenario_id, created_at);

CREATE TABLE training_attempts (
    id TEXT PRIMARY KEY,
    scenario_id TEXT NOT NULL REFERENCES training_scenarios(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    score REAL,
    scores TEXT NOT NULL DEFAULT '{}',
    duration INTEGER,
    completed INTEGER NOT NULL DEFAULT 0,
    passed INTEGER NOT NULL DEFAULT 0,
    rating INTEGER,
    feedback TEXT,
    reported_issue INTEGER NOT NULL DEFAULT 0,
    tokens_used INTEGER,
    latency REAL,
    error INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX training_attempts_scenario ON training_attempts(scenario_id, created_at);

CREATE TABLE training_ab_tests (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    metric TEXT NOT NULL,
    confidence_level REAL NOT NULL,
    min_sample_size INTEGER NOT NULL,
    variants TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    cancel_reason TEXT,
    pauses TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX training_ab_tests_status ON training_ab_tests(status, created_at);

INSERT INTO training_templates
    (id, name, description, thumbnail, category, difficulty, industry, is_featured, variables, body, created_by, created_at)
VALUES (
    'tmp_BillDsp7Qz',
    'Billing Dispute Template',
    'General billing complaint template with customizable details',
    NULL,
    'BILLING_PAYMENTS',
    'INTERMEDIATE',
    'telecommunications',
    1,
    '[{"key":"customerName","label":"Customer Name","type":"text","required":true},
      {"key":"companyName","label":"Company Name","type":"text","required":false,"default":"TelcoMax"},
      {"key":"issueAmount","label":"Disputed Amount","type":"number","required":true}]',
    '{"description":"{{customerName}} disputes a charge of ${{issueAmount}} on the latest {{companyName}} bill",
      "category":"BILLING_PAYMENTS","difficulty":"INTERMEDIATE","estimatedDuration":10,
      "tags":["billing","dispute"],
      "customerProfile":{"name":"{{customerName}}","age":45,"personality":["assertive","detail-oriented"],"initialMood":35,"speakingStyle":"firm, wants explanations"},
      "context":{"companyName":"{{companyName}}","industry":"telecommunications","issue":"Bill is ${{issueAmount}} higher than usual","contextDetails":{"disputedAmount":"{{issueAmount}}"},"priorInteractions":0},
      "aiConfig":{"systemPrompt":"You are {{customerName}}, a customer of {{companyName}} calling about a ${{issueAmount}} overcharge.","temperature":0.8,"interruptionRate":0.15,"escalationThreshold":70},
      "successCriteria":{"targetOutcome":"Issue resolved with credit applied","acceptableSolutions":["Full credit on next bill","Investigation with callback"],"mustUseKeywords":["understand","apologize","resolve"],"avoidKeywords":["policy"],"timeLimit":600},
      "evaluationWeights":{"greeting":10,"listening":20,"solution":30,"empathy":25,"closing":15}}',
    'usr_system',
    '2025-10-01T00:00:00.000Z'
);
"#,
    r#"
-- The list reads its page from the index of its sort, `(key, id)` (see store::list).
DROP INDEX training_scenarios_created;
DROP INDEX training_scenarios_updated;
DROP INDEX training_scenarios_usage;
CREATE INDEX training_scenarios_by_created ON training_scenarios(created_at, id);
CREATE INDEX training_scenarios_by_updated ON training_scenarios(updated_at, id);
CREATE INDEX training_scenarios_by_usage ON training_scenarios(usage_count, id);
CREATE INDEX training_scenarios_by_rating ON training_scenarios(COALESCE(rating, 0), id);
CREATE INDEX training_scenarios_by_name ON training_scenarios(name COLLATE NOCASE, id);
CREATE INDEX training_scenarios_template ON training_scenarios(template_id);

-- The list generation: cached list totals and anchors are valid while it stays.
CREATE TABLE training_list_gen (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO training_list_gen (id, generation) VALUES (1, 0);
CREATE TRIGGER training_list_gen_insert AFTER INSERT ON training_scenarios BEGIN
    UPDATE training_list_gen SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER training_list_gen_delete AFTER DELETE ON training_scenarios BEGIN
    UPDATE training_list_gen SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER training_list_gen_update AFTER UPDATE ON training_scenarios
WHEN OLD.id IS NOT NEW.id OR OLD.status IS NOT NEW.status OR OLD.category IS NOT NEW.category
    OR OLD.difficulty IS NOT NEW.difficulty OR OLD.created_by IS NOT NEW.created_by
    OR OLD.tenant_id IS NOT NEW.tenant_id OR OLD.is_private IS NOT NEW.is_private
    OR OLD.name IS NOT NEW.name OR OLD.created_at IS NOT NEW.created_at
    OR OLD.updated_at IS NOT NEW.updated_at OR OLD.usage_count IS NOT NEW.usage_count
    OR OLD.rating IS NOT NEW.rating
BEGIN
    UPDATE training_list_gen SET generation = generation + 1 WHERE id = 1;
END;
"#,
    // Step 3: publish notifications (`notifyUsers`) and what sending each did.
    store::notifications::MIGRATION,
    // Step 4: scenarios marked as templates (`isTemplate`), listed with the templates.
    store::templates::MIGRATION,
    // Step 5: the mean attempt score kept with the scenario (like `usage_count`
    // and `rating`), so a list page reads no attempts.
    r#"
ALTER TABLE training_scenarios ADD COLUMN average_score REAL;
UPDATE training_scenarios SET average_score =
    (SELECT AVG(score) FROM training_attempts WHERE scenario_id = training_scenarios.id);
"#,
];

pub fn module() -> Module {
    Module::new(SLUG, MIGRATIONS, build)
        .with_reindex(index::reindex)
        .with_demo(demo::load)
}

fn build(platform: &Platform) -> MountedModule {
    // Declare the search index up front so staged writes drain from the start.
    if let Err(e) = index::index(platform) {
        tracing::error!(error = %e.message, "cannot open the training search index");
    }
    notify::register_jobs(platform);
    http::mount::<_, model::TrainingEnvelope>(
        platform,
        ModuleInfo {
            slug: SLUG,
            title: "Scenario Management API",
            version: "1.0",
            description: "Customer-service training scenarios: authoring, versions, templates, \
                          analytics and comments.",
            base: "/training/api",
            require_module_role: true,
        },
        api::apis(platform),
        classifier(),
    )
}

/// The document's limits: create/update 10/hour, reads 100/min, bulk import
/// 3/hour, export 5/hour, analytics 20/min. Search counts as a read, and so
/// do the extensions that record trainee activity (attempts, A/B assignments).
fn classifier() -> Classifier {
    Arc::new(|req, _| {
        let path = req.uri().path();
        let rule = if path.contains("/bulk/import") {
            LimitRule::new("bulk_import", 3, 3600)
        } else if path.contains("/bulk/export") {
            LimitRule::new("bulk_export", 5, 3600)
        } else if path.contains("/analytics") {
            LimitRule::new("analytics", 20, 60)
        } else if req.method() == Method::GET
            || path.ends_with("/search")
            // Trainee activity (extensions), not authoring: the read budget.
            || path.ends_with("/attempts")
            || path.ends_with("/assignments")
        {
            LimitRule::new("read", 100, 60)
        } else {
            LimitRule::new("write", 10, 3600)
        };
        Some(rule)
    })
}
