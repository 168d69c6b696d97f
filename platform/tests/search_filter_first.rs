//! What a query reads (session 12, issue 18): a phrase's positions are
//! read only for documents that pass the keyword filters and number
//! ranges; a word query's total is counted from its terms' postings as
//! bare doc ids; a filter's documents are read once per index state, and
//! read again after the index changes. Hits, scores and totals are the
//! same as without these shortcuts (checked here against unfiltered
//! queries, and by the other search tests).

mod support;

use frontline_platform::search::{self, last_query_work, IndexSchema, SearchQuery};
use serde_json::json;

#[tokio::test]
async fn phrases_check_positions_after_the_filters_and_totals_read_doc_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (db, search) = support::search_engine(dir.path());
    let idx = search
        .index(
            IndexSchema::new("test.filter_first")
                .text("title", 3.0)
                .text("body", 1.0)
                .keyword("tenant")
                .integer("n"),
        )
        .unwrap();
    // 300 documents in one segment: every one has the phrase "billing
    // dispute" (some twice, so scores differ); a third are tenant "a";
    // every tenth has "refund" in its title.
    db.write(|tx| {
        for i in 0..300 {
            let title = if i % 10 == 0 {
                "refund request"
            } else {
                "account"
            };
            let body = if i % 7 == 0 {
                format!("a billing dispute about invoice {i}, billing dispute again")
            } else {
                format!("a billing dispute about invoice {i}")
            };
            let doc = json!({
                "title": title,
                "body": body,
                "tenant": if i % 3 == 0 { "a" } else { "b" },
                "n": i,
            });
            search::stage_upsert(tx, "test.filter_first", &format!("d{i}"), &doc)?;
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
    let n_of = |id: &str| id[1..].parse::<i64>().unwrap();

    // Every match of the phrase, ranked without a filter.
    let (all, work) = run(SearchQuery::new("\"billing dispute\"").limit(1000));
    assert_eq!(all.total, 300);
    assert_eq!(work.ranked, 300, "{work:?}");

    // With a keyword filter, the phrase is checked on tenant "a"'s 100
    // documents only (300 before), with the same scores and order.
    let (res, work) = run(SearchQuery::new("\"billing dispute\"")
        .filter("tenant", "a")
        .limit(1000));
    assert_eq!(res.total, 100);
    assert_eq!(work.ranked, 100, "{work:?}");
    let expect: Vec<(String, f32)> = all
        .hits
        .iter()
        .filter(|h| n_of(&h.id) % 3 == 0)
        .map(|h| (h.id.clone(), h.score))
        .collect();
    let got: Vec<(String, f32)> = res.hits.iter().map(|h| (h.id.clone(), h.score)).collect();
    assert_eq!(got, expect);
    assert_eq!(res.hits[0].matched_fields, ["body"]);
    assert!(res.hits[0].highlights["body"].contains("<em>billing</em> <em>dispute</em>"));

    // A number range too: 30 documents checked, not 300.
    let (res, work) = run(SearchQuery::new("\"billing dispute\"")
        .range("n", None, Some(29.0))
        .limit(1000));
    assert_eq!(res.total, 30);
    assert_eq!(work.ranked, 30, "{work:?}");
    let expect: Vec<(String, f32)> = all
        .hits
        .iter()
        .filter(|h| n_of(&h.id) <= 29)
        .map(|h| (h.id.clone(), h.score))
        .collect();
    let got: Vec<(String, f32)> = res.hits.iter().map(|h| (h.id.clone(), h.score)).collect();
    assert_eq!(got, expect);

    // A phrase and a word, every word required, filtered: the same.
    let (res, work) = run(SearchQuery::new("\"billing dispute\" refund")
        .mode(search::MatchMode::All)
        .filter("tenant", "a")
        .limit(1000));
    assert_eq!(res.total, 10); // d0, d30, ..., d270
    assert!(work.ranked <= 100, "{work:?}");

    // A word query's total: its terms' postings read as doc ids, once
    // ("refund" in 30 titles, "invoice" in 300 bodies), no second ranking.
    let (res, work) = run(SearchQuery::new("refund invoice").exact().limit(5));
    assert_eq!(res.total, 300);
    assert_eq!(work.full_passes, 1, "{work:?}");
    assert_eq!(work.count_postings, 330, "{work:?}");
    // Filtered by tenant and a range: the same postings, the count exact.
    let (res, work) = run(SearchQuery::new("refund invoice")
        .exact()
        .filter("tenant", "a")
        .range("n", Some(100.0), None)
        .limit(5));
    assert_eq!(res.total, (100..300).filter(|i| i % 3 == 0).count());
    assert_eq!(work.count_postings, 330, "{work:?}");

    // The tenant filter was read above; another query with it reads nothing
    // for its filter.
    let (res, work) = run(SearchQuery::new("request")
        .exact()
        .filter("tenant", "a")
        .limit(5));
    assert_eq!(res.total, 10);
    assert_eq!(work.filter_docs, 0, "{work:?}");

    // The index changes: the filter's documents are read again and the new
    // document counts.
    db.write(|tx| {
        let doc =
            json!({"title": "refund request", "body": "billing dispute", "tenant": "a", "n": 300});
        search::stage_upsert(tx, "test.filter_first", "d300", &doc)?;
        Ok(())
    })
    .await
    .unwrap();
    let (res, work) = run(SearchQuery::new("request")
        .exact()
        .filter("tenant", "a")
        .limit(5));
    assert_eq!(res.total, 11);
    assert_eq!(work.filter_docs, 101, "{work:?}");
    let (res, _) = run(SearchQuery::new("\"billing dispute\"")
        .filter("tenant", "a")
        .limit(1000));
    assert_eq!(res.total, 101);
}
