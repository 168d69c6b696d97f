//! Handlers of the marketplace API.

use frontline_platform::http::ModuleError;
use frontline_platform::{BearerAuth, Platform};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use crate::model::*;

type Result<T> = std::result::Result<T, ModuleError<MarketplaceEnvelope>>;

pub struct MarketplaceApi {
    platform: Platform,
}

pub fn api(platform: &Platform) -> MarketplaceApi {
    MarketplaceApi {
        platform: platform.clone(),
    }
}

#[OpenApi]
impl MarketplaceApi {
    /// The caller's registered webhooks.
    #[oai(path = "/webhooks", method = "get")]
    async fn list_webhooks(&self, auth: BearerAuth) -> Result<Json<Envelope<Vec<Webhook>>>> {
        let owner = auth.0.id.clone();
        let rows = self
            .platform
            .db
            .read(move |conn| {
                let mut stmt = conn.prepare(
                    "SELECT id, url, events, created_at FROM marketplace_webhooks WHERE owner_id = ?1 ORDER BY created_at",
                )?;
                let rows = stmt
                    .query_map([owner], |r| {
                        let events: String = r.get(2)?;
                        Ok(Webhook {
                            id: r.get(0)?,
                            url: r.get(1)?,
                            events: serde_json::from_str(&events).unwrap_or_default(),
                            created_at: r.get(3)?,
                        })
                    })?
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?;
        Ok(Json(Envelope::ok(rows)))
    }
}
