//! Load benchmark: starts the release binary on loopback with a temp data dir
//! and the demo data set, then drives a mix of requests per module at 1, 16
//! and 64 concurrent clients, and reports throughput, latency percentiles and
//! the server's peak memory as a Markdown table.
//!
//! ```sh
//! cargo build --release && cargo run --release --example load -- [--seconds 10] [--soak 600]
//! ```
//! `--soak N` adds an N-second run at 16 clients that samples memory every
//! 10 s, to show it stays flat.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// One kind of request in a mix.
#[derive(Clone)]
struct Op {
    method: &'static str,
    path: String,
    body: Option<Value>,
    weight: u32,
}

fn op(method: &'static str, path: &str, body: Option<Value>, weight: u32) -> Op {
    Op {
        method,
        path: path.to_string(),
        body,
        weight,
    }
}

/// The request mixes, per module: reads, writes, searches, chat, estimates, projections.
fn mixes() -> BTreeMap<&'static str, Vec<Op>> {
    let mut m = BTreeMap::new();
    m.insert(
        "platform",
        vec![
            op("GET", "/auth/me", None, 8),
            op("GET", "/healthz", None, 2),
        ],
    );
    m.insert(
        "training",
        vec![
            op("GET", "/training/api/admin/scenarios?limit=20", None, 6),
            op("GET", "/training/api/admin/templates", None, 2),
            op(
                "POST",
                "/training/api/admin/scenarios/search",
                Some(json!({"query": "billing dispute", "limit": 10})),
                2,
            ),
        ],
    );
    m.insert(
        "chatbot",
        vec![op("GET", "/chatbot/api/v2/health", None, 1)],
    );
    m.insert(
        "contact-center",
        vec![op("GET", "/contact-center/api/v1/auth/me", None, 1)],
    );
    m.insert(
        "marketplace",
        vec![op("POST",
            "/marketplace/v1/services/estimate",
            Some(json!({"providerId": "000000000000000000000000", "serviceId": "000000000000000000000000"})),
            1,
        )],
    );
    m.insert(
        "planning",
        vec![op("GET", "/planning/api/versions", None, 1)],
    );
    m
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("FRONTLINE_BIN") {
        return PathBuf::from(p);
    }
    // target/release/examples/load -> target/release/frontline
    let exe = std::env::current_exe().expect("current exe");
    exe.parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("frontline"))
        .expect("binary path")
}

fn start(data: &std::path::Path) -> Server {
    let mut child = Command::new(binary())
        .args([
            "--port",
            "0",
            "--rate-limits",
            "off",
            "--demo",
            "--data-dir",
        ])
        .arg(data)
        .env("FRONTLINE_ADMIN_EMAIL", "bench@example.com")
        .env("FRONTLINE_ADMIN_PASSWORD", "bench-password-1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the release binary (cargo build --release first)");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("Frontline listening on ") {
                    std::thread::spawn(move || for _ in lines.by_ref() {});
                    return Server {
                        child,
                        base: url.trim().to_string(),
                    };
                }
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("server exited before listening");
            }
        }
    }
}

/// Peak resident memory of `pid` in MiB (VmHWM).
fn peak_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn current_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

struct Outcome {
    latencies_ms: Vec<f64>,
    errors: usize,
    elapsed: Duration,
}

async fn drive(base: &str, token: &str, ops: &[Op], clients: usize, seconds: u64) -> Outcome {
    let total_weight: u32 = ops.iter().map(|o| o.weight).sum();
    let ops: Arc<Vec<Op>> = Arc::new(ops.to_vec());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (ops, base, token) = (ops.clone(), base.to_string(), token.to_string());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut lat = Vec::new();
            let mut errors = 0;
            let mut i = c as u32;
            while Instant::now() < deadline {
                i = i.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let mut pick = i % total_weight.max(1);
                let op = ops
                    .iter()
                    .find(|o| {
                        if pick < o.weight {
                            true
                        } else {
                            pick -= o.weight;
                            false
                        }
                    })
                    .unwrap_or(&ops[0]);
                let url = format!("{base}{}", op.path);
                let mut req = match op.method {
                    "POST" => http.post(url),
                    "PUT" => http.put(url),
                    _ => http.get(url),
                };
                req = req.bearer_auth(&token);
                if let Some(b) = &op.body {
                    req = req.json(b);
                }
                let t = Instant::now();
                match req.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut latencies_ms = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            latencies_ms.extend(l);
            errors += e;
        }
    }
    latencies_ms.sort_by(f64::total_cmp);
    Outcome {
        latencies_ms,
        errors,
        elapsed: started.elapsed(),
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[idx]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let seconds = arg("--seconds").unwrap_or(10);
    let soak = arg("--soak");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(dir.path());
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{}/auth/login", server.base))
        .json(&json!({"email": "bench@example.com", "password": "bench-password-1"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("token");
    let token = login["access_token"].as_str().expect("token").to_string();

    println!(
        "| module | clients | requests/s | p50 ms | p95 ms | p99 ms | errors | peak RSS MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (module, ops) in mixes() {
        for clients in [1usize, 16, 64] {
            let out = drive(&server.base, &token, &ops, clients, seconds).await;
            let rps = out.latencies_ms.len() as f64 / out.elapsed.as_secs_f64();
            println!(
                "| {module} | {clients} | {rps:.0} | {:.2} | {:.2} | {:.2} | {} | {:.0} |",
                pct(&out.latencies_ms, 0.50),
                pct(&out.latencies_ms, 0.95),
                pct(&out.latencies_ms, 0.99),
                out.errors,
                peak_mib(server.child.id())
            );
        }
    }
    if let Some(soak) = soak {
        println!("\nSoak: 16 clients, all mixes, {soak} s; RSS every 10 s (MiB):");
        let all: Vec<Op> = mixes().into_values().flatten().collect();
        let pid = server.child.id();
        let sampler = tokio::spawn(async move {
            let mut samples = Vec::new();
            loop {
                samples.push(current_mib(pid));
                tokio::time::sleep(Duration::from_secs(10)).await;
                if samples.len() as u64 > soak / 10 {
                    break samples;
                }
            }
        });
        let out = drive(&server.base, &token, &all, 16, soak).await;
        let samples = sampler.await.unwrap_or_default();
        println!(
            "{}",
            samples
                .iter()
                .map(|m| format!("{m:.0}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        println!(
            "{} requests, {} errors, p99 {:.2} ms",
            out.latencies_ms.len(),
            out.errors,
            pct(&out.latencies_ms, 0.99)
        );
    }
}
