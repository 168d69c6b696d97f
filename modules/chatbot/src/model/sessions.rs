//! Visitor sessions and their context — the document's types, snake_case.

use std::collections::BTreeMap;

use poem_openapi::{Enum, Object};

use super::{Channel, NonBlank};
use serde_json::Value;

/// Session settings.
#[derive(Object, Clone, Debug, Default)]
pub struct SessionConfig {
    /// Minutes until the session expires, 1-1440 (default 30).
    #[oai(validator(minimum(value = "1"), maximum(value = "1440")))]
    pub timeout_minutes: Option<i64>,
    /// Keep the context across the session's conversations.
    pub enable_context_persistence: Option<bool>,
}

/// `POST /sessions`.
#[derive(Object, Clone, Debug, Default)]
pub struct CreateSessionRequest {
    /// `web` (default) or another channel.
    pub channel: Option<Channel>,
    /// The visitor (anonymous ids allowed; not blank).
    pub user_id: NonBlank,
    /// Starting context, free-form: `page_url` (also sets `current_page`,
    /// `pages_visited` and, for `/products/<id>`, `product_interest`),
    /// `referrer`, `user_agent`, `device_type`, `timezone`, …
    pub initial_context: Option<BTreeMap<String, Value>>,
    /// Session settings (timeout).
    pub session_config: Option<SessionConfig>,
}

/// A new session; `session_token` is shown only here.
#[derive(Object, Clone, Debug)]
pub struct SessionCreated {
    /// The session.
    pub session_id: String,
    /// The customer or visitor (the tenant's own id).
    pub user_id: String,
    /// The channel: `web`, `whatsapp`, `messenger`, `slack`, `teams`, `telegram`, `sms`, `api` or `generic`.
    pub channel: String,
    /// When the session started (RFC 3339, UTC).
    pub created_at: String,
    /// `created_at` plus `timeout_minutes`.
    pub expires_at: String,
    /// Shown once; stored hashed.
    pub session_token: String,
    /// The initial context plus derived fields (`visitor_type` `new`/`returning`, `product_interest`).
    pub context: Value,
}

/// A session.
#[derive(Object, Clone, Debug)]
pub struct Session {
    /// The session.
    pub session_id: String,
    /// The customer or visitor (the tenant's own id).
    pub user_id: String,
    /// The channel: `web`, `whatsapp`, `messenger`, `slack`, `teams`, `telegram`, `sms`, `api` or `generic`.
    pub channel: String,
    /// `active`, `ended` or `expired` (once `expires_at` has passed).
    pub status: String,
    /// When the session started (RFC 3339, UTC).
    pub created_at: String,
    /// The last use of the session (RFC 3339, UTC).
    pub last_activity: String,
    /// When the session expires unless extended.
    pub expires_at: String,
    /// Conversations of this user and channel since the session started.
    pub conversation_count: i64,
    /// Messages in those conversations.
    pub message_count: i64,
    /// The context (free-form) with `session_duration_minutes`.
    pub context: Value,
    /// History lists appended with `append_to_history`.
    pub history: Value,
}

/// `PUT /sessions/{id}`.
#[derive(Object, Clone, Debug, Default)]
pub struct UpdateSessionRequest {
    /// A new user id (e.g. once an anonymous visitor signs in).
    pub user_id: Option<String>,
    /// A new channel.
    pub channel: Option<Channel>,
    /// `active` or `ended`.
    pub status: Option<SessionState>,
}

/// What `PUT /sessions/{id}` may set a session's status to.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum SessionState {
    Active,
    Ended,
}

impl SessionState {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Active => "active",
            SessionState::Ended => "ended",
        }
    }
}

/// An ended session.
#[derive(Object, Clone, Debug)]
pub struct SessionEnded {
    /// The session.
    pub session_id: String,
    /// Always `ended`.
    pub status: String,
    /// When it ended (RFC 3339, UTC).
    pub ended_at: String,
}

/// `POST /sessions/{id}/extend`.
#[derive(Object, Clone, Debug, Default)]
pub struct ExtendSessionRequest {
    /// Minutes to add to the current expiry, 1-1440 (default 30).
    #[oai(validator(minimum(value = "1"), maximum(value = "1440")))]
    pub extend_by_minutes: Option<i64>,
    /// Why (e.g. `active_conversation`).
    pub reason: Option<String>,
}

/// The session's new expiry.
#[derive(Object, Clone, Debug)]
pub struct SessionExtension {
    /// The session.
    pub session_id: String,
    /// The expiry before the extension.
    pub previous_expiry: String,
    /// The new expiry.
    pub new_expiry: String,
    /// Minutes added.
    pub extended_by_minutes: i64,
}

/// A session's context and history.
#[derive(Object, Clone, Debug)]
pub struct SessionContext {
    /// The session.
    pub session_id: String,
    /// Free-form context.
    pub context: Value,
    /// History lists (`page_visits`, `user_actions`, …).
    pub history: Value,
}

/// `PUT /sessions/{id}/context`.
#[derive(Object, Clone, Debug, Default)]
pub struct ContextUpdateRequest {
    /// Keys to set in the context (free-form values, e.g. `current_page`, `cart_items`, `checkout_stage`).
    pub context_updates: Option<BTreeMap<String, Value>>,
    /// Values to append to history lists, e.g. `page_visits` (also extends
    /// the context's `pages_visited`) and `user_actions`.
    pub append_to_history: Option<BTreeMap<String, Value>>,
}

/// The updated context.
#[derive(Object, Clone, Debug)]
pub struct ContextUpdateResult {
    /// The session.
    pub session_id: String,
    /// Always true.
    pub context_updated: bool,
    /// The context keys that were set.
    pub updated_fields: Vec<String>,
    /// The whole context after the update.
    pub new_context: Value,
}
