//! Excessive data exposure: a webhook secret is returned once, in the create
//! answer, and never again (list, deliveries, audit log); user listings carry
//! no password hashes.

use frontline_platform::testing::{assert_absent, TestApp};
use poem::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn webhook_secret_only_in_the_create_answer() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let admin = app.token_for(&["training:admin"]).await;
    let secret = "whsec-given-by-client-0123456789";
    let (st, b) = app
        .call(
            "POST",
            "/training/api/admin/webhooks",
            Some(&admin),
            Some(json!({"url": "https://hooks.example.com/training", "events": ["scenario.published"], "secret": secret})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(
        b["secret"], secret,
        "the create answer carries the secret once"
    );
    let id = b["id"].as_str().unwrap().to_string();

    // A generated secret also comes back only once.
    let (st, b2) = app
        .call(
            "POST",
            "/training/api/admin/webhooks",
            Some(&admin),
            Some(json!({"url": "https://hooks.example.com/generated", "events": ["scenario.created"]})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::CREATED, "{b2}");
    let generated = b2["secret"].as_str().unwrap().to_string();
    assert!(generated.len() >= 16, "{b2}");

    let (st, list) = app
        .call("GET", "/training/api/admin/webhooks", Some(&admin), None)
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["data"].as_array().map(Vec::len), Some(2), "{list}");
    for needle in [secret, generated.as_str(), "secret"] {
        assert_absent(&list, needle, "GET /admin/webhooks");
    }
    let (st, deliveries) = app
        .call(
            "GET",
            &format!("/training/api/admin/webhooks/{id}/deliveries"),
            Some(&admin),
            None,
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{deliveries}");
    assert_absent(&deliveries, secret, "deliveries");

    for row in app.audit_rows().await {
        assert!(
            !row.contains(secret) && !row.contains(&generated),
            "audit entry holds the secret: {row}"
        );
    }
    let (st, audit) = app
        .call(
            "GET",
            "/auth/audit?module=training",
            Some(&app.admin_token),
            None,
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{audit}");
    assert!(audit.to_string().contains("webhook.create"), "{audit}");
    assert_absent(&audit, secret, "GET /auth/audit");
    assert_absent(&audit, &generated, "GET /auth/audit");
}

#[tokio::test]
async fn no_password_hashes_in_user_listings_or_scenarios() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let (editor_id, editor) = app.user_with(&["training:editor"]).await;
    let (st, b) = app
        .call(
            "POST",
            "/training/api/admin/scenarios",
            Some(&editor),
            Some(json!({
                "name": "Exposure Check", "category": "SALES", "difficulty": "BEGINNER",
                "estimatedDuration": 5
            })),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap().to_string();

    // The stored hash of the editor's password, to look for verbatim.
    let uid = editor_id.clone();
    let hash: String = app
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT password_hash FROM platform_users WHERE id = ?1",
                [&uid],
                |r| r.get(0),
            )?)
        })
        .await
        .expect("hash");
    assert!(hash.len() > 20);

    let answers = [
        app.call("GET", "/auth/users", Some(&app.admin_token), None)
            .await
            .parts(),
        app.call(
            "GET",
            &format!("/auth/users/{editor_id}"),
            Some(&app.admin_token),
            None,
        )
        .await
        .parts(),
        app.call("GET", "/auth/me", Some(&editor), None)
            .await
            .parts(),
        app.call(
            "GET",
            &format!("/training/api/admin/scenarios/{id}"),
            Some(&editor),
            None,
        )
        .await
        .parts(),
        app.call("GET", "/training/api/admin/scenarios", Some(&editor), None)
            .await
            .parts(),
        app.call("GET", "/auth/audit", Some(&app.admin_token), None)
            .await
            .parts(),
    ];
    for (st, body) in answers {
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_absent(&body, &hash, "a listing");
        assert_absent(&body, "password", "a listing");
        assert_absent(&body, "password-123", "a listing");
    }
}
