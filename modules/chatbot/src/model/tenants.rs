//! Tenants, their users, configuration, usage, billing, knowledge articles,
//! event subscriptions and health: the document's types, snake_case.

use poem_openapi::Object;

/// Basic health.
#[derive(Object)]
pub struct HealthStatus {
    pub status: String,
    pub timestamp: String,
    pub version: String,
    pub uptime_seconds: u64,
    pub environment: String,
}

/// A tenant in lists.
#[derive(Object)]
pub struct TenantSummary {
    pub id: String,
    pub name: String,
    pub created_at: String,
}
