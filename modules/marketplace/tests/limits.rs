//! Unrestricted resource consumption: deeply nested JSON bodies (10 000 and
//! 100 000 levels) are a clean client error in this module's error body
//! (the JSON reader stops at 128 levels), never a stack overflow, and the
//! module keeps answering.

use frontline_platform::testing::TestApp;
use serde_json::Value;

#[tokio::test]
async fn deeply_nested_json_is_a_clean_client_error() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let auth = format!("Bearer {}", app.admin_token);
    for depth in [10_000usize, 100_000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        for path in [
            "/marketplace/v1/providers/pricing",
            "/marketplace/v1/services/estimate",
            "/marketplace/v1/reviews",
        ] {
            for body in [&arrays, &objects] {
                let resp = app
                    .client
                    .post(path)
                    .header("Authorization", &auth)
                    .header("Content-Type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                let status = resp.0.status().as_u16();
                let text = resp.0.into_body().into_string().await.unwrap();
                assert!((400..500).contains(&status), "{path}: {status} {text}");
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                assert!(
                    v.is_object(),
                    "{path}: not this module's JSON error body: {text}"
                );
            }
        }
    }
    let resp = app
        .client
        .get("/marketplace/v1/services/search?serviceCategoryId=x&location=Nairobi")
        .header("Authorization", &auth)
        .send()
        .await;
    assert_eq!(resp.0.status().as_u16(), 200);
}
