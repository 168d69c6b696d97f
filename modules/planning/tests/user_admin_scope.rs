//! Planning's user admin concerns planning users: a planning ADMIN sees and
//! changes only accounts that have a planning role; granting planning access
//! to other accounts is the platform administrator's.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_planning_admin_lists_and_changes_only_planning_users() {
    let app = TestApp::new(vec![frontline_planning::module()]).await;
    let (_, planning_admin) = app.user_with(&["planning:ADMIN"]).await;
    let (viewer_id, _) = app.user_with(&["planning:VIEWER"]).await;
    let (outsider_id, _) = app.user_with(&["training:editor"]).await;

    let (st, b) = app
        .call(
            "GET",
            "/planning/api/admin/users",
            Some(&planning_admin),
            None,
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{b}");
    let ids: Vec<&str> = b["data"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&viewer_id.as_str()), "{b}");
    assert!(!ids.contains(&outsider_id.as_str()), "{b}");

    // Everyone else's accounts are not the planning admin's to list ...
    let (st, b) = app
        .call(
            "GET",
            "/planning/api/admin/users?all=true",
            Some(&planning_admin),
            None,
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    assert!(!b.to_string().contains(&outsider_id));

    // ... nor to give planning:ADMIN to.
    let (st, b) = app
        .call(
            "PATCH",
            &format!("/planning/api/admin/users/{outsider_id}"),
            Some(&planning_admin),
            Some(json!({"role": "ADMIN"})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    let outsider = app
        .platform
        .auth
        .get_user(&outsider_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(outsider.roles, vec!["training:editor".to_string()]);

    // A planning user's role is theirs to change.
    let (st, b) = app
        .call(
            "PATCH",
            &format!("/planning/api/admin/users/{viewer_id}"),
            Some(&planning_admin),
            Some(json!({"role": "PLANNER"})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{b}");

    // The platform admin may grant planning access to anyone.
    let (st, b) = app
        .call(
            "PATCH",
            &format!("/planning/api/admin/users/{outsider_id}"),
            Some(&app.admin_token),
            Some(json!({"role": "VIEWER"})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{b}");
    let outsider = app
        .platform
        .auth
        .get_user(&outsider_id)
        .await
        .unwrap()
        .unwrap();
    assert!(outsider.roles.contains(&"planning:VIEWER".to_string()));
}
