mod part1;

use part1::*;
use serde_json::json;

#[tokio::test]
async fn system_templates_ship_and_are_read_only() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let r = cc.get(&user, "/campaign-templates?is_public=true").await;
    assert_eq!(r.header("X-Total-Count"), "3");
    let list = r.expect(200);
    let first = &list[0];
    assert_eq!(first["is_system"], true);
    assert_eq!(first["name"], "B2B Sales Outreach");
    let id = first["id"].as_i64().unwrap();
    cc.put(
        &user,
        &format!("/campaign-templates/{id}"),
        json!({"name": "Mine"}),
    )
    .await
    .expect(403);
    cc.put(
        &cc.admin,
        &format!("/campaign-templates/{id}"),
        json!({"name": "Mine"}),
    )
    .await
    .expect(403);
    cc.delete(&cc.admin, &format!("/campaign-templates/{id}"))
        .await
        .expect(403);
}

#[tokio::test]
async fn private_templates_and_campaigns_from_templates() {
    let cc = Cc::new().await;
    let (uid, alice) = cc.user("user").await;
    let bob = cc.token("user").await;
    let supervisor = cc.token("supervisor").await;
    let body = json!({
      "name": "Sales Outreach Template",
      "description": "Standard template for B2B sales calls",
      "campaign_type": "outbound",
      "provider_type": "openai",
      "provider_model": "gpt-4-realtime-preview",
      "system_prompt": "You are a professional sales representative...",
      "default_config": {"temperature": 0.7, "max_duration": 300},
      "is_public": true
    });
    // Only supervisors and admins publish public templates.
    cc.post(&alice, "/campaign-templates", body.clone())
        .await
        .expect(403);
    let public = cc
        .post(&supervisor, "/campaign-templates", body.clone())
        .await
        .expect(201);
    assert_eq!(public["is_public"], true);
    let mut private = body.clone();
    private["is_public"] = json!(false);
    private["name"] = json!("Alice's private");
    let t = cc
        .post(&alice, "/campaign-templates", private)
        .await
        .expect(201);
    let tid = t["id"].as_i64().unwrap();
    assert_eq!(t["created_by_id"], uid);
    assert_eq!(t["default_config"]["max_duration"], 300);

    cc.get(&bob, &format!("/campaign-templates/{tid}"))
        .await
        .expect(404);
    cc.put(
        &bob,
        &format!("/campaign-templates/{tid}"),
        json!({"name": "x"}),
    )
    .await
    .expect(404);
    let bobs: Vec<String> = cc
        .get(&bob, "/campaign-templates")
        .await
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert!(!bobs.contains(&"Alice's private".to_string()));
    assert!(bobs.contains(&"Sales Outreach Template".to_string()));
    assert_eq!(
        cc.get(&alice, "/campaign-templates?is_public=false")
            .await
            .expect(200)[0]["name"],
        "Alice's private"
    );
    // Bob cannot change the supervisor's public template either.
    cc.put(
        &bob,
        &format!("/campaign-templates/{}", public["id"]),
        json!({"name": "x"}),
    )
    .await
    .expect(403);

    // A campaign from the template takes its configuration; given fields win.
    let c = cc
        .post(&alice, "/campaigns", json!({"name": "From template", "template_id": tid, "provider_config": {"temperature": 0.2}}))
        .await
        .expect(201);
    assert_eq!(c["template_id"], tid);
    assert_eq!(c["provider_model"], "gpt-4-realtime-preview");
    assert_eq!(
        c["system_prompt"],
        "You are a professional sales representative..."
    );
    assert_eq!(c["provider_config"]["temperature"], 0.2);
    assert_eq!(c["provider_config"]["max_duration"], 300);
    // Bob cannot use Alice's private template.
    cc.post(&bob, "/campaigns", json!({"name": "x", "template_id": tid}))
        .await
        .expect(404);

    let up = cc
        .put(
            &alice,
            &format!("/campaign-templates/{tid}"),
            json!({"description": "v2", "provider_type": "anthropic"}),
        )
        .await
        .expect(200);
    assert_eq!(up["description"], "v2");
    assert_eq!(up["provider_type"], "anthropic");
    assert_eq!(
        cc.put(
            &alice,
            &format!("/campaign-templates/{tid}"),
            json!({"provider_type": "nope"})
        )
        .await
        .expect(422)["field"],
        "provider_type"
    );
    assert_eq!(
        cc.put(
            &alice,
            &format!("/campaign-templates/{tid}"),
            json!({"default_config": "x"})
        )
        .await
        .expect(422)["field"],
        "default_config"
    );
    cc.delete(&alice, &format!("/campaign-templates/{tid}"))
        .await
        .expect(204);
    cc.get(&alice, &format!("/campaign-templates/{tid}"))
        .await
        .expect(404);
    // The campaign keeps its configuration.
    let c = cc
        .get(&alice, &format!("/campaigns/{}", c["id"]))
        .await
        .expect(200);
    assert_eq!(c["provider_model"], "gpt-4-realtime-preview");
    assert!(c["template_id"].is_null());
}
