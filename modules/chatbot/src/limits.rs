//! Rate limits per tenant, by plan ("Rate limiting per tenant - Different
//! limits based on plan tier"). Requests made for a tenant — with its API key,
//! or by one of its members with `X-Tenant-ID` (or a `/tenants/{id}` path) —
//! draw on that tenant's hourly allowance: the plan's
//! ([`plan_requests_per_hour`]) or `features.rate_limit_per_hour`. Every other
//! request (platform admins, anonymous visitors, channel webhooks, bad
//! credentials) keeps the module's flat per-user/per-IP limit. Responses carry
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` and
//! `X-RateLimit-Type` (`tenant`, `user` or `ip`).
//!
//! Requests made with a tenant's API key also count against the month's
//! `api_calls_limit` (the plan's, or `features.api_calls_limit`): beyond it
//! they are refused with 429 `API_CALL_LIMIT_REACHED` and
//! `X-RateLimit-Type: api_key` until the next UTC month, and not counted.

use frontline_platform::error::ErrorKind;
use frontline_platform::http::{
    current_request_id, error_response, token_from_request, Classifier, ErrorContext, RequestId,
};
use frontline_platform::ratelimit::{Decision, LimitRule};
use frontline_platform::{ApiError, Platform};
use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Request, Response};
use serde_json::Value;
use std::sync::Arc;

use crate::access::{self, Caller};
use crate::api::auth::tenant_in_path as path_tenant;
use crate::api_calls::Admission;
use crate::errors::ChatbotError;
use crate::model::ChatbotEnvelope;

/// The flat limit of requests not made for a tenant (per user or IP).
pub const FLAT_PER_HOUR: u32 = 1000;
const WINDOW_SECS: u64 = 3600;

/// Requests per hour a tenant's plan allows.
pub fn plan_requests_per_hour(plan: &str) -> u32 {
    match plan {
        "free" => 100,
        "starter" => 1_000,
        "professional" => 5_000,
        _ => 20_000,
    }
}

/// The tenant's hourly allowance: `features.rate_limit_per_hour` when set,
/// else the plan's.
pub fn tenant_requests_per_hour(plan: &str, features: &Value) -> u32 {
    features
        .get("rate_limit_per_hour")
        .and_then(Value::as_u64)
        .filter(|n| *n >= 1)
        .map(|n| n.min(u64::from(u32::MAX)) as u32)
        .unwrap_or_else(|| plan_requests_per_hour(plan))
}

/// Marks a request counted against its tenant (the flat limit skips it).
#[derive(Clone, Copy)]
struct TenantLimited;

/// Requests per hour one client IP may make to the public invitation routes
/// (`/invitations/…`).
pub const INVITATIONS_PER_HOUR: u32 = 60;

/// The module's flat limit, for requests not counted against a tenant; the
/// public invitation routes have their own, tighter one.
pub fn flat_classifier() -> Classifier {
    Arc::new(|req: &Request, _p| {
        if req.data::<TenantLimited>().is_some() {
            None
        } else if req.uri().path().contains("/invitations/") {
            Some(LimitRule::new(
                "invitations",
                INVITATIONS_PER_HOUR,
                WINDOW_SECS,
            ))
        } else {
            Some(LimitRule::new("api", FLAT_PER_HOUR, WINDOW_SECS))
        }
    })
}

/// The endpoint in front of the module's gate that applies the tenant limits.
pub struct TenantLimits<E> {
    pub inner: E,
    pub platform: Platform,
    /// Counts the calls made with tenants' API keys (usage).
    pub api_calls: Arc<crate::api_calls::ApiCalls>,
}

/// The tenant a request is made for, when its credentials are a tenant's
/// API key or a member's token (platform admins are not counted), with the
/// tenant's hourly allowance. `None` leaves the request to the flat limit
/// (and its credentials to the handler).
async fn tenant_caller(req: &Request) -> Option<(Caller, u32, i64)> {
    let has_tenant = crate::api::auth::has_api_key(req)
        || req.headers().contains_key("x-tenant-id")
        || path_tenant(req).is_some();
    if !has_tenant || !req.headers().contains_key("authorization") {
        return None;
    }
    let path = path_tenant(req);
    let named = req
        .headers()
        .get("x-tenant-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let who = crate::api::auth::caller(req, path.as_deref(), named)
        .await
        .ok()?;
    if who.role == "platform_admin" {
        return None;
    }
    // The tenant's plan and features were read with the credentials.
    let state = who.tenant.clone()?;
    let (plan, features) = (&state.plan, state.features());
    Some((
        who,
        tenant_requests_per_hour(plan, features),
        crate::store::api_calls_limit(plan, features),
    ))
}

fn set(resp: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

fn headers(resp: &mut Response, d: &Decision, kind: &str) {
    set(resp, "x-ratelimit-limit", &d.limit.to_string());
    set(resp, "x-ratelimit-remaining", &d.remaining.to_string());
    set(resp, "x-ratelimit-reset", &d.reset_at.to_string());
    set(resp, "x-ratelimit-type", kind);
}

/// 429 `API_CALL_LIMIT_REACHED`: the month's API calls of the tenant's keys
/// are used up. The rate-limit headers describe the monthly limit
/// (`X-RateLimit-Type: api_key`, reset at the next UTC month), with
/// `Retry-After` until then.
fn monthly_refusal(limit: i64, used: i64, ctx: &ErrorContext) -> Response {
    let now = chrono::Utc::now();
    let (_, next) = crate::store::month_of(now);
    let reset = next.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let wait = (reset - now).num_seconds().max(1);
    let err = ChatbotError::ApiCallLimitReached
        .with_message("The plan's monthly API calls are used up")
        .with_extra("limit", limit)
        .with_extra("used", used)
        .with_extra("limit_type", "api_calls_monthly")
        .with_extra(
            "resets_at",
            reset.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
        .with_extra("retryAfter", wait);
    let mut resp = error_response::<ChatbotEnvelope>(&err, ctx);
    set(&mut resp, "x-ratelimit-limit", &limit.to_string());
    set(&mut resp, "x-ratelimit-remaining", "0");
    set(
        &mut resp,
        "x-ratelimit-reset",
        &reset.timestamp().to_string(),
    );
    set(&mut resp, "x-ratelimit-type", "api_key");
    set(&mut resp, "retry-after", &wait.to_string());
    resp
}

impl<E: Endpoint> Endpoint for TenantLimits<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let who = tenant_caller(&req).await;
        let Some((who, per_hour, monthly)) = who else {
            let user = match token_from_request(&req) {
                Some(t) => self.platform.auth.verify(&t).await.is_ok(),
                None => false,
            };
            let mut resp = self.inner.call(req).await?.into_response();
            if resp.headers().contains_key("x-ratelimit-limit") {
                set(
                    &mut resp,
                    "x-ratelimit-type",
                    if user { "user" } else { "ip" },
                );
            }
            return Ok(resp);
        };
        let tenant = who.tenant_id.clone();
        let ctx = |req: &Request| ErrorContext {
            request_id: req
                .data::<RequestId>()
                .map(|r| r.0.clone())
                .or_else(current_request_id)
                .unwrap_or_default(),
            timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            path: req.uri().path().to_string(),
        };
        if crate::api::auth::has_api_key(&req) {
            let admitted = self.api_calls.admit(&self.platform, &tenant, monthly).await;
            if let Admission::Refused(used) = admitted {
                return Ok(monthly_refusal(monthly, used, &ctx(&req)));
            }
        }
        req.set_data(TenantLimited);
        let rule = LimitRule::new("tenant", per_hour, WINDOW_SECS);
        let d = self
            .platform
            .limiter
            .check(crate::SLUG, &rule, &format!("tenant:{tenant}"));
        if !d.allowed {
            let ctx = ctx(&req);
            let err = ApiError::new(
                ErrorKind::RateLimited,
                "The tenant's hourly request limit is reached",
            )
            .with_extra("retryAfter", d.retry_after)
            .with_extra("limit", d.limit)
            .with_extra("windowSeconds", d.window_secs)
            .with_extra("limit_type", "tenant");
            let mut resp = error_response::<ChatbotEnvelope>(&err, &ctx);
            headers(&mut resp, &d, "tenant");
            return Ok(resp);
        }
        req.set_data(access::Resolved(path_tenant(&req), who));
        let mut resp = self.inner.call(req).await?.into_response();
        headers(&mut resp, &d, "tenant");
        Ok(resp)
    }
}
