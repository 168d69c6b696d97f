//! Handlers of the contact-center API.

use frontline_platform::auth::User;
use frontline_platform::body::JsonBody;
use frontline_platform::http::ModuleError;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::model::*;
use crate::service::accounts;

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

#[OpenApi(tag = "Tag::Authentication")]
impl AuthApi {
    /// Register a new user (public).
    #[oai(path = "/api/v1/auth/register", method = "post")]
    async fn register(
        &self,
        meta: RequestMeta,
        body: JsonBody<RegisterRequest>,
    ) -> Result<Registered> {
        let body = body.0;
        accounts::check_registration(&body)?;
        let auth = self.platform.auth.clone();
        let user = write::transact(&self.platform.db, None, meta, move |w| {
            accounts::register(w, &auth, body)
        })
        .await?;
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
        meta: RequestMeta,
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
            .read(move |conn| accounts::me(conn, &id))
            .await?;
        let (name, org) = profile.map(|(n, o)| (Some(n), o)).unwrap_or((None, None));
        Ok(Json(user_out(&user, name, org)))
    }
}
