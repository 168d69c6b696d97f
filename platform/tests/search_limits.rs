//! Query complexity limits of the search service: user search text is capped
//! (characters and words) with a validation error naming the parameter;
//! substring filters and value lists are capped; and whatever reaches the
//! engine runs at most `ENGINE_MAX_TERMS` words, so no single request makes
//! the server build an unbounded query.

mod support;

use std::time::Instant;

use frontline_platform::error::ErrorKind;
use frontline_platform::search::{
    self, IndexSchema, Search, SearchIndex, SearchQuery, ENGINE_MAX_TERMS, MAX_FILTER_VALUES,
    MAX_QUERY_CHARS, MAX_QUERY_TERMS, MAX_SUBSTRING_CHARS,
};
use frontline_platform::ApiError;
use serde_json::json;

struct Fixture {
    _dir: tempfile::TempDir,
    search: Search,
    idx: SearchIndex,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = support::search_db(dir.path());
    let search = Search::open(&dir.path().join("index"), db.clone()).unwrap();
    search.set_background_drain(false);
    let idx = search
        .index(
            IndexSchema::new("limits.articles")
                .text("title", 3.0)
                .text("body", 1.0)
                .keyword("tenant"),
        )
        .unwrap();
    db.write(|tx| {
        for (id, title, body) in [
            ("a1", "Refund policy", "How refunds work for annual plans"),
            (
                "a2",
                "Password reset",
                "Reset your password from the sign-in page",
            ),
            ("a3", "Invoices", "Download invoices and receipts"),
        ] {
            search::stage_upsert(
                tx,
                "limits.articles",
                id,
                &json!({"title": title, "body": body, "tenant": "t1"}),
            )?;
        }
        Ok(())
    })
    .await
    .unwrap();
    Fixture {
        _dir: dir,
        search,
        idx,
    }
}

#[track_caller]
fn refused(r: Result<(), ApiError>, param: &str, says: &str) {
    let e = r.expect_err("must be refused");
    assert!(matches!(e.kind, ErrorKind::Validation), "{e:?}");
    assert_eq!(e.details.len(), 1);
    assert_eq!(e.details[0].field, param);
    assert!(
        e.details[0].message.contains(says),
        "{}",
        e.details[0].message
    );
}

#[test]
fn the_figures() {
    assert_eq!(MAX_QUERY_CHARS, 512);
    assert_eq!(MAX_QUERY_TERMS, 32);
    assert_eq!(ENGINE_MAX_TERMS, 64);
    assert_eq!(MAX_SUBSTRING_CHARS, 200);
    assert_eq!(MAX_FILTER_VALUES, 100);
}

#[test]
fn ordinary_search_text_passes() {
    for ok in [
        "",
        "refund",
        "how do I get a refund for my annual plan?",
        "title:refund -password \"annual plans\"",
        "((refund)) [policy] {x} ~^!*?",
        "🙂 remboursement über straße",
        &"w ".repeat(MAX_QUERY_TERMS),
        &"x".repeat(MAX_QUERY_CHARS),
        &"é".repeat(MAX_QUERY_CHARS),
    ] {
        assert!(search::check_text("q", ok).is_ok(), "{ok:?}");
    }
}

#[test]
fn pathological_search_text_is_refused_naming_the_parameter() {
    // One character too many; multi-byte characters count as one.
    refused(
        search::check_text("q", &"x".repeat(MAX_QUERY_CHARS + 1)),
        "q",
        "at most 512 characters",
    );
    refused(
        search::check_text("query", &"é".repeat(MAX_QUERY_CHARS + 1)),
        "query",
        "513 characters",
    );
    // One word too many.
    refused(
        search::check_text("search", &"w ".repeat(MAX_QUERY_TERMS + 1)),
        "search",
        "at most 32 words",
    );
    // Thousands of OR terms.
    let ors = (0..2000)
        .map(|i| format!("t{i}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    refused(search::check_text("q", &ors), "q", "too long");
    // ...and a short list of them still over the word cap.
    refused(
        search::check_text(
            "q",
            "a OR b OR c OR d OR e OR f OR g OR h OR i OR j OR k OR l OR m OR n OR o OR p OR q",
        ),
        "q",
        "too many words (33)",
    );
    // Deeply nested brackets.
    let nested = format!("{}refund{}", "(".repeat(10_000), ")".repeat(10_000));
    refused(search::check_text("q", &nested), "q", "too long");
    // A huge word (typo tolerance would build an automaton for it).
    refused(
        search::check_text("q", &"z".repeat(100_000)),
        "q",
        "too long",
    );
    // Wildcards and regex-like input: punctuation separates words.
    let wild = "a*b?c.d+e|f^g$h[i]j{k}l(m)n\\o/p~q:r!s@t#u%v&w=x<y>z,a;b'c`d\"e f g h i";
    refused(search::check_text("q", wild), "q", "too many words");
    // Words hidden by punctuation are still words.
    refused(
        search::check_text("q", &"a-".repeat(MAX_QUERY_TERMS + 1)),
        "q",
        "too many words",
    );
}

#[test]
fn substring_filters_and_value_lists_are_capped() {
    assert!(search::check_substring("search", &"x".repeat(MAX_SUBSTRING_CHARS)).is_ok());
    refused(
        search::check_substring("search", &"%".repeat(MAX_SUBSTRING_CHARS + 1)),
        "search",
        "at most 200 characters",
    );
    assert!(search::check_values("ids", MAX_FILTER_VALUES).is_ok());
    refused(
        search::check_values("ids", MAX_FILTER_VALUES + 1),
        "ids",
        "at most 100",
    );
}

#[test]
fn clipping_keeps_the_first_words() {
    assert_eq!(search::clip_words("alpha beta gamma", 2), "alpha beta");
    assert_eq!(search::clip_words("alpha, beta!", 5), "alpha, beta!");
    assert_eq!(
        search::clip_words("(alpha) \"beta gamma\"", 2),
        "(alpha) \"beta"
    );
    let long = "w ".repeat(10_000);
    assert!(search::clip_words(&long, ENGINE_MAX_TERMS).len() < 2 * ENGINE_MAX_TERMS);
}

#[tokio::test]
async fn the_engine_runs_at_most_engine_max_terms_words() {
    let f = fixture().await;
    // Within the bound, the last word counts.
    let filler = |n: usize| {
        (0..n)
            .map(|i| format!("zq{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = format!("{} refund", filler(ENGINE_MAX_TERMS - 1));
    let res = f
        .search
        .query(&f.idx, SearchQuery::new(text))
        .await
        .unwrap();
    assert_eq!(res.total, 1);
    // Past it, later words are ignored (not an error: machine text such as a
    // chat message is matched on its beginning).
    let text = format!("{} refund", filler(ENGINE_MAX_TERMS));
    let res = f
        .search
        .query(&f.idx, SearchQuery::new(text))
        .await
        .unwrap();
    assert_eq!(res.total, 0);

    // Worst cases the engine may still be handed: 2000 characters of
    // distinct five-letter words (each typo-tolerant), thousands of ORs,
    // nested brackets, a huge word. Each stays a small query.
    let typos: String = (0..400).map(|i| format!("rf{:03} ", i)).collect::<String>();
    let ors = (0..5000)
        .map(|i| format!("refund{i}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let nested = format!("{}refund{}", "(".repeat(10_000), ")".repeat(10_000));
    let huge = "z".repeat(200_000);
    for (name, text) in [
        ("typos", typos),
        ("ors", ors),
        ("nested", nested),
        ("huge", huge),
    ] {
        let started = Instant::now();
        let res = f
            .search
            .query(&f.idx, SearchQuery::new(text).filter("tenant", "t1"))
            .await;
        let ms = started.elapsed().as_millis();
        assert!(res.is_ok(), "{name}: {res:?}");
        eprintln!("worst-case query {name}: {ms} ms");
        assert!(ms < 5_000, "{name} took {ms} ms");
    }
}
