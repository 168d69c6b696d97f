//! Sending messages, retries, typing indicators and feedback.

use crate::errors::ChatbotError;
use frontline_platform::{ApiError, FieldError, Platform};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::auth::*;
use super::*;
use crate::model::{
    ChatMessage, ChatMessageResponse, FeedbackRequest, FeedbackResult, SendMessageRequest,
    TypingRequest, TypingResult,
};
use crate::service::*;
use crate::service::{callers, chat};

pub struct ChatApi {
    pub platform: Platform,
}

#[OpenApi]
impl ChatApi {
    /// Send a message to the tenant's bot and get its reply. The built-in engine
    /// matches the tenant's intents (examples → confidence), extracts order numbers
    /// and e-mails, answers with the fallback below the confidence threshold and
    /// hands the conversation to a human after repeated fallbacks or when asked.
    /// Sending the same `message_id` again returns the stored reply.
    /// When the tenant's `ai_models.primary_provider` (with `primary_model`), or
    /// else the first entry of `ai_models.fallback_chain` (`name` or
    /// `name:model`), is a configured OpenAI-compatible provider
    /// (`ai_models.providers.<name>`: `base_url`, `model`, `api_key`,
    /// `temperature`, `max_tokens`, `custom_instructions`, `timeout_ms`,
    /// `cost_per_1k_tokens_cents`; `ai_models.temperature`, `max_tokens` and
    /// `custom_instructions` apply where a provider sets none), it writes the
    /// answer with the conversation so far and `model_used` is the model the
    /// provider reports; failures fall through the chain to the built-in engine.
    /// A visitor may send with the session token of `POST /sessions`
    /// (`Authorization: Bearer st_…`): as the session's `user_id` on its
    /// channel, in the session's own conversations only.
    #[oai(path = "/chat/message", method = "post", tag = "ApiTags::Chat")]
    async fn send_message(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ChatSend>,
        body: JsonBody<SendMessageRequest>,
    ) -> Result<Json<Envelope<ChatMessageResponse>>> {
        let who = who.0;
        let body = body.0;
        let started = std::time::Instant::now();
        let tenant = who.tenant_id.clone();
        // The tenant as read with the credentials: no other read of it.
        let state = callers::state_of(&self.platform, &who).await?;
        if let Some(ch) = body.channel {
            channel_allowed(&state, ch.as_str())?;
        }
        if let (Some(s), Some(conv)) = (&who.session, body.conversation_id.clone()) {
            // A session token continues only its own conversations (checked
            // before any provider sees the conversation).
            let t = tenant.clone();
            let found = self
                .platform
                .db
                .read(move |c| crate::store::chat::conversation(c, &t, &conv))
                .await?;
            if found.is_some_and(|c| c.session_id.as_deref() != Some(s.session_id.as_str())) {
                return Err(ChatbotError::ConversationNotFound
                    .with_message("Conversation not found")
                    .into());
            }
        }
        let (llm, article) = prepare_assist(&self.platform, &tenant, &state, &body).await?;
        let session = who.session.clone();
        let data = self
            .platform
            .db
            .write(move |tx| {
                process_message_in(
                    tx,
                    &tenant,
                    &state,
                    &body,
                    started,
                    Assist {
                        llm: llm.as_ref(),
                        article: article.as_ref(),
                    },
                    session.as_ref(),
                )
            })
            .await?;
        Ok(success(data))
    }

    /// One stored message (inbound or bot reply) with its intent and confidence.
    #[oai(
        path = "/chat/message/:message_id",
        method = "get",
        tag = "ApiTags::Chat"
    )]
    async fn get_message(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ChatRead>,
        message_id: Path<String>,
    ) -> Result<Json<Envelope<ChatMessage>>> {
        let who = who.0;
        let id = message_id.0;
        own_message(&self.platform, &who, &id).await?;
        let data = self
            .platform
            .db
            .read(move |c| chat::message(c, &who.tenant_id, &id))
            .await?;
        Ok(success(data))
    }

    /// Process an inbound message again with the tenant's current configuration,
    /// exactly as a new message: along the tenant's `ai_models.fallback_chain`
    /// (configured providers first, with the conversation before the message,
    /// the built-in engine last) and the knowledge articles. A new bot reply is
    /// stored and returned with `retried: true`.
    #[oai(
        path = "/chat/message/:message_id/retry",
        method = "post",
        tag = "ApiTags::Chat"
    )]
    async fn retry_message(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ChatRetry>,
        message_id: Path<String>,
    ) -> Result<Json<Envelope<ChatMessageResponse>>> {
        let who = who.0;
        let id = message_id.0;
        let started = std::time::Instant::now();
        let (llm, article) = prepare_retry(&self.platform, &who.tenant_id, &id).await?;
        let data = self
            .platform
            .db
            .write(move |tx| {
                let assist = Assist {
                    llm: llm.as_ref(),
                    article: article.as_ref(),
                };
                chat::retry(tx, &who.tenant_id, &id, started, assist)
            })
            .await?;
        Ok(success(data))
    }

    /// Send a typing indicator on a conversation (0-30000 ms, `is_typing`
    /// default true); delivered as the `conversation.typing` event to the
    /// tenant's webhook subscriptions (agent consoles, channel bridges).
    #[oai(path = "/chat/typing", method = "post", tag = "ApiTags::Chat")]
    async fn typing(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ChatTyping>,
        body: JsonBody<TypingRequest>,
    ) -> Result<Json<Envelope<TypingResult>>> {
        let who = who.0;
        let body = body.0;
        let ms = body.typing_duration_ms.unwrap_or(3000);
        if !(0..=30000).contains(&ms) {
            return Err(ApiError::invalid(
                "typing_duration_ms",
                "typing_duration_ms must be 0-30000",
            )
            .into());
        }
        let typing = body.is_typing.unwrap_or(true);
        own_conversation(&self.platform, &who, &body.conversation_id).await?;
        let data = self
            .platform
            .db
            .write(move |tx| chat::typing(tx, &who.tenant_id, &body.conversation_id, typing, ms))
            .await?;
        Ok(success(data))
    }

    /// Rate a bot reply (1-5); the conversation's satisfaction is the mean rating.
    #[oai(path = "/chat/feedback", method = "post", tag = "ApiTags::Chat")]
    async fn feedback(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ChatFeedback>,
        body: JsonBody<FeedbackRequest>,
    ) -> Result<Created201<FeedbackResult>> {
        let who = who.0;
        let body = body.0;
        let mut errs = vec![];
        if body.message_id.is_empty() {
            errs.push(FieldError::new("message_id", "message_id is required"));
        }
        if !(1..=5).contains(&body.rating) {
            errs.push(FieldError::new("rating", "rating must be an integer 1-5"));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        own_message(&self.platform, &who, &body.message_id).await?;
        let data = self
            .platform
            .db
            .write(move |tx| {
                chat::feedback(
                    tx,
                    &who.tenant_id,
                    &body.message_id,
                    body.rating,
                    body.comment.as_deref(),
                )
            })
            .await?;
        Ok(Created201::Ok(success(data)))
    }
}
