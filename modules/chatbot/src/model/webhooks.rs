//! Channel webhook payloads (the providers' own formats; only the parts the
//! platform reads are typed) and the answers to them.

use poem_openapi::Object;
use serde_json::Value;
use std::collections::BTreeMap;

/// WhatsApp message text.
#[derive(Object, Clone, Debug, Default)]
pub struct WhatsAppText {
    /// The text the customer sent.
    pub body: Option<String>,
}

/// One WhatsApp message.
#[derive(Object, Clone, Debug, Default)]
pub struct WhatsAppMessage {
    /// The sender's phone number.
    pub from: Option<String>,
    /// WhatsApp message id (`wamid.…`); replays of the same id are ignored.
    pub id: Option<String>,
    /// Seconds since the epoch, as a string.
    pub timestamp: Option<String>,
    /// `text`, `image`, …; only text messages are answered.
    #[oai(rename = "type")]
    pub message_type: Option<String>,
    /// The text of a `text` message.
    pub text: Option<WhatsAppText>,
}

/// The phone number the message was sent to.
#[derive(Object, Clone, Debug, Default)]
pub struct WhatsAppMetadata {
    /// The business number.
    pub display_phone_number: Option<String>,
    /// Its WhatsApp id.
    pub phone_number_id: Option<String>,
}

/// The value of a WhatsApp change.
#[derive(Object, Clone, Debug, Default)]
pub struct WhatsAppValue {
    /// `whatsapp`.
    pub messaging_product: Option<String>,
    /// The receiving business number.
    pub metadata: Option<WhatsAppMetadata>,
    /// Incoming messages.
    pub messages: Option<Vec<WhatsAppMessage>>,
}

/// One change of a WhatsApp entry.
#[derive(Object, Clone, Debug, Default)]
pub struct WhatsAppChange {
    /// What changed.
    pub value: Option<WhatsAppValue>,
    /// `messages`.
    pub field: Option<String>,
}

/// One entry of a WhatsApp notification.
#[derive(Object, Clone, Debug, Default)]
pub struct WhatsAppEntry {
    /// The WhatsApp Business account.
    pub id: Option<String>,
    /// The changes (incoming messages).
    pub changes: Option<Vec<WhatsAppChange>>,
}

/// WhatsApp Business notification (`X-Hub-Signature-256` over the raw body).
#[derive(Object, Clone, Debug, Default)]
pub struct WhatsAppWebhook {
    /// `whatsapp_business_account`.
    pub object: Option<String>,
    /// Entries with their changes; required.
    pub entry: Vec<WhatsAppEntry>,
}

/// A Messenger user or page.
#[derive(Object, Clone, Debug, Default)]
pub struct MessengerParty {
    /// Page-scoped id.
    pub id: Option<String>,
}

/// A Messenger message.
#[derive(Object, Clone, Debug, Default)]
pub struct MessengerMessage {
    /// Message id; replays of the same id are ignored.
    pub mid: Option<String>,
    /// The text the customer sent.
    pub text: Option<String>,
}

/// One Messenger messaging event.
#[derive(Object, Clone, Debug, Default)]
pub struct MessengerEvent {
    /// The customer.
    pub sender: Option<MessengerParty>,
    /// The page.
    pub recipient: Option<MessengerParty>,
    /// Milliseconds since the epoch.
    pub timestamp: Option<i64>,
    /// The message (other events are ignored, but for delivery receipts).
    pub message: Option<MessengerMessage>,
    /// A delivery receipt of the page's messages.
    pub delivery: Option<MessengerDelivery>,
}

/// A Messenger delivery receipt.
#[derive(Object, Clone, Debug, Default)]
pub struct MessengerDelivery {
    /// The ids of the page's messages delivered: those replies become
    /// `delivered` (a receipt without them changes nothing).
    pub mids: Option<Vec<String>>,
    /// Milliseconds since the epoch: everything sent before was delivered
    /// (not used: it names no message).
    pub watermark: Option<i64>,
}

/// One entry of a Messenger notification.
#[derive(Object, Clone, Debug, Default)]
pub struct MessengerEntry {
    /// The page.
    pub id: Option<String>,
    /// Milliseconds since the epoch.
    pub time: Option<i64>,
    /// Messaging events.
    pub messaging: Option<Vec<MessengerEvent>>,
}

/// Facebook Messenger notification (`X-Hub-Signature-256` over the raw body).
#[derive(Object, Clone, Debug, Default)]
pub struct MessengerWebhook {
    /// `page`.
    pub object: Option<String>,
    /// Entries with their messaging events; required.
    pub entry: Vec<MessengerEntry>,
}

/// Slack slash command (form-encoded).
#[derive(Object, Clone, Debug, Default)]
pub struct SlackCommand {
    /// Slack's legacy verification token (not used; requests are verified by signature).
    pub token: Option<String>,
    /// The workspace.
    pub team_id: Option<String>,
    /// The workspace domain.
    pub team_domain: Option<String>,
    /// The Slack channel.
    pub channel_id: Option<String>,
    /// Its name.
    pub channel_name: Option<String>,
    /// The Slack user; required.
    pub user_id: Option<String>,
    /// The Slack user name.
    pub user_name: Option<String>,
    /// e.g. `/chatbot`.
    pub command: Option<String>,
    /// What the user typed after the command; required.
    pub text: Option<String>,
    /// Where Slack accepts delayed answers.
    pub response_url: Option<String>,
    /// Unique per command; replays of the same id are ignored. Required.
    pub trigger_id: Option<String>,
    /// The Slack app.
    pub api_app_id: Option<String>,
}

/// The inner event of a Slack Events API callback.
#[derive(Object, Clone, Debug, Default)]
pub struct SlackInnerEvent {
    /// e.g. `message` or `app_mention`.
    #[oai(rename = "type")]
    pub event_type: Option<String>,
    /// The Slack user; required.
    pub user: Option<String>,
    /// The message text; required.
    pub text: Option<String>,
    /// The Slack channel.
    pub channel: Option<String>,
    /// Slack message timestamp.
    pub ts: Option<String>,
}

/// Slack Events API callback (JSON), including `url_verification`.
#[derive(Object, Clone, Debug, Default)]
pub struct SlackEventCallback {
    /// `event_callback` or `url_verification`.
    #[oai(rename = "type")]
    pub callback_type: Option<String>,
    /// Echoed for `url_verification`.
    pub challenge: Option<String>,
    /// Unique per event; replays are ignored.
    pub event_id: Option<String>,
    /// The workspace (routes the event to its tenant).
    pub team_id: Option<String>,
    /// The Slack app (routes the event to its tenant).
    pub api_app_id: Option<String>,
    /// The event; required for `event_callback`.
    pub event: Option<SlackInnerEvent>,
}

/// A Teams account.
#[derive(Object, Clone, Debug, Default)]
pub struct TeamsAccount {
    /// The account or conversation id.
    #[oai(validator(min_length = 1))]
    pub id: String,
    /// Display name.
    pub name: Option<String>,
}

/// A Microsoft Teams (Bot Framework) activity.
#[derive(Object, Clone, Debug, Default)]
pub struct TeamsActivity {
    /// `message`.
    #[oai(rename = "type")]
    pub activity_type: Option<String>,
    /// Activity id; replays of the same id are ignored.
    pub id: String,
    /// The message text.
    pub text: String,
    /// The sender.
    pub from: TeamsAccount,
    /// The Teams conversation.
    pub conversation: Option<TeamsAccount>,
    /// The bot the activity is for (routes it to its tenant unless
    /// `X-Tenant-ID` names the tenant).
    pub recipient: TeamsAccount,
}

/// A Telegram user or chat.
#[derive(Object, Clone, Debug, Default)]
pub struct TelegramPeer {
    /// Telegram id.
    pub id: Option<i64>,
    /// First name (users).
    pub first_name: Option<String>,
    /// User name.
    pub username: Option<String>,
}

/// A Telegram message.
#[derive(Object, Clone, Debug, Default)]
pub struct TelegramMessage {
    /// Telegram message id.
    pub message_id: Option<i64>,
    /// `from.id` is required.
    pub from: Option<TelegramPeer>,
    /// The chat.
    pub chat: Option<TelegramPeer>,
    /// Seconds since the epoch.
    pub date: Option<i64>,
    /// Required.
    pub text: Option<String>,
}

/// A Telegram bot update.
#[derive(Object, Clone, Debug, Default)]
pub struct TelegramUpdate {
    /// Replays of the same update are ignored. Required.
    pub update_id: Option<i64>,
    /// The new message; required.
    pub message: Option<TelegramMessage>,
}

/// A custom integration event (e.g. from a CRM).
#[derive(Object, Clone, Debug, Default)]
pub struct GenericWebhookEvent {
    /// e.g. `customer_updated` (merges `data` into the customer's open conversations' entities).
    pub event_type: Option<String>,
    /// When it happened at the source.
    pub timestamp: Option<String>,
    /// The customer (`user_id` of their conversations); required for `customer_updated`.
    pub customer_id: Option<String>,
    /// Event data (merged into the customer's open conversations' entities).
    pub data: Option<GenericEventData>,
}

/// The data of a generic event: the customer facts the document's example
/// names, and any other key, kept as sent.
#[derive(Object, Clone, Debug, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct GenericEventData {
    /// The customer's e-mail address.
    pub customer_email: Option<String>,
    /// The customer's tier, e.g. `premium`.
    pub customer_tier: Option<String>,
    /// Recent orders (free-form objects, e.g. `order_id`, `status`, `tracking_number`).
    pub recent_orders: Option<Vec<Value>>,
    /// Support tickets (free-form objects, e.g. `ticket_id`, `status`, `priority`, `subject`).
    pub support_tickets: Option<Vec<Value>>,
    /// Any other data.
    #[oai(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Receipt of a WhatsApp or Messenger notification.
#[derive(Object, Clone, Debug)]
pub struct WebhookReceipt {
    /// Always `received`.
    pub status: String,
    /// New messages answered.
    pub messages_processed: i64,
    /// Replayed messages acknowledged without processing.
    pub duplicates_ignored: i64,
    /// The bot reply to the first message.
    pub message_id: Option<String>,
    /// The conversation of the first message (`conv_<channel>_user_<sender>`).
    pub conversation_id: Option<String>,
    /// Measured time to answer the notification.
    pub processing_time_ms: i64,
}

/// A Slack message button.
#[derive(Object, Clone, Debug)]
pub struct SlackAction {
    /// The quick reply's payload.
    pub name: String,
    /// The quick reply's title.
    pub text: String,
    /// Always `button`.
    #[oai(rename = "type")]
    pub action_type: String,
    /// The quick reply's payload.
    pub value: String,
}

/// A Slack message attachment with buttons.
#[derive(Object, Clone, Debug)]
pub struct SlackAttachment {
    /// Prompt above the buttons.
    pub text: String,
    /// Text for clients without buttons.
    pub fallback: String,
    /// The recognised intent.
    pub callback_id: Option<String>,
    /// Attachment colour.
    pub color: String,
    /// One button per quick reply.
    pub actions: Vec<SlackAction>,
}

/// The answer Slack shows, or the `url_verification` challenge.
#[derive(Object, Clone, Debug, Default)]
pub struct SlackResponse {
    /// `in_channel`.
    #[oai(skip_serializing_if_is_none)]
    pub response_type: Option<String>,
    /// The bot's answer.
    #[oai(skip_serializing_if_is_none)]
    pub text: Option<String>,
    /// The bot's quick replies as buttons.
    #[oai(skip_serializing_if_is_none)]
    pub attachments: Option<Vec<SlackAttachment>>,
    /// The echoed challenge of `url_verification`.
    #[oai(skip_serializing_if_is_none)]
    pub challenge: Option<String>,
}

/// The bot's answer as a Teams message.
#[derive(Object, Clone, Debug)]
pub struct TeamsReply {
    /// Always `message`.
    #[oai(rename = "type")]
    pub reply_type: String,
    /// The bot's answer.
    pub text: String,
    /// The platform conversation.
    pub conversation_id: String,
}

/// The bot's answer as a Telegram `sendMessage` call.
#[derive(Object, Clone, Debug)]
pub struct TelegramReply {
    /// `sendMessage`, which Telegram runs with this answer; absent when the
    /// tenant set `channels.telegram.bot_token` (the reply is then sent
    /// through the Bot API and its status kept on the message).
    #[oai(skip_serializing_if_is_none)]
    pub method: Option<String>,
    /// The chat to answer in (the sender).
    pub chat_id: i64,
    /// The bot's answer.
    pub text: String,
}

/// What a custom integration event did.
#[derive(Object, Clone, Debug)]
pub struct GenericWebhookResult {
    /// Always `processed`.
    pub status: String,
    /// The recorded event.
    pub event_id: String,
    /// What was done: `recorded_event`, `refreshed_conversation_context`.
    pub actions_taken: Vec<String>,
    /// Conversations whose entities changed.
    pub affected_conversations: Vec<String>,
}
