//! Knowledge search's types, as the document names them, and an entry of
//! the search index.

use frontline_platform::pattern::common::NonBlank;
use poem_openapi::Object;

/// What one searchable entry holds.
pub struct Entry<'a> {
    pub kind: &'a str,
    pub id: i64,
    pub company_id: Option<i64>,
    pub title: &'a str,
    pub content: &'a str,
    pub category: Option<&'a str>,
    pub tags: &'a [String],
    pub is_public: bool,
    pub language: &'a str,
}

/// A search request.
#[derive(Object, Debug)]
pub struct SearchRequest {
    /// The question or words to look for (typos and word forms are tolerated;
    /// at most 512 characters and 32 words).
    #[oai(validator(min_length = 1, max_length = 512))]
    pub query: NonBlank,
    pub company_id: Option<i64>,
    /// Only this language (e.g. en, es); all languages by default.
    pub language: Option<String>,
    pub category: Option<String>,
    /// 1..=50, default 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "50")))]
    pub limit: Option<i64>,
    /// 0..=1, default 0: hits scoring below are left out.
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub min_score: Option<f64>,
    /// Include uploaded documents' text (default true).
    pub include_documents: Option<bool>,
}

/// One search hit.
#[derive(Object, Debug, Clone)]
pub struct SearchHit {
    /// The article id (or document id when `source` is document).
    pub id: i64,
    pub title: String,
    /// The beginning of the text (up to 500 characters).
    pub content: String,
    /// 0..1: the share of the query's content words (stop words such as
    /// "the" left out) the hit contains, times a closeness factor between
    /// 0.5 and 1 (how close its BM25 score, with title and tag boosts, is to
    /// the best hit's). A hit matching only stop words scores 0; the top hit
    /// scores 1 only when it contains every content word.
    pub score: f64,
    pub category: Option<String>,
    /// article or document.
    pub source: String,
    pub language: String,
    /// Where the query matched, with `<em>` around the matching words.
    pub highlight: Option<String>,
    pub matched_fields: Vec<String>,
}
