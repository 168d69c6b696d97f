//! Pricing configurations, their history, market suggestions, estimates and provider search.

use chrono::{Datelike, Duration, Timelike, Utc, Weekday};
use frontline_platform::audit::AuditEntry;
use frontline_platform::auth::Principal;
use frontline_platform::error::FieldError;
use frontline_platform::page::Page;
use frontline_platform::write::WriteCtx;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};
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

/// Resolves the configuration's category (registering it on first use) and
/// keeps its id.
fn check_category(tx: &Connection, p: &mut PricingInput, prefix: &str) -> ApiResult<()> {
    if let Some(c) = &p.service_category_id {
        let id = super::bookings::category_on_use(tx, c, &format!("{prefix}serviceCategoryId"))?;
        p.service_category_id = Some(id);
    }
    Ok(())
}

/// Inserts one configuration (validated) and its `created` history entry.
fn insert(
    tx: &Connection,
    provider_id: &str,
    user: &Principal,
    mut p: PricingInput,
) -> ApiResult<PricingCreated> {
    if p.currency.is_none() {
        p.currency = Some("KES".into());
    }
    let name = p
        .service_name
        .clone()
        .unwrap_or_default()
        .trim()
        .to_string();
    p.service_name = Some(name.clone());
    let key = name.to_lowercase();
    let exists: Option<String> = tx
        .query_row(
            "SELECT id FROM marketplace_pricing WHERE provider_id = ?1 AND service_key = ?2",
            params![provider_id, key],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(existing) = exists {
        return Err(MarketplaceError::Conflict
            .with_message(format!("Pricing already exists for the service \"{name}\""))
            .with_extra("pricingId", existing));
    }
    let id = new_id();
    let at = now();
    let price = current_price(&p);
    let t = p
        .pricing_type
        .map(|t| t.as_str().to_string())
        .unwrap_or_default();
    let active = p.is_active.unwrap_or(true);
    p.is_active = None;
    let config = config_json(&p)?;
    tx.execute(
        "INSERT INTO marketplace_pricing (id, provider_id, category_id, service_key, service_name, pricing_type,
            current_price, currency, config, is_active, version, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, ?11)",
        params![
            id, provider_id, p.service_category_id, key, name, t, price,
            p.currency, config.to_string(), active, at
        ],
    )?;
    // A provider without a location takes the first one priced.
    if let Some(loc) = &p.location {
        if let Some(c) = &loc.coordinates {
            let addr = loc.address.as_ref();
            let address = addr.map(|a| {
                [a.street.clone(), a.city.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            tx.execute(
                "UPDATE marketplace_providers SET lng = ?2, lat = ?3, address = COALESCE(address, ?4),
                    city = COALESCE(city, ?5) WHERE id = ?1 AND lat IS NULL",
                params![provider_id, c[0], c[1], address, addr.and_then(|a| a.city.clone())],
            )?;
        }
    }
    history(
        tx,
        &id,
        provider_id,
        "created",
        &json!({}),
        &config,
        &[],
        None,
        &user.id,
    )?;
    Ok(PricingCreated {
        pricing_id: id,
        provider_id: provider_id.to_string(),
        pricing_type: t,
        current_price: price,
        is_active: active,
        created_at: at,
    })
}

#[allow(clippy::too_many_arguments)]
fn history(
    tx: &Connection,
    pricing_id: &str,
    provider_id: &str,
    change: &str,
    prev: &Value,
    new: &Value,
    changed: &[ChangedField],
    reason: Option<&str>,
    by: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO marketplace_pricing_history (id, pricing_id, provider_id, change_type, previous_state,
            new_state, changed_fields, reason, changed_by, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            new_id(), pricing_id, provider_id, change, prev.to_string(), new.to_string(),
            serde_json::to_string(changed)?, reason, by, now()
        ],
    )?;
    Ok(())
}

/// `POST /providers/pricing`.
pub fn create(w: &WriteCtx, mut p: PricingInput) -> ApiResult<PricingCreated> {
    let (tx, user) = (w.tx(), super::caller(w)?);
    let problems = validate(&p, "");
    if !problems.is_empty() {
        return Err(MarketplaceError::fields(problems));
    }
    check_category(tx, &mut p, "")?;
    let provider = ensure_provider(tx, user)?;
    let out = insert(tx, &provider, user, p)?;
    w.record(AuditEntry {
        module: SLUG,
        action: "pricing.created",
        entity_type: "pricing",
        entity_id: Some(&out.pricing_id),
        details: to_value(&out),
    })?;
    Ok(out)
}

/// `POST /providers/pricing/bulk`: each valid item is created, each invalid one reported.
pub fn bulk(w: &WriteCtx, items: Vec<PricingInput>) -> ApiResult<BulkPricingResult> {
    let (tx, user) = (w.tx(), super::caller(w)?);
    if items.is_empty() || items.len() > 100 {
        return Err(MarketplaceError::Validation
            .invalid("pricing", "pricing must hold 1 to 100 configurations"));
    }
    let provider = ensure_provider(tx, user)?;
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    for (i, mut p) in items.into_iter().enumerate() {
        let prefix = format!("pricing[{i}].");
        let mut problems = validate(&p, &prefix);
        if problems.is_empty() {
            if let Err(e) = check_category(tx, &mut p, &prefix) {
                problems.extend(e.details.iter().cloned());
            }
        }
        if !problems.is_empty() {
            errors.push(BulkPricingFailure {
                index: i,
                service_name: p.service_name,
                errors: problems.iter().map(ErrorDetail::from).collect(),
            });
            continue;
        }
        let name = p.service_name.clone();
        match insert(tx, &provider, user, p) {
            Ok(v) => ids.push(v.pricing_id),
            Err(e) if e.kind == frontline_platform::error::ErrorKind::Conflict => {
                errors.push(BulkPricingFailure {
                    index: i,
                    service_name: name,
                    errors: vec![ErrorDetail {
                        field: format!("{prefix}serviceName"),
                        message: e.message,
                    }],
                })
            }
            Err(e) => return Err(e),
        }
    }
    w.record(AuditEntry {
        module: SLUG,
        action: "pricing.bulk_created",
        entity_type: "pricing",
        entity_id: None,
        details: json!({"pricingIds": ids, "failed": errors.len()}),
    })?;
    Ok(BulkPricingResult {
        created: ids.len(),
        failed: errors.len(),
        pricing_ids: ids,
        errors,
    })
}

fn diff(prefix: &str, old: &Value, new: &Value, out: &mut Vec<ChangedField>) {
    let empty = Map::new();
    let (o, n) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let (a, b) = (
            o.get(k).unwrap_or(&Value::Null),
            n.get(k).unwrap_or(&Value::Null),
        );
        if a == b {
            continue;
        }
        let name = format!("{prefix}{k}");
        if a.is_object() && b.is_object() {
            diff(&format!("{name}."), a, b, out);
        } else {
            out.push(ChangedField {
                field_name: name,
                old_value: a.clone(),
                new_value: b.clone(),
            });
        }
    }
}

fn merge_dynamic(
    old: Option<DynamicPricing>,
    new: Option<DynamicPricing>,
) -> Option<DynamicPricing> {
    match (old, new) {
        (o, None) => o,
        (None, n) => n,
        (Some(o), Some(n)) => Some(DynamicPricing {
            enabled: n.enabled.or(o.enabled),
            rush_fee: n.rush_fee.or(o.rush_fee),
            weekend_fee: n.weekend_fee.or(o.weekend_fee),
            travel_fee: n.travel_fee.or(o.travel_fee),
        }),
    }
}

/// `PUT /providers/pricing/:pricingId`: partial update, versioned, with history.
pub fn update(w: &WriteCtx, id: &str, ch: PricingInput) -> ApiResult<PricingUpdated> {
    let (tx, user) = (w.tx(), super::caller(w)?);
    let row: Option<(String, String, f64, i64, bool)> = tx
        .query_row(
            "SELECT provider_id, config, current_price, version, is_active FROM marketplace_pricing WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((provider_id, config, prev_price, version, was_active)) = row else {
        return Err(MarketplaceError::NotFound.with_message("Pricing configuration not found"));
    };
    let own = super::provider_of(tx, &user.id)?;
    if own.as_deref() != Some(provider_id.as_str()) && !super::is_admin(user) {
        return Err(MarketplaceError::NotFound.with_message("Pricing configuration not found"));
    }
    if let Some(r) = &ch.reason {
        if r.chars().count() > 500 {
            return Err(MarketplaceError::Validation
                .invalid("reason", "reason must be at most 500 characters"));
        }
    }
    let old_json: Value = serde_json::from_str(&config)?;
    let old: PricingInput = serde_json::from_value(old_json.clone())?;
    let mut m = old.clone();
    macro_rules! take {
        ($($f:ident),*) => { $( if ch.$f.is_some() { m.$f = ch.$f.clone(); } )* };
    }
    take!(
        service_category_id,
        service_sub_category_id,
        service_name,
        service_description,
        pricing_type,
        flat_rate,
        hourly_rate,
        minimum_hours,
        maximum_hours,
        tiers,
        packages,
        rate_description,
        currency,
        location,
        discounts
    );
    m.dynamic_pricing = merge_dynamic(old.dynamic_pricing.clone(), ch.dynamic_pricing.clone());
    let problems = validate(&m, "");
    if !problems.is_empty() {
        return Err(MarketplaceError::fields(problems));
    }
    check_category(tx, &mut m, "")?;
    let name = m
        .service_name
        .clone()
        .unwrap_or_default()
        .trim()
        .to_string();
    m.service_name = Some(name.clone());
    let clash: Option<String> = tx
        .query_row(
            "SELECT id FROM marketplace_pricing WHERE provider_id = ?1 AND service_key = ?2 AND id <> ?3",
            params![provider_id, name.to_lowercase(), id],
            |r| r.get(0),
        )
        .optional()?;
    if clash.is_some() {
        return Err(MarketplaceError::Conflict
            .with_message(format!("Pricing already exists for the service \"{name}\"")));
    }
    let new_json = config_json(&m)?;
    let mut changed = Vec::new();
    diff("", &old_json, &new_json, &mut changed);
    let active = ch.is_active.unwrap_or(was_active);
    if active != was_active {
        changed.push(ChangedField {
            field_name: "isActive".into(),
            old_value: json!(was_active),
            new_value: json!(active),
        });
    }
    let price = current_price(&m);
    let t = m
        .pricing_type
        .map(|t| t.as_str().to_string())
        .unwrap_or_default();
    let at = now();
    let version = if changed.is_empty() {
        version
    } else {
        version + 1
    };
    if !changed.is_empty() {
        tx.execute(
            "UPDATE marketplace_pricing SET category_id = ?2, service_key = ?3, service_name = ?4, pricing_type = ?5,
                current_price = ?6, currency = ?7, config = ?8, is_active = ?9, version = ?10, updated_at = ?11
             WHERE id = ?1",
            params![id, m.service_category_id, name.to_lowercase(), name, t, price, m.currency,
                new_json.to_string(), active, version, at],
        )?;
        let mut prev_state = Map::new();
        let mut new_state = Map::new();
        for c in &changed {
            prev_state.insert(c.field_name.clone(), c.old_value.clone());
            new_state.insert(c.field_name.clone(), c.new_value.clone());
        }
        history(
            tx,
            id,
            &provider_id,
            "updated",
            &Value::Object(prev_state),
            &Value::Object(new_state),
            &changed,
            ch.reason.as_deref(),
            &user.id,
        )?;
        let event = json!({"pricingId": id, "providerId": provider_id, "pricingType": t, "currentPrice": price,
            "previousRate": prev_price, "version": version, "changedFields": changed, "reason": ch.reason});
        let audience = super::party_audience(tx, None, Some(&provider_id))?;
        w.emit(SLUG, "pricing.updated", &event, &audience)?;
        w.record(AuditEntry {
            module: SLUG,
            action: "pricing.updated",
            entity_type: "pricing",
            entity_id: Some(id),
            details: event,
        })?;
    }
    let rate = |field: &str| (rate_field(&t) == field).then_some(price);
    Ok(PricingUpdated {
        pricing_id: id.to_string(),
        flat_rate: rate("flatRate"),
        hourly_rate: rate("hourlyRate"),
        starting_price: rate("startingPrice"),
        pricing_type: t,
        current_price: price,
        previous_rate: prev_price,
        version,
        changed_fields: changed,
        updated_at: at,
    })
}

/// A stored configuration as the API prints it: the fields that were set
/// (`config`, as stored) and its state.
#[allow(clippy::too_many_arguments)]
pub fn render(
    id: &str,
    provider: &str,
    config: &str,
    active: bool,
    version: i64,
    price: f64,
    created: &str,
    updated: &str,
) -> PricingConfiguration {
    let p: PricingInput = serde_json::from_str(config).unwrap_or_default();
    PricingConfiguration {
        pricing_id: id.to_string(),
        service_category_id: p.service_category_id,
        service_sub_category_id: p.service_sub_category_id,
        service_name: p.service_name,
        service_description: p.service_description,
        pricing_type: p.pricing_type,
        flat_rate: p.flat_rate,
        hourly_rate: p.hourly_rate,
        minimum_hours: p.minimum_hours,
        maximum_hours: p.maximum_hours,
        tiers: p.tiers,
        packages: p.packages,
        rate_description: p.rate_description,
        currency: p.currency,
        location: p.location,
        dynamic_pricing: p.dynamic_pricing,
        discounts: p.discounts,
        provider_id: provider.to_string(),
        current_price: price,
        is_active: active,
        version,
        created_at: created.to_string(),
        updated_at: updated.to_string(),
    }
}

/// `GET /providers/:providerId/pricing`.
pub fn list(
    conn: &Connection,
    provider: &str,
    is_active: Option<bool>,
    category: Option<&str>,
    ptype: Option<&str>,
    page: &Page,
) -> ApiResult<Paged<PricingConfiguration>> {
    if let Some(t) = ptype {
        if !TYPES.contains(&t) {
            return Err(MarketplaceError::Validation.invalid(
                "pricingType",
                "pricingType must be one of flat, hourly, tiered, package",
            ));
        }
    }
    if !store::provider_exists(conn, provider)? {
        return Err(MarketplaceError::NotFound.with_message("Provider not found"));
    }
    let category = super::bookings::category_filter(conn, category)?;
    let (total, rows) = store::pricing_page(
        conn,
        &store::PricingListQuery {
            provider,
            is_active,
            category: category.as_deref(),
            pricing_type: ptype,
            limit: page.limit,
            offset: page.offset(),
        },
    )?;
    let items = rows
        .into_iter()
        .map(|r| {
            render(
                &r.id,
                &r.provider_id,
                &r.config,
                r.is_active,
                r.version,
                r.current_price,
                &r.created_at,
                &r.updated_at,
            )
        })
        .collect();
    Ok(Paged {
        items,
        meta: PageMeta::of(page, total),
    })
}

/// `GET /providers/:providerId/pricing/history`.
#[allow(clippy::too_many_arguments)]
pub fn history_list(
    conn: &Connection,
    provider: &str,
    pricing_id: Option<&str>,
    start: Option<String>,
    end: Option<String>,
    change: Option<&str>,
    page: &Page,
) -> ApiResult<Paged<PricingHistoryEntry>> {
    if let Some(c) = change {
        if !["created", "updated", "deleted"].contains(&c) {
            return Err(MarketplaceError::Validation.invalid(
                "changeType",
                "changeType must be created, updated or deleted",
            ));
        }
    }
    let (total, rows) = store::history_page(
        conn,
        &store::HistoryQuery {
            provider,
            pricing_id,
            start,
            end,
            change_type: change,
            limit: page.limit,
            offset: page.offset(),
        },
    )?;
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let items = rows
        .into_iter()
        .map(|r| PricingHistoryEntry {
            history_id: r.id,
            pricing_id: r.pricing_id,
            change_type: r.change_type,
            previous_state: parse(&r.previous_state),
            new_state: parse(&r.new_state),
            changed_fields: serde_json::from_str::<Vec<ChangedField>>(&r.changed_fields)
                .unwrap_or_default(),
            reason: r.reason,
            changed_by: r.changed_by,
            changed_at: r.changed_at,
        })
        .collect();
    Ok(Paged {
        items,
        meta: PageMeta::of(page, total),
    })
}

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
    let Some(category) = super::bookings::resolve_category(conn, category)? else {
        return Err(MarketplaceError::NotFound.with_message("Service category not found"));
    };
    let category = category.as_str();
    let cat_name: String = conn.query_row(
        "SELECT name FROM marketplace_categories WHERE id = ?1",
        [category],
        |r| r.get(0),
    )?;
    let place = location.map(parse_location).transpose()?;
    let mut stmt = conn.prepare(
        "SELECT p.current_price, v.lat, v.lng, v.rating_avg, v.rating_count, p.pricing_type, p.currency,
                (SELECT COUNT(*) FROM marketplace_bookings b WHERE b.provider_id = v.id AND b.status = 'completed')
         FROM marketplace_pricing p
         JOIN marketplace_providers v ON v.id = p.provider_id
         WHERE p.category_id = ?1 AND p.is_active = 1",
    )?;
    let rows = stmt
        .query_map([category], |r| {
            Ok((
                r.get::<_, f64>(0)?,
                r.get::<_, Option<f64>>(1)?,
                r.get::<_, Option<f64>>(2)?,
                r.get::<_, f64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
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

/// `POST /services/estimate`.
///
/// Fees and the new-customer discount are percentages of the base price:
/// subtotal = base + rush + weekend (+ travel), discount = base × newCustomerDiscount,
/// total = subtotal − discount. The travel fee (a flat amount) applies when the
/// customer's location lies outside the provider's service radius.
pub fn estimate(conn: &Connection, req: &EstimateRequest) -> ApiResult<PriceEstimate> {
    let row: Option<(String, String, bool)> = conn
        .query_row(
            "SELECT provider_id, config, is_active FROM marketplace_pricing WHERE id = ?1",
            [&req.service_pricing_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
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
        .map(|d| super::parse_instant("bookingDate", d.as_str()))
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
        currency: p.currency.unwrap_or_else(|| "KES".into()),
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
    let category = super::bookings::category_filter(conn, Some(q.category))?.unwrap_or_default();
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
                next_available: super::bookings::next_available(conn, &h.id)?,
            },
            provider_id: h.id,
        });
    }
    Ok(Paged {
        items: out,
        meta: PageMeta::of(page, total),
    })
}
