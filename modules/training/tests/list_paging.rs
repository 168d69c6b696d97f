//! The scenario list at any depth: pages read from the sort's index after a
//! cached keyset anchor (store::list) give exactly the rows and totals a
//! plain sort would, stay right after writes, and every statement of the
//! list is served by an index (EXPLAIN QUERY PLAN).

use frontline_platform::testing::TestApp;
use frontline_training::store::list::{statements, ListQuery, SORTS};
use poem::test::{TestForm, TestFormField};
use serde_json::{json, Value};

const CATEGORIES: &[&str] = &["BILLING_PAYMENTS", "SALES", "COMPLAINTS"];

fn scenario(i: usize) -> Value {
    json!({
        // Names in an order unrelated to creation, with case differences.
        "name": format!("{} scenario {i}", if i.is_multiple_of(2) { "alpha" } else { "Beta" }),
        "description": format!("Scenario number {i}"),
        "category": CATEGORIES[i % CATEGORIES.len()],
        "difficulty": "BEGINNER",
        "estimatedDuration": 5,
        "tags": ["paging", format!("t{}", i % 5)],
        "customerProfile": {"name": "Customer", "age": 30, "personality": ["calm"], "initialMood": 50},
        "context": {"companyName": "TelcoMax", "industry": "telecommunications", "issue": "Question"},
        "aiConfig": {"systemPrompt": "You are a customer", "temperature": 0.5},
        "evaluationWeights": {"greeting": 10, "listening": 20, "solution": 30, "empathy": 30, "closing": 10},
        "status": if i.is_multiple_of(4) { "DRAFT" } else { "APPROVED" }
    })
}

async fn import(app: &TestApp, from: usize, to: usize) {
    let file: Vec<Value> = (from..to).map(scenario).collect();
    let form = TestForm::new()
        .field(
            TestFormField::bytes(serde_json::to_vec(&file).unwrap())
                .name("file")
                .filename("scenarios.json")
                .content_type("application/json"),
        )
        .field(TestFormField::text(r#"{"skipErrors": false}"#).name("options"));
    let resp = app
        .client
        .post("/training/api/admin/scenarios/bulk/import")
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .multipart(form)
        .send()
        .await;
    assert!(resp.0.status().is_success(), "import: {}", resp.0.status());
}

async fn list(app: &TestApp, token: &str, query: &str) -> (Vec<Value>, u64) {
    let r = app
        .call(
            "GET",
            &format!("/training/api/admin/scenarios?{query}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    let items = r.body["data"].as_array().cloned().unwrap_or_default();
    let total = r.body["pagination"]["total"].as_u64().unwrap_or(u64::MAX);
    (items, total)
}

/// Every page of `query` at `limit`, concatenated.
async fn walk(app: &TestApp, token: &str, query: &str, limit: usize) -> (Vec<Value>, u64) {
    let (mut all, mut total) = (Vec::new(), 0);
    for page in 1.. {
        let (items, t) = list(app, token, &format!("{query}&limit={limit}&page={page}")).await;
        total = t;
        if items.is_empty() {
            break;
        }
        all.extend(items);
    }
    (all, total)
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn deep_pages_match_a_plain_sort_and_follow_writes() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let admin = app.admin_token.clone();
    import(&app, 0, 450).await;

    // By name, ascending, case-insensitive (ties by id): pages of 30 cross the
    // anchors at 200 and 400 at odd offsets.
    let (all, total) = walk(&app, &admin, "sortBy=name&sortOrder=asc", 30).await;
    assert_eq!(total, 450);
    assert_eq!(all.len(), 450);
    let mut expected: Vec<(String, String)> = all
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_lowercase(),
                s["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    expected.sort();
    let got: Vec<(String, String)> = all
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_lowercase(),
                s["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(got, expected, "name order across anchors");
    // The list form is complete on a deep page.
    let deep = &all[433];
    assert_eq!(deep["tags"][0], "paging");
    assert!(deep["description"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Scenario number"));
    assert_eq!(deep["analytics"]["totalAttempts"], 0);
    assert!(deep["creator"]["name"].is_string());

    // A filtered list, newest first: the same rows as the unfiltered walk
    // filtered by hand, in the same order.
    let (newest, _) = walk(&app, &admin, "sortBy=createdAt", 100).await;
    let (sales, sales_total) = walk(&app, &admin, "category=SALES&status=APPROVED", 40).await;
    let by_hand: Vec<String> = newest
        .iter()
        .filter(|s| s["category"] == "SALES" && s["status"] == "APPROVED")
        .map(|s| s["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids(&sales), by_hand);
    assert_eq!(sales_total as usize, by_hand.len());

    // A page past the end is empty, with the right total.
    let (items, total) = list(&app, &admin, "limit=20&page=40").await;
    assert!(items.is_empty());
    assert_eq!(total, 450);

    // Writes move totals and pages at once (no stale cached outline): an
    // archived scenario leaves the APPROVED list...
    let (approved, approved_total) = list(&app, &admin, "status=APPROVED&limit=5&page=20").await;
    let archived = approved[0]["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .call(
            "DELETE",
            &format!("/training/api/admin/scenarios/{archived}"),
            Some(&admin),
            None,
        )
        .await;
    assert!(r.status.is_success(), "archive: {}", r.body);
    let (after, total) = list(&app, &admin, "status=APPROVED&limit=5&page=20").await;
    assert_eq!(total, approved_total - 1);
    assert_eq!(ids(&after)[..4], ids(&approved)[1..]);
    // ... and a removed one leaves every list.
    let (page_before, _) = list(&app, &admin, "sortBy=name&sortOrder=asc&limit=10&page=25").await;
    let victim = page_before[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = app
        .call(
            "DELETE",
            &format!("/training/api/admin/scenarios/{victim}?permanent=true"),
            Some(&admin),
            None,
        )
        .await;
    assert!(r.status.is_success(), "delete: {}", r.body);
    let (page_after, total) =
        list(&app, &admin, "sortBy=name&sortOrder=asc&limit=10&page=25").await;
    assert_eq!(total, 449);
    assert_eq!(ids(&page_after)[..9], ids(&page_before)[1..]);
    import(&app, 450, 451).await;
    let (_, total) = list(&app, &admin, "sortBy=name&sortOrder=asc&limit=10&page=25").await;
    assert_eq!(total, 450);

    // Each viewer has their own totals: a private scenario counts for its
    // author and not for another reader.
    let author = app.token_for(&["training:publisher"]).await;
    let other = app.token_for(&["training:viewer"]).await;
    let mut private = scenario(9999);
    private["isPrivate"] = json!(true);
    let r = app
        .call(
            "POST",
            "/training/api/admin/scenarios",
            Some(&author),
            Some(private),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (_, mine) = list(&app, &author, "limit=5&page=50").await;
    let (_, theirs) = list(&app, &other, "limit=5&page=50").await;
    assert_eq!((mine, theirs), (451, 450));
}

#[tokio::test]
async fn every_list_statement_is_served_by_the_sort_index() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    import(&app, 0, 30).await;
    let mut queries = Vec::new();
    for (_, sort) in SORTS {
        for descending in [false, true] {
            let base = ListQuery {
                viewer: "usr_x".into(),
                admin: false,
                sort,
                descending,
                limit: 20,
                offset: 0,
                ..ListQuery::default()
            };
            queries.push(base.clone());
            queries.push(ListQuery {
                status: vec!["APPROVED".into()],
                category: vec!["SALES".into(), "BILLING_PAYMENTS".into()],
                difficulty: vec!["BEGINNER".into()],
                tenant_id: Some("t1".into()),
                is_private: Some(false),
                ..base.clone()
            });
        }
    }
    let plans = app
        .platform
        .db
        .read(move |conn| {
            let mut out = Vec::new();
            for q in &queries {
                for (i, (sql, args)) in statements(q).into_iter().enumerate() {
                    let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let plan = st
                        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                            r.get::<_, String>(3)
                        })?
                        .collect::<Result<Vec<_>, _>>()?
                        .join("; ");
                    out.push((q.sort, i, sql, plan));
                }
            }
            Ok(out)
        })
        .await
        .expect("plans");
    for (sort, i, sql, plan) in plans {
        assert!(
            plan.contains("USING INDEX training_scenarios_by_")
                || plan.contains("USING COVERING INDEX training_scenarios_by_"),
            "{sort}: statement {i} not read from its sort index: {plan}\n{sql}"
        );
        assert!(
            !plan.contains("TEMP B-TREE"),
            "{sort}: statement {i} sorts: {plan}\n{sql}"
        );
        if i == 2 {
            assert!(
                plan.contains("SEARCH training_scenarios USING"),
                "{sort}: the anchored page does not seek: {plan}\n{sql}"
            );
        }
    }
}
