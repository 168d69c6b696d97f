//! A fresh start keeps the server's files to its own user: the data dir and
//! its directories 0700, the database (with -wal and -shm) and secret.key
//! 0600, whatever umask the server was started with.

#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn a_fresh_data_dir_is_private() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("fresh").join("data");
    let server = support::start(&data, &[], &[]);
    // A write, so the WAL holds something.
    let http = reqwest::Client::new();
    let token = support::admin_token(&http, &server.base).await;
    assert!(!token.is_empty());

    assert_eq!(mode(&data), 0o700, "data dir");
    for dir in ["files", "index"] {
        assert_eq!(mode(&data.join(dir)), 0o700, "{dir}/");
    }
    for file in [
        "frontline.db",
        "frontline.db-wal",
        "frontline.db-shm",
        "secret.key",
    ] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    drop(server);
}
