//! Issue 18: handing out a pooled connection runs no statement of its own
//! (r2d2_sqlite's default probe ran `SELECT 1` on every checkout). Its own
//! test binary: the statement recorder sees every connection in the process.

use frontline_platform::db::{statements, Db};

#[test]
fn a_pooled_connection_is_handed_out_without_a_probe_statement() {
    statements::trace_statements();
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("checkout.db")).unwrap();
    let from = statements::start();
    for _ in 0..3 {
        let c = db.conn().unwrap();
        let two: i64 = c.query_row("SELECT 2", [], |r| r.get(0)).unwrap();
        assert_eq!(two, 2);
    }
    let ran = statements::finish(from);
    assert_eq!(
        ran.iter().filter(|s| s.contains("SELECT 2")).count(),
        3,
        "the recorder saw the reads: {ran:?}"
    );
    assert!(
        !ran.iter()
            .any(|s| s.trim().trim_end_matches(';') == "SELECT 1"),
        "a checkout ran a probe statement: {ran:?}"
    );
}
