//! Invitations of tenant members (`send_invitation: true`).
//!
//! An invitation is a single-use random token (only its SHA-256 hash is
//! looked up) that expires 7 days after it is issued. Its e-mail carries the
//! link `{public_url}/#/accept-invitation?token=…` and goes out through the
//! platform's mail service by a retried job; until the SMTP server accepted it
//! the token stays in the outbox, sealed with the server's key
//! (`sealed_token`), and is dropped once the mail is sent or given up.
//! Without a mail server nothing is sent: the e-mail is kept in the outbox
//! (`not_configured`) and queued when the server starts with one.
//! Accepting sets the account's password (the platform's rules), activates
//! the member and uses up the invitation; inviting the member again revokes
//! the earlier link.

use std::sync::Arc;

use frontline_platform::auth::{record_password_change, validate_password, Principal, UserChanges};
use frontline_platform::deliver::{self, Credentials, Message, Outcome};
use frontline_platform::http::RequestMeta;
use frontline_platform::mail::Mailer;
use frontline_platform::secrets::SecretBox;
use frontline_platform::write::WriteCtx;
use frontline_platform::{jobs, ApiError, ApiResult, Platform};
use rusqlite::Connection;
use serde_json::json;

use crate::access::sha256_hex;
use crate::errors::ChatbotError;
use crate::model::{
    AcceptInvitationRequest, InvitationAccepted, InvitationDelivery, InvitationInfo, MemberStatus,
    TenantUser,
};
use crate::store;

/// The job kind that sends one invitation e-mail.
pub const MAIL_JOB: &str = "chatbot.invitation_mail";

/// How long an invitation link works.
pub const VALID_DAYS: i64 = 7;

/// The key that seals tokens waiting in the outbox.
fn token_box(platform: &Platform) -> SecretBox {
    SecretBox::new(&platform.auth.derived_key(b"chatbot-invitation-tokens"))
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// When an invitation issued now expires (RFC 3339, seconds).
pub(crate) fn expiry_from_now() -> String {
    (chrono::Utc::now() + chrono::Duration::days(VALID_DAYS))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The mail service as configured: `Ok` with a usable mailer, else why not.
fn mail_configured(platform: &Platform) -> Result<(), String> {
    match Mailer::from_settings(&platform.settings) {
        Some(Ok(_)) => Ok(()),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("no mail server is configured (smtp_url)".into()),
    }
}

fn not_found() -> ApiError {
    ChatbotError::InvitationNotFound
        .with_message("No open invitation has this token (unknown, used, replaced or expired)")
}

/// Issues an invitation to `member` (already stored as `invited`, with its
/// expiry), in the caller's transaction: stores the token's hash, puts the
/// e-mail in the outbox and queues it when a mail server is configured.
/// Sets the member's answer status (`invitation_queued` or
/// `invitation_kept`) and delivery.
pub(crate) fn issue(
    w: &WriteCtx,
    platform: &Platform,
    tenant: &str,
    member: &mut TenantUser,
    new_account: bool,
    message: Option<&str>,
) -> ApiResult<()> {
    use rand::RngCore;
    let tx = w.tx();
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let expires_at = member
        .invitation_expires_at
        .clone()
        .unwrap_or_else(expiry_from_now);
    let mailer = mail_configured(platform);
    let delivery = if mailer.is_ok() {
        InvitationDelivery::Queued
    } else {
        InvitationDelivery::NotConfigured
    };
    let id = super::new_id("inv");
    let platform_user = member.platform_user_id.clone().unwrap_or_default();
    store::insert_invitation(
        tx,
        &store::NewInvitation {
            id: &id,
            tenant,
            member: &member.user_id,
            platform_user: &platform_user,
            email: &member.email,
            role: &member.role,
            token_hash: &sha256_hex(&token),
            sealed_token: &token_box(platform).seal(&token)?,
            message: message.map(str::trim).filter(|m| !m.is_empty()),
            new_account,
            mail_status: delivery.as_str(),
            expires_at: &expires_at,
            now: &now(),
        },
    )?;
    match &mailer {
        Ok(()) => {
            jobs::enqueue_at(
                tx,
                MAIL_JOB,
                &json!({"invitation_id": id}),
                chrono::Utc::now(),
                deliver::MAX_ATTEMPTS,
            )?;
        }
        Err(reason) => {
            store::record_mail(tx, &id, delivery.as_str(), Some(reason), None, false)?;
        }
    }
    w.audit(
        crate::SLUG,
        "tenant.invitation.create",
        "tenant_invitation",
        &id,
        json!({
            "member_id": member.user_id,
            "email": member.email,
            "role": member.role,
            "expires_at": expires_at,
            "delivery": delivery.as_str(),
        }),
    )?;
    member.status = if mailer.is_ok() {
        MemberStatus::InvitationQueued
    } else {
        MemberStatus::InvitationKept
    };
    member.invitation_expires_at = Some(expires_at);
    member.invitation_delivery = Some(delivery);
    member.invitation_error = mailer.err();
    Ok(())
}

/// Invites member `id` (still `invited`) again: the request's names, role
/// and permissions (the earlier ones where left out), a new link valid for
/// 7 days; the earlier link stops working.
pub(crate) fn reinvite(
    w: &WriteCtx,
    platform: &Platform,
    tenant: &str,
    id: &str,
    req: &crate::model::InviteUserRequest,
) -> ApiResult<TenantUser> {
    let tx = w.tx();
    let before = store::member_by_id(tx, id)?;
    let permissions: Vec<String> = match &req.permissions {
        Some(p) => p.iter().map(|p| p.as_str().to_string()).collect(),
        None => before.permissions.clone(),
    };
    let expires = expiry_from_now();
    let first = req.first_name.clone().or(before.first_name.clone());
    let last = req.last_name.clone().or(before.last_name.clone());
    let role = req.role.map_or(before.role.as_str(), |r| r.as_str());
    store::refresh_invited_member(
        tx,
        &store::NewMember {
            id,
            tenant,
            platform_user: before.platform_user_id.as_deref().unwrap_or_default(),
            email: &before.email,
            first_name: first.as_deref().unwrap_or_default(),
            last_name: last.as_deref().unwrap_or_default(),
            role,
            permissions: &permissions,
            status: "invited",
            expires: Some(&expires),
            created_at: &before.created_at,
        },
    )?;
    let new_account = store::created_account(tx, id)?;
    let revoked = store::revoke_open(tx, id)?;
    let mut m = store::member_by_id(tx, id)?;
    w.audit(
        crate::SLUG,
        "tenant.invitation.revoke",
        "tenant_user",
        id,
        json!({"email": m.email, "revoked": revoked, "reason": "invited again"}),
    )?;
    issue(
        w,
        platform,
        tenant,
        &mut m,
        new_account,
        req.invitation_message.as_deref(),
    )?;
    Ok(m)
}

/// The open invitation with `token` (404 `INVITATION_NOT_FOUND` for an
/// unknown, used, replaced or expired one).
pub(crate) fn lookup(c: &Connection, token: &str) -> ApiResult<InvitationInfo> {
    let inv = store::open_by_hash(c, &sha256_hex(token.trim()), &now())?.ok_or_else(not_found)?;
    Ok(InvitationInfo {
        tenant_id: inv.tenant_id,
        tenant_name: inv.tenant_name,
        email: inv.email,
        role: inv.role,
        expires_at: inv.expires_at,
    })
}

/// Accepts the invitation with the request's token: sets the account's
/// password (and name), activates the member and (for an account made for
/// the invitation) the account, uses the invitation up; audited in the same
/// transaction.
pub(crate) fn accept(
    tx: &Connection,
    meta: &RequestMeta,
    platform: &Platform,
    req: &AcceptInvitationRequest,
) -> ApiResult<InvitationAccepted> {
    let at = now();
    let inv = store::open_by_hash(tx, &sha256_hex(req.token.trim()), &at)?.ok_or_else(not_found)?;
    if let Err(e) = validate_password(&req.password) {
        return Err(ApiError::validation(vec![e]));
    }
    if !store::mark_accepted(tx, &inv.id, &at)? {
        return Err(not_found());
    }
    let changes = UserChanges {
        name: req.name.as_ref().map(|n| n.0.trim().to_string()),
        password: Some(req.password.clone()),
        roles: None,
        is_active: inv.new_account.then_some(true),
    };
    let user = platform
        .auth
        .update_user_in(tx, &inv.platform_user_id, &changes)?;
    store::activate_member(tx, &inv.member_id)?;
    let principal = Principal::acting_as(&user);
    let w = WriteCtx::new(tx, Some(&principal), meta);
    w.audit(
        crate::SLUG,
        "tenant.invitation.accept",
        "tenant_invitation",
        &inv.id,
        json!({"member_id": inv.member_id, "email": inv.email, "tenant_id": inv.tenant_id}),
    )?;
    record_password_change(tx, Some(&principal), meta, &user)?;
    Ok(InvitationAccepted {
        tenant_id: inv.tenant_id,
        tenant_name: inv.tenant_name,
        user_id: inv.member_id,
        email: inv.email,
        role: inv.role,
        status: MemberStatus::Active,
    })
}

/// The invitation e-mail: the tenant, the inviter's note, the link.
fn mail_text(platform: &Platform, m: &store::PendingMail, token: &str) -> (String, String) {
    let link = format!(
        "{}/#/accept-invitation?token={token}",
        platform.settings.public_base_url()
    );
    let subject = format!("You are invited to {} on Frontline", m.tenant_name);
    let mut body = format!("You are invited to join {} as {}.\n", m.tenant_name, m.role);
    if let Some(note) = m.message.as_deref() {
        body.push_str(&format!("\n{note}\n"));
    }
    body.push_str(&format!(
        "\nAccept the invitation and choose your password:\n{link}\n\n\
         The link works once and expires at {}.\n",
        m.expires_at
    ));
    (subject, body)
}

/// Sends one invitation e-mail and records what happened; a temporary
/// failure with attempts left answers an error so the platform retries.
async fn run(platform: Platform, job: jobs::Job) -> jobs::JobOutcome {
    let id = job.payload["invitation_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let key = id.clone();
    let Some(pending) = platform
        .db
        .read(move |c| store::pending_mail(c, &key, &now()))
        .await
        .map_err(|e| e.message)?
    else {
        return Ok(json!({"skipped": true}));
    };
    let Some(token) = token_box(&platform).open(&pending.sealed_token) else {
        let key = id.clone();
        let reason = "the invitation's token cannot be opened with this server's key";
        platform
            .db
            .write(move |tx| store::record_mail(tx, &key, "failed", Some(reason), None, true))
            .await
            .map_err(|e| e.message)?;
        return Ok(json!({"status": "failed", "reason": reason}));
    };
    let (subject, text) = mail_text(&platform, &pending, &token);
    let msg = Message {
        channel: "email".into(),
        to: pending.email.clone(),
        text,
        subject: Some(subject),
        status_callback: None,
    };
    let outcome = deliver::send(&platform, &Credentials::default(), &msg).await;
    let last = job.attempt >= deliver::MAX_ATTEMPTS;
    let (status, error) = match &outcome {
        Outcome::Retry(r) if last => ("failed", Some(r.clone())),
        other => (other.status(), other.reason().map(str::to_string)),
    };
    // Sent or given up: the token leaves the outbox (only its hash stays).
    let drop_token = matches!(status, "sent" | "failed");
    let sent_at = matches!(outcome, Outcome::Sent { .. }).then(now);
    platform
        .db
        .write(move |tx| {
            store::record_mail(
                tx,
                &id,
                status,
                error.as_deref(),
                sent_at.as_deref(),
                drop_token,
            )
        })
        .await
        .map_err(|e| e.message)?;
    match outcome {
        Outcome::Retry(reason) if !last => Err(reason),
        other => Ok(json!({"status": other.status(), "reason": other.reason()})),
    }
}

/// Registers the invitation e-mail job; with a mail server configured,
/// queues the e-mails kept in the outbox while there was none.
pub fn start(platform: &Platform) {
    platform.jobs.register(
        MAIL_JOB,
        Arc::new(|platform: Platform, job: jobs::Job| Box::pin(run(platform, job))),
    );
    if mail_configured(platform).is_err() {
        return;
    }
    let queued = platform.db.write_blocking(|tx| {
        let ids = store::take_kept(tx, &now())?;
        for id in &ids {
            jobs::enqueue_at(
                tx,
                MAIL_JOB,
                &json!({"invitation_id": id}),
                chrono::Utc::now(),
                deliver::MAX_ATTEMPTS,
            )?;
        }
        Ok(ids.len())
    });
    match queued {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            invitations = n,
            "chatbot: queued invitation e-mails kept in the outbox"
        ),
        Err(e) => {
            tracing::error!(error = %e.message, "chatbot: kept invitation e-mails not queued")
        }
    }
}
