//! Request counters and latency histograms in Prometheus text format, plus
//! recent-latency percentiles for the health endpoints.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
const RECENT: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    module: String,
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Latency figures over the most recent requests of a module.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LatencySummary {
    pub requests: u64,
    pub errors: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
    /// Requests per second since the server started.
    pub rate_per_sec: f64,
}

#[derive(Default)]
struct Recent {
    latencies: VecDeque<f64>,
    requests: u64,
    errors: u64,
}

/// A latency histogram in seconds (the request buckets), lock-free so that
/// hot paths (every transaction, every search) can record into it.
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    /// The sum in nanoseconds, so it can be an integer atomic.
    sum_nanos: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_nanos
            .fetch_add((seconds.max(0.0) * 1e9) as u64, Ordering::Relaxed);
    }

    pub fn observe_since(&self, started: Instant) {
        self.observe(started.elapsed().as_secs_f64());
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Writes the `_bucket`, `_sum` and `_count` lines of one labelled series
    /// (`labels` is `k="v",…` or empty).
    pub fn render_series(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count();
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        if labels.is_empty() {
            let _ = writeln!(out, "{name}_sum {sum}");
            let _ = writeln!(out, "{name}_count {count}");
        } else {
            let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
            let _ = writeln!(out, "{name}_count{{{labels}}} {count}");
        }
    }
}

/// Writes the `# HELP` and `# TYPE` lines of a metric family.
pub fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Writes a whole one-series family (a gauge or counter without labels).
pub fn single(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    family(out, name, kind, help);
    let _ = writeln!(out, "{name} {value}");
}

/// A label value escaped for the text format.
pub fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub struct Metrics {
    series: Mutex<HashMap<Key, Series>>,
    recent: Mutex<HashMap<String, Recent>>,
    /// 429 answers per module (rate limits and sign-in locks).
    rate_limited: Mutex<BTreeMap<String, u64>>,
    started: Instant,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            series: Mutex::new(HashMap::new()),
            recent: Mutex::new(HashMap::new()),
            rate_limited: Mutex::new(BTreeMap::new()),
            started: Instant::now(),
        }
    }
}

impl Metrics {
    pub fn uptime_secs(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    pub fn observe(&self, module: &str, method: &str, route: &str, status: u16, seconds: f64) {
        if status == 429 {
            if let Ok(mut map) = self.rate_limited.lock() {
                *map.entry(module.to_string()).or_default() += 1;
            }
        }
        let key = Key {
            module: module.to_string(),
            method: method.to_string(),
            route: route.to_string(),
            status,
        };
        if let Ok(mut map) = self.series.lock() {
            let s = map.entry(key).or_default();
            s.count += 1;
            s.sum += seconds;
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    s.buckets[i] += 1;
                }
            }
        }
        if let Ok(mut map) = self.recent.lock() {
            for name in [module, "_all"] {
                let r = map.entry(name.to_string()).or_default();
                if r.latencies.len() == RECENT {
                    r.latencies.pop_front();
                }
                r.latencies.push_back(seconds * 1000.0);
                r.requests += 1;
                if status >= 500 {
                    r.errors += 1;
                }
            }
        }
    }

    /// Percentiles over the last requests of `module` (or all with `None`).
    pub fn summary(&self, module: Option<&str>) -> LatencySummary {
        let map = match self.recent.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        let Some(r) = map.get(module.unwrap_or("_all")) else {
            return LatencySummary::default();
        };
        let mut sorted: Vec<f64> = r.latencies.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let pct = |p: f64| -> f64 {
            if sorted.is_empty() {
                return 0.0;
            }
            let idx = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
            sorted[idx]
        };
        let mean = if sorted.is_empty() {
            0.0
        } else {
            sorted.iter().sum::<f64>() / sorted.len() as f64
        };
        LatencySummary {
            requests: r.requests,
            errors: r.errors,
            p50_ms: pct(0.50),
            p95_ms: pct(0.95),
            p99_ms: pct(0.99),
            mean_ms: mean,
            rate_per_sec: r.requests as f64 / self.started.elapsed().as_secs_f64().max(1.0),
        }
    }

    /// The Prometheus text exposition of every series.
    pub fn render(&self) -> String {
        let map: BTreeMap<Key, Series> = match self.series.lock() {
            Ok(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Err(p) => p
                .into_inner()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP frontline_uptime_seconds Seconds since the server started."
        );
        let _ = writeln!(out, "# TYPE frontline_uptime_seconds gauge");
        let _ = writeln!(out, "frontline_uptime_seconds {}", self.uptime_secs());
        let _ = writeln!(
            out,
            "# HELP frontline_http_requests_total HTTP requests by module, route and status."
        );
        let _ = writeln!(out, "# TYPE frontline_http_requests_total counter");
        for (k, s) in &map {
            let _ = writeln!(
                out,
                "frontline_http_requests_total{{{}}} {}",
                labels(k),
                s.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP frontline_http_request_duration_seconds Request latency."
        );
        let _ = writeln!(
            out,
            "# TYPE frontline_http_request_duration_seconds histogram"
        );
        for (k, s) in &map {
            let l = labels(k);
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "frontline_http_request_duration_seconds_bucket{{{l},le=\"{bound}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "frontline_http_request_duration_seconds_bucket{{{l},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "frontline_http_request_duration_seconds_sum{{{l}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "frontline_http_request_duration_seconds_count{{{l}}} {}",
                s.count
            );
        }
        family(
            &mut out,
            "frontline_rate_limit_rejections_total",
            "counter",
            "Requests refused with 429 (rate limits, sign-in budget), by module.",
        );
        for (module, n) in lock_or_recover(&self.rate_limited).iter() {
            let _ = writeln!(
                out,
                "frontline_rate_limit_rejections_total{{module=\"{}\"}} {n}",
                escape_label(module)
            );
        }
        out
    }
}

fn lock_or_recover<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn labels(k: &Key) -> String {
    let esc = escape_label;
    format!(
        "module=\"{}\",method=\"{}\",route=\"{}\",status=\"{}\"",
        esc(&k.module),
        esc(&k.method),
        esc(&k.route),
        k.status
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_percentiles() {
        let m = Metrics::default();
        for i in 1..=100 {
            m.observe(
                "training",
                "GET",
                "/training/api/admin/scenarios",
                200,
                i as f64 / 1000.0,
            );
        }
        m.observe("training", "GET", "/x", 500, 0.2);
        let text = m.render();
        assert!(text.contains("frontline_http_requests_total{module=\"training\",method=\"GET\",route=\"/training/api/admin/scenarios\",status=\"200\"} 100"));
        let s = m.summary(Some("training"));
        assert_eq!(s.requests, 101);
        assert_eq!(s.errors, 1);
        assert!((s.p50_ms - 51.0).abs() < 1.5, "{}", s.p50_ms);
    }
}
