//! Running the real `frontline` binary in tests and examples.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const ADMIN_EMAIL: &str = "root@example.com";
pub const ADMIN_PASSWORD: &str = "test-password-1";

/// A running server; killed and reaped when dropped.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// Lines the server printed after its address.
    pub output: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Sends `sig` to the server process.
    #[cfg(unix)]
    pub fn signal(&self, sig: i32) {
        // SAFETY: signalling our own child process.
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
    }
}

/// Starts `bin` on a free loopback port with `data_dir`, extra `args` and
/// `env`, and waits for its `Frontline listening on …` line.
pub fn start_with(bin: &Path, data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(bin);
    cmd.args(["--port", "0", "--host", "127.0.0.1"])
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("FRONTLINE_PORT")
        .env("FRONTLINE_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("FRONTLINE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start frontline");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if let Some(url) = line.strip_prefix("Frontline listening on ") {
            return Server {
                child,
                base: url.trim().to_string(),
                output: rx,
            };
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not print its address in time");
}

/// The test build's binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_frontline"))
}

/// Starts the test build's binary.
pub fn start(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
    start_with(&bin(), data_dir, args, env)
}

/// Signs in and returns the access token.
pub async fn login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> String {
    let v: Value = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login request")
        .json()
        .await
        .expect("login body");
    v["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// Signs in as the bootstrap admin.
pub async fn admin_token(http: &reqwest::Client, base: &str) -> String {
    login(http, base, ADMIN_EMAIL, ADMIN_PASSWORD).await
}

/// The e-mails of every user, as the admin sees them at `/auth/users`.
pub async fn user_emails(http: &reqwest::Client, base: &str, token: &str) -> Vec<String> {
    let users: Vec<Value> = http
        .get(format!("{base}/auth/users"))
        .bearer_auth(token)
        .send()
        .await
        .expect("list users")
        .json()
        .await
        .expect("users body");
    users
        .iter()
        .filter_map(|u| u["email"].as_str().map(str::to_string))
        .collect()
}
