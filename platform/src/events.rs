//! Domain events and outgoing webhooks with signed, retried delivery.
//!
//! (Being built: see issue 3. The public surface below is what modules use.)

use crate::db::Db;

/// This service's schema steps (its own migration chain, `platform.events`).
pub const MIGRATIONS: &[&str] = &["-- events tables"];

#[derive(Clone)]
pub struct Events {
    #[allow(dead_code)]
    db: Db,
}

impl Events {
    pub fn new(db: Db) -> Events {
        Events { db }
    }
}
