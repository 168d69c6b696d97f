//! Issue 18: the agent inbox and a conversation's messages read only what
//! they show. The inbox list walks one partial index of the waiting
//! conversations in its order (urgent first, then the longest waiting) —
//! no scan of the tenant's conversations or messages, no sort — and a
//! conversation's messages, summary and analytics read that conversation's
//! index entries. (One test in this file: the statement recorder is
//! process-wide.)

mod support;

use frontline_platform::testing::TestApp;
use serde_json::{json, Value};

use support::B;

struct T {
    app: TestApp,
    key: String,
    admin: String,
    tenant: String,
}

impl T {
    async fn send(&self, method: &str, path: &str, agent: bool, b: Option<Value>) -> Value {
        let url = format!("{B}{path}");
        let req = match method {
            "GET" => self.app.client.get(url),
            _ => self.app.client.post(url),
        }
        .header("X-Tenant-ID", &self.tenant)
        .header("Authorization", if agent { &self.admin } else { &self.key });
        let r = match b {
            Some(b) => req.body_json(&b).send().await,
            None => req.send().await,
        };
        let status = r.0.status();
        let body: Value = r.0.into_body().into_json().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {body}");
        body["data"].clone()
    }

    async fn chat(&self, conv: &str, text: &str) -> Value {
        self.send(
            "POST",
            "/chat/message",
            false,
            Some(
                json!({"conversation_id": conv, "user_id": format!("u_{conv}"), "channel": "web",
                "content": {"type": "text", "text": text}}),
            ),
        )
        .await
    }

    async fn transfer(&self, conv: &str, priority: &str) {
        self.send(
            "POST",
            &format!("/conversations/{conv}/transfer"),
            false,
            Some(json!({"transfer_reason": "customer asked", "priority": priority})),
        )
        .await;
    }

    async fn inbox_ids(&self) -> Vec<String> {
        let d = self.send("GET", "/inbox", true, None).await;
        d["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["conversation_id"].as_str().unwrap().to_string())
            .collect()
    }
}

#[tokio::test]
async fn the_inbox_and_a_conversations_messages_read_only_their_rows() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tenant, key) = support::tenant_with_key(&app, "Inbox", "owner@inbox.example").await;
    let t = T {
        key,
        admin: format!("Bearer {}", app.admin_token),
        tenant,
        app,
    };
    // History that does not wait: 300 answered conversations with messages.
    let tenant = t.tenant.clone();
    t.app
        .platform
        .db
        .write(move |tx| {
            tx.execute(
                "INSERT INTO chatbot_conversations (tenant_id, id, user_id, channel, status, entities, started_at, last_activity_at)
                 WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 300)
                 SELECT ?1, printf('conv_old_%04d', n), 'old' || n, 'web', CASE n % 2 WHEN 0 THEN 'closed' ELSE 'active' END,
                        '{}', '2026-01-01T10:00:00.000Z', '2026-01-01T10:05:00.000Z' FROM s",
                [&tenant],
            )?;
            tx.execute(
                "INSERT INTO chatbot_messages (tenant_id, conversation_id, message_id, direction, content, status, is_fallback, created_at)
                 WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 600)
                 SELECT ?1, printf('conv_old_%04d', 1 + n % 300), 'old_msg_' || n, CASE n % 2 WHEN 0 THEN 'inbound' ELSE 'outbound' END,
                        '{\"type\":\"text\",\"text\":\"hi\"}', 'sent', 0, '2026-01-01T10:01:00.000Z' FROM s",
                [&tenant],
            )?;
            Ok(())
        })
        .await
        .expect("history");
    assert!(t.inbox_ids().await.is_empty());

    // Waiting: a normal transfer, then an urgent one; a reply the bot did not
    // understand. Not waiting: an answered question.
    t.chat("conv_normal", "I need help with my account").await;
    t.transfer("conv_normal", "normal").await;
    t.chat("conv_urgent", "My payment failed").await;
    t.transfer("conv_urgent", "urgent").await;
    let fallback = t.chat("conv_lost", "zxqv blorp wimble").await;
    let answered = t.chat("conv_fine", "What are your opening hours?").await;
    assert_eq!(
        fallback["processing_metadata"]["confidence_score"]
            .as_f64()
            .map(|c| c < 0.5),
        Some(true),
        "{fallback}"
    );
    assert!(
        answered["conversation_state"]["current_intent"].is_string(),
        "{answered}"
    );
    let ids = t.inbox_ids().await;
    assert_eq!(ids, ["conv_urgent", "conv_normal", "conv_lost"], "{ids:?}");
    let d = t.send("GET", "/inbox", true, None).await;
    assert_eq!(d["total"], 3);
    assert_eq!(d["unclaimed"], 3);
    assert_eq!(d["conversations"][0]["priority"], "urgent");
    assert_eq!(d["conversations"][2]["waiting_reason"], "low_confidence");

    // The bot answers the lost visitor: no longer waiting. A claim keeps the
    // claimed conversation in the list, counted as claimed.
    t.chat("conv_lost", "What are your opening hours?").await;
    t.send("POST", "/inbox/conv_normal/claim", true, None).await;
    let d = t.send("GET", "/inbox", true, None).await;
    assert_eq!(d["total"], 2, "{d}");
    assert_eq!(d["unclaimed"], 1, "{d}");

    let tables = [
        "chatbot_conversations",
        "chatbot_messages",
        "chatbot_transfers",
    ];
    let plans = t
        .app
        .plans_of(&tables, t.send("GET", "/inbox", true, None))
        .await;
    plans.assert_no_scan().assert_no_temp_sort();
    for p in &plans.plans {
        for line in &p.lines {
            // The tenant's rows are read by tenant alone only on the waiting index.
            assert!(
                !line.ends_with("(tenant_id=?)") || line.contains("chatbot_conversations_inbox"),
                "reads by tenant alone: {}\n{}",
                p.sql,
                p.lines.join("\n")
            );
        }
    }
    for path in [
        "/inbox/conv_normal",
        "/conversations/conv_normal?include_messages=true&message_limit=500",
        "/conversations/conv_normal/summary",
        "/conversations/conv_normal/analytics",
    ] {
        let plans = t
            .app
            .plans_of(&tables, t.send("GET", path, true, None))
            .await;
        plans.assert_no_scan();
        for p in &plans.plans {
            for line in &p.lines {
                assert!(
                    !line.ends_with("(tenant_id=?)")
                        && !line.contains("(tenant_id=? AND status=?)"),
                    "{path} reads more than its conversation: {}\n{}",
                    p.sql,
                    p.lines.join("\n")
                );
            }
        }
    }
}
