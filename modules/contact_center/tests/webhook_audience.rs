//! Campaign events reach the campaign owner's and module-wide (admin)
//! subscriptions, never another user's (issue 22 #1). The contact center has
//! no subscription endpoint; the subscriptions are made as the platform
//! stores them.

mod part1;

use frontline_platform::events::NewSubscription;
use part1::*;
use serde_json::json;

async fn subscription(cc: &Cc, seq: Option<i64>, module_wide: bool) -> String {
    let owner = match seq {
        Some(seq) => {
            cc.app
                .platform
                .db
                .read(move |c| frontline_platform::auth::find_user_by_seq(c, seq))
                .await
                .unwrap()
                .unwrap()
                .id
        }
        None => "admin".into(),
    };
    cc.app
        .subscribe(NewSubscription {
            module: "contact-center".into(),
            owner_id: Some(owner),
            url: "https://hooks.example.com/cc".into(),
            events: vec!["*".into()],
            module_wide,
            ..Default::default()
        })
        .await
}

/// (event, campaign_id) of every delivery queued for `hook`.
async fn delivered(cc: &Cc, hook: &str) -> Vec<(String, i64)> {
    cc.app.queued_deliveries(hook, "$.campaign_id").await
}

#[tokio::test]
async fn campaign_events_reach_the_owner_and_admins_only() {
    let cc = Cc::new().await;
    let (a_seq, a) = cc.user("user").await;
    let (b_seq, _b) = cc.user("user").await;
    let hook_a = subscription(&cc, Some(a_seq), false).await;
    let hook_b = subscription(&cc, Some(b_seq), false).await;
    let hook_admin = subscription(&cc, None, true).await;
    let c = cc
        .post(
            &a,
            "/campaigns",
            json!({"name": "A's campaign", "campaign_type": "outbound"}),
        )
        .await
        .expect(201);
    let id = c["id"].as_i64().unwrap();
    cc.put(
        &a,
        &format!("/campaigns/{id}"),
        json!({"status": "archived"}),
    )
    .await
    .expect(200);
    let archived = vec![("campaign.archived".to_string(), id)];
    assert_eq!(delivered(&cc, &hook_a).await, archived);
    assert_eq!(delivered(&cc, &hook_admin).await, archived);
    assert_eq!(delivered(&cc, &hook_b).await, vec![]);
}
