//! Tenants, their users, configuration, usage and billing: the document's
//! types, snake_case.

use super::{
    Channel, Email, IntentName, MemberRole, Name200, NonBlank, Permission, Plan, ProviderName,
    TenantStatus,
};
use std::collections::BTreeMap;

use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiResponse, Object};
use serde_json::Value;

use super::{Envelope, InvitationDelivery, MemberStatus};
use poem_openapi::payload::Json;

/// A tenant in lists (kept for older clients of the crate).
#[derive(Object)]
pub struct TenantSummary {
    /// The tenant.
    pub id: String,
    /// Tenant name.
    pub name: String,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
}

/// Where a list page is: `page` (from 1), `page_size`, the `total` number of
/// items and whether a next page exists.
#[derive(Object, Debug, Clone)]
pub struct AdminPagination {
    /// Items matching the request, over all pages.
    pub total: i64,
    /// This page, from 1.
    pub page: u32,
    /// Items per page (capped by the server).
    pub page_size: u32,
    /// Whether a further page exists.
    pub has_next: bool,
}

impl AdminPagination {
    pub fn new(total: i64, page: u32, page_size: u32) -> Self {
        AdminPagination {
            total,
            page,
            page_size,
            has_next: i64::from(page) * i64::from(page_size) < total,
        }
    }
}

// ----- requests -------------------------------------------------------------

/// The first user of a new tenant (its owner). A platform user with this
/// e-mail is linked, or created when there is none.
#[derive(Object, Debug, Clone)]
pub struct TenantAdminUser {
    /// E-mail address of the owner.
    pub email: Email,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Always `owner` for the first user; other values are ignored.
    pub role: Option<String>,
}

/// Opening hours of one weekday (`start`/`end` as `HH:MM`) or `closed`.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct DayHours {
    /// Opening time, `HH:MM`.
    pub start: Option<String>,
    /// Closing time, `HH:MM`.
    pub end: Option<String>,
    /// `true` when the business is closed all day.
    pub closed: Option<bool>,
}

/// Opening hours per weekday.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct BusinessHours {
    /// Hours on Monday.
    pub monday: Option<DayHours>,
    /// Hours on Tuesday.
    pub tuesday: Option<DayHours>,
    /// Hours on Wednesday.
    pub wednesday: Option<DayHours>,
    /// Hours on Thursday.
    pub thursday: Option<DayHours>,
    /// Hours on Friday.
    pub friday: Option<DayHours>,
    /// Hours on Saturday.
    pub saturday: Option<DayHours>,
    /// Hours on Sunday.
    pub sunday: Option<DayHours>,
}

/// How the widget and messages look.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct Branding {
    /// CSS colour, e.g. `#1f2937`.
    pub primary_color: Option<String>,
    /// CSS colour, e.g. `#3b82f6`.
    pub secondary_color: Option<String>,
    /// URL of the logo shown in the widget.
    pub logo_url: Option<String>,
    /// The name the bot speaks for.
    pub company_name: Option<String>,
}

/// General settings: language, time zone, currency, formats, business hours
/// and branding. Other keys are kept as custom settings.
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct GeneralSettings {
    /// Language code of the bot's default language, e.g. `en`. The built-in
    /// bot answers in `en`, `es` and `fr`; a message's `content.language`
    /// wins over this, and any other language is answered in English.
    pub default_language: Option<String>,
    /// IANA time zone, e.g. `America/New_York`.
    pub timezone: Option<String>,
    /// ISO 4217 currency code, e.g. `USD`.
    pub currency: Option<String>,
    /// Date format shown to visitors, e.g. `MM/DD/YYYY`.
    pub date_format: Option<String>,
    /// Opening hours per weekday (in `timezone`); the built-in bot answers
    /// opening-hours questions from them.
    pub business_hours: Option<BusinessHours>,
    /// How the widget looks.
    pub branding: Option<Branding>,
    /// Custom settings the document leaves open (any other key).
    #[oai(flatten)]
    pub custom: BTreeMap<String, Value>,
}

/// A quick reply button offered with an intent's answer.
#[derive(Object, Debug, Clone)]
pub struct IntentQuickReply {
    /// Button text.
    pub title: String,
    /// What the button sends back.
    pub payload: String,
}

/// A custom intent of the built-in bot: when a message resembles one of the
/// `examples` closely enough, the bot answers with the first of `responses`.
/// An intent with the name of a built-in one replaces it.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct IntentDefinition {
    /// Intent name, e.g. `refund_policy`.
    pub name: IntentName,
    /// Example phrases the intent is recognised by (at least one).
    pub examples: Vec<NonBlank>,
    /// Answers; the first is sent.
    pub responses: Option<Vec<String>>,
    /// Buttons offered with the answer.
    pub quick_replies: Option<Vec<IntentQuickReply>>,
}

/// How the bot converses.
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct ChatbotSettings {
    /// The built-in bot's answer to a greeting (in the tenant's
    /// `default_language`; a greeting in another language the bot has gets
    /// its built-in greeting in that language).
    pub default_greeting: Option<String>,
    /// The answer when no intent reaches `confidence_threshold` (in the
    /// tenant's `default_language`, like `default_greeting`).
    pub fallback_response: Option<String>,
    /// What hands the conversation to a human (a transfer to the queue with
    /// reason `escalation_trigger`): the name of an intent (built-in or
    /// custom, e.g. `damaged_product_complaint`), or `negative_sentiment`
    /// (a message whose sentiment is negative). The default `human_agent`
    /// adds nothing to the built-in rule: a customer asking for a human is
    /// always transferred (reason `user_request`).
    pub escalation_trigger: Option<String>,
    /// Minimum confidence (0-1) an intent needs to answer.
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub confidence_threshold: Option<f64>,
    /// Minimum share (0-1) of a message's words a knowledge article must cover
    /// to answer (default 0.5).
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub knowledge_threshold: Option<f64>,
    /// Fallbacks in a row before the conversation goes to a human (1-20).
    #[oai(validator(minimum(value = "1"), maximum(value = "20")))]
    pub max_fallbacks: Option<i64>,
    /// Whether sentiment analysis is on: each reply's
    /// `processing_metadata.sentiment` then gives the sentiment of the
    /// customer's message, computed from its words (English, Spanish, French
    /// lexicon; no outside service).
    pub enable_sentiment_analysis: Option<bool>,
    /// Custom intents of the built-in bot.
    pub intents: Option<Vec<IntentDefinition>>,
}

/// Settings of one channel. Secrets (`app_secret`, `signing_secret`,
/// `*_token`) are write-only in effect: they come back masked.
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct ChannelSettings {
    /// Whether the channel is on.
    pub enabled: Option<bool>,
    /// Web widget colour.
    pub widget_color: Option<String>,
    /// Web widget position, e.g. `bottom_right`.
    pub position: Option<String>,
    /// Web widget welcome message.
    pub welcome_message: Option<String>,
    /// Web widget: show agents' avatars.
    pub show_agent_avatars: Option<bool>,
    /// Web widget: visitors may upload files.
    pub enable_file_upload: Option<bool>,
    /// Web widget: the origins (`https://shop.example`, scheme, host and an
    /// optional port) whose pages may call this API for the tenant from a
    /// browser (CORS). None by default: no other site's page may.
    #[oai(validator(max_items = 20))]
    pub allowed_origins: Option<Vec<String>>,
    /// WhatsApp business account.
    pub business_account_id: Option<String>,
    /// WhatsApp / SMS phone number.
    pub phone_number: Option<String>,
    /// Slack workspace.
    pub workspace_id: Option<String>,
    /// Slack / Telegram bot token; Teams: a ready Bot Framework connector
    /// token (optional when `app_secret` is set).
    pub bot_token: Option<String>,
    /// WhatsApp / Messenger app secret (verifies `X-Hub-Signature-256`);
    /// Teams: the bot's app password, exchanged with `app_id` for connector
    /// tokens (cached until they expire).
    pub app_secret: Option<String>,
    /// The token `GET /webhooks/verify/{channel}` expects.
    pub verify_token: Option<String>,
    /// Slack signing secret.
    pub signing_secret: Option<String>,
    /// Teams webhook token.
    pub webhook_token: Option<String>,
    /// Telegram secret token (also identifies the tenant of a Telegram webhook).
    pub secret_token: Option<String>,
    /// WhatsApp phone number id (`metadata.phone_number_id` of incoming
    /// webhooks): routes WhatsApp webhooks to this tenant.
    pub phone_number_id: Option<String>,
    /// Messenger page id (`entry[].id`): routes Messenger webhooks to this tenant.
    pub page_id: Option<String>,
    /// Slack workspace id (`team_id`): routes Slack webhooks to this tenant
    /// (as `workspace_id` does).
    pub team_id: Option<String>,
    /// Slack app id (`api_app_id`): routes Slack webhooks to this tenant.
    pub api_app_id: Option<String>,
    /// Teams bot (app) id (`recipient.id` of activities, with or without the
    /// `28:` prefix): routes Teams webhooks to this tenant.
    pub app_id: Option<String>,
    /// Other channel settings.
    #[oai(flatten)]
    pub custom: BTreeMap<String, Value>,
}

/// Channel settings by channel name (`web`, `whatsapp`, `messenger`, `slack`,
/// `teams`, `telegram`, `sms`, ...).
pub type ChannelsSettings = BTreeMap<String, ChannelSettings>;

/// One integration (CRM, help desk, or a generic source posting to
/// `/webhooks/generic/{name}` with `Bearer <webhook_token>`).
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct IntegrationSettings {
    /// Vendor, e.g. `salesforce`, `zendesk`.
    pub provider: Option<String>,
    /// Whether the integration is on.
    pub enabled: Option<bool>,
    /// CRM: sync customer data.
    pub sync_customer_data: Option<bool>,
    /// Help desk: create tickets automatically.
    pub auto_create_tickets: Option<bool>,
    /// Bearer token a generic integration authenticates with.
    pub webhook_token: Option<String>,
    /// Other settings of the integration.
    #[oai(flatten)]
    pub custom: BTreeMap<String, Value>,
}

/// Integrations by name; `outgoing_webhook_url` is where the tenant's
/// outgoing webhook points.
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct IntegrationsSettings {
    /// The tenant's outgoing webhook URL (shown in `webhook_endpoints.outgoing`).
    pub outgoing_webhook_url: Option<String>,
    /// Integrations by name (e.g. `crm`, `helpdesk`).
    #[oai(flatten)]
    pub integrations: BTreeMap<String, IntegrationSettings>,
}

/// One OpenAI-compatible chat-completions provider.
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct ProviderSettings {
    /// Base URL (`…/v1`); `/chat/completions` is appended. This server calls
    /// public addresses only: a URL whose host is a loopback, private,
    /// link-local, unspecified or unique-local address (or an IPv6 form of
    /// one) is refused with a field error, and a name that resolves only to
    /// such addresses fails when called, unless the operator allows it
    /// (`FRONTLINE_OUTBOUND_ALLOW`).
    #[oai(validator(
        max_length = 2048,
        pattern = "^[hH][tT][tT][pP][sS]?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]+)?([/?#]\\S*)?$"
    ))]
    pub base_url: Option<String>,
    /// Model name sent to the provider.
    pub model: Option<String>,
    /// API key, sent as `Authorization: Bearer <key>`; stored encrypted and
    /// masked when read back.
    pub api_key: Option<String>,
    /// Sampling temperature, 0-2.
    #[oai(validator(minimum(value = "0"), maximum(value = "2")))]
    pub temperature: Option<f64>,
    /// Most tokens of a reply, 1-32000.
    #[oai(validator(minimum(value = "1"), maximum(value = "32000")))]
    pub max_tokens: Option<i64>,
    /// Request timeout in milliseconds (100-60000, default 10000).
    #[oai(validator(minimum(value = "100"), maximum(value = "60000")))]
    pub timeout_ms: Option<i64>,
    /// System prompt for this provider.
    pub custom_instructions: Option<String>,
    /// Cost per 1000 tokens in cents (for usage and billing), 0-1000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000")))]
    pub cost_per_1k_tokens_cents: Option<f64>,
    /// Other provider settings.
    #[oai(flatten)]
    pub custom: BTreeMap<String, Value>,
}

/// Which AI answers: the providers tried in `fallback_chain` order, then the
/// built-in `rule_based` engine.
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct AiModelSettings {
    /// Primary provider name.
    pub primary_provider: Option<String>,
    /// Primary model name.
    pub primary_model: Option<String>,
    /// Provider names tried in order (1-10).
    #[oai(validator(min_items = 1, max_items = 10))]
    pub fallback_chain: Option<Vec<ProviderName>>,
    /// System prompt.
    pub custom_instructions: Option<String>,
    /// Default sampling temperature, 0-2.
    #[oai(validator(minimum(value = "0"), maximum(value = "2")))]
    pub temperature: Option<f64>,
    /// Default most tokens of a reply, 1-32000.
    #[oai(validator(minimum(value = "1"), maximum(value = "32000")))]
    pub max_tokens: Option<i64>,
    /// Providers by name (referenced from `fallback_chain`).
    pub providers: Option<BTreeMap<String, ProviderSettings>>,
}

/// The tenant configuration, by section. In updates every field is optional
/// and merged into the stored configuration.
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct ConfigurationSections {
    /// General settings: language, time zone, formats, business hours, branding.
    pub general: Option<GeneralSettings>,
    /// How the bot converses: greeting, fallback, thresholds, intents.
    pub chatbot: Option<ChatbotSettings>,
    /// Settings per channel (`web`, `whatsapp`, `messenger`, `slack`, `teams`, `telegram`, `sms`, ...).
    pub channels: Option<ChannelsSettings>,
    /// CRM, help desk and generic integrations.
    pub integrations: Option<IntegrationsSettings>,
    /// Which AI answers, and its parameters.
    pub ai_models: Option<AiModelSettings>,
}

/// The configuration of a new tenant: general settings at the top level
/// (`default_language`, `timezone`, `business_hours`, `branding`, ...) and
/// optionally the other sections.
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct NewTenantConfiguration {
    /// Language code of the default language, e.g. `en`.
    pub default_language: Option<String>,
    /// IANA time zone, e.g. `America/New_York`.
    pub timezone: Option<String>,
    /// ISO 4217 currency code, e.g. `USD`.
    pub currency: Option<String>,
    /// Date format shown to visitors, e.g. `MM/DD/YYYY`.
    pub date_format: Option<String>,
    /// Opening hours per weekday.
    pub business_hours: Option<BusinessHours>,
    /// How the widget looks.
    pub branding: Option<Branding>,
    /// General settings: language, time zone, formats, business hours, branding.
    pub general: Option<GeneralSettings>,
    /// How the bot converses: greeting, fallback, thresholds, intents.
    pub chatbot: Option<ChatbotSettings>,
    /// Settings per channel (`web`, `whatsapp`, `messenger`, `slack`, `teams`, `telegram`, `sms`, ...).
    pub channels: Option<ChannelsSettings>,
    /// CRM, help desk and generic integrations.
    pub integrations: Option<IntegrationsSettings>,
    /// Which AI answers, and its parameters.
    pub ai_models: Option<AiModelSettings>,
    /// Other general settings.
    #[oai(flatten)]
    pub custom: BTreeMap<String, Value>,
}

/// What a tenant may use. Limits given here override the plan's.
#[derive(Object, Debug, Clone, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct TenantFeatures {
    /// Channels the tenant may use.
    pub channels: Option<Vec<Channel>>,
    /// Most integrations.
    #[oai(validator(minimum(value = "1")))]
    pub integrations_limit: Option<i64>,
    /// Most members (overrides the plan's).
    #[oai(validator(minimum(value = "1")))]
    pub users_limit: Option<i64>,
    /// Conversations per month (overrides the plan's).
    #[oai(validator(minimum(value = "1")))]
    pub conversations_per_month: Option<i64>,
    /// API requests per hour for the tenant (overrides the plan's: free 100,
    /// starter 1000, professional 5000, enterprise 20000).
    #[oai(validator(minimum(value = "1")))]
    pub rate_limit_per_hour: Option<i64>,
    /// Requests a month the tenant's API keys may make (overrides the plan's:
    /// free 5000, starter 20000, professional and enterprise 50000); further
    /// ones are refused with 429 `API_CALL_LIMIT_REACHED` until the next UTC month.
    #[oai(validator(minimum(value = "1")))]
    pub api_calls_limit: Option<i64>,
    /// Other feature flags.
    #[oai(flatten)]
    pub custom: BTreeMap<String, Value>,
}

/// Create a tenant.
#[derive(Object, Debug, Clone)]
pub struct CreateTenantRequest {
    /// Tenant name, 1-200 characters.
    pub name: Name200,
    /// The tenant's domain (unique among tenants).
    pub domain: Option<String>,
    /// `free`, `starter` (default), `professional` or `enterprise`.
    pub plan: Option<Plan>,
    /// The owner of the tenant.
    pub admin_user: TenantAdminUser,
    /// Initial configuration: general settings at the top level and optionally the other sections.
    pub configuration: Option<NewTenantConfiguration>,
    /// What the tenant may use; limits given override the plan's.
    pub features: Option<TenantFeatures>,
}

/// Change a tenant. `plan` and `status` only by platform admins.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct UpdateTenantRequest {
    /// New name (not blank).
    pub name: Option<NonBlank>,
    /// The tenant's domain.
    pub domain: Option<String>,
    /// `free`, `starter`, `professional` or `enterprise`.
    pub plan: Option<Plan>,
    /// `active` or `suspended`.
    pub status: Option<TenantStatus>,
    /// Merged into the tenant's features.
    pub features: Option<TenantFeatures>,
}

/// Add (invite) a user to a tenant.
#[derive(Object, Debug, Clone)]
pub struct InviteUserRequest {
    /// The user's e-mail address.
    pub email: Email,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// `owner`, `admin`, `developer`, `agent`, `analyst` or `viewer` (default).
    pub role: Option<MemberRole>,
    /// What the member may do: `conversations:read`, `conversations:write`,
    /// `conversations:export`, `sessions:read`, `sessions:write`,
    /// `analytics:read`, `knowledge:read`, `knowledge:write`,
    /// `integrations:read`, `integrations:write`. Given, these are exactly the
    /// member's permissions; omitted, the role's defaults apply (owners and
    /// admins always have all of them and the tenant admin routes).
    pub permissions: Option<Vec<Permission>>,
    /// Send an invitation e-mail with a single-use link valid for 7 days
    /// (default `true`): the member is `invited` until they accept it and
    /// choose a password. Otherwise the member is active at once.
    pub send_invitation: Option<bool>,
    /// A personal note included in the invitation e-mail (at most 2000 characters).
    #[oai(validator(max_length = 2000))]
    pub invitation_message: Option<String>,
}

/// Update the tenant configuration.
#[derive(Object, Debug, Clone)]
pub struct UpdateConfigurationRequest {
    /// The sections and fields to change; deep-merged into the stored configuration.
    pub configuration: ConfigurationSections,
}

// ----- responses ------------------------------------------------------------

/// A tenant API key as listed (the key itself is shown only at creation).
#[derive(Object, Debug, Clone)]
pub struct ApiKeyInfo {
    /// `live` or `test`.
    #[oai(rename = "type")]
    pub kind: String,
    /// The first characters of the key.
    pub prefix: String,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
}

/// A tenant.
#[derive(Object, Debug, Clone)]
pub struct Tenant {
    /// The tenant.
    pub tenant_id: String,
    /// Name.
    pub name: String,
    /// The tenant's domain.
    pub domain: Option<String>,
    /// `free`, `starter`, `professional` or `enterprise`.
    pub plan: String,
    /// `active` or `suspended`.
    pub status: String,
    /// What the tenant may use; limits given override the plan's.
    pub features: TenantFeatures,
    /// `v<n>`, bumped by each configuration change.
    pub configuration_version: String,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
    /// Members of the tenant.
    pub user_count: i64,
    /// The tenant's API keys (prefixes only).
    pub api_keys: Vec<ApiKeyInfo>,
}

/// A page of tenants.
#[derive(Object, Debug, Clone)]
pub struct TenantList {
    /// This page of tenants.
    pub tenants: Vec<Tenant>,
    /// Where this page is.
    pub pagination: AdminPagination,
}

/// The owner created with a tenant.
#[derive(Object, Debug, Clone)]
pub struct CreatedAdminUser {
    /// The membership id.
    pub user_id: String,
    /// The platform user signing in.
    pub platform_user_id: Option<String>,
    /// E-mail address.
    pub email: String,
    /// Role in the tenant: `owner`, `admin`, `developer`, `agent`, `analyst` or `viewer`.
    pub role: String,
    /// Whether an invitation was sent (the owner is active at once: `false`).
    pub invitation_sent: bool,
}

/// The API keys of a new tenant, shown only here.
#[derive(Object, Debug, Clone)]
pub struct IssuedApiKeys {
    /// `cb_live_…`
    pub primary: String,
    /// `cb_test_…`
    pub test: String,
}

/// Where the tenant's webhooks go.
#[derive(Object, Debug, Clone)]
pub struct WebhookEndpoints {
    /// Where generic events post: the tenant's `incoming` integration
    /// (`POST` with `Authorization: Bearer <incoming_token>`).
    pub incoming: String,
    /// Bearer token of `incoming`, shown only here (stored as
    /// `integrations.incoming.webhook_token`, masked when read; replace it
    /// with `PUT /tenants/{id}/config`). Absent when the configuration sent
    /// at creation already set that token.
    #[oai(skip_serializing_if_is_none)]
    pub incoming_token: Option<String>,
    /// `integrations.outgoing_webhook_url` of the configuration, if set.
    pub outgoing: Option<String>,
}

/// A tenant just created.
#[derive(Object, Debug, Clone)]
pub struct TenantCreated {
    /// The tenant.
    pub tenant_id: String,
    /// Name.
    pub name: String,
    /// The tenant's domain.
    pub domain: Option<String>,
    /// The plan.
    pub plan: String,
    /// `active`.
    pub status: String,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// The owner of the tenant.
    pub admin_user: CreatedAdminUser,
    /// The tenant's API keys, shown only in this response.
    pub api_keys: IssuedApiKeys,
    /// Where the tenant's webhooks go.
    pub webhook_endpoints: WebhookEndpoints,
}

/// A deleted tenant and how many records went with it.
#[derive(Object, Debug, Clone)]
pub struct TenantDeleted {
    /// The tenant.
    pub tenant_id: String,
    /// Always `true`.
    pub deleted: bool,
    /// Rows removed per table.
    pub records_removed: BTreeMap<String, i64>,
}

/// A member of a tenant.
#[derive(Object, Debug, Clone)]
pub struct TenantUser {
    /// The membership id.
    pub user_id: String,
    /// The platform user behind the membership.
    pub platform_user_id: Option<String>,
    /// E-mail address.
    pub email: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Role in the tenant: `owner`, `admin`, `developer`, `agent`, `analyst` or `viewer`.
    pub role: String,
    /// `active` or `invited` (see [`MemberStatus`]); the answer to
    /// `POST /tenants/{id}/users` with an invitation says `invitation_queued`
    /// or `invitation_kept` instead.
    pub status: MemberStatus,
    /// When the open invitation lapses (7 days after it was issued).
    pub invitation_expires_at: Option<String>,
    /// What happened to the open invitation's e-mail: `queued`, `sent`,
    /// `failed` or `not_configured`. Absent without an open invitation.
    #[oai(skip_serializing_if_is_none)]
    pub invitation_delivery: Option<InvitationDelivery>,
    /// Why the invitation e-mail was not sent (with `failed` or
    /// `not_configured`).
    #[oai(skip_serializing_if_is_none)]
    pub invitation_error: Option<String>,
    /// `resource:action` strings, e.g. `conversations:read`.
    pub permissions: Vec<String>,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// The member's agent handle, `agent_<first>_<last>` (e.g.
    /// `agent_john_doe`): a conversation transfer may name the member by it
    /// or by `user_id`. Absent without a name.
    #[oai(skip_serializing_if_is_none)]
    pub agent_id: Option<String>,
}

/// A page of members.
#[derive(Object, Debug, Clone)]
pub struct TenantUserList {
    /// This page of members.
    pub users: Vec<TenantUser>,
    /// Where this page is.
    pub pagination: AdminPagination,
}

/// The tenant configuration (secrets masked).
#[derive(Object, Debug, Clone)]
pub struct TenantConfiguration {
    /// The tenant.
    pub tenant_id: String,
    /// `v<n>`.
    pub configuration_version: String,
    /// The configuration by section (secrets masked).
    pub configuration: ConfigurationSections,
}

/// The outcome of a configuration update.
#[derive(Object, Debug, Clone)]
pub struct ConfigurationUpdate {
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
    /// `v<n>`; unchanged when nothing changed.
    pub configuration_version: String,
    /// Dotted paths of the settings that changed.
    pub changes_applied: Vec<String>,
    /// `deployed`: the changes apply to the next message.
    /// `partially_deployed`: some changed settings cannot take effect with
    /// this configuration (listed in `not_in_effect`); the others apply.
    /// `not_deployed`: none of the changes can take effect yet.
    pub deployment_status: String,
    /// Changed settings that are stored but have no effect, with why in
    /// `not_in_effect_reason` (e.g. `ai_models.temperature` while no provider
    /// with a `base_url` comes before `rule_based`).
    #[oai(default, skip_serializing_if_is_empty)]
    pub not_in_effect: Vec<String>,
    /// Why the settings of `not_in_effect` have no effect.
    #[oai(skip_serializing_if_is_none)]
    pub not_in_effect_reason: Option<String>,
}

/// Start, end and days left of the billing period (the calendar month, UTC).
#[derive(Object, Debug, Clone)]
pub struct BillingPeriod {
    /// First second of the period (RFC 3339, UTC).
    pub start: String,
    /// Last second of the period (RFC 3339, UTC).
    pub end: String,
    /// Whole days left after today.
    pub days_remaining: i64,
}

/// One line of a bill.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct BillingLineItem {
    /// What is billed.
    pub description: String,
    /// How many (only where counted).
    pub quantity: Option<i64>,
    /// Price of one, in cents.
    pub unit_price_cents: Option<i64>,
    /// Amount in cents.
    pub amount_cents: i64,
}

/// The bill of the current period.
#[derive(Object, Debug, Clone)]
pub struct BillingInfo {
    /// The tenant.
    pub tenant_id: String,
    /// `free`, `starter`, `professional` or `enterprise`.
    pub plan: String,
    /// Always `USD`.
    pub currency: String,
    /// `YYYY-MM`.
    pub period: String,
    /// The bill's lines.
    pub line_items: Vec<BillingLineItem>,
    /// Sum in cents.
    pub total_cents: i64,
    /// The billing period (the calendar month, UTC).
    pub billing_period: BillingPeriod,
}

/// Conversations started in the period.
#[derive(Object, Debug, Clone)]
pub struct ConversationUsage {
    /// Conversations started in the period.
    pub total: i64,
    /// Closed.
    pub completed: i64,
    /// Not closed, never escalated, and without activity for 30 minutes or
    /// more: the customer left without a resolution.
    pub abandoned: i64,
    /// Transferred to a human at least once.
    pub escalated: i64,
    /// Still open.
    pub active: i64,
}

/// Messages sent in the period.
#[derive(Object, Debug, Clone)]
pub struct MessageUsage {
    /// Messages in the period.
    pub total: i64,
    /// From visitors.
    pub inbound: i64,
    /// From the bot.
    pub outbound: i64,
    /// Messages per channel.
    pub by_channel: BTreeMap<String, i64>,
}

/// AI provider costs of the period.
#[derive(Object, Debug, Clone)]
pub struct AiCostUsage {
    /// AI costs of the period in cents.
    pub total_cents: i64,
    /// With `detailed=true`: cents per provider, by the name the tenant gave
    /// it in `ai_models.providers` (`built_in` for the built-in engine and
    /// knowledge answers; `unknown` for a model no longer configured).
    #[oai(skip_serializing_if_is_none)]
    pub by_provider: Option<BTreeMap<String, i64>>,
    /// Cents per model (`rule_based` for the built-in engine).
    pub by_model: BTreeMap<String, i64>,
}

/// API and webhook calls of the period.
#[derive(Object, Debug, Clone)]
pub struct IntegrationUsage {
    /// Requests made with the tenant's API keys in the period (any
    /// operation, counted as they arrive).
    pub api_calls: i64,
    /// Channel webhook calls received.
    pub webhook_calls: i64,
    /// With `detailed=true`: events delivered to the tenant's webhook
    /// subscriptions (its own systems) in the period.
    #[oai(skip_serializing_if_is_none)]
    pub data_sync_operations: Option<i64>,
}

/// What was used.
#[derive(Object, Debug, Clone)]
pub struct UsageFigures {
    /// Conversations started in the period.
    pub conversations: ConversationUsage,
    /// Messages sent in the period.
    pub messages: MessageUsage,
    /// AI provider costs.
    pub ai_costs: AiCostUsage,
    /// CRM, help desk and generic integrations.
    pub integrations: IntegrationUsage,
}

/// The plan's limits and how much of them is used.
#[derive(Object, Debug, Clone)]
pub struct UsageLimits {
    /// Conversations per month included in the plan (or the tenant's override).
    pub conversations_limit: i64,
    /// Share of the conversations limit used, percent.
    pub conversations_used_percent: f64,
    /// API calls per month included in the plan (reported, not enforced).
    pub api_calls_limit: i64,
    /// Share of the API calls limit used, percent.
    pub api_calls_used_percent: f64,
}

/// Usage of the current month, computed from stored conversations and messages.
#[derive(Object, Debug, Clone)]
pub struct UsageReport {
    /// The tenant.
    pub tenant_id: String,
    /// `YYYY-MM`.
    pub period: String,
    /// What was used.
    pub usage: UsageFigures,
    /// The plan's limits and how much is used.
    pub limits: UsageLimits,
    /// The billing period (the calendar month, UTC).
    pub billing_period: BillingPeriod,
}

/// `201 Created` with a typed payload in the success envelope.
#[derive(ApiResponse)]
pub enum CreatedResponse<T: ParseFromJSON + ToJSON + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Envelope<T>>),
}

impl<T: ParseFromJSON + ToJSON + Send + Sync> CreatedResponse<T> {
    pub fn new(data: T) -> Self {
        CreatedResponse::Created(Json(Envelope::success(data)))
    }
}
