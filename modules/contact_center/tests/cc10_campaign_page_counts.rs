//! Issue 18: a campaign page's contact and call counts come from one
//! statement, whatever the page size — not one count query per campaign on
//! the page (an N+1 that ran on every page after any contact or call changed).

mod part1;

use part1::*;
use serde_json::json;

#[tokio::test]
async fn a_campaign_page_counts_all_its_campaigns_in_one_statement() {
    let cc = Cc::new().await;
    let user = cc.token("user").await;
    let mut campaigns = Vec::new();
    for i in 0..6 {
        campaigns.push(cc.campaign(&user, &format!("Counts {i}")).await);
    }
    // Warm: the list's total is counted once and kept (campaigns do not change below).
    cc.get(&user, "/campaigns?limit=2").await.expect(200);
    let mut phone = 100;
    let mut statements_of_page = |limit: usize| {
        phone += 1;
        let (cc, user, first) = (&cc, &user, campaigns[0]);
        async move {
            // A new contact: every campaign's counts must be read again.
            cc.contact(user, first, "Ann", &format!("+1415555{phone:04}"))
                .await;
            let (page, statements) = cc
                .app
                .statements_of(cc.get(user, &format!("/campaigns?limit={limit}")))
                .await;
            let page = page.expect(200);
            assert_eq!(page.as_array().map(Vec::len), Some(limit), "{page}");
            let counting: Vec<String> = statements
                .into_iter()
                .map(|(sql, _)| sql)
                .filter(|sql| sql.contains("cc_contacts"))
                .collect();
            (page, counting)
        }
    };
    let (_, two) = statements_of_page(2).await;
    let (page, six) = statements_of_page(6).await;
    assert_eq!(
        two.len(),
        six.len(),
        "a page of 6 campaigns ran {} counting statements, a page of 2 ran {}: {six:#?}",
        six.len(),
        two.len()
    );
    assert_eq!(six.len(), 1, "{six:#?}");
    // The counts are the campaigns' own: newest first, the first campaign last.
    let totals: Vec<(i64, i64)> = page
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["id"].as_i64().unwrap_or(0),
                c["total_contacts"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    let want: Vec<(i64, i64)> = campaigns
        .iter()
        .rev()
        .map(|id| (*id, if *id == campaigns[0] { 2 } else { 0 }))
        .collect();
    assert_eq!(totals, want);
    // A call recorded on the first campaign shows in its counts on the next page read.
    cc.post(
        &cc.admin,
        "/calls",
        json!({"campaign_id": campaigns[0], "duration": 30, "outcome": "success",
               "caller_number": "+14155550999"}),
    )
    .await
    .expect(201);
    let page = cc.get(&user, "/campaigns?limit=6").await.expect(200);
    let first = &page[5];
    assert_eq!(first["id"], campaigns[0]);
    assert_eq!(
        (
            first["completed_calls"].as_i64(),
            first["success_rate"].as_f64()
        ),
        (Some(1), Some(1.0)),
        "{first}"
    );
}
