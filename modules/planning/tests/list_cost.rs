//! Issue 18: the versions list costs about a get at any size. Its figures are
//! stored when a version is written (and recomputed after a settings change),
//! every statement of a page reads an index of the live versions in the
//! list's order, and deep pages seek to a cached anchor.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

mod support;
use support::{call, create, grow, version};

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
