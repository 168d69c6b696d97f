//! Provider search by category and distance.

use super::*;

/// Search parameters.
pub struct SearchQuery<'a> {
    pub category: &'a str,
    pub location: &'a str,
    pub min_price: Option<f64>,
    pub max_price: Option<f64>,
    pub sort_by: Option<&'a str>,
    pub radius: Option<f64>,
}

/// `GET /services/search`: providers of a category within `radius` km (bounding box in SQL,
/// then great-circle distance), with their matching prices.
pub fn search(
    conn: &Connection,
    q: &SearchQuery<'_>,
    page: &Page,
) -> ApiResult<Paged<ProviderSearchResult>> {
    let mut problems = Vec::new();
    let place = match parse_location(q.location) {
        Ok(p) => Some(p),
        Err(e) => {
            problems.extend(e.details);
            None
        }
    };
    let radius = q.radius.unwrap_or(10.0);
    if !radius.is_finite() || radius <= 0.0 || radius > 500.0 {
        problems.push(FieldError::new(
            "radius",
            "radius must be between 0 and 500 km",
        ));
    }
    for (f, v) in [("minPrice", q.min_price), ("maxPrice", q.max_price)] {
        if let Some(x) = v {
            if !x.is_finite() || x < 0.0 {
                problems.push(FieldError::new(f, format!("{f} must be 0 or more")));
            }
        }
    }
    if let (Some(a), Some(b)) = (q.min_price, q.max_price) {
        if a > b {
            problems.push(FieldError::new(
                "maxPrice",
                "maxPrice must not be less than minPrice",
            ));
        }
    }
    let sort = q.sort_by.unwrap_or("distance");
    if !["price_asc", "price_desc", "rating_desc", "distance"].contains(&sort) {
        problems.push(FieldError::new(
            "sortBy",
            "sortBy must be price_asc, price_desc, rating_desc or distance",
        ));
    }
    if !problems.is_empty() {
        return Err(MarketplaceError::fields(problems));
    }
    let Some((_, lat, lng)) = place else {
        return Err(MarketplaceError::Validation.invalid("location", "location is required"));
    };
    // The category by id or slug (an unknown one finds nobody).
    let category =
        crate::service::bookings::category_filter(conn, Some(q.category))?.unwrap_or_default();
    let q = &SearchQuery {
        category: &category,
        ..*q
    };
    let (min_lat, max_lat, min_lng, max_lng) = stats::bounding_box(lat, lng, radius);
    let lng_clause = if min_lng < -180.0 || max_lng > 180.0 {
        // The box crosses the antimeridian: wrap it.
        "(v.lng >= ?4 OR v.lng <= ?5)"
    } else {
        "(v.lng BETWEEN ?4 AND ?5)"
    };
    let (wl, wh) = if min_lng < -180.0 {
        (min_lng + 360.0, max_lng)
    } else if max_lng > 180.0 {
        (min_lng, max_lng - 360.0)
    } else {
        (min_lng, max_lng)
    };
    // The place narrows far more than the category: drive the query from the
    // providers' (lat, lng) index and look prices up per candidate.
    let sql = format!(
        "SELECT v.id, v.rating_avg, v.rating_count, v.lat, v.lng,
                MIN(p.current_price), MAX(p.current_price)
         FROM marketplace_providers v INDEXED BY marketplace_providers_near
         JOIN marketplace_pricing p INDEXED BY marketplace_pricing_by_provider ON p.provider_id = v.id
         WHERE p.category_id = ?1 AND p.is_active = 1 AND v.lat BETWEEN ?2 AND ?3 AND {lng_clause}
           AND (?6 IS NULL OR p.current_price >= ?6) AND (?7 IS NULL OR p.current_price <= ?7)
         GROUP BY v.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    struct Hit {
        id: String,
        avg: f64,
        count: i64,
        distance: f64,
        min: f64,
        max: f64,
    }
    let mut hits: Vec<Hit> = stmt
        .query_map(
            params![
                q.category,
                min_lat,
                max_lat,
                wl,
                wh,
                q.min_price,
                q.max_price
            ],
            |r| {
                let plat: f64 = r.get(3)?;
                let plng: f64 = r.get(4)?;
                Ok(Hit {
                    id: r.get(0)?,
                    avg: r.get(1)?,
                    count: r.get(2)?,
                    distance: stats::distance_km(lat, lng, plat, plng),
                    min: r.get(5)?,
                    max: r.get(6)?,
                })
            },
        )?
        .filter_map(|h| h.ok())
        .filter(|h| h.distance <= radius)
        .collect();
    match sort {
        "price_asc" => hits.sort_by(|a, b| {
            a.min
                .total_cmp(&b.min)
                .then(a.distance.total_cmp(&b.distance))
        }),
        "price_desc" => hits.sort_by(|a, b| {
            b.max
                .total_cmp(&a.max)
                .then(a.distance.total_cmp(&b.distance))
        }),
        "rating_desc" => hits.sort_by(|a, b| {
            b.avg
                .total_cmp(&a.avg)
                .then(b.count.cmp(&a.count))
                .then(a.distance.total_cmp(&b.distance))
        }),
        _ => hits.sort_by(|a, b| a.distance.total_cmp(&b.distance)),
    }
    let total = hits.len() as u64;
    let mut prices = conn.prepare_cached(
        // `+category_id`: look up by provider, not by scanning the category's prices.
        "SELECT id, service_name, pricing_type, current_price, currency, config FROM marketplace_pricing
         WHERE provider_id = ?1 AND +category_id = ?2 AND is_active = 1
           AND (?3 IS NULL OR current_price >= ?3) AND (?4 IS NULL OR current_price <= ?4)
         ORDER BY current_price",
    )?;
    let mut details = conn.prepare_cached(
        "SELECT name, profile_image, address FROM marketplace_providers WHERE id = ?1",
    )?;
    let mut out = Vec::new();
    for h in hits
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.limit as usize)
    {
        let pricing = prices
            .query_map(params![h.id, q.category, q.min_price, q.max_price], |r| {
                let t: String = r.get(2)?;
                let config: PricingInput =
                    serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default();
                Ok(SearchPricing {
                    pricing_id: r.get(0)?,
                    service_name: r.get(1)?,
                    pricing_type: t,
                    current_price: r.get(3)?,
                    currency: r.get(4)?,
                    flat_rate: config.flat_rate,
                    hourly_rate: config.hourly_rate,
                    minimum_hours: config.minimum_hours,
                    maximum_hours: config.maximum_hours,
                    tiers: config.tiers,
                    packages: config.packages,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let (name, image, address): (String, Option<String>, Option<String>) =
            details.query_row([&h.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        out.push(ProviderSearchResult {
            provider_name: name,
            profile_image: image,
            rating: Rating {
                average: stats::round(h.avg, 1),
                count: h.count,
            },
            pricing,
            location: SearchLocation {
                address,
                distance: stats::round(h.distance, 1),
            },
            availability: Availability {
                next_available: crate::service::bookings::next_available(conn, &h.id)?,
            },
            provider_id: h.id,
        });
    }
    Ok(Paged {
        items: out,
        meta: PageMeta::of(page, total),
    })
}
