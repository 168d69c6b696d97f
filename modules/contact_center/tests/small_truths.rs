//! Issue 22 #11: ISO week labels in reports, compliance with nothing configured.
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
async fn report_weeks_are_iso_weeks() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    app.platform
        .db
        .write(|tx| {
            tx.execute_batch(
                "INSERT INTO cc_calls (call_id, status, outcome, duration, wait_time, started_at, created_at) VALUES
                ('w1', 'completed', 'success', 60, 5, '2026-12-05T10:00:00Z', '2026-12-05T10:00:00Z'),
                ('w2', 'completed', 'success', 60, 5, '2027-01-01T10:00:00Z', '2027-01-01T10:00:00Z');",
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let (s, acc) = call(
        &app,
        "POST",
        "/reports/generate",
        &t,
        Some(json!({"name": "Weeks", "report_type": "call_summary",
        "format": "csv", "query_definition": {"metrics": ["total_calls"], "grouping": ["week"]},
        "filters": {"start_date": "2026-12-01", "end_date": "2027-01-03"}})),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{acc}");
    let id = acc["id"].as_i64().unwrap();
    let mut r = Value::Null;
    for _ in 0..100 {
        r = call(&app, "GET", &format!("/reports/{id}"), &t, None)
            .await
            .1;
        if r["status"] != "generating" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(r["status"], "completed", "{r}");
    let resp = app
        .client
        .get(r["file_url"].as_str().unwrap())
        .header("Authorization", format!("Bearer {t}"))
        .send()
        .await;
    resp.assert_status_is_ok();
    let csv = resp.0.into_body().into_string().await.unwrap();
    // Saturday 2026-12-05 is in ISO week 49; Friday 2027-01-01 in week 53 of 2026.
    assert!(csv.contains("2026-W49,1"), "{csv}");
    assert!(csv.contains("2026-W53,1"), "{csv}");
    assert!(!csv.contains("W48"), "{csv}");
}

#[tokio::test]
async fn compliance_without_phrases_reports_that_nothing_was_checked() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let agent = app.token_for(&["contact-center:agent"]).await;
    let (s, rec) = call(
        &app,
        "POST",
        "/recordings",
        &agent,
        Some(json!({
        "call_id": "call_nc", "duration": 20, "file_url": "https://storage.example.com/r/nc.mp3",
        "recorded_at": "2026-11-11T10:30:00Z"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    let id = rec["id"].as_i64().unwrap();
    let (s, tr) = call(&app, "PUT", &format!("/recordings/{id}/transcription"), &agent, Some(json!({
        "segments": [{"start": 0.0, "end": 3.0, "speaker": "agent", "text": "We guarantee returns of fifty percent."}],
        "language": "en", "confidence": 0.9}))).await;
    assert_eq!(s, StatusCode::OK, "{tr}");
    let (s, a) = call(
        &app,
        "POST",
        &format!("/recordings/{id}/analyze"),
        &agent,
        Some(json!({"analysis_types": ["compliance"]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert!(a["compliance"]["passed"].is_null(), "{a}");
    assert_eq!(a["compliance"]["status"], "not_configured", "{a}");
    assert_eq!(a["compliance"]["checked_required"], 0);
    assert_eq!(a["compliance"]["checked_forbidden"], 0);

    // With a phrase given, the check runs and says so.
    let (_, a) = call(
        &app,
        "POST",
        &format!("/recordings/{id}/analyze"),
        &agent,
        Some(json!({"analysis_types": ["compliance"], "forbidden_phrases": ["guarantee returns"]})),
    )
    .await;
    assert_eq!(a["compliance"]["passed"], false, "{a}");
    assert_eq!(a["compliance"]["status"], "failed");
}

#[tokio::test]
async fn knowledge_score_of_a_stop_word_match_is_low() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    for (title, content) in [
        (
            "Password Reset Guide",
            "To reset the password, open the sign-in page.",
        ),
        ("Refund Policy", "Refunds are paid back within five days."),
    ] {
        let (s, a) = app
            .call("POST", "/contact-center/api/v1/knowledge", Some(&t),
                Some(json!({"title": title, "content": content, "category": "support", "is_public": true})))
            .await
            .parts();
        assert_eq!(s, StatusCode::CREATED, "{a}");
    }
    let search = |q: &'static str| {
        let app = &app;
        let t = t.clone();
        async move {
            let (s, r) = app
                .call(
                    "POST",
                    "/contact-center/api/v1/knowledge/search",
                    Some(&t),
                    Some(json!({"query": q})),
                )
                .await
                .parts();
            assert_eq!(s, StatusCode::OK, "{r}");
            r.as_array().unwrap().clone()
        }
    };
    // Only stop words: whatever matches, it is no evidence of relevance.
    let hits = search("is the").await;
    assert!(!hits.is_empty());
    for h in hits {
        assert!(h["score"].as_f64().unwrap() < 0.5, "{h}");
    }
    // A real match still scores 1 at the top.
    let r = search("reset password").await;
    assert_eq!(r[0]["title"], "Password Reset Guide");
    assert_eq!(r[0]["score"], 1.0);
}
