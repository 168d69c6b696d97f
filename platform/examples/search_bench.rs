//! Search benchmark: indexes synthetic documents, then measures query latency.
//!
//! ```text
//! cargo run --release -p frontline-platform --example search_bench [-- DOCS [QUERIES]]
//! ```
//!
//! Defaults: 100 000 documents, 2 000 queries. Two indexing paths are timed:
//! a bulk `rebuild` (what `frontline reindex` does) and the transactional
//! path (`stage_upsert` in DB transactions of 500, then drained into the
//! index), which is what module writes cost. Queries mix one to three words,
//! a typo, a phrase, a keyword filter, a numeric range and a sort, and each
//! asks for the first page of 20 hits with highlights, like an API call.
//! Nothing here is a timed test: it prints figures for the README.

use std::time::Instant;

use frontline_platform::db::{Db, Migrations};
use frontline_platform::search::{self, IndexSchema, Search, SearchQuery, SortOrder};
use serde_json::{json, Value};

const WORDS: &[&str] = &[
    "account",
    "billing",
    "refund",
    "password",
    "shipping",
    "delivery",
    "invoice",
    "customer",
    "agent",
    "campaign",
    "schedule",
    "training",
    "scenario",
    "message",
    "service",
    "provider",
    "booking",
    "payment",
    "subscription",
    "upgrade",
    "cancel",
    "address",
    "profile",
    "security",
    "support",
    "ticket",
    "priority",
    "escalation",
    "voicemail",
    "routing",
    "queue",
    "report",
    "analytics",
    "dashboard",
    "template",
    "version",
    "publish",
    "review",
    "rating",
    "estimate",
    "pricing",
    "discount",
    "coupon",
    "warranty",
    "repair",
    "install",
    "network",
    "wireless",
    "router",
    "modem",
    "outage",
    "status",
    "update",
    "migration",
    "backup",
    "restore",
    "export",
    "import",
    "language",
    "timezone",
    "holiday",
    "weekend",
    "morning",
    "evening",
    "manager",
    "supervisor",
    "coaching",
    "feedback",
    "survey",
    "quality",
    "compliance",
    "privacy",
    "consent",
];
const TENANTS: &[&str] = &["acme", "globex", "initech", "umbrella", "hooli"];

/// A deterministic pseudo-random generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| WORDS[self.below(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn doc(rng: &mut Rng, i: usize) -> Value {
    let (title_len, body_len) = (4 + rng.below(5), 30 + rng.below(40));
    json!({
        "title": rng.words(title_len),
        "body": format!("{}. {}.", rng.words(body_len), rng.words(20)),
        "tenant": TENANTS[i % TENANTS.len()],
        "tags": [WORDS[rng.below(WORDS.len())], WORDS[rng.below(WORDS.len())]],
        "updatedAt": 1_700_000_000_000i64 + (i as i64) * 60_000,
        "rating": (rng.below(50) as f64) / 10.0,
    })
}

fn schema(name: &str) -> IndexSchema {
    IndexSchema::new(name)
        .text("title", 3.0)
        .text("body", 1.0)
        .keyword("tenant")
        .keyword("tags")
        .integer("updatedAt")
        .float("rating")
}

fn percentile(sorted_ms: &[f64], p: f64) -> f64 {
    if sorted_ms.is_empty() {
        return 0.0;
    }
    let rank = (p / 100.0 * (sorted_ms.len() - 1) as f64).round() as usize;
    sorted_ms[rank.min(sorted_ms.len() - 1)]
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let docs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let queries: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let db = Db::open(&dir.path().join("bench.db")).map_err(|e| e.to_string())?;
    db.migrate(&[Migrations {
        module: "platform.search",
        steps: search::MIGRATIONS,
    }])
    .map_err(|e| e.to_string())?;
    let search = Search::open(&dir.path().join("index"), db.clone()).map_err(|e| e.message)?;
    search.set_background_drain(false);

    // 1. Bulk rebuild.
    let idx = search.index(schema("bench.bulk")).map_err(|e| e.message)?;
    let started = Instant::now();
    let n = search
        .rebuild_blocking(&idx, |_conn, out| {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
            for i in 0..docs {
                out.add(&format!("d{i}"), &doc(&mut rng, i))?;
            }
            Ok(())
        })
        .map_err(|e| e.message)?;
    let bulk = started.elapsed().as_secs_f64();
    println!(
        "bulk rebuild: {n} documents in {bulk:.2} s = {:.0} docs/s",
        n as f64 / bulk
    );

    // 2. Transactional path: outbox rows in DB transactions, then drained.
    let staged_docs = docs.min(20_000);
    let tx_idx = search.index(schema("bench.tx")).map_err(|e| e.message)?;
    let started = Instant::now();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut i = 0;
    while i < staged_docs {
        let batch: Vec<(String, Value)> = (i..(i + 500).min(staged_docs))
            .map(|k| (format!("d{k}"), doc(&mut rng, k)))
            .collect();
        i += batch.len();
        db.write_blocking(|tx| {
            for (id, d) in &batch {
                search::stage_upsert(tx, "bench.tx", id, d)?;
            }
            Ok(())
        })
        .map_err(|e| e.message)?;
    }
    let staged = started.elapsed().as_secs_f64();
    let drained_at = Instant::now();
    let drained = search.drain_blocking(&tx_idx).map_err(|e| e.message)?;
    let drain = drained_at.elapsed().as_secs_f64();
    println!(
        "transactional: {staged_docs} staged in {staged:.2} s ({:.0} docs/s), {drained} drained in {drain:.2} s ({:.0} docs/s); end to end {:.0} docs/s",
        staged_docs as f64 / staged,
        drained as f64 / drain,
        staged_docs as f64 / (staged + drain)
    );

    // 3. Queries against the bulk index.
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    let mut times = Vec::with_capacity(queries);
    // Per kind of query: (text kind, filtered, sorted) -> times.
    let mut by_kind: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
    let mut total_hits = 0usize;
    for k in 0..queries {
        let kind = [
            "1 word",
            "2 words",
            "3 words",
            "typo",
            "phrase",
            "exclusion",
        ][k % 6];
        let text = match k % 6 {
            0 => rng.words(1),
            1 => rng.words(2),
            2 => rng.words(3),
            3 => {
                // A typo: drop one letter of a long word.
                let w = WORDS[rng.below(WORDS.len())];
                let cut = 1 + rng.below(w.len() - 2);
                format!("{}{}", &w[..cut], &w[cut + 1..])
            }
            4 => format!("\"{}\"", rng.words(2)),
            _ => format!("{} -{}", rng.words(2), rng.words(1)),
        };
        let mut q = SearchQuery::new(text).limit(20);
        if k % 3 == 0 {
            q = q.filter("tenant", TENANTS[rng.below(TENANTS.len())]);
        }
        if k % 4 == 0 {
            q = q.range("rating", Some(2.0), None);
        }
        if k % 5 == 0 {
            q = q.sort_by("updatedAt", SortOrder::Desc);
        }
        let started = Instant::now();
        let res = search.query_blocking(&idx, &q).map_err(|e| e.message)?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        by_kind.entry(kind).or_default().push(ms);
        let shape = match (k % 3 == 0 || k % 4 == 0, k % 5 == 0) {
            (_, true) => "sorted by a number",
            (true, false) => "filtered, by relevance",
            (false, false) => "unfiltered, by relevance",
        };
        by_kind.entry(shape).or_default().push(ms);
        total_hits += res.total;
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    println!(
        "queries: {queries} over {docs} documents: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, mean {mean:.2} ms (avg {} matches)",
        percentile(&times, 50.0),
        percentile(&times, 95.0),
        percentile(&times, 99.0),
        total_hits / queries.max(1)
    );
    for (kind, mut t) in by_kind {
        t.sort_by(f64::total_cmp);
        println!(
            "  {kind:<26} {:>5} queries: p50 {:.2} ms, p95 {:.2} ms",
            t.len(),
            percentile(&t, 50.0),
            percentile(&t, 95.0)
        );
    }
    Ok(())
}
