//! Extension types: knowledge articles and outgoing webhook subscriptions.

use std::collections::BTreeMap;

use poem_openapi::{Enum, Object};

use super::AdminPagination;

/// Add a knowledge article the bot answers from.
#[derive(Object, Debug, Clone)]
pub struct CreateArticleRequest {
    /// Title, 1-200 characters, not blank (weighs most in matching).
    #[oai(validator(min_length = 1, max_length = 200, pattern = "\\S"))]
    pub title: String,
    /// The answer text, 1-20000 characters, not blank.
    #[oai(validator(min_length = 1, max_length = 20000, pattern = "\\S"))]
    pub body: String,
    /// Up to 20 tags of 1-50 characters, not blank.
    #[oai(validator(max_items = 20, max_length = 50, pattern = "\\S"))]
    pub tags: Option<Vec<String>>,
}

/// A knowledge article. In search results it also carries the ranking
/// (`score`, `coverage`, `matched_fields`, `highlights`) and no timestamps.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct KnowledgeArticle {
    /// The article.
    pub article_id: String,
    /// Title of the article.
    pub title: String,
    /// The answer text.
    pub body: String,
    /// Tags of the article.
    pub tags: Vec<String>,
    /// When it was created (RFC 3339, UTC).
    pub created_at: Option<String>,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: Option<String>,
    /// Search only: relevance normalised to 0-1.
    pub score: Option<f64>,
    /// Search only: share of the query's words the article covers (0-1).
    pub coverage: Option<f64>,
    /// Search only: the fields that matched.
    pub matched_fields: Option<Vec<String>>,
    /// Search only: excerpts per field with `<em>` around matches.
    pub highlights: Option<BTreeMap<String, String>>,
}

/// A page of articles.
#[derive(Object, Debug, Clone)]
pub struct ArticleList {
    /// This page of articles.
    pub articles: Vec<KnowledgeArticle>,
    /// Where this page is.
    pub pagination: AdminPagination,
}

/// A deleted article.
#[derive(Object, Debug, Clone)]
pub struct ArticleDeleted {
    /// The article.
    pub article_id: String,
    /// Always `true`.
    pub deleted: bool,
}

/// Subscribe a URL to the tenant's events.
#[derive(Object, Debug, Clone)]
pub struct CreateWebhookSubscriptionRequest {
    /// Where deliveries are POSTed (http or https; private addresses only
    /// when the server allows them).
    #[oai(validator(max_length = 2048, pattern = "^[hH][tT][tT][pP][sS]?://[^/?#\\s]+"))]
    pub url: String,
    /// The events to receive (at least one), or `*` for all.
    #[oai(validator(min_items = 1))]
    pub events: Vec<SubscriptionEvent>,
    /// The signing secret, 16 to 256 characters; one is generated (`whsec_…`) when absent.
    #[oai(validator(min_length = 16, max_length = 256))]
    pub secret: Option<String>,
    /// A note, at most 500 characters are kept.
    pub description: Option<String>,
}

/// An event of the tenant's stream a subscription can receive, or `*` for all.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionEvent {
    #[oai(rename = "*")]
    All,
    #[oai(rename = "conversation.started")]
    ConversationStarted,
    #[oai(rename = "conversation.transferred")]
    ConversationTransferred,
    #[oai(rename = "conversation.closed")]
    ConversationClosed,
    #[oai(rename = "conversation.reopened")]
    ConversationReopened,
    #[oai(rename = "conversation.typing")]
    ConversationTyping,
    #[oai(rename = "feedback.received")]
    FeedbackReceived,
    #[oai(rename = "message.received")]
    MessageReceived,
    #[oai(rename = "conversation.claimed")]
    ConversationClaimed,
    #[oai(rename = "conversation.released")]
    ConversationReleased,
    #[oai(rename = "message.agent_reply")]
    MessageAgentReply,
    #[oai(rename = "conversation.note_added")]
    ConversationNoteAdded,
}

impl SubscriptionEvent {
    /// The event name as stored and delivered.
    pub fn as_str(self) -> &'static str {
        use SubscriptionEvent::*;
        match self {
            All => "*",
            ConversationStarted => "conversation.started",
            ConversationTransferred => "conversation.transferred",
            ConversationClosed => "conversation.closed",
            ConversationReopened => "conversation.reopened",
            ConversationTyping => "conversation.typing",
            FeedbackReceived => "feedback.received",
            MessageReceived => "message.received",
            ConversationClaimed => "conversation.claimed",
            ConversationReleased => "conversation.released",
            MessageAgentReply => "message.agent_reply",
            ConversationNoteAdded => "conversation.note_added",
        }
    }
}

/// A webhook subscription of the tenant.
#[derive(Object, Debug, Clone)]
pub struct WebhookSubscription {
    /// The subscription.
    pub webhook_id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Event names, or `*` for all.
    pub events: Vec<String>,
    /// A note about the subscription.
    pub description: Option<String>,
    /// Whether deliveries are made.
    pub active: bool,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// The signing secret, only in the response that created the subscription.
    #[oai(skip_serializing_if_is_none)]
    pub secret: Option<String>,
}

/// The tenant's webhook subscriptions.
#[derive(Object, Debug, Clone)]
pub struct WebhookSubscriptionList {
    /// The subscriptions.
    pub webhooks: Vec<WebhookSubscription>,
}

/// One delivery of one event to a subscription.
#[derive(Object, Debug, Clone)]
pub struct WebhookDelivery {
    /// Identifier.
    pub id: i64,
    /// The subscription.
    pub webhook_id: String,
    /// The event delivered.
    pub event_id: i64,
    /// The event name.
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// HTTP status of the last attempt.
    pub last_status_code: Option<i64>,
    /// Error of the last attempt.
    pub last_error: Option<String>,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// When it was delivered.
    pub delivered_at: Option<String>,
}

/// The last deliveries of a subscription, newest first.
#[derive(Object, Debug, Clone)]
pub struct WebhookDeliveryList {
    /// The deliveries, newest first.
    pub deliveries: Vec<WebhookDelivery>,
}

/// A removed subscription.
#[derive(Object, Debug, Clone)]
pub struct WebhookDeleted {
    /// The subscription.
    pub webhook_id: String,
    /// Always `true`.
    pub deleted: bool,
}
