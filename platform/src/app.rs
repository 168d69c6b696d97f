//! The whole server: the platform API, every module under its base path,
//! `/healthz`, `/metrics`, `/docs`, and the admin UI, behind the outermost
//! middleware (request ids, metrics, access log).

use std::sync::Arc;
use std::time::Instant;

use poem::endpoint::BoxEndpoint;
use poem::http::{header, HeaderValue, StatusCode};
use poem::web::Html;
use poem::{handler, Endpoint, EndpointExt, IntoResponse, Request, Response, Route};
use serde_json::json;

use crate::auth_api::{AuthApi, PlatformEnvelope};
use crate::error::ApiError;
use crate::http::{self, error_response, ErrorContext, ModuleInfo, MountedModule, RequestId};
use crate::ratelimit::LimitRule;
use crate::state::Platform;

/// The platform API's own module record.
pub fn platform_module(platform: &Platform) -> MountedModule {
    // Sign-in shares one per-IP budget with the modules' sign-in routes.
    let classify: http::Classifier = Arc::new(|req: &Request, _| {
        req.uri()
            .path()
            .ends_with("/login")
            .then(LimitRule::sign_in)
    });
    http::mount::<_, PlatformEnvelope>(
        platform,
        ModuleInfo {
            slug: "platform",
            title: "Frontline platform",
            version: env!("CARGO_PKG_VERSION"),
            description:
                "Sign-in, accounts and roles, and the audit log, shared by all five modules.",
            base: "/auth",
            require_module_role: false,
        },
        AuthApi {
            platform: platform.clone(),
        },
        classify,
    )
}

/// Builds the server endpoint. `ui` serves everything not claimed by an API.
pub fn build(
    platform: &Platform,
    modules: Vec<MountedModule>,
    ui: Option<BoxEndpoint<'static>>,
) -> BoxEndpoint<'static> {
    let mut route = Route::new();
    let mut bases: Vec<(&'static str, &'static str)> = Vec::new();
    let mut index: Vec<(String, String, String)> = Vec::new();
    let platform_api = platform_module(platform);
    for m in std::iter::once(platform_api).chain(modules) {
        bases.push((m.info.base, m.info.slug));
        index.push((
            m.info.slug.to_string(),
            m.info.title.to_string(),
            m.info.base.to_string(),
        ));
        route = route.nest(m.info.base, m.endpoint);
    }
    // Longest base first, so nested bases resolve to the right module.
    bases.sort_by_key(|(b, _)| std::cmp::Reverse(b.len()));
    route = route
        .nest("/files", crate::files::endpoint())
        .at("/healthz", healthz)
        .at("/metrics", metrics)
        .at("/docs", docs_index(index));
    if let Some(ui) = ui {
        route = route.nest("/", ui);
    }
    Observe {
        inner: route,
        platform: platform.clone(),
        bases,
    }
    .with(poem::middleware::CookieJarManager::new())
    .data(platform.clone())
    .boxed()
}

#[handler]
async fn healthz(req: &Request) -> Response {
    let Some(platform) = req.data::<Platform>() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match platform.db.ping().await {
        Ok(ms) => poem::web::Json(json!({
            "status": "ok",
            "database": { "status": "ok", "latencyMs": ms },
            "uptimeSeconds": platform.metrics.uptime_secs(),
            "version": env!("CARGO_PKG_VERSION"),
        }))
        .into_response(),
        Err(e) => poem::web::Json(json!({
            "status": "unavailable",
            "database": { "status": "error", "error": e.message },
        }))
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
        .into_response(),
    }
}

#[handler]
async fn metrics(req: &Request) -> Response {
    let text = match req.data::<Platform>() {
        Some(p) => crate::telemetry::render(p).await,
        None => String::new(),
    };
    text.with_content_type("text/plain; version=0.0.4")
        .into_response()
}

fn docs_index(index: Vec<(String, String, String)>) -> impl Endpoint {
    let rows: String = index
        .iter()
        .map(|(slug, title, base)| {
            format!(
                "<li><strong>{title}</strong> <code>{slug}</code> at <code>{base}</code>: \
                 <a href=\"{base}/docs\">Swagger UI</a> · <a href=\"{base}/redoc\">ReDoc</a> · \
                 <a href=\"{base}/openapi.json\">openapi.json</a></li>"
            )
        })
        .collect();
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Frontline API docs</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.6}}</style>\
         </head><body><h1>Frontline API documentation</h1><ul>{rows}</ul><p><a href=\"/\">Admin UI</a></p></body></html>"
    );
    poem::endpoint::make_sync(move |_| Html(page.clone()))
}

struct Observe<E> {
    inner: E,
    platform: Platform,
    bases: Vec<(&'static str, &'static str)>,
}

fn request_id_of(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| format!("req_{}", uuid::Uuid::new_v4().simple()))
}

impl<E: Endpoint> Endpoint for Observe<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let started = Instant::now();
        let request_id = request_id_of(&req);
        req.set_data(RequestId(request_id.clone()));
        let client = http::ClientInfo::of(&req, &self.platform.settings.trusted_proxies);
        req.set_data(client);
        req.set_data(http::RequestPath(req.uri().path().to_string()));
        let method = req.method().to_string();
        let path = req.uri().path().to_string();
        let module = self
            .bases
            .iter()
            .find(|(base, _)| path == *base || path.starts_with(&format!("{base}/")))
            .map(|(_, slug)| *slug)
            .unwrap_or("global");
        let result = http::with_request_id(request_id.clone(), self.inner.call(req)).await;
        let mut resp = match result {
            Ok(out) => out.into_response(),
            Err(err) => {
                // Only paths outside every module get here (e.g. an unknown top-level path).
                let api = http::to_api_error(&err);
                let ctx = ErrorContext {
                    request_id: request_id.clone(),
                    timestamp: chrono::Utc::now()
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    path: path.clone(),
                };
                error_response::<PlatformEnvelope>(&api, &ctx)
            }
        };
        let route = resp
            .data::<poem::PathPattern>()
            .map(|p| p.0.to_string())
            .unwrap_or_else(|| {
                if resp.status() == StatusCode::NOT_FOUND {
                    "unmatched".into()
                } else {
                    path.clone()
                }
            });
        let status = resp.status().as_u16();
        let elapsed = started.elapsed();
        self.platform
            .metrics
            .observe(module, &method, &route, status, elapsed.as_secs_f64());
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            resp.headers_mut().insert("x-request-id", v);
        }
        resp.headers_mut().insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        // No page of ours is meant to be framed (clickjacking); the UI's CSP
        // says `frame-ancestors 'none'` as well.
        resp.headers_mut()
            .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        tracing::debug!(%method, %path, status, ms = elapsed.as_secs_f64() * 1000.0, request_id, "request");
        Ok(resp)
    }
}

/// An error outside any module, in the platform body (used by the UI fallback).
pub fn platform_error(err: &ApiError, request_id: &str) -> Response {
    error_response::<PlatformEnvelope>(
        err,
        &ErrorContext {
            request_id: request_id.to_string(),
            timestamp: chrono::Utc::now().to_rfc3339(),
            path: String::new(),
        },
    )
}
