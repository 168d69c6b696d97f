//! Issue 18: a kept page statement is reused as prepared. A bound `LIMIT ?` /
//! `OFFSET ?` is read by SQLite's planner, which then marks the statement to be
//! parsed and planned again whenever it is bound, as every reuse of a kept
//! statement is: in the release profile that re-prepare was a third of a
//! provider's review page. A provider's review page and pricing list, asked
//! for again, re-prepare none of their statements. (One test in this file.)

mod support;

use frontline_platform::page::Page;
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use rusqlite::ffi;
use serde_json::json;

/// Each statement prepared on `conn` (its cache included) that SQLite had to
/// parse and plan again since it was first prepared, with its re-prepares.
fn reprepared(conn: &rusqlite::Connection) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    // SAFETY: the connection is open and used by this thread only; the walk
    // reads the statements' text and counters without changing them.
    unsafe {
        let db = conn.handle();
        let mut st = ffi::sqlite3_next_stmt(db, std::ptr::null_mut());
        while !st.is_null() {
            let n = ffi::sqlite3_stmt_status(st, ffi::SQLITE_STMTSTATUS_REPREPARE, 0);
            if n > 0 {
                let sql = std::ffi::CStr::from_ptr(ffi::sqlite3_sql(st))
                    .to_string_lossy()
                    .into_owned();
                out.push((sql, n));
            }
            st = ffi::sqlite3_next_stmt(db, st);
        }
    }
    out
}

#[tokio::test]
async fn review_and_pricing_pages_reuse_their_statements_as_planned() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let m = support::market(&app, json!({})).await;
    support::reviewed_bookings(&app, &m, 60, "approved").await;
    let p = m.prov.clone();
    app.platform
        .db
        .write(move |tx| frontline_marketplace::service::reviews::refresh_rating(tx, &p))
        .await
        .expect("rating");

    // The answers through HTTP, asked for twice.
    for _ in 0..2 {
        for (url, total) in [
            (
                format!("/marketplace/v1/providers/{}/reviews?limit=20", m.prov),
                54,
            ),
            (
                format!("/marketplace/v1/providers/{}/pricing?limit=20", m.prov),
                1,
            ),
        ] {
            let (s, b) = app.call("GET", &url, None, None).await.parts();
            assert_eq!(s, StatusCode::OK, "{url}: {b}");
            let meta = if b["metadata"].is_object() {
                &b["metadata"]
            } else {
                &b["data"]["metadata"]
            };
            assert_eq!(meta["total"], total, "{url}: {b}");
        }
    }

    // The same requests' reads on one connection, three times each: the kept
    // statements run as first planned.
    let conn = app.platform.db.conn().expect("connection");
    for page in [1, 2, 3] {
        let pg = Page::new(Some(page), Some(20), 20, 100).expect("page");
        for _ in 0..3 {
            frontline_marketplace::service::reviews::provider_reviews(
                &conn, &m.prov, None, None, None, &pg,
            )
            .expect("reviews");
            frontline_marketplace::service::pricing::list(&conn, &m.prov, None, None, None, &pg)
                .expect("pricing");
        }
    }
    let again = reprepared(&conn);
    assert!(
        again.is_empty(),
        "statements parsed and planned again on reuse:\n{}",
        again
            .iter()
            .map(|(sql, n)| format!("{n}x {sql}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
