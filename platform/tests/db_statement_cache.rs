//! Issue 18: a statement a request runs again is not parsed and planned
//! again — each pooled connection keeps it prepared (`prepare_cached`).
//! Before, reading a user prepared its `SELECT … FROM platform_users` on every
//! request, a fifth of a scenario get's CPU in `sqlite3_prepare`.
//! Its own test binary (the statement recorder is process-wide).

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;

#[tokio::test]
async fn reading_a_user_again_reuses_the_prepared_statement() {
    let app = TestApp::new(vec![]).await;
    let (id, _) = app.user_with(&["training:viewer"]).await;
    let admin = app.admin_token.clone();
    let path = format!("/auth/users/{id}");
    // Every pooled connection the warm-up touches prepares the read once.
    for _ in 0..5 {
        let (status, body) = app.call("GET", &path, Some(&admin), None).await.parts();
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (reply, statements) = app
        .statements_of(app.call("GET", &path, Some(&admin), None))
        .await;
    let (status, body) = reply.parts();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id.as_str());
    let reads: Vec<&(String, bool)> = statements
        .iter()
        .filter(|(sql, _)| sql.contains("FROM platform_users") && sql.contains(id.as_str()))
        .collect();
    assert!(!reads.is_empty(), "the user was not read: {statements:?}");
    let fresh: Vec<&str> = reads
        .iter()
        .filter(|(_, fresh)| *fresh)
        .map(|(sql, _)| sql.as_str())
        .collect();
    assert!(fresh.is_empty(), "prepared again: {fresh:?}");
}
