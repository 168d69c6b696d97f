//! Mass assignment: a version's id, author, lock and dates are the server's,
//! LOCKED is reached only through the lock endpoint (ADMIN), and roles change
//! only through the admin users endpoint.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

fn version(name: &str) -> Value {
    json!({
        "name": name,
        "description": "Base scenario",
        "mode": "RELOCATION_2028",
        "curriculumPlans": [
            {"curriculumType": "FR", "capacity": 400, "tuitionBase": 50000.0, "cpiFrequency": 2,
             "studentsProjection": [{"year": 2028, "students": 300}, {"year": 2029, "students": 350}]},
            {"curriculumType": "IB", "capacity": 200, "tuitionBase": 60000.0, "cpiFrequency": 2,
             "studentsProjection": [{"year": 2028, "students": 30}, {"year": 2029, "students": 60}]}
        ],
        "rentPlan": {"rentModel": "PARTNER_MODEL", "parameters": {
            "landSize": 10000, "landPricePerSqm": 5000, "buaSize": 8000,
            "constructionCostPerSqm": 3000, "yieldBase": 0.045}},
        "staffing": {"baseCost": 5000000.0, "cpiFrequency": 2}
    })
}

fn smuggled() -> Value {
    json!({
        "id": "00000000-0000-0000-0000-000000000001",
        "createdBy": "someone-else", "created_by": "someone-else", "createdByName": "Mallory",
        "createdAt": "2000-01-01T00:00:00.000Z", "updatedAt": "2000-01-01T00:00:00.000Z",
        "locked": true, "lockedAt": "2020-01-01T00:00:00.000Z", "lockedBy": "mallory@example.com",
        "lockReason": "mine now", "deletedAt": "2020-01-01T00:00:00.000Z", "role": "ADMIN",
        "roles": ["admin"]
    })
}

fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

struct Ctx {
    app: TestApp,
}

impl Ctx {
    async fn call(
        &self,
        method: &str,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.app
            .call(method, &format!("/planning/api{path}"), Some(token), body)
            .await
            .parts()
    }
    async fn row(&self, id: &str) -> Value {
        let id = id.to_string();
        self.app
            .platform
            .db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT status, created_by, locked_at, locked_by, lock_reason, deleted_at, created_at
                     FROM planning_versions WHERE id = ?1",
                    [&id],
                    |r| {
                        Ok(json!({
                            "status": r.get::<_, String>(0)?, "createdBy": r.get::<_, String>(1)?,
                            "lockedAt": r.get::<_, Option<String>>(2)?, "lockedBy": r.get::<_, Option<String>>(3)?,
                            "lockReason": r.get::<_, Option<String>>(4)?, "deletedAt": r.get::<_, Option<String>>(5)?,
                            "createdAt": r.get::<_, String>(6)?,
                        }))
                    },
                )?)
            })
            .await
            .expect("version row")
    }
    async fn roles(&self, id: &str) -> Vec<String> {
        let id = id.to_string();
        let roles: String = self
            .app
            .platform
            .db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT roles FROM platform_users WHERE id = ?1",
                    [&id],
                    |r| r.get(0),
                )?)
            })
            .await
            .expect("user");
        let mut roles: Vec<String> = serde_json::from_str(&roles).unwrap();
        roles.sort();
        roles
    }
}

fn assert_untouched(row: &Value, owner: &str, status: &str) {
    assert_eq!(row["status"], status, "{row}");
    assert_eq!(row["createdBy"], owner, "{row}");
    for f in ["lockedAt", "lockedBy", "lockReason", "deletedAt"] {
        assert!(row[f].is_null(), "{f}: {row}");
    }
    assert_ne!(row["createdAt"], "2000-01-01T00:00:00.000Z", "{row}");
}

#[tokio::test]
async fn version_bodies_cannot_set_id_author_lock_or_dates() {
    let c = Ctx {
        app: TestApp::new(vec![frontline_planning::module()]).await,
    };
    let (planner_id, planner) = c.app.user_with(&["planning:PLANNER"]).await;

    // Created LOCKED (or anything but DRAFT): create has no status; it is DRAFT.
    let body = with(
        with(version("V1 Smuggled"), smuggled()),
        json!({"status": "LOCKED"}),
    );
    let (st, b) = c.call("POST", &planner, "/versions", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["data"]["id"].as_str().unwrap().to_string();
    assert_ne!(id, "00000000-0000-0000-0000-000000000001");
    assert_eq!(b["data"]["status"], "DRAFT");
    assert_untouched(&c.row(&id).await, &planner_id, "DRAFT");
    let (_, got) = c
        .call("GET", &planner, &format!("/versions/{id}"), None)
        .await;
    assert_eq!(got["data"]["createdBy"], planner_id.as_str(), "{got}");
    assert!(got["data"]["lockedAt"].is_null(), "{got}");
    // The smuggled id names no version.
    let (st, _) = c
        .call(
            "GET",
            &planner,
            "/versions/00000000-0000-0000-0000-000000000001",
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // PATCH: LOCKED through status is refused with the module's 400 body.
    let (st, b) = c
        .call(
            "PATCH",
            &planner,
            &format!("/versions/{id}"),
            Some(json!({"status": "LOCKED"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["success"], false, "{b}");
    assert!(b["details"]["status"].is_array(), "{b}");
    // Server-owned fields beside a real change are ignored.
    let (st, b) = c
        .call(
            "PATCH",
            &planner,
            &format!("/versions/{id}"),
            Some(with(json!({"description": "patched"}), smuggled())),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["id"], id.as_str());
    assert_ne!(b["data"]["updatedAt"], "2000-01-01T00:00:00.000Z");
    let row = c.row(&id).await;
    assert_untouched(&row, &planner_id, "DRAFT");
    let (_, got) = c
        .call("GET", &planner, &format!("/versions/{id}"), None)
        .await;
    assert_eq!(got["data"]["description"], "patched");

    // Locking is ADMIN-only, through its endpoint.
    let (st, _) = c
        .call(
            "POST",
            &planner,
            &format!("/versions/{id}/lock"),
            Some(json!({"reason": "mine"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_untouched(&c.row(&id).await, &planner_id, "DRAFT");
    let viewer = c.app.token_for(&["planning:VIEWER"]).await;
    let (st, _) = c
        .call(
            "PATCH",
            &viewer,
            &format!("/versions/{id}"),
            Some(json!({"status": "APPROVED"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(c.row(&id).await["status"], "DRAFT");

    let admin = c.app.admin_token.clone();
    let (st, b) = c
        .call(
            "POST",
            &admin,
            &format!("/versions/{id}/lock"),
            Some(json!({"reason": "Board"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    // Once locked, no body unlocks it.
    for body in [
        json!({"status": "DRAFT"}),
        json!({"locked": false, "lockedAt": null, "description": "x"}),
    ] {
        let (st, b) = c
            .call("PATCH", &planner, &format!("/versions/{id}"), Some(body))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    }
    let row = c.row(&id).await;
    assert_eq!(
        (row["status"].as_str(), row["lockReason"].as_str()),
        (Some("LOCKED"), Some("Board")),
        "{row}"
    );
}

#[tokio::test]
async fn planners_cannot_change_roles() {
    let c = Ctx {
        app: TestApp::new(vec![frontline_planning::module()]).await,
    };
    let (planner_id, planner) = c.app.user_with(&["planning:PLANNER"]).await;
    let (viewer_id, viewer) = c
        .app
        .user_with(&["planning:VIEWER", "training:viewer"])
        .await;

    // Through the admin endpoint: ADMIN only.
    for (target, token) in [
        (&planner_id, &planner),
        (&viewer_id, &planner),
        (&viewer_id, &viewer),
    ] {
        let (st, b) = c
            .call(
                "PATCH",
                token,
                &format!("/admin/users/{target}"),
                Some(json!({"role": "ADMIN"})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    }
    // Through a role field in other bodies: ignored.
    let (st, b) = c
        .call(
            "POST",
            &planner,
            "/versions",
            Some(with(
                version("Role Smuggle"),
                json!({"role": "ADMIN", "userId": viewer_id}),
            )),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, _) = c
        .call(
            "PATCH",
            &planner,
            "/admin/settings",
            Some(json!({"cpiRate": 0.5, "role": "ADMIN"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        c.roles(&planner_id).await,
        vec!["planning:PLANNER".to_string()]
    );
    assert_eq!(
        c.roles(&viewer_id).await,
        vec!["planning:VIEWER".to_string(), "training:viewer".to_string()]
    );
    // Still no admin reach.
    let (st, _) = c.call("GET", &planner, "/admin/users", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // An admin's role change takes only the planning role; extra fields do nothing.
    let admin = c.app.admin_token.clone();
    let (st, b) = c
        .call(
            "PATCH",
            &admin,
            &format!("/admin/users/{viewer_id}"),
            Some(json!({"role": "PLANNER", "roles": ["admin"], "email": "x@example.com", "isActive": false})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(
        c.roles(&viewer_id).await,
        vec![
            "planning:PLANNER".to_string(),
            "training:viewer".to_string()
        ]
    );
}
