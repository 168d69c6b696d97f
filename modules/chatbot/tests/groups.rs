//! Per route group: keys, tenant isolation on every resource, sessions,
//! the bot's fallback and transfer, export, and channel webhooks under attack.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use rusqlite::params;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// (channel path, headers, body) of one webhook delivery.
type Delivery = (String, Vec<(&'static str, String)>, String);

struct Tenant {
    id: String,
    live: String,
    test: String,
    owner: String,
}

impl Tenant {
    fn key(&self) -> String {
        format!("ApiKey {}", self.live)
    }
    fn bearer(&self) -> String {
        format!("Bearer {}", self.owner)
    }
}

async fn tenant(app: &TestApp, name: &str) -> Tenant {
    let (uid, owner) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&uid)
        .await
        .unwrap()
        .unwrap()
        .email;
    let resp = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": name, "plan": "enterprise", "admin_user": {"email": email, "first_name": "O", "last_name": "W"}}))
        .send()
        .await;
    resp.assert_status(StatusCode::CREATED);
    let b = body(resp).await;
    let d = &b["data"];
    Tenant {
        id: d["tenant_id"].as_str().unwrap().into(),
        live: d["api_keys"]["primary"].as_str().unwrap().into(),
        test: d["api_keys"]["test"].as_str().unwrap().into(),
        owner,
    }
}

async fn say(app: &TestApp, t: &Tenant, conv: &str, id: &str, text: &str) -> Value {
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", t.key())
        .body_json(&json!({"message_id": id, "conversation_id": conv, "user_id": "visitor_1", "channel": "web",
            "content": {"type": "text", "text": text}}))
        .send()
        .await;
    r.assert_status_is_ok();
    body(r).await
}

async fn configure(app: &TestApp, t: &Tenant, cfg: Value) {
    app.client
        .put(format!("{B}/tenants/{}/config", t.id))
        .header("Authorization", t.bearer())
        .body_json(&json!({ "configuration": cfg }))
        .send()
        .await
        .assert_status_is_ok();
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

#[tokio::test]
async fn api_keys_are_shown_once_and_stored_hashed() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let t = tenant(&app, "Acme").await;
    assert!(t.live.starts_with("cb_live_") && t.live.len() > 30);
    assert!(t.test.starts_with("cb_test_"));
    assert_ne!(t.live, t.test);

    // Reading the tenant back shows prefixes only, never the key.
    let r = app
        .client
        .get(format!("{B}/tenants/{}", t.id))
        .header("Authorization", t.bearer())
        .send()
        .await;
    r.assert_status_is_ok();
    let text = body(r).await.to_string();
    assert!(!text.contains(&t.live) && !text.contains(&t.test));
    assert!(text.contains(&t.live[..12]));

    // Stored as SHA-256 hashes; the plain key is nowhere in the table.
    let (tid, live) = (t.id.clone(), t.live.clone());
    let rows: Vec<(String, String)> = app
        .platform
        .db
        .read(move |c| {
            let mut st =
                c.prepare("SELECT hash, prefix FROM chatbot_api_keys WHERE tenant_id = ?1")?;
            let v = st
                .query_map(params![tid], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(v)
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().any(|(h, _)| *h == sha256_hex(&live)));
    assert!(rows
        .iter()
        .all(|(h, p)| !h.contains("cb_") && p.len() == 12));

    // The key authenticates; an altered one does not.
    app.client
        .get(format!("{B}/conversations"))
        .header("Authorization", t.key())
        .send()
        .await
        .assert_status_is_ok();
    let forged = format!("ApiKey {}x", t.live);
    let r = app
        .client
        .get(format!("{B}/conversations"))
        .header("Authorization", forged)
        .send()
        .await;
    r.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(body(r).await["status"], "error");
}

#[tokio::test]
async fn another_tenant_gets_404_on_every_resource_and_changes_nothing() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let a = tenant(&app, "Acme").await;
    let b = tenant(&app, "Globex").await;
    let d = say(&app, &a, "conv_a", "msg_a1", "What are your store hours?").await;
    let reply = d["data"]["reply_message_id"].as_str().unwrap().to_string();
    let r = app
        .client
        .post(format!("{B}/sessions"))
        .header("Authorization", a.key())
        .body_json(&json!({"channel": "web", "user_id": "visitor_1"}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let sid = body(r).await["data"]["session_id"]
        .as_str()
        .unwrap()
        .to_string();

    let empty = json!({});
    let attempts: Vec<(&str, String, Value)> = vec![
        ("GET", "/chat/message/msg_a1".to_string(), empty.clone()),
        ("GET", format!("/chat/message/{reply}"), empty.clone()),
        (
            "POST",
            "/chat/message/msg_a1/retry".to_string(),
            empty.clone(),
        ),
        (
            "POST",
            "/chat/typing".into(),
            json!({"conversation_id": "conv_a", "user_id": "visitor_1", "is_typing": true}),
        ),
        (
            "POST",
            "/chat/feedback".into(),
            json!({"message_id": reply, "rating": 1}),
        ),
        ("GET", "/conversations/conv_a".into(), empty.clone()),
        ("GET", "/conversations/conv_a/summary".into(), empty.clone()),
        (
            "GET",
            "/conversations/conv_a/analytics".into(),
            empty.clone(),
        ),
        (
            "POST",
            "/conversations/conv_a/export".into(),
            json!({"format": "json"}),
        ),
        (
            "POST",
            "/conversations/conv_a/transfer".into(),
            json!({"transfer_reason": "x"}),
        ),
        ("POST", "/conversations/conv_a/close".into(), empty.clone()),
        ("POST", "/conversations/conv_a/reopen".into(), empty.clone()),
        ("GET", format!("/sessions/{sid}"), empty.clone()),
        (
            "PUT",
            format!("/sessions/{sid}"),
            json!({"status": "ended"}),
        ),
        (
            "POST",
            format!("/sessions/{sid}/extend"),
            json!({"extend_by_minutes": 10}),
        ),
        ("GET", format!("/sessions/{sid}/context"), empty.clone()),
        (
            "PUT",
            format!("/sessions/{sid}/context"),
            json!({"context_updates": {"x": 1}}),
        ),
        ("DELETE", format!("/sessions/{sid}"), empty.clone()),
    ];
    for (method, path, payload) in &attempts {
        for auth in [b.key(), format!("Bearer {}", b.owner)] {
            let url = format!("{B}{path}");
            let req = match *method {
                "GET" => app.client.get(url),
                "POST" => app.client.post(url),
                "PUT" => app.client.put(url),
                _ => app.client.delete(url),
            };
            // A member of B naming tenant A in X-Tenant-ID gets nothing either.
            let r = req
                .header("Authorization", auth.as_str())
                .header("X-Tenant-ID", a.id.as_str())
                .body_json(payload)
                .send()
                .await;
            let status = r.0.status();
            let text = body(r).await.to_string();
            assert!(
                status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
                "{method} {path} as B gave {status}"
            );
            assert!(
                !text.contains("store hours") && !text.contains("visitor_1"),
                "{method} {path} leaked: {text}"
            );
        }
    }
    for path in ["", "/config", "/users", "/billing", "/usage"] {
        let r = app
            .client
            .get(format!("{B}/tenants/{}{path}", a.id))
            .header("Authorization", b.bearer())
            .send()
            .await;
        r.assert_status(StatusCode::NOT_FOUND);
        let r = app
            .client
            .get(format!("{B}/tenants/{}{path}", a.id))
            .header("Authorization", b.key())
            .send()
            .await;
        r.assert_status(StatusCode::NOT_FOUND);
    }
    app.client
        .put(format!("{B}/tenants/{}/config", a.id))
        .header("Authorization", b.bearer())
        .body_json(&json!({"configuration": {"chatbot": {"confidence_threshold": 0.1}}}))
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // A's data is untouched.
    let r = app
        .client
        .get(format!("{B}/conversations/conv_a"))
        .header("Authorization", a.key())
        .send()
        .await;
    let c = body(r).await;
    assert_eq!(c["data"]["status"], "active");
    assert_eq!(c["data"]["messages"].as_array().unwrap().len(), 2);
    let s = body(
        app.client
            .get(format!("{B}/sessions/{sid}"))
            .header("Authorization", a.key())
            .send()
            .await,
    )
    .await;
    assert_eq!(s["data"]["status"], "active");
    let cfg = body(
        app.client
            .get(format!("{B}/tenants/{}/config", a.id))
            .header("Authorization", a.bearer())
            .send()
            .await,
    )
    .await;
    assert_eq!(
        cfg["data"]["configuration"]["chatbot"]["confidence_threshold"],
        0.7
    );
    // The same message_id in another tenant is a different message.
    let d = say(&app, &b, "conv_a", "msg_a1", "hello").await;
    assert_eq!(
        d["data"]["conversation_state"]["current_intent"],
        "greeting"
    );
    assert!(d["data"].get("duplicate").is_none());
}

#[tokio::test]
async fn idempotent_message_id_stores_one_inbound_message() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let t = tenant(&app, "Acme").await;
    let first = say(&app, &t, "conv_1", "msg_same", "store hours").await;
    let again = say(&app, &t, "conv_1", "msg_same", "store hours").await;
    assert_eq!(
        first["data"]["reply_message_id"],
        again["data"]["reply_message_id"]
    );
    assert_eq!(again["data"]["duplicate"], true);
    let tid = t.id.clone();
    let n: i64 = app
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM chatbot_messages WHERE tenant_id = ?1",
                params![tid],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(n, 2, "one inbound and one reply");
}

#[tokio::test]
async fn below_the_threshold_the_tenant_fallback_answers_then_a_human_takes_over() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let t = tenant(&app, "Acme").await;
    configure(
        &app,
        &t,
        json!({"chatbot": {"confidence_threshold": 0.7, "fallback_response": "Sorry, could you say that differently?",
            "intents": [{"name": "refund_policy", "examples": ["refund policy returns window"],
                "responses": ["You can return items within 30 days."], "quick_replies": []}]}}),
    )
    .await;
    // Full match: answered by the custom intent.
    let d = say(&app, &t, "c1", "m1", "refund policy returns window").await;
    assert_eq!(
        d["data"]["conversation_state"]["current_intent"],
        "refund_policy"
    );
    assert_eq!(
        d["data"]["response"]["text"],
        "You can return items within 30 days."
    );
    assert_eq!(d["data"]["processing_metadata"]["confidence_score"], 1.0);
    // Half the example's words: 0.5 < 0.7, so the tenant's fallback.
    let d = say(&app, &t, "c1", "m2", "refund policy").await;
    assert_eq!(
        d["data"]["response"]["text"],
        "Sorry, could you say that differently?"
    );
    assert_eq!(d["data"]["conversation_state"]["status"], "active");
    // Lower the threshold below 0.5 and the same words are answered.
    configure(&app, &t, json!({"chatbot": {"confidence_threshold": 0.4}})).await;
    let d = say(&app, &t, "c2", "m3", "refund policy").await;
    assert_eq!(
        d["data"]["conversation_state"]["current_intent"],
        "refund_policy"
    );
    assert_eq!(d["data"]["processing_metadata"]["confidence_score"], 0.5);
    // Two fallbacks in a row hand the conversation to a human (queued transfer).
    configure(&app, &t, json!({"chatbot": {"confidence_threshold": 0.7}})).await;
    let d = say(&app, &t, "c3", "m4", "qwerty zxcv").await;
    assert_eq!(d["data"]["conversation_state"]["status"], "active");
    let d = say(&app, &t, "c3", "m5", "asdf ghjk").await;
    assert_eq!(d["data"]["conversation_state"]["status"], "transferred");
    assert_eq!(
        d["data"]["conversation_state"]["conversation_stage"],
        "transferred_to_agent"
    );
    let tid = t.id.clone();
    let reason: String = app
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT reason FROM chatbot_transfers WHERE tenant_id = ?1 AND conversation_id = 'c3' AND status = 'queued'",
                params![tid],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(reason, "repeated_fallback");
    // Asking for a human transfers at once.
    let d = say(&app, &t, "c4", "m6", "I want to talk to a human agent").await;
    assert_eq!(d["data"]["conversation_state"]["status"], "transferred");
}

#[tokio::test]
async fn sessions_expire_and_extend() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let t = tenant(&app, "Acme").await;
    let r = app
        .client
        .post(format!("{B}/sessions"))
        .header("X-Tenant-ID", t.id.as_str())
        .body_json(&json!({"channel": "web", "user_id": "anon_1", "session_config": {"timeout_minutes": 15}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let s = body(r).await;
    let sid = s["data"]["session_id"].as_str().unwrap().to_string();
    let created =
        chrono::DateTime::parse_from_rfc3339(s["data"]["created_at"].as_str().unwrap()).unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(s["data"]["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!((expires - created).num_minutes(), 15);

    let r = app
        .client
        .post(format!("{B}/sessions/{sid}/extend"))
        .header("Authorization", t.key())
        .body_json(&json!({"extend_by_minutes": 30}))
        .send()
        .await;
    r.assert_status_is_ok();
    let e = body(r).await;
    let new_exp =
        chrono::DateTime::parse_from_rfc3339(e["data"]["new_expiry"].as_str().unwrap()).unwrap();
    assert_eq!((new_exp - expires).num_minutes(), 30);
    assert_eq!(e["data"]["previous_expiry"], s["data"]["expires_at"]);
    let r = app
        .client
        .post(format!("{B}/sessions/{sid}/extend"))
        .header("Authorization", t.key())
        .body_json(&json!({"extend_by_minutes": 0}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(
        body(r).await["error"]["details"]["field"],
        "extend_by_minutes"
    );

    // Once its expiry has passed the session reports it and cannot be extended.
    let id = sid.clone();
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "UPDATE chatbot_sessions SET expires_at = '2020-01-01T00:00:00Z' WHERE id = ?1",
                params![id],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let s = body(
        app.client
            .get(format!("{B}/sessions/{sid}"))
            .header("Authorization", t.key())
            .send()
            .await,
    )
    .await;
    assert_eq!(s["data"]["status"], "expired");
    app.client
        .post(format!("{B}/sessions/{sid}/extend"))
        .header("Authorization", t.key())
        .body_json(&json!({"extend_by_minutes": 30}))
        .send()
        .await
        .assert_status(StatusCode::CONFLICT);
}

#[tokio::test]
async fn export_is_a_signed_download_of_the_stored_conversation() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let t = tenant(&app, "Acme").await;
    say(&app, &t, "conv_x", "m1", "What are your store hours?").await;
    say(
        &app,
        &t,
        "conv_x",
        "m2",
        "my order ORD123456, \"quoted\", please",
    )
    .await;

    let r = app
        .client
        .post(format!("{B}/conversations/conv_x/export"))
        .header("Authorization", t.key())
        .body_json(&json!({"format": "json", "include_metadata": true, "include_analytics": true}))
        .send()
        .await;
    r.assert_status_is_ok();
    let e = body(r).await;
    let d = &e["data"];
    assert!(d["export_id"].as_str().unwrap().starts_with("export_"));
    let url = d["download_url"].as_str().unwrap().to_string();
    assert!(
        chrono::DateTime::parse_from_rfc3339(d["expires_at"].as_str().unwrap()).unwrap()
            > chrono::Utc::now()
    );
    let r = app.client.get(&url).send().await;
    r.assert_status_is_ok();
    let bytes = r.0.into_body().into_vec().await.unwrap();
    assert_eq!(bytes.len() as u64, d["file_size_bytes"].as_u64().unwrap());
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["conversation_id"], "conv_x");
    assert_eq!(doc["messages"].as_array().unwrap().len(), 4);
    assert_eq!(doc["metadata"]["summary"]["total_messages"], 4);
    assert_eq!(doc["analytics"]["messages"]["total"], 4);
    // A tampered link does not download.
    let tampered = url.replacen("sig=", "sig=0", 1);
    assert!(!app
        .client
        .get(&tampered)
        .send()
        .await
        .0
        .status()
        .is_success());

    // CSV: one row per message, quotes escaped; a date range in the future selects none.
    let r = app
        .client
        .post(format!("{B}/conversations/conv_x/export"))
        .header("Authorization", t.key())
        .body_json(&json!({"format": "csv"}))
        .send()
        .await;
    let e = body(r).await;
    let csv = app
        .client
        .get(e["data"]["download_url"].as_str().unwrap())
        .send()
        .await
        .0
        .into_body()
        .into_string()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 5);
    assert!(csv.contains("\"my order ORD123456, \"\"quoted\"\", please\""));
    let r = app
        .client
        .post(format!("{B}/conversations/conv_x/export"))
        .header("Authorization", t.key())
        .body_json(&json!({"format": "json", "date_range": {"start": "2099-01-01T00:00:00Z", "end": "2099-01-02T00:00:00Z"}}))
        .send()
        .await;
    let e = body(r).await;
    let doc: Value = serde_json::from_slice(
        &app.client
            .get(e["data"]["download_url"].as_str().unwrap())
            .send()
            .await
            .0
            .into_body()
            .into_vec()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(doc["messages"], json!([]));
    assert!(doc.get("analytics").is_some());

    // Bad requests.
    for (payload, field) in [
        (json!({"format": "pdf"}), "format"),
        (
            json!({"format": "json", "include_metadata": "yes"}),
            "include_metadata",
        ),
        (
            json!({"format": "json", "date_range": {"start": "yesterday"}}),
            "date_range.start",
        ),
        (
            json!({"format": "json", "date_range": {"start": "2025-06-02T00:00:00Z", "end": "2025-06-01T00:00:00Z"}}),
            "date_range.end",
        ),
    ] {
        let r = app
            .client
            .post(format!("{B}/conversations/conv_x/export"))
            .header("Authorization", t.key())
            .body_json(&payload)
            .send()
            .await;
        r.assert_status(StatusCode::BAD_REQUEST);
        assert_eq!(body(r).await["error"]["details"]["field"], field);
    }
    app.client
        .post(format!("{B}/conversations/conv_missing/export"))
        .header("Authorization", t.key())
        .body_json(&json!({}))
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn forged_replayed_and_malformed_channel_webhooks_are_refused_never_500() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let t = tenant(&app, "Acme").await;
    configure(
        &app,
        &t,
        json!({"channels": {"whatsapp": {"app_secret": "wa"}, "messenger": {"app_secret": "fb"}, "slack": {"signing_secret": "sl"},
            "teams": {"webhook_token": "tm"}, "telegram": {"secret_token": "tg"}},
            "integrations": {"crm": {"webhook_token": "crm-token"}}}),
    )
    .await;
    let sig = frontline_chatbot::webhooks::meta_signature;
    let tid = t.id.as_str();
    let now = chrono::Utc::now().timestamp().to_string();

    // Forged or missing credentials: 401, nothing stored.
    let wa = json!({"entry": [{"changes": [{"value": {"messages": [{"from": "1", "id": "wamid.1", "text": {"body": "hi"}, "type": "text"}]}}]}]}).to_string();
    let fb = json!({"object": "page", "entry": [{"messaging": [{"sender": {"id": "p1"}, "message": {"mid": "mid.1", "text": "hi"}}]}]}).to_string();
    let forged: Vec<Delivery> = vec![
        (
            "whatsapp".into(),
            vec![("X-Hub-Signature-256", sig("nope", wa.as_bytes()))],
            wa.clone(),
        ),
        ("whatsapp".into(), vec![], wa.clone()),
        (
            "whatsapp".into(),
            vec![("X-Hub-Signature-256", "sha256=zz".into())],
            wa.clone(),
        ),
        (
            "messenger".into(),
            vec![("X-Hub-Signature-256", sig("wa", fb.as_bytes()))],
            fb.clone(),
        ),
        (
            "slack".into(),
            vec![
                ("X-Slack-Request-Timestamp", now.clone()),
                (
                    "X-Slack-Signature",
                    frontline_chatbot::webhooks::slack_signature("bad", &now, b"text=hi"),
                ),
            ],
            "text=hi".into(),
        ),
        (
            "teams".into(),
            vec![("Authorization", "Bearer wrong".into())],
            json!({"id": "a1", "from": {"id": "u"}, "text": "hi"}).to_string(),
        ),
        (
            "telegram".into(),
            vec![("X-Telegram-Bot-Api-Secret-Token", "wrong".into())],
            json!({"update_id": 1, "message": {"from": {"id": 5}, "text": "hi"}}).to_string(),
        ),
        (
            "generic/crm".into(),
            vec![("Authorization", "Bearer wrong".into())],
            json!({"event_type": "x"}).to_string(),
        ),
    ];
    for (ch, headers, payload) in forged {
        let mut req = app
            .client
            .post(format!("{B}/webhooks/{ch}"))
            .header("X-Tenant-ID", tid)
            .header("Content-Type", "application/json");
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let r = req.body(payload).send().await;
        r.assert_status(StatusCode::UNAUTHORIZED);
        assert_eq!(body(r).await["error"]["code"], "INVALID_SIGNATURE", "{ch}");
    }
    let count = |app: &TestApp| {
        let tid = t.id.clone();
        let db = app.platform.db.clone();
        async move {
            db.read(move |c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM chatbot_messages WHERE tenant_id = ?1",
                    params![tid],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .await
            .unwrap()
        }
    };
    assert_eq!(count(&app).await, 0);

    // A correctly signed Messenger delivery is processed once; the replay is ignored.
    let good = sig("fb", fb.as_bytes());
    for expect_dup in [0, 1] {
        let r = app
            .client
            .post(format!("{B}/webhooks/messenger"))
            .header("X-Tenant-ID", tid)
            .header("Content-Type", "application/json")
            .header("X-Hub-Signature-256", good.as_str())
            .body(fb.clone())
            .send()
            .await;
        r.assert_status_is_ok();
        assert_eq!(body(r).await["duplicates_ignored"], expect_dup);
    }
    assert_eq!(count(&app).await, 2);

    // Malformed payloads with valid credentials: a 4xx error body, never a 500.
    let shapes: Vec<&[u8]> = vec![
        b"",
        b"null",
        b"[]",
        b"{}",
        b"\"text\"",
        b"{\"entry\": 5}",
        b"{\"entry\": [{\"changes\": [{\"value\": {\"messages\": [{\"id\": 7}]}}]}]}",
        b"{\"update_id\": \"x\", \"message\": {\"from\": {\"id\": \"y\"}, \"text\": 3}}",
        b"{\"id\": [], \"from\": 1}",
        b"\xff\xfe{",
        b"{\"event_type\": 1, \"data\": []}",
        b"{\"event_type\": \"customer_updated\", \"data\": {}}",
    ];
    for shape in shapes {
        let ts = chrono::Utc::now().timestamp().to_string();
        let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
            ("whatsapp", vec![("X-Hub-Signature-256", sig("wa", shape))]),
            ("messenger", vec![("X-Hub-Signature-256", sig("fb", shape))]),
            (
                "slack",
                vec![
                    ("X-Slack-Request-Timestamp", ts.clone()),
                    (
                        "X-Slack-Signature",
                        frontline_chatbot::webhooks::slack_signature("sl", &ts, shape),
                    ),
                ],
            ),
            ("teams", vec![("Authorization", "Bearer tm".into())]),
            (
                "telegram",
                vec![("X-Telegram-Bot-Api-Secret-Token", "tg".into())],
            ),
            (
                "generic/crm",
                vec![("Authorization", "Bearer crm-token".into())],
            ),
        ];
        for (ch, headers) in cases {
            let mut req = app
                .client
                .post(format!("{B}/webhooks/{ch}"))
                .header("X-Tenant-ID", tid)
                .header("Content-Type", "application/json");
            for (k, v) in headers {
                req = req.header(k, v);
            }
            let r = req.body(shape.to_vec()).send().await;
            let status = r.0.status();
            assert!(
                status.is_client_error() || status.is_success(),
                "{ch} {:?} gave {status}",
                String::from_utf8_lossy(shape)
            );
            if status.is_client_error() {
                assert_eq!(body(r).await["status"], "error", "{ch}");
            }
        }
    }
    // Unknown tenant and unknown integration are 404 without processing.
    app.client
        .post(format!("{B}/webhooks/teams"))
        .header("X-Tenant-ID", "tenant_nope")
        .header("Authorization", "Bearer tm")
        .body("{}")
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.client
        .post(format!("{B}/webhooks/generic/erp"))
        .header("X-Tenant-ID", tid)
        .header("Authorization", "Bearer crm-token")
        .body("{}")
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
}
