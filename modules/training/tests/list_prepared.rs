//! Issue 18: a list page runs no statement the connection has to parse and
//! plan again. Every statement a warm scenario list runs (the list
//! generation, the page, a deep page after its keyset anchor, the rows of a
//! `search` page) is kept prepared per pooled connection (`prepare_cached`).
//! Before, the generation read and the tied-rows count were prepared anew on
//! every page, and a `search` page prepared its rows' SELECT each time.
//! Its own test binary (the statement recorder is process-wide).

use frontline_platform::testing::TestApp;

mod support;

#[tokio::test]
async fn a_warm_list_page_prepares_no_statement_again() {
    let app = TestApp::new(vec![frontline_training::module()]).await;
    // Ties on usageCount (all 0) make the deep page read after an anchor
    // inside a run of equal keys: the tied rows, their count, the rest.
    for i in 0..230 {
        support::create_scenario(&app, &format!("Prepared list {i:03}")).await;
    }
    let viewer = app.token_for(&["training:viewer"]).await;
    for (token, query, total) in [
        (&app.admin_token, "limit=20", 230),
        (&app.admin_token, "limit=20&page=11", 230),
        (&app.admin_token, "limit=5&page=41&sortBy=usageCount", 230),
        (&viewer, "limit=20&page=2", 230),
        (&viewer, "limit=10&search=dispute", 230),
        (
            &viewer,
            "limit=10&search=dispute&sortBy=name&sortOrder=asc",
            230,
        ),
    ] {
        let path = format!("/training/api/admin/scenarios?{query}");
        // Every pooled connection the warm-up touches prepares each statement once.
        for _ in 0..6 {
            let (status, body) = app.call("GET", &path, Some(token), None).await.parts();
            assert_eq!(status, 200, "{query}: {body}");
        }
        let (reply, statements) = app
            .statements_of(app.call("GET", &path, Some(token), None))
            .await;
        let (status, body) = reply.parts();
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(body["pagination"]["total"], total, "{query}");
        assert!(!body["data"].as_array().unwrap().is_empty(), "{query}");
        let ours: Vec<&(String, bool)> = statements
            .iter()
            .filter(|(sql, _)| sql.contains("training_"))
            .collect();
        assert!(!ours.is_empty(), "{query}: nothing read: {statements:?}");
        let fresh: Vec<&str> = ours
            .iter()
            .filter(|(_, fresh)| *fresh)
            .map(|(sql, _)| sql.as_str())
            .collect();
        assert!(fresh.is_empty(), "{query}: prepared again: {fresh:#?}");
    }
}
