//! Issue 16/18: the recordings and documents requests run statements their
//! connection already has prepared (`prepare_cached` in the store), instead
//! of parsing and planning each SQL text again on every request.
//! Its own test binary with one test (the statement recorder is process-wide).

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use poem::test::{TestForm, TestFormField};
use serde_json::{json, Value};

/// Recordings are served below `/api`, not `/api/v1`.
const API: &str = "/contact-center/api";

const TABLES: &[&str] = &[
    "cc_recordings",
    "cc_transcriptions",
    "cc_recording_analyses",
    "cc_compliance_phrases",
    "cc_documents",
];

/// The requests a client repeats: register a recording, upload its
/// transcript, analyze it, and read recordings, transcripts, phrases and
/// documents.
async fn round(app: &TestApp, token: &str, doc: i64, n: usize) {
    let (s, rec) = app
        .call(
            "POST",
            &format!("{API}/recordings"),
            Some(token),
            Some(
                json!({"call_id": format!("call-{n}"), "agent_id": 7, "duration": 60,
            "file_url": "https://storage.example.com/r.mp3", "content_type": "audio/mpeg",
            "recorded_at": "2026-01-05T10:00:00Z"}),
            ),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    let id = rec["id"].as_i64().expect("an id");
    let (s, t) = app
        .call(
        "PUT",
        &format!("{API}/recordings/{id}/transcription"),
        Some(token),
        Some(json!({"segments": [
            {"start": 0.0, "end": 2.0, "speaker": "agent", "text": "This call may be recorded. How can I help?"},
            {"start": 2.0, "end": 5.0, "speaker": "customer", "text": "My order is late and I am frustrated."}]})),
    )
    .await
    .parts();
    assert_eq!(s, StatusCode::OK, "{t}");
    let (s, a) = app
        .call(
            "POST",
            &format!("{API}/recordings/{id}/analyze"),
            Some(token),
            Some(json!({})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::OK, "{a}");
    assert!(a["sentiment"]["overall"].is_number(), "{a}");
    for path in [
        "/recordings".to_string(),
        "/recordings?agent_id=7&has_transcription=true".to_string(),
        format!("/recordings/{id}"),
        format!("/recordings/{id}/transcription"),
        "/recordings/compliance-phrases".to_string(),
        "/v1/documents".to_string(),
        format!("/v1/documents/{doc}"),
    ] {
        let (s, b) = app
            .call("GET", &format!("{API}{path}"), Some(token), None)
            .await
            .parts();
        assert_eq!(s, StatusCode::OK, "{path}: {b}");
    }
}

#[tokio::test]
async fn recording_and_document_requests_reuse_prepared_statements() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let admin = app.admin_token.clone();
    let (s, p) = app
        .call(
            "POST",
            &format!("{API}/recordings/compliance-phrases"),
            Some(&admin),
            Some(json!({"phrase": "this call may be recorded", "kind": "required"})),
        )
        .await
        .parts();
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let form = TestForm::new().field(
        TestFormField::bytes(b"Returns are accepted within 30 days.".to_vec())
            .name("file")
            .filename("returns.txt")
            .content_type("text/plain"),
    );
    let resp = app
        .client
        .post("/contact-center/api/v1/documents")
        .header("Authorization", format!("Bearer {admin}"))
        .multipart(form)
        .send()
        .await;
    assert_eq!(resp.0.status(), StatusCode::CREATED);
    let doc: Value = resp.0.into_body().into_json().await.expect("json");
    let doc = doc["id"].as_i64().expect("a document id");

    // Every pooled connection the warm-up touches prepares each statement once.
    for n in 0..8 {
        round(&app, &admin, doc, n).await;
    }
    let ((), statements) = app.statements_of(round(&app, &admin, doc, 8)).await;
    let ours: Vec<&(String, bool)> = statements
        .iter()
        .filter(|(sql, _)| TABLES.iter().any(|t| sql.contains(t)))
        .collect();
    assert!(
        ours.len() >= 10,
        "the requests' statements were not recorded: {statements:?}"
    );
    let fresh: Vec<&str> = ours
        .iter()
        .filter(|(_, fresh)| *fresh)
        .map(|(sql, _)| sql.as_str())
        .collect();
    assert!(fresh.is_empty(), "prepared again: {fresh:#?}");
}
