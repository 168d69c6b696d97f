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
async fn register_filter_transcribe_and_analyze() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    let agent = app.token_for(&["contact-center:agent"]).await;
    let (s, rec) = call(
        &app,
        "POST",
        "/recordings",
        &agent,
        Some(json!({
        "call_id": "call_abc123", "campaign_id": 1, "agent_id": 10, "duration": 185,
        "file_url": "https://storage.example.com/recordings/abc123.mp3", "file_size_bytes": 2945600,
        "content_type": "audio/mpeg", "recorded_at": "2025-11-11T10:30:00Z"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    assert_eq!(rec["has_transcription"], false);
    assert_eq!(rec["recorded_at"], "2025-11-11T10:30:00Z");
    let id = rec["id"].as_i64().unwrap();
    call(&app, "POST", "/recordings", &agent, Some(json!({"call_id": "c2", "campaign_id": 2, "agent_id": 11, "team_id": 3,
        "duration": 30, "file_url": "https://x.example/c2.wav", "recorded_at": "2025-11-01T09:00:00Z"}))).await;

    let (s, e) = call(
        &app,
        "GET",
        &format!("/recordings/{id}/transcription"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(e["error_code"], "NOT_FOUND");
    let (s, e) = call(
        &app,
        "POST",
        &format!("/recordings/{id}/analyze"),
        &agent,
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error_code"], "TRANSCRIPTION_REQUIRED");

    let segments = json!([
        {"start": 0.0, "end": 3.5, "speaker": "agent", "text": "Hello, this is John from Sales. This call may be recorded for quality purposes."},
        {"start": 3.6, "end": 7.2, "speaker": "customer", "text": "Hi, I'm interested in your product. The pricing page was confusing though."},
        {"start": 7.3, "end": 12.0, "speaker": "agent", "text": "Happy to help! Our pricing starts at 49 dollars per seat and the pricing includes support."},
        {"start": 12.1, "end": 16.0, "speaker": "customer", "text": "Great, that sounds good. Could I get a demo next week?"},
        {"start": 16.1, "end": 20.0, "speaker": "agent", "text": "Absolutely, I will schedule a demo and send a follow-up email with pricing details."}
    ]);
    let (s, tr) = call(
        &app,
        "PUT",
        &format!("/recordings/{id}/transcription"),
        &agent,
        Some(json!({
        "segments": segments, "language": "en", "confidence": 0.95})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{tr}");
    assert!(tr["text"]
        .as_str()
        .unwrap()
        .starts_with("Hello, this is John from Sales."));
    let (_, tr) = call(
        &app,
        "GET",
        &format!("/recordings/{id}/transcription"),
        &t,
        None,
    )
    .await;
    assert_eq!(tr["segments"][1]["speaker"], "customer");
    assert_eq!(tr["segments"][1]["start"], 3.6);
    assert_eq!(tr["confidence"], 0.95);

    // Bad transcripts.
    let (s, e) = call(&app, "PUT", &format!("/recordings/{id}/transcription"), &agent, Some(json!({
        "segments": [{"start": 5.0, "end": 2.0, "speaker": "agent", "text": "x"}, {"start": 1.0, "end": 2.0, "speaker": "", "text": "y"}],
        "confidence": 2}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The document's rules, every one at once ...
    let fields: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, ["segments[1].speaker", "confidence"], "{e}");
    // ... then the rules between segments.
    let (s, e) = call(&app, "PUT", &format!("/recordings/{id}/transcription"), &agent, Some(json!({
        "segments": [{"start": 5.0, "end": 2.0, "speaker": "agent", "text": "x"}, {"start": 1.0, "end": 2.0, "speaker": "b", "text": "y"}]}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["errors"].as_array().unwrap().len() >= 2, "{e}");

    // Compliance phrases configured by a manager.
    let (s, _) = call(
        &app,
        "POST",
        "/recordings/compliance-phrases",
        &agent,
        Some(json!({"phrase": "x", "kind": "required"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        &app,
        "POST",
        "/recordings/compliance-phrases",
        &t,
        Some(
            json!({"phrase": "this call may be recorded", "kind": "required", "speaker": "agent"}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = call(
        &app,
        "POST",
        "/recordings/compliance-phrases",
        &t,
        Some(json!({"phrase": "this call may be recorded", "kind": "required"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    call(
        &app,
        "POST",
        "/recordings/compliance-phrases",
        &t,
        Some(json!({"phrase": "guaranteed returns", "kind": "forbidden"})),
    )
    .await;

    let (s, a) = call(
        &app,
        "POST",
        &format!("/recordings/{id}/analyze"),
        &agent,
        Some(json!({
        "analysis_types": ["sentiment", "keywords", "summary", "compliance"]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let overall = a["sentiment"]["overall"].as_f64().unwrap();
    assert!(overall > 0.0 && overall <= 1.0, "{overall}");
    let shares = a["sentiment"]["positive"].as_f64().unwrap()
        + a["sentiment"]["negative"].as_f64().unwrap()
        + a["sentiment"]["neutral"].as_f64().unwrap();
    assert!((shares - 1.0).abs() < 1e-3);
    // "interested" and "confusing" cancel out; "Happy to help" is positive.
    assert_eq!(a["sentiment"]["segments"][1]["label"], "neutral", "{a}");
    assert_eq!(a["sentiment"]["segments"][2]["label"], "positive");
    assert_eq!(a["sentiment"]["overall"], 0.6);
    assert_eq!(a["keywords"][0]["word"], "pricing");
    assert_eq!(a["keywords"][0]["count"], 4);
    // 4 of 4 (max) mentions, in 3 of 5 segments: 0.75 * 1 + 0.25 * 0.6.
    assert_eq!(a["keywords"][0]["relevance"], 0.9);
    assert!(a["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["word"] == "demo" && k["count"] == 2));
    let summary = a["summary"].as_str().unwrap();
    assert!(summary.contains("pricing"), "{summary}");
    assert!(summary.len() < tr["text"].as_str().unwrap().len());
    assert_eq!(a["compliance"]["passed"], true);
    assert_eq!(a["compliance"]["status"], "passed");
    assert_eq!(a["compliance"]["checked_required"], 1);

    // Request-level forbidden phrase found in segment 2.
    let (_, a) = call(&app, "POST", &format!("/recordings/{id}/analyze"), &agent, Some(json!({
        "analysis_types": ["compliance"], "forbidden_phrases": ["49 dollars per seat"], "required_phrases": ["thank you for calling"]}))).await;
    assert_eq!(a["compliance"]["passed"], false);
    let issues = a["compliance"]["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 2);
    assert!(issues
        .iter()
        .any(|i| i["type"] == "forbidden_phrase" && i["segment_index"] == 2 && i["at"] == 7.3));
    assert!(issues
        .iter()
        .any(|i| i["type"] == "missing_required_phrase"));
    assert!(a["sentiment"].is_null());

    let (_, rec) = call(&app, "GET", &format!("/recordings/{id}"), &t, None).await;
    assert_eq!(rec["has_transcription"], true);
    assert_eq!(rec["sentiment_score"].as_f64().unwrap(), overall);
    assert_eq!(rec["keywords"][0], "pricing");

    // Filters.
    for (q, n) in [
        ("campaign_id=1", 1),
        ("agent_id=11", 1),
        ("team_id=3", 1),
        ("start_date=2025-11-05", 1),
        ("end_date=2025-11-05", 1),
        ("duration_min=100", 1),
        ("duration_max=100", 1),
        ("has_transcription=true", 1),
        ("has_transcription=false", 1),
        ("limit=100", 2),
    ] {
        let (s, l) = call(&app, "GET", &format!("/recordings?{q}"), &t, None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(l.as_array().unwrap().len(), n, "{q}");
    }
    let (s, _) = call(
        &app,
        "GET",
        "/recordings?duration_min=10&duration_max=5",
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = call(
        &app,
        "POST",
        &format!("/recordings/{id}/analyze"),
        &agent,
        Some(json!({"analysis_types": ["mood"]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = call(&app, "POST", "/recordings", &agent, Some(json!({"call_id": "x", "duration": 5, "file_url": "ftp://nope", "content_type": "text/plain"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    let (s, _) = call(&app, "DELETE", &format!("/recordings/{id}"), &agent, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(&app, "DELETE", &format!("/recordings/{id}"), &t, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(
        &app,
        "GET",
        &format!("/recordings/{id}/transcription"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
