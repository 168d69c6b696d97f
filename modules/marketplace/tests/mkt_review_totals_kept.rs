//! Issue 18: a customer's review list and the moderation queue take their totals
//! from counts the writing transaction keeps, not from a count of the reviews
//! for every page; the totals follow reviews added, moderated and removed.
//! (One test in this file: the statement recorder is process-wide.)

mod support;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::json;

const ROWS: i64 = 300;

#[tokio::test]
async fn review_list_totals_come_from_kept_counts() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let m = support::market(&app, json!({})).await;
    support::reviewed_bookings(&app, &m, ROWS, "approved").await;
    let admin = app.admin_token.clone();
    let lists = [
        (
            "/marketplace/v1/customers/reviews?limit=20",
            m.customer.clone(),
        ),
        ("/marketplace/v1/admin/reviews?limit=20", admin.clone()),
        (
            "/marketplace/v1/admin/reviews?status=rejected&limit=20",
            admin.clone(),
        ),
    ];
    let plans = app
        .plans_of(&["marketplace_reviews"], totals(&app, &lists))
        .await;
    // Every tenth review is rejected (the fixture).
    assert_eq!(plans.output, vec![ROWS, ROWS, ROWS / 10]);
    plans.assert_no_scan();
    for plan in &plans.plans {
        let sql = plan.sql.to_ascii_lowercase();
        assert!(
            !(sql.contains("count(") && sql.contains("from marketplace_reviews")),
            "a page counts the reviews: {}",
            plan.sql
        );
    }

    // The kept counts follow the reviews: one rejected approved, one removed.
    let expected = app
        .platform
        .db
        .write(|tx| {
            tx.execute(
                "UPDATE marketplace_reviews SET moderation_status = 'approved'
                 WHERE rowid = (SELECT MIN(rowid) FROM marketplace_reviews WHERE moderation_status = 'rejected')",
                [],
            )?;
            tx.execute(
                "DELETE FROM marketplace_reviews WHERE rowid = (SELECT MAX(rowid) FROM marketplace_reviews)",
                [],
            )?;
            let rejected: i64 = tx.query_row(
                "SELECT COUNT(*) FROM marketplace_reviews WHERE moderation_status = 'rejected'",
                [],
                |r| r.get(0),
            )?;
            Ok(rejected)
        })
        .await
        .expect("changes");
    assert!(expected < ROWS / 10, "{expected}");
    assert_eq!(
        totals(&app, &lists).await,
        vec![ROWS - 1, ROWS - 1, expected]
    );
}

/// Each list's total, through HTTP.
async fn totals(app: &TestApp, lists: &[(&str, String)]) -> Vec<i64> {
    let mut out = Vec::new();
    for (url, token) in lists {
        let (s, b) = app.call("GET", url, Some(token), None).await.parts();
        assert_eq!(s, StatusCode::OK, "{url}: {b}");
        out.push(b["metadata"]["total"].as_i64().expect("total"));
    }
    out
}
