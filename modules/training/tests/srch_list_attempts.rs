//! Issue 18: a list page reads no attempts. Its attempt figures (attempts,
//! mean score, mean rating) are kept on the scenario row whenever an attempt
//! is recorded, so a page costs the same whether its scenarios were tried
//! twice or a hundred thousand times.

use frontline_platform::testing::TestApp;
use serde_json::json;

#[tokio::test]
async fn a_list_page_shows_attempt_figures_without_reading_attempts() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let token = &app.admin_token;
    let r = app
        .call(
            "POST",
            "/training/api/admin/scenarios",
            Some(token),
            Some(json!({
                "name": "Tried twice",
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
    let id = r.body["id"].as_str().unwrap().to_string();
    for (score, rating) in [(80, 5), (71, 4)] {
        let r = app
            .call(
                "POST",
                &format!("/training/api/admin/scenarios/{id}/attempts"),
                Some(token),
                Some(json!({"score": score, "rating": rating})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let plans = app
        .plans_of(
            &["training_attempts"],
            app.call(
                "GET",
                "/training/api/admin/scenarios?limit=20",
                Some(token),
                None,
            ),
        )
        .await;
    assert_eq!(plans.output.status, 200, "{}", plans.output.body);
    let row = &plans.output.body["data"][0];
    assert_eq!(row["id"], id.as_str());
    assert_eq!(
        row["analytics"],
        json!({"totalAttempts": 2, "averageScore": 75.5, "averageRating": 4.5}),
        "{row}"
    );
    assert_eq!(row["usageCount"], 2);
    let read: Vec<&str> = plans.plans.iter().map(|p| p.sql.as_str()).collect();
    assert!(read.is_empty(), "the page read attempts: {read:?}");
}
