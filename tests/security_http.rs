//! Sign-in limits, token errors, security audit events and browser headers,
//! through HTTP on the whole application (every module, in-process).

use frontline_platform::testing::{Reply, TestApp};
use poem::http::StatusCode;
use serde_json::{json, Value};

async fn app(rate_limits: bool) -> TestApp {
    TestApp::with_settings(frontline::modules(), |s| s.rate_limits = rate_limits).await
}

/// The three sign-in routes and their request bodies.
fn sign_in_routes(email: &str, password: &str) -> [(&'static str, Value); 3] {
    let body = json!({"email": email, "password": password});
    [
        ("/auth/login", body.clone()),
        ("/contact-center/api/v1/auth/login", body.clone()),
        ("/planning/api/auth/signin", body),
    ]
}

/// The error code of any module's body.
fn code(body: &Value) -> String {
    [&body["error"]["code"], &body["error_code"], &body["code"]]
        .into_iter()
        .find_map(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

async fn audit(app: &TestApp, query: &str) -> Vec<Value> {
    let r = app
        .call(
            "GET",
            &format!("/auth/audit?limit=100&{query}"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn all_sign_in_routes_share_one_budget_per_ip_whatever_token_comes_along() {
    let app = app(true).await;
    // Valid tokens of other accounts on the request do not buy more attempts.
    let mut tokens = Vec::new();
    for _ in 0..4 {
        tokens.push(app.token_for(&["training:viewer"]).await);
    }
    let mut answers: Vec<Reply> = Vec::new();
    for i in 0..10 {
        let (path, body) =
            sign_in_routes(&format!("nobody{i}@example.com"), "wrong-password")[i % 3].clone();
        let token = &tokens[i % tokens.len()];
        answers.push(app.call("POST", path, Some(token), Some(body)).await);
    }
    for (i, r) in answers.iter().enumerate() {
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "attempt {i}: {}",
            r.body
        );
    }
    assert_eq!(answers[0].headers["x-ratelimit-limit"], "10");
    // The budget is spent on every route, including the one used least.
    for (path, body) in sign_in_routes("admin@test.local", "admin-password") {
        let r = app.call("POST", path, Some(&tokens[0]), Some(body)).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{path}: {}",
            r.body
        );
        assert_eq!(code(&r.body), "RATE_LIMIT_EXCEEDED", "{path}: {}", r.body);
        assert!(r.headers.contains_key("retry-after"), "{path}");
    }
}

#[tokio::test]
async fn an_account_is_locked_after_repeated_failures_on_any_route_and_the_lock_is_audited() {
    let app = app(true).await;
    let victim = "admin@test.local";
    // Five failures spread over the three routes.
    for i in 0..5 {
        let (path, body) = sign_in_routes(victim, &format!("guess-{i}"))[i % 3].clone();
        let r = app.call("POST", path, None, Some(body)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}: {}", r.body);
    }
    // Now even the right password gets 429, in each module's body, with Retry-After.
    for (path, body) in sign_in_routes(victim, "admin-password") {
        let r = app.call("POST", path, None, Some(body)).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{path}: {}",
            r.body
        );
        assert_eq!(code(&r.body), "RATE_LIMIT_EXCEEDED", "{path}: {}", r.body);
        let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{path}: {retry}");
        assert!(r.body.get("access_token").is_none());
    }
    // Another account is not affected.
    let (_, other) = app.user_with(&["planning:VIEWER"]).await;
    let me = app.call("GET", "/auth/me", Some(&other), None).await;
    let email = me.body["email"].as_str().unwrap().to_string();
    let r = app
        .call(
            "POST",
            "/planning/api/auth/signin",
            None,
            Some(json!({"email": email, "password": "password-123"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let locks = audit(&app, "action=auth.account_locked").await;
    assert_eq!(locks.len(), 1, "{locks:?}");
    assert_eq!(locks[0]["actor_email"], victim);
    assert_eq!(locks[0]["details"]["lockedSeconds"], 60);
    let failed = audit(
        &app,
        "action=auth.login_failed&actor_email=ADMIN@test.local",
    )
    .await;
    assert_eq!(
        failed.len(),
        8,
        "5 wrong passwords and 3 refused while locked"
    );
    for row in &failed {
        assert!(!row.to_string().contains("guess-"), "{row}");
        assert!(!row.to_string().contains("admin-password"), "{row}");
    }
    for row in app.audit_rows().await {
        assert!(
            !row.contains("guess-") && !row.contains("admin-password"),
            "{row}"
        );
    }
}

#[tokio::test]
async fn bad_tokens_get_the_code_each_document_lists_in_every_module() {
    let app = app(false).await;
    let (id, token) = app.user_with(&["admin"]).await;
    let (_, other) = app.user_with(&["admin"]).await;
    let user = app.platform.auth.get_user(&id).await.unwrap().unwrap();
    let expired = app
        .platform
        .auth
        .issue_for(&user, -30)
        .unwrap()
        .access_token;
    // This token's header and payload with another token's signature.
    let forged = {
        let mine: Vec<&str> = token.split('.').collect();
        let theirs: Vec<&str> = other.split('.').collect();
        format!("{}.{}.{}", mine[0], mine[1], theirs[2])
    };
    let revoked = app.token_for(&["admin"]).await;
    let r = app.call("POST", "/auth/logout", Some(&revoked), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    // (protected path, code for a missing token, for a bad one, for an expired one)
    let modules: [(&str, &str, &str, &str); 6] = [
        ("/auth/me", "UNAUTHORIZED", "INVALID_TOKEN", "TOKEN_EXPIRED"),
        (
            "/training/api/admin/templates",
            "UNAUTHORIZED",
            "INVALID_TOKEN",
            "TOKEN_EXPIRED",
        ),
        (
            "/chatbot/api/v2/tenants",
            "UNAUTHORIZED",
            "INVALID_TOKEN",
            "TOKEN_EXPIRED",
        ),
        // These documents list their codes: one code for every 401.
        (
            "/contact-center/api/v1/auth/me",
            "AUTHENTICATION_ERROR",
            "AUTHENTICATION_ERROR",
            "AUTHENTICATION_ERROR",
        ),
        (
            "/marketplace/v1/webhooks",
            "UNAUTHORIZED",
            "UNAUTHORIZED",
            "UNAUTHORIZED",
        ),
        (
            "/planning/api/auth/session",
            "UNAUTHORIZED",
            "UNAUTHORIZED",
            "UNAUTHORIZED",
        ),
    ];
    for (path, missing, bad, old) in modules {
        let ok = app.call("GET", path, Some(&token), None).await;
        assert_eq!(ok.status, StatusCode::OK, "{path}: {}", ok.body);
        let cases = [
            ("missing", None, missing),
            ("malformed", Some("not-a-jwt"), bad),
            ("forged", Some(forged.as_str()), bad),
            ("revoked", Some(revoked.as_str()), bad),
            ("expired", Some(expired.as_str()), old),
        ];
        for (what, tok, expected) in cases {
            let r = app.call("GET", path, tok, None).await;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{path} {what}: {}",
                r.body
            );
            assert_eq!(code(&r.body), expected, "{path} {what}: {}", r.body);
        }
    }
    // Wrong credentials too: the contact center and planning use their listed codes.
    for (path, body) in sign_in_routes("admin@test.local", "wrong-password") {
        let r = app.call("POST", path, None, Some(body)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let expected = match path {
            "/auth/login" => "INVALID_CREDENTIALS",
            p if p.starts_with("/contact-center") => "AUTHENTICATION_ERROR",
            _ => "UNAUTHORIZED",
        };
        assert_eq!(code(&r.body), expected, "{path}: {}", r.body);
    }
}

#[tokio::test]
async fn sign_ins_sign_outs_refusals_and_password_changes_are_audited_with_ip_and_agent() {
    let app = app(false).await;
    let (id, token) = app.user_with(&["planning:VIEWER"]).await;
    let me = app.call("GET", "/auth/me", Some(&token), None).await;
    let email = me.body["email"].as_str().unwrap().to_string();

    // A sign-in on each route, and a failure on each.
    for (path, body) in sign_in_routes(&email, "password-123") {
        let r = app
            .client
            .post(path)
            .header("User-Agent", "audit-test/1.0")
            .body_json(&body)
            .send()
            .await;
        r.assert_status_is_ok();
    }
    for (path, body) in sign_in_routes(&email, "tried-secret-99") {
        let r = app.call("POST", path, None, Some(body)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Sign-outs: platform and planning.
    let r = app.call("POST", "/auth/logout", Some(&token), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let planning = app.token_for(&["planning:VIEWER"]).await;
    let r = app
        .call("POST", "/planning/api/auth/signout", Some(&planning), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A refused request.
    let viewer = app.token_for(&["training:viewer"]).await;
    let r = app.call("GET", "/auth/users", Some(&viewer), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A password change.
    let r = app
        .call(
            "PATCH",
            &format!("/auth/users/{id}"),
            Some(&app.admin_token),
            Some(json!({"password": "new-password-456"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let logins = audit(&app, &format!("action=auth.login&actor_id={id}")).await;
    let mut modules: Vec<&str> = logins
        .iter()
        .map(|r| r["details"]["module"].as_str().unwrap())
        .collect();
    modules.sort();
    assert_eq!(modules, ["contact-center", "planning", "platform"]);
    for row in &logins {
        assert_eq!(row["user_agent"], "audit-test/1.0", "{row}");
        assert!(row["at"].is_string());
        assert!(row.get("ip").is_some());
    }
    let failed = audit(
        &app,
        &format!("action=auth.login_failed&actor_email={email}"),
    )
    .await;
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert!(failed.iter().all(|r| r["entity_id"] == id.as_str()));
    let outs = audit(&app, "action=auth.logout").await;
    assert_eq!(outs.len(), 2, "{outs:?}");
    let refused = audit(&app, "action=auth.forbidden").await;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["details"]["path"], "/auth/users");
    assert_eq!(refused[0]["details"]["method"], "GET");
    assert!(refused[0]["actor_id"].is_string());
    let changed = audit(
        &app,
        &format!("action=auth.password_changed&entity_id={id}"),
    )
    .await;
    assert_eq!(changed.len(), 1, "{changed:?}");
    for row in app.audit_rows().await {
        assert!(
            !row.contains("tried-secret-99") && !row.contains("new-password-456"),
            "{row}"
        );
    }
}

#[tokio::test]
async fn no_page_may_be_framed() {
    let app = app(false).await;
    let client = poem::test::TestClient::new(frontline::app(&app.platform));
    let ui = client.get("/").send().await;
    ui.assert_status_is_ok();
    ui.assert_header("x-frame-options", "DENY");
    let csp = ui.0.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    for path in ["/planning/docs", "/auth/me", "/docs"] {
        let r = client.get(path).send().await;
        r.assert_header("x-frame-options", "DENY");
    }
}
