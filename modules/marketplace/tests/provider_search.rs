//! Extension: finding providers by name as one types (`GET /providers/search`),
//! through HTTP: ranking, case, ids, limits, auth and field errors, read
//! through the name index.

use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const B: &str = "/marketplace/v1";

fn names(b: &Value) -> Vec<String> {
    b["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no list: {b}"))
        .iter()
        .map(|p| p["providerName"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn providers_are_found_by_name_best_first_through_the_name_index() {
    let app = TestApp::new(vec![frontline_marketplace::module()]).await;
    let mut ids = vec![];
    for name in [
        "Coast Cuts",
        "Kilimani Barbers",
        "barber Joe",
        "The Barbershop",
        "Nairobi Plumbing",
    ] {
        let tok = app.token_for(&["marketplace:provider"]).await;
        let r = app
            .call(
                "PUT",
                &format!("{B}/providers/profile"),
                Some(&tok),
                Some(json!({"name": name, "location": {"coordinates": [36.8, -1.28], "address": {"city": "Nairobi"}}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        ids.push(r.body["data"]["providerId"].as_str().unwrap().to_string());
    }
    let customer = app.token_for(&["marketplace:customer"]).await;
    let admin = app.token_for(&["marketplace:admin"]).await;

    // Names starting with the text first (any case), then names holding it, each by name.
    let r = app
        .plans_of(
            &["marketplace_providers"],
            app.call(
                "GET",
                &format!("{B}/providers/search?q=BARB"),
                Some(&customer),
                None,
            ),
        )
        .await;
    r.assert_no_scan().assert_no_temp_sort();
    let r = app
        .call(
            "GET",
            &format!("{B}/providers/search?q=BARB"),
            Some(&customer),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        names(&r.body),
        ["barber Joe", "Kilimani Barbers", "The Barbershop"],
        "{}",
        r.body
    );
    assert_eq!(r.body["success"], true);
    assert_eq!(r.body["data"][0]["providerId"], ids[2].as_str());
    assert_eq!(r.body["data"][0]["location"]["city"], "Nairobi");

    // A limit keeps the best.
    let r = app
        .call(
            "GET",
            &format!("{B}/providers/search?q=barb&limit=2"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        names(&r.body),
        ["barber Joe", "Kilimani Barbers"],
        "{}",
        r.body
    );

    // An id finds its provider; nothing matching is an empty list.
    let r = app
        .call(
            "GET",
            &format!("{B}/providers/search?q={}", ids[4]),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(names(&r.body), ["Nairobi Plumbing"], "{}", r.body);
    let r = app
        .call(
            "GET",
            &format!("{B}/providers/search?q=zzz"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["data"], json!([]));

    // Credentials first, then the fields, in the marketplace's error body.
    let r = app
        .call("GET", &format!("{B}/providers/search?q=barb"), None, None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let nobody = app.token_for(&[]).await;
    let r = app
        .call(
            "GET",
            &format!("{B}/providers/search?q=barb"),
            Some(&nobody),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    for bad in ["", "q=%20%20", "q=barb&limit=0", "q=barb&limit=51"] {
        let r = app
            .call(
                "GET",
                &format!("{B}/providers/search?{bad}"),
                Some(&admin),
                None,
            )
            .await;
        assert!(
            r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {} {}",
            r.status,
            r.body
        );
        assert_eq!(r.body["success"], false, "{bad}: {}", r.body);
    }
}
