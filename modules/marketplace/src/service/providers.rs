//! Finding providers by name (the admin UI's provider picker).

use frontline_platform::ApiResult;
use rusqlite::Connection;

use crate::model::{MarketplaceError, ProviderProfile};
use crate::store::providers as store;

/// Providers matching `q`, best first: a provider whose id is `q`, then
/// names starting with `q`, then names holding it further in (ASCII case
/// ignored), each in name order; at most `limit` (1-50).
pub fn search(c: &Connection, q: &str, limit: i64) -> ApiResult<Vec<ProviderProfile>> {
    let q = q.trim();
    if q.is_empty() {
        return Err(MarketplaceError::Validation.invalid("q", "q must not be blank"));
    }
    let mut out = if super::is_object_id(q) {
        store::by_id(c, &q.to_ascii_lowercase())?
    } else {
        vec![]
    };
    let room = |out: &Vec<ProviderProfile>| limit - out.len() as i64;
    if room(&out) > 0 {
        let more = store::name_prefix(c, q, room(&out))?;
        push_new(&mut out, more);
    }
    if room(&out) > 0 {
        let more = store::name_contains(c, q, room(&out))?;
        push_new(&mut out, more);
    }
    Ok(out)
}

fn push_new(out: &mut Vec<ProviderProfile>, more: Vec<ProviderProfile>) {
    for p in more {
        if !out.iter().any(|o| o.provider_id == p.provider_id) {
            out.push(p);
        }
    }
}
