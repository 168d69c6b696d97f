//! Search: named tantivy indexes under `<data-dir>/index/<name>`, kept in step
//! with the database through an outbox written in the same transaction as the
//! change, with lenient queries, BM25 field boosts, typo tolerance, filters,
//! normalised scores, matched fields and `<em>` highlights.
//!
//! ```ignore
//! use frontline_platform::search::{self, IndexSchema, SearchQuery, SortOrder};
//!
//! // 1. Declare the index (idempotent and cached: call it where you need it).
//! fn articles(p: &Platform) -> ApiResult<search::SearchIndex> {
//!     p.search.index(
//!         IndexSchema::new("contact-center.articles")
//!             .text("title", 3.0)          // stored + highlighted, boosted
//!             .text("body", 1.0)
//!             .keyword("tenant")           // exact filters
//!             .keywords("tags")            // a list: any value matches
//!             .integer("updatedAt"),       // range filters, sorting
//!     )
//! }
//!
//! // 2. Stage index writes in the SAME transaction as the row they describe.
//! p.db.write(move |tx| {
//!     store::insert_article(tx, &a)?;
//!     search::stage_upsert(tx, "contact-center.articles", &a.id, &json!({
//!         "title": a.title, "body": a.body, "tenant": a.tenant,
//!         "tags": a.tags, "updatedAt": a.updated_ms,
//!     }))?;
//!     Ok(())
//! }).await?;
//! // ...and `search::stage_delete(tx, index, id)` when the row goes.
//!
//! // 3. Query (staged writes are always visible to the next query).
//! let idx = articles(&p)?;
//! let res = p.search.query(&idx, SearchQuery::new(user_text)
//!     .filter("tenant", tenant_id)
//!     .range("updatedAt", Some(since_ms as f64), None)
//!     .page(page, per_page)).await?;
//! for hit in res.hits {
//!     // hit.id, hit.score, hit.normalized_score (0..1), hit.coverage (0..1),
//!     // hit.matched_fields, hit.highlights["title"] = "… <em>refund</em> …",
//!     // hit.fields (stored values)
//! }
//!
//! // 4. `frontline reindex` and a fresh data dir: your module's reindex hook.
//! pub fn reindex(p: &Platform) -> ApiResult<u64> {
//!     let idx = articles(p)?;
//!     p.search.rebuild_blocking(&idx, |conn, out| {
//!         let mut stmt = conn.prepare("SELECT id, title, body, tenant FROM cc_articles")?;
//!         let mut rows = stmt.query([])?;
//!         while let Some(r) = rows.next()? {
//!             out.add(&r.get::<_, String>(0)?, &json!({"title": r.get::<_, String>(1)?, /* … */}))?;
//!         }
//!         Ok(())
//!     })
//! }
//! ```
//!
//! Do not query inside a `db.write` closure: a query may first apply staged
//! writes, which needs the database's write lock your transaction holds.
//! (`stage_*` belong inside it; `query` after it.)
//!
//! Limits (query complexity): a search box sends at most
//! [`MAX_QUERY_CHARS`] characters and [`MAX_QUERY_TERMS`] words: call
//! [`check_text`] with the parameter's name on user input to refuse more with
//! the module's validation error. Whatever reaches [`Search::query`] runs at
//! most [`ENGINE_MAX_TERMS`] words (the rest of a longer machine text, such
//! as a chat message matched against articles, is ignored), and a misspelt
//! or unfinished word stands for at most [`MAX_EXPANSIONS`] index words, so
//! no request builds an unbounded query.
//!
//! Cost: a ranked page reads only what can reach it. Any-word text is one
//! flat union of term queries, so tantivy's block-max WAND skips blocks of
//! documents that cannot beat the page's worst score; filters and exclusions
//! are a bit set per segment checked per candidate (kept per index state);
//! a phrase is led by the postings of its adjacent word pairs (each text
//! field has a pair twin) and by the filters, so its positions are read only
//! for documents that can match; a word query's total is counted from its
//! terms' doc ids without scores, once per query and index state (a later
//! page, or the same query again before the index changes, reuses it, as it
//! does each typed word's expansions); matched fields, coverage and highlights are
//! computed for the page's hits only, each distinct word of their texts
//! stemmed and compared once. Lists filtering with `LIKE '%…%'` check their
//! text with [`check_substring`] ([`MAX_SUBSTRING_CHARS`]) and id lists or
//! `in` sets with [`check_values`] ([`MAX_FILTER_VALUES`]).
//!
//! Consistency: the outbox row commits or rolls back with the change. A
//! drainer applies outbox rows to the index in order, commits the index, then
//! deletes them; it runs in the background and, synchronously, before any
//! query of an index with pending rows. A crash after the DB commit leaves the
//! rows for the next start; a crash after the index commit re-applies them
//! (upserts and deletes are idempotent). A missing or corrupt index directory,
//! or a changed declaration, gives an empty index and [`Search::is_fresh`]
//! turns true: the server then runs the modules' reindex hooks.

mod bits;
mod cache;
mod facets;
mod highlight;
mod query;
mod schema;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use rusqlite::{params, Connection};
use serde_json::Value;
use tantivy::directory::MmapDirectory;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use crate::db::Db;
use crate::error::{ApiError, ApiResult};

pub use facets::FacetCount;
pub use highlight::{escape_html, within_one_edit};
pub use query::{
    last_query_work, Hit, MatchMode, QueryWork, SearchQuery, SearchResults, SortOrder,
    MAX_EXPANSIONS, MAX_LIMIT, MAX_OFFSET,
};
pub use schema::{FieldDef, FieldKind, IndexSchema};
pub use tantivy::tokenizer::Language;

use cache::QueryCache;
use query::{index_error, Ctx};
use schema::{
    build_schema, raw_analyzer, stem_analyzer, word_stem_analyzer, Fields, RAW_TOKENIZER,
};

/// This service's schema steps (its own migration chain, `platform.search`).
pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE platform_search_outbox (
    id INTEGER PRIMARY KEY,
    index_name TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete', 'delete_where')),
    doc TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX platform_search_outbox_by_index ON platform_search_outbox(index_name, id);
"#];

/// How often the background drainer looks for staged writes.
const DRAIN_INTERVAL: Duration = Duration::from_millis(250);
/// Outbox rows applied per index commit.
const DRAIN_BATCH: usize = 2000;
/// File in each index directory recording the declaration it was built for.
const FINGERPRINT_FILE: &str = "frontline-index.txt";
/// Memory of one index writer: tantivy's least. A third of it is a hash
/// table allocated whenever a writer (or its next segment) starts.
const WRITER_BYTES: usize = 15_000_000; // tantivy's MEMORY_BUDGET_NUM_BYTES_MIN
/// A writer unused this long is closed (after its merges finish), giving
/// its memory and threads back; the next write opens a new one.
const WRITER_IDLE: Duration = Duration::from_secs(20);

/// Longest search text a user may send, in characters. Longer texts are
/// refused by [`check_text`] (a search box needs far less; a pasted document
/// would only make the query slower, not better).
pub const MAX_QUERY_CHARS: usize = 512;
/// Most words one user search text may hold (each word becomes, per text
/// field, its exact term plus at most [`MAX_EXPANSIONS`] near words and as
/// many continuations). Refused above by [`check_text`].
pub const MAX_QUERY_TERMS: usize = 32;
/// Most words the engine runs for any query, whatever the caller passed:
/// later words are ignored. Bounds the work of texts no user typed (a chat
/// message matched against the knowledge base).
pub const ENGINE_MAX_TERMS: usize = 64;
/// Longest text of a substring filter (`LIKE '%…%'` over names, e-mails,
/// descriptions), in characters. Refused above by [`check_substring`].
pub const MAX_SUBSTRING_CHARS: usize = 200;
/// Most values one list filter may hold (id lists, `in` sets, repeated
/// query parameters). Refused above by [`check_values`].
pub const MAX_FILTER_VALUES: usize = 100;

/// The words of `text` as the engine sees them: (byte offset where each ends).
fn word_ends(text: &str) -> Vec<usize> {
    let mut analyzer = raw_analyzer();
    let mut ts = analyzer.token_stream(text);
    let mut out = Vec::new();
    while ts.advance() {
        out.push(ts.token().offset_to);
    }
    out
}

/// Checks user search text sent as parameter `param`: at most
/// [`MAX_QUERY_CHARS`] characters and [`MAX_QUERY_TERMS`] words; otherwise a
/// validation error on `param` (the module renders it with its own status).
/// Brackets, quotes and other punctuation are no syntax to nest: they only
/// separate words, so the word count is the query's whole complexity.
pub fn check_text(param: &str, text: &str) -> ApiResult<()> {
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(ApiError::invalid(
            param,
            format!(
                "Search text is too long ({chars} characters); at most {MAX_QUERY_CHARS} characters"
            ),
        ));
    }
    let words = word_ends(text).len();
    if words > MAX_QUERY_TERMS {
        return Err(ApiError::invalid(
            param,
            format!("Search text has too many words ({words}); at most {MAX_QUERY_TERMS} words"),
        ));
    }
    Ok(())
}

/// Checks the text of a substring filter sent as `param` (at most
/// [`MAX_SUBSTRING_CHARS`] characters).
pub fn check_substring(param: &str, text: &str) -> ApiResult<()> {
    let chars = text.chars().count();
    if chars > MAX_SUBSTRING_CHARS {
        return Err(ApiError::invalid(
            param,
            format!("Filter text is too long ({chars} characters); at most {MAX_SUBSTRING_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Checks the number of values of a list filter sent as `param` (at most
/// [`MAX_FILTER_VALUES`]).
pub fn check_values(param: &str, count: usize) -> ApiResult<()> {
    if count > MAX_FILTER_VALUES {
        return Err(ApiError::invalid(
            param,
            format!("Too many values ({count}); at most {MAX_FILTER_VALUES}"),
        ));
    }
    Ok(())
}

/// `text` cut after its first `max_words` words (the engine's bound).
pub fn clip_words(text: &str, max_words: usize) -> &str {
    let text = match text.char_indices().nth(MAX_PARSED_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    };
    match word_ends(text).get(max_words.saturating_sub(1)) {
        Some(&end) if max_words > 0 => &text[..end],
        Some(_) => "",
        None => text,
    }
}

/// Characters of a query text the parser reads at most.
const MAX_PARSED_CHARS: usize = 2000;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Stages "index `doc` under `doc_id`" (replacing any previous version), in
/// the caller's transaction. `doc` is a JSON object whose members are named
/// like the declared fields; others are ignored.
pub fn stage_upsert(
    tx: &Connection,
    index: impl AsRef<str>,
    doc_id: &str,
    doc: &Value,
) -> ApiResult<()> {
    if !doc.is_object() {
        return Err(ApiError::internal("search documents must be JSON objects"));
    }
    tx.execute(
        "INSERT INTO platform_search_outbox (index_name, doc_id, op, doc, created_at)
         VALUES (?1, ?2, 'upsert', ?3, ?4)",
        params![index.as_ref(), doc_id, doc.to_string(), now_ms()],
    )?;
    Ok(())
}

/// Stages "remove `doc_id` from the index", in the caller's transaction.
pub fn stage_delete(tx: &Connection, index: impl AsRef<str>, doc_id: &str) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO platform_search_outbox (index_name, doc_id, op, doc, created_at)
         VALUES (?1, ?2, 'delete', NULL, ?3)",
        params![index.as_ref(), doc_id, now_ms()],
    )?;
    Ok(())
}

/// Stages "remove every document whose keyword `field` equals `value`" (a
/// tenant or parent deleted), in the caller's transaction.
pub fn stage_delete_where(
    tx: &Connection,
    index: impl AsRef<str>,
    field: &str,
    value: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO platform_search_outbox (index_name, doc_id, op, doc, created_at)
         VALUES (?1, '', 'delete_where', ?2, ?3)",
        params![
            index.as_ref(),
            serde_json::json!({ "field": field, "value": value }).to_string(),
            now_ms()
        ],
    )?;
    Ok(())
}

/// The search service: every declared index of this data dir.
#[derive(Clone)]
pub struct Search {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    db: Db,
    fresh: AtomicBool,
    background: AtomicBool,
    indexes: Mutex<HashMap<String, SearchIndex>>,
    /// Query latency, outbox catch-up included (for `/metrics`).
    query_latency: crate::metrics::Histogram,
}

/// A declared index. Cheap to clone; also usable wherever an index name is
/// expected (`AsRef<str>`).
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<IndexInner>,
}

struct IndexInner {
    name: String,
    decl: IndexSchema,
    fields: Fields,
    index: Index,
    reader: IndexReader,
    /// The one writer of this index, created on first use and closed when idle.
    writer: Mutex<Option<IndexWriter>>,
    /// When the writer was last used ([`std::time::Instant`]).
    writer_used: Mutex<Option<std::time::Instant>>,
    created: bool,
    /// The query analysers (stemmed, unstemmed, one word's stem), built
    /// once: cloning shares their stop-word sets.
    analyzers: [TextAnalyzer; 3],
    /// Expansions and totals of the current index state.
    cache: QueryCache,
}

impl AsRef<str> for SearchIndex {
    fn as_ref(&self) -> &str {
        &self.inner.name
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("name", &self.inner.name)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SearchIndex {
    /// The index name (also what `stage_*` take).
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Its declaration.
    pub fn schema(&self) -> &IndexSchema {
        &self.inner.decl
    }

    /// True when this index was created empty at this start (new, missing,
    /// corrupt or with a changed declaration) and needs filling from the DB.
    pub fn was_created(&self) -> bool {
        self.inner.created
    }

    /// Documents currently searchable (after the last commit).
    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }
}

impl IndexInner {
    fn writer<'a>(
        &self,
        guard: &'a mut MutexGuard<'_, Option<IndexWriter>>,
    ) -> ApiResult<&'a mut IndexWriter> {
        if guard.is_none() {
            let w = self
                .index
                .writer_with_num_threads(1, WRITER_BYTES)
                .map_err(index_error)?;
            **guard = Some(w);
        }
        *lock(&self.writer_used) = Some(std::time::Instant::now());
        guard
            .as_mut()
            .ok_or_else(|| ApiError::internal("Search index writer unavailable"))
    }

    /// Closes the writer when it has not been used for [`WRITER_IDLE`]
    /// (never waits for a writer in use).
    fn release_idle_writer(&self) {
        let idle = lock(&self.writer_used).is_some_and(|t| t.elapsed() >= WRITER_IDLE);
        if !idle {
            return;
        }
        let Ok(mut guard) = self.writer.try_lock() else {
            return;
        };
        if let Some(w) = guard.take() {
            *lock(&self.writer_used) = None;
            if let Err(e) = w.wait_merging_threads() {
                tracing::warn!(index = %self.name, error = %e, "closing an idle search writer");
            }
        }
    }

    /// Applies this index's outbox rows, oldest first, committing per batch.
    fn drain(&self, db: &Db) -> ApiResult<usize> {
        let mut guard = lock(&self.writer);
        let mut total = 0;
        loop {
            let name = self.name.clone();
            let rows: Vec<(i64, String, String, Option<String>)> = db.read_blocking(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, doc_id, op, doc FROM platform_search_outbox
                     WHERE index_name = ?1 ORDER BY id LIMIT ?2",
                )?;
                let rows = stmt
                    .query_map(params![name, DRAIN_BATCH as i64], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })?;
            let Some(last) = rows.last().map(|r| r.0) else {
                break;
            };
            let result = (|| -> ApiResult<()> {
                let writer = self.writer(&mut guard)?;
                for (_, doc_id, op, doc) in &rows {
                    self.apply(writer, doc_id, op, doc.as_deref());
                }
                writer.commit().map_err(index_error)?;
                Ok(())
            })();
            if let Err(e) = result {
                // Drop the writer: its uncommitted operations are discarded
                // and the rows stay in the outbox for the next attempt.
                *guard = None;
                return Err(e);
            }
            let name = self.name.clone();
            db.write_blocking(|tx| {
                tx.execute(
                    "DELETE FROM platform_search_outbox WHERE index_name = ?1 AND id <= ?2",
                    params![name, last],
                )?;
                Ok(())
            })?;
            self.reader.reload().map_err(index_error)?;
            total += rows.len();
            if rows.len() < DRAIN_BATCH {
                break;
            }
        }
        Ok(total)
    }

    fn apply(&self, writer: &mut IndexWriter, doc_id: &str, op: &str, doc: Option<&str>) {
        let id_term = Term::from_field_text(self.fields.id, doc_id);
        match op {
            "upsert" => {
                let Some(value) = doc.and_then(|d| serde_json::from_str::<Value>(d).ok()) else {
                    tracing::warn!(index = %self.name, doc_id, "unreadable staged document skipped");
                    return;
                };
                writer.delete_term(id_term);
                if let Err(e) =
                    writer.add_document(schema::to_document(&self.fields, doc_id, &value))
                {
                    tracing::warn!(index = %self.name, doc_id, error = %e, "document not indexed");
                }
            }
            "delete" => {
                writer.delete_term(id_term);
            }
            "delete_where" => {
                let spec = doc.and_then(|d| serde_json::from_str::<Value>(d).ok());
                let field = spec.as_ref().and_then(|s| s["field"].as_str());
                let value = spec.as_ref().and_then(|s| s["value"].as_str());
                match (field.and_then(|f| self.fields.by_name.get(f)), value) {
                    (Some((f, FieldKind::Keyword { .. })), Some(v)) => {
                        writer.delete_term(Term::from_field_text(*f, v));
                    }
                    _ => {
                        tracing::warn!(index = %self.name, "delete_where on a non-keyword field skipped")
                    }
                }
            }
            other => tracing::warn!(index = %self.name, op = other, "unknown outbox operation"),
        }
    }

    fn ctx(&self) -> Ctx<'_> {
        let [stem, raw, word_stem] = self.analyzers.clone();
        Ctx {
            decl: &self.decl,
            fields: &self.fields,
            stem,
            raw,
            word_stem,
            cache: &self.cache,
            gates: true,
        }
    }
}

/// What [`Search::rebuild_blocking`] hands the loader: `add` each document.
pub struct Loader<'a> {
    writer: &'a mut IndexWriter,
    fields: &'a Fields,
    count: u64,
}

impl Loader<'_> {
    /// Adds one document (a JSON object, like `stage_upsert`'s).
    pub fn add(&mut self, doc_id: &str, doc: &Value) -> ApiResult<()> {
        self.writer
            .add_document(schema::to_document(self.fields, doc_id, doc))
            .map_err(index_error)?;
        self.count += 1;
        Ok(())
    }
}

impl Search {
    /// Opens the index root; indexes are declared later with [`Search::index`].
    /// Starts a background thread that drains staged writes.
    pub fn open(dir: &Path, db: Db) -> ApiResult<Search> {
        std::fs::create_dir_all(dir)?;
        let has_index = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .any(|e| e.path().join(FINGERPRINT_FILE).exists());
        let inner = Arc::new(Inner {
            dir: dir.to_path_buf(),
            db,
            fresh: AtomicBool::new(!has_index),
            background: AtomicBool::new(true),
            indexes: Mutex::new(HashMap::new()),
            query_latency: crate::metrics::Histogram::default(),
        });
        spawn_drainer(Arc::downgrade(&inner));
        Ok(Search { inner })
    }

    /// True when the index root held no index at open, or when a declared
    /// index had to be created empty since (missing, corrupt, declaration
    /// changed): the server should run the modules' reindex hooks.
    pub fn is_fresh(&self) -> bool {
        self.inner.fresh.load(Ordering::Relaxed)
    }

    /// Turns the background drainer on or off (queries still drain what
    /// they need). Tests use it to simulate a crash before draining.
    pub fn set_background_drain(&self, on: bool) {
        self.inner.background.store(on, Ordering::Relaxed);
    }

    /// Declares (or returns the already declared) index `schema.name`.
    /// Idempotent; a changed declaration on disk empties the index (then run
    /// the reindex hook). Declaring one name twice differently in one process
    /// is refused. Blocking (file I/O): call it at build, in hooks, or inside
    /// `db.read`/`spawn_blocking`; cheap once cached.
    pub fn index(&self, schema: IndexSchema) -> ApiResult<SearchIndex> {
        let mut indexes = lock(&self.inner.indexes);
        if let Some(existing) = indexes.get(&schema.name) {
            if existing.inner.decl != schema {
                return Err(ApiError::conflict(format!(
                    "search index '{}' is already declared with another schema",
                    schema.name
                )));
            }
            return Ok(existing.clone());
        }
        schema.validate()?;
        let idx = self.open_index(schema)?;
        if idx.inner.created {
            self.inner.fresh.store(true, Ordering::Relaxed);
        }
        indexes.insert(idx.inner.name.clone(), idx.clone());
        Ok(idx)
    }

    /// An index already declared in this process, by name.
    pub fn get(&self, name: &str) -> Option<SearchIndex> {
        lock(&self.inner.indexes).get(name).cloned()
    }

    fn open_index(&self, decl: IndexSchema) -> ApiResult<SearchIndex> {
        let path = self.inner.dir.join(&decl.name);
        let fingerprint = decl.fingerprint();
        let (schema, fields) = build_schema(&decl);
        let on_disk = std::fs::read_to_string(path.join(FINGERPRINT_FILE)).ok();
        let mut created = false;
        let index = match on_disk {
            Some(fp) if fp.trim() == fingerprint => match Index::open_in_dir(&path) {
                Ok(index) if index.schema() == schema => Some(index),
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!(index = %decl.name, error = %e, "search index unreadable; recreating it");
                    None
                }
            },
            Some(_) => {
                tracing::info!(index = %decl.name, "search index declaration changed; recreating it");
                None
            }
            None => None,
        };
        let index = match index {
            Some(i) => i,
            None => {
                created = true;
                if path.exists() {
                    std::fs::remove_dir_all(&path)?;
                }
                std::fs::create_dir_all(&path)?;
                let dir = MmapDirectory::open(&path).map_err(|e| {
                    tracing::error!(error = %e, "cannot open search index directory");
                    ApiError::internal("Search index error")
                })?;
                let index = Index::create(dir, schema, tantivy::IndexSettings::default())
                    .map_err(index_error)?;
                std::fs::write(path.join(FINGERPRINT_FILE), &fingerprint)?;
                index
            }
        };
        index
            .tokenizers()
            .register(&decl.stem_tokenizer_name(), stem_analyzer(decl.language));
        index.tokenizers().register(RAW_TOKENIZER, raw_analyzer());
        index.tokenizers().register(
            &decl.pairs_tokenizer_name(),
            schema::PairTokenizer::analyzer(decl.language),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(index_error)?;
        let language = decl.language;
        Ok(SearchIndex {
            inner: Arc::new(IndexInner {
                name: decl.name.clone(),
                decl,
                fields,
                index,
                reader,
                writer: Mutex::new(None),
                writer_used: Mutex::new(None),
                created,
                analyzers: [
                    stem_analyzer(language),
                    raw_analyzer(),
                    word_stem_analyzer(language),
                ],
                cache: QueryCache::default(),
            }),
        })
    }

    fn pending(&self, index: &str) -> ApiResult<bool> {
        let name = index.to_string();
        self.inner.db.read_blocking(|c| {
            Ok(c.query_row(
                "SELECT EXISTS(SELECT 1 FROM platform_search_outbox WHERE index_name = ?1)",
                [name],
                |r| r.get::<_, bool>(0),
            )?)
        })
    }

    /// Applies the staged writes of `index` now; returns how many.
    pub fn drain_blocking(&self, index: &SearchIndex) -> ApiResult<usize> {
        index.inner.drain(&self.inner.db)
    }

    /// Applies staged writes of every declared index; returns how many.
    pub fn drain_all_blocking(&self) -> ApiResult<usize> {
        let names: Vec<String> = self.inner.db.read_blocking(|c| {
            let mut stmt =
                c.prepare_cached("SELECT DISTINCT index_name FROM platform_search_outbox")?;
            let names = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(names)
        })?;
        let mut total = 0;
        let mut failed = None;
        for name in names {
            if let Some(idx) = self.get(&name) {
                // One broken index must not hold back the others.
                match idx.inner.drain(&self.inner.db) {
                    Ok(n) => total += n,
                    Err(e) => {
                        tracing::warn!(index = %name, error = %e.message, "search outbox drain failed");
                        failed = Some(e);
                    }
                }
            }
        }
        match failed {
            Some(e) if total == 0 => Err(e),
            _ => Ok(total),
        }
    }

    /// Searches `index` (blocking: for code already off the async threads).
    /// Staged writes of this index are applied first.
    pub fn query_blocking(&self, index: &SearchIndex, q: &SearchQuery) -> ApiResult<SearchResults> {
        let started = std::time::Instant::now();
        let out = self.query_unmeasured(index, q);
        self.inner.query_latency.observe_since(started);
        out
    }

    /// Query latency so far (for `/metrics`).
    pub fn query_latency(&self) -> &crate::metrics::Histogram {
        &self.inner.query_latency
    }

    fn query_unmeasured(&self, index: &SearchIndex, q: &SearchQuery) -> ApiResult<SearchResults> {
        if self.pending(&index.inner.name)? {
            index.inner.drain(&self.inner.db)?;
        }
        let searcher = index.inner.reader.searcher();
        let mut ctx = index.inner.ctx();
        let clipped = clip_words(&q.text, ENGINE_MAX_TERMS);
        if clipped.len() < q.text.len() {
            let mut q = q.clone();
            q.text = clipped.to_string();
            return query::execute(&mut ctx, &searcher, &q);
        }
        query::execute(&mut ctx, &searcher, q)
    }

    /// Searches `index` on the blocking pool. Staged writes of this index are
    /// applied first, so a write is visible to the next query.
    pub async fn query(&self, index: &SearchIndex, q: SearchQuery) -> ApiResult<SearchResults> {
        let this = self.clone();
        let index = index.clone();
        tokio::task::spawn_blocking(move || this.query_blocking(&index, &q))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "search task failed");
                ApiError::internal("Internal error")
            })?
    }

    /// Replaces the whole content of `index` with what `load` adds, reading
    /// the database through `conn` while index writes are held back (so no
    /// staged write is lost or applied out of order); staged writes are then
    /// applied on top. Returns the number of documents loaded. Blocking.
    pub fn rebuild_blocking<F>(&self, index: &SearchIndex, load: F) -> ApiResult<u64>
    where
        F: FnOnce(&Connection, &mut Loader<'_>) -> ApiResult<()>,
    {
        let inner = &index.inner;
        let count = {
            let mut guard = lock(&inner.writer);
            let result = (|| -> ApiResult<u64> {
                let writer = inner.writer(&mut guard)?;
                writer.delete_all_documents().map_err(index_error)?;
                let mut loader = Loader {
                    writer,
                    fields: &inner.fields,
                    count: 0,
                };
                let conn = self.inner.db.conn()?;
                load(&conn, &mut loader)?;
                let count = loader.count;
                writer.commit().map_err(index_error)?;
                Ok(count)
            })();
            match result {
                Ok(n) => n,
                Err(e) => {
                    *guard = None;
                    return Err(e);
                }
            }
        };
        inner.reader.reload().map_err(index_error)?;
        inner.drain(&self.inner.db)?;
        Ok(count)
    }

    /// [`Search::rebuild_blocking`] from an async context.
    pub async fn rebuild<F>(&self, index: &SearchIndex, load: F) -> ApiResult<u64>
    where
        F: FnOnce(&Connection, &mut Loader<'_>) -> ApiResult<()> + Send + 'static,
    {
        let this = self.clone();
        let index = index.clone();
        tokio::task::spawn_blocking(move || this.rebuild_blocking(&index, load))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "search rebuild task failed");
                ApiError::internal("Internal error")
            })?
    }
}

fn spawn_drainer(weak: Weak<Inner>) {
    let spawned = std::thread::Builder::new()
        .name("search-drainer".into())
        .spawn(move || loop {
            std::thread::sleep(DRAIN_INTERVAL);
            let Some(inner) = weak.upgrade() else {
                return;
            };
            if inner.background.load(Ordering::Relaxed) {
                let search = Search { inner };
                if let Err(e) = search.drain_all_blocking() {
                    tracing::warn!(error = %e.message, "search outbox drain failed; will retry");
                }
                let indexes: Vec<SearchIndex> =
                    lock(&search.inner.indexes).values().cloned().collect();
                for idx in indexes {
                    idx.inner.release_idle_writer();
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the search drainer; queries will drain");
    }
}
