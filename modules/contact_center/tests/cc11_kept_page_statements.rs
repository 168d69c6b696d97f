//! Issue 18: a deep page of calls or campaigns runs statements its
//! connection keeps prepared, and SQLite does not plan them again on every
//! request. With `LIMIT ? OFFSET ?` bound, SQLite read the bound LIMIT while
//! planning and re-planned each kept page statement whenever it was bound
//! anew: `sqlite3Reprepare` was two fifths of the release server's CPU on
//! "cc: list calls, deep page". The pages' rows stay those of a plain
//! `OFFSET` read. Its own test binary with one test.

mod part1;

use frontline_contact_center::model::CallQuery;
use frontline_contact_center::store::{calls, campaigns};
use frontline_platform::page::Window;
use frontline_platform::testing::replanned_statements;
use part1::*;
use serde_json::Value;

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|x| x["id"].as_i64().expect("an id"))
        .collect()
}

#[tokio::test]
async fn deep_call_and_campaign_pages_are_planned_once() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    cc.campaign(&user, "Kept").await;
    // 450 calls started three to a minute (rows tied on `started_at` around
    // each keyset anchor) and 450 campaigns.
    cc.app
        .platform
        .db
        .write(|tx| {
            tx.execute_batch(
                "INSERT INTO cc_calls (call_id, direction, status, started_at, created_at)
                 WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 450)
                 SELECT 'kept-' || n, 'outbound', 'completed',
                        strftime('%Y-%m-%dT%H:%M:%SZ', '2026-01-01', '+' || (n / 3) || ' minutes'),
                        '2026-01-01T00:00:00Z'
                 FROM seq;
                 INSERT INTO cc_campaigns (name, status, campaign_type, provider_type, provider_config,
                        max_daily_calls, retry_failed, max_retries, created_by_id, created_at, updated_at)
                 WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 450)
                 SELECT 'Kept ' || seq.n, src.status, src.campaign_type, src.provider_type,
                        src.provider_config, src.max_daily_calls, src.retry_failed, src.max_retries,
                        src.created_by_id, src.created_at, src.updated_at
                 FROM seq, (SELECT * FROM cc_campaigns ORDER BY id LIMIT 1) AS src;",
            )?;
            Ok(())
        })
        .await
        .expect("grow");

    // Through HTTP: the deep pages are the plain order's rows.
    for (path, sql) in [
        (
            "/calls?limit=20&offset=420",
            "SELECT id FROM cc_calls ORDER BY started_at DESC, id DESC LIMIT 20 OFFSET 420",
        ),
        (
            "/campaigns?limit=20&offset=420",
            "SELECT id FROM cc_campaigns ORDER BY id DESC LIMIT 20 OFFSET 420",
        ),
    ] {
        let want: Vec<i64> = cc
            .app
            .platform
            .db
            .read(move |c| {
                let mut st = c.prepare(sql)?;
                let v = st
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(v)
            })
            .await
            .expect("plain read");
        for _ in 0..3 {
            let r = cc.get(&cc.admin, path).await;
            assert_eq!(ids(&r.expect(200)), want, "{path}");
        }
    }

    // The same pages three times on one pooled connection: every statement
    // it keeps was planned once.
    let conn = cc.app.platform.db.conn().expect("a connection");
    let deep = Window {
        limit: 20,
        offset: 420,
    };
    for _ in 0..3 {
        let (rows, total) = calls::list_calls(&conn, &CallQuery::default(), deep).expect("calls");
        assert_eq!((rows.len(), total), (20, 450));
        let (rows, total) =
            campaigns::list_campaigns(&conn, None, None, None, deep).expect("campaigns");
        assert_eq!((rows.len(), total), (20, 451));
    }
    let again = replanned_statements(&conn);
    assert!(again.is_empty(), "planned again on reuse: {again:#?}");
}
