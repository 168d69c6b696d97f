//! Health and session sign-in.

use super::*;

/// The cookie's `Secure` attribute, for requests that came over HTTPS.
fn secure(meta: &RequestMeta) -> &'static str {
    if meta.https {
        "; Secure"
    } else {
        ""
    }
}

pub struct AuthApi {
    pub(super) platform: Platform,
}

#[OpenApi]
impl AuthApi {
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
            Err(e) => HealthResponse::Unavailable(Json(Unhealthy {
                success: false,
                error: "Service unhealthy".into(),
                data: UnhealthyState {
                    status: "unhealthy".into(),
                    database: DatabaseHealth {
                        status: "disconnected".into(),
                        response_time: None,
                        error: Some(e.message),
                    },
                },
            })),
        }
    }

    /// Sign in with e-mail and password; sets the `next-auth.session-token` cookie.
    ///
    /// The cookie is `Secure` when the request came over HTTPS (directly or through a
    /// trusted proxy).
    /// Shares the server's sign-in budget (10 per 5 minutes per client IP across all
    /// sign-in routes); an account with 5 failed sign-ins in a row is locked for a growing
    /// time (429 with `retryAfter`).
    #[oai(path = "/api/auth/signin", method = "post")]
    async fn signin(&self, meta: RequestMeta, body: JsonBody<SignInRequest>) -> Result<SignedIn> {
        let (_, token) = self
            .platform
            .auth
            .sign_in(&body.0.email, &body.0.password, &meta, crate::SLUG)
            .await?;
        let principal = self.platform.auth.verify(&token.access_token).await?;
        let role = service::planning_role(&principal).ok_or_else(|| {
            PlanningError::Forbidden.with_message("Your account has no role in planning")
        })?;
        let cookie = format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
            token.access_token,
            token.expires_in,
            secure(&meta)
        );
        Ok(SignedIn::Ok(
            Json(Envelope::ok(session_of(&principal, role))),
            cookie,
        ))
    }

    /// Sign out: the session ends and the cookie is cleared.
    #[oai(path = "/api/auth/signout", method = "post")]
    async fn signout(&self, caller: Caller<AnyRole>, meta: RequestMeta) -> Result<SignedOut> {
        self.platform
            .auth
            .sign_out(&caller.principal, &meta, crate::SLUG)
            .await?;
        let cookie = format!(
            "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
            secure(&meta)
        );
        Ok(SignedOut::Ok(Json(Envelope::ok(true)), cookie))
    }

    /// The current session and role.
    #[oai(path = "/api/auth/session", method = "get")]
    async fn session(&self, caller: Caller<AnyRole>) -> Result<Json<Session>> {
        Ok(Json(session_of(&caller.principal, caller.role)))
    }
}
