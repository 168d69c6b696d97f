//! Issue 18: deep pages of the audit log (its own test binary: query-plan
//! capture sees every connection of the process).

use frontline_platform::testing::TestApp;

/// Issue 18: a deep page of the audit log seeks from a cached anchor and
/// gives exactly the rows of a plain newest-first read; a new entry shows
/// in the total and the pages at once.
#[tokio::test]
async fn audit_log_deep_pages_match_the_plain_order_and_follow_writes() {
    let app = TestApp::new(vec![]).await;
    let tok = app.admin_token.clone();
    app.platform
        .db
        .write(|tx| {
            tx.execute(
                "INSERT INTO platform_audit_log (at, module, action, entity_type, details)
                 WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 700)
                 SELECT '2026-01-01T00:00:00Z', 'platform', 'bench.' || (n % 3), 'thing', '{}' FROM seq",
                [],
            )?;
            Ok(())
        })
        .await
        .expect("rows");
    let plain: Vec<i64> = app
        .platform
        .db
        .read(|c| {
            let mut st = c.prepare("SELECT id FROM platform_audit_log ORDER BY id DESC")?;
            let v = st
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<i64>, _>>()?;
            Ok(v)
        })
        .await
        .expect("plain");
    let walk = |query: &'static str| {
        let app = &app;
        let tok = tok.clone();
        async move {
            let (mut all, mut total) = (Vec::new(), 0);
            for page in 1.. {
                let r = app
                    .call(
                        "GET",
                        &format!("/auth/audit?limit=37&page={page}{query}"),
                        Some(&tok),
                        None,
                    )
                    .await;
                assert_eq!(r.status, 200, "{}", r.body);
                total = r.body["total"].as_u64().unwrap();
                let ids: Vec<i64> = r.body["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["id"].as_i64().unwrap())
                    .collect();
                if ids.is_empty() {
                    break;
                }
                all.extend(ids);
            }
            (all, total)
        }
    };
    let (all, total) = walk("").await;
    assert_eq!(total as usize, plain.len());
    assert_eq!(all, plain);
    let (some, total) = walk("&action=bench.1").await;
    assert_eq!(total, 234);
    assert_eq!(some.len(), 234);
    // A deep page seeks from its anchor (`id <= ...`) by the primary key.
    let deep = "/auth/audit?limit=20&page=30";
    let plans = app
        .plans_of(
            &["platform_audit_log"],
            app.call("GET", deep, Some(&tok), None),
        )
        .await;
    let page: Vec<_> = plans
        .plans
        .iter()
        .filter(|p| p.sql.contains(" LIMIT "))
        .collect();
    assert!(!page.is_empty());
    for p in page {
        assert!(p.sql.contains("id <= "), "not seeking: {}", p.sql);
        assert!(
            p.lines.iter().any(|l| l.contains("INTEGER PRIMARY KEY")),
            "{}\n  {}",
            p.sql,
            p.lines.join("\n  ")
        );
    }
    // A new entry (a failed sign-in) shows at once in a deep page's total.
    let before = app.call("GET", deep, Some(&tok), None).await;
    app.call(
        "POST",
        "/auth/login",
        None,
        Some(serde_json::json!({"email": "who@test.local", "password": "nope-nope"})),
    )
    .await;
    let after = app.call("GET", deep, Some(&tok), None).await;
    assert_eq!(
        after.body["total"].as_u64().unwrap(),
        before.body["total"].as_u64().unwrap() + 1
    );
    assert_eq!(
        after.body["data"][1]["id"], before.body["data"][0]["id"],
        "the page moved by one entry"
    );
}
