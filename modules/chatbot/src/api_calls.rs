//! API calls made with each tenant's API keys, counted per UTC day for
//! `usage.integrations.api_calls`. Counts are gathered in memory and written
//! to `chatbot_api_calls` at most every [`FLUSH_EVERY`] (by the next call
//! after that); a usage report adds what is not written yet, so it is exact
//! while the server runs. A crash loses at most the last [`FLUSH_EVERY`].
//!
//! The month's calls of each tenant are also kept as a running total (read
//! from the table once per tenant and month, then counted here), so the
//! plan's `api_calls_limit` is checked without a read per call: a call beyond
//! it is refused and not counted.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use frontline_platform::Platform;

/// How long counts may wait in memory.
pub const FLUSH_EVERY: Duration = Duration::from_secs(10);

/// Calls by (tenant, day).
type Counts = HashMap<(String, String), i64>;

/// Per-tenant, per-day API call counts not yet written, and when they were
/// last written; each tenant's calls of the month (`YYYY-MM`) so far.
pub struct ApiCalls {
    pending: Mutex<(Counts, Instant)>,
    months: Mutex<HashMap<String, (String, i64)>>,
}

impl Default for ApiCalls {
    fn default() -> Self {
        ApiCalls {
            pending: Mutex::new((HashMap::new(), Instant::now())),
            months: Mutex::new(HashMap::new()),
        }
    }
}

/// Whether a call was within the month's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Counted.
    Counted,
    /// Refused, not counted: the month's calls so far.
    Refused(i64),
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl ApiCalls {
    /// Makes sure the tenant's running total is of `day`'s month: read from
    /// the table (plus what waits in memory) the first time in the month.
    /// `false` when it cannot be read.
    async fn load_month(&self, platform: &Platform, tenant: &str, day: &str) -> bool {
        let month = &day[..7];
        if lock(&self.months)
            .get(tenant)
            .is_some_and(|(m, _)| m == month)
        {
            return true;
        }
        let (from, to) = crate::store::month_of(chrono::Utc::now());
        let (t, f, u) = (
            tenant.to_string(),
            from.format("%Y-%m-%d").to_string(),
            to.format("%Y-%m-%d").to_string(),
        );
        let stored = match platform
            .db
            .read(move |c| crate::store::api_calls_between(c, &t, &f, &u))
            .await
        {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e.message, "chatbot: month's api calls not read");
                return false;
            }
        };
        let total = stored + self.pending(tenant, &format!("{month}-01"));
        let mut months = lock(&self.months);
        let entry = months
            .entry(tenant.to_string())
            .or_insert_with(|| (month.to_string(), total));
        if entry.0 != month {
            *entry = (month.to_string(), total);
        }
        true
    }

    /// Counts one call made with `tenant`'s API key when the month's calls
    /// are below `limit`; refuses it (uncounted) otherwise. When the month's
    /// total cannot be read the call is counted and let through.
    pub async fn admit(&self, platform: &Platform, tenant: &str, limit: i64) -> Admission {
        let day = today();
        if self.load_month(platform, tenant, &day).await {
            let mut months = lock(&self.months);
            if let Some((m, n)) = months.get_mut(tenant) {
                if m.as_str() == &day[..7] {
                    if *n >= limit {
                        return Admission::Refused(*n);
                    }
                    *n += 1;
                }
            }
        }
        self.count(platform, tenant).await;
        Admission::Counted
    }

    /// Counts one call made with `tenant`'s API key, writing the gathered
    /// counts when the last write is older than [`FLUSH_EVERY`].
    async fn count(&self, platform: &Platform, tenant: &str) {
        let due = {
            let mut g = lock(&self.pending);
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
