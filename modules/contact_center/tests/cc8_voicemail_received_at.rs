//! A voicemail's `received_at` is documented as what the server reads: a
//! date or an RFC 3339 timestamp (it was a bare string, so a client or a
//! fuzzer following the document sent `""` and got 422).

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn received_at_is_documented_as_a_date_or_timestamp_and_read_as_one() {
    let app = TestApp::new(vec![frontline_contact_center::module()]).await;
    let t = app.admin_token.clone();
    let (status, doc) = app
        .call("GET", "/contact-center/openapi.json", None, None)
        .await
        .parts();
    assert_eq!(status, StatusCode::OK);
    let field = &doc["components"]["schemas"]["VoicemailDeposit"]["properties"]["received_at"];
    let formats: Vec<&str> = field["anyOf"]
        .as_array()
        .unwrap_or_else(|| panic!("received_at is not date|date-time: {field}"))
        .iter()
        .filter_map(|s| s["format"].as_str())
        .collect();
    assert_eq!(formats, ["date", "date-time"], "{field}");

    let deposit = |received_at: Value| {
        json!({"from_number": "+14155550100", "to_number": "+14155550199", "duration": 30,
               "received_at": received_at})
    };
    for (sent, stored) in [
        (json!("2025-11-01"), "2025-11-01T00:00:00Z"),
        (json!("2025-11-01T09:30:00+01:00"), "2025-11-01T08:30:00Z"),
    ] {
        let (status, vm) = app
            .call(
                "POST",
                "/contact-center/api/voicemail",
                Some(&t),
                Some(deposit(sent)),
            )
            .await
            .parts();
        assert_eq!(status, StatusCode::CREATED, "{vm}");
        assert_eq!(vm["received_at"], stored);
    }
    for bad in [json!(""), json!("yesterday"), json!(20251101)] {
        let (status, e) = app
            .call(
                "POST",
                "/contact-center/api/voicemail",
                Some(&t),
                Some(deposit(bad.clone())),
            )
            .await
            .parts();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
        assert_eq!(e["field"], "received_at", "{bad}: {e}");
    }
}
