//! Issue 16, chatbot: credentials are checked before parameters and bodies
//! (401 in the chatbot body, nothing about the schema), permissions before
//! bodies (403 before 400), and the document declares it all: Bearer and
//! API-key security on every non-public operation, `X-Tenant-ID` where it is
//! required.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn app() -> TestApp {
    TestApp::new(vec![frontline_chatbot::module()]).await
}

/// A tenant created by the platform admin; returns (tenant_id, "ApiKey …").
async fn tenant(app: &TestApp) -> (String, String) {
    let (id, _) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&id)
        .await
        .unwrap()
        .unwrap()
        .email;
    let r = app
        .call(
            "POST",
            &format!("{B}/tenants"),
            Some(&app.admin_token),
            Some(json!({"name": "Shop", "plan": "enterprise", "admin_user": {"email": email}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    (
        r.body["data"]["tenant_id"].as_str().unwrap().to_string(),
        format!(
            "ApiKey {}",
            r.body["data"]["api_keys"]["primary"].as_str().unwrap()
        ),
    )
}

fn assert_chatbot_error(b: &Value, status: StatusCode, code: &str) {
    assert_eq!(b["status"], "error", "{b}");
    assert_eq!(b["error"]["code"], code, "{status}: {b}");
    assert_eq!(b["meta"]["api_version"], "v2", "{b}");
}

#[tokio::test]
async fn no_credentials_is_401_before_any_parameter_or_body_is_read() {
    let app = app().await;
    // The example: a bad limit without a token.
    let r = app
        .call("GET", &format!("{B}/conversations?limit=-1"), None, None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_chatbot_error(&r.body, r.status, "UNAUTHORIZED");
    assert!(
        !r.body.to_string().contains("uint32"),
        "parser internals leaked: {}",
        r.body
    );
    // A bad body without credentials.
    let r = app
        .call(
            "POST",
            &format!("{B}/chat/message"),
            None,
            Some(json!({"user_id": 5, "content": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_chatbot_error(&r.body, r.status, "UNAUTHORIZED");
    // Tenant routes and platform-admin routes alike.
    for (method, url) in [
        ("GET", format!("{B}/tenants?page=-3")),
        ("GET", format!("{B}/tenants/t1/users?limit=x")),
        ("GET", format!("{B}/health/metrics?timeframe=1y")),
    ] {
        let r = app.call(method, &url, None, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{url}: {}", r.body);
        assert_chatbot_error(&r.body, r.status, "UNAUTHORIZED");
    }
    // A bad token is 401 too, whatever the query says.
    let r = app
        .call(
            "GET",
            &format!("{B}/conversations?limit=-1"),
            Some("not-a-token"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
}

#[tokio::test]
async fn a_caller_without_the_permission_gets_403_before_its_body_is_validated() {
    let app = app().await;
    let (tenant_id, key) = tenant(&app).await;
    // An API key is no tenant admin: 403 whatever its configuration body holds.
    let r = app
        .client
        .put(format!("{B}/tenants/{tenant_id}/config"))
        .header("Authorization", &key)
        .body_json(&json!({"configuration": "not an object"}))
        .send()
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    let b: Value = r.0.into_body().into_json().await.unwrap();
    assert_chatbot_error(&b, StatusCode::FORBIDDEN, "INSUFFICIENT_PERMISSIONS");
    // A signed-in user who is not a chatbot platform admin cannot create
    // tenants: 403, not a complaint about the body.
    let token = app.token_for(&[]).await;
    let r = app
        .call(
            "POST",
            &format!("{B}/tenants"),
            Some(&token),
            Some(json!({"name": 42})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_chatbot_error(&r.body, r.status, "FORBIDDEN");
    // A member of no tenant naming one: 404 for the tenant, before the body.
    let r = app
        .client
        .post(format!("{B}/conversations/c1/transfer"))
        .header("Authorization", format!("Bearer {token}"))
        .header("X-Tenant-ID", &tenant_id)
        .body_json(&json!({"reason": 7}))
        .send()
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    // With the right credentials the body is checked as before.
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", &key)
        .body_json(&json!({"user_id": 5}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let b: Value = r.0.into_body().into_json().await.unwrap();
    assert_chatbot_error(&b, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
}

/// Operations the chatbot document leaves public: health probes, channel
/// webhooks (signed per channel), the website widget's configuration
/// (extension: a tenant's name and colours) and the invitation link's
/// routes (extension: the link's token is the credential).
fn public(path: &str) -> bool {
    matches!(
        path,
        "/health" | "/health/readiness" | "/health/liveness" | "/widget/config"
    ) || path.starts_with("/webhooks/")
        || path.starts_with("/invitations/")
}

#[tokio::test]
async fn the_document_declares_security_on_every_non_public_operation() {
    let app = app().await;
    let spec = app
        .call("GET", &format!("{B}/openapi.json"), None, None)
        .await
        .body;
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(schemes["BearerAuth"]["type"], "http", "{schemes}");
    assert_eq!(schemes["BearerAuth"]["scheme"], "bearer", "{schemes}");
    assert_eq!(schemes["ApiKeyAuth"]["type"], "apiKey", "{schemes}");
    assert_eq!(schemes["ApiKeyAuth"]["in"], "header", "{schemes}");
    assert_eq!(schemes["ApiKeyAuth"]["name"], "Authorization", "{schemes}");
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let names: Vec<&str> = op["security"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .flat_map(|req| req.as_object().unwrap().keys())
                        .map(String::as_str)
                        .collect()
                })
                .unwrap_or_default();
            let header = op["parameters"].as_array().and_then(|ps| {
                ps.iter()
                    .find(|p| p["in"] == "header" && p["name"] == "X-Tenant-ID")
            });
            if public(path) {
                assert!(names.is_empty(), "{method} {path} is public: {names:?}");
                continue;
            }
            checked += 1;
            assert!(
                names.contains(&"BearerAuth"),
                "{method} {path} declares no Bearer: {names:?}"
            );
            let platform_admin_only = (path == "/tenants")
                || (path == "/tenants/{id}" && method == "delete")
                || path.starts_with("/health/");
            if platform_admin_only {
                assert!(header.is_none(), "{method} {path}");
                continue;
            }
            assert!(
                names.contains(&"ApiKeyAuth"),
                "{method} {path} declares no API key: {names:?}"
            );
            if path.starts_with("/tenants/") {
                // The path names the tenant.
                assert!(header.is_none(), "{method} {path}");
            } else {
                let header = header
                    .unwrap_or_else(|| panic!("{method} {path} does not declare X-Tenant-ID"));
                assert_eq!(header["required"], true, "{method} {path}");
            }
        }
    }
    assert!(checked >= 40, "only {checked} operations checked");
}

#[tokio::test]
async fn api_keys_and_members_reach_their_tenant_as_declared() {
    let app = app().await;
    let (tenant_id, key) = tenant(&app).await;
    // The API key names its tenant; X-Tenant-ID may be left out.
    let r = app
        .client
        .get(format!("{B}/conversations"))
        .header("Authorization", &key)
        .send()
        .await;
    r.assert_status_is_ok();
    // Naming another tenant with the key: 404.
    let r = app
        .client
        .get(format!("{B}/conversations"))
        .header("Authorization", &key)
        .header("X-Tenant-ID", "tenant_other")
        .send()
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    // A bad key: 401 in the chatbot body.
    let r = app
        .client
        .get(format!("{B}/conversations"))
        .header("Authorization", "ApiKey cb_live_nope")
        .send()
        .await;
    r.assert_status(StatusCode::UNAUTHORIZED);
    // Tenant routes take the tenant from the path.
    let r = app
        .call(
            "GET",
            &format!("{B}/tenants/{tenant_id}/billing"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The platform admin names the tenant in X-Tenant-ID; without it, 400.
    let r = app
        .client
        .get(format!("{B}/conversations"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .header("X-Tenant-ID", &tenant_id)
        .send()
        .await;
    r.assert_status_is_ok();
    let r = app
        .call(
            "GET",
            &format!("{B}/conversations"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], "X-Tenant-ID");
}
