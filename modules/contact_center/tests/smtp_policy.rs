//! The SMTP client never sends credentials unencrypted to a remote host: a
//! plain `smtp://user:pass@remote` URL makes the delivery fail (recorded in the
//! outbox with the reason) without connecting.
//! The SMTP server comes from the settings (the platform mail service).

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn plaintext_credentials_to_a_remote_host_are_refused() {
    // 192.0.2.0/24 is TEST-NET-1: nothing answers there (a connection attempt would hang).
    let app = TestApp::with_settings(vec![frontline_contact_center::module()], |s| {
        s.mail.smtp_url = Some("smtp://mailer:s3cret@192.0.2.10:2525".into());
    })
    .await;
    let auth = format!("Bearer {}", app.admin_token);
    let resp = app
        .client
        .post("/contact-center/api/reports/templates")
        .header("Authorization", &auth)
        .body_json(&json!({"name": "Daily metrics", "report_type": "metric_summary", "default_format": "csv"}))
        .send()
        .await;
    resp.assert_status(StatusCode::CREATED);
    let tpl: Value = resp.0.into_body().into_json().await.unwrap();
    let resp = app
        .client
        .post("/contact-center/api/reports/schedules")
        .header("Authorization", &auth)
        .body_json(
            &json!({"name": "Daily", "template_id": tpl["id"], "schedule_type": "daily",
            "schedule_config": {"hour": 6, "minute": 30}, "recipients": ["manager@example.com"]}),
        )
        .send()
        .await;
    resp.assert_status(StatusCode::CREATED);
    let sch: Value = resp.0.into_body().into_json().await.unwrap();
    let name = format!("cc.report-schedule.{}", sch["id"]);
    app.platform
        .db
        .write(move |tx| {
            tx.execute(
                "UPDATE platform_schedules SET next_run_at = 0 WHERE name = ?1",
                [&name],
            )?;
            frontline_platform::jobs::fire_due_schedules(tx, chrono::Utc::now())?;
            Ok(())
        })
        .await
        .unwrap();
    app.platform.jobs.notify();
    let started = std::time::Instant::now();
    let mut mail = Value::Null;
    for _ in 0..200 {
        let resp = app
            .client
            .get("/contact-center/api/reports/outbox")
            .header("Authorization", &auth)
            .send()
            .await;
        let o: Value = resp.0.into_body().into_json().await.unwrap();
        if let Some(m) = o.as_array().and_then(|a| a.first()) {
            mail = m.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(mail["status"], "failed", "{mail}");
    let error = mail["error"].as_str().unwrap_or_default();
    assert!(error.contains("unencrypted"), "{mail}");
    assert!(
        !error.contains("s3cret"),
        "the reason must not echo the password: {mail}"
    );
    // Refused before any connection (a connection to TEST-NET-1 would wait for the timeout).
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}
