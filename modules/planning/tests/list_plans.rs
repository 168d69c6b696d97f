//! Issue 18: every statement of a versions list page reads an index of the
//! live versions in the list's order (its own test binary: query-plan
//! capture sees every connection of the process).

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;

mod support;
use support::{call, create, grow};

#[tokio::test]
async fn every_list_statement_reads_an_index_in_the_lists_order() {
    let app = TestApp::new(vec![frontline_planning::module()]).await;
    create(&app, "Base plan", 300).await;
    grow(&app, 450).await;
    for query in [
        "?limit=20",
        "?limit=20&page=13",
        "?limit=20&page=22&sortBy=name&sortOrder=asc",
        "?limit=20&page=15&sortBy=updatedAt",
        "?limit=20&status=DRAFT",
        "?limit=20&page=12&status=DRAFT&mode=RELOCATION_2028",
    ] {
        let plans = app
            .plans_of(&["planning_versions"], async {
                call(&app, "GET", &format!("/versions{query}"), None).await
            })
            .await;
        let (status, body) = &plans.output;
        assert_eq!(*status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["pagination"]["total"], 451, "{query}");
        plans.assert_no_scan().assert_no_temp_sort();
        for p in &plans.plans {
            // Not even the tie-breaking part of the order may be sorted
            // apart: that reads every row sharing the first key.
            assert!(
                !p.lines.iter().any(|l| l.starts_with("USE TEMP B-TREE")),
                "{query}: {}\n  {}",
                p.sql,
                p.lines.join("\n  ")
            );
        }
    }
}
