//! SQLite storage: one database file, an r2d2 pool, WAL, and per-module
//! versioned migrations. Blocking work runs on tokio's blocking pool; write
//! transactions start with `BEGIN IMMEDIATE` so two writers never deadlock on
//! a read-to-write upgrade, and an in-process semaphore keeps them in order.
//!
//! **Group commit.** Writes that queue while another write holds the lock
//! share one transaction: the next holder takes every queued write (up to
//! [`MAX_GROUP`]), runs each inside its own `SAVEPOINT` (a write that fails
//! or panics rolls back only itself) and commits once. Every caller gets its
//! own answer only after that `COMMIT`, so an acknowledged write is as
//! durable as one committed alone. A write that SQLite aborts as a whole
//! (disk full, I/O error) fails the writes run before it in the same group
//! with its error; the writes after it get a transaction of their own.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use tokio::sync::{oneshot, Semaphore};

use crate::error::{ApiError, ApiResult};
use crate::metrics::Histogram;

pub type Pool = r2d2::Pool<SqliteConnectionManager>;

/// The migrations of one module: step N (1-based) is `steps[N-1]`.
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    pub module: &'static str,
    pub steps: &'static [&'static str],
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot open the database at {path}: {source}")]
    Open {
        path: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(
        "the database was written by a newer Frontline: module '{module}' is at schema \
         version {found}, this build knows up to {known}. Run a newer frontline, or restore a backup."
    )]
    TooNew {
        module: String,
        found: i64,
        known: i64,
    },
    #[error("migration {version} of module '{module}' failed: {source}")]
    Migration {
        module: String,
        version: i64,
        source: rusqlite::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database pool error: {0}")]
    Pool(#[from] r2d2::Error),
}

#[derive(Clone)]
pub struct Db {
    pool: Pool,
    /// The write lock: its holder runs the queued writes as one group.
    writer: Arc<Semaphore>,
    /// Writes waiting for the lock, oldest first.
    queue: Arc<Mutex<VecDeque<Box<dyn QueuedWrite>>>>,
    stats: Arc<DbStats>,
}

/// Most writes one transaction takes from the queue.
pub const MAX_GROUP: usize = 64;

/// What the database layer measures for `/metrics`.
#[derive(Debug, Default)]
pub struct DbStats {
    /// Time to get a pooled connection.
    pub pool_wait: Histogram,
    /// Time a write waits for the write lock (the in-process writer queue and
    /// SQLite's `BEGIN IMMEDIATE`).
    pub write_lock_wait: Histogram,
    /// Time a write holds the write lock, `BEGIN IMMEDIATE` to commit or rollback.
    pub write_lock_hold: Histogram,
    /// Writes committed (each caller's write counts once, grouped or not).
    pub commits: AtomicU64,
    /// Writes rolled back (their own error, or the group's commit failed).
    pub rollbacks: AtomicU64,
    /// Write transactions committed: fewer than `commits` when concurrent
    /// writes shared a commit.
    pub group_commits: AtomicU64,
    /// Writes that shared their transaction with at least one other write.
    pub grouped_writes: AtomicU64,
    pub reads: AtomicU64,
    /// Operations refused because the database stayed busy or locked.
    pub busy_errors: AtomicU64,
    /// Operations refused because the disk was full.
    pub full_errors: AtomicU64,
}

impl DbStats {
    fn count_error(&self, err: &ApiError) {
        if err.code.as_deref() == Some("STORAGE_FULL") {
            self.full_errors.fetch_add(1, Ordering::Relaxed);
        } else if err.message == crate::error::DATABASE_BUSY {
            self.busy_errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn get(&self, pool: &Pool) -> ApiResult<r2d2::PooledConnection<SqliteConnectionManager>> {
        let started = Instant::now();
        let conn = pool.get();
        self.pool_wait.observe_since(started);
        Ok(conn?)
    }
}

/// Page cache per pooled connection, in KiB (SQLite's negative form). With
/// `POOL_SIZE` connections this bounds the server's own database cache at
/// 32 MiB (it was 8 MiB each, 128 MiB in all: most of the resident growth
/// under load); the OS page cache serves the rest of the file, shared.
const CACHE_KIB: i64 = 2 * 1024;
/// Prepared statements kept per pooled connection (see `init_connection`).
pub const STATEMENT_CACHE: usize = 128;
/// Connections in the pool: readers run in parallel, writers queue on `writer`.
const POOL_SIZE: u32 = 16;

/// Statement recording for query-plan tests ([`crate::testing::TestApp::plans_of`]):
/// when [`trace_statements`] was called before a pool opened, each of its
/// connections reports the SQL it runs (parameters inlined) while a capture is
/// active. Never switched on by the server itself.
pub mod statements {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Mutex;

    pub(super) static TRACE: AtomicBool = AtomicBool::new(false);
    static CAPTURES: AtomicUsize = AtomicUsize::new(0);
    /// Each statement run, and whether it was prepared for this run (its
    /// first run) rather than reused from a connection's statement cache.
    static RECORDED: Mutex<Vec<(String, bool)>> = Mutex::new(Vec::new());

    /// Pools opened from now on trace their statements (tests only).
    pub fn trace_statements() {
        TRACE.store(true, Ordering::SeqCst);
    }

    /// Starts recording; returns the position to read from with [`finish`].
    pub fn start() -> usize {
        CAPTURES.fetch_add(1, Ordering::SeqCst);
        RECORDED.lock().map(|r| r.len()).unwrap_or(0)
    }

    /// Stops one recording; returns the statements run since `from`
    /// (by any traced pool in this process).
    pub fn finish(from: usize) -> Vec<String> {
        finish_marked(from)
            .into_iter()
            .map(|(sql, _)| sql)
            .collect()
    }

    /// [`finish`], with each statement marked `true` when it was freshly
    /// prepared for that run (parsed and planned) rather than reused.
    pub fn finish_marked(from: usize) -> Vec<(String, bool)> {
        let mut rec = match RECORDED.lock() {
            Ok(r) => r,
            Err(p) => p.into_inner(),
        };
        let out = rec.get(from..).map(<[_]>::to_vec).unwrap_or_default();
        if CAPTURES.fetch_sub(1, Ordering::SeqCst) == 1 {
            rec.clear();
        }
        out
    }

    pub(super) fn on_event(ev: rusqlite::trace::TraceEvent<'_>) {
        if CAPTURES.load(Ordering::Relaxed) == 0 {
            return;
        }
        if let rusqlite::trace::TraceEvent::Stmt(stmt, text) = ev {
            // A trigger's program reports the outer statement again, with its
            // text as `-- TRIGGER name`: recorded as that, not as a repeat.
            let sql = if text.starts_with("--") {
                text.to_string()
            } else {
                stmt.expanded_sql()
                    .unwrap_or_else(|| stmt.sql().into_owned())
            };
            // A statement that has never run before was prepared for this run.
            let fresh = stmt.get_status(rusqlite::StatementStatus::Run) == 0;
            if let Ok(mut rec) = RECORDED.lock() {
                rec.push((sql, fresh));
            }
        }
    }
}

fn init_connection(conn: &mut Connection) -> Result<(), rusqlite::Error> {
    if statements::TRACE.load(Ordering::Relaxed) {
        conn.trace_v2(
            rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT,
            Some(statements::on_event),
        );
    }
    // Table generations for cached list outlines (`db_paging`).
    conn.update_hook(Some(|_, _: &str, table: &str, _| {
        crate::db_paging::touched(table)
    }))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // Sorts and temporary indexes past the page cache spill to a temporary
    // file (the OS caches it; it is not the server's memory). In memory, one
    // unindexed sort of 100 000 rows held its whole result in the heap, per
    // concurrent request: most of the 1.1 GiB of the 100k-row soak.
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = NORMAL;
         PRAGMA temp_store = FILE;",
    )?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    // Parsing and planning a statement cost more than running most of them
    // (a scenario get spent a fifth of its CPU in `sqlite3_prepare`): code on
    // a request path uses `prepare_cached`, and each connection keeps this
    // many prepared statements (rusqlite's default is 16, fewer than one
    // module's hot statements).
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

/// Turns off SQLite's allocation statistics, once per process and before
/// SQLite's first use (later it is refused, harmlessly). With them on, every
/// `sqlite3_malloc` and `free` takes one process-wide mutex to count bytes;
/// under concurrent list requests waiting on it was about 15% of the server's
/// CPU (perf of the release bench, deep contact-center pages). Nothing here
/// reads those statistics (`sqlite3_memory_used`, the soft heap limit).
fn configure_sqlite_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config with SQLITE_CONFIG_MEMSTATUS takes one int;
        // it only returns SQLITE_MISUSE if SQLite is already initialised.
        unsafe {
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
                0 as std::os::raw::c_int,
            );
        }
    });
}

impl Db {
    /// Opens (creating if needed) the database file and its pool.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        configure_sqlite_once();
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| DbError::Open {
                path: path.display().to_string(),
                source: Box::new(e),
            })?;
        }
        // Owner-only from the first byte; SQLite gives -wal and -shm the
        // database file's mode.
        create_private(path).map_err(|e| DbError::Open {
            path: path.display().to_string(),
            source: Box::new(e),
        })?;
        // WAL is a property of the file: set it once, outside the pool.
        {
            let conn = Connection::open(path).map_err(|e| DbError::Open {
                path: path.display().to_string(),
                source: Box::new(e),
            })?;
            conn.busy_timeout(Duration::from_secs(10))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        let manager = SqliteConnectionManager::file(path).with_init(init_connection);
        // Connections open when load needs them and close after a minute
        // idle, taking their page cache with them: an idle server keeps one.
        // No probe statement on checkout (r2d2_sqlite's default runs
        // `SELECT 1` each time): a SQLite file connection does not go stale
        // like a network one, and the probe cost a statement per request.
        let pool = r2d2::Pool::builder()
            .test_on_check_out(false)
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .idle_timeout(Some(Duration::from_secs(60)))
            .connection_timeout(Duration::from_secs(15))
            .build(manager)?;
        Ok(Db {
            pool,
            writer: Arc::new(Semaphore::new(1)),
            queue: Arc::new(Mutex::new(VecDeque::new())),
            stats: Arc::new(DbStats::default()),
        })
    }

    /// What this database has measured (for `/metrics`).
    pub fn stats(&self) -> &DbStats {
        &self.stats
    }

    /// Writes waiting for the write lock (they will share the next transaction).
    pub fn queued_writes(&self) -> usize {
        lock(&self.queue).len()
    }

    /// The pool's idle and open connections.
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.idle_connections, state.connections)
    }

    /// A pooled connection, for blocking code that already runs off the async threads.
    pub fn conn(&self) -> ApiResult<r2d2::PooledConnection<SqliteConnectionManager>> {
        self.stats.get(&self.pool)
    }

    /// Runs read-only work on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        let stats = self.stats.clone();
        tokio::task::spawn_blocking(move || read_with(&stats, &pool, f))
            .await
            .map_err(|e| join_error(&e))?
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction on the blocking pool;
    /// commits when it returns `Ok`, rolls back otherwise. Writes queued at the
    /// same time may share the transaction (group commit, see the module
    /// docs): `f` then runs inside its own savepoint, and its `Ok` is answered
    /// only once the shared transaction has committed.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> ApiResult<T> + Send + 'static,
    {
        let (reply, mut answer) = oneshot::channel();
        lock(&self.queue).push_back(Box::new(Pending {
            f,
            reply,
            queued: Instant::now(),
        }));
        loop {
            tokio::select! {
                biased;
                out = &mut answer => {
                    return out.unwrap_or_else(|_| Err(ApiError::internal("Internal error")));
                }
                permit = self.writer.clone().acquire_owned() => {
                    let permit = permit
                        .map_err(|_| ApiError::unavailable("Database is shutting down"))?;
                    let group: Vec<Box<dyn QueuedWrite>> = {
                        let mut q = lock(&self.queue);
                        let n = q.len().min(MAX_GROUP);
                        q.drain(..n).collect()
                    };
                    if group.is_empty() {
                        // Another holder took this write; its answer comes on `answer`.
                        drop(permit);
                        return (&mut answer)
                            .await
                            .unwrap_or_else(|_| Err(ApiError::internal("Internal error")));
                    }
                    let pool = self.pool.clone();
                    let stats = self.stats.clone();
                    // Not awaited: the answers come on the callers' channels,
                    // and the group finishes even when this caller goes away.
                    tokio::task::spawn_blocking(move || {
                        let _permit = permit;
                        run_group(&stats, &pool, group);
                    });
                }
            }
        }
    }

    /// The same as [`Db::write`], for code already on a blocking thread (CLI, jobs).
    pub fn write_blocking<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&Transaction) -> ApiResult<T>,
    {
        let queued = Instant::now();
        let mut conn = self.stats.get(&self.pool)?;
        write_tx(&self.stats, &mut conn, queued, f)
    }

    /// The same as [`Db::read`], for code already on a blocking thread.
    pub fn read_blocking<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&Connection) -> ApiResult<T>,
    {
        read_with(&self.stats, &self.pool, f)
    }

    /// Applies every pending migration of every module, in order.
    /// Returns the `(module, from, to)` steps that ran.
    pub fn migrate(&self, sets: &[Migrations]) -> Result<Vec<(String, i64, i64)>, DbError> {
        let mut conn = self.pool.get()?;
        migrate(&mut conn, sets)
    }

    /// Writes a consistent copy of the live database to `dest` while writers go on.
    pub fn backup_to(&self, dest: &Path) -> ApiResult<()> {
        if dest.exists() {
            return Err(ApiError::conflict(format!(
                "{} already exists; choose a new file name",
                dest.display()
            )));
        }
        let conn = self.pool.get()?;
        conn.execute("VACUUM INTO ?1", [dest.to_string_lossy().as_ref()])?;
        Ok(())
    }

    /// Folds the WAL back into the main file (on shutdown).
    pub fn checkpoint(&self) -> ApiResult<()> {
        let conn = self.pool.get()?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// `SELECT 1` with its latency in milliseconds, for health checks.
    pub async fn ping(&self) -> ApiResult<f64> {
        let started = std::time::Instant::now();
        self.read(|conn| {
            conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?;
            Ok(())
        })
        .await?;
        Ok(started.elapsed().as_secs_f64() * 1000.0)
    }
}

fn read_with<T, F>(stats: &DbStats, pool: &Pool, f: F) -> ApiResult<T>
where
    F: FnOnce(&Connection) -> ApiResult<T>,
{
    let conn = stats.get(pool)?;
    stats.reads.fetch_add(1, Ordering::Relaxed);
    let out = f(&conn);
    if let Err(e) = &out {
        stats.count_error(e);
    }
    out
}

/// One write transaction, measured: `queued` is when the caller started
/// waiting for the write lock.
fn write_tx<T, F>(stats: &DbStats, conn: &mut Connection, queued: Instant, f: F) -> ApiResult<T>
where
    F: FnOnce(&Transaction) -> ApiResult<T>,
{
    crate::db_paging::begin();
    let out = (|| {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ApiError::from);
        stats.write_lock_wait.observe_since(queued);
        let tx = tx?;
        let held = Instant::now();
        let out = match f(&tx) {
            Ok(out) => out,
            Err(e) => {
                drop(tx);
                stats.write_lock_hold.observe_since(held);
                stats.rollbacks.fetch_add(1, Ordering::Relaxed);
                return Err(e);
            }
        };
        let committed = tx.commit();
        stats.write_lock_hold.observe_since(held);
        match committed {
            Ok(()) => {
                stats.commits.fetch_add(1, Ordering::Relaxed);
                stats.group_commits.fetch_add(1, Ordering::Relaxed);
                Ok(out)
            }
            Err(e) => {
                stats.rollbacks.fetch_add(1, Ordering::Relaxed);
                Err(ApiError::from(e))
            }
        }
    })();
    crate::db_paging::end();
    if let Err(e) = &out {
        stats.count_error(e);
    }
    out
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// A write waiting in the queue, its result type erased.
trait QueuedWrite: Send {
    /// The caller stopped waiting (its request went away) before the write ran.
    fn abandoned(&self) -> bool;
    fn queued(&self) -> Instant;
    /// Runs the write in `tx`; its answer waits in the returned value until
    /// the transaction ends.
    fn run(self: Box<Self>, tx: &Transaction) -> Box<dyn RanWrite>;
    /// Answers with `err` without running.
    fn fail(self: Box<Self>, err: ApiError);
}

/// A write that ran, waiting for its group's outcome.
trait RanWrite: Send {
    fn succeeded(&self) -> bool;
    /// The write's own error, if it failed.
    fn error(&self) -> Option<ApiError>;
    /// The group committed (`None`) or failed with `Some(err)`: a write that
    /// succeeded answers its value or that error; a failed one its own error.
    fn finish(self: Box<Self>, group_error: Option<&ApiError>);
}

struct Pending<T, F> {
    f: F,
    reply: oneshot::Sender<ApiResult<T>>,
    queued: Instant,
}

struct Ran<T> {
    out: ApiResult<T>,
    reply: oneshot::Sender<ApiResult<T>>,
}

impl<T, F> QueuedWrite for Pending<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Transaction) -> ApiResult<T> + Send + 'static,
{
    fn abandoned(&self) -> bool {
        self.reply.is_closed()
    }

    fn queued(&self) -> Instant {
        self.queued
    }

    fn run(self: Box<Self>, tx: &Transaction) -> Box<dyn RanWrite> {
        let Pending { f, reply, .. } = *self;
        Box::new(Ran { out: f(tx), reply })
    }

    fn fail(self: Box<Self>, err: ApiError) {
        let _ = self.reply.send(Err(err));
    }
}

impl<T: Send + 'static> RanWrite for Ran<T> {
    fn succeeded(&self) -> bool {
        self.out.is_ok()
    }

    fn error(&self) -> Option<ApiError> {
        self.out.as_ref().err().cloned()
    }

    fn finish(self: Box<Self>, group_error: Option<&ApiError>) {
        let out = match (self.out, group_error) {
            (Ok(_), Some(e)) => Err(e.clone()),
            (out, _) => out,
        };
        let _ = self.reply.send(out);
    }
}

/// Runs `group` (taken from the queue, oldest first) in as few transactions
/// as possible, then answers every caller.
fn run_group(stats: &DbStats, pool: &Pool, group: Vec<Box<dyn QueuedWrite>>) {
    let mut waiting: VecDeque<Box<dyn QueuedWrite>> =
        group.into_iter().filter(|w| !w.abandoned()).collect();
    if waiting.is_empty() {
        return;
    }
    let mut conn = match stats.get(pool) {
        Ok(c) => c,
        Err(e) => {
            stats.count_error(&e);
            for w in waiting {
                stats.rollbacks.fetch_add(1, Ordering::Relaxed);
                w.fail(e.clone());
            }
            return;
        }
    };
    while !waiting.is_empty() {
        crate::db_paging::begin();
        one_transaction(stats, &mut conn, &mut waiting);
        crate::db_paging::end();
    }
}

/// Runs writes from the front of `waiting` in one transaction and answers
/// them; returns with writes left only when SQLite ended the transaction
/// early (the writes left get the next one).
fn one_transaction(
    stats: &DbStats,
    conn: &mut Connection,
    waiting: &mut VecDeque<Box<dyn QueuedWrite>>,
) {
    let began = conn.transaction_with_behavior(TransactionBehavior::Immediate);
    for w in waiting.iter() {
        stats.write_lock_wait.observe_since(w.queued());
    }
    let tx = match began {
        Ok(tx) => tx,
        Err(e) => {
            let e = ApiError::from(e);
            stats.count_error(&e);
            for w in waiting.drain(..) {
                stats.rollbacks.fetch_add(1, Ordering::Relaxed);
                w.fail(e.clone());
            }
            return;
        }
    };
    let held = Instant::now();
    // One write alone needs no savepoint: the transaction is its own, and
    // it is rolled back below when the write fails.
    let alone = waiting.len() == 1;
    let mut ran: Vec<Box<dyn RanWrite>> = Vec::with_capacity(waiting.len());
    let mut aborted: Option<ApiError> = None;
    while let Some(w) = waiting.pop_front() {
        if !alone {
            if let Err(e) = tx.execute_batch("SAVEPOINT frontline_write") {
                let e = ApiError::from(e);
                stats.rollbacks.fetch_add(1, Ordering::Relaxed);
                w.fail(e.clone());
                aborted = Some(e);
                break;
            }
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| w.run(&tx)));
        let ok = matches!(&outcome, Ok(r) if r.succeeded());
        if let Err(panic) = &outcome {
            // The caller's channel went with the panic: it answers "Internal error".
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(panic = %what, "a write panicked; rolled back");
        }
        if tx.is_autocommit() {
            // SQLite rolled the whole transaction back (disk full, I/O error):
            // the writes before this one went with it and fail with its error.
            let e = match &outcome {
                Ok(r) => r.error(),
                Err(_) => None,
            }
            .unwrap_or_else(|| ApiError::internal("Database error").with_code("DATABASE_ERROR"));
            stats.rollbacks.fetch_add(1, Ordering::Relaxed);
            if let Ok(r) = outcome {
                r.finish(Some(&e));
            }
            aborted = Some(e);
            break;
        }
        if !alone {
            let end = if ok {
                "RELEASE frontline_write"
            } else {
                "ROLLBACK TO frontline_write; RELEASE frontline_write"
            };
            if let Err(e) = tx.execute_batch(end) {
                aborted = Some(ApiError::from(e));
                if let Ok(r) = outcome {
                    ran.push(r);
                }
                break;
            }
        }
        match outcome {
            Ok(r) => ran.push(r),
            Err(_) => {
                stats.rollbacks.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    let kept = ran.iter().filter(|r| r.succeeded()).count();
    let result = match aborted {
        Some(e) => {
            drop(tx);
            Err(e)
        }
        // Nothing to keep (a write alone that failed leaves no savepoint to
        // have undone its rows): roll everything back.
        None if kept == 0 => {
            drop(tx);
            Ok(())
        }
        None => tx.commit().map_err(ApiError::from),
    };
    stats.write_lock_hold.observe_since(held);
    if result.is_ok() && kept > 0 {
        stats.group_commits.fetch_add(1, Ordering::Relaxed);
        if kept > 1 {
            stats
                .grouped_writes
                .fetch_add(kept as u64, Ordering::Relaxed);
        }
    }
    if let Err(e) = &result {
        stats.count_error(e);
    }
    for r in ran {
        if let Some(e) = r.error() {
            stats.count_error(&e);
        }
        if r.succeeded() && result.is_ok() {
            stats.commits.fetch_add(1, Ordering::Relaxed);
        } else {
            stats.rollbacks.fetch_add(1, Ordering::Relaxed);
        }
        r.finish(result.as_ref().err());
    }
}

fn join_error(e: &tokio::task::JoinError) -> ApiError {
    tracing::error!(error = %e, "blocking database task failed");
    ApiError::internal("Internal error")
}

fn migrate(conn: &mut Connection, sets: &[Migrations]) -> Result<Vec<(String, i64, i64)>, DbError> {
    // Reads first: an up-to-date database is opened without taking the write
    // lock, so CLI commands (`backup`) work beside a busy server.
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
            module TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            applied_at TEXT NOT NULL
        )",
        )?;
    }
    // Refuse a newer database before touching anything.
    for set in sets {
        let found = current_version(conn, set.module)?;
        let known = set.steps.len() as i64;
        if found > known {
            return Err(DbError::TooNew {
                module: set.module.to_string(),
                found,
                known,
            });
        }
    }
    let mut ran = Vec::new();
    for set in sets {
        let from = current_version(conn, set.module)?;
        for (index, sql) in set.steps.iter().enumerate().skip(from as usize) {
            let version = index as i64 + 1;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(sql).map_err(|source| DbError::Migration {
                module: set.module.to_string(),
                version,
                source,
            })?;
            tx.execute(
                "INSERT INTO schema_migrations (module, version, applied_at)
                 VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
                 ON CONFLICT(module) DO UPDATE SET version = excluded.version,
                                                   applied_at = excluded.applied_at",
                rusqlite::params![set.module, version],
            )?;
            tx.commit()?;
        }
        let to = set.steps.len() as i64;
        if to > from {
            ran.push((set.module.to_string(), from, to));
        }
    }
    Ok(ran)
}

fn current_version(conn: &Connection, module: &str) -> Result<i64, rusqlite::Error> {
    Ok(conn
        .query_row(
            "SELECT version FROM schema_migrations WHERE module = ?1",
            [module],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Creates `path` (empty) readable and writable by the owner only, unless it
/// exists; an existing file, and its `-wal`/`-shm`, are restricted to 0600.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600);
    }
    match open.open(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = std::path::PathBuf::from(p);
            if p.exists() {
                if let Err(e) = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                {
                    tracing::warn!(file = %p.display(), error = %e, "cannot restrict the file to 0600");
                }
            }
        }
    }
    Ok(())
}

/// Writes `bytes` to `path`, created owner-only (0600) before the first byte.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600);
    }
    let mut f = open.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &[&str] = &[
        "CREATE TABLE t_a (id INTEGER PRIMARY KEY)",
        "ALTER TABLE t_a ADD COLUMN name TEXT",
    ];

    #[test]
    fn migrations_apply_once_and_refuse_newer_databases() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("x.db")).unwrap();
        let first = db
            .migrate(&[Migrations {
                module: "t",
                steps: STEPS,
            }])
            .unwrap();
        assert_eq!(first, vec![("t".to_string(), 0, 2)]);
        let again = db
            .migrate(&[Migrations {
                module: "t",
                steps: STEPS,
            }])
            .unwrap();
        assert!(again.is_empty());
        // An older build that knows only the first step must refuse this file.
        let err = db
            .migrate(&[Migrations {
                module: "t",
                steps: &STEPS[..1],
            }])
            .unwrap_err();
        assert!(
            matches!(
                err,
                DbError::TooNew {
                    found: 2,
                    known: 1,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_write_alone_that_panics_leaves_nothing_and_the_next_one_commits() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("x.db")).unwrap();
        db.migrate(&[Migrations {
            module: "t",
            steps: STEPS,
        }])
        .unwrap();
        let res: ApiResult<()> = db
            .write(|tx| {
                tx.execute("INSERT INTO t_a (id, name) VALUES (1, 'a')", [])?;
                panic!("boom")
            })
            .await;
        assert_eq!(res.unwrap_err().message, "Internal error");
        db.write(|tx| {
            tx.execute("INSERT INTO t_a (id, name) VALUES (2, 'b')", [])?;
            Ok(())
        })
        .await
        .unwrap();
        let ids: Vec<i64> = db
            .read(|c| {
                let mut st = c.prepare("SELECT id FROM t_a ORDER BY id")?;
                let rows = st.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await
            .unwrap();
        assert_eq!(ids, vec![2]);
        assert_eq!(db.queued_writes(), 0);
    }

    #[test]
    fn sorts_spill_to_a_file_not_the_heap() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("x.db")).unwrap();
        // 1 = FILE: a sort larger than the page cache goes to a temporary file.
        let mode: i64 = db
            .read_blocking(|c| Ok(c.query_row("PRAGMA temp_store", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(mode, 1);
    }

    #[tokio::test]
    async fn failed_write_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("x.db")).unwrap();
        db.migrate(&[Migrations {
            module: "t",
            steps: STEPS,
        }])
        .unwrap();
        let res: ApiResult<()> = db
            .write(|tx| {
                tx.execute("INSERT INTO t_a (id, name) VALUES (1, 'a')", [])?;
                Err(ApiError::conflict("stop"))
            })
            .await;
        assert!(res.is_err());
        let count: i64 = db
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM t_a", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(count, 0);
    }
}
