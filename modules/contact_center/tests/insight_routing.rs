use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value, poem::http::HeaderMap) {
    let r = app
        .call(
            method,
            &format!("/contact-center/api{path}"),
            Some(token),
            body,
        )
        .await;
    (r.status, r.body, r.headers)
}

fn vip_rule() -> Value {
    json!({
      "name": "VIP Customer Routing",
      "description": "Route VIP customers to senior agents",
      "priority": 10,
      "strategy": "skill_based",
      "is_active": true,
      "conditions": [
        {"field": "customer_tier", "operator": "equals", "value": "VIP", "logic": "AND"},
        {"field": "call_type", "operator": "in", "value": ["sales", "support"], "logic": "AND"}
      ],
      "targets": [
        {"target_type": "team", "target_id": 5, "weight": 70},
        {"target_type": "agent", "target_id": 12, "weight": 30}
      ],
      "fallback_action": {"action_type": "queue", "queue_id": 3}
    })
}

#[tokio::test]
async fn rules_crud_and_filters() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    let (s, r, _) = call(&app, "POST", "/routing/rules", &t, Some(vip_rule())).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["targets"][0]["weight"], 70);
    assert_eq!(r["fallback_action"]["queue_id"], 3);
    let id = r["id"].as_i64().unwrap();
    let (s, _, _) = call(
        &app,
        "POST",
        "/routing/rules",
        &t,
        Some(json!({"name": "Low", "priority": 1,
        "targets": [{"target_type": "queue", "target_id": 1}]})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);

    let (_, list, h) = call(
        &app,
        "GET",
        "/routing/rules?is_active=true&priority_min=5",
        &t,
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(h.get("X-Total-Count").unwrap(), "1");
    let (_, list, h) = call(&app, "GET", "/routing/rules?limit=1", &t, None).await;
    assert_eq!(list[0]["name"], "VIP Customer Routing");
    assert_eq!(h.get("X-Page-Count").unwrap(), "2");
    assert!(h
        .get("Link")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("rel=\"next\""));

    let (s, r, _) = call(
        &app,
        "PUT",
        &format!("/routing/rules/{id}"),
        &t,
        Some(json!({"priority": 20, "is_active": false})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["priority"], 20);
    assert_eq!(r["conditions"].as_array().unwrap().len(), 2);

    // Validation: per-field details.
    let (s, e, _) = call(&app, "POST", "/routing/rules", &t, Some(json!({"name": "r", "strategy": "random",
        "conditions": [{"field": "x", "operator": "like", "value": 1}, {"field": "y", "operator": "in", "value": "a"},
                       {"field": "z", "operator": "greater_than", "value": "big", "logic": "XOR"}],
        "targets": [{"target_type": "robot", "target_id": 0, "weight": 500}],
        "fallback_action": {"action_type": "queue"}}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    for f in [
        "strategy",
        "conditions[0].operator",
        "conditions[1].value",
        "conditions[2].value",
        "conditions[2].logic",
        "targets[0].target_type",
        "targets[0].target_id",
        "targets[0].weight",
        "fallback_action.queue_id",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }

    let agent = app.token_for(&["contact-center:agent"]).await;
    let (s, _, _) = call(
        &app,
        "DELETE",
        &format!("/routing/rules/{id}"),
        &agent,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = call(&app, "DELETE", &format!("/routing/rules/{id}"), &t, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _, _) = call(&app, "GET", &format!("/routing/rules/{id}"), &t, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn evaluate_by_priority_weight_and_fallback() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    let (_, vip, _) = call(&app, "POST", "/routing/rules", &t, Some(vip_rule())).await;
    let (_, spanish, _) = call(&app, "POST", "/routing/rules", &t, Some(json!({"name": "Spanish or urgent", "priority": 5,
        "conditions": [{"field": "language", "operator": "equals", "value": "es"},
                       {"field": "wait_seconds", "operator": "greater_than", "value": 120, "logic": "OR"}],
        "targets": [{"target_type": "queue", "target_id": 8}]}))).await;
    let (_, inactive, _) = call(
        &app,
        "POST",
        "/routing/rules",
        &t,
        Some(json!({"name": "Off", "priority": 100, "is_active": false,
        "targets": [{"target_type": "queue", "target_id": 99}]})),
    )
    .await;
    assert_eq!(inactive["is_active"], false);

    let eval = |attrs: Value, extra: Value| {
        let mut body = json!({"attributes": attrs});
        if let Value::Object(m) = extra {
            for (k, v) in m {
                body[k] = v;
            }
        }
        body
    };
    let (s, d, _) = call(
        &app,
        "POST",
        "/routing/evaluate",
        &t,
        Some(eval(
            json!({"customer_tier": "VIP", "call_type": "sales"}),
            json!({}),
        )),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["matched"], true);
    assert_eq!(d["rule_id"], vip["id"]);
    assert!(["team", "agent"].contains(&d["target"]["target_type"].as_str().unwrap()));

    // Weighted split over many calls is close to 70/30.
    let mut team = 0;
    for i in 0..400 {
        let (_, d, _) = call(
            &app,
            "POST",
            "/routing/evaluate",
            &t,
            Some(eval(
                json!({"customer_tier": "VIP", "call_type": "support"}),
                json!({"call_id": format!("call-{i}")}),
            )),
        )
        .await;
        if d["target"]["target_type"] == "team" {
            team += 1;
        }
    }
    assert!((240..=320).contains(&team), "team got {team} of 400");
    // Same call id, same target.
    let body = eval(
        json!({"customer_tier": "VIP", "call_type": "sales"}),
        json!({"call_id": "abc"}),
    );
    let (_, a, _) = call(&app, "POST", "/routing/evaluate", &t, Some(body.clone())).await;
    let (_, b, _) = call(&app, "POST", "/routing/evaluate", &t, Some(body)).await;
    assert_eq!(a["target"], b["target"]);

    // VIP billing call: VIP rule fails (call_type), OR rule matches on wait time.
    let (_, d, _) = call(
        &app,
        "POST",
        "/routing/evaluate",
        &t,
        Some(eval(
            json!({"customer_tier": "VIP", "call_type": "billing", "wait_seconds": 300}),
            json!({}),
        )),
    )
    .await;
    assert_eq!(d["rule_id"], spanish["id"]);
    assert_eq!(d["target"]["target_id"], 8);
    assert_eq!(d["rules_evaluated"], 2);

    // All VIP targets busy: fallback queue 3.
    let (_, d, _) = call(&app, "POST", "/routing/evaluate", &t, Some(eval(json!({"customer_tier": "VIP", "call_type": "sales"}),
        json!({"unavailable_targets": [{"target_type": "team", "target_id": 5}, {"target_type": "agent", "target_id": 12}]})))).await;
    assert_eq!(d["used_fallback"], true);
    assert!(d["target"].is_null());
    assert_eq!(d["fallback_action"]["action_type"], "queue");
    assert_eq!(d["fallback_action"]["queue_id"], 3);
    // One busy: always the other.
    let (_, d, _) = call(
        &app,
        "POST",
        "/routing/evaluate",
        &t,
        Some(eval(
            json!({"customer_tier": "VIP", "call_type": "sales"}),
            json!({"unavailable_targets": [{"target_type": "team", "target_id": 5}]}),
        )),
    )
    .await;
    assert_eq!(d["target"]["target_id"], 12);

    // Nothing matches.
    let (_, d, _) = call(
        &app,
        "POST",
        "/routing/evaluate",
        &t,
        Some(eval(json!({"customer_tier": "basic"}), json!({}))),
    )
    .await;
    assert_eq!(d["matched"], false);
    assert!(d["target"].is_null());

    // The pub function cc1's queue assignment uses.
    let d = app
        .platform
        .db
        .read(|c| {
            frontline_contact_center::insight::routing::evaluate(c, &json!({"language": "es"}))
        })
        .await
        .unwrap();
    assert_eq!(d.target.unwrap().target_id, 8);

    let (s, _, _) = call(
        &app,
        "POST",
        "/routing/evaluate",
        &t,
        Some(json!({"attributes": [1, 2]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}
