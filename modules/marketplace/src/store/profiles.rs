//! Provider and customer profiles' SQL (the rows behind a user).

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

/// The provider profile of user `user_id`, if any.
pub fn provider_of_user(conn: &Connection, user_id: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT id FROM marketplace_providers WHERE user_id = ?1")?
        .query_row([user_id], |r| r.get(0))
        .optional()
}

/// Whether a platform user with this e-mail exists (the demo data set is loaded once).
pub fn user_email_taken(conn: &Connection, email: &str) -> rusqlite::Result<bool> {
    conn.cached_row(
        "SELECT EXISTS(SELECT 1 FROM platform_users WHERE email = ?1)",
        [email],
        |r| r.get(0),
    )
}

/// The customer profile of user `user_id`, if any.
pub fn customer_of_user(conn: &Connection, user_id: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT id FROM marketplace_customers WHERE user_id = ?1")?
        .query_row([user_id], |r| r.get(0))
        .optional()
}

pub fn insert_provider(
    tx: &Connection,
    id: &str,
    user_id: &str,
    name: &str,
    at: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO marketplace_providers (id, user_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, user_id, name, at],
    )?;
    Ok(())
}

pub fn insert_customer(
    tx: &Connection,
    id: &str,
    user_id: &str,
    name: &str,
    at: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO marketplace_customers (id, user_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, user_id, name, at],
    )?;
    Ok(())
}

/// The users behind a customer and/or a provider profile.
pub fn party_users(
    conn: &Connection,
    customer: Option<&str>,
    provider: Option<&str>,
) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT user_id FROM marketplace_customers WHERE id = ?1
         UNION SELECT user_id FROM marketplace_providers WHERE id = ?2",
    )?;
    let rows = st.query_map(params![customer, provider], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// What a provider's profile update sets (`None` keeps the stored value).
pub struct ProviderChanges<'a> {
    pub name: Option<&'a str>,
    pub profile_image: Option<&'a str>,
    pub place: Option<(f64, f64)>,
    pub address: Option<&'a str>,
    pub city: Option<&'a str>,
}

pub fn update_provider(tx: &Connection, id: &str, c: &ProviderChanges<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_providers SET name = COALESCE(?2, name), profile_image = COALESCE(?3, profile_image),
            lng = COALESCE(?4, lng), lat = COALESCE(?5, lat), address = COALESCE(?6, address), city = COALESCE(?7, city)
         WHERE id = ?1",
        params![id, c.name, c.profile_image, c.place.map(|p| p.0), c.place.map(|p| p.1), c.address, c.city],
    )?;
    Ok(())
}

/// Gives a provider without a place the place `(lng, lat)` (and the address
/// and city where it has none).
pub fn place_provider_once(
    tx: &Connection,
    id: &str,
    (lng, lat): (f64, f64),
    address: Option<&str>,
    city: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_providers SET lng = ?2, lat = ?3, address = COALESCE(address, ?4),
            city = COALESCE(city, ?5) WHERE id = ?1 AND lat IS NULL",
        params![id, lng, lat, address, city],
    )?;
    Ok(())
}

pub fn rename_customer(tx: &Connection, id: &str, name: Option<&str>) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_customers SET name = COALESCE(?2, name) WHERE id = ?1",
        params![id, name],
    )?;
    Ok(())
}

/// A customer's (name, stored preferences, created at).
pub fn customer_row(conn: &Connection, id: &str) -> rusqlite::Result<(String, String, String)> {
    conn.cached_row(
        "SELECT name, preferences, created_at FROM marketplace_customers WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

pub fn set_customer_preferences(tx: &Connection, id: &str, prefs: &str) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_customers SET preferences = ?2 WHERE id = ?1",
        params![id, prefs],
    )?;
    Ok(())
}

/// A customer's stored preferences JSON.
pub fn preferences(conn: &Connection, id: &str) -> rusqlite::Result<String> {
    conn.cached_row(
        "SELECT preferences FROM marketplace_customers WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
}

/// The e-mail address of platform user `id` (a message's recipient).
pub fn user_email(conn: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT email FROM platform_users WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .optional()
}
