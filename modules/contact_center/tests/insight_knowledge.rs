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

#[tokio::test]
async fn article_crud_and_filters() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    let company: i64 = app.platform.db.write(|tx| {
        tx.execute("INSERT INTO cc_companies (name, created_at, updated_at) VALUES ('Acme', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')", [])?;
        Ok(tx.last_insert_rowid())
    }).await.unwrap();
    let (s, a, _) = call(&app, "POST", "/v1/knowledge", &t, Some(json!({
        "company_id": company, "title": "How to Reset Password",
        "content": "To reset your password, follow these steps...", "category": "support",
        "tags": ["password", "security", "account", "Password"], "is_public": true, "language": "en",
        "metadata": {"author": "Support Team", "last_reviewed": "2025-11-01"}}))).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["tags"], json!(["password", "security", "account"]));
    assert_eq!(a["metadata"]["author"], "Support Team");
    let id = a["id"].as_i64().unwrap();
    call(&app, "POST", "/v1/knowledge", &t, Some(json!({"company_id": company, "title": "Facturación", "content": "Cómo pagar", "category": "billing", "language": "es", "is_public": false}))).await;

    for (q, n) in [
        (format!("company_id={company}&category=support&limit=50"), 1),
        ("language=es".into(), 1),
        ("is_public=false".into(), 1),
        ("tag=security".into(), 1),
        ("tag=none".into(), 0),
        ("".into(), 2),
    ] {
        let (s, l, h) = call(&app, "GET", &format!("/v1/knowledge?{q}"), &t, None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(l.as_array().unwrap().len(), n, "{q}");
        assert_eq!(
            h.get("X-Total-Count").unwrap().to_str().unwrap(),
            n.to_string()
        );
    }
    let (s, a, _) = call(
        &app,
        "PUT",
        &format!("/v1/knowledge/{id}"),
        &t,
        Some(json!({"title": "Password Reset Guide", "tags": ["password"]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["title"], "Password Reset Guide");
    assert_eq!(
        a["content"],
        "To reset your password, follow these steps..."
    );
    assert_eq!(a["tags"], json!(["password"]));

    let (s, e, _) = call(
        &app,
        "POST",
        "/v1/knowledge",
        &t,
        Some(json!({"company_id": 999, "title": "x", "content": "y"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "company_id");
    let (s, e, _) = call(
        &app,
        "POST",
        "/v1/knowledge",
        &t,
        Some(json!({"title": " ", "content": "", "language": "english!", "metadata": [1]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Every rule the document states, at once (blank title and content,
    // language code, metadata an object).
    assert_eq!(e["errors"].as_array().unwrap().len(), 4, "{e}");
    let (s, e, _) = call(
        &app,
        "POST",
        "/v1/knowledge",
        &t,
        Some(json!({"title": "T", "content": "C", "language": "english!", "metadata": [1]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["errors"].as_array().unwrap().len(), 2);

    let agent = app.token_for(&["contact-center:agent"]).await;
    let (s, _, _) = call(&app, "GET", &format!("/v1/knowledge/{id}"), &agent, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = call(&app, "DELETE", &format!("/v1/knowledge/{id}"), &agent, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = call(&app, "DELETE", &format!("/v1/knowledge/{id}"), &t, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _, _) = call(&app, "GET", &format!("/v1/knowledge/{id}"), &t, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let outsider = app.token_for(&["training:viewer"]).await;
    let (s, _, _) = call(&app, "GET", "/v1/knowledge", &outsider, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
