mod part1;

use part1::*;
use serde_json::{json, Value};

#[tokio::test]
async fn contact_crud_with_the_documents_example() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let campaign = cc.campaign(&user, "C").await;
    let c = cc
        .post(&user, "/contacts", json!({
          "campaign_id": campaign,
          "first_name": "Jane",
          "last_name": "Smith",
          "email": "Jane.Smith@Example.com",
          "phone_number": "+1 (234) 567-890",
          "company": "Tech Corp",
          "custom_fields": {"industry": "Technology", "company_size": "100-500", "interests": ["AI", "Automation"]},
          "priority": 5
        }))
        .await
        .expect(201);
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["phone_number"], "+1234567890");
    assert_eq!(c["email"], "jane.smith@example.com");
    assert_eq!(c["status"], "pending");
    assert_eq!(c["custom_fields"]["interests"][1], "Automation");

    let up = cc
        .put(
            &user,
            &format!("/contacts/{id}"),
            json!({"priority": 9, "status": "called"}),
        )
        .await
        .expect(200);
    assert_eq!(up["priority"], 9);
    assert_eq!(up["status"], "called");
    assert_eq!(up["last_name"], "Smith");
    let r = cc
        .put(&user, &format!("/contacts/{id}"), json!({"status": "vip"}))
        .await
        .expect(422);
    assert_eq!(r["field"], "status");

    assert_eq!(
        cc.get(&user, "/campaigns").await.expect(200)[0]["total_contacts"],
        1
    );
    cc.delete(&user, &format!("/contacts/{id}"))
        .await
        .expect(204);
    cc.put(&user, &format!("/contacts/{id}"), json!({"priority": 1}))
        .await
        .expect(404);
    cc.delete(&user, &format!("/contacts/{id}"))
        .await
        .expect(404);
}

#[tokio::test]
async fn invalid_phones_emails_and_duplicates() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let campaign = cc.campaign(&user, "C").await;
    for phone in [
        "1234567890",
        "+0123456789",
        "+1-800-FLOWERS",
        "+1234567890123456",
        "+",
    ] {
        let r = cc
            .post(
                &user,
                "/contacts",
                json!({"campaign_id": campaign, "first_name": "A", "phone_number": phone}),
            )
            .await
            .expect(422);
        assert_eq!(r["field"], "phone_number", "{phone}");
        assert_eq!(r["error_code"], "VALIDATION_ERROR");
    }
    for email in ["not-an-email", "a@b@c.com", "a @b.com", "a@.com"] {
        let r = cc
            .post(
                &user,
                "/contacts",
                json!({"first_name": "A", "phone_number": "+14155550100", "email": email}),
            )
            .await
            .expect(422);
        assert_eq!(r["field"], "email", "{email}");
    }
    for (field, body) in [
        (
            "priority",
            json!({"first_name": "A", "phone_number": "+14155550100", "priority": 11}),
        ),
        (
            "first_name",
            json!({"first_name": "  ", "phone_number": "+14155550100"}),
        ),
        (
            "custom_fields",
            json!({"first_name": "A", "phone_number": "+14155550100", "custom_fields": [1]}),
        ),
    ] {
        assert_eq!(
            cc.post(&user, "/contacts", body).await.expect(422)["field"],
            field
        );
    }
    // Missing required field (the framework's message does not name it yet).
    let r = cc
        .post(&user, "/contacts", json!({"first_name": "A"}))
        .await
        .expect(422);
    assert_eq!(r["error_code"], "VALIDATION_ERROR");

    let first = cc.contact(&user, campaign, "A", "+14155550100").await;
    let r = cc
        .post(
            &user,
            "/contacts",
            json!({"campaign_id": campaign, "first_name": "B", "phone_number": "+1 415 555 0100"}),
        )
        .await
        .expect(409);
    assert_eq!(r["error_code"], "DUPLICATE_RESOURCE");
    assert_eq!(r["existing_contact_id"], first);
    // The same number in another campaign is fine; moving it back is not.
    let other = cc.campaign(&user, "D").await;
    let second = cc.contact(&user, other, "B", "+14155550100").await;
    cc.put(
        &user,
        &format!("/contacts/{second}"),
        json!({"campaign_id": campaign}),
    )
    .await
    .expect(409);
    // Someone else's campaign does not exist for you.
    let stranger = cc.token("user").await;
    cc.post(
        &stranger,
        "/contacts",
        json!({"campaign_id": campaign, "first_name": "X", "phone_number": "+14155550199"}),
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn search_filters_and_paging() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let campaign = cc.campaign(&user, "C").await;
    let rows = [
        ("Jane", "Smith", "jane@example.com", "+14155550101", 3),
        ("John", "Doe", "john@acme.io", "+442071838750", 8),
        ("Maria", "Garcia", "maria@example.com", "+34912345678", 9),
    ];
    for (f, l, e, p, prio) in rows {
        cc.post(&user, "/contacts", json!({"campaign_id": campaign, "first_name": f, "last_name": l, "email": e, "phone_number": p, "priority": prio}))
            .await
            .expect(201);
    }
    let names = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["first_name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(cc.get(&user, "/contacts?search=smith").await.expect(200)),
        ["Jane"]
    );
    assert_eq!(
        names(cc.get(&user, "/contacts?search=acme.io").await.expect(200)),
        ["John"]
    );
    assert_eq!(
        names(
            cc.get(&user, "/contacts?search=%2B44%2020%207183")
                .await
                .expect(200)
        ),
        ["John"]
    );
    assert_eq!(
        names(
            cc.get(&user, "/contacts?search=john%20doe")
                .await
                .expect(200)
        ),
        ["John"]
    );
    assert_eq!(
        names(cc.get(&user, "/contacts?search=100%25").await.expect(200)),
        Vec::<String>::new()
    );
    assert_eq!(
        names(
            cc.get(
                &user,
                &format!("/contacts?campaign_id={campaign}&priority_min=8")
            )
            .await
            .expect(200)
        ),
        ["John", "Maria"]
    );
    let r = cc
        .get(
            &user,
            &format!("/contacts?campaign_id={campaign}&status=pending&limit=2"),
        )
        .await;
    assert_eq!(r.header("X-Total-Count"), "3");
    assert_eq!(r.header("X-Page-Count"), "2");
    assert!(r.header("Link").contains(&format!(
        "campaign_id={campaign}&status=pending&limit=2&offset=2>; rel=\"next\""
    )));
    assert_eq!(r.expect(200).as_array().unwrap().len(), 2);
    cc.get(&user, "/contacts?status=weird").await.expect(422);
    // Another user sees none of them.
    let other = cc.token("user").await;
    assert_eq!(
        cc.get(&other, "/contacts?search=jane").await.expect(200),
        json!([])
    );
    // Staff see them.
    let agent = cc.token("agent").await;
    assert_eq!(
        names(cc.get(&agent, "/contacts?search=jane").await.expect(200)),
        ["Jane"]
    );
    cc.post(
        &agent,
        "/contacts",
        json!({"first_name": "A", "phone_number": "+14155550100"}),
    )
    .await
    .expect(403);
}

#[tokio::test]
async fn import_reports_rows_and_duplicates() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let campaign = cc.campaign(&user, "C").await;
    cc.contact(&user, campaign, "Existing", "+14155550000")
        .await;
    let r = cc
        .post(&user, "/contacts/import", json!({
          "campaign_id": campaign,
          "contacts": [
            {"first_name": "John", "last_name": "Doe", "phone_number": "+1234567890", "email": "john@example.com"},
            {"first_name": "Jane", "last_name": "Smith", "phone_number": "+1234567891", "email": "jane@example.com"},
            {"first_name": "Bad", "phone_number": "555-1234"},
            {"first_name": "Dup", "phone_number": "+1 234 567 890"},
            {"first_name": "Old", "phone_number": "+14155550000"},
            {"phone_number": "+1234567899", "email": "nope"},
            {"first_name": "NoPhone"}
          ]
        }))
        .await
        .expect(201);
    assert_eq!(r["imported"], 2);
    assert_eq!(r["failed"], 5);
    let errors = r["errors"].as_array().unwrap();
    let at = |row: i64| -> Vec<(String, String)> {
        errors
            .iter()
            .filter(|e| e["row"] == row)
            .map(|e| {
                (
                    e["field"].as_str().unwrap().to_string(),
                    e["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(at(3)[0].0, "phone_number");
    assert!(at(4)[0].1.contains("duplicates row 1"), "{:?}", at(4));
    assert!(
        at(5)[0].1.contains("already in this campaign"),
        "{:?}",
        at(5)
    );
    let six: Vec<String> = at(6).into_iter().map(|e| e.0).collect();
    assert_eq!(six, ["first_name", "email"]);
    assert_eq!(at(7)[0].0, "phone_number");
    let list = cc
        .get(&user, &format!("/contacts?campaign_id={campaign}"))
        .await;
    assert_eq!(list.header("X-Total-Count"), "3");

    // Nothing valid: still a report, nothing written.
    let r = cc.post(&user, "/contacts/import", json!({"campaign_id": campaign, "contacts": [{"first_name": "X", "phone_number": "x"}]})).await.expect(201);
    assert_eq!(
        (r["imported"].as_i64(), r["failed"].as_i64()),
        (Some(0), Some(1))
    );
    // Unknown campaign.
    cc.post(
        &user,
        "/contacts/import",
        json!({"campaign_id": 9999, "contacts": []}),
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn import_of_ten_thousand_contacts() {
    let cc = Cc::new().await;
    let user = cc.token("supervisor").await;
    let campaign = cc.campaign(&user, "Big").await;
    let mut rows: Vec<Value> = (0..10_000)
        .map(|i| json!({"first_name": format!("F{i}"), "last_name": "L", "phone_number": format!("+1415{:07}", i), "email": format!("u{i}@example.com"), "priority": i % 10 + 1}))
        .collect();
    rows[10] = json!({"first_name": "dup", "phone_number": "+14150000001"});
    let r = cc
        .post(
            &user,
            "/contacts/import",
            json!({"campaign_id": campaign, "contacts": rows}),
        )
        .await
        .expect(201);
    assert_eq!(r["imported"], 9_999);
    assert_eq!(r["failed"], 1);
    assert_eq!(r["errors"][0]["row"], 11);
    let s = cc
        .get(&user, &format!("/campaigns/{campaign}/stats"))
        .await
        .expect(200);
    assert_eq!(s["total_contacts"], 9_999);
    assert_eq!(s["contacts_by_status"]["pending"], 9_999);
}

#[tokio::test]
async fn call_lists_resolve_to_matching_contacts() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let campaign = cc.campaign(&user, "C").await;
    for (name, prio, status) in [
        ("A", 9, "pending"),
        ("B", 7, "pending"),
        ("C", 8, "completed"),
        ("D", 3, "pending"),
        ("E", 10, "pending"),
    ] {
        cc.post(&user, "/contacts", json!({"campaign_id": campaign, "first_name": name, "phone_number": format!("+1415555{:04}", prio), "priority": prio, "status": status}))
            .await
            .expect(201);
    }
    let l = cc
        .post(&user, "/call-lists", json!({"campaign_id": campaign, "name": "Priority Contacts", "filters": {"priority_min": 7, "status": "pending"}, "sort_by": "priority", "sort_order": "desc"}))
        .await
        .expect(201);
    assert_eq!(l["contact_count"], 3);
    assert_eq!(l["filters"]["priority_min"], 7);
    let id = l["id"].as_i64().unwrap();
    let contacts = cc
        .get(&user, &format!("/call-lists/{id}/contacts"))
        .await
        .expect(200);
    let names: Vec<&str> = contacts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["first_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["E", "A", "B"]);
    let asc = cc.post(&user, "/call-lists", json!({"campaign_id": campaign, "name": "Low first", "sort_by": "priority", "sort_order": "asc"})).await.expect(201);
    let contacts = cc
        .get(
            &user,
            &format!("/call-lists/{}/contacts?limit=2", asc["id"]),
        )
        .await;
    assert_eq!(contacts.header("X-Total-Count"), "5");
    assert_eq!(contacts.expect(200)[0]["first_name"], "D");

    let lists = cc
        .get(&user, &format!("/call-lists?campaign_id={campaign}"))
        .await
        .expect(200);
    assert_eq!(lists.as_array().unwrap().len(), 2);
    // The list follows the data.
    let e = cc.get(&user, "/contacts?search=E").await.expect(200)[0]["id"]
        .as_i64()
        .unwrap();
    cc.put(
        &user,
        &format!("/contacts/{e}"),
        json!({"status": "completed"}),
    )
    .await
    .expect(200);
    assert_eq!(
        cc.get(&user, &format!("/call-lists/{id}"))
            .await
            .expect(200)["contact_count"],
        2
    );

    for (field, body) in [
        ("sort_by", json!({"name": "x", "sort_by": "shoe_size"})),
        ("sort_order", json!({"name": "x", "sort_order": "sideways"})),
        (
            "filters.status",
            json!({"name": "x", "filters": {"status": "angry"}}),
        ),
        (
            "filters.priority_max",
            json!({"name": "x", "filters": {"priority_min": 8, "priority_max": 2}}),
        ),
    ] {
        assert_eq!(
            cc.post(&user, "/call-lists", body).await.expect(422)["field"],
            field
        );
    }
    let other = cc.token("user").await;
    cc.get(&other, &format!("/call-lists/{id}/contacts"))
        .await
        .expect(404);
    cc.delete(&user, &format!("/call-lists/{id}"))
        .await
        .expect(204);
    cc.get(&user, &format!("/call-lists/{id}"))
        .await
        .expect(404);
}
