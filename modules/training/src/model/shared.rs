//! Pure helpers the service and the store share (ids, timestamps, who is a
//! training admin), so the store never imports the service.

use frontline_platform::auth::Principal;
use rand::Rng;

use crate::SLUG;

/// Training admins (and platform admins) see and manage everything.
pub fn is_training_admin(p: &Principal) -> bool {
    p.is_admin() || p.has_role(SLUG, "admin")
}

/// `prefix_` followed by 10 random base62 characters.
pub fn new_id(prefix: &str) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    let s: String = (0..10)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect();
    format!("{prefix}_{s}")
}

/// Current time as `2025-10-17T10:00:00.000Z`.
pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}
