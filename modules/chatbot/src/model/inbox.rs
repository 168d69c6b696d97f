//! Extension: the agent inbox — conversations waiting for a human, claimed,
//! answered and closed by the tenant's agents, with internal notes.

use frontline_platform::pattern::common::NonBlank;
use poem_openapi::{Enum, Object};

/// Why a conversation waits for a human.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum WaitingReason {
    /// It was handed to a human (by the visitor, the bot or an API client).
    Transfer,
    /// The bot's last answer was a low-confidence fallback.
    LowConfidence,
}

/// Who wrote a message of the conversation.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Sender {
    /// The visitor (customer).
    Visitor,
    /// The tenant's bot.
    Bot,
    /// A human agent of the tenant.
    Agent,
}

/// One message of the inbox's live stream (`text/event-stream`), as an
/// SSE client reads it: the `id:`, `event:` and `data:` lines of one event.
/// The stream opens with a `retry:` line (no data: not a message) and sends
/// keep-alive comments while idle.
#[derive(Object, Clone, Debug, PartialEq)]
pub struct InboxStreamMessage {
    /// The event id (send it back as `Last-Event-ID` to resume after it).
    pub id: String,
    /// The event type, e.g. `message.received` or `conversation.claimed`.
    pub event: String,
    /// The event as JSON text: an object with `id` (the event id), `event`
    /// (its type), `timestamp` (RFC 3339, UTC) and `data` (the event's data,
    /// as its webhook delivery carries it).
    pub data: String,
}

/// The agent who claimed a conversation.
#[derive(Object, Clone, Debug, PartialEq)]
pub struct InboxAssignee {
    /// The agent's platform user id.
    pub user_id: String,
    /// The agent's name (or e-mail when the member has no name).
    pub name: String,
    /// When the agent claimed the conversation (RFC 3339, UTC).
    pub claimed_at: String,
}

/// A conversation in the inbox.
#[derive(Object, Clone, Debug)]
pub struct InboxItem {
    /// The conversation.
    pub conversation_id: String,
    /// The visitor.
    pub user_id: String,
    /// The channel it came from (`web`, `whatsapp`, …).
    pub channel: String,
    /// `active`, `transferred` or `closed`.
    pub status: String,
    /// Why it waits for a human (absent once it no longer waits).
    pub waiting_reason: Option<WaitingReason>,
    /// The department of its queued transfer.
    pub department: Option<String>,
    /// The priority of its queued transfer (`low`, `normal`, `high`, `urgent`).
    pub priority: Option<String>,
    /// The agent who claimed it (absent while nobody has).
    pub assignee: Option<InboxAssignee>,
    /// The text of the visitor's newest message.
    pub last_visitor_message: Option<String>,
    /// Messages in both directions.
    pub message_count: i64,
    /// When it started (RFC 3339, UTC).
    pub started_at: String,
    /// Its newest activity (RFC 3339, UTC).
    pub last_activity_at: String,
}

/// The conversations waiting for a human, urgent and oldest first.
#[derive(Object, Clone, Debug)]
pub struct InboxList {
    /// Waiting conversations (at most 200).
    pub conversations: Vec<InboxItem>,
    /// How many conversations wait.
    pub total: i64,
    /// How many of them nobody has claimed yet.
    pub unclaimed: i64,
}

/// A message as the inbox shows it.
#[derive(Object, Clone, Debug, PartialEq)]
pub struct InboxMessage {
    /// The message.
    pub message_id: String,
    /// Who wrote it.
    pub sender: Sender,
    /// The agent's name (agent messages).
    pub author_name: Option<String>,
    /// What was written.
    pub text: Option<String>,
    /// Intent confidence 0-1 (bot answers).
    pub confidence_score: Option<f64>,
    /// Whether the bot did not understand (bot answers).
    pub is_fallback: Option<bool>,
    /// When it was written (RFC 3339, UTC).
    pub timestamp: String,
}

/// An internal note: seen by the tenant's agents, never sent to the visitor.
#[derive(Object, Clone, Debug, PartialEq)]
pub struct InboxNote {
    /// The note.
    pub note_id: String,
    /// The conversation it is about.
    pub conversation_id: String,
    /// What the agent wrote.
    pub text: String,
    /// Its author's platform user id.
    pub author_id: Option<String>,
    /// Its author's name.
    pub author_name: Option<String>,
    /// When it was written (RFC 3339, UTC).
    pub created_at: String,
}

/// One conversation of the inbox with its messages and notes.
#[derive(Object, Clone, Debug)]
pub struct InboxConversation {
    /// The conversation as the inbox lists it.
    pub conversation: InboxItem,
    /// Its messages, oldest first (at most the newest 500).
    pub messages: Vec<InboxMessage>,
    /// Its internal notes, oldest first.
    pub notes: Vec<InboxNote>,
    /// The resolution it was closed with.
    pub resolution: Option<String>,
}

/// An agent's reply to the visitor.
#[derive(Object, Clone, Debug)]
pub struct AgentReplyRequest {
    /// What the visitor will read (1-4000 characters, not blank).
    #[oai(validator(min_length = 1, max_length = 4000))]
    pub text: NonBlank,
}

/// An internal note.
#[derive(Object, Clone, Debug)]
pub struct NoteRequest {
    /// The note (1-4000 characters, not blank); never sent to the visitor.
    #[oai(validator(min_length = 1, max_length = 4000))]
    pub text: NonBlank,
}

/// How the conversation ends.
#[derive(Object, Clone, Debug)]
pub struct ResolveRequest {
    /// The resolution (1-500 characters, not blank), e.g. "Refund issued".
    #[oai(validator(min_length = 1, max_length = 500))]
    pub resolution: NonBlank,
}

/// Extension: what the website chat widget shows for a tenant (public).
#[derive(Object, Clone, Debug)]
pub struct WidgetConfig {
    /// The tenant.
    pub tenant_id: String,
    /// The name the widget shows (`general.branding.company_name`, else the tenant's name).
    pub name: String,
    /// Header and button colour (`channels.web.widget_color`, else `general.branding.primary_color`).
    pub primary_color: Option<String>,
    /// Accent colour (`general.branding.secondary_color`).
    pub secondary_color: Option<String>,
    /// Logo (`general.branding.logo_url`).
    pub logo_url: Option<String>,
    /// First line shown (`channels.web.welcome_message`, else `chatbot.default_greeting`).
    pub welcome_message: Option<String>,
    /// Where the widget sits (`channels.web.position`, default `bottom_right`).
    pub position: String,
}
