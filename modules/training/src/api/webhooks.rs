//! Webhook subscriptions for the scenario events (on the platform events
//! service: signed, retried deliveries with a delivery log).

use frontline_platform::body::JsonBody;
use frontline_platform::http::RequestMeta;
use frontline_platform::write;
use frontline_platform::Platform;
use poem_openapi::param::Path;
use poem_openapi::OpenApi;

use super::guard::*;
use super::Result;
use crate::model::*;
use crate::service;

pub struct WebhooksApi {
    pub(super) platform: Platform,
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
        let ev = self.platform.events.clone();
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::webhooks::create(w, &ev, body.0)
        })
        .await?;
        Ok(created(out))
    }

    /// Extension: the training module's webhook subscriptions (training admins).
    #[oai(path = "/admin/webhooks", method = "get")]
    async fn list(&self, _auth: Can<ScenarioAdmin>) -> Result<Answer<WebhookList>> {
        let out = self.platform.db.read(service::webhooks::list).await?;
        Ok(ok(out))
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
            .read(move |c| service::webhooks::deliveries(c, &id.0))
            .await?;
        Ok(ok(out))
    }

    /// Extension: remove a webhook subscription (training admins).
    #[oai(path = "/admin/webhooks/:id", method = "delete")]
    async fn delete(
        &self,
        auth: Can<ScenarioAdmin>,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<NoContent> {
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::webhooks::delete(w, &id.0)
        })
        .await?;
        Ok(NoContent::NoContent)
    }
}
