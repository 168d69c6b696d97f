//! Contacts and call lists.

use frontline_platform::db_paging::{ListSql, PageCache};
use frontline_platform::page::Window;
use frontline_platform::ApiResult;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use super::{int, like, text, Filter};
use crate::common::{json_col, not_found, now};
use crate::model::*;

const CONTACT_SELECT: &str = "SELECT k.id, k.campaign_id, k.first_name, k.last_name, k.email,
    k.phone_number, k.company, k.custom_fields, k.priority, k.status, k.call_attempts,
    k.last_called_at, k.created_by_id, k.created_at, k.updated_at FROM cc_contacts k";

fn contact_row(r: &Row<'_>) -> rusqlite::Result<Contact> {
    Ok(Contact {
        id: r.get(0)?,
        campaign_id: r.get(1)?,
        first_name: r.get(2)?,
        last_name: r.get(3)?,
        email: r.get(4)?,
        phone_number: r.get(5)?,
        company: r.get(6)?,
        custom_fields: json_col(&r.get::<_, String>(7)?),
        priority: r.get(8)?,
        status: r.get(9)?,
        call_attempts: r.get(10)?,
        last_called_at: r.get(11)?,
        created_by_id: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

/// Columns a call list may sort by.
pub const SORT_COLUMNS: &[&str] = &[
    "priority",
    "created_at",
    "last_name",
    "first_name",
    "last_called_at",
    "call_attempts",
];

fn scope_filter(f: &mut Filter, scope: Option<i64>) {
    if let Some(s) = scope {
        f.and(
            "(k.created_by_id = ? OR k.campaign_id IN (SELECT id FROM cc_campaigns WHERE created_by_id = ?))",
            vec![int(s), int(s)],
        );
    }
}

impl ContactQuery {
    fn filter(&self) -> Filter {
        let mut f = Filter::new();
        scope_filter(&mut f, self.scope);
        if let Some(c) = self.campaign_id {
            f.and("k.campaign_id = ?", vec![int(c)]);
        }
        if let Some(s) = &self.status {
            f.and("k.status = ?", vec![text(s)]);
        }
        if let Some(p) = self.priority_min {
            f.and("k.priority >= ?", vec![int(p)]);
        }
        if let Some(p) = self.priority_max {
            f.and("k.priority <= ?", vec![int(p)]);
        }
        if let Some(a) = self.max_attempts {
            f.and("k.call_attempts <= ?", vec![int(a)]);
        }
        if let Some(q) = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
        {
            let digits: String = q.chars().filter(char::is_ascii_digit).collect();
            let phone = if digits.len() >= 3 {
                like(&digits)
            } else {
                like(q)
            };
            f.and(
                "((k.first_name || ' ' || COALESCE(k.last_name, '')) LIKE ? ESCAPE '\\'
                  OR k.email LIKE ? ESCAPE '\\' OR k.phone_number LIKE ? ESCAPE '\\'
                  OR k.company LIKE ? ESCAPE '\\')",
                vec![like(q), like(q), phone, like(q)],
            );
        }
        f
    }

    /// The order as `db_paging` keys: `(expression, descending)`.
    fn keys(&self) -> Vec<(String, bool)> {
        let col = self
            .sort_by
            .as_deref()
            .filter(|c| SORT_COLUMNS.contains(c))
            .unwrap_or("id");
        if col == "id" {
            vec![("k.id".into(), self.descending)]
        } else {
            vec![
                (format!("k.{col} IS NULL"), false),
                (format!("k.{col}"), self.descending),
                ("k.id".into(), false),
            ]
        }
    }
}

pub fn count_contacts(conn: &Connection, q: &ContactQuery) -> ApiResult<i64> {
    let f = q.filter();
    Ok(conn.query_row(
        &format!("SELECT COUNT(*) FROM cc_contacts k {}", f.sql()),
        params_from_iter(f.args.iter()),
        |r| r.get(0),
    )?)
}

pub fn list_contacts(
    conn: &Connection,
    q: &ContactQuery,
    w: Window,
) -> ApiResult<(Vec<Contact>, u64)> {
    // Total and keyset anchors cached until contacts or campaigns change.
    static PAGES: std::sync::LazyLock<PageCache> = std::sync::LazyLock::new(PageCache::new);
    PAGES.page(conn, &contacts_sql(q), w.limit, w.offset, contact_row)
}

/// The list query of `q` (for `db_paging` and query-plan tests).
pub fn contacts_sql(q: &ContactQuery) -> ListSql<'static> {
    let f = q.filter();
    ListSql {
        tables: &["cc_contacts", "cc_campaigns"],
        select: CONTACT_SELECT,
        from: "cc_contacts k",
        filter: f.clause(),
        args: f.args,
        order: q.keys(),
    }
}

pub fn get_contact(conn: &Connection, id: i64, scope: Option<i64>) -> ApiResult<Contact> {
    let mut f = Filter::new();
    f.and("k.id = ?", vec![int(id)]);
    scope_filter(&mut f, scope);
    conn.query_row(
        &format!("{CONTACT_SELECT} {}", f.sql()),
        params_from_iter(f.args.iter()),
        contact_row,
    )
    .optional()?
    .ok_or_else(|| not_found("Contact", id))
}

/// The id of the contact with `phone` in `campaign`, if any (other than `except`).
pub fn phone_taken(
    conn: &Connection,
    campaign: i64,
    phone: &str,
    except: Option<i64>,
) -> ApiResult<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM cc_contacts WHERE campaign_id = ?1 AND phone_number = ?2
               AND (?3 IS NULL OR id != ?3)",
            params![campaign, phone, except],
            |r| r.get(0),
        )
        .optional()?)
}

/// Every phone number already in `campaign`.
pub fn campaign_phones(conn: &Connection, campaign: i64) -> ApiResult<Vec<String>> {
    let mut stmt = conn.prepare("SELECT phone_number FROM cc_contacts WHERE campaign_id = ?1")?;
    let rows = stmt
        .query_map([campaign], |r| r.get(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Inserts `c` (already validated); `c.id`, dates and counters are ignored.
pub fn insert_contact(tx: &Connection, c: &Contact) -> ApiResult<i64> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO cc_contacts (campaign_id, first_name, last_name, email, phone_number, company,
            custom_fields, priority, status, created_by_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
    )?;
    stmt.execute(params![
        c.campaign_id,
        c.first_name,
        c.last_name,
        c.email,
        c.phone_number,
        c.company,
        c.custom_fields.to_string(),
        c.priority,
        c.status,
        c.created_by_id,
        c.created_at
    ])?;
    Ok(tx.last_insert_rowid())
}

pub fn update_contact(tx: &Connection, c: &Contact) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_contacts SET campaign_id = ?2, first_name = ?3, last_name = ?4, email = ?5,
            phone_number = ?6, company = ?7, custom_fields = ?8, priority = ?9, status = ?10,
            updated_at = ?11
         WHERE id = ?1",
        params![
            c.id,
            c.campaign_id,
            c.first_name,
            c.last_name,
            c.email,
            c.phone_number,
            c.company,
            c.custom_fields.to_string(),
            c.priority,
            c.status,
            now()
        ],
    )?;
    Ok(())
}

pub fn delete_contact(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute("DELETE FROM cc_contacts WHERE id = ?1", [id])?;
    Ok(())
}

/// Records a call attempt on a contact and moves its status.
pub fn mark_attempt(tx: &Connection, id: i64, at: &str, status: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_contacts SET call_attempts = call_attempts + 1,
            last_called_at = MAX(COALESCE(last_called_at, ''), ?2), status = ?3, updated_at = ?4
         WHERE id = ?1",
        params![id, at, status, now()],
    )?;
    Ok(())
}

// ---- call lists ----

const LIST_SELECT: &str = "SELECT id, campaign_id, name, filters, sort_by, sort_order,
    created_by_id, created_at, updated_at FROM cc_call_lists l";

fn list_row(r: &Row<'_>) -> rusqlite::Result<CallList> {
    Ok(CallList {
        id: r.get(0)?,
        campaign_id: r.get(1)?,
        name: r.get(2)?,
        filters: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
        sort_by: r.get(4)?,
        sort_order: r.get(5)?,
        contact_count: 0,
        created_by_id: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

/// The contacts a call list resolves to.
pub fn list_query(l: &CallList, scope: Option<i64>) -> ContactQuery {
    ContactQuery {
        scope,
        campaign_id: l.campaign_id,
        status: l.filters.status.clone().map(String::from),
        search: l.filters.search.clone(),
        priority_min: l.filters.priority_min,
        priority_max: l.filters.priority_max,
        max_attempts: l.filters.max_attempts,
        sort_by: Some(l.sort_by.clone()),
        descending: l.sort_order == "desc",
    }
}

fn with_count(conn: &Connection, mut l: CallList, scope: Option<i64>) -> ApiResult<CallList> {
    l.contact_count = count_contacts(conn, &list_query(&l, scope))?;
    Ok(l)
}

pub fn get_call_list(conn: &Connection, id: i64, scope: Option<i64>) -> ApiResult<CallList> {
    let l = conn
        .query_row(
            &format!("{LIST_SELECT} WHERE l.id = ?1 AND (?2 IS NULL OR l.created_by_id = ?2)"),
            params![id, scope],
            list_row,
        )
        .optional()?
        .ok_or_else(|| not_found("Call list", id))?;
    with_count(conn, l, scope)
}

pub fn list_call_lists(
    conn: &Connection,
    scope: Option<i64>,
    campaign_id: Option<i64>,
    w: Window,
) -> ApiResult<(Vec<CallList>, u64)> {
    let mut f = Filter::new();
    if let Some(s) = scope {
        f.and("l.created_by_id = ?", vec![int(s)]);
    }
    if let Some(c) = campaign_id {
        f.and("l.campaign_id = ?", vec![int(c)]);
    }
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM cc_call_lists l {}", f.sql()),
        params_from_iter(f.args.iter()),
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "{LIST_SELECT} {} ORDER BY l.id LIMIT {} OFFSET {}",
        f.sql(),
        w.limit,
        w.offset
    ))?;
    let rows = stmt
        .query_map(params_from_iter(f.args.iter()), list_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let rows = rows
        .into_iter()
        .map(|l| with_count(conn, l, scope))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((rows, total as u64))
}

pub fn insert_call_list(tx: &Connection, l: &CallList) -> ApiResult<i64> {
    let now = now();
    tx.execute(
        "INSERT INTO cc_call_lists (campaign_id, name, filters, sort_by, sort_order, created_by_id,
            created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            l.campaign_id,
            l.name,
            serde_json::to_string(&l.filters)?,
            l.sort_by,
            l.sort_order,
            l.created_by_id,
            now
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn delete_call_list(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute("DELETE FROM cc_call_lists WHERE id = ?1", [id])?;
    Ok(())
}
