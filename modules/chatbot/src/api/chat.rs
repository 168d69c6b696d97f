//! Sending messages, retries, typing indicators and feedback.

use frontline_platform::{ApiError, FieldError, Platform};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use serde_json::{json, Value};

use super::*;
use crate::access::caller;
use crate::service::chat;
use crate::service::*;
use crate::store::*;

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
    /// When the tenant's `ai_models.fallback_chain` starts with a configured
    /// OpenAI-compatible provider (`ai_models.providers.<name>`: `base_url`,
    /// `model`, `api_key`, `temperature`, `max_tokens`, `custom_instructions`,
    /// `timeout_ms`, `cost_per_1k_tokens_cents`), it writes the answer with the
    /// conversation so far; failures fall through the chain to the built-in engine.
    #[oai(path = "/chat/message", method = "post", tag = "ApiTags::Chat")]
    async fn send_message(&self, req: &Request, body: Json<Value>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        let started = std::time::Instant::now();
        let tenant = who.tenant_id.clone();
        let (llm, article) = prepare_assist(&self.platform, &tenant, &body).await?;
        let data = self
            .platform
            .db
            .write(move |tx| {
                if body.get("conversation_id").is_none() {
                    check_conversation_limit(tx, &tenant)?;
                }
                process_message_with(
                    tx,
                    &tenant,
                    &body,
                    started,
                    Assist {
                        llm: llm.as_ref(),
                        article: article.as_ref(),
                    },
                )
            })
            .await?;
        Ok(ok(data))
    }

    /// One stored message (inbound or bot reply) with its intent and confidence.
    #[oai(
        path = "/chat/message/:message_id",
        method = "get",
        tag = "ApiTags::Chat"
    )]
    async fn get_message(&self, req: &Request, message_id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = message_id.0;
        let data = self
            .platform
            .db
            .read(move |c| chat::message(c, &who.tenant_id, &id))
            .await?;
        Ok(ok(data))
    }

    /// Process an inbound message again with the tenant's current configuration;
    /// a new bot reply is stored and returned.
    #[oai(
        path = "/chat/message/:message_id/retry",
        method = "post",
        tag = "ApiTags::Chat"
    )]
    async fn retry_message(&self, req: &Request, message_id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = message_id.0;
        let started = std::time::Instant::now();
        let data = self
            .platform
            .db
            .write(move |tx| chat::retry(tx, &who.tenant_id, &id, started))
            .await?;
        Ok(ok(data))
    }

    /// Send a typing indicator on a conversation (0-30000 ms, `is_typing`
    /// default true); delivered as the `conversation.typing` event to the
    /// tenant's webhook subscriptions (agent consoles, channel bridges).
    #[oai(path = "/chat/typing", method = "post", tag = "ApiTags::Chat")]
    async fn typing(&self, req: &Request, body: Json<Value>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        let conv = str_of(&body, "conversation_id")
            .ok_or_else(|| ApiError::invalid("conversation_id", "conversation_id is required"))?;
        let ms = body
            .get("typing_duration_ms")
            .map(|v| v.as_i64().unwrap_or(-1))
            .unwrap_or(3000);
        if !(0..=30000).contains(&ms) {
            return Err(ApiError::invalid(
                "typing_duration_ms",
                "typing_duration_ms must be 0-30000",
            )
            .into());
        }
        let tenant = who.tenant_id.clone();
        let typing = match body.get("is_typing") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(ApiError::invalid("is_typing", "is_typing must be a boolean").into())
            }
        };
        self.platform
            .db
            .write(move |tx| {
                load_conv(tx, &tenant, &conv)?;
                emit(
                    tx,
                    &tenant,
                    "conversation.typing",
                    json!({"conversation_id": conv, "is_typing": typing, "duration_ms": ms}),
                )
            })
            .await?;
        Ok(ok(json!({"typing_sent": true, "duration_ms": ms})))
    }

    /// Rate a bot reply (1-5); the conversation's satisfaction is the mean rating.
    #[oai(path = "/chat/feedback", method = "post", tag = "ApiTags::Chat")]
    async fn feedback(&self, req: &Request, body: Json<Value>) -> Result<Created> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        let mut errs = vec![];
        let mid = str_of(&body, "message_id").unwrap_or_default();
        if mid.is_empty() {
            errs.push(FieldError::new("message_id", "message_id is required"));
        }
        let rating = body.get("rating").and_then(Value::as_i64).unwrap_or(0);
        if !(1..=5).contains(&rating) {
            errs.push(FieldError::new("rating", "rating must be an integer 1-5"));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let comment = str_of(&body, "comment");
        let data = self
            .platform
            .db
            .write(move |tx| chat::feedback(tx, &who.tenant_id, &mid, rating, comment.as_deref()))
            .await?;
        Ok(Created::Ok(ok(data)))
    }
}
