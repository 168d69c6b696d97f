//! Set-up shared by the versions-list tests: a version body, admin calls,
//! and growing the table with copies.
#![allow(dead_code)] // each test binary uses its own part

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

pub fn version(name: &str, students: i64) -> Value {
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

pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.call(
        method,
        &format!("/planning/api{path}"),
        Some(&app.admin_token),
        body,
    )
    .await
    .parts()
}

pub async fn create(app: &TestApp, name: &str, students: i64) -> String {
    let (s, b) = call(app, "POST", "/versions", Some(version(name, students))).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["data"]["id"].as_str().unwrap().to_string()
}

/// `n` more versions, copies of the first one with new ids, names and times
/// (as many rows through the API would take minutes).
pub async fn grow(app: &TestApp, n: i64) {
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
