//! Handlers of the channels' status reports (extension): public routes the
//! vendors call, each checked by the vendor's signature before anything is
//! read (see `service::reports`).

use frontline_platform::callbacks::{FormMedia, JsonMedia, SignedBody};
use frontline_platform::http::ModuleError;
use frontline_platform::Platform;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{OpenApi, Tags};

use crate::model::*;
use crate::service::reports;
use crate::service::requests::Kind;

type Result<T> = std::result::Result<T, ModuleError<MarketplaceEnvelope>>;
type Out<T> = Json<Envelope<T>>;

#[derive(Tags)]
enum Tag {
    /// What the channels report about review requests and reminders after
    /// they were sent (called by Twilio and WhatsApp, signed by them).
    DeliveryReports,
}

pub struct DeliveryReportApi {
    pub platform: Platform,
}

impl DeliveryReportApi {
    async fn twilio(
        &self,
        id: String,
        kind: Kind,
        signature: Option<String>,
        body: Vec<u8>,
    ) -> Result<Out<DeliveryReportReceipt>> {
        let report = reports::twilio_report(
            &self.platform.settings,
            &id,
            kind,
            signature.as_deref(),
            &body,
        )?;
        let out = self
            .platform
            .db
            .write(move |tx| reports::apply_twilio(tx, &id, kind, report.as_ref()))
            .await?;
        Ok(Json(Envelope::ok(out)))
    }
}

#[OpenApi(tag = "Tag::DeliveryReports")]
impl DeliveryReportApi {
    /// Extension: Twilio's status callback for a review request's SMS. Each SMS
    /// is sent with this URL as `StatusCallback` when the server has a public
    /// address (`--public-url`). Public, but `X-Twilio-Signature` must be
    /// Twilio's signature (HMAC-SHA1 with `delivery_twilio_auth_token`) of
    /// `{public_url}/marketplace/v1/webhooks/twilio/status/{requestId}` and the
    /// POSTed fields: otherwise 403 and nothing changes. `delivered` sets
    /// `deliveryStatus: delivered`, `undelivered`/`failed` set `failed` with the
    /// error code in `deliveryError`; statuses never move back.
    #[oai(path = "/webhooks/twilio/status/:requestId", method = "post")]
    async fn twilio_request_status(
        &self,
        #[oai(name = "requestId")] id: Path<String>,
        #[oai(name = "X-Twilio-Signature")] signature: Header<Option<String>>,
        body: SignedBody<TwilioStatusCallback, FormMedia>,
    ) -> Result<Out<DeliveryReportReceipt>> {
        self.twilio(id.0, Kind::Request, signature.0, body.bytes)
            .await
    }

    /// Extension: Twilio's status callback for a review request's last
    /// reminder (`reminderStatus`, `reminderError`); checked and applied as the
    /// request's own (the signed URL ends in `/reminder`).
    #[oai(path = "/webhooks/twilio/status/:requestId/reminder", method = "post")]
    async fn twilio_reminder_status(
        &self,
        #[oai(name = "requestId")] id: Path<String>,
        #[oai(name = "X-Twilio-Signature")] signature: Header<Option<String>>,
        body: SignedBody<TwilioStatusCallback, FormMedia>,
    ) -> Result<Out<DeliveryReportReceipt>> {
        self.twilio(id.0, Kind::Reminder, signature.0, body.bytes)
            .await
    }

    /// Extension: the status webhook of the server-wide WhatsApp app (the one
    /// `delivery_whatsapp_token` sends with); set this URL as the app's
    /// webhook callback and subscribe it to `messages`. Public, but
    /// `X-Hub-Signature-256` must be the HMAC-SHA256 of the body with
    /// `delivery_whatsapp_app_secret`: otherwise 403 and nothing changes.
    /// `statuses[]` are matched to review requests and reminders by the message
    /// id kept when they were sent: `delivered` and `read` set `delivered`,
    /// `failed` sets `failed` with the error's title and code; statuses never
    /// move back. Incoming customer messages are ignored.
    #[oai(path = "/webhooks/whatsapp/status", method = "post")]
    async fn whatsapp_status(
        &self,
        #[oai(name = "X-Hub-Signature-256")] signature: Header<Option<String>>,
        body: SignedBody<WhatsAppStatusWebhook, JsonMedia>,
    ) -> Result<Out<DeliveryReportReceipt>> {
        let reports = reports::whatsapp_reports(
            &self.platform.settings,
            signature.0.as_deref(),
            &body.bytes,
        )?;
        let out = self
            .platform
            .db
            .write(move |tx| reports::apply_whatsapp(tx, &reports))
            .await?;
        Ok(Json(Envelope::ok(out)))
    }

    /// Extension: Meta's webhook verification of the URL above: answers
    /// `hub.challenge` when `hub.mode` is `subscribe` and `hub.verify_token`
    /// is `delivery_whatsapp_verify_token` (403 otherwise, or when unset).
    #[oai(path = "/webhooks/whatsapp/status", method = "get")]
    async fn whatsapp_verify(
        &self,
        #[oai(name = "hub.mode")] mode: Query<Option<String>>,
        #[oai(name = "hub.verify_token")] token: Query<Option<String>>,
        #[oai(name = "hub.challenge")] challenge: Query<Option<String>>,
    ) -> Result<PlainText<String>> {
        let answer = reports::whatsapp_challenge(
            &self.platform.settings,
            mode.0.as_deref(),
            token.0.as_deref(),
            challenge.0,
        )?;
        Ok(PlainText(answer))
    }
}
