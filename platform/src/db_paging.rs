//! Pages whose cost does not grow with the table: the total and keyset
//! anchors of a list are computed once per (database, query, table
//! generation) and cached, so a deep `page`/`offset` seeks to the anchor
//! before it instead of walking every row ahead of it, and no page recounts
//! the table.
//!
//! - **Table generations**: every pooled connection has SQLite's update hook
//!   ([`touched`]), which bumps a counter for the table of each inserted,
//!   updated or deleted row; [`crate::db::Db::write`] bumps the tables its
//!   transaction touched again after the commit. A cached outline is stamped
//!   with the generation read *before* it was computed, so a write that
//!   commits meanwhile always makes it stale. Counters live in a fixed set of
//!   buckets by table name: two tables sharing a bucket only invalidate each
//!   other more often, never less.
//! - **Outline**: one scan of the list's sort keys (an index walk when an
//!   index serves the filter and order) gives the total and the key of every
//!   [`STRIDE`]th row. A first page on a cache miss only counts.
//! - **Seek**: a page after anchor `a` reads `WHERE filter AND key > a` in
//!   the list's order and skips fewer than [`STRIDE`] rows.
//! - **Kept statements**: LIMIT and OFFSET are written into the SQL as
//!   numbers, not bound. SQLite reads a bound LIMIT while planning and then
//!   plans the statement again whenever that parameter is bound anew, so a
//!   kept (`prepare_cached`) page statement was re-parsed and re-planned on
//!   every request (two fifths of a deep cc call page's CPU).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, Row};

use crate::error::ApiResult;

/// Rows between two cached keyset anchors.
pub const STRIDE: u64 = 200;
/// Most outlines one [`PageCache`] keeps.
const CACHE_ENTRIES: usize = 256;
const BUCKETS: usize = 128;

static GENERATIONS: [AtomicU64; BUCKETS] = [const { AtomicU64::new(0) }; BUCKETS];

thread_local! {
    /// Buckets touched by the statements of the transaction running on this thread.
    static PENDING: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// FNV-1a of the lower-cased name (no allocation: the hook runs per row).
fn bucket(table: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in table.bytes() {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % BUCKETS as u64) as usize
}

/// The update hook of every pooled connection: a row of `table` changed.
pub fn touched(table: &str) {
    let b = bucket(table);
    GENERATIONS[b].fetch_add(1, Ordering::AcqRel);
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        if !p.contains(&b) {
            p.push(b);
        }
    });
}

/// Called before a write transaction starts on this thread.
pub(crate) fn begin() {
    PENDING.with(|p| p.borrow_mut().clear());
}

/// Called after a write transaction ended (committed or not): bumps the
/// tables it touched again, so outlines read before the commit are stale.
pub(crate) fn end() {
    PENDING.with(|p| {
        for b in p.borrow_mut().drain(..) {
            GENERATIONS[b].fetch_add(1, Ordering::AcqRel);
        }
    });
}

/// The combined generation of `tables` (grows whenever one of them changes).
pub fn generation(tables: &[&str]) -> u64 {
    let mut seen = Vec::with_capacity(tables.len());
    let mut sum = 0u64;
    for t in tables {
        let b = bucket(t);
        if !seen.contains(&b) {
            seen.push(b);
            sum = sum.wrapping_add(GENERATIONS[b].load(Ordering::Acquire));
        }
    }
    sum
}

/// One list query: what it reads, which rows, and in what order.
#[derive(Debug, Clone)]
pub struct ListSql<'a> {
    /// Tables whose changes can change the list's rows or order (the
    /// queried table and any table its filter reads).
    pub tables: &'a [&'a str],
    /// The `SELECT ... FROM table alias` of a page's rows.
    pub select: &'a str,
    /// The `FROM table alias` the outline scan reads.
    pub from: &'a str,
    /// The filter without `WHERE` (`"1"` for none).
    pub filter: String,
    pub args: Vec<Value>,
    /// The order: `(expression, descending)`; the last expression must be
    /// unique (the primary key). Expressions are never NULL, or the page
    /// falls back to `OFFSET` from the start when an anchor holds a NULL.
    pub order: Vec<(String, bool)>,
}

impl ListSql<'_> {
    fn order_by(&self) -> String {
        self.order
            .iter()
            .map(|(e, d)| format!("{e} {}", if *d { "DESC" } else { "ASC" }))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `WHERE ...` of the filter and `more` conditions ("" when none: a plain
    /// walk in the list's order that stops at the page).
    fn where_sql(&self, more: &[String]) -> String {
        let mut conds: Vec<&str> = Vec::new();
        if self.filter.trim() != "1" {
            conds.push(&self.filter);
        }
        conds.extend(more.iter().map(String::as_str));
        if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        }
    }

    fn key(&self, conn: &Connection) -> String {
        format!(
            "{}|{}|{}|{:?}|{}",
            conn.path().unwrap_or(""),
            self.from,
            self.filter,
            self.args,
            self.order_by()
        )
    }

    /// The outline scan: every matching row's sort keys, in order.
    pub fn outline_sql(&self) -> String {
        let keys: Vec<&str> = self.order.iter().map(|(e, _)| e.as_str()).collect();
        format!(
            "SELECT {} FROM {} {} ORDER BY {}",
            keys.join(", "),
            self.from,
            self.where_sql(&[]),
            self.order_by()
        )
    }

    /// The count of a first page on a cache miss.
    pub fn count_sql(&self) -> String {
        format!("SELECT COUNT(*) FROM {} {}", self.from, self.where_sql(&[]))
    }

    /// A page from the start, or strictly after `anchor`, skipping `skip` rows;
    /// with its arguments (LIMIT and OFFSET are numbers in the text, see the
    /// module docs).
    pub fn page_sql(
        &self,
        anchor: Option<&[Value]>,
        limit: u64,
        skip: u64,
    ) -> (String, Vec<Value>) {
        let mut args = self.args.clone();
        let mut more = Vec::new();
        if let Some(a) = anchor {
            let beyond = |desc: bool, strict: bool| match (desc, strict) {
                (false, true) => ">",
                (false, false) => ">=",
                (true, true) => "<",
                (true, false) => "<=",
            };
            let (k0, d0) = &self.order[0];
            // `k1 >= a1 AND (k1 > a1 OR (k1 = a1 AND k2 > a2) OR ...)`: the
            // leading range lets the index seek on the first key (rows tied
            // with the anchor on it are walked: see `split_page`).
            more.push(format!("{k0} {} ?", beyond(*d0, false)));
            args.push(a[0].clone());
            let mut alts = Vec::new();
            for (i, (k, d)) in self.order.iter().enumerate() {
                let mut parts = Vec::new();
                for (j, (kj, _)) in self.order.iter().enumerate().take(i) {
                    parts.push(format!("{kj} = ?"));
                    args.push(a[j].clone());
                }
                parts.push(format!("{k} {} ?", beyond(*d, true)));
                args.push(a[i].clone());
                alts.push(format!("({})", parts.join(" AND ")));
            }
            more.push(format!("({})", alts.join(" OR ")));
        }
        (
            format!(
                "{} {} ORDER BY {} {}",
                self.select,
                self.where_sql(&more),
                self.order_by(),
                limit_sql(limit, skip)
            ),
            args,
        )
    }

    /// For a (key, id) order in one direction, `(key, id, descending)`: the
    /// page after an anchor is then read in two index seeks instead of a
    /// walk over every row tied with the anchor on the key: the rows tied on
    /// the key beyond the anchor's id ([`Self::tied_sql`], counted by
    /// [`Self::tied_count_sql`]), then the rows beyond the key
    /// ([`Self::after_sql`]). Each takes the filter's arguments, then the
    /// anchor's key (and id for the tied rows).
    fn split_keys(&self) -> Option<(&str, &str, bool)> {
        let [(k0, d0), (k1, d1)] = self.order.as_slice() else {
            return None;
        };
        (d0 == d1).then_some((k0.as_str(), k1.as_str(), *d0))
    }

    fn tied_where(&self, (k0, k1, desc): (&str, &str, bool)) -> String {
        let strict = if desc { "<" } else { ">" };
        self.where_sql(&[format!("{k0} = ?"), format!("{k1} {strict} ?")])
    }

    /// Rows tied with the anchor on the key, beyond its id (the key is fixed
    /// here: the order is the id's).
    fn tied_sql(&self, keys: (&str, &str, bool), limit: u64, skip: u64) -> String {
        let dir = if keys.2 { "DESC" } else { "ASC" };
        format!(
            "{} {} ORDER BY {} {dir} {}",
            self.select,
            self.tied_where(keys),
            keys.1,
            limit_sql(limit, skip)
        )
    }

    /// How many rows are tied with the anchor beyond its id, at most `cap`.
    fn tied_count_sql(&self, keys: (&str, &str, bool), cap: u64) -> String {
        format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {} {} LIMIT {})",
            self.from,
            self.tied_where(keys),
            cap.min(i64::MAX as u64)
        )
    }

    /// Rows beyond the anchor's key.
    fn after_sql(&self, (k0, _, desc): (&str, &str, bool), limit: u64, skip: u64) -> String {
        let strict = if desc { "<" } else { ">" };
        format!(
            "{} {} ORDER BY {} {}",
            self.select,
            self.where_sql(&[format!("{k0} {strict} ?")]),
            self.order_by(),
            limit_sql(limit, skip)
        )
    }

    /// Every statement a page of this list may run (for query-plan tests).
    pub fn statements(&self) -> Vec<(String, Vec<Value>)> {
        let anchor: Vec<Value> = self.order.iter().map(|_| Value::Integer(0)).collect();
        let mut out = vec![
            (self.outline_sql(), self.args.clone()),
            (self.count_sql(), self.args.clone()),
            self.page_sql(None, 20, 0),
            self.page_sql(Some(&anchor), 20, 0),
        ];
        if let Some(keys) = self.split_keys() {
            let with = |extra: &[i64]| {
                let mut a = self.args.clone();
                a.extend(extra.iter().map(|v| Value::Integer(*v)));
                a
            };
            out.push((self.tied_sql(keys, 20, 0), with(&[0, 0])));
            out.push((self.tied_count_sql(keys, 20), with(&[0, 0])));
            out.push((self.after_sql(keys, 20, 0), with(&[0])));
        }
        out
    }
}

/// The total and keyset anchors of one query at one generation.
#[derive(Debug, Clone)]
struct Outline {
    generation: u64,
    total: u64,
    /// `Some`: `anchors[i]` is the key of the row at position `(i + 1) * STRIDE - 1`.
    /// `None`: only the total is known (a first page counted it).
    anchors: Option<Vec<Vec<Value>>>,
}

/// Totals and anchors of recent queries of one list (share one per list).
/// One request at a time counts or scans for an outline; the others of the
/// same moment wait for its result instead of scanning too.
#[derive(Debug, Clone, Default)]
pub struct PageCache {
    /// Shared, so a page takes a reference instead of copying the anchors
    /// (their number grows with the table).
    map: Arc<Mutex<HashMap<String, Arc<Outline>>>>,
    computing: Arc<Mutex<()>>,
}

impl PageCache {
    pub fn new() -> PageCache {
        PageCache::default()
    }

    fn get(&self, key: &str, generation: u64) -> Option<Arc<Outline>> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|o| o.generation == generation)
            .map(Arc::clone)
    }

    fn put(&self, key: String, outline: Arc<Outline>) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CACHE_ENTRIES && !map.contains_key(&key) {
            map.retain(|_, o| o.generation == outline.generation);
            if map.len() >= CACHE_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, outline);
    }

    /// The rows `offset..offset + limit` of `list` mapped by `row`, and the
    /// total of matching rows.
    pub fn page<T, F>(
        &self,
        conn: &Connection,
        list: &ListSql<'_>,
        limit: u64,
        offset: u64,
        mut row: F,
    ) -> ApiResult<(Vec<T>, u64)>
    where
        F: FnMut(&Row<'_>) -> rusqlite::Result<T>,
    {
        // Read before the scan: a write committing meanwhile makes it stale.
        let generation = generation(list.tables);
        let key = list.key(conn);
        let deep = offset >= STRIDE;
        let usable = |o: &Arc<Outline>| o.anchors.is_some() || !deep;
        let outline = match self.get(&key, generation).filter(usable) {
            Some(o) => o,
            None => {
                let _one = self.computing.lock().unwrap_or_else(|e| e.into_inner());
                match self.get(&key, generation).filter(usable) {
                    Some(o) => o,
                    None => {
                        let o = Arc::new(if deep {
                            outline(conn, list, generation)?
                        } else {
                            let total: i64 = conn.query_row(
                                &list.count_sql(),
                                params_from_iter(list.args.iter()),
                                |r| r.get(0),
                            )?;
                            Outline {
                                generation,
                                total: total.max(0) as u64,
                                anchors: None,
                            }
                        });
                        self.put(key, Arc::clone(&o));
                        o
                    }
                }
            }
        };
        if offset >= outline.total {
            return Ok((Vec::new(), outline.total));
        }
        let anchor = (offset / STRIDE)
            .checked_sub(1)
            .and_then(|i| {
                outline
                    .anchors
                    .as_ref()
                    .and_then(|a| a.get(i as usize))
                    .map(|a| (i, a))
            })
            .filter(|(_, a)| !a.iter().any(|v| matches!(v, Value::Null)));
        let (sql, args) = match (anchor, list.split_keys()) {
            (Some((i, a)), Some(keys)) => {
                let skip = offset - (i + 1) * STRIDE;
                let with = |extra: Vec<Value>| {
                    let mut v = list.args.clone();
                    v.extend(extra);
                    v
                };
                let tied_args = with(vec![a[0].clone(), a[1].clone()]);
                let tied = list.tied_sql(keys, limit, skip);
                let mut rows = query(conn, &tied, &tied_args, &mut row)?;
                if (rows.len() as u64) < limit {
                    let count = list.tied_count_sql(keys, skip.saturating_add(limit));
                    let n: i64 = conn
                        .prepare_cached(&count)?
                        .query_row(params_from_iter(tied_args.iter()), |r| r.get(0))?;
                    let after = list.after_sql(
                        keys,
                        limit - rows.len() as u64,
                        skip.saturating_sub(n.max(0) as u64),
                    );
                    rows.extend(query(conn, &after, &with(vec![a[0].clone()]), &mut row)?);
                }
                return Ok((rows, outline.total));
            }
            (Some((i, a)), None) => list.page_sql(Some(a), limit, offset - (i + 1) * STRIDE),
            (None, _) => list.page_sql(None, limit, offset),
        };
        Ok((query(conn, &sql, &args, &mut row)?, outline.total))
    }
}

/// `LIMIT n OFFSET m` as numbers (see the module docs).
fn limit_sql(limit: u64, skip: u64) -> String {
    let n = |v: u64| v.min(i64::MAX as u64);
    format!("LIMIT {} OFFSET {}", n(limit), n(skip))
}

fn query<T, F>(conn: &Connection, sql: &str, args: &[Value], row: &mut F) -> ApiResult<Vec<T>>
where
    F: FnMut(&Row<'_>) -> rusqlite::Result<T>,
{
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params_from_iter(args.iter()), |r| row(r))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn outline(conn: &Connection, list: &ListSql<'_>, generation: u64) -> ApiResult<Outline> {
    let mut stmt = conn.prepare(&list.outline_sql())?;
    let n = list.order.len();
    let mut rows = stmt.query(params_from_iter(list.args.iter()))?;
    let (mut total, mut anchors) = (0u64, Vec::new());
    while let Some(r) = rows.next()? {
        total += 1;
        if total.is_multiple_of(STRIDE) {
            anchors.push(
                (0..n)
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
    }
    Ok(Outline {
        generation,
        total,
        anchors: Some(anchors),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Table `t`: 1000 rows, 37 values of `k` (indexed with the id).
    fn fill(conn: &Connection) {
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL);
             CREATE INDEX t_k ON t (k, id);
             WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000)
             INSERT INTO t (k) SELECT 'k' || (n % 37) FROM s;",
        )
        .expect("fill");
    }

    fn list<'a>(tables: &'a [&'a str], desc: bool) -> ListSql<'a> {
        ListSql {
            tables,
            select: "SELECT id, k FROM t",
            from: "t",
            filter: "k != 'x'".into(),
            args: vec![],
            order: vec![("k".into(), desc), ("id".into(), desc)],
        }
    }

    /// Issue 18: a page takes the cached outline by reference; copying its
    /// anchors (one per 200 rows) made every deep page grow with the table.
    #[test]
    fn pages_share_the_cached_outline_instead_of_copying_it() {
        let conn = Connection::open_in_memory().expect("open");
        fill(&conn);
        let cache = PageCache::new();
        let l = list(&["pages_share_t"], false);
        for offset in [400, 800] {
            cache
                .page(&conn, &l, 20, offset, |r| r.get::<_, i64>(0))
                .expect("page");
        }
        let generation = generation(l.tables);
        let key = l.key(&conn);
        let (a, b) = (
            cache.get(&key, generation).expect("cached"),
            cache.get(&key, generation).expect("cached"),
        );
        assert!(Arc::ptr_eq(&a, &b), "each page copied the outline");
        assert_eq!(a.anchors.as_ref().map(Vec::len), Some(5));
    }

    /// Issue 18: a kept page statement is not planned again on reuse. With
    /// `LIMIT ? OFFSET ?` bound, SQLite re-planned each of a deep page's
    /// statements on every request (`sqlite3Reprepare`: two fifths of a
    /// release deep cc call page).
    #[test]
    fn kept_page_statements_are_not_planned_again() {
        let conn = Connection::open_in_memory().expect("open");
        fill(&conn);
        let cache = PageCache::new();
        for (l, offset) in [
            // The first page, a deep page after an anchor, and a deep page
            // after an anchor of a (key, id) order (tied rows, their count,
            // the rows after).
            (list(&["kept_t"], true), 0),
            (
                ListSql {
                    order: vec![("k".into(), true), ("id".into(), false)],
                    ..list(&["kept_t"], true)
                },
                420,
            ),
            (list(&["kept_t"], true), 420),
        ] {
            for _ in 0..3 {
                let (rows, total) = cache
                    .page(&conn, &l, 20, offset, |r| r.get::<_, i64>(0))
                    .expect("page");
                assert_eq!((rows.len(), total), (20, 1000));
            }
        }
        let again = crate::testing::replanned_statements(&conn);
        assert!(again.is_empty(), "planned again on reuse: {again:?}");
    }

    #[test]
    fn every_page_matches_offset_paging_and_a_write_invalidates() {
        let dir = tempfile::tempdir().expect("dir");
        let conn = Connection::open(dir.path().join("p.db")).expect("open");
        conn.update_hook(Some(|_, _: &str, t: &str, _| touched(t)))
            .expect("hook");
        fill(&conn);
        let cache = PageCache::new();
        let mixed = ListSql {
            order: vec![("k".into(), true), ("id".into(), false)],
            ..list(&["t"], true)
        };
        for (desc, l) in [
            (false, list(&["t"], false)),
            (true, list(&["t"], true)),
            (true, mixed),
        ] {
            for offset in [0, 199, 200, 201, 399, 400, 650, 980, 999, 1000] {
                let (got, total) = cache
                    .page(&conn, &l, 20, offset, |r| r.get::<_, i64>(0))
                    .expect("page");
                let (sql, args) = l.page_sql(None, 20, offset);
                let mut st = conn.prepare(&sql).expect("prepare");
                let want: Vec<i64> = st
                    .query_map(params_from_iter(args.iter()), |r| r.get(0))
                    .expect("q")
                    .collect::<Result<_, _>>()
                    .expect("rows");
                assert_eq!((got, total), (want, 1000), "offset {offset} desc {desc}");
            }
        }
        // An anchored page seeks (k = a AND id < b), then (k < a): rows tied
        // with the anchor on k are not walked.
        let l = list(&["t"], true);
        for (sql, args) in l.statements().into_iter().skip(4) {
            let mut st = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .expect("plan");
            let plan: Vec<String> = st
                .query_map(params_from_iter(args.iter()), |r| r.get(3))
                .expect("q")
                .collect::<Result<_, _>>()
                .expect("rows");
            assert!(
                plan.iter()
                    .any(|l| l.contains("(k=? AND id<?)") || l.contains("(k<?)")),
                "{sql}: {plan:?}"
            );
        }
        let l = list(&["t"], false);
        conn.execute("DELETE FROM t WHERE id = 1", [])
            .expect("delete");
        let (_, total) = cache
            .page(&conn, &l, 20, 400, |r| r.get::<_, i64>(0))
            .expect("page");
        assert_eq!(total, 999);
    }
}
