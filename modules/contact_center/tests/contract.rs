//! The contract of issue 16 for the contact center: every JSON body is typed
//! (a wrong-typed field is a 422 naming the field, nothing stored), and a
//! resource a client has just created stays there until the client deletes it.

mod part1;

use frontline_platform::testing::TestApp;
use part1::*;
use serde_json::{json, Value};

/// The example: a boolean for a team's name was stored as "false".
#[tokio::test]
async fn a_boolean_is_not_a_team_name() {
    let cc = Cc::new().await;
    let r = cc
        .post(&cc.admin, "/teams", json!({"name": false}))
        .await
        .expect(422);
    assert_eq!(r["error_code"], "VALIDATION_ERROR");
    assert_eq!(r["field"], "name");
    assert_eq!(r["detail"], "must be a string");
    let teams = cc.get(&cc.admin, "/teams").await.expect(200);
    assert!(
        teams
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["name"] != "false"),
        "{teams}"
    );
    let r = cc
        .post(
            &cc.admin,
            "/contacts",
            json!({"first_name": 7, "phone_number": "+14155550101", "priority": "high"}),
        )
        .await
        .expect(422);
    let fields: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["first_name", "priority"], "{r}");
}

/// The document's first string property of `schema` (following `$ref`s).
fn string_field(doc: &Value, schema: &Value) -> Option<String> {
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next()?],
        None => schema,
    };
    let props = schema["properties"].as_object()?;
    props.iter().find_map(|(name, p)| {
        let p = match p["$ref"].as_str() {
            Some(r) => &doc["components"]["schemas"][r.rsplit('/').next()?],
            None => p,
        };
        (p["type"] == "string").then(|| name.clone())
    })
}

/// Every JSON request body of the document: a number sent for one of its
/// string fields is refused with 422 naming that field.
#[tokio::test]
async fn every_json_body_refuses_a_number_for_a_string() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let spec = (frontline_contact_center::module().build)(&app.platform).spec();
    let doc: Value = serde_json::from_str(&spec).unwrap();
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let content = &op["requestBody"]["content"];
            let Some(schema) = content
                .as_object()
                .and_then(|c| c.iter().find(|(k, _)| k.starts_with("application/json")))
                .map(|(_, v)| &v["schema"])
            else {
                continue;
            };
            let Some(field) = string_field(&doc, schema) else {
                continue;
            };
            let url = format!("/contact-center{}", path)
                .replace('{', "")
                .split('/')
                .map(|seg| if seg.ends_with('}') { "1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let r = app
                .call(
                    &method.to_uppercase(),
                    &url,
                    Some(&app.admin_token),
                    Some(json!({ field.clone(): 424242 })),
                )
                .await;
            assert_eq!(r.status.as_u16(), 422, "{method} {path}: {}", r.body);
            assert_eq!(r.body["error_code"], "VALIDATION_ERROR", "{method} {path}");
            // One bad field is `field`; several are listed in `errors` too.
            let named = r.body["field"] == field.as_str()
                || r.body["errors"]
                    .as_array()
                    .is_some_and(|errs| errs.iter().any(|e| e["field"] == field.as_str()));
            assert!(named, "{method} {path}: `{field}` not named in {}", r.body);
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} bodies checked");
}

/// A contact just created stays until it is deleted: deleting its campaign
/// no longer takes it (and the campaign's call lists) along silently.
#[tokio::test]
async fn a_created_contact_is_there_to_delete() {
    let cc = Cc::new().await;
    let campaign = cc.campaign(&cc.admin, "Spring").await;
    let contact = cc
        .post(
            &cc.admin,
            "/contacts",
            json!({"first_name": "Ravi", "phone_number": "+14155551009", "campaign_id": campaign}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let list = cc
        .post(
            &cc.admin,
            "/call-lists",
            json!({"name": "All", "campaign_id": campaign}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let r = cc
        .delete(&cc.admin, &format!("/campaigns/{campaign}"))
        .await
        .expect(409);
    assert_eq!(r["error_code"], "CAMPAIGN_NOT_EMPTY");
    cc.get(&cc.admin, &format!("/campaigns/{campaign}"))
        .await
        .expect(200);
    cc.delete(&cc.admin, &format!("/contacts/{contact}"))
        .await
        .expect(204);
    cc.delete(&cc.admin, &format!("/call-lists/{list}"))
        .await
        .expect(204);
    cc.delete(&cc.admin, &format!("/campaigns/{campaign}"))
        .await
        .expect(204);
    cc.get(&cc.admin, &format!("/campaigns/{campaign}"))
        .await
        .expect(404);
}

/// Completing a call: the document names the outcomes and the notes' length
/// the server accepts, so a schema-valid body is never refused for them (CI's
/// contract run found `outcome` typed as any string, refused with 422).
#[tokio::test]
async fn completing_a_call_documents_what_it_accepts() {
    use frontline_platform::testing::spec;
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let doc = spec::of(&app, frontline_contact_center::module());
    let body = &doc["paths"]["/api/v1/calls/{call_id}/complete"]["post"]["requestBody"]["content"]
        ["application/json; charset=utf-8"]["schema"];
    let body = spec::resolve(&doc, body);
    let outcome = spec::resolve(&doc, &body["properties"]["outcome"]);
    let outcomes: Vec<&str> = outcome["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("outcome is not an enum: {outcome}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        outcomes,
        [
            "converted",
            "success",
            "callback",
            "no_answer",
            "busy",
            "voicemail",
            "failed",
            "rejected"
        ]
    );
    assert_eq!(body["properties"]["notes"]["maxLength"], 5000, "{body}");
}
