//! Descriptive statistics and the two-proportion test of campaign results.

use statrs::distribution::{ContinuousCDF, Normal};

/// The `p`-th percentile (0..=100) of sorted `values`, linear interpolation between ranks.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p / 100.0) * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
}

pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Rounds to `d` decimals.
pub fn round(x: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    (x * f).round() / f
}

/// Percent of `values` strictly below `x`, plus half of those equal (mid-rank), 0..100.
pub fn percentile_rank(values: &[f64], x: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let below = values.iter().filter(|v| **v < x - 1e-9).count() as f64;
    let equal = values.iter().filter(|v| (**v - x).abs() <= 1e-9).count() as f64;
    100.0 * (below + equal / 2.0) / values.len() as f64
}

/// "65th", "1st", "22nd", "13th".
pub fn ordinal(n: i64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn z_for(confidence: f64) -> f64 {
    let n = Normal::new(0.0, 1.0).expect("standard normal");
    n.inverse_cdf(1.0 - (1.0 - confidence) / 2.0)
}

/// The normal-approximation (Wald) interval of a response rate, in percent, clamped to 0..100.
pub fn proportion_interval(successes: u64, n: u64, confidence: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let p = successes as f64 / n as f64;
    let half = z_for(confidence) * (p * (1.0 - p) / n as f64).sqrt();
    (
        ((p - half) * 100.0).max(0.0),
        ((p + half) * 100.0).min(100.0),
    )
}

/// Two-sided p-value of the pooled two-proportion z-test.
pub fn two_proportion_p_value(s1: u64, n1: u64, s2: u64, n2: u64) -> Option<f64> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let p1 = s1 as f64 / n1 as f64;
    let p2 = s2 as f64 / n2 as f64;
    let pooled = (s1 + s2) as f64 / (n1 + n2) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
    if se == 0.0 {
        return None;
    }
    let z = (p1 - p2).abs() / se;
    let n = Normal::new(0.0, 1.0).ok()?;
    Some(2.0 * (1.0 - n.cdf(z)))
}

/// Great-circle distance in km (haversine, mean Earth radius 6371.0088 km).
pub fn distance_km(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let r = 6371.0088_f64;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * a.sqrt().min(1.0).asin()
}

/// The latitude/longitude box that contains every point within `radius_km` of the centre.
///
/// The longitude half-width is the circle's widest reach on the sphere,
/// `asin(sin(r) / cos(lat))` (reached poleward of the centre), not
/// `r / cos(lat)` at the centre, which misses the circle's flanks at high
/// latitude. A circle that reaches a pole spans every longitude. The box is
/// widened by a hair (1e-9°, about 0.1 mm) so that floating-point rounding
/// never drops a point exactly on the radius.
pub fn bounding_box(lat: f64, lng: f64, radius_km: f64) -> (f64, f64, f64, f64) {
    const HAIR: f64 = 1e-9;
    let angle = radius_km / 6371.0088;
    let dlat = angle.to_degrees() + HAIR;
    let min_lat = (lat - dlat).max(-90.0);
    let max_lat = (lat + dlat).min(90.0);
    let reach = angle.sin() / lat.to_radians().cos().abs();
    if max_lat >= 90.0 || min_lat <= -90.0 || !reach.is_finite() || reach >= 1.0 {
        return (min_lat, max_lat, -180.0, 180.0);
    }
    let dlng = (reach.asin().to_degrees() + HAIR).min(180.0);
    (min_lat, max_lat, lng - dlng, lng + dlng)
}

/// Built-in gazetteer for `location=<city>`: (name, latitude, longitude).
pub const CITIES: &[(&str, f64, f64)] = &[
    ("Nairobi", -1.2864, 36.8172),
    ("Mombasa", -4.0435, 39.6682),
    ("Kisumu", -0.0917, 34.7680),
    ("Nakuru", -0.3031, 36.0800),
    ("Eldoret", 0.5143, 35.2698),
    ("Thika", -1.0333, 37.0693),
    ("Malindi", -3.2192, 40.1169),
    ("Kitale", 1.0157, 35.0062),
    ("Garissa", -0.4532, 39.6461),
    ("Nyeri", -0.4201, 36.9476),
    ("Machakos", -1.5177, 37.2634),
    ("Meru", 0.0463, 37.6559),
    ("Kampala", 0.3476, 32.5825),
    ("Dar es Salaam", -6.7924, 39.2083),
    ("Kigali", -1.9441, 30.0619),
    ("Addis Ababa", 9.0300, 38.7400),
    ("Lagos", 6.5244, 3.3792),
    ("Accra", 5.6037, -0.1870),
    ("Johannesburg", -26.2041, 28.0473),
    ("Cape Town", -33.9249, 18.4241),
    ("Cairo", 30.0444, 31.2357),
    ("London", 51.5072, -0.1276),
    ("New York", 40.7128, -74.0060),
];

/// The gazetteer entry named `name` (case-insensitive).
pub fn city(name: &str) -> Option<(&'static str, f64, f64)> {
    let n = name.trim();
    CITIES
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(n))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_campaign_figures() {
        let (l, u) = proportion_interval(175, 500, 0.95);
        assert_eq!((round(l, 0), round(u, 0)), (31.0, 39.0));
        let (l, u) = proportion_interval(225, 500, 0.95);
        assert_eq!((round(l, 0), round(u, 0)), (41.0, 49.0));
        let p = two_proportion_p_value(175, 500, 225, 500).unwrap();
        assert!(p < 0.05, "{p}");
        assert!(two_proportion_p_value(50, 100, 52, 100).unwrap() > 0.05);
    }

    #[test]
    fn percentiles_and_distance() {
        let v = [300.0, 400.0, 500.0, 650.0, 1000.0];
        assert_eq!(percentile(&v, 50.0), 500.0);
        assert_eq!(percentile(&v, 25.0), 400.0);
        assert_eq!(percentile(&v, 75.0), 650.0);
        assert_eq!(ordinal(65), "65th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(11), "11th");
        // Nairobi to Mombasa is about 440 km.
        let d = distance_km(-1.2864, 36.8172, -4.0435, 39.6682);
        assert!((d - 441.0).abs() < 5.0, "{d}");
        let (a, b, c, e) = bounding_box(-1.2864, 36.8172, 10.0);
        assert!(a < -1.2864 && b > -1.2864 && c < 36.8172 && e > 36.8172);
        // At high latitude the box holds the circle's widest point, which lies
        // poleward of the centre and further east than r / cos(lat) reaches.
        for (lat, r) in [(70.0_f64, 500.0_f64), (89.5, 50.0), (-80.0, 120.0)] {
            let (_, _, west, east) = bounding_box(lat, 10.0, r);
            let angle = r / 6371.0088;
            let at = (lat.to_radians().sin() / angle.cos()).asin().to_degrees();
            let widest = (angle.sin() / lat.to_radians().cos()).asin().to_degrees();
            let point = 10.0 + widest * (1.0 - 1e-9);
            assert!(distance_km(lat, 10.0, at, point) <= r + 1e-6);
            assert!(point <= east && 20.0 - point >= west, "{lat} {r}");
        }
    }
}
