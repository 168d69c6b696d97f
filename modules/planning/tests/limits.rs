//! Unrestricted resource consumption: deeply nested JSON bodies (10 000 and
//! 100 000 levels) are a clean client error in this module's error body
//! (the JSON reader stops at 128 levels), never a stack overflow, and the
//! module keeps answering.

use frontline_platform::testing::TestApp;

#[tokio::test]
async fn deeply_nested_json_is_a_clean_client_error() {
    let app = TestApp::new(vec![frontline_planning::module()]).await;
    app.assert_nested_json_refused(
        &[
            "/planning/api/versions",
            "/planning/api/versions/compare",
            "/planning/api/auth/signin",
        ],
        &app.admin_token,
    )
    .await;
    // The module keeps answering.
    let reply = app
        .call(
            "GET",
            "/planning/api/versions",
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
}
