mod part1;

use part1::*;
use serde_json::json;

#[tokio::test]
async fn companies_crud_with_address_and_settings() {
    let cc = Cc::new().await;
    let sup = cc.token("supervisor").await;
    let agent = cc.token("agent").await;
    let body = json!({
      "name": "Acme Corporation",
      "domain": "Acme.com",
      "industry": "Technology",
      "size": "500-1000",
      "description": "Leading provider of enterprise software solutions",
      "contact_email": "info@acme.com",
      "contact_phone": "+1234567890",
      "address": {"street": "123 Tech Street", "city": "San Francisco", "state": "CA", "postal_code": "94102", "country": "USA"},
      "settings": {"timezone": "America/Los_Angeles", "language": "en"},
      "is_active": true
    });
    cc.post(&agent, "/companies", body.clone())
        .await
        .expect(403);
    let c = cc.post(&sup, "/companies", body.clone()).await.expect(201);
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["domain"], "acme.com");
    assert_eq!(c["address"]["city"], "San Francisco");
    assert_eq!(c["settings"]["timezone"], "America/Los_Angeles");
    assert_eq!(
        cc.post(&sup, "/companies", body).await.expect(409)["field"],
        "domain"
    );

    let got = cc
        .get(&agent, &format!("/companies/{id}"))
        .await
        .expect(200);
    assert_eq!(got["contact_phone"], "+1234567890");
    let up = cc
        .put(
            &sup,
            &format!("/companies/{id}"),
            json!({"address": {"city": "Oakland"}, "is_active": false}),
        )
        .await
        .expect(200);
    assert_eq!(up["address"]["city"], "Oakland");
    assert!(up["address"]["street"].is_null());
    assert_eq!(up["name"], "Acme Corporation");

    cc.post(
        &sup,
        "/companies",
        json!({"name": "Globex", "domain": "globex.io"}),
    )
    .await
    .expect(201);
    let r = cc.get(&agent, "/companies?is_active=true&limit=50").await;
    assert_eq!(r.header("X-Total-Count"), "1");
    assert_eq!(r.expect(200)[0]["name"], "Globex");
    assert_eq!(
        cc.get(&agent, "/companies?search=acme").await.expect(200)[0]["id"],
        id
    );
    cc.get(&cc.token("user").await, "/companies")
        .await
        .expect(403);

    cc.delete(&sup, &format!("/companies/{id}"))
        .await
        .expect(403);
    cc.delete(&cc.admin, &format!("/companies/{id}"))
        .await
        .expect(204);
    cc.get(&agent, &format!("/companies/{id}"))
        .await
        .expect(404);
}

#[tokio::test]
async fn company_validation() {
    let cc = Cc::new().await;
    let r = cc
        .post(
            &cc.admin,
            "/companies",
            json!({
              "name": "Acme",
              "domain": "not a domain",
              "contact_email": "info-at-acme",
              "contact_phone": "555-0100",
              "settings": {"timezone": "Mars/Olympus_Mons", "language": "klingon!"}
            }),
        )
        .await
        .expect(422);
    let fields: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "domain",
            "contact_email",
            "contact_phone",
            "settings.timezone",
            "settings.language"
        ]
    );
    let r = cc
        .post(&cc.admin, "/companies", json!({"name": " "}))
        .await
        .expect(422);
    assert_eq!(r["field"], "name");
    assert_eq!(
        cc.post(
            &cc.admin,
            "/companies",
            json!({"name": "X", "settings": [1]})
        )
        .await
        .expect(422)["field"],
        "settings"
    );
    cc.put(&cc.admin, "/companies/12345", json!({"name": "X"}))
        .await
        .expect(404);
}
