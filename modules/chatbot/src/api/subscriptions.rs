//! Extension: a tenant's outgoing webhook subscriptions (platform events service).

use frontline_platform::events::{self, NewSubscription, Subscription};
use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, FieldError, Platform};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use serde_json::{json, Value};

use super::*;
use crate::access::caller;
use crate::service::{events_module, EVENTS};

pub struct SubscriptionsApi {
    pub platform: Platform,
}

fn render(s: &Subscription) -> Value {
    json!({
        "webhook_id": s.id,
        "url": s.url,
        "events": s.events,
        "description": s.description,
        "active": s.active,
        "created_at": s.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

#[OpenApi]
impl SubscriptionsApi {
    /// Extension: subscribe a URL to the tenant's events (`conversation.started`,
    /// `conversation.transferred`, `conversation.closed`, `conversation.reopened`,
    /// `feedback.received`, or `*`). Deliveries are JSON `{id, event, timestamp, data}`
    /// signed with `X-Frontline-Signature: sha256=<HMAC of the body>` using the
    /// secret returned here once, and retried with backoff. Tenant admins only.
    #[oai(
        path = "/integrations/webhooks",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn subscribe(
        &self,
        req: &Request,
        meta: RequestMeta,
        body: Json<Value>,
    ) -> Result<Created> {
        let who = caller(&self.platform, req, None).await?;
        who.require_tenant_admin()?;
        let body = body_obj(&body)?.clone();
        let events: Vec<String> = match body.get("events") {
            Some(Value::Array(a))
                if !a.is_empty()
                    && a.iter()
                        .all(|e| e.as_str().is_some_and(|e| e == "*" || EVENTS.contains(&e))) =>
            {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            }
            _ => {
                return Err(ApiError::validation(vec![FieldError::new(
                    "events",
                    format!("events must list some of: *, {}", EVENTS.join(", ")),
                )])
                .into())
            }
        };
        let new = NewSubscription {
            module: events_module(&who.tenant_id),
            owner_id: Some(who.tenant_id.clone()),
            url: body
                .get("url")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            events,
            secret: body.get("secret").and_then(Value::as_str).map(String::from),
            description: body
                .get("description")
                .and_then(Value::as_str)
                .map(|s| s.chars().take(500).collect()),
        };
        let ev = self.platform.events.clone();
        let data = self
            .platform
            .db
            .write(move |tx| {
                let (sub, secret) = ev.subscribe(tx, &new)?;
                audit_in(
                    tx,
                    &who,
                    &meta,
                    "webhook.subscribe",
                    "webhook",
                    &sub.id,
                    json!({"url": sub.url, "events": sub.events}),
                )?;
                let mut out = render(&sub);
                out["secret"] = json!(secret);
                Ok(out)
            })
            .await?;
        Ok(Created::Ok(ok(data)))
    }

    /// Extension: the tenant's webhook subscriptions (secrets are never shown again).
    #[oai(
        path = "/integrations/webhooks",
        method = "get",
        tag = "ApiTags::Extensions"
    )]
    async fn list(&self, req: &Request) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        who.require_tenant_admin()?;
        let module = events_module(&who.tenant_id);
        let subs = self
            .platform
            .db
            .read(move |c| events::list_subscriptions(c, &module, None))
            .await?;
        Ok(ok(
            json!({"webhooks": subs.iter().map(render).collect::<Vec<_>>()}),
        ))
    }

    /// Extension: the last 100 deliveries of one subscription (status, attempts, last HTTP status and error).
    #[oai(
        path = "/integrations/webhooks/:id/deliveries",
        method = "get",
        tag = "ApiTags::Extensions"
    )]
    async fn deliveries(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        who.require_tenant_admin()?;
        let module = events_module(&who.tenant_id);
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| {
                events::get_subscription(c, &module, None, &id)?.ok_or_else(|| {
                    ApiError::not_found("Webhook not found").with_code("WEBHOOK_NOT_FOUND")
                })?;
                let list = events::deliveries(c, &id, 100)?;
                Ok(json!({"deliveries": list}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Extension: remove a webhook subscription.
    #[oai(
        path = "/integrations/webhooks/:id",
        method = "delete",
        tag = "ApiTags::Extensions"
    )]
    async fn unsubscribe(
        &self,
        req: &Request,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        who.require_tenant_admin()?;
        let module = events_module(&who.tenant_id);
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                if !events::delete_subscription(tx, &module, None, &id)? {
                    return Err(
                        ApiError::not_found("Webhook not found").with_code("WEBHOOK_NOT_FOUND")
                    );
                }
                audit_in(
                    tx,
                    &who,
                    &meta,
                    "webhook.unsubscribe",
                    "webhook",
                    &id,
                    json!({}),
                )?;
                Ok(json!({"webhook_id": id, "deleted": true}))
            })
            .await?;
        Ok(ok(data))
    }
}
