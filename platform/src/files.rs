//! File store: blobs under `<data-dir>/files`, metadata in the database, and
//! signed, expiring download URLs served at `/files/{id}`.
//!
//! (Being built: see issue 3. The public surface below is what modules use.)

use std::path::{Path, PathBuf};
use std::sync::Arc;

use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::EndpointExt;

use crate::db::Db;

/// This service's schema steps (its own migration chain, `platform.files`).
pub const MIGRATIONS: &[&str] = &["-- files tables"];
use crate::error::ApiResult;

#[derive(Clone)]
pub struct Files {
    #[allow(dead_code)]
    dir: PathBuf,
    #[allow(dead_code)]
    db: Db,
    #[allow(dead_code)]
    key: Arc<Vec<u8>>,
}

impl Files {
    /// `key` signs download URLs.
    pub fn open(dir: &Path, db: Db, key: Vec<u8>) -> ApiResult<Files> {
        Ok(Files {
            dir: dir.to_path_buf(),
            db,
            key: Arc::new(key),
        })
    }
}

/// The download endpoint mounted at `/files`.
pub fn endpoint() -> BoxEndpoint<'static> {
    poem::endpoint::make_sync(|_| -> poem::Result<poem::Response> {
        Err(poem::Error::from_status(StatusCode::NOT_FOUND))
    })
    .boxed()
}
