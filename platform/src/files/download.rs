//! The download endpoint: `GET|HEAD /files/{id}?expires=…&sig=…[&disposition=inline]`.

use poem::endpoint::BoxEndpoint;
use poem::http::{header, HeaderValue, Method, StatusCode};
use poem::{Body, EndpointExt, Request, Response};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{disposition, is_active_type, is_valid_id, not_found, LinkError, StoredFile};
use crate::error::ApiError;

/// The download endpoint mounted at `/files` (the server adds the Platform as request data).
pub fn endpoint() -> BoxEndpoint<'static> {
    poem::endpoint::make(
        |req: Request| async move { Ok::<Response, poem::Error>(download(req).await) },
    )
    .boxed()
}

fn query_param<'a>(query: &'a str, key: &str) -> Result<Option<&'a str>, ()> {
    let mut found = None;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == key {
            if found.is_some() {
                return Err(());
            }
            found = Some(v);
        }
    }
    Ok(found)
}

async fn download(req: Request) -> Response {
    let request_id = req
        .data::<crate::http::RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let fail = |e: ApiError| crate::app::platform_error(&e, &request_id);
    let Some(platform) = req.data::<crate::state::Platform>() else {
        return fail(ApiError::internal("File store unavailable"));
    };
    let files = &platform.files;
    let head = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head {
        let mut resp = fail(ApiError::new(
            crate::error::ErrorKind::MethodNotAllowed,
            "Only GET and HEAD are allowed here",
        ));
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return resp;
    }
    let id = req.uri().path().trim_start_matches('/');
    if !is_valid_id(id) {
        return fail(not_found());
    }
    let query = req.uri().query().unwrap_or_default();
    let (Ok(Some(expires)), Ok(Some(sig)), Ok(wanted)) = (
        query_param(query, "expires"),
        query_param(query, "sig"),
        query_param(query, "disposition"),
    ) else {
        return fail(
            ApiError::forbidden("This download link is not signed").with_code("INVALID_SIGNATURE"),
        );
    };
    let inline = match wanted {
        None => false,
        Some("inline") => true,
        Some(_) => {
            return fail(
                ApiError::forbidden("This download link is invalid or was altered")
                    .with_code("INVALID_SIGNATURE"),
            )
        }
    };
    match files.verify_link(id, expires, sig, inline) {
        Ok(()) => {}
        Err(LinkError::BadSignature) => {
            return fail(
                ApiError::forbidden("This download link is invalid or was altered")
                    .with_code("INVALID_SIGNATURE"),
            )
        }
        Err(LinkError::Expired) => {
            return fail(ApiError::gone("This download link has expired").with_code("LINK_EXPIRED"))
        }
    }
    let (meta, file) = match files.open_file(id).await {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    if meta.is_expired() {
        return fail(ApiError::gone("This file has expired").with_code("FILE_EXPIRED"));
    }
    let etag = format!("\"{}\"", meta.sha256);
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut builder = Response::builder()
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&meta.media_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        )
        .header(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition(
                if inline && !is_active_type(&meta.media_type) {
                    "inline"
                } else {
                    "attachment"
                },
                &meta.filename,
            ))
            .unwrap_or(HeaderValue::from_static("attachment")),
        )
        .header(header::ETAG, etag)
        .header(header::CACHE_CONTROL, "private, no-cache")
        .header("content-security-policy", "default-src 'none'; sandbox");
    if not_modified {
        return builder.status(StatusCode::NOT_MODIFIED).body(Body::empty());
    }
    builder = builder.header(header::ACCEPT_RANGES, "bytes");
    let range = if head {
        None
    } else {
        requested_range(&req, &meta)
    };
    match range {
        Some(Err(())) => {
            let mut resp = fail(
                ApiError::bad_request(format!(
                    "The requested range is outside the file's {} bytes",
                    meta.size
                ))
                .with_code("RANGE_NOT_SATISFIABLE"),
            );
            resp.set_status(StatusCode::RANGE_NOT_SATISFIABLE);
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{}", meta.size)) {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            resp
        }
        Some(Ok((start, end))) => {
            let mut file = file;
            if let Err(e) = file.seek(std::io::SeekFrom::Start(start)).await {
                return fail(e.into());
            }
            let len = end - start + 1;
            builder
                .status(StatusCode::PARTIAL_CONTENT)
                .header(header::CONTENT_LENGTH, len)
                .header(
                    header::CONTENT_RANGE,
                    format!("bytes {start}-{end}/{}", meta.size),
                )
                .body(Body::from_async_read(file.take(len)))
        }
        None if head => builder
            .status(StatusCode::OK)
            .header(header::CONTENT_LENGTH, meta.size)
            .body(Body::empty()),
        None => builder
            .status(StatusCode::OK)
            .header(header::CONTENT_LENGTH, meta.size)
            .body(Body::from_async_read(file)),
    }
}

/// The single byte range asked for: `None` to send everything (no or an
/// unsupported `Range`, or an `If-Range` that no longer matches), `Err` when
/// it lies outside the file.
fn requested_range(req: &Request, meta: &StoredFile) -> Option<Result<(u64, u64), ()>> {
    let spec = req.headers().get(header::RANGE)?.to_str().ok()?.trim();
    if let Some(if_range) = req.headers().get(header::IF_RANGE) {
        if if_range.to_str().ok()?.trim() != format!("\"{}\"", meta.sha256) {
            return None;
        }
    }
    let ranges = spec.strip_prefix("bytes=")?;
    if ranges.contains(',') {
        return None;
    }
    let (a, b) = ranges.trim().split_once('-')?;
    let size = meta.size;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            if n == 0 || size == 0 {
                return Some(Err(()));
            }
            (size - n.min(size), size - 1)
        }
        (start, "") => (start.parse().ok()?, size.saturating_sub(1)),
        (start, end) => {
            let (s, e): (u64, u64) = (start.parse().ok()?, end.parse().ok()?);
            if e < s {
                return None;
            }
            (s, e.min(size.saturating_sub(1)))
        }
    };
    if start >= size {
        return Some(Err(()));
    }
    Some(Ok((start, end)))
}
