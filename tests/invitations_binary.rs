//! Chatbot invitations on the real binary: without `--smtp-url` the
//! invitation e-mail is kept (the answer says `invitation_kept`); restarted
//! with a mail server, the server sends what it kept, with the link at
//! `--public-url`; the link's token sets the password and the invitee signs in.

mod support;

use std::time::Duration;

use frontline_platform::testing::smtp_server;
use serde_json::{json, Value};
use support::{admin_token, login, start};

const B: &str = "/chatbot/api/v2";
const PUBLIC: &str = "https://chat.example.test";

#[tokio::test]
async fn a_kept_invitation_is_sent_once_a_mail_server_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let email = "invitee@example.test";
    let tenant = {
        let server = start(dir.path(), &[], &[]);
        let admin = admin_token(&http, &server.base).await;
        let r = http
            .post(format!("{}{B}/tenants", server.base))
            .bearer_auth(&admin)
            .json(&json!({"name": "Binary Corp", "plan": "starter",
                "admin_user": {"email": "owner@example.test"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let tenant = r.json::<Value>().await.unwrap()["data"]["tenant_id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = http
            .post(format!("{}{B}/tenants/{tenant}/users", server.base))
            .bearer_auth(&admin)
            .json(&json!({"email": email, "role": "agent", "invitation_message": "See you soon"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["data"]["status"], "invitation_kept", "{b}");
        assert_eq!(b["data"]["invitation_delivery"], "not_configured", "{b}");
        tenant
    };

    // Restarted with a mail server: the kept e-mail goes out.
    let (port, inbox) = smtp_server().await;
    let smtp = format!("smtp://127.0.0.1:{port}");
    let server = start(
        dir.path(),
        &["--smtp-url", &smtp, "--public-url", PUBLIC],
        &[],
    );
    let mut mail = None;
    for _ in 0..100 {
        if let Some(m) = inbox.lock().unwrap().first().cloned() {
            mail = Some(m);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (to, data) = mail.expect("the kept invitation is sent");
    assert_eq!(to, vec![email.to_string()]);
    let text = data.replace("=\n", "").replace("=3D", "=");
    assert!(
        text.contains("Binary Corp") && text.contains("See you soon"),
        "{text}"
    );
    let prefix = format!("{PUBLIC}/#/accept-invitation?token=");
    let at = text.find(&prefix).expect("the accept link");
    let token: String = text[at + prefix.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();

    let r = http
        .get(format!("{}{B}/invitations/{token}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["data"]["tenant_id"], tenant.as_str(), "{b}");
    assert_eq!(b["data"]["role"], "agent", "{b}");
    let r = http
        .post(format!("{}{B}/invitations/accept", server.base))
        .json(&json!({"token": token, "password": "invitee-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let member = login(&http, &server.base, email, "invitee-password").await;
    let r = http
        .get(format!("{}{B}/conversations", server.base))
        .bearer_auth(&member)
        .header("X-Tenant-ID", &tenant)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
