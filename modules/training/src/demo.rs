//! `frontline demo`: a small, coherent training library: six scenarios across
//! categories (most published), a month of recorded attempts with ratings,
//! a comment thread and a running A/B test between two billing variants.
//! Idempotent: nothing is added when the demo scenarios exist.

use chrono::{Duration, Utc};
use frontline_platform::{ApiResult, Platform};
use serde_json::json;

use crate::{service, store};

const AUTHOR: &str = "usr_system";

struct Demo {
    name: &'static str,
    description: &'static str,
    category: &'static str,
    difficulty: &'static str,
    tags: &'static [&'static str],
    customer: &'static str,
    issue: &'static str,
    published: bool,
    /// Attempts and their pass probability (per mille), for the generator.
    attempts: u32,
    skill: u32,
}

const SCENARIOS: &[Demo] = &[
    Demo {
        name: "Billing Dispute - Overcharge",
        description: "Customer is angry about a bill $75 higher than usual and wants it fixed now",
        category: "BILLING_PAYMENTS",
        difficulty: "INTERMEDIATE",
        tags: &["billing", "dispute", "overcharge"],
        customer: "Robert Johnson",
        issue: "Bill is $75 higher than usual",
        published: true,
        attempts: 60,
        skill: 620,
    },
    Demo {
        name: "Billing Dispute - Empathy First",
        description:
            "Same overcharge, with an opening that acknowledges the customer's frustration first",
        category: "BILLING_PAYMENTS",
        difficulty: "INTERMEDIATE",
        tags: &["billing", "dispute", "empathy"],
        customer: "Robert Johnson",
        issue: "Bill is $75 higher than usual",
        published: true,
        attempts: 60,
        skill: 780,
    },
    Demo {
        name: "Router Keeps Dropping",
        description: "A remote worker's Wi-Fi drops every hour during video calls",
        category: "TECHNICAL_SUPPORT",
        difficulty: "ADVANCED",
        tags: &["wifi", "router", "troubleshooting"],
        customer: "Priya Nair",
        issue: "Connection drops hourly",
        published: true,
        attempts: 40,
        skill: 540,
    },
    Demo {
        name: "Cancellation Save",
        description: "A long-time customer wants to cancel after a price increase",
        category: "RETENTION",
        difficulty: "EXPERT",
        tags: &["retention", "cancellation", "pricing"],
        customer: "Maria Garcia",
        issue: "Price went up 20%",
        published: true,
        attempts: 35,
        skill: 450,
    },
    Demo {
        name: "New Account Welcome Call",
        description: "Walk a new customer through setup and the first bill",
        category: "ONBOARDING",
        difficulty: "BEGINNER",
        tags: &["onboarding", "welcome"],
        customer: "Tom Becker",
        issue: "First week with the service",
        published: true,
        attempts: 50,
        skill: 880,
    },
    Demo {
        name: "Upgrade Upsell Draft",
        description: "Offer a faster plan to a customer who streams a lot (work in progress)",
        category: "SALES",
        difficulty: "INTERMEDIATE",
        tags: &["sales", "upgrade"],
        customer: "Chen Wei",
        issue: "Buffering in the evening",
        published: false,
        attempts: 0,
        skill: 0,
    },
];

/// A small deterministic generator (xorshift), so the demo is the same each time.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub fn load(p: &Platform) -> ApiResult<()> {
    p.db.write_blocking(|tx| {
        if store::demo::loaded(tx, &service::slugify(SCENARIOS[0].name))? {
            return Ok(());
        }
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut ids = Vec::new();
        for d in SCENARIOS {
            let content = json!({
                "name": d.name, "description": d.description, "category": d.category,
                "difficulty": d.difficulty, "estimatedDuration": 10, "tags": d.tags,
                "customerProfile": {"name": d.customer, "age": 30 + rng.below(35), "personality": ["direct"],
                    "initialMood": 30 + rng.below(40), "speakingStyle": "to the point"},
                "context": {"companyName": "TelcoMax", "industry": "telecommunications", "issue": d.issue, "priorInteractions": 0},
                "aiConfig": {"systemPrompt": format!("You are {}, a TelcoMax customer. {}", d.customer, d.issue),
                    "temperature": 0.8, "interruptionRate": 0.15, "escalationThreshold": 70},
                "successCriteria": {"targetOutcome": "Customer leaves satisfied", "mustUseKeywords": ["understand"], "timeLimit": 600},
                "evaluationWeights": {"greeting": 10, "listening": 20, "solution": 30, "empathy": 25, "closing": 15},
                "isPrivate": false, "tenantId": null,
            });
            let content = content.as_object().cloned().unwrap_or_default();
            let s = store::insert(tx, store::NewScenario { content: &content, status: "DRAFT", slug: &service::slugify(d.name), template_id: None, by: AUTHOR, changelog: "Initial version" })?;
            if d.published {
                store::demo::publish_new(tx, &s.id, &service::now(), AUTHOR)?;
            }
            for i in 0..d.attempts {
                let passed = rng.below(1000) < d.skill as u64;
                let score = if passed { 70 + rng.below(30) } else { 35 + rng.below(35) } as f64;
                let ago = Duration::minutes(rng.below(29 * 24 * 60) as i64 + 5);
                let at = (Utc::now() - ago).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
                let scores = json!({"greeting": score, "listening": score, "solution": score, "empathy": score, "closing": score});
                let scores = scores.as_object().cloned().unwrap_or_default();
                let duration = 300 + rng.below(600) as i64;
                let rating = 3 + rng.below(3) as i64;
                let tokens = 1500 + rng.below(3000) as i64;
                let latency = 0.4 + rng.below(800) as f64 / 1000.0;
                store::analytics::insert_attempt(
                    tx,
                    &store::analytics::NewAttempt {
                        id: &service::new_id("att"),
                        scenario_id: &s.id,
                        user_id: &format!("trainee-{}", i % 25),
                        score: Some(score),
                        scores: &scores,
                        duration: Some(duration),
                        completed: true,
                        passed,
                        rating: Some(rating),
                        feedback: None,
                        reported_issue: false,
                        tokens: Some(tokens),
                        latency: Some(latency),
                        error: false,
                        at: &at,
                    },
                )?;
            }
            store::refresh_usage(tx, &s.id)?;
            ids.push(s.id);
        }
        let now = service::now();
        let comment = |id: String, parent_id: Option<String>, content: &str| store::comments::Comment {
            id,
            parent_id,
            author_id: AUTHOR.to_string(),
            content: content.to_string(),
            created_at: now.clone(),
            updated_at: now.clone(),
            edited: false,
        };
        let c1 = service::new_id("cmt");
        store::comments::insert(
            tx,
            &ids[0],
            &comment(c1.clone(), None, "Trainees skip the apology; should the mood drop faster without it?"),
        )?;
        store::comments::insert(
            tx,
            &ids[0],
            &comment(service::new_id("cmt"), Some(c1), "Trying that in the Empathy First variant (see the A/B test)."),
        )?;
        // The A/B test started before the attempts, so they all count.
        let started = (Utc::now() - Duration::days(30)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        let variant = |name: &str, scenario_id: &str| store::abtests::Variant {
            name: name.to_string(),
            scenario_id: scenario_id.to_string(),
            traffic: 50.0,
        };
        store::abtests::insert(
            tx,
            &store::abtests::NewTest {
                id: &service::new_id("abt"),
                name: "Billing opening: standard vs empathy first",
                description: Some("Does acknowledging frustration first raise the pass rate?"),
                metric: "passRate",
                confidence: 0.95,
                min_sample: 30,
                variants: &[variant("Control", &ids[0]), variant("Empathy first", &ids[1])],
                created_by: AUTHOR,
                at: &started,
            },
        )?;
        Ok(())
    })
}
