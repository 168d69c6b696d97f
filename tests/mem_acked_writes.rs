//! Acknowledged writes survive a crash, with group commit: 16 clients create
//! training scenarios and contact-center contacts at once (so writes queue and
//! share commits), the server is killed with SIGKILL while writes are in
//! flight, and after a restart every write that was answered 2xx is there.

#![cfg(unix)]

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const CLIENTS: usize = 16;
/// Acknowledged writes to wait for before the kill.
const ACKED_BEFORE_KILL: usize = 48;

fn scenario(name: &str) -> Value {
    json!({
      "name": name,
      "description": "Customer received an incorrect bill with an overcharge",
      "category": "BILLING_PAYMENTS", "difficulty": "INTERMEDIATE", "estimatedDuration": 10,
      "tags": ["billing", "dispute"],
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

/// A write that was answered 2xx: where to read it back.
#[derive(Debug, Clone)]
struct Acked {
    path: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_a_kill_during_concurrent_writes() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start(dir.path(), &["--rate-limits", "off"], &[]);
    let http = reqwest::Client::new();
    let token = support::admin_token(&http, &server.base).await;

    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (http, base, token) = (http.clone(), server.base.clone(), token.clone());
        let (acked, count, stop) = (acked.clone(), count.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            let mut n = 0u64;
            let deadline = Instant::now() + Duration::from_secs(240);
            while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                n += 1;
                let (path, body, read) = if (c + n as usize).is_multiple_of(2) {
                    (
                        "/training/api/admin/scenarios",
                        scenario(&format!("Crash {c}-{n}")),
                        "/training/api/admin/scenarios/",
                    )
                } else {
                    (
                        "/contact-center/api/v1/contacts",
                        json!({"first_name": format!("Crash {c}-{n}"),
                               "phone_number": format!("+1416{c:02}{n:05}")}),
                        "/contact-center/api/v1/contacts/",
                    )
                };
                let sent = http
                    .post(format!("{base}{path}"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                let Ok(resp) = sent else { break };
                if !resp.status().is_success() {
                    let status = resp.status();
                    let text = resp.text().await.unwrap_or_default();
                    panic!("{path}: {status} {text}");
                }
                let Ok(v) = resp.json::<Value>().await else {
                    break;
                };
                let id = v
                    .get("id")
                    .or_else(|| v.pointer("/data/id"))
                    .map(|id| id.to_string().trim_matches('"').to_string())
                    .unwrap_or_else(|| panic!("no id in {v}"));
                acked.lock().unwrap().push(Acked {
                    path: format!("{read}{id}"),
                });
                count.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(240);
    while count.load(Ordering::SeqCst) < ACKED_BEFORE_KILL {
        assert!(Instant::now() < deadline, "writes too slow");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Writes are in flight: kill without letting the server finish anything.
    server.signal(libc::SIGKILL);
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.expect("client");
    }
    drop(server);
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= ACKED_BEFORE_KILL);

    let server = support::start(dir.path(), &["--rate-limits", "off"], &[]);
    let token = support::admin_token(&http, &server.base).await;
    let mut missing = Vec::new();
    for a in &acked {
        let status = http
            .get(format!("{}{}", server.base, a.path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status();
        if status != 200 {
            missing.push(format!("{} {status}", a.path));
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged writes lost: {missing:?}",
        missing.len(),
        acked.len()
    );
}
