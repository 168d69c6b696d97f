//! Request bodies of the marketplace document, camelCase.

use poem_openapi::Object;

/// A service address.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub street: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
}

/// Where the provider works: `coordinates` are `[longitude, latitude]`, `serviceRadius` in km.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct PricingLocation {
    pub coordinates: Option<Vec<f64>>,
    pub address: Option<Address>,
    pub service_radius: Option<f64>,
}

/// Surcharges in percent of the base price (`rushFee`, `weekendFee`) and a flat
/// `travelFee` charged when the customer is outside the service radius.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct DynamicPricing {
    pub enabled: Option<bool>,
    /// 0 to 100.
    pub rush_fee: Option<f64>,
    /// 0 to 100.
    pub weekend_fee: Option<f64>,
    /// 0 to 1000000000.
    pub travel_fee: Option<f64>,
}

/// Discounts in percent of the base price.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct Discounts {
    pub new_customer_discount: Option<f64>,
}

/// One tier of tiered pricing.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct Tier {
    pub tier_name: Option<String>,
    pub display_name: Option<String>,
    /// Above 0, at most 1000000000.
    pub price: Option<f64>,
    /// Minutes, 1 to 1440.
    pub duration: Option<i64>,
}

/// One package of package pricing.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    pub package_name: Option<String>,
    pub description: Option<String>,
    /// Above 0, at most 1000000000.
    pub price: Option<f64>,
    /// 1 to 1000.
    pub sessions: Option<i64>,
    /// Minutes, 1 to 1440.
    pub duration: Option<i64>,
}

/// A pricing configuration as submitted (create, bulk item) or changed (update, all optional).
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct PricingInput {
    pub service_category_id: Option<String>,
    pub service_sub_category_id: Option<String>,
    pub service_name: Option<String>,
    pub service_description: Option<String>,
    /// flat, hourly, tiered or package.
    pub pricing_type: Option<String>,
    /// Above 0, at most 1000000000.
    pub flat_rate: Option<f64>,
    /// Above 0, at most 1000000000.
    pub hourly_rate: Option<f64>,
    /// Above 0, at most 24.
    pub minimum_hours: Option<f64>,
    /// Above 0, at most 24.
    pub maximum_hours: Option<f64>,
    pub tiers: Option<Vec<Tier>>,
    pub packages: Option<Vec<Package>>,
    pub rate_description: Option<String>,
    /// ISO 4217 code, default KES.
    pub currency: Option<String>,
    pub location: Option<PricingLocation>,
    pub dynamic_pricing: Option<DynamicPricing>,
    pub discounts: Option<Discounts>,
    pub is_active: Option<bool>,
    /// Why the price changed (updates; kept in the history).
    #[serde(skip_serializing)]
    pub reason: Option<String>,
}

/// Several pricing configurations at once.
#[derive(Object)]
pub struct BulkPricing {
    pub pricing: Vec<PricingInput>,
}

/// Where the customer wants the service.
#[derive(Object, Clone, Debug, Default)]
pub struct EstimateLocation {
    /// `[longitude, latitude]`.
    pub coordinates: Option<Vec<f64>>,
    pub address: Option<String>,
}

/// What to price.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct EstimateRequest {
    pub provider_id: Option<String>,
    pub service_pricing_id: String,
    pub pricing_type: Option<String>,
    pub booking_date: Option<String>,
    /// Minutes (hourly pricing charges for the hours this covers).
    pub duration: Option<i64>,
    /// For tiered pricing: which tier (default the cheapest).
    pub tier_name: Option<String>,
    /// For package pricing: which package (default the cheapest).
    pub package_name: Option<String>,
    pub location: Option<EstimateLocation>,
    pub is_rush: Option<bool>,
    /// When omitted, taken from `bookingDate` (Saturday or Sunday).
    pub is_weekend: Option<bool>,
    pub is_new_customer: Option<bool>,
}

/// A review of a completed booking.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct ReviewInput {
    pub booking_id: String,
    pub overall_rating: i64,
    pub category_ratings: Option<std::collections::BTreeMap<String, i64>>,
    pub title: Option<String>,
    pub comment: Option<String>,
    pub pros: Option<Vec<String>>,
    pub photos: Option<Vec<String>>,
    pub source: Option<String>,
}

/// A provider's public answer.
#[derive(Object)]
pub struct ResponseInput {
    pub response: String,
}

/// `helpful` or `not_helpful`.
#[derive(Object)]
pub struct VoteInput {
    pub vote: String,
}

/// Why the customer declines.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct DeclineInput {
    pub reason: Option<String>,
    pub feedback: Option<String>,
    pub permanently_opt_out: Option<bool>,
}

/// Review request preferences (all optional; unchanged when omitted).
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    pub review_requests_enabled: Option<bool>,
    /// push, sms, whatsapp or email.
    pub preferred_channel: Option<String>,
    /// morning, afternoon or evening.
    pub preferred_time_of_day: Option<String>,
    pub max_requests_per_month: Option<i64>,
}

/// approve, reject or flag.
#[derive(Object)]
pub struct ModerateInput {
    pub action: String,
    pub reason: Option<String>,
}

/// What the campaign tests.
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Experiment {
    /// timing, channel, incentive or message.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    pub description: Option<String>,
    pub hypothesis: Option<String>,
}

/// When a variant's request goes out after the booking completes: `delay` `unit`s
/// (minutes, hours, days), then at `time` (HH:MM UTC) when given; `channel` overrides
/// the customer's preferred channel.
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct VariantConfig {
    pub delay: Option<i64>,
    pub unit: Option<String>,
    pub time: Option<String>,
    pub channel: Option<String>,
}

/// One arm of the experiment.
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Variant {
    pub variant_id: String,
    pub name: String,
    pub config: VariantConfig,
    /// Percent of the campaign's requests; all variants add up to 100.
    pub traffic_allocation: f64,
}

/// Who takes part.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Targeting {
    pub service_categories: Option<Vec<String>>,
    pub sample_size: Option<i64>,
}

/// An A/B test of review requests.
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct CampaignInput {
    pub name: String,
    pub experiment: Experiment,
    pub variants: Vec<Variant>,
    pub targeting: Option<Targeting>,
    pub start_date: String,
    pub end_date: String,
}

/// Extension: a campaign's new status.
#[derive(Object)]
pub struct CampaignStatusInput {
    /// draft, active, paused or completed.
    pub status: String,
}

/// A webhook to register.
#[derive(Object)]
pub struct WebhookInput {
    pub url: String,
    /// review.created, review.response_added, pricing.updated, review.request.delivered.
    pub events: Vec<String>,
    /// Signing secret (16-256 characters); generated when omitted and shown once.
    pub secret: Option<String>,
    pub description: Option<String>,
}

/// Extension: a service category.
#[derive(Object)]
pub struct CategoryInput {
    pub name: String,
    pub description: Option<String>,
}

/// Extension: the caller's provider profile.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct ProviderProfileInput {
    pub name: Option<String>,
    pub profile_image: Option<String>,
    /// `coordinates` `[longitude, latitude]` and `address`.
    pub location: Option<PricingLocation>,
}

/// Extension: the caller's customer profile.
#[derive(Object)]
pub struct CustomerProfileInput {
    pub name: Option<String>,
}

/// Extension: a booking of one priced service.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct BookingInput {
    pub service_pricing_id: String,
    pub service_date: String,
    /// Minutes, default 60.
    pub duration: Option<i64>,
    /// A review incentive code to redeem on this booking.
    pub incentive_code: Option<String>,
}

/// Extension: a booking status change.
#[derive(Object)]
pub struct BookingStatusInput {
    /// confirmed, completed or cancelled.
    pub status: String,
}
