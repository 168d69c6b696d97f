//! Handlers of the chatbot API, one submodule per route group: parse,
//! authorize, call the service, render.

pub mod auth;
mod chat;
mod conversations;
mod health;
mod inbox;
mod invitations;
mod knowledge;
mod sessions;
mod subscriptions;
mod tenants;

use crate::errors::ChatbotError;
use frontline_platform::http::ModuleError;
use frontline_platform::{ApiError, ApiResult, Platform};
use poem_openapi::payload::Json;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiResponse, Tags};

use crate::access::Caller;
use crate::model::{ChatbotEnvelope, Envelope};
pub(crate) use frontline_platform::body::JsonBody;

pub use chat::ChatApi;
pub use conversations::ConversationsApi;
pub use health::HealthApi;
pub use inbox::InboxApi;
pub use invitations::InvitationsApi;
pub use knowledge::KnowledgeApi;
pub use sessions::SessionsApi;
pub use subscriptions::SubscriptionsApi;
pub use tenants::TenantsApi;

pub type Result<T> = std::result::Result<T, ModuleError<ChatbotEnvelope>>;

#[derive(Tags)]
pub enum ApiTags {
    /// Send messages to the tenant's bot.
    Chat,
    /// Conversation lifecycle, history and analytics.
    Conversations,
    /// Visitor sessions and their context.
    Sessions,
    /// Service health.
    Health,
    /// Incoming channel webhooks.
    Webhooks,
    /// Tenants, their users, configuration, usage and billing.
    Tenants,
    /// Additions beyond the document (marked "Extension:").
    Extensions,
}

/// The chatbot's route groups (webhooks are mounted beside them).
pub fn api(
    platform: &Platform,
    window: &std::sync::Arc<crate::window::RequestWindow>,
    api_calls: &std::sync::Arc<crate::api_calls::ApiCalls>,
) -> (
    ChatApi,
    ConversationsApi,
    SessionsApi,
    HealthApi,
    TenantsApi,
    KnowledgeApi,
    SubscriptionsApi,
    InboxApi,
    InvitationsApi,
) {
    let p = || platform.clone();
    (
        ChatApi { platform: p() },
        ConversationsApi { platform: p() },
        SessionsApi { platform: p() },
        HealthApi {
            platform: p(),
            window: window.clone(),
        },
        TenantsApi {
            platform: p(),
            api_calls: api_calls.clone(),
        },
        KnowledgeApi { platform: p() },
        SubscriptionsApi { platform: p() },
        InboxApi { platform: p() },
        InvitationsApi { platform: p() },
    )
}

/// A `201 Created` response with a typed `data`.
#[derive(ApiResponse)]
pub enum Created201<T: ParseFromJSON + ToJSON + Send + Sync> {
    #[oai(status = 201)]
    Ok(Json<Envelope<T>>),
}

/// `{"status":"success","data":…}` with a typed `data`.
pub fn success<T: ParseFromJSON + ToJSON>(data: T) -> Json<Envelope<T>> {
    Json(Envelope::success(data))
}

/// A session-token caller reaches only its own session: 404
/// `SESSION_NOT_FOUND` for any other (other callers pass).
pub(crate) fn own_session(who: &Caller, id: &str) -> ApiResult<()> {
    match &who.session {
        Some(s) if s.session_id != id => {
            Err(ChatbotError::SessionNotFound.with_message("Session not found"))
        }
        _ => Ok(()),
    }
}

/// A session-token caller reaches only the conversations started with its
/// session: 404 `CONVERSATION_NOT_FOUND` for any other (other callers pass).
pub(crate) async fn own_conversation(
    platform: &Platform,
    who: &Caller,
    conv: &str,
) -> ApiResult<()> {
    let Some(s) = &who.session else {
        return Ok(());
    };
    let (t, c, sid) = (
        who.tenant_id.clone(),
        conv.to_string(),
        s.session_id.clone(),
    );
    let mine = platform
        .db
        .read(move |db| crate::store::conversation_in_session(db, &t, &c, &sid))
        .await?;
    if mine {
        Ok(())
    } else {
        Err(ChatbotError::ConversationNotFound.with_message("Conversation not found"))
    }
}

/// A session-token caller reaches only the messages of its own
/// conversations: 404 `MESSAGE_NOT_FOUND` for any other.
pub(crate) async fn own_message(platform: &Platform, who: &Caller, message: &str) -> ApiResult<()> {
    let Some(s) = &who.session else {
        return Ok(());
    };
    let (t, m, sid) = (
        who.tenant_id.clone(),
        message.to_string(),
        s.session_id.clone(),
    );
    let mine = platform
        .db
        .read(move |db| crate::store::message_in_session(db, &t, &m, &sid))
        .await?;
    if mine {
        Ok(())
    } else {
        Err(ChatbotError::MessageNotFound.with_message("Message not found"))
    }
}
