//! The platform's own API: sign-in, the current user, user management and
//! the audit log, served at `/auth`.

use poem::http::StatusCode;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde_json::{json, Value};

use crate::audit::{self, AuditQuery};
use crate::auth::{Auth, NewUser, User, UserChanges};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::http::{
    Admin, BearerAuth, ErrorContext, ErrorEnvelope, Guarded, ModuleError, RequestMeta,
};
use crate::page::Page;
use crate::state::Platform;
use crate::write::WriteCtx;

/// The platform's error body: `{"error":{"code","message","details":[{field,message}]}}`.
pub struct PlatformEnvelope;

/// One problem with one field.
#[derive(Object)]
pub struct ErrorDetail {
    pub field: String,
    pub message: String,
}

/// What went wrong.
#[derive(Object)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

/// Error body.
#[derive(Object)]
pub struct PlatformErrorBody {
    pub error: ErrorInfo,
}

impl ErrorEnvelope for PlatformEnvelope {
    type Body = PlatformErrorBody;
    const VALIDATION_STATUS: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
    fn render(err: &ApiError, ctx: &ErrorContext) -> Value {
        let mut error = json!({
            "code": err.code(),
            "message": err.message,
            "details": err.details,
            "requestId": ctx.request_id,
        });
        for (k, v) in &err.extra {
            error[k] = v.clone();
        }
        json!({ "error": error })
    }
}

type Result<T> = std::result::Result<T, ModuleError<PlatformEnvelope>>;

/// Credentials.
#[derive(Object)]
struct LoginRequest {
    /// The account's e-mail address.
    email: String,
    password: String,
}

/// An access token for every module the user has roles in.
#[derive(Object)]
struct TokenResponse {
    access_token: String,
    /// Always `bearer`.
    token_type: String,
    /// Seconds until the token expires.
    expires_in: i64,
}

/// A self-service password change.
#[derive(Object)]
struct PasswordChangeRequest {
    /// The password the account has now.
    #[oai(validator(min_length = 1))]
    current_password: String,
    /// The new password: 8 to 128 characters, not the current one.
    #[oai(validator(min_length = 8, max_length = 128))]
    new_password: String,
}

/// A user account (never with its password hash).
#[derive(Object)]
struct UserView {
    /// The user's UUID.
    id: String,
    /// The user's integer id, as documents with integer ids print it.
    seq: i64,
    email: String,
    name: String,
    /// `admin`, or `<module>:<role>` such as `training:editor` or `planning:PLANNER`.
    roles: Vec<String>,
    organization: Option<String>,
    is_active: bool,
    created_at: String,
    updated_at: String,
    last_login_at: Option<String>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            seq: u.seq,
            email: u.email,
            name: u.name,
            roles: u.roles,
            organization: u.organization,
            is_active: u.is_active,
            created_at: u.created_at,
            updated_at: u.updated_at,
            last_login_at: u.last_login_at,
        }
    }
}

/// A role: `admin` (everything everywhere) or `<module>:<role>`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    #[oai(rename = "admin")]
    Admin,
    #[oai(rename = "training:viewer")]
    TrainingViewer,
    #[oai(rename = "training:editor")]
    TrainingEditor,
    #[oai(rename = "training:publisher")]
    TrainingPublisher,
    #[oai(rename = "training:admin")]
    TrainingAdmin,
    #[oai(rename = "chatbot:admin")]
    ChatbotAdmin,
    #[oai(rename = "chatbot:tenant_admin")]
    ChatbotTenantAdmin,
    #[oai(rename = "chatbot:agent")]
    ChatbotAgent,
    #[oai(rename = "chatbot:viewer")]
    ChatbotViewer,
    #[oai(rename = "contact-center:admin")]
    ContactCenterAdmin,
    #[oai(rename = "contact-center:supervisor")]
    ContactCenterSupervisor,
    #[oai(rename = "contact-center:agent")]
    ContactCenterAgent,
    #[oai(rename = "contact-center:user")]
    ContactCenterUser,
    #[oai(rename = "marketplace:admin")]
    MarketplaceAdmin,
    #[oai(rename = "marketplace:provider")]
    MarketplaceProvider,
    #[oai(rename = "marketplace:customer")]
    MarketplaceCustomer,
    #[oai(rename = "planning:ADMIN")]
    PlanningAdmin,
    #[oai(rename = "planning:PLANNER")]
    PlanningPlanner,
    #[oai(rename = "planning:VIEWER")]
    PlanningViewer,
}

impl Role {
    fn name(self) -> String {
        use poem_openapi::types::ToJSON;
        self.to_json()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

fn role_names(roles: Vec<Role>) -> Vec<String> {
    roles.into_iter().map(Role::name).collect()
}

crate::pattern_string! {
    /// An e-mail address as accounts are created with (blanks around it are ignored).
    SignInEmail = r"^[ \t\r\n]*[!-?A-~]+@[A-Za-z0-9-]([A-Za-z0-9.-]*[A-Za-z0-9-])?[ \t\r\n]*$";

    /// A display name with something other than (Unicode) blanks in it.
    DisplayName = r"[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
}

/// A new account.
#[derive(Object)]
struct CreateUser {
    /// The sign-in e-mail address (surrounding blanks are ignored).
    #[oai(validator(max_length = 254))]
    email: SignInEmail,
    /// 8 to 128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    password: String,
    /// The display name: 1 to 200 characters, not only blanks.
    #[oai(validator(min_length = 1, max_length = 200))]
    name: DisplayName,
    /// Roles to grant (none by default).
    #[oai(default)]
    roles: Vec<Role>,
    /// Free text: the organization the user belongs to.
    organization: Option<String>,
}

/// Changes to an account; omitted fields stay as they are.
#[derive(Object)]
struct UpdateUser {
    /// The display name: 1 to 200 characters, not only blanks.
    #[oai(validator(min_length = 1, max_length = 200))]
    name: Option<DisplayName>,
    /// A new password, 8 to 128 characters (signs the user out everywhere).
    #[oai(validator(min_length = 8, max_length = 128))]
    password: Option<String>,
    /// The complete new set of roles.
    roles: Option<Vec<Role>>,
    /// `false` deactivates the account (and signs the user out everywhere).
    is_active: Option<bool>,
}

/// One module and the roles it knows.
#[derive(Object)]
struct ModuleRoles {
    module: String,
    roles: Vec<String>,
}

/// One audit log entry.
#[derive(Object)]
struct AuditView {
    id: i64,
    at: String,
    module: String,
    actor_id: Option<String>,
    actor_email: Option<String>,
    action: String,
    entity_type: String,
    entity_id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    request_id: Option<String>,
    details: Value,
}

/// A page of audit entries, newest first.
#[derive(Object)]
struct AuditPage {
    data: Vec<AuditView>,
    page: u64,
    limit: u64,
    total: u64,
    total_pages: u64,
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    Created(Json<UserView>),
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

pub struct AuthApi {
    pub platform: Platform,
}

impl AuthApi {
    fn auth(&self) -> &Auth {
        &self.platform.auth
    }
}

/// Identity and accounts shared by all five modules.
#[OpenApi]
impl AuthApi {
    /// Sign in with e-mail and password; the token works in every module the user has roles in.
    ///
    /// All sign-in routes (this one, the contact center's and planning's) share one budget
    /// per client IP (10 per 5 minutes). After 5 failed sign-ins in a row an account is locked
    /// for 60 seconds, doubling with each further failure up to 15 minutes: while locked every
    /// attempt gets 429 with `Retry-After`, whatever the password. Sign-ins, failures and locks
    /// are in the audit log (`auth.login`, `auth.login_failed`, `auth.account_locked`).
    #[oai(path = "/login", method = "post")]
    async fn login(
        &self,
        meta: RequestMeta,
        body: JsonBody<LoginRequest>,
    ) -> Result<Json<TokenResponse>> {
        let (_, token) = self
            .auth()
            .sign_in(&body.0.email, &body.0.password, &meta, "platform")
            .await?;
        Ok(Json(TokenResponse {
            access_token: token.access_token,
            token_type: "bearer".into(),
            expires_in: token.expires_in,
        }))
    }

    /// Sign out: the token used for this call stops working (audited as `auth.logout`).
    #[oai(path = "/logout", method = "post")]
    async fn logout(&self, auth: BearerAuth, meta: RequestMeta) -> Result<NoContent> {
        self.auth().sign_out(&auth.0, &meta, "platform").await?;
        Ok(NoContent::Done)
    }

    /// The signed-in user.
    #[oai(path = "/me", method = "get")]
    async fn me(&self, auth: BearerAuth) -> Result<Json<UserView>> {
        // The user the token check just read: from the cache, no database read.
        let user = self
            .auth()
            .current_user(&auth.0.id)
            .await?
            .ok_or_else(|| ApiError::unauthorized("Invalid authentication token"))?;
        Ok(Json(user.into()))
    }

    /// Change your own password. The current password is required (a wrong one
    /// counts towards the account's sign-in lock like a failed sign-in); the
    /// change is audited (`auth.password_changed`) and signs out every session
    /// of the account, this one included: the answer carries a new token for
    /// this session.
    #[oai(path = "/me/password", method = "post")]
    async fn change_own_password(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<PasswordChangeRequest>,
    ) -> Result<Json<TokenResponse>> {
        let me = auth.0;
        let PasswordChangeRequest {
            current_password,
            new_password,
        } = body.0;
        if new_password == current_password {
            return Err(
                ApiError::invalid("new_password", "must differ from the current password").into(),
            );
        }
        if let Err(e) = crate::auth::validate_password(&new_password) {
            return Err(ApiError::validation(vec![crate::error::FieldError::new(
                "new_password",
                e.message,
            )])
            .into());
        }
        match self
            .auth()
            .sign_in(&me.email, &current_password, &meta, "platform")
            .await
        {
            Ok(_) => {}
            Err(e) if e.kind == crate::error::ErrorKind::Unauthorized => {
                return Err(ApiError::invalid(
                    "current_password",
                    "is not the account's current password",
                )
                .into())
            }
            Err(e) => return Err(e.into()),
        }
        let user = self
            .auth()
            .change_password(&me.id, new_password, Some(&me), &meta)
            .await?;
        let token = self.auth().issue(&user)?;
        Ok(Json(TokenResponse {
            access_token: token.access_token,
            token_type: "bearer".into(),
            expires_in: token.expires_in,
        }))
    }

    /// The roles each module knows (for building role pickers).
    #[oai(path = "/roles", method = "get")]
    async fn roles(&self, _auth: BearerAuth) -> Json<Vec<ModuleRoles>> {
        Json(
            crate::auth::MODULE_ROLES
                .iter()
                .map(|(m, roles)| ModuleRoles {
                    module: m.to_string(),
                    roles: roles.iter().map(|r| format!("{m}:{r}")).collect(),
                })
                .collect(),
        )
    }

    /// All accounts (admins only).
    #[oai(path = "/users", method = "get")]
    async fn list_users(&self, _auth: Guarded<Admin>) -> Result<Json<Vec<UserView>>> {
        let users = self.platform.db.read(Auth::list_users_in).await?;
        Ok(Json(users.into_iter().map(Into::into).collect()))
    }

    /// Create an account (admins only).
    #[oai(path = "/users", method = "post")]
    async fn create_user(
        &self,
        auth: Guarded<Admin>,
        meta: RequestMeta,
        body: JsonBody<CreateUser>,
    ) -> Result<Created> {
        let body = body.0;
        let new = NewUser {
            email: body.email.into(),
            password: body.password,
            name: body.name.into(),
            roles: role_names(body.roles),
            organization: body.organization,
        };
        let service = self.auth().clone();
        let actor = auth.into_principal();
        let user = self
            .platform
            .db
            .write(move |tx| {
                let w = WriteCtx::new(tx, Some(&actor), &meta);
                let user = service.create_user_in(&w, &new)?;
                w.audit(
                    "platform",
                    "user.created",
                    "user",
                    &user.id,
                    json!({ "email": user.email, "roles": user.roles }),
                )?;
                Ok(user)
            })
            .await?;
        Ok(Created::Created(Json(user.into())))
    }

    /// One account (admins only).
    #[oai(path = "/users/:id", method = "get")]
    async fn get_user(&self, _auth: Guarded<Admin>, id: Path<String>) -> Result<Json<UserView>> {
        let user = self
            .auth()
            .get_user(&id.0)
            .await?
            .ok_or_else(|| ApiError::not_found("User not found"))?;
        Ok(Json(user.into()))
    }

    /// Change roles, name, password or active state (admins only).
    ///
    /// A new password or deactivation signs the user out everywhere; a password change is also audited as
    /// `auth.password_changed`.
    #[oai(path = "/users/:id", method = "patch")]
    async fn update_user(
        &self,
        auth: Guarded<Admin>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<UpdateUser>,
    ) -> Result<Json<UserView>> {
        let body = body.0;
        let roles = body.roles.map(role_names);
        if auth.id == id.0
            && (body.is_active == Some(false)
                || roles
                    .as_ref()
                    .is_some_and(|r| !r.iter().any(|x| x == "admin")))
        {
            return Err(ApiError::conflict(
                "You cannot remove your own admin role or deactivate yourself",
            )
            .into());
        }
        let changes = UserChanges {
            name: body.name.map(String::from),
            password: body.password.clone(),
            roles,
            is_active: body.is_active,
        };
        let service = self.auth().clone();
        let actor = auth.into_principal();
        let id = id.0;
        let user = self
            .platform
            .db
            .write(move |tx| {
                let w = WriteCtx::new(tx, Some(&actor), &meta);
                let user = service.update_user_in(&w, &id, &changes)?;
                if changes.password.is_some() {
                    crate::auth::record_password_change(&w, Some(&actor), &meta, &user)?;
                }
                w.audit(
                    "platform",
                    "user.updated",
                    "user",
                    &user.id,
                    json!({
                        "roles": changes.roles,
                        "name": changes.name,
                        "isActive": changes.is_active,
                        "passwordChanged": changes.password.is_some(),
                    }),
                )?;
                Ok(user)
            })
            .await?;
        Ok(Json(user.into()))
    }

    /// Delete an account (admins only; not your own).
    #[oai(path = "/users/:id", method = "delete")]
    async fn delete_user(
        &self,
        auth: Guarded<Admin>,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<NoContent> {
        if auth.id == id.0 {
            return Err(ApiError::conflict("You cannot delete your own account").into());
        }
        let service = self.auth().clone();
        let actor = auth.into_principal();
        let id = id.0;
        self.platform
            .db
            .write(move |tx| {
                let w = WriteCtx::new(tx, Some(&actor), &meta);
                let user = service.delete_user_in(&w, &id)?;
                w.audit(
                    "platform",
                    "user.deleted",
                    "user",
                    &user.id,
                    json!({ "email": user.email }),
                )?;
                Ok(())
            })
            .await?;
        Ok(NoContent::Done)
    }

    /// The audit log across all modules, newest first (admins only).
    ///
    /// Security events are under module `platform`: `auth.login`, `auth.login_failed`
    /// (`actor_email` is the e-mail tried; the password never appears), `auth.account_locked`,
    /// `auth.logout`, `auth.password_changed` and `auth.forbidden` (a refused request: its
    /// module, method and path). Each has the client IP and user agent.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/audit", method = "get")]
    async fn audit_log(
        &self,
        _auth: Guarded<Admin>,
        module: Query<Option<String>>,
        actor_id: Query<Option<String>>,
        /// The actor's e-mail, any case (for failed sign-ins: the e-mail tried).
        actor_email: Query<Option<String>>,
        /// The client IP.
        ip: Query<Option<String>>,
        action: Query<Option<String>>,
        entity_type: Query<Option<String>>,
        entity_id: Query<Option<String>>,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1")))]
        page: Query<Option<i64>>,
        /// Entries per page, 1 to 100.
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> Result<Json<AuditPage>> {
        let p = Page::new(
            page.0,
            limit.0,
            50,
            self.platform.settings.max_page_size as u64,
        )?;
        let q = AuditQuery {
            module: module.0,
            actor_id: actor_id.0,
            action: action.0,
            entity_type: entity_type.0,
            entity_id: entity_id.0,
            actor_email: actor_email.0,
            ip: ip.0,
            from: from.0,
            to: to.0,
            offset: p.offset(),
            limit: p.limit,
        };
        let (rows, total) = self
            .platform
            .db
            .read(move |conn| audit::query(conn, &q))
            .await?;
        let info = p.info(total);
        Ok(Json(AuditPage {
            data: rows
                .into_iter()
                .map(|r| AuditView {
                    id: r.id,
                    at: r.at,
                    module: r.module,
                    actor_id: r.actor_id,
                    actor_email: r.actor_email,
                    action: r.action,
                    entity_type: r.entity_type,
                    entity_id: r.entity_id,
                    ip: r.ip,
                    user_agent: r.user_agent,
                    request_id: r.request_id,
                    details: r.details,
                })
                .collect(),
            page: info.page,
            limit: info.limit,
            total: info.total,
            total_pages: info.total_pages,
        }))
    }
}
