//! Pricing and review analytics, per provider and platform-wide, from stored data.

use chrono::{DateTime, Utc};
use frontline_platform::auth::Principal;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};

use super::{is_admin, iso, now};
use crate::model::{
    CategoryBreakdown, ChannelFigures, CompetitorComparison, IncentiveBreakdown, IncentiveFigures,
    MarketplaceError, Period, PlatformReviewAnalytics, PriceComparison, PricingAnalytics,
    PricingByType, PricingOverview, RatingFigures, RequestFigures, ResponseFigures, RevenueTrend,
    ReviewAnalytics, ReviewOverview, ReviewTrend, TimingFigures,
};
use crate::stats;

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

fn values(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> ApiResult<Vec<f64>> {
    let mut stmt = conn.prepare(sql)?;
    let v = stmt
        .query_map(p, |r| r.get::<_, f64>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
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
    let filter = "(?1 IS NULL OR provider_id = ?1) AND (?2 IS NULL OR category_id = ?2)";
    let (total, active): (i64, i64) = conn.query_row(
        &format!(
            "SELECT COUNT(*), COALESCE(SUM(is_active), 0) FROM marketplace_pricing WHERE {filter}"
        ),
        params![provider, category],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    // Hourly rates and flat prices are not averaged together: the overview's
    // average is the most common active pricing type's (named beside it).
    let main: Option<(String, f64)> = conn
        .query_row(
            &format!(
                "SELECT pricing_type, AVG(current_price) FROM marketplace_pricing WHERE {filter} AND is_active = 1
                 GROUP BY pricing_type ORDER BY COUNT(*) DESC, pricing_type LIMIT 1"
            ),
            params![provider, category],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let avg = main.as_ref().map(|m| m.1);
    let changes: i64 = conn.query_row(
        "SELECT COUNT(*) FROM marketplace_pricing_history h JOIN marketplace_pricing p ON p.id = h.pricing_id
         WHERE h.change_type = 'updated' AND (?1 IS NULL OR h.provider_id = ?1) AND (?2 IS NULL OR p.category_id = ?2)
           AND h.changed_at >= ?3 AND h.changed_at <= ?4",
        params![provider, category, s, e],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT pricing_type, COUNT(*), AVG(current_price) FROM marketplace_pricing WHERE {filter} AND is_active = 1
         GROUP BY pricing_type ORDER BY pricing_type"
    ))?;
    let by_type = stmt
        .query_map(params![provider, category], |r| {
            Ok(PricingByType {
                pricing_type: r.get(0)?,
                count: r.get(1)?,
                average_price: stats::round(r.get(2)?, 2),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    // Against every active price of the same pricing type in the same categories.
    let comparison = match (provider, &main) {
        (Some(p), Some((ptype, mine))) => {
            let market = values(
                conn,
                "SELECT current_price FROM marketplace_pricing WHERE is_active = 1 AND pricing_type = ?3 AND category_id IN
                   (SELECT category_id FROM marketplace_pricing WHERE provider_id = ?1 AND is_active = 1 AND pricing_type = ?3)
                   AND (?2 IS NULL OR category_id = ?2)",
                params![p, category, ptype],
            )?;
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
    let mut stmt = conn.prepare(
        "SELECT substr(b.completed_at, 1, 10) d, COUNT(*), SUM(b.price) FROM marketplace_bookings b
         JOIN marketplace_pricing p ON p.id = b.pricing_id
         WHERE b.status = 'completed' AND (?1 IS NULL OR b.provider_id = ?1) AND (?2 IS NULL OR p.category_id = ?2)
           AND b.completed_at >= ?3 AND b.completed_at <= ?4 GROUP BY d ORDER BY d",
    )?;
    let trends = stmt
        .query_map(params![provider, category, s, e], |r| {
            Ok(RevenueTrend {
                date: r.get(0)?,
                bookings: r.get(1)?,
                revenue: stats::round(r.get(2)?, 2),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
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
    let filter = "(?1 IS NULL OR provider_id = ?1) AND moderation_status <> 'rejected' AND submitted_at >= ?2 AND submitted_at <= ?3";
    let (total, avg, responded): (i64, Option<f64>, i64) = conn.query_row(
        &format!("SELECT COUNT(*), AVG(overall_rating), COALESCE(SUM(response IS NOT NULL), 0) FROM marketplace_reviews WHERE {filter}"),
        params![provider, s, e],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT substr(submitted_at, 1, 10) d, COUNT(*), AVG(overall_rating) FROM marketplace_reviews WHERE {filter} GROUP BY d ORDER BY d"
    ))?;
    let trends = stmt
        .query_map(params![provider, s, e], |r| {
            Ok(ReviewTrend {
                date: r.get(0)?,
                reviews: r.get(1)?,
                average_rating: stats::round(r.get(2)?, 2),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let category = |c: &str| -> ApiResult<Option<f64>> {
        let v: Option<f64> = conn.query_row(
            &format!("SELECT AVG(json_extract(category_ratings, '$.{c}')) FROM marketplace_reviews WHERE {filter}"),
            params![provider, s, e],
            |r| r.get(0),
        )?;
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
            let mine: Option<f64> = conn.query_row(
                "SELECT AVG(overall_rating) FROM marketplace_reviews WHERE provider_id = ?1 AND moderation_status <> 'rejected'",
                [p],
                |r| r.get(0),
            )?;
            let market = values(
                conn,
                "SELECT rating_avg FROM marketplace_providers WHERE rating_count > 0",
                [],
            )?;
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
    type Counts = (i64, i64, i64, i64, i64, i64, i64);
    let (sent, delivered, failed, not_configured, submitted, declined, expired): Counts = conn.query_row(
        "SELECT COALESCE(SUM(delivery_status IN ('sent', 'delivered')), 0), COALESCE(SUM(delivery_status = 'delivered'), 0),
                COALESCE(SUM(delivery_status = 'failed'), 0), COALESCE(SUM(delivery_status = 'not_configured'), 0),
                COALESCE(SUM(status = 'submitted'), 0), COALESCE(SUM(status = 'declined'), 0),
                COALESCE(SUM(status = 'requested' AND expires_at <= ?3), 0)
         FROM marketplace_review_requests WHERE created_at >= ?1 AND created_at <= ?2",
        params![s, e, at],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
    )?;
    let responses = submitted + declined + expired;
    let group = |col: &str| -> ApiResult<Vec<(String, i64, i64, f64)>> {
        let mut stmt = conn.prepare(&format!(
            "SELECT {col}, COALESCE(SUM(delivery_status IN ('sent', 'delivered')), 0), COALESCE(SUM(status = 'submitted'), 0),
                    COALESCE(SUM(delivery_cost), 0)
             FROM marketplace_review_requests WHERE created_at >= ?1 AND created_at <= ?2 GROUP BY {col} ORDER BY {col}"
        ))?;
        let rows = stmt
            .query_map(params![s, e], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, f64>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    };
    let by_channel = group("channel")?
        .into_iter()
        .map(|(k, sent, resp, cost)| ChannelFigures {
            cost: stats::round(cost, 4),
            channel: k,
            sent,
            responses: resp,
            response_rate: pct(resp, sent),
        })
        .collect();
    let by_timing = group("timing_strategy")?
        .into_iter()
        .map(|(k, sent, resp, _)| TimingFigures {
            timing_strategy: k,
            sent,
            responses: resp,
            response_rate: pct(resp, sent),
        })
        .collect();
    let (rtotal, ravg): (i64, Option<f64>) = conn.query_row(
        "SELECT COUNT(*), AVG(overall_rating) FROM marketplace_reviews WHERE moderation_status <> 'rejected' AND submitted_at >= ?1 AND submitted_at <= ?2",
        params![s, e],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut stmt = conn.prepare(
        "SELECT json_extract(incentive, '$.type') t, COUNT(*), COALESCE(SUM(incentive_claimed), 0),
                COALESCE(SUM(CASE WHEN incentive_claimed = 1 THEN json_extract(incentive, '$.amount') END), 0)
         FROM marketplace_reviews WHERE incentive IS NOT NULL AND submitted_at >= ?1 AND submitted_at <= ?2 GROUP BY t ORDER BY t",
    )?;
    let inc = stmt
        .query_map(params![s, e], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, f64>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
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
