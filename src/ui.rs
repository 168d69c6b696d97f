//! The admin UI: static files from `assets/`, embedded at build time.
//!
//! Every file is served with `Cache-Control: no-cache` and a content-hash
//! `ETag`: browsers revalidate (a cheap 304) and never mix module files of two
//! versions after an upgrade.

use poem::endpoint::BoxEndpoint;
use poem::http::{header, StatusCode};
use poem::{EndpointExt, Request, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// Serves `assets/` at `/`, with `index.html` for the root.
pub fn endpoint() -> BoxEndpoint<'static> {
    poem::endpoint::make_sync(|req: Request| serve(&req)).boxed()
}

fn serve(req: &Request) -> poem::Result<Response> {
    let name = match req.uri().path().trim_start_matches('/') {
        "" => "index.html",
        p => p,
    };
    let Some(file) = Assets::get(name) else {
        return Err(poem::Error::from_status(StatusCode::NOT_FOUND));
    };
    let etag = format!("\"{}\"", hex_prefix(&file.metadata.sha256_hash()));
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let builder = Response::builder()
        .header(header::ETAG, etag)
        .header(header::CACHE_CONTROL, "no-cache")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
        );
    if fresh {
        return Ok(builder.status(StatusCode::NOT_MODIFIED).finish());
    }
    Ok(builder
        .header(header::CONTENT_TYPE, file.metadata.mimetype().to_string())
        .body(file.data.into_owned()))
}

fn hex_prefix(hash: &[u8]) -> String {
    hash.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::test::TestClient;

    #[tokio::test]
    async fn assets_revalidate_with_etags() {
        let client = TestClient::new(endpoint());
        let resp = client.get("/").send().await;
        resp.assert_status_is_ok();
        resp.assert_header("cache-control", "no-cache");
        let csp = resp.0.headers()["content-security-policy"]
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let etag = resp
            .0
            .headers()
            .get("etag")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let again = client.get("/").header("If-None-Match", &etag).send().await;
        again.assert_status(StatusCode::NOT_MODIFIED);
        client
            .get("/no-such-file.js")
            .send()
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
}
