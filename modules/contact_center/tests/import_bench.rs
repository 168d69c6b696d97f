//! Timing of a 10 000-row contact import (a benchmark, not a test: it is
//! ignored by default). Run it with
//! `cargo test -p frontline-contact-center --test import_bench -- --ignored --nocapture`
//! (add `--release` for production figures).

mod part1;

use std::time::Instant;

use part1::*;
use serde_json::{json, Value};

#[tokio::test]
#[ignore]
async fn bench_import_10k_contacts() {
    let cc = Cc::new().await;
    let token = cc.token("supervisor").await;
    let mut timings = Vec::new();
    for round in 0..3 {
        let campaign = cc.campaign(&token, &format!("Bench {round}")).await;
        let rows: Vec<Value> = (0..10_000)
            .map(|i| {
                json!({"first_name": format!("First{i}"), "last_name": "Bench",
                       "phone_number": format!("+1415{:07}", i),
                       "email": format!("user{i}@example.com"), "priority": i % 10 + 1,
                       "custom_fields": {"segment": "bench", "n": i}})
            })
            .collect();
        let body = json!({"campaign_id": campaign, "contacts": rows});
        let started = Instant::now();
        let r = cc.post(&token, "/contacts/import", body).await.expect(201);
        let took = started.elapsed();
        assert_eq!(r["imported"], 10_000);
        timings.push(took.as_secs_f64() * 1000.0);
    }
    timings.sort_by(|a, b| a.total_cmp(b));
    println!(
        "import of 10000 contacts (HTTP request incl. JSON parsing, validation, one transaction): \
         best {:.0} ms, median {:.0} ms, worst {:.0} ms",
        timings[0], timings[1], timings[2]
    );
}
