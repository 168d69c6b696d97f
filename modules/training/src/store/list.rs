//! SQL of the scenario list: one page in the order asked, its total, and the
//! list form of each row, at a cost that does not grow with the table.
//!
//! - Every sort has an index `(key, id)` and the page is read from it
//!   (`training_scenarios_by_*`, migration 2); the low-cardinality filters
//!   (status, category, difficulty) are checked on the rows the sort index
//!   yields (`+col`), so the page never needs a sort of the matching rows.
//! - The total and a keyset anchor every [`STRIDE`] rows are computed by one
//!   scan of the sort index per (query, generation) and cached: the
//!   generation (`training_list_gen`) is bumped by triggers whenever a row
//!   that can change a list's membership or order is inserted, deleted or
//!   updated. A page then seeks to the anchor before it (`(key, id) < (?, ?)`)
//!   and skips fewer than [`STRIDE`] rows, so a deep page costs what the
//!   first one does.
//! - The list form needs only `description` and `tags` of the document:
//!   they are read with `json_extract`; the attempt figures are kept on the
//!   row (`usage_count`, `rating`, `average_score`), so a page reads no
//!   attempts however many there are; the creators come from one look-up each.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use frontline_platform::ApiResult;
use rusqlite::types::Value as Sql;
use rusqlite::{params_from_iter, Connection};

use crate::model::{CreatorRef, ScenarioSummary, SummaryAnalytics};

use super::{person, round};

/// Rows between two cached keyset anchors.
pub const STRIDE: usize = 200;
/// Most (query, generation) entries kept by a [`ListCache`].
const CACHE_ENTRIES: usize = 256;

/// The sort keys of the list, as the document names them, with the indexed
/// expression each one orders by.
pub const SORTS: &[(&str, &str)] = &[
    ("name", "name COLLATE NOCASE"),
    ("createdAt", "created_at"),
    ("updatedAt", "updated_at"),
    ("usageCount", "usage_count"),
    ("rating", "COALESCE(rating, 0)"),
];

/// The indexed expression of sort key `key` (`createdAt` when unknown).
pub fn sort_expr(key: Option<&str>) -> &'static str {
    SORTS
        .iter()
        .find(|(k, _)| *k == key.unwrap_or("createdAt"))
        .map(|(_, c)| *c)
        .unwrap_or("created_at")
}

/// What a list asks for (the filters are already checked against their enums).
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// The viewer's user id (private scenarios are theirs or an admin's).
    pub viewer: String,
    /// Whether the viewer sees every private scenario.
    pub admin: bool,
    pub status: Vec<String>,
    pub category: Vec<String>,
    pub difficulty: Vec<String>,
    pub created_by: Option<String>,
    pub tenant_id: Option<String>,
    pub is_private: Option<bool>,
    /// The indexed sort expression (one of [`SORTS`]).
    pub sort: &'static str,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

impl ListQuery {
    /// The WHERE clause and its arguments.
    /// Which scenarios the viewer may see. An admin sees every one: no
    /// test, so counting and paging read the sort index alone (the test
    /// needs each row).
    fn visibility(&self) -> (String, Vec<Sql>) {
        if self.admin {
            ("1".to_string(), vec![])
        } else {
            (
                "(is_private = 0 OR created_by = ?)".to_string(),
                vec![self.viewer.clone().into()],
            )
        }
    }

    fn filter(&self) -> (String, Vec<Sql>) {
        let (visible, mut args) = self.visibility();
        let mut wh = vec![visible];
        for (col, vals) in [
            ("status", &self.status),
            ("category", &self.category),
            ("difficulty", &self.difficulty),
        ] {
            if !vals.is_empty() {
                // `+col`: checked on the rows of the sort index, not used to pick them.
                wh.push(format!("+{col} IN ({})", vec!["?"; vals.len()].join(",")));
                args.extend(vals.iter().map(|v| v.clone().into()));
            }
        }
        if let Some(c) = &self.created_by {
            wh.push("created_by = ?".into());
            args.push(c.clone().into());
        }
        if let Some(t) = &self.tenant_id {
            wh.push("+tenant_id = ?".into());
            args.push(t.clone().into());
        }
        if let Some(b) = self.is_private {
            wh.push("+is_private = ?".into());
            args.push((b as i64).into());
        }
        (wh.join(" AND "), args)
    }

    fn order(&self) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        format!("{} {dir}, id {dir}", self.sort)
    }

    /// The cache key: everything that decides membership and order.
    fn key(&self) -> String {
        let (wh, args) = self.filter();
        format!("{wh}|{args:?}|{}", self.order())
    }
}

/// The total and keyset anchors of one query at one generation.
#[derive(Debug, Clone)]
struct Outline {
    generation: i64,
    total: u64,
    /// `anchors[i]` is the (sort value, id) of the row at position
    /// `(i + 1) * STRIDE - 1`; `None` when only the total was counted (a
    /// first page needs no anchor).
    anchors: Option<Vec<(Sql, String)>>,
}

/// Totals and anchors of recent list queries (one per module instance).
/// `computing` lets one request scan for an outline while the others of the
/// same moment wait for its result instead of scanning too.
#[derive(Debug, Clone, Default)]
pub struct ListCache {
    map: Arc<Mutex<HashMap<String, Outline>>>,
    computing: Arc<Mutex<()>>,
}

impl ListCache {
    fn get(&self, key: &str, generation: i64) -> Option<Outline> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).filter(|o| o.generation == generation).cloned()
    }

    fn put(&self, key: String, outline: Outline) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CACHE_ENTRIES {
            map.retain(|_, o| o.generation == outline.generation);
            if map.len() >= CACHE_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, outline);
    }
}

/// The list generation: changes whenever a scenario is added, removed, or
/// changes a column a list filters or sorts on.
pub fn generation(conn: &Connection) -> ApiResult<i64> {
    Ok(conn
        .prepare_cached("SELECT generation FROM training_list_gen WHERE id = 1")?
        .query_row([], |r| r.get(0))?)
}

/// One scan of the sort index: the total and an anchor every [`STRIDE`] rows.
fn outline(conn: &Connection, q: &ListQuery, generation: i64) -> ApiResult<Outline> {
    let (sql, args) = outline_sql(q);
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let (mut total, mut anchors) = (0u64, Vec::new());
    while let Some(r) = rows.next()? {
        total += 1;
        if total.is_multiple_of(STRIDE as u64) {
            anchors.push((r.get::<_, Sql>(0)?, r.get::<_, String>(1)?));
        }
    }
    Ok(Outline {
        generation,
        total,
        anchors: Some(anchors),
    })
}

/// The count of a first page on a cache miss (any index may serve it).
fn count_sql(q: &ListQuery) -> (String, Vec<Sql>) {
    let (wh, args) = q.filter();
    (
        format!("SELECT COUNT(*) FROM training_scenarios WHERE {wh}"),
        args,
    )
}

/// The SELECT of the outline scan of `q`.
fn outline_sql(q: &ListQuery) -> (String, Vec<Sql>) {
    let (wh, args) = q.filter();
    let sql = format!(
        "SELECT {}, id FROM training_scenarios WHERE {wh} ORDER BY {}",
        q.sort,
        q.order()
    );
    (sql, args)
}

/// The SELECT of one page of `q`: from the start of the list or after the
/// keyset `anchor`, skipping `skip` rows.
fn page_sql(q: &ListQuery, anchor: Option<(Sql, String)>, skip: u64) -> (String, Vec<Sql>) {
    let (mut wh, mut args) = q.filter();
    if let Some((value, id)) = anchor {
        // `(key, id) > (?, ?)` spelt so that the index seeks on the key
        // (a row value does not seek on a collated expression).
        let (cmp, strict) = if q.descending {
            ("<=", "<")
        } else {
            (">=", ">")
        };
        wh.push_str(&format!(
            " AND {key} {cmp} ? AND ({key} {strict} ? OR id {strict} ?)",
            key = q.sort
        ));
        args.push(value.clone());
        args.push(value);
        args.push(id.into());
    }
    // LIMIT and OFFSET are written as numbers, not bound: SQLite reads a
    // bound LIMIT while planning and then marks the statement to be planned
    // again whenever its bindings are cleared, which a kept (`prepare_cached`)
    // statement has on every reuse.
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM training_scenarios WHERE {wh} ORDER BY {} LIMIT {} OFFSET {skip}",
        q.order(),
        q.limit.max(0)
    );
    (sql, args)
}

/// The statements a list runs for `q` (the outline scan, a page without and
/// a page with a keyset anchor), with their arguments: for EXPLAIN QUERY
/// PLAN tests.
pub fn statements(q: &ListQuery) -> Vec<(String, Vec<Sql>)> {
    let (tied, count, after) = split_sql(q, (20, 0), 20, (20, 0));
    let (_, args) = q.filter();
    let with = |extra: Vec<Sql>| {
        let mut v = args.clone();
        v.extend(extra);
        v
    };
    let key = || Sql::Text(String::new());
    vec![
        outline_sql(q),
        page_sql(q, None, 0),
        page_sql(q, Some((key(), String::new())), 0),
        (tied, with(vec![key(), key()])),
        (count, with(vec![key(), key()])),
        (after, with(vec![key()])),
    ]
}

/// The page of `q` and the total of the rows matching it.
pub fn page(
    conn: &Connection,
    cache: &ListCache,
    q: &ListQuery,
) -> ApiResult<(Vec<ScenarioSummary>, u64)> {
    let generation = generation(conn)?;
    let key = q.key();
    let offset = q.offset.max(0) as u64;
    let deep = offset >= STRIDE as u64;
    let usable = |o: &Outline| o.anchors.is_some() || !deep;
    let outline = match cache.get(&key, generation).filter(usable) {
        Some(o) => o,
        None => {
            let _one = cache.computing.lock().unwrap_or_else(|e| e.into_inner());
            match cache.get(&key, generation).filter(usable) {
                Some(o) => o,
                None => {
                    let o = if deep {
                        outline(conn, q, generation)?
                    } else {
                        let (sql, args) = count_sql(q);
                        let total: i64 = conn
                            .prepare_cached(&sql)?
                            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
                        Outline {
                            generation,
                            total: total.max(0) as u64,
                            anchors: None,
                        }
                    };
                    cache.put(key, o.clone());
                    o
                }
            }
        }
    };
    if offset >= outline.total {
        return Ok((Vec::new(), outline.total));
    }
    let anchor = (offset as usize / STRIDE).checked_sub(1).and_then(|i| {
        outline
            .anchors
            .as_ref()
            .and_then(|a| a.get(i))
            .map(|a| (i, a.clone()))
    });
    let rows = match anchor {
        Some((i, (value, id))) => {
            let skip = offset - ((i + 1) * STRIDE) as u64;
            let (_, filter_args) = q.filter();
            let with = |extra: Vec<Sql>| {
                let mut v = filter_args.clone();
                v.extend(extra);
                v
            };
            let tied_args = || with(vec![value.clone(), id.clone().into()]);
            let skip = skip as i64;
            let (tied, count, _) = split_sql(q, (q.limit, skip), skip + q.limit, (0, 0));
            let mut rows = run(conn, &tied, &tied_args())?;
            if (rows.len() as i64) < q.limit {
                let n: i64 = conn
                    .prepare_cached(&count)?
                    .query_row(params_from_iter(tied_args().iter()), |r| r.get(0))?;
                let rest = (q.limit - rows.len() as i64, (skip - n).max(0));
                let (_, _, after) = split_sql(q, (0, 0), 0, rest);
                rows.extend(run(conn, &after, &with(vec![value.clone()]))?);
            }
            rows
        }
        None => {
            let (sql, args) = page_sql(q, None, offset);
            run(conn, &sql, &args)?
        }
    };
    Ok((render(conn, rows)?, outline.total))
}

fn run(conn: &Connection, sql: &str, args: &[Sql]) -> ApiResult<Vec<Row>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params_from_iter(args.iter()), summary_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A page after a keyset anchor as two index seeks, not a walk over every
/// row tied with the anchor on the sort key: `(tied, tied count, after)`,
/// each taking the filter's arguments, then (key, id), (key, id) and (key);
/// their LIMIT/OFFSET (tied rows, the tied count's cap, the rows after) are
/// written as numbers, like the page's (see [`page_sql`]).
fn split_sql(
    q: &ListQuery,
    (tied_limit, tied_skip): (i64, i64),
    cap: i64,
    (after_limit, after_skip): (i64, i64),
) -> (String, String, String) {
    let (wh, _) = q.filter();
    let strict = if q.descending { "<" } else { ">" };
    let key = q.sort;
    let tied = format!("{wh} AND {key} = ? AND id {strict} ?");
    (
        // The key is fixed here: the order is the id's.
        format!(
            "SELECT {SUMMARY_COLUMNS} FROM training_scenarios WHERE {tied} ORDER BY id {} LIMIT {tied_limit} OFFSET {tied_skip}",
            if q.descending { "DESC" } else { "ASC" }
        ),
        format!("SELECT COUNT(*) FROM (SELECT 1 FROM training_scenarios WHERE {tied} LIMIT {cap})"),
        format!(
            "SELECT {SUMMARY_COLUMNS} FROM training_scenarios WHERE {wh} AND {key} {strict} ? ORDER BY {} LIMIT {after_limit} OFFSET {after_skip}",
            q.order()
        ),
    )
}

/// The list form of the scenarios `ids` visible to the viewer of `q`, in
/// the order of `ids` (unknown ids left out), or, with `sorted`, one page of
/// them in the order of `q`.
pub fn summaries(
    conn: &Connection,
    ids: &[String],
    q: &ListQuery,
    sorted: bool,
) -> ApiResult<Vec<ScenarioSummary>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(",");
    let (visible, mut args) = q.visibility();
    args.extend(ids.iter().map(|i| Sql::from(i.clone())));
    let mut sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM training_scenarios WHERE {visible} AND id IN ({marks})"
    );
    if sorted {
        args.push(q.limit.into());
        args.push(q.offset.into());
        sql.push_str(&format!(" ORDER BY {} LIMIT ? OFFSET ?", q.order()));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt
        .query_map(params_from_iter(args.iter()), summary_row)?
        .collect::<Result<Vec<_>, _>>()?;
    if !sorted {
        let pos: HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        rows.sort_by_key(|r| pos.get(r.id.as_str()).copied().unwrap_or(usize::MAX));
    }
    render(conn, rows)
}

/// The columns of a list row; the document is read only for the two fields
/// the list shows.
const SUMMARY_COLUMNS: &str = "id, name, slug, \
    COALESCE(json_extract(doc, '$.description'), ''), category, difficulty, status, \
    json_extract(doc, '$.tags'), version_number, is_private, usage_count, created_by, \
    created_at, updated_at, published_at, is_template, rating, average_score";

/// A list row before its attempt figures and creator are added.
struct Row {
    id: String,
    name: String,
    slug: String,
    description: String,
    category: String,
    difficulty: String,
    status: String,
    tags: Vec<String>,
    version_number: i64,
    is_private: bool,
    usage_count: i64,
    created_by: String,
    created_at: String,
    updated_at: String,
    published_at: Option<String>,
    is_template: bool,
    rating: Option<f64>,
    average_score: Option<f64>,
}

fn summary_row(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    let description = match r.get::<_, Sql>(3)? {
        Sql::Text(s) => s,
        _ => String::new(),
    };
    let tags = match r.get::<_, Option<String>>(7)? {
        Some(json) => serde_json::from_str::<Vec<serde_json::Value>>(&json)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        None => Vec::new(),
    };
    Ok(Row {
        id: r.get(0)?,
        name: r.get(1)?,
        slug: r.get(2)?,
        description,
        category: r.get(4)?,
        difficulty: r.get(5)?,
        status: r.get(6)?,
        tags,
        version_number: r.get(8)?,
        is_private: r.get(9)?,
        usage_count: r.get(10)?,
        created_by: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
        published_at: r.get(14)?,
        is_template: r.get(15)?,
        rating: r.get(16)?,
        average_score: r.get(17)?,
    })
}

/// The page's rows with their attempt figures (kept on the row by
/// `refresh_usage`: no attempt is read) and creators (one look-up per
/// distinct creator).
fn render(conn: &Connection, rows: Vec<Row>) -> ApiResult<Vec<ScenarioSummary>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut creators: HashMap<String, CreatorRef> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if !creators.contains_key(&r.created_by) {
            let p = person(conn, &r.created_by)?;
            creators.insert(
                r.created_by.clone(),
                CreatorRef {
                    id: p.id,
                    name: p.name,
                },
            );
        }
        let creator = creators
            .get(&r.created_by)
            .cloned()
            .unwrap_or_else(|| CreatorRef {
                id: r.created_by.clone(),
                name: "Unknown user".into(),
            });
        out.push(ScenarioSummary {
            analytics: SummaryAnalytics {
                total_attempts: r.usage_count,
                average_score: r.average_score.map(|x| round(x, 1)),
                average_rating: r.rating.map(|x| round(x, 2)),
            },
            id: r.id,
            name: r.name,
            slug: r.slug,
            description: r.description,
            category: r.category,
            difficulty: r.difficulty,
            status: r.status,
            tags: r.tags,
            version_number: r.version_number,
            is_template: r.is_template,
            is_private: r.is_private,
            usage_count: r.usage_count,
            creator,
            created_at: r.created_at,
            updated_at: r.updated_at,
            published_at: r.published_at,
        });
    }
    Ok(out)
}
