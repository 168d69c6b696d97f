//! Extensions the document assumes: service categories, provider and customer
//! profiles, and bookings (completing one creates a review request).

use chrono::{DateTime, Duration, Timelike, Utc};
use frontline_platform::audit::AuditEntry;
use frontline_platform::auth::Principal;
use frontline_platform::write::WriteCtx;
use frontline_platform::ApiResult;
use rusqlite::Connection;
use serde_json::{json, Value};

use super::{
    check_coordinates, ensure_customer, ensure_provider, is_admin, is_object_id, new_id, now,
    parse_instant,
};
use crate::model::MarketplaceError;
use crate::model::{
    to_value, Booking, BookingInput, CategoryInput, CustomerProfile, CustomerProfileInput,
    ProviderProfile, ProviderProfileInput, ServiceCategory,
};
use crate::SLUG;

/// A category's slug: its name in lower case, runs of anything but letters,
/// digits, `-` and `_` as one `-` (`Men's Haircut` → `men-s-haircut`).
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for ch in name.trim().chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() || ch == '_' {
            out.push(ch);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Whether `s` is a well-formed category reference: a 24-character hex id
/// or a slug (1 to 64 letters, digits, `-` or `_`, starting with a letter
/// or digit).
pub fn is_category_ref(s: &str) -> bool {
    is_object_id(s)
        || (s.len() <= 64
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
}

/// The id of the category `reference` names (its id, or its slug); `None`
/// when there is none.
pub fn resolve_category(conn: &Connection, reference: &str) -> ApiResult<Option<String>> {
    let by_id: Option<String> = crate::store::categories::id_of(conn, reference)?;
    if by_id.is_some() {
        return Ok(by_id);
    }
    Ok(crate::store::categories::id_by_slug(conn, reference)?)
}

/// The category a filter names: its id when known, else the reference
/// itself (a filter on an unknown category matches nothing).
pub fn category_filter(conn: &Connection, reference: Option<&str>) -> ApiResult<Option<String>> {
    match reference {
        None => Ok(None),
        Some(r) => Ok(Some(
            resolve_category(conn, r)?.unwrap_or_else(|| r.to_string()),
        )),
    }
}

/// The id of the category `reference` names, registering it on first use:
/// the document treats categories as references it does not manage, so a
/// well-formed reference (`field` names it in errors) is accepted and the
/// category created under that id, named after it until an admin names it.
pub fn category_on_use(tx: &Connection, reference: &str, field: &str) -> ApiResult<String> {
    if !is_category_ref(reference) {
        return Err(MarketplaceError::Validation.invalid(
            field,
            format!("{field} must be a category id or slug (1 to 64 letters, digits, - or _)"),
        ));
    }
    if let Some(id) = resolve_category(tx, reference)? {
        return Ok(id);
    }
    let same_name = crate::store::categories::id_by_name(tx, reference)?;
    if let Some(id) = same_name {
        return Ok(id);
    }
    crate::store::categories::insert_unnamed(tx, reference, &now())?;
    Ok(reference.to_string())
}

fn category_json(conn: &Connection, id: &str) -> ApiResult<ServiceCategory> {
    Ok(crate::store::categories::get(conn, id)?)
}

fn check_category_input(c: &CategoryInput) -> ApiResult<String> {
    let name = c.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(
            MarketplaceError::Validation.invalid("name", "name must be 1 to 100 characters")
        );
    }
    if c.description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 2000)
    {
        return Err(MarketplaceError::Validation
            .invalid("description", "description must be at most 2000 characters"));
    }
    Ok(name.to_string())
}

fn name_taken(tx: &Connection, name: &str, except: &str) -> ApiResult<()> {
    let dup = crate::store::categories::other_named(tx, name, except)?;
    if dup.is_some() {
        return Err(MarketplaceError::Conflict
            .with_message("A service category with this name already exists"));
    }
    Ok(())
}

/// Adds a category; a category registered on first use whose slug is the
/// new name's is named instead (it keeps its id).
pub fn create_category(w: &WriteCtx, c: &CategoryInput) -> ApiResult<ServiceCategory> {
    let tx = w.tx();
    let name = check_category_input(c)?;
    let slug = slugify(&name);
    let unnamed: Option<String> = crate::store::categories::unnamed_by_slug(tx, &slug)?;
    if let Some(id) = unnamed {
        return name_category(w, &id, c);
    }
    name_taken(tx, &name, "")?;
    let id = new_id();
    let at = now();
    crate::store::categories::insert_named(tx, &id, &name, c.description.as_deref(), &at, &slug)?;
    let out = category_json(tx, &id)?;
    w.record(AuditEntry {
        module: SLUG,
        action: "category.created",
        entity_type: "category",
        entity_id: Some(&id),
        details: to_value(&out),
    })?;
    Ok(out)
}

/// Names (or renames) category `id`, found by id or slug; it keeps its id,
/// and its slug becomes the name's.
pub fn name_category(
    w: &WriteCtx,
    reference: &str,
    c: &CategoryInput,
) -> ApiResult<ServiceCategory> {
    let tx = w.tx();
    let name = check_category_input(c)?;
    let Some(id) = resolve_category(tx, reference)? else {
        return Err(MarketplaceError::NotFound.with_message("Service category not found"));
    };
    name_taken(tx, &name, &id)?;
    crate::store::categories::rename(tx, &id, &name, c.description.as_deref(), &slugify(&name))?;
    let out = category_json(tx, &id)?;
    w.record(AuditEntry {
        module: SLUG,
        action: "category.named",
        entity_type: "category",
        entity_id: Some(&id),
        details: to_value(&out),
    })?;
    Ok(out)
}

pub fn list_categories(conn: &Connection) -> ApiResult<Vec<ServiceCategory>> {
    Ok(crate::store::categories::all(conn)?)
}

pub fn provider_json(conn: &Connection, id: &str) -> ApiResult<Option<ProviderProfile>> {
    Ok(crate::store::providers::by_id(conn, id)?.into_iter().next())
}

/// Creates or updates the caller's provider profile.
pub fn upsert_provider(w: &WriteCtx, p: &ProviderProfileInput) -> ApiResult<ProviderProfile> {
    let (tx, user) = (w.tx(), super::caller(w)?);
    let mut problems = Vec::new();
    if let Some(n) = &p.name {
        if n.trim().is_empty() || n.chars().count() > 200 {
            problems.push(frontline_platform::error::FieldError::new(
                "name",
                "name must be 1 to 200 characters",
            ));
        }
    }
    let mut coords = None;
    if let Some(c) = p.location.as_ref().and_then(|l| l.coordinates.as_ref()) {
        match check_coordinates("coordinates", c) {
            Ok(x) => coords = Some(x),
            Err(m) => problems.push(frontline_platform::error::FieldError::new(
                "location.coordinates",
                m,
            )),
        }
    }
    if !problems.is_empty() {
        return Err(MarketplaceError::fields(problems));
    }
    let id = ensure_provider(tx, user)?;
    let addr = p.location.as_ref().and_then(|l| l.address.clone());
    let address = addr.as_ref().map(|a| {
        [a.street.clone(), a.city.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
    });
    let city = addr.and_then(|a| a.city);
    crate::store::profiles::update_provider(
        tx,
        &id,
        &crate::store::profiles::ProviderChanges {
            name: p.name.as_deref().map(str::trim),
            profile_image: p.profile_image.as_deref(),
            place: coords,
            address: address.as_deref(),
            city: city.as_deref(),
        },
    )?;
    let out = provider_json(tx, &id)?.ok_or_else(|| {
        MarketplaceError::Internal.with_message("the provider profile just saved is missing")
    })?;
    w.record(AuditEntry {
        module: SLUG,
        action: "provider.profile_saved",
        entity_type: "provider",
        entity_id: Some(&id),
        details: to_value(&out),
    })?;
    Ok(out)
}

pub fn upsert_customer(
    tx: &Connection,
    user: &Principal,
    p: &CustomerProfileInput,
) -> ApiResult<CustomerProfile> {
    if let Some(n) = &p.name {
        if n.trim().is_empty() || n.chars().count() > 200 {
            return Err(
                MarketplaceError::Validation.invalid("name", "name must be 1 to 200 characters")
            );
        }
    }
    let id = ensure_customer(tx, user)?;
    crate::store::profiles::rename_customer(tx, &id, p.name.as_deref().map(str::trim))?;
    let (name, prefs, at) = crate::store::profiles::customer_row(tx, &id)?;
    Ok(CustomerProfile {
        customer_id: id,
        name,
        preferences: super::requests::prefs_json(&prefs),
        created_at: at,
    })
}

fn booking_json(conn: &Connection, id: &str) -> ApiResult<Booking> {
    Ok(crate::store::bookings::get(conn, id)?)
}

/// A customer books a priced service; a review incentive code may be redeemed on it.
pub fn create_booking(w: &WriteCtx, b: &BookingInput) -> ApiResult<Booking> {
    let (tx, user) = (w.tx(), super::caller(w)?);
    let when = parse_instant("serviceDate", b.service_date.as_str())?;
    let duration = b.duration.unwrap_or(60);
    if !(1..=24 * 60).contains(&duration) {
        return Err(
            MarketplaceError::Validation.invalid("duration", "duration must be 1 to 1440 minutes")
        );
    }
    let row: Option<(String, String, f64, bool)> =
        crate::store::pricing::booking_terms(tx, &b.service_pricing_id)?;
    let Some((provider, service, mut price, active)) = row else {
        return Err(MarketplaceError::NotFound.with_message("Pricing configuration not found"));
    };
    if !active {
        return Err(MarketplaceError::Validation
            .invalid("servicePricingId", "this service is not currently offered"));
    }
    let customer = ensure_customer(tx, user)?;
    if let Some(code) = &b.incentive_code {
        let inc: Option<(String, String, i64, String)> =
            crate::store::reviews::incentive_by_code(tx, code)?;
        let Some((review, incentive, claimed, owner)) = inc.filter(|i| i.3 == customer) else {
            return Err(MarketplaceError::Validation.invalid(
                "incentiveCode",
                "incentiveCode is not one of your review rewards",
            ));
        };
        let _ = owner;
        let inc: Value = serde_json::from_str(&incentive)?;
        if claimed != 0 {
            return Err(MarketplaceError::Validation
                .invalid("incentiveCode", "this reward has already been used"));
        }
        if inc["expiresAt"]
            .as_str()
            .map(|e| e < now().as_str())
            .unwrap_or(false)
        {
            return Err(
                MarketplaceError::Validation.invalid("incentiveCode", "this reward has expired")
            );
        }
        price = (price - inc["amount"].as_f64().unwrap_or(0.0)).max(0.0);
        crate::store::reviews::claim_incentive(tx, &review)?;
    }
    let id = new_id();
    crate::store::bookings::insert(
        tx,
        &crate::store::bookings::NewBooking {
            id: &id,
            customer: &customer,
            provider: &provider,
            pricing: &b.service_pricing_id,
            service: &service,
            service_date: &super::iso(when),
            duration,
            price,
            incentive_code: b.incentive_code.as_deref(),
            at: &now(),
        },
    )?;
    let out = booking_json(tx, &id)?;
    w.record(AuditEntry {
        module: SLUG,
        action: "booking.created",
        entity_type: "booking",
        entity_id: Some(&id),
        details: to_value(&out),
    })?;
    Ok(out)
}

/// Bookings the caller takes part in (as customer or provider; admins see all).
pub fn list_bookings(
    conn: &Connection,
    user: &Principal,
    status: Option<&str>,
) -> ApiResult<Vec<Booking>> {
    let customer = super::customer_of(conn, &user.id)?;
    let provider = super::provider_of(conn, &user.id)?;
    let all = is_admin(user);
    let ids = crate::store::bookings::visible_ids(
        conn,
        all,
        customer.as_deref(),
        provider.as_deref(),
        status,
    )?;
    ids.iter().map(|id| booking_json(conn, id)).collect()
}

/// The provider (or an admin) moves a booking on; `completed` creates its review request.
pub fn set_status(w: &WriteCtx, id: &str, status: &str) -> ApiResult<Booking> {
    let (tx, user) = (w.tx(), super::caller(w)?);
    let row: Option<(String, String, String)> =
        crate::store::bookings::provider_customer_status(tx, id)?;
    let Some((provider, customer, current)) = row else {
        return Err(MarketplaceError::NotFound.with_message("Booking not found"));
    };
    let own_provider = super::provider_of(tx, &user.id)?.as_deref() == Some(provider.as_str());
    let own_customer = super::customer_of(tx, &user.id)?.as_deref() == Some(customer.as_str());
    if !(own_provider || own_customer || is_admin(user)) {
        return Err(MarketplaceError::NotFound.with_message("Booking not found"));
    }
    if !["confirmed", "completed", "cancelled"].contains(&status) {
        return Err(MarketplaceError::Validation
            .invalid("status", "status must be confirmed, completed or cancelled"));
    }
    if status != "cancelled" && !(own_provider || is_admin(user)) {
        return Err(MarketplaceError::Forbidden
            .with_message("Only the provider can confirm or complete a booking"));
    }
    let allowed = matches!(
        (current.as_str(), status),
        ("pending", "confirmed")
            | ("pending", "completed")
            | ("confirmed", "completed")
            | ("pending", "cancelled")
            | ("confirmed", "cancelled")
    );
    if !allowed {
        return Err(MarketplaceError::Conflict
            .with_message(format!("A {current} booking cannot become {status}")));
    }
    let at = now();
    crate::store::bookings::set_status(tx, id, status, &at)?;
    let mut out = booking_json(tx, id)?;
    if status == "completed" {
        out.review_request = Some(super::requests::create_for_booking(tx, id)?);
    }
    w.record(AuditEntry {
        module: SLUG,
        action: "booking.status_changed",
        entity_type: "booking",
        entity_id: Some(id),
        details: json!({"from": current, "to": status}),
    })?;
    Ok(out)
}

/// For each of `providers`, the next whole hour from now not taken by one of
/// its pending or confirmed bookings (within two weeks): one read for all.
pub fn next_available(
    conn: &Connection,
    providers: &[&str],
) -> ApiResult<std::collections::HashMap<String, Option<String>>> {
    let start = Utc::now() + Duration::hours(1);
    let first = start
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(start);
    let horizon = first + Duration::days(14);
    let mut busy: std::collections::HashMap<String, Vec<(DateTime<Utc>, i64)>> =
        std::collections::HashMap::new();
    for (provider, d, m) in crate::store::bookings::open_between(
        conn,
        providers,
        &super::iso(first - Duration::days(1)),
        &super::iso(horizon),
    )? {
        if let Ok(t) = DateTime::parse_from_rfc3339(&d) {
            busy.entry(provider)
                .or_default()
                .push((t.with_timezone(&Utc), m));
        }
    }
    let mut out = std::collections::HashMap::new();
    for p in providers {
        let taken = busy.get(*p).map(Vec::as_slice).unwrap_or_default();
        let mut slot = first;
        let mut free = None;
        while slot < horizon {
            let end = slot + Duration::hours(1);
            let clash = taken
                .iter()
                .any(|(b, m)| *b < end && *b + Duration::minutes(*m) > slot);
            if !clash {
                free = Some(super::iso(slot));
                break;
            }
            slot = end;
        }
        out.insert(p.to_string(), free);
    }
    Ok(out)
}
