//! Training benchmark: 50 000 scenarios imported through
//! `POST /admin/scenarios/bulk/import` (1 000 per file, the documented
//! maximum), then list and search through the module's full HTTP stack (in
//! process, no network): p50/p95/p99 per request shape.
//!
//! ```text
//! cargo run --release --example training_bench [-- SCENARIOS [QUERIES]]
//! ```

use std::time::Instant;

use frontline_platform::testing::{percentile, TestApp};
use poem::test::{TestForm, TestFormField};
use serde_json::{json, Value};

const TOPICS: &[(&str, &str, &str)] = &[
    (
        "Billing dispute",
        "BILLING_PAYMENTS",
        "Customer was charged twice and wants a refund",
    ),
    (
        "Password reset",
        "TECHNICAL_SUPPORT",
        "Customer is locked out after too many attempts",
    ),
    (
        "Late delivery",
        "CUSTOMER_SERVICE",
        "Parcel is a week late and the tracking has not moved",
    ),
    (
        "Plan upgrade",
        "SALES",
        "Customer asks which plan fits a growing team",
    ),
    (
        "Cancellation",
        "ACCOUNT_MANAGEMENT",
        "Customer wants to cancel after a price increase",
    ),
    (
        "Damaged product",
        "COMPLAINTS",
        "Item arrived broken and the customer is upset",
    ),
];
const DIFFICULTIES: &[&str] = &["BEGINNER", "INTERMEDIATE", "ADVANCED", "EXPERT"];
const MOODS: &[&str] = &["calm", "impatient", "angry", "confused", "polite"];

fn scenario(i: usize) -> Value {
    let (topic, category, issue) = TOPICS[i % TOPICS.len()];
    let mood = MOODS[(i / 7) % MOODS.len()];
    json!({
        "name": format!("{topic} {i}"),
        "description": format!("{issue}; the caller is {mood}"),
        "category": category,
        "difficulty": DIFFICULTIES[(i / 3) % DIFFICULTIES.len()],
        "estimatedDuration": 5 + i % 20,
        "tags": [topic.to_lowercase(), mood],
        "customerProfile": {"name": format!("Customer {i}"), "age": 20 + i % 50,
            "personality": [mood], "initialMood": 20 + i % 60},
        "context": {"companyName": "TelcoMax", "industry": "telecommunications",
            "productService": "Internet and TV bundle", "issue": issue},
        "aiConfig": {"systemPrompt": format!("You are a {mood} customer"), "temperature": 0.7},
        "successCriteria": {"targetOutcome": "Resolved on the first call"},
        "evaluationWeights": {"greeting": 10, "listening": 20, "solution": 30, "empathy": 30, "closing": 10},
        "status": if i.is_multiple_of(4) { "DRAFT" } else { "APPROVED" }
    })
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let total = args.first().copied().unwrap_or(50_000);
    let queries = args.get(1).copied().unwrap_or(500);
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let auth = format!("Bearer {}", app.admin_token);

    let started = Instant::now();
    for chunk in (0..total).collect::<Vec<_>>().chunks(1000) {
        let file: Vec<Value> = chunk.iter().map(|&i| scenario(i)).collect();
        let form = TestForm::new()
            .field(
                TestFormField::bytes(serde_json::to_vec(&file).unwrap_or_default())
                    .name("file")
                    .filename("scenarios.json")
                    .content_type("application/json"),
            )
            .field(TestFormField::text(r#"{"skipErrors": false}"#).name("options"));
        let resp = app
            .client
            .post("/training/api/admin/scenarios/bulk/import")
            .header("Authorization", &auth)
            .multipart(form)
            .send()
            .await;
        let status = resp.0.status();
        let body: Value = resp.0.into_body().into_json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "import: {status} {body}");
        let failed = body.pointer("/data/failed").or_else(|| body.get("failed"));
        assert!(
            failed.and_then(Value::as_u64) == Some(0),
            "import reported failures: {body}"
        );
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "{total} scenarios imported in {took:.1} s ({:.0} scenarios/s, search index included)",
        total as f64 / took
    );
    // Let the search outbox drain before measuring queries.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;

    // One scenario's id, for the "get" shape every other figure is compared to.
    let first: Value = app
        .client
        .get("/training/api/admin/scenarios?limit=1")
        .header("Authorization", &auth)
        .send()
        .await
        .0
        .into_body()
        .into_json()
        .await
        .unwrap_or(Value::Null);
    let one = first
        .pointer("/data/0/id")
        .or_else(|| first.pointer("/data/data/0/id"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let get_path = format!("/training/api/admin/scenarios/{one}");
    let deep = format!(
        "/training/api/admin/scenarios?limit=20&page={}",
        (total / 20).max(1)
    );
    let shapes: Vec<(&str, &str, Option<Value>)> = vec![
        ("get one scenario", get_path.as_str(), None),
        ("list, first page", "/training/api/admin/scenarios?limit=20", None),
        ("list, last page", deep.as_str(), None),
        (
            "list, search \"billing dispute\"",
            "/training/api/admin/scenarios?search=billing%20dispute&limit=20",
            None,
        ),
        (
            "list, filters and sort",
            "/training/api/admin/scenarios?status=APPROVED&category=BILLING_PAYMENTS,SALES&difficulty=ADVANCED&sortBy=name&sortOrder=asc&page=40&limit=20",
            None,
        ),
        (
            "search, two words",
            "/training/api/admin/scenarios/search",
            Some(json!({"query": "refund charged", "limit": 20})),
        ),
        (
            "search with a typo and filters",
            "/training/api/admin/scenarios/search",
            Some(json!({"query": "pasword locked", "filters": {"difficulties": ["ADVANCED", "EXPERT"]}, "limit": 20})),
        ),
    ];
    println!("| request | total matches | p50 ms | p95 ms | p99 ms | p50 / get |");
    println!("|---|---|---|---|---|---|");
    let mut get_p50 = f64::NAN;
    for (label, path, body) in shapes {
        let mut times = Vec::with_capacity(queries);
        let mut matches = Value::Null;
        for _ in 0..queries {
            let t = Instant::now();
            let req = match &body {
                Some(b) => app.client.post(path).body_json(b),
                None => app.client.get(path),
            }
            .header("Authorization", &auth);
            let resp = req.send().await;
            let status = resp.0.status();
            let v: Value = resp.0.into_body().into_json().await.unwrap_or(Value::Null);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(status.is_success(), "{label}: {status} {v}");
            matches = v
                .pointer("/pagination/total")
                .or_else(|| v.pointer("/data/pagination/total"))
                .or_else(|| v.pointer("/searchMeta/totalResults"))
                .or_else(|| v.pointer("/data/searchMeta/totalResults"))
                .cloned()
                .unwrap_or(Value::Null);
        }
        times.sort_by(f64::total_cmp);
        if get_p50.is_nan() {
            get_p50 = percentile(&times, 0.5);
        }
        println!(
            "| {label} | {matches} | {:.2} | {:.2} | {:.2} | {:.1} |",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 0.99),
            percentile(&times, 0.5) / get_p50
        );
    }
}
