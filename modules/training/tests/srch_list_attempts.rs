//! Issue 18: a list page reads no attempts. Its attempt figures (attempts,
//! mean score, mean rating) are kept on the scenario row whenever an attempt
//! is recorded, so a page costs the same whether its scenarios were tried
//! twice or a hundred thousand times.

use frontline_platform::testing::TestApp;

mod support;
use serde_json::json;

#[tokio::test]
async fn a_list_page_shows_attempt_figures_without_reading_attempts() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let token = &app.admin_token;
    let id = support::create_scenario(&app, "Tried twice").await;
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
