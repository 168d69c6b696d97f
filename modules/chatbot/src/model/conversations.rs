//! Conversations: lists, details, transfer, close/reopen, export, summary
//! and analytics — the document's types, snake_case.

use std::collections::BTreeMap;

use frontline_platform::pattern::common::NonBlank;
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
    /// The conversation.
    pub conversation_id: String,
    /// The customer or visitor (the tenant's own id).
    pub user_id: String,
    /// The channel: `web`, `whatsapp`, `messenger`, `slack`, `teams`, `telegram`, `sms`, `api` or `generic`.
    pub channel: String,
    /// `active`, `transferred` or `closed`.
    pub status: String,
    /// When the conversation started (RFC 3339, UTC).
    pub started_at: String,
    /// The last message or change (RFC 3339, UTC).
    pub last_activity_at: String,
    /// Messages in both directions.
    pub message_count: i64,
    /// The intent the bot recognised last (null before any).
    pub current_intent: Option<String>,
    /// Short summary: primary issue, resolution, satisfaction.
    pub summary: ConversationListSummary,
}

/// Paging facts of a list.
#[derive(Object, Clone, Debug)]
pub struct Pagination {
    /// Matching conversations.
    pub total: i64,
    /// This page (from 1).
    pub page: u32,
    /// Items per page (capped).
    pub page_size: u32,
    /// Whether a later page exists.
    pub has_next: bool,
}

/// One page of conversations.
#[derive(Object, Clone, Debug)]
pub struct ConversationList {
    /// This page, in the requested order.
    pub conversations: Vec<Conversation>,
    /// Paging facts.
    pub pagination: Pagination,
}

/// The conversation's bot context.
#[derive(Object, Clone, Debug)]
pub struct ConversationContext {
    /// The intent the bot recognised last (null before any).
    pub current_intent: Option<String>,
    /// Entities extracted so far (free-form: `order_number`, `customer_email`, …).
    pub entities: Value,
}

/// A message in a conversation.
#[derive(Object, Clone, Debug)]
pub struct ConversationMessage {
    /// The message.
    pub message_id: String,
    /// `inbound` (customer) or `outbound` (bot).
    pub direction: String,
    /// When it was sent (RFC 3339, UTC).
    pub timestamp: String,
    /// What was sent.
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
    /// Messages in both directions.
    pub total_messages: i64,
    /// Minutes from the start to the last activity.
    pub duration_minutes: i64,
    /// `in_progress`, `escalated` (transferred) or `resolved` (closed).
    pub resolution_status: String,
    /// Hand-overs to a human agent.
    pub escalation_count: i64,
}

/// A conversation with its context, messages and summary.
#[derive(Object, Clone, Debug)]
pub struct ConversationDetails {
    /// The conversation.
    pub conversation_id: String,
    /// The customer or visitor (the tenant's own id).
    pub user_id: String,
    /// The channel: `web`, `whatsapp`, `messenger`, `slack`, `teams`, `telegram`, `sms`, `api` or `generic`.
    pub channel: String,
    /// `active`, `transferred` or `closed`.
    pub status: String,
    /// When the conversation started (RFC 3339, UTC).
    pub started_at: String,
    /// The last message or change (RFC 3339, UTC).
    pub last_activity_at: String,
    /// Messages in both directions.
    pub message_count: i64,
    /// The intent the bot recognised last (null before any).
    pub current_intent: Option<String>,
    /// The bot's context: current intent and extracted entities.
    pub context: ConversationContext,
    /// Oldest first, up to `message_limit`; absent with `include_messages=false`.
    #[oai(skip_serializing_if_is_none)]
    pub messages: Option<Vec<ConversationMessage>>,
    /// Summary figures (see `/conversations/{id}/summary` for all).
    pub summary: ConversationDetailsSummary,
}

/// The summary of a conversation computed from its messages.
#[derive(Object, Clone, Debug)]
pub struct ConversationSummary {
    /// The conversation.
    pub conversation_id: String,
    /// Messages in both directions.
    pub total_messages: i64,
    /// Messages from the customer.
    pub inbound_messages: i64,
    /// Bot replies.
    pub outbound_messages: i64,
    /// Minutes from the start to the last activity.
    pub duration_minutes: i64,
    /// The most frequent intent.
    pub primary_issue: Option<String>,
    /// Intents recognised, most frequent first.
    pub intents_detected: Vec<String>,
    /// Entities extracted (free-form).
    pub entities: Value,
    /// `in_progress`, `escalated` (transferred) or `resolved` (closed).
    pub resolution_status: String,
    /// Hand-overs to a human.
    pub escalation_count: i64,
    /// Mean feedback rating (null until rated).
    pub customer_satisfaction: Option<f64>,
}

/// Message counts.
#[derive(Object, Clone, Debug)]
pub struct MessageCounts {
    /// Messages from the customer.
    pub inbound: i64,
    /// Bot replies.
    pub outbound: i64,
    /// Both directions.
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
    /// Mean measured processing time of the replies.
    pub average_response_time_ms: Option<f64>,
    /// Slowest reply.
    pub max_response_time_ms: Option<i64>,
}

/// Feedback figures.
#[derive(Object, Clone, Debug)]
pub struct FeedbackStats {
    /// Ratings given.
    pub ratings: i64,
    /// Their mean (null without ratings).
    pub average_rating: Option<f64>,
}

/// Analytics of a conversation computed from its messages and feedback.
#[derive(Object, Clone, Debug)]
pub struct ConversationAnalytics {
    /// The conversation.
    pub conversation_id: String,
    /// Message counts.
    pub messages: MessageCounts,
    /// Confidence, fallbacks and response times of the bot's replies.
    pub bot_performance: BotPerformance,
    /// Replies per recognised intent.
    pub intent_distribution: BTreeMap<String, i64>,
    /// Ratings of the replies.
    pub feedback: FeedbackStats,
}

/// `POST /conversations/{id}/transfer`.
#[derive(Object, Clone, Debug)]
pub struct TransferRequest {
    /// Why the bot hands over (e.g. `complex_technical_issue`; not blank).
    pub transfer_reason: NonBlank,
    /// Note for the agent.
    pub transfer_note: Option<String>,
    /// Queue to join (default `general`).
    pub department: Option<String>,
    /// `low`, `normal` (default), `high` or `urgent`.
    pub priority: Option<super::TransferPriority>,
    /// A specific agent (a member of the tenant).
    pub agent_id: Option<String>,
}

/// The agent a transfer was assigned to.
#[derive(Object, Clone, Debug)]
pub struct AssignedAgent {
    /// The agent (a member of the tenant).
    pub agent_id: String,
    /// The agent's name.
    pub name: Option<String>,
    /// The queue.
    pub department: String,
}

/// The queued transfer.
#[derive(Object, Clone, Debug)]
pub struct TransferResult {
    /// The queued transfer.
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
    /// The conversation.
    pub conversation_id: String,
    /// Always `closed`.
    pub status: String,
    /// When it was closed (RFC 3339, UTC).
    pub closed_at: String,
    /// The given reason (default `resolved`).
    pub close_reason: String,
}

/// A reopened conversation.
#[derive(Object, Clone, Debug)]
pub struct ReopenResult {
    /// The conversation.
    pub conversation_id: String,
    /// Always `active`.
    pub status: String,
    /// When it was reopened (RFC 3339, UTC).
    pub reopened_at: String,
}

/// The messages to export, by time sent (RFC 3339, either bound optional).
#[derive(Object, Clone, Debug, Default)]
pub struct DateRange {
    /// Earliest message time (RFC 3339).
    pub start: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Latest message time (RFC 3339), not before `start`.
    pub end: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// `POST /conversations/{id}/export`.
#[derive(Object, Clone, Debug, Default)]
pub struct ExportRequest {
    /// `json` (default) or `csv`.
    pub format: Option<super::values::ExportFormat>,
    /// Add the conversation and its summary (json; default true).
    pub include_metadata: Option<bool>,
    /// Add its analytics (json; default true).
    pub include_analytics: Option<bool>,
    /// Only messages sent in this range.
    pub date_range: Option<DateRange>,
}

/// A stored export and its signed download link.
#[derive(Object, Clone, Debug)]
pub struct ExportResult {
    /// The export.
    pub export_id: String,
    /// Signed link, valid until `expires_at` (24 hours).
    pub download_url: String,
    /// `json` or `csv`.
    pub format: String,
    /// When the link and the file expire.
    pub expires_at: String,
    /// Size of the exported file.
    pub file_size_bytes: i64,
}
