//! Mass assignment: fields the server owns (status transitions, ids,
//! authorship, version numbers, usage statistics) cannot be set through
//! scenario bodies, and publishing still needs `scenario:publish`.

use poem::http::StatusCode;
use serde_json::{json, Value};

mod support;
use support::T;

fn scenario(name: &str) -> Value {
    json!({
        "name": name,
        "description": "Customer received incorrect bill",
        "category": "BILLING_PAYMENTS",
        "difficulty": "INTERMEDIATE",
        "estimatedDuration": 10,
        "tags": ["billing"],
        "customerProfile": {"name": "Robert Johnson", "initialMood": 35},
        "aiConfig": {"systemPrompt": "You are Robert", "temperature": 0.8}
    })
}

/// Every server-owned field a client might try to smuggle in.
fn smuggled() -> Value {
    json!({
        "id": "scn_HIJACKED00",
        "slug": "hijacked-slug",
        "createdBy": "usr_someone_else",
        "updatedBy": "usr_someone_else",
        "creator": {"id": "usr_someone_else", "name": "Mallory"},
        "versionNumber": 99,
        "version": 99,
        "usageCount": 5000,
        "rating": 5.0,
        "analytics": {"totalAttempts": 900, "averageScore": 99.0, "averageRating": 5.0},
        "publishedAt": "2020-01-01T00:00:00.000Z",
        "publishedBy": "usr_someone_else",
        "createdAt": "2000-01-01T00:00:00.000Z",
        "metadata": {"createdBy": "usr_someone_else", "publishedBy": "usr_someone_else"},
        "templateId": "tpl_HIJACKED00"
    })
}

fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

impl T {
    async fn get(&self, id: &str, token: &str) -> Value {
        let (st, b) = self
            .call("GET", &format!("/admin/scenarios/{id}"), token, None)
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        b
    }
    /// The stored row, straight from the database.
    async fn row(&self, id: &str) -> (String, String, i64, i64, Option<f64>, Option<String>) {
        let id = id.to_string();
        self.app
            .platform
            .db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT status, created_by, version_number, usage_count, rating, published_at
                     FROM training_scenarios WHERE id = ?1",
                    [&id],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ))
                    },
                )?)
            })
            .await
            .expect("row")
    }
    async fn count(&self) -> i64 {
        self.app
            .platform
            .db
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM training_scenarios", [], |r| r.get(0))?))
            .await
            .expect("count")
    }
}

fn assert_server_owned(b: &Value, id: &str, owner: &str, version: i64) {
    assert_eq!(b["id"], id, "{b}");
    assert_ne!(b["slug"], "hijacked-slug", "{b}");
    assert_eq!(b["versionNumber"], version, "{b}");
    assert_eq!(b["usageCount"], 0, "{b}");
    assert_eq!(b["metadata"]["createdBy"], owner, "{b}");
    assert!(b["metadata"]["publishedAt"].is_null(), "{b}");
    assert!(b["metadata"]["publishedBy"].is_null(), "{b}");
    assert_ne!(
        b["metadata"]["createdAt"], "2000-01-01T00:00:00.000Z",
        "{b}"
    );
    assert!(b["templateId"].is_null(), "{b}");
    assert!(b.get("analytics").is_none(), "{b}");
    assert!(b.get("rating").is_none(), "{b}");
    assert!(b.get("creator").is_none(), "{b}");
}

#[tokio::test]
async fn create_ignores_server_owned_fields_and_refuses_published_status() {
    let t = T::new().await;
    let (editor_id, editor) = t.app.user_with(&["training:editor"]).await;

    // Creating straight into PUBLISHED (or ARCHIVED) is refused, nothing stored.
    for status in ["PUBLISHED", "ARCHIVED"] {
        let body = with(
            scenario(&format!("Smuggled {status}")),
            json!({"status": status}),
        );
        let (st, b) = t
            .call("POST", "/admin/scenarios", &editor, Some(body))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{status}: {b}");
        assert!(b.to_string().contains("status"), "{b}");
    }
    assert_eq!(t.count().await, 0);

    // Every other server-owned field is ignored.
    let body = with(scenario("Billing Dispute"), smuggled());
    let (st, b) = t
        .call("POST", "/admin/scenarios", &editor, Some(body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    assert_ne!(id, "scn_HIJACKED00");
    assert_eq!(b["createdBy"], editor_id);
    assert_eq!(b["versionNumber"], 1);
    assert_eq!(b["status"], "DRAFT");

    let got = t.get(&id, &editor).await;
    assert_server_owned(&got, &id, &editor_id, 1);
    assert_eq!(got["slug"], "billing-dispute");
    let (status, created_by, version, usage, rating, published) = t.row(&id).await;
    assert_eq!(
        (
            status.as_str(),
            created_by.as_str(),
            version,
            usage,
            rating,
            published
        ),
        ("DRAFT", editor_id.as_str(), 1, 0, None, None)
    );
}

#[tokio::test]
async fn editors_cannot_publish_by_writing_status() {
    let t = T::new().await;
    let (editor_id, editor) = t.app.user_with(&["training:editor"]).await;
    let (_, b) = t
        .call(
            "POST",
            "/admin/scenarios",
            &editor,
            Some(scenario("Publish Rules")),
        )
        .await;
    let id = b["id"].as_str().unwrap().to_string();

    for method in ["PATCH", "PUT"] {
        for status in ["PUBLISHED", "ARCHIVED"] {
            let (st, b) = t
                .call(
                    method,
                    &format!("/admin/scenarios/{id}"),
                    &editor,
                    Some(json!({"status": status})),
                )
                .await;
            assert_eq!(
                st,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{method} {status}: {b}"
            );
        }
    }
    // Bulk update: PUBLISHED is no status an update may write (the
    // document's enum), so the whole request is refused naming the field.
    let (st, b) = t
        .call(
            "PATCH",
            "/admin/scenarios/bulk/update",
            &editor,
            Some(json!({"scenarioIds": [id], "updates": {"status": "PUBLISHED"}})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["details"][0]["field"], "updates.status", "{b}");

    // The publish endpoint itself needs scenario:publish.
    let (st, b) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/publish"),
            &editor,
            Some(json!({})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    // A viewer cannot even patch.
    let viewer = t.app.token_for(&["training:viewer"]).await;
    let (st, _) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/{id}"),
            &viewer,
            Some(json!({"status": "PUBLISHED"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    let (status, created_by, version, _, _, published) = t.row(&id).await;
    assert_eq!(
        (status.as_str(), created_by.as_str(), version),
        ("DRAFT", editor_id.as_str(), 1)
    );
    assert!(published.is_none());
    assert_eq!(t.get(&id, &editor).await["status"], "DRAFT");

    // A publisher publishes through the endpoint; the status then cannot be
    // written back to DRAFT by a body either.
    let publisher = t.app.token_for(&["training:publisher"]).await;
    let (st, b) = t
        .call(
            "POST",
            &format!("/admin/scenarios/{id}/publish"),
            &publisher,
            Some(json!({})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, b) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/{id}"),
            &editor,
            Some(json!({"status": "DRAFT"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert_eq!(t.row(&id).await.0, "PUBLISHED");
}

#[tokio::test]
async fn updates_ignore_server_owned_fields() {
    let t = T::new().await;
    let (editor_id, editor) = t.app.user_with(&["training:editor"]).await;
    let other = t.app.token_for(&["training:editor"]).await;
    let (_, b) = t
        .call(
            "POST",
            "/admin/scenarios",
            &editor,
            Some(scenario("Owned Fields")),
        )
        .await;
    let id = b["id"].as_str().unwrap().to_string();

    let (st, b) = t
        .call(
            "PATCH",
            &format!("/admin/scenarios/{id}"),
            &other,
            Some(with(json!({"description": "patched"}), smuggled())),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["id"], id.as_str());
    let got = t.get(&id, &editor).await;
    assert_eq!(got["description"], "patched");
    assert_server_owned(&got, &id, &editor_id, 1);

    // PUT makes exactly one new version, whatever versionNumber the body says.
    let (st, b) = t
        .call(
            "PUT",
            &format!("/admin/scenarios/{id}"),
            &other,
            Some(with(json!({"description": "put"}), smuggled())),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(
        (
            b["versionNumber"].as_i64(),
            b["previousVersionNumber"].as_i64()
        ),
        (Some(2), Some(1)),
        "{b}"
    );
    let got = t.get(&id, &editor).await;
    assert_eq!(got["description"], "put");
    assert_server_owned(&got, &id, &editor_id, 2);

    // Bulk update ignores them as well.
    let (st, b) = t
        .call(
            "PATCH",
            "/admin/scenarios/bulk/update",
            &other,
            Some(json!({"scenarioIds": [id], "updates": with(json!({"tags": ["bulk"]}), smuggled())})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["updated"], 1, "{b}");
    let got = t.get(&id, &editor).await;
    assert_eq!(got["tags"], json!(["bulk"]));
    assert_server_owned(&got, &id, &editor_id, 2);
    let (status, created_by, version, usage, rating, _) = t.row(&id).await;
    assert_eq!(
        (status.as_str(), created_by.as_str(), version, usage, rating),
        ("DRAFT", editor_id.as_str(), 2, 0, None)
    );
    // No scenario row appeared under the smuggled id.
    assert_eq!(t.count().await, 1);
}
