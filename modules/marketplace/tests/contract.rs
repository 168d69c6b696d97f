//! The marketplace document is the contract: typed bodies refuse wrong-typed
//! fields by name, every answer is a typed object that the server's JSON
//! follows, and the document says what the server enforces.

use frontline_platform::testing::spec::{self, resolve};
use frontline_platform::testing::TestApp;
use poem::http::StatusCode;
use serde_json::{json, Value};

const BASE: &str = "/marketplace/v1";

async fn app() -> TestApp {
    TestApp::new(vec![frontline_marketplace::module()]).await
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.call(method, &format!("{BASE}{path}"), token, body)
        .await
        .parts()
}

async fn spec(app: &TestApp) -> Value {
    let (s, b) = call(app, "GET", "/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    b
}

/// The field names of a 400 answer.
fn bad_fields(b: &Value) -> Vec<String> {
    assert_eq!(b["success"], false, "{b}");
    assert_eq!(b["error"]["code"], "VALIDATION_ERROR", "{b}");
    b["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_wrong_typed_field_is_refused_by_name() {
    let app = app().await;
    let admin = app.admin_token.clone();
    let customer = app.token_for(&["marketplace:customer"]).await;
    let provider = app.token_for(&["marketplace:provider"]).await;

    // A number for a string used to be stored as the text "424242".
    let (s, b) = call(
        &app,
        "POST",
        "/service-categories",
        Some(&admin),
        Some(json!({"name": 424242})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(bad_fields(&b), ["name"]);
    let (_, b) = call(&app, "GET", "/service-categories", None, None).await;
    assert_eq!(b["data"], json!([]), "nothing was stored");

    let (s, b) = call(
        &app,
        "PUT",
        "/customers/profile",
        Some(&customer),
        Some(json!({"name": false})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(bad_fields(&b), ["name"]);

    // Every bad field of a nested body, by its path.
    let (s, b) = call(
        &app,
        "POST",
        "/providers/pricing",
        Some(&provider),
        Some(json!({
            "serviceName": 5, "pricingType": "flat", "flatRate": "500",
            "dynamicPricing": {"rushFee": true}
        })),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(
        bad_fields(&b),
        ["serviceName", "flatRate", "dynamicPricing.rushFee"]
    );

    // A value outside the document's set is named with the set.
    let (s, b) = call(
        &app,
        "POST",
        "/providers/pricing",
        Some(&provider),
        Some(json!({"serviceName": "Cut", "pricingType": "weekly", "flatRate": 5})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(bad_fields(&b), ["pricingType"]);
    assert!(
        b["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("flat, hourly, tiered, package"),
        "{b}"
    );
}

/// `value` follows `schema` of the document: required fields present, no
/// undocumented field, each field of its documented type.
fn conforms(spec: &Value, schema: &Value, value: &Value, at: &str) {
    let s = resolve(spec, schema);
    if value.is_null() {
        assert!(
            schema["nullable"] == true
                || s["nullable"] == true
                || s.as_object().is_some_and(|o| o.is_empty()),
            "{at}: null where the document does not allow it ({s})"
        );
        return;
    }
    if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
        assert!(value.is_string(), "{at}: {value}");
        assert!(!any.is_empty());
        return;
    }
    match s["type"].as_str() {
        Some("object") => {
            let obj = value
                .as_object()
                .unwrap_or_else(|| panic!("{at}: not an object: {value}"));
            let props = s["properties"].as_object();
            for req in s["required"].as_array().into_iter().flatten() {
                let req = req.as_str().unwrap();
                assert!(obj.contains_key(req), "{at}.{req}: missing ({value})");
            }
            for (k, v) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(p) => conforms(spec, p, v, &format!("{at}.{k}")),
                    None => {
                        let extra = &s["additionalProperties"];
                        assert!(extra.is_object(), "{at}.{k}: not in the document ({value})");
                        conforms(spec, extra, v, &format!("{at}.{k}"));
                    }
                }
            }
        }
        Some("array") => {
            let items = value
                .as_array()
                .unwrap_or_else(|| panic!("{at}: not a list: {value}"));
            for (i, v) in items.iter().enumerate() {
                conforms(spec, &s["items"], v, &format!("{at}[{i}]"));
            }
        }
        Some("string") => {
            assert!(value.is_string(), "{at}: not a string: {value}");
            if let Some(e) = s["enum"].as_array() {
                assert!(e.contains(value), "{at}: {value} not one of {e:?}");
            }
        }
        Some("integer") => assert!(value.is_i64() || value.is_u64(), "{at}: {value}"),
        Some("number") => assert!(value.is_number(), "{at}: {value}"),
        Some("boolean") => assert!(value.is_boolean(), "{at}: {value}"),
        _ => {}
    }
}

/// Every operation's 2xx answer in the document: the envelope around a typed
/// object (or a list of them), every field described.
#[tokio::test]
async fn every_answer_is_a_described_typed_object() {
    let app = app().await;
    let spec = spec(&app).await;
    let mut ops = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let ok = op["responses"]
                .as_object()
                .unwrap()
                .iter()
                .find(|(code, _)| code.starts_with('2'))
                .unwrap_or_else(|| panic!("{method} {path}: no 2xx answer"))
                .1;
            // Meta's webhook verification must echo its challenge as plain text.
            if ok["content"].get("text/plain; charset=utf-8").is_some() {
                assert_eq!(format!("{method} {path}"), "get /webhooks/whatsapp/status");
                continue;
            }
            let envelope = resolve(
                &spec,
                &ok["content"]["application/json; charset=utf-8"]["schema"],
            );
            let props = &envelope["properties"];
            assert_eq!(props["success"]["type"], "boolean", "{method} {path}");
            let mut data = resolve(&spec, &props["data"]);
            if data["type"] == "array" {
                data = resolve(&spec, &data["items"]);
            }
            assert_eq!(data["type"], "object", "{method} {path}: data is {data}");
            let fields = data["properties"].as_object().unwrap();
            assert!(!fields.is_empty(), "{method} {path}");
            described(&spec, data, &format!("{method} {path}"), &mut vec![]);
            ops += 1;
        }
    }
    assert_eq!(ops, 41);
}

/// Every property of `s` and of the objects it holds has a description.
fn described(spec: &Value, s: &Value, at: &str, seen: &mut Vec<String>) {
    let Some(props) = s["properties"].as_object() else {
        return;
    };
    let title = s["title"].as_str().unwrap_or_default().to_string();
    if seen.contains(&title) {
        return;
    }
    seen.push(title);
    for (k, p) in props {
        let text = p.get("description").or_else(|| {
            p.get("allOf")
                .and_then(|a| a.get(1))
                .and_then(|d| d.get("description"))
        });
        assert!(text.is_some(), "{at}: field {k} has no description ({p})");
        let mut inner = resolve(spec, p);
        if inner["type"] == "array" {
            inner = resolve(spec, &inner["items"]);
        }
        described(spec, inner, &format!("{at}.{k}"), seen);
    }
}

/// What the server answers follows what the document says it answers.
#[tokio::test]
async fn answers_follow_the_document() {
    let app = app().await;
    let spec = spec(&app).await;
    let admin = app.admin_token.clone();
    let provider = app.token_for(&["marketplace:provider"]).await;
    let customer = app.token_for(&["marketplace:customer"]).await;
    let check = |method: &str, path: &str, status: StatusCode, b: &Value| {
        let templ = spec["paths"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(p, item)| {
                item.get(method.to_lowercase()).is_some() && {
                    let a: Vec<&str> = p.split('/').collect();
                    let c: Vec<&str> = path.split('?').next().unwrap().split('/').collect();
                    a.len() == c.len()
                        && a.iter().zip(&c).all(|(x, y)| x.starts_with('{') || x == y)
                }
            })
            .unwrap_or_else(|| panic!("{method} {path} not documented"));
        let op = &templ.1[method.to_lowercase()];
        let schema = &op["responses"][status.as_str()]["content"]
            ["application/json; charset=utf-8"]["schema"];
        assert!(
            !schema.is_null(),
            "{method} {path}: {status} not documented"
        );
        conforms(&spec, schema, b, &format!("{method} {path}"));
    };
    macro_rules! go {
        ($m:expr, $p:expr, $t:expr, $b:expr, $want:expr) => {{
            let p = ($p).to_string();
            let (s, b) = call(&app, $m, &p, $t, $b).await;
            assert_eq!(s, $want, "{} {}: {b}", $m, $p);
            check($m, &p, s, &b);
            b
        }};
    }
    let cat = go!(
        "POST",
        "/service-categories",
        Some(&admin),
        Some(json!({"name": "Barber"})),
        StatusCode::CREATED
    );
    let cat = cat["data"]["serviceCategoryId"]
        .as_str()
        .unwrap()
        .to_string();
    go!(
        "PUT",
        "/providers/profile",
        Some(&provider),
        Some(json!({"name": "John's Barbershop", "location": {"coordinates": [36.8219, -1.2864]}})),
        StatusCode::OK
    );
    let created = go!(
        "POST",
        "/providers/pricing",
        Some(&provider),
        Some(json!({
            "serviceCategoryId": cat, "serviceName": "Men's Haircut", "pricingType": "flat", "flatRate": 500,
            "location": {"coordinates": [36.8219, -1.2864], "address": {"street": "Ngong Road", "city": "Nairobi"}, "serviceRadius": 10},
            "dynamicPricing": {"enabled": true, "rushFee": 20, "weekendFee": 15, "travelFee": 100},
            "discounts": {"newCustomerDiscount": 10}
        })),
        StatusCode::CREATED
    );
    let pid = created["data"]["pricingId"].as_str().unwrap().to_string();
    let prov = created["data"]["providerId"].as_str().unwrap().to_string();
    go!(
        "POST",
        "/providers/pricing/bulk",
        Some(&provider),
        Some(json!({"pricing": [
            {"serviceName": "Massage", "pricingType": "tiered", "serviceCategoryId": cat,
             "tiers": [{"tierName": "basic", "price": 2500, "duration": 60}, {"tierName": "premium", "price": 3500}]},
            {"serviceName": "Beard", "pricingType": "flat"}
        ]})),
        StatusCode::CREATED
    );
    go!(
        "PUT",
        format!("/providers/pricing/{pid}"),
        Some(&provider),
        Some(json!({"flatRate": 600, "reason": "costs"})),
        StatusCode::OK
    );
    go!(
        "GET",
        format!("/providers/{prov}/pricing"),
        None,
        None,
        StatusCode::OK
    );
    go!(
        "GET",
        format!("/providers/{prov}/pricing/history"),
        Some(&provider),
        None,
        StatusCode::OK
    );
    go!("GET", format!("/providers/pricing/suggestions?serviceCategoryId={cat}&location=Nairobi&experienceLevel=new"), Some(&provider), None, StatusCode::OK);
    go!(
        "POST",
        "/services/estimate",
        None,
        Some(json!({
            "servicePricingId": pid, "isRush": true, "isNewCustomer": true, "location": {"coordinates": [37.0693, -1.0333]}
        })),
        StatusCode::OK
    );
    go!(
        "GET",
        format!("/services/search?serviceCategoryId={cat}&location=-1.2864,36.8219&radius=20"),
        None,
        None,
        StatusCode::OK
    );
    go!(
        "GET",
        format!("/providers/{prov}"),
        None,
        None,
        StatusCode::OK
    );
    go!(
        "PUT",
        "/customers/profile",
        Some(&customer),
        Some(json!({"name": "Muent Kamau"})),
        StatusCode::OK
    );
    let booking = go!(
        "POST",
        "/bookings",
        Some(&customer),
        Some(json!({"servicePricingId": pid, "serviceDate": "2026-01-15T14:00:00Z"})),
        StatusCode::CREATED
    );
    let bid = booking["data"]["bookingId"].as_str().unwrap().to_string();
    let done = go!(
        "PUT",
        format!("/bookings/{bid}/status"),
        Some(&provider),
        Some(json!({"status": "completed"})),
        StatusCode::OK
    );
    assert_eq!(done["data"]["reviewRequest"]["created"], true, "{done}");
    assert!(done["data"]["reviewRequest"]["campaignId"].is_null());
    go!("GET", "/bookings", Some(&customer), None, StatusCode::OK);
    let review = go!(
        "POST",
        "/reviews",
        Some(&customer),
        Some(json!({
            "bookingId": bid, "overallRating": 5, "categoryRatings": {"punctuality": 5, "quality": 4},
            "title": "Excellent service!", "pros": ["On time"], "source": "mobile_app"
        })),
        StatusCode::CREATED
    );
    let rid = review["data"]["reviewId"].as_str().unwrap().to_string();
    go!(
        "POST",
        format!("/reviews/{rid}/response"),
        Some(&provider),
        Some(json!({"response": "Thank you!"})),
        StatusCode::OK
    );
    go!(
        "POST",
        format!("/reviews/{rid}/helpful"),
        Some(&admin),
        Some(json!({"vote": "helpful"})),
        StatusCode::OK
    );
    let page = go!(
        "GET",
        format!("/providers/{prov}/reviews?sortBy=helpful"),
        None,
        None,
        StatusCode::OK
    );
    assert_eq!(page["data"]["ratingDistribution"]["5"], 1, "{page}");
    assert_eq!(
        page["data"]["reviews"][0]["categoryRatings"],
        json!({"punctuality": 5, "quality": 4})
    );
    go!(
        "GET",
        "/customers/reviews",
        Some(&customer),
        None,
        StatusCode::OK
    );
    go!(
        "GET",
        "/customers/reviews/pending",
        Some(&customer),
        None,
        StatusCode::OK
    );
    go!(
        "PUT",
        "/customers/review-preferences",
        Some(&customer),
        Some(json!({"preferredChannel": "sms"})),
        StatusCode::OK
    );
    go!(
        "GET",
        "/analytics/pricing",
        Some(&provider),
        None,
        StatusCode::OK
    );
    go!(
        "GET",
        "/analytics/reviews?period=year",
        Some(&provider),
        None,
        StatusCode::OK
    );
    go!(
        "GET",
        "/admin/analytics/reviews",
        Some(&admin),
        None,
        StatusCode::OK
    );
    go!(
        "PUT",
        format!("/admin/reviews/{rid}/moderate"),
        Some(&admin),
        Some(json!({"action": "approve"})),
        StatusCode::OK
    );
    let campaign = go!(
        "POST",
        "/admin/campaigns",
        Some(&admin),
        Some(json!({
            "name": "Timing", "experiment": {"type": "timing"},
            "variants": [
                {"variantId": "a", "name": "2 hours", "config": {"delay": 2, "unit": "hours"}, "trafficAllocation": 50},
                {"variantId": "b", "name": "Next morning", "config": {"delay": 1, "unit": "days", "time": "09:00"}, "trafficAllocation": 50}
            ],
            "startDate": "2026-01-20", "endDate": "2030-02-20T00:00:00Z"
        })),
        StatusCode::CREATED
    );
    let cid = campaign["data"]["campaignId"].as_str().unwrap().to_string();
    go!(
        "PUT",
        format!("/admin/campaigns/{cid}/status"),
        Some(&admin),
        Some(json!({"status": "active"})),
        StatusCode::OK
    );
    go!(
        "GET",
        format!("/admin/campaigns/{cid}/results"),
        Some(&admin),
        None,
        StatusCode::OK
    );
    go!("GET", "/service-categories", None, None, StatusCode::OK);
    go!(
        "PUT",
        format!("/service-categories/{cat}"),
        Some(&admin),
        Some(json!({"name": "Barbers"})),
        StatusCode::OK
    );
    go!("GET", "/webhooks", Some(&provider), None, StatusCode::OK);
}

/// The document says what the server enforces: required query parameters,
/// value sets and ranges.
#[tokio::test]
async fn the_document_says_what_the_server_enforces() {
    let app = app().await;
    let spec = spec(&app).await;
    let param = |path: &str, name: &str| spec::get_param(&spec, path, name);
    let suggestions = "/providers/pricing/suggestions";
    assert_eq!(param(suggestions, "serviceCategoryId")["required"], true);
    let provider = app.token_for(&["marketplace:provider"]).await;
    let (s, b) = call(&app, "GET", suggestions, Some(&provider), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["code"], "VALIDATION_ERROR");
    for name in ["serviceCategoryId", "location"] {
        assert_eq!(param("/services/search", name)["required"], true, "{name}");
    }
    let sort = resolve(&spec, &param("/services/search", "sortBy")["schema"]).clone();
    assert_eq!(
        sort["enum"],
        json!(["price_asc", "price_desc", "rating_desc", "distance"])
    );
    let limit = param("/customers/reviews", "limit");
    assert_eq!(limit["schema"]["minimum"], 1.0);
    assert_eq!(limit["schema"]["maximum"], 100.0);
    let rating = &spec["components"]["schemas"]["ReviewInput"]["properties"]["overallRating"];
    assert_eq!(
        (&rating["minimum"], &rating["maximum"]),
        (&json!(1.0), &json!(5.0))
    );
    // Every operation but the public ones declares the bearer scheme.
    let public = [
        "get /providers/{providerId}",
        "get /providers/{providerId}/pricing",
        "get /providers/{providerId}/reviews",
        "get /service-categories",
        "post /services/estimate",
        "get /services/search",
        // Vendors' delivery reports: public, checked by the vendor's signature.
        "post /webhooks/twilio/status/{requestId}",
        "post /webhooks/twilio/status/{requestId}/reminder",
        "post /webhooks/whatsapp/status",
        "get /webhooks/whatsapp/status",
    ];
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let key = format!("{method} {path}");
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            assert_eq!(secured, !public.contains(&key.as_str()), "{key}");
        }
    }
}
