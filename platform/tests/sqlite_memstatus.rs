//! SQLite keeps no allocation statistics in the server: with them on, every
//! SQLite allocation took one process-wide mutex (about 15% of the CPU of a
//! deep list page under load). One test in its own binary: the setting only
//! takes when it comes before SQLite's first use in the process.

use frontline_platform::db::Db;

#[test]
fn sqlite_counts_no_allocation_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("memstatus.db")).unwrap();
    let conn = db.conn().unwrap();
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (randomblob(100000));")
        .unwrap();
    // With statistics on, SQLite's page cache and the blob above show here.
    let used = unsafe { rusqlite::ffi::sqlite3_memory_used() };
    assert_eq!(used, 0, "SQLite still counts its allocations");
}
