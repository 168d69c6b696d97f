//! Chat: sending messages, the bot's reply, stored messages, typing
//! indicators and feedback — the document's types, snake_case.

use poem_openapi::{Enum, Object};

use super::{Channel, Key200, NonBlank};
use serde_json::Value;

/// Attached media of an inbound message (image, audio, video, file).
#[derive(Object, Clone, Debug, Default)]
pub struct MediaAttachment {
    /// Where the channel serves the media.
    #[oai(skip_serializing_if_is_none)]
    pub url: Option<String>,
    /// MIME type, e.g. `image/jpeg`.
    #[oai(rename = "type", skip_serializing_if_is_none)]
    pub media_type: Option<String>,
    /// Size of the media in bytes.
    #[oai(skip_serializing_if_is_none)]
    pub size_bytes: Option<i64>,
    /// Text description of the media.
    #[oai(skip_serializing_if_is_none)]
    pub alt_text: Option<String>,
}

/// The kind of an inbound message.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum InboundContentType {
    Text,
    Image,
    Audio,
    Video,
    File,
    Location,
    QuickReply,
}

impl InboundContentType {
    /// The type as stored with the message.
    pub fn as_str(self) -> &'static str {
        use InboundContentType::*;
        match self {
            Text => "text",
            Image => "image",
            Audio => "audio",
            Video => "video",
            File => "file",
            Location => "location",
            QuickReply => "quick_reply",
        }
    }
}

/// What the customer sent.
#[derive(Object, Clone, Debug, Default)]
pub struct InboundContent {
    /// `text` (default), `image`, `audio`, `video`, `file`, `location` or `quick_reply`.
    #[oai(rename = "type", skip_serializing_if_is_none)]
    pub content_type: Option<InboundContentType>,
    /// The message text (up to 4096 characters); required unless `media` is sent.
    #[oai(skip_serializing_if_is_none, validator(max_length = 4096))]
    pub text: Option<String>,
    /// Language of the text, e.g. `en`.
    #[oai(skip_serializing_if_is_none)]
    pub language: Option<String>,
    /// Attached media.
    #[oai(skip_serializing_if_is_none)]
    pub media: Option<MediaAttachment>,
    /// The `payload` of the quick reply the customer chose (`type` `quick_reply`).
    #[oai(skip_serializing_if_is_none)]
    pub payload: Option<String>,
}

/// Facts the channel reports about the sender and the message.
#[derive(Object, Clone, Debug, Default)]
pub struct ChannelMetadata {
    /// The sender's id on the channel (visitor id, phone number).
    pub platform_user_id: Option<String>,
    /// The channel's id of this message (e.g. `wamid.…`).
    pub platform_message_id: Option<String>,
    /// Browser user agent (web chat).
    pub user_agent: Option<String>,
    /// Page the visitor came from (web chat).
    pub referrer: Option<String>,
}

/// `POST /chat/message`: one inbound customer message.
#[derive(Object, Clone, Debug, Default)]
pub struct SendMessageRequest {
    /// Client-chosen id (1-200 characters, not blank); sending the same id again returns
    /// the stored reply instead of answering twice. Generated when absent.
    pub message_id: Option<Key200>,
    /// The conversation to continue (1-200 characters). Absent: the user's open conversation on
    /// this channel, or a new one. An unknown id starts a conversation with it.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub conversation_id: Option<String>,
    /// The customer (any stable id of the tenant's choosing; not blank).
    pub user_id: NonBlank,
    /// The channel (default `web`, or the session's).
    pub channel: Option<Channel>,
    /// The message itself.
    pub content: InboundContent,
    /// Channel facts about the sender and message.
    pub channel_metadata: Option<ChannelMetadata>,
}

/// A suggested answer shown as a button.
#[derive(Object, Clone, Debug)]
pub struct QuickReply {
    /// Button label.
    pub title: String,
    /// Value sent back when the customer picks it.
    pub payload: String,
}

/// The knowledge article a reply was taken from.
#[derive(Object, Clone, Debug)]
pub struct KnowledgeSource {
    /// The knowledge article.
    pub article_id: String,
    /// Its title.
    pub title: String,
}

/// The content of a stored message: what the customer sent, or the bot's reply.
#[derive(Object, Clone, Debug, Default)]
pub struct MessageContent {
    /// `text`, `image`, `audio`, `video`, `file`, `location` or `quick_reply`.
    #[oai(rename = "type")]
    pub content_type: String,
    /// The text.
    #[oai(skip_serializing_if_is_none)]
    pub text: Option<String>,
    /// Language of the text (inbound).
    #[oai(skip_serializing_if_is_none)]
    pub language: Option<String>,
    /// Attached media (inbound).
    #[oai(skip_serializing_if_is_none)]
    pub media: Option<MediaAttachment>,
    /// Chosen quick reply (inbound `quick_reply`).
    #[oai(skip_serializing_if_is_none)]
    pub payload: Option<String>,
    /// Suggested answers (bot replies).
    #[oai(skip_serializing_if_is_none)]
    pub quick_replies: Option<Vec<QuickReply>>,
    /// The knowledge article the reply came from (bot replies).
    #[oai(skip_serializing_if_is_none)]
    pub source: Option<KnowledgeSource>,
}

/// The bot's answer.
#[derive(Object, Clone, Debug)]
pub struct BotResponse {
    /// Always `text`.
    #[oai(rename = "type")]
    pub content_type: String,
    /// The answer; empty when an agent has claimed the conversation and the
    /// bot leaves the answer to them.
    pub text: String,
    /// Suggested answers (may be empty).
    pub quick_replies: Vec<QuickReply>,
    /// Present when the answer was taken from a knowledge article.
    #[oai(skip_serializing_if_is_none)]
    pub source: Option<KnowledgeSource>,
    /// The language of a built-in answer: `en`, `es` or `fr` (the languages
    /// the built-in bot has), chosen from the message's `content.language`,
    /// else the tenant's `default_language`, else `en`. Absent for answers
    /// from a provider or a knowledge article (their own language).
    #[oai(skip_serializing_if_is_none)]
    pub language: Option<String>,
}

/// The sentiment of the customer's message, computed from its words (a
/// lexicon of English, Spanish and French words with valences, negation and
/// intensifiers, normalised as VADER does).
#[derive(Object, Clone, Debug)]
pub struct MessageSentiment {
    /// From -1 (most negative) to 1 (most positive).
    pub score: f64,
    /// `negative` (score ≤ -0.05), `positive` (≥ 0.05) or `neutral`.
    pub label: String,
}

/// Where the conversation stands after the reply.
#[derive(Object, Clone, Debug)]
pub struct ConversationState {
    /// The intent the bot recognised (null when it fell back).
    pub current_intent: Option<String>,
    /// `follow_up_question` or `rephrased_question`.
    pub next_expected_input: String,
    /// `information_provided`, `clarification_needed` or `transferred_to_agent`.
    pub conversation_stage: String,
    /// Entities extracted so far in the conversation (order numbers, e-mails, …).
    pub entities: Value,
    /// Conversation status: `active`, `transferred` or `closed`.
    pub status: String,
}

/// How the reply was produced.
#[derive(Object, Clone, Debug)]
pub struct ProcessingMetadata {
    /// `rule_based`, `knowledge_base` or the provider's model name.
    pub model_used: Option<String>,
    /// Measured time from receiving the message to storing the reply.
    pub processing_time_ms: Option<i64>,
    /// Confidence of the recognised intent, 0-1.
    pub confidence_score: Option<f64>,
    /// The message's sentiment; present when the tenant's
    /// `chatbot.enable_sentiment_analysis` is on (or its escalation trigger is
    /// `negative_sentiment`).
    #[oai(skip_serializing_if_is_none)]
    pub sentiment: Option<MessageSentiment>,
}

/// The bot's reply to one inbound message.
#[derive(Object, Clone, Debug)]
pub struct ChatMessageResponse {
    /// The inbound message's id.
    pub message_id: String,
    /// The id of the stored bot reply (rate it with `POST /chat/feedback`).
    /// Absent when the bot did not answer because an agent has claimed the
    /// conversation (`conversation_stage` `transferred_to_agent`): the
    /// message waits in the agent's inbox.
    #[oai(skip_serializing_if_is_none)]
    pub reply_message_id: Option<String>,
    /// The conversation the message went to (found, created or given).
    pub conversation_id: String,
    /// The bot's answer.
    pub response: BotResponse,
    /// Where the conversation stands after the reply.
    pub conversation_state: ConversationState,
    /// How the reply was produced.
    pub processing_metadata: ProcessingMetadata,
    /// True when this `message_id` was already answered and the stored reply is returned.
    #[oai(skip_serializing_if_is_none)]
    pub duplicate: Option<bool>,
    /// True for the answer of `POST /chat/message/{message_id}/retry`.
    #[oai(skip_serializing_if_is_none)]
    pub retried: Option<bool>,
}

/// One stored message, inbound or bot reply.
#[derive(Object, Clone, Debug)]
pub struct ChatMessage {
    /// The message.
    pub message_id: String,
    /// The conversation.
    pub conversation_id: String,
    /// `inbound` (customer) or `outbound` (bot).
    pub direction: String,
    /// What was sent: the customer's content, or the bot's reply with its quick replies.
    pub content: MessageContent,
    /// Recognised intent (bot replies).
    pub intent: Option<String>,
    /// Confidence of the intent, 0-1 (bot replies).
    pub confidence_score: Option<f64>,
    /// `processed` (inbound). A bot reply: `sent` on the web and API
    /// channels (answered in the HTTP response); on WhatsApp, Messenger,
    /// Slack, Telegram and Teams what its delivery did: `queued` (being
    /// sent or retried), `sent` (the vendor accepted it), `delivered` /
    /// `read` (WhatsApp reported so), `failed` (see `delivery_error`) or
    /// `not_configured` (the channel has no credentials; nothing was sent).
    pub status: String,
    /// Why a reply is `failed`, `not_configured` or being retried.
    pub delivery_error: Option<String>,
    /// The inbound message a bot reply answers.
    pub in_reply_to: Option<String>,
    /// Processing time of a bot reply.
    pub processing_time_ms: Option<i64>,
    /// What produced a bot reply.
    pub model_used: Option<String>,
    /// When it was stored (RFC 3339).
    pub timestamp: String,
}

/// `POST /chat/typing`.
#[derive(Object, Clone, Debug)]
pub struct TypingRequest {
    /// The conversation the indicator is shown in.
    pub conversation_id: String,
    /// Who is typing.
    pub user_id: Option<String>,
    /// The channel the indicator is for.
    pub channel: Option<String>,
    /// How long to show the indicator, 0-30000 ms (default 3000).
    #[oai(validator(minimum(value = "0"), maximum(value = "30000")))]
    pub typing_duration_ms: Option<i64>,
    /// `false` hides the indicator (default true).
    pub is_typing: Option<bool>,
}

/// The typing indicator was sent.
#[derive(Object, Clone, Debug)]
pub struct TypingResult {
    /// Always true: the indicator was delivered as the `conversation.typing` event.
    pub typing_sent: bool,
    /// How long the indicator shows.
    pub duration_ms: i64,
}

/// `POST /chat/feedback`: a rating of a bot reply.
#[derive(Object, Clone, Debug)]
pub struct FeedbackRequest {
    /// The rated message (usually the `reply_message_id` of a reply).
    #[oai(validator(min_length = 1))]
    pub message_id: String,
    /// 1 (poor) to 5 (excellent).
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub rating: i64,
    /// Free-text comment.
    pub comment: Option<String>,
}

/// The stored rating.
#[derive(Object, Clone, Debug)]
pub struct FeedbackResult {
    /// The stored rating.
    pub feedback_id: String,
    /// The rated message.
    pub message_id: String,
    /// 1-5.
    pub rating: i64,
    /// The conversation of the rated message.
    pub conversation_id: String,
    /// Mean rating of the conversation's messages so far.
    pub conversation_satisfaction: f64,
}

/// What the chat path reads of a conversation, once per message
/// (`store::chat::conversation`).
#[derive(Debug, Clone)]
pub struct ConversationRow {
    pub id: String,
    pub user_id: String,
    pub channel: String,
    pub status: String,
    pub fallback_count: i64,
    /// The entities so far (JSON text).
    pub entities: String,
    /// Whether an agent has claimed it (the bot steps back).
    pub assigned: bool,
    pub session_id: Option<String>,
}

/// A stored bot reply, as the send response shows it.
#[derive(Debug, Clone)]
pub struct ReplyRow {
    pub message_id: String,
    pub conversation_id: String,
    /// The reply's content (JSON).
    pub content: serde_json::Value,
    pub intent: Option<String>,
    pub confidence: Option<f64>,
    pub processing_ms: Option<i64>,
    pub model_used: Option<String>,
}
