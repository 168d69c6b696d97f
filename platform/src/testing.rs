//! An in-process server for integration tests: a temp data dir, every
//! migration applied, rate limits off unless asked, and helpers to make
//! users with roles and sign them in.

use poem::endpoint::BoxEndpoint;
use poem::http::{HeaderMap, StatusCode};
use poem::test::TestClient;
use serde_json::Value;

use crate::auth::NewUser;
use crate::db::Migrations;
use crate::http::Module;
use crate::settings::Settings;
use crate::state::Platform;

pub mod spec;
pub mod vendor;

pub struct TestApp {
    pub platform: Platform,
    pub client: TestClient<BoxEndpoint<'static>>,
    pub admin_token: String,
    _dir: tempfile::TempDir,
}

/// Lets `settings` call out to 127.0.0.1 (tests' local servers).
pub fn allow_loopback(settings: &mut Settings) {
    settings.outbound = crate::outbound::OutboundPolicy::allowing(["127.0.0.1"]);
}

impl TestApp {
    /// A server with `modules`, rate limits off.
    pub async fn new(modules: Vec<Module>) -> TestApp {
        TestApp::with_settings(modules, |_| {}).await
    }

    /// A server with `modules` whose outbound policy also allows 127.0.0.1,
    /// for tests that run a local webhook receiver or provider server (the
    /// default policy, like production's, refuses loopback).
    pub async fn allowing_loopback(modules: Vec<Module>) -> TestApp {
        TestApp::with_settings(modules, allow_loopback).await
    }

    /// A server with `modules` and settings changed by `tweak`.
    pub async fn with_settings(modules: Vec<Module>, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        crate::db::statements::trace_statements();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings::for_data_dir(dir.path());
        settings.rate_limits = false;
        tweak(&mut settings);
        let migrations: Vec<Migrations> = modules.iter().map(Module::migrations).collect();
        let platform = Platform::open(settings, &migrations).expect("platform opens");
        platform
            .auth
            .bootstrap_admin(Some("admin@test.local"), Some("admin-password"))
            .expect("admin");
        let mounted = modules.iter().map(|m| (m.build)(&platform)).collect();
        platform
            .jobs
            .set_retry_base(std::time::Duration::from_millis(20));
        platform
            .events
            .set_retry_base(std::time::Duration::from_millis(20));
        platform.start_background();
        for m in &modules {
            if let Some(start) = m.start {
                start(&platform);
            }
        }
        let app = crate::app::build(&platform, mounted, None);
        let client = TestClient::new(app);
        let (_, token) = platform
            .auth
            .login("admin@test.local", "admin-password")
            .await
            .expect("admin login");
        TestApp {
            platform,
            client,
            admin_token: token.access_token,
            _dir: dir,
        }
    }

    /// Creates a user with `roles` and returns a token for it.
    pub async fn token_for(&self, roles: &[&str]) -> String {
        self.user_with(roles).await.1
    }

    /// Creates a user with `roles`; returns its id and a token.
    pub async fn user_with(&self, roles: &[&str]) -> (String, String) {
        let email = format!("u{}@test.local", uuid::Uuid::new_v4().simple());
        let user = self
            .platform
            .auth
            .create_user(NewUser {
                email: email.clone(),
                password: "password-123".into(),
                name: "Test User".into(),
                roles: roles.iter().map(|r| r.to_string()).collect(),
                organization: None,
            })
            .await
            .expect("user created");
        let (_, token) = self
            .platform
            .auth
            .login(&email, "password-123")
            .await
            .expect("login");
        (user.id, token.access_token)
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Every audit entry as stored: `action details`, for data-exposure checks.
    pub async fn audit_rows(&self) -> Vec<String> {
        self.platform
            .db
            .read(|c| {
                let mut st = c.prepare(
                    "SELECT action || ' ' || COALESCE(details, '') FROM platform_audit_log",
                )?;
                let rows = st.query_map([], |r| r.get::<_, String>(0))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .expect("audit rows")
    }

    /// Stores a webhook subscription as the platform does (for modules that
    /// have no subscription endpoint); returns its id.
    pub async fn subscribe(&self, new: crate::events::NewSubscription) -> String {
        let events = self.platform.events.clone();
        let (sub, _) = self
            .platform
            .db
            .write(move |tx| events.subscribe(tx, &new))
            .await
            .expect("subscribe");
        sub.id
    }

    /// `(event type, payload value at json_path)` of every delivery queued
    /// for subscription `hook`, in the order they were queued.
    pub async fn queued_deliveries<T>(&self, hook: &str, json_path: &str) -> Vec<(String, T)>
    where
        T: rusqlite::types::FromSql + Send + 'static,
    {
        let (hook, json_path) = (hook.to_string(), json_path.to_string());
        self.platform
            .db
            .read(move |c| {
                let mut st = c.prepare(
                    "SELECT e.event_type, json_extract(e.payload, ?2) FROM platform_webhook_deliveries d
                     JOIN platform_events e ON e.id = d.event_id WHERE d.webhook_id = ?1 ORDER BY d.id",
                )?;
                let rows = st.query_map([hook, json_path], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .expect("queued deliveries")
    }

    /// Posts 10 000- and 100 000-level nested JSON (arrays and objects) to
    /// each of `paths` with `token`: every answer must be a 4xx with a JSON
    /// error body (the reader stops at 128 levels; no stack overflow).
    pub async fn assert_nested_json_refused(&self, paths: &[&str], token: &str) {
        for depth in [10_000usize, 100_000] {
            let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            for path in paths {
                for body in [&arrays, &objects] {
                    let resp = self
                        .client
                        .post(*path)
                        .header("Authorization", format!("Bearer {token}"))
                        .header("Content-Type", "application/json")
                        .body(body.clone())
                        .send()
                        .await;
                    let status = resp.0.status().as_u16();
                    let text = resp.0.into_body().into_string().await.unwrap_or_default();
                    assert!((400..500).contains(&status), "{path}: {status} {text}");
                    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    assert!(
                        v.is_object(),
                        "{path}: not the module's JSON error body: {text}"
                    );
                }
            }
        }
    }

    /// One JSON request: `method` on `url` (the full path), with a bearer
    /// `token` and a JSON `body` when given.
    pub async fn call(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let c = &self.client;
        let mut req = match method {
            "GET" => c.get(url),
            "POST" => c.post(url),
            "PUT" => c.put(url),
            "PATCH" => c.patch(url),
            "DELETE" => c.delete(url),
            other => panic!("unsupported method {other}"),
        };
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let resp = match body {
            Some(b) => req.body_json(&b).send().await,
            None => req.send().await,
        };
        let status = resp.0.status();
        let headers = resp.0.headers().clone();
        let text = resp.0.into_body().into_string().await.unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            headers,
        }
    }
}

impl TestApp {
    /// The statements `work` ran (by any traced pool in this process), each
    /// marked `true` when it was prepared for that run rather than reused from
    /// a connection's statement cache.
    pub async fn statements_of<Fut: std::future::Future>(
        &self,
        work: Fut,
    ) -> (Fut::Output, Vec<(String, bool)>) {
        let from = crate::db::statements::start();
        let output = work.await;
        (output, crate::db::statements::finish_marked(from))
    }

    /// Runs `work` (usually requests through `self.client`) and returns the
    /// query plan (`EXPLAIN QUERY PLAN`, against this app's database) of every
    /// read statement it ran that names one of `tables`.
    ///
    /// ```ignore
    /// let plans = app.plans_of(&["cc_contacts"], app.call("GET", "/api/v1/contact-center/contacts?page=3", Some(&tok), None)).await;
    /// plans.assert_no_scan();          // no `SCAN cc_contacts` without an index
    /// plans.assert_no_temp_sort();     // optional: the sort comes from an index too
    /// ```
    ///
    /// Statements of other tests running at the same time in the same test
    /// binary may be included when they name the same tables.
    pub async fn plans_of<Fut: std::future::Future>(
        &self,
        tables: &[&str],
        work: Fut,
    ) -> Plans<Fut::Output> {
        let from = crate::db::statements::start();
        let output = work.await;
        let statements = crate::db::statements::finish(from);
        let tables: Vec<String> = tables.iter().map(|t| t.to_ascii_lowercase()).collect();
        let conn = self.platform.db.conn().expect("connection");
        let mut plans = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for sql in statements {
            let head = sql.trim_start().to_ascii_uppercase();
            if !(head.starts_with("SELECT") || head.starts_with("WITH")) {
                continue;
            }
            let aliases = table_aliases(&sql);
            if !aliases.values().any(|t| tables.contains(t)) || !seen.insert(sql.clone()) {
                continue;
            }
            // A statement of another test's schema does not prepare here.
            let Ok(mut st) = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")) else {
                continue;
            };
            let lines: Vec<String> = st
                .query_map([], |r| r.get::<_, String>(3))
                .and_then(|rows| rows.collect())
                .expect("query plan");
            plans.push(Plan {
                sql,
                lines,
                aliases,
                tables: tables.clone(),
            });
        }
        Plans { output, plans }
    }
}

/// `alias -> table` (lower case) for each `FROM`/`JOIN` of `sql`; a table
/// without an alias maps to itself.
fn table_aliases(sql: &str) -> std::collections::HashMap<String, String> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_]*))?",
        )
        .expect("regex")
    });
    const KEYWORDS: &[&str] = &[
        "where",
        "join",
        "left",
        "inner",
        "cross",
        "on",
        "order",
        "group",
        "limit",
        "using",
        "natural",
        "union",
        "having",
        "window",
        "outer",
        "except",
        "intersect",
        "indexed",
        "not",
    ];
    let mut map = std::collections::HashMap::new();
    for c in re.captures_iter(sql) {
        let table = c[1].to_ascii_lowercase();
        map.insert(table.clone(), table.clone());
        if let Some(alias) = c.get(2) {
            let alias = alias.as_str().to_ascii_lowercase();
            if !KEYWORDS.contains(&alias.as_str()) {
                map.insert(alias, table);
            }
        }
    }
    map
}

/// The statements `conn` keeps prepared that SQLite planned again after their
/// first run (`SQLITE_STMTSTATUS_REPREPARE`), with that count: a kept
/// statement should be parsed and planned once per connection (issue 18).
pub fn replanned_statements(conn: &rusqlite::Connection) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    // SAFETY: the connection's statement list is walked on this thread while
    // `conn` is borrowed (no statement is finalized meanwhile); each text is
    // copied before the next step.
    unsafe {
        let db = conn.handle();
        let mut st = rusqlite::ffi::sqlite3_next_stmt(db, std::ptr::null_mut());
        while !st.is_null() {
            let n = rusqlite::ffi::sqlite3_stmt_status(
                st,
                rusqlite::ffi::SQLITE_STMTSTATUS_REPREPARE,
                0,
            );
            let text = rusqlite::ffi::sqlite3_sql(st);
            if n > 0 && !text.is_null() {
                let sql = std::ffi::CStr::from_ptr(text)
                    .to_string_lossy()
                    .into_owned();
                out.push((sql, n));
            }
            st = rusqlite::ffi::sqlite3_next_stmt(db, st);
        }
    }
    out
}

/// The query plans recorded by [`TestApp::plans_of`], and the work's output.
pub struct Plans<T> {
    pub output: T,
    pub plans: Vec<Plan>,
}

/// One statement and its `EXPLAIN QUERY PLAN` detail lines.
pub struct Plan {
    pub sql: String,
    pub lines: Vec<String>,
    aliases: std::collections::HashMap<String, String>,
    tables: Vec<String>,
}

impl Plan {
    /// Lines that read a whole watched table row by row: `SCAN x` with no
    /// index. A walk in rowid order that stops at a `LIMIT` (no `WHERE`, no
    /// sort: `... ORDER BY id DESC LIMIT 20`) reads only the page and is not one.
    pub fn table_scans(&self) -> Vec<&str> {
        // The statement's own clauses, without its subqueries.
        let mut depth = 0usize;
        let upper: String = self
            .sql
            .to_ascii_uppercase()
            .chars()
            .filter(|c| {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    _ => return depth == 0,
                }
                false
            })
            .collect();
        let bounded_walk = upper.contains(" LIMIT ")
            && !upper.contains("WHERE ")
            && !self.lines.iter().any(|l| l.starts_with("USE TEMP B-TREE"));
        if bounded_walk {
            return Vec::new();
        }
        self.lines
            .iter()
            .filter(|l| {
                let Some(rest) = l.strip_prefix("SCAN ") else {
                    return false;
                };
                if rest.contains(" USING ") {
                    return false;
                }
                let name = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let table = self.aliases.get(&name).unwrap_or(&name);
                self.tables.contains(table)
            })
            .map(String::as_str)
            .collect()
    }
}

impl<T> Plans<T> {
    /// Panics when no statement naming the watched tables ran (the test
    /// would prove nothing) or when one of them scans a watched table.
    pub fn assert_no_scan(&self) -> &Self {
        assert!(
            !self.plans.is_empty(),
            "no statement read the watched tables"
        );
        let bad: Vec<String> = self
            .plans
            .iter()
            .filter(|p| !p.table_scans().is_empty())
            .map(|p| format!("{}\n  {}", p.sql, p.lines.join("\n  ")))
            .collect();
        assert!(bad.is_empty(), "table scans:\n{}", bad.join("\n"));
        self
    }

    /// Panics when a statement sorts its rows in a temporary b-tree (the
    /// order does not come from an index, so every matching row is read).
    pub fn assert_no_temp_sort(&self) -> &Self {
        let bad: Vec<String> = self
            .plans
            .iter()
            .filter(|p| {
                p.lines
                    .iter()
                    .any(|l| l.starts_with("USE TEMP B-TREE FOR ORDER BY"))
            })
            .map(|p| format!("{}\n  {}", p.sql, p.lines.join("\n  ")))
            .collect();
        assert!(
            bad.is_empty(),
            "sorts without an index:\n{}",
            bad.join("\n")
        );
        self
    }
}

/// What [`TestApp::call`] got back; `body` is `Null` when it was not JSON.
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: HeaderMap,
}

impl Reply {
    /// Status and body, the pair most assertions want.
    pub fn parts(self) -> (StatusCode, Value) {
        (self.status, self.body)
    }
}

/// Fails when `module`'s generated OpenAPI document differs from the committed
/// `openapi/<slug>.json` (at the workspace root). With `UPDATE_OPENAPI=1` it
/// rewrites the file instead — the same bytes `frontline openapi openapi/` writes.
pub async fn assert_spec_committed(module: Module) {
    let app = TestApp::new(vec![]).await;
    let spec = (module.build)(&app.platform).spec();
    check_spec(module.slug, &spec);
}

/// Compares `spec` with `openapi/<name>.json` (or rewrites it with `UPDATE_OPENAPI=1`).
pub fn check_spec(name: &str, spec: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = root.join("openapi").join(format!("{name}.json"));
    let generated = format!("{spec}\n");
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write spec");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: regenerate it with `UPDATE_OPENAPI=1 cargo test` or `frontline openapi openapi/`",
        path.display()
    );
}

/// Every place in `v` that mentions `needle`: string values containing it and
/// keys containing it (case-insensitive), as JSON paths.
pub fn mentions(v: &Value, needle: &str) -> Vec<String> {
    fn walk(v: &Value, needle: &str, path: &str, out: &mut Vec<String>) {
        match v {
            Value::String(s) if s.contains(needle) => out.push(path.to_string()),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(x, needle, &format!("{path}[{i}]"), out)),
            Value::Object(o) => {
                for (k, x) in o {
                    if k.to_lowercase().contains(&needle.to_lowercase()) {
                        out.push(format!("{path}.{k} (key)"));
                    }
                    walk(x, needle, &format!("{path}.{k}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, needle, "$", &mut out);
    out
}

/// Fails when `v` (an answer called `what`) mentions `needle` anywhere.
pub fn assert_absent(v: &Value, needle: &str, what: &str) {
    let hits = mentions(v, needle);
    assert!(
        hits.is_empty(),
        "{what} exposes {needle:?} at {hits:?}: {v}"
    );
}

/// One numeric input of an endpoint, for numeric-extremes tests: the request
/// (`path` may hold `{n}` where a query value goes; otherwise the value goes
/// into `body` at the JSON `pointer`, which must exist; `{uniq}` in it becomes a
/// fresh value on every request) and the range the
/// server accepts (`integer` fields also refuse fractions).
#[derive(Debug, Clone)]
pub struct NumericInput {
    pub method: &'static str,
    pub path: String,
    pub body: Option<Value>,
    pub pointer: &'static str,
    pub integer: bool,
    pub min: f64,
    pub max: f64,
}

impl NumericInput {
    /// A body field: `body` with `pointer` set to a value in range.
    pub fn body(
        method: &'static str,
        path: impl Into<String>,
        body: Value,
        pointer: &'static str,
    ) -> Self {
        NumericInput {
            method,
            path: path.into(),
            body: Some(body),
            pointer,
            integer: true,
            min: f64::MIN,
            max: f64::MAX,
        }
    }
    /// A query value: `path` holds `{n}` where it goes.
    pub fn query(path: impl Into<String>) -> Self {
        NumericInput {
            method: "GET",
            path: path.into(),
            body: None,
            pointer: "",
            integer: true,
            min: f64::MIN,
            max: f64::MAX,
        }
    }
    /// Accepted from `min` to `max` (inclusive).
    pub fn range(mut self, min: f64, max: f64) -> Self {
        self.min = min;
        self.max = max;
        self
    }
    /// A float field (fractions are fine).
    pub fn float(mut self) -> Self {
        self.integer = false;
        self
    }
    /// Whether the server must refuse `v` (out of range, or a fraction for an integer).
    pub fn refuses(&self, v: &Value) -> bool {
        let within = |f: f64| (self.min..=self.max).contains(&f);
        if self.integer {
            // A whole float (2.0, -0.0) may be read as an integer; a fraction may not.
            let whole = v
                .as_i64()
                .map(|i| i as f64)
                .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18));
            whole.is_none_or(|f| !within(f))
        } else {
            v.as_f64().is_none_or(|f| !within(f))
        }
    }
}

/// The exact extremes every numeric input is tried with.
pub fn numeric_extremes() -> Vec<Value> {
    vec![
        Value::from(i64::MIN),
        Value::from(i64::MAX),
        Value::from(u64::MAX),
        Value::from(-1),
        Value::from(0),
        Value::from(1e308),
        Value::from(-1e308),
        Value::from(1.5),
    ]
}

impl TestApp {
    /// Sends `input` with `v` as `token` (a bearer token, or a whole
    /// `Authorization` value when it holds a space): never a 5xx; a 4xx whose body
    /// satisfies `error_body` (the module's error body) when the value is out
    /// of range. `Err` says what went wrong (for `prop_assert`-style use).
    pub async fn probe_numeric(
        &self,
        token: &str,
        input: &NumericInput,
        v: &Value,
        error_body: fn(&Value) -> bool,
    ) -> Result<(), String> {
        let n = v.to_string();
        let url = input.path.replace("{n}", &n);
        let body = match &input.body {
            Some(b) => {
                let mut b = b.clone();
                let slot = b
                    .pointer_mut(input.pointer)
                    .ok_or_else(|| format!("{} has no {}", url, input.pointer))?;
                *slot = v.clone();
                // `{uniq}` in the body becomes a fresh value (names that must be unique).
                let text = b
                    .to_string()
                    .replace("{uniq}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
                Some(serde_json::from_str(&text).map_err(|e| e.to_string())?)
            }
            None => None,
        };
        let sent = body.clone();
        let r = if token.contains(' ') {
            // A whole Authorization value (e.g. `ApiKey …`).
            let c = &self.client;
            let req = match input.method {
                "GET" => c.get(&url),
                "PUT" => c.put(&url),
                "PATCH" => c.patch(&url),
                _ => c.post(&url),
            }
            .header("Authorization", token);
            let resp = match body {
                Some(b) => req.body_json(&b).send().await,
                None => req.send().await,
            };
            let status = resp.0.status();
            let headers = resp.0.headers().clone();
            let text = resp.0.into_body().into_string().await.unwrap_or_default();
            Reply {
                status,
                body: serde_json::from_str(&text).unwrap_or(Value::Null),
                headers,
            }
        } else {
            self.call(input.method, &url, Some(token), body).await
        };
        let what = format!(
            "{} {url} {}={n}: {} {}",
            input.method, input.pointer, r.status, r.body
        );
        if r.status.is_server_error() || r.body.is_null() && !r.status.is_success() {
            return Err(format!("{what} (sent {sent:?})"));
        }
        if input.refuses(v) {
            if !r.status.is_client_error() {
                return Err(format!("accepted out-of-range value: {what}"));
            }
            if !error_body(&r.body) {
                return Err(format!("not the module's error body: {what}"));
            }
        }
        Ok(())
    }

    /// [`TestApp::probe_numeric`] with every value of [`numeric_extremes`]
    /// on every input; panics listing all failures.
    pub async fn assert_numeric_extremes(
        &self,
        token: &str,
        inputs: &[NumericInput],
        error_body: fn(&Value) -> bool,
    ) {
        let mut failures = Vec::new();
        for input in inputs {
            for v in numeric_extremes() {
                if let Err(e) = self.probe_numeric(token, input, &v, error_body).await {
                    failures.push(e);
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

/// What a test SMTP server received: (envelope recipients, message data).
pub type SmtpInbox = std::sync::Arc<std::sync::Mutex<Vec<(Vec<String>, String)>>>;

/// A tiny SMTP server on 127.0.0.1 that accepts every message and records it,
/// for tests of the platform's mail service. Returns its port and inbox.
pub async fn smtp_server() -> (u16, SmtpInbox) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a test SMTP port");
    let port = listener.local_addr().expect("a local address").port();
    let got: SmtpInbox = Default::default();
    let store = got.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 test.local ESMTP\r\n").await;
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_uppercase();
                    let answer: &[u8] = if upper.starts_with("RCPT TO") {
                        rcpt.push(
                            line[8..]
                                .trim()
                                .trim_matches(|c| c == '<' || c == '>')
                                .to_string(),
                        );
                        b"250 OK\r\n"
                    } else if upper == "DATA" {
                        let _ = w.write_all(b"354 go ahead\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        if let Ok(mut inbox) = store.lock() {
                            inbox.push((std::mem::take(&mut rcpt), data));
                        }
                        b"250 queued\r\n"
                    } else if upper == "QUIT" {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    let _ = w.write_all(answer).await;
                }
            });
        }
    });
    (port, got)
}

/// The `p` quantile (0–1) of sorted samples, by nearest rank (0 for none):
/// what the benches print as p50/p95/p99.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[idx]
}
