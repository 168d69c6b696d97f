//! Vendors' status reports about review requests and reminders sent
//! (extension: Twilio status callbacks, WhatsApp Cloud API status webhooks).

use poem_openapi::Object;

/// What a vendor's status report changed.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct DeliveryReportReceipt {
    /// Status reports read from the request (Twilio's in-between states,
    /// such as `queued` or `sending`, report nothing).
    pub reports: i64,
    /// Messages whose delivery status changed; a report never moves a
    /// status back (`delivered` stays `delivered`).
    pub updated: i64,
}

/// Twilio's status callback (form fields). Twilio posts more fields; all of
/// them are covered by `X-Twilio-Signature`, these are the ones read.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "PascalCase")]
pub struct TwilioStatusCallback {
    /// The message (`SM…`), as answered when it was sent.
    pub message_sid: String,
    /// `queued`, `sending`, `sent`, `delivered`, `undelivered`, `failed`:
    /// `delivered` sets `delivered`, `undelivered`/`failed` set `failed` with
    /// the error code as the reason, `sent` keeps `sent`, others change nothing.
    pub message_status: String,
    /// Twilio's error code of an undelivered or failed message (e.g. `30003`).
    pub error_code: Option<String>,
    /// The account that sent it.
    pub account_sid: Option<String>,
}

/// A WhatsApp Cloud API webhook (`object: whatsapp_business_account`).
#[derive(Object, Clone, Debug)]
pub struct WhatsAppStatusWebhook {
    /// `whatsapp_business_account`.
    pub object: Option<String>,
    /// One entry per business account.
    pub entry: Vec<WhatsAppStatusEntry>,
}

/// One business account's changes.
#[derive(Object, Clone, Debug)]
pub struct WhatsAppStatusEntry {
    /// The business account id.
    pub id: Option<String>,
    /// What changed.
    pub changes: Option<Vec<WhatsAppStatusChange>>,
}

/// One change (`field: messages`).
#[derive(Object, Clone, Debug)]
pub struct WhatsAppStatusChange {
    /// `messages`.
    pub field: Option<String>,
    /// The change.
    pub value: Option<WhatsAppStatusValue>,
}

/// The statuses of messages the business sent (incoming `messages[]` are
/// ignored here: the marketplace takes no replies by WhatsApp).
#[derive(Object, Clone, Debug)]
pub struct WhatsAppStatusValue {
    /// `whatsapp`.
    pub messaging_product: Option<String>,
    /// Status reports.
    pub statuses: Option<Vec<WhatsAppStatus>>,
}

/// One message's status.
#[derive(Object, Clone, Debug)]
pub struct WhatsAppStatus {
    /// The message id (`wamid…`) answered when it was sent.
    pub id: String,
    /// `sent`, `delivered`, `read` (counted as `delivered`) or `failed`.
    pub status: String,
    /// Unix time of the report.
    pub timestamp: Option<String>,
    /// The customer's WhatsApp id.
    pub recipient_id: Option<String>,
    /// Why it failed (the first one's title and code become the reason).
    pub errors: Option<Vec<WhatsAppStatusError>>,
}

/// A WhatsApp error.
#[derive(Object, Clone, Debug)]
pub struct WhatsAppStatusError {
    /// WhatsApp's error code (e.g. `131026`).
    pub code: Option<i64>,
    /// Its title.
    pub title: Option<String>,
    /// Its message.
    pub message: Option<String>,
}
