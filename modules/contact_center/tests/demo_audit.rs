mod part1;

use part1::*;
use serde_json::json;

#[tokio::test]
async fn demo_data_is_coherent_and_loads_once() {
    let cc = Cc::new().await;
    let demo = frontline_contact_center::module().demo.unwrap();
    demo(&cc.app.platform).unwrap();
    demo(&cc.app.platform).unwrap();
    let login = cc
        .app
        .client
        .post("/contact-center/api/v1/auth/login")
        .body_json(&json!({"email": "supervisor.demo@contact-center.local", "password": "demo-password-2026"}))
        .send()
        .await;
    login.assert_status_is_ok();
    let token = login
        .0
        .into_body()
        .into_json::<serde_json::Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let campaigns = cc.get(&token, "/campaigns?status=active").await.expect(200);
    assert_eq!(campaigns.as_array().unwrap().len(), 1);
    let q4 = &campaigns[0];
    assert_eq!(q4["total_contacts"], 24);
    assert_eq!(q4["completed_calls"], 18);
    let stats = cc
        .get(&token, &format!("/campaigns/{}/stats", q4["id"]))
        .await
        .expect(200);
    assert!(stats["success_rate"].as_f64().unwrap() > 0.0);
    assert_eq!(cc.get(&token, "/teams").await.header("X-Total-Count"), "2");
    assert_eq!(cc.get(&token, "/agents").await.header("X-Total-Count"), "4");
    assert_eq!(
        cc.get(&token, "/companies").await.header("X-Total-Count"),
        "1"
    );
    let queues = cc.get(&token, "/queues").await.expect(200);
    assert_eq!(queues[0]["waiting_calls"], 2);
    assert_eq!(
        (
            queues[1]["waiting_calls"].as_i64(),
            queues[1]["current_calls"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let perf = cc
        .get(
            &token,
            &format!("/teams/{}/performance?period=7d", queues[0]["team_id"]),
        )
        .await
        .expect(200);
    assert!(perf["total_calls"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn changes_are_audited_and_emit_events() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let id = cc.campaign(&user, "Audited").await;
    let contact = cc.contact(&user, id, "A", "+14155550001").await;
    cc.post(&user, &format!("/campaigns/{id}/start"), json!({}))
        .await
        .expect(200);
    cc.post(
        &user,
        "/calls",
        json!({"contact_id": contact, "duration": 10, "outcome": "success"}),
    )
    .await
    .expect(201);
    // A refused change leaves no trace.
    cc.post(&user, &format!("/campaigns/{id}/start"), json!({}))
        .await
        .expect(409);
    let (actions, events) = cc
        .app
        .platform
        .db
        .read(|c| {
            let mut s = c.prepare("SELECT action FROM platform_audit_log WHERE module = 'contact-center' ORDER BY id")?;
            let actions = s.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
            let mut s = c.prepare("SELECT event_type FROM platform_events WHERE module = 'contact-center' ORDER BY id")?;
            let events = s.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
            Ok((actions, events))
        })
        .await
        .unwrap();
    assert_eq!(
        actions,
        [
            "campaign.create",
            "contact.create",
            "campaign.active",
            "call.record"
        ]
    );
    assert_eq!(events, ["campaign.started", "call.ended"]);
}

#[tokio::test]
async fn the_documents_rate_limit_applies() {
    let app = frontline_platform::testing::TestApp::with_settings(
        vec![frontline_contact_center::module()],
        |s| s.rate_limits = true,
    )
    .await;
    let resp = app
        .client
        .get("/contact-center/api/v1/campaigns")
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .send()
        .await;
    resp.assert_status_is_ok();
    // 100 per minute with bursts of 200.
    resp.assert_header("X-RateLimit-Limit", "200");
    let dup = app
        .client
        .post("/contact-center/api/v1/auth/register")
        .body_json(
            &json!({"email": "admin@test.local", "password": "Password123", "full_name": "A"}),
        )
        .send()
        .await;
    dup.assert_status(poem::http::StatusCode::CONFLICT);
    let b: serde_json::Value = dup.0.into_body().into_json().await.unwrap();
    assert_eq!(b["error_code"], "DUPLICATE_RESOURCE");
    assert_eq!(b["field"], "email");
}
