//! Issue 18: the first page of the scenario list is planned once per pooled
//! connection, not on every request. SQLite reads a bound `LIMIT ?` while
//! planning and then re-plans the statement whenever its bindings are
//! cleared, which rusqlite does each time a kept (`prepare_cached`)
//! statement goes back to the cache: a tenth of a release list page was
//! `sqlite3Reprepare`. The page statement now carries its LIMIT and OFFSET
//! as numbers, and so do a deep page's statements after its keyset anchor.
//! Its own test binary.

use frontline_platform::testing::TestApp;
use frontline_training::store::list::{page, sort_expr, statements, ListCache, ListQuery};
use rusqlite::StatementStatus;

mod support;

#[tokio::test]
async fn a_kept_first_page_statement_is_not_planned_again() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    for i in 0..230 {
        support::create_scenario(&app, &format!("Planned once {i:03}")).await;
    }
    let r = app
        .call(
            "GET",
            "/training/api/admin/scenarios?limit=20",
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["pagination"]["total"], 230);
    // The same page on one pooled connection, three times.
    let conn = app.platform.db.conn().unwrap();
    let q = ListQuery {
        viewer: "usr_admin".into(),
        admin: true,
        sort: sort_expr(None),
        descending: true,
        limit: 20,
        offset: 0,
        ..Default::default()
    };
    let cache = ListCache::default();
    for _ in 0..3 {
        let (rows, total) = page(&conn, &cache, &q).unwrap();
        assert_eq!((rows.len(), total), (20, 230));
    }
    let (sql, _) = statements(&q).swap_remove(1);
    let stmt = conn.prepare_cached(&sql).unwrap();
    assert_eq!(
        stmt.get_status(StatementStatus::RePrepare),
        0,
        "planned again on reuse: {sql}"
    );
    drop(stmt);
    // A deep page inside a run of equal keys (every usageCount is 0): the
    // rows tied with the keyset anchor, read after it.
    let deep = ListQuery {
        sort: sort_expr(Some("usageCount")),
        offset: 200,
        ..q
    };
    for _ in 0..3 {
        let (rows, total) = page(&conn, &cache, &deep).unwrap();
        assert_eq!((rows.len(), total), (20, 230));
    }
    let (sql, _) = statements(&deep).swap_remove(3);
    let stmt = conn.prepare_cached(&sql).unwrap();
    assert_eq!(
        stmt.get_status(StatementStatus::RePrepare),
        0,
        "planned again on reuse: {sql}"
    );
}
