//! Issue 21 #8: the built-in bot answers from the tenant's data (opening
//! hours, greeting, language), computes sentiment when asked, hands over on
//! the escalation trigger and never claims an order check it does not make.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// A tenant created from the document's example configuration plus `chatbot`
/// settings; returns "ApiKey …".
async fn tenant(app: &TestApp, chatbot: Value) -> String {
    let hours = json!({"start": "09:00", "end": "17:00"});
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": "Acme", "plan": "enterprise",
            "admin_user": {"email": "owner@acme.example"},
            "configuration": {"default_language": "en", "timezone": "America/New_York",
                "business_hours": {"monday": hours, "tuesday": hours, "wednesday": hours,
                    "thursday": hours, "friday": hours,
                    "saturday": {"closed": true}, "sunday": {"closed": true}},
                "chatbot": chatbot}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    format!("ApiKey {}", d["api_keys"]["primary"].as_str().unwrap())
}

async fn chat(app: &TestApp, key: &str, conv: &str, content: Value) -> Value {
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", key)
        .body_json(&json!({"conversation_id": conv, "user_id": "u1", "content": content}))
        .send()
        .await;
    r.assert_status_is_ok();
    body(r).await["data"].clone()
}

#[tokio::test]
async fn opening_hours_and_greeting_come_from_the_tenant() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let key = tenant(
        &app,
        json!({"default_greeting": "Welcome to Acme! Ask me anything."}),
    )
    .await;
    let d = chat(
        &app,
        &key,
        "c1",
        json!({"text": "What are your store hours?"}),
    )
    .await;
    let text = d["response"]["text"].as_str().unwrap();
    assert_eq!(
        d["conversation_state"]["current_intent"],
        "store_hours_inquiry"
    );
    assert!(
        text.contains("Monday–Friday 09:00–17:00") && text.contains("Saturday–Sunday closed"),
        "{text}"
    );
    assert!(text.contains("America/New_York"), "{text}");
    assert!(!text.contains("8 PM"), "{text}");
    assert_eq!(d["response"]["language"], "en");
    let d = chat(&app, &key, "c1", json!({"text": "hello"})).await;
    assert_eq!(d["response"]["text"], "Welcome to Acme! Ask me anything.");
    // Without sentiment analysis there is no sentiment.
    assert!(d["processing_metadata"].get("sentiment").is_none());
}

#[tokio::test]
async fn the_message_language_is_answered_when_the_bot_has_it() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let key = tenant(&app, json!({})).await;
    let d = chat(
        &app,
        &key,
        "c1",
        json!({"text": "¿Cuál es el horario?", "language": "es"}),
    )
    .await;
    assert_eq!(d["response"]["language"], "es");
    let text = d["response"]["text"].as_str().unwrap();
    assert!(text.contains("lunes–viernes 09:00–17:00"), "{text}");
    // A language the bot does not have: the tenant's (English).
    let d = chat(
        &app,
        &key,
        "c2",
        json!({"text": "store hours", "language": "de"}),
    )
    .await;
    assert_eq!(d["response"]["language"], "en");
}

#[tokio::test]
async fn sentiment_is_computed_when_enabled() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let key = tenant(&app, json!({"enable_sentiment_analysis": true})).await;
    let d = chat(
        &app,
        &key,
        "c1",
        json!({"text": "This is terrible, I am very angry about my order"}),
    )
    .await;
    let s = &d["processing_metadata"]["sentiment"];
    assert_eq!(s["label"], "negative", "{d}");
    assert!(s["score"].as_f64().unwrap() < -0.5, "{d}");
    let d = chat(
        &app,
        &key,
        "c1",
        json!({"text": "Great, thanks, that was helpful!"}),
    )
    .await;
    let s = &d["processing_metadata"]["sentiment"];
    assert_eq!(s["label"], "positive", "{d}");
    assert!(s["score"].as_f64().unwrap() > 0.5, "{d}");
}

#[tokio::test]
async fn the_escalation_trigger_hands_the_conversation_to_a_human() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let key = tenant(
        &app,
        json!({"escalation_trigger": "damaged_product_complaint"}),
    )
    .await;
    let d = chat(
        &app,
        &key,
        "c1",
        json!({"text": "My order arrived damaged"}),
    )
    .await;
    assert_eq!(d["conversation_state"]["status"], "transferred", "{d}");
    assert_eq!(
        d["conversation_state"]["conversation_stage"],
        "transferred_to_agent"
    );
    let r = app
        .client
        .get(format!("{B}/conversations/c1"))
        .header("Authorization", &key)
        .send()
        .await;
    r.assert_status_is_ok();
    assert_eq!(body(r).await["data"]["status"], "transferred");
    // Another intent does not hand over.
    let d = chat(
        &app,
        &key,
        "c2",
        json!({"text": "What are your store hours?"}),
    )
    .await;
    assert_eq!(d["conversation_state"]["status"], "active");
}

#[tokio::test]
async fn an_order_number_is_never_answered_with_a_check_that_is_not_made() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let key = tenant(&app, json!({})).await;
    let d = chat(&app, &key, "c1", json!({"text": "ORD123456"})).await;
    let text = d["response"]["text"].as_str().unwrap();
    assert!(!text.to_lowercase().contains("checking"), "{text}");
    assert!(
        text.contains("ORD123456") && text.contains("can't look up"),
        "{text}"
    );
    let d = chat(
        &app,
        &key,
        "c2",
        json!({"text": "where is my order ORD654321"}),
    )
    .await;
    let text = d["response"]["text"].as_str().unwrap();
    assert!(
        text.contains("ORD654321") && !text.contains("provide your order number"),
        "{text}"
    );
}
