//! Queue assignment follows the routing rules and each strategy's order
//! (issue 22 point 2).
mod part1;

use part1::*;
use serde_json::{json, Value};

struct Floor {
    cc: Cc,
    sup: String,
    queue: i64,
    team: i64,
    agents: Vec<i64>,
}

async fn floor(max_calls: i64) -> Floor {
    let cc = Cc::new().await;
    let sup = cc.token("supervisor").await;
    let team = cc
        .post(&sup, "/teams", json!({"name": "Floor"}))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let queue = cc
        .post(
            &cc.admin,
            "/queues",
            json!({"name": "Main", "team_id": team}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let mut agents = Vec::new();
    for n in 1..=3 {
        let (id, _) = cc
            .agent(
                &format!("A-{n}"),
                json!({"team_id": team, "max_concurrent_calls": max_calls}),
            )
            .await;
        agents.push(id);
    }
    Floor {
        cc,
        sup,
        queue,
        team,
        agents,
    }
}

impl Floor {
    async fn rule(&self, body: Value) -> i64 {
        let r = self
            .cc
            .app
            .call(
                "POST",
                "/contact-center/api/routing/rules",
                Some(&self.cc.admin),
                Some(body),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.body);
        r.body["id"].as_i64().unwrap()
    }

    async fn enqueue(&self, extra: Value) {
        let mut b = json!({"caller_number": "+14155550100"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        self.cc
            .post(&self.sup, &format!("/queues/{}/calls", self.queue), b)
            .await
            .expect(201);
    }

    /// Queues `n` calls and assigns each in turn; returns the agents chosen.
    async fn sequence(&self, n: usize, extra: Value) -> Vec<i64> {
        let mut out = Vec::new();
        for _ in 0..n {
            self.enqueue(extra.clone()).await;
            let c = self
                .cc
                .post(
                    &self.sup,
                    &format!("/queues/{}/assign", self.queue),
                    json!({}),
                )
                .await
                .expect(200);
            out.push(c["agent_id"].as_i64().unwrap());
        }
        out
    }

    /// Hands one call to `agent` directly (no rule involved).
    async fn give(&self, agent: i64) {
        self.enqueue(json!({})).await;
        self.cc
            .post(
                &self.sup,
                &format!("/queues/{}/assign", self.queue),
                json!({"agent_id": agent}),
            )
            .await
            .expect(200);
    }
}

fn agents(ids: &[i64]) -> Value {
    Value::Array(
        ids.iter()
            .map(|id| json!({"target_type": "agent", "target_id": id}))
            .collect(),
    )
}

#[tokio::test]
async fn a_matching_rule_decides_who_takes_the_call() {
    let f = floor(5).await;
    let [a1, a2, _] = f.agents[..] else { panic!() };
    f.rule(json!({"name": "VIP", "priority": 10,
        "conditions": [{"field": "customer_tier", "operator": "equals", "value": "VIP"}],
        "targets": [{"target_type": "agent", "target_id": a2}]}))
        .await;
    // The VIP call goes to agent 2; a call the rule does not match uses the queue's ranking.
    assert_eq!(
        f.sequence(2, json!({"attributes": {"customer_tier": "VIP"}}))
            .await,
        vec![a2, a2]
    );
    assert_eq!(f.sequence(1, json!({})).await, vec![a1]);
    // Call facts match too: a rule on the call's language.
    let a3 = f.agents[2];
    f.cc.put(
        &f.cc.admin,
        &format!("/agents/{a3}"),
        json!({"languages": ["es"]}),
    )
    .await
    .expect(200);
    f.rule(json!({"name": "Spanish", "priority": 5,
        "conditions": [{"field": "language", "operator": "equals", "value": "es"}],
        "targets": [{"target_type": "agent", "target_id": a3}]}))
        .await;
    assert_eq!(f.sequence(1, json!({"language": "es"})).await, vec![a3]);
}

#[tokio::test]
async fn round_robin_goes_in_order_and_remembers_its_place() {
    let f = floor(10).await;
    let [a1, a2, a3] = f.agents[..] else { panic!() };
    f.rule(json!({"name": "RR", "strategy": "round_robin", "targets": agents(&[a1, a2])}))
        .await;
    assert_eq!(f.sequence(6, json!({})).await, vec![a1, a2, a1, a2, a1, a2]);
    // A team target: its members in order, continuing after the last one served.
    let f = floor(10).await;
    let [a1, a2, a3b] = f.agents[..] else {
        panic!()
    };
    let _ = a3;
    f.rule(json!({"name": "RR team", "strategy": "round_robin",
        "targets": [{"target_type": "team", "target_id": f.team}]}))
        .await;
    assert_eq!(f.sequence(4, json!({})).await, vec![a1, a2, a3b, a1]);
    // An agent who cannot take calls is skipped, the order goes on.
    f.cc.put(
        &f.cc.admin,
        &format!("/agents/{a2}"),
        json!({"status": "offline"}),
    )
    .await
    .expect(200);
    assert_eq!(f.sequence(3, json!({})).await, vec![a3b, a1, a3b]);
}

#[tokio::test]
async fn least_busy_takes_the_agent_with_fewest_calls() {
    let f = floor(10).await;
    let [a1, a2, a3] = f.agents[..] else { panic!() };
    for a in [a1, a1, a2] {
        f.give(a).await;
    }
    f.rule(json!({"name": "LB", "strategy": "least_busy",
        "targets": [{"target_type": "team", "target_id": f.team}]}))
        .await;
    // Loads 2, 1, 0: agent 3, then 2 and 3 tie at 1 (2 idle longer), then 3 (1 vs 2, 2).
    assert_eq!(f.sequence(3, json!({})).await, vec![a3, a2, a3]);
}

#[tokio::test]
async fn longest_idle_takes_the_agent_waiting_longest() {
    let f = floor(10).await;
    let [a1, a2, a3] = f.agents[..] else { panic!() };
    f.give(a2).await;
    f.give(a1).await;
    f.rule(json!({"name": "LI", "strategy": "longest_idle",
        "targets": [{"target_type": "team", "target_id": f.team}]}))
        .await;
    // Agent 3 never had a call, then 2 (served before 1), then 1, then 3 again.
    assert_eq!(f.sequence(4, json!({})).await, vec![a3, a2, a1, a3]);
}

#[tokio::test]
async fn skill_based_takes_the_best_match_then_level() {
    let f = floor(10).await;
    let [a1, a2, a3] = f.agents[..] else { panic!() };
    for (a, prof, level) in [(a1, 3, 5), (a2, 9, 2), (a3, 9, 4)] {
        f.cc.post(
            &f.sup,
            &format!("/agents/{a}/skills"),
            json!({"skills": [{"skill_name": "billing", "proficiency": prof}]}),
        )
        .await
        .expect(200);
        f.cc.put(
            &f.cc.admin,
            &format!("/agents/{a}"),
            json!({"skill_level": level}),
        )
        .await
        .expect(200);
    }
    f.rule(json!({"name": "SB", "strategy": "skill_based",
        "targets": [{"target_type": "team", "target_id": f.team}]}))
        .await;
    // Agents 2 and 3 match best; 3 has the higher level.
    assert_eq!(
        f.sequence(2, json!({"required_skills": ["billing"]})).await,
        vec![a3, a3]
    );
    f.cc.put(
        &f.cc.admin,
        &format!("/agents/{a3}"),
        json!({"status": "offline"}),
    )
    .await
    .expect(200);
    assert_eq!(
        f.sequence(1, json!({"required_skills": ["billing"]})).await,
        vec![a2]
    );
}

#[tokio::test]
async fn priority_and_direct_follow_the_listed_targets() {
    let f = floor(1).await;
    let [a1, a2, a3] = f.agents[..] else { panic!() };
    f.rule(json!({"name": "P", "strategy": "priority", "targets": agents(&[a3, a1, a2])}))
        .await;
    // One line each: 3, then 1, then 2, then nobody.
    assert_eq!(f.sequence(3, json!({})).await, vec![a3, a1, a2]);
    f.enqueue(json!({})).await;
    let r =
        f.cc.post(&f.sup, &format!("/queues/{}/assign", f.queue), json!({}))
            .await
            .expect(409);
    assert_eq!(r["error_code"], "NO_AGENT_AVAILABLE");

    let f = floor(1).await;
    let [a1, a2, _] = f.agents[..] else { panic!() };
    f.rule(
        json!({"name": "D", "strategy": "direct", "targets": agents(&[a2, a1]),
        "fallback_action": {"action_type": "voicemail"}}),
    )
    .await;
    assert_eq!(f.sequence(1, json!({})).await, vec![a2]);
    // Direct: only the first target; when it is busy the rule's fallback is named.
    f.enqueue(json!({})).await;
    let r =
        f.cc.post(&f.sup, &format!("/queues/{}/assign", f.queue), json!({}))
            .await
            .expect(409);
    assert!(r["detail"].as_str().unwrap().contains("voicemail"), "{r}");
}
