//! Market statistics: locations, experience levels and price suggestions.

use super::*;

/// Parses `location`: `lat,lng` or a gazetteer city. Returns (label, lat, lng).
pub fn parse_location(s: &str) -> ApiResult<(String, f64, f64)> {
    if let Some((a, b)) = s.split_once(',') {
        if let (Ok(lat), Ok(lng)) = (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
            check_coordinates("location", &[lng, lat])
                .map_err(|m| MarketplaceError::Validation.invalid("location", m))?;
            return Ok((s.to_string(), lat, lng));
        }
    }
    match stats::city(s) {
        Some((name, lat, lng)) => Ok((name.to_string(), lat, lng)),
        None => Err(MarketplaceError::Validation.invalid(
            "location",
            "location must be \"lat,lng\" or a known city name",
        )),
    }
}

/// Experience levels and the completed bookings a provider needs for each
/// (new 0-4, intermediate 5-19, experienced 20-49, expert 50+).
pub const LEVELS: &[(&str, i64)] = &[
    ("new", 0),
    ("intermediate", 5),
    ("experienced", 20),
    ("expert", 50),
];

/// A provider's experience level from its completed bookings.
pub fn level_of(completed: i64) -> &'static str {
    LEVELS
        .iter()
        .rev()
        .find(|(_, min)| completed >= *min)
        .map(|(l, _)| *l)
        .unwrap_or("new")
}

/// What a headline price of a pricing type is for.
pub fn unit_of(pricing_type: &str) -> &'static str {
    match pricing_type {
        "hourly" => "hour",
        "tiered" => "lowest tier",
        "package" => "cheapest package",
        _ => "service",
    }
}

/// `GET /providers/pricing/suggestions`: market statistics of a category around a location.
///
/// Like is compared with like: the figures cover one pricing type and one
/// currency (`pricing_type`, else the most common one among the samples);
/// the others are counted in `otherPricingTypes`. With `level`, the
/// suggestion for that experience level comes from its percentile band
/// (new 25th-50th, intermediate 40th-60th, experienced 50th-75th, expert
/// 75th-90th) and the prices of providers at that level (see [`LEVELS`]).
pub fn suggestions(
    conn: &Connection,
    category: &str,
    location: Option<&str>,
    level: Option<&str>,
    pricing_type: Option<&str>,
) -> ApiResult<MarketRateSuggestions> {
    if let Some(l) = level {
        if !LEVELS.iter().any(|(n, _)| *n == l) {
            return Err(MarketplaceError::Validation.invalid(
                "experienceLevel",
                "experienceLevel must be new, intermediate, experienced or expert",
            ));
        }
    }
    if let Some(t) = pricing_type {
        if !TYPES.contains(&t) {
            return Err(MarketplaceError::Validation.invalid(
                "pricingType",
                "pricingType must be one of flat, hourly, tiered, package",
            ));
        }
    }
    // By id or slug.
    let Some(category) = crate::service::bookings::resolve_category(conn, category)? else {
        return Err(MarketplaceError::NotFound.with_message("Service category not found"));
    };
    let category = category.as_str();
    let cat_name: String = crate::store::categories::name_of(conn, category)?;
    let place = location.map(parse_location).transpose()?;
    let rows = crate::store::pricing::market_rows(conn, category)?;
    // Within 50 km of the location when one is given.
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| match (&place, r.1, r.2) {
            (None, _, _) => true,
            (Some((_, plat, plng)), Some(lat), Some(lng)) => {
                stats::distance_km(*plat, *plng, lat, lng) <= 50.0
            }
            _ => false,
        })
        .collect();
    // Group by (pricing type, currency); the chosen group is the asked type's
    // (or overall) most common one.
    let mut groups: Vec<((String, String), usize)> = Vec::new();
    for r in &rows {
        let key = (r.5.clone(), r.6.clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some(g) => g.1 += 1,
            None => groups.push((key, 1)),
        }
    }
    groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let chosen: Option<(String, String)> = groups
        .iter()
        .find(|((t, _), _)| pricing_type.is_none_or(|want| t == want))
        .map(|(k, _)| k.clone());
    let chosen_type = chosen
        .as_ref()
        .map(|(t, _)| t.clone())
        .or(pricing_type.map(str::to_string));
    let others: Vec<OtherPricingType> = groups
        .iter()
        .filter(|(k, _)| Some(k) != chosen.as_ref())
        .map(|((t, c), n)| OtherPricingType {
            pricing_type: t.clone(),
            currency: c.clone(),
            sample_size: *n,
        })
        .collect();
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| chosen.as_ref().is_some_and(|(t, c)| r.5 == *t && r.6 == *c))
        .collect();
    let mut prices: Vec<f64> = rows.iter().map(|r| r.0).collect();
    prices.sort_by(f64::total_cmp);
    let r2 = |x: f64| stats::round(x, 2);
    let pct = |p: f64| stats::percentile(&prices, p);
    let (p25, p50, p75) = (pct(25.0), pct(50.0), pct(75.0));
    let suggestions = (!prices.is_empty()).then(|| PriceSuggestions {
        new_provider: PriceSuggestion {
            recommended: r2((p25 + p50) / 2.0),
            range: format!("{}-{}", r2(p25), r2(p50)),
            reason: "Lower prices help build initial customer base".into(),
        },
        experienced_provider: PriceSuggestion {
            recommended: r2((p50 + p75) / 2.0),
            range: format!("{}-{}", r2(p50), r2(p75)),
            reason: "Higher prices reflect experience and quality".into(),
        },
    });
    let for_level = match level {
        Some(l) if !prices.is_empty() => {
            let (lo, hi, reason) = match l {
                "new" => (25.0, 50.0, "Lower prices help build initial customer base"),
                "intermediate" => (
                    40.0,
                    60.0,
                    "Around the market median while reviews accumulate",
                ),
                "experienced" => (50.0, 75.0, "Higher prices reflect experience and quality"),
                _ => (75.0, 90.0, "Top-quartile prices for a long track record"),
            };
            let (a, b) = (pct(lo), pct(hi));
            let peers: Vec<f64> = rows
                .iter()
                .filter(|r| level_of(r.7) == l)
                .map(|r| r.0)
                .collect();
            Some(LevelSuggestion {
                experience_level: l.to_string(),
                recommended: r2((a + b) / 2.0),
                range: format!("{}-{}", r2(a), r2(b)),
                percentiles: vec![lo, hi],
                reason: reason.into(),
                peer_sample_size: peers.len(),
                peer_average_price: (!peers.is_empty()).then(|| r2(stats::mean(&peers))),
            })
        }
        _ => None,
    };
    let tiers: [(&str, f64, f64); 4] = [
        ("<4.0", 0.0, 4.0),
        ("4.0-4.5", 4.0, 4.5),
        ("4.5-4.8", 4.5, 4.8),
        ("4.8+", 4.8, 5.01),
    ];
    let quality: Vec<QualityTier> = tiers
        .iter()
        .filter_map(|(label, lo, hi)| {
            let v: Vec<f64> = rows
                .iter()
                .filter(|r| r.4 > 0 && r.3 >= *lo && r.3 < *hi)
                .map(|r| r.0)
                .collect();
            (!v.is_empty()).then(|| QualityTier {
                rating_tier: label.to_string(),
                average_price: r2(stats::mean(&v)),
                sample_size: v.len(),
            })
        })
        .collect();
    Ok(MarketRateSuggestions {
        service_category: cat_name,
        location: place.as_ref().map(|p| p.0.clone()),
        experience_level: level.map(str::to_string),
        unit: chosen_type.as_deref().map(unit_of).map(str::to_string),
        pricing_type: chosen_type,
        currency: chosen.as_ref().map(|(_, c)| c.clone()),
        sample_size: prices.len(),
        statistics: PriceStatistics {
            minimum_price: prices.first().copied().unwrap_or(0.0),
            maximum_price: prices.last().copied().unwrap_or(0.0),
            average_price: r2(stats::mean(&prices)),
            median_price: r2(p50),
            percentile25: r2(p25),
            percentile75: r2(p75),
        },
        suggestions,
        for_experience_level: for_level,
        other_pricing_types: others,
        quality_based: quality,
        last_updated: now(),
    })
}
