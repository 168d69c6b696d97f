//! What the channels report about review requests and reminders after they
//! were sent: Twilio status callbacks and WhatsApp Cloud API status webhooks.
//!
//! - SMS: each message is sent with `StatusCallback` =
//!   `{public_url}/marketplace/v1/webhooks/twilio/status/{requestId}` (a
//!   reminder: `…/{requestId}/reminder`), only when the server has a
//!   `public_url` (Twilio must reach it). The callback must carry
//!   `X-Twilio-Signature` computed with `delivery_twilio_auth_token` over that
//!   URL and the POSTed fields.
//! - WhatsApp: the server-wide app's webhook
//!   (`/marketplace/v1/webhooks/whatsapp/status`) must carry
//!   `X-Hub-Signature-256` with `delivery_whatsapp_app_secret`; its
//!   `statuses[]` are matched by the message id (`wamid…`) kept at send.
//!
//! A bad or missing signature is 403 and changes nothing. Statuses only move
//! forward (`sent` → `failed`/`delivered`); WhatsApp `read` counts as
//! `delivered` here (the review request has no `read` status).

use frontline_platform::callbacks::{self, StatusReport};
use frontline_platform::{ApiResult, Settings};
use rusqlite::Connection;

use super::requests::Kind;
use crate::model::{DeliveryReportReceipt, MarketplaceError};
use crate::store::deliveries;

fn path(request_id: &str, kind: Kind) -> String {
    let base = format!("/marketplace/v1/webhooks/twilio/status/{request_id}");
    match kind {
        Kind::Request => base,
        Kind::Reminder => format!("{base}/reminder"),
    }
}

/// The `StatusCallback` URL of request `request_id`'s SMS (or its reminder),
/// when the server has a public address for Twilio to call.
pub fn twilio_callback(settings: &Settings, request_id: &str, kind: Kind) -> Option<String> {
    settings
        .public_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .map(|_| format!("{}{}", settings.public_base_url(), path(request_id, kind)))
}

fn forbidden(msg: &str) -> frontline_platform::ApiError {
    MarketplaceError::Forbidden.with_message(msg)
}

fn secret(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks a Twilio status callback for request `request_id` and reads it:
/// 403 unless `signature` is Twilio's signature, with the server's auth
/// token, of the URL it was given and the POSTed fields.
pub fn twilio_report(
    settings: &Settings,
    request_id: &str,
    kind: Kind,
    signature: Option<&str>,
    body: &[u8],
) -> ApiResult<Option<StatusReport>> {
    let Some(token) = secret(&settings.delivery.twilio_auth_token) else {
        return Err(forbidden(
            "The server has no Twilio auth token (delivery_twilio_auth_token): status callbacks cannot be verified",
        ));
    };
    let Some(signature) = signature.filter(|s| !s.trim().is_empty()) else {
        return Err(forbidden("X-Twilio-Signature is missing"));
    };
    let params = callbacks::form_params(body);
    let url = format!("{}{}", settings.public_base_url(), path(request_id, kind));
    if !callbacks::twilio_signature_ok(token, &url, &params, signature) {
        return Err(forbidden("X-Twilio-Signature does not sign this request"));
    }
    Ok(callbacks::twilio_status(&params))
}

/// Checks a WhatsApp status webhook of the server-wide app and reads its
/// reports: 403 unless `signature` is `X-Hub-Signature-256` with
/// `delivery_whatsapp_app_secret`; 400 when the (signed) body is not JSON.
pub fn whatsapp_reports(
    settings: &Settings,
    signature: Option<&str>,
    body: &[u8],
) -> ApiResult<Vec<StatusReport>> {
    let Some(app_secret) = secret(&settings.delivery.whatsapp_app_secret) else {
        return Err(forbidden(
            "The server has no WhatsApp app secret (delivery_whatsapp_app_secret): status webhooks cannot be verified",
        ));
    };
    let Some(signature) = signature.filter(|s| !s.trim().is_empty()) else {
        return Err(forbidden("X-Hub-Signature-256 is missing"));
    };
    if !callbacks::meta_signature_ok(app_secret, body, signature) {
        return Err(forbidden("X-Hub-Signature-256 does not sign this request"));
    }
    if serde_json::from_slice::<serde_json::Value>(body).is_err() {
        return Err(MarketplaceError::Validation.with_message("The body is not valid JSON"));
    }
    Ok(callbacks::whatsapp_statuses(body))
}

/// Meta's webhook verification: the challenge, when `token` is the
/// server's `delivery_whatsapp_verify_token` (403 otherwise).
pub fn whatsapp_challenge(
    settings: &Settings,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<String>,
) -> ApiResult<String> {
    let Some(expected) = secret(&settings.delivery.whatsapp_verify_token) else {
        return Err(forbidden(
            "The server has no WhatsApp verify token (delivery_whatsapp_verify_token)",
        ));
    };
    if mode != Some("subscribe") || token != Some(expected) {
        return Err(forbidden(
            "hub.mode must be subscribe and hub.verify_token the server's",
        ));
    }
    Ok(challenge.unwrap_or_default())
}

/// The status a report leaves on a review request's message.
fn stored(status: &'static str) -> &'static str {
    if status == "read" {
        "delivered"
    } else {
        status
    }
}

/// Applies `report` to request `request_id`'s message (or last reminder):
/// 404 when there is no such request; a report about another message (its
/// id is not the one kept) or one that would move the status back changes nothing.
pub fn apply_twilio(
    tx: &Connection,
    request_id: &str,
    kind: Kind,
    report: Option<&StatusReport>,
) -> ApiResult<DeliveryReportReceipt> {
    let reminder = kind == Kind::Reminder;
    let Some((status, vendor_id)) = deliveries::current(tx, request_id, reminder)? else {
        return Err(MarketplaceError::NotFound.with_message("Review request not found"));
    };
    let Some(report) = report else {
        return Ok(DeliveryReportReceipt {
            reports: 0,
            updated: 0,
        });
    };
    let other_message =
        matches!((&vendor_id, &report.vendor_id), (Some(kept), Some(said)) if kept != said);
    let new = stored(report.status);
    let updated = if !other_message && callbacks::advances(status.as_deref(), new) {
        deliveries::set_status(tx, request_id, reminder, new, report.reason.as_deref())?
    } else {
        0
    };
    Ok(DeliveryReportReceipt {
        reports: 1,
        updated: updated as i64,
    })
}

/// Applies WhatsApp `reports` to the requests and reminders whose message
/// ids they name (others are not this server's messages and are skipped).
pub fn apply_whatsapp(
    tx: &Connection,
    reports: &[StatusReport],
) -> ApiResult<DeliveryReportReceipt> {
    let mut updated = 0;
    for r in reports {
        let Some(vendor_id) = r.vendor_id.as_deref() else {
            continue;
        };
        let Some((id, reminder, status)) = deliveries::by_vendor_id(tx, vendor_id)? else {
            continue;
        };
        let new = stored(r.status);
        if callbacks::advances(status.as_deref(), new) {
            updated += deliveries::set_status(tx, &id, reminder, new, r.reason.as_deref())?;
        }
    }
    Ok(DeliveryReportReceipt {
        reports: reports.len() as i64,
        updated: updated as i64,
    })
}
