//! Issue 18: conversation list pages (first and deep, any sort and filter)
//! are exactly the plain order of the table, and their `total`/`has_next`
//! follow every write at once (the cached totals and keyset positions are
//! dropped when a conversation changes).

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

use support::B;

struct T {
    app: TestApp,
    key: String,
    tenant: String,
}

impl T {
    async fn get(&self, q: &str) -> Value {
        let r = self
            .app
            .client
            .get(format!("{B}/conversations?{q}"))
            .header("Authorization", &self.key)
            .send()
            .await;
        let status = r.0.status();
        let body: Value = r.0.into_body().into_json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{q}: {body}");
        body["data"].clone()
    }

    /// Every page of `q` at `limit`: the ids, and each page's pagination.
    async fn walk(&self, q: &str, limit: u32) -> (Vec<String>, Vec<Value>) {
        let (mut ids, mut pages) = (vec![], vec![]);
        for page in 1.. {
            let d = self.get(&format!("{q}&limit={limit}&page={page}")).await;
            let got = ids_of(&d);
            pages.push(d["pagination"].clone());
            if got.is_empty() {
                break;
            }
            ids.extend(got);
        }
        (ids, pages)
    }

    /// The tenant's conversation ids by plain SQL: `cond`, `order`.
    async fn plain(&self, cond: &str, order: &str) -> Vec<String> {
        let sql = format!(
            "SELECT id FROM chatbot_conversations WHERE tenant_id = ?1 {cond} ORDER BY {order}"
        );
        let t = self.tenant.clone();
        self.app
            .platform
            .db
            .read(move |c| {
                let mut st = c.prepare(&sql)?;
                let v = st
                    .query_map([&t], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(v)
            })
            .await
            .unwrap()
    }

    async fn chat(&self, user: &str) -> String {
        let r = self
            .app
            .client
            .post(format!("{B}/chat/message"))
            .header("Authorization", &self.key)
            .body_json(&json!({"user_id": user, "channel": "web",
                "content": {"type": "text", "text": "Hello"}}))
            .send()
            .await;
        r.assert_status_is_ok();
        let d: Value = r.0.into_body().into_json().await.unwrap();
        d["data"]["conversation_id"].as_str().unwrap().to_string()
    }

    async fn close(&self, id: &str) {
        let r = self
            .app
            .client
            .post(format!("{B}/conversations/{id}/close"))
            .header("Authorization", &self.key)
            .body_json(&json!({"reason": "resolved"}))
            .send()
            .await;
        r.assert_status_is_ok();
    }
}

fn ids_of(d: &Value) -> Vec<String> {
    d["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["conversation_id"].as_str().unwrap().to_string())
        .collect()
}

async fn setup(n: u32) -> T {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tenant, key) = support::tenant_with_key(&app, "Pages", "owner@pages.example").await;
    let t = tenant.clone();
    // Statuses, channels and times repeat: many conversations tie on the sort key.
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "INSERT INTO chatbot_conversations (tenant_id, id, user_id, channel, status, entities, started_at, last_activity_at)
                 WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?2)
                 SELECT ?1, printf('conv_bulk_%04d', n), 'visitor' || (n % 7),
                        CASE n % 3 WHEN 0 THEN 'web' WHEN 1 THEN 'whatsapp' ELSE 'sms' END,
                        CASE n % 4 WHEN 0 THEN 'closed' WHEN 1 THEN 'transferred' ELSE 'active' END, '{}',
                        printf('2026-01-%02dT10:00:00.000Z', 1 + n % 20), printf('2026-02-%02dT10:00:00.000Z', 1 + n % 25)
                 FROM s",
                rusqlite::params![t, n],
            )?;
            Ok(())
        })
        .await
        .expect("grow");
    T { app, key, tenant }
}

#[tokio::test]
async fn every_page_is_the_plain_order_and_follows_writes() {
    let t = setup(500).await;
    for (q, cond, order) in [
        ("sort=last_activity", "", "last_activity_at DESC, id DESC"),
        ("sort=started_at_asc", "", "started_at ASC, id ASC"),
        (
            "status=active&sort=started_at",
            "AND status = 'active'",
            "started_at DESC, id DESC",
        ),
        (
            "channel=sms&order=asc",
            "AND channel = 'sms'",
            "last_activity_at ASC, id ASC",
        ),
        (
            "user_id=visitor2&sort=created_at",
            "AND user_id = 'visitor2'",
            "started_at DESC, id DESC",
        ),
        (
            "date_from=2026-01-05&date_to=2026-01-12",
            "AND started_at >= '2026-01-05' AND started_at < '2026-01-13'",
            "last_activity_at DESC, id DESC",
        ),
    ] {
        let want = t.plain(cond, order).await;
        let (got, pages) = t.walk(q, 23).await;
        assert_eq!(got, want, "{q}");
        for (i, p) in pages.iter().enumerate() {
            assert_eq!(p["total"], want.len(), "{q} page {}", i + 1);
            assert_eq!(
                p["has_next"],
                (i + 1) * 23 < want.len(),
                "{q} page {}",
                i + 1
            );
        }
    }

    // 500 conversations: page 10 of 50 is the last.
    let last = t.get("limit=50&page=10").await;
    assert_eq!(last["pagination"]["total"], 500);
    assert_eq!(last["pagination"]["has_next"], false);
    let active = t.get("status=active&limit=50&page=5").await;
    assert_eq!(active["pagination"]["total"], 250);
    assert_eq!(active["pagination"]["has_next"], false);

    // A new conversation: at once one more, a next page, and first in the list.
    let id = t.chat("newcomer").await;
    let last = t.get("limit=50&page=10").await;
    assert_eq!(last["pagination"]["total"], 501);
    assert_eq!(last["pagination"]["has_next"], true);
    assert_eq!(ids_of(&t.get("limit=5").await)[0], id);
    let active = t.get("status=active&limit=50&page=5").await;
    assert_eq!(active["pagination"]["total"], 251);
    assert_eq!(active["pagination"]["has_next"], true);

    // Closing it and an older one moves both from the active list to the
    // closed one, deep pages included.
    t.close(&id).await;
    t.close("conv_bulk_0002").await;
    let active = t.get("status=active&limit=50&page=5").await;
    assert_eq!(active["pagination"]["total"], 249);
    assert_eq!(active["pagination"]["has_next"], false);
    let want = t
        .plain("AND status = 'active'", "last_activity_at DESC, id DESC")
        .await;
    assert_eq!(ids_of(&active), want[200..].to_vec());
    let closed = t.get("status=closed&limit=20&page=7").await;
    assert_eq!(closed["pagination"]["total"], 127);
    let want = t
        .plain("AND status = 'closed'", "last_activity_at DESC, id DESC")
        .await;
    assert_eq!(ids_of(&closed), want[120..].to_vec());
    assert!(!ids_of(&closed).is_empty());
}
