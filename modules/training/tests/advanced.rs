//! Search, A/B tests, bulk import and export.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use poem::test::{TestForm, TestFormField};
use serde_json::{json, Value};

mod support;
use support::{drill as scenario, T};

impl T {
    async fn create(&self, token: &str, body: Value) -> String {
        let (st, b) = self
            .call("POST", "/admin/scenarios", token, Some(body))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        b["id"].as_str().unwrap().to_string()
    }
    async fn import(&self, token: &str, file: &[u8], options: &str) -> (StatusCode, Value) {
        let form = TestForm::new()
            .field(
                TestFormField::bytes(file.to_vec())
                    .name("file")
                    .filename("scenarios.json")
                    .content_type("application/json"),
            )
            .text("options", options);
        let resp = self
            .app
            .client
            .post("/training/api/admin/scenarios/bulk/import")
            .header("Authorization", format!("Bearer {token}"))
            .multipart(form)
            .send()
            .await;
        let status = resp.0.status();
        let v = resp
            .0
            .into_body()
            .into_json::<Value>()
            .await
            .unwrap_or(Value::Null);
        (status, v)
    }
    async fn download(&self, url: &str) -> (StatusCode, Vec<u8>) {
        let resp = self.app.client.get(url).send().await;
        let status = resp.0.status();
        (status, resp.0.into_body().into_vec().await.unwrap())
    }
}

#[tokio::test]
async fn search_ranks_filters_and_highlights() {
    let t = T::new().await;
    let editor = t.app.token_for(&["training:editor"]).await;
    let publisher = t.app.token_for(&["training:publisher"]).await;
    // Name match ranks above a description-only match; the unrelated one is absent.
    let in_name = t
        .create(
            &editor,
            scenario(
                "Billing Dispute - Overcharge",
                "Customer is angry about an incorrect bill",
                &["billing", "dispute"],
                "BILLING_PAYMENTS",
            ),
        )
        .await;
    let in_desc = t
        .create(
            &editor,
            scenario(
                "Late Payment Call",
                "A calm customer has a billing dispute about fees",
                &["payments"],
                "BILLING_PAYMENTS",
            ),
        )
        .await;
    let _other = t
        .create(
            &editor,
            scenario(
                "Router Setup",
                "Help a customer set up a new router",
                &["wifi"],
                "TECHNICAL_SUPPORT",
            ),
        )
        .await;

    let (st, b) = t
        .call(
            "POST",
            "/admin/scenarios/search",
            &editor,
            Some(json!({"query": "billing dispute"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let ids: Vec<&str> = b["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![in_name.as_str(), in_desc.as_str()]);
    let top = &b["results"][0];
    assert_eq!(top["relevanceScore"], 1.0);
    assert!(b["results"][1]["relevanceScore"].as_f64().unwrap() < 1.0);
    let matched: Vec<&str> = top["matchedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        matched.contains(&"name") && matched.contains(&"tags"),
        "{matched:?}"
    );
    assert!(top["highlights"]["name"]
        .as_str()
        .unwrap()
        .contains("<em>Billing</em>"));
    assert_eq!(
        top["highlights"]["tags"],
        json!(["<em>billing</em>", "<em>dispute</em>"])
    );
    assert_eq!(b["pagination"]["total"], 2);
    assert_eq!(b["searchMeta"]["totalResults"], 2);
    assert_eq!(b["searchMeta"]["query"], "billing dispute");
    assert!(b["searchMeta"]["processingTime"].as_f64().unwrap() >= 0.0);

    // Filters: status, and usage/rating from recorded attempts.
    let (st, _) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{in_desc}/publish"),
            &publisher,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, b) = t
        .call(
            "POST",
            "/admin/scenarios/search",
            &editor,
            Some(json!({"query": "billing", "filters": {"status": ["PUBLISHED"]}})),
        )
        .await;
    assert_eq!(b["results"].as_array().unwrap().len(), 1);
    assert_eq!(b["results"][0]["id"], in_desc.as_str());
    for rating in [5, 4] {
        let (st, _) = t
            .call(
                "POST",
                &format!("/admin/scenarios/{in_desc}/attempts"),
                &editor,
                Some(json!({"score": 80, "rating": rating})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let (_, b) = t
        .call(
            "POST",
            "/admin/scenarios/search",
            &editor,
            Some(json!({"query": "billing", "filters": {"minRating": 4.0, "minUsageCount": 2}})),
        )
        .await;
    assert_eq!(b["results"].as_array().unwrap().len(), 1, "{b}");
    assert_eq!(
        b["results"][0]["analytics"],
        json!({"averageRating": 4.5, "usageCount": 2})
    );
    // Sorting by usage puts the used one first whatever the relevance.
    let (_, b) = t
        .call(
            "POST",
            "/admin/scenarios/search",
            &editor,
            Some(
                json!({"query": "billing dispute", "sort": {"by": "usageCount", "order": "desc"}}),
            ),
        )
        .await;
    assert_eq!(b["results"][0]["id"], in_desc.as_str());

    // The list's search parameter uses the index too (relevance order by default).
    let (st, b) = t
        .call(
            "GET",
            "/admin/scenarios?search=billing%20dispute",
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let ids: Vec<&str> = b["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![in_name.as_str(), in_desc.as_str()]);
    assert_eq!(b["pagination"]["total"], 2);
    let (_, b) = t
        .call(
            "GET",
            "/admin/scenarios?search=billing&sortBy=name&sortOrder=asc",
            &editor,
            None,
        )
        .await;
    assert_eq!(b["data"][0]["id"], in_name.as_str());
    assert_eq!(b["data"][1]["id"], in_desc.as_str());

    // Changes reach the index in the same transaction: rename, then delete.
    let (st, _) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/{in_name}"),
            &editor,
            Some(json!({"name": "Refund Request"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, b) = t
        .call(
            "POST",
            "/admin/scenarios/search",
            &editor,
            Some(json!({"query": "refund"})),
        )
        .await;
    assert_eq!(b["results"][0]["id"], in_name.as_str());
    let admin = t.app.admin_token.clone();
    let (st, _) = t
        .call(
            "DELETE",
            &format!("/admin/scenarios/{in_name}?permanent=true"),
            &admin,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, b) = t
        .call(
            "POST",
            "/admin/scenarios/search",
            &editor,
            Some(json!({"query": "refund"})),
        )
        .await;
    assert_eq!(b["pagination"]["total"], 0);

    // Private scenarios stay with their creator.
    let mut private = scenario("Private Billing Drill", "billing", &[], "BILLING_PAYMENTS");
    private["isPrivate"] = json!(true);
    t.create(&editor, private).await;
    let other = t.app.token_for(&["training:viewer"]).await;
    let (_, b) = t
        .call(
            "POST",
            "/admin/scenarios/search",
            &other,
            Some(json!({"query": "drill"})),
        )
        .await;
    assert_eq!(b["pagination"]["total"], 0);
    let (_, b) = t
        .call(
            "POST",
            "/admin/scenarios/search",
            &editor,
            Some(json!({"query": "drill"})),
        )
        .await;
    assert_eq!(b["pagination"]["total"], 1);

    // Bad input: one detail per bad field.
    let (st, b) = t
        .call("POST", "/admin/scenarios/search", &editor,
            Some(json!({"query": 5, "filters": {"categories": ["NOPE"]}, "sort": {"by": "color"}, "limit": 1000})))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = b["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["query", "filters.categories[0]", "sort.by", "limit"]
    );
}

#[tokio::test]
async fn ab_tests_compute_results_from_attempts() {
    let t = T::new().await;
    let editor = t.app.token_for(&["training:editor"]).await;
    let publisher = t.app.token_for(&["training:publisher"]).await;
    let a = t
        .create(&editor, scenario("Variant A Script", "a", &[], "SALES"))
        .await;
    let b_id = t
        .create(&editor, scenario("Variant B Script", "b", &[], "SALES"))
        .await;
    let body = json!({
        "name": "Opening script test", "metric": "passRate", "confidenceLevel": 0.95, "minSampleSize": 20,
        "variants": [
            {"name": "Control", "scenarioId": a, "trafficPercentage": 50},
            {"name": "New opening", "scenarioId": b_id, "trafficPercentage": 50}
        ]
    });
    // Editors cannot run tests; the split must add up to 100.
    let (st, _) = t
        .call(
            "POST",
            "/admin/scenarios/tests",
            &editor,
            Some(body.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let mut bad = body.clone();
    bad["variants"][1]["trafficPercentage"] = json!(40);
    bad["variants"][1]["scenarioId"] = json!(a);
    let (st, e) = t
        .call("POST", "/admin/scenarios/tests", &publisher, Some(bad))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["variants", "variants[1].scenarioId"]);
    let mut bad = body.clone();
    bad["variants"][0]["scenarioId"] = json!("scn_missing000");
    let (st, e) = t
        .call("POST", "/admin/scenarios/tests", &publisher, Some(bad))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["details"][0]["field"], "variants[0].scenarioId");

    let (st, test) = t
        .call("POST", "/admin/scenarios/tests", &publisher, Some(body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{test}");
    let id = test["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("abt_"));
    assert_eq!(test["status"], "RUNNING");
    assert_eq!(test["results"]["totalAttempts"], 0);
    assert_eq!(test["results"]["winner"], Value::Null);

    // A: 8 of 20 pass; B: 18 of 20 pass.
    for (sid, passes) in [(&a, 8), (&b_id, 18)] {
        for i in 0..20 {
            let score = if i < passes { 85 } else { 40 };
            let (st, _) = t
                .call(
                    "POST",
                    &format!("/admin/scenarios/{sid}/attempts"),
                    &editor,
                    Some(json!({"score": score, "userId": format!("u{i}")})),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED);
        }
    }
    let (st, r) = t
        .call(
            "GET",
            &format!("/admin/scenarios/tests/{id}"),
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let va = &r["variants"][0]["results"];
    let vb = &r["variants"][1]["results"];
    assert_eq!(va["attempts"], 20);
    assert_eq!(va["passRate"], 0.4);
    assert_eq!(vb["passRate"], 0.9);
    assert_eq!(vb["liftOverControl"], 1.25);
    // Wilson 95% of 18/20: 0.6990 .. 0.9721.
    assert_eq!(
        vb["passRateConfidenceInterval"],
        json!({"lower": 0.699, "upper": 0.9721})
    );
    // Pooled z-test of 18/20 vs 8/20: z = 3.315, p = 0.000917.
    let p = r["results"]["pValue"].as_f64().unwrap();
    assert!((p - 0.000917).abs() < 2e-6, "{p}");
    assert_eq!(r["results"]["isSignificant"], true);
    assert_eq!(r["results"]["winner"]["name"], "New opening");
    assert_eq!(vb["averageScore"], 80.5);

    // Attempts while paused do not count; paused tests assign nobody.
    let (st, u) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/tests/{id}"),
            &publisher,
            Some(json!({"status": "PAUSED"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["pausedPeriods"][0]["to"], Value::Null);
    t.call(
        "POST",
        &format!("/admin/scenarios/{b_id}/attempts"),
        &editor,
        Some(json!({"score": 90})),
    )
    .await;
    let (st, _) = t
        .call(
            "POST",
            &format!("/admin/scenarios/tests/{id}/assignments"),
            &editor,
            Some(json!({"userId": "x"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (_, u) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/tests/{id}"),
            &publisher,
            Some(json!({"status": "RUNNING"})),
        )
        .await;
    assert_eq!(u["variants"][1]["results"]["attempts"], 20);
    assert!(u["pausedPeriods"][0]["to"].is_string());
    t.call(
        "POST",
        &format!("/admin/scenarios/{b_id}/attempts"),
        &editor,
        Some(json!({"score": 90})),
    )
    .await;
    let (_, u) = t
        .call(
            "GET",
            &format!("/admin/scenarios/tests/{id}"),
            &editor,
            None,
        )
        .await;
    assert_eq!(u["variants"][1]["results"]["attempts"], 21);

    // Traffic split changes keep the variants; assignments follow the split.
    let (st, u) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/tests/{id}"),
            &publisher,
            Some(json!({"variants": [
                {"name": "Control", "scenarioId": a, "trafficPercentage": 10},
                {"name": "New opening", "scenarioId": b_id, "trafficPercentage": 90}]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["variants"][1]["trafficPercentage"], 90.0);
    let (st, as1) = t
        .call(
            "POST",
            &format!("/admin/scenarios/tests/{id}/assignments"),
            &editor,
            Some(json!({"userId": "trainee-7"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, as2) = t
        .call(
            "POST",
            &format!("/admin/scenarios/tests/{id}/assignments"),
            &editor,
            Some(json!({"userId": "trainee-7"})),
        )
        .await;
    assert_eq!(as1["variant"], as2["variant"]);
    let (st, _) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/tests/{id}"),
            &publisher,
            Some(
                json!({"variants": [{"name": "Other", "scenarioId": a, "trafficPercentage": 100}]}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    let (st, l) = t
        .call(
            "GET",
            "/admin/scenarios/tests?status=RUNNING",
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(l["data"][0]["id"], id.as_str());
    assert_eq!(l["pagination"]["total"], 1);
    let (_, l) = t
        .call(
            "GET",
            "/admin/scenarios/tests?status=CANCELLED",
            &editor,
            None,
        )
        .await;
    assert_eq!(l["pagination"]["total"], 0);
    let (st, _) = t
        .call("GET", "/admin/scenarios/tests?status=LOST", &editor, None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    // Cancel: stays readable, cannot change or cancel again.
    let (st, c) = t
        .call(
            "DELETE",
            &format!("/admin/scenarios/tests/{id}"),
            &publisher,
            Some(json!({"reason": "done"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(c["status"], "CANCELLED");
    assert_eq!(c["cancelReason"], "done");
    let (st, _) = t
        .call(
            "DELETE",
            &format!("/admin/scenarios/tests/{id}"),
            &publisher,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/tests/{id}"),
            &publisher,
            Some(json!({"status": "RUNNING"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, e) = t
        .call(
            "GET",
            "/admin/scenarios/tests/abt_nothing000",
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(e["error"]["code"], "TEST_NOT_FOUND");
}

#[tokio::test]
async fn import_validates_rows_and_export_round_trips() {
    let t = T::new().await;
    let editor = t.app.token_for(&["training:editor"]).await;
    let viewer = t.app.token_for(&["training:viewer"]).await;
    let existing = t
        .create(&editor, scenario("Existing One", "x", &[], "SALES"))
        .await;
    let mut bad = scenario("Invalid Scenario", "x", &[], "SALES");
    bad["category"] = json!("INVALID_CATEGORY");
    let file = serde_json::to_vec(&json!([
        scenario("Imported One", "first", &["import"], "SALES"),
        bad,
        scenario("Existing One", "again", &[], "SALES"),
        scenario("Imported Two", "second", &["import"], "ONBOARDING"),
    ]))
    .unwrap();

    // Validate only: the report, nothing written.
    let (st, r) = t.import(&editor, &file, r#"{"validateOnly": true}"#).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["imported"].as_i64(),
            r["valid"].as_i64(),
            r["failed"].as_i64(),
            r["skipped"].as_i64()
        ),
        (Some(0), Some(2), Some(1), Some(1))
    );
    let (_, l) = t.call("GET", "/admin/scenarios", &editor, None).await;
    assert_eq!(l["pagination"]["total"], 1);

    // skipErrors false: all or nothing.
    let (_, r) = t.import(&editor, &file, r#"{"skipErrors": false}"#).await;
    assert_eq!(r["imported"], 0);
    assert_eq!(r["committed"], false);

    // skipErrors (default): valid rows land, each error names its row and field.
    let (st, r) = t
        .import(&editor, &file, r#"{"defaultStatus": "PENDING_REVIEW"}"#)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(r["imported"], 2);
    assert_eq!(r["failed"], 1);
    assert_eq!(r["skipped"], 1);
    assert!(r["errors"].as_array().unwrap().contains(&json!({
        "row": 2, "scenarioName": "Invalid Scenario", "field": "category",
        "error": "Category must be one of: BILLING_PAYMENTS, TECHNICAL_SUPPORT, ACCOUNT_MANAGEMENT, COMPLAINTS, CUSTOMER_SERVICE, ONBOARDING, RETENTION, SALES"})), "{r}");
    assert!(r["errors"].as_array().unwrap().contains(&json!({
        "row": 3, "scenarioName": "Existing One", "field": "slug", "error": "Scenario with slug already exists"})));
    let ids: Vec<String> = r["scenarioIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let (_, s) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{}", ids[0]),
            &editor,
            None,
        )
        .await;
    assert_eq!(s["status"], "PENDING_REVIEW");
    assert_eq!(s["description"], "first");
    // The error report is a real file behind a signed link.
    let url = r["downloadErrorReport"].as_str().unwrap();
    let (st, bytes) = t.download(url).await;
    assert_eq!(st, StatusCode::OK);
    let rep: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(rep["errors"].as_array().unwrap().len(), 2);

    // Overwrite: the existing scenario gets a new version.
    let file2 = serde_json::to_vec(&json!([scenario(
        "Existing One",
        "rewritten",
        &[],
        "SALES"
    )]))
    .unwrap();
    let (_, r) = t
        .import(&editor, &file2, r#"{"overwriteExisting": true}"#)
        .await;
    assert_eq!(r["imported"], 1);
    assert_eq!(r["downloadErrorReport"], Value::Null);
    let (_, s) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{existing}"),
            &editor,
            None,
        )
        .await;
    assert_eq!(s["versionNumber"], 2);
    assert_eq!(s["description"], "rewritten");

    // Bad files and options.
    let (st, e) = t.import(&editor, b"{not json", "").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["code"], "INVALID_FILE");
    let (st, e) = t
        .import(&editor, &file2, r#"{"defaultStatus": "PUBLISHED"}"#)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["details"][0]["field"], "options.defaultStatus");
    let (st, _) = t.import(&viewer, &file2, "").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let resp = t
        .app
        .client
        .post("/training/api/admin/scenarios/bulk/import")
        .header("Authorization", format!("Bearer {editor}"))
        .content_type("multipart/form-data; boundary=zzz")
        .body("--zzz\r\nbroken")
        .send()
        .await;
    assert!(resp.0.status().is_client_error(), "{}", resp.0.status());

    // Export as JSON: a real file whose size is reported, importable again.
    let (st, x) = t
        .call("POST", "/admin/scenarios/bulk/export", &viewer,
            Some(json!({"scenarioIds": [existing, ids[0]], "format": "json", "includeAnalytics": true, "includeVersions": true})))
        .await;
    assert_eq!(st, StatusCode::OK, "{x}");
    assert!(x["exportId"].as_str().unwrap().starts_with("exp_"));
    assert_eq!(x["scenarioCount"], 2);
    let (st, bytes) = t.download(x["downloadUrl"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(bytes.len() as u64, x["fileSize"].as_u64().unwrap());
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["scenarios"][0]["name"], "Existing One");
    assert_eq!(doc["scenarios"][0]["versions"].as_array().unwrap().len(), 2);
    assert_eq!(doc["scenarios"][0]["analytics"]["totalAttempts"], 0);
    let (_, again) = t
        .import(&editor, &bytes, r#"{"overwriteExisting": true}"#)
        .await;
    assert_eq!(again["imported"], 2, "{again}");

    // Zipped.
    let (_, z) = t
        .call(
            "POST",
            "/admin/scenarios/bulk/export",
            &viewer,
            Some(json!({"scenarioIds": [existing], "compression": "zip"})),
        )
        .await;
    let (st, bytes) = t.download(z["downloadUrl"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(&bytes[..2], b"PK");
    assert_eq!(bytes.len() as u64, z["fileSize"].as_u64().unwrap());

    let (st, e) = t
        .call(
            "POST",
            "/admin/scenarios/bulk/export",
            &viewer,
            Some(json!({"scenarioIds": ["scn_missing000"]})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(e["error"]["missingIds"], json!(["scn_missing000"]));
    let (st, _) = t
        .call(
            "POST",
            "/admin/scenarios/bulk/export",
            &viewer,
            Some(json!({"scenarioIds": [existing], "format": "xml"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn webhooks_receive_scenario_events() {
    let t = T::new().await;
    let admin = t.app.token_for(&["training:admin"]).await;
    let editor = t.app.token_for(&["training:editor"]).await;
    let body = json!({"url": "https://hooks.example.com/training", "events": ["scenario.created", "scenario.published"]});
    let (st, _) = t
        .call("POST", "/admin/webhooks", &editor, Some(body.clone()))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, e) = t
        .call(
            "POST",
            "/admin/webhooks",
            &admin,
            Some(json!({"url": "ftp://x", "events": ["scenario.exploded"]})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Both bad fields are named at once: the URL rule is in the document too.
    let fields: Vec<&str> = e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, ["url", "events[0]"], "{e}");
    let (st, w) = t.call("POST", "/admin/webhooks", &admin, Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{w}");
    assert!(w["secret"].as_str().unwrap().len() >= 16);
    let id = w["id"].as_str().unwrap().to_string();
    let (_, l) = t.call("GET", "/admin/webhooks", &admin, None).await;
    assert_eq!(l["data"][0]["id"], id.as_str());
    assert!(l["data"][0].get("secret").is_none());

    let sid = t
        .create(&editor, scenario("Webhook Scenario", "x", &[], "SALES"))
        .await;
    t.call(
        "PATCH",
        &format!("/admin/scenarios/{sid}"),
        &editor,
        Some(json!({"description": "y"})),
    )
    .await;
    let (st, d) = t
        .call(
            "GET",
            &format!("/admin/webhooks/{id}/deliveries"),
            &admin,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // Only the subscribed event was queued (the update was not).
    let events: Vec<&str> = d["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, vec!["scenario.created"]);

    let (st, _) = t
        .call("DELETE", &format!("/admin/webhooks/{id}"), &admin, None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = t
        .call("DELETE", &format!("/admin/webhooks/{id}"), &admin, None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn demo_data_is_coherent_and_idempotent() {
    let t = T::new().await;
    frontline_training::demo::load(&t.app.platform).unwrap();
    frontline_training::demo::load(&t.app.platform).unwrap();
    let viewer = t.app.token_for(&["training:viewer"]).await;
    let (_, l) = t
        .call("GET", "/admin/scenarios?status=PUBLISHED", &viewer, None)
        .await;
    assert_eq!(l["pagination"]["total"], 5);
    let (_, s) = t
        .call(
            "POST",
            "/admin/scenarios/search",
            &viewer,
            Some(json!({"query": "billing dispute", "filters": {"minUsageCount": 1}})),
        )
        .await;
    // Both billing disputes rank above the welcome call that mentions "the first bill".
    let names: Vec<&str> = s["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        names[0].starts_with("Billing Dispute") && names[1].starts_with("Billing Dispute"),
        "{names:?}"
    );
    assert_eq!(names[2], "New Account Welcome Call");
    let test_id: String = t
        .app
        .platform
        .db
        .read(|c| Ok(c.query_row("SELECT id FROM training_ab_tests", [], |r| r.get(0))?))
        .await
        .unwrap();
    let (_, r) = t
        .call(
            "GET",
            &format!("/admin/scenarios/tests/{test_id}"),
            &viewer,
            None,
        )
        .await;
    assert_eq!(r["results"]["totalAttempts"], 120);
}

#[tokio::test]
async fn import_rate_limit_and_body_limits() {
    let app = TestApp::with_settings(vec![frontline_training::module()], |s| {
        s.rate_limits = true;
        s.max_body_bytes = 4096;
    })
    .await;
    let t = T { app };
    let editor = t.app.token_for(&["training:editor"]).await;
    let file = serde_json::to_vec(&json!([scenario("Rate Limited", "x", &[], "SALES")])).unwrap();
    let mut last = (StatusCode::OK, Value::Null);
    for _ in 0..4 {
        last = t.import(&editor, &file, r#"{"validateOnly": true}"#).await;
    }
    assert_eq!(last.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(last.1["error"]["code"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(last.1["error"]["limit"], 3);
    assert_eq!(last.1["error"]["windowSeconds"], 3600);
    // A body over the server's limit is a 413 in the training error body.
    let (st, b) = t
        .call(
            "POST",
            "/admin/scenarios/search",
            &editor,
            Some(json!({"query": "x".repeat(5000)})),
        )
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(b["error"]["code"].is_string(), "{b}");
}

#[tokio::test]
async fn reindex_rebuilds_from_the_table() {
    let t = T::new().await;
    let editor = t.app.token_for(&["training:editor"]).await;
    let id = t
        .create(
            &editor,
            scenario(
                "Escalation To Supervisor",
                "angry caller",
                &[],
                "COMPLAINTS",
            ),
        )
        .await;
    t.create(
        &editor,
        scenario("Password Reset", "locked out", &[], "ACCOUNT_MANAGEMENT"),
    )
    .await;
    let p = t.app.platform.clone();
    let n = tokio::task::spawn_blocking(move || frontline_training::index::reindex(&p))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 2);
    let (_, b) = t
        .call(
            "POST",
            "/admin/scenarios/search",
            &editor,
            Some(json!({"query": "supervisor"})),
        )
        .await;
    assert_eq!(b["pagination"]["total"], 1);
    assert_eq!(b["results"][0]["id"], id.as_str());
}
