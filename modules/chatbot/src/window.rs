//! Request figures of this module per minute, kept for seven days, so
//! `/health/metrics?timeframe=…` reports rates, errors and latencies measured
//! over the requested window (not since start).

use std::collections::VecDeque;
use std::sync::Mutex;

/// Upper bounds (ms) of the latency histogram kept per minute.
const BOUNDS_MS: &[f64] = &[
    1.0,
    2.0,
    3.0,
    5.0,
    7.5,
    10.0,
    15.0,
    20.0,
    30.0,
    50.0,
    75.0,
    100.0,
    150.0,
    200.0,
    300.0,
    500.0,
    750.0,
    1000.0,
    1500.0,
    2000.0,
    3000.0,
    5000.0,
    10000.0,
    30000.0,
    f64::INFINITY,
];
/// Minutes kept: seven days, the longest timeframe.
const KEPT_MINUTES: i64 = 7 * 24 * 60;

#[derive(Clone)]
struct Minute {
    minute: i64,
    requests: u64,
    errors: u64,
    sum_ms: f64,
    max_ms: f64,
    histogram: Vec<u64>,
}

/// Requests, server errors (5xx) and latencies of the last seven days, by minute.
#[derive(Default)]
pub struct RequestWindow {
    minutes: Mutex<VecDeque<Minute>>,
}

/// Figures of one window.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct WindowFigures {
    pub requests: u64,
    pub errors: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

/// The current minute (minutes since the Unix epoch).
pub fn now_minute() -> i64 {
    chrono::Utc::now().timestamp().div_euclid(60)
}

/// The window each running server records into, by data directory (tests
/// and tools reach it through [`of`]).
static WINDOWS: std::sync::OnceLock<
    Mutex<std::collections::HashMap<std::path::PathBuf, std::sync::Weak<RequestWindow>>>,
> = std::sync::OnceLock::new();

/// Notes `window` as the one of `platform`'s server.
pub(crate) fn register(
    platform: &frontline_platform::Platform,
    window: &std::sync::Arc<RequestWindow>,
) {
    let map = WINDOWS.get_or_init(Default::default);
    let mut map = match map.lock() {
        Ok(m) => m,
        Err(p) => p.into_inner(),
    };
    map.retain(|_, w| w.strong_count() > 0);
    map.insert(
        platform.settings.data_dir.clone(),
        std::sync::Arc::downgrade(window),
    );
}

/// The request window of the chatbot module of `platform`'s server, while it runs.
pub fn of(platform: &frontline_platform::Platform) -> Option<std::sync::Arc<RequestWindow>> {
    let map = WINDOWS.get()?;
    let map = match map.lock() {
        Ok(m) => m,
        Err(p) => p.into_inner(),
    };
    map.get(&platform.settings.data_dir)?.upgrade()
}

impl RequestWindow {
    /// Records one answered request.
    pub fn observe(&self, status: u16, ms: f64) {
        self.observe_at(now_minute(), status, ms);
    }

    /// Records one answered request in `minute` (see [`now_minute`]), for
    /// replays and tests. Minutes are kept in arrival order: record earlier
    /// minutes first (figures stay right otherwise, but the seven days'
    /// pruning works from the oldest arrival).
    pub fn observe_at(&self, minute: i64, status: u16, ms: f64) {
        let mut q = match self.minutes.lock() {
            Ok(q) => q,
            Err(p) => p.into_inner(),
        };
        if q.back().map(|m| m.minute) != Some(minute) {
            q.push_back(Minute {
                minute,
                requests: 0,
                errors: 0,
                sum_ms: 0.0,
                max_ms: 0.0,
                histogram: vec![0; BOUNDS_MS.len()],
            });
        }
        while q.front().is_some_and(|m| m.minute <= minute - KEPT_MINUTES) {
            q.pop_front();
        }
        if let Some(m) = q.back_mut() {
            m.requests += 1;
            m.errors += u64::from(status >= 500);
            m.sum_ms += ms;
            m.max_ms = m.max_ms.max(ms);
            let i = BOUNDS_MS.iter().position(|b| ms <= *b).unwrap_or(0);
            m.histogram[i] += 1;
        }
    }

    /// Figures of the last `secs` seconds (whole minutes, the current one included).
    pub fn figures(&self, secs: i64) -> WindowFigures {
        self.figures_at(now_minute(), secs)
    }

    fn figures_at(&self, minute: i64, secs: i64) -> WindowFigures {
        let q = match self.minutes.lock() {
            Ok(q) => q,
            Err(p) => p.into_inner(),
        };
        let first = minute - (secs / 60).max(1) + 1;
        let mut histogram = vec![0u64; BOUNDS_MS.len()];
        let (mut requests, mut errors, mut sum, mut max) = (0u64, 0u64, 0.0, 0.0f64);
        for m in q.iter().filter(|m| m.minute >= first && m.minute <= minute) {
            requests += m.requests;
            errors += m.errors;
            sum += m.sum_ms;
            max = max.max(m.max_ms);
            for (h, x) in histogram.iter_mut().zip(&m.histogram) {
                *h += x;
            }
        }
        // A percentile: interpolated inside the histogram bucket it falls in,
        // never above the largest latency seen.
        let pct = |p: f64| -> f64 {
            if requests == 0 {
                return 0.0;
            }
            let rank = (p * requests as f64).ceil().max(1.0);
            let mut seen = 0.0;
            for (i, n) in histogram.iter().enumerate() {
                let n = *n as f64;
                if n > 0.0 && seen + n >= rank {
                    let lo = if i == 0 { 0.0 } else { BOUNDS_MS[i - 1] };
                    let hi = BOUNDS_MS[i].min(max);
                    let v = lo + (hi - lo) * ((rank - seen) / n);
                    return (v.min(max) * 1000.0).round() / 1000.0;
                }
                seen += n;
            }
            max
        };
        WindowFigures {
            requests,
            errors,
            mean_ms: if requests == 0 {
                0.0
            } else {
                sum / requests as f64
            },
            p50_ms: pct(0.50),
            p95_ms: pct(0.95),
            p99_ms: pct(0.99),
        }
    }
}

/// Records every request of the module in a [`RequestWindow`].
pub struct Record<E> {
    pub inner: E,
    pub window: std::sync::Arc<RequestWindow>,
}

impl<E: poem::Endpoint> poem::Endpoint for Record<E> {
    type Output = poem::Response;

    async fn call(&self, req: poem::Request) -> poem::Result<poem::Response> {
        use poem::IntoResponse;
        let started = std::time::Instant::now();
        let out = self.inner.call(req).await.map(IntoResponse::into_response);
        let status = match &out {
            Ok(r) => r.status().as_u16(),
            Err(e) => e.status().as_u16(),
        };
        self.window
            .observe(status, started.elapsed().as_secs_f64() * 1000.0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_counts_only_its_minutes() {
        let w = RequestWindow::default();
        w.observe_at(1000, 200, 400.0);
        w.observe_at(1000, 500, 400.0);
        w.observe_at(1100, 200, 4.0);
        let five = w.figures_at(1100, 300);
        assert_eq!((five.requests, five.errors), (1, 0));
        assert!(five.p99_ms <= 4.0);
        let day = w.figures_at(1100, 86400);
        assert_eq!((day.requests, day.errors), (3, 1));
        assert!(day.p95_ms > 300.0 && day.p95_ms <= 400.0);
        assert!((day.mean_ms - 268.0).abs() < 0.01);
        // Older than seven days is dropped.
        w.observe_at(1100 + KEPT_MINUTES, 200, 1.0);
        assert_eq!(w.figures_at(1100 + KEPT_MINUTES, 604800).requests, 1);
    }
}
