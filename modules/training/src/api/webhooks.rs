//! Webhook subscriptions for the scenario events (on the platform events
//! service: signed, retried deliveries with a delivery log).

use frontline_platform::events::{self, NewSubscription, Subscription};
use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, Platform};
use poem_openapi::param::Path;
use poem_openapi::OpenApi;
use serde_json::json;

use frontline_platform::body::JsonBody;

use frontline_platform::write::WriteCtx;

use super::guard::*;
use super::{record, Result};
use crate::model::*;

use crate::SLUG;

pub struct WebhooksApi {
    pub(super) platform: Platform,
}

fn render(s: &Subscription) -> Webhook {
    Webhook {
        id: s.id.clone(),
        url: s.url.clone(),
        events: s.events.clone(),
        description: s.description.clone(),
        active: s.active,
        created_at: s.created_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        secret: None,
    }
}

fn not_found(id: &str) -> ApiError {
    TrainingError::WebhookNotFound.with_message(format!("Webhook {id} not found"))
}

/// Webhooks.
#[OpenApi(tag = "ApiTags::Extensions")]
impl WebhooksApi {
    /// Extension: subscribe a URL to scenario events (training admins):
    /// `{"url", "events": ["scenario.published", ...], "secret"?,
    /// "description"?}`. Each delivery is a POST of `{id, event, timestamp,
    /// data}` signed with `X-Frontline-Signature: sha256=<HMAC-SHA256 of the
    /// body with the secret>`, retried with backoff. The secret is returned
    /// only in this answer.
    #[oai(path = "/admin/webhooks", method = "post")]
    async fn create(
        &self,
        auth: Can<ScenarioAdmin>,
        meta: RequestMeta,
        body: JsonBody<CreateWebhookRequest>,
    ) -> Result<CreatedAnswer<Webhook>> {
        let p = auth.0;
        let body = body.0;
        let (url, secret, description) = (body.url, body.secret, body.description);
        let events: Vec<String> = body.events.iter().map(|e| e.as_str().to_string()).collect();
        let new = NewSubscription {
            module: SLUG.into(),
            owner_id: Some(p.id.clone()),
            url,
            events,
            secret,
            description,
            // Training admins register webhooks: they see every scenario.
            module_wide: true,
        };
        let ev = self.platform.events.clone();
        let out = self
            .platform
            .db
            .write(move |tx| {
                let (sub, secret) = ev.subscribe(tx, &new)?;
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "webhook.create",
                    "webhook",
                    &sub.id,
                    json!({"url": sub.url, "events": sub.events}),
                    None,
                )?;
                let mut out = render(&sub);
                out.secret = Some(secret);
                Ok(out)
            })
            .await?;
        Ok(created(out))
    }

    /// Extension: the training module's webhook subscriptions (training admins).
    #[oai(path = "/admin/webhooks", method = "get")]
    async fn list(&self, _auth: Can<ScenarioAdmin>) -> Result<Answer<WebhookList>> {
        let subs = self
            .platform
            .db
            .read(|c| events::list_subscriptions(c, SLUG, None))
            .await?;
        Ok(ok(WebhookList {
            data: subs.iter().map(render).collect(),
        }))
    }

    /// Extension: the last 100 deliveries of a webhook (status, attempts,
    /// last HTTP status and error).
    #[oai(path = "/admin/webhooks/:id/deliveries", method = "get")]
    async fn deliveries(
        &self,
        _auth: Can<ScenarioAdmin>,
        id: Path<String>,
    ) -> Result<Answer<DeliveryList>> {
        let out = self
            .platform
            .db
            .read(move |c| {
                events::get_subscription(c, SLUG, None, &id.0)?.ok_or_else(|| not_found(&id.0))?;
                events::deliveries(c, &id.0, 100)
            })
            .await?;
        let data: Vec<Delivery> = out
            .iter()
            .map(|d| Delivery {
                id: d.id,
                event_id: d.event_id,
                event: d.event_type.clone(),
                status: d.status.clone(),
                attempts: d.attempts,
                last_status_code: d.last_status_code,
                last_error: d.last_error.clone(),
                created_at: d.created_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                delivered_at: d
                    .delivered_at
                    .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
            })
            .collect();
        Ok(ok(DeliveryList { data }))
    }

    /// Extension: remove a webhook subscription (training admins).
    #[oai(path = "/admin/webhooks/:id", method = "delete")]
    async fn delete(
        &self,
        auth: Can<ScenarioAdmin>,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<NoContent> {
        let p = auth.0;
        self.platform
            .db
            .write(move |tx| {
                if !events::delete_subscription(tx, SLUG, None, &id.0)? {
                    return Err(not_found(&id.0));
                }
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "webhook.delete",
                    "webhook",
                    &id.0,
                    json!({}),
                    None,
                )
            })
            .await?;
        Ok(NoContent::NoContent)
    }
}
