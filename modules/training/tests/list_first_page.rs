//! Issue 18: the first page of the scenario list costs about a get at any
//! size. On a cold cache it counts (no keyset anchors: a first page needs
//! none), and for an admin, who sees every scenario, whatever reads all
//! matching rows reads an index alone, never the scenarios' rows.

use frontline_platform::testing::TestApp;

mod support;

#[tokio::test]
async fn an_admins_first_page_reads_no_scenario_row_beyond_the_page() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    for i in 0..3 {
        support::create_scenario(&app, &format!("First page {i}")).await;
    }
    for query in [
        "limit=20",
        "limit=2&sortBy=name&sortOrder=asc",
        "limit=20&sortBy=usageCount",
    ] {
        let plans = app
            .plans_of(
                &["training_scenarios"],
                app.call(
                    "GET",
                    &format!("/training/api/admin/scenarios?{query}"),
                    Some(&app.admin_token),
                    None,
                ),
            )
            .await;
        assert_eq!(plans.output.status, 200, "{}", plans.output.body);
        assert_eq!(plans.output.body["pagination"]["total"], 3);
        plans.assert_no_scan().assert_no_temp_sort();
        for p in &plans.plans {
            let sql = p.sql.to_ascii_uppercase();
            // Statements without a LIMIT read every matching row: an index only.
            if sql.contains("FROM TRAINING_SCENARIOS") && !sql.contains(" LIMIT ") {
                assert!(
                    p.lines
                        .iter()
                        .all(|l| !l.starts_with("SCAN") || l.contains("COVERING INDEX")),
                    "{query}: reads rows: {}\n  {}",
                    p.sql,
                    p.lines.join("\n  ")
                );
            }
        }
    }
}
