//! The training document is the contract: every request body and every 2xx
//! answer is a typed object; fixed value sets are enums and page sizes have
//! ranges; wrong-typed fields are refused with the training 422 naming the
//! field; a caller without the permission gets 403 before any validation.

use frontline_platform::testing::spec::{
    self, assert_typed_and_described as assert_typed, resolve,
};
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/training/api";

async fn app() -> TestApp {
    TestApp::new(vec![frontline_training::module()]).await
}

async fn spec(app: &TestApp) -> Value {
    spec::of(app, frontline_training::module())
}

#[tokio::test]
async fn every_operation_has_typed_bodies_and_answers() {
    let app = app().await;
    let spec = spec(&app).await;
    let (mut ops, mut bodies) = (0, 0);
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops += 1;
            let at = format!("{method} {path}");
            if let Some(rb) = op.get("requestBody") {
                let (_, media) = rb["content"].as_object().unwrap().iter().next().unwrap();
                assert_typed(&spec, &media["schema"], &format!("{at} request body"));
                bodies += 1;
            }
            for (status, resp) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') || status == "204" {
                    continue;
                }
                let (_, media) = resp["content"].as_object().unwrap().iter().next().unwrap();
                assert_typed(&spec, &media["schema"], &format!("{at} {status}"));
            }
        }
    }
    assert_eq!(ops, 40);
    // Including duplicate, publish, archive, version restore, bulk delete and
    // A/B test cancel, which read their JSON from a raw body before.
    assert_eq!(bodies, 22);
}

#[tokio::test]
async fn the_document_says_what_the_server_enforces() {
    let app = app().await;
    let spec = spec(&app).await;
    let param = |path: &str, name: &str| spec::get_param(&spec, path, name);
    let compare = "/admin/scenarios/{id}/versions/compare";
    for name in ["from", "to"] {
        assert_eq!(param(compare, name)["required"], true, "{name}");
    }
    let list = "/admin/scenarios";
    assert_eq!(param(list, "page")["schema"]["minimum"], 1.0);
    assert_eq!(param(list, "limit")["schema"]["maximum"], 100.0);
    let status = resolve(&spec, &param(list, "status")["schema"]["items"]).clone();
    assert!(status["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("PENDING_REVIEW")));
    let sort = resolve(&spec, &param(list, "sortBy")["schema"]).clone();
    assert_eq!(sort["enum"].as_array().unwrap().len(), 5);
    let period = resolve(
        &spec,
        &param("/admin/analytics/dashboard", "period")["schema"],
    )
    .clone();
    assert!(period["enum"].as_array().unwrap().contains(&json!("1y")));
    let schemas = &spec["components"]["schemas"];
    let create = &schemas["CreateScenarioRequest"];
    assert_eq!(create["properties"]["name"]["minLength"], 3);
    let ai = &schemas["AiConfig"]["properties"]["temperature"];
    assert_eq!(
        (ai["minimum"].as_f64(), ai["maximum"].as_f64()),
        (Some(0.0), Some(2.0))
    );
}

#[tokio::test]
async fn wrong_types_are_refused_naming_the_field() {
    let app = app().await;
    let editor = app.token_for(&["training:publisher"]).await;
    let call = |method: &'static str, path: String, body: Value| {
        let (app, editor) = (&app, editor.clone());
        async move {
            app.call(method, &format!("{B}{path}"), Some(&editor), Some(body))
                .await
                .parts()
        }
    };
    let (st, s) = call(
        "POST",
        "/admin/scenarios".into(),
        json!({"name": "Billing Dispute", "category": "BILLING_PAYMENTS", "difficulty": "BEGINNER"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{s}");
    let id = s["id"].as_str().unwrap().to_string();

    // A number or boolean where the document says string: 422, the field named.
    for (method, path, body, field) in [
        (
            "POST",
            "/admin/scenarios".to_string(),
            json!({"name": 424242, "category": "SALES", "difficulty": "BEGINNER"}),
            "name",
        ),
        (
            "PUT",
            format!("/admin/scenarios/{id}"),
            json!({"description": false}),
            "description",
        ),
        (
            "PATCH",
            format!("/admin/scenarios/{id}"),
            json!({"customerProfile": {"speakingStyle": 7}}),
            "customerProfile.speakingStyle",
        ),
        (
            "POST",
            format!("/admin/scenarios/{id}/attempts"),
            json!({"feedback": 5}),
            "feedback",
        ),
        (
            "POST",
            format!("/admin/scenarios/{id}/attempts"),
            json!({"completedAt": 5}),
            "completedAt",
        ),
        (
            "POST",
            format!("/admin/scenarios/{id}/comments"),
            json!({"content": 5}),
            "content",
        ),
        (
            "POST",
            format!("/admin/scenarios/{id}/duplicate"),
            json!({"newName": true}),
            "newName",
        ),
        (
            "POST",
            format!("/admin/scenarios/{id}/publish"),
            json!({"notes": 1}),
            "notes",
        ),
        (
            "POST",
            "/admin/scenarios/bulk/export".to_string(),
            json!({"scenarioIds": [id], "compression": "rar"}),
            "compression",
        ),
        (
            "DELETE",
            "/admin/scenarios/bulk/delete".to_string(),
            json!({"scenarioIds": []}),
            "scenarioIds",
        ),
    ] {
        let (st, b) = call(method, path.clone(), body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}: {b}");
        assert_eq!(b["error"]["code"], "VALIDATION_ERROR", "{b}");
        assert_eq!(
            b["error"]["details"][0]["field"], field,
            "{method} {path}: {b}"
        );
    }
    // Nothing was recorded for the refused attempts.
    let (_, a) = call(
        "GET",
        format!("/admin/scenarios/{id}/analytics"),
        Value::Null,
    )
    .await;
    assert_eq!(a["metrics"]["totalAttempts"], 0, "{a}");
    // The document's wording for the documented examples.
    let (_, b) = call(
        "POST",
        "/admin/scenarios".into(),
        json!({"name": "No", "category": "SALES", "difficulty": "BEGINNER"}),
    )
    .await;
    assert_eq!(
        b["error"]["details"][0]["message"],
        "Name must be at least 3 characters"
    );
}

#[tokio::test]
async fn permission_comes_before_validation() {
    let app = app().await;
    let viewer = app.token_for(&["training:viewer"]).await;
    for (method, path, body) in [
        ("POST", "/admin/scenarios", json!({"name": 5})),
        (
            "PATCH",
            "/admin/scenarios/scn_0000000000",
            json!({"status": 5}),
        ),
        (
            "POST",
            "/admin/scenarios/scn_0000000000/publish",
            json!([1, 2]),
        ),
        ("DELETE", "/admin/scenarios/bulk/delete", json!({})),
        ("POST", "/admin/scenarios/tests", json!({"variants": "x"})),
    ] {
        let (st, b) = app
            .call(method, &format!("{B}{path}"), Some(&viewer), Some(body))
            .await
            .parts();
        assert_eq!(st, StatusCode::FORBIDDEN, "{method} {path}: {b}");
        assert_eq!(b["error"]["code"], "FORBIDDEN", "{b}");
    }
    // Without a token: 401, whatever the body.
    let (st, _) = app
        .call(
            "POST",
            &format!("{B}/admin/scenarios"),
            None,
            Some(json!({"name": 5})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn filters_take_repeated_or_comma_separated_enum_values() {
    let app = app().await;
    let editor = app.token_for(&["training:editor"]).await;
    for (name, difficulty) in [
        ("First one", "BEGINNER"),
        ("Second one", "EXPERT"),
        ("Third one", "ADVANCED"),
    ] {
        let (st, b) = app
            .call(
                "POST",
                &format!("{B}/admin/scenarios"),
                Some(&editor),
                Some(json!({"name": name, "category": "SALES", "difficulty": difficulty})),
            )
            .await
            .parts();
        assert_eq!(st, StatusCode::CREATED, "{b}");
    }
    for query in [
        "difficulty=EXPERT,BEGINNER",
        "difficulty=EXPERT&difficulty=BEGINNER",
    ] {
        let (st, b) = app
            .call(
                "GET",
                &format!("{B}/admin/scenarios?{query}"),
                Some(&editor),
                None,
            )
            .await
            .parts();
        assert_eq!(st, StatusCode::OK, "{query}: {b}");
        assert_eq!(b["pagination"]["total"], 2, "{query}: {b}");
    }
    for query in ["difficulty=HARD", "sortBy=colour", "limit=0", "page=0"] {
        let (st, b) = app
            .call(
                "GET",
                &format!("{B}/admin/scenarios?{query}"),
                Some(&editor),
                None,
            )
            .await
            .parts();
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {b}");
    }
    // Compare needs both versions.
    let (st, b) = app
        .call(
            "GET",
            &format!("{B}/admin/scenarios/scn_0000000000/versions/compare?to=2"),
            Some(&editor),
            None,
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
}

/// Dates and webhook fields carry in the document the rules the server
/// applies (an all-checks schemathesis run found them missing): a date or
/// date-time pattern on every period bound and `completedAt`; at least one
/// event, a 16..256-character secret and an http(s) URL for a webhook. The
/// answers for good and bad values are as before.
#[tokio::test]
async fn dates_and_webhook_fields_are_documented_as_enforced() {
    let app = app().await;
    let spec = spec(&app).await;
    let schemas = &spec["components"]["schemas"];
    for path in [
        "/admin/analytics/dashboard",
        "/admin/scenarios/{id}/analytics",
    ] {
        for name in ["startDate", "endDate"] {
            let p = spec["paths"][path]["get"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .cloned()
                .unwrap();
            assert!(
                p["schema"]["pattern"].as_str().is_some(),
                "{path} {name}: {p}"
            );
        }
    }
    for name in ["startDate", "endDate"] {
        let s = &schemas["CompareScenariosRequest"]["properties"][name];
        assert!(s["pattern"].as_str().is_some(), "{name}: {s}");
    }
    let s = &schemas["RecordAttemptRequest"]["properties"]["completedAt"];
    assert!(s["pattern"].as_str().is_some(), "{s}");
    let hook = &schemas["CreateWebhookRequest"]["properties"];
    assert_eq!(hook["events"]["minItems"], 1, "{hook}");
    assert_eq!(hook["secret"]["minLength"], 16, "{hook}");
    assert!(hook["url"]["pattern"].as_str().is_some(), "{hook}");

    // Behaviour: good dates pass, bad ones are the training 422 naming the field.
    let admin = app.admin_token.clone();
    for q in [
        "period=custom&startDate=2025-10-01&endDate=2025-10-31",
        "period=custom&startDate=2025-10-01T09:00:00Z&endDate=2025-10-31T17:30:00.250%2B02:00",
    ] {
        let (st, b) = app
            .call(
                "GET",
                &format!("{B}/admin/analytics/dashboard?{q}"),
                Some(&admin),
                None,
            )
            .await
            .parts();
        assert_eq!(st, StatusCode::OK, "{q}: {b}");
    }
    for q in [
        "period=custom&startDate=&endDate=2025-10-31",
        "period=custom&startDate=yesterday&endDate=2025-10-31",
    ] {
        let (st, b) = app
            .call(
                "GET",
                &format!("{B}/admin/analytics/dashboard?{q}"),
                Some(&admin),
                None,
            )
            .await
            .parts();
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {b}");
        assert_eq!(b["error"]["code"], "VALIDATION_ERROR", "{b}");
        assert_eq!(b["error"]["details"][0]["field"], "startDate", "{b}");
    }
    let (st, b) = app
        .call(
            "POST",
            &format!("{B}/admin/webhooks"),
            Some(&admin),
            Some(json!({"url": "https://hooks.example.com/x", "events": ["scenario.published"], "secret": "short"})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["details"][0]["field"], "secret", "{b}");
}
