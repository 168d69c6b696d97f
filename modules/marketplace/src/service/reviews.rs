//! Reviews: submission with incentives, provider pages, responses, votes and moderation.

use chrono::{Duration, Utc};
use frontline_platform::audit::AuditEntry;
use frontline_platform::auth::Principal;
use frontline_platform::error::FieldError;
use frontline_platform::page::Page;
use frontline_platform::write::WriteCtx;
use frontline_platform::ApiResult;
use rusqlite::Connection;
use serde_json::json;

use super::{campaigns, display_name, iso, new_id, now};
use crate::model::MarketplaceError;
use crate::model::{
    to_value, CustomerReview, ModerateInput, ModerationQueueItem, ModerationResult,
    ModerationStatus, PageMeta, Paged, ProviderResponse, ProviderReviews, RatingDistribution,
    ReviewInput, ReviewResponded, ReviewSubmitted, ReviewVotes, ReviewedProvider, Reviewer,
};
use crate::stats;
use crate::store::reviews as store;
use crate::SLUG;

pub const CATEGORIES: &[&str] = &[
    "punctuality",
    "quality",
    "professionalism",
    "communication",
    "value",
];

/// Recomputes a provider's rating from its visible (not rejected) reviews.
pub fn refresh_rating(tx: &Connection, provider: &str) -> ApiResult<()> {
    Ok(store::refresh_provider_rating(tx, provider)?)
}

/// `POST /reviews`.
pub fn submit(w: &WriteCtx, r: &ReviewInput) -> ApiResult<ReviewSubmitted> {
    let (tx, user) = (w.tx(), super::caller(w)?);
    let mut problems = Vec::new();
    if !(1..=5).contains(&r.overall_rating) {
        problems.push(FieldError::new(
            "overallRating",
            "overallRating must be between 1 and 5",
        ));
    }
    for (k, v) in r.category_ratings.iter().flat_map(|c| c.entries()) {
        if !CATEGORIES.contains(&k) {
            problems.push(FieldError::new(
                format!("categoryRatings.{k}"),
                format!("unknown rating category; use {}", CATEGORIES.join(", ")),
            ));
        } else if !(1..=5).contains(&v) {
            problems.push(FieldError::new(
                format!("categoryRatings.{k}"),
                format!("{k} must be between 1 and 5"),
            ));
        }
    }
    if r.title
        .as_ref()
        .map(|t| t.chars().count() > 200)
        .unwrap_or(false)
    {
        problems.push(FieldError::new(
            "title",
            "title must be at most 200 characters",
        ));
    }
    if r.comment
        .as_ref()
        .map(|t| t.chars().count() > 5000)
        .unwrap_or(false)
    {
        problems.push(FieldError::new(
            "comment",
            "comment must be at most 5000 characters",
        ));
    }
    let pros = r.pros.clone().unwrap_or_default();
    if pros.len() > 10
        || pros
            .iter()
            .any(|p| p.trim().is_empty() || p.chars().count() > 100)
    {
        problems.push(FieldError::new(
            "pros",
            "pros holds at most 10 items of 1 to 100 characters",
        ));
    }
    let photos = r.photos.clone().unwrap_or_default();
    if photos.len() > 5 {
        problems.push(FieldError::new("photos", "photos holds at most 5 URLs"));
    } else if photos
        .iter()
        .any(|p| !(p.starts_with("https://") || p.starts_with("http://")) || p.len() > 2048)
    {
        problems.push(FieldError::new(
            "photos",
            "each photo must be an http(s) URL",
        ));
    }
    if let Some(s) = &r.source {
        if !["mobile_app", "web", "sms", "whatsapp", "email"].contains(&s.as_str()) {
            problems.push(FieldError::new(
                "source",
                "source must be mobile_app, web, sms, whatsapp or email",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(MarketplaceError::fields(problems));
    }
    let booking: Option<(String, String, String)> =
        crate::store::bookings::parties(tx, &r.booking_id)?;
    let Some((customer, provider, status)) = booking else {
        return Err(MarketplaceError::NotFound.with_message("Booking not found"));
    };
    if super::customer_of(tx, &user.id)?.as_deref() != Some(customer.as_str()) {
        return Err(MarketplaceError::Forbidden
            .with_message("Only the customer who made the booking can review it"));
    }
    if status != "completed" {
        return Err(MarketplaceError::Validation
            .invalid("bookingId", "only completed bookings can be reviewed"));
    }
    let exists: Option<String> = store::review_of_booking(tx, &r.booking_id)?;
    if let Some(existing) = exists {
        return Err(MarketplaceError::Conflict
            .with_message("A review already exists for this booking")
            .with_extra("reviewId", existing));
    }
    let request: Option<(String, Option<String>, Option<String>)> =
        crate::store::requests::of_booking(tx, &r.booking_id)?;
    // The reward is the one the request's A/B arm gives, else the default.
    let arm = match &request {
        Some((_, c, v)) => campaigns::arm_config(tx, c.as_deref(), v.as_deref())?,
        None => None,
    };
    let kind = arm
        .and_then(|c| c.incentive)
        .unwrap_or(campaigns::DEFAULT_INCENTIVE);
    let request = request.map(|r| r.0);
    let id = new_id();
    let at = now();
    let incentive = campaigns::incentive(kind, &id, iso(Utc::now() + Duration::days(31)));
    let code = incentive.code.clone();
    store::insert(
        tx,
        &store::NewReview {
            id: &id,
            booking: &r.booking_id,
            provider: &provider,
            customer: &customer,
            request: request.as_deref(),
            overall_rating: r.overall_rating,
            category_ratings: &serde_json::to_string(
                &r.category_ratings.clone().unwrap_or_default(),
            )?,
            title: r.title.as_deref(),
            comment: r.comment.as_deref(),
            pros: &serde_json::to_string(&pros)?,
            photos: &serde_json::to_string(&photos)?,
            source: r.source.map(|s| s.as_str()),
            incentive: &serde_json::to_string(&incentive)?,
            incentive_code: &code,
            at: &at,
        },
    )?;
    if let Some(req) = &request {
        crate::store::requests::mark_submitted(tx, req)?;
    }
    refresh_rating(tx, &provider)?;
    let out = ReviewSubmitted {
        review_id: id.clone(),
        booking_id: r.booking_id.clone(),
        provider_id: provider.clone(),
        overall_rating: r.overall_rating,
        status: "submitted".into(),
        incentive,
        submitted_at: at,
    };
    let audience = super::party_audience(tx, Some(&customer), Some(&provider))?;
    w.emit(SLUG, "review.created", &to_value(&out), &audience)?;
    w.record(AuditEntry {
        module: SLUG,
        action: "review.created",
        entity_type: "review",
        entity_id: Some(&id),
        details: json!({"bookingId": r.booking_id}),
    })?;
    Ok(out)
}

fn distribution(
    conn: &Connection,
    provider: Option<&str>,
    since: Option<&str>,
    until: Option<&str>,
) -> ApiResult<RatingDistribution> {
    let mut d = RatingDistribution::default();
    let counts = match (provider, since, until) {
        (Some(p), None, None) => store::provider_rating_counts(conn, p)?,
        _ => store::rating_counts(conn, provider, since, until)?,
    };
    for (k, n) in counts {
        d.add(k, n);
    }
    Ok(d)
}

pub fn rating_distribution(
    conn: &Connection,
    provider: Option<&str>,
    since: Option<&str>,
    until: Option<&str>,
) -> ApiResult<RatingDistribution> {
    distribution(conn, provider, since, until)
}

/// `GET /providers/:providerId/reviews` (rejected reviews are hidden).
pub fn provider_reviews(
    conn: &Connection,
    provider: &str,
    min: Option<f64>,
    max: Option<f64>,
    sort: Option<&str>,
    page: &Page,
) -> ApiResult<ProviderReviews> {
    let mut problems = Vec::new();
    for (f, v) in [("minRating", min), ("maxRating", max)] {
        if let Some(x) = v {
            if !(1.0..=5.0).contains(&x) {
                problems.push(FieldError::new(f, format!("{f} must be between 1 and 5")));
            }
        }
    }
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            problems.push(FieldError::new(
                "maxRating",
                "maxRating must not be less than minRating",
            ));
        }
    }
    let order = match sort.unwrap_or("recent") {
        "recent" => store::ReviewOrder::Recent,
        "helpful" => store::ReviewOrder::Helpful,
        "highest" => store::ReviewOrder::Highest,
        "lowest" => store::ReviewOrder::Lowest,
        _ => {
            problems.push(FieldError::new(
                "sortBy",
                "sortBy must be recent, helpful, highest or lowest",
            ));
            store::ReviewOrder::Recent
        }
    };
    if !problems.is_empty() {
        return Err(MarketplaceError::fields(problems));
    }
    let Some(summary) = store::provider_summary(conn, provider)? else {
        return Err(MarketplaceError::NotFound.with_message("Provider not found"));
    };
    // The kept counts give both the distribution and the total.
    let mut distribution = RatingDistribution::default();
    for &(k, n) in &summary.per_rating {
        distribution.add(k, n);
    }
    let (name, avg, count) = (summary.name, summary.rating_avg, summary.rating_count);
    let in_range = |k: i64| min.is_none_or(|m| k as f64 >= m) && max.is_none_or(|m| k as f64 <= m);
    let total: i64 = [
        (5, distribution.five),
        (4, distribution.four),
        (3, distribution.three),
        (2, distribution.two),
        (1, distribution.one),
    ]
    .iter()
    .filter(|(k, _)| in_range(*k))
    .map(|(_, n)| n)
    .sum();
    let mut reviews = store::provider_page(
        conn,
        &store::ProviderReviewQuery {
            provider,
            min_rating: min,
            max_rating: max,
            order,
            limit: page.limit,
            offset: page.offset(),
            total: total as u64,
        },
    )?;
    for r in &mut reviews {
        let (shown, initials) = display_name(&r.customer.name);
        r.customer = Reviewer {
            name: shown,
            initials,
        };
    }
    Ok(ProviderReviews {
        provider: ReviewedProvider {
            provider_id: provider.to_string(),
            provider_name: name,
            average_rating: stats::round(avg, 1),
            total_reviews: count,
        },
        reviews,
        rating_distribution: distribution,
        metadata: PageMeta::of(page, total as u64),
    })
}

/// `GET /customers/reviews`.
pub fn customer_reviews(
    conn: &Connection,
    user: &Principal,
    page: &Page,
) -> ApiResult<Paged<CustomerReview>> {
    let customer = super::customer_of(conn, &user.id)?;
    let (total, items) = match customer {
        Some(c) => store::customer_page(conn, &c, page.limit, page.offset())?,
        None => (0, Vec::new()),
    };
    Ok(Paged {
        items,
        meta: PageMeta::of(page, total),
    })
}

/// Extension `GET /admin/reviews`: the moderation queue, newest first.
pub fn moderation_queue(
    conn: &Connection,
    status: Option<ModerationStatus>,
    page: &Page,
) -> ApiResult<Paged<ModerationQueueItem>> {
    let (total, items) =
        crate::store::reviews::moderation_queue(conn, status, page.limit, page.offset())?;
    Ok(Paged {
        items,
        meta: PageMeta::of(page, total),
    })
}

/// `POST /reviews/:reviewId/response`.
pub fn respond(w: &WriteCtx, id: &str, text: &str) -> ApiResult<ReviewResponded> {
    let (tx, user) = (w.tx(), super::caller(w)?);
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 1000 {
        return Err(MarketplaceError::Validation
            .invalid("response", "response must be 1 to 1000 characters"));
    }
    let provider: Option<String> = store::review_provider(tx, id)?;
    let Some(provider) = provider else {
        return Err(MarketplaceError::NotFound.with_message("Review not found"));
    };
    if super::provider_of(tx, &user.id)?.as_deref() != Some(provider.as_str()) {
        return Err(MarketplaceError::Forbidden
            .with_message("Providers can only respond to reviews of their own services"));
    }
    let at = now();
    store::set_response(tx, id, text, &at)?;
    let out = ReviewResponded {
        review_id: id.to_string(),
        provider_response: ProviderResponse {
            response: text.to_string(),
            responded_at: Some(at),
        },
    };
    let mut event = to_value(&out);
    event["providerId"] = json!(provider);
    let customer: Option<String> = store::review_customer(tx, id)?;
    let audience = super::party_audience(tx, customer.as_deref(), Some(&provider))?;
    w.emit(SLUG, "review.response_added", &event, &audience)?;
    w.record(AuditEntry {
        module: SLUG,
        action: "review.response_added",
        entity_type: "review",
        entity_id: Some(id),
        details: json!({"length": text.chars().count()}),
    })?;
    Ok(out)
}

/// `POST /reviews/:reviewId/helpful`: one vote per user, changeable.
pub fn vote(tx: &Connection, user: &Principal, id: &str, vote: &str) -> ApiResult<ReviewVotes> {
    if !["helpful", "not_helpful"].contains(&vote) {
        return Err(
            MarketplaceError::Validation.invalid("vote", "vote must be helpful or not_helpful")
        );
    }
    let found: Option<String> = store::moderation_status_of(tx, id)?;
    if found.is_none() || found.as_deref() == Some("rejected") {
        return Err(MarketplaceError::NotFound.with_message("Review not found"));
    }
    let (h, n) = store::vote(tx, id, &user.id, vote)?;
    Ok(ReviewVotes {
        review_id: id.to_string(),
        helpful_votes: h,
        not_helpful_votes: n,
        your_vote: vote.to_string(),
    })
}

/// `PUT /admin/reviews/:reviewId/moderate`.
pub fn moderate(w: &WriteCtx, id: &str, m: &ModerateInput) -> ApiResult<ModerationResult> {
    let (tx, user) = (w.tx(), super::caller(w)?);
    let (status, flagged) = match m.action.as_str() {
        "approve" => ("approved", false),
        "reject" => ("rejected", false),
        "flag" => ("flagged", true),
        _ => {
            return Err(MarketplaceError::Validation
                .invalid("action", "action must be approve, reject or flag"))
        }
    };
    if m.reason
        .as_ref()
        .map(|r| r.chars().count() > 1000)
        .unwrap_or(false)
    {
        return Err(MarketplaceError::Validation
            .invalid("reason", "reason must be at most 1000 characters"));
    }
    let provider: Option<String> = store::review_provider(tx, id)?;
    let Some(provider) = provider else {
        return Err(MarketplaceError::NotFound.with_message("Review not found"));
    };
    let at = now();
    store::moderate(tx, id, status, flagged, &user.id, &at, m.reason.as_deref())?;
    refresh_rating(tx, &provider)?;
    let out = ModerationResult {
        review_id: id.to_string(),
        moderation_status: status.to_string(),
        flagged,
        moderated_by: user.id.clone(),
        moderated_at: at,
        reason: m.reason.clone(),
    };
    w.record(AuditEntry {
        module: SLUG,
        action: &format!("review.{status}"),
        entity_type: "review",
        entity_id: Some(id),
        details: to_value(&out),
    })?;
    Ok(out)
}
