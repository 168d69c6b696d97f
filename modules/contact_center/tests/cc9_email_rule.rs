//! Issue 16: one e-mail rule. The document's `pattern` for every e-mail field
//! of the contact center is the rule the server applies: a schema-valid address
//! is accepted (trimmed and lower-cased), a pattern-violating one is refused
//! with the module's 422 naming the field, nothing stored.

mod part1;

use frontline_contact_center::common::{EMAIL_ADDRESS_PATTERN, EMAIL_MAX, EMAIL_PATTERN};
use part1::*;
use serde_json::{json, Value};

/// (sent, what the server stores when accepted; None = refused).
const SAMPLES: &[(&str, Option<Option<&str>>)] = &[
    ("ravi@example.com", Some(Some("ravi@example.com"))),
    (
        " Ravi.K+tag@Example.CO.uk ",
        Some(Some("ravi.k+tag@example.co.uk")),
    ),
    (
        "o'neil!#$%&*/=?^_`{|}~@x-y.io",
        Some(Some("o'neil!#$%&*/=?^_`{|}~@x-y.io")),
    ),
    ("a@localhost", Some(Some("a@localhost"))),
    ("", Some(None)),
    ("   ", Some(None)),
    ("0", None),
    ("a@b@c.com", None),
    ("ravi@exa mple.com", None),
    ("ravi@", None),
    ("@example.com", None),
    ("\t", None),
    ("a@b..com", None),
    ("a@.b.com", None),
    ("a@b.com.", None),
    ("ü@example.com", None),
    ("a\u{a0}@example.com", None),
    ("ravi@example.com\n", None),
];

#[tokio::test]
async fn the_document_states_the_email_rule_the_server_applies() {
    let cc = Cc::new().await;
    let spec = (frontline_contact_center::module().build)(&cc.app.platform).spec();
    let doc: Value = serde_json::from_str(&spec).unwrap();
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [
        ("ContactCreate", "email"),
        ("ContactUpdate", "email"),
        ("CompanyCreate", "contact_email"),
        ("CompanyUpdate", "contact_email"),
    ] {
        let p = &schemas[schema]["properties"][field];
        assert_eq!(p["pattern"], EMAIL_PATTERN, "{schema}.{field}: {p}");
        assert_eq!(p["maxLength"], EMAIL_MAX, "{schema}.{field}: {p}");
    }
    let rule = regex::Regex::new(EMAIL_PATTERN).unwrap();

    let campaign = cc.campaign(&cc.admin, "Email rule").await;
    for (i, (sent, stored)) in SAMPLES.iter().enumerate() {
        assert_eq!(
            rule.is_match(sent),
            stored.is_some(),
            "the sample {sent:?} is mislabelled"
        );
        let phone = format!("+1415555{:04}", 2000 + i);
        let body = json!({"campaign_id": campaign, "first_name": "Ravi",
                          "phone_number": phone, "email": sent});
        let r = cc.post(&cc.admin, "/contacts", body).await;
        match stored {
            Some(want) => {
                let c = r.expect(201);
                assert_eq!(c["email"].as_str(), *want, "sent {sent:?}: {c}");
            }
            None => {
                let e = r.expect(422);
                assert_eq!(e["error_code"], "VALIDATION_ERROR", "sent {sent:?}: {e}");
                assert_eq!(e["field"], "email", "sent {sent:?}: {e}");
            }
        }
        // A company's contact e-mail follows the same rule.
        let body = json!({"name": format!("Company {i}"), "contact_email": sent});
        let r = cc.post(&cc.admin, "/companies", body).await;
        match stored {
            Some(want) => {
                let c = r.expect(201);
                assert_eq!(c["contact_email"].as_str(), *want, "sent {sent:?}: {c}");
            }
            None => {
                let e = r.expect(422);
                assert_eq!(e["field"], "contact_email", "sent {sent:?}: {e}");
            }
        }
    }
    // Refused ones left nothing behind.
    let list = cc
        .get(
            &cc.admin,
            &format!("/contacts?campaign_id={campaign}&limit=100"),
        )
        .await
        .expect(200);
    let accepted = SAMPLES.iter().filter(|(_, s)| s.is_some()).count();
    let n = list
        .as_array()
        .map(|a| a.len())
        .or_else(|| list["data"].as_array().map(|a| a.len()))
        .unwrap();
    assert_eq!(n, accepted, "{list}");
    // Too long: 255 characters that otherwise match.
    let long = format!("{}@example.com", "a".repeat(EMAIL_MAX + 1 - 12));
    assert_eq!(long.len(), EMAIL_MAX + 1);
    let body = json!({"first_name": "Long", "phone_number": "+14155553999", "email": long});
    let e = cc.post(&cc.admin, "/contacts", body).await.expect(422);
    assert_eq!(e["field"], "email", "{e}");
}

/// A report schedule's recipients: the document's item pattern is the
/// address rule the server checks (no second, looser check behind it).
#[tokio::test]
async fn report_recipients_follow_the_documented_address_rule() {
    let cc = Cc::new().await;
    let spec = (frontline_contact_center::module().build)(&cc.app.platform).spec();
    let doc: Value = serde_json::from_str(&spec).unwrap();
    for schema in ["ReportScheduleCreate", "ReportScheduleUpdate"] {
        let p = doc["components"]["schemas"][schema]["properties"]["recipients"].to_string();
        let want = serde_json::to_string(EMAIL_ADDRESS_PATTERN).unwrap();
        assert!(p.contains(&want), "{schema}.recipients: {p}");
    }
    let rule = regex::Regex::new(EMAIL_ADDRESS_PATTERN).unwrap();
    let url = "/contact-center/api/reports";
    let t = cc.admin.clone();
    let (s, tpl) = cc
        .app
        .call(
            "POST",
            &format!("{url}/templates"),
            Some(&t),
            Some(json!({"name": "Daily calls", "report_type": "call_summary", "default_format": "csv"})),
        )
        .await
        .parts();
    assert_eq!(s.as_u16(), 201, "{tpl}");
    let tid = tpl["id"].as_i64().unwrap();
    for (to, ok) in [
        ("manager@example.com", true),
        ("ops@localhost", true),
        ("a@b..com", false),
        ("a@.example.com", false),
        ("a@exa_mple.com", false),
        (" manager@example.com", false),
    ] {
        assert_eq!(rule.is_match(to), ok, "mislabelled {to:?}");
        let (s, b) = cc
            .app
            .call(
                "POST",
                &format!("{url}/schedules"),
                Some(&t),
                Some(
                    json!({"name": "Weekly", "template_id": tid, "schedule_type": "daily",
                            "schedule_config": {"hour": 6}, "recipients": [to]}),
                ),
            )
            .await
            .parts();
        if ok {
            assert_eq!(s.as_u16(), 201, "{to:?}: {b}");
            assert_eq!(b["recipients"], json!([to]), "{b}");
        } else {
            assert_eq!(s.as_u16(), 422, "{to:?}: {b}");
            assert_eq!(b["error_code"], "VALIDATION_ERROR", "{b}");
        }
    }
}
