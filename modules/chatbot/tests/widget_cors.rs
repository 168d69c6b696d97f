//! Extension: the website widget's public configuration and CORS per tenant
//! through HTTP — preflights answered, only the origins a tenant lists may
//! read its answers, nothing by default.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// A tenant; returns its id.
async fn tenant(app: &TestApp, name: &str) -> String {
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": name, "plan": "enterprise",
            "admin_user": {"email": format!("owner@{}.example", name.to_lowercase())}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    body(r).await["data"]["tenant_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn configure(app: &TestApp, tid: &str, configuration: Value) -> (StatusCode, Value) {
    let r = app
        .client
        .put(format!("{B}/tenants/{tid}/config"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({ "configuration": configuration }))
        .send()
        .await;
    let s = r.0.status();
    (s, body(r).await)
}

async fn preflight(app: &TestApp, origin: &str) -> poem::test::TestResponse {
    app.client
        .options(format!("{B}/sessions"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type, x-tenant-id",
        )
        .send()
        .await
}

async fn open_session(app: &TestApp, origin: &str, tid: &str) -> poem::test::TestResponse {
    app.client
        .post(format!("{B}/sessions"))
        .header("Origin", origin)
        .header("X-Tenant-ID", tid)
        .body_json(&json!({"user_id": "visitor_9", "channel": "web"}))
        .send()
        .await
}

fn allow_origin(r: &poem::test::TestResponse) -> Option<String> {
    r.0.headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn only_the_origins_a_tenant_lists_may_call_it_from_a_browser() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let a = tenant(&app, "Alpha").await;
    let b = tenant(&app, "Beta").await;
    let shop = "https://shop-alpha.example";

    // Nothing is allowed by default, but the preflight is answered.
    let r = preflight(&app, shop).await;
    r.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(allow_origin(&r), None);
    let r = open_session(&app, shop, &a).await;
    r.assert_status(StatusCode::CREATED);
    assert_eq!(allow_origin(&r), None);

    // A listed origin must be exactly an origin.
    let (s, e) = configure(
        &app,
        &a,
        json!({"channels": {"web": {"allowed_origins": [shop, "https://shop-alpha.example/products"]}}}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(
        e["error"]["details"]["field"],
        "configuration.channels.web.allowed_origins[1]"
    );
    let (s, e) = configure(
        &app,
        &a,
        json!({"channels": {"web": {"allowed_origins": [shop], "widget_color": "#0f766e",
            "welcome_message": "Hi from Alpha!"}},
               "general": {"branding": {"company_name": "Alpha Store", "secondary_color": "#f59e0b"}}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");

    // Now the shop's pages may call Alpha, and only Alpha.
    let r = preflight(&app, shop).await;
    r.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(allow_origin(&r).as_deref(), Some(shop));
    let allowed = r.0.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("x-tenant-id") && allowed.contains("authorization"));
    let r = open_session(&app, shop, &a).await;
    r.assert_status(StatusCode::CREATED);
    assert_eq!(allow_origin(&r).as_deref(), Some(shop));
    let r = open_session(&app, shop, &b).await;
    assert_eq!(allow_origin(&r), None, "Beta does not list the shop");
    let r = open_session(&app, "https://evil.example", &a).await;
    assert_eq!(allow_origin(&r), None);
    let r = preflight(&app, "https://evil.example").await;
    r.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(allow_origin(&r), None);

    // The widget's public configuration: name, colours, welcome line.
    let r = app
        .client
        .get(format!("{B}/widget/config"))
        .header("X-Tenant-ID", &a)
        .header("Origin", shop)
        .send()
        .await;
    r.assert_status_is_ok();
    assert_eq!(allow_origin(&r).as_deref(), Some(shop));
    let w = body(r).await["data"].clone();
    assert_eq!(w["name"], "Alpha Store");
    assert_eq!(w["primary_color"], "#0f766e");
    assert_eq!(w["secondary_color"], "#f59e0b");
    assert_eq!(w["welcome_message"], "Hi from Alpha!");
    let r = app
        .client
        .get(format!("{B}/widget/config"))
        .header("X-Tenant-ID", "no_such_tenant")
        .send()
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(body(r).await["error"]["code"], "TENANT_NOT_FOUND");
}
