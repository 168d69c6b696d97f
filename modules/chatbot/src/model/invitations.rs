//! Invitations: a member's standing, what happened to an invitation's
//! e-mail, and the two public extension routes that read and accept one.

use poem_openapi::{Enum, Object};

/// A member's standing in the tenant.
///
/// - `active`: the member signs in and works in the tenant;
/// - `invited`: invited, not yet accepted (no access; a platform account
///   created for the invitation has no usable password until then);
/// - `invitation_queued` (only in the answer to `POST /tenants/{id}/users`):
///   the invitation e-mail is queued for the configured SMTP server; the
///   member's record (`invitation_delivery`) later says whether the server
///   accepted it;
/// - `invitation_kept` (only in that answer): no SMTP server is configured, so
///   nothing was sent; the e-mail is kept in the outbox (sent when the server
///   starts with a mail server configured, or re-invite the member).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    Invited,
    InvitationQueued,
    InvitationKept,
}

impl MemberStatus {
    /// The stored status (`active` or `invited`) as read back.
    pub fn stored(s: &str) -> MemberStatus {
        if s == "active" {
            MemberStatus::Active
        } else {
            MemberStatus::Invited
        }
    }
}

/// What happened to the e-mail of a member's open invitation:
/// `queued` (waiting for the SMTP server, retried with backoff), `sent` (the
/// SMTP server accepted it), `failed` (refused or unreachable after the
/// retries; `invitation_error` says why) or `not_configured` (no SMTP server:
/// nothing was sent, the e-mail is kept in the outbox).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum InvitationDelivery {
    Queued,
    Sent,
    Failed,
    NotConfigured,
}

impl InvitationDelivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::NotConfigured => "not_configured",
        }
    }

    pub fn parse(s: &str) -> Option<InvitationDelivery> {
        [Self::Queued, Self::Sent, Self::Failed, Self::NotConfigured]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// An open invitation, as its link's holder sees it.
#[derive(Object, Debug, Clone)]
pub struct InvitationInfo {
    /// The tenant the invitation is to.
    pub tenant_id: String,
    /// The tenant's name.
    pub tenant_name: String,
    /// The invited e-mail address (the account's sign-in name).
    pub email: String,
    /// The role the member gets: `owner`, `admin`, `developer`, `agent`,
    /// `analyst` or `viewer`.
    pub role: String,
    /// When the link stops working (RFC 3339, UTC; 7 days after it was issued).
    pub expires_at: String,
}

/// Accept an invitation: the link's token and the password to sign in with.
#[derive(Object, Debug, Clone)]
pub struct AcceptInvitationRequest {
    /// The `token` of the invitation link.
    #[oai(validator(min_length = 1, max_length = 256))]
    pub token: String,
    /// The account's password from now on (the platform's rules: 8-128
    /// characters). An existing account's password is replaced and its
    /// other sign-ins end.
    pub password: String,
    /// The name shown for the account (1-200 characters); unchanged when left out.
    pub name: Option<super::Name200>,
}

/// An accepted invitation: the member is active and signs in through
/// `POST /auth/login` with the invited e-mail and the new password.
#[derive(Object, Debug, Clone)]
pub struct InvitationAccepted {
    /// The tenant joined.
    pub tenant_id: String,
    /// The tenant's name.
    pub tenant_name: String,
    /// The membership id.
    pub user_id: String,
    /// The e-mail address to sign in with.
    pub email: String,
    /// The member's role.
    pub role: String,
    /// Always `active`.
    pub status: MemberStatus,
}
