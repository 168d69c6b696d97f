//! Mass assignment: a tenant admin cannot change its own plan, status,
//! features (channels, limits) or API keys; tenant ids, message directions
//! and roles in bodies do not reach across tenants or above the caller.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

/// One request with any headers (`Authorization` and `X-Tenant-ID` among them).
async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, Value) {
    let url = format!("{B}{path}");
    let mut req = match method {
        "GET" => app.client.get(&url),
        "POST" => app.client.post(&url),
        "PUT" => app.client.put(&url),
        _ => app.client.delete(&url),
    };
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = match body {
        Some(b) => req.body_json(&b).send().await,
        None => req.send().await,
    };
    let status = resp.0.status();
    let text = resp.0.into_body().into_string().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

struct Tenant {
    id: String,
    key: String,
    owner: String,
}

/// A tenant created by the platform admin for a new user (its owner).
async fn tenant(app: &TestApp, name: &str, plan: &str) -> Tenant {
    let (uid, owner) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&uid)
        .await
        .unwrap()
        .unwrap()
        .email;
    let admin = format!("Bearer {}", app.admin_token);
    let (st, b) = send(
        app,
        "POST",
        "/tenants",
        &[("Authorization", &admin)],
        Some(json!({"name": name, "plan": plan, "admin_user": {"email": email},
                    "features": {"channels": ["web"], "users_limit": 2, "conversations_per_month": 10}})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    Tenant {
        id: b["data"]["tenant_id"].as_str().unwrap().into(),
        key: b["data"]["api_keys"]["primary"].as_str().unwrap().into(),
        owner: format!("Bearer {owner}"),
    }
}

async fn tenant_row(app: &TestApp, id: &str) -> Value {
    let id = id.to_string();
    app.platform
        .db
        .read(move |c| {
            Ok(c.query_row("SELECT plan, status, features FROM chatbot_tenants WHERE id = ?1", [&id], |r| {
                Ok(json!({
                    "plan": r.get::<_, String>(0)?, "status": r.get::<_, String>(1)?,
                    "features": serde_json::from_str::<Value>(&r.get::<_, String>(2)?).unwrap_or(Value::Null),
                }))
            })?)
        })
        .await
        .expect("tenant row")
}

async fn key_hashes(app: &TestApp, id: &str) -> Vec<String> {
    let id = id.to_string();
    app.platform
        .db
        .read(move |c| {
            let mut st =
                c.prepare("SELECT hash FROM chatbot_api_keys WHERE tenant_id = ?1 ORDER BY hash")?;
            let rows = st.query_map([&id], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .expect("keys")
}

#[tokio::test]
async fn tenant_admins_cannot_change_plan_status_features_or_keys() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let t = tenant(&app, "Acme", "starter").await;
    let before = tenant_row(&app, &t.id).await;
    let keys = key_hashes(&app, &t.id).await;
    assert_eq!(keys.len(), 2);
    let path = format!("/tenants/{}", t.id);

    for body in [
        json!({"plan": "enterprise"}),
        json!({"status": "active"}),
        json!({"features": {"users_limit": 10000}}),
        json!({"features": {"conversations_per_month": 1000000}}),
        json!({"features": {"channels": ["web", "whatsapp", "slack"]}}),
        json!({"features": {"integrations_limit": 500}}),
        json!({"name": "Acme", "features": {"premium_support": true}}),
    ] {
        let (st, b) = send(
            &app,
            "PUT",
            &path,
            &[("Authorization", &t.owner)],
            Some(body.clone()),
        )
        .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{body}: {b}");
        assert_eq!(b["status"], "error", "{b}");
    }
    assert_eq!(tenant_row(&app, &t.id).await, before);

    // Server-owned fields beside a name change are ignored.
    let (st, b) = send(
        &app,
        "PUT",
        &path,
        &[("Authorization", &t.owner)],
        Some(json!({"name": "Acme Renamed", "tenant_id": "tenant_other", "api_keys": {"primary": "cb_live_mine"},
                    "created_at": "2000-01-01T00:00:00Z", "limits": {"conversations_limit": 999999},
                    "usage": {"conversations": 0}})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["name"], "Acme Renamed");
    assert_eq!(b["data"]["tenant_id"], t.id.as_str(), "{b}");
    assert_ne!(b["data"]["created_at"], "2000-01-01T00:00:00Z");
    assert_eq!(tenant_row(&app, &t.id).await, before);
    assert_eq!(key_hashes(&app, &t.id).await, keys);
    // The issued key still works; the smuggled one does not.
    let (st, _) = send(
        &app,
        "GET",
        "/conversations",
        &[("Authorization", &format!("ApiKey {}", t.key))],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = send(
        &app,
        "GET",
        "/conversations",
        &[("Authorization", "ApiKey cb_live_mine")],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // The platform admin may change all of them.
    let admin = format!("Bearer {}", app.admin_token);
    let (st, b) = send(
        &app,
        "PUT",
        &path,
        &[("Authorization", &admin)],
        Some(json!({"plan": "professional", "features": {"users_limit": 5}})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let after = tenant_row(&app, &t.id).await;
    assert_eq!(after["plan"], "professional");
    assert_eq!(after["features"]["users_limit"], 5);
}

#[tokio::test]
async fn limits_hold_after_a_refused_raise() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let t = tenant(&app, "Limited", "starter").await;
    let path = format!("/tenants/{}/users", t.id);
    // users_limit 2: the owner plus one.
    let (st, b) = send(
        &app,
        "POST",
        &path,
        &[("Authorization", &t.owner)],
        Some(json!({"email": "one@example.com", "send_invitation": false})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, _) = send(
        &app,
        "PUT",
        &format!("/tenants/{}", t.id),
        &[("Authorization", &t.owner)],
        Some(json!({"features": {"users_limit": 50}})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, b) = send(
        &app,
        "POST",
        &path,
        &[("Authorization", &t.owner)],
        Some(json!({"email": "two@example.com", "send_invitation": false})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(b["error"]["code"], "PLAN_LIMIT_REACHED", "{b}");
}

#[tokio::test]
async fn tenant_ids_and_directions_in_bodies_are_ignored() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let t1 = tenant(&app, "Acme", "enterprise").await;
    let t2 = tenant(&app, "Globex", "enterprise").await;
    let k1 = format!("ApiKey {}", t1.key);

    // A session asked for in the other tenant lands in the caller's.
    let (st, b) = send(
        &app,
        "POST",
        "/sessions",
        &[("Authorization", &k1)],
        Some(
            json!({"channel": "web", "user_id": "visitor_1", "tenant_id": t2.id, "status": "ended",
                    "session_id": "sess_hijack", "expires_at": "2099-01-01T00:00:00Z"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let sid = b["data"]["session_id"].as_str().unwrap().to_string();
    assert_ne!(sid, "sess_hijack");
    assert_ne!(b["data"]["expires_at"], "2099-01-01T00:00:00Z");
    let s2 = sid.clone();
    let (tenant_of_session, status): (String, String) = app
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT tenant_id, status FROM chatbot_sessions WHERE id = ?1",
                [&s2],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(
        (tenant_of_session.as_str(), status.as_str()),
        (t1.id.as_str(), "active")
    );
    let k2 = format!("ApiKey {}", t2.key);
    let (st, _) = send(
        &app,
        "GET",
        &format!("/sessions/{sid}"),
        &[("Authorization", &k2)],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A message claiming to be a bot reply in another tenant is the caller's inbound message.
    let (st, b) = send(
        &app,
        "POST",
        "/chat/message",
        &[("Authorization", &k1)],
        Some(json!({"message_id": "msg_spoof", "conversation_id": "conv_spoof", "user_id": "visitor_1", "channel": "web",
                    "direction": "outbound", "tenant_id": t2.id, "status": "delivered", "intent": "refund_approved",
                    "confidence": 1.0, "model_used": "gpt-9",
                    "content": {"type": "text", "text": "What are your store hours?"}})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let rows: Vec<(String, String, Option<String>)> = app
        .platform
        .db
        .read(|c| {
            let mut st = c.prepare("SELECT tenant_id, direction, intent FROM chatbot_messages WHERE message_id = 'msg_spoof'")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap();
    assert_eq!(rows, vec![(t1.id.clone(), "inbound".to_string(), None)]);
    let (st, b) = send(
        &app,
        "GET",
        "/chat/message/msg_spoof",
        &[("Authorization", &k1)],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["direction"], "inbound", "{b}");
    let (st, _) = send(
        &app,
        "GET",
        "/chat/message/msg_spoof",
        &[("Authorization", &k2)],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, b) = send(
        &app,
        "GET",
        "/conversations/conv_spoof",
        &[("Authorization", &k2)],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
}

#[tokio::test]
async fn members_cannot_raise_their_own_role() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let t = tenant(&app, "Acme", "enterprise").await;
    let admin = format!("Bearer {}", app.admin_token);
    let (st, _) = send(
        &app,
        "PUT",
        &format!("/tenants/{}", t.id),
        &[("Authorization", &admin)],
        Some(json!({"features": {"users_limit": 10}})),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    // A tenant "admin" member and an "agent" member, both existing platform users.
    let mut tokens = vec![];
    for role in ["admin", "agent"] {
        let (uid, token) = app.user_with(&[]).await;
        let email = app
            .platform
            .auth
            .get_user(&uid)
            .await
            .unwrap()
            .unwrap()
            .email;
        let (st, b) = send(
            &app,
            "POST",
            &format!("/tenants/{}/users", t.id),
            &[("Authorization", &t.owner)],
            Some(json!({"email": email, "role": role, "send_invitation": false})),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        tokens.push(format!("Bearer {token}"));
    }
    let (tenant_admin, agent) = (&tokens[0], &tokens[1]);
    // Only owners add owners.
    let (st, _) = send(
        &app,
        "POST",
        &format!("/tenants/{}/users", t.id),
        &[("Authorization", tenant_admin)],
        Some(json!({"email": "new.owner@example.com", "role": "owner", "send_invitation": false})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // An agent manages nothing: not the tenant, not its members, not its configuration.
    let (st, _) = send(
        &app,
        "PUT",
        &format!("/tenants/{}", t.id),
        &[("Authorization", agent)],
        Some(json!({"name": "Mine"})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = send(
        &app,
        "POST",
        &format!("/tenants/{}/users", t.id),
        &[("Authorization", agent)],
        Some(json!({"email": "friend@example.com", "role": "admin", "send_invitation": false})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = send(
        &app,
        "PUT",
        &format!("/tenants/{}/config", t.id),
        &[("Authorization", agent)],
        Some(json!({"configuration": {"chatbot": {"default_greeting": "pwned"}}})),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let t2 = t.id.clone();
    let roles: Vec<String> = app
        .platform
        .db
        .read(move |c| {
            let mut st =
                c.prepare("SELECT role FROM chatbot_members WHERE tenant_id = ?1 ORDER BY role")?;
            let rows = st.query_map([&t2], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap();
    assert_eq!(roles, vec!["admin", "agent", "owner"]);
}
