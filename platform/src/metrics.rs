//! Request counters and latency histograms in Prometheus text format, plus
//! recent-latency percentiles for the health endpoints.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write;
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

pub struct Metrics {
    series: Mutex<HashMap<Key, Series>>,
    recent: Mutex<HashMap<String, Recent>>,
    started: Instant,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            series: Mutex::new(HashMap::new()),
            recent: Mutex::new(HashMap::new()),
            started: Instant::now(),
        }
    }
}

impl Metrics {
    pub fn uptime_secs(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    pub fn observe(&self, module: &str, method: &str, route: &str, status: u16, seconds: f64) {
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
        out
    }
}

fn labels(k: &Key) -> String {
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    };
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
