//! Aggregates respect what the caller may see: a private scenario another
//! author wrote (404 on GET) leaves no trace in the dashboard, the A/B tests
//! or the template usage figures.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

mod support;
use support::{call, drill};

fn scenario(name: &str, private: bool) -> Value {
    let mut s = drill(name, "A drill", &[], "BILLING_PAYMENTS");
    s["isPrivate"] = json!(private);
    s
}

#[tokio::test]
async fn aggregates_leave_out_private_scenarios_of_other_authors() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let author = app.token_for(&["training:publisher"]).await;
    let viewer = app.token_for(&["training:viewer"]).await;
    let admin = app.token_for(&["training:admin"]).await;

    let (st, b) = call(
        &app,
        "POST",
        "/admin/scenarios",
        &author,
        Some(scenario("Secret Drill", true)),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let private = b["id"].as_str().unwrap().to_string();
    let (st, b) = call(
        &app,
        "POST",
        "/admin/scenarios",
        &author,
        Some(scenario("Open Drill", false)),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let public = b["id"].as_str().unwrap().to_string();
    for (id, n) in [(&private, 3), (&public, 1)] {
        for _ in 0..n {
            let (st, b) = call(
                &app,
                "POST",
                &format!("/admin/scenarios/{id}/attempts"),
                &author,
                Some(json!({"score": 80, "rating": 5})),
            )
            .await;
            assert_eq!(st, StatusCode::CREATED, "{b}");
        }
    }
    let (st, _) = call(
        &app,
        "GET",
        &format!("/admin/scenarios/{private}"),
        &viewer,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = call(
        &app,
        "GET",
        &format!("/admin/scenarios/{private}/analytics"),
        &viewer,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Dashboard: the viewer sees the public scenario's attempt only.
    let (st, d) = call(&app, "GET", "/admin/analytics/dashboard", &viewer, None).await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!(d["attempts"]["totalAttempts"], 1, "{d}");
    assert_eq!(d["scenarios"]["total"], 1, "{d}");
    let daily: u64 = d["dailyAttempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["attempts"].as_u64().unwrap())
        .sum();
    assert_eq!(daily, 1, "{d}");
    assert!(!d.to_string().contains(&private), "{d}");
    // The author and admins see everything.
    let (_, d) = call(&app, "GET", "/admin/analytics/dashboard", &author, None).await;
    assert_eq!(d["attempts"]["totalAttempts"], 4, "{d}");
    let (_, d) = call(&app, "GET", "/admin/analytics/dashboard", &admin, None).await;
    assert_eq!(d["attempts"]["totalAttempts"], 4, "{d}");

    // Compare: 404 for the private scenario, as GET.
    let (st, _) = call(
        &app,
        "POST",
        "/admin/scenarios/analytics/compare",
        &viewer,
        Some(json!({"scenarioIds": [public, private]})),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A/B test between them: not shown to the viewer, neither listed nor read.
    let (st, test) = call(
        &app,
        "POST",
        "/admin/scenarios/tests",
        &author,
        Some(json!({"name": "Secret vs open", "variants": [
            {"name": "Control", "scenarioId": public, "trafficPercentage": 50},
            {"name": "B", "scenarioId": private, "trafficPercentage": 50}]})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{test}");
    let tid = test["id"].as_str().unwrap().to_string();
    let (st, _) = call(
        &app,
        "GET",
        &format!("/admin/scenarios/tests/{tid}"),
        &viewer,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, l) = call(&app, "GET", "/admin/scenarios/tests", &viewer, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(l["pagination"]["total"], 0, "{l}");
    assert_eq!(l["data"], json!([]), "{l}");
    let (st, l) = call(&app, "GET", "/admin/scenarios/tests", &author, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(l["pagination"]["total"], 1, "{l}");
    let (st, _) = call(
        &app,
        "GET",
        &format!("/admin/scenarios/tests/{tid}"),
        &author,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);

    // Template usage counts only scenarios the caller may see.
    let (_, tl) = call(&app, "GET", "/admin/templates", &author, None).await;
    let tmp = tl["templates"][0]["id"].as_str().unwrap().to_string();
    let (st, b) = call(
        &app,
        "POST",
        &format!("/admin/templates/{tmp}/create-scenario"),
        &author,
        Some(json!({"name": "Private From Template", "isPrivate": true,
            "variables": {"customerName": "Jane Smith", "companyName": "MyCompany Inc", "issueAmount": 75}})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (_, t) = call(
        &app,
        "GET",
        &format!("/admin/templates/{tmp}"),
        &author,
        None,
    )
    .await;
    assert_eq!(t["usageCount"], 1, "{t}");
    let (_, t) = call(
        &app,
        "GET",
        &format!("/admin/templates/{tmp}"),
        &viewer,
        None,
    )
    .await;
    assert_eq!(t["usageCount"], 0, "{t}");
}
