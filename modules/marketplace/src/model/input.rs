//! Request bodies of the marketplace document, camelCase.

use poem_openapi::Object;

use super::types::*;

// Validator bounds shared by the fields below (the service checks the same rules).
// A price, rate or fee: above 0, at most 1e9. A duration: 1 to 1440 minutes.

/// A service address.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Street and number.
    #[oai(validator(max_length = 200))]
    pub street: Option<String>,
    /// City.
    #[oai(validator(max_length = 100))]
    pub city: Option<String>,
    /// Postal code.
    #[oai(validator(max_length = 20))]
    pub postal_code: Option<String>,
}

/// Where the provider works: `coordinates` are `[longitude, latitude]`, `serviceRadius` in km.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct PricingLocation {
    /// `[longitude, latitude]`: longitude -180 to 180, latitude -90 to 90.
    #[oai(validator(
        min_items = 2,
        max_items = 2,
        minimum(value = "-180"),
        maximum(value = "180")
    ))]
    pub coordinates: Option<Vec<f64>>,
    /// The address.
    pub address: Option<Address>,
    /// Km around the coordinates served without a travel fee: above 0, at most 500 (default 10).
    #[oai(validator(minimum(value = "0", exclusive), maximum(value = "500")))]
    pub service_radius: Option<f64>,
}

/// Surcharges in percent of the base price (`rushFee`, `weekendFee`) and a flat
/// `travelFee` charged when the customer is outside the service radius.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct DynamicPricing {
    /// Whether the fees apply (default false).
    pub enabled: Option<bool>,
    /// Percent of the base price for same-day service, 0 to 100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub rush_fee: Option<f64>,
    /// Percent of the base price on Saturdays and Sundays, 0 to 100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub weekend_fee: Option<f64>,
    /// Amount charged outside the service radius, 0 to 1000000000.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000")))]
    pub travel_fee: Option<f64>,
}

/// Discounts in percent of the base price.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct Discounts {
    /// Percent of the base price off for a first booking, 0 to 100.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub new_customer_discount: Option<f64>,
}

/// One tier of tiered pricing.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct Tier {
    /// The tier's name, unique within the configuration (required).
    #[oai(validator(max_length = 100))]
    pub tier_name: Option<String>,
    /// Its name for customers.
    #[oai(validator(max_length = 200))]
    pub display_name: Option<String>,
    /// Its price (required): above 0, at most 1000000000.
    #[oai(validator(minimum(value = "0", exclusive), maximum(value = "1000000000")))]
    pub price: Option<f64>,
    /// Minutes, 1 to 1440.
    #[oai(validator(minimum(value = "1"), maximum(value = "1440")))]
    pub duration: Option<i64>,
}

/// One package of package pricing.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    /// The package's name (required).
    #[oai(validator(max_length = 100))]
    pub package_name: Option<String>,
    /// What it includes.
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// Its price (required): above 0, at most 1000000000.
    #[oai(validator(minimum(value = "0", exclusive), maximum(value = "1000000000")))]
    pub price: Option<f64>,
    /// Sessions included, 1 to 1000.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub sessions: Option<i64>,
    /// Minutes, 1 to 1440.
    #[oai(validator(minimum(value = "1"), maximum(value = "1440")))]
    pub duration: Option<i64>,
}

/// A pricing configuration as submitted (create, bulk item) or changed (update, all optional).
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct PricingInput {
    /// The category: a 24-character hex id or a slug (1 to 64 letters, digits, `-` or `_`);
    /// an unknown one is registered on first use.
    pub service_category_id: Option<CategoryRef>,
    /// The sub-category, the same way.
    pub service_sub_category_id: Option<CategoryRef>,
    /// The service's name (required to create; unique per provider, ignoring case).
    #[oai(validator(max_length = 200))]
    pub service_name: Option<String>,
    /// What the service is.
    #[oai(validator(max_length = 2000))]
    pub service_description: Option<String>,
    /// How it is priced (required to create): `flat` needs `flatRate`, `hourly`
    /// `hourlyRate`, `tiered` `tiers`, `package` `packages`.
    pub pricing_type: Option<PricingType>,
    /// Price of the service: above 0, at most 1000000000.
    #[oai(validator(minimum(value = "0", exclusive), maximum(value = "1000000000")))]
    pub flat_rate: Option<f64>,
    /// Price per hour: above 0, at most 1000000000.
    #[oai(validator(minimum(value = "0", exclusive), maximum(value = "1000000000")))]
    pub hourly_rate: Option<f64>,
    /// Fewest hours charged: above 0, at most 24.
    #[oai(validator(minimum(value = "0", exclusive), maximum(value = "24")))]
    pub minimum_hours: Option<f64>,
    /// Most hours bookable: above 0, at most 24, not below `minimumHours`.
    #[oai(validator(minimum(value = "0", exclusive), maximum(value = "24")))]
    pub maximum_hours: Option<f64>,
    /// The tiers (tiered pricing: at least one).
    pub tiers: Option<Vec<Tier>>,
    /// The packages (package pricing: at least one).
    pub packages: Option<Vec<Package>>,
    /// What the rate includes.
    #[oai(validator(max_length = 2000))]
    pub rate_description: Option<String>,
    /// ISO 4217 code, default KES.
    pub currency: Option<CurrencyCode>,
    /// Where the provider works.
    pub location: Option<PricingLocation>,
    /// Surcharges.
    pub dynamic_pricing: Option<DynamicPricing>,
    /// Discounts.
    pub discounts: Option<Discounts>,
    /// Whether customers can find and book it (default true).
    pub is_active: Option<bool>,
    /// Why the price changed (updates; kept in the history), at most 500 characters.
    #[oai(validator(max_length = 500))]
    #[serde(skip_serializing)]
    pub reason: Option<String>,
}

/// Several pricing configurations at once.
#[derive(Object)]
pub struct BulkPricing {
    /// 1 to 100 configurations; each invalid one is reported, not created.
    #[oai(validator(min_items = 1, max_items = 100))]
    pub pricing: Vec<PricingInput>,
}

/// Where the customer wants the service.
#[derive(Object, Clone, Debug, Default)]
pub struct EstimateLocation {
    /// `[longitude, latitude]`: longitude -180 to 180, latitude -90 to 90.
    #[oai(validator(
        min_items = 2,
        max_items = 2,
        minimum(value = "-180"),
        maximum(value = "180")
    ))]
    pub coordinates: Option<Vec<f64>>,
    /// The address, for people.
    #[oai(validator(max_length = 500))]
    pub address: Option<String>,
}

/// What to price.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct EstimateRequest {
    /// The provider (when given, it must own the configuration).
    pub provider_id: Option<String>,
    /// The configuration to price.
    pub service_pricing_id: String,
    /// When given, it must be the configuration's pricing type.
    pub pricing_type: Option<PricingType>,
    /// When the service is wanted.
    pub booking_date: Option<DateOrTime>,
    /// Minutes, 1 to 1440 (hourly pricing charges for the hours this covers).
    #[oai(validator(minimum(value = "1"), maximum(value = "1440")))]
    pub duration: Option<i64>,
    /// For tiered pricing: which tier (default the cheapest).
    pub tier_name: Option<String>,
    /// For package pricing: which package (default the cheapest).
    pub package_name: Option<String>,
    /// Where the customer wants the service (for the travel fee).
    pub location: Option<EstimateLocation>,
    /// Same-day service (rush fee).
    pub is_rush: Option<bool>,
    /// When omitted, taken from `bookingDate` (Saturday or Sunday).
    pub is_weekend: Option<bool>,
    /// A first booking (new-customer discount).
    pub is_new_customer: Option<bool>,
}

/// A review of a completed booking.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct ReviewInput {
    /// The caller's completed booking.
    pub booking_id: String,
    /// 1 to 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub overall_rating: i64,
    /// Ratings 1 to 5 of punctuality, quality, professionalism, communication and value.
    pub category_ratings: Option<CategoryRatings>,
    /// At most 200 characters.
    #[oai(validator(max_length = 200))]
    pub title: Option<String>,
    /// At most 5000 characters.
    #[oai(validator(max_length = 5000))]
    pub comment: Option<String>,
    /// What was good: at most 10 items of 1 to 100 characters.
    #[oai(validator(max_items = 10, min_length = 1, max_length = 100, pattern = "\\S"))]
    pub pros: Option<Vec<String>>,
    /// At most 5 http(s) URLs.
    #[oai(validator(max_items = 5, max_length = 2048, pattern = "^https?://"))]
    pub photos: Option<Vec<String>>,
    /// Where the review was written.
    pub source: Option<ReviewSource>,
}

impl CategoryRatings {
    /// The categories rated, with their ratings.
    pub fn entries(&self) -> Vec<(&'static str, i64)> {
        [
            ("punctuality", self.punctuality),
            ("quality", self.quality),
            ("professionalism", self.professionalism),
            ("communication", self.communication),
            ("value", self.value),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

/// Ratings per category, 1 to 5 each (other keys are ignored).
#[derive(Object, Clone, Debug, Default, serde::Serialize)]
pub struct CategoryRatings {
    /// 1 to 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub punctuality: Option<i64>,
    /// 1 to 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<i64>,
    /// 1 to 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub professionalism: Option<i64>,
    /// 1 to 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub communication: Option<i64>,
    /// 1 to 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
}

/// A provider's public answer.
#[derive(Object)]
pub struct ResponseInput {
    /// The answer, 1 to 1000 characters.
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub response: NonBlank,
}

/// A reader's vote.
#[derive(Object)]
pub struct VoteInput {
    /// `helpful` or `not_helpful`.
    pub vote: Vote,
}

/// Why the customer declines.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct DeclineInput {
    /// Why (default not_interested).
    pub reason: Option<DeclineReason>,
    /// In the customer's words, at most 1000 characters.
    #[oai(validator(max_length = 1000))]
    pub feedback: Option<String>,
    /// Turn review requests off.
    pub permanently_opt_out: Option<bool>,
}

/// Review request preferences (all optional; unchanged when omitted).
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Preferences {
    /// Whether the customer gets review requests.
    pub review_requests_enabled: Option<bool>,
    /// How requests reach the customer.
    pub preferred_channel: Option<Channel>,
    /// When requests reach the customer.
    pub preferred_time_of_day: Option<TimeOfDay>,
    /// 0 to 31.
    #[oai(validator(minimum(value = "0"), maximum(value = "31")))]
    pub max_requests_per_month: Option<i64>,
    /// The phone number SMS and WhatsApp requests go to, in E.164 form
    /// (`+254712345678`); without it those channels fail with that reason.
    pub phone: Option<PhoneNumber>,
}

/// A moderator's decision.
#[derive(Object)]
pub struct ModerateInput {
    /// approve, reject (hides the review) or flag.
    pub action: ModerationAction,
    /// Why, at most 1000 characters.
    #[oai(validator(max_length = 1000))]
    pub reason: Option<String>,
}

/// What the campaign tests.
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Experiment {
    /// timing, channel, incentive or message.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: ExperimentType,
    /// What it is.
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// What is expected.
    #[oai(validator(max_length = 2000))]
    pub hypothesis: Option<String>,
}

/// What a variant's customers receive. Timing: `delay` `unit`s (minutes, hours, days)
/// after the booking completes, then at `time` (HH:MM UTC) when given; `channel`
/// overrides the customer's preferred channel; `incentive` is the reward given for a
/// review (default discount_100); `message` is the request's text. A campaign's
/// experiment type needs its setting in every variant: timing `delay` or `time`,
/// channel `channel`, incentive `incentive`, message `message`.
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct VariantConfig {
    /// 0 to 10000 `unit`s (default 0).
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    pub delay: Option<i64>,
    /// Default hours.
    pub unit: Option<DelayUnit>,
    /// HH:MM UTC.
    pub time: Option<ClockTime>,
    /// Overrides the customer's preferred channel.
    pub channel: Option<Channel>,
    /// The reward this variant's reviewers receive (default discount_100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incentive: Option<IncentiveType>,
    /// The review request's text, 1 to 1000 characters; `{provider}` and `{service}`
    /// are replaced by the provider's name and the service booked.
    #[oai(validator(min_length = 1, max_length = 1000))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<NonBlank>,
}

/// One arm of the experiment.
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Variant {
    /// Unique within the campaign.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub variant_id: NonBlank,
    /// Its name.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: NonBlank,
    /// When and how its requests go out.
    pub config: VariantConfig,
    /// Percent of the campaign's requests, above 0, at most 100; all variants add up to 100.
    #[oai(validator(minimum(value = "0", exclusive), maximum(value = "100")))]
    pub traffic_allocation: f64,
}

/// Who takes part.
#[derive(Object, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Targeting {
    /// Category ids (24 hex digits); none: every category.
    pub service_categories: Option<Vec<HexId>>,
    /// Requests to assign, at least 2.
    #[oai(validator(minimum(value = "2")))]
    pub sample_size: Option<i64>,
}

/// An A/B test of review requests.
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct CampaignInput {
    /// 1 to 200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: NonBlank,
    /// What it tests.
    pub experiment: Experiment,
    /// 2 to 10 variants with unique ids.
    #[oai(validator(min_items = 2, max_items = 10))]
    pub variants: Vec<Variant>,
    /// Who takes part.
    pub targeting: Option<Targeting>,
    /// When it starts.
    pub start_date: DateOrTime,
    /// When it ends, after `startDate`.
    pub end_date: DateOrTime,
}

/// Extension: a campaign's new status.
#[derive(Object)]
pub struct CampaignStatusInput {
    /// draft, active, paused or completed (a completed campaign stays completed).
    pub status: CampaignStatus,
}

/// A webhook to register.
#[derive(Object)]
pub struct WebhookInput {
    /// An absolute http(s) URL of a public address, at most 2048 characters.
    #[oai(validator(max_length = 2048))]
    pub url: HttpUrl,
    /// The events to receive (at least one).
    #[oai(validator(min_items = 1))]
    pub events: Vec<WebhookEvent>,
    /// Signing secret (16-256 characters); generated when omitted and shown once.
    #[oai(validator(min_length = 16, max_length = 256))]
    pub secret: Option<String>,
    /// What it is for.
    pub description: Option<String>,
}

/// Extension: a service category.
#[derive(Object)]
pub struct CategoryInput {
    /// 1 to 100 characters, unique ignoring case.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: NonBlank,
    /// At most 2000 characters.
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
}

/// Extension: the caller's provider profile.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct ProviderProfileInput {
    /// 1 to 200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<NonBlank>,
    /// Image URL.
    #[oai(validator(max_length = 2048))]
    pub profile_image: Option<String>,
    /// `coordinates` `[longitude, latitude]` and `address`.
    pub location: Option<PricingLocation>,
}

/// Extension: the caller's customer profile.
#[derive(Object)]
pub struct CustomerProfileInput {
    /// 1 to 200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<NonBlank>,
}

/// Extension: a booking of one priced service.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct BookingInput {
    /// The configuration to book.
    pub service_pricing_id: String,
    /// When the service takes place.
    pub service_date: DateOrTime,
    /// Minutes, 1 to 1440, default 60.
    #[oai(validator(minimum(value = "1"), maximum(value = "1440")))]
    pub duration: Option<i64>,
    /// A review incentive code to redeem on this booking.
    pub incentive_code: Option<String>,
}

/// Extension: a booking status change.
#[derive(Object)]
pub struct BookingStatusInput {
    /// confirmed, completed (provider or admin) or cancelled.
    pub status: BookingTransition,
}
