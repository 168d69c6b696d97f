//! Scenarios as the document names them: the fixed value sets, the content
//! of a scenario (customer profile, context, AI configuration, success
//! criteria, evaluation weights) and the request bodies that write it.
//!
//! Optional fields are left out of the JSON these types write back
//! (`skip_serializing_if_is_none`), so a partial update merges only the
//! fields it names.

use std::collections::BTreeMap;

use frontline_platform::pattern::common::{DateOrDateTime, NonBlank};
use poem_openapi::{Enum, Object};
use serde_json::Value;

frontline_platform::pattern_string! {
    /// An http(s) URL with a host (`http://host…`, any letter case).
    pub HttpUrl = "^[hH][tT][tT][pP][sS]?://[^/?#\\s]+";
}

/// Scenario category.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Category {
    BillingPayments,
    TechnicalSupport,
    AccountManagement,
    Complaints,
    CustomerService,
    Onboarding,
    Retention,
    Sales,
}

/// Scenario difficulty.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Difficulty {
    Beginner,
    Intermediate,
    Advanced,
    Expert,
}

/// Lifecycle status of a scenario.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScenarioStatus {
    Draft,
    PendingReview,
    Approved,
    Published,
    Archived,
}

/// A status a scenario may be written with directly (publishing and
/// archiving have their own operations).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WritableStatus {
    Draft,
    PendingReview,
    Approved,
}

impl WritableStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WritableStatus::Draft => "DRAFT",
            WritableStatus::PendingReview => "PENDING_REVIEW",
            WritableStatus::Approved => "APPROVED",
        }
    }
}

/// The simulated customer.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct CustomerProfile {
    /// The customer's name.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    /// Age in years.
    #[oai(validator(minimum(value = "16"), maximum(value = "120")))]
    pub age: Option<i64>,
    /// Personality traits.
    #[oai(validator(max_items = 10, min_length = 1, max_length = 50))]
    pub personality: Option<Vec<String>>,
    /// Mood at the start of the call, 0 (furious) to 100 (delighted).
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub initial_mood: Option<i64>,
    /// How the customer speaks.
    #[oai(validator(max_length = 500))]
    pub speaking_style: Option<String>,
    /// The customer's history.
    #[oai(validator(max_length = 5000))]
    pub background_story: Option<String>,
    /// Voice used by the simulation.
    #[oai(validator(max_length = 100))]
    pub voice_profile_id: Option<String>,
}

/// The business situation of the call.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ScenarioContext {
    /// The company the agent works for.
    #[oai(validator(max_length = 200))]
    pub company_name: Option<String>,
    /// The company's industry.
    #[oai(validator(max_length = 100))]
    pub industry: Option<String>,
    /// The product or service concerned.
    #[oai(validator(max_length = 500))]
    pub product_service: Option<String>,
    /// The customer's issue.
    #[oai(validator(max_length = 2000))]
    pub issue: Option<String>,
    /// Free-form facts of the case (amounts, dates, account details).
    pub context_details: Option<BTreeMap<String, Value>>,
    /// Earlier contacts about the same issue.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000")))]
    pub prior_interactions: Option<i64>,
}

/// A mood change the simulated customer reacts with.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct EmotionalTrigger {
    /// What the agent does, e.g. `no_empathy`.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub trigger: String,
    /// Mood change, -100 to 100.
    #[oai(validator(minimum(value = "-100"), maximum(value = "100")))]
    pub mood_change: f64,
}

/// How the simulation's language model behaves.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AiConfig {
    /// The system prompt of the simulated customer.
    #[oai(validator(max_length = 20000))]
    pub system_prompt: Option<String>,
    /// Sampling temperature, 0 to 2.
    #[oai(validator(minimum(value = "0"), maximum(value = "2")))]
    pub temperature: Option<f64>,
    /// How often the customer interrupts, 0 to 1.
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub interruption_rate: Option<f64>,
    /// Mood below which the customer escalates, 0 to 100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub escalation_threshold: Option<f64>,
    /// Mood changes in reaction to the agent.
    #[oai(validator(max_items = 50))]
    pub emotional_triggers: Option<Vec<EmotionalTrigger>>,
}

/// What a successful call achieves.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct SuccessCriteria {
    /// The outcome to reach.
    #[oai(validator(max_length = 1000))]
    pub target_outcome: Option<String>,
    /// Solutions that count as success.
    #[oai(validator(max_items = 50, min_length = 1, max_length = 500))]
    pub acceptable_solutions: Option<Vec<String>>,
    /// Words the agent should use.
    #[oai(validator(max_items = 50, min_length = 1, max_length = 100))]
    pub must_use_keywords: Option<Vec<String>>,
    /// Words the agent should avoid.
    #[oai(validator(max_items = 50, min_length = 1, max_length = 100))]
    pub avoid_keywords: Option<Vec<String>>,
    /// Time limit of the call in seconds.
    #[oai(validator(minimum(value = "1"), maximum(value = "7200")))]
    pub time_limit: Option<i64>,
}

/// An evaluation criterion beyond the five standard ones.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct CustomMetric {
    /// The criterion's name (the key of its score in an attempt).
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// Its weight, 0 to 100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub weight: f64,
    /// What it measures.
    #[oai(validator(max_length = 500))]
    pub description: Option<String>,
}

/// Weights of the evaluation criteria; all weights together total 100.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct EvaluationWeights {
    /// Weight of the greeting, 0 to 100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub greeting: Option<f64>,
    /// Weight of listening, 0 to 100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub listening: Option<f64>,
    /// Weight of the solution, 0 to 100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub solution: Option<f64>,
    /// Weight of empathy, 0 to 100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub empathy: Option<f64>,
    /// Weight of the closing, 0 to 100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub closing: Option<f64>,
    /// Further weighted criteria.
    #[oai(validator(max_items = 20))]
    pub custom_metrics: Option<Vec<CustomMetric>>,
}

/// Create a scenario (also the shape every stored scenario is checked against).
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct CreateScenarioRequest {
    /// The scenario's name, 3 to 200 characters; its slug comes from it.
    #[oai(validator(min_length = 3, max_length = 200))]
    pub name: String,
    /// What the scenario is about.
    #[oai(validator(max_length = 5000))]
    pub description: Option<String>,
    /// Category.
    pub category: Category,
    /// Difficulty.
    pub difficulty: Difficulty,
    /// Expected length of the call in minutes, 1 to 240.
    #[oai(validator(minimum(value = "1"), maximum(value = "240")))]
    pub estimated_duration: Option<i64>,
    /// Tags, at most 20 of at most 50 characters.
    #[oai(validator(max_items = 20, min_length = 1, max_length = 50))]
    pub tags: Option<Vec<String>>,
    /// The simulated customer.
    pub customer_profile: Option<CustomerProfile>,
    /// The business situation.
    pub context: Option<ScenarioContext>,
    /// The simulation's model settings.
    pub ai_config: Option<AiConfig>,
    /// What success means.
    pub success_criteria: Option<SuccessCriteria>,
    /// How attempts are scored.
    pub evaluation_weights: Option<EvaluationWeights>,
    /// Initial status (default DRAFT).
    pub status: Option<WritableStatus>,
    /// Only its author (and admins) see a private scenario.
    pub is_private: Option<bool>,
    /// The tenant the scenario belongs to.
    #[oai(validator(max_length = 100))]
    pub tenant_id: Option<String>,
    /// Marks the scenario as a template (default false): while it is not
    /// archived, `GET /admin/templates` lists it under its own id and
    /// `POST /admin/templates/{id}/create-scenario` makes new scenarios from
    /// it, each `{{key}}` placeholder in its text being a required variable.
    pub is_template: Option<bool>,
}

/// The fields a scenario update may change (all optional; nested objects merge).
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ScenarioChanges {
    /// New name, 3 to 200 characters (the slug follows it).
    #[oai(validator(min_length = 3, max_length = 200))]
    pub name: Option<String>,
    /// What the scenario is about.
    #[oai(validator(max_length = 5000))]
    pub description: Option<String>,
    /// Category.
    pub category: Option<Category>,
    /// Difficulty.
    pub difficulty: Option<Difficulty>,
    /// Expected length of the call in minutes, 1 to 240.
    #[oai(validator(minimum(value = "1"), maximum(value = "240")))]
    pub estimated_duration: Option<i64>,
    /// Tags (replace the current ones), at most 20 of at most 50 characters.
    #[oai(validator(max_items = 20, min_length = 1, max_length = 50))]
    pub tags: Option<Vec<String>>,
    /// Customer profile fields to change.
    pub customer_profile: Option<CustomerProfile>,
    /// Context fields to change.
    pub context: Option<ScenarioContext>,
    /// AI configuration fields to change.
    pub ai_config: Option<AiConfig>,
    /// Success criteria fields to change.
    pub success_criteria: Option<SuccessCriteria>,
    /// Evaluation weights to change (all weights must still total 100).
    pub evaluation_weights: Option<EvaluationWeights>,
    /// New status (not for published scenarios: archive those).
    pub status: Option<WritableStatus>,
    /// Only its author (and admins) see a private scenario.
    pub is_private: Option<bool>,
    /// The tenant the scenario belongs to.
    #[oai(validator(max_length = 100))]
    pub tenant_id: Option<String>,
    /// Marks the scenario as a template (default false): while it is not
    /// archived, `GET /admin/templates` lists it under its own id and
    /// `POST /admin/templates/{id}/create-scenario` makes new scenarios from
    /// it, each `{{key}}` placeholder in its text being a required variable.
    pub is_template: Option<bool>,
}

/// Update a scenario: the given fields are merged in and a new version is made.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct UpdateScenarioRequest {
    #[oai(flatten)]
    pub changes: ScenarioChanges,
    /// What changed, kept with the new version.
    #[oai(validator(max_length = 2000))]
    pub changelog: Option<String>,
}

/// Duplicate a scenario.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct DuplicateScenarioRequest {
    /// Name of the copy (default: the original's name + " (Copy)", the
    /// original's part shortened to keep within 200 characters).
    #[oai(validator(min_length = 3, max_length = 200))]
    pub new_name: Option<String>,
    /// Copy the original's recorded attempts too.
    pub preserve_analytics: Option<bool>,
    /// Status of the copy (default DRAFT).
    pub status: Option<WritableStatus>,
}

/// Publish a scenario.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct PublishScenarioRequest {
    /// Notes kept in the audit log.
    #[oai(validator(max_length = 2000))]
    pub notes: Option<String>,
    /// Whether users should be told (recorded with the publication).
    pub notify_users: Option<bool>,
}

/// Archive a scenario.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct ArchiveScenarioRequest {
    /// Why it is archived.
    #[oai(validator(max_length = 2000))]
    pub reason: Option<String>,
}

/// Restore a version.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct RestoreVersionRequest {
    /// Make a new version with the restored content (default true), or
    /// replace the content of the current version.
    pub create_new_version: Option<bool>,
    /// Changelog of the new version.
    #[oai(validator(max_length = 2000))]
    pub changelog: Option<String>,
}

/// Create a scenario from a template.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct CreateFromTemplateRequest {
    /// The new scenario's name, 3 to 200 characters.
    #[oai(validator(min_length = 3, max_length = 200))]
    pub name: String,
    /// Values of the template's variables, by key (typed as each variable says).
    pub variables: Option<BTreeMap<String, Value>>,
    /// Replaces the template's description.
    #[oai(validator(max_length = 5000))]
    pub description: Option<String>,
    /// Replaces the template's difficulty.
    pub difficulty: Option<Difficulty>,
    /// Replaces the template's tags.
    #[oai(validator(max_items = 20, min_length = 1, max_length = 50))]
    pub tags: Option<Vec<String>>,
    /// Only its author (and admins) see a private scenario.
    pub is_private: Option<bool>,
    /// The tenant the scenario belongs to.
    #[oai(validator(max_length = 100))]
    pub tenant_id: Option<String>,
}

/// Scenario ids of a bulk operation.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct BulkUpdateRequest {
    /// 1 to 100 scenario ids.
    #[oai(validator(min_items = 1, max_items = 100))]
    pub scenario_ids: Vec<String>,
    /// The fields to change in every scenario (as PATCH).
    pub updates: ScenarioChanges,
}

/// Archive or remove several scenarios.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct BulkDeleteRequest {
    /// 1 to 100 scenario ids.
    #[oai(validator(min_items = 1, max_items = 100))]
    pub scenario_ids: Vec<String>,
    /// Remove them for good (platform `admin` only) instead of archiving.
    pub permanent: Option<bool>,
}

/// Export format.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
}

/// Export compression.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum Compression {
    Zip,
    None,
}

/// Export scenarios to a file.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct BulkExportRequest {
    /// 1 to 1000 scenario ids.
    #[oai(validator(min_items = 1, max_items = 1000))]
    pub scenario_ids: Vec<String>,
    /// File format (json).
    pub format: Option<ExportFormat>,
    /// Include each scenario's analytics.
    pub include_analytics: Option<bool>,
    /// Include each scenario's version history.
    pub include_versions: Option<bool>,
    /// zip or none (default).
    pub compression: Option<Compression>,
}

/// Options of a bulk import (the `options` form field, as JSON).
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct ImportOptions {
    /// Only check the rows; nothing is stored.
    pub validate_only: Option<bool>,
    /// Store the valid rows and report the others (default true); false:
    /// all or nothing.
    pub skip_errors: Option<bool>,
    /// Status of rows that give none (default DRAFT).
    pub default_status: Option<WritableStatus>,
    /// Update the scenario with the same slug instead of skipping the row.
    pub overwrite_existing: Option<bool>,
}

/// Compare scenarios' analytics.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CompareScenariosRequest {
    /// 2 to 10 scenario ids.
    #[oai(validator(min_items = 2, max_items = 10))]
    pub scenario_ids: Vec<String>,
    /// Period (default 30d).
    pub period: Option<AnalyticsPeriod>,
    /// An ISO 8601 date (2025-10-01) or date-time (2025-10-01T09:00:00Z).
    /// The start of a custom period.
    pub start_date: Option<DateOrDateTime>,
    /// An ISO 8601 date (2025-10-31) or date-time (2025-10-31T17:00:00Z).
    /// The end of a custom period (a date: its whole day).
    pub end_date: Option<DateOrDateTime>,
}

/// An analytics period.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalyticsPeriod {
    #[oai(rename = "7d")]
    Days7,
    #[oai(rename = "30d")]
    Days30,
    #[oai(rename = "90d")]
    Days90,
    #[oai(rename = "1y")]
    Year,
    #[oai(rename = "custom")]
    Custom,
}

impl AnalyticsPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            AnalyticsPeriod::Days7 => "7d",
            AnalyticsPeriod::Days30 => "30d",
            AnalyticsPeriod::Days90 => "90d",
            AnalyticsPeriod::Year => "1y",
            AnalyticsPeriod::Custom => "custom",
        }
    }
}

/// Sort field of the scenario list.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub enum ListSortBy {
    Name,
    CreatedAt,
    UpdatedAt,
    UsageCount,
    Rating,
}

/// Sort order.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum SortDirection {
    Asc,
    Desc,
}

/// Sort field of the advanced search.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub enum SearchSortBy {
    Relevance,
    CreatedAt,
    UpdatedAt,
    UsageCount,
    Rating,
}

/// Filters of the advanced search.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct SearchFilters {
    /// Any of these categories.
    #[oai(validator(max_items = 20))]
    pub categories: Option<Vec<Category>>,
    /// Any of these difficulties.
    #[oai(validator(max_items = 20))]
    pub difficulties: Option<Vec<Difficulty>>,
    /// Any of these statuses.
    #[oai(validator(max_items = 20))]
    pub status: Option<Vec<ScenarioStatus>>,
    /// Lowest average rating, 0 to 5.
    #[oai(validator(minimum(value = "0"), maximum(value = "5")))]
    pub min_rating: Option<f64>,
    /// Fewest recorded attempts.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000")))]
    pub min_usage_count: Option<f64>,
}

/// Sorting of the advanced search.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct SearchSort {
    /// Sort field (default relevance, best match first).
    pub by: Option<SearchSortBy>,
    /// asc or desc (default); relevance sorts desc only.
    pub order: Option<SortDirection>,
}

/// Advanced search.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct SearchRequest {
    /// Full-text query, at most 500 characters (empty: every scenario).
    #[oai(validator(max_length = 500))]
    pub query: Option<String>,
    /// Filters.
    pub filters: Option<SearchFilters>,
    /// Sorting.
    pub sort: Option<SearchSort>,
    /// Page, 1 to 10000.
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    pub page: Option<u32>,
    /// Results per page, 1 to 100.
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    pub limit: Option<u32>,
}

/// Add a comment.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CreateCommentRequest {
    /// The comment, 1 to 5000 characters.
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub content: NonBlank,
    /// The comment this one answers.
    #[oai(validator(max_length = 100))]
    pub parent_id: Option<String>,
}

/// Edit a comment.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct UpdateCommentRequest {
    /// The new text, 1 to 5000 characters.
    #[oai(validator(min_length = 1, max_length = 5000))]
    pub content: NonBlank,
}

/// Record an attempt (extension).
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct RecordAttemptRequest {
    /// The trainee (default: the caller).
    #[oai(validator(min_length = 1, max_length = 100))]
    pub user_id: Option<String>,
    /// Overall score 0 to 100 (default: the weighted mean of `scores`).
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub score: Option<f64>,
    /// Score per evaluation criterion, 0 to 100 each.
    pub scores: Option<BTreeMap<String, f64>>,
    /// Length of the attempt in seconds, 0 to 86400.
    #[oai(validator(minimum(value = "0"), maximum(value = "86400")))]
    pub duration: Option<f64>,
    /// Whether the attempt was finished (default true).
    pub completed: Option<bool>,
    /// Whether it passed (default: completed with a score of 70 or more).
    pub passed: Option<bool>,
    /// The trainee's rating of the scenario, 1 to 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub rating: Option<i64>,
    /// The trainee's feedback (kept up to 5000 characters).
    pub feedback: Option<String>,
    /// Whether the trainee reported a problem.
    pub reported_issue: Option<bool>,
    /// Language-model tokens used, 0 to 10000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "10000000")))]
    pub tokens_used: Option<f64>,
    /// Mean model latency in seconds, 0 to 3600.
    #[oai(validator(minimum(value = "0"), maximum(value = "3600")))]
    pub latency: Option<f64>,
    /// Whether the simulation failed.
    pub error: Option<bool>,
    /// An ISO 8601 date (2025-10-01) or date-time (2025-10-01T09:00:00Z).
    /// When the attempt ended (not in the future; default now).
    pub completed_at: Option<DateOrDateTime>,
}

/// What an A/B test compares its variants on.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub enum TestMetric {
    PassRate,
    AverageScore,
    CompletionRate,
}

impl TestMetric {
    pub fn as_str(self) -> &'static str {
        match self {
            TestMetric::PassRate => "passRate",
            TestMetric::AverageScore => "averageScore",
            TestMetric::CompletionRate => "completionRate",
        }
    }
}

/// Status of an A/B test.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TestStatus {
    Running,
    Paused,
    Completed,
    Cancelled,
}

/// A status an A/B test may be set to (cancel with DELETE).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TestStatusChange {
    Running,
    Paused,
    Completed,
}

impl TestStatusChange {
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatusChange::Running => "RUNNING",
            TestStatusChange::Paused => "PAUSED",
            TestStatusChange::Completed => "COMPLETED",
        }
    }
}

/// One variant of an A/B test.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct TestVariantInput {
    /// The variant's name, 1 to 100 characters, unique in the test.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: NonBlank,
    /// The scenario trainees of this variant get.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub scenario_id: String,
    /// Share of trainees, a whole number from 1 to 99; all shares total 100.
    #[oai(validator(minimum(value = "1"), maximum(value = "99")))]
    pub traffic_percentage: i64,
}

/// Create an A/B test.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CreateTestRequest {
    /// The test's name, 3 to 200 characters.
    #[oai(validator(min_length = 3, max_length = 200))]
    pub name: String,
    /// What it tests.
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// The metric compared (default passRate).
    pub metric: Option<TestMetric>,
    /// Confidence level: 0.8, 0.9, 0.95 (default) or 0.99.
    #[oai(validator(minimum(value = "0.8"), maximum(value = "0.99")))]
    pub confidence_level: Option<f64>,
    /// Attempts each variant needs before a winner is named (default 30).
    #[oai(validator(minimum(value = "1"), maximum(value = "1000000")))]
    pub min_sample_size: Option<i64>,
    /// 2 to 5 variants; the first is the control.
    #[oai(validator(min_items = 2, max_items = 5))]
    pub variants: Vec<TestVariantInput>,
}

/// Change an A/B test.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct UpdateTestRequest {
    /// New name, 3 to 200 characters.
    #[oai(validator(min_length = 3, max_length = 200))]
    pub name: Option<String>,
    /// New description.
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// New metric.
    pub metric: Option<TestMetric>,
    /// New confidence level: 0.8, 0.9, 0.95 or 0.99.
    #[oai(validator(minimum(value = "0.8"), maximum(value = "0.99")))]
    pub confidence_level: Option<f64>,
    /// New minimum sample size.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000000")))]
    pub min_sample_size: Option<i64>,
    /// The same variants (names and scenarios, in order) with a new traffic split.
    #[oai(validator(min_items = 2, max_items = 5))]
    pub variants: Option<Vec<TestVariantInput>>,
    /// RUNNING <-> PAUSED, or COMPLETED to end the test.
    pub status: Option<TestStatusChange>,
}

/// Cancel an A/B test.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct CancelTestRequest {
    /// Why it is cancelled.
    #[oai(validator(max_length = 2000))]
    pub reason: Option<String>,
}

/// Ask which variant a trainee gets.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename_all = "camelCase")]
pub struct AssignmentRequest {
    /// The trainee (default: the caller), 1 to 100 characters.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub user_id: Option<String>,
}

/// Subscribe to training events.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CreateWebhookRequest {
    /// An absolute http(s) URL of a public address, at most 2048 characters:
    /// where deliveries are posted.
    #[oai(validator(max_length = 2048))]
    pub url: HttpUrl,
    /// The events to deliver (at least one).
    #[oai(validator(min_items = 1))]
    pub events: Vec<WebhookEvent>,
    /// Signing secret, 16 to 256 characters (generated when not given).
    #[oai(validator(min_length = 16, max_length = 256))]
    pub secret: Option<String>,
    /// What the subscription is for.
    #[oai(validator(max_length = 500))]
    pub description: Option<String>,
}

/// A training event.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookEvent {
    #[oai(rename = "scenario.created")]
    Created,
    #[oai(rename = "scenario.updated")]
    Updated,
    #[oai(rename = "scenario.published")]
    Published,
    #[oai(rename = "scenario.archived")]
    Archived,
    #[oai(rename = "scenario.deleted")]
    Deleted,
}

impl WebhookEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::Created => "scenario.created",
            WebhookEvent::Updated => "scenario.updated",
            WebhookEvent::Published => "scenario.published",
            WebhookEvent::Archived => "scenario.archived",
            WebhookEvent::Deleted => "scenario.deleted",
        }
    }
}
