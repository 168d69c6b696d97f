//! Extension: the public routes of an invitation link (the accept page).

use frontline_platform::http::RequestMeta;
use frontline_platform::Platform;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::*;
use crate::model::*;
use crate::service::invitations;

pub struct InvitationsApi {
    pub platform: Platform,
}

#[OpenApi]
impl InvitationsApi {
    /// Extension: the open invitation of an invitation link's `token` (from
    /// the e-mail sent by `POST /tenants/{id}/users` with `send_invitation`):
    /// the tenant, the invited e-mail and role, and when the link expires.
    /// Public (the token is the credential); limited to
    /// 60 requests per hour per client IP. 404 `INVITATION_NOT_FOUND` for an
    /// unknown, used, replaced or expired token.
    #[oai(
        path = "/invitations/:token",
        method = "get",
        tag = "ApiTags::Extensions"
    )]
    async fn get_invitation(
        &self,
        /// The `token` of the invitation link.
        token: Path<String>,
    ) -> Result<Json<Envelope<InvitationInfo>>> {
        let token = token.0;
        let info = self
            .platform
            .db
            .read(move |c| invitations::lookup(c, &token))
            .await?;
        Ok(success(info))
    }

    /// Extension: accept an invitation. Sets the account's password (the
    /// platform's rules: 8-128 characters; an existing account's password is
    /// replaced and its other sign-ins end) and `name` when given, makes the
    /// member `active` and uses the link up; the invitee then signs in through
    /// `POST /auth/login`. Public (the token is the credential, checked before
    /// the password); limited to 60 requests per hour per client IP. 404
    /// `INVITATION_NOT_FOUND` for an unknown, used, replaced or expired token;
    /// 400 `VALIDATION_ERROR` for a password outside the rules.
    #[oai(
        path = "/invitations/accept",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn accept_invitation(
        &self,
        meta: RequestMeta,
        body: JsonBody<AcceptInvitationRequest>,
    ) -> Result<Json<Envelope<InvitationAccepted>>> {
        let body = body.0;
        let platform = self.platform.clone();
        let accepted = self
            .platform
            .db
            .write(move |tx| invitations::accept(tx, &meta, &platform, &body))
            .await?;
        Ok(success(accepted))
    }
}
