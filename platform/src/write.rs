//! One value for everything a change writes besides its own rows: the audit
//! entry, the domain event and the search-index staging, all in the
//! transaction of the change.
//!
//! A handler owns one transaction; inside it, the service and store get a
//! [`WriteCtx`] instead of the `(tx, principal, meta)` triple:
//!
//! ```ignore
//! use frontline_platform::write::WriteCtx;
//!
//! let principal = auth.0.clone();
//! let meta = meta.clone();
//! platform.db.write(move |tx| {
//!     let w = WriteCtx::new(tx, Some(&principal), &meta);
//!     let scenario = store::insert(w.tx(), &new)?;          // the module's own rows
//!     w.audit(SLUG, "scenario.created", "scenario", &scenario.id, json!({ "title": new.title }))?;
//!     w.emit(SLUG, "scenario.created", &json!({ "scenarioId": scenario.id }), &Audience::All)?;
//!     w.stage_upsert("training_scenarios", &scenario.id, &doc)?;
//!     Ok(scenario)
//! }).await?;
//! ```
//!
//! Or, with the principal and meta moved in for you, [`transact`]:
//!
//! ```ignore
//! write::transact(&platform.db, Some(principal), meta, move |w| {
//!     service::publish(w, &id)
//! }).await?;
//! ```
//!
//! `WriteCtx` derefs to the [`Connection`], so `store::f(&w, ..)` works where
//! a store function takes `&Connection`.

use rusqlite::Connection;
use serde_json::Value;

use crate::audit::{self, AuditEntry};
use crate::auth::Principal;
use crate::db::Db;
use crate::error::ApiResult;
use crate::events::{self, Audience};
use crate::http::RequestMeta;
use crate::search;

/// The write transaction, who is writing (if anyone is signed in) and where
/// the request came from. Cheap to build: it only borrows.
#[derive(Clone, Copy)]
pub struct WriteCtx<'a> {
    tx: &'a Connection,
    principal: Option<&'a Principal>,
    meta: &'a RequestMeta,
}

impl std::fmt::Debug for WriteCtx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteCtx")
            .field("principal", &self.principal.map(|p| p.id.as_str()))
            .field("request_id", &self.meta.request_id)
            .finish()
    }
}

impl<'a> WriteCtx<'a> {
    /// `tx` is the transaction of [`Db::write`] (a `&Transaction` coerces).
    pub fn new(
        tx: &'a Connection,
        principal: Option<&'a Principal>,
        meta: &'a RequestMeta,
    ) -> WriteCtx<'a> {
        WriteCtx {
            tx,
            principal,
            meta,
        }
    }

    /// The transaction, for the module's own store calls.
    pub fn tx(&self) -> &'a Connection {
        self.tx
    }

    /// The signed-in caller, if any.
    pub fn principal(&self) -> Option<&'a Principal> {
        self.principal
    }

    /// The signed-in caller's id, if any.
    pub fn actor_id(&self) -> Option<&'a str> {
        self.principal.map(|p| p.id.as_str())
    }

    /// Request id, client IP and user agent of the request.
    pub fn meta(&self) -> &'a RequestMeta {
        self.meta
    }

    /// The same transaction and request, written as `principal` (e.g. a
    /// system actor, or the caller once a sign-in has identified them).
    pub fn as_principal<'b>(&self, principal: Option<&'b Principal>) -> WriteCtx<'b>
    where
        'a: 'b,
    {
        WriteCtx {
            tx: self.tx,
            principal,
            meta: self.meta,
        }
    }

    /// Records that the caller did `action` to `entity_type` `entity_id`
    /// in `module`. Returns the audit entry's id.
    pub fn audit(
        &self,
        module: &str,
        action: &str,
        entity_type: &str,
        entity_id: &str,
        details: Value,
    ) -> ApiResult<i64> {
        self.record(AuditEntry {
            module,
            action,
            entity_type,
            entity_id: Some(entity_id),
            details,
        })
    }

    /// Records any audit entry (e.g. one without an entity id).
    pub fn record(&self, entry: AuditEntry<'_>) -> ApiResult<i64> {
        audit::record(self.tx, self.principal, self.meta, entry)
    }

    /// Records event `event_type` of `module` and queues its webhook
    /// deliveries to `audience` (see [`events::emit`]). Returns the event id.
    pub fn emit(
        &self,
        module: &str,
        event_type: &str,
        data: &Value,
        audience: &Audience,
    ) -> ApiResult<i64> {
        events::emit(self.tx, module, event_type, data, audience)
    }

    /// Stages "index `doc` under `doc_id`" (see [`search::stage_upsert`]).
    pub fn stage_upsert(&self, index: impl AsRef<str>, doc_id: &str, doc: &Value) -> ApiResult<()> {
        search::stage_upsert(self.tx, index, doc_id, doc)
    }

    /// Stages "remove `doc_id` from `index`" (see [`search::stage_delete`]).
    pub fn stage_delete(&self, index: impl AsRef<str>, doc_id: &str) -> ApiResult<()> {
        search::stage_delete(self.tx, index, doc_id)
    }

    /// Stages "remove every document whose keyword `field` is `value`"
    /// (see [`search::stage_delete_where`]).
    pub fn stage_delete_where(
        &self,
        index: impl AsRef<str>,
        field: &str,
        value: &str,
    ) -> ApiResult<()> {
        search::stage_delete_where(self.tx, index, field, value)
    }
}

impl std::ops::Deref for WriteCtx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.tx
    }
}

/// Runs `f` with a [`WriteCtx`] inside one write transaction of `db`
/// (commits when `f` returns `Ok`).
pub async fn transact<T, F>(
    db: &Db,
    principal: Option<Principal>,
    meta: RequestMeta,
    f: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&WriteCtx<'_>) -> ApiResult<T> + Send + 'static,
{
    db.write(move |tx| f(&WriteCtx::new(tx, principal.as_ref(), &meta)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use crate::settings::Settings;
    use crate::state::Platform;

    fn writer() -> Principal {
        Principal {
            id: "u-1".into(),
            seq: 1,
            email: "writer@test.local".into(),
            name: "Writer".into(),
            roles: vec!["admin".into()],
            token_id: String::new(),
            token_expires_at: 0,
        }
    }

    fn counts(platform: &Platform) -> (i64, i64, i64) {
        platform
            .db
            .read_blocking(|c| {
                let n = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0));
                Ok((
                    n("SELECT COUNT(*) FROM platform_audit_log WHERE module = 'unit'")?,
                    n("SELECT COUNT(*) FROM platform_events WHERE module = 'unit'")?,
                    n("SELECT COUNT(*) FROM platform_search_outbox WHERE index_name = 'unit_docs'")?,
                ))
            })
            .expect("counts")
    }

    #[tokio::test]
    async fn audit_event_and_staging_commit_or_roll_back_with_the_change() {
        let dir = tempfile::tempdir().expect("temp dir");
        let platform = Platform::open(Settings::for_data_dir(dir.path()), &[]).expect("platform");
        let meta = RequestMeta {
            request_id: "req-1".into(),
            ip: Some("10.0.0.9".into()),
            user_agent: Some("unit".into()),
            https: false,
        };
        let doc = serde_json::json!({ "title": "x" });

        // A change that fails leaves no audit entry, event or staged document.
        let failed = transact(&platform.db, Some(writer()), meta.clone(), {
            let doc = doc.clone();
            move |w| {
                w.audit(
                    "unit",
                    "thing.created",
                    "thing",
                    "t-1",
                    serde_json::json!({}),
                )?;
                w.emit("unit", "thing.created", &doc, &Audience::All)?;
                w.stage_upsert("unit_docs", "t-1", &doc)?;
                Err::<(), _>(ApiError::conflict("no"))
            }
        })
        .await;
        assert!(failed.is_err());
        assert_eq!(counts(&platform), (0, 0, 0));

        let principal = writer();
        let meta2 = meta.clone();
        platform
            .db
            .write(move |tx| {
                let w = WriteCtx::new(tx, Some(&principal), &meta2);
                assert_eq!(w.actor_id(), Some("u-1"));
                w.audit(
                    "unit",
                    "thing.created",
                    "thing",
                    "t-1",
                    serde_json::json!({"a": 1}),
                )?;
                w.emit("unit", "thing.created", &doc, &Audience::All)?;
                w.stage_upsert("unit_docs", "t-1", &doc)?;
                w.stage_delete("unit_docs", "t-2")?;
                // Deref: the context is the connection for store calls.
                let n: i64 = w.query_row("SELECT 1", [], |r| r.get(0))?;
                assert_eq!(n, 1);
                Ok(())
            })
            .await
            .expect("write");
        assert_eq!(counts(&platform), (1, 1, 2));
        let row = platform
            .db
            .read_blocking(|c| {
                Ok(c.query_row(
                    "SELECT actor_id, actor_email, ip, request_id, entity_id, details
                     FROM platform_audit_log WHERE module = 'unit'",
                    [],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, String>(5)?,
                        ))
                    },
                )?)
            })
            .expect("row");
        assert_eq!(
            row,
            (
                "u-1".into(),
                "writer@test.local".into(),
                "10.0.0.9".into(),
                "req-1".into(),
                "t-1".into(),
                r#"{"a":1}"#.into()
            )
        );
    }
}
