//! Handlers of the contact-center API.

use frontline_platform::auth::{NewUser, User};
use frontline_platform::body::JsonBody;
use frontline_platform::http::ModuleError;
use frontline_platform::{ApiError, BearerAuth, FieldError, Platform};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use rusqlite::{params, OptionalExtension};

use crate::model::*;

mod campaigns;
mod common;
mod contacts;
mod org;
mod queues;

pub use campaigns::CampaignsApi;
pub use common::{Created, Deleted, Tag};
pub use contacts::ContactsApi;
pub use org::{CompaniesApi, TeamsApi};
pub use queues::QueuesApi;

type Result<T> = std::result::Result<T, ModuleError<CcEnvelope>>;

#[derive(ApiResponse)]
enum Registered {
    /// The account was created.
    #[oai(status = 201)]
    Created(Json<UserOut>),
}

pub struct AuthApi {
    platform: Platform,
}

/// Part 1's API: authentication, campaigns, contacts and call lists,
/// templates, teams and agents, queues and calls, companies.
pub fn api(platform: &Platform) -> impl OpenApi + 'static {
    let p = platform.clone();
    (
        AuthApi {
            platform: p.clone(),
        },
        CampaignsApi { p: p.clone() },
        ContactsApi { p: p.clone() },
        TeamsApi { p: p.clone() },
        QueuesApi { p: p.clone() },
        CompaniesApi { p },
    )
}

fn user_out(user: &User, full_name: Option<String>, organization: Option<String>) -> UserOut {
    UserOut {
        id: user.seq,
        email: user.email.clone(),
        full_name: full_name.unwrap_or_else(|| user.name.clone()),
        organization: organization.or_else(|| user.organization.clone()),
        is_active: user.is_active,
        created_at: user.created_at.clone(),
    }
}

/// The contact-center password policy: 8+ characters with a letter and a digit.
fn check_password(password: &str) -> Option<FieldError> {
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    (password.chars().count() < 8 || !has_letter || !has_digit).then(|| {
        FieldError::new(
            "password",
            "Password must be at least 8 characters and contain a letter and a digit",
        )
    })
}

#[OpenApi(tag = "Tag::Authentication")]
impl AuthApi {
    /// Register a new user (public).
    #[oai(path = "/api/v1/auth/register", method = "post")]
    async fn register(&self, body: JsonBody<RegisterRequest>) -> Result<Registered> {
        let body = body.0;
        if let Some(problem) = check_password(&body.password) {
            return Err(ApiError::validation(vec![problem]).into());
        }
        let auth = self.platform.auth.clone();
        let user = self
            .platform
            .db
            .write(move |tx| {
                let user = auth.create_user_in(
                    tx,
                    &NewUser {
                        email: body.email,
                        password: body.password,
                        name: body.full_name.clone(),
                        roles: vec!["contact-center:user".into()],
                        organization: body.organization.clone(),
                    },
                )?;
                tx.execute(
                    "INSERT INTO cc_profiles (user_seq, full_name, organization) VALUES (?1, ?2, ?3)",
                    params![user.seq, body.full_name, body.organization],
                )?;
                Ok(user)
            })
            .await
            .map_err(|e| {
                if e.code() == "EMAIL_EXISTS" {
                    CcError::DuplicateResource.with_message("Email already registered").with_detail("email", "already registered")
                } else {
                    e
                }
            })?;
        Ok(Registered::Created(Json(user_out(&user, None, None))))
    }

    /// Sign in and receive a bearer token (public).
    ///
    /// Shares the server's sign-in budget
    /// (10 per 5 minutes per client IP across all sign-in routes); an account with 5 failed
    /// sign-ins in a row is locked for a growing time (429 with `Retry-After`).
    #[oai(path = "/api/v1/auth/login", method = "post")]
    async fn login(
        &self,
        meta: frontline_platform::http::RequestMeta,
        body: JsonBody<LoginRequest>,
    ) -> Result<Json<LoginResponse>> {
        let (user, token) = self
            .platform
            .auth
            .sign_in(&body.0.email, &body.0.password, &meta, crate::SLUG)
            .await?;
        Ok(Json(LoginResponse {
            access_token: token.access_token,
            token_type: "bearer".into(),
            expires_in: token.expires_in,
            user: UserBrief {
                id: user.seq,
                email: user.email,
                full_name: user.name,
            },
        }))
    }

    /// The signed-in user.
    #[oai(path = "/api/v1/auth/me", method = "get")]
    async fn me(&self, auth: BearerAuth) -> Result<Json<UserOut>> {
        let id = auth.0.id.clone();
        let (user, profile) = self
            .platform
            .db
            .read(move |conn| {
                let user = frontline_platform::auth::find_user(conn, &id)?
                    .ok_or_else(|| ApiError::unauthorized("Invalid authentication token"))?;
                let profile: Option<(String, Option<String>)> = conn
                    .query_row(
                        "SELECT full_name, organization FROM cc_profiles WHERE user_seq = ?1",
                        [user.seq],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                Ok((user, profile))
            })
            .await?;
        let (name, org) = profile.map(|(n, o)| (Some(n), o)).unwrap_or((None, None));
        Ok(Json(user_out(&user, name, org)))
    }
}
