//! Issue 18: with 10 000 messages in one conversation (and 450 other
//! conversations), a message to the built-in bot runs the same statements
//! as in a new conversation, and it, the conversation list (first and deep
//! page) and a conversation's details with its messages read only index
//! entries bounded by a constant: no statement scans, sorts in a temporary
//! b-tree, or counts/aggregates the conversation's messages.
//! (One test in this file: the statement recorder is process-wide.)

mod support;

use frontline_platform::db::statements;
use frontline_platform::testing::{Plans, TestApp};
use poem::http::StatusCode;
use serde_json::Value;

use support::B;

const BIG: usize = 10_000;

/// A read of `chatbot_messages` is bounded when it finds rows by key
/// (a message id or the message replied to) or stops at a `LIMIT`; it
/// never counts or aggregates the conversation's messages.
fn assert_bounded<T>(what: &str, plans: &Plans<T>) {
    plans.assert_no_scan().assert_no_temp_sort();
    for p in &plans.plans {
        let sql = p.sql.to_ascii_uppercase();
        if !sql.contains("CHATBOT_MESSAGES") {
            continue;
        }
        for agg in ["COUNT(", "SUM(", "AVG(", "MIN(", "MAX(", "GROUP BY"] {
            assert!(
                !sql.contains(agg),
                "{what}: aggregates the messages: {}",
                p.sql
            );
        }
        let keyed = p.lines.iter().any(|l| {
            l.contains("chatbot_messages")
                && (l.contains("message_id=?") || l.contains("reply_to=?"))
        });
        assert!(
            keyed || sql.contains("LIMIT"),
            "{what}: reads messages without a key or a limit: {}\n{}",
            p.sql,
            p.lines.join("\n")
        );
    }
}

/// The statements naming `tenant`, without values or digits (so two
/// messages' statements compare equal).
fn shapes(recorded: &[String], tenant: &str) -> Vec<String> {
    recorded
        .iter()
        .filter(|s| s.contains(tenant) && !s.contains("chatbot_api_calls"))
        .map(|s| {
            s.split_whitespace()
                .take_while(|w| !w.starts_with("VALUES") && !w.contains('\''))
                .collect::<Vec<_>>()
                .join(" ")
                .replace(|c: char| c.is_ascii_digit(), "")
        })
        .collect()
}

#[tokio::test]
async fn ten_thousand_messages_in_a_conversation_cost_what_one_does() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tenant, key) = support::tenant_with_key(&app, "Flat", "owner@flat.example").await;
    let send = |n: usize| {
        let (app, key) = (&app, &key);
        async move {
            let body =
                support::ask_store_hours(app, key, format!("flat_{n}"), "conv_big", "visitor_big")
                    .await;
            assert_eq!(body["data"]["conversation_id"], "conv_big", "{body}");
            body
        }
    };
    let get = |url: String| {
        let key = key.clone();
        let client = &app.client;
        async move {
            let r = client
                .get(format!("{B}{url}"))
                .header("Authorization", &key)
                .send()
                .await;
            let status = r.0.status();
            let body: Value = r.0.into_body().into_json().await.unwrap();
            assert_eq!(status, StatusCode::OK, "{url}: {body}");
            body
        }
    };
    // A message in a new conversation (the month's first call reads the
    // tenant's API-call count once: not part of a message's cost).
    send(0).await;
    let from = statements::start();
    send(1).await;
    let small = shapes(&statements::finish(from), &tenant);

    // 10 000 more messages in that conversation, stored in bulk (visitor
    // and bot in turn), and 450 other conversations.
    let t = tenant.clone();
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "INSERT INTO chatbot_messages (tenant_id, conversation_id, message_id, direction, content, intent, confidence, status, reply_to, created_at)
                 WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?2)
                 SELECT ?1, 'conv_big', printf('bulk_%05d', n),
                        CASE n % 2 WHEN 1 THEN 'inbound' ELSE 'outbound' END,
                        '{\"type\":\"text\",\"text\":\"message ' || n || '\"}',
                        CASE n % 2 WHEN 0 THEN 'store_hours' END, CASE n % 2 WHEN 0 THEN 0.9 END,
                        CASE n % 2 WHEN 1 THEN 'processed' ELSE 'sent' END,
                        CASE n % 2 WHEN 0 THEN printf('bulk_%05d', n - 1) END,
                        printf('2026-03-01T10:%02d:%02d.000Z', (n / 60) % 60, n % 60)
                 FROM s",
                rusqlite::params![&t, BIG as i64],
            )?;
            tx.execute(
                "INSERT INTO chatbot_conversations (tenant_id, id, user_id, channel, status, entities, started_at, last_activity_at)
                 WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 450)
                 SELECT ?1, printf('conv_other_%04d', n), 'visitor' || (n % 7), 'web', 'active', '{}',
                        printf('2026-01-%02dT10:00:00.000Z', 1 + n % 20), printf('2026-02-%02dT10:00:00.000Z', 1 + n % 25)
                 FROM s",
                [&t],
            )?;
            Ok(())
        })
        .await
        .expect("grow");
    // The conversation's counts followed the bulk insert (4 messages before it).
    let details = get("/conversations/conv_big?include_messages=false".into()).await;
    assert_eq!(details["data"]["message_count"], BIG + 4, "{details}");
    assert_eq!(details["data"]["summary"]["total_messages"], BIG + 4);

    // A message to the bot at 10 004 messages: the same statements as at 2,
    // each bounded.
    const WATCHED: &[&str] = &["chatbot_conversations", "chatbot_messages"];
    let plans = app
        .plans_of(WATCHED, async {
            let from = statements::start();
            let body = send(2).await;
            (body, shapes(&statements::finish(from), &tenant))
        })
        .await;
    assert_eq!(plans.output.0["data"]["message_id"], "flat_2");
    assert_eq!(
        plans.output.1, small,
        "a message's statements do not depend on the conversation's length"
    );
    assert_bounded("chat message", &plans);

    // The conversation list, first and deep page, and the details with a
    // page of messages.
    for url in [
        "/conversations",
        "/conversations?page=15",
        "/conversations?user_id=visitor_big",
        "/conversations/conv_big?message_limit=50",
    ] {
        let plans = app.plans_of(WATCHED, get(url.to_string())).await;
        assert_bounded(url, &plans);
        let body = &plans.output;
        if url == "/conversations?user_id=visitor_big" {
            assert_eq!(
                body["data"]["conversations"][0]["message_count"],
                BIG + 6,
                "{body}"
            );
        }
        if url.starts_with("/conversations/conv_big") {
            assert_eq!(body["data"]["message_count"], BIG + 6);
            assert_eq!(body["data"]["messages"].as_array().unwrap().len(), 50);
        }
    }
}
