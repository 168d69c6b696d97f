//! Events reach subscribed webhooks, signed, retried until delivered.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use frontline_platform::events::{self, Audience, NewSubscription};
use frontline_platform::testing::allow_loopback;
use frontline_platform::{Platform, Settings};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{handler, http::StatusCode, web::Data, EndpointExt, Request, Route, Server};
use serde_json::{json, Value};

#[derive(Clone, Default)]
struct Received {
    calls: Arc<Mutex<Vec<(String, String, String)>>>,
}

#[handler]
async fn hook(req: &Request, body: String, seen: Data<&Received>) -> StatusCode {
    let mut calls = seen.calls.lock().unwrap();
    let sig = req
        .header("x-frontline-signature")
        .unwrap_or_default()
        .to_string();
    let event = req
        .header("x-frontline-event")
        .unwrap_or_default()
        .to_string();
    calls.push((sig, event, body));
    // Fail the first two attempts.
    if calls.len() <= 2 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

async fn local_server(seen: Received) -> String {
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
    tokio::spawn(
        Server::new_with_acceptor(acceptor).run(Route::new().at("/hook", hook).data(seen)),
    );
    format!("http://{addr}/hook")
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_then_gets_a_valid_signature() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_data_dir(dir.path());
    allow_loopback(&mut settings);
    let p = Platform::open(settings, &[]).unwrap();
    p.events.set_retry_base(Duration::from_millis(10));
    let seen = Received::default();
    let url = local_server(seen.clone()).await;

    let events_api = p.events.clone();
    let (sub, secret) =
        p.db.write(move |tx| {
            events_api.subscribe(
                tx,
                &NewSubscription {
                    module: "training".into(),
                    owner_id: Some("u1".into()),
                    url,
                    events: vec!["scenario.published".into()],
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    assert!(secret.starts_with("whsec_"));
    // The secret is not stored in the clear.
    let stored: String =
        p.db.read(|c| Ok(c.query_row("SELECT secret FROM platform_webhooks", [], |r| r.get(0))?))
            .await
            .unwrap();
    assert!(!stored.contains(&secret));

    p.db.write(|tx| {
        events::emit(
            tx,
            "training",
            "scenario.published",
            &json!({"scenarioId": "scn_1"}),
            &Audience::All,
        )?;
        events::emit(
            tx,
            "training",
            "scenario.created",
            &json!({"scenarioId": "scn_2"}),
            &Audience::All,
        )?;
        events::emit(
            tx,
            "marketplace",
            "scenario.published",
            &json!({}),
            &Audience::All,
        )?;
        Ok(())
    })
    .await
    .unwrap();

    for _ in 0..20 {
        p.events.deliver_due().await.unwrap();
        if seen.calls.lock().unwrap().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let calls = seen.calls.lock().unwrap().clone();
    assert_eq!(
        calls.len(),
        3,
        "two failures, then success, and only the subscribed event"
    );
    let (sig, event, body) = &calls[2];
    assert_eq!(event, "scenario.published");
    assert_eq!(sig, &events::signature(&secret, body.as_bytes()));
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["event"], "scenario.published");
    assert_eq!(body["data"]["scenarioId"], "scn_1");

    let id = sub.id.clone();
    let log =
        p.db.read(move |c| events::deliveries(c, &id, 10))
            .await
            .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, "delivered");
    assert_eq!(log[0].attempts, 3);
    assert_eq!(log[0].last_status_code, Some(200));
}

#[tokio::test]
async fn bad_subscriptions_are_refused_per_field_and_owners_are_separate() {
    let dir = tempfile::tempdir().unwrap();
    let p = Platform::open(Settings::for_data_dir(dir.path()), &[]).unwrap();
    let api = p.events.clone();
    let err =
        p.db.write(move |tx| {
            api.subscribe(
                tx,
                &NewSubscription {
                    module: "m".into(),
                    url: "ftp://example.com".into(),
                    secret: Some("short".into()),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap_err();
    let fields: Vec<_> = err.details.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(fields, vec!["url", "events", "secret"]);

    let api = p.events.clone();
    let (sub, _) =
        p.db.write(move |tx| {
            api.subscribe(
                tx,
                &NewSubscription {
                    module: "m".into(),
                    owner_id: Some("alice".into()),
                    url: "https://example.com/hook".into(),
                    events: vec!["*".into()],
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    let id = sub.id.clone();
    let bobs =
        p.db.read(|c| events::list_subscriptions(c, "m", Some("bob")))
            .await
            .unwrap();
    assert!(bobs.is_empty());
    let deleted =
        p.db.write(move |tx| events::delete_subscription(tx, "m", Some("bob"), &id))
            .await
            .unwrap();
    assert!(!deleted, "bob cannot delete alice's webhook");
    let alices =
        p.db.read(|c| events::list_subscriptions(c, "m", Some("alice")))
            .await
            .unwrap();
    assert_eq!(alices.len(), 1);
}

async fn subscribe(
    p: &Platform,
    module: &str,
    owner: &str,
    url: &str,
    module_wide: bool,
) -> String {
    let api = p.events.clone();
    let new = NewSubscription {
        module: module.into(),
        owner_id: Some(owner.into()),
        url: url.into(),
        events: vec!["*".into()],
        module_wide,
        ..Default::default()
    };
    let (sub, _) = p.db.write(move |tx| api.subscribe(tx, &new)).await.unwrap();
    sub.id
}

async fn queued(p: &Platform, sub_id: &str) -> usize {
    let sub_id = sub_id.to_string();
    p.db.read(move |c| Ok(events::deliveries(c, &sub_id, 100)?.len()))
        .await
        .unwrap()
}

#[tokio::test]
async fn an_event_reaches_its_audience_and_module_wide_subscriptions_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = Platform::open(Settings::for_data_dir(dir.path()), &[]).unwrap();
    let url = "https://hooks.example.com/x";
    let alice = subscribe(&p, "m", "alice", url, false).await;
    let bob = subscribe(&p, "m", "bob", url, false).await;
    let admin = subscribe(&p, "m", "root", url, true).await;
    p.db.write(|tx| {
        events::emit(tx, "m", "a.thing", &json!({}), &Audience::owners(["alice"]))?;
        events::emit(tx, "m", "admin.thing", &json!({}), &Audience::admins())?;
        events::emit(tx, "m", "public.thing", &json!({}), &Audience::All)?;
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(
        queued(&p, &alice).await,
        2,
        "alice: hers and the public one"
    );
    assert_eq!(queued(&p, &bob).await, 1, "bob: only the public one");
    assert_eq!(queued(&p, &admin).await, 3, "module-wide: all three");
}

/// A name that resolves to loopback passes the configuration check (no DNS
/// there) but the delivery is refused by the client's resolver.
#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_at_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let p = Platform::open(Settings::for_data_dir(dir.path()), &[]).unwrap();
    let seen = Received::default();
    let url = local_server(seen.clone())
        .await
        .replace("127.0.0.1", "localhost");
    let sub_id = subscribe(&p, "m", "alice", &url, false).await;
    p.db.write(|tx| {
        events::emit(tx, "m", "a.thing", &json!({}), &Audience::owners(["alice"]))?;
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(p.events.deliver_due().await.unwrap(), 1);
    let id = sub_id.clone();
    let log =
        p.db.read(move |c| events::deliveries(c, &id, 10))
            .await
            .unwrap();
    assert_eq!(log[0].status, "pending");
    assert_eq!(log[0].last_status_code, None);
    let error = log[0].last_error.clone().unwrap_or_default();
    assert!(error.contains("not public"), "{error}");
    assert!(
        seen.calls.lock().unwrap().is_empty(),
        "nothing reached the local server"
    );
}
