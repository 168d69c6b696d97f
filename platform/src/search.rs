//! Search: named tantivy indexes under `<data-dir>/index/<name>`, kept in step
//! with the database through an outbox written in the same transaction.
//!
//! (Being built: see issue 3. The public surface below is what modules use.)

use std::path::{Path, PathBuf};

use crate::db::Db;

/// This service's schema steps (its own migration chain, `platform.search`).
pub const MIGRATIONS: &[&str] = &["-- search tables"];
use crate::error::ApiResult;

#[derive(Clone)]
pub struct Search {
    #[allow(dead_code)]
    dir: PathBuf,
    #[allow(dead_code)]
    db: Db,
}

impl Search {
    pub fn open(dir: &Path, db: Db) -> ApiResult<Search> {
        Ok(Search {
            dir: dir.to_path_buf(),
            db,
        })
    }
}
