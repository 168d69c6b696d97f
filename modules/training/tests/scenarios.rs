use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

mod support;
use support::{doc_example, T};

#[tokio::test]
async fn create_get_and_validate() {
    let t = T::new().await;
    let editor = t.app.token_for(&["training:editor"]).await;
    let (st, b) = t
        .call("POST", "/admin/scenarios", &editor, Some(doc_example()))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("scn_") && id.len() == 14, "{id}");
    assert_eq!(b["slug"], "billing-dispute-overcharge");
    assert_eq!(b["status"], "DRAFT");
    assert_eq!(b["versionNumber"], 1);
    assert_eq!(b["creator"]["id"], b["createdBy"]);

    // Same name again: the slug is taken.
    let (st, b) = t
        .call("POST", "/admin/scenarios", &editor, Some(doc_example()))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(b["error"]["code"], "DUPLICATE_SLUG");

    // The document's validation example: one detail per field.
    let mut bad = doc_example();
    bad["name"] = json!("ab");
    bad["aiConfig"]["temperature"] = json!(2.5);
    bad["category"] = json!("NOPE");
    let (st, b) = t.call("POST", "/admin/scenarios", &editor, Some(bad)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["error"]["code"], "VALIDATION_ERROR");
    assert_eq!(b["error"]["message"], "Validation failed");
    let details = b["error"]["details"].as_array().unwrap();
    assert!(details
        .contains(&json!({"field": "name", "message": "Name must be at least 3 characters"})));
    assert!(details.contains(
        &json!({"field": "aiConfig.temperature", "message": "Temperature must be between 0 and 2"})
    ));
    assert!(details.iter().any(|d| d["field"] == "category"));
    assert_eq!(details.len(), 3);

    let mut bad = doc_example();
    bad["evaluationWeights"]["greeting"] = json!(50);
    let (st, b) = t.call("POST", "/admin/scenarios", &editor, Some(bad)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["error"]["details"][0]["field"], "evaluationWeights");

    let (st, b) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{id}?includeVersions=true&includeAnalytics=true"),
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["customerProfile"]["name"], "Robert Johnson");
    assert_eq!(b["metadata"]["creator"]["id"], b["metadata"]["createdBy"]);
    assert_eq!(b["versions"].as_array().unwrap().len(), 1);
    assert_eq!(b["analytics"]["totalAttempts"], 0);

    let (st, b) = t
        .call("GET", "/admin/scenarios/scn_missing000", &editor, None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(b["error"]["code"], "SCENARIO_NOT_FOUND");

    // A viewer reads but cannot create.
    let viewer = t.app.token_for(&["training:viewer"]).await;
    let (st, b) = t
        .call("POST", "/admin/scenarios", &viewer, Some(doc_example()))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(b["error"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn lifecycle_and_permissions() {
    let t = T::new().await;
    let editor = t.app.token_for(&["training:editor"]).await;
    let publisher = t.app.token_for(&["training:publisher"]).await;
    let (_, b) = t
        .call("POST", "/admin/scenarios", &editor, Some(doc_example()))
        .await;
    let id = b["id"].as_str().unwrap().to_string();

    let (st, _) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/publish"),
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, b) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/publish"),
            &publisher,
            Some(json!({"notes": "Ready", "notifyUsers": false})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "PUBLISHED");
    assert!(b["publishedAt"].is_string());
    let (st, _) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/publish"),
            &publisher,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    let (st, b) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/archive"),
            &editor,
            Some(json!({"reason": "Outdated"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["status"], "ARCHIVED");
    let (st, _) = t
        .call(
            "PUT",
            &format!("/admin/scenarios/{id}"),
            &editor,
            Some(json!({"name": "Another name"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, b) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/restore"),
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["status"], "DRAFT");

    // DELETE archives; permanent needs the platform admin.
    let (st, _) = t
        .call("DELETE", &format!("/admin/scenarios/{id}"), &editor, None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = t
        .call(
            "DELETE",
            &format!("/admin/scenarios/{id}"),
            &publisher,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, b) = t
        .call("GET", &format!("/admin/scenarios/{id}"), &editor, None)
        .await;
    assert_eq!(b["status"], "ARCHIVED");
    let (st, _) = t
        .call(
            "DELETE",
            &format!("/admin/scenarios/{id}?permanent=true"),
            &publisher,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let admin = t.app.admin_token.clone();
    let (st, _) = t
        .call(
            "DELETE",
            &format!("/admin/scenarios/{id}?permanent=true"),
            &admin,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = t
        .call("GET", &format!("/admin/scenarios/{id}"), &admin, None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Events were recorded for webhooks.
    let kinds: Vec<String> = t
        .app
        .platform
        .db
        .read(|c| {
            let mut s = c.prepare(
                "SELECT event_type FROM platform_events WHERE module = 'training' ORDER BY id",
            )?;
            let v = s
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(v)
        })
        .await
        .unwrap();
    for k in [
        "scenario.created",
        "scenario.published",
        "scenario.archived",
        "scenario.deleted",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
}

#[tokio::test]
async fn versions_compare_and_restore() {
    let t = T::new().await;
    let editor = t.app.token_for(&["training:editor"]).await;
    let (_, b) = t
        .call("POST", "/admin/scenarios", &editor, Some(doc_example()))
        .await;
    let id = b["id"].as_str().unwrap().to_string();
    let (st, b) = t
        .call(
            "PUT",
            &format!("/admin/scenarios/{id}"),
            &editor,
            Some(json!({
                "name": "Billing Dispute - Overcharge (Updated)",
                "aiConfig": {"temperature": 0.85, "interruptionRate": 0.2},
                "changelog": "Increased customer frustration level for realism"
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["versionNumber"], 2);
    assert_eq!(b["previousVersionNumber"], 1);
    assert_eq!(b["message"], "Scenario updated successfully");
    // PATCH does not make a version.
    let (st, _) = t.call("PATCH", &format!("/admin/scenarios/{id}"), &editor, Some(json!({"tags": ["billing", "dispute", "overcharge", "urgent"], "estimatedDuration": 12}))).await;
    assert_eq!(st, StatusCode::OK);
    let (_, b) = t
        .call("GET", &format!("/admin/scenarios/{id}"), &editor, None)
        .await;
    assert_eq!(b["versionNumber"], 2);
    assert_eq!(b["slug"], "billing-dispute-overcharge-updated");
    assert_eq!(
        b["aiConfig"]["systemPrompt"],
        "You are Robert Johnson, calling about..."
    );
    assert_eq!(b["estimatedDuration"], 12);

    let (_, b) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{id}/versions"),
            &editor,
            None,
        )
        .await;
    assert_eq!(b["currentVersion"], 2);
    assert_eq!(b["totalVersions"], 2);
    assert_eq!(b["versions"][0]["versionNumber"], 2);
    assert_eq!(b["versions"][0]["isActive"], true);
    assert!(b["versions"][0]["versionId"]
        .as_str()
        .unwrap()
        .starts_with("ver_"));

    let (st, b) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{id}/versions/compare?from=1&to=2"),
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let diffs = b["differences"].as_array().unwrap();
    let temp = diffs
        .iter()
        .find(|d| d["path"] == "aiConfig.temperature")
        .unwrap();
    assert_eq!(temp["oldValue"], 0.8);
    assert_eq!(temp["newValue"], 0.85);
    assert_eq!(temp["field"], "temperature");
    assert_eq!(temp["changeType"], "modified");
    assert_eq!(b["totalChanges"], diffs.len());
    assert_eq!(diffs.len(), 3);

    let (st, b) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{id}/versions/1"),
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["snapshot"]["name"], "Billing Dispute - Overcharge");
    let (st, _) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{id}/versions/9"),
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let (st, b) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/versions/1/restore"),
            &editor,
            Some(json!({"createNewVersion": true, "changelog": "Reverted"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["versionNumber"], 3);
    assert_eq!(b["restoredFromVersion"], 1);
    let (_, b) = t
        .call("GET", &format!("/admin/scenarios/{id}"), &editor, None)
        .await;
    assert_eq!(b["name"], "Billing Dispute - Overcharge");
    assert_eq!(b["aiConfig"]["temperature"], 0.8);

    // Duplicate.
    let (st, b) = t.call("POST", &format!("/admin/scenarios/{id}/duplicate"), &editor, Some(json!({"newName": "Billing Dispute - Overcharge (Copy)", "preserveAnalytics": false, "status": "DRAFT"}))).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(b["originalId"], id.as_str());
    assert_ne!(b["id"], id.as_str());
}

#[tokio::test]
async fn list_filters_sort_and_pages() {
    let t = T::new().await;
    let editor = t.app.token_for(&["training:editor"]).await;
    for (name, cat, diff) in [
        ("Alpha call", "BILLING_PAYMENTS", "BEGINNER"),
        ("Bravo call", "TECHNICAL_SUPPORT", "EXPERT"),
        ("Charlie call", "BILLING_PAYMENTS", "EXPERT"),
    ] {
        let mut d = doc_example();
        d["name"] = json!(name);
        d["category"] = json!(cat);
        d["difficulty"] = json!(diff);
        let (st, _) = t.call("POST", "/admin/scenarios", &editor, Some(d)).await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let (st, b) = t
        .call(
            "GET",
            "/admin/scenarios?category=BILLING_PAYMENTS&sortBy=name&sortOrder=desc",
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let names: Vec<&str> = b["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Charlie call", "Alpha call"]);
    assert_eq!(
        b["filters"]["appliedFilters"]["category"],
        json!(["BILLING_PAYMENTS"])
    );
    assert!(b["filters"]["availableFilters"]["statuses"]
        .as_array()
        .unwrap()
        .contains(&json!("PUBLISHED")));
    let (_, b) = t
        .call(
            "GET",
            "/admin/scenarios?difficulty=EXPERT,BEGINNER&limit=2&page=2&sortBy=name&sortOrder=asc",
            &editor,
            None,
        )
        .await;
    assert_eq!(
        b["pagination"],
        json!({"page": 2, "limit": 2, "total": 3, "totalPages": 2, "hasNext": false, "hasPrev": true})
    );
    assert_eq!(b["data"][0]["name"], "Charlie call");
    let (_, b) = t
        .call("GET", "/admin/scenarios?search=bravo", &editor, None)
        .await;
    assert_eq!(b["pagination"]["total"], 1);
    let (st, b) = t
        .call("GET", "/admin/scenarios?status=LIVE", &editor, None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["error"]["details"][0]["field"], "status");
    let (st, _) = t
        .call("GET", "/admin/scenarios?limit=500", &editor, None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn templates_comments_and_analytics() {
    let t = T::new().await;
    let editor = t.app.token_for(&["training:editor"]).await;
    let (st, b) = t.call("GET", "/admin/templates", &editor, None).await;
    assert_eq!(st, StatusCode::OK);
    let tmp = b["templates"][0].clone();
    let tid = tmp["id"].as_str().unwrap().to_string();
    assert!(tid.starts_with("tmp_"));
    assert_eq!(tmp["variables"][0]["key"], "customerName");

    let (st, b) = t.call("POST", &format!("/admin/templates/{tid}/create-scenario"), &editor, Some(json!({"name": "Custom Billing Scenario", "variables": {"customerName": "Jane Smith", "issueAmount": "lots"}}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["error"]["details"][0]["field"], "variables.issueAmount");
    let (st, b) = t.call("POST", &format!("/admin/templates/{tid}/create-scenario"), &editor, Some(json!({"name": "Custom Billing Scenario", "variables": {"customerName": "Jane Smith", "companyName": "MyCompany Inc", "issueAmount": 75}}))).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(b["templateId"], tid.as_str());
    assert_eq!(b["status"], "DRAFT");
    let id = b["id"].as_str().unwrap().to_string();
    let (_, s) = t
        .call("GET", &format!("/admin/scenarios/{id}"), &editor, None)
        .await;
    assert_eq!(s["customerProfile"]["name"], "Jane Smith");
    assert_eq!(s["context"]["companyName"], "MyCompany Inc");
    assert_eq!(s["context"]["contextDetails"]["disputedAmount"], 75);
    assert_eq!(s["context"]["issue"], "Bill is $75 higher than usual");

    // Comments: thread, edit by author only.
    let (st, c) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/comments"),
            &editor,
            Some(json!({"content": "Mood too low?"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let cid = c["id"].as_str().unwrap().to_string();
    let other = t.app.token_for(&["training:editor"]).await;
    let (st, _) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/comments"),
            &other,
            Some(json!({"content": "Agreed", "parentId": cid})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/{id}/comments/{cid}"),
            &other,
            Some(json!({"content": "hijack"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, c) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/{id}/comments/{cid}"),
            &editor,
            Some(json!({"content": "Mood is too low"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(c["edited"], true);
    let (_, l) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{id}/comments"),
            &editor,
            None,
        )
        .await;
    assert_eq!(l["comments"][0]["replies"][0]["content"], "Agreed");
    let (st, _) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/comments"),
            &editor,
            Some(json!({"content": ""})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    // Attempts and analytics: the template weights are 10/20/30/25/15.
    let scores =
        json!({"greeting": 80, "listening": 90, "solution": 70, "empathy": 60, "closing": 100});
    let (st, a) = t.call("POST", &format!("/admin/scenarios/{id}/attempts"), &editor, Some(json!({"scores": scores, "duration": 400, "rating": 5, "tokensUsed": 1000, "latency": 2.0}))).await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    // (8 + 18 + 21 + 15 + 15) = 77
    assert_eq!(a["score"], 77.0);
    assert_eq!(a["passed"], true);
    let (st, _) = t.call("POST", &format!("/admin/scenarios/{id}/attempts"), &other, Some(json!({"score": 55, "duration": 600, "rating": 3, "completed": false, "tokensUsed": 2000, "latency": 1.0, "error": true}))).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, b) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/attempts"),
            &other,
            Some(json!({"rating": 9})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["error"]["details"][0]["field"], "rating");

    let (st, an) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{id}/analytics?period=7d"),
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{an}");
    assert_eq!(an["period"]["days"], 7);
    assert_eq!(an["metrics"]["totalAttempts"], 2);
    assert_eq!(an["metrics"]["uniqueUsers"], 2);
    assert_eq!(an["metrics"]["completionRate"], 0.5);
    assert_eq!(an["metrics"]["averageDuration"], 500.0);
    assert_eq!(an["metrics"]["averageScore"], 66.0);
    assert_eq!(an["metrics"]["passRate"], 0.5);
    assert_eq!(an["scoreDistribution"]["greeting"], 80.0);
    assert_eq!(an["scoreBreakdown"]["0-60"], 1);
    assert_eq!(an["scoreBreakdown"]["71-80"], 1);
    assert_eq!(an["userFeedback"]["averageRating"], 4.0);
    assert_eq!(an["userFeedback"]["ratings"]["5"], 1);
    assert_eq!(an["performance"]["avgTokensUsed"], 1500.0);
    assert_eq!(an["performance"]["errorRate"], 0.5);
    assert_eq!(an["trends"][0]["attempts"], 2);
    let (st, _) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{id}/analytics?period=2w"),
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, b) = t.call("GET", &format!("/admin/scenarios/{id}/analytics?period=custom&startDate=2020-01-01&endDate=2020-01-31"), &editor, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["metrics"]["totalAttempts"], 0);
    assert_eq!(b["period"]["days"], 31);

    let (_, d) = t
        .call(
            "GET",
            "/admin/analytics/dashboard?period=30d",
            &editor,
            None,
        )
        .await;
    assert_eq!(d["attempts"]["totalAttempts"], 2);
    assert_eq!(d["scenarios"]["total"], 1);
    assert_eq!(d["topScenarios"][0]["scenarioId"], id.as_str());

    let (_, l) = t
        .call("GET", "/admin/scenarios?sortBy=usageCount", &editor, None)
        .await;
    assert_eq!(l["data"][0]["usageCount"], 2);
    let (_, tl) = t.call("GET", "/admin/templates", &editor, None).await;
    assert_eq!(tl["templates"][0]["usageCount"], 1);
}

#[tokio::test]
async fn rate_limits_apply_to_writes() {
    let app =
        TestApp::with_settings(vec![frontline_training::module()], |s| s.rate_limits = true).await;
    let t = T { app };
    let editor = t.app.token_for(&["training:editor"]).await;
    let mut last = (StatusCode::OK, Value::Null);
    for i in 0..11 {
        let mut d = doc_example();
        d["name"] = json!(format!("Scenario number {i}"));
        last = t.call("POST", "/admin/scenarios", &editor, Some(d)).await;
    }
    assert_eq!(last.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(last.1["error"]["code"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(last.1["error"]["limit"], 10);
    assert_eq!(last.1["error"]["windowSeconds"], 3600);
}

#[tokio::test]
async fn bulk_update_and_delete() {
    let t = T::new().await;
    let editor = t.app.token_for(&["training:editor"]).await;
    let publisher = t.app.token_for(&["training:publisher"]).await;
    let mut ids = Vec::new();
    for name in ["Bulk one", "Bulk two"] {
        let mut d = doc_example();
        d["name"] = json!(name);
        let (_, b) = t.call("POST", "/admin/scenarios", &editor, Some(d)).await;
        ids.push(b["id"].as_str().unwrap().to_string());
    }
    let (st, b) = t
        .call("PATCH", "/admin/scenarios/bulk/update", &editor, Some(json!({"scenarioIds": [ids[0], ids[1], "scn_nothere00"], "updates": {"difficulty": "EXPERT"}})))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["updated"], 2);
    assert_eq!(b["failed"], 1);
    assert_eq!(b["errors"][0]["error"]["code"], "SCENARIO_NOT_FOUND");
    let (_, s) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{}", ids[1]),
            &editor,
            None,
        )
        .await;
    assert_eq!(s["difficulty"], "EXPERT");
    // A value the document's enum does not list refuses the whole request.
    let (st, b) = t
        .call(
            "PATCH",
            "/admin/scenarios/bulk/update",
            &editor,
            Some(json!({"scenarioIds": [ids[0]], "updates": {"difficulty": "HARD"}})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "VALIDATION_ERROR");
    assert_eq!(b["error"]["details"][0]["field"], "updates.difficulty");

    let (st, _) = t
        .call(
            "DELETE",
            "/admin/scenarios/bulk/delete",
            &editor,
            Some(json!({"scenarioIds": ids})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, b) = t
        .call(
            "DELETE",
            "/admin/scenarios/bulk/delete",
            &publisher,
            Some(json!({"scenarioIds": ids})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["deleted"], 2);
    let (_, l) = t
        .call("GET", "/admin/scenarios?status=ARCHIVED", &editor, None)
        .await;
    assert_eq!(l["pagination"]["total"], 2);
    let (st, _) = t
        .call(
            "DELETE",
            "/admin/scenarios/bulk/delete",
            &publisher,
            Some(json!({"scenarioIds": []})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}
