//! Issue 18: "search providers nearby" answers exactly what a brute-force
//! distance sort answers. A fixed set of providers (around Nairobi, on both
//! sides of the 180° meridian, far north and next to the pole, some exactly on
//! the radius, some at the circle's widest reach east and west at high
//! latitude, some sharing a place and a rating, some without a place, inactive
//! prices, three categories) is searched with every sort, several radii, price
//! filters and pages; each answer is compared with the reference written out
//! here: every provider's great-circle distance (no box), within the radius,
//! the matching active prices' minimum and maximum, providers in id order, then
//! a stable sort.

use frontline_marketplace::stats::{bounding_box, distance_km, round};
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use rusqlite::params;
use serde_json::Value;

const CATEGORIES: &[&str] = &["cut", "paint", "plumb"];

/// Centres searched: (lat, lng).
const CENTRES: &[(f64, f64)] = &[
    (-1.2864, 36.8219),
    (-17.0, 179.95),
    (-17.0, -179.95),
    (70.0, 25.0),
    (89.5, 0.0),
];

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Clone)]
struct Provider {
    id: String,
    place: Option<(f64, f64)>,
    avg: f64,
    count: i64,
}

struct Price {
    id: String,
    provider: String,
    category: &'static str,
    active: bool,
    price: f64,
}

fn wrap(lng: f64) -> f64 {
    if lng > 180.0 {
        lng - 360.0
    } else if lng < -180.0 {
        lng + 360.0
    } else {
        lng
    }
}

fn fixture() -> (Vec<Provider>, Vec<Price>) {
    let mut rng = Lcg(7);
    let mut providers = Vec::new();
    let mut n = 0;
    let mut add = |place: Option<(f64, f64)>, avg: f64, count: i64, out: &mut Vec<Provider>| {
        n += 1;
        out.push(Provider {
            id: format!("{:024x}", 0xa000_0000_u64 + (n * 7919 % 100_003) as u64),
            place,
            avg,
            count,
        });
    };
    for &(lat, lng) in CENTRES {
        for _ in 0..70 {
            // Mostly near, some far (outside every radius but 500 km).
            let spread = if rng.next() < 0.7 { 0.6 } else { 6.0 };
            let plat = (lat + (rng.next() - 0.5) * spread).clamp(-90.0, 90.0);
            let plng = wrap(lng + (rng.next() - 0.5) * spread * 3.0);
            let avg = (rng.next() * 5.0 * 2.0).round() / 2.0;
            let count = (rng.next() * 4.0) as i64;
            add(Some((plat, plng)), avg, count, &mut providers);
        }
        // Exactly on the radius (north, south, east and west) for the radii searched.
        for r in [5.0, 10.0, 50.0] {
            let (min_lat, max_lat, min_lng, max_lng) = bounding_box(lat, lng, r);
            for place in [
                (max_lat, lng),
                (min_lat, lng),
                (lat, wrap(max_lng)),
                (lat, wrap(min_lng)),
            ] {
                add(Some(place), 4.0, 2, &mut providers);
            }
        }
        // At the circle's widest reach east and west (poleward of the centre),
        // just inside and just outside: a box r / cos(lat) wide misses those
        // inside at high latitude.
        for r in [5.0, 10.0, 50.0, 120.0, 500.0] {
            let angle = r / 6371.0088_f64;
            let reach = angle.sin() / lat.to_radians().cos();
            if reach >= 1.0 {
                continue;
            }
            let at = (lat.to_radians().sin() / angle.cos()).asin().to_degrees();
            let widest = reach.asin().to_degrees();
            for f in [0.999, 0.99999, 1.001] {
                add(Some((at, wrap(lng + widest * f))), 3.5, 1, &mut providers);
                add(Some((at, wrap(lng - widest * f))), 3.5, 1, &mut providers);
            }
        }
        // Three providers sharing a place and a rating: order by id.
        for _ in 0..3 {
            add(Some((lat, wrap(lng + 0.01))), 4.5, 3, &mut providers);
        }
    }
    // No place: never found.
    for _ in 0..5 {
        add(None, 5.0, 9, &mut providers);
    }
    let mut prices = Vec::new();
    for (i, p) in providers.iter().enumerate() {
        let k = 1 + (rng.next() * 3.0) as usize;
        for j in 0..k {
            prices.push(Price {
                id: format!("{:024x}", 0xc000_0000_u64 + (i * 10 + j) as u64),
                provider: p.id.clone(),
                category: CATEGORIES[(rng.next() * 3.0) as usize % 3],
                active: rng.next() > 0.15,
                // Round hundreds: many providers share a price.
                price: 100.0 * (1.0 + (rng.next() * 19.0).round()),
            });
        }
    }
    (providers, prices)
}

/// The reference: (provider id, distance, rating, count) in the answer's order.
#[allow(clippy::too_many_arguments)]
fn brute_force(
    providers: &[Provider],
    prices: &[Price],
    category: &str,
    (lat, lng): (f64, f64),
    radius: f64,
    min_price: Option<f64>,
    max_price: Option<f64>,
    sort: &str,
) -> Vec<(String, f64, f64, i64)> {
    struct Hit {
        id: String,
        avg: f64,
        count: i64,
        distance: f64,
        min: f64,
        max: f64,
    }
    let mut sorted: Vec<&Provider> = providers.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut hits = Vec::new();
    for p in sorted {
        let Some((plat, plng)) = p.place else {
            continue;
        };
        let matching: Vec<f64> = prices
            .iter()
            .filter(|x| {
                x.provider == p.id
                    && x.category == category
                    && x.active
                    && min_price.is_none_or(|m| x.price >= m)
                    && max_price.is_none_or(|m| x.price <= m)
            })
            .map(|x| x.price)
            .collect();
        if matching.is_empty() {
            continue;
        }
        let distance = distance_km(lat, lng, plat, plng);
        if distance > radius {
            continue;
        }
        hits.push(Hit {
            id: p.id.clone(),
            avg: p.avg,
            count: p.count,
            distance,
            min: matching.iter().cloned().fold(f64::INFINITY, f64::min),
            max: matching.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
        });
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
    hits.into_iter()
        .map(|h| (h.id, round(h.distance, 1), round(h.avg, 1), h.count))
        .collect()
}

#[tokio::test]
async fn search_nearby_answers_what_a_brute_force_distance_sort_answers() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let (providers, prices) = fixture();
    let (pv, pr) = (
        providers.clone(),
        prices
            .iter()
            .map(|p| {
                (
                    p.id.clone(),
                    p.provider.clone(),
                    p.category,
                    p.active,
                    p.price,
                )
            })
            .collect::<Vec<_>>(),
    );
    app.platform
        .db
        .write(move |tx| {
            let mut prow = tx.prepare(
                "INSERT INTO marketplace_providers (id, user_id, name, lng, lat, city, rating_avg, rating_count, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'Nairobi', ?6, ?7, '2026-11-01T00:00:00Z')",
            )?;
            for p in &pv {
                prow.execute(params![
                    p.id,
                    format!("user-{}", p.id),
                    format!("Provider {}", p.id),
                    p.place.map(|x| x.1),
                    p.place.map(|x| x.0),
                    p.avg,
                    p.count
                ])?;
            }
            let mut crow = tx.prepare(
                "INSERT INTO marketplace_pricing (id, provider_id, category_id, service_key, service_name, pricing_type,
                   current_price, currency, config, is_active, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?1, 'Service', 'flat', ?4, 'KES', ?5, ?6, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
            )?;
            for (id, provider, category, active, price) in &pr {
                crow.execute(params![
                    id,
                    provider,
                    category,
                    price,
                    format!(r#"{{"pricingType":"flat","flatRate":{price},"currency":"KES"}}"#),
                    *active as i64
                ])?;
            }
            Ok(())
        })
        .await
        .expect("fixture");

    let found = compare_all(&app, &providers, &prices).await;
    // The fixture is not vacuous: many answers hold providers.
    assert!(found > 2_000, "only {found} providers found in all answers");

    // Prices change, stop, move to another category or go; providers move,
    // lose their place or get one: the answers follow.
    let mut rng = Lcg(99);
    let mut providers = providers;
    let mut prices = prices;
    let mut sql = Vec::new();
    for (i, x) in prices.iter_mut().enumerate() {
        match i % 9 {
            0 => {
                x.active = !x.active;
                sql.push(format!(
                    "UPDATE marketplace_pricing SET is_active = {} WHERE id = '{}'",
                    x.active as i64, x.id
                ));
            }
            1 => {
                x.price = 100.0 * (1.0 + (rng.next() * 19.0).round());
                sql.push(format!(
                    "UPDATE marketplace_pricing SET current_price = {} WHERE id = '{}'",
                    x.price, x.id
                ));
            }
            2 => {
                x.category = CATEGORIES[(rng.next() * 3.0) as usize % 3];
                sql.push(format!(
                    "UPDATE marketplace_pricing SET category_id = '{}' WHERE id = '{}'",
                    x.category, x.id
                ));
            }
            _ => {}
        }
    }
    for x in prices.iter().filter(|x| x.id.ends_with('7')) {
        sql.push(format!(
            "DELETE FROM marketplace_pricing WHERE id = '{}'",
            x.id
        ));
    }
    prices.retain(|x| !x.id.ends_with('7'));
    for (i, p) in providers.iter_mut().enumerate() {
        let place = match (i % 11, p.place) {
            (0, Some((lat, lng))) => Some(((lat + 0.05).min(90.0), wrap(lng - 0.07))),
            (1, _) => None,
            (2, None) => Some(CENTRES[0]),
            (_, place) => place,
        };
        if place != p.place {
            p.place = place;
            let (lat, lng) = place.map_or(("NULL".into(), "NULL".into()), |(a, b)| {
                (a.to_string(), b.to_string())
            });
            sql.push(format!(
                "UPDATE marketplace_providers SET lat = {lat}, lng = {lng} WHERE id = '{}'",
                p.id
            ));
        }
    }
    app.platform
        .db
        .write(move |tx| {
            for s in &sql {
                tx.execute(s, [])?;
            }
            Ok(())
        })
        .await
        .expect("changes");
    let found = compare_all(&app, &providers, &prices).await;
    assert!(found > 2_000, "only {found} providers found in all answers");
}

/// Every search of the grid compared with the brute-force reference; the providers found.
async fn compare_all(app: &TestApp, providers: &[Provider], prices: &[Price]) -> usize {
    let mut compared = 0;
    let mut found = 0;
    for &centre in CENTRES {
        for radius in [5.0, 10.0, 50.0, 120.0, 500.0] {
            for sort in ["distance", "price_asc", "price_desc", "rating_desc"] {
                for (min, max) in [
                    (None, None),
                    (Some(300.0), Some(900.0)),
                    (Some(1500.0), None),
                ] {
                    let category = CATEGORIES[compared % 3];
                    let want =
                        brute_force(providers, prices, category, centre, radius, min, max, sort);
                    let mut filter = String::new();
                    if let Some(m) = min {
                        filter += &format!("&minPrice={m}");
                    }
                    if let Some(m) = max {
                        filter += &format!("&maxPrice={m}");
                    }
                    for (page, limit) in [(1, 100), (2, 7)] {
                        let url = format!(
                            "/marketplace/v1/services/search?serviceCategoryId={category}&location={},{}&radius={radius}&sortBy={sort}{filter}&page={page}&limit={limit}",
                            centre.0, centre.1
                        );
                        let (s, b) = app.call("GET", &url, None, None).await.parts();
                        assert_eq!(s, StatusCode::OK, "{url}: {b}");
                        assert_eq!(
                            b["metadata"]["total"].as_u64(),
                            Some(want.len() as u64),
                            "{url}: {b}"
                        );
                        let got: Vec<(String, f64, f64, i64)> = b["data"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|r: &Value| {
                                (
                                    r["providerId"].as_str().unwrap().to_string(),
                                    r["location"]["distance"].as_f64().unwrap(),
                                    r["rating"]["average"].as_f64().unwrap(),
                                    r["rating"]["count"].as_i64().unwrap(),
                                )
                            })
                            .collect();
                        let expected: Vec<_> = want
                            .iter()
                            .skip((page - 1) * limit)
                            .take(limit)
                            .cloned()
                            .collect();
                        assert_eq!(got, expected, "{url}");
                        // Each provider's prices: the matching active ones of the category.
                        for r in b["data"].as_array().unwrap() {
                            let pid = r["providerId"].as_str().unwrap();
                            let mut shown: Vec<String> = r["pricing"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|x| x["pricingId"].as_str().unwrap().to_string())
                                .collect();
                            shown.sort();
                            let mut matching: Vec<String> = prices
                                .iter()
                                .filter(|x| {
                                    x.provider == pid
                                        && x.category == category
                                        && x.active
                                        && min.is_none_or(|m| x.price >= m)
                                        && max.is_none_or(|m| x.price <= m)
                                })
                                .map(|x| x.id.clone())
                                .collect();
                            matching.sort();
                            assert_eq!(shown, matching, "{url}: {pid}");
                        }
                        found += got.len();
                    }
                    compared += 1;
                }
            }
        }
    }
    found
}

/// Random places and radii, nearest first (the grid's path): clusters of
/// providers of several spreads (around Nairobi, on the 180° meridian, far
/// north, next to the pole, and at random), some sharing a place, searched
/// from random places near them with radii from half a kilometre to 500 km
/// and random pages; every total and page is the brute-force reference's.
#[tokio::test]
async fn random_places_and_radii_answer_what_a_brute_force_distance_sort_answers() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let mut rng = Lcg(2026);
    let mut centres: Vec<(f64, f64)> = CENTRES.to_vec();
    for _ in 0..4 {
        centres.push((rng.next() * 160.0 - 80.0, rng.next() * 360.0 - 180.0));
    }
    let mut providers: Vec<(String, f64, f64)> = Vec::new();
    for (c, &(lat, lng)) in centres.iter().enumerate() {
        for (s, spread) in [0.02, 0.3, 2.0, 8.0].into_iter().enumerate() {
            for i in 0..220 {
                let plat = (lat + (rng.next() - 0.5) * spread).clamp(-90.0, 90.0);
                let plng = wrap(lng + (rng.next() - 0.5) * spread * 2.0);
                providers.push((format!("r{c}s{s}n{i:04}"), plat, plng));
            }
        }
        // Five sharing one place.
        for i in 0..5 {
            providers.push((format!("r{c}same{i}"), lat, wrap(lng + 0.001)));
        }
    }
    // Each with a "cut" price (every seventh inactive) and a "paint" price.
    let rows: Vec<(String, f64, f64, bool)> = providers
        .iter()
        .enumerate()
        .map(|(i, (id, lat, lng))| (id.clone(), *lat, *lng, i % 7 != 3))
        .collect();
    app.platform
        .db
        .write(move |tx| {
            let mut prow = tx.prepare(
                "INSERT INTO marketplace_providers (id, user_id, name, lng, lat, rating_avg, rating_count, created_at)
                 VALUES (?1, ?1, ?1, ?2, ?3, 4.0, 1, '2026-11-01T00:00:00Z')",
            )?;
            let mut crow = tx.prepare(
                "INSERT INTO marketplace_pricing (id, provider_id, category_id, service_key, service_name, pricing_type,
                   current_price, currency, config, is_active, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?1, 'Service', 'flat', 500, 'KES', '{}', ?4, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
            )?;
            for (id, lat, lng, active) in &rows {
                prow.execute(params![id, lng, lat])?;
                crow.execute(params![format!("{id}c"), id, "cut", *active as i64])?;
                crow.execute(params![format!("{id}p"), id, "paint", 1])?;
            }
            Ok(())
        })
        .await
        .expect("fixture");
    let cut: Vec<&(String, f64, f64)> = providers
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 7 != 3)
        .map(|(_, p)| p)
        .collect();
    let mut nonempty = 0;
    for q in 0..240 {
        let (clat, clng) = centres[q % centres.len()];
        let jitter = [0.0, 0.01, 0.5, 3.0][(rng.next() * 4.0) as usize % 4];
        let lat = (clat + (rng.next() - 0.5) * jitter).clamp(-90.0, 90.0);
        let lng = wrap(clng + (rng.next() - 0.5) * jitter);
        // Log-uniform from 0.5 to 500 km, rounded to metres.
        let radius = (0.5 * 1000f64.powf(rng.next()) * 1000.0).round() / 1000.0;
        let limit = 1 + (rng.next() * 30.0) as usize;
        let page = 1 + (rng.next() * 4.0) as usize;
        let mut want: Vec<(f64, &str)> = cut
            .iter()
            .map(|(id, plat, plng)| (distance_km(lat, lng, *plat, *plng), id.as_str()))
            .filter(|(d, _)| *d <= radius)
            .collect();
        want.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        let url = format!(
            "/marketplace/v1/services/search?serviceCategoryId=cut&location={lat},{lng}&radius={radius}&page={page}&limit={limit}"
        );
        let (s, b) = app.call("GET", &url, None, None).await.parts();
        assert_eq!(s, StatusCode::OK, "{url}: {b}");
        assert_eq!(
            b["metadata"]["total"].as_u64(),
            Some(want.len() as u64),
            "{url}"
        );
        let got: Vec<(String, f64)> = b["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r: &Value| {
                (
                    r["providerId"].as_str().unwrap().to_string(),
                    r["location"]["distance"].as_f64().unwrap(),
                )
            })
            .collect();
        let expected: Vec<(String, f64)> = want
            .iter()
            .skip((page - 1) * limit)
            .take(limit)
            .map(|(d, id)| (id.to_string(), round(*d, 1)))
            .collect();
        assert_eq!(got, expected, "{url}");
        nonempty += usize::from(!got.is_empty());
    }
    // Not vacuous: most searches show providers.
    assert!(nonempty > 150, "only {nonempty} searches showed providers");
}
