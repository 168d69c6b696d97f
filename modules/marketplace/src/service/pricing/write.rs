//! Creating, bulk-creating and updating configurations, each change kept in the history.

use super::*;
use crate::model::{CategoryRef, CurrencyCode};

/// Resolves the configuration's category (registering it on first use) and
/// keeps its id.
fn check_category(tx: &Connection, p: &mut PricingInput, prefix: &str) -> ApiResult<()> {
    if let Some(c) = &p.service_category_id {
        let id = crate::service::bookings::category_on_use(
            tx,
            c,
            &format!("{prefix}serviceCategoryId"),
        )?;
        let field = format!("{prefix}serviceCategoryId");
        p.service_category_id = Some(
            CategoryRef::new(id).map_err(|m| MarketplaceError::Validation.invalid(&field, m))?,
        );
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
        p.currency = CurrencyCode::new("KES").ok();
    }
    let name = p
        .service_name
        .clone()
        .unwrap_or_default()
        .trim()
        .to_string();
    p.service_name = Some(name.clone());
    let key = name.to_lowercase();
    let exists = store::by_service_key(tx, provider_id, &key, "")?;
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
    store::insert(
        tx,
        &store::NewPricing {
            id: &id,
            provider: provider_id,
            category: p.service_category_id.as_deref(),
            service_key: &key,
            service_name: &name,
            pricing_type: &t,
            current_price: price,
            currency: p.currency.as_deref(),
            config: &config.to_string(),
            is_active: active,
            at: &at,
        },
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
            let city = addr.and_then(|a| a.city.clone());
            crate::store::profiles::place_provider_once(
                tx,
                provider_id,
                (c[0], c[1]),
                address.as_deref(),
                city.as_deref(),
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
    store::insert_history(
        tx,
        &store::NewHistory {
            id: &new_id(),
            pricing: pricing_id,
            provider: provider_id,
            change,
            previous: &prev.to_string(),
            new: &new.to_string(),
            changed_fields: &serde_json::to_string(changed)?,
            reason,
            by,
            at: &now(),
        },
    )?;
    Ok(())
}

/// `POST /providers/pricing`.
pub fn create(w: &WriteCtx, mut p: PricingInput) -> ApiResult<PricingCreated> {
    let (tx, user) = (w.tx(), crate::service::caller(w)?);
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
    let (tx, user) = (w.tx(), crate::service::caller(w)?);
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
    let (tx, user) = (w.tx(), crate::service::caller(w)?);
    let row: Option<(String, String, f64, i64, bool)> = store::for_update(tx, id)?;
    let Some((provider_id, config, prev_price, version, was_active)) = row else {
        return Err(MarketplaceError::NotFound.with_message("Pricing configuration not found"));
    };
    let own = crate::service::provider_of(tx, &user.id)?;
    if own.as_deref() != Some(provider_id.as_str()) && !crate::service::is_admin(user) {
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
    let clash = store::by_service_key(tx, &provider_id, &name.to_lowercase(), id)?;
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
        store::update(
            tx,
            id,
            &store::PricingChange {
                category: m.service_category_id.as_deref(),
                service_key: &name.to_lowercase(),
                service_name: &name,
                pricing_type: &t,
                current_price: price,
                currency: m.currency.as_deref(),
                config: &new_json.to_string(),
                is_active: active,
                version,
                at: &at,
            },
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
        let audience = crate::service::party_audience(tx, None, Some(&provider_id))?;
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
