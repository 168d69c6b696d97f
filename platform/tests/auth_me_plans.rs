//! Issue 18: `GET /auth/me` answers from the cache of users the token check
//! keeps, without reading the users table. Its own test binary: the statement
//! recorder sees every connection in the process, so a second test here would
//! add its reads of the users table to this one's.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::Value;

async fn me(app: &TestApp, token: &str) -> (StatusCode, Value) {
    app.call("GET", "/auth/me", Some(token), None).await.parts()
}

#[tokio::test]
async fn me_is_answered_without_reading_the_users_table() {
    let app = TestApp::new(vec![]).await;
    let (_, token) = app.user_with(&["training:viewer"]).await;
    // The token check has the user cached now.
    assert_eq!(me(&app, &token).await.0, StatusCode::OK);
    let plans = app.plans_of(&["platform_users"], me(&app, &token)).await;
    assert_eq!(plans.output.0, StatusCode::OK, "{}", plans.output.1);
    let reads: Vec<&str> = plans.plans.iter().map(|p| p.sql.as_str()).collect();
    assert!(reads.is_empty(), "/auth/me read the users table: {reads:?}");
}
