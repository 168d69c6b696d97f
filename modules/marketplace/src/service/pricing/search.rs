//! Provider search by category and distance.

use super::*;
use std::collections::HashMap;

use crate::store::search as search_store;

/// Search parameters.
pub struct SearchQuery<'a> {
    pub category: &'a str,
    pub location: &'a str,
    pub min_price: Option<f64>,
    pub max_price: Option<f64>,
    pub sort_by: Option<&'a str>,
    pub radius: Option<f64>,
}

/// `GET /services/search`: providers of a category within `radius` km (the offers of the
/// category in the latitude/longitude box, then great-circle distance), with their
/// matching prices. Nearest first without a price range, the total and the
/// page come from the offers' grid counts (`super::nearest`: the cells inside
/// the circle summed, the edge's and the page's offers read); any other order
/// or a price range counts and orders the offers from the R*Tree alone (an
/// index entry and a distance per offer in the box). The offers, providers and
/// prices tables are read for the page's providers only (and, with a price
/// range, for offers whose prices reach outside it).
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
    // A box that crosses the 180° meridian is two ranges of longitude.
    let lng_ranges = if min_lng < -180.0 {
        vec![(min_lng + 360.0, 180.0), (-180.0, max_lng)]
    } else if max_lng > 180.0 {
        vec![(min_lng, 180.0), (-180.0, max_lng - 360.0)]
    } else {
        vec![(min_lng, max_lng)]
    };
    let filtered = q.min_price.is_some() || q.max_price.is_some();
    let (total, hits) = if !filtered && sort == "distance" {
        nearest(
            conn,
            q.category,
            (lat, lng, radius),
            (min_lat, max_lat),
            &lng_ranges,
            page,
        )?
    } else {
        let hits = in_radius(
            conn,
            q,
            (lat, lng, radius),
            (min_lat, max_lat),
            &lng_ranges,
            sort,
        )?;
        let total = hits.len() as u64;
        let page_hits = hits
            .into_iter()
            .skip(page.offset() as usize)
            .take(page.limit as usize)
            .collect();
        (total, page_hits)
    };
    // The page's providers: their prices, cards and free hours, one read each.
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    let mut prices: HashMap<String, Vec<SearchPricing>> = HashMap::new();
    for (provider, r) in
        search_store::matching_prices(conn, &ids, q.category, q.min_price, q.max_price)?
    {
        let config: PricingInput = serde_json::from_str(&r.config).unwrap_or_default();
        prices.entry(provider).or_default().push(SearchPricing {
            pricing_id: r.id,
            service_name: r.service_name,
            pricing_type: r.pricing_type,
            current_price: r.current_price,
            currency: r.currency,
            flat_rate: config.flat_rate,
            hourly_rate: config.hourly_rate,
            minimum_hours: config.minimum_hours,
            maximum_hours: config.maximum_hours,
            tiers: config.tiers,
            packages: config.packages,
        });
    }
    let mut cards: HashMap<String, search_store::Card> =
        search_store::cards(conn, &ids)?.into_iter().collect();
    let mut free = crate::service::bookings::next_available(conn, &ids)?;
    let mut out = Vec::with_capacity(hits.len());
    for h in hits {
        // Every offer's provider exists (removing one removes its offers).
        let Some(card) = cards.remove(&h.id) else {
            continue;
        };
        out.push(ProviderSearchResult {
            provider_name: card.name,
            profile_image: card.profile_image,
            rating: Rating {
                average: stats::round(h.avg, 1),
                count: h.count,
            },
            pricing: prices.remove(&h.id).unwrap_or_default(),
            location: SearchLocation {
                address: card.address,
                distance: stats::round(h.distance, 1),
            },
            availability: Availability {
                next_available: free.remove(&h.id).flatten(),
            },
            provider_id: h.id,
        });
    }
    Ok(Paged {
        items: out,
        meta: PageMeta::of(page, total),
    })
}

/// A provider in the radius: its offer's rating, distance and matching price range.
struct Hit {
    id: String,
    avg: f64,
    count: i64,
    distance: f64,
    min: f64,
    max: f64,
}

impl Hit {
    fn of(c: search_store::Candidate, distance: f64, (min, max): (f64, f64)) -> Hit {
        Hit {
            id: c.provider_id,
            avg: c.rating_avg,
            count: c.rating_count,
            distance,
            min,
            max,
        }
    }
}

/// Every provider of the category in the radius whose prices match, in `sort`
/// order: one R*Tree entry (with its auxiliary columns) and a distance per
/// offer in the box.
fn in_radius(
    conn: &Connection,
    q: &SearchQuery<'_>,
    (lat, lng, radius): (f64, f64, f64),
    (min_lat, max_lat): (f64, f64),
    lng_ranges: &[(f64, f64)],
    sort: &str,
) -> ApiResult<Vec<Hit>> {
    // The offers of the category in the box, from the R*Tree alone (place,
    // prices and rating are its auxiliary columns); then the exact distance.
    let mut candidates = search_store::nearby(
        conn,
        &search_store::NearbyQuery {
            category: q.category,
            min_lat,
            max_lat,
            lng_ranges,
            min_price: q.min_price,
            max_price: q.max_price,
        },
    )?;
    // Ties keep the providers' id order; a provider found by both ranges counts once.
    candidates.sort_by(|a, b| a.provider_id.cmp(&b.provider_id));
    candidates.dedup_by(|a, b| a.provider_id == b.provider_id);
    let filtered = q.min_price.is_some() || q.max_price.is_some();
    let (lo, hi) = (
        q.min_price.unwrap_or(f64::NEG_INFINITY),
        q.max_price.unwrap_or(f64::INFINITY),
    );
    let mut hits: Vec<Hit> = Vec::new();
    for c in candidates {
        let distance = stats::distance_km(lat, lng, c.lat, c.lng);
        if distance > radius {
            continue;
        }
        // An offer whose prices all lie in the range matches with its own
        // cheapest and dearest; one that reaches outside it needs its prices
        // in the range (two seeks of the provider's index), and may have none.
        let (min, max) = if !filtered || (lo <= c.min_price && c.max_price <= hi) {
            (c.min_price, c.max_price)
        } else {
            match search_store::matching_range(conn, &c.provider_id, q.category, lo, hi)? {
                Some(range) => range,
                None => continue,
            }
        };
        hits.push(Hit::of(c, distance, (min, max)));
    }
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
    Ok(hits)
}

/// Nearest first, any price: the total and the page from the offers' grid
/// counts (see [`super::nearest`]); the page's offers are then read by key
/// (provider, rating: one read for the page).
fn nearest(
    conn: &Connection,
    category: &str,
    circle: (f64, f64, f64),
    lat_range: (f64, f64),
    lng_ranges: &[(f64, f64)],
    page: &Page,
) -> ApiResult<(u64, Vec<Hit>)> {
    // Counts, offers and the page's offers from one snapshot.
    let (total, near, mut read) = search_store::on_one_snapshot(conn, || {
        let (total, near) = super::nearest::nearest_offers(
            conn,
            category,
            circle,
            lat_range,
            lng_ranges,
            (page.offset(), page.limit),
        )?;
        let ids: Vec<i64> = near.iter().map(|n| n.id).collect();
        let read: HashMap<i64, search_store::Candidate> =
            search_store::offers(conn, &ids)?.into_iter().collect();
        ApiResult::Ok((total, near, read))
    })?;
    let hits = near
        .into_iter()
        .filter_map(|n| {
            let c = read.remove(&n.id)?;
            let range = (c.min_price, c.max_price);
            Some(Hit::of(c, n.distance, range))
        })
        .collect();
    Ok((total, hits))
}
