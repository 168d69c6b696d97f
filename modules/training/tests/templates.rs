//! Scenarios marked as templates (`isTemplate`, issue 21 #15): the flag is
//! stored and shown, and a marked scenario is a template of the templates
//! API (listed, read, and used to make new scenarios).

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

mod support;
use support::T;

fn template_scenario(name: &str, private: bool) -> Value {
    json!({
        "name": name,
        "description": "{{customerName}} calls {{companyName}} about a router",
        "category": "TECHNICAL_SUPPORT",
        "difficulty": "BEGINNER",
        "tags": ["router"],
        "customerProfile": {"name": "{{customerName}}", "age": 40, "initialMood": 50},
        "context": {"companyName": "{{companyName}}", "industry": "telecommunications",
                    "issue": "Router of {{customerName}} keeps restarting"},
        "evaluationWeights": {"greeting": 20, "listening": 20, "solution": 20, "empathy": 20, "closing": 20},
        "isTemplate": true,
        "isPrivate": private
    })
}

fn ids(list: &Value) -> Vec<String> {
    list["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_scenario_marked_as_template_is_a_template() {
    let t = T {
        app: TestApp::new(vec![frontline_training::module()]).await,
    };
    let editor = t.app.token_for(&["training:editor"]).await;

    // Marked at creation: the flag is stored and shown in the answers.
    let (st, b) = t
        .call(
            "POST",
            "/admin/scenarios",
            &editor,
            Some(template_scenario("Router Reset Template", false)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let tid = b["id"].as_str().unwrap().to_string();
    let (st, plain) = t
        .call(
            "POST",
            "/admin/scenarios",
            &editor,
            Some({
                let mut d = template_scenario("Plain Router Scenario", false);
                d.as_object_mut().unwrap().remove("isTemplate");
                d
            }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{plain}");
    let plain_id = plain["id"].as_str().unwrap().to_string();

    let (_, s) = t
        .call("GET", &format!("/admin/scenarios/{tid}"), &editor, None)
        .await;
    assert_eq!(s["isTemplate"], true, "{s}");
    let (_, s) = t
        .call(
            "GET",
            &format!("/admin/scenarios/{plain_id}"),
            &editor,
            None,
        )
        .await;
    assert_eq!(s["isTemplate"], false, "{s}");
    let (st, list) = t
        .call("GET", "/admin/scenarios?limit=100", &editor, None)
        .await;
    assert_eq!(st, StatusCode::OK);
    let row = |id: &str| {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not listed: {list}"))
    };
    assert_eq!(row(&tid)["isTemplate"], true);
    assert_eq!(row(&plain_id)["isTemplate"], false);

    // It is listed with the templates, after the featured catalogue, with its
    // placeholders as required variables; the plain scenario is not.
    let (st, tl) = t.call("GET", "/admin/templates", &editor, None).await;
    assert_eq!(st, StatusCode::OK, "{tl}");
    let listed = ids(&tl);
    assert!(listed[0].starts_with("tmp_"), "{tl}");
    assert!(listed.contains(&tid), "{tl}");
    assert!(!listed.contains(&plain_id), "{tl}");
    assert_eq!(tl["total"], listed.len());
    let entry = tl["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == tid.as_str())
        .unwrap()
        .clone();
    assert_eq!(entry["name"], "Router Reset Template");
    assert_eq!(entry["category"], "TECHNICAL_SUPPORT");
    assert_eq!(entry["isFeatured"], false);
    assert_eq!(entry["industry"], "telecommunications");
    let keys: Vec<&str> = entry["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["companyName", "customerName"]);
    assert_eq!(entry["variables"][0]["required"], true);
    assert_eq!(entry["usageCount"], 0);
    // The filters apply to it.
    let (_, f) = t
        .call("GET", "/admin/templates?featured=true", &editor, None)
        .await;
    assert!(!ids(&f).contains(&tid), "{f}");
    let (_, f) = t
        .call(
            "GET",
            "/admin/templates?category=BILLING_PAYMENTS",
            &editor,
            None,
        )
        .await;
    assert!(!ids(&f).contains(&tid), "{f}");
    let (_, f) = t
        .call(
            "GET",
            "/admin/templates?category=TECHNICAL_SUPPORT&difficulty=BEGINNER",
            &editor,
            None,
        )
        .await;
    assert_eq!(ids(&f), std::slice::from_ref(&tid), "{f}");

    // Read one: its content, without the template's own name and flag.
    let (st, one) = t
        .call("GET", &format!("/admin/templates/{tid}"), &editor, None)
        .await;
    assert_eq!(st, StatusCode::OK, "{one}");
    assert_eq!(
        one["content"]["customerProfile"]["name"],
        "{{customerName}}"
    );
    assert!(one["content"].get("isTemplate").is_none(), "{one}");
    let (st, _) = t
        .call(
            "GET",
            &format!("/admin/templates/{plain_id}"),
            &editor,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Make a scenario from it: variables required, placeholders filled.
    let path = format!("/admin/templates/{tid}/create-scenario");
    let (st, e) = t
        .call(
            "POST",
            &path,
            &editor,
            Some(json!({"name": "Router For Jane", "variables": {"customerName": "Jane"}})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["details"][0]["field"], "variables.companyName");
    let (st, made) = t
        .call(
            "POST",
            &path,
            &editor,
            Some(json!({"name": "Router For Jane",
            "variables": {"customerName": "Jane", "companyName": "NetCo"}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{made}");
    assert_eq!(made["templateId"], tid.as_str());
    assert_eq!(made["status"], "DRAFT");
    let nid = made["id"].as_str().unwrap().to_string();
    let (_, n) = t
        .call("GET", &format!("/admin/scenarios/{nid}"), &editor, None)
        .await;
    assert_eq!(n["customerProfile"]["name"], "Jane");
    assert_eq!(n["context"]["issue"], "Router of Jane keeps restarting");
    assert_eq!(n["description"], "Jane calls NetCo about a router");
    assert_eq!(n["templateId"], tid.as_str());
    assert_eq!(
        n["isTemplate"], false,
        "a scenario made from a template is not one: {n}"
    );
    let (_, tl) = t.call("GET", "/admin/templates", &editor, None).await;
    let entry = tl["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == tid.as_str())
        .unwrap()
        .clone();
    assert_eq!(entry["usageCount"], 1, "{entry}");

    // Unmarked (PATCH) it is a template no more; marked again (PUT) it is.
    let (st, b) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/{tid}"),
            &editor,
            Some(json!({"isTemplate": false})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (_, tl) = t.call("GET", "/admin/templates", &editor, None).await;
    assert!(!ids(&tl).contains(&tid), "{tl}");
    let (st, _) = t
        .call("GET", &format!("/admin/templates/{tid}"), &editor, None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, s) = t
        .call("GET", &format!("/admin/scenarios/{tid}"), &editor, None)
        .await;
    assert_eq!(s["isTemplate"], false);
    let (st, b) = t
        .call(
            "PUT",
            &format!("/admin/scenarios/{plain_id}"),
            &editor,
            Some(json!({"isTemplate": true, "changelog": "Now a template"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (_, tl) = t.call("GET", "/admin/templates", &editor, None).await;
    assert!(ids(&tl).contains(&plain_id), "{tl}");

    // Archived templates are not offered.
    let (st, _) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{plain_id}/archive"),
            &editor,
            Some(json!({})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, tl) = t.call("GET", "/admin/templates", &editor, None).await;
    assert!(!ids(&tl).contains(&plain_id), "{tl}");
    let (st, _) = t
        .call("POST", &format!("/admin/templates/{plain_id}/create-scenario"), &editor,
              Some(json!({"name": "From Archived", "variables": {"customerName": "A", "companyName": "B"}})))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_private_template_is_its_authors_only() {
    let t = T {
        app: TestApp::new(vec![frontline_training::module()]).await,
    };
    let author = t.app.token_for(&["training:editor"]).await;
    let other = t.app.token_for(&["training:editor"]).await;
    let (st, b) = t
        .call(
            "POST",
            "/admin/scenarios",
            &author,
            Some(template_scenario("Secret Router Template", true)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let tid = b["id"].as_str().unwrap().to_string();

    let (_, mine) = t.call("GET", "/admin/templates", &author, None).await;
    assert!(ids(&mine).contains(&tid), "{mine}");
    let (_, theirs) = t.call("GET", "/admin/templates", &other, None).await;
    assert!(!ids(&theirs).contains(&tid), "{theirs}");
    let (st, _) = t
        .call("GET", &format!("/admin/templates/{tid}"), &other, None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = t
        .call("POST", &format!("/admin/templates/{tid}/create-scenario"), &other,
              Some(json!({"name": "Not Mine To Copy", "variables": {"customerName": "A", "companyName": "B"}})))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The author's copy is public unless asked otherwise.
    let (st, made) = t
        .call("POST", &format!("/admin/templates/{tid}/create-scenario"), &author,
              Some(json!({"name": "Public Router Copy", "variables": {"customerName": "A", "companyName": "B"}})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{made}");
    let nid = made["id"].as_str().unwrap();
    let (st, n) = t
        .call("GET", &format!("/admin/scenarios/{nid}"), &other, None)
        .await;
    assert_eq!(st, StatusCode::OK, "{n}");
    assert_eq!(n["isPrivate"], false);
}
