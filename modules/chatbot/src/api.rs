//! Handlers of the chatbot API.

use frontline_platform::http::ModuleError;
use frontline_platform::{BearerAuth, Platform};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use crate::model::*;

type Result<T> = std::result::Result<T, ModuleError<ChatbotEnvelope>>;

pub struct ChatbotApi {
    platform: Platform,
}

pub fn api(platform: &Platform) -> ChatbotApi {
    ChatbotApi {
        platform: platform.clone(),
    }
}

#[OpenApi]
impl ChatbotApi {
    /// Basic health check (public).
    #[oai(path = "/health", method = "get")]
    async fn health(&self) -> Json<HealthStatus> {
        Json(HealthStatus {
            status: "healthy".into(),
            timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            version: env!("CARGO_PKG_VERSION").into(),
            uptime_seconds: self.platform.metrics.uptime_secs(),
            environment: "self-hosted".into(),
        })
    }

    /// List tenants (platform admins only).
    #[oai(path = "/tenants", method = "get")]
    async fn list_tenants(&self, auth: BearerAuth) -> Result<Json<Envelope<Vec<TenantSummary>>>> {
        auth.0.require_any_role("chatbot", &["admin"])?;
        let rows = self
            .platform
            .db
            .read(|conn| {
                let mut stmt = conn.prepare(
                    "SELECT id, name, created_at FROM chatbot_tenants ORDER BY created_at",
                )?;
                let rows = stmt
                    .query_map([], |r| {
                        Ok(TenantSummary {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            created_at: r.get(2)?,
                        })
                    })?
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?;
        Ok(Json(Envelope::success(rows)))
    }
}
