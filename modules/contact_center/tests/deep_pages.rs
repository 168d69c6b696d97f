//! Issue 18: deep pages of contacts, campaigns and calls seek to a cached
//! keyset anchor (platform `db_paging`) instead of walking every row before
//! them: the rows and totals are exactly those of a plain `OFFSET` read, a
//! write shows at once, and a deep page's statement seeks an index.

mod part1;

use part1::*;
use serde_json::Value;

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect()
}

/// `n` copies of the first row of `table` (new integer ids; `unique` set
/// from the copy number).
async fn grow(cc: &Cc, table: &'static str, cols: &'static str, exprs: &'static str, n: i64) {
    cc.app
        .platform
        .db
        .write(move |tx| {
            tx.execute(
                &format!(
                    "INSERT INTO {table} ({cols})
                     WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1)
                     SELECT {exprs} FROM seq, (SELECT * FROM {table} ORDER BY id LIMIT 1) AS src"
                ),
                [n],
            )?;
            Ok(())
        })
        .await
        .expect("grow");
}

/// Every page at `limit` through the API, and the total it reported.
async fn walk(cc: &Cc, path: &str, limit: usize) -> (Vec<i64>, u64) {
    let (mut all, mut total) = (Vec::new(), 0);
    for page in 0.. {
        let r = cc
            .get(
                &cc.admin,
                &format!(
                    "{path}{}limit={limit}&offset={}",
                    if path.contains('?') { "&" } else { "?" },
                    page * limit
                ),
            )
            .await;
        total = r.header("X-Total-Count").parse().unwrap();
        let got = ids(&r.expect(200));
        if got.is_empty() {
            break;
        }
        all.extend(got);
    }
    (all, total)
}

#[tokio::test]
async fn deep_pages_are_the_plain_order_and_follow_writes() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let campaign = cc.campaign(&user, "Deep").await;
    cc.contact(&user, campaign, "Ann", "+14155550100").await;
    grow(
        &cc,
        "cc_contacts",
        "campaign_id, first_name, last_name, email, phone_number, company, custom_fields, priority, status, call_attempts, created_by_id, created_at, updated_at",
        "src.campaign_id, src.first_name, src.last_name, src.email, '+1' || (2000000000 + seq.n), src.company, src.custom_fields, seq.n % 7, src.status, src.call_attempts, src.created_by_id, src.created_at, src.updated_at",
        530,
    )
    .await;
    grow(
        &cc,
        "cc_campaigns",
        "name, description, status, campaign_type, provider_type, provider_model, provider_config, system_prompt, max_daily_calls, retry_failed, max_retries, created_by_id, created_at, updated_at",
        "'Deep ' || seq.n, src.description, src.status, src.campaign_type, src.provider_type, src.provider_model, src.provider_config, src.system_prompt, src.max_daily_calls, src.retry_failed, src.max_retries, src.created_by_id, src.created_at, src.updated_at",
        450,
    )
    .await;
    let plain = |sql: &'static str| {
        let db = cc.app.platform.db.clone();
        async move {
            db.read(move |c| {
                let mut st = c.prepare(sql)?;
                let v = st
                    .query_map([], |r| r.get::<_, i64>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(v)
            })
            .await
            .unwrap()
        }
    };
    let (got, total) = walk(&cc, "/contacts", 23).await;
    let want = plain("SELECT id FROM cc_contacts ORDER BY id ASC").await;
    assert_eq!((got.len() as u64, total), (want.len() as u64, 531));
    assert_eq!(got, want);
    let (got, total) = walk(&cc, "/campaigns", 29).await;
    let want = plain("SELECT id FROM cc_campaigns ORDER BY id DESC").await;
    assert_eq!(total, want.len() as u64);
    assert_eq!(got, want);

    // A write shows in a deep page and its total at once.
    let before = cc.get(&cc.admin, "/contacts?limit=5&offset=500").await;
    assert_eq!(before.header("X-Total-Count"), "531");
    let first = ids(&before.expect(200))[0];
    let del = cc
        .delete(&cc.admin, &format!("/contacts/{}", want_first(&cc).await))
        .await;
    assert!(del.status.is_success(), "{}", del.body);
    let after = cc.get(&cc.admin, "/contacts?limit=5&offset=500").await;
    assert_eq!(after.header("X-Total-Count"), "530");
    assert_ne!(ids(&after.expect(200))[0], first);

    // A campaign's contact count on a (deep) list page follows new contacts at once.
    let contacts_of = |v: &Value| -> i64 {
        v.as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == campaign)
            .map(|c| c["total_contacts"].as_i64().unwrap())
            .unwrap()
    };
    let last = "/campaigns?limit=20&offset=440";
    assert_eq!(contacts_of(&cc.get(&cc.admin, last).await.expect(200)), 530);
    cc.contact(&user, campaign, "Bo", "+14155550199").await;
    assert_eq!(contacts_of(&cc.get(&cc.admin, last).await.expect(200)), 531);

    // A deep page seeks its index from the anchor: no statement of the
    // page itself scans the table.
    let url = "/contact-center/api/v1/campaigns?limit=20&offset=420";
    cc.app.call("GET", url, Some(&cc.admin), None).await;
    let plans = cc
        .app
        .plans_of(
            &["cc_campaigns"],
            cc.app.call("GET", url, Some(&cc.admin), None),
        )
        .await;
    assert_eq!(plans.output.status, 200);
    let page: Vec<_> = plans
        .plans
        .iter()
        .filter(|p| p.sql.contains(" LIMIT "))
        .collect();
    assert!(!page.is_empty());
    for p in page {
        assert!(p.sql.contains("c.id <="), "not seeking: {}", p.sql);
        assert!(
            p.lines
                .iter()
                .any(|l| l.contains("SEARCH c USING INTEGER PRIMARY KEY")),
            "{}\n  {}",
            p.sql,
            p.lines.join("\n  ")
        );
    }
}

async fn want_first(cc: &Cc) -> i64 {
    let r = cc.get(&cc.admin, "/contacts?limit=1").await.expect(200);
    ids(&r)[0]
}
