//! A provider's configurations and their history, as the API prints them.

use super::*;

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
    let category = crate::service::bookings::category_filter(conn, category)?;
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
