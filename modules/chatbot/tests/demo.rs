//! The demo data set loads once, is coherent, and is answered by the real engine.

use frontline_platform::testing::TestApp;
use serde_json::Value;

const B: &str = "/chatbot/api/v2";

#[tokio::test]
async fn demo_data_is_coherent_and_idempotent() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let demo = frontline_chatbot::module()
        .demo
        .expect("chatbot has demo data");
    for _ in 0..2 {
        let p = app.platform.clone();
        tokio::task::spawn_blocking(move || demo(&p))
            .await
            .unwrap()
            .unwrap();
    }
    let admin = format!("Bearer {}", app.admin_token);
    let t = frontline_chatbot::demo::DEMO_TENANT;
    let get = |path: String| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let r = app
                .client
                .get(format!("{B}{path}"))
                .header("Authorization", admin)
                .header("X-Tenant-ID", t)
                .send()
                .await;
            r.assert_status_is_ok();
            r.0.into_body().into_json::<Value>().await.unwrap()
        }
    };
    let b = get("/conversations".into()).await;
    assert_eq!(b["data"]["pagination"]["total"], 3);
    let b = get("/conversations?status=transferred".into()).await;
    assert_eq!(
        b["data"]["conversations"][0]["conversation_id"],
        "conv_demo_order"
    );
    let b = get("/conversations?status=closed".into()).await;
    assert_eq!(
        b["data"]["conversations"][0]["current_intent"],
        "return_policy"
    );
    let b = get("/conversations/conv_demo_hours".into()).await;
    assert_eq!(b["data"]["messages"].as_array().unwrap().len(), 4);
    let b = get("/knowledge/articles?q=warranty".into()).await;
    assert_eq!(b["data"]["pagination"]["total"], 1);
    let b = get(format!("/tenants/{t}")).await;
    assert_eq!(b["data"]["api_keys"].as_array().unwrap().len(), 2);
}
