//! What the load and bench examples share: the release binary started as a
//! child process, its memory figures, percentiles and JSON lookups.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A running server; killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `FRONTLINE_BIN`, else the `frontline` next to this example's directory
/// (target/release/examples/x -> target/release/frontline).
pub fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("FRONTLINE_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("current exe");
    exe.parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("frontline"))
        .expect("binary path")
}

/// Starts the binary on a free port over `data` (with the demo data set when
/// `demo`), rate limits off, and waits until it listens.
pub fn start(data: &Path, demo: bool) -> Server {
    let mut cmd = Command::new(binary());
    cmd.args(["--port", "0", "--rate-limits", "off", "--data-dir"])
        .arg(data);
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd
        .env("FRONTLINE_ADMIN_EMAIL", "bench@example.com")
        .env("FRONTLINE_ADMIN_PASSWORD", "bench-password-1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the release binary (cargo build --release --bin frontline first)");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("Frontline listening on ") {
                    std::thread::spawn(move || for _ in lines.by_ref() {});
                    return Server {
                        child,
                        base: url.trim().to_string(),
                    };
                }
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("server exited before listening");
            }
        }
    }
}

/// One `/proc/<pid>/status` figure in MiB (`VmRSS:`, `VmHWM:`, `RssAnon:`, …).
pub fn status_mib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

pub use frontline_platform::testing::percentile as pct;

/// The string (or integer) at `pointer` in an answer, or what the answer was.
pub fn text(v: &Value, pointer: &str) -> Result<String, String> {
    v.pointer(pointer)
        .and_then(|x| {
            x.as_str()
                .map(str::to_string)
                .or_else(|| x.as_i64().map(|i| i.to_string()))
        })
        .ok_or_else(|| format!("no {pointer} in {v}"))
}

/// The training document's billing-dispute scenario, named `name`.
pub fn scenario(name: &str) -> Value {
    serde_json::json!({
      "name": name,
      "description": "Customer received an incorrect bill with an overcharge",
      "category": "BILLING_PAYMENTS", "difficulty": "INTERMEDIATE", "estimatedDuration": 10,
      "tags": ["billing", "dispute", "overcharge"],
      "customerProfile": {"name": "Robert Johnson", "age": 45, "personality": ["assertive"],
        "initialMood": 35, "speakingStyle": "firm", "backgroundStory": "Long-term customer"},
      "context": {"companyName": "TelcoMax", "industry": "telecommunications",
        "productService": "Internet and TV bundle", "issue": "Bill is $75 higher than usual"},
      "aiConfig": {"systemPrompt": "You are Robert Johnson", "temperature": 0.8},
      "successCriteria": {"targetOutcome": "Issue resolved with credit applied"},
      "evaluationWeights": {"greeting": 10, "listening": 20, "solution": 30, "empathy": 30, "closing": 10},
      "status": "DRAFT", "isPrivate": false
    })
}
