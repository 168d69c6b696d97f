//! Excessive data exposure: planning's user listing, session, sign-in answer
//! and audit log carry no password or password hash.

use frontline_platform::testing::{assert_absent, TestApp};
use poem::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn no_passwords_or_hashes_in_users_session_or_audit() {
    let app = TestApp::new(vec![frontline_planning::module()]).await;
    let (planner_id, planner) = app.user_with(&["planning:PLANNER"]).await;
    let (other_id, _) = app.user_with(&["training:viewer"]).await;
    let admin = app.admin_token.clone();
    let hashes: Vec<String> = app
        .platform
        .db
        .read(|c| {
            let mut st = c.prepare("SELECT password_hash FROM platform_users")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .expect("hashes");
    assert_eq!(hashes.len(), 3);

    // Audited actions: a role change and a version.
    let (st, b) = app
        .call(
            "PATCH",
            &format!("/planning/api/admin/users/{other_id}"),
            Some(&admin),
            Some(json!({"role": "VIEWER"})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{b}");
    let signin = app
        .call(
            "POST",
            "/planning/api/auth/signin",
            None,
            Some(json!({"email": "admin@test.local", "password": "admin-password"})),
        )
        .await;
    assert_eq!(signin.status, StatusCode::OK, "{}", signin.body);
    assert!(signin.headers.get("set-cookie").is_some());

    let mut answers = vec![("signin", signin.body)];
    for (what, token, path) in [
        ("users", &admin, "/planning/api/admin/users"),
        ("all users", &admin, "/planning/api/admin/users?all=true"),
        ("session", &planner, "/planning/api/auth/session"),
        ("audit", &admin, "/planning/api/admin/audit-logs"),
    ] {
        let (st, b) = app.call("GET", path, Some(token), None).await.parts();
        assert_eq!(st, StatusCode::OK, "{what}: {b}");
        answers.push((what, b));
    }
    let users = answers[2].1["data"]["users"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        users.iter().any(|u| u["id"] == planner_id.as_str()),
        "{users:?}"
    );
    assert!(
        answers[4].1.to_string().contains("UPDATE_USER_ROLE"),
        "{}",
        answers[4].1
    );
    for (what, body) in &answers {
        for h in &hashes {
            assert_absent(body, h, what);
        }
        for needle in ["password", "admin-password", "password-123", "$argon2"] {
            assert_absent(body, needle, what);
        }
    }
}
