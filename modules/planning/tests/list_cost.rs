//! Issue 18: the versions list costs about a get at any size. Its figures are
//! stored when a version is written (and recomputed after a settings change),
//! every statement of a page reads an index of the live versions in the
//! list's order, and deep pages seek to a cached anchor.

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

fn ids(b: &Value) -> Vec<String> {
    b["data"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn deep_pages_follow_the_order_and_see_writes_at_once() {
    let app = TestApp::new(vec![frontline_planning::module()]).await;
    create(&app, "Base plan", 300).await;
    grow(&app, 640).await;
    // Newest first, page by page: every version once, in order.
    let mut seen = Vec::new();
    for page in 1..=33 {
        let (s, b) = call(
            &app,
            "GET",
            &format!("/versions?limit=29&page={page}"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["data"]["pagination"]["total"], 641);
        seen.extend(ids(&b));
    }
    assert_eq!(seen.len(), 641);
    let mut copies: Vec<&String> = seen.iter().filter(|i| i.starts_with("copy-")).collect();
    let sorted = {
        let mut c = copies.clone();
        // created_at grows with n and ties are broken by id, both descending.
        c.sort_by_key(|i| {
            let n: i64 = i[5..].parse().unwrap();
            std::cmp::Reverse((n / 7, n))
        });
        c
    };
    assert_eq!(copies, sorted);
    copies.dedup();
    assert_eq!(copies.len(), 640);
    // A delete shows in the total and in the deep page at once.
    let victim = seen[400].clone();
    let (s, _) = call(&app, "DELETE", &format!("/versions/{victim}"), None).await;
    assert_eq!(s, StatusCode::OK);
    let (_, b) = call(&app, "GET", "/versions?limit=20&page=21", None).await;
    assert_eq!(b["data"]["pagination"]["total"], 640);
    assert_eq!(ids(&b), seen[401..421].to_vec());
}

#[tokio::test]
async fn the_list_shows_the_figures_of_the_current_version_and_settings() {
    let app = TestApp::new(vec![frontline_planning::module()]).await;
    let id = create(&app, "Base plan", 300).await;
    let figures = |b: &Value| {
        let v = &b["data"]["versions"][0];
        (
            v["npvRent"].as_f64().unwrap(),
            v["avgEBITDAMargin"].as_f64().unwrap(),
        )
    };
    let (_, b) = call(&app, "GET", "/versions", None).await;
    let first = figures(&b);
    // More students: more revenue, a better margin.
    let (s, b) = call(
        &app,
        "PATCH",
        &format!("/versions/{id}"),
        Some(json!({"curriculumPlans": version("x", 390)["curriculumPlans"]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, b) = call(&app, "GET", "/versions", None).await;
    let updated = figures(&b);
    assert_eq!(updated.0, first.0);
    assert!(updated.1 > first.1, "{first:?} -> {updated:?}");
    // A higher discount rate lowers the rent's NPV.
    let (s, b) = call(
        &app,
        "PATCH",
        "/admin/settings",
        Some(json!({"discountRate": 0.2})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, b) = call(&app, "GET", "/versions", None).await;
    let after = figures(&b);
    assert!(after.0 < updated.0, "{updated:?} -> {after:?}");
    // The same figure the comparison computes from the document.
    let other = create(&app, "Other plan", 300).await;
    let (s, cmp) = call(
        &app,
        "POST",
        "/versions/compare",
        Some(json!({"versionIds": [id, other]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{cmp}");
    assert!(
        cmp.to_string().contains(&after.0.to_string()),
        "npvRent {} not in {cmp}",
        after.0
    );
}
