//! Load benchmark: starts the release binary on loopback with a temp data dir
//! and the demo data set, then drives a mix of requests per module at 1, 16
//! and 64 concurrent clients, and reports throughput, latency percentiles and
//! the server's peak memory as a Markdown table.
//!
//! ```sh
//! cargo build --release && cargo run --release --example load -- [--seconds 10] [--soak 600]
//! ```
//! `--soak N` adds an N-second run at `--soak-clients` (default 8) clients over
//! all mixes that samples memory every 10 s, to show it stays flat. `--only
//! chatbot,planning` limits the table to some mixes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/server.rs"]
mod support;
use support::{pct, scenario, start, status_mib, text};

/// One kind of request in a mix. `{n}` in the path or body is replaced by a
/// number unique to the request (writes need unique names and phones), `{c}`
/// by the client's number (one conversation per client).
#[derive(Clone)]
struct Op {
    method: &'static str,
    path: String,
    body: Option<String>,
    weight: u32,
    /// The `Authorization` header; the admin's bearer token when `None`.
    auth: Option<String>,
}

fn op(method: &'static str, path: &str, body: Option<Value>, weight: u32) -> Op {
    Op {
        method,
        path: path.to_string(),
        body: body.map(|b| b.to_string()),
        weight,
        auth: None,
    }
}

// Seven digits, so that `+1415{n}` is a valid phone number.
static UNIQUE: AtomicU64 = AtomicU64::new(5_550_000);

/// What the mixes need to know about the running server.
struct Ctx {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Ctx {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let mut req = match method {
            "POST" => self.http.post(url),
            "PUT" => self.http.put(url),
            "PATCH" => self.http.patch(url),
            _ => self.http.get(url),
        }
        .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.map_err(|e| e.to_string())?;
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            Ok(v)
        } else {
            Err(format!("{method} {path}: {status} {v}"))
        }
    }
}

/// Training: scenario reads, lists, search and creates on 200 stored scenarios.
async fn training(ctx: &Ctx) -> Result<Vec<Op>, String> {
    let topics = [
        "Billing dispute",
        "Password reset",
        "Late delivery",
        "Refund request",
        "Plan upgrade",
    ];
    let mut ids = Vec::new();
    for i in 0..200 {
        let v = ctx
            .call(
                "POST",
                "/training/api/admin/scenarios",
                Some(scenario(&format!("{} {i}", topics[i % 5]))),
            )
            .await?;
        ids.push(text(&v, "/id")?);
    }
    Ok(vec![
        op(
            "GET",
            "/training/api/admin/scenarios?limit=20&category=BILLING_PAYMENTS",
            None,
            4,
        ),
        op(
            "GET",
            &format!("/training/api/admin/scenarios/{}", ids[17]),
            None,
            4,
        ),
        op(
            "POST",
            "/training/api/admin/scenarios/search",
            Some(json!({"query": "refund request"})),
            2,
        ),
        op(
            "POST",
            "/training/api/admin/scenarios",
            Some(scenario("Load scenario {n}")),
            1,
        ),
    ])
}

/// Contact center (demo data): contact lists, knowledge search, contact creates.
async fn contact_center(ctx: &Ctx) -> Result<Vec<Op>, String> {
    ctx.call("GET", "/contact-center/api/v1/contacts?limit=1", None)
        .await?;
    Ok(vec![
        op("GET", "/contact-center/api/v1/contacts?limit=20", None, 4),
        op("GET", "/contact-center/api/v1/queues", None, 2),
        op(
            "POST",
            "/contact-center/api/v1/knowledge/search",
            Some(json!({"query": "reset my password", "limit": 5})),
            3,
        ),
        op(
            "POST",
            "/contact-center/api/v1/contacts",
            Some(
                json!({"first_name": "Load", "last_name": "Test {n}", "phone_number": "+1415{n}", "email": "load{n}@example.com"}),
            ),
            1,
        ),
    ])
}

/// Marketplace (demo data): estimates, provider search and pricing reads.
async fn marketplace(ctx: &Ctx) -> Result<Vec<Op>, String> {
    let cats = ctx
        .call("GET", "/marketplace/v1/service-categories", None)
        .await?;
    let cat = text(&cats, "/data/0/serviceCategoryId")?;
    let search = format!("/marketplace/v1/services/search?serviceCategoryId={cat}&location=-1.2864,36.8219&radius=50");
    let found = ctx.call("GET", &search, None).await?;
    let provider = text(&found, "/data/0/providerId")?;
    let pricing = ctx
        .call(
            "GET",
            &format!("/marketplace/v1/providers/{provider}/pricing"),
            None,
        )
        .await?;
    let pricing_id = text(&pricing, "/data/0/pricingId")?;
    Ok(vec![
        op(
            "POST",
            "/marketplace/v1/services/estimate",
            Some(
                json!({"providerId": provider, "servicePricingId": pricing_id, "bookingDate": "2026-12-05T10:00:00Z", "isRush": true}),
            ),
            4,
        ),
        op("GET", &search, None, 3),
        op(
            "GET",
            &format!("/marketplace/v1/providers/{provider}/pricing"),
            None,
            2,
        ),
    ])
}

/// The request mixes, per module: reads, writes, searches, chat, estimates, projections.
async fn mixes(ctx: &Ctx) -> BTreeMap<&'static str, Vec<Op>> {
    let mut m = BTreeMap::new();
    m.insert(
        "platform",
        vec![
            op("GET", "/auth/me", None, 8),
            op("GET", "/healthz", None, 2),
        ],
    );
    let setups: Vec<(&'static str, Result<Vec<Op>, String>)> = vec![
        ("training", training(ctx).await),
        ("contact-center", contact_center(ctx).await),
        ("marketplace", marketplace(ctx).await),
        ("chatbot", chatbot(ctx).await),
        ("planning", planning(ctx).await),
    ];
    for (module, ops) in setups {
        match ops {
            Ok(ops) => {
                m.insert(module, ops);
            }
            Err(e) => eprintln!("{module}: skipped, its fixtures could not be set up: {e}"),
        }
    }
    m
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
    status_mib(pid, "VmRSS:")
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
                let n = UNIQUE.fetch_add(1, Ordering::Relaxed).to_string();
                let client = c.to_string();
                let fill = |t: &str| t.replace("{n}", &n).replace("{c}", &client);
                let url = format!("{base}{}", fill(&op.path));
                let mut req = match op.method {
                    "POST" => http.post(url),
                    "PUT" => http.put(url),
                    _ => http.get(url),
                };
                req = match &op.auth {
                    Some(h) => req.header("Authorization", h),
                    None => req.bearer_auth(&token),
                };
                if let Some(b) = &op.body {
                    req = req.header("Content-Type", "application/json").body(fill(b));
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
    let soak_clients = arg("--soak-clients").unwrap_or(8) as usize;
    // `--only a,b` limits the table to those mixes.
    let only: Option<Vec<String>> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.split(',').map(str::to_string).collect());
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(dir.path(), true);
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

    let ctx = Ctx {
        http: http.clone(),
        base: server.base.clone(),
        token: token.clone(),
    };
    let mixes = mixes(&ctx).await;
    println!(
        "| module | clients | requests/s | p50 ms | p95 ms | p99 ms | errors | peak RSS MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (module, ops) in &mixes {
        if only
            .as_ref()
            .is_some_and(|o| !o.iter().any(|m| m == module))
        {
            continue;
        }
        for clients in [1usize, 16, 64] {
            let out = drive(&server.base, &token, ops, clients, seconds).await;
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
        println!("\nSoak: {soak_clients} clients, the mixes above together, {soak} s; resident memory every 10 s in MiB, total (heap / mapped files):");
        let all: Vec<Op> = mixes
            .iter()
            .filter(|(m, _)| only.as_ref().is_none_or(|o| o.iter().any(|x| x == *m)))
            .flat_map(|(_, ops)| ops.iter().cloned())
            .collect();
        let pid = server.child.id();
        let sampler = tokio::spawn(async move {
            let mut samples = Vec::new();
            loop {
                samples.push((
                    current_mib(pid),
                    status_mib(pid, "RssAnon:"),
                    status_mib(pid, "RssFile:"),
                ));
                tokio::time::sleep(Duration::from_secs(10)).await;
                if samples.len() as u64 > soak / 10 {
                    break samples;
                }
            }
        });
        let out = drive(&server.base, &token, &all, soak_clients, soak).await;
        let samples = sampler.await.unwrap_or_default();
        println!(
            "{}",
            samples
                .iter()
                .map(|(total, anon, file)| format!("{total:.0} ({anon:.0}/{file:.0})"))
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

/// Chatbot: a tenant whose API key sends chat messages to the built-in bot,
/// one conversation per client, plus conversation reads.
async fn chatbot(ctx: &Ctx) -> Result<Vec<Op>, String> {
    let tenant = ctx
        .call(
            "POST",
            "/chatbot/api/v2/tenants",
            Some(json!({
                "name": "Load Test Store", "domain": "load-test.example.com", "plan": "enterprise",
                "admin_user": {"email": "owner@load-test.example.com", "first_name": "Load", "last_name": "Owner", "role": "owner"}
            })),
        )
        .await?;
    let key = text(&tenant, "/data/api_keys/primary")?;
    let auth = Some(format!("ApiKey {key}"));
    let message = json!({
        "message_id": "msg_load_{n}",
        "conversation_id": "conv_load_{c}",
        "user_id": "user_load_{c}",
        "channel": "web",
        "content": {"type": "text", "text": "What are your store hours?", "language": "en"}
    });
    Ok(vec![
        Op {
            auth: auth.clone(),
            ..op("POST", "/chatbot/api/v2/chat/message", Some(message), 8)
        },
        Op {
            auth,
            ..op("GET", "/chatbot/api/v2/conversations?limit=20", None, 2)
        },
    ])
}

fn planning_version(name: &str, rent: Value) -> Value {
    json!({
        "name": name,
        "description": "Load test scenario",
        "mode": "RELOCATION_2028",
        "curriculumPlans": [
            {"curriculumType": "FR", "capacity": 400, "tuitionBase": 50000.0, "cpiFrequency": 2,
             "studentsProjection": [{"year": 2028, "students": 300}, {"year": 2029, "students": 350},
                                    {"year": 2030, "students": 380}, {"year": 2031, "students": 395}]},
            {"curriculumType": "IB", "capacity": 200, "tuitionBase": 60000.0, "cpiFrequency": 2,
             "studentsProjection": [{"year": 2028, "students": 30}, {"year": 2029, "students": 60},
                                    {"year": 2030, "students": 100}, {"year": 2031, "students": 150}]}
        ],
        "rentPlan": rent,
        "capexItems": [{"year": 2028, "category": "BUILDING", "amount": 10000000.0, "description": "Campus"}],
        "opexSubAccounts": [{"subAccountName": "Marketing", "percentOfRevenue": 3.0, "isFixed": false}],
        "staffing": {"baseCost": 5000000.0, "cpiFrequency": 2}
    })
}

/// Planning: the document's performance table: list, get, get with the
/// 30-year calculation, compare three versions, a PDF report, create.
async fn planning(ctx: &Ctx) -> Result<Vec<Op>, String> {
    let rents = [
        json!({"rentModel": "FIXED_ESCALATION", "parameters": {"baseRent": 5000000, "escalationRate": 0.04}}),
        json!({"rentModel": "PARTNER_MODEL", "parameters": {"landSize": 10000, "landPricePerSqm": 5000,
            "buaSize": 8000, "constructionCostPerSqm": 3000, "yieldBase": 0.045}}),
        json!({"rentModel": "FIXED_ESCALATION", "parameters": {"baseRent": 4500000, "escalationRate": 0.03}}),
    ];
    let mut ids = Vec::new();
    for (i, rent) in rents.into_iter().enumerate() {
        let v = ctx
            .call(
                "POST",
                "/planning/api/versions",
                Some(planning_version(&format!("Load version {i}"), rent)),
            )
            .await?;
        ids.push(text(&v, "/data/id")?);
    }
    let rent = json!({"rentModel": "FIXED_ESCALATION", "parameters": {"baseRent": 5000000, "escalationRate": 0.04}});
    Ok(vec![
        op("GET", "/planning/api/versions?limit=20", None, 4),
        op(
            "GET",
            &format!("/planning/api/versions/{}", ids[0]),
            None,
            3,
        ),
        op(
            "GET",
            &format!("/planning/api/versions/{}?includeCalculations=true", ids[1]),
            None,
            3,
        ),
        op(
            "POST",
            "/planning/api/versions/compare",
            Some(json!({"versionIds": ids})),
            2,
        ),
        op(
            "POST",
            &format!("/planning/api/reports/generate/{}", ids[0]),
            Some(json!({"reportType": "FINANCIAL_DETAIL", "format": "PDF", "includeCharts": true})),
            1,
        ),
        op(
            "POST",
            "/planning/api/versions",
            Some(planning_version("Load version {n}", rent)),
            1,
        ),
    ])
}
