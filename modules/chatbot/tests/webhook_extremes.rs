//! A channel webhook's numeric headers at their extremes are refused, never a panic.

use frontline_chatbot::webhooks::slack_signature;
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;

const B: &str = "/chatbot/api/v2";

#[tokio::test]
async fn slack_timestamps_at_the_i64_extremes_are_a_401() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let form = "team_id=T1&command=/chatbot&text=hi";
    for ts in [i64::MIN.to_string(), i64::MAX.to_string(), "-1".to_string()] {
        let resp = app
            .client
            .post(format!("{B}/webhooks/slack"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Slack-Request-Timestamp", ts.as_str())
            .header(
                "X-Slack-Signature",
                slack_signature("whatever", &ts, form.as_bytes()),
            )
            .body(form)
            .send()
            .await;
        assert_eq!(resp.0.status(), StatusCode::UNAUTHORIZED, "timestamp {ts}");
        let body: serde_json::Value =
            serde_json::from_str(&resp.0.into_body().into_string().await.unwrap()).unwrap();
        assert_eq!(
            body["error"]["code"], "REPLAYED_REQUEST",
            "timestamp {ts}: {body}"
        );
    }
}
