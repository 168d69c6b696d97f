//! Scenario events reach only subscriptions allowed to see the scenario: a
//! private scenario's events go to its author's and the admins' (module-wide)
//! subscriptions, never another user's (issue 22 #1).

use frontline_platform::events::NewSubscription;
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

fn doc_example() -> Value {
    json!({
      "name": "Billing Dispute - Overcharge",
      "description": "Customer received incorrect bill with overcharge",
      "category": "BILLING_PAYMENTS",
      "difficulty": "INTERMEDIATE",
      "estimatedDuration": 10,
      "tags": ["billing", "dispute", "overcharge"],
      "customerProfile": {
        "name": "Robert Johnson", "age": 45, "personality": ["assertive", "detail-oriented"],
        "initialMood": 35, "speakingStyle": "firm, wants explanations",
        "backgroundStory": "Long-term customer with good payment history", "voiceProfileId": "angry_customer"
      },
      "context": {
        "companyName": "TelcoMax", "industry": "telecommunications", "productService": "Internet and TV bundle",
        "issue": "Bill is $75 higher than usual",
        "contextDetails": {"normalBill": 150, "currentBill": 225, "accountAge": "10 years", "paymentHistory": "excellent"},
        "priorInteractions": 0
      },
      "aiConfig": {
        "systemPrompt": "You are Robert Johnson, calling about...", "temperature": 0.8, "interruptionRate": 0.15,
        "escalationThreshold": 70,
        "emotionalTriggers": [{"trigger": "no_empathy", "moodChange": -15}, {"trigger": "good_solution", "moodChange": 20}]
      },
      "successCriteria": {
        "targetOutcome": "Issue resolved with credit applied",
        "acceptableSolutions": ["Immediate credit + future discount", "Full credit on next bill", "Investigation with callback"],
        "mustUseKeywords": ["understand", "apologize", "resolve"], "avoidKeywords": ["policy", "nothing we can do"],
        "timeLimit": 600
      },
      "evaluationWeights": {
        "greeting": 10, "listening": 20, "solution": 25, "empathy": 20, "closing": 10,
        "customMetrics": [{"name": "billing_knowledge", "weight": 15, "description": "Understanding of billing processes"}]
      },
      "status": "DRAFT", "isPrivate": false, "tenantId": null
    })
}

/// A subscription owned by user `owner` (as the platform stores one).
async fn owned_subscription(app: &TestApp, owner: &str) -> String {
    app.subscribe(NewSubscription {
        module: "training".into(),
        owner_id: Some(owner.into()),
        url: "https://hooks.example.com/user".into(),
        events: vec!["*".into()],
        ..Default::default()
    })
    .await
}

/// (event, scenarioId) of every delivery queued for `hook`.
async fn delivered(app: &TestApp, hook: &str) -> Vec<(String, String)> {
    app.queued_deliveries(hook, "$.scenarioId").await
}

#[tokio::test]
async fn private_scenario_events_reach_their_author_and_admins_only() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let (a_id, a) = app.user_with(&["training:editor"]).await;
    let (b_id, b) = app.user_with(&["training:editor"]).await;
    let admin = app.token_for(&["training:admin"]).await;
    let (st, hook) = app
        .call(
            "POST",
            "/training/api/admin/webhooks",
            Some(&admin),
            Some(json!({"url": "https://hooks.example.com/admin", "events": ["scenario.created"]})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::CREATED, "{hook}");
    let hook_admin = hook["id"].as_str().unwrap().to_string();
    let hook_a = owned_subscription(&app, &a_id).await;
    let hook_b = owned_subscription(&app, &b_id).await;

    let mut private = doc_example();
    private["isPrivate"] = json!(true);
    let (st, s) = app
        .call(
            "POST",
            "/training/api/admin/scenarios",
            Some(&a),
            Some(private),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::CREATED, "{s}");
    let private_id = s["id"].as_str().unwrap().to_string();
    let created = ("scenario.created".to_string(), private_id.clone());
    assert_eq!(delivered(&app, &hook_a).await, vec![created.clone()]);
    assert_eq!(delivered(&app, &hook_admin).await, vec![created.clone()]);
    assert_eq!(
        delivered(&app, &hook_b).await,
        vec![],
        "B cannot see A's private scenario"
    );

    // A public scenario of B's is everyone's.
    let mut public = doc_example();
    public["name"] = json!("Public Billing Drill");
    let (st, s) = app
        .call(
            "POST",
            "/training/api/admin/scenarios",
            Some(&b),
            Some(public),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::CREATED, "{s}");
    let public_id = s["id"].as_str().unwrap().to_string();
    let public_created = ("scenario.created".to_string(), public_id);
    assert_eq!(delivered(&app, &hook_b).await, vec![public_created.clone()]);
    assert_eq!(
        delivered(&app, &hook_a).await,
        vec![created.clone(), public_created.clone()]
    );
    assert_eq!(
        delivered(&app, &hook_admin).await,
        vec![created, public_created]
    );
    let _: Value = json!(private_id);
}
