//! Extension: knowledge articles in the search index, and the bot answering from them.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

async fn body(resp: poem::test::TestResponse) -> Value {
    resp.0.into_body().into_json().await.unwrap()
}

async fn tenant(app: &TestApp) -> (String, String, String) {
    let (uid, owner) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&uid)
        .await
        .unwrap()
        .unwrap()
        .email;
    let r = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": "Acme", "plan": "enterprise", "admin_user": {"email": email}}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    let d = body(r).await["data"].clone();
    (
        format!("ApiKey {}", d["api_keys"]["primary"].as_str().unwrap()),
        format!("Bearer {owner}"),
        d["tenant_id"].as_str().unwrap().to_string(),
    )
}

async fn add(app: &TestApp, auth: &str, tenant: &str, title: &str, text: &str) -> String {
    let r = app
        .client
        .post(format!("{B}/knowledge/articles"))
        .header("Authorization", auth)
        .header("X-Tenant-ID", tenant)
        .body_json(&json!({"title": title, "body": text, "tags": ["faq"]}))
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    body(r).await["data"]["article_id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn articles_are_ranked_by_the_index_and_answer_unknown_questions() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (key, owner, tid) = tenant(&app).await;
    let (other_key, _, other_tid) = tenant(&app).await;
    let warranty = add(
        &app,
        &owner,
        &tid,
        "Warranty coverage",
        "Every appliance carries a two year warranty covering parts and labour.",
    )
    .await;
    add(
        &app,
        &key,
        &tid,
        "Gift cards",
        "Gift cards never expire and can be used online or in any store.",
    )
    .await;
    add(
        &app,
        &other_key,
        &other_tid,
        "Warranty (other tenant)",
        "Other tenant's warranty text.",
    )
    .await;

    let b = body(
        app.client
            .get(format!("{B}/knowledge/articles?q=warranty"))
            .header("Authorization", key.as_str())
            .send()
            .await,
    )
    .await;
    assert_eq!(
        b["data"]["pagination"]["total"], 1,
        "only this tenant's articles: {b}"
    );
    assert_eq!(b["data"]["articles"][0]["article_id"], warranty);
    assert!(b["data"]["articles"][0]["highlights"]["title"]
        .as_str()
        .unwrap()
        .contains("<em>Warranty</em>"));
    let b = body(
        app.client
            .get(format!("{B}/knowledge/articles"))
            .header("Authorization", key.as_str())
            .send()
            .await,
    )
    .await;
    assert_eq!(b["data"]["pagination"]["total"], 2);

    // No intent matches, the article does: the bot answers from it.
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", key.as_str())
        .body_json(&json!({"message_id": "k1", "conversation_id": "ck", "user_id": "u", "content": {"type": "text", "text": "appliance warranty"}}))
        .send()
        .await;
    r.assert_status_is_ok();
    let d = body(r).await;
    assert_eq!(
        d["data"]["conversation_state"]["current_intent"],
        "knowledge_article"
    );
    assert_eq!(d["data"]["response"]["source"]["article_id"], warranty);
    assert!(d["data"]["response"]["text"]
        .as_str()
        .unwrap()
        .contains("two year warranty"));
    assert_eq!(
        d["data"]["processing_metadata"]["model_used"],
        "knowledge_base"
    );

    // Channel messages are answered the same way (Telegram here).
    app.client
        .put(format!("{B}/tenants/{tid}/config"))
        .header("Authorization", owner.as_str())
        .body_json(
            &json!({"configuration": {"channels": {"telegram": {"secret_token": "tg-secret"}}}}),
        )
        .send()
        .await
        .assert_status_is_ok();
    let r = app
        .client
        .post(format!("{B}/webhooks/telegram"))
        .header("X-Tenant-ID", tid.as_str())
        .header("X-Telegram-Bot-Api-Secret-Token", "tg-secret")
        .body_json(&json!({"update_id": 77, "message": {"from": {"id": 42}, "text": "appliance warranty"}}))
        .send()
        .await;
    r.assert_status_is_ok();
    let t = body(r).await;
    assert!(
        t["text"].as_str().unwrap().contains("two year warranty"),
        "{t}"
    );
    // Deleted articles stop answering; another tenant cannot delete them.
    app.client
        .delete(format!("{B}/knowledge/articles/{warranty}"))
        .header("Authorization", other_key.as_str())
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.client
        .delete(format!("{B}/knowledge/articles/{warranty}"))
        .header("Authorization", key.as_str())
        .send()
        .await
        .assert_status_is_ok();
    let r = app
        .client
        .post(format!("{B}/chat/message"))
        .header("Authorization", key.as_str())
        .body_json(&json!({"message_id": "k2", "conversation_id": "ck2", "user_id": "u", "content": {"type": "text", "text": "appliance warranty"}}))
        .send()
        .await;
    let d = body(r).await;
    assert_ne!(
        d["data"]["conversation_state"]["current_intent"],
        "knowledge_article"
    );

    // Validation.
    let r = app
        .client
        .post(format!("{B}/knowledge/articles"))
        .header("Authorization", key.as_str())
        .body_json(&json!({"title": "", "tags": "x"}))
        .send()
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    let b = body(r).await;
    assert_eq!(b["error"]["details"]["errors"].as_array().unwrap().len(), 3);
}
