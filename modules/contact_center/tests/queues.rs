mod part1;

use part1::*;
use serde_json::{json, Value};

async fn queue(cc: &Cc, body: Value) -> i64 {
    cc.post(&cc.admin, "/queues", body).await.expect(201)["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn queue_definitions_and_permissions() {
    let cc = Cc::new().await;
    let agent = cc.token("agent").await;
    let user = cc.token("user").await;
    let q = cc
        .post(&cc.admin, "/queues", json!({"name": "Inbound Sales", "queue_type": "inbound", "max_size": 100, "timeout_seconds": 180, "required_skills": ["Sales"]}))
        .await
        .expect(201);
    assert_eq!(q["status"], "active");
    assert_eq!(q["required_skills"], json!(["sales"]));
    assert_eq!(
        (
            q["current_calls"].as_i64(),
            q["waiting_calls"].as_i64(),
            q["avg_wait_time"].as_f64()
        ),
        (Some(0), Some(0), Some(0.0))
    );
    let id = q["id"].as_i64().unwrap();
    assert_eq!(
        cc.post(&cc.admin, "/queues", json!({"name": "inbound sales"}))
            .await
            .expect(409)["error_code"],
        "DUPLICATE_RESOURCE"
    );
    let r = cc
        .post(
            &cc.admin,
            "/queues",
            json!({"name": "Q", "queue_type": "telepathic", "max_size": 0, "timeout_seconds": 1}),
        )
        .await
        .expect(422);
    assert_eq!(r["errors"].as_array().unwrap().len(), 3);
    cc.post(&agent, "/queues", json!({"name": "Mine"}))
        .await
        .expect(403);
    cc.get(&user, "/queues").await.expect(403);

    cc.post(
        &cc.admin,
        "/queues",
        json!({"name": "Night", "status": "closed"}),
    )
    .await
    .expect(201);
    let r = cc.get(&agent, "/queues?status=active").await;
    assert_eq!(r.header("X-Total-Count"), "1");
    assert_eq!(r.expect(200)[0]["name"], "Inbound Sales");
    cc.get(&agent, "/queues?status=open").await.expect(422);
    let up = cc
        .put(
            &cc.admin,
            &format!("/queues/{id}"),
            json!({"status": "paused"}),
        )
        .await
        .expect(200);
    assert_eq!(up["status"], "paused");
    let r = cc
        .post(
            &agent,
            &format!("/queues/{id}/calls"),
            json!({"caller_number": "+14155550100"}),
        )
        .await
        .expect(409);
    assert_eq!(r["error_code"], "QUEUE_NOT_ACTIVE");
    cc.delete(&cc.admin, &format!("/queues/{id}"))
        .await
        .expect(204);
    cc.get(&agent, &format!("/queues/{id}")).await.expect(404);
}

#[tokio::test]
async fn waiting_calls_have_positions_and_priority_order() {
    let cc = Cc::new().await;
    let agent = cc.token("agent").await;
    let q = queue(&cc, json!({"name": "Support", "max_size": 3})).await;
    let mut ids = Vec::new();
    for (phone, prio) in [
        ("+14155550001", 5),
        ("+14155550002", 9),
        ("+14155550003", 5),
    ] {
        let c = cc
            .post(
                &agent,
                &format!("/queues/{q}/calls"),
                json!({"caller_number": phone, "priority": prio}),
            )
            .await
            .expect(201);
        assert!(c["call_id"].as_str().unwrap().starts_with("call_"));
        ids.push(c);
    }
    assert_eq!(ids[1]["position"], 1);
    let r = cc
        .post(
            &agent,
            &format!("/queues/{q}/calls"),
            json!({"caller_number": "+14155550004"}),
        )
        .await
        .expect(409);
    assert_eq!(r["error_code"], "QUEUE_FULL");
    let r = cc
        .post(
            &agent,
            &format!("/queues/{q}/calls"),
            json!({"caller_number": "555", "priority": 0}),
        )
        .await
        .expect(422);
    assert_eq!(r["errors"].as_array().unwrap().len(), 2);

    let r = cc.get(&agent, &format!("/queues/{q}/calls")).await;
    assert_eq!(r.header("X-Total-Count"), "3");
    let calls = r.expect(200);
    let order: Vec<(&str, i64)> = calls
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["caller_number"].as_str().unwrap(),
                c["position"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("+14155550002", 1),
            ("+14155550001", 2),
            ("+14155550003", 3)
        ]
    );
    assert!(calls[0]["wait_time"].as_i64().unwrap() >= 0);
    let page2 = cc
        .get(&agent, &format!("/queues/{q}/calls?limit=2&offset=2"))
        .await
        .expect(200);
    assert_eq!(page2[0]["position"], 3);

    let detail = cc.get(&agent, &format!("/queues/{q}")).await.expect(200);
    assert_eq!(detail["waiting_calls"], 3);
    assert_eq!(detail["current_calls"], 0);

    // A caller hangs up.
    let gone = ids[0]["call_id"].as_str().unwrap();
    let c = cc
        .post(&agent, &format!("/calls/{gone}/abandon"), json!({}))
        .await
        .expect(200);
    assert_eq!(c["status"], "abandoned");
    cc.post(&agent, &format!("/calls/{gone}/abandon"), json!({}))
        .await
        .expect(409);
    assert_eq!(
        cc.get(&agent, &format!("/queues/{q}")).await.expect(200)["waiting_calls"],
        2
    );
    cc.get(&agent, "/queues/999/calls").await.expect(404);
}

#[tokio::test]
async fn assignment_respects_availability_skills_language_and_capacity() {
    let cc = Cc::new().await;
    let sup = cc.token("supervisor").await;
    let team = cc
        .post(&sup, "/teams", json!({"name": "Tech"}))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let q = queue(
        &cc,
        json!({"name": "Tech support", "team_id": team, "required_skills": ["technical_support"]}),
    )
    .await;
    // Unskilled, skilled but offline, skilled Spanish speaker with 1 line, skilled English expert.
    let (plain, _) = cc.agent("A-1", json!({"team_id": team})).await;
    let (offline, _) = cc
        .agent("A-2", json!({"team_id": team, "status": "offline"}))
        .await;
    let (spanish, _) = cc
        .agent(
            "A-3",
            json!({"team_id": team, "languages": ["es"], "max_concurrent_calls": 1}),
        )
        .await;
    let (expert, expert_token) = cc
        .agent(
            "A-4",
            json!({"team_id": team, "languages": ["en"], "max_concurrent_calls": 2}),
        )
        .await;
    let (outsider, _) = cc.agent("A-5", json!({"languages": ["es", "en"]})).await;
    for (agent, prof) in [(offline, 10), (spanish, 6), (expert, 9), (outsider, 10)] {
        cc.post(
            &sup,
            &format!("/agents/{agent}/skills"),
            json!({"skills": [{"skill_name": "technical_support", "proficiency": prof}]}),
        )
        .await
        .expect(200);
    }
    let _ = plain;
    assert_eq!(
        cc.get(&sup, &format!("/queues/{q}")).await.expect(200)["available_agents"],
        2
    );

    let enqueue = |lang: Option<&str>| {
        let mut b = json!({"caller_number": "+14155550100"});
        if let Some(l) = lang {
            b["language"] = json!(l);
        }
        b
    };
    // A Spanish caller goes to the Spanish speaker even though the expert knows more.
    cc.post(&sup, &format!("/queues/{q}/calls"), enqueue(Some("es")))
        .await
        .expect(201);
    let c = cc
        .post(&sup, &format!("/queues/{q}/assign"), json!({}))
        .await
        .expect(200);
    assert_eq!(c["agent_id"], spanish);
    assert_eq!(c["status"], "in_progress");
    assert_eq!(c["team_id"], team);
    let spanish_call = c["call_id"].as_str().unwrap().to_string();
    // The Spanish speaker is now at capacity: the next Spanish caller has nobody.
    cc.post(&sup, &format!("/queues/{q}/calls"), enqueue(Some("es")))
        .await
        .expect(201);
    let r = cc
        .post(&sup, &format!("/queues/{q}/assign"), json!({}))
        .await
        .expect(409);
    assert_eq!(r["error_code"], "NO_AGENT_AVAILABLE");
    // Forcing the offline or at-capacity agent is refused with the reason.
    let r = cc
        .post(
            &sup,
            &format!("/queues/{q}/assign"),
            json!({"agent_id": offline}),
        )
        .await
        .expect(409);
    assert!(r["detail"].as_str().unwrap().contains("offline"), "{r}");
    let r = cc
        .post(
            &sup,
            &format!("/queues/{q}/assign"),
            json!({"agent_id": spanish}),
        )
        .await
        .expect(409);
    assert!(r["detail"].as_str().unwrap().contains("maximum"), "{r}");
    // A supervisor may hand it to an eligible agent outside the team.
    let c = cc
        .post(
            &sup,
            &format!("/queues/{q}/assign"),
            json!({"agent_id": outsider}),
        )
        .await
        .expect(200);
    assert_eq!(c["agent_id"], outsider);

    // English callers: the expert takes two, then nobody is left in the team.
    for _ in 0..3 {
        cc.post(&sup, &format!("/queues/{q}/calls"), enqueue(None))
            .await
            .expect(201);
    }
    for _ in 0..2 {
        let c = cc
            .post(&sup, &format!("/queues/{q}/assign"), json!({}))
            .await
            .expect(200);
        assert_eq!(c["agent_id"], expert);
    }
    cc.post(&sup, &format!("/queues/{q}/assign"), json!({}))
        .await
        .expect(409);
    let live = cc.get(&sup, &format!("/queues/{q}")).await.expect(200);
    assert_eq!(
        (
            live["current_calls"].as_i64(),
            live["waiting_calls"].as_i64()
        ),
        (Some(4), Some(1))
    );
    assert_eq!(live["available_agents"], 0);
    assert_eq!(
        cc.get(&sup, &format!("/agents/{expert}")).await.expect(200)["current_calls"],
        2
    );

    // Completing frees a line; only the agent on the call or a supervisor may complete.
    let r = cc
        .post(
            &expert_token,
            &format!("/calls/{spanish_call}/complete"),
            json!({"outcome": "success"}),
        )
        .await
        .expect(403);
    assert_eq!(r["error_code"], "AUTHORIZATION_ERROR");
    assert_eq!(
        cc.post(
            &sup,
            &format!("/calls/{spanish_call}/complete"),
            json!({"outcome": "meh"})
        )
        .await
        .expect(422)["field"],
        "outcome"
    );
    let done = cc
        .post(
            &sup,
            &format!("/calls/{spanish_call}/complete"),
            json!({"outcome": "success", "duration": 120, "cost": 0.3}),
        )
        .await
        .expect(200);
    assert_eq!(done["status"], "completed");
    assert_eq!(done["duration"], 120);
    cc.post(
        &sup,
        &format!("/calls/{spanish_call}/complete"),
        json!({"outcome": "success"}),
    )
    .await
    .expect(409);
    let ap = cc
        .get(&sup, &format!("/agents/{spanish}/performance?period=24h"))
        .await
        .expect(200);
    assert_eq!(
        (ap["total_calls"].as_i64(), ap["current_calls"].as_i64()),
        (Some(1), Some(0))
    );

    // An agent takes the next call for themselves, and completes it.
    let mine = cc
        .post(
            &expert_token,
            &format!("/queues/{q}/assign"),
            json!({"agent_id": spanish}),
        )
        .await
        .expect(403);
    assert_eq!(mine["error_code"], "AUTHORIZATION_ERROR");
    let listed = cc
        .get(
            &sup,
            &format!("/calls?agent_id={expert}&status=in_progress"),
        )
        .await;
    assert_eq!(listed.header("X-Total-Count"), "2");
    let first = listed.expect(200)[0]["call_id"]
        .as_str()
        .unwrap()
        .to_string();
    cc.post(
        &expert_token,
        &format!("/calls/{first}/complete"),
        json!({"outcome": "converted"}),
    )
    .await
    .expect(200);
    let c = cc
        .post(&expert_token, &format!("/queues/{q}/assign"), json!({}))
        .await
        .expect(200);
    assert_eq!(c["agent_id"], expert);
    let r = cc
        .post(&expert_token, &format!("/queues/{q}/assign"), json!({}))
        .await
        .expect(409);
    assert_eq!(r["error_code"], "QUEUE_EMPTY");
    // The queue's average wait comes from the calls it answered.
    let live = cc.get(&sup, "/queues").await.expect(200);
    assert!(live[0]["avg_wait_time"].as_f64().unwrap() >= 0.0);
    assert_eq!(live[0]["waiting_calls"], 0);
    // A queue with calls in progress cannot be deleted.
    assert_eq!(
        cc.delete(&sup, &format!("/queues/{q}")).await.expect(409)["error_code"],
        "QUEUE_NOT_EMPTY"
    );
}

#[tokio::test]
async fn waiting_past_the_timeout_abandons_the_call() {
    let cc = Cc::new().await;
    let q = queue(&cc, json!({"name": "Quick", "timeout_seconds": 5})).await;
    let c = cc
        .post(
            &cc.admin,
            &format!("/queues/{q}/calls"),
            json!({"caller_number": "+14155550100"}),
        )
        .await
        .expect(201);
    // Age the call instead of sleeping.
    let id = c["call_id"].as_str().unwrap().to_string();
    let old = (chrono::Utc::now() - chrono::Duration::seconds(30))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let call_id = id.clone();
    cc.app
        .platform
        .db
        .write(move |tx| {
            tx.execute(
                "UPDATE cc_calls SET queued_at = ?1 WHERE call_id = ?2",
                [old, call_id],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let r = cc
        .post(&cc.admin, &format!("/queues/{q}/assign"), json!({}))
        .await
        .expect(409);
    assert_eq!(r["error_code"], "QUEUE_EMPTY");
    let call = cc.get(&cc.admin, &format!("/calls/{id}")).await.expect(200);
    assert_eq!(call["status"], "abandoned");
    assert_eq!(call["outcome"], "timeout");
    assert!(call["wait_time"].as_i64().unwrap() >= 30);
    let live = cc.get(&cc.admin, &format!("/queues/{q}")).await.expect(200);
    assert!(live["avg_wait_time"].as_f64().unwrap() >= 30.0);
}
