//! A scheduled report is e-mailed over SMTP to a tiny server this test runs.
//! The SMTP server comes from the settings (the platform mail service).

use std::sync::{Arc, Mutex};

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Accepts SMTP sessions and records (envelope recipients, message data).
async fn smtp_server() -> (u16, Arc<Mutex<Vec<(Vec<String>, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 test.local ESMTP\r\n").await.unwrap();
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_uppercase();
                    if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        w.write_all(b"250 test.local\r\n").await.unwrap();
                    } else if upper.starts_with("MAIL FROM") {
                        w.write_all(b"250 OK\r\n").await.unwrap();
                    } else if upper.starts_with("RCPT TO") {
                        rcpt.push(
                            line[8..]
                                .trim()
                                .trim_matches(|c| c == '<' || c == '>')
                                .to_string(),
                        );
                        w.write_all(b"250 OK\r\n").await.unwrap();
                    } else if upper == "DATA" {
                        w.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        store.lock().unwrap().push((rcpt.clone(), data));
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    } else if upper == "QUIT" {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        w.write_all(b"250 OK\r\n").await.unwrap();
                    }
                }
            });
        }
    });
    (port, got)
}

#[tokio::test]
async fn scheduled_report_is_mailed_over_smtp() {
    let (port, got) = smtp_server().await;
    let app = TestApp::with_settings(vec![frontline_contact_center::module()], |s| {
        s.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.mail.from = Some("reports@frontline.test".into());
    })
    .await;
    let t = app.admin_token.clone();
    let auth = format!("Bearer {t}");
    let resp = app.client.post("/contact-center/api/reports/templates").header("Authorization", &auth)
        .body_json(&json!({"name": "Daily metrics", "report_type": "metric_summary", "default_format": "csv"})).send().await;
    resp.assert_status(StatusCode::CREATED);
    let tpl: Value = resp.0.into_body().into_json().await.unwrap();
    let resp = app
        .client
        .post("/contact-center/api/reports/schedules")
        .header("Authorization", &auth)
        .body_json(
            &json!({"name": "Daily", "template_id": tpl["id"], "schedule_type": "daily",
            "schedule_config": {"hour": 6, "minute": 30, "timezone": "Europe/Paris"},
            "recipients": ["manager@example.com", "director@example.com"]}),
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
    // Polls for up to about 2 minutes (CI runs on a loaded box).
    for _ in 0..2400 {
        if !got.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mails = got.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let (rcpt, data) = &mails[0];
    assert_eq!(
        rcpt,
        &vec![
            "manager@example.com".to_string(),
            "director@example.com".to_string()
        ]
    );
    assert!(data.contains("From: reports@frontline.test"), "{data}");
    assert!(data.contains("Subject: Report: Daily"), "{data}");
    assert!(data.contains("text/csv"), "the report is attached: {data}");
    // The outbox records the delivery.
    let mut status = Value::Null;
    for _ in 0..2400 {
        let resp = app
            .client
            .get("/contact-center/api/reports/outbox")
            .header("Authorization", &auth)
            .send()
            .await;
        let o: Value = resp.0.into_body().into_json().await.unwrap();
        if let Some(m) = o.as_array().and_then(|a| a.first()) {
            status = m["status"].clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "sent");
}
