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
/// matching prices. Counts and orders the offers from the R*Tree alone (an index
/// entry and a distance per offer in the box); the offers, providers and prices
/// tables are read for the page's providers only (and, with a price range, for
/// offers whose prices reach outside it).
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

/// An offer in the radius: bounds of its distance, and the offer with its
/// exact distance once read.
struct Inside {
    id: i64,
    lo: f64,
    hi: f64,
    exact: Option<(search_store::Candidate, f64)>,
}

/// Slack for floating-point rounding in a distance (a millimetre).
const ROUNDING_KM: f64 = 1e-6;

/// Nearest first, any price: the total and the page, reading only the R*Tree's
/// nodes for every offer in the box, and the exact place, provider and rating
/// (offers and providers by key, one read per list) for the page's offers and
/// those the nodes cannot place.
///
/// A node holds each place rounded outwards to 32-bit floats (a box under a
/// metre wide), so the distance from its centre bounds the exact distance
/// within the box's half-width (`lo..=hi`). An offer whose `hi` is within the
/// radius is in it; one whose `lo` is beyond it is out; only the few in
/// between are measured exactly. For the page: with `k` = offset + limit and
/// `t` the k-th smallest `hi` among those in the radius, at least `k` providers
/// are at most `t` away, so an offer with `lo > t` ranks after the page; the
/// others are measured exactly and sorted (distance, then provider id, as the
/// full sort does).
fn nearest(
    conn: &Connection,
    category: &str,
    (lat, lng, radius): (f64, f64, f64),
    (min_lat, max_lat): (f64, f64),
    lng_ranges: &[(f64, f64)],
    page: &Page,
) -> ApiResult<(u64, Vec<Hit>)> {
    let mut boxes = search_store::nearby_boxes(conn, category, min_lat, max_lat, lng_ranges)?;
    // An offer found by both ranges counts once (one offer per provider and category).
    boxes.sort_unstable_by_key(|b| b.id);
    boxes.dedup_by_key(|b| b.id);
    const KM_PER_DEGREE: f64 = 6371.0088 * std::f64::consts::PI / 180.0;
    let mut inside: Vec<Inside> = Vec::new();
    // Offers near the edge: their exact places decide (one read for them all).
    let mut edge: Vec<i64> = Vec::new();
    for b in boxes {
        let centre = stats::distance_km(
            lat,
            lng,
            (b.min_lat + b.max_lat) / 2.0,
            (b.min_lng + b.max_lng) / 2.0,
        );
        // A path along the meridian, then the parallel, bounds the way from the
        // box's centre to any point of it.
        let reach =
            KM_PER_DEGREE * ((b.max_lat - b.min_lat) + (b.max_lng - b.min_lng)) / 2.0 + ROUNDING_KM;
        let (lo, hi) = (centre - reach, centre + reach);
        if lo > radius {
            continue;
        }
        if hi <= radius {
            inside.push(Inside {
                id: b.id,
                lo,
                hi,
                exact: None,
            });
        } else {
            edge.push(b.id);
        }
    }
    for (id, c) in search_store::offers(conn, &edge)? {
        let d = stats::distance_km(lat, lng, c.lat, c.lng);
        if d <= radius {
            inside.push(Inside {
                id,
                lo: d,
                hi: d,
                exact: Some((c, d)),
            });
        }
    }
    let total = inside.len() as u64;
    let k = (page.offset() + page.limit) as usize;
    if k == 0 || page.offset() >= total {
        return Ok((total, Vec::new()));
    }
    if inside.len() > k {
        let mut highs: Vec<f64> = inside.iter().map(|e| e.hi).collect();
        let (_, t, _) = highs.select_nth_unstable_by(k - 1, f64::total_cmp);
        let t = *t;
        inside.retain(|e| e.lo <= t);
    }
    // The exact places of the offers that may be on the page: one read.
    let unread: Vec<i64> = inside
        .iter()
        .filter(|e| e.exact.is_none())
        .map(|e| e.id)
        .collect();
    let mut read: HashMap<i64, search_store::Candidate> =
        search_store::offers(conn, &unread)?.into_iter().collect();
    let mut hits = Vec::with_capacity(inside.len());
    for Inside { id, exact, .. } in inside {
        let (c, d) = match exact {
            Some(x) => x,
            None => {
                let Some(c) = read.remove(&id) else {
                    continue;
                };
                let d = stats::distance_km(lat, lng, c.lat, c.lng);
                (c, d)
            }
        };
        let range = (c.min_price, c.max_price);
        hits.push(Hit::of(c, d, range));
    }
    hits.sort_by(|a, b| {
        a.distance
            .total_cmp(&b.distance)
            .then_with(|| a.id.cmp(&b.id))
    });
    let page_hits = hits
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.limit as usize)
        .collect();
    Ok((total, page_hits))
}
