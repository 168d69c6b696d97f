//! Broken authentication and data exposure checks on the platform API.

use base64::Engine as _;
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn sign(secret: &[u8], claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap()
}

async fn me_status(app: &TestApp, token: &str) -> (StatusCode, Value) {
    let resp = app
        .client
        .get("/auth/me")
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    let status = resp.0.status();
    (
        status,
        resp.0.into_body().into_json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn forged_expired_unsigned_and_tampered_tokens_are_refused() {
    let app = TestApp::new(vec![]).await;
    let secret = std::fs::read(app.data_dir().join("secret.key")).unwrap();
    let (status, me) = me_status(&app, &app.admin_token).await;
    assert_eq!(status, StatusCode::OK);
    let sub = me["id"].as_str().unwrap().to_string();
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": sub, "email": "admin@test.local", "iat": now, "exp": now + 600, "jti": "x1", "tv": 0});

    // A correctly signed token is accepted (the test's forging works) ...
    assert_eq!(
        me_status(&app, &sign(&secret, &claims)).await.0,
        StatusCode::OK
    );
    // ... but not with another key,
    assert_eq!(
        me_status(&app, &sign(b"another-key-another-key-another-key", &claims))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // nor unsigned (alg: none),
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims)
    );
    assert_eq!(me_status(&app, &none).await.0, StatusCode::UNAUTHORIZED);
    // nor with its payload swapped under a valid signature,
    let good = sign(&secret, &claims);
    let parts: Vec<&str> = good.split('.').collect();
    let mut other = claims.clone();
    other["sub"] = json!("someone-else");
    let tampered = format!("{}.{}.{}", parts[0], b64(&other), parts[2]);
    assert_eq!(me_status(&app, &tampered).await.0, StatusCode::UNAUTHORIZED);
    // nor expired,
    let mut old = claims.clone();
    old["exp"] = json!(now - 5);
    let (status, body) = me_status(&app, &sign(&secret, &old)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "TOKEN_EXPIRED");
    // nor from before a password change (token version),
    let mut stale = claims.clone();
    stale["tv"] = json!(7);
    assert_eq!(
        me_status(&app, &sign(&secret, &stale)).await.0,
        StatusCode::UNAUTHORIZED
    );
    // nor for a user that does not exist.
    let mut ghost = claims.clone();
    ghost["sub"] = json!("00000000-0000-0000-0000-000000000000");
    assert_eq!(
        me_status(&app, &sign(&secret, &ghost)).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn password_hashes_never_leave_the_server_and_roles_cannot_be_self_assigned() {
    let app = TestApp::new(vec![]).await;
    let admin = format!("Bearer {}", app.admin_token);
    let resp = app
        .client
        .get("/auth/users")
        .header("Authorization", &admin)
        .send()
        .await;
    let text = resp.0.into_body().into_string().await.unwrap();
    assert!(
        !text.contains("argon2") && !text.contains("password"),
        "{text}"
    );

    // A non-admin cannot create users or change roles, even their own.
    let (id, token) = app.user_with(&["training:viewer"]).await;
    let user = format!("Bearer {token}");
    app.client
        .patch(format!("/auth/users/{id}"))
        .header("Authorization", &user)
        .body_json(&json!({"roles": ["admin"]}))
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.client
        .post("/auth/users")
        .header("Authorization", &user)
        .body_json(&json!({"email": "x@example.com", "password": "long-enough-1", "name": "X", "roles": ["admin"]}))
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let (_, me) = me_status(&app, &token).await;
    assert_eq!(me["roles"], json!(["training:viewer"]));

    // Fields that are not part of the request (token_version, seq, is_active on create) are ignored.
    let resp = app
        .client
        .post("/auth/users")
        .header("Authorization", &admin)
        .body_json(&json!({"email": "y@example.com", "password": "long-enough-1", "name": "Y", "seq": 1, "token_version": 99, "is_active": false}))
        .send()
        .await;
    resp.assert_status(StatusCode::CREATED);
    let created: Value = resp.0.into_body().into_json().await.unwrap();
    assert_eq!(created["is_active"], true);
    assert_ne!(created["seq"], 1);
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out() {
    let app = TestApp::new(vec![]).await;
    let admin = format!("Bearer {}", app.admin_token);
    let (_, me) = me_status(&app, &app.admin_token).await;
    let id = me["id"].as_str().unwrap();
    app.client
        .patch(format!("/auth/users/{id}"))
        .header("Authorization", &admin)
        .body_json(&json!({"roles": ["training:viewer"]}))
        .send()
        .await
        .assert_status(StatusCode::CONFLICT);
    app.client
        .delete(format!("/auth/users/{id}"))
        .header("Authorization", &admin)
        .send()
        .await
        .assert_status(StatusCode::CONFLICT);
}
