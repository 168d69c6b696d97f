//! Outgoing webhook subscriptions of a tenant (extension), on the platform
//! events service: validation, rendering, audit.

use crate::errors::ChatbotError;
use frontline_platform::events::{self, Delivery, NewSubscription, Subscription};
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::json;

use super::{events_module, EVENTS};
use crate::access::Caller;
use crate::model::*;

fn iso(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A subscription as the API shows it (without its secret).
pub(crate) fn render(s: &Subscription) -> WebhookSubscription {
    WebhookSubscription {
        webhook_id: s.id.clone(),
        url: s.url.clone(),
        events: s.events.clone(),
        description: s.description.clone(),
        active: s.active,
        created_at: iso(&s.created_at),
        secret: None,
    }
}

fn render_delivery(d: Delivery) -> WebhookDelivery {
    WebhookDelivery {
        id: d.id,
        webhook_id: d.webhook_id,
        event_id: d.event_id,
        event_type: d.event_type,
        status: d.status,
        attempts: d.attempts,
        last_status_code: d.last_status_code,
        last_error: d.last_error,
        created_at: iso(&d.created_at),
        delivered_at: d.delivered_at.as_ref().map(iso),
    }
}

/// The subscription to store for a request; 400 naming `events` when an
/// event is unknown.
pub(crate) fn new_subscription(
    who: &Caller,
    req: &CreateWebhookSubscriptionRequest,
) -> ApiResult<NewSubscription> {
    // The schema allows only the event names of EVENTS (and `*`).
    let events: Vec<String> = req.events.iter().map(|e| e.as_str().to_string()).collect();
    if events.is_empty()
        || !events
            .iter()
            .all(|e| e == "*" || EVENTS.contains(&e.as_str()))
    {
        return Err(ApiError::validation(vec![FieldError::new(
            "events",
            format!("events must list some of: *, {}", EVENTS.join(", ")),
        )]));
    }
    Ok(NewSubscription {
        module: events_module(&who.tenant_id),
        owner_id: Some(who.tenant_id.clone()),
        url: req.url.clone(),
        events,
        secret: req.secret.clone(),
        description: req
            .description
            .as_ref()
            .map(|s| s.chars().take(500).collect()),
        // The stream is the tenant's (`chatbot.<tenant>`): every event on it is theirs.
        module_wide: true,
    })
}

/// Stores the subscription; its secret is shown only in this result.
pub(crate) fn subscribe(
    w: &WriteCtx,
    service: &events::Events,
    new: &NewSubscription,
) -> ApiResult<WebhookSubscription> {
    let tx = w.tx();
    let (sub, secret) = service.subscribe(tx, new)?;
    w.audit(
        crate::SLUG,
        "webhook.subscribe",
        "webhook",
        &sub.id,
        json!({"url": sub.url, "events": sub.events}),
    )?;
    let mut out = render(&sub);
    out.secret = Some(secret);
    Ok(out)
}

/// The tenant's subscriptions.
pub(crate) fn list(c: &Connection, who: &Caller) -> ApiResult<WebhookSubscriptionList> {
    let subs = events::list_subscriptions(c, &events_module(&who.tenant_id), None)?;
    Ok(WebhookSubscriptionList {
        webhooks: subs.iter().map(render).collect(),
    })
}

fn not_found() -> ApiError {
    ChatbotError::WebhookNotFound.with_message("Webhook not found")
}

/// The last 100 deliveries of one of the tenant's subscriptions.
pub(crate) fn deliveries(c: &Connection, who: &Caller, id: &str) -> ApiResult<WebhookDeliveryList> {
    events::get_subscription(c, &events_module(&who.tenant_id), None, id)?.ok_or_else(not_found)?;
    Ok(WebhookDeliveryList {
        deliveries: events::deliveries(c, id, 100)?
            .into_iter()
            .map(render_delivery)
            .collect(),
    })
}

/// Removes one of the tenant's subscriptions.
pub(crate) fn unsubscribe(w: &WriteCtx, who: &Caller, id: &str) -> ApiResult<WebhookDeleted> {
    let tx = w.tx();
    if !events::delete_subscription(tx, &events_module(&who.tenant_id), None, id)? {
        return Err(not_found());
    }
    w.audit(crate::SLUG, "webhook.unsubscribe", "webhook", id, json!({}))?;
    Ok(WebhookDeleted {
        webhook_id: id.to_string(),
        deleted: true,
    })
}
