//! The planning contract (issue 16): bodies are read by their schema (a
//! wrong-typed field is refused and named, never stored as text), query
//! parameters with fixed value sets are enums, and the caller's credentials
//! and role are checked before any parameter or body.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

fn version(name: &str) -> Value {
    json!({
        "name": name,
        "mode": "RELOCATION_2028",
        "curriculumPlans": [
            {"curriculumType": "FR", "capacity": 400, "tuitionBase": 50000.0, "cpiFrequency": 2,
             "studentsProjection": [{"year": 2028, "students": 300}]},
            {"curriculumType": "IB", "capacity": 200, "tuitionBase": 60000.0, "cpiFrequency": 2,
             "studentsProjection": [{"year": 2028, "students": 30}]}
        ],
        "rentPlan": {"rentModel": "FIXED_ESCALATION",
                     "parameters": {"baseRent": 5000000.0, "escalationRate": 0.04}}
    })
}

struct Ctx {
    app: TestApp,
    admin: String,
}

impl Ctx {
    async fn new() -> Ctx {
        let app = TestApp::new(vec![frontline_planning::module()]).await;
        let admin = app.admin_token.clone();
        Ctx { app, admin }
    }
    async fn call(
        &self,
        method: &str,
        token: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.app
            .call(method, &format!("/planning/api{path}"), token, body)
            .await
            .parts()
    }
    async fn create(&self, name: &str) -> String {
        let (status, b) = self
            .call("POST", Some(&self.admin), "/versions", Some(version(name)))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
        b["data"]["id"].as_str().unwrap().to_string()
    }
}

fn field<'a>(b: &'a Value, name: &str) -> &'a Value {
    &b["details"][name]
}

#[tokio::test]
async fn a_wrong_typed_field_is_refused_and_named_not_stored_as_text() {
    let c = Ctx::new().await;
    let id = c.create("Typed lock").await;

    // The example: a boolean lock reason was stored as "false".
    let (status, b) = c
        .call(
            "POST",
            Some(&c.admin),
            &format!("/versions/{id}/lock"),
            Some(json!({"reason": false})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["code"], "VALIDATION_ERROR");
    assert_eq!(field(&b, "reason"), &json!(["must be a string"]));
    let (_, v) = c
        .call("GET", Some(&c.admin), &format!("/versions/{id}"), None)
        .await;
    assert_eq!(v["data"]["status"], "DRAFT", "the version was not locked");

    // A number for the name of a new version, a string for a number, a bad
    // enum value: each field named, nothing created.
    let mut bad = version("x");
    bad["name"] = json!(424242);
    bad["curriculumPlans"][0]["capacity"] = json!("400");
    bad["rentPlan"]["rentModel"] = json!("LEASE");
    let (status, b) = c.call("POST", Some(&c.admin), "/versions", Some(bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(field(&b, "name"), &json!(["must be a string"]));
    assert_eq!(
        field(&b, "curriculumPlans[0].capacity"),
        &json!(["must be an integer"])
    );
    assert_eq!(
        field(&b, "rentPlan.rentModel"),
        &json!(["must be one of PARTNER_MODEL, FIXED_ESCALATION, REVENUE_SHARE"])
    );
    let (_, list) = c.call("GET", Some(&c.admin), "/versions", None).await;
    assert_eq!(list["data"]["pagination"]["total"], 1);

    // A string reason still locks, with the reason kept.
    let (status, b) = c
        .call(
            "POST",
            Some(&c.admin),
            &format!("/versions/{id}/lock"),
            Some(json!({"reason": "Approved by board"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["lockReason"], "Approved by board");
}

#[tokio::test]
async fn request_rules_the_document_states_are_enforced_with_the_field_named() {
    let c = Ctx::new().await;
    let a = c.create("Compare A").await;

    // Compare: 2 to 4 distinct ids, known metrics.
    let (status, b) = c
        .call(
            "POST",
            Some(&c.admin),
            "/versions/compare",
            Some(json!({"versionIds": [a, a]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(
        field(&b, "versionIds"),
        &json!(["must be a list without repeated items"])
    );
    let (status, b) = c
        .call(
            "POST",
            Some(&c.admin),
            "/versions/compare",
            Some(json!({"versionIds": [a, "other"], "metrics": ["npvRent", "profit"]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    assert!(field(&b, "metrics[1]").is_array(), "{b}");

    // Settings: currency, time zone and formats.
    let (status, b) = c
        .call(
            "PATCH",
            Some(&c.admin),
            "/admin/settings",
            Some(json!({"currency": "sar", "timezone": "Mars/Base", "dateFormat": "D/M/Y"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(
        field(&b, "currency"),
        &json!(["must be a 3-letter ISO 4217 code in capitals, e.g. SAR"])
    );
    assert!(field(&b, "timezone").is_array(), "{b}");
    assert!(field(&b, "dateFormat").is_array(), "{b}");
    let (status, b) = c
        .call(
            "PATCH",
            Some(&c.admin),
            "/admin/settings",
            Some(
                json!({"currency": "EUR", "timezone": "Europe/Paris", "dateFormat": "YYYY-MM-DD"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["timezone"], "Europe/Paris");
    assert_eq!(b["data"]["dateFormat"], "YYYY-MM-DD");

    // Roles are the three the document names.
    let (status, b) = c
        .call(
            "PATCH",
            Some(&c.admin),
            "/admin/users/someone",
            Some(json!({"role": "OWNER"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(
        field(&b, "role"),
        &json!(["must be one of ADMIN, PLANNER, VIEWER"])
    );
}

#[tokio::test]
async fn query_parameters_accept_exactly_the_documented_values() {
    let c = Ctx::new().await;
    c.create("Listed").await;
    for ok in [
        "?status=all&mode=all",
        "?status=DRAFT&mode=RELOCATION_2028&sortBy=name&sortOrder=asc",
        "?sortBy=updatedAt&sortOrder=desc&page=1&limit=100",
    ] {
        let (status, b) = c
            .call("GET", Some(&c.admin), &format!("/versions{ok}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{ok}: {b}");
    }
    let (_, b) = c
        .call("GET", Some(&c.admin), "/versions?status=DRAFT", None)
        .await;
    assert_eq!(b["data"]["pagination"]["total"], 1);
    let (_, b) = c
        .call("GET", Some(&c.admin), "/versions?status=LOCKED", None)
        .await;
    assert_eq!(b["data"]["pagination"]["total"], 0);

    for (query, name) in [
        ("?status=draft", "status"),
        ("?mode=2028", "mode"),
        ("?sortBy=price", "sortBy"),
        ("?sortOrder=up", "sortOrder"),
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?page=0", "page"),
    ] {
        let (status, b) = c
            .call("GET", Some(&c.admin), &format!("/versions{query}"), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {b}");
        assert_eq!(b["code"], "VALIDATION_ERROR", "{query}: {b}");
        assert!(field(&b, name).is_array(), "{query}: {b}");
    }

    // Audit-log dates: ISO 8601 dates or date-times.
    for ok in [
        "?startDate=2025-01-01&endDate=2099-12-31",
        "?startDate=2025-01-01T00:00:00Z",
    ] {
        let (status, b) = c
            .call(
                "GET",
                Some(&c.admin),
                &format!("/admin/audit-logs{ok}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{ok}: {b}");
        assert_eq!(
            b["data"]["logs"][0]["action"], "CREATE_VERSION",
            "{ok}: {b}"
        );
    }
    let (status, b) = c
        .call(
            "GET",
            Some(&c.admin),
            "/admin/audit-logs?startDate=2025-13-45",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    assert!(field(&b, "startDate").is_array(), "{b}");
}

#[tokio::test]
async fn credentials_and_role_come_before_parameters_and_bodies() {
    let c = Ctx::new().await;
    // No credentials: 401 in the planning body, whatever the input.
    let (status, b) = c.call("GET", None, "/versions?limit=-1", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{b}");
    assert_eq!(b["code"], "UNAUTHORIZED");
    let (status, b) = c
        .call("POST", None, "/versions", Some(json!({"name": false})))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{b}");

    // A VIEWER may not create: 403 before the body is looked at.
    let viewer = c.app.token_for(&["planning:VIEWER"]).await;
    let (status, b) = c
        .call(
            "POST",
            Some(&viewer),
            "/versions",
            Some(json!({"name": [1]})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(b["code"], "FORBIDDEN");
    assert!(b.get("details").is_none(), "no schema details: {b}");
    // A PLANNER may not read the audit log, however bad its parameters.
    let planner = c.app.token_for(&["planning:PLANNER"]).await;
    let (status, b) = c
        .call(
            "GET",
            Some(&planner),
            "/admin/audit-logs?limit=abc&startDate=nope",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{b}");
    // ... nor lock, whatever the body.
    let (status, _) = c
        .call(
            "POST",
            Some(&planner),
            "/versions/any/lock",
            Some(json!({"reason": {"text": "mine"}})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_bearer_token_is_the_caller_even_beside_another_session_cookie() {
    let c = Ctx::new().await;
    let viewer = c.app.token_for(&["planning:VIEWER"]).await;
    let resp = c
        .app
        .client
        .get("/planning/api/auth/session")
        .header("Authorization", format!("Bearer {}", c.admin))
        .header("Cookie", format!("next-auth.session-token={viewer}"))
        .send()
        .await;
    resp.assert_status_is_ok();
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(b["user"]["role"], "ADMIN", "{b}");
    // An invalid cookie beside a valid bearer token does not matter either.
    let resp = c
        .app
        .client
        .get("/planning/api/auth/session")
        .header("Authorization", format!("Bearer {}", c.admin))
        .header("Cookie", "next-auth.session-token=forged")
        .send()
        .await;
    resp.assert_status_is_ok();
}

#[tokio::test]
async fn every_error_carries_one_of_the_documents_codes() {
    let c = Ctx::new().await;
    let codes = [
        "VALIDATION_ERROR",
        "UNAUTHORIZED",
        "FORBIDDEN",
        "NOT_FOUND",
        "CONFLICT",
        "RATE_LIMIT_EXCEEDED",
        "INTERNAL_ERROR",
        "DATABASE_ERROR",
    ];
    // The framework's own refusals: wrong method, wrong content type.
    let resp = c
        .app
        .client
        .put("/planning/api/versions")
        .header("Authorization", format!("Bearer {}", c.admin))
        .send()
        .await;
    assert_eq!(resp.0.status(), StatusCode::METHOD_NOT_ALLOWED);
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert!(codes.contains(&b["code"].as_str().unwrap_or("")), "{b}");
    let resp = c
        .app
        .client
        .post("/planning/api/versions")
        .header("Authorization", format!("Bearer {}", c.admin))
        .content_type("text/plain")
        .body("name=x")
        .send()
        .await;
    assert_eq!(resp.0.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let b: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(b["code"], "VALIDATION_ERROR", "{b}");

    // The document lists the codes of each status.
    let resp = c.app.client.get("/planning/openapi.json").send().await;
    let doc: Value = resp.0.into_body().into_json().await.unwrap();
    let conflict = doc["paths"]["/api/versions/{id}"]["delete"]["responses"]["409"]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(conflict.contains("`CONFLICT`"), "{conflict}");
    let text = doc.to_string();
    for other in [
        "METHOD_NOT_ALLOWED",
        "PAYLOAD_TOO_LARGE",
        "STORAGE_FULL",
        "BAD_REQUEST",
    ] {
        assert!(!text.contains(other), "{other} is not a planning code");
    }
}
