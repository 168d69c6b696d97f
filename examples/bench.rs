//! Cost per request as the data grows, next to the framework's limit.
//!
//! Starts a bare poem route in this process (the limit: a small JSON object,
//! no database) and the release binary on loopback (temp data dir, `--demo`,
//! `--rate-limits off`). Then, for each row count, grows the main tables to
//! that many rows (the first rows come from the APIs; the rest are copies of
//! them inserted straight into SQLite with fresh ids and unique values, the
//! search index rebuilt with `frontline reindex`), restarts the server and
//! measures every row of issue 18's table at `--clients` concurrent
//! keep-alive connections, printing requests/s, p50 and p99 next to the bare
//! route measured just before it, with the ratio. Ends with idle resident
//! memory and a soak over all the rows that samples memory.
//!
//! ```sh
//! cargo build --release --bin frontline --example bench
//! target/release/examples/bench --rows 1000,10000,100000 --seconds 3 --clients 16 --soak 60
//! ```
//! Not a test, never run in CI: the figures depend on the machine; the ratio
//! to the bare route is what to compare.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use serde_json::{json, Value};

#[path = "support/server.rs"]
mod support;
use support::{binary, pct, scenario, start, status_mib, text};

/// Resident memory of `pid` with its parts: the server's own (anonymous:
/// heap, stacks — what to provision), mapped files (the executable, search
/// segments: the kernel drops and rereads them) and shared (SQLite's WAL index).
fn resident(pid: u32) -> String {
    format!(
        "{:.1} MiB (own/anonymous {:.1}, mapped files {:.1}, shared {:.1})",
        status_mib(pid, "VmRSS:"),
        status_mib(pid, "RssAnon:"),
        status_mib(pid, "RssFile:"),
        status_mib(pid, "RssShmem:")
    )
}

const HELP: &str = "bench: request cost as the data grows, next to a bare poem route

USAGE: bench [--rows 1000,10000,100000] [--seconds 3] [--clients 16] [--soak 60] [--only substr] [--skip substr] [--keep]

  --rows N,N,..   row counts to grow the main tables to, in order (default 1000,10000,100000)
  --seconds S     seconds per measured row (default 3)
  --clients C     concurrent keep-alive connections (default 16)
  --soak S        seconds of the all-rows soak at the end, memory sampled every 5 s (default 60; 0 = none)
  --only TEXT     measure only rows whose name contains TEXT
  --skip TEXT     leave out rows whose name contains TEXT (also from the soak)
  --keep          keep the grown data directory at the end and print its path (for EXPLAIN / perf)
  FRONTLINE_BIN   the server binary (default: target/release/frontline next to this example)

A full default run takes about 6-8 minutes on two cores.";

/// Tables grown to each row count (the first rows come from the APIs).
const GROWN: &[&str] = &[
    "training_scenarios",
    "cc_contacts",
    "cc_campaigns",
    "cc_calls",
    "chatbot_conversations",
    "chatbot_messages",
    "marketplace_providers",
    "marketplace_reviews",
    "marketplace_pricing",
    "planning_versions",
    "platform_audit_log",
];

/// The row a table's copies are made from: the bench's own fixtures where a
/// measured request reads them ("" = the table's first row).
fn source(table: &str, f: &Fixtures) -> String {
    match (table, &f.provider) {
        ("chatbot_conversations", _) => "WHERE user_id = 'user_seed'".into(),
        // Every grown message joins the fixtures' conversation, which the
        // "one long conversation" chat row then writes into.
        ("chatbot_messages", _) => "WHERE conversation_id = 'conv_long'".into(),
        ("marketplace_reviews", Some(p)) => {
            format!("WHERE provider_id = '{}'", p.replace('\'', ""))
        }
        _ => String::new(),
    }
}

struct Args {
    rows: Vec<u64>,
    seconds: u64,
    clients: usize,
    soak: u64,
    only: Option<String>,
    skip: Option<String>,
    keep: bool,
}

fn args() -> Args {
    let a: Vec<String> = std::env::args().collect();
    if a.iter().any(|x| x == "--help" || x == "-h") {
        println!("{HELP}");
        std::process::exit(0);
    }
    let get = |name: &str| {
        a.iter()
            .position(|x| x == name)
            .and_then(|i| a.get(i + 1))
            .cloned()
    };
    Args {
        rows: get("--rows")
            .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
            .unwrap_or_else(|| vec![1_000, 10_000, 100_000]),
        seconds: get("--seconds").and_then(|v| v.parse().ok()).unwrap_or(3),
        clients: get("--clients").and_then(|v| v.parse().ok()).unwrap_or(16),
        soak: get("--soak").and_then(|v| v.parse().ok()).unwrap_or(60),
        only: get("--only"),
        skip: get("--skip"),
        keep: a.iter().any(|x| x == "--keep"),
    }
}

// ---------------------------------------------------------------- servers

/// The limit: a bare poem route in this process.
async fn bare_route() -> String {
    use poem::{get, handler, listener::TcpListener, web::Json, Route, Server};
    #[handler]
    fn ok() -> Json<Value> {
        Json(json!({"status": "ok", "service": "bare"}))
    }
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = std_listener.local_addr().expect("addr");
    drop(std_listener);
    let app = Route::new().at("/bare", get(ok));
    tokio::spawn(async move {
        let _ = Server::new(TcpListener::bind(addr.to_string()))
            .run(app)
            .await;
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    format!("http://{addr}")
}

// ---------------------------------------------------------------- requests

#[derive(Clone)]
struct Req {
    name: String,
    method: &'static str,
    url: String,
    body: Option<String>,
    auth: String,
}

static UNIQUE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

struct Figures {
    rps: f64,
    p50: f64,
    p99: f64,
    errors: usize,
    first_error: Option<String>,
}

/// `clients` connections sending `reqs` round-robin for `seconds`.
async fn drive(reqs: &[Req], clients: usize, seconds: u64) -> Figures {
    let reqs = Arc::new(reqs.to_vec());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let reqs = reqs.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client");
            let (mut lat, mut errors, mut first_error) = (Vec::new(), 0usize, None);
            let mut i = c;
            while Instant::now() < deadline {
                let r = &reqs[i % reqs.len()];
                i += 1;
                let n = UNIQUE
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    .to_string();
                let fill = |t: &str| t.replace("{n}", &n).replace("{c}", &c.to_string());
                let mut q = match r.method {
                    "POST" => http.post(fill(&r.url)),
                    _ => http.get(fill(&r.url)),
                };
                if !r.auth.is_empty() {
                    q = q.header("Authorization", &r.auth);
                }
                if let Some(b) = &r.body {
                    q = q.header("Content-Type", "application/json").body(fill(b));
                }
                let t = Instant::now();
                match q.send().await {
                    Ok(resp) if resp.status().is_success() => {
                        let _ = resp.bytes().await;
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    Ok(resp) => {
                        errors += 1;
                        if first_error.is_none() {
                            let s = resp.status();
                            let text = resp.text().await.unwrap_or_default();
                            first_error = Some(format!("{s} {}", &text[..text.len().min(160)]));
                        }
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e.to_string());
                    }
                }
            }
            (lat, errors, first_error)
        }));
    }
    let (mut all, mut errors, mut first_error) = (Vec::new(), 0, None);
    for t in tasks {
        if let Ok((l, e, f)) = t.await {
            all.extend(l);
            errors += e;
            if first_error.is_none() {
                first_error = f;
            }
        }
    }
    all.sort_by(f64::total_cmp);
    Figures {
        rps: all.len() as f64 / started.elapsed().as_secs_f64(),
        p50: pct(&all, 0.5),
        p99: pct(&all, 0.99),
        errors,
        first_error,
    }
}

struct Api {
    http: reqwest::Client,
    base: String,
    auth: String,
}

impl Api {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.call_as(&self.auth, method, path, body).await
    }

    async fn call_as(
        &self,
        auth: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let mut q = match method {
            "POST" => self.http.post(url),
            _ => self.http.get(url),
        }
        .header("Authorization", auth);
        if let Some(b) = body {
            q = q.json(&b);
        }
        let r = q.send().await.map_err(|e| e.to_string())?;
        let s = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        if s.is_success() {
            Ok(v)
        } else {
            Err(format!("{method} {path}: {s} {v}"))
        }
    }
}

async fn login(http: &reqwest::Client, base: &str) -> String {
    let v: Value = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"email": "bench@example.com", "password": "bench-password-1"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("token");
    format!("Bearer {}", v["access_token"].as_str().expect("token"))
}

/// Fixtures made through the APIs once; their ids stay valid across growth.
struct Fixtures {
    scenario: String,
    /// A contact and a conversation for the modules' "get one" rows.
    contact: Option<String>,
    conversation: Option<String>,
    chat_key: String,
    provider: Option<String>,
    /// A search for providers near the demo's city.
    provider_search: Option<String>,
    version: String,
}

async fn fixtures(api: &Api) -> Result<Fixtures, String> {
    let mut scenario_id = String::new();
    for (i, topic) in [
        "Billing dispute",
        "Password reset",
        "Late delivery",
        "Refund request",
    ]
    .iter()
    .enumerate()
    {
        let v = api
            .call(
                "POST",
                "/training/api/admin/scenarios",
                Some(scenario(&format!("{topic} {i}"))),
            )
            .await?;
        scenario_id = text(&v, "/id")?;
    }
    let campaign = api
        .call(
            "POST",
            "/contact-center/api/v1/campaigns",
            Some(json!({"name": "Bench campaign"})),
        )
        .await?;
    let campaign = text(&campaign, "/id")?;
    let contact = api.call(
        "POST",
        "/contact-center/api/v1/contacts",
        Some(json!({"campaign_id": campaign.parse::<i64>().unwrap_or(0), "first_name": "Bench", "phone_number": "+14155550100"})),
    )
    .await?;
    let contact = text(&contact, "/id")
        .or_else(|_| text(&contact, "/data/id"))
        .map_err(|e| eprintln!("cc get row skipped: {e}"))
        .ok();
    let tenant = api
        .call(
            "POST",
            "/chatbot/api/v2/tenants",
            Some(json!({
                "name": "Bench Store", "domain": "bench.example.com", "plan": "enterprise",
                // The plan's monthly API calls (50 000) are a business limit a
                // faster server used up within the run (429s); the bench measures
                // capacity, so its tenant has a larger allowance.
                "features": {"api_calls_limit": 1_000_000_000_i64, "conversations_per_month": 1_000_000_000_i64},
                "admin_user": {"email": "owner@bench.example.com", "first_name": "B", "last_name": "O", "role": "owner"}
            })),
        )
        .await?;
    let chat_key = format!("ApiKey {}", text(&tenant, "/data/api_keys/primary")?);
    // The conversation the grown messages join (before the seed one, so the
    // "get one conversation" row below reads the seed conversation).
    api.call_as(
        &chat_key,
        "POST",
        "/chatbot/api/v2/chat/message",
        Some(chat_message("long0", "long")),
    )
    .await?;
    for i in 0..3 {
        api.call_as(
            &chat_key,
            "POST",
            "/chatbot/api/v2/chat/message",
            Some(chat_message(&format!("seed{i}"), "seed")),
        )
        .await?;
    }
    let conversation = api
        .call_as(
            &chat_key,
            "GET",
            "/chatbot/api/v2/conversations?limit=1",
            None,
        )
        .await
        .and_then(|v| text(&v, "/data/conversations/0/conversation_id"))
        .map_err(|e| eprintln!("chatbot get row skipped: {e}"))
        .ok();
    let provider = async {
        let cats = api
            .call("GET", "/marketplace/v1/service-categories", None)
            .await?;
        let cat = text(&cats, "/data/0/serviceCategoryId")?;
        let search = format!(
            "/marketplace/v1/services/search?serviceCategoryId={cat}&location=-1.2864,36.8219&radius=50"
        );
        let found = api.call("GET", &search, None).await?;
        Ok::<_, String>((text(&found, "/data/0/providerId")?, search))
    }
    .await
    .map_err(|e| eprintln!("marketplace rows skipped: {e}"))
    .ok();
    let (provider, provider_search) = provider.unzip();
    let version = api
        .call(
            "POST",
            "/planning/api/versions",
            Some(json!({
                "name": "Bench version", "mode": "RELOCATION_2028",
                "curriculumPlans": [
                    {"curriculumType": "FR", "capacity": 400, "tuitionBase": 50000.0, "cpiFrequency": 2,
                     "studentsProjection": [{"year": 2028, "students": 300}]},
                    {"curriculumType": "IB", "capacity": 200, "tuitionBase": 60000.0, "cpiFrequency": 2,
                     "studentsProjection": [{"year": 2028, "students": 30}]}
                ],
                "rentPlan": {"rentModel": "FIXED_ESCALATION", "parameters": {"baseRent": 5000000, "escalationRate": 0.04}},
                "staffing": {"baseCost": 5000000.0, "cpiFrequency": 2}
            })),
        )
        .await?;
    Ok(Fixtures {
        scenario: scenario_id,
        contact,
        conversation,
        chat_key,
        provider,
        provider_search,
        version: text(&version, "/data/id")?,
    })
}

fn chat_message(id: &str, conversation: &str) -> Value {
    json!({
        "message_id": format!("msg_{id}"),
        "conversation_id": format!("conv_{conversation}"),
        "user_id": format!("user_{conversation}"),
        "channel": "web",
        "content": {"type": "text", "text": "What are your store hours?", "language": "en"}
    })
}

/// Every measured row at `rows` rows per grown table.
fn requests(base: &str, admin: &str, f: &Fixtures, rows: u64) -> Vec<Req> {
    let deep_page = (rows / 20).max(1);
    let deep_offset = rows.saturating_sub(20);
    let r = |name: &str, url: String| Req {
        name: name.to_string(),
        method: "GET",
        url: format!("{base}{url}"),
        body: None,
        auth: admin.to_string(),
    };
    let mut out = vec![
        r("GET /healthz", "/healthz".into()),
        r("GET /auth/me", "/auth/me".into()),
        r(
            "training: get one scenario",
            format!("/training/api/admin/scenarios/{}", f.scenario),
        ),
        r(
            "training: list, first page",
            "/training/api/admin/scenarios?limit=20".into(),
        ),
        r(
            "training: list, deep page",
            format!("/training/api/admin/scenarios?limit=20&page={deep_page}"),
        ),
        Req {
            method: "POST",
            body: Some(json!({"query": "billing dispute"}).to_string()),
            ..r(
                "training: search \"billing dispute\"",
                "/training/api/admin/scenarios/search".into(),
            )
        },
        r(
            "cc: list contacts, first page",
            "/contact-center/api/v1/contacts?limit=20".into(),
        ),
        r(
            "cc: list contacts, deep page",
            format!("/contact-center/api/v1/contacts?limit=20&offset={deep_offset}"),
        ),
        r(
            "cc: list campaigns, first page",
            "/contact-center/api/v1/campaigns?limit=20".into(),
        ),
        r(
            "cc: list campaigns, deep page",
            format!("/contact-center/api/v1/campaigns?limit=20&offset={deep_offset}"),
        ),
        r(
            "cc: list calls, first page",
            "/contact-center/api/v1/calls?limit=20".into(),
        ),
        r(
            "cc: list calls, deep page",
            format!("/contact-center/api/v1/calls?limit=20&offset={deep_offset}"),
        ),
        Req {
            method: "POST",
            body: Some(
                json!({"first_name": "Load", "phone_number": "+1416{n}", "email": "l{n}@example.com"})
                    .to_string(),
            ),
            ..r("cc: create a contact", "/contact-center/api/v1/contacts".into())
        },
        Req {
            method: "POST",
            body: Some(chat_message("b{n}", "bench{c}").to_string()),
            auth: f.chat_key.clone(),
            ..r("chatbot: chat message", "/chatbot/api/v2/chat/message".into())
        },
        // Issue 18: a message costs the same in a conversation of `rows` messages.
        Req {
            method: "POST",
            body: Some(chat_message("long{n}", "long").to_string()),
            auth: f.chat_key.clone(),
            ..r(
                "chatbot: chat message, one long conversation",
                "/chatbot/api/v2/chat/message".into(),
            )
        },
        Req {
            auth: f.chat_key.clone(),
            ..r(
                "chatbot: list conversations, first page",
                "/chatbot/api/v2/conversations?limit=20".into(),
            )
        },
        Req {
            auth: f.chat_key.clone(),
            ..r(
                "chatbot: list conversations, deep page",
                format!("/chatbot/api/v2/conversations?limit=20&page={deep_page}"),
            )
        },
        r("planning: list versions, first page", "/planning/api/versions?limit=20".into()),
        r(
            "planning: list versions, deep page",
            format!("/planning/api/versions?limit=20&page={deep_page}"),
        ),
        r(
            "planning: get one version",
            format!("/planning/api/versions/{}", f.version),
        ),
        r("audit log, first page", "/auth/audit?limit=20".into()),
        r(
            "audit log, deep page",
            format!("/auth/audit?limit=20&page={deep_page}"),
        ),
        r(
            "audit log, filtered by action",
            "/auth/audit?limit=20&action=auth.login".into(),
        ),
    ];
    if let Some(c) = &f.contact {
        out.push(r(
            "cc: get one contact",
            format!("/contact-center/api/v1/contacts/{c}"),
        ));
    }
    if let Some(c) = &f.conversation {
        out.push(Req {
            auth: f.chat_key.clone(),
            ..r(
                "chatbot: get one conversation",
                format!("/chatbot/api/v2/conversations/{c}"),
            )
        });
    }
    if let Some(p) = &f.provider {
        out.push(r(
            "marketplace: get one provider",
            format!("/marketplace/v1/providers/{p}"),
        ));
        out.push(r(
            "marketplace: provider reviews, first page",
            format!("/marketplace/v1/providers/{p}/reviews?limit=20"),
        ));
        out.push(r(
            "marketplace: provider pricing",
            format!("/marketplace/v1/providers/{p}/pricing"),
        ));
    }
    if let Some(search) = &f.provider_search {
        out.push(r("marketplace: search providers nearby", search.clone()));
    }
    out
}

/// Each list row's cost as a multiple of its module's "get one" row measured
/// in the same round (issue 18: a page costs at most 2x a get).
fn print_page_to_get(measured: &[(String, f64)]) {
    let get_of = |module: &str| {
        measured
            .iter()
            .find(|(n, _)| n.starts_with(module) && n.contains(": get one"))
            .map(|(n, rps)| (n.as_str(), *rps))
    };
    let rows: Vec<String> = measured
        .iter()
        .filter(|(n, _)| n.contains("page") || n.contains("search") || n.contains("pricing"))
        .filter_map(|(n, rps)| {
            let module = n.split(':').next().unwrap_or_default();
            let (get, get_rps) = get_of(module)?;
            Some(format!("| {n} | {get} | {:.2} |", get_rps / rps.max(1.0)))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    println!("| list row | its module's get | cost in gets (goal <= 2) |");
    println!("|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!();
}

// ---------------------------------------------------------------- growth

/// Copies rows of `table` until it holds `target` rows: integer keys are
/// left to SQLite, text keys get new UUIDs, and each column of a unique
/// index gets a distinct value (phone numbers stay E.164-shaped). The rows
/// copied are copies of the first row matching `source` (a `WHERE` clause,
/// or "" for the table's first row). A unique column that references another
/// table (a review's booking) gets a new parent row per copy: a copy of the
/// source row's parent with a new key.
fn grow(
    conn: &Connection,
    table: &str,
    target: u64,
    round: u64,
    source: &str,
) -> rusqlite::Result<u64> {
    let have = count(conn, table)?;
    if have == 0 || have >= target {
        return Ok(have);
    }
    let add = target - have;
    let mut src = format!("(SELECT * FROM {table} {source} ORDER BY rowid LIMIT 1)");
    let found: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {src}"), [], |r| r.get(0))?;
    if found == 0 {
        src = format!("(SELECT * FROM {table} ORDER BY rowid LIMIT 1)");
    }
    let unique = unique_columns(conn, table)?;
    let mut overrides = std::collections::HashMap::new();
    let mut links = conn.prepare(&format!("PRAGMA foreign_key_list({table})"))?;
    let links: Vec<(String, String, String)> = links
        .query_map([], |r| Ok((r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<Result<_, _>>()?;
    for (parent, column, parent_key) in links {
        if !unique.contains(&column) {
            continue;
        }
        let key = format!("'bench-{round}-' || seq.n");
        let parent_src =
            format!("(SELECT * FROM {parent} WHERE {parent_key} = (SELECT {column} FROM {src}))");
        copy(
            conn,
            &parent,
            add,
            round,
            &parent_src,
            &std::collections::HashMap::from([(parent_key, key.clone())]),
        )?;
        overrides.insert(column, key);
    }
    copy(conn, table, add, round, &src, &overrides)?;
    count(conn, table)
}

/// Copies of one row would put every provider on one spot and every price
/// under one provider; a real marketplace has them spread out. New provider
/// copies are placed over a 10° x 10° square around the demo city (about 0.7%
/// of them within the measured 50 km search), and new price copies are dealt
/// out one per provider in turn. Deterministic, so runs compare.
fn spread(conn: &Connection, table: &str) -> rusqlite::Result<()> {
    match table {
        "marketplace_providers" => {
            conn.execute(
                "UPDATE marketplace_providers
                 SET lat = -1.2864 + ((rowid * 7919) % 10007) / 1000.7 - 5.0,
                     lng = 36.8219 + ((rowid * 104729) % 10009) / 1000.9 - 5.0
                 WHERE user_id GLOB 'b[0-9]*'
                   AND lat IS (SELECT lat FROM marketplace_providers ORDER BY rowid LIMIT 1)
                   AND lng IS (SELECT lng FROM marketplace_providers ORDER BY rowid LIMIT 1)",
                [],
            )?;
        }
        "marketplace_pricing" => {
            conn.execute_batch(
                "DROP TABLE IF EXISTS temp.bench_providers;
                 CREATE TEMP TABLE bench_providers (k INTEGER PRIMARY KEY, id TEXT NOT NULL);
                 INSERT INTO bench_providers (k, id)
                   SELECT ROW_NUMBER() OVER (ORDER BY rowid) - 1, id FROM marketplace_providers;
                 UPDATE marketplace_pricing
                 SET provider_id = (SELECT id FROM bench_providers
                                    WHERE k = marketplace_pricing.rowid % (SELECT COUNT(*) FROM bench_providers))
                 WHERE service_key GLOB 'b[0-9]*'
                   AND provider_id = (SELECT provider_id FROM marketplace_pricing ORDER BY rowid LIMIT 1);
                 DROP TABLE bench_providers;",
            )?;
        }
        _ => {}
    }
    Ok(())
}

/// One column per unique index of `table` (the one to vary between copies):
/// not a reference (`*_id`) when there is another; expression indexes vary `name`.
fn unique_columns(
    conn: &Connection,
    table: &str,
) -> rusqlite::Result<std::collections::HashSet<String>> {
    let mut unique = std::collections::HashSet::new();
    let mut st = conn.prepare(&format!("PRAGMA index_list({table})"))?;
    let idx: Vec<(String, bool)> = st
        .query_map([], |r| {
            Ok((r.get::<_, String>(1)?, r.get::<_, i64>(2)? == 1))
        })?
        .collect::<Result<_, _>>()?;
    for (name, is_unique) in idx {
        if !is_unique {
            continue;
        }
        let mut st = conn.prepare(&format!("PRAGMA index_info({name})"))?;
        let cols: Vec<Option<String>> = st
            .query_map([], |r| r.get::<_, Option<String>>(2))?
            .collect::<Result<_, _>>()?;
        let named: Vec<&String> = cols.iter().flatten().collect();
        if let Some(c) = named.iter().find(|c| !c.ends_with("id")).or(named.last()) {
            unique.insert((*c).clone());
        }
        if cols.iter().any(Option::is_none) {
            unique.insert("name".to_string());
        }
    }
    Ok(unique)
}

/// Inserts `add` copies of the row `src` (a subquery) into `table`;
/// `overrides` gives the expression of some columns (`seq.n` numbers the copies).
fn copy(
    conn: &Connection,
    table: &str,
    add: u64,
    round: u64,
    src: &str,
    overrides: &std::collections::HashMap<String, String>,
) -> rusqlite::Result<()> {
    let unique = unique_columns(conn, table)?;
    let mut st = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let cols: Vec<(String, String, i64)> = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?.to_ascii_uppercase(),
                r.get::<_, i64>(5)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    // A composite key (tenant, id) keeps its references and varies its unique column.
    let single_key = cols.iter().filter(|c| c.2 > 0).count() == 1;
    let (mut names, mut exprs) = (Vec::new(), Vec::new());
    for (name, ty, pk) in &cols {
        let pk = *pk > 0 && single_key;
        let n = format!("(seq.n + {round} * 10000000)");
        let expr = if let Some(e) = overrides.get(name) {
            e.clone()
        } else if pk && ty.contains("INT") {
            continue;
        } else if pk {
            "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)),2) || '-a' || substr(hex(randomblob(2)),2) || '-' || hex(randomblob(6)))".to_string()
        } else if unique.contains(name) && name.contains("phone") {
            format!("'+1' || (2000000000 + {n})")
        } else if unique.contains(name) && ty.contains("INT") {
            format!("{name} + {n}")
        } else if unique.contains(name) {
            format!("'b' || {n} || '.' || {name}")
        } else {
            format!("src.{name}")
        };
        names.push(name.clone());
        exprs.push(expr);
    }
    let sql = format!(
        "INSERT INTO {table} ({}) WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1)
         SELECT {} FROM seq, {src} AS src",
        names.join(", "),
        exprs.join(", ")
    );
    conn.execute(&sql, [add as i64])?;
    Ok(())
}

fn count(conn: &Connection, table: &str) -> rusqlite::Result<u64> {
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| n.max(0) as u64)
}

// ---------------------------------------------------------------- main

/// The same allocator as the server (src/main.rs), so the bare route it is
/// compared with runs on equal terms.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() {
    let a = args();
    let bare = bare_route().await;
    let bare_req = vec![Req {
        name: "bare".into(),
        method: "GET",
        url: format!("{bare}/bare"),
        body: None,
        auth: String::new(),
    }];
    let dir = tempfile::tempdir().expect("temp dir");
    let http = reqwest::Client::new();
    let mut server = start(dir.path(), true);
    let pid = server.child.id();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_start = resident(pid);
    let admin = login(&http, &server.base).await;
    let api = Api {
        http: http.clone(),
        base: server.base.clone(),
        auth: admin.clone(),
    };
    let fx = match fixtures(&api).await {
        Ok(f) => f,
        Err(e) => panic!("fixtures: {e}"),
    };
    println!(
        "bench: {} clients, {} s per row, rows {:?}; started {}\n",
        a.clients,
        a.seconds,
        a.rows,
        Command::new("date")
            .args(["-u", "+%Y-%m-%d %H:%M UTC"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    );
    println!("idle resident memory after start (demo data): {idle_start}\n");
    let mut soak_reqs = Vec::new();
    for (round, rows) in a.rows.iter().enumerate() {
        drop(server);
        let db = dir.path().join("frontline.db");
        {
            let conn = Connection::open(&db).expect("open db");
            let mut grown = Vec::new();
            for t in GROWN {
                match grow(&conn, t, *rows, round as u64 + 1, &source(t, &fx))
                    .and_then(|n| spread(&conn, t).map(|()| n))
                {
                    Ok(n) => grown.push(format!("{t} {n}")),
                    Err(e) => grown.push(format!("{t} not grown ({e})")),
                }
            }
            println!("## {rows} rows: {}", grown.join(", "));
        }
        let t = Instant::now();
        let re = Command::new(binary())
            .args(["reindex", "--data-dir"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        println!(
            "search index rebuilt in {:.1} s ({re:?})\n",
            t.elapsed().as_secs_f64()
        );
        server = start(dir.path(), false);
        let pid = server.child.id();
        tokio::time::sleep(Duration::from_secs(2)).await;
        println!("idle resident memory at {rows} rows: {}\n", resident(pid));
        let admin = login(&http, &server.base).await;
        let mut reqs = requests(&server.base, &admin, &fx, *rows);
        if let Some(skip) = &a.skip {
            reqs.retain(|r| !r.name.contains(skip.as_str()));
        }
        let mut measured: Vec<(String, f64)> = Vec::new();
        println!("| request | req/s | p50 ms | p99 ms | bare req/s | ratio to bare | errors |");
        println!("|---|---|---|---|---|---|---|");
        for r in &reqs {
            if a.only
                .as_ref()
                .is_some_and(|o| !r.name.contains(o.as_str()))
            {
                continue;
            }
            let limit = drive(&bare_req, a.clients, a.seconds.div_ceil(2)).await;
            let f = drive(std::slice::from_ref(r), a.clients, a.seconds).await;
            println!(
                "| {} | {:.0} | {:.2} | {:.2} | {:.0} | {:.3} | {}{} |",
                r.name,
                f.rps,
                f.p50,
                f.p99,
                limit.rps,
                f.rps / limit.rps.max(1.0),
                f.errors,
                f.first_error.map(|e| format!(" ({e})")).unwrap_or_default()
            );
            measured.push((r.name.clone(), f.rps));
        }
        println!();
        print_page_to_get(&measured);
        soak_reqs = reqs;
    }
    if a.soak > 0 {
        let pid = server.child.id();
        println!(
            "Soak: {} clients over all rows for {} s; resident MiB every 5 s (total / own, anonymous):",
            a.clients, a.soak
        );
        let sampler = tokio::spawn(async move {
            let mut s = Vec::new();
            loop {
                s.push((status_mib(pid, "VmRSS:"), status_mib(pid, "RssAnon:")));
                tokio::time::sleep(Duration::from_secs(5)).await;
                if s.len() as u64 > a.soak / 5 {
                    break s;
                }
            }
        });
        let f = drive(&soak_reqs, a.clients, a.soak).await;
        let s = sampler.await.unwrap_or_default();
        println!(
            "{}",
            s.iter()
                .map(|(t, o)| format!("{t:.0}/{o:.0}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let warm = s.get(s.len() / 3).copied().unwrap_or_default();
        let last = s.last().copied().unwrap_or_default();
        let change = |a: f64, b: f64| (b - a) / a.max(1.0) * 100.0;
        println!(
            "{:.0} req/s, p99 {:.2} ms, {} errors; after warm-up {:.0} MiB -> end {:.0} MiB ({:+.1}%), own {:.0} -> {:.0} MiB ({:+.1}%)",
            f.rps,
            f.p99,
            f.errors,
            warm.0,
            last.0,
            change(warm.0, last.0),
            warm.1,
            last.1,
            change(warm.1, last.1)
        );
        println!("{}", resident(pid));
    }
    drop(server);
    if a.keep {
        println!("data directory kept: {}", dir.keep().display());
    }
}
