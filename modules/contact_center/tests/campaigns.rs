mod part1;

use part1::*;
use serde_json::json;

#[tokio::test]
async fn create_get_update_delete_with_the_documents_example() {
    let cc = Cc::new().await;
    let (uid, user) = cc.user("user").await;
    let body = json!({
      "name": "Holiday Sales Campaign",
      "description": "Holiday promotions for premium customers",
      "campaign_type": "outbound",
      "status": "draft",
      "provider_type": "openai",
      "provider_model": "gpt-4-realtime-preview",
      "provider_config": {"temperature": 0.7, "voice": "alloy"},
      "system_prompt": "You are a friendly sales representative...",
      "start_date": "2025-12-01T00:00:00Z",
      "end_date": "2025-12-25T23:59:59Z",
      "max_daily_calls": 100,
      "retry_failed": true,
      "max_retries": 3
    });
    let c = cc.post(&user, "/campaigns", body).await.expect(201);
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["status"], "draft");
    assert_eq!(c["provider_config"]["voice"], "alloy");
    assert_eq!(c["created_by_id"], uid);
    assert_eq!(c["total_contacts"], 0);
    assert_eq!(c["success_rate"], 0.0);
    assert!(c["created_at"].as_str().unwrap().ends_with('Z'));

    let got = cc.get(&user, &format!("/campaigns/{id}")).await.expect(200);
    assert_eq!(got["name"], "Holiday Sales Campaign");
    assert_eq!(got["max_retries"], 3);

    let up = cc
        .put(
            &user,
            &format!("/campaigns/{id}"),
            json!({"max_daily_calls": 250, "description": "Updated"}),
        )
        .await
        .expect(200);
    assert_eq!(up["max_daily_calls"], 250);
    assert_eq!(up["description"], "Updated");
    assert_eq!(up["name"], "Holiday Sales Campaign");

    // Dates must stay in order, even when only one changes.
    let bad = cc
        .put(
            &user,
            &format!("/campaigns/{id}"),
            json!({"end_date": "2025-11-01T00:00:00Z"}),
        )
        .await
        .expect(422);
    assert_eq!(bad["field"], "end_date");

    cc.delete(&user, &format!("/campaigns/{id}"))
        .await
        .expect(204);
    let gone = cc.get(&user, &format!("/campaigns/{id}")).await.expect(404);
    assert_eq!(gone["error_code"], "NOT_FOUND");
}

#[tokio::test]
async fn validation_reports_each_bad_field() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let r = cc
        .post(
            &user,
            "/campaigns",
            json!({"name": " ", "provider_type": "skynet", "campaign_type": "sideways",
                   "max_daily_calls": 0, "max_retries": 11,
                   "start_date": "2025-12-10T00:00:00Z", "end_date": "2025-12-01T00:00:00Z"}),
        )
        .await
        .expect(422);
    assert_eq!(r["error_code"], "VALIDATION_ERROR");
    let fields: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "name",
        "provider_type",
        "campaign_type",
        "max_daily_calls",
        "max_retries",
    ] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    // The document's rules are checked first (all at once); the order of the
    // dates is checked once the body fits the document.
    let r = cc
        .post(
            &user,
            "/campaigns",
            json!({"name": "Dates", "start_date": "2025-12-10T00:00:00Z", "end_date": "2025-12-01T00:00:00Z"}),
        )
        .await
        .expect(422);
    assert_eq!(r["field"], "end_date");
    let r = cc
        .post(
            &user,
            "/campaigns",
            json!({"name": "X", "start_date": "next tuesday"}),
        )
        .await
        .expect(422);
    assert_eq!(r["field"], "start_date");
    let r = cc
        .post(
            &user,
            "/campaigns",
            json!({"name": "X", "status": "active"}),
        )
        .await
        .expect(422);
    assert_eq!(r["field"], "status");
    // A wrong JSON type is a 422 in the same body.
    let r = cc
        .post(
            &user,
            "/campaigns",
            json!({"name": "X", "max_retries": "three"}),
        )
        .await
        .expect(422);
    assert!(r["detail"].is_string() && r["timestamp"].is_string());
}

#[tokio::test]
async fn status_machine_and_start_rules() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let id = cc.campaign(&user, "Q1").await;

    // No contacts: cannot start.
    let r = cc
        .post(&user, &format!("/campaigns/{id}/start"), json!({}))
        .await
        .expect(409);
    assert_eq!(r["error_code"], "CAMPAIGN_HAS_NO_CONTACTS");
    // Pausing a draft is not a move the machine allows.
    let r = cc
        .post(&user, &format!("/campaigns/{id}/pause"), json!({}))
        .await
        .expect(409);
    assert_eq!(r["error_code"], "INVALID_STATUS_TRANSITION");

    cc.contact(&user, id, "Ann", "+14155550001").await;
    let c = cc
        .post(&user, &format!("/campaigns/{id}/start"), json!({}))
        .await
        .expect(200);
    assert_eq!(c["status"], "active");
    assert!(c["started_at"].is_string());
    let r = cc
        .post(&user, &format!("/campaigns/{id}/start"), json!({}))
        .await
        .expect(409);
    assert_eq!(r["error_code"], "INVALID_STATUS_TRANSITION");
    // An active campaign cannot be deleted.
    let r = cc
        .delete(&user, &format!("/campaigns/{id}"))
        .await
        .expect(409);
    assert_eq!(r["error_code"], "CAMPAIGN_ACTIVE");

    let c = cc
        .post(&user, &format!("/campaigns/{id}/pause"), json!({}))
        .await
        .expect(200);
    assert_eq!(c["status"], "paused");
    let c = cc
        .post(&user, &format!("/campaigns/{id}/start"), json!({}))
        .await
        .expect(200);
    assert_eq!(c["status"], "active");

    // Through PUT: active -> draft is not allowed, active -> completed is.
    cc.put(
        &user,
        &format!("/campaigns/{id}"),
        json!({"status": "draft"}),
    )
    .await
    .expect(409);
    let c = cc
        .put(
            &user,
            &format!("/campaigns/{id}"),
            json!({"status": "completed"}),
        )
        .await
        .expect(200);
    assert_eq!(c["status"], "completed");
    assert!(c["completed_at"].is_string());
    // Completed campaigns are closed to changes and cannot restart.
    let r = cc
        .put(
            &user,
            &format!("/campaigns/{id}"),
            json!({"name": "Renamed"}),
        )
        .await
        .expect(409);
    assert_eq!(r["error_code"], "CAMPAIGN_CLOSED");
    cc.post(&user, &format!("/campaigns/{id}/start"), json!({}))
        .await
        .expect(409);
    let c = cc
        .put(
            &user,
            &format!("/campaigns/{id}"),
            json!({"status": "archived"}),
        )
        .await
        .expect(200);
    assert_eq!(c["status"], "archived");
    let r = cc
        .put(
            &user,
            &format!("/campaigns/{id}"),
            json!({"status": "bogus"}),
        )
        .await
        .expect(422);
    assert_eq!(r["field"], "status");

    // A campaign past its end date cannot start.
    let old = cc
        .post(&user, "/campaigns", json!({"name": "Old", "start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"}))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    cc.contact(&user, old, "Bo", "+14155550002").await;
    let r = cc
        .post(&user, &format!("/campaigns/{old}/start"), json!({}))
        .await
        .expect(409);
    assert_eq!(r["error_code"], "CAMPAIGN_ENDED");
    assert_eq!(r["field"], "end_date");
}

#[tokio::test]
async fn clone_copies_configuration_not_results() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let id = cc
        .post(&user, "/campaigns", json!({"name": "Q1 Sales", "provider_config": {"voice": "echo"}, "max_retries": 2, "retry_failed": true}))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let contact = cc.contact(&user, id, "Ann", "+14155550001").await;
    cc.post(&user, &format!("/campaigns/{id}/start"), json!({}))
        .await
        .expect(200);
    cc.post(
        &user,
        "/calls",
        json!({"campaign_id": id, "contact_id": contact, "duration": 60, "outcome": "success"}),
    )
    .await
    .expect(201);

    let copy = cc
        .post(
            &user,
            &format!("/campaigns/{id}/clone"),
            json!({"name": "Q1 Sales Campaign (Copy)"}),
        )
        .await
        .expect(201);
    assert_eq!(copy["name"], "Q1 Sales Campaign (Copy)");
    assert_eq!(copy["status"], "draft");
    assert_eq!(copy["provider_config"]["voice"], "echo");
    assert_eq!(copy["max_retries"], 2);
    assert_eq!(copy["cloned_from_id"], id);
    assert_eq!(copy["total_contacts"], 0);
    assert_eq!(copy["completed_calls"], 0);
    assert!(copy["started_at"].is_null());
    let default_name = cc
        .post(&user, &format!("/campaigns/{id}/clone"), json!({}))
        .await
        .expect(201);
    assert_eq!(default_name["name"], "Q1 Sales (Copy)");
}

#[tokio::test]
async fn stats_are_computed_from_recorded_calls() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let id = cc
        .post(
            &user,
            "/campaigns",
            json!({"name": "S", "retry_failed": true, "max_retries": 1}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let a = cc.contact(&user, id, "A", "+14155550001").await;
    let b = cc.contact(&user, id, "B", "+14155550002").await;
    cc.contact(&user, id, "C", "+14155550003").await;
    cc.contact(&user, id, "D", "+14155550004").await;
    for (contact, duration, outcome, cost) in [
        (a, 100, "converted", 0.5),
        (b, 30, "no_answer", 0.1),
        (b, 200, "success", 0.9),
        (a, 50, "failed", 0.5),
    ] {
        cc.post(&user, "/calls", json!({"campaign_id": id, "contact_id": contact, "duration": duration, "outcome": outcome, "cost": cost}))
            .await
            .expect(201);
    }
    let s = cc
        .get(&user, &format!("/campaigns/{id}/stats"))
        .await
        .expect(200);
    assert_eq!(s["total_contacts"], 4);
    assert_eq!(s["completed_calls"], 4);
    assert_eq!(s["successful_calls"], 2);
    assert_eq!(s["success_rate"], 0.5);
    assert_eq!(s["conversion_rate"], 0.25);
    assert_eq!(s["avg_call_duration"], 95.0);
    assert_eq!(s["total_call_time"], 380);
    assert_eq!(s["cost_per_call"], 0.5);
    assert_eq!(s["calls_by_outcome"]["no_answer"], 1);
    // a converted then failed: still completed; b: no_answer (retry left) then success.
    assert_eq!(s["contacts_by_status"]["completed"], 2);
    assert_eq!(s["contacts_by_status"]["pending"], 2);
    let c = cc.get(&user, &format!("/campaigns/{id}")).await.expect(200);
    assert_eq!(c["completed_calls"], 4);
    assert_eq!(c["success_rate"], 0.5);
    let contact = cc.get(&user, &format!("/contacts/{b}")).await.expect(200);
    assert_eq!(contact["call_attempts"], 2);

    // Bad call records.
    let r = cc
        .post(
            &user,
            "/calls",
            json!({"campaign_id": id, "duration": -1, "outcome": "meh", "cost": -2.0}),
        )
        .await
        .expect(422);
    assert_eq!(r["errors"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn failed_attempts_use_up_retries() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let id = cc
        .post(
            &user,
            "/campaigns",
            json!({"name": "R", "retry_failed": true, "max_retries": 1}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let k = cc.contact(&user, id, "K", "+14155550009").await;
    let call = json!({"contact_id": k, "duration": 5, "outcome": "busy"});
    cc.post(&user, "/calls", call.clone()).await.expect(201);
    assert_eq!(
        cc.get(&user, &format!("/contacts/{k}")).await.expect(200)["status"],
        "called"
    );
    cc.post(&user, "/calls", call).await.expect(201);
    let c = cc.get(&user, &format!("/contacts/{k}")).await.expect(200);
    assert_eq!(c["status"], "failed");
    assert_eq!(c["call_attempts"], 2);
}

#[tokio::test]
async fn lists_page_with_headers_and_filters() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    for i in 0..5 {
        cc.campaign(&user, &format!("Sales {i}")).await;
    }
    cc.campaign(&user, "Support").await;
    let r = cc
        .get(&user, "/campaigns?search=Sales&limit=2&offset=2")
        .await;
    assert_eq!(r.header("X-Total-Count"), "5");
    assert_eq!(r.header("X-Page-Count"), "3");
    let link = r.header("Link");
    assert!(
        link.contains(
            "</contact-center/api/v1/campaigns?search=Sales&limit=2&offset=4>; rel=\"next\""
        ),
        "{link}"
    );
    assert!(link.contains("offset=0>; rel=\"prev\""), "{link}");
    assert!(link.contains("offset=4>; rel=\"last\""), "{link}");
    let page = r.expect(200);
    let names: Vec<&str> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Sales 2", "Sales 1"]);

    let r = cc.get(&user, "/campaigns?status=active").await;
    assert_eq!(r.header("X-Total-Count"), "0");
    assert_eq!(r.expect(200), json!([]));
    cc.get(&user, "/campaigns?status=running").await.expect(422);
    let r = cc.get(&user, "/campaigns?limit=1000").await.expect(422);
    assert_eq!(r["field"], "limit");
    cc.get(&user, "/campaigns?offset=-1").await.expect(422);
}

#[tokio::test]
async fn users_see_only_their_campaigns_and_agents_only_read() {
    let cc = Cc::new().await;
    let alice = cc.token("user").await;
    let bob = cc.token("user").await;
    let agent = cc.token("agent").await;
    let supervisor = cc.token("supervisor").await;
    let id = cc.campaign(&alice, "Alice's").await;

    cc.get(&bob, &format!("/campaigns/{id}")).await.expect(404);
    cc.put(&bob, &format!("/campaigns/{id}"), json!({"name": "mine"}))
        .await
        .expect(404);
    cc.delete(&bob, &format!("/campaigns/{id}"))
        .await
        .expect(404);
    cc.get(&bob, &format!("/campaigns/{id}/stats"))
        .await
        .expect(404);
    assert_eq!(cc.get(&bob, "/campaigns").await.expect(200), json!([]));

    assert_eq!(
        cc.get(&agent, &format!("/campaigns/{id}"))
            .await
            .expect(200)["name"],
        "Alice's"
    );
    let r = cc
        .post(&agent, "/campaigns", json!({"name": "x"}))
        .await
        .expect(403);
    assert_eq!(r["error_code"], "AUTHORIZATION_ERROR");
    cc.put(&agent, &format!("/campaigns/{id}"), json!({"name": "x"}))
        .await
        .expect(403);

    cc.put(
        &supervisor,
        &format!("/campaigns/{id}"),
        json!({"name": "Reviewed"}),
    )
    .await
    .expect(200);
    // No token, or no role in the module.
    cc.get("", "/campaigns").await.expect(401);
    let outsider = cc.app.token_for(&["training:viewer"]).await;
    cc.get(&outsider, "/campaigns").await.expect(403);
}

/// Issue 22 #4: the documented campaign limits are enforced when calls are
/// recorded: max_daily_calls per day, the retries, the calling window.
#[tokio::test]
async fn campaign_limits_refuse_calls_over_them() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let id = cc
        .post(
            &user,
            "/campaigns",
            json!({"name": "Limits", "max_daily_calls": 1, "retry_failed": false,
                   "start_date": "2026-01-01T00:00:00Z", "end_date": "2026-10-31T23:59:59Z"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let day = |h: u32| format!("2026-06-01T{h:02}:00:00Z");
    cc.post(
        &user,
        "/calls",
        json!({"campaign_id": id, "duration": 5, "outcome": "busy", "started_at": day(9)}),
    )
    .await
    .expect(201);
    let r = cc
        .post(
            &user,
            "/calls",
            json!({"campaign_id": id, "duration": 5, "outcome": "success", "started_at": day(10)}),
        )
        .await
        .expect(409);
    assert_eq!(r["error_code"], "CAMPAIGN_LIMIT_REACHED", "{r}");
    assert!(
        r["detail"].as_str().unwrap().contains("max_daily_calls"),
        "{r}"
    );
    // The next day is fine; only one call is stored for 2026-06-01.
    cc.post(&user, "/calls", json!({"campaign_id": id, "duration": 5, "outcome": "success", "started_at": "2026-06-02T09:00:00Z"}))
        .await
        .expect(201);
    let s = cc
        .get(&user, &format!("/campaigns/{id}/stats"))
        .await
        .expect(200);
    assert_eq!(s["completed_calls"], 2);

    // Calling window.
    for at in ["2025-12-31T09:00:00Z", "2026-11-01T09:00:00Z"] {
        let r = cc
            .post(
                &user,
                "/calls",
                json!({"campaign_id": id, "duration": 5, "outcome": "success", "started_at": at}),
            )
            .await
            .expect(409);
        let limit = if at.starts_with("2025") {
            "start_date"
        } else {
            "end_date"
        };
        assert!(r["detail"].as_str().unwrap().contains(limit), "{r}");
    }

    // Retries: retry_failed false, so one failed attempt uses the contact up.
    let k = cc.contact(&user, id, "K", "+14155550019").await;
    cc.post(&user, "/calls", json!({"contact_id": k, "duration": 5, "outcome": "busy", "started_at": "2026-06-03T09:00:00Z"}))
        .await
        .expect(201);
    let r = cc
        .post(&user, "/calls", json!({"contact_id": k, "duration": 5, "outcome": "busy", "started_at": "2026-06-04T09:00:00Z"}))
        .await
        .expect(409);
    assert!(r["detail"].as_str().unwrap().contains("max_retries"), "{r}");
    let c = cc.get(&user, &format!("/contacts/{k}")).await.expect(200);
    assert_eq!(c["call_attempts"], 1);
}
