//! Answers of the analytics APIs (document §18-§20).

use poem_openapi::Object;

use super::RatingDistribution;

/// The period analysed.
#[derive(Object, Clone, Debug)]
pub struct Period {
    /// Its start.
    pub start: String,
    /// Its end.
    pub end: String,
}

/// Counts of pricing configurations.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PricingOverview {
    /// All configurations.
    pub total_pricing_configs: i64,
    /// Active ones.
    pub active_configs: i64,
    /// Updates in the period.
    pub price_changes: i64,
    /// Average price of the most common active pricing type (0 without any).
    pub average_price: f64,
    /// That type (null without any).
    pub average_price_type: Option<String>,
    /// What its price is for (null without any).
    pub average_price_unit: Option<String>,
}

/// Active configurations of one pricing type.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PricingByType {
    /// flat, hourly, tiered or package.
    pub pricing_type: String,
    /// Active configurations of this type.
    pub count: i64,
    /// Their average price.
    pub average_price: f64,
}

/// The provider's prices against the market's of the same type.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PriceComparison {
    /// The provider's most common pricing type.
    pub pricing_type: String,
    /// What its price is for.
    pub unit: String,
    /// The provider's average price of that type.
    pub your_average_price: f64,
    /// The market's, in the provider's categories.
    pub market_average: f64,
    /// The provider's rank (`65th`).
    pub percentile: String,
    /// Market prices compared.
    pub market_sample_size: usize,
}

/// Completed bookings of one day.
#[derive(Object, Clone, Debug)]
pub struct RevenueTrend {
    /// The day, YYYY-MM-DD.
    pub date: String,
    /// Bookings completed.
    pub bookings: i64,
    /// Their price total.
    pub revenue: f64,
}

/// §18: pricing analytics.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PricingAnalytics {
    /// The period analysed.
    pub period: Period,
    /// The provider analysed (null: the whole platform).
    pub provider_id: Option<String>,
    /// Counts.
    pub overview: PricingOverview,
    /// Per pricing type.
    pub pricing_by_type: Vec<PricingByType>,
    /// Against the market (null for the whole platform or without prices).
    pub price_comparison: Option<PriceComparison>,
    /// Completed bookings per day.
    pub revenue_trends: Vec<RevenueTrend>,
}

/// Review counts of a period.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReviewOverview {
    /// Visible reviews.
    pub total_reviews: i64,
    /// Their average rating (0 without any).
    pub average_rating: f64,
    /// Percent of them the provider answered.
    pub response_rate: f64,
}

/// Reviews of one day.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReviewTrend {
    /// The day, YYYY-MM-DD.
    pub date: String,
    /// Reviews submitted.
    pub reviews: i64,
    /// Their average rating.
    pub average_rating: f64,
}

/// Average category ratings (null when none was given).
#[derive(Object, Clone, Debug)]
pub struct CategoryBreakdown {
    /// Punctuality.
    pub punctuality: Option<f64>,
    /// Quality.
    pub quality: Option<f64>,
    /// Professionalism.
    pub professionalism: Option<f64>,
    /// Communication.
    pub communication: Option<f64>,
    /// Value.
    pub value: Option<f64>,
}

/// The provider's rating against the other rated providers.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CompetitorComparison {
    /// The provider's average rating.
    pub your_rating: f64,
    /// Rated providers' average.
    pub market_average: f64,
    /// The provider's rank (`85th`).
    pub percentile: String,
    /// Rated providers compared.
    pub providers_compared: usize,
}

/// §19: review analytics.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReviewAnalytics {
    /// The period analysed.
    pub period: Period,
    /// The provider analysed (null: the whole platform).
    pub provider_id: Option<String>,
    /// Counts.
    pub overview: ReviewOverview,
    /// Reviews per rating.
    pub rating_distribution: RatingDistribution,
    /// Reviews per day.
    pub trends: Vec<ReviewTrend>,
    /// Category averages.
    pub category_breakdown: CategoryBreakdown,
    /// Against the market (null for the whole platform or without reviews).
    pub competitor_comparison: Option<CompetitorComparison>,
}

/// Review requests created in the period.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct RequestFigures {
    /// Accepted by their channel (push endpoint, Twilio, WhatsApp Cloud API,
    /// SMTP server); includes `delivered`.
    pub sent: i64,
    /// Reported delivered by the channel: SMS through Twilio status callbacks
    /// (with the server's `public_url`), WhatsApp through its status webhook;
    /// push and e-mail never report it.
    pub delivered: i64,
    /// Refused by the channel, still failing after the retries, or reported
    /// undelivered by the channel afterwards.
    pub failed: i64,
    /// Not sent because the server has no credentials for the channel.
    pub not_configured: i64,
    /// Percent of attempted requests (sent, failed or not configured) the channel accepted.
    pub delivery_rate: f64,
}

/// What became of the requests.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ResponseFigures {
    /// Submitted, declined or expired.
    pub total: i64,
    /// Answered with a review.
    pub submitted: i64,
    /// Declined.
    pub declined: i64,
    /// Expired unanswered.
    pub expired: i64,
    /// Percent answered of sent.
    pub response_rate: f64,
}

/// Requests of one channel.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ChannelFigures {
    /// push, sms, whatsapp or email.
    pub channel: String,
    /// Accepted by the channel.
    pub sent: i64,
    /// Answered with a review.
    pub responses: i64,
    /// Percent answered.
    pub response_rate: f64,
    /// Spent on the requests and reminders the channel accepted: the vendor's
    /// price where its answer gives one (Twilio `price`), else the
    /// operator's per-message cost for the channel (`delivery_costs`
    /// setting; 0 when not set), in that currency. Failed and not-configured
    /// messages cost nothing.
    pub cost: f64,
}

/// Requests of one timing strategy.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct TimingFigures {
    /// `2_hours`, `next_morning`, `3_days`, ...
    pub timing_strategy: String,
    /// Sent.
    pub sent: i64,
    /// Answered with a review.
    pub responses: i64,
    /// Percent answered.
    pub response_rate: f64,
}

/// Reviews submitted in the period.
#[derive(Object, Clone, Debug)]
pub struct RatingFigures {
    /// Visible reviews.
    pub total: i64,
    /// Their average rating (0 without any).
    pub average: f64,
    /// Per rating.
    pub distribution: RatingDistribution,
}

/// Rewards of one type.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct IncentiveBreakdown {
    /// discount_100, ...
    pub incentive_type: String,
    /// Redeemed.
    pub claimed: i64,
    /// KES redeemed.
    pub cost: f64,
}

/// Review rewards of the period.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct IncentiveFigures {
    /// Issued.
    pub issued: i64,
    /// Redeemed.
    pub claimed: i64,
    /// Percent redeemed of issued.
    pub claim_rate: f64,
    /// KES redeemed.
    pub total_cost: f64,
    /// Per type.
    pub breakdown: Vec<IncentiveBreakdown>,
}

/// §20: platform-wide review analytics.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PlatformReviewAnalytics {
    /// The period analysed.
    pub period: Period,
    /// Review requests.
    pub requests: RequestFigures,
    /// Their outcomes.
    pub responses: ResponseFigures,
    /// Per channel.
    pub by_channel: Vec<ChannelFigures>,
    /// Per timing strategy.
    pub by_timing: Vec<TimingFigures>,
    /// Reviews.
    pub ratings: RatingFigures,
    /// Rewards.
    pub incentives: IncentiveFigures,
}
