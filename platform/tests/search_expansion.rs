//! Typo tolerance and search as you type at scale: a misspelt or unfinished
//! word stands for at most `MAX_EXPANSIONS` index words, each ranked like a
//! word of its own but never above the word the user typed for being rare.

mod support;

use frontline_platform::db::Db;
use frontline_platform::search::{self, IndexSchema, Search, SearchQuery, MAX_EXPANSIONS};
use serde_json::{json, Value};

struct Fixture {
    _dir: tempfile::TempDir,
    db: Db,
    search: Search,
    idx: search::SearchIndex,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (db, search) = support::search_engine(dir.path());
    let idx = search
        .index(
            IndexSchema::new("test.expansion")
                .text("title", 3.0)
                .text("body", 1.0)
                .keyword("tenant"),
        )
        .unwrap();
    Fixture {
        _dir: dir,
        db,
        search,
        idx,
    }
}

async fn put(f: &Fixture, docs: Vec<(String, Value)>) {
    f.db.write(move |tx| {
        for (id, doc) in &docs {
            search::stage_upsert(tx, "test.expansion", id, doc)?;
        }
        Ok(())
    })
    .await
    .unwrap();
}

fn ids(res: &search::SearchResults) -> Vec<&str> {
    res.hits.iter().map(|h| h.id.as_str()).collect()
}

#[tokio::test]
async fn a_rare_misspelling_ranks_below_the_common_word_typed() {
    let f = fixture();
    // "billing" is in every body but one; a title has the rare misspelling.
    let mut docs: Vec<(String, Value)> = (0..6)
        .map(|i| {
            (
                format!("exact{i}"),
                json!({"title": format!("Case {i}"), "body": "billing question", "tenant": "t1"}),
            )
        })
        .collect();
    docs.push((
        "typo".into(),
        json!({"title": "Biling case", "body": "other question", "tenant": "t1"}),
    ));
    put(&f, docs).await;
    for q in [
        SearchQuery::new("billing").limit(20),
        SearchQuery::new("billing").limit(20).filter("tenant", "t1"),
    ] {
        let res = f.search.query(&f.idx, q).await.unwrap();
        assert_eq!(res.total, 7, "the misspelling still matches");
        let got = ids(&res);
        assert_eq!(got.last(), Some(&"typo"), "{got:?}");
        assert!(got[..6].iter().all(|id| id.starts_with("exact")), "{got:?}");
        assert_eq!(res.hits[6].highlights["title"], "<em>Biling</em> case");
    }
    // A page further down keeps the same order and the same best score.
    let all = f
        .search
        .query(&f.idx, SearchQuery::new("billing").limit(20))
        .await
        .unwrap();
    let page = f
        .search
        .query(&f.idx, SearchQuery::new("billing").offset(4).limit(2))
        .await
        .unwrap();
    assert_eq!(ids(&page), ids(&all)[4..6].to_vec());
    assert_eq!(page.max_score, all.max_score);
    assert_eq!(page.total, 7);
}

#[tokio::test]
async fn a_word_with_thousands_of_continuations_stands_for_the_most_frequent() {
    let f = fixture();
    // 3 000 different words begin with "bill" in the titles; "bill" itself
    // is in three titles and "billing" in five bodies.
    let mut docs: Vec<(String, Value)> = (0..3000)
        .map(|i| (format!("n{i}"), json!({"title": format!("bill{i:04}")})))
        .collect();
    for i in 0..3 {
        docs.push((
            format!("bill{i}"),
            json!({"title": format!("Bill number {i}")}),
        ));
    }
    for i in 0..5 {
        docs.push((format!("billing{i}"), json!({"body": "billing"})));
    }
    put(&f, docs).await;
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("bill").prefix().limit(10))
        .await
        .unwrap();
    // The whole word first.
    assert!(
        res.hits[..3].iter().all(|h| h.id.starts_with("bill")),
        "{:?}",
        ids(&res)
    );
    // The total is what the bounded query matches: the word (its stem also
    // matches "billing") and the 50 most frequent continuations in the
    // titles (one document each), not 3 000.
    assert_eq!(res.total, 3 + 5 + MAX_EXPANSIONS);
    // Typo tolerance is bounded the same way.
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("bill0001").limit(5))
        .await
        .unwrap();
    assert_eq!(res.hits[0].id, "n1");
    assert!(res.total <= 1 + MAX_EXPANSIONS, "{}", res.total);
}
