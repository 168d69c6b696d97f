use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.call(
        method,
        &format!("/contact-center/api{path}"),
        Some(token),
        body,
    )
    .await
    .parts()
}

#[tokio::test]
async fn deposit_filter_and_status_machine() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    let agent = app.token_for(&["contact-center:agent"]).await;
    let (s, vm) = call(
        &app,
        "POST",
        "/voicemail",
        &agent,
        Some(json!({
            "from_number": "+1234567890", "to_number": "+1987654321", "duration": 45,
            "message_url": "https://storage.example.com/voicemail/vm123.mp3",
            "transcription": "Hi, this is Jane calling about the quote...",
            "received_at": "2025-11-11T14:30:00Z", "priority": 5
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{vm}");
    assert_eq!(vm["status"], "new");
    assert_eq!(vm["received_at"], "2025-11-11T14:30:00Z");
    let id = vm["id"].as_i64().unwrap();
    for (from, day) in [("+1555000111", "2025-11-12"), ("+1555000222", "2025-11-13")] {
        call(
            &app,
            "POST",
            "/voicemail",
            &agent,
            Some(json!({"from_number": from, "to_number": "+1987654321",
            "duration": 10, "received_at": format!("{day}T09:00:00Z")})),
        )
        .await;
    }

    let (s, vm) = call(
        &app,
        "PUT",
        &format!("/voicemail/{id}"),
        &agent,
        Some(json!({"status": "in_progress", "assigned_to_id": 10})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(vm["assigned_to_id"], 10);
    let (s, vm) = call(
        &app,
        "PUT",
        &format!("/voicemail/{id}"),
        &agent,
        Some(json!({
        "status": "completed", "assigned_to_id": 10, "notes": "Returned call and provided quote"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(vm["status"], "completed");
    assert_eq!(vm["notes"], "Returned call and provided quote");
    assert!(vm["completed_at"].is_string());
    // completed -> new is not a valid move.
    let (s, e) = call(
        &app,
        "PUT",
        &format!("/voicemail/{id}"),
        &agent,
        Some(json!({"status": "new"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error_code"], "INVALID_STATUS_TRANSITION");
    let (s, e) = call(
        &app,
        "PUT",
        &format!("/voicemail/{id}"),
        &agent,
        Some(json!({"status": "lost", "priority": 11})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["errors"].as_array().unwrap().len(), 2);

    let (_, list) = call(
        &app,
        "GET",
        "/voicemail?status=completed&assigned_to_id=10",
        &t,
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, list) = call(&app, "GET", "/voicemail?status=new", &t, None).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["from_number"], "+1555000222", "newest first");
    let (_, list) = call(
        &app,
        "GET",
        "/voicemail?start_date=2025-11-12&end_date=2025-11-12",
        &t,
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (s, _) = call(&app, "GET", "/voicemail?status=bogus", &t, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    let (s, e) = call(
        &app,
        "POST",
        "/voicemail",
        &agent,
        Some(json!({"from_number": "call me", "to_number": "+1", "duration": -1})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["errors"].as_array().unwrap().len(), 3);

    let (s, _) = call(&app, "DELETE", &format!("/voicemail/{id}"), &agent, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(&app, "DELETE", &format!("/voicemail/{id}"), &t, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&app, "GET", &format!("/voicemail/{id}"), &t, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let user = app.token_for(&["contact-center:user"]).await;
    let (s, _) = call(
        &app,
        "POST",
        "/voicemail",
        &user,
        Some(json!({"from_number": "+1234567890", "to_number": "+1987654321", "duration": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
