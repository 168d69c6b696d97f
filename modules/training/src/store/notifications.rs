//! SQL of publish notifications (`notifyUsers`): who is told, and what
//! sending each e-mail did.

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};

/// The table, its index (migration step).
pub const MIGRATION: &str = r#"
CREATE TABLE training_notifications (
    id TEXT PRIMARY KEY,
    scenario_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX training_notifications_scenario ON training_notifications(scenario_id, created_at);
"#;

/// The people who follow scenario `id`'s work: its author, the authors of its
/// versions and comments, and the trainees who attempted it — active accounts
/// other than `except` (the publisher). A private scenario tells its author only.
pub fn followers(tx: &Connection, id: &str, except: &str) -> ApiResult<Vec<(String, String)>> {
    let mut stmt = tx.prepare(
        "SELECT u.id, u.email FROM platform_users u
         WHERE u.is_active = 1 AND u.id <> ?2 AND u.id IN (
             SELECT created_by FROM training_scenarios WHERE id = ?1
             UNION SELECT created_by FROM training_versions
                   WHERE scenario_id = ?1 AND NOT (SELECT is_private FROM training_scenarios WHERE id = ?1)
             UNION SELECT author_id FROM training_comments
                   WHERE scenario_id = ?1 AND NOT (SELECT is_private FROM training_scenarios WHERE id = ?1)
             UNION SELECT user_id FROM training_attempts
                   WHERE scenario_id = ?1 AND NOT (SELECT is_private FROM training_scenarios WHERE id = ?1))
         ORDER BY u.email",
    )?;
    let rows = stmt
        .query_map(params![id, except], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// One notification to send.
pub struct NewNotification<'a> {
    pub id: &'a str,
    pub scenario_id: &'a str,
    pub user_id: &'a str,
    pub email: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub now: &'a str,
}

/// Stores a notification as `queued`.
pub fn insert(tx: &Connection, n: &NewNotification) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO training_notifications (id, scenario_id, user_id, email, subject, body, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7)",
        params![n.id, n.scenario_id, n.user_id, n.email, n.subject, n.body, n.now],
    )?;
    Ok(())
}

/// A queued notification's address, subject and text.
pub fn pending(c: &Connection, id: &str) -> ApiResult<Option<(String, String, String)>> {
    Ok(c.query_row(
        "SELECT email, subject, body FROM training_notifications WHERE id = ?1 AND status = 'queued'",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

/// Records what an attempt did.
pub fn record(
    tx: &Connection,
    id: &str,
    status: &str,
    error: Option<&str>,
    sent_at: Option<&str>,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE training_notifications SET status = ?2, error = ?3, sent_at = COALESCE(?4, sent_at) WHERE id = ?1",
        params![id, status, error, sent_at],
    )?;
    Ok(())
}
