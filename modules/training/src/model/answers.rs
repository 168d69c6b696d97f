//! The answers of the training API, named as the document names them.
//! Parts the document leaves open (a version's snapshot, a template's
//! variables and content, analytics breakdowns keyed by criterion or day)
//! are JSON.

use std::collections::BTreeMap;

use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiResponse, Object};
use serde_json::Value;

use frontline_platform::direct::Direct;
use frontline_platform::sorted_json;
use poem_openapi::payload::Json;

/// A typed JSON answer with 200.
#[derive(ApiResponse)]
pub enum Answer<T: ParseFromJSON + ToJSON + Send + Sync> {
    /// OK.
    #[oai(status = 200)]
    Ok(Json<T>),
}

/// A typed JSON answer with 201.
#[derive(ApiResponse)]
pub enum CreatedAnswer<T: ParseFromJSON + ToJSON + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// 200 with `value`.
pub fn ok<T: ParseFromJSON + ToJSON + Send + Sync>(value: T) -> Answer<T> {
    Answer::Ok(Json(value))
}

/// A typed JSON answer with 200, documented as [`Answer`] is and written
/// with serde straight into the body (no `serde_json::Value` tree): the
/// search answer, whose results are many and nested.
#[derive(ApiResponse)]
pub enum DirectAnswer<T: ParseFromJSON + ToJSON + serde::Serialize + Send + Sync> {
    /// OK.
    #[oai(status = 200)]
    Ok(Direct<T>),
}

/// 200 with `value`, written with serde.
pub fn ok_direct<T: ParseFromJSON + ToJSON + serde::Serialize + Send + Sync>(
    value: T,
) -> DirectAnswer<T> {
    DirectAnswer::Ok(Direct(value))
}

/// 201 with `value`.
pub fn created<T: ParseFromJSON + ToJSON + Send + Sync>(value: T) -> CreatedAnswer<T> {
    CreatedAnswer::Created(Json(value))
}

/// A user.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Person {
    /// User id (`usr_system` for the system).
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail address (null for the system or a removed user).
    pub email: Option<String>,
}

/// Who made a version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionCreator {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
}

/// Who made a scenario (list form).
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CreatorRef {
    /// User id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// Page information.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Pagination {
    /// This page, from 1.
    pub page: u64,
    /// Items per page.
    pub limit: u64,
    /// Items in all pages.
    pub total: u64,
    /// Number of pages.
    pub total_pages: u64,
    /// Whether a next page exists.
    pub has_next: bool,
    /// Whether a previous page exists.
    pub has_prev: bool,
}

/// The answer to creating a scenario.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioCreated {
    /// Scenario id (`scn_…`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Unique slug made from the name.
    pub slug: String,
    /// Status.
    pub status: String,
    /// Version number (1).
    pub version_number: i64,
    /// When it was created.
    pub created_at: String,
    /// Who created it.
    pub created_by: String,
    /// The creator.
    pub creator: Person,
}

/// Headline analytics of a scenario in the list.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct SummaryAnalytics {
    /// Recorded attempts.
    pub total_attempts: i64,
    /// Mean score (null without scored attempts).
    pub average_score: Option<f64>,
    /// Mean rating (null without ratings).
    pub average_rating: Option<f64>,
}

/// Analytics of a scenario over all its recorded attempts.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioSummaryAnalytics {
    /// Recorded attempts.
    pub total_attempts: i64,
    /// Distinct trainees.
    pub unique_users: i64,
    /// Share of completed attempts.
    pub completion_rate: f64,
    /// Mean duration in seconds.
    pub average_duration: f64,
    /// Mean score (null without scored attempts).
    pub average_score: Option<f64>,
    /// Share of passed attempts.
    pub pass_rate: f64,
    /// Mean rating (null without ratings).
    pub average_rating: Option<f64>,
}

/// A scenario in the list.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioSummary {
    /// Scenario id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: String,
    /// Difficulty.
    pub difficulty: String,
    /// Status.
    pub status: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Current version number.
    pub version_number: i64,
    /// Whether it is marked as a template (listed by `GET /admin/templates`).
    pub is_template: bool,
    /// Whether only its author (and admins) see it.
    pub is_private: bool,
    /// Recorded attempts.
    pub usage_count: i64,
    /// Headline analytics.
    pub analytics: SummaryAnalytics,
    /// The author.
    pub creator: CreatorRef,
    /// When it was created.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// When it was published.
    pub published_at: Option<String>,
}

/// The filter values the list accepts.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct AvailableFilters {
    /// Categories.
    pub categories: Vec<String>,
    /// Difficulties.
    pub difficulties: Vec<String>,
    /// Statuses.
    pub statuses: Vec<String>,
    /// Sort fields.
    pub sort_by: Vec<String>,
}

/// Filters of a list answer.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ListFilters {
    /// The filters this answer applied, by query parameter.
    pub applied_filters: BTreeMap<String, Value>,
    /// The values each filter accepts.
    pub available_filters: AvailableFilters,
}

/// A page of scenarios.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioList {
    /// The scenarios of this page.
    pub data: Vec<ScenarioSummary>,
    /// Page information.
    pub pagination: Pagination,
    /// Applied and available filters.
    pub filters: ListFilters,
}

/// Who made and changed a scenario, and when.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioMetadata {
    /// When it was created.
    pub created_at: String,
    /// Who created it.
    pub created_by: String,
    /// The creator.
    pub creator: Person,
    /// When it last changed.
    pub updated_at: String,
    /// Who changed it last.
    pub updated_by: String,
    /// When it was published.
    pub published_at: Option<String>,
    /// Who published it.
    pub published_by: Option<String>,
    /// When it was archived.
    pub archived_at: Option<String>,
    /// Who archived it.
    pub archived_by: Option<String>,
}

/// A whole scenario.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioDetail {
    /// Scenario id.
    pub id: String,
    /// Slug.
    pub slug: String,
    /// Status.
    pub status: String,
    /// Current version number.
    pub version_number: i64,
    /// The template it was made from.
    pub template_id: Option<String>,
    /// Recorded attempts.
    pub usage_count: i64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: String,
    /// Difficulty.
    pub difficulty: String,
    /// Expected length in minutes.
    #[oai(skip_serializing_if_is_none)]
    pub estimated_duration: Option<Value>,
    /// Tags.
    pub tags: Value,
    /// The simulated customer (as [`CustomerProfile`](crate::model::CustomerProfile)).
    #[oai(skip_serializing_if_is_none)]
    pub customer_profile: Option<Value>,
    /// The business situation (as `ScenarioContext`).
    #[oai(skip_serializing_if_is_none)]
    pub context: Option<Value>,
    /// The simulation's model settings (as `AiConfig`).
    #[oai(skip_serializing_if_is_none)]
    pub ai_config: Option<Value>,
    /// What success means (as `SuccessCriteria`).
    #[oai(skip_serializing_if_is_none)]
    pub success_criteria: Option<Value>,
    /// How attempts are scored (as `EvaluationWeights`).
    #[oai(skip_serializing_if_is_none)]
    pub evaluation_weights: Option<Value>,
    /// Whether only its author (and admins) see it.
    pub is_private: Value,
    /// Whether it is marked as a template (listed by `GET /admin/templates`).
    pub is_template: bool,
    /// Tenant.
    pub tenant_id: Value,
    /// Who made and changed it, and when.
    pub metadata: ScenarioMetadata,
    /// Analytics (with `includeAnalytics=true`).
    #[oai(skip_serializing_if_is_none)]
    pub analytics: Option<ScenarioSummaryAnalytics>,
    /// Version history, newest first (with `includeVersions=true`).
    #[oai(skip_serializing_if_is_none)]
    pub versions: Option<Vec<VersionSummary>>,
}

/// The answer to PUT: the new version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioUpdated {
    /// Scenario id.
    pub id: String,
    /// The new version number.
    pub version_number: i64,
    /// The version before.
    pub previous_version_number: i64,
    /// When.
    pub updated_at: String,
    /// By whom.
    pub updated_by: String,
    /// The changelog given.
    pub changelog: Option<String>,
    /// Outcome.
    pub message: String,
}

/// The answer to PATCH.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioPatched {
    /// Scenario id.
    pub id: String,
    /// When.
    pub updated_at: String,
    /// Outcome.
    pub message: String,
}

/// The answer to a duplicate.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioDuplicated {
    /// The copy's id.
    pub id: String,
    /// The original's id.
    pub original_id: String,
    /// The copy's name.
    pub name: String,
    /// The copy's slug.
    pub slug: String,
    /// The copy's status.
    pub status: String,
    /// When it was made.
    pub created_at: String,
}

/// The answer to publishing.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioPublished {
    /// Scenario id.
    pub id: String,
    /// PUBLISHED.
    pub status: String,
    /// When.
    pub published_at: String,
    /// By whom.
    pub published_by: String,
    /// The version published.
    pub version_number: i64,
    /// Outcome.
    pub message: String,
    /// With `notifyUsers: true`: how many people were queued an e-mail (the
    /// scenario's author, the authors of its versions and comments, and the
    /// trainees who attempted it; a private scenario's author only). Sent
    /// through the server's SMTP settings; without them each stays
    /// `not_configured` and nothing is sent.
    #[oai(skip_serializing_if_is_none)]
    pub notified_users: Option<i64>,
}

/// The answer to archiving.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioArchived {
    /// Scenario id.
    pub id: String,
    /// ARCHIVED.
    pub status: String,
    /// When.
    pub archived_at: String,
    /// By whom.
    pub archived_by: String,
    /// The reason given.
    pub reason: Option<String>,
}

/// The answer to restoring an archived scenario.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioRestored {
    /// Scenario id.
    pub id: String,
    /// DRAFT.
    pub status: String,
    /// When.
    pub restored_at: String,
    /// By whom.
    pub restored_by: String,
    /// Outcome.
    pub message: String,
}

/// A version in the history.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionSummary {
    /// Version id (`ver_…`).
    pub version_id: String,
    /// Version number.
    pub version_number: i64,
    /// What changed.
    pub changelog: Option<String>,
    /// Who made it.
    pub created_by: String,
    /// The author.
    pub creator: VersionCreator,
    /// When.
    pub created_at: String,
    /// Whether it is the current version.
    pub is_active: bool,
    /// When it was published.
    pub published_at: Option<String>,
    /// The version it restored, if any.
    pub restored_from_version: Option<i64>,
}

/// The version history of a scenario.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionHistory {
    /// Scenario id.
    pub scenario_id: String,
    /// Current version number.
    pub current_version: i64,
    /// Number of versions.
    pub total_versions: u64,
    /// Versions, newest first.
    pub versions: Vec<VersionSummary>,
}

/// One version with its snapshot.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionDetail {
    /// Version id.
    pub version_id: String,
    /// Scenario id.
    pub scenario_id: String,
    /// Version number.
    pub version_number: i64,
    /// What changed.
    pub changelog: Option<String>,
    /// The scenario's content at this version.
    pub snapshot: Value,
    /// Who made it.
    pub created_by: String,
    /// The author.
    pub creator: VersionCreator,
    /// When.
    pub created_at: String,
    /// When it was published.
    pub published_at: Option<String>,
    /// Whether it is the current version.
    pub is_active: bool,
    /// The version it restored, if any.
    pub restored_from_version: Option<i64>,
}

/// One difference between two versions.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Difference {
    /// Dotted path of the field.
    pub path: String,
    /// The field's own name.
    pub field: String,
    /// Value in the older version (null: absent).
    pub old_value: Value,
    /// Value in the newer version (null: absent).
    pub new_value: Value,
    /// added, removed or modified.
    pub change_type: String,
}

/// Two versions compared.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionComparison {
    /// Scenario id.
    pub scenario_id: String,
    /// Source version.
    pub from: i64,
    /// Target version.
    pub to: i64,
    /// Number of differences.
    pub total_changes: u64,
    /// The differences.
    pub differences: Vec<Difference>,
    /// Who made the target version.
    pub changed_by: String,
    /// When.
    pub changed_at: String,
}

/// The answer to restoring a version.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct VersionRestored {
    /// Scenario id.
    pub id: String,
    /// The version number now current.
    pub version_number: i64,
    /// The version restored.
    pub restored_from_version: i64,
    /// When.
    pub updated_at: String,
    /// Outcome.
    pub message: String,
}

/// A scenario template.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Template {
    /// Template id: `tmp_…` for the built-in catalogue, the scenario's own
    /// `scn_…` id for a scenario marked as a template (`isTemplate`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Thumbnail URL.
    pub thumbnail: Option<String>,
    /// Category.
    pub category: String,
    /// Difficulty.
    pub difficulty: String,
    /// Industry.
    pub industry: Option<String>,
    /// Whether it is featured.
    pub is_featured: bool,
    /// The variables to fill in: `{key, label, type, required, default?, options?}`
    /// (for a scenario marked as a template: each `{{key}}` placeholder in
    /// its text, as required text).
    pub variables: Value,
    /// Who made it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// Scenarios made from it that the caller may see.
    pub usage_count: i64,
    /// Mean rating of their attempts.
    pub average_rating: Option<f64>,
    /// The scenario content it fills in (one template only).
    #[oai(skip_serializing_if_is_none)]
    pub content: Option<Value>,
}

/// Templates.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct TemplateList {
    /// The templates, featured first.
    pub templates: Vec<Template>,
    /// Their number.
    pub total: u64,
}

/// The answer to creating a scenario from a template.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioFromTemplate {
    /// The new scenario's id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// The template.
    pub template_id: String,
    /// Status (DRAFT).
    pub status: String,
    /// When.
    pub created_at: String,
}

/// A comment.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Comment {
    /// Comment id (`cmt_…`).
    pub id: String,
    /// Scenario id.
    pub scenario_id: String,
    /// The thread's top comment, for a reply.
    pub parent_id: Option<String>,
    /// Text.
    pub content: String,
    /// The author.
    pub author: Person,
    /// When it was written.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// Whether it was edited.
    pub edited: bool,
}

/// A comment with its replies.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CommentThread {
    #[oai(flatten)]
    pub comment: Comment,
    /// Replies, oldest first.
    pub replies: Vec<Comment>,
}

/// The comments of a scenario.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct CommentList {
    /// Scenario id.
    pub scenario_id: String,
    /// Threads, oldest first.
    pub comments: Vec<CommentThread>,
    /// Comments and replies together.
    pub total: u64,
}

/// Why one scenario of a bulk operation failed.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct BulkErrorInfo {
    /// Error code.
    pub code: String,
    /// Message.
    pub message: String,
    /// Field details.
    pub details: Vec<crate::model::ErrorDetail>,
}

/// One failed scenario of a bulk operation.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct BulkFailure {
    /// Scenario id.
    pub scenario_id: String,
    /// What went wrong.
    pub error: BulkErrorInfo,
}

/// The answer to a bulk update.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct BulkUpdateResult {
    /// Scenarios updated.
    pub updated: u64,
    /// Scenarios that failed.
    pub failed: u64,
    /// Ids of the updated scenarios.
    pub scenario_ids: Vec<String>,
    /// The failures.
    pub errors: Vec<BulkFailure>,
}

/// The answer to a bulk delete.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct BulkDeleteResult {
    /// Scenarios archived or removed.
    pub deleted: u64,
    /// Scenarios that failed.
    pub failed: u64,
    /// Whether they were removed for good.
    pub permanent: bool,
    /// Ids of the deleted scenarios.
    pub scenario_ids: Vec<String>,
    /// The failures.
    pub errors: Vec<BulkFailure>,
}

/// The answer to an export.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ExportResult {
    /// Export id (`exp_…`).
    pub export_id: String,
    /// Signed link to the file, valid without a token until `expiresAt`.
    pub download_url: String,
    /// When the link and the file expire.
    pub expires_at: String,
    /// Size in bytes.
    pub file_size: u64,
    /// File name.
    pub file_name: String,
    /// Scenarios in the file.
    pub scenario_count: u64,
    /// Format (json).
    pub format: String,
    /// zip or none.
    pub compression: String,
    /// When.
    pub created_at: String,
}

/// One row of an import that was not stored.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ImportError {
    /// Row number, from 1.
    pub row: u64,
    /// The row's name.
    pub scenario_name: Value,
    /// What is wrong.
    pub error: String,
    /// The field concerned.
    pub field: Option<String>,
}

/// The answer to an import.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ImportResult {
    /// Import id (`imp_…`).
    pub import_id: String,
    /// Rows stored.
    pub imported: u64,
    /// Rows skipped (existing slug without overwrite, or errors skipped).
    pub skipped: u64,
    /// Rows with errors.
    pub failed: u64,
    /// Rows without errors.
    pub valid: u64,
    /// Whether this was a check only.
    pub validate_only: bool,
    /// Whether anything was written.
    pub committed: bool,
    /// Outcome.
    pub message: String,
    /// The rows with errors.
    pub errors: Vec<ImportError>,
    /// Ids of the stored scenarios.
    pub scenario_ids: Vec<String>,
    /// Seconds taken.
    pub processing_time: f64,
    /// Signed link to the error report (null without errors).
    pub download_error_report: Option<String>,
}

/// A search result.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct SearchResult {
    /// Scenario id.
    pub id: String,
    /// Name.
    pub name: Value,
    /// Description (a snippet).
    pub description: Value,
    /// Category.
    pub category: Value,
    /// Difficulty.
    pub difficulty: Value,
    /// Status.
    pub status: Value,
    /// Tags.
    pub tags: Value,
    /// Relevance, the best hit is 1.
    pub relevance_score: f64,
    /// Fields the query matched.
    pub matched_fields: Vec<String>,
    /// Matching text with `<em>` around the words, by field.
    pub highlights: BTreeMap<String, Value>,
    /// Usage and rating.
    pub analytics: Value,
}

/// The sort a search applied.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct AppliedSort {
    /// Sort field.
    pub by: String,
    /// asc or desc.
    pub order: String,
}

/// About a search.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct SearchMeta {
    /// The query.
    pub query: String,
    /// Measured time in milliseconds.
    pub processing_time: f64,
    /// Matches in all pages.
    pub total_results: u64,
}

/// Search results.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct SearchResults {
    /// This page of results.
    pub results: Vec<SearchResult>,
    /// Page information.
    pub pagination: Pagination,
    /// The sort applied.
    pub sort: AppliedSort,
    /// About the search.
    pub search_meta: SearchMeta,
}

/// A recorded attempt.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct AttemptRecorded {
    /// Attempt id (`att_…`).
    pub id: String,
    /// Scenario id.
    pub scenario_id: String,
    /// The trainee.
    pub user_id: String,
    /// Overall score.
    pub score: Option<f64>,
    /// Score per criterion.
    pub scores: BTreeMap<String, Value>,
    /// Seconds.
    pub duration: Option<i64>,
    /// Whether it was finished.
    pub completed: bool,
    /// Whether it passed.
    pub passed: bool,
    /// Rating 1..5.
    pub rating: Option<i64>,
    /// Tokens used.
    pub tokens_used: Option<i64>,
    /// Latency in seconds.
    pub latency: Option<f64>,
    /// Whether the simulation failed.
    pub error: bool,
    /// Whether a problem was reported.
    pub reported_issue: bool,
    /// When it ended.
    pub completed_at: String,
}

/// Analytics of one scenario over a period.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioAnalytics {
    /// Scenario id.
    pub scenario_id: String,
    /// `{start, end, days}`.
    pub period: Value,
    /// totalAttempts, uniqueUsers, completionRate, averageDuration, averageScore, passRate.
    pub metrics: Value,
    /// Mean score per evaluation criterion.
    pub score_distribution: Value,
    /// Attempts per score band (`0-60` … `91-100`).
    pub score_breakdown: Value,
    /// averageRating, feedbackCount, ratings per star, reportedIssues.
    pub user_feedback: Value,
    /// avgTokensUsed, avgLatency, errorRate.
    pub performance: Value,
    /// Per day: date, attempts, avgScore, completionRate.
    pub trends: Value,
}

/// Scenarios compared.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct ScenarioComparison {
    /// `{start, end, days}`.
    pub period: Value,
    /// Per scenario: scenarioId, name, category, difficulty, metrics.
    pub scenarios: Vec<Value>,
    /// The best scenario id per metric (null without attempts).
    pub best: BTreeMap<String, Value>,
}

/// The overview dashboard.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Dashboard {
    /// `{start, end, days}`.
    pub period: Value,
    /// total, byStatus, byCategory, byDifficulty.
    pub scenarios: Value,
    /// Attempt metrics over the period.
    pub attempts: Value,
    /// Most used scenarios.
    pub top_scenarios: Vec<Value>,
    /// Best rated scenarios.
    pub best_rated_scenarios: Vec<Value>,
    /// Attempts per day.
    pub daily_attempts: Vec<Value>,
}

/// An A/B test with its live results.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct AbTest {
    /// Test id (`abt_…`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// RUNNING, PAUSED, COMPLETED or CANCELLED.
    pub status: String,
    /// The metric compared.
    pub metric: String,
    /// Confidence level.
    pub confidence_level: f64,
    /// Attempts each variant needs.
    pub min_sample_size: i64,
    /// Variants with their scenario and results.
    pub variants: Vec<Value>,
    /// Overall results: leader, pValue, isSignificant, winner, …
    pub results: Value,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// When it started.
    pub started_at: String,
    /// When it ended.
    pub ended_at: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Paused periods `{from, to}`.
    pub paused_periods: Vec<Value>,
}

/// A/B test variant as configured.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct TestVariant {
    /// Name.
    pub name: String,
    /// Scenario id.
    pub scenario_id: String,
    /// Share of trainees.
    pub traffic_percentage: f64,
}

/// An A/B test in the list.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct AbTestSummary {
    /// Test id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Status.
    pub status: String,
    /// Metric.
    pub metric: String,
    /// Confidence level.
    pub confidence_level: f64,
    /// Minimum sample size.
    pub min_sample_size: i64,
    /// Variants.
    pub variants: Vec<TestVariant>,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// When it started.
    pub started_at: String,
    /// When it ended.
    pub ended_at: Option<String>,
}

/// A page of A/B tests.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct AbTestList {
    /// The tests.
    pub data: Vec<AbTestSummary>,
    /// Page information.
    pub pagination: Pagination,
}

/// The variant a trainee gets.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Assignment {
    /// Test id.
    pub test_id: String,
    /// The trainee.
    pub user_id: String,
    /// The trainee's bucket, 0..99.
    pub bucket: u64,
    /// Variant name.
    pub variant: String,
    /// The variant's scenario.
    pub scenario_id: String,
}

/// A registered webhook (the platform's shape, shared by the modules).
pub use frontline_platform::events::WebhookView as Webhook;

/// Webhook subscriptions.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct WebhookList {
    /// The subscriptions.
    pub data: Vec<Webhook>,
}

/// One delivery of an event.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct Delivery {
    /// Delivery id.
    pub id: i64,
    /// Event id.
    pub event_id: i64,
    /// Event type.
    pub event: String,
    /// pending, delivered or failed.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// HTTP status of the last attempt.
    pub last_status_code: Option<i64>,
    /// Error of the last attempt.
    pub last_error: Option<String>,
    /// When.
    pub created_at: String,
    /// When it was delivered.
    pub delivered_at: Option<String>,
}

/// Deliveries, newest first.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase")]
pub struct DeliveryList {
    /// The deliveries (at most 100).
    pub data: Vec<Delivery>,
}

// The search answer's text with serde, key for key as `ToJSON` writes it
// (keys sorted); `search_json_is_the_documented_text` compares both.
sorted_json!(SearchResults {
    "pagination" => pagination,
    "results" => results,
    "searchMeta" => search_meta,
    "sort" => sort,
});
sorted_json!(SearchResult {
    "analytics" => analytics,
    "category" => category,
    "description" => description,
    "difficulty" => difficulty,
    "highlights" => highlights,
    "id" => id,
    "matchedFields" => matched_fields,
    "name" => name,
    "relevanceScore" => relevance_score if finite,
    "status" => status,
    "tags" => tags,
});
sorted_json!(Pagination {
    "hasNext" => has_next,
    "hasPrev" => has_prev,
    "limit" => limit,
    "page" => page,
    "total" => total,
    "totalPages" => total_pages,
});
sorted_json!(AppliedSort {
    "by" => by,
    "order" => order,
});
sorted_json!(SearchMeta {
    "processingTime" => processing_time if finite,
    "query" => query,
    "totalResults" => total_results,
});

// The list page's text with serde, the same way (`list_json_is_the_documented_text`).
sorted_json!(ScenarioList {
    "data" => data,
    "filters" => filters,
    "pagination" => pagination,
});
sorted_json!(ScenarioSummary {
    "analytics" => analytics,
    "category" => category,
    "createdAt" => created_at,
    "creator" => creator,
    "description" => description,
    "difficulty" => difficulty,
    "id" => id,
    "isPrivate" => is_private,
    "isTemplate" => is_template,
    "name" => name,
    "publishedAt" => published_at,
    "slug" => slug,
    "status" => status,
    "tags" => tags,
    "updatedAt" => updated_at,
    "usageCount" => usage_count,
    "versionNumber" => version_number,
});
// Optional averages through their own `ToJSON`: `null` when absent, left
// out when not a JSON number.
sorted_json!(SummaryAnalytics {
    "averageRating" => average_rating if value,
    "averageScore" => average_score if value,
    "totalAttempts" => total_attempts,
});
sorted_json!(CreatorRef {
    "id" => id,
    "name" => name,
});
sorted_json!(ListFilters {
    "appliedFilters" => applied_filters,
    "availableFilters" => available_filters,
});
sorted_json!(AvailableFilters {
    "categories" => categories,
    "difficulties" => difficulties,
    "sortBy" => sort_by,
    "statuses" => statuses,
});

#[cfg(test)]
mod direct_tests {
    use super::*;
    use serde_json::json;

    fn result(i: u64, score: f64) -> SearchResult {
        SearchResult {
            id: format!("scn_{i}"),
            name: json!(format!("Billing \"dispute\" <{i}> – ünïcode")),
            description: if i.is_multiple_of(2) {
                Value::Null
            } else {
                json!("a <em>billing</em> snippet")
            },
            category: json!("BILLING_PAYMENTS"),
            difficulty: json!("intermediate"),
            status: json!("published"),
            tags: json!(["billing", "refund"]),
            relevance_score: score,
            matched_fields: vec!["name".into(), "tags".into()],
            highlights: BTreeMap::from([
                ("name".to_string(), json!("<em>Billing</em> dispute")),
                ("tags".to_string(), json!(["<em>billing</em>"])),
            ]),
            analytics: json!({"averageRating": if i.is_multiple_of(2) { json!(4.25) } else { Value::Null }, "usageCount": i}),
        }
    }

    /// The serde text of the search answer is the text `ToJSON` gives
    /// (the documented answer), byte for byte.
    #[test]
    fn search_json_is_the_documented_text() {
        for (results, time) in [
            (vec![], 0.0),
            (
                vec![result(1, 1.0), result(2, 0.1234), result(3, f64::NAN)],
                12.34,
            ),
            (vec![result(4, 0.5)], f64::INFINITY),
        ] {
            let answer = SearchResults {
                results,
                pagination: Pagination {
                    page: 2,
                    limit: 20,
                    total: 41,
                    total_pages: 3,
                    has_next: true,
                    has_prev: true,
                },
                sort: AppliedSort {
                    by: "relevance".into(),
                    order: "desc".into(),
                },
                search_meta: SearchMeta {
                    query: "billing \"dispute\"".into(),
                    processing_time: time,
                    total_results: 41,
                },
            };
            let documented = serde_json::to_string(&answer.to_json().unwrap()).unwrap();
            assert_eq!(serde_json::to_string(&answer).unwrap(), documented);
        }
    }

    fn summary(i: i64, score: Option<f64>, published: Option<&str>) -> ScenarioSummary {
        ScenarioSummary {
            id: format!("scn_{i}"),
            name: format!("Billing \"dispute\" <{i}> – ünïcode"),
            slug: format!("billing-dispute-{i}"),
            description: "A customer disputes a charge.\nTwo lines.".into(),
            category: "BILLING_PAYMENTS".into(),
            difficulty: "intermediate".into(),
            status: "published".into(),
            tags: vec!["billing".into(), "refund".into()],
            version_number: i,
            is_template: i % 2 == 0,
            is_private: i % 3 == 0,
            usage_count: 7 * i,
            analytics: SummaryAnalytics {
                total_attempts: 7 * i,
                average_score: score,
                average_rating: score.map(|s| s / 20.0),
            },
            creator: CreatorRef {
                id: "usr_1".into(),
                name: "Ada Admin".into(),
            },
            created_at: "2026-01-02T03:04:05Z".into(),
            updated_at: "2026-02-03T04:05:06Z".into(),
            published_at: published.map(str::to_string),
        }
    }

    /// The serde text of a list page is the text `ToJSON` gives (the
    /// documented answer), byte for byte.
    #[test]
    fn list_json_is_the_documented_text() {
        for (data, applied) in [
            (vec![], BTreeMap::new()),
            (
                vec![
                    summary(1, Some(81.5), Some("2026-03-04T00:00:00Z")),
                    summary(2, None, None),
                    summary(3, Some(f64::NAN), None),
                ],
                BTreeMap::from([
                    ("status".to_string(), json!(["published", "draft"])),
                    ("isPrivate".to_string(), json!(false)),
                    ("search".to_string(), json!("billing")),
                ]),
            ),
        ] {
            let page = ScenarioList {
                data,
                pagination: Pagination {
                    page: 1,
                    limit: 20,
                    total: 3,
                    total_pages: 1,
                    has_next: false,
                    has_prev: false,
                },
                filters: ListFilters {
                    applied_filters: applied,
                    available_filters: AvailableFilters {
                        categories: vec!["BILLING_PAYMENTS".into()],
                        difficulties: vec!["beginner".into(), "expert".into()],
                        statuses: vec!["draft".into()],
                        sort_by: vec!["name".into(), "createdAt".into()],
                    },
                },
            };
            let documented = serde_json::to_string(&page.to_json().unwrap()).unwrap();
            assert_eq!(serde_json::to_string(&page).unwrap(), documented);
        }
    }
}
