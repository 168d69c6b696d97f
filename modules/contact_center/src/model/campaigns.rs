//! Campaigns, contacts, call lists and campaign templates.

use poem_openapi::Object;
use serde_json::Value;

use super::values::*;
use super::JsonObject;
use crate::common::DateOrTime;

/// A new campaign. Only `name` is required: with `template_id` the type,
/// provider, model, prompt and configuration come from that template unless
/// given here; otherwise they default to `outbound` / `openai`.
#[derive(Object, Debug, Clone)]
pub struct CampaignCreate {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: NonBlank,
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// `outbound`, `inbound` or `blended`.
    pub campaign_type: Option<CampaignTypeText>,
    /// New campaigns are always `draft`; start them with `POST /campaigns/{id}/start`.
    pub status: Option<String>,
    /// `openai`, `anthropic`, `google`, `azure`, `aws`, `elevenlabs`, `deepgram` or `custom`.
    /// Stored only: this server never calls the provider.
    pub provider_type: Option<ProviderTypeText>,
    #[oai(validator(max_length = 100))]
    pub provider_model: Option<String>,
    /// Provider settings (an object), e.g. `{"temperature": 0.7, "voice": "alloy"}`.
    pub provider_config: Option<JsonObject>,
    /// Stored only, for the voice agent an operator connects; never sent to an LLM here.
    #[oai(validator(max_length = 20000))]
    pub system_prompt: Option<String>,
    /// ISO 8601; must be before `end_date`.
    pub start_date: Option<DateOrTime>,
    /// ISO 8601; must be after `start_date`.
    pub end_date: Option<DateOrTime>,
    /// 1 to 100000 calls per day.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub max_daily_calls: Option<i64>,
    pub retry_failed: Option<bool>,
    /// 0 to 10 further attempts per contact after a failed call.
    #[oai(validator(minimum(value = "0"), maximum(value = "10")))]
    pub max_retries: Option<i64>,
    /// Extension: create the campaign from this campaign template.
    pub template_id: Option<i64>,
}

/// Changes to a campaign; fields left out keep their value. `status` moves
/// the campaign through its lifecycle (draft → active ⇄ paused → completed → archived)
/// with the same checks as start and pause.
#[derive(Object, Debug, Clone, Default)]
pub struct CampaignUpdate {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<NonBlank>,
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    pub campaign_type: Option<CampaignTypeText>,
    pub status: Option<CampaignStatusText>,
    pub provider_type: Option<ProviderTypeText>,
    #[oai(validator(max_length = 100))]
    pub provider_model: Option<String>,
    pub provider_config: Option<JsonObject>,
    #[oai(validator(max_length = 20000))]
    pub system_prompt: Option<String>,
    pub start_date: Option<DateOrTime>,
    pub end_date: Option<DateOrTime>,
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub max_daily_calls: Option<i64>,
    pub retry_failed: Option<bool>,
    #[oai(validator(minimum(value = "0"), maximum(value = "10")))]
    pub max_retries: Option<i64>,
}

/// A campaign with its progress computed from its contacts and recorded calls.
#[derive(Object, Debug, Clone)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    /// draft, active, paused, completed or archived.
    pub status: String,
    pub campaign_type: String,
    pub provider_type: String,
    pub provider_model: Option<String>,
    pub provider_config: Value,
    pub system_prompt: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub max_daily_calls: Option<i64>,
    pub retry_failed: bool,
    pub max_retries: i64,
    pub template_id: Option<i64>,
    pub cloned_from_id: Option<i64>,
    /// Contacts in the campaign.
    pub total_contacts: i64,
    /// Finished call attempts recorded for the campaign.
    pub completed_calls: i64,
    /// Share of completed calls with outcome `success` or `converted` (0..1).
    pub success_rate: f64,
    pub created_by_id: i64,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

crate::sorted_serialize!(Campaign {
    campaign_type,
    cloned_from_id,
    completed_at,
    completed_calls,
    created_at,
    created_by_id,
    description,
    end_date,
    id,
    max_daily_calls,
    max_retries,
    name,
    provider_config,
    provider_model,
    provider_type,
    retry_failed,
    start_date,
    started_at,
    status,
    success_rate,
    system_prompt,
    template_id,
    total_contacts,
    updated_at,
});

/// Clone options.
#[derive(Object, Debug, Clone, Default)]
pub struct CampaignClone {
    /// The copy's name (default: "<name> (Copy)").
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<NonBlank>,
}

/// Campaign figures, computed from its contacts and recorded calls.
#[derive(Object, Debug, Clone)]
pub struct CampaignStats {
    pub total_contacts: i64,
    /// Finished call attempts.
    pub completed_calls: i64,
    /// Completed calls with outcome `success` or `converted`, over completed calls.
    pub success_rate: f64,
    /// Mean duration of completed calls, in seconds.
    pub avg_call_duration: f64,
    /// Sum of completed call durations, in seconds.
    pub total_call_time: i64,
    /// Completed calls with outcome `converted`, over completed calls.
    pub conversion_rate: f64,
    /// Total recorded cost over completed calls.
    pub cost_per_call: f64,
    pub successful_calls: i64,
    pub total_cost: f64,
    /// Contacts per status (pending, called, completed, failed).
    pub contacts_by_status: Value,
    /// Completed calls per outcome.
    pub calls_by_outcome: Value,
}

frontline_platform::pattern_string! {
    /// Text with at least one character that is not a space.
    pub NonBlank = r"\S";
    /// E.164, e.g. `+14155552671` (spaces, dashes, dots and parentheses around
    /// the digits are removed).
    pub PhoneText = r"^[ ().-]*\+[ ().-]*[1-9]([ ().-]*[0-9]){1,14}[ ().-]*$";
    /// An e-mail address, or spaces only for none: the module's one e-mail
    /// rule (`common::EMAIL_PATTERN`).
    pub EmailText = crate::common::EMAIL_PATTERN;
    /// A contact's status: pending, called, completed or failed.
    pub ContactStatusText = "^(pending|called|completed|failed)$";
}

/// A new contact.
#[derive(Object, Debug, Clone)]
pub struct ContactCreate {
    pub campaign_id: Option<i64>,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub first_name: NonBlank,
    #[oai(validator(max_length = 100))]
    pub last_name: Option<String>,
    /// An e-mail address (empty or spaces only: none); stored trimmed and
    /// lower-cased.
    #[oai(validator(max_length = 254))]
    pub email: Option<EmailText>,
    /// E.164, e.g. `+14155552671` (spaces, dashes and parentheses are removed).
    /// Unique within a campaign.
    pub phone_number: PhoneText,
    #[oai(validator(max_length = 200))]
    pub company: Option<String>,
    /// Any extra fields (an object).
    pub custom_fields: Option<JsonObject>,
    /// 1 (lowest) to 10 (highest); default 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub priority: Option<i64>,
    /// pending (default), called, completed or failed.
    pub status: Option<ContactStatusText>,
}

/// Changes to a contact; fields left out keep their value.
#[derive(Object, Debug, Clone, Default)]
pub struct ContactUpdate {
    pub campaign_id: Option<i64>,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub first_name: Option<NonBlank>,
    #[oai(validator(max_length = 100))]
    pub last_name: Option<String>,
    /// An e-mail address (empty or spaces only: none); stored trimmed and
    /// lower-cased.
    #[oai(validator(max_length = 254))]
    pub email: Option<EmailText>,
    pub phone_number: Option<PhoneText>,
    #[oai(validator(max_length = 200))]
    pub company: Option<String>,
    pub custom_fields: Option<JsonObject>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub priority: Option<i64>,
    pub status: Option<ContactStatusText>,
}

/// A contact.
#[derive(Object, Debug, Clone)]
pub struct Contact {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub first_name: String,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone_number: String,
    pub company: Option<String>,
    pub custom_fields: Value,
    pub priority: i64,
    pub status: String,
    /// Recorded call attempts to this contact.
    pub call_attempts: i64,
    pub last_called_at: Option<String>,
    pub created_by_id: i64,
    pub created_at: String,
    pub updated_at: String,
}

crate::sorted_serialize!(Contact {
    call_attempts,
    campaign_id,
    company,
    created_at,
    created_by_id,
    custom_fields,
    email,
    first_name,
    id,
    last_called_at,
    last_name,
    phone_number,
    priority,
    status,
    updated_at,
});

/// One row of a bulk import.
#[derive(Object, Debug, Clone, Default)]
pub struct ContactImportRow {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub company: Option<String>,
    pub custom_fields: Option<JsonObject>,
    pub priority: Option<i64>,
}

/// A bulk import: valid rows are imported, the others are reported.
#[derive(Object, Debug, Clone, Default)]
pub struct ContactImport {
    pub campaign_id: Option<i64>,
    /// Up to 50000 rows.
    pub contacts: Vec<ContactImportRow>,
}

/// Why one row was not imported.
#[derive(Object, Debug, Clone, PartialEq)]
pub struct ImportError {
    /// 1-based position of the row in `contacts`.
    pub row: i64,
    pub field: String,
    pub message: String,
}

/// The outcome of a bulk import.
#[derive(Object, Debug, Clone)]
pub struct ImportResult {
    pub imported: i64,
    pub failed: i64,
    pub errors: Vec<ImportError>,
}

/// The saved filter of a call list.
#[derive(Object, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct CallListFilters {
    /// Lowest priority included (1..10).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub priority_min: Option<i64>,
    /// Highest priority included (1..10).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub priority_max: Option<i64>,
    /// Contact status: pending, called, completed or failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ContactStatusText>,
    /// Text in the name, e-mail, phone number or company.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[oai(validator(max_length = 200))]
    pub search: Option<String>,
    /// At most this many call attempts so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[oai(validator(minimum(value = "0"), maximum(value = "1000")))]
    pub max_attempts: Option<i64>,
}

/// A new call list: a saved filter over contacts.
#[derive(Object, Debug, Clone)]
pub struct CallListCreate {
    pub campaign_id: Option<i64>,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: NonBlank,
    pub filters: Option<CallListFilters>,
    /// priority (default), created_at, last_name, first_name, last_called_at or call_attempts.
    pub sort_by: Option<ContactSortText>,
    /// asc or desc (default).
    pub sort_order: Option<SortOrderText>,
}

/// A call list; `contact_count` is how many contacts match it now.
#[derive(Object, Debug, Clone)]
pub struct CallList {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub name: String,
    pub filters: CallListFilters,
    pub sort_by: String,
    pub sort_order: String,
    pub contact_count: i64,
    pub created_by_id: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// A new campaign template.
#[derive(Object, Debug, Clone)]
pub struct TemplateCreate {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: NonBlank,
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    pub campaign_type: Option<CampaignTypeText>,
    pub provider_type: Option<ProviderTypeText>,
    #[oai(validator(max_length = 100))]
    pub provider_model: Option<String>,
    #[oai(validator(max_length = 20000))]
    pub system_prompt: Option<String>,
    /// Default provider configuration (an object).
    pub default_config: Option<JsonObject>,
    /// Public templates are visible to everyone; only supervisors and admins publish them.
    pub is_public: Option<bool>,
}

/// Changes to a template; fields left out keep their value.
#[derive(Object, Debug, Clone, Default)]
pub struct TemplateUpdate {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<NonBlank>,
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    pub campaign_type: Option<CampaignTypeText>,
    pub provider_type: Option<ProviderTypeText>,
    #[oai(validator(max_length = 100))]
    pub provider_model: Option<String>,
    #[oai(validator(max_length = 20000))]
    pub system_prompt: Option<String>,
    pub default_config: Option<JsonObject>,
    pub is_public: Option<bool>,
}

/// A campaign template. System templates ship with the server and are read-only.
#[derive(Object, Debug, Clone)]
pub struct CampaignTemplate {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub campaign_type: String,
    pub provider_type: String,
    pub provider_model: Option<String>,
    pub system_prompt: Option<String>,
    pub default_config: Value,
    pub is_public: bool,
    pub is_system: bool,
    pub created_by_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// Every stored field of a campaign (what the store writes; the service
/// validates it as a whole).
#[derive(Debug, Clone, Default)]
pub struct CampaignFields {
    pub name: String,
    pub description: Option<String>,
    pub campaign_type: String,
    pub provider_type: String,
    pub provider_model: Option<String>,
    pub provider_config: Value,
    pub system_prompt: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub max_daily_calls: Option<i64>,
    pub retry_failed: bool,
    pub max_retries: i64,
}

impl CampaignFields {
    pub(crate) fn of(c: &Campaign) -> Self {
        CampaignFields {
            name: c.name.clone(),
            description: c.description.clone(),
            campaign_type: c.campaign_type.clone(),
            provider_type: c.provider_type.clone(),
            provider_model: c.provider_model.clone(),
            provider_config: c.provider_config.clone(),
            system_prompt: c.system_prompt.clone(),
            start_date: c.start_date.clone(),
            end_date: c.end_date.clone(),
            max_daily_calls: c.max_daily_calls,
            retry_failed: c.retry_failed,
            max_retries: c.max_retries,
        }
    }
}

/// Which contacts to read, and in what order.
#[derive(Debug, Clone, Default)]
pub struct ContactQuery {
    /// A plain user's id: only contacts they created or in their campaigns.
    pub scope: Option<i64>,
    pub campaign_id: Option<i64>,
    pub status: Option<String>,
    pub search: Option<String>,
    pub priority_min: Option<i64>,
    pub priority_max: Option<i64>,
    pub max_attempts: Option<i64>,
    /// A column of `store::contacts::SORT_COLUMNS`; default `id`.
    pub sort_by: Option<String>,
    pub descending: bool,
}
