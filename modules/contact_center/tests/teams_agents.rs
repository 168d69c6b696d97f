mod part1;

use part1::*;
use serde_json::json;

#[tokio::test]
async fn teams_crud_and_permissions() {
    let cc = Cc::new().await;
    let (sup_id, supervisor) = cc.user("supervisor").await;
    let agent = cc.token("agent").await;
    let user = cc.token("user").await;
    let body = json!({"name": "Sales Team Alpha", "description": "Senior sales representatives", "team_type": "sales", "max_agents": 20, "supervisor_id": sup_id, "is_active": true});
    cc.post(&agent, "/teams", body.clone()).await.expect(403);
    cc.post(&user, "/teams", body.clone()).await.expect(403);
    cc.get(&user, "/teams").await.expect(403);
    let t = cc
        .post(&supervisor, "/teams", body.clone())
        .await
        .expect(201);
    let id = t["id"].as_i64().unwrap();
    assert_eq!(t["supervisor_id"], sup_id);
    assert_eq!(t["agent_count"], 0);
    assert_eq!(
        cc.post(&supervisor, "/teams", body).await.expect(409)["error_code"],
        "DUPLICATE_RESOURCE"
    );
    let r = cc
        .post(
            &supervisor,
            "/teams",
            json!({"name": "B", "supervisor_id": 424242, "max_agents": 0}),
        )
        .await
        .expect(422);
    assert_eq!(r["field"], "max_agents");
    let r = cc
        .post(
            &supervisor,
            "/teams",
            json!({"name": "B", "supervisor_id": 424242}),
        )
        .await
        .expect(422);
    assert_eq!(r["field"], "supervisor_id");

    cc.post(
        &supervisor,
        "/teams",
        json!({"name": "Old", "is_active": false}),
    )
    .await
    .expect(201);
    let r = cc.get(&agent, "/teams?is_active=true").await;
    assert_eq!(r.header("X-Total-Count"), "1");
    assert_eq!(r.expect(200)[0]["name"], "Sales Team Alpha");

    let up = cc
        .put(
            &supervisor,
            &format!("/teams/{id}"),
            json!({"max_agents": 1, "team_type": "Support"}),
        )
        .await
        .expect(200);
    assert_eq!(up["max_agents"], 1);
    assert_eq!(up["team_type"], "support");
    cc.put(&agent, &format!("/teams/{id}"), json!({"max_agents": 5}))
        .await
        .expect(403);

    // A full team refuses more agents.
    let (a1, _) = cc.agent("AG-001", json!({"team_id": id})).await;
    let (uid, _) = cc.user("agent").await;
    let r = cc
        .post(
            &cc.admin,
            "/agents",
            json!({"user_id": uid, "agent_number": "AG-002", "team_id": id}),
        )
        .await
        .expect(409);
    assert_eq!(r["error_code"], "TEAM_FULL");
    let r = cc
        .put(
            &supervisor,
            &format!("/teams/{id}"),
            json!({"max_agents": 0}),
        )
        .await
        .expect(422);
    assert_eq!(r["field"], "max_agents");
    let members = cc
        .get(&agent, &format!("/teams/{id}/agents"))
        .await
        .expect(200);
    assert_eq!(members[0]["id"], a1);

    cc.delete(&supervisor, &format!("/teams/{id}"))
        .await
        .expect(204);
    cc.get(&agent, &format!("/teams/{id}")).await.expect(404);
    // The agent stays, without a team.
    assert!(cc.get(&agent, &format!("/agents/{a1}")).await.expect(200)["team_id"].is_null());
}

#[tokio::test]
async fn agents_with_skills_languages_and_status() {
    let cc = Cc::new().await;
    let team = cc
        .post(&cc.admin, "/teams", json!({"name": "T"}))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let (uid, agent_token) = cc.user("agent").await;
    let a = cc
        .post(&cc.admin, "/agents", json!({
          "user_id": uid, "team_id": team, "agent_number": "AG-001", "status": "available",
          "skill_level": 8, "max_concurrent_calls": 3, "languages": ["en", "ES", "pt_br"], "specialties": ["sales", "support"]
        }))
        .await
        .expect(201);
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["languages"], json!(["en", "es", "pt-BR"]));
    assert_eq!(a["name"], "Test User");
    assert_eq!(a["current_calls"], 0);

    let dup = cc
        .post(
            &cc.admin,
            "/agents",
            json!({"user_id": uid, "agent_number": "AG-009"}),
        )
        .await
        .expect(409);
    assert_eq!(dup["field"], "user_id");
    let (uid2, _) = cc.user("agent").await;
    assert_eq!(
        cc.post(
            &cc.admin,
            "/agents",
            json!({"user_id": uid2, "agent_number": "ag-001"})
        )
        .await
        .expect(409)["field"],
        "agent_number"
    );
    let r = cc
        .post(&cc.admin, "/agents", json!({"user_id": 999999, "agent_number": "X", "status": "sleeping", "skill_level": 11, "max_concurrent_calls": 0, "languages": ["english"], "team_id": 777}))
        .await
        .expect(422);
    let fields: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    // What the document says (all at once) comes first ...
    assert_eq!(
        fields,
        [
            "status",
            "skill_level",
            "max_concurrent_calls",
            "languages[0]"
        ]
    );
    // ... then what needs the data: unknown user and team.
    let r = cc
        .post(
            &cc.admin,
            "/agents",
            json!({"user_id": 999999, "agent_number": "X", "languages": ["EN"], "team_id": 777}),
        )
        .await
        .expect(422);
    let fields: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["user_id", "team_id"]);

    let s = cc
        .post(&cc.admin, &format!("/agents/{id}/skills"), json!({"skills": [{"skill_name": "technical_support", "proficiency": 8}, {"skill_name": "Spanish Fluent", "proficiency": 10}]}))
        .await
        .expect(200);
    assert_eq!(
        s["skills"],
        json!([{"skill_name": "spanish_fluent", "proficiency": 10}, {"skill_name": "technical_support", "proficiency": 8}])
    );
    let s = cc
        .post(
            &cc.admin,
            &format!("/agents/{id}/skills"),
            json!({"skills": [{"skill_name": "technical_support", "proficiency": 3}]}),
        )
        .await
        .expect(200);
    assert_eq!(s["skills"][1]["proficiency"], 3);
    assert_eq!(
        cc.post(
            &cc.admin,
            &format!("/agents/{id}/skills"),
            json!({"skills": [{"skill_name": "x", "proficiency": 0}]})
        )
        .await
        .expect(422)["field"],
        "skills[0].proficiency"
    );
    cc.post(
        &agent_token,
        &format!("/agents/{id}/skills"),
        json!({"skills": [{"skill_name": "x", "proficiency": 5}]}),
    )
    .await
    .expect(403);

    // Filters.
    assert_eq!(
        cc.get(&agent_token, "/agents?skill=spanish_fluent")
            .await
            .expect(200)[0]["id"],
        id
    );
    assert_eq!(
        cc.get(&agent_token, "/agents?language=pt")
            .await
            .expect(200)[0]["id"],
        id
    );
    assert_eq!(
        cc.get(
            &agent_token,
            &format!("/agents?team_id={team}&status=offline")
        )
        .await
        .expect(200),
        json!([])
    );
    cc.get(&agent_token, "/agents?status=asleep")
        .await
        .expect(422);

    // An agent changes only their own status.
    let me = cc
        .put(
            &agent_token,
            &format!("/agents/{id}"),
            json!({"status": "break"}),
        )
        .await
        .expect(200);
    assert_eq!(me["status"], "break");
    cc.put(
        &agent_token,
        &format!("/agents/{id}"),
        json!({"max_concurrent_calls": 20}),
    )
    .await
    .expect(403);
    let (other, _) = cc.agent("AG-777", json!({})).await;
    cc.put(
        &agent_token,
        &format!("/agents/{other}"),
        json!({"status": "offline"}),
    )
    .await
    .expect(403);
    let moved = cc
        .put(&cc.admin, &format!("/agents/{id}"), json!({"team_id": 0}))
        .await
        .expect(200);
    assert!(moved["team_id"].is_null());

    cc.delete(&agent_token, &format!("/agents/{other}"))
        .await
        .expect(403);
    cc.delete(&cc.admin, &format!("/agents/{other}"))
        .await
        .expect(204);
    cc.get(&cc.admin, &format!("/agents/{other}"))
        .await
        .expect(404);
}

#[tokio::test]
async fn performance_is_computed_from_calls() {
    let cc = Cc::new().await;
    let team = cc
        .post(&cc.admin, "/teams", json!({"name": "Perf"}))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let (a, _) = cc.agent("AG-1", json!({"team_id": team})).await;
    let (b, _) = cc.agent("AG-2", json!({"team_id": team})).await;
    let (idle, _) = cc.agent("AG-3", json!({"team_id": team})).await;
    let rec = |agent: i64, duration: i64, outcome: &str, started: Option<String>| {
        let mut body = json!({"agent_id": agent, "duration": duration, "outcome": outcome});
        if let Some(s) = started {
            body["started_at"] = json!(s);
        }
        body
    };
    for body in [
        rec(a, 100, "success", None),
        rec(a, 200, "converted", None),
        rec(a, 60, "no_answer", None),
        rec(b, 300, "failed", None),
        // Outside a 7-day period.
        rec(
            b,
            500,
            "success",
            Some((chrono::Utc::now() - chrono::Duration::days(10)).to_rfc3339()),
        ),
    ] {
        cc.post(&cc.admin, "/calls", body).await.expect(201);
    }
    let p = cc
        .get(&cc.admin, &format!("/teams/{team}/performance?period=7d"))
        .await
        .expect(200);
    assert_eq!(p["total_calls"], 4);
    assert_eq!(p["avg_duration"], 165.0);
    assert_eq!(p["success_rate"], 0.5);
    let agents = p["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 3);
    assert_eq!(
        (agents[0]["agent_id"].as_i64(), agents[0]["calls"].as_i64()),
        (Some(a), Some(3))
    );
    assert_eq!(agents[0]["success_rate"], 0.6667);
    assert_eq!(agents[1]["agent_id"], b);
    assert_eq!(agents[1]["success_rate"], 0.0);
    assert_eq!(
        (agents[2]["agent_id"].as_i64(), agents[2]["calls"].as_i64()),
        (Some(idle), Some(0))
    );

    let p30 = cc
        .get(&cc.admin, &format!("/teams/{team}/performance?period=30d"))
        .await
        .expect(200);
    assert_eq!(p30["total_calls"], 5);
    let ap = cc
        .get(&cc.admin, &format!("/agents/{a}/performance"))
        .await
        .expect(200);
    assert_eq!(ap["period"], "30d");
    assert_eq!(ap["total_calls"], 3);
    assert_eq!(ap["successful_calls"], 2);
    assert_eq!(ap["conversion_rate"], 0.3333);
    assert_eq!(ap["total_talk_time"], 360);
    assert_eq!(ap["avg_duration"], 120.0);
    assert_eq!(
        ap["calls_by_outcome"],
        json!({"converted": 1, "no_answer": 1, "success": 1})
    );
    assert_eq!(
        cc.get(&cc.admin, &format!("/agents/{a}/performance?period=1y"))
            .await
            .expect(422)["field"],
        "period"
    );
    cc.get(&cc.admin, "/teams/999/performance")
        .await
        .expect(404);
    cc.get(&cc.admin, "/agents/999/performance")
        .await
        .expect(404);
    let future = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    assert_eq!(
        cc.post(&cc.admin, "/calls", rec(a, 1, "success", Some(future)))
            .await
            .expect(422)["field"],
        "started_at"
    );
}
