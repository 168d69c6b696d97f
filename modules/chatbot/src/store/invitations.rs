//! SQL of invitations (table `chatbot_invitations`): the token's SHA-256
//! hash, the sealed token of the unsent e-mail (the outbox), its delivery.

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};

/// The invitations table (a step of the module's migrations). Members
/// invited by earlier versions (`invitation_sent`) are `invited`: they had no
/// link to accept and are invited again to get one.
pub const INVITATIONS_MIGRATION: &str = r#"
UPDATE chatbot_members SET status = 'invited' WHERE status = 'invitation_sent';
CREATE TABLE chatbot_invitations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES chatbot_tenants(id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    platform_user_id TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    sealed_token TEXT,
    message TEXT,
    new_account INTEGER NOT NULL,
    status TEXT NOT NULL,
    mail_status TEXT NOT NULL,
    mail_error TEXT,
    mailed_at TEXT,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    accepted_at TEXT
);
CREATE INDEX chatbot_invitations_member ON chatbot_invitations(member_id, status);
CREATE INDEX chatbot_invitations_outbox ON chatbot_invitations(mail_status, status);
"#;

/// A new invitation row.
pub(crate) struct NewInvitation<'a> {
    pub id: &'a str,
    pub tenant: &'a str,
    pub member: &'a str,
    pub platform_user: &'a str,
    pub email: &'a str,
    pub role: &'a str,
    pub token_hash: &'a str,
    pub sealed_token: &'a str,
    pub message: Option<&'a str>,
    pub new_account: bool,
    pub mail_status: &'a str,
    pub expires_at: &'a str,
    pub now: &'a str,
}

pub(crate) fn insert_invitation(tx: &Connection, i: &NewInvitation) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO chatbot_invitations (id, tenant_id, member_id, platform_user_id, email, role, token_hash,
             sealed_token, message, new_account, status, mail_status, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?11, ?12, ?13)",
        params![
            i.id,
            i.tenant,
            i.member,
            i.platform_user,
            i.email,
            i.role,
            i.token_hash,
            i.sealed_token,
            i.message,
            i.new_account,
            i.mail_status,
            i.expires_at,
            i.now
        ],
    )?;
    Ok(())
}

/// Ends the member's open invitations (their links stop working, their
/// unsent e-mails leave the outbox); how many there were.
pub(crate) fn revoke_open(tx: &Connection, member: &str) -> ApiResult<usize> {
    Ok(tx.execute(
        "UPDATE chatbot_invitations SET status = 'revoked', sealed_token = NULL
         WHERE member_id = ?1 AND status = 'pending'",
        params![member],
    )?)
}

/// Whether the member's latest invitation created its platform account.
pub(crate) fn created_account(c: &Connection, member: &str) -> ApiResult<bool> {
    Ok(c.query_row(
        "SELECT new_account FROM chatbot_invitations WHERE member_id = ?1
         ORDER BY created_at DESC, rowid DESC LIMIT 1",
        params![member],
        |r| r.get::<_, bool>(0),
    )
    .optional()?
    .unwrap_or(false))
}

/// An open invitation found by its token's hash.
pub(crate) struct OpenInvitation {
    pub id: String,
    pub tenant_id: String,
    pub tenant_name: String,
    pub member_id: String,
    pub platform_user_id: String,
    pub email: String,
    pub role: String,
    pub new_account: bool,
    pub expires_at: String,
}

/// The pending, unexpired invitation with token hash `hash`, of a tenant
/// that still exists.
pub(crate) fn open_by_hash(
    c: &Connection,
    hash: &str,
    now: &str,
) -> ApiResult<Option<OpenInvitation>> {
    Ok(c.query_row(
        "SELECT i.id, i.tenant_id, t.name, i.member_id, i.platform_user_id, i.email, i.role,
                i.new_account, i.expires_at
         FROM chatbot_invitations i JOIN chatbot_tenants t ON t.id = i.tenant_id
         WHERE i.token_hash = ?1 AND i.status = 'pending' AND i.expires_at > ?2
           AND t.status != 'deleted'",
        params![hash, now],
        |r| {
            Ok(OpenInvitation {
                id: r.get(0)?,
                tenant_id: r.get(1)?,
                tenant_name: r.get(2)?,
                member_id: r.get(3)?,
                platform_user_id: r.get(4)?,
                email: r.get(5)?,
                role: r.get(6)?,
                new_account: r.get(7)?,
                expires_at: r.get(8)?,
            })
        },
    )
    .optional()?)
}

/// Marks invitation `id` accepted if it is still open; `false` when another
/// request used it first.
pub(crate) fn mark_accepted(tx: &Connection, id: &str, now: &str) -> ApiResult<bool> {
    Ok(tx.execute(
        "UPDATE chatbot_invitations SET status = 'accepted', accepted_at = ?2, sealed_token = NULL
         WHERE id = ?1 AND status = 'pending' AND expires_at > ?2",
        params![id, now],
    )? == 1)
}

/// Makes the member active (its invitation is accepted).
pub(crate) fn activate_member(tx: &Connection, member: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_members SET status = 'active', invitation_expires_at = NULL WHERE id = ?1",
        params![member],
    )?;
    Ok(())
}

/// What an invitation e-mail is made of.
pub(crate) struct PendingMail {
    pub email: String,
    pub sealed_token: String,
    pub tenant_name: String,
    pub role: String,
    pub message: Option<String>,
    pub expires_at: String,
}

/// The e-mail of invitation `id` while it waits to be sent (open, unexpired,
/// its token still in the outbox).
pub(crate) fn pending_mail(c: &Connection, id: &str, now: &str) -> ApiResult<Option<PendingMail>> {
    Ok(c.query_row(
        "SELECT i.email, i.sealed_token, t.name, i.role, i.message, i.expires_at
         FROM chatbot_invitations i JOIN chatbot_tenants t ON t.id = i.tenant_id
         WHERE i.id = ?1 AND i.status = 'pending' AND i.expires_at > ?2
           AND i.sealed_token IS NOT NULL AND t.status != 'deleted'",
        params![id, now],
        |r| {
            Ok(PendingMail {
                email: r.get(0)?,
                sealed_token: r.get(1)?,
                tenant_name: r.get(2)?,
                role: r.get(3)?,
                message: r.get(4)?,
                expires_at: r.get(5)?,
            })
        },
    )
    .optional()?)
}

/// Records what happened to invitation `id`'s e-mail; `drop_token` takes
/// the token out of the outbox (sent, or given up).
pub(crate) fn record_mail(
    tx: &Connection,
    id: &str,
    status: &str,
    error: Option<&str>,
    mailed_at: Option<&str>,
    drop_token: bool,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_invitations SET mail_status = ?2, mail_error = ?3,
             mailed_at = COALESCE(?4, mailed_at),
             sealed_token = CASE WHEN ?5 THEN NULL ELSE sealed_token END
         WHERE id = ?1",
        params![id, status, error, mailed_at, drop_token],
    )?;
    Ok(())
}

/// Open invitations whose e-mail is kept in the outbox for want of a mail
/// server; marked `queued` (the caller queues a job for each).
pub(crate) fn take_kept(tx: &Connection, now: &str) -> ApiResult<Vec<String>> {
    let mut st = tx.prepare(
        "SELECT id FROM chatbot_invitations
         WHERE status = 'pending' AND mail_status = 'not_configured' AND expires_at > ?1
           AND sealed_token IS NOT NULL",
    )?;
    let ids: Vec<String> = st
        .query_map(params![now], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        tx.execute(
            "UPDATE chatbot_invitations SET mail_status = 'queued', mail_error = NULL WHERE id = ?1",
            params![id],
        )?;
    }
    Ok(ids)
}

/// The member with `email` in the tenant: id and stored status.
pub(crate) fn member_by_email(
    c: &Connection,
    tenant: &str,
    email: &str,
) -> ApiResult<Option<(String, String, Option<String>)>> {
    Ok(c.query_row(
        "SELECT id, status, platform_user_id FROM chatbot_members WHERE tenant_id = ?1 AND email = ?2",
        params![tenant, email],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

/// A re-invited member takes the latest invitation's names, role,
/// permissions and expiry (`m.id` names the member).
pub(crate) fn refresh_invited_member(tx: &Connection, m: &super::NewMember) -> ApiResult<()> {
    tx.execute(
        "UPDATE chatbot_members SET first_name = ?2, last_name = ?3, role = ?4, permissions = ?5,
             invitation_expires_at = ?6
         WHERE id = ?1 AND tenant_id = ?7",
        params![
            m.id,
            m.first_name,
            m.last_name,
            m.role,
            serde_json::to_string(m.permissions)?,
            m.expires,
            m.tenant
        ],
    )?;
    Ok(())
}
