//! CORS per owner: a browser page on another origin may call an API only
//! when the owner the request is for (a tenant, named by a header such as
//! `X-Tenant-ID`) lists that origin. Nothing is allowed by default.
//!
//! A module wraps its mounted endpoint in [`PerOwnerCors`] with an
//! [`OriginPolicy`] that reads its own settings:
//!
//! - a preflight (`OPTIONS` with `Origin` and
//!   `Access-Control-Request-Method`) is answered `204` here — with
//!   `Access-Control-Allow-Origin` (that origin, never `*`), the allowed
//!   methods and headers and `Max-Age` when some owner lists the origin
//!   (browsers send no header values with a preflight, so the owner is not
//!   known yet), without them otherwise;
//! - any other request with an `Origin` goes through unchanged, and its
//!   answer carries `Access-Control-Allow-Origin` only when the owner named
//!   by the request lists the origin: a page of one tenant's site cannot read
//!   answers meant for another tenant.
//!
//! Every answer to a request with `Origin` carries `Vary: Origin`. No
//! credentials mode: the APIs take tokens in headers, not cookies.

use std::sync::Arc;

use poem::http::{header, HeaderValue, Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};
use rusqlite::Connection;

use crate::db::Db;
use crate::error::ApiResult;

/// Methods a preflight may ask for.
pub const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
/// Request headers a preflight may ask for.
pub const ALLOW_HEADERS: &str =
    "Authorization, Content-Type, Accept, X-Tenant-ID, X-Request-ID, Last-Event-ID";
/// Answer headers a page may read.
pub const EXPOSE_HEADERS: &str =
    "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After";
/// How long browsers may cache a preflight answer (seconds).
pub const MAX_AGE: &str = "600";

/// Which origins a module's owners allow (read from the module's settings).
pub trait OriginPolicy: Send + Sync + 'static {
    /// The header naming the owner of a request (e.g. `x-tenant-id`).
    fn owner_header(&self) -> &'static str;
    /// Whether `owner` — or, with `None`, any owner — lists `origin`.
    fn allows(&self, db: &Connection, origin: &str, owner: Option<&str>) -> ApiResult<bool>;
}

/// The endpoint in front of a module that answers preflights and adds the
/// CORS headers of [`OriginPolicy`] (see the module docs).
pub struct PerOwnerCors<E> {
    pub inner: E,
    pub db: Db,
    pub policy: Arc<dyn OriginPolicy>,
}

impl<E> PerOwnerCors<E> {
    pub fn new(inner: E, db: Db, policy: impl OriginPolicy) -> PerOwnerCors<E> {
        PerOwnerCors {
            inner,
            db,
            policy: Arc::new(policy),
        }
    }

    async fn allowed(&self, origin: &str, owner: Option<String>) -> bool {
        let (policy, origin) = (self.policy.clone(), origin.to_string());
        self.db
            .read(move |c| policy.allows(c, &origin, owner.as_deref()))
            .await
            .unwrap_or(false)
    }
}

/// `scheme://host[:port]` in lower case when `value` is exactly an origin
/// (`http`/`https`, a host, an optional port; no path, query, user or
/// fragment), as browsers send it in `Origin`.
pub fn normalize_origin(value: &str) -> Option<String> {
    let v = value.trim();
    let (scheme, rest) = v.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ', '\\']) {
        return None;
    }
    let url = url::Url::parse(&format!("{scheme}://{rest}")).ok()?;
    let host = url.host_str()?;
    let origin = match url.port() {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    };
    Some(origin.to_ascii_lowercase())
}

fn set(resp: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

fn vary_origin(resp: &mut Response) {
    resp.headers_mut()
        .append(header::VARY, HeaderValue::from_static("Origin"));
}

impl<E: Endpoint> Endpoint for PerOwnerCors<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .and_then(normalize_origin);
        let Some(origin) = origin else {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        };
        let preflight = req.method() == Method::OPTIONS
            && req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if preflight {
            let mut resp = StatusCode::NO_CONTENT.into_response();
            vary_origin(&mut resp);
            if self.allowed(&origin, None).await {
                set(&mut resp, header::ACCESS_CONTROL_ALLOW_ORIGIN, &origin);
                set(
                    &mut resp,
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    ALLOW_METHODS,
                );
                set(
                    &mut resp,
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    ALLOW_HEADERS,
                );
                set(&mut resp, header::ACCESS_CONTROL_MAX_AGE, MAX_AGE);
            }
            return Ok(resp);
        }
        let owner = req
            .headers()
            .get(self.policy.owner_header())
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let allowed = match owner {
            Some(owner) => self.allowed(&origin, Some(owner)).await,
            None => false,
        };
        let mut resp = match self.inner.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) => e.into_response(),
        };
        vary_origin(&mut resp);
        if allowed {
            set(&mut resp, header::ACCESS_CONTROL_ALLOW_ORIGIN, &origin);
            set(
                &mut resp,
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                EXPOSE_HEADERS,
            );
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exactly_scheme_host_and_port() {
        assert_eq!(
            normalize_origin("https://Shop.Example").as_deref(),
            Some("https://shop.example")
        );
        assert_eq!(
            normalize_origin("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            normalize_origin("https://shop.example:443").as_deref(),
            Some("https://shop.example")
        );
        for bad in [
            "shop.example",
            "https://shop.example/",
            "https://shop.example/path",
            "ftp://shop.example",
            "https://user@shop.example",
            "null",
            "*",
        ] {
            assert_eq!(normalize_origin(bad), None, "{bad}");
        }
    }
}
