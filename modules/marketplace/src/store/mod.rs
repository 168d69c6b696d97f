//! SQL of the marketplace, one file per area; services call these and hold the rules.

pub mod analytics;
pub mod bookings;
pub mod campaigns;
pub mod categories;
pub mod deliveries;
pub mod pricing;
pub mod profiles;
pub mod providers;
pub mod requests;
pub mod reviews;
pub mod search;
pub mod window;

/// `query_row` through the connection's statement cache: a statement a request
/// runs again is not parsed and planned again.
pub trait CachedRow {
    fn cached_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;
}

impl CachedRow for rusqlite::Connection {
    fn cached_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}
