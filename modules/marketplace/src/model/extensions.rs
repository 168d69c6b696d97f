//! Answers of what the document assumes exists (categories, profiles, bookings)
//! and of its webhooks.

use poem_openapi::types::MaybeUndefined;
use poem_openapi::Object;

use super::{Rating, ReviewPreferences};

/// Extension: a service category.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ServiceCategory {
    /// Its id: 24 hex digits, or the reference it was registered under on first use.
    pub service_category_id: String,
    /// Its name (its reference until an admin names it).
    pub name: String,
    /// What it covers.
    pub description: Option<String>,
    /// When it was created.
    pub created_at: String,
    /// Its name in lower case with `-` between words; it can stand for the id.
    pub slug: Option<String>,
    /// Whether an admin has named it.
    pub named: bool,
}

/// Where a provider is.
#[derive(Object, Clone, Debug)]
pub struct ProviderLocation {
    /// `[longitude, latitude]` (null when unknown).
    pub coordinates: Option<Vec<f64>>,
    /// Street address (null when unknown).
    pub address: Option<String>,
    /// City (null when unknown).
    pub city: Option<String>,
}

/// Extension: a provider's public profile.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ProviderProfile {
    /// The provider.
    pub provider_id: String,
    /// Its name.
    pub provider_name: String,
    /// Its image URL (null when none).
    pub profile_image: Option<String>,
    /// Where it is.
    pub location: ProviderLocation,
    /// Its rating, from its visible reviews.
    pub rating: Rating,
    /// When the profile was created.
    pub created_at: String,
}

/// Extension: the caller's customer profile.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CustomerProfile {
    /// The customer.
    pub customer_id: String,
    /// The customer's name.
    pub name: String,
    /// Review request preferences.
    pub preferences: ReviewPreferences,
    /// When the profile was created.
    pub created_at: String,
}

/// The review request a completed booking created (or why none was).
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReviewRequestScheduled {
    /// Whether a request was created.
    pub created: bool,
    /// Why none was (only when `created` is false).
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
    /// The request (only when created).
    #[oai(skip_serializing_if_is_none)]
    pub request_id: Option<String>,
    /// When it goes out.
    #[oai(skip_serializing_if_is_none)]
    pub scheduled_at: Option<String>,
    /// push, sms, whatsapp or email.
    #[oai(skip_serializing_if_is_none)]
    pub channel: Option<String>,
    /// `next_morning`, `2_hours`, ...
    #[oai(skip_serializing_if_is_none)]
    pub timing_strategy: Option<String>,
    /// The campaign that assigned it (null when none did).
    pub campaign_id: MaybeUndefined<String>,
    /// The campaign variant (null when none did).
    pub variant_id: MaybeUndefined<String>,
}

impl ReviewRequestScheduled {
    /// No request was created, for `reason`.
    pub fn skipped(reason: &str) -> Self {
        ReviewRequestScheduled {
            created: false,
            reason: Some(reason.into()),
            request_id: None,
            scheduled_at: None,
            channel: None,
            timing_strategy: None,
            campaign_id: MaybeUndefined::Undefined,
            variant_id: MaybeUndefined::Undefined,
        }
    }
}

/// Extension: a booking.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Booking {
    /// The booking.
    pub booking_id: String,
    /// The customer who booked.
    pub customer_id: String,
    /// The provider booked.
    pub provider_id: String,
    /// The configuration booked.
    pub service_pricing_id: String,
    /// The service's name.
    pub service_type: String,
    /// When the service takes place.
    pub service_date: String,
    /// Minutes.
    pub duration: i64,
    /// What the customer pays (after a redeemed reward).
    pub price: f64,
    /// pending, confirmed, completed or cancelled.
    pub status: String,
    /// When it was completed (null until then).
    pub completed_at: Option<String>,
    /// When it was booked.
    pub created_at: String,
    /// The review reward redeemed on it (null when none).
    pub incentive_code: Option<String>,
    /// On completion: the review request it created.
    #[oai(skip_serializing_if_is_none)]
    pub review_request: Option<ReviewRequestScheduled>,
}

/// A registered webhook (the platform's shape, shared by the modules).
pub use frontline_platform::events::WebhookView as Webhook;

/// A deleted webhook.
#[derive(Object, Clone, Debug)]
pub struct WebhookDeleted {
    /// The webhook.
    pub id: String,
    /// Always true.
    pub deleted: bool,
}
