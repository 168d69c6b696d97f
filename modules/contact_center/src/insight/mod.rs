//! Contact center parts 2 and 3: knowledge base, documents, IVR flows, routing
//! rules, recordings, voicemail, metrics and alerts, dashboard, reports and
//! schedules.

use frontline_platform::{ApiResult, Platform};
use poem_openapi::OpenApi;

/// This part's schema: migration step 2 of the module.
pub const SCHEMA: &str =
    "-- knowledge base, documents, IVR, routing, recordings, voicemail, metrics, reports";

pub struct InsightApi;

#[OpenApi]
impl InsightApi {}

/// The API of this part (one struct or a tuple of them).
pub fn api(_platform: &Platform) -> impl OpenApi + 'static {
    InsightApi
}

/// Starts this part's background work (report schedules) inside the server.
pub fn start(_platform: &Platform) {}

/// Loads this part's demo data.
pub fn demo(_platform: &Platform) -> ApiResult<()> {
    Ok(())
}

/// Rebuilds this part's search indexes; returns documents indexed.
pub fn reindex(_platform: &Platform) -> ApiResult<u64> {
    Ok(0)
}
