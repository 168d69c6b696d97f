//! Issue 18: the first page of the scenario list costs about a get at any
//! size. On a cold cache it counts (no keyset anchors: a first page needs
//! none), and for an admin, who sees every scenario, whatever reads all
//! matching rows reads an index alone, never the scenarios' rows.

use frontline_platform::testing::TestApp;
use serde_json::json;

#[tokio::test]
async fn an_admins_first_page_reads_no_scenario_row_beyond_the_page() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    for i in 0..3 {
        let r = app
            .call(
                "POST",
                "/training/api/admin/scenarios",
                Some(&app.admin_token),
                Some(json!({
                    "name": format!("First page {i}"),
                    "description": "A customer disputes a bill",
                    "category": "BILLING_PAYMENTS",
                    "difficulty": "BEGINNER",
                    "estimatedDuration": 5,
                    "customerProfile": {"name": "Customer", "age": 30, "personality": ["calm"], "initialMood": 50},
                    "context": {"companyName": "TelcoMax", "industry": "telecommunications", "issue": "Bill"},
                    "aiConfig": {"systemPrompt": "You are a customer", "temperature": 0.5},
                    "evaluationWeights": {"greeting": 10, "listening": 20, "solution": 30, "empathy": 30, "closing": 10}
                })),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    for query in [
        "limit=20",
        "limit=2&sortBy=name&sortOrder=asc",
        "limit=20&sortBy=usageCount",
    ] {
        let plans = app
            .plans_of(
                &["training_scenarios"],
                app.call(
                    "GET",
                    &format!("/training/api/admin/scenarios?{query}"),
                    Some(&app.admin_token),
                    None,
                ),
            )
            .await;
        assert_eq!(plans.output.status, 200, "{}", plans.output.body);
        assert_eq!(plans.output.body["pagination"]["total"], 3);
        plans.assert_no_scan().assert_no_temp_sort();
        for p in &plans.plans {
            let sql = p.sql.to_ascii_uppercase();
            // Statements without a LIMIT read every matching row: an index only.
            if sql.contains("FROM TRAINING_SCENARIOS") && !sql.contains(" LIMIT ") {
                assert!(
                    p.lines
                        .iter()
                        .all(|l| !l.starts_with("SCAN") || l.contains("COVERING INDEX")),
                    "{query}: reads rows: {}\n  {}",
                    p.sql,
                    p.lines.join("\n  ")
                );
            }
        }
    }
}
