//! The search service: ranking with boosts, highlights, lenient queries,
//! filters, typo tolerance, stemming, read-your-writes through the outbox,
//! crash recovery, rebuilds.

mod support;

use frontline_platform::db::Db;
use frontline_platform::search::{
    self, IndexSchema, Language, MatchMode, Search, SearchIndex, SearchQuery, SortOrder,
};
use serde_json::{json, Value};

fn articles_schema() -> IndexSchema {
    IndexSchema::new("test.articles")
        .text("title", 3.0)
        .text("body", 1.0)
        .keyword("tenant")
        .keywords("tags")
        .integer("updatedAt")
        .float("rating")
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: Db,
    search: Search,
    idx: SearchIndex,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = support::search_db(dir.path());
    let search = Search::open(&dir.path().join("index"), db.clone()).unwrap();
    search.set_background_drain(false);
    let idx = search.index(articles_schema()).unwrap();
    Fixture {
        _dir: dir,
        db,
        search,
        idx,
    }
}

async fn put(f: &Fixture, docs: Vec<(&str, Value)>) {
    let docs: Vec<(String, Value)> = docs.into_iter().map(|(i, d)| (i.to_string(), d)).collect();
    f.db.write(move |tx| {
        for (id, doc) in &docs {
            search::stage_upsert(tx, "test.articles", id, doc)?;
        }
        Ok(())
    })
    .await
    .unwrap();
}

fn ids(res: &search::SearchResults) -> Vec<&str> {
    res.hits.iter().map(|h| h.id.as_str()).collect()
}

async fn corpus() -> Fixture {
    let f = fixture();
    put(
        &f,
        vec![
            (
                "a1",
                json!({"title": "Shipping times", "body": "Orders ship in two days. A refund is possible within 30 days.",
                       "tenant": "t1", "tags": ["shipping", "orders"], "updatedAt": 1000, "rating": 4.5}),
            ),
            (
                "a2",
                json!({"title": "Refunds & <returns>", "body": "How to ask for your money back.",
                       "tenant": "t1", "tags": ["billing"], "updatedAt": 3000, "rating": 3.0}),
            ),
            (
                "a3",
                json!({"title": "Resetting your password", "body": "Use the forgot password link to reset it.",
                       "tenant": "t2", "tags": "account", "updatedAt": 2000, "rating": 5.0}),
            ),
            (
                "a4",
                json!({"title": "Managing team members", "body": "Admins manage who can sign in.",
                       "tenant": "t2", "tags": ["account", "admin"], "updatedAt": "1970-01-01T00:00:04Z"}),
            ),
        ],
    )
    .await;
    f
}

#[tokio::test]
async fn title_boost_ranks_first_and_highlights_are_escaped() {
    let f = corpus().await;
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("refund"))
        .await
        .unwrap();
    assert_eq!(res.total, 2);
    assert_eq!(ids(&res), vec!["a2", "a1"], "title match (boost 3) first");
    let top = &res.hits[0];
    assert_eq!(top.normalized_score, 1.0);
    assert!(res.hits[1].normalized_score > 0.0 && res.hits[1].normalized_score < 1.0);
    assert!(top.score > res.hits[1].score);
    assert_eq!(top.matched_fields, vec!["title"]);
    assert_eq!(
        top.highlights["title"],
        "<em>Refunds</em> &amp; &lt;returns&gt;"
    );
    assert!(!top.highlights.contains_key("body"));
    assert_eq!(res.hits[1].matched_fields, vec!["body"]);
    assert!(
        res.hits[1].highlights["body"].contains("A <em>refund</em> is possible"),
        "{:?}",
        res.hits[1].highlights
    );
    // Stored values come back with the hit.
    assert_eq!(top.fields["tenant"], "t1");
    assert_eq!(top.fields["updatedAt"], 3000);
    assert_eq!(top.fields["rating"], 3.0);
    assert_eq!(res.hits[1].fields["tags"], json!(["shipping", "orders"]));
    assert_eq!(res.max_score, top.score);
}

#[tokio::test]
async fn stemming_matches_word_forms() {
    let f = corpus().await;
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("manage"))
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["a4"]);
    assert_eq!(res.hits[0].matched_fields, vec!["title", "body"]);
    assert_eq!(
        res.hits[0].highlights["title"],
        "<em>Managing</em> team members"
    );
    assert_eq!(
        res.hits[0].highlights["body"],
        "Admins <em>manage</em> who can sign in."
    );
}

#[tokio::test]
async fn user_text_is_never_an_error() {
    let f = corpus().await;
    for text in [
        "\"unbalanced quote",
        "title:",
        "((refund",
        "a:b:c",
        "\"",
        ")))",
        "-",
        "***",
        "\\",
        "refund AND OR NOT",
        "title:\"unclosed",
        "[x TO]",
        "{}~^!",
        "🙂 refund",
        &"refund ".repeat(500),
    ] {
        let res = f.search.query(&f.idx, SearchQuery::new(text)).await;
        assert!(res.is_ok(), "{text:?}: {res:?}");
    }
    // A stray bracket is just a separator.
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("((refund"))
        .await
        .unwrap();
    assert_eq!(res.total, 2);
    // Punctuation only: matches everything, as an empty query does.
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("***"))
        .await
        .unwrap();
    assert_eq!(res.total, 4);
}

#[tokio::test]
async fn phrases_exclusions_and_field_restriction() {
    let f = corpus().await;
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("\"forgot password\""))
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["a3"]);
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("\"password forgot\""))
        .await
        .unwrap();
    assert_eq!(res.total, 0, "word order matters in a phrase");
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("refund -shipping"))
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["a2"]);
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("body:refund"))
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["a1"]);
    assert_eq!(res.hits[0].matched_fields, vec!["body"]);
}

#[tokio::test]
async fn any_and_all_modes_and_coverage() {
    let f = corpus().await;
    let any = f
        .search
        .query(&f.idx, SearchQuery::new("refund money"))
        .await
        .unwrap();
    assert_eq!(any.total, 2);
    assert_eq!(any.hits[0].id, "a2");
    assert_eq!(any.hits[0].coverage, 1.0);
    assert_eq!(any.hits[1].coverage, 0.5);
    let all = f
        .search
        .query(
            &f.idx,
            SearchQuery::new("refund money").mode(MatchMode::All),
        )
        .await
        .unwrap();
    assert_eq!(ids(&all), vec!["a2"]);
    // Stop words do not make an all-words query fail.
    let all = f
        .search
        .query(
            &f.idx,
            SearchQuery::new("how to get the refund").mode(MatchMode::All),
        )
        .await
        .unwrap();
    assert_eq!(all.total, 0, "'get' is in no document");
    let all = f
        .search
        .query(&f.idx, SearchQuery::new("the refund").mode(MatchMode::All))
        .await
        .unwrap();
    assert_eq!(all.total, 2);
}

#[tokio::test]
async fn filters_ranges_sorting_and_pages() {
    let f = corpus().await;
    let q = |s: &str| SearchQuery::new(s);
    let res = f
        .search
        .query(&f.idx, q("").filter("tenant", "t2"))
        .await
        .unwrap();
    assert_eq!(res.total, 2);
    let res = f
        .search
        .query(
            &f.idx,
            q("").filter("tags", "account").exclude("tags", "admin"),
        )
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["a3"]);
    let res = f
        .search
        .query(&f.idx, q("").filter_any("tags", ["billing", "admin"]))
        .await
        .unwrap();
    assert_eq!(res.total, 2);
    let res = f
        .search
        .query(&f.idx, q("").filter_any("tags", Vec::<String>::new()))
        .await
        .unwrap();
    assert_eq!(res.total, 0);
    // Integer range (inclusive); the RFC 3339 value was stored as Unix ms.
    let res = f
        .search
        .query(
            &f.idx,
            q("")
                .range("updatedAt", Some(2000.0), Some(4000.0))
                .sort_by("updatedAt", SortOrder::Asc),
        )
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["a3", "a2", "a4"]);
    // Float range; a4 has no rating.
    let res = f
        .search
        .query(&f.idx, q("").range("rating", Some(4.0), None))
        .await
        .unwrap();
    assert_eq!(res.total, 2);
    // Sorting with a text query keeps only matches; missing values last.
    let res = f
        .search
        .query(&f.idx, q("").sort_by("rating", SortOrder::Desc))
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["a3", "a1", "a2", "a4"]);
    let res = f
        .search
        .query(
            &f.idx,
            q("refund password").sort_by("updatedAt", SortOrder::Desc),
        )
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["a2", "a3", "a1"]);
    assert!(res.hits.iter().all(|h| h.score > 0.0));
    // Pages: total counts everything, hits only the page.
    let p2 = f
        .search
        .query(
            &f.idx,
            q("").sort_by("updatedAt", SortOrder::Asc).page(2, 3),
        )
        .await
        .unwrap();
    assert_eq!(p2.total, 4);
    assert_eq!(ids(&p2), vec!["a4"]);
    let count = f.search.query(&f.idx, q("").limit(0)).await.unwrap();
    assert_eq!((count.total, count.hits.len()), (4, 0));
    // Unknown or wrong-kind fields are a clear error.
    let err = f
        .search
        .query(&f.idx, q("").filter("title", "x"))
        .await
        .unwrap_err();
    assert_eq!(err.details[0].field, "title");
    let err = f
        .search
        .query(&f.idx, q("").sort_by("tenant", SortOrder::Asc))
        .await
        .unwrap_err();
    assert_eq!(err.details[0].field, "sort");
}

#[tokio::test]
async fn facets_count_keyword_values_over_all_matches() {
    let f = corpus().await;
    let res = f
        .search
        .query(
            &f.idx,
            SearchQuery::new("")
                .limit(1)
                .facet("tags", 10)
                .facet("tenant", 1),
        )
        .await
        .unwrap();
    assert_eq!(res.hits.len(), 1);
    let tags: Vec<(String, u64)> = res.facets["tags"]
        .iter()
        .map(|c| (c.value.clone(), c.count))
        .collect();
    assert_eq!(
        tags,
        vec![
            ("account".to_string(), 2),
            ("admin".to_string(), 1),
            ("billing".to_string(), 1),
            ("orders".to_string(), 1),
            ("shipping".to_string(), 1),
        ]
    );
    assert_eq!(res.facets["tenant"].len(), 1, "limited to the top value");
    // Counts follow the query and filters.
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("password").facet("tenant", 10))
        .await
        .unwrap();
    assert_eq!(res.facets["tenant"][0].value, "t2");
    assert_eq!(res.facets["tenant"][0].count, 1);
    // Single-valued keywords come back as strings, lists as arrays.
    assert_eq!(res.hits[0].fields["tenant"], "t2");
    assert_eq!(res.hits[0].fields["tags"], json!(["account"]));
    let err = f
        .search
        .query(&f.idx, SearchQuery::new("").facet("title", 5))
        .await
        .unwrap_err();
    assert_eq!(err.details[0].field, "title");
}

#[tokio::test]
async fn prefix_mode_finds_words_as_they_are_typed() {
    let f = corpus().await;
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("resett").prefix())
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["a3"]);
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("pass").prefix())
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["a3"]);
    assert_eq!(
        res.hits[0].highlights["title"],
        "Resetting your <em>password</em>"
    );
    // Without prefix mode, or once the word is finished, no prefix match.
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("pass"))
        .await
        .unwrap();
    assert_eq!(res.total, 0);
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("pass ").prefix())
        .await
        .unwrap();
    assert_eq!(res.total, 0);
    // Whole words rank above prefixes.
    put(&f, vec![("z", json!({"title": "Pass the ball"}))]).await;
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("pass").prefix())
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["z", "a3"]);
}

#[tokio::test]
async fn typos_match_but_rank_below_exact_matches() {
    let f = fixture();
    put(
        &f,
        vec![
            ("exact", json!({"title": "Change password", "body": ""})),
            ("typo", json!({"title": "Change pasword", "body": ""})),
            ("other", json!({"title": "Change address", "body": ""})),
        ],
    )
    .await;
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("password"))
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["exact", "typo"]);
    assert!(res.hits[1].score < res.hits[0].score);
    assert_eq!(res.hits[1].highlights["title"], "Change <em>pasword</em>");
    // A misspelt query finds the right word and highlights it.
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("passwrod"))
        .await
        .unwrap();
    assert_eq!(res.hits[0].highlights["title"], "Change <em>password</em>");
    assert_eq!(res.total, 1, "'pasword' is two edits away from 'passwrod'");
    // Short words and exact mode do not go fuzzy.
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("passwrod").exact())
        .await
        .unwrap();
    assert_eq!(res.total, 0);
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("chnge"))
        .await
        .unwrap();
    assert_eq!(res.total, 3, "five letters: one typo allowed");
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("chng"))
        .await
        .unwrap();
    assert_eq!(res.total, 0, "four letters: exact only");
}

#[tokio::test]
async fn staged_writes_are_visible_to_the_next_query() {
    let f = fixture();
    put(&f, vec![("d1", json!({"title": "Alpha guide"}))]).await;
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("alpha"))
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["d1"]);
    // Replace: the old text no longer matches.
    put(&f, vec![("d1", json!({"title": "Beta guide"}))]).await;
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("alpha"))
        .await
        .unwrap();
    assert_eq!(res.total, 0);
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("guide"))
        .await
        .unwrap();
    assert_eq!(res.total, 1, "an upsert replaces, never duplicates");
    // A rolled-back transaction stages nothing.
    let rolled: Result<(), _> =
        f.db.write(|tx| {
            search::stage_upsert(tx, "test.articles", "d2", &json!({"title": "Gamma"}))?;
            Err(frontline_platform::ApiError::conflict("no"))
        })
        .await;
    assert!(rolled.is_err());
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("gamma"))
        .await
        .unwrap();
    assert_eq!(res.total, 0);
    // Delete.
    f.db.write(|tx| search::stage_delete(tx, "test.articles", "d1"))
        .await
        .unwrap();
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("guide"))
        .await
        .unwrap();
    assert_eq!(res.total, 0);
    // Delete by keyword.
    put(
        &f,
        vec![
            ("x1", json!({"title": "Tenant doc", "tenant": "gone"})),
            ("x2", json!({"title": "Tenant doc", "tenant": "stays"})),
        ],
    )
    .await;
    f.db.write(|tx| search::stage_delete_where(tx, "test.articles", "tenant", "gone"))
        .await
        .unwrap();
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("tenant"))
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["x2"]);
    assert_eq!(outbox_rows(&f.db).await, 0);
}

async fn outbox_rows(db: &Db) -> i64 {
    db.read(|c| {
        Ok(
            c.query_row("SELECT COUNT(*) FROM platform_search_outbox", [], |r| {
                r.get(0)
            })?,
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn background_drainer_applies_staged_writes() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::search_db(dir.path());
    let search = Search::open(&dir.path().join("index"), db.clone()).unwrap();
    let idx = search.index(articles_schema()).unwrap();
    db.write(|tx| search::stage_upsert(tx, "test.articles", "bg", &json!({"title": "Later"})))
        .await
        .unwrap();
    let mut waited = 0;
    while idx.num_docs() == 0 && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    assert_eq!(idx.num_docs(), 1, "drained without any query");
    assert_eq!(outbox_rows(&db).await, 0);
}

#[tokio::test]
async fn a_crash_between_db_commit_and_index_commit_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::search_db(dir.path());
    {
        let search = Search::open(&dir.path().join("index"), db.clone()).unwrap();
        search.set_background_drain(false);
        let idx = search.index(articles_schema()).unwrap();
        assert!(search.is_fresh());
        // Some documents make it into the index before the "crash".
        db.write(|tx| {
            search::stage_upsert(
                tx,
                "test.articles",
                "before",
                &json!({"title": "Kept item"}),
            )
        })
        .await
        .unwrap();
        search.drain_blocking(&idx).unwrap();
        // Committed in the database, never applied to the index.
        db.write(|tx| {
            search::stage_upsert(
                tx,
                "test.articles",
                "after",
                &json!({"title": "Recovered item"}),
            )?;
            search::stage_delete(tx, "test.articles", "before")
        })
        .await
        .unwrap();
        assert_eq!(idx.num_docs(), 1);
        // The process dies here: nothing drained.
    }
    let search = Search::open(&dir.path().join("index"), db.clone()).unwrap();
    search.set_background_drain(false);
    assert!(!search.is_fresh(), "the index survived the restart");
    let idx = search.index(articles_schema()).unwrap();
    assert!(!idx.was_created());
    let res = search.query(&idx, SearchQuery::new("item")).await.unwrap();
    assert_eq!(ids(&res), vec!["after"]);

    // A crash after the index commit but before the outbox rows were
    // deleted applies them again: still one copy.
    db.write(|tx| {
        search::stage_upsert(
            tx,
            "test.articles",
            "after",
            &json!({"title": "Recovered item"}),
        )
    })
    .await
    .unwrap();
    search.drain_blocking(&idx).unwrap();
    db.write(|tx| {
        tx.execute(
            "INSERT INTO platform_search_outbox (index_name, doc_id, op, doc, created_at)
             VALUES ('test.articles', 'after', 'upsert', '{\"title\":\"Recovered item\"}', 0)",
            [],
        )?;
        Ok(())
    })
    .await
    .unwrap();
    let res = search.query(&idx, SearchQuery::new("item")).await.unwrap();
    assert_eq!(res.total, 1);
}

#[tokio::test]
async fn rebuild_replaces_content_and_keeps_staged_writes() {
    let f = corpus().await;
    f.search.drain_blocking(&f.idx).unwrap();
    assert_eq!(f.idx.num_docs(), 4);
    // A write staged but not yet applied when the rebuild starts.
    f.db.write(|tx| {
        search::stage_upsert(
            tx,
            "test.articles",
            "late",
            &json!({"title": "Late arrival"}),
        )
    })
    .await
    .unwrap();
    let n = f
        .search
        .rebuild(&f.idx, |_conn, out| {
            for i in 0..5 {
                out.add(&format!("r{i}"), &json!({"title": format!("Rebuilt {i}")}))?;
            }
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(n, 5);
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("refund"))
        .await
        .unwrap();
    assert_eq!(res.total, 0, "old content is gone");
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("rebuilt"))
        .await
        .unwrap();
    assert_eq!(res.total, 5);
    let res = f
        .search
        .query(&f.idx, SearchQuery::new("arrival"))
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["late"]);
}

#[tokio::test]
async fn changed_declaration_recreates_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::search_db(dir.path());
    {
        let search = Search::open(&dir.path().join("index"), db.clone()).unwrap();
        let idx = search.index(articles_schema()).unwrap();
        assert!(idx.was_created());
        db.write(|tx| search::stage_upsert(tx, "test.articles", "1", &json!({"title": "One"})))
            .await
            .unwrap();
        search.drain_blocking(&idx).unwrap();
        // Same name, other schema, same process: refused.
        let err = search
            .index(IndexSchema::new("test.articles").text("title", 1.0))
            .unwrap_err();
        assert_eq!(err.kind, frontline_platform::ErrorKind::Conflict);
        // Same declaration again: the cached handle.
        assert!(search.index(articles_schema()).is_ok());
    }
    let search = Search::open(&dir.path().join("index"), db.clone()).unwrap();
    assert!(!search.is_fresh());
    let idx = search.index(articles_schema().keyword("lang")).unwrap();
    assert!(idx.was_created());
    assert!(search.is_fresh(), "the server must run reindex hooks");
    assert_eq!(idx.num_docs(), 0);
}

#[tokio::test]
async fn bad_declarations_are_refused() {
    let f = fixture();
    for schema in [
        IndexSchema::new("../escape").text("t", 1.0),
        IndexSchema::new("ok").keyword("only_keywords"),
        IndexSchema::new("ok").text("t", 0.0),
        IndexSchema::new("ok").text("t", 1.0).keyword("t"),
        IndexSchema::new("ok").text("__id", 1.0),
    ] {
        assert!(f.search.index(schema.clone()).is_err(), "{schema:?}");
    }
}

#[tokio::test]
async fn other_languages_stem_with_their_own_rules() {
    let f = fixture();
    let idx = f
        .search
        .index(
            IndexSchema::new("test.fr")
                .text("title", 1.0)
                .language(Language::French),
        )
        .unwrap();
    f.db.write(|tx| {
        search::stage_upsert(
            tx,
            "test.fr",
            "1",
            &json!({"title": "Les chanteuses célèbres"}),
        )
    })
    .await
    .unwrap();
    let res = f
        .search
        .query(&idx, SearchQuery::new("chanteuse celebre"))
        .await
        .unwrap();
    assert_eq!(res.total, 1);
    assert_eq!(
        res.hits[0].highlights["title"],
        "Les <em>chanteuses</em> <em>célèbres</em>"
    );
}

#[tokio::test]
async fn platform_exposes_a_working_search() {
    let app = frontline_platform::testing::TestApp::new(vec![]).await;
    let p = &app.platform;
    let idx = p.search.index(articles_schema()).unwrap();
    p.db.write(|tx| {
        search::stage_upsert(
            tx,
            "test.articles",
            "p1",
            &json!({"title": "Platform wide"}),
        )
    })
    .await
    .unwrap();
    let res = p
        .search
        .query(&idx, SearchQuery::new("platform"))
        .await
        .unwrap();
    assert_eq!(ids(&res), vec!["p1"]);
    assert!(app.data_dir().join("index/test.articles").is_dir());
}
