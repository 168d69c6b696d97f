//! `GET /api/reports?status=completed` lists the reports that show status
//! `completed`: a completed report whose file has expired shows `expired`
//! (and answers 410 on download), so it is not among them.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

async fn call(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    app.call(
        method,
        &format!("/contact-center/api{path}"),
        Some(&app.admin_token),
        body,
    )
    .await
    .parts()
}

/// Generates a CSV call summary and waits (generously) until it is done.
async fn completed_report(app: &TestApp, name: &str) -> i64 {
    let (s, acc) = call(
        app,
        "POST",
        "/reports/generate",
        Some(json!({"name": name, "report_type": "call_summary", "format": "csv"})),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{acc}");
    let id = acc["id"].as_i64().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let (_, r) = call(app, "GET", &format!("/reports/{id}"), None).await;
        if r["status"] != "generating" {
            assert_eq!(r["status"], "completed", "{r}");
            return id;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "report {id} still generating"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn an_expired_report_is_not_listed_as_completed() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let fresh = completed_report(&app, "Fresh").await;
    let old = completed_report(&app, "Old").await;
    // The old report's 30 days have passed.
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "UPDATE cc_reports SET expires_at = '2000-01-01T00:00:00Z' WHERE id = ?1",
                [old],
            )?;
            Ok(())
        })
        .await
        .unwrap();

    let (s, r) = call(&app, "GET", &format!("/reports/{old}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["status"], "expired", "{r}");
    assert!(r["file_url"].is_null(), "{r}");
    let (s, _) = call(&app, "GET", &format!("/reports/{old}/download"), None).await;
    assert_eq!(s, StatusCode::GONE);

    let (s, completed) = call(&app, "GET", "/reports?status=completed", None).await;
    assert_eq!(s, StatusCode::OK, "{completed}");
    assert_eq!(ids(&completed), vec![fresh], "{completed}");
    for r in completed.as_array().unwrap() {
        assert_eq!(r["status"], "completed", "{r}");
    }
    let (_, all) = call(&app, "GET", "/reports", None).await;
    assert_eq!(ids(&all), vec![old, fresh], "{all}");
}
