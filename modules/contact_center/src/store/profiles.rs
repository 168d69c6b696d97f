//! The contact center's profile of an account (full name, organization).

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};

/// Stores the profile of the account `user_seq`.
pub fn insert(
    tx: &Connection,
    user_seq: i64,
    full_name: &str,
    organization: Option<&str>,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO cc_profiles (user_seq, full_name, organization) VALUES (?1, ?2, ?3)",
        params![user_seq, full_name, organization],
    )?;
    Ok(())
}

/// The full name and organization of account `user_seq`, if it has a profile.
pub fn get(conn: &Connection, user_seq: i64) -> ApiResult<Option<(String, Option<String>)>> {
    Ok(conn
        .query_row(
            "SELECT full_name, organization FROM cc_profiles WHERE user_seq = ?1",
            [user_seq],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}
