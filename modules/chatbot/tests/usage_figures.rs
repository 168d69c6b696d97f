//! Issue 21 #14: `integrations.api_calls` counts the calls made with the
//! tenant's API keys; `detailed=true` adds costs by provider and data sync
//! operations.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// A tenant owned by a platform user; returns (tenant_id, owner token, "ApiKey …").
async fn tenant(app: &TestApp) -> (String, String, String) {
    let (uid, owner) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&uid)
        .await
        .unwrap()
        .unwrap()
        .email;
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": "Acme", "plan": "enterprise", "admin_user": {"email": email}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    (
        d["tenant_id"].as_str().unwrap().to_string(),
        owner,
        format!("ApiKey {}", d["api_keys"]["primary"].as_str().unwrap()),
    )
}

async fn usage(app: &TestApp, tid: &str, owner: &str, query: &str) -> Value {
    let r = app
        .client
        .get(format!("{B}/tenants/{tid}/usage{query}"))
        .header("Authorization", format!("Bearer {owner}"))
        .header("X-Tenant-ID", tid)
        .send()
        .await;
    r.assert_status_is_ok();
    body(r).await["data"].clone()
}

#[tokio::test]
async fn api_calls_are_the_calls_made_with_the_tenant_s_keys() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tid, owner, key) = tenant(&app).await;
    app.client
        .post(format!("{B}/chat/message"))
        .header("Authorization", &key)
        .body_json(&json!({"user_id": "u1", "content": {"text": "hello"}}))
        .send()
        .await
        .assert_status_is_ok();
    for _ in 0..3 {
        app.client
            .get(format!("{B}/conversations"))
            .header("Authorization", &key)
            .send()
            .await
            .assert_status_is_ok();
    }
    let u = usage(&app, &tid, &owner, "").await;
    // One message and three lists: four calls (the owner's own reads are not key calls).
    assert_eq!(u["usage"]["integrations"]["api_calls"], 4, "{u}");
    assert_eq!(u["usage"]["messages"]["inbound"], 1);
    assert_eq!(u["limits"]["api_calls_used_percent"], 0.01, "{u}");
    assert!(u["usage"]["ai_costs"].get("by_provider").is_none());
    assert!(u["usage"]["integrations"]
        .get("data_sync_operations")
        .is_none());
    let d = usage(&app, &tid, &owner, "?detailed=true").await;
    assert_eq!(
        d["usage"]["ai_costs"]["by_provider"],
        json!({"built_in": 0}),
        "{d}"
    );
    assert_eq!(d["usage"]["integrations"]["data_sync_operations"], 0, "{d}");
}

/// `api_calls_limit` holds: with the month's calls used up, the tenant's
/// keys get 429 `API_CALL_LIMIT_REACHED` with the monthly limit's headers;
/// refused calls are not counted, and members' tokens are not limited.
#[tokio::test]
async fn the_monthly_api_call_limit_is_enforced() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tid, owner, key) = tenant(&app).await;
    // Platform admins set the tenant's limit; calls before it count too.
    let r = app
        .client
        .put(format!("{B}/tenants/{tid}"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"features": {"api_calls_limit": 3}}))
        .send()
        .await;
    r.assert_status_is_ok();
    let get_convs = || {
        app.client
            .get(format!("{B}/conversations"))
            .header("Authorization", &key)
            .send()
    };
    for _ in 0..3 {
        get_convs().await.assert_status_is_ok();
    }
    for _ in 0..2 {
        let r = get_convs().await;
        r.assert_status(StatusCode::TOO_MANY_REQUESTS);
        r.assert_header("x-ratelimit-limit", "3");
        r.assert_header("x-ratelimit-remaining", "0");
        r.assert_header("x-ratelimit-type", "api_key");
        let reset: i64 = r.0.headers()["x-ratelimit-reset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(reset > chrono::Utc::now().timestamp(), "resets next month");
        assert!(r.0.headers().contains_key("retry-after"));
        let b = body(r).await;
        assert_eq!(b["status"], "error", "{b}");
        assert_eq!(b["error"]["code"], "API_CALL_LIMIT_REACHED", "{b}");
        assert_eq!(b["error"]["details"]["limit"], 3, "{b}");
    }
    // The chat is refused too, before it is processed.
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", &key)
        .body_json(
            &json!({"user_id": "u1", "channel": "web", "content": {"type": "text", "text": "Hi"}}),
        )
        .send()
        .await;
    r.assert_status(StatusCode::TOO_MANY_REQUESTS);
    // Members are not API-key calls.
    let u = usage(&app, &tid, &owner, "").await;
    assert_eq!(u["usage"]["integrations"]["api_calls"], 3, "{u}");
    assert_eq!(u["limits"]["api_calls_limit"], 3, "{u}");
    assert_eq!(u["limits"]["api_calls_used_percent"], 100.0, "{u}");
    assert_eq!(u["usage"]["conversations"]["total"], 0, "{u}");

    // Raised, the key works again.
    app.client
        .put(format!("{B}/tenants/{tid}"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"features": {"api_calls_limit": 4}}))
        .send()
        .await
        .assert_status_is_ok();
    get_convs().await.assert_status_is_ok();
    get_convs()
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
}
