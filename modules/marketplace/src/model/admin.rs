//! Answers of the admin APIs (document §21-§23) and the campaign status extension.

use poem_openapi::Object;

use super::input::{Experiment, VariantConfig};

/// Extension: a review in the moderation queue, with what a moderator needs to decide.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ModerationQueueItem {
    /// The review.
    pub review_id: String,
    /// The booking reviewed.
    pub booking_id: String,
    /// The provider reviewed.
    pub provider_id: String,
    /// Its name.
    pub provider_name: String,
    /// The customer who wrote it.
    pub customer_id: String,
    /// Their name.
    pub customer_name: String,
    /// 1 to 5.
    pub overall_rating: i64,
    /// Its title.
    pub title: Option<String>,
    /// Its text.
    pub comment: Option<String>,
    /// What the customer liked.
    pub pros: Vec<String>,
    /// Photo URLs.
    pub photos: Vec<String>,
    /// The provider's answer (null when none).
    pub provider_response: Option<String>,
    /// Readers who found it helpful.
    pub helpful_votes: i64,
    /// Readers who did not.
    pub not_helpful_votes: i64,
    /// When it was submitted.
    pub submitted_at: String,
    /// pending, flagged, approved or rejected.
    pub moderation_status: String,
    /// Whether it is flagged.
    pub flagged: bool,
    /// The last moderator (user id; null when never moderated).
    pub moderated_by: Option<String>,
    /// When it was last moderated.
    pub moderated_at: Option<String>,
    /// The moderator's reason.
    pub moderation_reason: Option<String>,
}

/// §21: a moderated review.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ModerationResult {
    /// The review.
    pub review_id: String,
    /// approved, rejected or flagged.
    pub moderation_status: String,
    /// Whether it is flagged.
    pub flagged: bool,
    /// The moderator (user id).
    pub moderated_by: String,
    /// When.
    pub moderated_at: String,
    /// Why, as the moderator said (null when not said).
    pub reason: Option<String>,
}

/// §22: the campaign just created.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CampaignCreated {
    /// The campaign's id.
    pub campaign_id: String,
    /// draft.
    pub status: String,
    /// When.
    pub created_at: String,
}

/// A 95% interval of a response rate, in percent.
#[derive(Object, Clone, Debug)]
pub struct ConfidenceInterval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// One variant's figures.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct VariantResult {
    /// The variant.
    pub variant_id: String,
    /// Its name.
    pub name: String,
    /// Review requests assigned to it.
    pub participants: u64,
    /// Of those, answered with a review.
    pub responses: u64,
    /// Percent answered.
    pub response_rate: f64,
    /// Average rating of its reviews (null without any).
    pub average_rating: Option<f64>,
    /// 95% interval of the response rate.
    pub confidence_interval: ConfidenceInterval,
    /// Rewards of its reviews redeemed on a booking.
    pub incentives_claimed: u64,
    /// What its customers received: its timing, channel, incentive and message.
    pub config: Option<VariantConfig>,
}

/// The best variant, when significantly better than the second.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CampaignWinner {
    /// The variant.
    pub variant_id: String,
    /// Confidence in percent (95).
    pub confidence: i64,
    /// Relative improvement of the response rate (`+28.6% response rate`).
    pub improvement: String,
    /// p-value of the two-proportion z-test.
    pub p_value: f64,
}

/// Results of a campaign.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CampaignOutcome {
    /// Review requests assigned to any variant.
    pub total_participants: u64,
    /// Per variant.
    pub variant_results: Vec<VariantResult>,
    /// The winner (null when none is significant).
    pub winner: Option<CampaignWinner>,
    /// p-value of the best two variants (null when it cannot be computed).
    pub p_value: Option<f64>,
    /// Whether there is a winner.
    pub significant: bool,
}

/// §23: a campaign and its results.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CampaignResults {
    /// The campaign.
    pub campaign_id: String,
    /// Its name.
    pub name: String,
    /// draft, active, paused or completed.
    pub status: String,
    /// What it tests.
    pub experiment: Experiment,
    /// Its results.
    pub results: CampaignOutcome,
}

/// Extension: a campaign's status change.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CampaignStatusChanged {
    /// The campaign.
    pub campaign_id: String,
    /// Its status now.
    pub status: String,
    /// Its status before.
    pub previous_status: String,
}
