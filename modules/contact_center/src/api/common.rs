//! Response shapes and tags shared by part 1's handlers.

use frontline_platform::http::ModuleError;
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Tags};

use crate::model::CcEnvelope;

pub type Result<T> = std::result::Result<T, ModuleError<CcEnvelope>>;

#[derive(Tags)]
pub enum Tag {
    /// Register, sign in and see who you are.
    Authentication,
    /// Outbound and inbound campaigns, their lifecycle and statistics.
    /// This server never dials and never calls an LLM or speech provider:
    /// `provider_*` and `system_prompt` are stored for the dialer an operator
    /// connects, start and pause change a status, and calls reach the figures
    /// when that dialer records them (`POST /api/v1/calls`).
    Campaigns,
    /// Contacts, bulk imports and call lists (saved contact filters).
    #[oai(rename = "Contacts & Call Lists")]
    Contacts,
    /// Reusable campaign configurations.
    #[oai(rename = "Campaign Templates")]
    Templates,
    /// Teams, agents, skills and performance.
    #[oai(rename = "Teams & Agents")]
    Teams,
    /// Queues, their live state and waiting calls.
    Queues,
    /// Companies served by the contact center.
    Companies,
    /// Endpoints the document does not list but its figures need: recording
    /// calls, working queues, defining queues.
    Extensions,
}

/// A created resource.
#[derive(ApiResponse)]
pub enum Created<T: ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// A deleted resource.
#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    NoContent,
}
