//! Handlers of the planning API.

use frontline_platform::audit::{self, AuditEntry};
use frontline_platform::auth::Principal;
use frontline_platform::http::{ModuleError, RequestMeta, SessionOrBearer};
use frontline_platform::{ApiError, Platform};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::model::*;

type Result<T> = std::result::Result<T, ModuleError<PlanningEnvelope>>;

pub const SESSION_COOKIE: &str = "next-auth.session-token";

/// The planning role of a principal: ADMIN for platform admins.
pub fn planning_role(p: &Principal) -> Option<&'static str> {
    if p.is_admin() || p.has_role(crate::SLUG, "ADMIN") {
        Some("ADMIN")
    } else if p.has_role(crate::SLUG, "PLANNER") {
        Some("PLANNER")
    } else if p.has_role(crate::SLUG, "VIEWER") {
        Some("VIEWER")
    } else {
        None
    }
}

#[derive(ApiResponse)]
enum HealthResponse {
    /// Healthy.
    #[oai(status = 200)]
    Ok(Json<Envelope<Health>>),
    /// The database is unreachable.
    #[oai(status = 503)]
    Unavailable(Json<serde_json::Value>),
}

#[derive(ApiResponse)]
enum SignedIn {
    /// Signed in; the session cookie is set.
    #[oai(status = 200)]
    Ok(
        Json<Envelope<Session>>,
        #[oai(header = "Set-Cookie")] String,
    ),
}

#[derive(ApiResponse)]
enum SignedOut {
    /// Signed out; the session cookie is cleared.
    #[oai(status = 200)]
    Ok(Json<Envelope<bool>>, #[oai(header = "Set-Cookie")] String),
}

pub struct PlanningApi {
    platform: Platform,
}

pub fn api(platform: &Platform) -> PlanningApi {
    PlanningApi {
        platform: platform.clone(),
    }
}

fn session_of(p: &Principal, role: &str) -> Session {
    Session {
        user: SessionUser {
            id: p.id.clone(),
            email: p.email.clone(),
            name: p.name.clone(),
            role: role.to_string(),
        },
        expires: chrono::DateTime::from_timestamp(p.token_expires_at, 0)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

#[OpenApi]
impl PlanningApi {
    /// API and database health (public).
    #[oai(path = "/api/health", method = "get")]
    async fn health(&self) -> HealthResponse {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        match self.platform.db.ping().await {
            Ok(ms) => HealthResponse::Ok(Json(Envelope::ok(Health {
                status: "healthy".into(),
                timestamp: now,
                uptime: self.platform.metrics.uptime_secs(),
                database: DatabaseHealth {
                    status: "connected".into(),
                    response_time: Some(ms),
                    error: None,
                },
                version: env!("CARGO_PKG_VERSION").into(),
                environment: "self-hosted".into(),
            }))),
            Err(e) => HealthResponse::Unavailable(Json(serde_json::json!({
                "success": false,
                "error": "Service unhealthy",
                "data": { "status": "unhealthy", "database": { "status": "disconnected", "error": e.message } }
            }))),
        }
    }

    /// Sign in with e-mail and password; sets the `next-auth.session-token` cookie.
    #[oai(path = "/api/auth/signin", method = "post")]
    async fn signin(&self, body: Json<SignInRequest>) -> Result<SignedIn> {
        let (_, token) = self
            .platform
            .auth
            .login(&body.email, &body.password)
            .await?;
        let principal = self.platform.auth.verify(&token.access_token).await?;
        let role = planning_role(&principal)
            .ok_or_else(|| ApiError::forbidden("Your account has no role in planning"))?;
        let cookie = format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
            token.access_token, token.expires_in
        );
        Ok(SignedIn::Ok(
            Json(Envelope::ok(session_of(&principal, role))),
            cookie,
        ))
    }

    /// Sign out: the session ends and the cookie is cleared.
    #[oai(path = "/api/auth/signout", method = "post")]
    async fn signout(&self, auth: SessionOrBearer) -> Result<SignedOut> {
        let p = auth.principal();
        self.platform
            .auth
            .revoke(&p.token_id, p.token_expires_at)
            .await?;
        let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
        Ok(SignedOut::Ok(Json(Envelope::ok(true)), cookie))
    }

    /// The current session and role.
    #[oai(path = "/api/auth/session", method = "get")]
    async fn session(&self, auth: SessionOrBearer) -> Result<Json<Session>> {
        let p = auth.principal();
        let role = planning_role(p).ok_or_else(|| {
            ApiError::new(frontline_platform::ErrorKind::Forbidden, "No planning role")
                .with_code("FORBIDDEN")
        })?;
        Ok(Json(session_of(p, role)))
    }

    /// Global admin settings (ADMIN only).
    #[oai(
        path = "/api/admin/settings",
        method = "get",
        tag = "crate::api::Tag::Admin"
    )]
    async fn get_settings(&self, auth: SessionOrBearer) -> Result<Json<Envelope<AdminSettings>>> {
        require_admin(auth.principal())?;
        let (settings, _) = self
            .platform
            .db
            .read(|conn| crate::settings::load(conn))
            .await?;
        Ok(Json(Envelope::ok(settings.into())))
    }

    /// Change global admin settings (ADMIN only). Rates are fractions between 0 and 1;
    /// new projections use them at once. The change is audited as `UPDATE_SETTINGS`.
    #[oai(
        path = "/api/admin/settings",
        method = "patch",
        tag = "crate::api::Tag::Admin"
    )]
    async fn update_settings(
        &self,
        auth: SessionOrBearer,
        meta: RequestMeta,
        body: Json<AdminSettingsUpdate>,
    ) -> Result<Json<Envelope<AdminSettingsUpdated>>> {
        let principal = auth.principal().clone();
        require_admin(&principal)?;
        let patch: crate::settings::SettingsPatch = body.0.into();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let at = now.clone();
        let settings = self
            .platform
            .db
            .write(move |tx| {
                let (settings, changes) = crate::settings::apply(tx, &patch, &at)?;
                audit::record(
                    tx,
                    Some(&principal),
                    &meta,
                    AuditEntry {
                        module: crate::SLUG,
                        action: "UPDATE_SETTINGS",
                        entity_type: "SETTINGS",
                        entity_id: None,
                        details: serde_json::json!({ "changes": changes }),
                    },
                )?;
                Ok(settings)
            })
            .await?;
        Ok(Json(Envelope::ok(AdminSettingsUpdated {
            cpi_rate: settings.cpi_rate,
            discount_rate: settings.discount_rate,
            tax_rate: settings.tax_rate,
            currency: settings.currency,
            timezone: settings.timezone,
            date_format: settings.date_format,
            number_format: settings.number_format,
            updated_at: now,
            message: "Settings updated successfully".into(),
        })))
    }
}

/// Tags of the planning operations.
#[derive(poem_openapi::Tags)]
pub enum Tag {
    /// Admin settings, users and audit logs (ADMIN only).
    Admin,
}

/// 403 unless the caller is a planning ADMIN (or a platform admin).
fn require_admin(p: &Principal) -> std::result::Result<(), ApiError> {
    match planning_role(p) {
        Some("ADMIN") => Ok(()),
        _ => Err(ApiError::forbidden("Admin access required").with_code("FORBIDDEN")),
    }
}
