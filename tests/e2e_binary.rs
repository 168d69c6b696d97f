//! End-to-end: the real `frontline` binary on a free loopback port with a temp data dir.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{admin_token, login, start, ADMIN_EMAIL, ADMIN_PASSWORD};

const BIN: &str = env!("CARGO_BIN_EXE_frontline");

/// A module's base, a protected path in it, and a check of its 401 body.
type ModuleCheck = (&'static str, &'static str, fn(&Value) -> bool);

async fn get(client: &reqwest::Client, url: String, token: Option<&str>) -> (u16, String) {
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

#[tokio::test]
async fn the_binary_serves_every_module_with_its_docs_and_its_own_401_body() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], &[]);
    let http = reqwest::Client::new();
    let base = server.base.clone();
    let token = admin_token(&http, &base).await;
    let (status, me) = get(&http, format!("{base}/auth/me"), Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&me).unwrap()["roles"],
        json!(["admin"])
    );

    // Each module: Swagger UI, ReDoc, a spec that parses, and its own 401 body.
    let modules: [ModuleCheck; 5] = [
        ("/training/api", "/admin/templates", |b| {
            b["error"]["code"] == "UNAUTHORIZED"
        }),
        ("/chatbot/api/v2", "/tenants", |b| {
            b["status"] == "error" && b["meta"]["api_version"] == "v2"
        }),
        ("/contact-center", "/api/v1/auth/me", |b| {
            b["error_code"] == "AUTHENTICATION_ERROR" && b["detail"].is_string()
        }),
        ("/marketplace/v1", "/webhooks", |b| {
            b["success"] == false && b["error"]["code"] == "UNAUTHORIZED"
        }),
        ("/planning", "/api/auth/session", |b| {
            b["success"] == false && b["code"] == "UNAUTHORIZED"
        }),
    ];
    for (module_base, protected, is_module_401) in modules {
        let (status, html) = get(&http, format!("{base}{module_base}/docs"), None).await;
        assert_eq!(status, 200, "{module_base}/docs");
        assert!(
            html.contains("swagger"),
            "{module_base}/docs renders Swagger UI"
        );
        let (status, _) = get(&http, format!("{base}{module_base}/redoc"), None).await;
        assert_eq!(status, 200, "{module_base}/redoc");
        let (status, spec) = get(&http, format!("{base}{module_base}/openapi.json"), None).await;
        assert_eq!(status, 200);
        let spec: Value = serde_json::from_str(&spec).expect("spec parses");
        assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
        assert!(!spec["paths"].as_object().unwrap().is_empty());
        let (status, body) = get(&http, format!("{base}{module_base}{protected}"), None).await;
        assert_eq!(status, 401, "{module_base}{protected}");
        let body: Value = serde_json::from_str(&body).expect("401 body is JSON");
        assert!(is_module_401(&body), "{module_base}: {body}");
    }

    let (status, index) = get(&http, format!("{base}/docs"), None).await;
    assert_eq!(status, 200);
    for m in [
        "/training/api/docs",
        "/chatbot/api/v2/docs",
        "/contact-center/docs",
        "/marketplace/v1/docs",
        "/planning/docs",
    ] {
        assert!(index.contains(m), "docs index links {m}");
    }
    let (status, ui) = get(&http, format!("{base}/"), None).await;
    assert_eq!(status, 200);
    assert!(ui.contains("<!doctype html>") || ui.contains("<!DOCTYPE html>"));
    let (status, health) = get(&http, format!("{base}/healthz"), None).await;
    assert_eq!(status, 200, "{health}");
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_stops_the_server_gracefully_and_data_persists() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path(), &[], &[]);
    let http = reqwest::Client::new();
    let admin = admin_token(&http, &server.base).await;
    let created = http
        .post(format!("{}/auth/users", server.base))
        .bearer_auth(&admin)
        .json(&json!({"email": "kept@example.com", "password": "kept-password-1", "name": "Kept", "roles": ["planning:VIEWER"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);

    server.signal(libc::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "clean exit: {status:?}");
    let rest: Vec<String> = server.output.try_iter().collect();
    assert!(rest.iter().any(|l| l == "Frontline stopped."), "{rest:?}");

    // Restart on the same data dir: the user is there, the admin is not recreated.
    let server = start(
        dir.path(),
        &[],
        &[("FRONTLINE_ADMIN_PASSWORD", "a-different-one")],
    );
    let kept = login(&http, &server.base, "kept@example.com", "kept-password-1").await;
    assert!(!kept.is_empty());
    // The first-start password is still the admin's.
    let again = login(&http, &server.base, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(!again.is_empty());
}

fn run(args: &[&str], data_dir: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("run frontline");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn cli_users_backup_and_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = run(&["migrate"], dir.path());
    assert!(ok, "{out}");
    let (ok, out) = run(
        &[
            "user",
            "create",
            "--email",
            "ops@example.com",
            "--password",
            "ops-password-1",
            "--role",
            "training:editor",
        ],
        dir.path(),
    );
    assert!(ok, "{out}");
    let (ok, out) = run(
        &[
            "user",
            "create",
            "--email",
            "bad@example.com",
            "--password",
            "x",
            "--role",
            "nope",
        ],
        dir.path(),
    );
    assert!(!ok);
    assert!(out.contains("password") && out.contains("roles"), "{out}");
    let (ok, out) = run(&["user", "list"], dir.path());
    assert!(
        ok && out.contains("ops@example.com\tactive\ttraining:editor"),
        "{out}"
    );
    let (ok, out) = run(
        &[
            "user",
            "set-password",
            "--email",
            "ops@example.com",
            "--password",
            "new-password-2",
        ],
        dir.path(),
    );
    assert!(ok, "{out}");

    let backup = dir.path().join("copy.db");
    let (ok, out) = run(&["backup", backup.to_str().unwrap()], dir.path());
    assert!(ok, "{out}");
    let conn = rusqlite::Connection::open(&backup).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM platform_users WHERE email = 'ops@example.com'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    let (ok, out) = run(&["backup", backup.to_str().unwrap()], dir.path());
    assert!(!ok && out.contains("already exists"), "{out}");
}

#[test]
fn openapi_command_writes_the_committed_specs() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("openapi")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi");
    for name in [
        "platform",
        "training",
        "chatbot",
        "contact-center",
        "marketplace",
        "planning",
    ] {
        let generated = std::fs::read_to_string(dir.path().join(format!("{name}.json"))).unwrap();
        let expected = std::fs::read_to_string(committed.join(format!("{name}.json"))).unwrap();
        assert!(
            generated == expected,
            "openapi/{name}.json is stale: run `frontline openapi openapi/`"
        );
    }
}

#[test]
fn a_database_from_a_newer_build_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = run(&["migrate"], dir.path());
    assert!(ok, "{out}");
    let conn = rusqlite::Connection::open(dir.path().join("frontline.db")).unwrap();
    conn.execute(
        "UPDATE schema_migrations SET version = 99 WHERE module = 'training'",
        [],
    )
    .unwrap();
    drop(conn);
    let (ok, out) = run(&["migrate"], dir.path());
    assert!(!ok);
    assert!(
        out.contains("written by a newer Frontline") && out.contains("'training'"),
        "{out}"
    );
}
