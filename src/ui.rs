//! The admin UI: static files from `assets/`, embedded at build time.

use poem::endpoint::BoxEndpoint;
use poem::http::{header, StatusCode};
use poem::{EndpointExt, Request, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// Serves `assets/` at `/`, with `index.html` for the root.
pub fn endpoint() -> BoxEndpoint<'static> {
    poem::endpoint::make_sync(|req: Request| serve(req.uri().path())).boxed()
}

fn serve(path: &str) -> poem::Result<Response> {
    let name = match path.trim_start_matches('/') {
        "" => "index.html",
        p => p,
    };
    let Some(file) = Assets::get(name) else {
        return Err(poem::Error::from_status(StatusCode::NOT_FOUND));
    };
    let mime = file.metadata.mimetype().to_string();
    let cache = if name == "index.html" {
        "no-cache"
    } else {
        "public, max-age=300"
    };
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, mime)
        .header(header::CACHE_CONTROL, cache)
        .header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'",
        )
        .body(file.data.into_owned()))
}
