//! Extension: the agent inbox through HTTP — waiting conversations, roles,
//! claim, the agent's reply read by the visitor's session, internal notes
//! kept from the visitor, closing with a resolution, and the live stream
//! (Server-Sent Events) filtered to the caller's tenant.

mod support;

use std::time::Duration;

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

use support::{member, read_until, say, tenant, visitor, B};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: Option<&str>,
    tid: &str,
    b: Option<Value>,
) -> (StatusCode, Value) {
    let url = format!("{B}{path}");
    let mut req = match method {
        "GET" => app.client.get(url),
        _ => app.client.post(url),
    }
    .header("X-Tenant-ID", tid);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let r = match b {
        Some(b) => req.body_json(&b).send().await,
        None => req.send().await,
    };
    let status = r.0.status();
    let text = r.0.into_body().into_string().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_agent_claims_answers_notes_and_resolves_a_waiting_conversation() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tid, key, owner) = tenant(&app, "Shop").await;
    let agent = member(&app, &tid, &owner, "agent", "Ann").await;
    let other = member(&app, &tid, &owner, "agent", "Bob").await;
    let analyst = member(&app, &tid, &owner, "analyst", "Cy").await;
    let st = visitor(&app, &tid).await;
    say(&app, &st, "conv_help", "my parcel never arrived").await;
    say(&app, &st, "conv_quiet", "hello").await;
    app.client
        .post(format!("{B}/conversations/conv_help/transfer"))
        .header("Authorization", key.as_str())
        .body_json(
            &json!({"transfer_reason": "delivery", "department": "logistics", "priority": "high"}),
        )
        .send()
        .await
        .assert_status_is_ok();

    // Only the tenant's agents and admins work the inbox.
    let (s, _) = call(&app, "GET", "/inbox", None, &tid, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    for who in [analyst.as_str(), key.as_str(), st.as_str()] {
        let (s, b) = call(&app, "GET", "/inbox", Some(who), &tid, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {b}");
        assert_eq!(b["error"]["code"], "INSUFFICIENT_PERMISSIONS");
    }
    let (s, b) = call(&app, "GET", "/inbox", Some(&owner), &tid, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // The transferred conversation waits; the quiet one does not.
    let (s, b) = call(&app, "GET", "/inbox", Some(&agent), &tid, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let list = b["data"]["conversations"].as_array().unwrap().clone();
    let ids: Vec<_> = list.iter().map(|c| c["conversation_id"].clone()).collect();
    assert_eq!(ids, vec![json!("conv_help")], "{b}");
    assert_eq!(list[0]["waiting_reason"], "transfer");
    assert_eq!(list[0]["department"], "logistics");
    assert_eq!(list[0]["priority"], "high");
    assert!(list[0].get("assignee").is_none_or(Value::is_null));
    assert_eq!(b["data"]["unclaimed"], 1);

    // Claim; another agent cannot take it over.
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_help/claim",
        Some(&agent),
        &tid,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["assignee"]["name"], "Ann Lee");
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_help/claim",
        Some(&other),
        &tid,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"]["code"], "CONVERSATION_CLAIMED");
    let (s, _) = call(
        &app,
        "POST",
        "/inbox/conv_help/reply",
        Some(&other),
        &tid,
        Some(json!({"text": "me too"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // A blank reply is refused on its field; nothing is stored.
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_help/reply",
        Some(&agent),
        &tid,
        Some(json!({"text": "   "})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["details"]["field"], "text");

    // The reply is stored as the agent's message; the visitor reads it.
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_help/reply",
        Some(&agent),
        &tid,
        Some(json!({"text": "I am sorry - a new parcel leaves today."})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["data"]["sender"], "agent");
    assert_eq!(b["data"]["author_name"], "Ann Lee");
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_help/notes",
        Some(&agent),
        &tid,
        Some(json!({"text": "VIP customer, second lost parcel"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, seen) = call(
        &app,
        "GET",
        "/conversations/conv_help",
        Some(&st),
        &tid,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    let msgs = seen["data"]["messages"].as_array().unwrap();
    let last = msgs.last().unwrap();
    assert_eq!(
        last["content"]["text"],
        "I am sorry - a new parcel leaves today."
    );
    assert_eq!(last["direction"], "outbound");
    assert_eq!(last["model_used"], "human_agent");
    assert!(
        !seen.to_string().contains("VIP customer"),
        "a note reached the visitor: {seen}"
    );

    // The inbox shows who wrote what, and the note.
    let (s, b) = call(&app, "GET", "/inbox/conv_help", Some(&agent), &tid, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let senders: Vec<_> = b["data"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sender"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(senders, ["visitor", "bot", "agent"], "{b}");
    assert_eq!(
        b["data"]["notes"][0]["text"],
        "VIP customer, second lost parcel"
    );

    // Close with a resolution: it leaves the inbox.
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_help/resolve",
        Some(&agent),
        &tid,
        Some(json!({"resolution": "Parcel re-sent"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["data"]["conversation"]["status"], "closed");
    assert_eq!(b["data"]["resolution"], "Parcel re-sent");
    let (_, b) = call(&app, "GET", "/inbox", Some(&agent), &tid, None).await;
    assert_eq!(b["data"]["total"], 0, "{b}");
    let (s, b) = call(
        &app,
        "POST",
        "/inbox/conv_help/reply",
        Some(&agent),
        &tid,
        Some(json!({"text": "still there?"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"]["code"], "CONVERSATION_CLOSED");
    let (s, _) = call(&app, "GET", "/inbox/conv_nope", Some(&agent), &tid, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_live_stream_shows_each_agent_its_own_tenants_events_as_they_happen() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (ta, _ka, oa) = tenant(&app, "Shop A").await;
    let (tb, _kb, ob) = tenant(&app, "Shop B").await;
    let agent_a = member(&app, &ta, &oa, "agent", "Ann").await;
    let agent_b = member(&app, &tb, &ob, "agent", "Ben").await;
    let viewer = member(&app, &ta, &oa, "viewer", "Vi").await;

    let open = |auth: String, tid: String| {
        let client = &app.client;
        async move {
            client
                .get(format!("{B}/inbox/stream"))
                .header("Authorization", auth)
                .header("X-Tenant-ID", tid)
                .send()
                .await
        }
    };
    let r = open(viewer.clone(), ta.clone()).await;
    r.assert_status(StatusCode::FORBIDDEN);
    let ra = open(agent_a.clone(), ta.clone()).await;
    ra.assert_status_is_ok();
    assert!(ra.0.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let rb = open(agent_b.clone(), tb.clone()).await;
    rb.assert_status_is_ok();
    let mut sa = Box::pin(ra.0.into_body().into_bytes_stream());
    let mut sb = Box::pin(rb.0.into_body().into_bytes_stream());
    // Give both streams a first look (they start at the newest event).
    tokio::time::sleep(Duration::from_millis(500)).await;

    let st = visitor(&app, &ta).await;
    say(&app, &st, "conv_live", "where is my order 12345?").await;
    let got = read_until(&mut sa, "where is my order", Duration::from_secs(5)).await;
    assert!(got.contains("event: message.received"), "{got}");
    assert!(got.contains("conv_live"), "{got}");
    assert!(got.contains("\nid: ") || got.starts_with("id: "), "{got}");
    // Tenant B's agent sees nothing of it.
    let other = read_until(&mut sb, "conv_live", Duration::from_millis(1500)).await;
    assert!(!other.contains("conv_live"), "{other}");

    // The agent's reply reaches the stream too.
    let (s, _) = call(
        &app,
        "POST",
        "/inbox/conv_live/reply",
        Some(&agent_a),
        &ta,
        Some(json!({"text": "On its way!"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let got = read_until(&mut sa, "On its way!", Duration::from_secs(5)).await;
    assert!(got.contains("event: message.agent_reply"), "{got}");
}

/// The fields of the SSE message in `text` whose data contains `needle`, as
/// an SSE client (and schemathesis) reads them: `id`, `event`, `data` text.
fn sse_message(text: &str, needle: &str) -> serde_json::Map<String, Value> {
    let block = text
        .split("\n\n")
        .find(|b| b.contains(needle))
        .unwrap_or_else(|| panic!("no message with {needle} in {text}"));
    let mut out = serde_json::Map::new();
    for line in block.lines() {
        if let Some((k, v)) = line.split_once(':') {
            let v = v.strip_prefix(' ').unwrap_or(v);
            if matches!(k, "id" | "event" | "data") {
                out.insert(k.to_string(), Value::String(v.to_string()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_describes_each_stream_message_as_it_is_sent() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (ta, _ka, oa) = tenant(&app, "Shop A").await;
    let agent = member(&app, &ta, &oa, "agent", "Ann").await;
    let r = app
        .client
        .get(format!("{B}/inbox/stream"))
        .header("Authorization", agent.as_str())
        .header("X-Tenant-ID", ta.as_str())
        .send()
        .await;
    r.assert_status_is_ok();
    let mut s = Box::pin(r.0.into_body().into_bytes_stream());
    // The stream has started once its opening `retry:` line arrived.
    read_until(&mut s, "retry:", Duration::from_secs(30)).await;
    let st = visitor(&app, &ta).await;
    say(&app, &st, "conv_doc", "is my order shipped?").await;
    let got = read_until(&mut s, "is my order shipped?", Duration::from_secs(30)).await;
    let message = sse_message(&got, "is my order shipped?");

    let (status, doc) = call(&app, "GET", "/openapi.json", None, &ta, None).await;
    assert_eq!(status, StatusCode::OK);
    let schema = &doc["paths"]["/inbox/stream"]["get"]["responses"]["200"]["content"]
        ["text/event-stream"]["schema"];
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => schema,
    };
    // One event is an object of text fields (not an array of objects).
    assert_eq!(schema["type"], "object", "{schema}");
    for field in schema["required"].as_array().unwrap() {
        assert!(
            message.contains_key(field.as_str().unwrap()),
            "{field} {message:?}"
        );
    }
    for (name, prop) in schema["properties"].as_object().unwrap() {
        assert_eq!(prop["type"], "string", "{name}: {prop}");
        assert!(message[name].is_string(), "{name}: {message:?}");
    }
    assert_eq!(message["event"], "message.received");
    // `data` is JSON text of the event: id, event, timestamp, data.
    let data: Value = serde_json::from_str(message["data"].as_str().unwrap()).unwrap();
    for field in ["id", "event", "timestamp", "data"] {
        assert!(data.get(field).is_some(), "{field} {data}");
    }
    assert_eq!(data["data"]["text"], "is my order shipped?", "{data}");
    assert_eq!(data["id"].to_string(), message["id"].as_str().unwrap());
}
