//! The real binary: user changes made by other processes reach a running
//! server within a second or two, and X-Forwarded-* are believed only from
//! trusted proxies.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{admin_token, login, start};

const BIN: &str = env!("CARGO_BIN_EXE_frontline");

async fn me(http: &reqwest::Client, base: &str, token: &str) -> (u16, Value) {
    let resp = http
        .get(format!("{base}/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("me");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Polls `/auth/me` with `token` until `done` holds; returns how long it took.
async fn until(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    done: impl Fn(u16, &Value) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body) = me(http, base, token).await;
        if done(status, &body) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still {status} {body} after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn user_changes_by_the_cli_or_another_process_reach_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--rate-limits", "off"], &[]);
    let http = reqwest::Client::new();
    let base = server.base.clone();
    let admin = admin_token(&http, &base).await;
    let created = http
        .post(format!("{base}/auth/users"))
        .bearer_auth(&admin)
        .json(&json!({"email": "live@example.com", "password": "first-password-1", "name": "Live", "roles": ["planning:VIEWER"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let old = login(&http, &base, "live@example.com", "first-password-1").await;
    assert_eq!(me(&http, &base, &old).await.0, 200);

    // `frontline user set-password` in a second process, beside the server.
    let out = Command::new(BIN)
        .args([
            "user",
            "set-password",
            "--email",
            "live@example.com",
            "--password",
            "second-password-2",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .expect("run the CLI");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The old token stops working ...
    let took = until(&http, &base, &old, |s, _| s == 401).await;
    assert!(took < Duration::from_secs(2), "took {took:?}");
    // ... and a token issued with the new password works.
    let new = login(&http, &base, "live@example.com", "second-password-2").await;
    let (status, body) = me(&http, &base, &new).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["roles"], json!(["planning:VIEWER"]));

    // Another process changes the roles, then signs the user out everywhere.
    let db = rusqlite::Connection::open(dir.path().join("frontline.db")).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    db.execute(
        "UPDATE platform_users SET roles = '[\"planning:PLANNER\"]' WHERE email = 'live@example.com'",
        [],
    )
    .unwrap();
    let took = until(&http, &base, &new, |s, b| {
        s == 200 && b["roles"] == json!(["planning:PLANNER"])
    })
    .await;
    assert!(took < Duration::from_secs(2), "took {took:?}");
    db.execute(
        "UPDATE platform_users SET token_version = token_version + 1 WHERE email = 'live@example.com'",
        [],
    )
    .unwrap();
    let took = until(&http, &base, &new, |s, _| s == 401).await;
    assert!(took < Duration::from_secs(2), "took {took:?}");

    // The password change is in the audit log.
    let log: Value = http
        .get(format!("{base}/auth/audit?action=auth.password_changed"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["total"], 1, "{log}");
    assert_eq!(log["data"][0]["details"]["email"], "live@example.com");
}

async fn post(
    http: &reqwest::Client,
    url: String,
    body: Value,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = http.post(url).json(&body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.expect("request")
}

fn cookie(resp: &reqwest::Response) -> String {
    resp.headers()["set-cookie"].to_str().unwrap().to_string()
}

async fn last_failed_ip(http: &reqwest::Client, base: &str, admin: &str) -> Value {
    let log: Value = http
        .get(format!(
            "{base}/auth/audit?action=auth.login_failed&limit=1"
        ))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log["data"][0]["ip"].clone()
}

#[tokio::test]
async fn forwarded_headers_count_only_from_trusted_proxies() {
    let http = reqwest::Client::new();
    let signin = json!({"email": support::ADMIN_EMAIL, "password": support::ADMIN_PASSWORD});

    // No trusted proxies (the default): the headers are ignored.
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], &[]);
    let base = server.base.clone();
    let resp = post(
        &http,
        format!("{base}/planning/api/auth/signin"),
        signin.clone(),
        &[("X-Forwarded-Proto", "https")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 200);
    assert!(!cookie(&resp).contains("Secure"), "{}", cookie(&resp));
    let admin = admin_token(&http, &base).await;
    let spoofed = [("X-Forwarded-For", "203.0.113.9")];
    let wrong =
        |i: usize| json!({"email": format!("x{i}@example.com"), "password": "wrong-password"});
    let resp = post(&http, format!("{base}/auth/login"), wrong(0), &spoofed).await;
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(last_failed_ip(&http, &base, &admin).await, "127.0.0.1");
    // A new X-Forwarded-For per attempt does not make a new budget.
    for i in 1..7 {
        let xff = format!("203.0.113.{i}");
        let resp = post(
            &http,
            format!("{base}/auth/login"),
            wrong(i),
            &[("X-Forwarded-For", &xff)],
        )
        .await;
        assert_eq!(resp.status().as_u16(), 401, "attempt {i}");
    }
    let resp = post(
        &http,
        format!("{base}/auth/login"),
        wrong(99),
        &[("X-Forwarded-For", "198.51.100.77")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 401);
    let resp = post(
        &http,
        format!("{base}/auth/login"),
        wrong(100),
        &[("X-Forwarded-For", "198.51.100.78")],
    )
    .await;
    assert_eq!(
        resp.status().as_u16(),
        429,
        "10 sign-ins per IP, whatever it claims"
    );
    drop(server);

    // 127.0.0.1 declared a trusted proxy: the client is what it forwards.
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        &["--trusted-proxies", "10.0.0.0/8,127.0.0.1"],
        &[],
    );
    let base = server.base.clone();
    let resp = post(
        &http,
        format!("{base}/planning/api/auth/signin"),
        signin.clone(),
        &[
            ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-For", "198.51.100.1"),
        ],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 200);
    assert!(cookie(&resp).contains("; Secure"), "{}", cookie(&resp));
    let resp = post(
        &http,
        format!("{base}/planning/api/auth/signin"),
        signin.clone(),
        &[("X-Forwarded-For", "198.51.100.2")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 200);
    assert!(!cookie(&resp).contains("Secure"), "{}", cookie(&resp));
    let admin = admin_token(&http, &base).await;
    let chain = [("X-Forwarded-For", "203.0.113.9, 10.1.2.3")];
    let resp = post(&http, format!("{base}/auth/login"), wrong(0), &chain).await;
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(last_failed_ip(&http, &base, &admin).await, "203.0.113.9");
    // Each forwarded client has its own budget.
    for i in 0..10 {
        let resp = post(
            &http,
            format!("{base}/auth/login"),
            wrong(i + 1),
            &[("X-Forwarded-For", "203.0.113.50")],
        )
        .await;
        assert_eq!(resp.status().as_u16(), 401, "attempt {i}");
    }
    let resp = post(
        &http,
        format!("{base}/auth/login"),
        wrong(20),
        &[("X-Forwarded-For", "203.0.113.50")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 429);
    let resp = post(
        &http,
        format!("{base}/auth/login"),
        wrong(21),
        &[("X-Forwarded-For", "203.0.113.51")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 401);
}
