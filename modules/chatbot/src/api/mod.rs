//! Handlers of the chatbot API, one submodule per route group: parse,
//! authorize, call the service, render.

mod chat;
mod conversations;
mod health;
mod knowledge;
mod sessions;
mod subscriptions;
mod tenants;

use frontline_platform::http::ModuleError;
use frontline_platform::{ApiError, ApiResult, Platform};
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiResponse, Tags};
use serde_json::{json, Value};

use crate::access::{self, Caller};
use crate::model::{ChatbotEnvelope, Envelope};
pub(crate) use frontline_platform::body::JsonBody;

pub use chat::ChatApi;
pub use conversations::ConversationsApi;
pub use health::HealthApi;
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

/// A `201 Created` response.
#[derive(ApiResponse)]
pub enum Created {
    #[oai(status = 201)]
    Ok(Json<Value>),
}

/// The chatbot's route groups (webhooks are mounted beside them).
pub fn api(
    platform: &Platform,
) -> (
    ChatApi,
    ConversationsApi,
    SessionsApi,
    HealthApi,
    TenantsApi,
    KnowledgeApi,
    SubscriptionsApi,
) {
    let p = || platform.clone();
    (
        ChatApi { platform: p() },
        ConversationsApi { platform: p() },
        SessionsApi { platform: p() },
        HealthApi { platform: p() },
        TenantsApi { platform: p() },
        KnowledgeApi { platform: p() },
        SubscriptionsApi { platform: p() },
    )
}

pub fn ok(v: Value) -> Json<Value> {
    Json(json!({"status": "success", "data": v}))
}

/// Platform admins and `chatbot:admin` only.
pub(crate) async fn internal(
    platform: &Platform,
    req: &Request,
) -> ApiResult<frontline_platform::auth::Principal> {
    let p = access::principal(platform, req).await?;
    if !access::is_platform_admin(&p) {
        return Err(ApiError::forbidden(
            "This action needs the chatbot platform admin role",
        ));
    }
    Ok(p)
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
