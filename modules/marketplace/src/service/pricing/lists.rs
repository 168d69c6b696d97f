//! A provider's configurations and their history, as the API prints them.

use super::*;

/// A stored configuration as the API prints it: the fields that were set
/// (`config`, as stored) and its state.
pub fn render(row: store::PricingRow) -> PricingConfiguration {
    let p: PricingInput = serde_json::from_str(&row.config).unwrap_or_default();
    PricingConfiguration {
        pricing_id: row.id,
        service_category_id: p.service_category_id.map(Into::into),
        service_sub_category_id: p.service_sub_category_id.map(Into::into),
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
        currency: p.currency.map(Into::into),
        location: p.location,
        dynamic_pricing: p.dynamic_pricing,
        discounts: p.discounts,
        provider_id: row.provider_id,
        current_price: row.current_price,
        is_active: row.is_active,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
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
    let items = rows.into_iter().map(render).collect();
    Ok(Paged {
        items,
        meta: PageMeta::of(page, total),
    })
}

/// The filters of `GET /providers/:providerId/pricing/history`, as given.
pub struct HistoryFilter<'a> {
    pub provider: &'a str,
    pub pricing_id: Option<&'a str>,
    /// An instant or a date (from its start).
    pub start: Option<&'a str>,
    /// An instant or a date (to its end).
    pub end: Option<&'a str>,
    pub change_type: Option<&'a str>,
}

/// `GET /providers/:providerId/pricing/history`: the provider's own history, or any for
/// an admin.
pub fn history_list(
    conn: &Connection,
    user: &Principal,
    f: &HistoryFilter,
    page: &Page,
) -> ApiResult<Paged<PricingHistoryEntry>> {
    let start = f
        .start
        .map(|s| crate::service::parse_instant("startDate", s))
        .transpose()?
        .map(iso);
    let end = match f.end {
        Some(e) => {
            let t = crate::service::parse_instant("endDate", e)?;
            // A date means the whole day.
            Some(iso(if e.len() == 10 {
                t + Duration::seconds(86_399)
            } else {
                t
            }))
        }
        None => None,
    };
    if let Some(c) = f.change_type {
        if !["created", "updated", "deleted"].contains(&c) {
            return Err(MarketplaceError::Validation.invalid(
                "changeType",
                "changeType must be created, updated or deleted",
            ));
        }
    }
    if !crate::service::is_admin(user)
        && crate::service::provider_of(conn, &user.id)?.as_deref() != Some(f.provider)
    {
        return Err(MarketplaceError::Forbidden
            .with_message("Providers can only see their own pricing history"));
    }
    let (provider, pricing_id, change) = (f.provider, f.pricing_id, f.change_type);
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
