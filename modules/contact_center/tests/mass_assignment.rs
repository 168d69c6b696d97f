//! Mass assignment: roles, statuses, authorship and statistics smuggled into
//! contact-center bodies are not taken.

mod part1;

use part1::*;
use serde_json::{json, Value};

async fn roles_of(cc: &Cc, email: &str) -> Vec<String> {
    let email = email.to_string();
    let roles: String = cc
        .app
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT roles FROM platform_users WHERE email = ?1",
                [&email],
                |r| r.get(0),
            )?)
        })
        .await
        .expect("user row");
    serde_json::from_str(&roles).unwrap()
}

async fn campaign_row(cc: &Cc, id: i64) -> Value {
    cc.app
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT status, created_by_id, started_at FROM cc_campaigns WHERE id = ?1",
                [id],
                |r| {
                    Ok(json!({
                        "status": r.get::<_, String>(0)?,
                        "created_by_id": r.get::<_, i64>(1)?,
                        "started_at": r.get::<_, Option<String>>(2)?,
                    }))
                },
            )?)
        })
        .await
        .expect("campaign row")
}

#[tokio::test]
async fn registration_cannot_choose_roles_or_state() {
    let cc = Cc::new().await;
    let r = cc
        .post(
            "",
            "/auth/register",
            json!({
                "email": "mallory@example.com", "password": "secret-pass-1", "full_name": "Mallory",
                "roles": ["admin", "contact-center:admin"], "role": "admin", "is_superuser": true,
                "is_admin": true, "is_active": true, "id": 1, "created_at": "2000-01-01T00:00:00Z"
            }),
        )
        .await
        .expect(201);
    assert_ne!(r["id"], 1, "{r}");
    assert_ne!(r["created_at"], "2000-01-01T00:00:00Z");
    assert_eq!(
        roles_of(&cc, "mallory@example.com").await,
        vec!["contact-center:user".to_string()]
    );

    let login = cc
        .post(
            "",
            "/auth/login",
            json!({"email": "mallory@example.com", "password": "secret-pass-1"}),
        )
        .await
        .expect(200);
    let token = login["access_token"].as_str().unwrap().to_string();
    // A plain user: no staff listings, no agent profiles, no teams.
    cc.get(&token, "/agents").await.expect(403);
    cc.post(&token, "/teams", json!({"name": "Takeover"}))
        .await
        .expect(403);
    let me = cc.get(&token, "/auth/me").await.expect(200);
    assert_eq!(me["email"], "mallory@example.com");
}

#[tokio::test]
async fn campaign_status_author_and_stats_come_from_the_server() {
    let cc = Cc::new().await;
    let (alice_id, alice) = cc.user("user").await;
    let (bob_id, _bob) = cc.user("user").await;

    // Created active: refused with the module's 422 body, nothing stored.
    let r = cc
        .post(
            &alice,
            "/campaigns",
            json!({"name": "Eager", "status": "active"}),
        )
        .await
        .expect(422);
    assert_eq!(r["field"], "status", "{r}");
    let listed = cc.get(&alice, "/campaigns").await.expect(200);
    assert_eq!(listed, json!([]));

    let stats = json!({
        "id": 999, "created_by_id": bob_id, "total_contacts": 5000, "completed_calls": 4000,
        "success_rate": 0.99, "started_at": "2020-01-01T00:00:00Z", "completed_at": "2020-02-01T00:00:00Z",
        "cloned_from_id": 1, "created_at": "2000-01-01T00:00:00Z"
    });
    let mut body = json!({"name": "Q4 Outreach", "status": "draft"});
    for (k, v) in stats.as_object().unwrap() {
        body[k] = v.clone();
    }
    let c = cc.post(&alice, "/campaigns", body).await.expect(201);
    let id = c["id"].as_i64().unwrap();
    assert_ne!(id, 999);
    let got = cc
        .get(&alice, &format!("/campaigns/{id}"))
        .await
        .expect(200);
    for (field, want) in [
        ("status", json!("draft")),
        ("created_by_id", json!(alice_id)),
        ("total_contacts", json!(0)),
        ("completed_calls", json!(0)),
        ("started_at", Value::Null),
        ("completed_at", Value::Null),
        ("cloned_from_id", Value::Null),
    ] {
        assert_eq!(got[field], want, "{field}: {got}");
    }
    assert_eq!(got["success_rate"].as_f64(), Some(0.0), "{got}");
    assert_ne!(got["created_at"], "2000-01-01T00:00:00Z");

    // Update: stats and author ignored; status follows the machine (no
    // contacts, so it cannot go active).
    let mut body = json!({"description": "updated"});
    for (k, v) in stats.as_object().unwrap() {
        body[k] = v.clone();
    }
    cc.put(&alice, &format!("/campaigns/{id}"), body)
        .await
        .expect(200);
    let r = cc
        .put(
            &alice,
            &format!("/campaigns/{id}"),
            json!({"status": "active"}),
        )
        .await
        .expect(409);
    assert_eq!(r["error_code"], "CAMPAIGN_HAS_NO_CONTACTS", "{r}");
    let r = cc
        .put(
            &alice,
            &format!("/campaigns/{id}"),
            json!({"status": "completed"}),
        )
        .await
        .expect(409);
    assert_eq!(r["error_code"], "INVALID_STATUS_TRANSITION", "{r}");
    let got = cc
        .get(&alice, &format!("/campaigns/{id}"))
        .await
        .expect(200);
    assert_eq!(got["description"], "updated");
    assert_eq!(
        (got["status"].clone(), got["created_by_id"].clone()),
        (json!("draft"), json!(alice_id))
    );
    assert_eq!(got["total_contacts"], 0, "{got}");
    let row = campaign_row(&cc, id).await;
    assert_eq!(
        row,
        json!({"status": "draft", "created_by_id": alice_id, "started_at": null})
    );

    // An agent cannot move a campaign's status at all.
    let agent = cc.token("agent").await;
    cc.put(
        &agent,
        &format!("/campaigns/{id}"),
        json!({"status": "archived"}),
    )
    .await
    .expect(403);
    assert_eq!(campaign_row(&cc, id).await["status"], "draft");

    // A contact's call counters are the server's.
    let contact = cc
        .post(
            &alice,
            "/contacts",
            json!({"campaign_id": id, "first_name": "Ann", "phone_number": "+14155550100",
                   "call_attempts": 9, "last_called_at": "2020-01-01T00:00:00Z", "created_by_id": bob_id}),
        )
        .await
        .expect(201);
    assert_eq!(contact["call_attempts"], 0, "{contact}");
    assert!(contact["last_called_at"].is_null(), "{contact}");
    assert_eq!(contact["created_by_id"], alice_id, "{contact}");
}

#[tokio::test]
async fn plain_users_cannot_publish_templates_or_mark_them_system() {
    let cc = Cc::new().await;
    let (alice_id, alice) = cc.user("user").await;
    let (bob_id, _) = cc.user("user").await;
    let t = cc
        .post(
            &alice,
            "/campaign-templates",
            json!({"name": "Mine", "is_system": true, "created_by_id": bob_id, "id": 1}),
        )
        .await
        .expect(201);
    let id = t["id"].as_i64().unwrap();
    assert_ne!(id, 1);
    assert_eq!(
        (t["is_system"].clone(), t["is_public"].clone()),
        (json!(false), json!(false)),
        "{t}"
    );
    assert_eq!(t["created_by_id"], alice_id, "{t}");

    // Publishing by update is refused, and nothing changes.
    cc.put(
        &alice,
        &format!("/campaign-templates/{id}"),
        json!({"is_public": true, "name": "Public now"}),
    )
    .await
    .expect(403);
    cc.put(
        &alice,
        &format!("/campaign-templates/{id}"),
        json!({"is_system": true, "created_by_id": bob_id}),
    )
    .await
    .expect(200);
    let got = cc
        .get(&alice, &format!("/campaign-templates/{id}"))
        .await
        .expect(200);
    assert_eq!(got["name"], "Mine");
    assert_eq!(
        (got["is_public"].clone(), got["is_system"].clone()),
        (json!(false), json!(false)),
        "{got}"
    );
    assert_eq!(got["created_by_id"], alice_id, "{got}");
    // Still private: another user does not see it.
    let bob = cc.token("user").await;
    cc.get(&bob, &format!("/campaign-templates/{id}"))
        .await
        .expect(404);

    // A supervisor may publish it.
    let supervisor = cc.token("supervisor").await;
    cc.post(
        &supervisor,
        "/campaign-templates",
        json!({"name": "Shared", "is_public": true}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn agent_profiles_cannot_be_taken_over() {
    let cc = Cc::new().await;
    let (agent_id, agent) = cc.agent("AG-001", json!({})).await;
    let (victim_uid, _) = cc.user("user").await;
    let (_, plain) = cc.user("user").await;

    // Only supervisors create agent profiles, for any user.
    for token in [&agent, &plain] {
        cc.post(
            token,
            "/agents",
            json!({"user_id": victim_uid, "agent_number": "AG-666"}),
        )
        .await
        .expect(403);
    }
    let before = cc
        .get(&cc.admin, &format!("/agents/{agent_id}"))
        .await
        .expect(200);

    // An agent changing its own status cannot re-point the profile or its counters.
    let r = cc
        .put(
            &agent,
            &format!("/agents/{agent_id}"),
            json!({"status": "busy", "user_id": victim_uid, "current_calls": 7, "id": 99,
                   "email": "victim@example.com", "skills": [{"name": "admin", "level": 10}]}),
        )
        .await
        .expect(200);
    assert_eq!(r["status"], "busy", "{r}");
    let after = cc
        .get(&cc.admin, &format!("/agents/{agent_id}"))
        .await
        .expect(200);
    for field in [
        "id",
        "user_id",
        "email",
        "current_calls",
        "skills",
        "skill_level",
        "agent_number",
    ] {
        assert_eq!(after[field], before[field], "{field}: {after}");
    }
    // Anything beyond its own status is refused.
    cc.put(
        &agent,
        &format!("/agents/{agent_id}"),
        json!({"skill_level": 10}),
    )
    .await
    .expect(403);
    assert_eq!(
        cc.get(&cc.admin, &format!("/agents/{agent_id}"))
            .await
            .expect(200)["skill_level"],
        before["skill_level"]
    );
}
