//! Webhook subscriptions for the scenario events, on the platform events
//! service (signed, retried deliveries with a delivery log).

use frontline_platform::events::{self, Events, NewSubscription, Subscription};
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult};
use rusqlite::Connection;
use serde_json::json;

use super::caller;
use crate::model::*;
use crate::SLUG;

fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn render(s: &Subscription) -> Webhook {
    Webhook {
        id: s.id.clone(),
        url: s.url.clone(),
        events: s.events.clone(),
        description: s.description.clone(),
        active: s.active,
        created_at: iso(s.created_at),
        secret: None,
    }
}

fn not_found(id: &str) -> ApiError {
    TrainingError::WebhookNotFound.with_message(format!("Webhook {id} not found"))
}

/// Subscribes a URL to scenario events, module-wide (training admins see
/// every scenario). The answer carries the secret, shown only here.
pub fn create(w: &WriteCtx<'_>, ev: &Events, req: CreateWebhookRequest) -> ApiResult<Webhook> {
    let p = caller(w)?;
    let new = NewSubscription {
        module: SLUG.into(),
        owner_id: Some(p.id.clone()),
        url: req.url.into(),
        events: req.events.iter().map(|e| e.as_str().to_string()).collect(),
        secret: req.secret,
        description: req.description,
        module_wide: true,
    };
    let (sub, secret) = ev.subscribe(w, &new)?;
    w.audit(
        SLUG,
        "webhook.create",
        "webhook",
        &sub.id,
        json!({"url": sub.url, "events": sub.events}),
    )?;
    let mut out = render(&sub);
    out.secret = Some(secret);
    Ok(out)
}

/// The module's subscriptions.
pub fn list(conn: &Connection) -> ApiResult<WebhookList> {
    let subs = events::list_subscriptions(conn, SLUG, None)?;
    Ok(WebhookList {
        data: subs.iter().map(render).collect(),
    })
}

/// The last 100 deliveries of subscription `id`.
pub fn deliveries(conn: &Connection, id: &str) -> ApiResult<DeliveryList> {
    events::get_subscription(conn, SLUG, None, id)?.ok_or_else(|| not_found(id))?;
    let data = events::deliveries(conn, id, 100)?
        .iter()
        .map(|d| Delivery {
            id: d.id,
            event_id: d.event_id,
            event: d.event_type.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            last_status_code: d.last_status_code,
            last_error: d.last_error.clone(),
            created_at: iso(d.created_at),
            delivered_at: d.delivered_at.map(iso),
        })
        .collect();
    Ok(DeliveryList { data })
}

/// Removes subscription `id`.
pub fn delete(w: &WriteCtx<'_>, id: &str) -> ApiResult<()> {
    if !events::delete_subscription(w, SLUG, None, id)? {
        return Err(not_found(id));
    }
    w.audit(SLUG, "webhook.delete", "webhook", id, json!({}))?;
    Ok(())
}
