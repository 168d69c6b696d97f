//! The audit log: who did what to which entity, when and from where. Always
//! written with the same connection/transaction as the change it records.

use rusqlite::{params, Connection};
use serde_json::Value;

use crate::auth::{now_iso, Principal};
use crate::db_paging::{ListSql, PageCache};
use crate::error::ApiResult;
use crate::http::RequestMeta;

/// One audit entry.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub module: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<&'a str>,
    pub details: Value,
}

/// Records `entry` inside the caller's transaction.
pub fn record(
    tx: &Connection,
    actor: Option<&Principal>,
    meta: &RequestMeta,
    entry: AuditEntry<'_>,
) -> ApiResult<i64> {
    record_as(
        tx,
        actor.map(|a| a.id.as_str()),
        actor.map(|a| a.email.as_str()),
        meta,
        entry,
    )
}

/// Records `entry` for an actor known only by id and/or e-mail (a failed
/// sign-in has the e-mail tried and no id).
pub fn record_as(
    tx: &Connection,
    actor_id: Option<&str>,
    actor_email: Option<&str>,
    meta: &RequestMeta,
    entry: AuditEntry<'_>,
) -> ApiResult<i64> {
    tx.execute(
        "INSERT INTO platform_audit_log
            (at, module, actor_id, actor_email, action, entity_type, entity_id, ip, user_agent,
             request_id, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            now_iso(),
            entry.module,
            actor_id,
            actor_email,
            entry.action,
            entry.entity_type,
            entry.entity_id,
            meta.ip,
            meta.user_agent,
            meta.request_id,
            entry.details.to_string(),
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// A stored audit entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub module: String,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub details: Value,
}

/// Filters for reading the log; every field is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub module: Option<String>,
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// The actor's e-mail (for failed sign-ins: the e-mail tried), any case.
    pub actor_email: Option<String>,
    /// The client IP the request came from.
    pub ip: Option<String>,
    /// Inclusive RFC 3339 bounds.
    pub from: Option<String>,
    pub to: Option<String>,
    pub offset: u64,
    pub limit: u64,
}

/// Totals and keyset anchors of the audit log's lists (see `db_paging`).
static PAGES: std::sync::LazyLock<PageCache> = std::sync::LazyLock::new(PageCache::new);

/// The list query of `q`, newest first.
pub fn list_sql(q: &AuditQuery) -> ListSql<'static> {
    let mut clauses = Vec::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut add = |clause: &str, value: &Option<String>| {
        if let Some(v) = value {
            args.push(v.clone().into());
            clauses.push(clause.to_string());
        }
    };
    add("module = ?", &q.module);
    add("actor_id = ?", &q.actor_id);
    add("action = ?", &q.action);
    add("entity_type = ?", &q.entity_type);
    add("entity_id = ?", &q.entity_id);
    add("actor_email = ? COLLATE NOCASE", &q.actor_email);
    add("ip = ?", &q.ip);
    add("at >= ?", &q.from);
    add("at <= ?", &q.to);
    ListSql {
        tables: &["platform_audit_log"],
        select: "SELECT id, at, module, actor_id, actor_email, action, entity_type, entity_id, ip,
                user_agent, request_id, details FROM platform_audit_log",
        from: "platform_audit_log",
        filter: if clauses.is_empty() {
            "1".to_string()
        } else {
            clauses.join(" AND ")
        },
        args,
        order: vec![("id".to_string(), true)],
    }
}

/// Newest first, with the total count before paging. The total and keyset
/// anchors are cached until the log grows, so a deep page costs what the
/// first one does.
pub fn query(conn: &Connection, q: &AuditQuery) -> ApiResult<(Vec<AuditRecord>, u64)> {
    PAGES.page(conn, &list_sql(q), q.limit, q.offset, |r| {
        let details: String = r.get(11)?;
        Ok(AuditRecord {
            id: r.get(0)?,
            at: r.get(1)?,
            module: r.get(2)?,
            actor_id: r.get(3)?,
            actor_email: r.get(4)?,
            action: r.get(5)?,
            entity_type: r.get(6)?,
            entity_id: r.get(7)?,
            ip: r.get(8)?,
            user_agent: r.get(9)?,
            request_id: r.get(10)?,
            details: serde_json::from_str(&details).unwrap_or(Value::Null),
        })
    })
}
