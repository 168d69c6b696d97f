//! Storage faults on a real, small filesystem: a data dir that fills up, and
//! one that is mounted read-only. Runs the real binary on a tmpfs mount, so it
//! needs root (CI runs as root); elsewhere each test says it was skipped.

#![cfg(target_os = "linux")]

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use support::{admin_token, user_emails, Server};

/// A tmpfs of `size` mounted on a fresh temp dir; unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            eprintln!("skipped: cannot mount a tmpfs here (needs root)");
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, mode: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(self.path())
            .status()
            .unwrap();
        assert!(status.success(), "remount {mode}");
    }

    /// Writes zeros into `filler` until the filesystem has no space left.
    fn fill(&self) -> PathBuf {
        let filler = self.path().join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 16 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
        // Leftovers smaller than a chunk.
        while f.write_all(&[0u8; 512]).is_ok() {}
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

fn start(data_dir: &Path) -> Server {
    support::start(data_dir, &["--rate-limits", "off"], &[])
}

async fn create_user(http: &reqwest::Client, base: &str, token: &str, email: &str) -> (u16, Value) {
    let r = http
        .post(format!("{base}/auth/users"))
        .bearer_auth(token)
        .json(&json!({
            "email": email,
            "password": "storage-pass-1",
            "name": "A user whose name takes some room on the disk ".repeat(4),
            "roles": ["training:viewer", "contact-center:agent"]
        }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn stop(mut server: Server) {
    server.signal(libc::SIGTERM);
    let _ = server.child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_clearly_keeps_reads_and_recovers_when_space_returns() {
    let Some(disk) = SmallDisk::mount("24m") else {
        return;
    };
    let data = disk.path().join("data");
    let server = start(&data);
    let http = reqwest::Client::new();
    let token = admin_token(&http, &server.base).await;
    let (status, _) = create_user(&http, &server.base, &token, "before@example.com").await;
    assert_eq!(status, 201);

    let filler = disk.fill();
    let mut acked = vec!["before@example.com".to_string()];
    let mut refused = None;
    for i in 0..400 {
        let email = format!("full-{i}@example.com");
        let (status, body) = create_user(&http, &server.base, &token, &email).await;
        match status {
            201 => acked.push(email),
            503 => {
                refused = Some(body);
                break;
            }
            other => panic!("a full disk must not give {other}: {body}"),
        }
    }
    let body = refused.expect("writes on a full disk are refused");
    assert_eq!(body["error"]["code"], "STORAGE_FULL", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("full"),
        "{body}"
    );
    // Reads keep working while the disk is full.
    let listed = user_emails(&http, &server.base, &token).await;
    for e in &acked {
        assert!(listed.contains(e), "{e} listed while the disk is full");
    }

    // Space comes back: writes work again without a restart.
    std::fs::remove_file(filler).unwrap();
    let (status, body) = create_user(&http, &server.base, &token, "after@example.com").await;
    assert_eq!(status, 201, "{body}");
    acked.push("after@example.com".into());
    stop(server);

    assert_eq!(integrity(&data.join("frontline.db")), "ok");
    let server = start(&data);
    let token = admin_token(&http, &server.base).await;
    let listed = user_emails(&http, &server.base, &token).await;
    for e in &acked {
        assert!(
            listed.contains(e),
            "acknowledged {e} survives the full disk"
        );
    }
    stop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_data_dir_is_reported_clearly_and_nothing_is_lost() {
    let Some(disk) = SmallDisk::mount("64m") else {
        return;
    };
    let data = disk.path().join("data");
    let server = start(&data);
    let http = reqwest::Client::new();
    let token = admin_token(&http, &server.base).await;
    let (status, _) = create_user(&http, &server.base, &token, "kept@example.com").await;
    assert_eq!(status, 201);
    stop(server);

    disk.remount("ro");
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(support::bin())
            .args(["--port", "0", "--data-dir"])
            .arg(&data)
            .output(),
    )
    .await
    .expect("a read-only data dir does not hang the start")
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !out.status.success(),
        "refuses to serve from a read-only dir"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("read-only") || stderr.contains("not writable"),
        "names the problem: {stderr}"
    );
    assert!(
        stderr.contains(&data.display().to_string()),
        "names the dir: {stderr}"
    );

    disk.remount("rw");
    assert_eq!(integrity(&data.join("frontline.db")), "ok");
    let server = start(&data);
    let token = admin_token(&http, &server.base).await;
    assert!(user_emails(&http, &server.base, &token)
        .await
        .contains(&"kept@example.com".to_string()));
    stop(server);
}
