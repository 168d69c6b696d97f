//! Lists read through indexes: the query plan of every statement a list
//! request runs has no `SCAN` of the listed table without an index.

use frontline_platform::testing::TestApp;

#[tokio::test]
async fn audit_log_filters_use_indexes() {
    let app = TestApp::new(vec![]).await;
    let tok = app.admin_token.clone();
    // Failed sign-ins give rows with an e-mail and an action (two, so that
    // page 2 of 1 has a row to read).
    for _ in 0..2 {
        app.call(
            "POST",
            "/auth/login",
            None,
            Some(serde_json::json!({"email": "who@test.local", "password": "nope-nope"})),
        )
        .await;
    }
    for query in [
        "",
        "?page=2&limit=1",
        "?module=platform",
        "?action=auth.login_failed",
        "?actor_email=WHO@test.local",
        "?entity_type=user",
        "?actor_id=x",
        "?ip=127.0.0.1",
        "?from=2020-01-01T00:00:00Z&to=2999-01-01T00:00:00Z",
    ] {
        let url = format!("/auth/audit{query}");
        let plans = app
            .plans_of(
                &["platform_audit_log"],
                app.call("GET", &url, Some(&tok), None),
            )
            .await;
        assert_eq!(plans.output.status, 200, "{url}: {}", plans.output.body);
        plans.assert_no_scan();
    }
}
