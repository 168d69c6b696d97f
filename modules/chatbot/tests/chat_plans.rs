//! Issue 18: a chat message's lookups read index entries of its own visitor
//! and message, never the tenant's history — no statement of the chat path
//! scans the conversations or messages tables.

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

use support::B;

#[tokio::test]
async fn a_chat_message_reads_no_table_of_the_tenants_history() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tenant_id, key) = support::tenant_with_key(&app, "Acme", "owner@acme.example").await;
    // Some history: other visitors' conversations and messages.
    for n in 0..5 {
        let r = app
            .client
            .post(format!("{B}/chat/message"))
            .header("Authorization", &key)
            .body_json(&json!({"user_id": format!("visitor{n}"), "channel": "web",
                "content": {"type": "text", "text": "What are your opening hours?"}}))
            .send()
            .await;
        r.assert_status_is_ok();
    }
    // A returning visitor without a conversation id (the open one is looked
    // up), and one with its id.
    for body in [
        json!({"user_id": "visitor3", "channel": "web", "content": {"type": "text", "text": "Hello again"}}),
        json!({"user_id": "visitor9", "channel": "web", "content": {"type": "text", "text": "Hi"}}),
    ] {
        let plans = app
            .plans_of(&["chatbot_conversations", "chatbot_messages"], async {
                let r = app
                    .client
                    .post(format!("{B}/chat/message"))
                    .header("Authorization", &key)
                    .body_json(&body)
                    .send()
                    .await;
                let status = r.0.status();
                let text: Value = r.0.into_body().into_json().await.unwrap();
                (status, text)
            })
            .await;
        assert_eq!(plans.output.0, StatusCode::OK, "{}", plans.output.1);
        plans.assert_no_scan();
        // A search on the tenant alone would read its whole history: the
        // visitor's and the message's own keys must be in the index used.
        for plan in &plans.plans {
            // The recorded statements carry their values (`user_id = 'visitor3'`).
            let sql = plan.sql.replace(char::is_whitespace, "");
            let lines = plan.lines.join(" | ");
            if sql.contains("WHEREtenant_id=") && sql.contains("ANDreply_to=") {
                assert!(lines.contains("reply_to=?"), "{}: {lines}", plan.sql);
            }
            if sql.contains("ANDuser_id=") && sql.contains("ANDchannel=") {
                assert!(lines.contains("user_id=?"), "{}: {lines}", plan.sql);
            }
            // Nothing reads the tenant's rows by tenant alone (a month's
            // usage report would: every message and conversation of it).
            for line in &plan.lines {
                assert!(
                    !line.ends_with("(tenant_id=?)"),
                    "reads by tenant alone: {}: {lines}",
                    plan.sql
                );
            }
        }
        // A new conversation checks the plan's monthly conversations with one
        // count over the index on the tenant's start times. (Statements are
        // recorded process-wide: the other test's tenant counts too.)
        if body["user_id"] == "visitor9" {
            let counts: Vec<_> = plans
                .plans
                .iter()
                .filter(|p| {
                    p.sql.contains("COUNT(*)")
                        && p.sql.contains("started_at")
                        && p.sql.contains(&tenant_id)
                })
                .collect();
            assert_eq!(counts.len(), 1, "one count of the month's conversations");
            let lines = counts[0].lines.join(" | ");
            assert!(
                lines.contains("chatbot_conversations_started")
                    && lines.contains("tenant_id=? AND started_at>? AND started_at<?"),
                "{}: {lines}",
                counts[0].sql
            );
        }
    }
}

/// The plan's monthly conversations still hold with the counted check.
#[tokio::test]
async fn the_monthly_conversation_limit_holds() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": "Small", "plan": "starter",
            "admin_user": {"email": "owner@small.example"},
            "features": {"conversations_per_month": 2}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d: Value = r.0.into_body().into_json().await.unwrap();
    let key = format!(
        "ApiKey {}",
        d["data"]["api_keys"]["primary"].as_str().unwrap()
    );
    for n in 0..3 {
        let r = app
            .client
            .post(format!("{B}/chat/message"))
            .header("Authorization", &key)
            .body_json(&json!({"user_id": format!("v{n}"), "channel": "web",
                "content": {"type": "text", "text": "Hi"}}))
            .send()
            .await;
        let status = r.0.status();
        let b: Value = r.0.into_body().into_json().await.unwrap();
        if n < 2 {
            assert_eq!(status, StatusCode::OK, "{b}");
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN, "{b}");
            assert_eq!(b["error"]["code"], "PLAN_LIMIT_REACHED", "{b}");
            assert_eq!(b["error"]["details"]["limit"], 2, "{b}");
        }
    }
}
