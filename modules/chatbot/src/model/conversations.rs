//! Conversations: lists, details, transfer, close/reopen, export, summary
//! and analytics — the document's types, snake_case.

use std::collections::BTreeMap;

use poem_openapi::Object;
use serde_json::Value;

use super::MessageContent;

/// The short summary shown in conversation lists.
#[derive(Object, Clone, Debug)]
pub struct ConversationListSummary {
    /// The current intent.
    pub primary_issue: Option<String>,
    /// `in_progress`, `escalated` (transferred) or `resolved` (closed).
    pub resolution_status: String,
    /// Mean feedback rating (null until rated).
    pub customer_satisfaction: Option<f64>,
}

/// A conversation.
#[derive(Object, Clone, Debug)]
pub struct Conversation {
    pub conversation_id: String,
    pub user_id: String,
    pub channel: String,
    /// `active`, `transferred` or `closed`.
    pub status: String,
    pub started_at: String,
    pub last_activity_at: String,
    /// Messages in both directions.
    pub message_count: i64,
    pub current_intent: Option<String>,
    pub summary: ConversationListSummary,
}

/// Paging facts of a list.
#[derive(Object, Clone, Debug)]
pub struct Pagination {
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
    pub has_next: bool,
}

/// One page of conversations.
#[derive(Object, Clone, Debug)]
pub struct ConversationList {
    pub conversations: Vec<Conversation>,
    pub pagination: Pagination,
}

/// The conversation's bot context.
#[derive(Object, Clone, Debug)]
pub struct ConversationContext {
    pub current_intent: Option<String>,
    /// Entities extracted so far (free-form: `order_number`, `customer_email`, …).
    pub entities: Value,
}

/// A message in a conversation.
#[derive(Object, Clone, Debug)]
pub struct ConversationMessage {
    pub message_id: String,
    /// `inbound` (customer) or `outbound` (bot).
    pub direction: String,
    pub timestamp: String,
    pub content: MessageContent,
    /// Recognised intent (bot replies).
    pub intent: Option<String>,
    /// Intent confidence 0-1 (bot replies).
    pub confidence_score: Option<f64>,
    /// Processing time (bot replies).
    pub processing_time_ms: Option<i64>,
    /// What produced the reply (bot replies).
    pub model_used: Option<String>,
}

/// The summary figures shown with conversation details.
#[derive(Object, Clone, Debug)]
pub struct ConversationDetailsSummary {
    pub total_messages: i64,
    pub duration_minutes: i64,
    pub resolution_status: String,
    pub escalation_count: i64,
}

/// A conversation with its context, messages and summary.
#[derive(Object, Clone, Debug)]
pub struct ConversationDetails {
    pub conversation_id: String,
    pub user_id: String,
    pub channel: String,
    pub status: String,
    pub started_at: String,
    pub last_activity_at: String,
    pub message_count: i64,
    pub current_intent: Option<String>,
    pub context: ConversationContext,
    /// Oldest first, up to `message_limit`; absent with `include_messages=false`.
    #[oai(skip_serializing_if_is_none)]
    pub messages: Option<Vec<ConversationMessage>>,
    pub summary: ConversationDetailsSummary,
}

/// The summary of a conversation computed from its messages.
#[derive(Object, Clone, Debug)]
pub struct ConversationSummary {
    pub conversation_id: String,
    pub total_messages: i64,
    pub inbound_messages: i64,
    pub outbound_messages: i64,
    /// Minutes from the start to the last activity.
    pub duration_minutes: i64,
    /// The most frequent intent.
    pub primary_issue: Option<String>,
    /// Intents recognised, most frequent first.
    pub intents_detected: Vec<String>,
    /// Entities extracted (free-form).
    pub entities: Value,
    pub resolution_status: String,
    /// Hand-overs to a human.
    pub escalation_count: i64,
    /// Mean feedback rating (null until rated).
    pub customer_satisfaction: Option<f64>,
}

/// Message counts.
#[derive(Object, Clone, Debug)]
pub struct MessageCounts {
    pub inbound: i64,
    pub outbound: i64,
    pub total: i64,
}

/// How well the bot did.
#[derive(Object, Clone, Debug)]
pub struct BotPerformance {
    /// Mean intent confidence of the bot's replies.
    pub average_confidence: Option<f64>,
    /// Replies without a recognised intent.
    pub fallback_count: i64,
    /// `fallback_count` / replies.
    pub fallback_rate: Option<f64>,
    pub average_response_time_ms: Option<f64>,
    pub max_response_time_ms: Option<i64>,
}

/// Feedback figures.
#[derive(Object, Clone, Debug)]
pub struct FeedbackStats {
    pub ratings: i64,
    pub average_rating: Option<f64>,
}

/// Analytics of a conversation computed from its messages and feedback.
#[derive(Object, Clone, Debug)]
pub struct ConversationAnalytics {
    pub conversation_id: String,
    pub messages: MessageCounts,
    pub bot_performance: BotPerformance,
    /// Replies per recognised intent.
    pub intent_distribution: BTreeMap<String, i64>,
    pub feedback: FeedbackStats,
}

/// `POST /conversations/{id}/transfer`.
#[derive(Object, Clone, Debug, Default)]
pub struct TransferRequest {
    /// Why the bot hands over (e.g. `complex_technical_issue`).
    pub transfer_reason: String,
    /// Note for the agent.
    pub transfer_note: Option<String>,
    /// Queue to join (default `general`).
    pub department: Option<String>,
    /// `low`, `normal` (default), `high` or `urgent`.
    pub priority: Option<String>,
    /// A specific agent (a member of the tenant).
    pub agent_id: Option<String>,
}

/// The agent a transfer was assigned to.
#[derive(Object, Clone, Debug)]
pub struct AssignedAgent {
    pub agent_id: String,
    pub name: Option<String>,
    pub department: String,
}

/// The queued transfer.
#[derive(Object, Clone, Debug)]
pub struct TransferResult {
    pub transfer_id: String,
    /// Null unless `agent_id` was given.
    pub assigned_agent: Option<AssignedAgent>,
    /// Place in the department's queue (1 = next).
    pub queue_position: i64,
    /// Queued transfers ahead times the tenant's `chatbot.average_handle_minutes`.
    pub estimated_wait_time_minutes: i64,
    /// Text to show the customer.
    pub transfer_message: String,
}

/// `POST /conversations/{id}/close` (the body is optional).
#[derive(Object, Clone, Debug, Default)]
pub struct CloseRequest {
    /// Why (default `resolved`).
    pub reason: Option<String>,
}

/// A closed conversation.
#[derive(Object, Clone, Debug)]
pub struct CloseResult {
    pub conversation_id: String,
    /// Always `closed`.
    pub status: String,
    pub closed_at: String,
    pub close_reason: String,
}

/// A reopened conversation.
#[derive(Object, Clone, Debug)]
pub struct ReopenResult {
    pub conversation_id: String,
    /// Always `active`.
    pub status: String,
    pub reopened_at: String,
}

/// The messages to export, by time sent (RFC 3339, either bound optional).
#[derive(Object, Clone, Debug, Default)]
pub struct DateRange {
    pub start: Option<String>,
    pub end: Option<String>,
}

/// `POST /conversations/{id}/export`.
#[derive(Object, Clone, Debug, Default)]
pub struct ExportRequest {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
    /// Add the conversation and its summary (json; default true).
    pub include_metadata: Option<bool>,
    /// Add its analytics (json; default true).
    pub include_analytics: Option<bool>,
    pub date_range: Option<DateRange>,
}

/// A stored export and its signed download link.
#[derive(Object, Clone, Debug)]
pub struct ExportResult {
    pub export_id: String,
    /// Signed link, valid until `expires_at` (24 hours).
    pub download_url: String,
    /// `json` or `csv`.
    pub format: String,
    pub expires_at: String,
    pub file_size_bytes: i64,
}
