//! Domain rules of the marketplace, one submodule per area. Functions take a
//! connection (inside the platform's read or write transaction) and return
//! the JSON documents the API prints.

pub mod analytics;
pub mod bookings;
pub mod campaigns;
pub mod pricing;
pub mod providers;
pub mod reports;
pub mod requests;
pub mod reviews;

use chrono::{DateTime, SecondsFormat, Utc};
use frontline_platform::auth::Principal;
use frontline_platform::ApiResult;
use rand::Rng;
use rusqlite::Connection;

use crate::model::MarketplaceError;
use crate::SLUG;

/// A new 24-hex ObjectId: 4-byte seconds timestamp, then 8 random bytes.
pub fn new_id() -> String {
    let ts = (Utc::now().timestamp() as u32).to_be_bytes();
    let mut rnd = [0u8; 8];
    rand::rng().fill(&mut rnd);
    let mut s = String::with_capacity(24);
    for b in ts.iter().chain(rnd.iter()) {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// True for a 24-hex ObjectId.
pub fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Instant as `2026-01-18T10:30:00Z`.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn now() -> String {
    iso(Utc::now())
}

/// Parses an RFC 3339 instant or a `YYYY-MM-DD` date (midnight UTC).
pub fn parse_instant(field: &str, s: &str) -> ApiResult<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc());
        }
    }
    Err(MarketplaceError::Validation.invalid(
        field,
        format!("{field} must be an ISO 8601 date or date-time"),
    ))
}

/// Marketplace administrators: platform admins and `marketplace:admin`.
pub fn is_admin(p: &Principal) -> bool {
    p.is_admin() || p.roles_in(SLUG).contains(&"admin")
}

/// Holders of `marketplace:<role>` (admins are not implied).
pub fn holds(p: &Principal, role: &str) -> bool {
    p.roles_in(SLUG).contains(&role)
}

/// The signed-in caller of a write (every marketplace write has one).
pub fn caller<'a>(w: &frontline_platform::write::WriteCtx<'a>) -> ApiResult<&'a Principal> {
    w.principal()
        .ok_or_else(|| MarketplaceError::Unauthorized.error())
}

pub fn require(p: &Principal, roles: &[&str]) -> ApiResult<()> {
    if is_admin(p) || roles.iter().any(|r| holds(p, r)) {
        Ok(())
    } else {
        Err(MarketplaceError::Forbidden.with_message(format!(
            "This needs the marketplace role {}",
            roles.join(" or ")
        )))
    }
}

/// The caller's provider profile id, if any.
pub fn provider_of(conn: &Connection, user_id: &str) -> ApiResult<Option<String>> {
    Ok(crate::store::profiles::provider_of_user(conn, user_id)?)
}

/// The caller's provider profile id, created (named after the user) when missing.
pub fn ensure_provider(tx: &Connection, p: &Principal) -> ApiResult<String> {
    if let Some(id) = provider_of(tx, &p.id)? {
        return Ok(id);
    }
    let id = new_id();
    crate::store::profiles::insert_provider(tx, &id, &p.id, &p.name, &now())?;
    Ok(id)
}

/// The caller's customer profile id, if any.
/// Who may receive an event about a customer's and/or a provider's
/// resource: the users behind those profiles (marketplace admins' webhooks
/// are module-wide and receive every event).
pub fn party_audience(
    conn: &Connection,
    customer: Option<&str>,
    provider: Option<&str>,
) -> ApiResult<frontline_platform::events::Audience> {
    let users = crate::store::profiles::party_users(conn, customer, provider)?;
    Ok(frontline_platform::events::Audience::owners(users))
}

pub fn customer_of(conn: &Connection, user_id: &str) -> ApiResult<Option<String>> {
    Ok(crate::store::profiles::customer_of_user(conn, user_id)?)
}

pub fn ensure_customer(tx: &Connection, p: &Principal) -> ApiResult<String> {
    if let Some(id) = customer_of(tx, &p.id)? {
        return Ok(id);
    }
    let id = new_id();
    crate::store::profiles::insert_customer(tx, &id, &p.id, &p.name, &now())?;
    Ok(id)
}

/// Checks `[longitude, latitude]`.
pub fn check_coordinates(field: &str, c: &[f64]) -> Result<(f64, f64), String> {
    if c.len() != 2 {
        return Err(format!("{field} must be [longitude, latitude]"));
    }
    let (lng, lat) = (c[0], c[1]);
    if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
        return Err("longitude must be between -180 and 180".into());
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err("latitude must be between -90 and 90".into());
    }
    Ok((lng, lat))
}

/// The period of an analytics query: explicit dates win, else the last day/week/month/year.
pub fn period(
    period: Option<&str>,
    start: Option<&str>,
    end: Option<&str>,
) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
    let end_t = match end {
        Some(e) => {
            let t = parse_instant("endDate", e)?;
            if e.len() == 10 {
                t + chrono::Duration::seconds(86_399)
            } else {
                t
            }
        }
        None => Utc::now(),
    };
    let back = match period.unwrap_or("month") {
        "day" => chrono::Duration::days(1),
        "week" => chrono::Duration::days(7),
        "month" => chrono::Duration::days(30),
        "year" => chrono::Duration::days(365),
        _ => {
            return Err(MarketplaceError::Validation
                .invalid("period", "period must be day, week, month or year"))
        }
    };
    let start_t = match start {
        Some(s) => parse_instant("startDate", s)?,
        None => end_t - back,
    };
    if start_t > end_t {
        return Err(
            MarketplaceError::Validation.invalid("startDate", "startDate must be before endDate")
        );
    }
    Ok((start_t, end_t))
}

/// "Muent K." and "MK" from a full name.
pub fn display_name(name: &str) -> (String, String) {
    let parts: Vec<&str> = name.split_whitespace().collect();
    let initials: String = parts
        .iter()
        .filter_map(|p| p.chars().next())
        .take(2)
        .flat_map(|c| c.to_uppercase())
        .collect();
    let shown = match parts.as_slice() {
        [] => "Customer".to_string(),
        [one] => one.to_string(),
        [first, .., last] => format!(
            "{first} {}.",
            last.chars()
                .next()
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default()
        ),
    };
    (shown, initials)
}
