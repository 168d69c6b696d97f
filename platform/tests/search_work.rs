//! What a query costs in work that grows with the index: the page of a
//! query whose ranking cannot skip (phrases, every word required, no text)
//! is ranked and counted in ONE pass over its matches, not two; a ranked
//! word query's total is counted once per index state; a page's matched
//! fields and coverage open each term's postings once, not once per field
//! and again per word. The answers are the same (the other search tests).

mod support;

use frontline_platform::search::{
    self, last_query_work, IndexSchema, MatchMode, QueryWork, SearchQuery, SortOrder,
};
use serde_json::json;

#[tokio::test]
async fn one_pass_over_the_matches_and_each_postings_list_once_per_page() {
    let dir = tempfile::tempdir().unwrap();
    let (db, search) = support::search_engine(dir.path());
    let idx = search
        .index(
            IndexSchema::new("test.work")
                .text("title", 3.0)
                .text("body", 1.0)
                .keyword("tenant")
                .integer("n")
                .integer("g")
                .float("r"),
        )
        .unwrap();
    // 300 documents, all in one transaction (one segment): every one has
    // the phrase "billing dispute"; a third are tenant "a"; every tenth has
    // "refund" in its title.
    db.write(|tx| {
        for i in 0..300 {
            let title = if i % 10 == 0 {
                "refund request"
            } else {
                "account"
            };
            let doc = json!({
                "title": title,
                "body": format!("a billing dispute about invoice {i}"),
                "tenant": if i % 3 == 0 { "a" } else { "b" },
                "n": i,
                "g": i % 3,
                "r": f64::from(i) / 10.0 - 5.0,
            });
            search::stage_upsert(tx, "test.work", &format!("d{i}"), &doc)?;
        }
        Ok(())
    })
    .await
    .unwrap();
    search.drain_blocking(&idx).unwrap();

    let run = |q: SearchQuery| {
        let res = search.query_blocking(&idx, &q).unwrap();
        (res, last_query_work())
    };

    // A phrase cannot skip: ranked and counted in the same pass.
    let (res, work) = run(SearchQuery::new("\"billing dispute\"").limit(5));
    assert_eq!(res.total, 300);
    assert_eq!(res.hits.len(), 5);
    assert_eq!(work.full_passes, 1, "{work:?}");
    // The same with a filter: the total counts only what passes it.
    let (res, work) = run(SearchQuery::new("\"billing dispute\"")
        .filter("tenant", "a")
        .limit(5));
    assert_eq!(res.total, 100);
    assert_eq!(work.full_passes, 1, "{work:?}");
    // Every word required.
    let (res, work) = run(SearchQuery::new("billing refund")
        .mode(MatchMode::All)
        .limit(5));
    assert_eq!(res.total, 30);
    assert!(res.hits.iter().all(|h| h.coverage == 1.0));
    assert_eq!(work.full_passes, 1, "{work:?}");
    // No text: a filtered list.
    let (res, work) = run(SearchQuery::new("").filter("tenant", "b").limit(5));
    assert_eq!(res.total, 200);
    assert_eq!(work.full_passes, 1, "{work:?}");

    // Words, any may match: the page skips, the total is one pass, and the
    // next page of the same query reuses it.
    let (res, work) = run(SearchQuery::new("refund invoice").exact().limit(5));
    assert_eq!(res.total, 300);
    assert_eq!(work.full_passes, 1, "{work:?}");
    // Two words, one term each in two fields: four postings lists.
    assert_eq!(
        work,
        QueryWork {
            full_passes: 1,
            page_postings: 4,
            filter_docs: 0,
            sort_scored: 0,
            ranked: 0,
            count_postings: work.count_postings,
        }
    );
    assert!(res.hits.iter().all(|h| h.coverage == 1.0));
    assert_eq!(res.hits[0].matched_fields, ["title", "body"]);
    let (res2, work) = run(SearchQuery::new("refund invoice").exact().page(2, 5));
    assert_eq!(res2.total, 300);
    assert_eq!(work.full_passes, 0, "{work:?}");

    // Filters of a ranked page: an excluded word reads its own documents
    // (30), not every document that lacks it (270); a number range is
    // checked on the candidates, not read for the whole index; a keyword
    // required reads its documents.
    let (res, work) = run(SearchQuery::new("invoice -refund").exact().limit(5));
    assert_eq!(res.total, 270);
    assert!(res.hits.iter().all(|h| h.fields["title"] == "account"));
    assert_eq!(work.filter_docs, 30, "{work:?}");
    let (res, work) = run(SearchQuery::new("invoice")
        .exact()
        .range("n", Some(290.0), None)
        .limit(5));
    assert_eq!(res.total, 10);
    assert_eq!(work.filter_docs, 0, "{work:?}");
    let (res, work) = run(SearchQuery::new("invoice")
        .exact()
        .filter("tenant", "a")
        .range("n", None, Some(29.0))
        .limit(20));
    assert_eq!(res.total, 10);
    assert_eq!(res.hits.len(), 10);
    assert!(work.filter_docs <= 100, "{work:?}");
    let (res, _) = run(SearchQuery::new("\"billing dispute\" -refund")
        .range("n", Some(-1.0), Some(99.5))
        .limit(100));
    assert_eq!(res.total, 90);
    assert_eq!(res.hits.len(), 90);
    // The page's check of a float range agrees with the count's.
    let (res, work) = run(SearchQuery::new("invoice")
        .exact()
        .range("r", Some(-0.5), Some(2.25))
        .limit(100));
    assert_eq!((res.total, res.hits.len()), (28, 28));
    assert_eq!(work.filter_docs, 0, "{work:?}");

    // Sorted by a number: only what can reach the page is scored (the
    // numbers of every match are read), and the order is (number, score)
    // as when every match was scored: here against the relevance ranking
    // of all matches, sorted by hand.
    let all = run(SearchQuery::new("refund invoice request")
        .exact()
        .limit(1000))
    .0;
    assert_eq!(all.total, 300);
    let score_of: std::collections::HashMap<&str, f32> =
        all.hits.iter().map(|h| (h.id.as_str(), h.score)).collect();
    for (field, order, page, expect_scored) in [
        ("n", SortOrder::Desc, 1, 5),
        ("n", SortOrder::Asc, 3, 15),
        ("g", SortOrder::Desc, 2, 100),
        ("g", SortOrder::Asc, 1, 100),
    ] {
        let (res, work) = run(SearchQuery::new("refund invoice request")
            .exact()
            .sort_by(field, order)
            .page(page, 5));
        assert_eq!(res.total, 300);
        assert_eq!(
            work.sort_scored, expect_scored,
            "{field} {order:?}: {work:?}"
        );
        assert_eq!(res.max_score, all.max_score);
        let value = |id: &str| {
            let i: i64 = id[1..].parse().unwrap();
            let v = if field == "n" { i } else { i % 3 };
            if order == SortOrder::Desc {
                v
            } else {
                -v
            }
        };
        let mut expect: Vec<(i64, f32)> = score_of.iter().map(|(id, s)| (value(id), *s)).collect();
        expect.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)));
        let got: Vec<(i64, f32)> = res.hits.iter().map(|h| (value(&h.id), h.score)).collect();
        assert_eq!(got, expect[(page - 1) * 5..page * 5], "{field} {order:?}");
    }

    // Hits carry only the stored fields asked for; highlights still cover
    // every matched text field.
    let (res, _) = run(SearchQuery::new("refund invoice")
        .exact()
        .fields(["tenant", "n"])
        .limit(3));
    let h = &res.hits[0];
    let mut keys: Vec<&str> = h.fields.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["n", "tenant"]);
    assert_eq!(h.highlights["title"], "<em>refund</em> request");
    assert!(h.highlights["body"].contains("<em>invoice</em>"));
    let all = run(SearchQuery::new("refund invoice").exact().limit(3)).0;
    assert_eq!(all.hits[0].highlights, h.highlights);
    assert_eq!(all.hits[0].fields.len(), 6);
}
