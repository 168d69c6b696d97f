//! The platform API: sign-in, accounts, roles, audit, request ids, limits.

use frontline_platform::testing::{check_spec, TestApp};
use poem::http::StatusCode;
use serde_json::{json, Value};

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.expect("json body")
}

#[tokio::test]
async fn login_returns_a_token_that_me_accepts() {
    let app = TestApp::new(vec![]).await;
    let resp = app
        .client
        .post("/auth/login")
        .body_json(&json!({"email": "admin@test.local", "password": "admin-password"}))
        .send()
        .await;
    resp.assert_status_is_ok();
    let token = body(resp).await;
    assert_eq!(token["token_type"], "bearer");
    assert_eq!(token["expires_in"], 86400);
    let access = token["access_token"].as_str().unwrap().to_string();

    let me = app
        .client
        .get("/auth/me")
        .header("Authorization", format!("Bearer {access}"))
        .send()
        .await;
    me.assert_status_is_ok();
    let me = body(me).await;
    assert_eq!(me["email"], "admin@test.local");
    assert_eq!(me["roles"], json!(["admin"]));
    assert!(me.get("password_hash").is_none());
}

#[tokio::test]
async fn wrong_password_and_bad_tokens_get_401_bodies() {
    let app = TestApp::new(vec![]).await;
    let resp = app
        .client
        .post("/auth/login")
        .body_json(&json!({"email": "admin@test.local", "password": "nope-nope"}))
        .send()
        .await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(body(resp).await["error"]["code"], "INVALID_CREDENTIALS");

    for header in ["Bearer not.a.jwt", "Bearer ", "Basic abc"] {
        let resp = app
            .client
            .get("/auth/me")
            .header("Authorization", header)
            .send()
            .await;
        resp.assert_status(StatusCode::UNAUTHORIZED);
        let b = body(resp).await;
        assert!(b["error"]["message"].is_string(), "{b}");
    }
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let app = TestApp::new(vec![]).await;
    let token = app.token_for(&["training:viewer"]).await;
    let auth = format!("Bearer {token}");
    app.client
        .get("/auth/me")
        .header("Authorization", &auth)
        .send()
        .await
        .assert_status_is_ok();
    app.client
        .post("/auth/logout")
        .header("Authorization", &auth)
        .send()
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let resp = app
        .client
        .get("/auth/me")
        .header("Authorization", &auth)
        .send()
        .await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(body(resp).await["error"]["code"], "INVALID_TOKEN");
}

#[tokio::test]
async fn admins_manage_users_and_every_change_is_audited() {
    let app = TestApp::new(vec![]).await;
    let admin = format!("Bearer {}", app.admin_token);
    let created = app
        .client
        .post("/auth/users")
        .header("Authorization", &admin)
        .header("User-Agent", "audit-test")
        .body_json(&json!({"email": "ed@example.com", "password": "long-enough-1", "name": "Ed", "roles": ["training:editor"]}))
        .send()
        .await;
    created.assert_status(StatusCode::CREATED);
    let user = body(created).await;
    let id = user["id"].as_str().unwrap().to_string();
    assert_eq!(user["roles"], json!(["training:editor"]));

    // Duplicate e-mail, bad role, short password.
    let dup = app
        .client
        .post("/auth/users")
        .header("Authorization", &admin)
        .body_json(&json!({"email": "ED@example.com", "password": "long-enough-1", "name": "Ed"}))
        .send()
        .await;
    dup.assert_status(StatusCode::CONFLICT);
    let bad = app
        .client
        .post("/auth/users")
        .header("Authorization", &admin)
        .body_json(&json!({"email": "x@example.com", "password": "short", "name": "X", "roles": ["training:god"]}))
        .send()
        .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let b = body(bad).await;
    let fields: Vec<&str> = b["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["password", "roles[0]"]);

    // The new user signs in; a role change applies to the existing token at once.
    let login = app
        .client
        .post("/auth/login")
        .body_json(&json!({"email": "ed@example.com", "password": "long-enough-1"}))
        .send()
        .await;
    let token = body(login).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let ed = format!("Bearer {token}");
    app.client
        .get("/auth/users")
        .header("Authorization", &ed)
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let patched = app
        .client
        .patch(format!("/auth/users/{id}"))
        .header("Authorization", &admin)
        .body_json(&json!({"roles": ["planning:VIEWER"]}))
        .send()
        .await;
    patched.assert_status_is_ok();
    let me = body(
        app.client
            .get("/auth/me")
            .header("Authorization", &ed)
            .send()
            .await,
    )
    .await;
    assert_eq!(me["roles"], json!(["planning:VIEWER"]));

    // A password change signs the user out everywhere.
    app.client
        .patch(format!("/auth/users/{id}"))
        .header("Authorization", &admin)
        .body_json(&json!({"password": "another-pass-2"}))
        .send()
        .await
        .assert_status_is_ok();
    app.client
        .get("/auth/me")
        .header("Authorization", &ed)
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);

    app.client
        .delete(format!("/auth/users/{id}"))
        .header("Authorization", &admin)
        .send()
        .await
        .assert_status(StatusCode::NO_CONTENT);

    let log = body(
        app.client
            .get("/auth/audit?module=platform")
            .header("Authorization", &admin)
            .send()
            .await,
    )
    .await;
    let actions: Vec<&str> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    // With the security events: the user's sign-in, the refused request and
    // the password change.
    assert_eq!(
        actions,
        vec![
            "user.deleted",
            "user.updated",
            "auth.password_changed",
            "user.updated",
            "auth.forbidden",
            "auth.login",
            "user.created"
        ]
    );
    assert_eq!(log["data"][6]["user_agent"], "audit-test");
    assert_eq!(log["data"][6]["entity_id"], id);
    assert_eq!(log["total"], 7);
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::new(vec![]).await;
    let resp = app
        .client
        .get("/healthz")
        .header("X-Request-ID", "trace-abc-123")
        .send()
        .await;
    resp.assert_status_is_ok();
    resp.assert_header("x-request-id", "trace-abc-123");
    let resp = app.client.get("/healthz").send().await;
    let id = resp
        .0
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("req_") && id.len() > 20, "{id}");
    // The id is in error bodies too.
    let resp = app
        .client
        .get("/auth/me")
        .header("X-Request-ID", "trace-err-1")
        .send()
        .await;
    assert_eq!(body(resp).await["error"]["requestId"], "trace-err-1");
}

#[tokio::test]
async fn unknown_paths_and_methods_get_json_errors() {
    let app = TestApp::new(vec![]).await;
    let resp = app.client.get("/no/such/thing").send().await;
    resp.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(body(resp).await["error"]["code"], "NOT_FOUND");
    let resp = app.client.put("/auth/login").send().await;
    resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    resp.assert_header("allow", "POST");
    assert_eq!(body(resp).await["error"]["code"], "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn malformed_json_and_oversized_bodies_are_refused_cleanly() {
    let app = TestApp::with_settings(vec![], |s| s.max_body_bytes = 1024).await;
    let resp = app
        .client
        .post("/auth/login")
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await;
    resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let b = body(resp).await;
    assert_eq!(b["error"]["code"], "VALIDATION_ERROR");

    let big = format!("{{\"email\":\"{}\",\"password\":\"x\"}}", "a".repeat(4096));
    let resp = app
        .client
        .post("/auth/login")
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await;
    resp.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body(resp).await["error"]["code"], "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn login_is_rate_limited_per_ip_with_headers() {
    let app = TestApp::with_settings(vec![], |s| s.rate_limits = true).await;
    let mut last = None;
    for i in 0..11 {
        // Another e-mail each time, so that no account lock comes first.
        let resp = app
            .client
            .post("/auth/login")
            .body_json(&json!({"email": format!("u{i}@test.local"), "password": "wrong-password"}))
            .send()
            .await;
        if i == 0 {
            resp.assert_header("x-ratelimit-limit", "10");
            resp.assert_header("x-ratelimit-remaining", "9");
        }
        last = Some(resp);
    }
    let resp = last.unwrap();
    resp.assert_status(StatusCode::TOO_MANY_REQUESTS);
    resp.assert_header("x-ratelimit-remaining", "0");
    assert!(resp.0.headers().contains_key("retry-after"));
    let b = body(resp).await;
    assert_eq!(b["error"]["code"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(b["error"]["limit"], 10);
    assert_eq!(b["error"]["windowSeconds"], 300);
}

#[tokio::test]
async fn health_and_metrics() {
    let app = TestApp::new(vec![]).await;
    let h = body(app.client.get("/healthz").send().await).await;
    assert_eq!(h["status"], "ok");
    assert_eq!(h["database"]["status"], "ok");
    app.client
        .get("/auth/me")
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    let resp = app.client.get("/metrics").send().await;
    resp.assert_status_is_ok();
    let text = resp.0.into_body().into_string().await.unwrap();
    assert!(text.contains("frontline_http_requests_total{module=\"platform\",method=\"GET\",route=\"/auth/me\",status=\"401\"} 1"), "{text}");
    assert!(text.contains("frontline_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn platform_spec_is_committed() {
    let app = TestApp::new(vec![]).await;
    let spec = frontline_platform::app::platform_module(&app.platform).spec();
    check_spec("platform", &spec);
}

#[tokio::test]
async fn every_operation_documents_its_error_statuses_in_the_module_body() {
    let app = TestApp::new(vec![]).await;
    let resp = app.client.get("/auth/openapi.json").send().await;
    let spec: Value = resp.0.into_body().into_json().await.unwrap();
    let me = &spec["paths"]["/me"]["get"]["responses"];
    for status in ["401", "403", "404", "429", "500"] {
        assert_eq!(
            me[status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/PlatformErrorBody",
            "{status}"
        );
    }
    // Optional fields are documented as nullable, as they are sent.
    assert_eq!(
        spec["components"]["schemas"]["UserView"]["properties"]["organization"]["nullable"],
        true
    );
}
