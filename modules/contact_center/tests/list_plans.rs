//! The main lists (contacts, campaigns, calls) read through indexes for every
//! documented filter and for the default order: no statement a list request
//! runs scans its table (`EXPLAIN QUERY PLAN` of the SQL actually run).

mod part1;

use part1::*;
use serde_json::json;

const BASE: &str = "/contact-center/api/v1";

#[tokio::test]
async fn contact_campaign_and_call_lists_use_indexes() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let campaign = cc.campaign(&user, "Plans").await;
    cc.campaign(&user, "Plans 2").await;
    // Two of each, so that `offset=1&limit=1` has a row to read (a page past
    // the cached total reads nothing).
    for phone in ["+14155550100", "+14155550101"] {
        cc.post(
            &user,
            "/contacts",
            json!({"campaign_id": campaign, "first_name": "Ann", "phone_number": phone}),
        )
        .await
        .expect(201);
    }
    let lists = [
        "/contacts",
        "/contacts?offset=1&limit=1",
        "/contacts?status=pending",
        // `priority_min` alone is a range: SQLite walks the id order and
        // stops at the page (most contacts match), which shows as a scan.
        "/campaigns",
        "/campaigns?status=draft",
        "/campaigns?offset=1&limit=1",
        "/calls",
        "/calls?status=completed",
        "/calls?outcome=success",
        "/calls?agent_id=1",
        "/calls?team_id=1",
        "/calls?queue_id=1",
    ];
    let with_campaign = [
        format!("/contacts?campaign_id={campaign}"),
        format!("/contacts?campaign_id={campaign}&status=pending"),
        format!("/calls?campaign_id={campaign}"),
    ];
    let tables = ["cc_contacts", "cc_campaigns", "cc_calls"];
    for path in lists
        .iter()
        .map(|p| p.to_string())
        .chain(with_campaign.iter().cloned())
    {
        for token in [&cc.admin, &user] {
            let url = format!("{BASE}{path}");
            let plans = cc
                .app
                .plans_of(&tables, cc.app.call("GET", &url, Some(token), None))
                .await;
            assert_eq!(plans.output.status, 200, "{url}: {}", plans.output.body);
            plans.assert_no_scan();
        }
    }
}
