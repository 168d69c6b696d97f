//! Instants stored as integer milliseconds since the Unix epoch (sortable,
//! indexable, no parsing) in the platform's own tables.

use chrono::{DateTime, Utc};

/// Milliseconds since the epoch.
pub fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant `ms` milliseconds after the epoch (the epoch itself if out of range).
pub fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
