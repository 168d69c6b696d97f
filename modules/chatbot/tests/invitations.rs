//! Invitations (`POST /tenants/{id}/users` with `send_invitation`): the
//! e-mail goes out through the platform's mail service with a single-use
//! link at the server's public address; the link's holder sees the
//! invitation, chooses a password and signs in. Without a mail server the
//! answer says the e-mail is kept, never that it was sent.

use std::time::Duration;

use frontline_platform::testing::{allow_loopback, smtp_server, SmtpInbox, TestApp};
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";
const PUBLIC: &str = "https://frontline.example";

/// A tenant and its owner's token.
async fn tenant(app: &TestApp, name: &str) -> (String, String) {
    let (id, tok) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&id)
        .await
        .unwrap()
        .unwrap()
        .email;
    let (st, b) = app
        .call(
            "POST",
            &format!("{B}/tenants"),
            Some(&app.admin_token),
            Some(json!({"name": name, "plan": "starter", "admin_user": {"email": email}})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::CREATED, "{b}");
    (b["data"]["tenant_id"].as_str().unwrap().to_string(), tok)
}

async fn invite(app: &TestApp, t: &str, owner: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        "POST",
        &format!("{B}/tenants/{t}/users"),
        Some(owner),
        Some(body),
    )
    .await
    .parts()
}

async fn member(app: &TestApp, t: &str, owner: &str, email: &str) -> Value {
    let (st, b) = app
        .call("GET", &format!("{B}/tenants/{t}/users"), Some(owner), None)
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{b}");
    b["data"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .cloned()
        .unwrap_or_else(|| panic!("{email} is a member: {b}"))
}

async fn login(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    app.call(
        "POST",
        "/auth/login",
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
    .parts()
}

/// The `n`th e-mail to arrive (waits up to 10 s): recipients and text with
/// quoted-printable soft breaks and `=3D` undone.
async fn nth_mail(inbox: &SmtpInbox, n: usize) -> (Vec<String>, String) {
    for _ in 0..100 {
        if let Some((to, data)) = inbox.lock().unwrap().get(n).cloned() {
            return (to, data.replace("=\n", "").replace("=3D", "="));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("mail {n} never arrived");
}

/// The token of the accept link in a mail's text.
fn token_in(text: &str) -> String {
    let prefix = format!("{PUBLIC}/#/accept-invitation?token=");
    let at = text
        .find(&prefix)
        .unwrap_or_else(|| panic!("no accept link in {text}"));
    text[at + prefix.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

async fn smtp_app() -> (TestApp, SmtpInbox) {
    let (port, inbox) = smtp_server().await;
    let app = TestApp::with_settings(vec![frontline_chatbot::module()], |s| {
        allow_loopback(s);
        s.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.mail.from = Some("team@frontline.test".into());
        s.public_url = Some(PUBLIC.into());
    })
    .await;
    (app, inbox)
}

#[tokio::test]
async fn an_invitation_is_mailed_and_its_link_sets_the_password() {
    let (app, inbox) = smtp_app().await;
    let (t, owner) = tenant(&app, "Acme Corporation").await;
    let email = "sarah.johnson@acme.com";
    let (st, b) = invite(
        &app,
        &t,
        &owner,
        json!({"email": email, "first_name": "Sarah", "last_name": "Johnson", "role": "developer",
            "permissions": ["conversations:read", "analytics:read"], "send_invitation": true,
            "invitation_message": "Welcome to our chatbot platform team!"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(b["data"]["status"], "invitation_queued", "{b}");
    assert_eq!(b["data"]["invitation_delivery"], "queued", "{b}");
    let expires = b["data"]["invitation_expires_at"].as_str().unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(expires).unwrap();
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "expires in 7 days: {days} h");

    // Not active until accepted: no password works.
    let (st, b) = login(&app, email, "password-123").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{b}");
    assert_eq!(b["error"]["code"], "INVALID_CREDENTIALS", "{b}");

    // The e-mail: the tenant, the note, the link at the public address.
    let (to, text) = nth_mail(&inbox, 0).await;
    assert_eq!(to, vec![email.to_string()]);
    assert!(text.contains("Acme Corporation"), "{text}");
    assert!(
        text.contains("Welcome to our chatbot platform team!"),
        "{text}"
    );
    let token = token_in(&text);
    assert_eq!(token.len(), 64, "{text}");

    // The member's record says the SMTP server took it.
    let mut m = Value::Null;
    for _ in 0..50 {
        m = member(&app, &t, &owner, email).await;
        if m["invitation_delivery"] == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(m["status"], "invited", "{m}");
    assert_eq!(m["invitation_delivery"], "sent", "{m}");

    // Only the token's hash is stored, and the sent token left the outbox.
    let stored = app
        .platform
        .db
        .read(|c| {
            Ok(c.query_row(
                "SELECT token_hash, sealed_token FROM chatbot_invitations",
                [],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
            )?)
        })
        .await
        .unwrap();
    assert_ne!(stored.0, token);
    assert_eq!(stored.1, None);

    // The link's holder sees the invitation.
    let (st, b) = app
        .call("GET", &format!("{B}/invitations/{token}"), None, None)
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["tenant_id"], t.as_str());
    assert_eq!(b["data"]["tenant_name"], "Acme Corporation");
    assert_eq!(b["data"]["email"], email);
    assert_eq!(b["data"]["role"], "developer");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(b["data"]["expires_at"].as_str().unwrap()).unwrap(),
        expires
    );

    // A password outside the platform's rules is refused, the link stays.
    let accept = |password: &str| json!({"token": token, "password": password, "name": "Sarah J."});
    let (st, b) = app
        .call(
            "POST",
            &format!("{B}/invitations/accept"),
            None,
            Some(accept("short")),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["details"]["field"], "password", "{b}");

    let (st, b) = app
        .call(
            "POST",
            &format!("{B}/invitations/accept"),
            None,
            Some(accept("sarahs-new-password")),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["status"], "active", "{b}");
    assert_eq!(b["data"]["tenant_id"], t.as_str());
    assert_eq!(b["data"]["email"], email);

    // She signs in and works in the tenant with her role's permissions.
    let (st, b) = login(&app, email, "sarahs-new-password").await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let sarah = b["access_token"].as_str().unwrap().to_string();
    let r = app
        .client
        .get(format!("{B}/conversations"))
        .header("Authorization", format!("Bearer {sarah}"))
        .header("X-Tenant-ID", t.as_str())
        .send()
        .await;
    r.assert_status_is_ok();
    let m = member(&app, &t, &owner, email).await;
    assert_eq!(m["status"], "active", "{m}");
    assert_eq!(m["first_name"], "Sarah");

    // The link works once.
    let (st, b) = app
        .call(
            "POST",
            &format!("{B}/invitations/accept"),
            None,
            Some(accept("another-password")),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    assert_eq!(b["status"], "error", "{b}");
    assert_eq!(b["error"]["code"], "INVITATION_NOT_FOUND", "{b}");
    let (st, _) = app
        .call("GET", &format!("{B}/invitations/{token}"), None, None)
        .await
        .parts();
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = login(&app, email, "another-password").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // Created and accepted are audited.
    let audit = app.audit_rows().await;
    assert!(audit
        .iter()
        .any(|a| a.starts_with("tenant.invitation.create")));
    assert!(audit
        .iter()
        .any(|a| a.starts_with("tenant.invitation.accept")));
}

#[tokio::test]
async fn inviting_again_replaces_the_link_and_expired_links_are_refused() {
    let (app, inbox) = smtp_app().await;
    let (t, owner) = tenant(&app, "Beta Ltd").await;
    let email = "bob@beta.example";
    let (st, b) = invite(&app, &t, &owner, json!({"email": email, "role": "agent"})).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let first = token_in(&nth_mail(&inbox, 0).await.1);

    // A second POST for the member who has not accepted is a new invitation.
    let (st, b) = invite(
        &app,
        &t,
        &owner,
        json!({"email": email, "role": "analyst", "send_invitation": true}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(b["data"]["status"], "invitation_queued", "{b}");
    assert_eq!(b["data"]["role"], "analyst", "{b}");
    let second = token_in(&nth_mail(&inbox, 1).await.1);
    assert_ne!(first, second);
    let (st, b) = app
        .call("GET", &format!("{B}/invitations/{first}"), None, None)
        .await
        .parts();
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    assert_eq!(b["error"]["code"], "INVITATION_NOT_FOUND");
    let (st, b) = app
        .call("GET", &format!("{B}/invitations/{second}"), None, None)
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["role"], "analyst");
    assert_eq!(
        member(&app, &t, &owner, email).await["status"],
        "invited",
        "one member, still invited"
    );

    // An expired link is refused like an unknown one.
    app.platform
        .db
        .write(|tx| {
            tx.execute(
                "UPDATE chatbot_invitations SET expires_at = '2020-01-01T00:00:00Z' WHERE status = 'pending'",
                [],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let (st, _) = app
        .call("GET", &format!("{B}/invitations/{second}"), None, None)
        .await
        .parts();
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, b) = app
        .call(
            "POST",
            &format!("{B}/invitations/accept"),
            None,
            Some(json!({"token": second, "password": "a-fine-password"})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    assert_eq!(b["error"]["code"], "INVITATION_NOT_FOUND");
    let (st, _) = login(&app, email, "a-fine-password").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // An active member is not invited again.
    let (st, b) = invite(
        &app,
        &t,
        &owner,
        json!({"email": "carol@beta.example", "send_invitation": false}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, b) = invite(&app, &t, &owner, json!({"email": "carol@beta.example"})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"]["code"], "USER_EXISTS");
}

#[tokio::test]
async fn an_existing_account_accepts_with_a_new_password() {
    let (app, inbox) = smtp_app().await;
    let (t, owner) = tenant(&app, "Gamma Inc").await;
    let (id, _) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&id)
        .await
        .unwrap()
        .unwrap()
        .email;
    let (st, b) = invite(&app, &t, &owner, json!({"email": email, "role": "viewer"})).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    // The account still signs in, but has no access to the tenant yet.
    let (st, b) = login(&app, &email, "password-123").await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let before = b["access_token"].as_str().unwrap().to_string();
    let r = app
        .client
        .get(format!("{B}/conversations"))
        .header("Authorization", format!("Bearer {before}"))
        .header("X-Tenant-ID", t.as_str())
        .send()
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    let token = token_in(&nth_mail(&inbox, 0).await.1);
    let (st, b) = app
        .call(
            "POST",
            &format!("{B}/invitations/accept"),
            None,
            Some(json!({"token": token, "password": "gammas-password"})),
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, b) = login(&app, &email, "gammas-password").await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let after = b["access_token"].as_str().unwrap().to_string();
    let r = app
        .client
        .get(format!("{B}/conversations"))
        .header("Authorization", format!("Bearer {after}"))
        .header("X-Tenant-ID", t.as_str())
        .send()
        .await;
    r.assert_status_is_ok();
}

#[tokio::test]
async fn without_a_mail_server_the_invitation_is_kept_and_the_answer_says_so() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (t, owner) = tenant(&app, "Delta Co").await;
    let email = "dana@delta.example";
    let (st, b) = invite(
        &app,
        &t,
        &owner,
        json!({"email": email, "send_invitation": true, "invitation_message": "Hi"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(b["data"]["status"], "invitation_kept", "{b}");
    assert_eq!(b["data"]["invitation_delivery"], "not_configured", "{b}");
    assert!(
        b["data"]["invitation_error"]
            .as_str()
            .is_some_and(|e| e.contains("smtp_url")),
        "{b}"
    );
    let m = member(&app, &t, &owner, email).await;
    assert_eq!(m["status"], "invited", "{m}");
    assert_eq!(m["invitation_delivery"], "not_configured", "{m}");
    // Kept in the outbox (sealed), nothing queued to send.
    let (kept, jobs) = app
        .platform
        .db
        .read(|c| {
            Ok((
                c.query_row(
                    "SELECT COUNT(*) FROM chatbot_invitations WHERE sealed_token IS NOT NULL AND mail_status = 'not_configured'",
                    [],
                    |r| r.get::<_, i64>(0),
                )?,
                c.query_row(
                    "SELECT COUNT(*) FROM platform_jobs WHERE kind = 'chatbot.invitation_mail'",
                    [],
                    |r| r.get::<_, i64>(0),
                )?,
            ))
        })
        .await
        .unwrap();
    assert_eq!((kept, jobs), (1, 0));
    let (st, _) = login(&app, email, "password-123").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // Unknown tokens: 404 in the chatbot's error body.
    let (st, b) = app
        .call(
            "GET",
            &format!("{B}/invitations/{}", "0".repeat(64)),
            None,
            None,
        )
        .await
        .parts();
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    assert_eq!(b["status"], "error");
    assert_eq!(b["error"]["code"], "INVITATION_NOT_FOUND");
}

#[tokio::test]
async fn the_invitation_routes_are_rate_limited_per_client() {
    let app =
        TestApp::with_settings(vec![frontline_chatbot::module()], |s| s.rate_limits = true).await;
    let path = format!("{B}/invitations/{}", "1".repeat(64));
    for _ in 0..frontline_chatbot::limits::INVITATIONS_PER_HOUR {
        let r = app.call("GET", &path, None, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    let r = app.call("GET", &path, None, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.body["status"], "error", "{}", r.body);
    assert_eq!(r.headers["x-ratelimit-limit"], "60");
}
