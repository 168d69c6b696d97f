//! Issue 18: every statement of a versions list page reads an index of the
//! live versions in the list's order (its own test binary: query-plan
//! capture sees every connection of the process).

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

fn version(name: &str, students: i64) -> Value {
    json!({
        "name": name,
        "mode": "RELOCATION_2028",
        "curriculumPlans": [
            {"curriculumType": "FR", "capacity": 400, "tuitionBase": 50000.0, "cpiFrequency": 2,
             "studentsProjection": [{"year": 2028, "students": students}]},
            {"curriculumType": "IB", "capacity": 200, "tuitionBase": 60000.0, "cpiFrequency": 2,
             "studentsProjection": [{"year": 2028, "students": 30}]}
        ],
        "rentPlan": {"rentModel": "FIXED_ESCALATION",
                     "parameters": {"baseRent": 5000000.0, "escalationRate": 0.04}}
    })
}

async fn call(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    app.call(
        method,
        &format!("/planning/api{path}"),
        Some(&app.admin_token),
        body,
    )
    .await
    .parts()
}

async fn create(app: &TestApp, name: &str, students: i64) -> String {
    let (s, b) = call(app, "POST", "/versions", Some(version(name, students))).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["data"]["id"].as_str().unwrap().to_string()
}

/// `n` more versions, copies of the first one with new ids, names and times
/// (as many rows through the API would take minutes).
async fn grow(app: &TestApp, n: i64) {
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "INSERT INTO planning_versions (id, name, description, mode, status, created_by,
                    created_by_name, created_at, updated_at, document, list_figures, figures_generation)
                 WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1)
                 SELECT 'copy-' || printf('%06d', seq.n), 'Copy ' || seq.n, description, mode, status,
                    created_by, created_by_name,
                    strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', '+' || (seq.n / 7) || ' minutes'),
                    updated_at, document, list_figures, figures_generation
                 FROM seq, (SELECT * FROM planning_versions ORDER BY rowid LIMIT 1)",
                [n],
            )?;
            Ok(())
        })
        .await
        .expect("grow");
}

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
