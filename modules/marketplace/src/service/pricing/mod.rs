//! Pricing configurations, their history, market suggestions, estimates and provider search,
//! one file per concern: the rules of a configuration here; `write` (create, bulk, update
//! with history), `lists` (a provider's configurations and history), `market` (suggestions),
//! `estimate`, `search`.

mod estimate;
mod lists;
mod market;
mod nearest;
mod search;
mod write;

pub use estimate::*;
pub use lists::*;
pub use market::*;
pub use nearest::{nearby_work, NearbyWork};
pub use search::*;
pub use write::*;

use chrono::{Datelike, Duration, Timelike, Utc, Weekday};
use frontline_platform::audit::AuditEntry;
use frontline_platform::auth::Principal;
use frontline_platform::error::FieldError;
use frontline_platform::page::Page;
use frontline_platform::write::WriteCtx;
use frontline_platform::ApiResult;
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::{check_coordinates, ensure_provider, iso, new_id, now};
use crate::model::MarketplaceError;
use crate::model::{
    to_value, Availability, BulkPricingFailure, BulkPricingResult, ChangedField, DynamicPricing,
    ErrorDetail, EstimateRequest, LevelSuggestion, MarketRateSuggestions, OtherPricingType,
    PageMeta, Paged, PriceAdjustment, PriceBreakdown, PriceEstimate, PriceStatistics,
    PriceSuggestion, PriceSuggestions, PricingConfiguration, PricingCreated, PricingHistoryEntry,
    PricingInput, PricingUpdated, ProviderSearchResult, QualityTier, Rating, SearchLocation,
    SearchPricing,
};
use crate::stats;
use crate::store::pricing as store;
use crate::SLUG;

pub const TYPES: &[&str] = &["flat", "hourly", "tiered", "package"];

/// The highest price, rate or fee a configuration takes: estimates built from
/// it (hours, surcharges, travel) stay finite numbers.
pub const MAX_PRICE: f64 = 1e9;
/// The most hours a configuration may set (a booking lasts at most 24 hours).
pub const MAX_HOURS: f64 = 24.0;

/// A duration in minutes of a tier or package: 1 to 1440, like a booking.
fn minutes(problems: &mut Vec<FieldError>, field: &str, v: Option<i64>) {
    if v.is_some_and(|d| !(1..=24 * 60).contains(&d)) {
        problems.push(FieldError::new(
            field,
            format!("{field} must be 1 to 1440 minutes"),
        ));
    }
}

fn positive(problems: &mut Vec<FieldError>, field: &str, v: Option<f64>, required: Option<&str>) {
    positive_upto(problems, field, v, required, MAX_PRICE)
}

fn positive_upto(
    problems: &mut Vec<FieldError>,
    field: &str,
    v: Option<f64>,
    required: Option<&str>,
    max: f64,
) {
    match v {
        None => {
            if let Some(t) = required {
                problems.push(FieldError::new(
                    field,
                    format!("{field} is required for {t} pricing type"),
                ))
            }
        }
        Some(x) if !x.is_finite() || x <= 0.0 => problems.push(FieldError::new(
            field,
            format!("{field} must be greater than 0"),
        )),
        Some(x) if x > max => problems.push(FieldError::new(
            field,
            format!("{field} must be at most {max}"),
        )),
        _ => {}
    }
}

fn percent(problems: &mut Vec<FieldError>, field: &str, v: Option<f64>) {
    if let Some(x) = v {
        if !x.is_finite() || !(0.0..=100.0).contains(&x) {
            problems.push(FieldError::new(
                field,
                format!("{field} must be between 0 and 100"),
            ));
        }
    }
}

/// Every rule of a complete configuration; one detail per bad field, prefixed with `prefix`.
pub fn validate(p: &PricingInput, prefix: &str) -> Vec<FieldError> {
    let mut out = Vec::new();
    match p.service_name.as_deref().map(str::trim) {
        None | Some("") => out.push(FieldError::new("serviceName", "serviceName is required")),
        Some(n) if n.chars().count() > 200 => out.push(FieldError::new(
            "serviceName",
            "serviceName must be at most 200 characters",
        )),
        _ => {}
    }
    if let Some(d) = &p.service_description {
        if d.chars().count() > 2000 {
            out.push(FieldError::new(
                "serviceDescription",
                "serviceDescription must be at most 2000 characters",
            ));
        }
    }
    for (f, v) in [
        ("serviceCategoryId", &p.service_category_id),
        ("serviceSubCategoryId", &p.service_sub_category_id),
    ] {
        if let Some(id) = v {
            if !super::bookings::is_category_ref(id) {
                out.push(FieldError::new(
                    f,
                    format!("{f} must be a category id or slug (1 to 64 letters, digits, - or _)"),
                ));
            }
        }
    }
    let t = p.pricing_type.map(|t| t.as_str()).unwrap_or("");
    if !TYPES.contains(&t) {
        out.push(FieldError::new(
            "pricingType",
            "pricingType must be one of flat, hourly, tiered, package",
        ));
    }
    positive(
        &mut out,
        "flatRate",
        p.flat_rate,
        (t == "flat").then_some("flat"),
    );
    positive(
        &mut out,
        "hourlyRate",
        p.hourly_rate,
        (t == "hourly").then_some("hourly"),
    );
    positive_upto(&mut out, "minimumHours", p.minimum_hours, None, MAX_HOURS);
    positive_upto(&mut out, "maximumHours", p.maximum_hours, None, MAX_HOURS);
    if let (Some(a), Some(b)) = (p.minimum_hours, p.maximum_hours) {
        if a > b {
            out.push(FieldError::new(
                "maximumHours",
                "maximumHours must not be less than minimumHours",
            ));
        }
    }
    match (&p.tiers, t) {
        (None, "tiered") => out.push(FieldError::new(
            "tiers",
            "tiers is required for tiered pricing type",
        )),
        (Some(tiers), _) => {
            if t == "tiered" && tiers.is_empty() {
                out.push(FieldError::new(
                    "tiers",
                    "tiers must have at least one tier",
                ));
            }
            let mut names = std::collections::HashSet::new();
            for (i, tier) in tiers.iter().enumerate() {
                match tier.tier_name.as_deref().map(str::trim) {
                    None | Some("") => out.push(FieldError::new(
                        format!("tiers[{i}].tierName"),
                        "tierName is required",
                    )),
                    Some(n) => {
                        if !names.insert(n.to_lowercase()) {
                            out.push(FieldError::new(
                                format!("tiers[{i}].tierName"),
                                "tierName must be unique",
                            ))
                        }
                    }
                }
                positive(
                    &mut out,
                    &format!("tiers[{i}].price"),
                    tier.price,
                    Some("tiered"),
                );
                minutes(&mut out, &format!("tiers[{i}].duration"), tier.duration);
            }
        }
        _ => {}
    }
    match (&p.packages, t) {
        (None, "package") => out.push(FieldError::new(
            "packages",
            "packages is required for package pricing type",
        )),
        (Some(pk), _) => {
            if t == "package" && pk.is_empty() {
                out.push(FieldError::new(
                    "packages",
                    "packages must have at least one package",
                ));
            }
            for (i, p) in pk.iter().enumerate() {
                if p.package_name
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or("")
                    .is_empty()
                {
                    out.push(FieldError::new(
                        format!("packages[{i}].packageName"),
                        "packageName is required",
                    ));
                }
                positive(
                    &mut out,
                    &format!("packages[{i}].price"),
                    p.price,
                    Some("package"),
                );
                minutes(&mut out, &format!("packages[{i}].duration"), p.duration);
                if p.sessions.is_some_and(|n| !(1..=1000).contains(&n)) {
                    out.push(FieldError::new(
                        format!("packages[{i}].sessions"),
                        "sessions must be 1 to 1000",
                    ));
                }
            }
        }
        _ => {}
    }
    if let Some(c) = &p.currency {
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            out.push(FieldError::new(
                "currency",
                "currency must be a 3-letter ISO 4217 code such as KES",
            ));
        }
    }
    if let Some(loc) = &p.location {
        if let Some(c) = &loc.coordinates {
            if let Err(m) = check_coordinates("coordinates", c) {
                out.push(FieldError::new("location.coordinates", m));
            }
        }
        if let Some(r) = loc.service_radius {
            if !r.is_finite() || r <= 0.0 || r > 500.0 {
                out.push(FieldError::new(
                    "location.serviceRadius",
                    "serviceRadius must be between 0 and 500 km",
                ));
            }
        }
    }
    if let Some(d) = &p.dynamic_pricing {
        percent(&mut out, "dynamicPricing.rushFee", d.rush_fee);
        percent(&mut out, "dynamicPricing.weekendFee", d.weekend_fee);
        if let Some(x) = d.travel_fee {
            if !x.is_finite() || !(0.0..=MAX_PRICE).contains(&x) {
                out.push(FieldError::new(
                    "dynamicPricing.travelFee",
                    format!("travelFee must be between 0 and {MAX_PRICE}"),
                ));
            }
        }
    }
    if let Some(d) = &p.discounts {
        percent(
            &mut out,
            "discounts.newCustomerDiscount",
            d.new_customer_discount,
        );
    }
    if !prefix.is_empty() {
        for e in &mut out {
            e.field = format!("{prefix}{}", e.field);
        }
    }
    out
}

/// The headline price: the flat or hourly rate, or the cheapest tier or package.
pub fn current_price(p: &PricingInput) -> f64 {
    let min = |v: Vec<f64>| v.into_iter().fold(f64::INFINITY, f64::min);
    let price = match p.pricing_type.map(|t| t.as_str()) {
        Some("flat") => p.flat_rate.unwrap_or(0.0),
        Some("hourly") => p.hourly_rate.unwrap_or(0.0),
        Some("tiered") => min(p.tiers.iter().flatten().filter_map(|t| t.price).collect()),
        Some("package") => min(p
            .packages
            .iter()
            .flatten()
            .filter_map(|t| t.price)
            .collect()),
        _ => 0.0,
    };
    if price.is_finite() {
        price
    } else {
        0.0
    }
}

fn rate_field(t: &str) -> &'static str {
    match t {
        "flat" => "flatRate",
        "hourly" => "hourlyRate",
        _ => "startingPrice",
    }
}

/// Drops nulls recursively so stored configs hold only what was set.
fn compact(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, compact(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(compact).collect()),
        o => o,
    }
}

fn config_json(p: &PricingInput) -> ApiResult<Value> {
    Ok(compact(serde_json::to_value(p)?))
}
