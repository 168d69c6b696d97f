//! Answers of the review APIs (document §9-§17).

use std::collections::BTreeMap;

use poem_openapi::Object;

use super::{sorted_json, PageMeta};

/// The reward for a review.
#[derive(Object, Clone, Debug, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Incentive {
    /// discount_50/100/200 (KES off the next booking) or points_50/100/200 (loyalty
    /// points, one point worth KES 1 on a booking); the A/B arm's reward when the review
    /// answers a campaign's request, else discount_100.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// KES off, or points (worth KES 1 each), on the next booking.
    pub amount: f64,
    /// What it is, for people.
    pub description: String,
    /// The code to redeem on a booking.
    pub code: String,
    /// Valid until then (31 days).
    pub expires_at: String,
}

/// §9: the review just submitted.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReviewSubmitted {
    /// The review's id.
    pub review_id: String,
    /// The booking reviewed.
    pub booking_id: String,
    /// The provider reviewed.
    pub provider_id: String,
    /// 1 to 5.
    pub overall_rating: i64,
    /// submitted.
    pub status: String,
    /// The reward for it.
    pub incentive: Incentive,
    /// When.
    pub submitted_at: String,
}

/// The provider a review page is about.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReviewedProvider {
    /// The provider.
    pub provider_id: String,
    /// Its name.
    pub provider_name: String,
    /// Average overall rating of its visible reviews.
    pub average_rating: f64,
    /// Its visible reviews.
    pub total_reviews: i64,
}

/// A reviewer as shown publicly.
#[derive(Object, Clone, Debug)]
pub struct Reviewer {
    /// First name and last initial (`Muent K.`).
    pub name: String,
    /// Initials (`MK`).
    pub initials: String,
}

/// The provider's public answer to a review.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ProviderResponse {
    /// The answer.
    pub response: String,
    /// When it was posted.
    pub responded_at: Option<String>,
}

/// Reviews per overall rating.
#[derive(Object, Clone, Debug, Default)]
pub struct RatingDistribution {
    /// Reviews rated 5.
    #[oai(rename = "5")]
    pub five: i64,
    /// Reviews rated 4.
    #[oai(rename = "4")]
    pub four: i64,
    /// Reviews rated 3.
    #[oai(rename = "3")]
    pub three: i64,
    /// Reviews rated 2.
    #[oai(rename = "2")]
    pub two: i64,
    /// Reviews rated 1.
    #[oai(rename = "1")]
    pub one: i64,
}

impl RatingDistribution {
    /// Adds `n` reviews rated `rating` (ratings outside 1-5 are not counted).
    pub fn add(&mut self, rating: i64, n: i64) {
        match rating {
            5 => self.five += n,
            4 => self.four += n,
            3 => self.three += n,
            2 => self.two += n,
            1 => self.one += n,
            _ => {}
        }
    }
}

/// §10: one review on a provider's page.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ProviderReview {
    /// The review's id.
    pub review_id: String,
    /// Who wrote it.
    pub customer: Reviewer,
    /// 1 to 5.
    pub overall_rating: i64,
    /// Ratings per category (punctuality, quality, professionalism, communication, value), 1 to 5.
    pub category_ratings: BTreeMap<String, i64>,
    /// Its title.
    pub title: Option<String>,
    /// Its text.
    pub comment: Option<String>,
    /// What was good.
    pub pros: Vec<String>,
    /// Photo URLs.
    pub photos: Vec<String>,
    /// Readers who found it helpful.
    pub helpful_votes: i64,
    /// Readers who did not.
    pub not_helpful_votes: i64,
    /// The provider's answer (null when none).
    pub provider_response: Option<ProviderResponse>,
    /// The service booked.
    pub service_type: String,
    /// When the service took place.
    pub service_date: String,
    /// When the review was submitted.
    pub submitted_at: String,
}

/// §10: a provider's reviews.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ProviderReviews {
    /// The provider.
    pub provider: ReviewedProvider,
    /// This page of its reviews.
    pub reviews: Vec<ProviderReview>,
    /// All its visible reviews per rating.
    pub rating_distribution: RatingDistribution,
    /// Paging figures.
    pub metadata: PageMeta,
}

/// §11: one of the caller's reviews.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CustomerReview {
    /// The review's id.
    pub review_id: String,
    /// The provider reviewed.
    pub provider_name: String,
    /// 1 to 5.
    pub overall_rating: i64,
    /// Its title.
    pub title: Option<String>,
    /// Its text.
    pub comment: Option<String>,
    /// When it was submitted.
    pub submitted_at: String,
    /// Whether its reward was redeemed.
    pub incentive_claimed: bool,
    /// pending, approved, rejected or flagged.
    pub moderation_status: String,
    /// The booking reviewed.
    pub booking_id: String,
    /// The provider reviewed.
    pub provider_id: String,
    /// Its reward (null when none).
    pub incentive: Option<Incentive>,
}

/// §12: the answer posted.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReviewResponded {
    /// The review answered.
    pub review_id: String,
    /// The answer.
    pub provider_response: ProviderResponse,
}

/// §13: a review's votes after the caller's.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReviewVotes {
    /// The review.
    pub review_id: String,
    /// Readers who found it helpful.
    pub helpful_votes: i64,
    /// Readers who did not.
    pub not_helpful_votes: i64,
    /// The caller's vote: helpful or not_helpful.
    pub your_vote: String,
}

/// §14: a declined review request.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReviewRequestDeclined {
    /// The request.
    pub request_id: String,
    /// declined.
    pub status: String,
    /// Whether review requests are now turned off for the caller.
    pub follow_up_disabled: bool,
}

/// §15: the reminder set.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReviewReminder {
    /// The request.
    pub request_id: String,
    /// Tomorrow at 09:00 UTC.
    pub next_reminder_date: String,
    /// Reminders asked for this request (at most 3).
    pub reminder_count: i64,
}

/// A customer's review request preferences.
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReviewPreferences {
    /// Whether the customer gets review requests.
    pub review_requests_enabled: bool,
    /// push, sms, whatsapp or email.
    pub preferred_channel: String,
    /// morning, afternoon or evening.
    pub preferred_time_of_day: String,
    /// 0 to 31.
    pub max_requests_per_month: i64,
    /// Where SMS and WhatsApp requests go (E.164); absent when not given.
    #[oai(skip_serializing_if_is_none)]
    pub phone: Option<String>,
}

/// §16: the preferences now.
#[derive(Object, Clone, Debug)]
pub struct PreferencesUpdated {
    /// All of them, with the defaults of the ones never set.
    pub preferences: ReviewPreferences,
}

/// §17: an open review request (its time has come; see `deliveryStatus` for the message).
#[derive(Object, Clone, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PendingReviewRequest {
    /// The request.
    pub request_id: String,
    /// The provider to review.
    pub provider_name: String,
    /// The service booked.
    pub service_type: String,
    /// When the service took place.
    pub service_date: String,
    /// When the request was delivered.
    pub requested_at: Option<String>,
    /// It can be answered until then.
    pub expires_at: Option<String>,
    /// push, sms, whatsapp or email.
    pub channel: String,
    /// Reminders asked for.
    pub reminder_count: i64,
    /// The next reminder (null when none).
    pub next_reminder_date: Option<String>,
    /// The booking to review.
    pub booking_id: String,
    /// What sending the request did: `queued` (being retried), `sent` (the
    /// channel accepted it), `delivered` (the channel reported delivery: a
    /// Twilio status callback or a WhatsApp status webhook, see the Delivery
    /// reports operations), `failed` (refused, still failing after the
    /// retries, or reported undelivered by the channel; see `deliveryError`)
    /// or `not_configured` (the server has no credentials for the channel;
    /// nothing was sent). The request is open in the app either way.
    pub delivery_status: Option<String>,
    /// Why the request was not sent.
    pub delivery_error: Option<String>,
    /// The last reminder: `scheduled`, `queued`, `sent`, `delivered` (reported
    /// by the channel), `failed` or `not_configured` (null when none was asked for).
    pub reminder_status: Option<String>,
    /// Why the last reminder was not sent.
    pub reminder_error: Option<String>,
    /// The request's text as sent (an A/B message arm's text, or the default).
    pub message: String,
    /// The reward a review earns (the A/B incentive arm's, else discount_100).
    pub incentive_type: String,
}

sorted_json!(ReviewedProvider {
    "averageRating" => average_rating if finite,
    "providerId" => provider_id,
    "providerName" => provider_name,
    "totalReviews" => total_reviews,
});
sorted_json!(Reviewer {
    "initials" => initials,
    "name" => name,
});
sorted_json!(ProviderResponse {
    "respondedAt" => responded_at,
    "response" => response,
});
sorted_json!(RatingDistribution {
    "1" => one,
    "2" => two,
    "3" => three,
    "4" => four,
    "5" => five,
});
sorted_json!(ProviderReview {
    "categoryRatings" => category_ratings,
    "comment" => comment,
    "customer" => customer,
    "helpfulVotes" => helpful_votes,
    "notHelpfulVotes" => not_helpful_votes,
    "overallRating" => overall_rating,
    "photos" => photos,
    "pros" => pros,
    "providerResponse" => provider_response,
    "reviewId" => review_id,
    "serviceDate" => service_date,
    "serviceType" => service_type,
    "submittedAt" => submitted_at,
    "title" => title,
});
sorted_json!(ProviderReviews {
    "metadata" => metadata,
    "provider" => provider,
    "ratingDistribution" => rating_distribution,
    "reviews" => reviews,
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Envelope;
    use poem_openapi::types::ToJSON;

    /// The text `serde` writes for a review page is the text poem-openapi's
    /// `Json` wrote (keys, order, numbers, escapes, nulls).
    #[test]
    fn a_review_page_writes_what_to_json_wrote() {
        let odd = "Zoë \"quoted\" \\ tab\t line\n \u{1F600} </script>";
        let review = ProviderReview {
            review_id: "r1".into(),
            customer: Reviewer {
                name: odd.into(),
                initials: "ZQ".into(),
            },
            overall_rating: 4,
            category_ratings: [("quality".to_string(), 5), ("value".to_string(), 3)].into(),
            title: Some(odd.into()),
            comment: None,
            pros: vec![odd.into(), "b".into()],
            photos: vec![],
            helpful_votes: 7,
            not_helpful_votes: 0,
            provider_response: Some(ProviderResponse {
                response: odd.into(),
                responded_at: None,
            }),
            service_type: "Men's Haircut".into(),
            service_date: "2026-01-15T14:00:00Z".into(),
            submitted_at: "2026-01-16T00:00:00Z".into(),
        };
        let page = ProviderReviews {
            provider: ReviewedProvider {
                provider_id: "p".into(),
                provider_name: odd.into(),
                average_rating: 4.35,
                total_reviews: 12,
            },
            reviews: vec![
                review.clone(),
                ProviderReview {
                    provider_response: None,
                    comment: Some("c".into()),
                    category_ratings: Default::default(),
                    ..review
                },
            ],
            rating_distribution: RatingDistribution {
                five: 1,
                four: 2,
                three: 3,
                two: 0,
                one: 6,
            },
            metadata: PageMeta {
                page: Some(1),
                limit: Some(20),
                total: 12,
                total_pages: Some(1),
            },
        };
        for avg in [4.35, 0.0, 5.0, 1e-7, f64::NAN, f64::INFINITY] {
            let mut p = page.clone();
            p.provider.average_rating = avg;
            let env = Envelope::ok(p);
            let fast = serde_json::to_string(&env).expect("serde");
            let slow = serde_json::to_string(&env.to_json()).expect("to_json");
            assert_eq!(fast, slow);
        }
        let mut env = Envelope::ok(vec![page.metadata.clone()]);
        env.message = Some(odd.into());
        env.metadata = Some(PageMeta::total(3));
        let fast = serde_json::to_string(&env).expect("serde");
        assert_eq!(
            fast,
            serde_json::to_string(&env.to_json()).expect("to_json")
        );
    }
}
