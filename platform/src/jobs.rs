//! Durable background jobs and schedules in SQLite.
//!
//! (Being built: see issue 3. The public surface below is what modules use.)

use crate::db::Db;

/// This service's schema steps (its own migration chain, `platform.jobs`).
pub const MIGRATIONS: &[&str] = &["-- jobs tables"];

#[derive(Clone)]
pub struct Jobs {
    #[allow(dead_code)]
    db: Db,
}

impl Jobs {
    pub fn new(db: Db) -> Jobs {
        Jobs { db }
    }
}
