//! Extension: a tenant's outgoing webhook subscriptions (platform events service).

use frontline_platform::http::RequestMeta;
use frontline_platform::Platform;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::auth::*;
use super::*;
use crate::model::*;
use crate::service::subscriptions as subs;

pub struct SubscriptionsApi {
    pub platform: Platform,
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
        #[oai(name = "X-Tenant-ID")] who: Member<ops::WebhookSubscriptionCreate>,
        meta: RequestMeta,
        body: JsonBody<CreateWebhookSubscriptionRequest>,
    ) -> Result<CreatedResponse<WebhookSubscription>> {
        let who = who.0;
        let new = subs::new_subscription(&who, &body.0)?;
        let ev = self.platform.events.clone();
        let sub = self
            .platform
            .db
            .write(move |tx| subs::subscribe(&who.writing(tx, &meta), &ev, &new))
            .await?;
        Ok(CreatedResponse::new(sub))
    }

    /// Extension: the tenant's webhook subscriptions (secrets are never shown again).
    #[oai(
        path = "/integrations/webhooks",
        method = "get",
        tag = "ApiTags::Extensions"
    )]
    async fn list(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::WebhookSubscriptionList>,
    ) -> Result<Json<Envelope<WebhookSubscriptionList>>> {
        let who = who.0;
        let list = self.platform.db.read(move |c| subs::list(c, &who)).await?;
        Ok(Json(Envelope::success(list)))
    }

    /// Extension: the last 100 deliveries of one subscription (status, attempts, last HTTP status and error).
    #[oai(
        path = "/integrations/webhooks/:id/deliveries",
        method = "get",
        tag = "ApiTags::Extensions"
    )]
    async fn deliveries(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::WebhookSubscriptionDeliveries>,
        id: Path<String>,
    ) -> Result<Json<Envelope<WebhookDeliveryList>>> {
        let who = who.0;
        let id = id.0;
        let list = self
            .platform
            .db
            .read(move |c| subs::deliveries(c, &who, &id))
            .await?;
        Ok(Json(Envelope::success(list)))
    }

    /// Extension: remove a webhook subscription.
    #[oai(
        path = "/integrations/webhooks/:id",
        method = "delete",
        tag = "ApiTags::Extensions"
    )]
    async fn unsubscribe(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::WebhookSubscriptionDelete>,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Json<Envelope<WebhookDeleted>>> {
        let who = who.0;
        let id = id.0;
        let d = self
            .platform
            .db
            .write(move |tx| subs::unsubscribe(&who.writing(tx, &meta), &who, &id))
            .await?;
        Ok(Json(Envelope::success(d)))
    }
}
