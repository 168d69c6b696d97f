//! Excessive data exposure: a webhook secret is returned once, in the create
//! answer, and never again (list, deliveries, audit log); user listings carry
//! no password hashes.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

/// Every place in `v` (keys and string values) that mentions `needle`.
fn mentions(v: &Value, needle: &str, path: &str, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.contains(needle) => out.push(path.to_string()),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| mentions(x, needle, &format!("{path}[{i}]"), out)),
        Value::Object(o) => {
            for (k, x) in o {
                if k.to_lowercase().contains(&needle.to_lowercase()) {
                    out.push(format!("{path}.{k} (key)"));
                }
                mentions(x, needle, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

fn assert_absent(v: &Value, needle: &str, what: &str) {
    let mut hits = Vec::new();
    mentions(v, needle, "$", &mut hits);
    assert!(
        hits.is_empty(),
        "{what} exposes {needle:?} at {hits:?}: {v}"
    );
}

/// Every audit entry's details, as stored.
async fn audit_rows(app: &TestApp) -> Vec<String> {
    app.platform
        .db
        .read(|c| {
            let mut st =
                c.prepare("SELECT action || ' ' || COALESCE(details, '') FROM platform_audit_log")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .expect("audit rows")
}

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

    for row in audit_rows(&app).await {
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
