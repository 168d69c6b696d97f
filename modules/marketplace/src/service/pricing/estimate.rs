//! Price estimates for a booking.

use super::*;

/// `POST /services/estimate`.
///
/// Fees and the new-customer discount are percentages of the base price:
/// subtotal = base + rush + weekend (+ travel), discount = base × newCustomerDiscount,
/// total = subtotal − discount. The travel fee (a flat amount) applies when the
/// customer's location lies outside the provider's service radius.
pub fn estimate(conn: &Connection, req: &EstimateRequest) -> ApiResult<PriceEstimate> {
    let row: Option<(String, String, bool)> =
        crate::store::pricing::for_estimate(conn, &req.service_pricing_id)?;
    let Some((provider, config, active)) = row else {
        return Err(MarketplaceError::NotFound.with_message("Pricing configuration not found"));
    };
    if let Some(p) = &req.provider_id {
        if p != &provider {
            return Err(MarketplaceError::NotFound
                .with_message("Pricing configuration not found for this provider"));
        }
    }
    if !active {
        return Err(MarketplaceError::Validation.invalid(
            "servicePricingId",
            "this pricing configuration is not active",
        ));
    }
    let p: PricingInput = serde_json::from_str(&config)?;
    let t = p
        .pricing_type
        .map(|t| t.as_str().to_string())
        .unwrap_or_default();
    if let Some(want) = &req.pricing_type {
        if want.as_str() != t {
            return Err(MarketplaceError::Validation
                .invalid("pricingType", format!("this service is priced as {t}")));
        }
    }
    let mut problems = Vec::new();
    if let Some(d) = req.duration {
        if !(1..=24 * 60).contains(&d) {
            problems.push(FieldError::new(
                "duration",
                "duration must be 1 to 1440 minutes",
            ));
        }
    }
    let booking = req
        .booking_date
        .as_ref()
        .map(|d| crate::service::parse_instant("bookingDate", d.as_str()))
        .transpose();
    let booking = match booking {
        Ok(b) => b,
        Err(e) => {
            problems.extend(e.details);
            None
        }
    };
    let customer_at = match req.location.as_ref().and_then(|l| l.coordinates.as_ref()) {
        Some(c) => match check_coordinates("coordinates", c) {
            Ok(x) => Some(x),
            Err(m) => {
                problems.push(FieldError::new("location.coordinates", m));
                None
            }
        },
        None => None,
    };
    if !problems.is_empty() {
        return Err(MarketplaceError::fields(problems));
    }
    let (base, duration, base_desc) = match t.as_str() {
        "hourly" => {
            let rate = p.hourly_rate.unwrap_or(0.0);
            let mut hours = req.duration.unwrap_or(60) as f64 / 60.0;
            if let Some(min) = p.minimum_hours {
                hours = hours.max(min);
            }
            if let Some(max) = p.maximum_hours {
                if hours > max {
                    return Err(MarketplaceError::Validation.invalid(
                        "duration",
                        format!("this service is booked for at most {max} hours"),
                    ));
                }
            }
            (
                rate * hours,
                (hours * 60.0).round() as i64,
                format!("{hours} h at {rate}/h"),
            )
        }
        "tiered" => {
            let tiers = p.tiers.clone().unwrap_or_default();
            let tier = match &req.tier_name {
                Some(n) => tiers
                    .iter()
                    .find(|x| x.tier_name.as_deref() == Some(n.as_str()))
                    .cloned()
                    .ok_or_else(|| {
                        MarketplaceError::Validation
                            .invalid("tierName", "tierName is not a tier of this service")
                    })?,
                None => tiers
                    .iter()
                    .min_by(|a, b| a.price.unwrap_or(0.0).total_cmp(&b.price.unwrap_or(0.0)))
                    .cloned()
                    .unwrap_or_default(),
            };
            (
                tier.price.unwrap_or(0.0),
                tier.duration.or(req.duration).unwrap_or(60),
                format!("tier {}", tier.tier_name.unwrap_or_default()),
            )
        }
        "package" => {
            let packs = p.packages.clone().unwrap_or_default();
            let pack = match &req.package_name {
                Some(n) => packs
                    .iter()
                    .find(|x| x.package_name.as_deref() == Some(n.as_str()))
                    .cloned()
                    .ok_or_else(|| {
                        MarketplaceError::Validation.invalid(
                            "packageName",
                            "packageName is not a package of this service",
                        )
                    })?,
                None => packs
                    .iter()
                    .min_by(|a, b| a.price.unwrap_or(0.0).total_cmp(&b.price.unwrap_or(0.0)))
                    .cloned()
                    .unwrap_or_default(),
            };
            (
                pack.price.unwrap_or(0.0),
                pack.duration.or(req.duration).unwrap_or(60),
                format!("package {}", pack.package_name.unwrap_or_default()),
            )
        }
        _ => (
            p.flat_rate.unwrap_or(0.0),
            req.duration.unwrap_or(60),
            "flat rate".to_string(),
        ),
    };
    let dynamic = p.dynamic_pricing.clone().unwrap_or_default();
    let dyn_on = dynamic.enabled.unwrap_or(false);
    let weekend = req.is_weekend.unwrap_or_else(|| {
        booking
            .map(|b| matches!(b.weekday(), Weekday::Sat | Weekday::Sun))
            .unwrap_or(false)
    });
    let r2 = |x: f64| stats::round(x, 2);
    let mut adjustments = Vec::new();
    let mut fees = 0.0;
    if dyn_on && req.is_rush.unwrap_or(false) {
        if let Some(pct) = dynamic.rush_fee.filter(|x| *x > 0.0) {
            let a = r2(base * pct / 100.0);
            fees += a;
            adjustments.push(PriceAdjustment {
                kind: "rush_fee".into(),
                amount: a,
                percentage: Some(pct),
                description: "Same-day rush service".into(),
            });
        }
    }
    if dyn_on && weekend {
        if let Some(pct) = dynamic.weekend_fee.filter(|x| *x > 0.0) {
            let a = r2(base * pct / 100.0);
            fees += a;
            adjustments.push(PriceAdjustment {
                kind: "weekend_fee".into(),
                amount: a,
                percentage: Some(pct),
                description: "Weekend service premium".into(),
            });
        }
    }
    let mut distance = None;
    if let (Some((lng, lat)), Some(loc)) = (customer_at, p.location.as_ref()) {
        if let Some(c) = &loc.coordinates {
            let d = stats::distance_km(lat, lng, c[1], c[0]);
            distance = Some(r2(d));
            let radius = loc.service_radius.unwrap_or(10.0);
            if dyn_on && d > radius {
                if let Some(fee) = dynamic.travel_fee.filter(|x| *x > 0.0) {
                    fees += fee;
                    adjustments.push(PriceAdjustment {
                        kind: "travel_fee".into(),
                        amount: fee,
                        percentage: None,
                        description: format!("Travel outside the {radius} km service area"),
                    });
                }
            }
        }
    }
    let subtotal = r2(base + fees);
    let mut discount = 0.0;
    if req.is_new_customer.unwrap_or(false) {
        if let Some(pct) = p
            .discounts
            .as_ref()
            .and_then(|d| d.new_customer_discount)
            .filter(|x| *x > 0.0)
        {
            discount = r2(base * pct / 100.0);
            adjustments.push(PriceAdjustment {
                kind: "new_customer_discount".into(),
                amount: -discount,
                percentage: Some(-pct),
                description: "First-time customer discount".into(),
            });
        }
    }
    let total = r2(subtotal - discount);
    let valid_until = Utc::now() + Duration::hours(1);
    Ok(PriceEstimate {
        provider_id: provider,
        service_pricing_id: req.service_pricing_id.clone(),
        pricing_type: t,
        base_price: r2(base),
        base_price_description: base_desc,
        adjustments,
        total_price: total,
        currency: p.currency.map_or_else(|| "KES".into(), Into::into),
        breakdown: PriceBreakdown {
            subtotal,
            discount,
            total,
        },
        estimated_duration: duration,
        distance,
        valid_until: iso(valid_until.with_nanosecond(0).unwrap_or(valid_until)),
    })
}
