//! Issue 18: the conversation list reads an index for every documented
//! filter and sort — no statement scans the conversations or messages, none
//! sorts the tenant's rows in a temporary b-tree — and a deep page seeks
//! from a cached keyset position instead of walking every row before it.
//! (One test in this file: the statement recorder is process-wide.)

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

use support::B;

#[tokio::test]
async fn every_filter_and_sort_reads_an_index_and_deep_pages_seek() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tenant, key) = support::tenant_with_key(&app, "Plans", "owner@plans.example").await;
    // One conversation with messages through the API, 450 more stored
    // directly (statuses, channels, visitors and times repeat: many ties).
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", &key)
        .body_json(&json!({"user_id": "visitor1", "channel": "web",
            "content": {"type": "text", "text": "Where is my order?"}}))
        .send()
        .await;
    r.assert_status_is_ok();
    let t = tenant.clone();
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "INSERT INTO chatbot_conversations (tenant_id, id, user_id, channel, status, entities, started_at, last_activity_at)
                 WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 450)
                 SELECT ?1, printf('conv_bulk_%04d', n), 'visitor' || (n % 7),
                        CASE n % 3 WHEN 0 THEN 'web' WHEN 1 THEN 'whatsapp' ELSE 'sms' END,
                        CASE n % 4 WHEN 0 THEN 'closed' WHEN 1 THEN 'transferred' ELSE 'active' END, '{}',
                        printf('2026-01-%02dT10:00:00.000Z', 1 + n % 20), printf('2026-02-%02dT10:00:00.000Z', 1 + n % 25)
                 FROM s",
                [&t],
            )?;
            Ok(())
        })
        .await
        .expect("grow");

    let lists = [
        "",
        "sort=started_at",
        "sort=created_at&order=asc",
        "sort=last_activity&order=asc",
        "sort=last_activity_desc",
        "sort=started_at_asc",
        "status=active",
        "status=closed&sort=started_at",
        "channel=whatsapp",
        "channel=sms&sort=started_at_asc",
        "status=active&channel=web",
        "status=transferred&channel=sms&sort=started_at",
        "user_id=visitor3",
        "user_id=visitor3&sort=started_at_asc",
        "user_id=visitor3&status=active&channel=web",
        // Deep pages (past the first cached keyset position).
        "page=15",
        "page=16&sort=started_at_asc",
        "page=5&status=active&limit=50",
        "page=3&sort=last_activity_asc&limit=100",
    ];
    for q in lists {
        let url = format!("{B}/conversations?{q}");
        let plans = app
            .plans_of(&["chatbot_conversations", "chatbot_messages"], async {
                let r = app
                    .client
                    .get(&url)
                    .header("Authorization", &key)
                    .send()
                    .await;
                let status = r.0.status();
                let body: Value = r.0.into_body().into_json().await.unwrap();
                (status, body)
            })
            .await;
        assert_eq!(plans.output.0, StatusCode::OK, "{url}: {}", plans.output.1);
        assert!(
            !plans.output.1["data"]["conversations"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{url}: {}",
            plans.output.1
        );
        plans.assert_no_scan().assert_no_temp_sort();
        // Nothing walks the tenant's conversations by tenant alone when a
        // filter has an index of its own.
        if q.contains("status=") || q.contains("channel=") || q.contains("user_id=") {
            for p in &plans.plans {
                for line in &p.lines {
                    assert!(
                        !line.ends_with("(tenant_id=?)"),
                        "{url}: reads by tenant alone: {}\n{}",
                        p.sql,
                        p.lines.join("\n")
                    );
                }
            }
        }
        // A deep page starts from a cached position: its rows are read
        // after a key (`last_activity_at=? AND id<?`, `started_at>?`, …),
        // never by skipping every row before the page.
        if q.contains("page=") {
            let pages: Vec<_> = plans
                .plans
                .iter()
                .filter(|p| p.sql.contains(" LIMIT ") && p.sql.contains("c.*"))
                .collect();
            assert!(!pages.is_empty(), "{url}: no page statement");
            for p in pages {
                let lines = p.lines.join(" | ");
                assert!(
                    lines.contains("_at=? AND id<?")
                        || lines.contains("_at=? AND id>?")
                        || lines.contains("_at<?")
                        || lines.contains("_at>?"),
                    "{url}: a deep page without a keyset seek: {}\n{lines}",
                    p.sql
                );
            }
        }
    }

    // `search` (text inside messages) still reads through the indexes.
    let url = format!("{B}/conversations?search=order");
    let plans = app
        .plans_of(&["chatbot_conversations", "chatbot_messages"], async {
            let r = app
                .client
                .get(&url)
                .header("Authorization", &key)
                .send()
                .await;
            let body: Value = r.0.into_body().into_json().await.unwrap();
            body
        })
        .await;
    assert_eq!(
        plans.output["data"]["pagination"]["total"], 1,
        "{}",
        plans.output
    );
    plans.assert_no_scan();
}
