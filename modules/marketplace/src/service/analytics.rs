//! Pricing and review analytics, per provider and platform-wide, from stored data.

use chrono::{DateTime, Utc};
use frontline_platform::auth::Principal;
use frontline_platform::ApiResult;
use rusqlite::Connection;

use super::{is_admin, iso, now};
use crate::model::{
    CategoryBreakdown, ChannelFigures, CompetitorComparison, IncentiveBreakdown, IncentiveFigures,
    MarketplaceError, Period, PlatformReviewAnalytics, PriceComparison, PricingAnalytics,
    PricingByType, PricingOverview, RatingFigures, RequestFigures, ResponseFigures, RevenueTrend,
    ReviewAnalytics, ReviewOverview, ReviewTrend, TimingFigures,
};
use crate::stats;
use crate::store::analytics as store;

/// Which provider the caller may look at: providers only themselves, admins anyone (or everyone).
pub fn scope(
    conn: &Connection,
    user: &Principal,
    asked: Option<&str>,
) -> ApiResult<Option<String>> {
    if is_admin(user) {
        return Ok(asked.map(str::to_string));
    }
    let own = super::provider_of(conn, &user.id)?;
    match (asked, own) {
        (Some(a), Some(o)) if a == o => Ok(Some(o)),
        (None, Some(o)) => Ok(Some(o)),
        (Some(_), _) => {
            Err(MarketplaceError::Forbidden
                .with_message("Providers can only see their own analytics"))
        }
        (None, None) => {
            Err(MarketplaceError::NotFound.with_message("You have no provider profile yet"))
        }
    }
}

/// `GET /analytics/pricing`.
pub fn pricing(
    conn: &Connection,
    provider: Option<&str>,
    category: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<PricingAnalytics> {
    let (s, e) = (iso(from), iso(to));
    let category = super::bookings::category_filter(conn, category)?;
    let category = category.as_deref();
    let (total, active) = store::pricing_counts(conn, provider, category)?;
    // Hourly rates and flat prices are not averaged together: the overview's
    // average is the most common active pricing type's (named beside it).
    let main = store::main_pricing_type(conn, provider, category)?;
    let avg = main.as_ref().map(|m| m.1);
    let changes = store::price_changes(conn, provider, category, &s, &e)?;
    let by_type = store::pricing_by_type(conn, provider, category)?
        .into_iter()
        .map(|(pricing_type, count, avg)| PricingByType {
            pricing_type,
            count,
            average_price: stats::round(avg, 2),
        })
        .collect();
    // Against every active price of the same pricing type in the same categories.
    let comparison = match (provider, &main) {
        (Some(p), Some((ptype, mine))) => {
            let market = store::market_prices(conn, p, category, ptype)?;
            let rank = stats::percentile_rank(&market, *mine).round() as i64;
            Some(PriceComparison {
                pricing_type: ptype.clone(),
                unit: crate::service::pricing::unit_of(ptype).to_string(),
                your_average_price: stats::round(*mine, 2),
                market_average: stats::round(stats::mean(&market), 2),
                percentile: stats::ordinal(rank),
                market_sample_size: market.len(),
            })
        }
        _ => None,
    };
    let trends = store::revenue_by_day(conn, provider, category, &s, &e)?
        .into_iter()
        .map(|(date, bookings, revenue)| RevenueTrend {
            date,
            bookings,
            revenue: stats::round(revenue, 2),
        })
        .collect();
    Ok(PricingAnalytics {
        period: Period { start: s, end: e },
        provider_id: provider.map(str::to_string),
        overview: PricingOverview {
            total_pricing_configs: total,
            active_configs: active,
            price_changes: changes,
            average_price: avg.map(|a| stats::round(a, 2)).unwrap_or(0.0),
            average_price_type: main.as_ref().map(|m| m.0.clone()),
            average_price_unit: main
                .as_ref()
                .map(|m| crate::service::pricing::unit_of(&m.0).to_string()),
        },
        pricing_by_type: by_type,
        price_comparison: comparison,
        revenue_trends: trends,
    })
}

/// `GET /analytics/reviews`.
pub fn reviews(
    conn: &Connection,
    provider: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<ReviewAnalytics> {
    let (s, e) = (iso(from), iso(to));
    let (total, avg, responded) = store::review_overview(conn, provider, &s, &e)?;
    let trends = store::reviews_by_day(conn, provider, &s, &e)?
        .into_iter()
        .map(|(date, reviews, avg)| ReviewTrend {
            date,
            reviews,
            average_rating: stats::round(avg, 2),
        })
        .collect();
    let category = |c: &str| -> ApiResult<Option<f64>> {
        let v = store::category_average(conn, c, provider, &s, &e)?;
        Ok(v.map(|x| stats::round(x, 2)))
    };
    let breakdown = CategoryBreakdown {
        punctuality: category("punctuality")?,
        quality: category("quality")?,
        professionalism: category("professionalism")?,
        communication: category("communication")?,
        value: category("value")?,
    };
    let comparison = match provider {
        Some(p) => {
            let mine = store::provider_average(conn, p)?;
            let market = store::rated_provider_averages(conn)?;
            mine.map(|m| CompetitorComparison {
                your_rating: stats::round(m, 2),
                market_average: stats::round(stats::mean(&market), 2),
                percentile: stats::ordinal(stats::percentile_rank(&market, m).round() as i64),
                providers_compared: market.len(),
            })
        }
        None => None,
    };
    let rating_distribution =
        super::reviews::rating_distribution(conn, provider, Some(&s), Some(&e))?;
    Ok(ReviewAnalytics {
        period: Period { start: s, end: e },
        provider_id: provider.map(str::to_string),
        overview: ReviewOverview {
            total_reviews: total,
            average_rating: avg.map(|a| stats::round(a, 2)).unwrap_or(0.0),
            response_rate: if total > 0 {
                stats::round(responded as f64 / total as f64 * 100.0, 1)
            } else {
                0.0
            },
        },
        rating_distribution,
        trends,
        category_breakdown: breakdown,
        competitor_comparison: comparison,
    })
}

fn pct(a: i64, b: i64) -> f64 {
    if b == 0 {
        0.0
    } else {
        stats::round(a as f64 / b as f64 * 100.0, 1)
    }
}

/// `GET /admin/analytics/reviews`: requests created in the period.
pub fn platform(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<PlatformReviewAnalytics> {
    let (s, e) = (iso(from), iso(to));
    let at = now();
    // Delivery figures come from what each attempt did (`delivery_status`).
    let (sent, delivered, failed, not_configured, submitted, declined, expired) =
        store::request_counts(conn, &s, &e, &at)?;
    let responses = submitted + declined + expired;
    let by_channel = store::requests_by(conn, store::RequestGroup::Channel, &s, &e)?
        .into_iter()
        .map(|(k, sent, resp, cost)| ChannelFigures {
            cost: stats::round(cost, 4),
            channel: k,
            sent,
            responses: resp,
            response_rate: pct(resp, sent),
        })
        .collect();
    let by_timing = store::requests_by(conn, store::RequestGroup::Timing, &s, &e)?
        .into_iter()
        .map(|(k, sent, resp, _)| TimingFigures {
            timing_strategy: k,
            sent,
            responses: resp,
            response_rate: pct(resp, sent),
        })
        .collect();
    let (rtotal, ravg) = store::platform_reviews(conn, &s, &e)?;
    let inc = store::incentives(conn, &s, &e)?;
    let issued: i64 = inc.iter().map(|x| x.1).sum();
    let claimed: i64 = inc.iter().map(|x| x.2).sum();
    let cost: f64 = inc.iter().map(|x| x.3).sum();
    let distribution = super::reviews::rating_distribution(conn, None, Some(&s), Some(&e))?;
    Ok(PlatformReviewAnalytics {
        period: Period { start: s, end: e },
        requests: RequestFigures {
            sent,
            delivered,
            failed,
            not_configured,
            delivery_rate: pct(sent, sent + failed + not_configured),
        },
        responses: ResponseFigures {
            total: responses,
            submitted,
            declined,
            expired,
            response_rate: pct(responses, sent),
        },
        by_channel,
        by_timing,
        ratings: RatingFigures {
            total: rtotal,
            average: ravg.map(|a| stats::round(a, 2)).unwrap_or(0.0),
            distribution,
        },
        incentives: IncentiveFigures {
            issued,
            claimed,
            claim_rate: pct(claimed, issued),
            total_cost: cost,
            breakdown: inc
                .into_iter()
                .map(|(t, _, c, cost)| IncentiveBreakdown {
                    incentive_type: t,
                    claimed: c,
                    cost,
                })
                .collect(),
        },
    })
}
