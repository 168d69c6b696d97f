//! API calls made with each tenant's API keys, counted per UTC day for
//! `usage.integrations.api_calls`. Counts are gathered in memory and written
//! to `chatbot_api_calls` at most every [`FLUSH_EVERY`] (by the next call
//! after that); a usage report adds what is not written yet, so it is exact
//! while the server runs. A crash loses at most the last [`FLUSH_EVERY`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use frontline_platform::Platform;

/// How long counts may wait in memory.
pub const FLUSH_EVERY: Duration = Duration::from_secs(10);

/// Calls by (tenant, day).
type Counts = HashMap<(String, String), i64>;

/// Per-tenant, per-day API call counts not yet written, and when they were last written.
pub struct ApiCalls {
    pending: Mutex<(Counts, Instant)>,
}

impl Default for ApiCalls {
    fn default() -> Self {
        ApiCalls {
            pending: Mutex::new((HashMap::new(), Instant::now())),
        }
    }
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

impl ApiCalls {
    /// Counts one call made with `tenant`'s API key, writing the gathered
    /// counts when the last write is older than [`FLUSH_EVERY`].
    pub async fn count(&self, platform: &Platform, tenant: &str) {
        let due = {
            let mut g = match self.pending.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            *g.0.entry((tenant.to_string(), today())).or_default() += 1;
            if g.1.elapsed() >= FLUSH_EVERY {
                g.1 = Instant::now();
                std::mem::take(&mut g.0)
            } else {
                HashMap::new()
            }
        };
        if due.is_empty() {
            return;
        }
        let rows: Vec<_> = due.into_iter().collect();
        let back = rows.clone();
        if let Err(e) = platform
            .db
            .write(move |tx| crate::store::add_api_calls(tx, &rows))
            .await
        {
            tracing::warn!(error = %e.message, "chatbot: api call counts not written; kept for the next write");
            let mut g = match self.pending.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            for (k, n) in back {
                *g.0.entry(k).or_default() += n;
            }
        }
    }

    /// Calls of `tenant` not yet written, on days from `from` (`YYYY-MM-DD`) on.
    pub fn pending(&self, tenant: &str, from: &str) -> i64 {
        let g = match self.pending.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        g.0.iter()
            .filter(|((t, d), _)| t == tenant && d.as_str() >= from)
            .map(|(_, n)| n)
            .sum()
    }
}
