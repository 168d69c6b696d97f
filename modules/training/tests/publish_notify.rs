//! `notifyUsers: true` on publish e-mails the scenario's followers (author,
//! commenters, trainees) through the platform's mail service; without an SMTP
//! server nothing is sent and each notification says `not_configured`.

use std::time::Duration;

use frontline_platform::testing::{allow_loopback, smtp_server, TestApp};
use poem::http::StatusCode;
use serde_json::{json, Value};

mod support;
use support::{call, drill};

fn scenario(name: &str) -> Value {
    drill(name, "A drill", &[], "BILLING_PAYMENTS")
}

async fn email_of(app: &TestApp, id: &str) -> String {
    let id = id.to_string();
    app.platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT email FROM platform_users WHERE id = ?1",
                [&id],
                |r| r.get::<_, String>(0),
            )?)
        })
        .await
        .unwrap()
}

async fn statuses(app: &TestApp, scenario: &str) -> Vec<(String, String)> {
    let id = scenario.to_string();
    app.platform
        .db
        .read(move |c| {
            let mut st = c.prepare(
                "SELECT email, status FROM training_notifications WHERE scenario_id = ?1 ORDER BY email",
            )?;
            let rows = st
                .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
        .unwrap()
}

/// An author and a commenter; an admin publishes. Returns (scenario id, author email, commenter email, admin token).
async fn scenario_with_followers(app: &TestApp) -> (String, String, String, String) {
    let (author_id, author) = app.user_with(&["training:publisher"]).await;
    let (commenter_id, commenter) = app.user_with(&["training:editor"]).await;
    let (_, admin) = app.user_with(&["training:admin"]).await;
    let (st, b) = call(
        app,
        "POST",
        "/admin/scenarios",
        &author,
        Some(scenario("Refund Drill")),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let (st, b) = call(
        app,
        "POST",
        &format!("/admin/scenarios/{id}/comments"),
        &commenter,
        Some(json!({"content": "Looks ready"})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    (
        id,
        email_of(app, &author_id).await,
        email_of(app, &commenter_id).await,
        admin,
    )
}

#[tokio::test]
async fn publishing_with_notify_users_mails_the_followers() {
    let (port, inbox) = smtp_server().await;
    let app = TestApp::with_settings(vec![frontline_training::module()], |s| {
        allow_loopback(s);
        s.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.mail.from = Some("training@frontline.test".into());
    })
    .await;
    let (id, author, commenter, admin) = scenario_with_followers(&app).await;
    let (st, b) = call(
        &app,
        "POST",
        &format!("/admin/scenarios/{id}/publish"),
        &admin,
        Some(json!({"notes": "Ready for production use", "notifyUsers": true})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["notifiedUsers"], 2, "{b}");

    let mut got = vec![];
    for _ in 0..100 {
        got = inbox.lock().unwrap().clone();
        if got.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut to: Vec<String> = got.iter().flat_map(|(rcpt, _)| rcpt.clone()).collect();
    to.sort();
    let mut want = vec![author.clone(), commenter.clone()];
    want.sort();
    assert_eq!(to, want, "each follower gets one e-mail");
    assert!(got.iter().all(
        |(_, data)| data.contains("Refund Drill") && data.contains("Ready for production use")
    ));
    for _ in 0..50 {
        if statuses(&app, &id).await.iter().all(|(_, s)| s == "sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(statuses(&app, &id).await.iter().all(|(_, s)| s == "sent"));
}

#[tokio::test]
async fn without_smtp_nothing_is_sent_and_the_status_says_so() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    let (id, _, _, admin) = scenario_with_followers(&app).await;
    let (st, b) = call(
        &app,
        "POST",
        &format!("/admin/scenarios/{id}/publish"),
        &admin,
        Some(json!({"notifyUsers": true})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["notifiedUsers"], 2, "{b}");
    let mut rows = vec![];
    for _ in 0..100 {
        rows = statuses(&app, &id).await;
        if rows.iter().all(|(_, s)| s != "queued") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|(_, s)| s == "not_configured"), "{rows:?}");

    // Without notifyUsers nobody is queued and the answer has no count.
    let (_, author) = app.user_with(&["training:publisher"]).await;
    let (_, b) = call(
        &app,
        "POST",
        "/admin/scenarios",
        &author,
        Some(scenario("Quiet Drill")),
    )
    .await;
    let quiet = b["id"].as_str().unwrap().to_string();
    let (st, b) = call(
        &app,
        "POST",
        &format!("/admin/scenarios/{quiet}/publish"),
        &admin,
        Some(json!({})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert!(b.get("notifiedUsers").is_none(), "{b}");
    assert!(statuses(&app, &quiet).await.is_empty());
}
