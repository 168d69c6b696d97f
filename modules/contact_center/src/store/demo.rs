//! The SQL of the demo loader.

use frontline_platform::ApiResult;
use rusqlite::Connection;

/// True when a user with this e-mail exists (the demo was loaded before).
pub fn user_exists(c: &Connection, email: &str) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT EXISTS(SELECT 1 FROM platform_users WHERE email = ?1)",
        [email],
        |r| r.get(0),
    )?)
}

/// The first system campaign template (the migrations seed them).
pub fn first_system_template(c: &Connection) -> ApiResult<i64> {
    Ok(c.query_row(
        "SELECT id FROM cc_campaign_templates WHERE is_system = 1 ORDER BY id LIMIT 1",
        [],
        |r| r.get(0),
    )?)
}

/// The ids of a campaign's contacts, in creation order.
pub fn campaign_contact_ids(c: &Connection, campaign_id: i64) -> ApiResult<Vec<i64>> {
    let mut stmt = c.prepare("SELECT id FROM cc_contacts WHERE campaign_id = ?1 ORDER BY id")?;
    let ids = stmt
        .query_map([campaign_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}
