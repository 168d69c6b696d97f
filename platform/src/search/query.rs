//! Queries: lenient parsing of user text, the tantivy query built from it
//! (BM25 with field boosts, typo tolerance, filters), and the hits with
//! scores, matched fields and highlights.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, DfaWrapper,
    EnableScoring, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Value as _};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader, TantivyDocument, Term};

use super::bits::DocBits;
use super::cache::{Expansion, FilterSets, QueryCache};
use super::facets::{self, FacetCount, KeywordCounts};
use super::highlight::{self, Terms};
use super::schema::{pair_text, FieldKind, Fields, IndexSchema};
use crate::error::{ApiError, ApiResult};

/// Weight of a typo-tolerant match relative to an exact one in the same field.
const FUZZY_WEIGHT: f32 = 0.3;
/// Weight of a prefix match (search as you type) relative to a whole word.
const PREFIX_WEIGHT: f32 = 0.5;
/// Words at least this long (in characters) also match within one edit.
const FUZZY_MIN_CHARS: usize = 5;
/// Most index words one typo-tolerant or prefix word stands for: the most
/// frequent ones of its near words (or of the words it begins). A word with
/// thousands of near words (a short prefix, a code-like token) costs the same
/// as one with a few.
pub const MAX_EXPANSIONS: usize = 50;
/// Index words looked at per segment when expanding one word (in dictionary
/// order), so a two-letter prefix over a huge dictionary stays bounded.
const MAX_EXPANSION_SCAN: usize = 10_000;
/// Largest page and deepest offset a query may ask for.
pub const MAX_LIMIT: usize = 1000;
pub const MAX_OFFSET: usize = 100_000;

/// What the last query of this thread did, in units that grow with the
/// index (for tests and benches; speed itself is never a test).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueryWork {
    /// Passes over every document the query matches: an unpruned ranking
    /// pass or a count. The page alone of a ranked query needs none (its
    /// ranking skips blocks that cannot reach the page); its total one,
    /// unless it is known for this index state.
    pub full_passes: u32,
    /// Postings lists (a term's or a phrase's, per segment) opened to find
    /// the page's matched fields and coverage.
    pub page_postings: u32,
    /// Documents read to build the per-segment sets of a query's filters
    /// (keywords required, words excluded); none when the same filters
    /// were read before in this index state.
    pub filter_docs: u64,
    /// Documents scored to order a page sorted by a number (the rest are
    /// only counted and their numbers read).
    pub sort_scored: u64,
    /// Documents a ranking pass that cannot skip (phrases, every word
    /// required, no text) scored and offered to the page. A phrase is
    /// checked (its positions read) only on documents that pass the
    /// keyword filters and number ranges.
    pub ranked: u64,
    /// Postings entries read as bare document ids (no frequencies,
    /// positions or scores) to count a word query's total or list the
    /// matches of a page sorted by a number.
    pub count_postings: u64,
}

thread_local! {
    static WORK: std::cell::Cell<QueryWork> = const {
        std::cell::Cell::new(QueryWork {
            full_passes: 0,
            page_postings: 0,
            filter_docs: 0,
            sort_scored: 0,
            ranked: 0,
            count_postings: 0,
        })
    };
}

fn note_work(f: impl FnOnce(&mut QueryWork)) {
    WORK.with(|w| {
        let mut v = w.get();
        f(&mut v);
        w.set(v);
    });
}

/// [`QueryWork`] of the last query run on this thread (`Search::query_blocking`
/// runs it on the calling thread).
pub fn last_query_work() -> QueryWork {
    WORK.with(|w| w.get())
}

/// Whether every word must match or any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatchMode {
    /// Documents matching any word, ranked by how well they match (default).
    #[default]
    Any,
    /// Only documents matching every word (stop words aside).
    All,
}

/// Sort direction of [`SearchQuery::sort_by`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Debug, Clone)]
enum Filter {
    AnyOf(String, Vec<String>),
    NoneOf(String, Vec<String>),
    Range(String, Option<f64>, Option<f64>),
}

/// A search request. Build with [`SearchQuery::new`] and the methods below.
///
/// The text is parsed leniently and never fails: words are matched in every
/// text field (BM25, times each field's boost), `"quoted phrases"` match as
/// phrases, `-word` excludes, `title:word` restricts a word to a declared
/// text field; any other punctuation (stray quotes, colons, brackets) is
/// just a separator. Words of five or more letters also match within one
/// typo, ranked below exact matches; a misspelt (or, in prefix mode,
/// unfinished) word stands for at most [`MAX_EXPANSIONS`] index words, the
/// most frequent, so its cost does not grow with the dictionary; `total`
/// counts exactly what that query matches. Text with no searchable word matches
/// every document (filters still apply), so an empty text lists.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub(crate) text: String,
    filters: Vec<Filter>,
    pub(crate) offset: usize,
    pub(crate) limit: usize,
    sort: Option<(String, SortOrder)>,
    mode: MatchMode,
    fuzzy: bool,
    prefix: bool,
    snippet_chars: usize,
    /// The stored fields hits carry (None: all).
    returned: Option<Vec<String>>,
    facets: Vec<(String, usize)>,
}

impl SearchQuery {
    /// A query for `text`; first page of 10.
    pub fn new(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            filters: Vec::new(),
            offset: 0,
            limit: 10,
            sort: None,
            mode: MatchMode::Any,
            fuzzy: true,
            prefix: false,
            snippet_chars: 200,
            returned: None,
            facets: Vec::new(),
        }
    }
    /// Only documents whose keyword `field` equals `value`.
    pub fn filter(self, field: &str, value: impl Into<String>) -> Self {
        self.filter_any(field, [value.into()])
    }
    /// Only documents whose keyword `field` equals one of `values`
    /// (an empty list matches nothing).
    pub fn filter_any<I, S>(mut self, field: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.filters.push(Filter::AnyOf(
            field.to_string(),
            values.into_iter().map(Into::into).collect(),
        ));
        self
    }
    /// Leaves out documents whose keyword `field` equals `value`.
    pub fn exclude(mut self, field: &str, value: impl Into<String>) -> Self {
        self.filters
            .push(Filter::NoneOf(field.to_string(), vec![value.into()]));
        self
    }
    /// Only documents whose numeric `field` is within `min..=max` (either may be open).
    pub fn range(mut self, field: &str, min: Option<f64>, max: Option<f64>) -> Self {
        self.filters
            .push(Filter::Range(field.to_string(), min, max));
        self
    }
    /// Skips the first `offset` hits (capped at 100 000).
    pub fn offset(mut self, offset: usize) -> Self {
        self.offset = offset.min(MAX_OFFSET);
        self
    }
    /// Returns at most `limit` hits (capped at 1000; 0 only counts).
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit.min(MAX_LIMIT);
        self
    }
    /// Page `page` (1-based) of `per_page` hits.
    pub fn page(self, page: usize, per_page: usize) -> Self {
        self.offset(page.saturating_sub(1).saturating_mul(per_page))
            .limit(per_page)
    }
    /// Orders by a numeric field (documents without a value last), then by relevance.
    pub fn sort_by(mut self, field: &str, order: SortOrder) -> Self {
        self.sort = Some((field.to_string(), order));
        self
    }
    /// Any word (default) or every word must match.
    pub fn mode(mut self, mode: MatchMode) -> Self {
        self.mode = mode;
        self
    }
    /// Turns typo tolerance off (on by default).
    pub fn exact(mut self) -> Self {
        self.fuzzy = false;
        self
    }
    /// Search as you type: the last word, unless followed by a space, also
    /// matches words it begins (`"refu"` finds "refund"), ranked below whole words.
    pub fn prefix(mut self) -> Self {
        self.prefix = true;
        self
    }
    /// Counts the values of keyword `field` over all matching documents
    /// (the `limit` most frequent) into [`SearchResults::facets`].
    pub fn facet(mut self, field: &str, limit: usize) -> Self {
        self.facets.push((field.to_string(), limit.clamp(1, 1000)));
        self
    }
    /// What the total of this query depends on (not the page or the sort).
    fn total_key(&self) -> String {
        format!(
            "{:?}|{:?}|{:?}|{}|{}",
            self.text, self.filters, self.mode, self.fuzzy, self.prefix
        )
    }
    /// Only these stored fields in [`Hit::fields`] (default: every stored
    /// field). Highlights still cover every matched text field.
    pub fn fields<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.returned = Some(names.into_iter().map(Into::into).collect());
        self
    }
    /// Approximate length of highlighted snippets, in bytes (default 200).
    pub fn snippet_chars(mut self, n: usize) -> Self {
        self.snippet_chars = n.clamp(20, 10_000);
        self
    }
}

/// One page of results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Every document matching the query and filters.
    pub total: usize,
    /// The best raw score of all matching documents (the `1.0` of `normalized_score`).
    pub max_score: f32,
    pub hits: Vec<Hit>,
    /// Value counts per field asked for with [`SearchQuery::facet`].
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

/// One matching document.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The id it was staged under.
    pub id: String,
    /// The raw BM25 score (field boosts applied).
    pub score: f32,
    /// `score` divided by the best score of the query: 0..1, the top hit is 1.
    pub normalized_score: f32,
    /// Share of the query's words (and phrases) this document matched: 0..1.
    /// Useful as a confidence threshold, which `normalized_score` is not.
    pub coverage: f32,
    /// Share of the query's content words (and phrases) this document
    /// matched, stop words ("the", "is") left out: 0..1. 0 when the
    /// document matched only stop words or the query has nothing else.
    pub content_coverage: f32,
    /// Declared text fields where the query matched, in declaration order.
    pub matched_fields: Vec<String>,
    /// Per stored text field that matched: a snippet with `<em>` around the
    /// matching words, HTML-escaped around them.
    pub highlights: BTreeMap<String, String>,
    /// The stored values: stored text fields, keywords (arrays when several) and numbers.
    pub fields: Map<String, Value>,
}

/// One parsed piece of user text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Piece {
    field: Option<String>,
    text: String,
    phrase: bool,
    negated: bool,
}

/// Splits user text leniently into words, phrases, exclusions and
/// field-qualified words. Never fails.
pub(crate) fn parse(text: &str, text_fields: &[&str]) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().take(2000).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut negated = false;
        if chars[i] == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            negated = true;
            i += 1;
        }
        if chars[i] == '"' {
            let start = i + 1;
            let mut end = start;
            while end < chars.len() && chars[end] != '"' {
                end += 1;
            }
            let body: String = chars[start..end].iter().collect();
            out.push(Piece {
                field: None,
                text: body,
                phrase: true,
                negated,
            });
            i = end + 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        if let Some((name, rest)) = token.split_once(':') {
            if text_fields.contains(&name) {
                if rest.is_empty() && i < chars.len() && chars[i] == '"' {
                    let s = i + 1;
                    let mut e = s;
                    while e < chars.len() && chars[e] != '"' {
                        e += 1;
                    }
                    out.push(Piece {
                        field: Some(name.to_string()),
                        text: chars[s..e].iter().collect(),
                        phrase: true,
                        negated,
                    });
                    i = e + 1;
                    continue;
                }
                out.push(Piece {
                    field: Some(name.to_string()),
                    text: rest.to_string(),
                    phrase: false,
                    negated,
                });
                continue;
            }
        }
        out.push(Piece {
            field: None,
            text: token,
            phrase: false,
            negated,
        });
    }
    out
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut ts = analyzer.token_stream(text);
    while ts.advance() {
        let t = ts.token();
        out.push((t.position, t.text.clone()));
    }
    out
}

/// A searchable unit: one word or one phrase, with its per-field clauses.
struct Group {
    /// Clauses per text field name.
    per_field: Vec<(String, Box<dyn Query>)>,
    /// The same clauses, flat (term queries where possible), for ranking:
    /// a flat union of term queries lets the engine skip blocks of documents
    /// that cannot reach the page (block-max WAND).
    /// Each with its field's name (matched fields and coverage).
    flat: Vec<(String, Box<dyn Query>)>,
    /// Only stop words: optional in `All` mode.
    stop_only: bool,
    /// A word (its clauses are terms), not a phrase.
    word: bool,
    /// A phrase of two or more words: matching it reads positions.
    positional: bool,
    /// A word's terms (every field, expansions included): what its
    /// documents are counted from.
    terms_of_word: Vec<Term>,
    negated: bool,
    /// Which fields get which highlight terms (None: all).
    field: Option<String>,
    terms: Terms,
}

/// The filters and exclusions of a query, as a ranked page checks them
/// per candidate: a set of the documents of the required keywords and one
/// of the excluded words and keywords (each read from its own postings, so
/// an exclusion costs what the excluded word matches, not the rest of the
/// index), and the number ranges read from the candidate's own values.
struct PageFilter {
    keep: Option<Box<dyn Query>>,
    drop: Option<Box<dyn Query>>,
    ranges: Vec<NumRange>,
}

/// A number range filter (inclusive bounds, as the range query has them).
struct NumRange {
    field: String,
    bounds: Bounds,
}

enum Bounds {
    Int(Option<i64>, Option<i64>),
    Float(Option<f64>, Option<f64>),
}

impl Bounds {
    fn int(&self, v: i64) -> bool {
        match self {
            Bounds::Int(lo, hi) => lo.is_none_or(|l| v >= l) && hi.is_none_or(|h| v <= h),
            Bounds::Float(..) => false,
        }
    }
    /// Compared in the total order of floats, the order the index keeps
    /// them in (-0.0 before 0.0).
    fn float(&self, v: f64) -> bool {
        use std::cmp::Ordering::{Greater, Less};
        match self {
            Bounds::Float(lo, hi) => {
                lo.is_none_or(|l| v.total_cmp(&l) != Less)
                    && hi.is_none_or(|h| v.total_cmp(&h) != Greater)
            }
            Bounds::Int(..) => false,
        }
    }
}

/// One term or phrase of the text in one field.
struct Leaf {
    field: usize,
    group: usize,
    query: Box<dyn Query>,
}

/// What the parsed text turns into.
pub(crate) struct Compiled {
    /// Text, filters and exclusions together (counting, facets, sorting).
    query: Box<dyn Query>,
    /// The text part alone, as flat as the match mode allows (ranking).
    text: Box<dyn Query>,
    /// Filters and exclusions alone, as a ranked page checks them.
    filter: PageFilter,
    /// Document frequencies the ranking uses for expanded words.
    stats: Overrides,
    /// The text's terms and phrases, each once, with the text field it is
    /// in (an index of `leaf_fields`) and the positive group (word or
    /// phrase) it belongs to: a page's matched fields and coverage.
    leaves: Vec<Leaf>,
    /// The text fields of `leaves`, by name.
    leaf_fields: Vec<String>,
    /// Per positive group: made only of stop words.
    group_stop: Vec<bool>,
    /// The text is one flat union of terms: ranking skips what cannot reach the page.
    prunable: bool,
    /// When `prunable`: the union's terms, each once (a document matches
    /// the text when it is in the postings of one of them).
    count_terms: Vec<Term>,
    /// Highlight terms: for all fields, and per restricted field.
    all_terms: Terms,
    field_terms: BTreeMap<String, Terms>,
    has_text: bool,
}

pub(crate) struct Ctx<'a> {
    pub decl: &'a IndexSchema,
    pub fields: &'a Fields,
    pub stem: TextAnalyzer,
    pub raw: TextAnalyzer,
    /// Stop words and stemmer of `stem` for one word of `raw`'s.
    pub word_stem: TextAnalyzer,
    /// Expansions and totals of the current index state.
    pub cache: &'a QueryCache,
    /// Phrases led by their word pairs and by the filters (always, but
    /// for tests comparing answers without these shortcuts).
    pub gates: bool,
}

impl Ctx<'_> {
    fn text_fields(&self) -> Vec<(String, Field, Field, f32)> {
        self.decl
            .text_fields()
            .filter_map(|(name, boost, _)| {
                let (f, _) = self.fields.by_name.get(name)?;
                let raw = self.fields.raw.get(name)?;
                Some((name.to_string(), *f, *raw, boost))
            })
            .collect()
    }

    fn group(
        &mut self,
        piece: &Piece,
        fuzzy: bool,
        prefix_last: bool,
        searcher: &Searcher,
        stats: &mut Overrides,
    ) -> ApiResult<Vec<Group>> {
        let fields: Vec<_> = self
            .text_fields()
            .into_iter()
            .filter(|(n, ..)| piece.field.as_deref().is_none_or(|f| f == n))
            .collect();
        let mut groups = Vec::new();
        if piece.phrase {
            let stems = tokens(&mut self.stem, &piece.text);
            let raws = tokens(&mut self.raw, &piece.text);
            if raws.is_empty() {
                return Ok(groups);
            }
            let mut terms = Terms::default();
            let mut per_field: Vec<(String, Box<dyn Query>)> = Vec::new();
            for (name, f, raw, boost) in &fields {
                let q: Box<dyn Query> = match stems.len() {
                    0 => Box::new(BooleanQuery::new(
                        raws.iter()
                            .map(|(_, w)| (Occur::Must, term_query(Term::from_field_text(*raw, w))))
                            .collect(),
                    )),
                    1 => term_query(Term::from_field_text(*f, &stems[0].1)),
                    _ => {
                        let first = stems[0].0;
                        Box::new(PhraseQuery::new_with_offset(
                            stems
                                .iter()
                                .map(|(p, s)| (p - first, Term::from_field_text(*f, s)))
                                .collect(),
                        ))
                    }
                };
                let mut clause: Box<dyn Query> = Box::new(BoostQuery::new(q, *boost));
                // Every document of the phrase holds its adjacent word
                // pairs: their postings (doc ids) lead, and positions are
                // read only for the documents that hold them all. The pairs
                // score 0: the clause's score is the phrase's own.
                if let Some(pf) = self.fields.pairs.get(name).filter(|_| self.gates) {
                    let pairs: Clauses = stems
                        .windows(2)
                        .filter(|w| w[1].0 == w[0].0 + 1)
                        .map(|w| {
                            let t = Term::from_field_text(*pf, &pair_text(&w[0].1, &w[1].1));
                            let q: Box<dyn Query> =
                                Box::new(TermQuery::new(t, IndexRecordOption::Basic));
                            (Occur::Must, q)
                        })
                        .collect();
                    if !pairs.is_empty() {
                        clause = Box::new(BooleanQuery::new(vec![
                            (Occur::Must, clause),
                            (
                                Occur::Must,
                                Box::new(ConstScoreQuery::new(
                                    Box::new(BooleanQuery::new(pairs)),
                                    0.0,
                                )),
                            ),
                        ]));
                    }
                }
                per_field.push((name.clone(), clause));
            }
            if stems.is_empty() {
                terms.raw.extend(raws.iter().map(|(_, w)| w.clone()));
            } else {
                terms.stems.extend(stems.iter().map(|(_, s)| s.clone()));
            }
            let flat = per_field
                .iter()
                .map(|(n, q)| (n.clone(), q.box_clone()))
                .collect();
            groups.push(Group {
                per_field,
                flat,
                stop_only: stems.is_empty(),
                word: false,
                positional: stems.len() >= 2,
                terms_of_word: Vec::new(),
                negated: piece.negated,
                field: piece.field.clone(),
                terms,
            });
            return Ok(groups);
        }
        // Each word of the piece is its own group ("foo:bar(" is two words).
        let words = tokens(&mut self.raw, &piece.text);
        let last = words.len().saturating_sub(1);
        for (k, (_, word)) in words.into_iter().enumerate() {
            let as_prefix = prefix_last && k == last && word.chars().count() >= 2;
            let stem = tokens(&mut self.stem, &word)
                .into_iter()
                .next()
                .map(|t| t.1);
            let typo = fuzzy && !piece.negated && word.chars().count() >= FUZZY_MIN_CHARS;
            let mut terms = Terms::default();
            match &stem {
                Some(s) => {
                    terms.stems.insert(s.clone());
                }
                None => {
                    terms.raw.insert(word.clone());
                }
            }
            if typo {
                terms.fuzzy.push(word.clone());
            }
            if as_prefix {
                terms.prefixes.push(word.clone());
            }
            let mut per_field: Vec<(String, Box<dyn Query>)> = Vec::new();
            let mut flat: Vec<(String, Box<dyn Query>)> = Vec::new();
            // How common the word itself is, in its most common field: the
            // least an expansion counts as (so a rare misspelling in the
            // title does not outrank the word typed in every description).
            let mut word_df = None;
            // One automaton per word (built only when some field's
            // expansion is not cached), walked over every field's dictionary.
            let mut near = None;
            let mut continuations = None;
            let mut terms_of_word = Vec::new();
            for (name, f, raw, boost) in &fields {
                let exact_term = match &stem {
                    Some(s) => Term::from_field_text(*f, s),
                    None => Term::from_field_text(*raw, &word),
                };
                terms_of_word.push(exact_term.clone());
                let mut clauses: Vec<Box<dyn Query>> = vec![Box::new(BoostQuery::new(
                    term_query(exact_term.clone()),
                    *boost,
                ))];
                // Near words and continuations, each a term of its own (the
                // word itself is the exact clause's), ranked with the
                // frequency of the most frequent of them or the word.
                let mut expanded = Vec::new();
                if typo {
                    let e = self.expansion(searcher, *raw, &word, false, &mut near)?;
                    expanded.push((e, FUZZY_WEIGHT));
                }
                if as_prefix {
                    let e = self.expansion(searcher, *raw, &word, true, &mut continuations)?;
                    expanded.push((e, PREFIX_WEIGHT));
                }
                if expanded.iter().any(|(terms, _)| !terms.is_empty()) {
                    let exact_df = match word_df {
                        Some(df) => df,
                        None => {
                            let mut df = 0;
                            for (_, f, raw, _) in &fields {
                                let t = match &stem {
                                    Some(s) => Term::from_field_text(*f, s),
                                    None => Term::from_field_text(*raw, &word),
                                };
                                df = df.max(searcher.doc_freq(&t).map_err(index_error)?);
                            }
                            *word_df.insert(df)
                        }
                    };
                    for (terms, weight) in expanded {
                        let blended = terms.iter().map(|t| t.1).fold(exact_df, u64::max);
                        for (t, _) in terms.iter() {
                            let term = Term::from_field_text(*raw, t);
                            stats.raise(&term, blended);
                            terms_of_word.push(term.clone());
                            clauses
                                .push(Box::new(BoostQuery::new(term_query(term), boost * weight)));
                        }
                    }
                }
                flat.extend(clauses.iter().map(|c| (name.clone(), c.box_clone())));
                per_field.push((
                    name.clone(),
                    Box::new(BooleanQuery::new(
                        clauses.into_iter().map(|c| (Occur::Should, c)).collect(),
                    )),
                ));
            }
            groups.push(Group {
                per_field,
                flat,
                stop_only: stem.is_none(),
                word: true,
                positional: false,
                terms_of_word,
                negated: piece.negated,
                field: piece.field.clone(),
                terms,
            });
        }
        Ok(groups)
    }

    /// The expansion of `word` in `field` (see [`expand`]), from the cache
    /// of this index state when there; `dfa` is the word's automaton,
    /// built on first need.
    fn expansion(
        &self,
        searcher: &Searcher,
        field: Field,
        word: &str,
        prefix: bool,
        dfa: &mut Option<DfaWrapper>,
    ) -> ApiResult<Expansion> {
        let generation = searcher.generation().generation_id();
        if let Some(e) = self.cache.expansion(generation, field, word, prefix) {
            return Ok(e);
        }
        let dfa = match dfa {
            Some(d) => d,
            None => dfa.insert(automaton(word, prefix)?),
        };
        let e: Expansion = Arc::new(expand(searcher, field, word, dfa)?);
        self.cache
            .keep_expansion(generation, field, word, prefix, e.clone());
        Ok(e)
    }

    pub(crate) fn compile(&mut self, q: &SearchQuery, searcher: &Searcher) -> ApiResult<Compiled> {
        let names: Vec<String> = self.text_fields().into_iter().map(|t| t.0).collect();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let pieces = parse(&q.text, &name_refs);
        let prefix_at = (q.prefix && !q.text.ends_with(char::is_whitespace))
            .then(|| pieces.len().checked_sub(1))
            .flatten()
            .filter(|&i| !pieces[i].phrase && !pieces[i].negated);
        let mut groups = Vec::new();
        let mut stats = Overrides::default();
        for (i, p) in pieces.iter().enumerate() {
            groups.extend(self.group(p, q.fuzzy, prefix_at == Some(i), searcher, &mut stats)?);
        }
        let (negative, positive): (Vec<Group>, Vec<Group>) =
            groups.into_iter().partition(|g| g.negated);
        let all_stop = positive.iter().all(|g| g.stop_only);

        let mut top: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // The same filters for a ranked page: keywords required, what is
        // excluded, number ranges (checked on the candidates).
        let mut keep: Clauses = Vec::new();
        let mut drop: Clauses = Vec::new();
        let mut ranges: Vec<NumRange> = Vec::new();
        // Keyword filters and ranges together: what a phrase's documents
        // must pass before their positions are read.
        let mut gate: Clauses = Vec::new();
        for g in &negative {
            for (_, fq) in &g.per_field {
                top.push((Occur::MustNot, fq.box_clone()));
                drop.push((Occur::Should, fq.box_clone()));
            }
        }
        for f in &q.filters {
            match f {
                Filter::AnyOf(name, values) => {
                    let field = self.keyword_field(name)?;
                    let any: Vec<(Occur, Box<dyn Query>)> = values
                        .iter()
                        .map(|v| (Occur::Should, term_query(Term::from_field_text(field, v))))
                        .collect();
                    let inner: Box<dyn Query> = if any.is_empty() {
                        Box::new(tantivy::query::EmptyQuery)
                    } else {
                        Box::new(BooleanQuery::new(any))
                    };
                    keep.push((Occur::Must, inner.box_clone()));
                    gate.push((Occur::Must, inner.box_clone()));
                    top.push((Occur::Must, Box::new(ConstScoreQuery::new(inner, 0.0))));
                }
                Filter::NoneOf(name, values) => {
                    let field = self.keyword_field(name)?;
                    for v in values {
                        top.push((Occur::MustNot, term_query(Term::from_field_text(field, v))));
                        drop.push((Occur::Should, term_query(Term::from_field_text(field, v))));
                    }
                }
                Filter::Range(name, min, max) => {
                    if let Some((rq, bounds)) = self.range(name, *min, *max)? {
                        gate.push((Occur::Must, rq.box_clone()));
                        top.push((Occur::Must, Box::new(ConstScoreQuery::new(rq, 0.0))));
                        ranges.push(bounds);
                    }
                }
            }
        }
        // A phrase clause gated by the filters: the filters (cheap, doc
        // ids only) lead the intersection, so a phrase's positions are read
        // only for documents that pass them. The gate scores 0, so the
        // clause's score is the phrase's own.
        let gate: Option<Box<dyn Query>> = (self.gates && !gate.is_empty()).then(|| {
            Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(gate)), 0.0)) as Box<dyn Query>
        });
        let gated = |g: &Group, q: &dyn Query| -> Box<dyn Query> {
            match &gate {
                Some(gate) if g.positional => Box::new(BooleanQuery::new(vec![
                    (Occur::Must, q.box_clone()),
                    (Occur::Must, gate.box_clone()),
                ])),
                _ => q.box_clone(),
            }
        };

        let mut all_terms = Terms::default();
        let mut field_terms: BTreeMap<String, Terms> = BTreeMap::new();
        let mut leaves: Vec<Leaf> = Vec::new();
        let mut leaf_fields: Vec<String> = Vec::new();
        let mut group_stop = Vec::new();
        let mut text_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut flat_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut count_terms: Vec<Term> = Vec::new();
        for g in &positive {
            match &g.field {
                Some(f) => field_terms.entry(f.clone()).or_default().extend(&g.terms),
                None => all_terms.extend(&g.terms),
            }
            let group_q: Box<dyn Query> = Box::new(BooleanQuery::new(
                g.per_field
                    .iter()
                    .map(|(_, q)| (Occur::Should, gated(g, q.as_ref())))
                    .collect(),
            ));
            for (name, leaf) in &g.flat {
                let field = match leaf_fields.iter().position(|n| n == name) {
                    Some(i) => i,
                    None => {
                        leaf_fields.push(name.clone());
                        leaf_fields.len() - 1
                    }
                };
                leaves.push(Leaf {
                    field,
                    group: group_stop.len(),
                    query: leaf.box_clone(),
                });
            }
            let occur = match q.mode {
                MatchMode::All if !g.stop_only || all_stop => Occur::Must,
                _ => Occur::Should,
            };
            text_clauses.push((occur, group_q));
            flat_clauses.extend(
                g.flat
                    .iter()
                    .map(|(_, c)| (Occur::Should, gated(g, c.as_ref()))),
            );
            for t in &g.terms_of_word {
                if !count_terms.contains(t) {
                    count_terms.push(t.clone());
                }
            }
            group_stop.push(g.stop_only);
        }
        let has_text = !text_clauses.is_empty();
        let prunable = has_text && q.mode == MatchMode::Any && positive.iter().all(|g| g.word);
        // Any word may match: one flat union (the sum of the same scores as
        // the nested groups); every word must match: the groups themselves.
        let text: Box<dyn Query> = if !has_text {
            Box::new(AllQuery)
        } else if q.mode == MatchMode::Any {
            Box::new(BooleanQuery::new(flat_clauses))
        } else {
            Box::new(BooleanQuery::new(text_clauses))
        };
        if let Some((name, _)) = &q.sort {
            match self.decl.kind_of(name) {
                Some(FieldKind::Integer | FieldKind::Float) => {}
                _ => {
                    return Err(ApiError::invalid(
                        "sort",
                        format!("'{name}' is not a numeric field of this index"),
                    ))
                }
            }
        }
        let filter = PageFilter {
            keep: (!keep.is_empty()).then(|| Box::new(BooleanQuery::new(keep)) as Box<dyn Query>),
            drop: (!drop.is_empty()).then(|| Box::new(BooleanQuery::new(drop)) as Box<dyn Query>),
            ranges,
        };
        top.insert(0, (Occur::Must, text.box_clone()));
        Ok(Compiled {
            query: Box::new(BooleanQuery::new(top)),
            text,
            filter,
            stats,
            leaves,
            leaf_fields,
            group_stop,
            prunable,
            count_terms: if prunable { count_terms } else { Vec::new() },
            all_terms,
            field_terms,
            has_text,
        })
    }

    fn keyword_field(&self, name: &str) -> ApiResult<Field> {
        match self.fields.by_name.get(name) {
            Some((f, FieldKind::Keyword { .. })) => Ok(*f),
            _ => Err(ApiError::invalid(
                name,
                format!("'{name}' is not a keyword field of this index"),
            )),
        }
    }

    fn range(
        &self,
        name: &str,
        min: Option<f64>,
        max: Option<f64>,
    ) -> ApiResult<Option<(Box<dyn Query>, NumRange)>> {
        if min.is_none() && max.is_none() {
            return Ok(None);
        }
        if min.is_some_and(f64::is_nan) || max.is_some_and(f64::is_nan) {
            return Err(ApiError::invalid(name, "range bounds must be numbers"));
        }
        let (q, bounds) = match self.fields.by_name.get(name) {
            Some((f, FieldKind::Integer)) => {
                let (lo_v, hi_v) = (
                    min.map(|m| clamp_i64(m.ceil())),
                    max.map(|m| clamp_i64(m.floor())),
                );
                let lo = lo_v.map_or(Bound::Unbounded, |v| {
                    Bound::Included(Term::from_field_i64(*f, v))
                });
                let hi = hi_v.map_or(Bound::Unbounded, |v| {
                    Bound::Included(Term::from_field_i64(*f, v))
                });
                (RangeQuery::new(lo, hi), Bounds::Int(lo_v, hi_v))
            }
            Some((f, FieldKind::Float)) => {
                let lo = min.map_or(Bound::Unbounded, |m| {
                    Bound::Included(Term::from_field_f64(*f, m))
                });
                let hi = max.map_or(Bound::Unbounded, |m| {
                    Bound::Included(Term::from_field_f64(*f, m))
                });
                (RangeQuery::new(lo, hi), Bounds::Float(min, max))
            }
            _ => {
                return Err(ApiError::invalid(
                    name,
                    format!("'{name}' is not a numeric field of this index"),
                ))
            }
        };
        let range = NumRange {
            field: name.to_string(),
            bounds,
        };
        Ok(Some((Box::new(q), range)))
    }
}

fn clamp_i64(v: f64) -> i64 {
    if v >= i64::MAX as f64 {
        i64::MAX
    } else if v <= i64::MIN as f64 {
        i64::MIN
    } else {
        v as i64
    }
}

/// Boolean clauses.
type Clauses = Vec<(Occur, Box<dyn Query>)>;

fn term_query(t: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs))
}

/// Runs `q` against `searcher`.
pub(crate) fn execute(
    ctx: &mut Ctx<'_>,
    searcher: &Searcher,
    q: &SearchQuery,
) -> ApiResult<SearchResults> {
    WORK.with(|w| w.set(QueryWork::default()));
    let compiled = ctx.compile(q, searcher)?;
    let query = &compiled.query;
    // The filter sets of a ranked page (and of a word query's count).
    let sets = if q.limit == 0 || (q.sort.is_some() && !compiled.prunable) {
        Sets {
            keep: None,
            drop: None,
        }
    } else {
        Sets::of(searcher, ctx.cache, &compiled)?
    };
    let stats = Stats {
        searcher,
        over: &compiled.stats,
    };
    let best = TopDocs::with_limit(1).order_by_score();
    let (total, max_score, page): (usize, f32, Vec<(Score, DocAddress)>) = if q.limit == 0 {
        let (total, top) = searcher
            .search_with_statistics_provider(query.as_ref(), &(Count, best), &stats)
            .map_err(index_error)?;
        note_work(|w| w.full_passes += 1);
        (total, top.first().map_or(0.0, |t| t.0), Vec::new())
    } else if let (Some((name, order)), true) = (&q.sort, compiled.prunable) {
        let desc = *order == SortOrder::Desc;
        let integer = matches!(ctx.decl.kind_of(name), Some(FieldKind::Integer));
        let (total, best, page) = sorted_page(
            searcher,
            &compiled,
            &sets,
            &SortKey {
                field: name,
                integer,
                desc,
            },
            q.offset,
            q.limit,
        )?;
        ctx.cache
            .keep_total(searcher.generation().generation_id(), q.total_key(), total);
        (total, best, page)
    } else if let Some((name, order)) = &q.sort {
        let name = name.clone();
        let desc = *order == SortOrder::Desc;
        let integer = matches!(ctx.decl.kind_of(&name), Some(FieldKind::Integer));
        let sorted = TopDocs::with_limit(q.limit)
            .and_offset(q.offset)
            .tweak_score(move |seg: &SegmentReader| {
                let ff = seg.fast_fields();
                let ints = if integer { ff.i64(&name).ok() } else { None };
                let floats = if integer { None } else { ff.f64(&name).ok() };
                move |doc: DocId, score: Score| {
                    let v = match (&ints, &floats) {
                        (Some(c), _) => c.first(doc).map(|v| v as f64),
                        (_, Some(c)) => c.first(doc),
                        _ => None,
                    };
                    let key = match v {
                        Some(v) if desc => v,
                        Some(v) => -v,
                        None => f64::NEG_INFINITY,
                    };
                    (key, score)
                }
            });
        let (total, top, hits) = searcher
            .search_with_statistics_provider(query.as_ref(), &(Count, best, sorted), &stats)
            .map_err(index_error)?;
        note_work(|w| {
            w.full_passes += 1;
            w.sort_scored += total as u64;
        });
        (
            total,
            top.first().map_or(0.0, |t| t.0),
            hits.into_iter().map(|((_, s), a)| (s, a)).collect(),
        )
    } else {
        // The page alone, by the text's scores (block-max WAND skips blocks
        // that cannot reach it; filters are a bit set checked per candidate),
        // then the total without scores.
        let (top, counted) = top_k(searcher, &compiled, &sets, q.offset.saturating_add(q.limit))?;
        let best = top.first().map_or(0.0, |t| t.0);
        // The total is the same for every page of a query while the index
        // does not change: counted once per index state (by the ranking
        // itself when that visited every match).
        let generation = searcher.generation().generation_id();
        let key = q.total_key();
        let total = match (counted, ctx.cache.total(generation, &key)) {
            (_, Some(t)) => t,
            (Some(t), None) => {
                ctx.cache.keep_total(generation, key, t);
                t
            }
            (None, None) => {
                // Top-k skipped: the text is a flat union of terms.
                let t = count_words(searcher, &compiled, &sets)?;
                ctx.cache.keep_total(generation, key, t);
                t
            }
        };
        (total, best, top.into_iter().skip(q.offset).collect())
    };

    let mut facet_counts = BTreeMap::new();
    if !q.facets.is_empty() {
        for (name, _) in &q.facets {
            ctx.keyword_field(name)?;
        }
        let collector = KeywordCounts {
            fields: q.facets.iter().map(|f| f.0.clone()).collect(),
        };
        let counted = searcher.search(query, &collector).map_err(index_error)?;
        for ((name, limit), counts) in q.facets.iter().zip(counted) {
            facet_counts.insert(name.clone(), facets::top(counts, *limit));
        }
    }

    // Matched fields and coverage: per segment, each term's (or phrase's)
    // postings once, sought to the page's documents in doc order.
    let n = page.len();
    let mut matched: Vec<Vec<bool>> = vec![vec![false; compiled.leaf_fields.len()]; n];
    let groups = compiled.group_stop.len();
    let mut in_group: Vec<Vec<bool>> = vec![vec![false; groups]; n];
    if compiled.has_text && n > 0 {
        let leaf_weights = weights(searcher, compiled.leaves.iter().map(|l| &l.query))?;
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (page[i].1.segment_ord, page[i].1.doc_id));
        let mut k = 0;
        while k < order.len() {
            let seg_ord = page[order[k]].1.segment_ord;
            let seg = searcher.segment_reader(seg_ord);
            let mut run = Vec::new();
            while k < order.len() && page[order[k]].1.segment_ord == seg_ord {
                run.push(order[k]);
                k += 1;
            }
            for (leaf, w) in compiled.leaves.iter().zip(&leaf_weights) {
                // Only documents this leaf could still tell something new.
                let open: Vec<usize> = run
                    .iter()
                    .copied()
                    .filter(|&i| !matched[i][leaf.field] || !in_group[i][leaf.group])
                    .collect();
                if open.is_empty() {
                    continue;
                }
                note_work(|w| w.page_postings += 1);
                let mut scorer = w.scorer(seg, 1.0).map_err(index_error)?;
                for i in open {
                    let d = page[i].1.doc_id;
                    let mut cur = scorer.doc();
                    if cur < d {
                        cur = scorer.seek(d);
                    }
                    if cur == d {
                        matched[i][leaf.field] = true;
                        in_group[i][leaf.group] = true;
                    }
                }
            }
        }
    }
    let covered: Vec<usize> = in_group
        .iter()
        .map(|g| g.iter().filter(|m| **m).count())
        .collect();
    let covered_content: Vec<usize> = in_group
        .iter()
        .map(|g| {
            g.iter()
                .zip(&compiled.group_stop)
                .filter(|(m, stop)| **m && !**stop)
                .count()
        })
        .collect();

    let mut hits = Vec::with_capacity(n);
    let mut markers: HashMap<Option<String>, highlight::Marker> = HashMap::new();
    for (i, (score, addr)) in page.into_iter().enumerate() {
        let doc: TantivyDocument = searcher.doc(addr).map_err(index_error)?;
        let id = doc
            .get_first(ctx.fields.id)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let matched_fields: Vec<String> = ctx
            .decl
            .text_fields()
            .map(|(name, ..)| name.to_string())
            .filter(|name| {
                compiled
                    .leaf_fields
                    .iter()
                    .position(|n| n == name)
                    .is_some_and(|p| matched[i][p])
            })
            .collect();
        let mut fields = Map::new();
        let mut highlights = BTreeMap::new();
        for (name, (field, kind)) in &ctx.fields.by_name {
            let returned = q.returned.as_ref().is_none_or(|r| r.contains(name));
            let highlighted = matches!(kind, FieldKind::Text { stored: true, .. })
                && matched_fields.contains(name);
            if highlighted {
                // Fields without words of their own share one marker.
                let own = compiled.field_terms.get(name);
                let marker = markers.entry(own.map(|_| name.clone())).or_insert_with(|| {
                    let mut terms = compiled.all_terms.clone();
                    if let Some(t) = own {
                        terms.extend(t);
                    }
                    highlight::Marker::new(terms)
                });
                let texts: Vec<&str> = doc.get_all(*field).filter_map(|v| v.as_str()).collect();
                let text = match texts.as_slice() {
                    [one] => std::borrow::Cow::Borrowed(*one),
                    many => std::borrow::Cow::Owned(many.join(" … ")),
                };
                if let Some(s) = highlight::snippet(
                    &text,
                    marker,
                    &mut ctx.raw,
                    &mut ctx.word_stem,
                    q.snippet_chars,
                ) {
                    highlights.insert(name.clone(), s);
                }
            }
            if !returned {
                continue;
            }
            let vals: Vec<Value> = doc
                .get_all(*field)
                .filter_map(|v| match kind {
                    FieldKind::Text { .. } | FieldKind::Keyword { .. } => {
                        v.as_str().map(|s| Value::String(s.to_string()))
                    }
                    FieldKind::Integer => v.as_i64().map(Value::from),
                    FieldKind::Float => v.as_f64().map(Value::from),
                })
                .collect();
            // Lists stay lists; a text given as several values comes back as
            // an array; everything else as its (first) value.
            let list = matches!(kind, FieldKind::Keyword { multi: true })
                || (matches!(kind, FieldKind::Text { .. }) && vals.len() > 1);
            if list {
                fields.insert(name.clone(), Value::Array(vals));
            } else if let Some(first) = vals.into_iter().next() {
                fields.insert(name.clone(), first);
            }
        }
        let content_groups = compiled.group_stop.iter().filter(|s| !**s).count();
        hits.push(Hit {
            id,
            score,
            normalized_score: if max_score > 0.0 {
                (score / max_score).clamp(0.0, 1.0)
            } else {
                1.0
            },
            coverage: if groups == 0 {
                1.0
            } else {
                covered[i] as f32 / groups as f32
            },
            content_coverage: if content_groups == 0 {
                0.0
            } else {
                covered_content[i] as f32 / content_groups as f32
            },
            matched_fields,
            highlights,
            fields,
        });
    }
    Ok(SearchResults {
        total,
        max_score,
        hits,
        facets: facet_counts,
    })
}

/// BM25 statistics where expanded words (near words, continuations) count as
/// frequent as the most frequent of their expansion and the word typed
/// (blended like Lucene's fuzzy scoring), so a rare misspelling never
/// outscores the word itself for being rare.
#[derive(Default)]
pub(crate) struct Overrides {
    df: HashMap<Term, u64>,
}

impl Overrides {
    fn raise(&mut self, term: &Term, df: u64) {
        let e = self.df.entry(term.clone()).or_insert(df);
        *e = (*e).max(df);
    }
}

impl Compiled {
    /// The text part's scorer factory, ranked with the index's statistics
    /// and the expanded words' document frequencies.
    fn ranking_weight(&self, searcher: &Searcher) -> ApiResult<Box<dyn Weight>> {
        let stats = Stats {
            searcher,
            over: &self.stats,
        };
        self.text
            .weight(EnableScoring::enabled_from_statistics_provider(
                &stats, searcher,
            ))
            .map_err(index_error)
    }
}

struct Stats<'a> {
    searcher: &'a Searcher,
    over: &'a Overrides,
}

impl Bm25StatisticsProvider for Stats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_tokens(self.searcher, field)
    }
    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }
    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        match self.over.df.get(term) {
            Some(df) => Ok(*df),
            None => self.searcher.doc_freq(term),
        }
    }
}

/// The automaton of the index words within one edit of `word` or, with
/// `prefix`, beginning with it (built once per word, used for every field).
fn automaton(word: &str, prefix: bool) -> ApiResult<DfaWrapper> {
    // The field only carries the text here: the automaton reads its value.
    let base = Term::from_field_text(Field::from_field_id(0), word);
    if prefix {
        FuzzyTermQuery::new_prefix(base, 0, false)
    } else {
        FuzzyTermQuery::new(base, 1, true)
    }
    .automaton()
    .map_err(index_error)
}

/// The index words of `field` that `automaton` accepts (one edit of `word`,
/// or its continuations), the word itself left out: the [`MAX_EXPANSIONS`]
/// most frequent, with their document frequencies.
fn expand(
    searcher: &Searcher,
    field: Field,
    word: &str,
    automaton: &DfaWrapper,
) -> ApiResult<Vec<(String, u64)>> {
    let mut found: HashMap<Vec<u8>, u64> = HashMap::new();
    for reader in searcher.segment_readers() {
        let inverted = reader.inverted_index(field).map_err(index_error)?;
        let mut stream = inverted
            .terms()
            .search(automaton)
            .into_stream()
            .map_err(|e| index_error(e.into()))?;
        let mut scanned = 0;
        while scanned < MAX_EXPANSION_SCAN && stream.advance() {
            scanned += 1;
            if stream.key() != word.as_bytes() {
                *found.entry(stream.key().to_vec()).or_default() +=
                    u64::from(stream.value().doc_freq);
            }
        }
    }
    let mut terms: Vec<(String, u64)> = found
        .into_iter()
        .filter_map(|(k, df)| String::from_utf8(k).ok().map(|t| (t, df)))
        .collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(MAX_EXPANSIONS);
    Ok(terms)
}

/// A ranked candidate; greater is better (higher score, then lower doc).
#[derive(PartialEq)]
struct Ranked(Score, DocId);

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0
            .total_cmp(&other.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

/// The `k` best documents of the text that pass the filter, best first
/// (ties: index order), and, when the ranking had to visit every match
/// anyway, how many there are (the query's total).
///
/// A flat union of terms (any word may match) skips: each segment keeps a
/// heap of its `k` best, whose worst score is the bar a candidate must
/// pass, so whole blocks below it are never scored (block-max WAND) and the
/// total is left to a count. Anything else (phrases, every word required,
/// no text) scores every match, so the same pass counts them.
fn top_k(
    searcher: &Searcher,
    c: &Compiled,
    sets: &Sets,
    k: usize,
) -> ApiResult<(Page, Option<usize>)> {
    if k == 0 {
        return Ok((Vec::new(), None));
    }
    let text = c.ranking_weight(searcher)?;
    if !c.prunable {
        note_work(|w| w.full_passes += 1);
    }
    let mut counted = 0usize;
    let mut ranked = 0u64;
    let mut all: Vec<(Score, DocAddress)> = Vec::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let keep = sets.keep.as_ref().and_then(|s| s.get(ord));
        let drop = sets.drop.as_ref().and_then(|s| s.get(ord));
        let ranges = RangeCheck::new(reader, &c.filter.ranges);
        let allowed = |doc: DocId| {
            keep.is_none_or(|s| s.contains(doc))
                && drop.is_none_or(|s| !s.contains(doc))
                && ranges.allows(doc)
        };
        let alive = reader.alive_bitset();
        let mut heap: BinaryHeap<Reverse<Ranked>> = BinaryHeap::with_capacity(k.min(1024) + 1);
        let mut bar = Score::MIN;
        // Whether `doc` passes the filter, and the bar after it.
        let mut offer = |doc: DocId, score: Score| -> (bool, Score) {
            if alive.is_some_and(|a| a.is_deleted(doc)) || !allowed(doc) {
                return (false, bar);
            }
            // Later documents lose ties: only a better score enters a full heap.
            if heap.len() < k || score > bar {
                heap.push(Reverse(Ranked(score, doc)));
                if heap.len() > k {
                    heap.pop();
                }
                if heap.len() == k {
                    bar = heap.peek().map_or(Score::MIN, |r| r.0 .0);
                }
            }
            (true, bar)
        };
        if c.prunable {
            text.for_each_pruning(Score::MIN, reader, &mut |doc, score| offer(doc, score).1)
                .map_err(index_error)?;
        } else {
            text.for_each(reader, &mut |doc, score| {
                ranked += 1;
                if offer(doc, score).0 {
                    counted += 1;
                }
            })
            .map_err(index_error)?;
        }
        let seg = ord as u32;
        all.extend(
            heap.into_iter()
                .map(|Reverse(Ranked(s, d))| (s, DocAddress::new(seg, d))),
        );
    }
    note_work(|w| w.ranked += ranked);
    all.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    all.truncate(k);
    Ok((all, (!c.prunable).then_some(counted)))
}

/// The documents of a query's filters (keywords required, words and
/// keywords excluded), per segment, read once per index state and filter.
pub(crate) struct Sets {
    keep: Option<FilterSets>,
    drop: Option<FilterSets>,
}

impl Sets {
    fn of(searcher: &Searcher, cache: &QueryCache, c: &Compiled) -> ApiResult<Sets> {
        Ok(Sets {
            keep: filter_sets(searcher, cache, "keep", c.filter.keep.as_deref())?,
            drop: filter_sets(searcher, cache, "drop", c.filter.drop.as_deref())?,
        })
    }
}

/// The documents of `filter` in each segment: from the cache of this index
/// state when the same filter was read before, else read and kept.
fn filter_sets(
    searcher: &Searcher,
    cache: &QueryCache,
    role: &str,
    filter: Option<&dyn Query>,
) -> ApiResult<Option<FilterSets>> {
    let Some(filter) = filter else {
        return Ok(None);
    };
    let generation = searcher.generation().generation_id();
    // A query's description names its fields and values: the same text is
    // the same filter.
    let key = format!("{role}:{filter:?}");
    if let Some(sets) = cache.filter_sets(generation, &key) {
        return Ok(Some(sets));
    }
    let weight = filter
        .weight(EnableScoring::disabled_from_searcher(searcher))
        .map_err(index_error)?;
    let mut sets = Vec::with_capacity(searcher.segment_readers().len());
    for reader in searcher.segment_readers() {
        let mut set = DocBits::new(reader.max_doc());
        weight
            .for_each_no_score(reader, &mut |docs| {
                note_work(|w| w.filter_docs += docs.len() as u64);
                for d in docs {
                    set.insert(*d);
                }
            })
            .map_err(index_error)?;
        sets.push(set);
    }
    let sets: FilterSets = Arc::new(sets);
    cache.keep_filter_sets(generation, key, sets.clone());
    Ok(Some(sets))
}

/// The number ranges of a query, checked on one segment's documents.
struct RangeCheck<'a> {
    columns: Vec<(Option<RangeColumn>, &'a Bounds)>,
}

impl<'a> RangeCheck<'a> {
    fn new(reader: &SegmentReader, ranges: &'a [NumRange]) -> RangeCheck<'a> {
        let ff = reader.fast_fields();
        let columns = ranges
            .iter()
            .map(|r| {
                // A segment without the column has no values: nothing in range.
                let column = match r.bounds {
                    Bounds::Int(..) => ff.i64(&r.field).ok().map(RangeColumn::Int),
                    Bounds::Float(..) => ff.f64(&r.field).ok().map(RangeColumn::Float),
                };
                (column, &r.bounds)
            })
            .collect();
        RangeCheck { columns }
    }

    fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    fn allows(&self, doc: DocId) -> bool {
        self.columns.iter().all(|(column, bounds)| match column {
            Some(RangeColumn::Int(col)) => col.values_for_doc(doc).any(|v| bounds.int(v)),
            Some(RangeColumn::Float(col)) => col.values_for_doc(doc).any(|v| bounds.float(v)),
            None => false,
        })
    }
}

/// The documents of one segment a word query (a flat union of terms)
/// matches before number ranges and deletions: its terms' postings read as
/// bare doc ids, with the filter sets applied.
fn word_matches(
    reader: &SegmentReader,
    ord: usize,
    c: &Compiled,
    sets: &Sets,
) -> ApiResult<DocBits> {
    let mut bits = DocBits::new(reader.max_doc());
    let mut read = 0;
    for term in &c.count_terms {
        read += bits.add_postings(reader, term).map_err(index_error)?;
    }
    note_work(|w| w.count_postings += read);
    if let Some(keep) = sets.keep.as_ref().and_then(|s| s.get(ord)) {
        bits.and(keep);
    }
    if let Some(drop) = sets.drop.as_ref().and_then(|s| s.get(ord)) {
        bits.and_not(drop);
    }
    Ok(bits)
}

/// The exact total of a word query (a flat union of terms), counted from
/// its terms' doc ids: no scores, frequencies or positions.
fn count_words(searcher: &Searcher, c: &Compiled, sets: &Sets) -> ApiResult<usize> {
    note_work(|w| w.full_passes += 1);
    let mut total = 0;
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let bits = word_matches(reader, ord, c, sets)?;
        let ranges = RangeCheck::new(reader, &c.filter.ranges);
        let alive = reader.alive_bitset();
        total += if ranges.is_empty() && alive.is_none() {
            bits.len()
        } else {
            bits.iter()
                .filter(|&d| alive.is_none_or(|a| a.is_alive(d)) && ranges.allows(d))
                .count()
        };
    }
    Ok(total)
}

/// What a page sorted by a number is sorted by.
struct SortKey<'a> {
    field: &'a str,
    integer: bool,
    desc: bool,
}

impl SortKey<'_> {
    /// The sort key of each document of `reader`: its (first) value,
    /// negated for ascending order; documents without one last.
    fn reader(&self, reader: &SegmentReader) -> impl Fn(DocId) -> f64 {
        let ff = reader.fast_fields();
        let ints = if self.integer {
            ff.i64(self.field).ok()
        } else {
            None
        };
        let floats = if self.integer {
            None
        } else {
            ff.f64(self.field).ok()
        };
        let desc = self.desc;
        move |doc| {
            let v = match (&ints, &floats) {
                (Some(c), _) => c.first(doc).map(|v| v as f64),
                (_, Some(c)) => c.first(doc),
                _ => None,
            };
            match v {
                Some(v) if desc => v,
                Some(v) => -v,
                None => f64::NEG_INFINITY,
            }
        }
    }
}

/// A page sorted by a number (then by score, then in index order) of a
/// text whose ranking can skip, with the query's total and best score.
///
/// One pass over the matches without scores counts them and reads their
/// numbers, keeping only the documents whose number can still reach the
/// page; only those are scored (the best score comes from a ranking of
/// one that skips). Sorting every match by (number, score) scored all of
/// them.
fn sorted_page(
    searcher: &Searcher,
    c: &Compiled,
    sets: &Sets,
    sort: &SortKey<'_>,
    offset: usize,
    limit: usize,
) -> ApiResult<(usize, Score, Page)> {
    let k = offset.saturating_add(limit);
    let (best, _) = top_k(searcher, c, sets, 1)?;
    let best = best.first().map_or(0.0, |t| t.0);
    note_work(|w| w.full_passes += 1);
    // (key, address) of the documents that can still reach the page: all
    // whose key is at least the k-th best seen so far, ties included.
    let mut kept: Vec<(f64, DocAddress)> = Vec::new();
    let prune = |kept: &mut Vec<(f64, DocAddress)>| {
        if kept.len() > k && k > 0 {
            let (_, kth, _) = kept.select_nth_unstable_by(k - 1, |a, b| by_value(b.0, a.0));
            let bar = kth.0;
            kept.retain(|e| by_value(e.0, bar).is_ge());
        }
    };
    let mut total = 0usize;
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let key = sort.reader(reader);
        let alive = reader.alive_bitset();
        let ranges = RangeCheck::new(reader, &c.filter.ranges);
        let seg = ord as u32;
        // The matches from the terms' doc ids and the filter sets.
        let bits = word_matches(reader, ord, c, sets)?;
        for d in bits.iter() {
            if alive.is_some_and(|a| a.is_deleted(d)) || !ranges.allows(d) {
                continue;
            }
            total += 1;
            kept.push((key(d), DocAddress::new(seg, d)));
            if kept.len() >= 2 * k + 1024 {
                prune(&mut kept);
            }
        }
    }
    prune(&mut kept);
    // Score what is left, segment by segment in index order.
    kept.sort_by_key(|e| e.1);
    note_work(|w| w.sort_scored += kept.len() as u64);
    let text = c.ranking_weight(searcher)?;
    let mut scored: Vec<(f64, Score, DocAddress)> = Vec::with_capacity(kept.len());
    let mut i = 0;
    while i < kept.len() {
        let seg = kept[i].1.segment_ord;
        let mut scorer = text
            .scorer(searcher.segment_reader(seg), 1.0)
            .map_err(index_error)?;
        while i < kept.len() && kept[i].1.segment_ord == seg {
            let (key, addr) = kept[i];
            let mut cur = scorer.doc();
            if cur < addr.doc_id {
                cur = scorer.seek(addr.doc_id);
            }
            // Every kept document matches the text.
            let score = if cur == addr.doc_id {
                scorer.score()
            } else {
                0.0
            };
            scored.push((key, score, addr));
            i += 1;
        }
    }
    scored.sort_by(|a, b| {
        by_value(b.0, a.0)
            .then_with(|| by_value(b.1, a.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    let page = scored
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(_, s, a)| (s, a))
        .collect();
    Ok((total, best, page))
}

/// The hits of a page: score and address, in order.
type Page = Vec<(Score, DocAddress)>;

/// Sort keys and scores compare by value, as the engine's sort does
/// (-0.0 equals 0.0).
fn by_value<T: PartialOrd>(a: T, b: T) -> std::cmp::Ordering {
    a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal)
}

/// A number column a range filter reads.
enum RangeColumn {
    Int(tantivy::columnar::Column<i64>),
    Float(tantivy::columnar::Column<f64>),
}

fn weights<'q>(
    searcher: &Searcher,
    queries: impl Iterator<Item = &'q Box<dyn Query>>,
) -> ApiResult<Vec<Box<dyn Weight>>> {
    queries
        .map(|q| {
            q.weight(EnableScoring::disabled_from_searcher(searcher))
                .map_err(index_error)
        })
        .collect()
}

pub(crate) fn index_error(e: tantivy::TantivyError) -> ApiError {
    match e {
        tantivy::TantivyError::LockFailure(..) => {
            ApiError::unavailable("The search index is in use by another process")
                .with_code("SEARCH_INDEX_BUSY")
        }
        other => {
            tracing::error!(error = %other, "search index error");
            ApiError::internal("Search index error").with_code("SEARCH_ERROR")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Phrases led by their word pairs and by the filters give exactly the
    /// answers of the plain phrase (same hits, scores, totals, highlights),
    /// and a phrase's documents are driven by its pairs' postings.
    #[test]
    fn pairs_and_filter_gates_change_no_answer() {
        use crate::db::{Db, Migrations};
        use crate::search::{self, Search};
        use serde_json::json;

        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        db.migrate(&[Migrations {
            module: "platform.search",
            steps: search::MIGRATIONS,
        }])
        .unwrap();
        let search = Search::open(&dir.path().join("index"), db.clone()).unwrap();
        search.set_background_drain(false);
        let idx = search
            .index(
                IndexSchema::new("t.gates")
                    .text("title", 3.0)
                    .text("body", 1.0)
                    .keyword("tenant")
                    .integer("n"),
            )
            .unwrap();
        const WORDS: &[&str] = &[
            "refund", "billing", "dispute", "invoice", "late", "fee", "the", "of", "a",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut text = |len: usize| {
            (0..len)
                .map(|_| WORDS[next(WORDS.len())])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let docs: Vec<(String, serde_json::Value)> = (0..400)
            .map(|i| {
                let body = if i % 5 == 0 {
                    // Two values: a phrase must not match across them.
                    json!([text(4), text(6)])
                } else {
                    json!(text(5 + i % 20))
                };
                let doc = json!({
                    "title": text(2 + i % 4),
                    "body": body,
                    "tenant": if i % 3 == 0 { "a" } else { "b" },
                    "n": i,
                });
                (format!("d{i}"), doc)
            })
            .collect();
        db.write_blocking(|tx| {
            for (id, doc) in &docs {
                search::stage_upsert(tx, "t.gates", id, doc)?;
            }
            Ok(())
        })
        .unwrap();
        search.drain_blocking(&idx).unwrap();
        let searcher = idx.inner.reader.searcher();
        let texts = [
            "\"billing dispute\"",
            "\"late fee\"",
            "\"fee late\"",
            "\"refund the fee\"",
            "\"the late fee\"",
            "\"billing dispute invoice\"",
            "\"dispute of the invoice\"",
            "\"invoice a\"",
            "\"late fee\" refund",
            "title:\"billing dispute\" invoice",
            "\"late fee\" -refund",
        ];
        let mut checked = 0;
        for text in texts {
            for v in 0..6 {
                let mut q = SearchQuery::new(text).limit(50);
                match v {
                    1 => q = q.filter("tenant", "a"),
                    2 => q = q.range("n", Some(50.0), Some(250.0)),
                    3 => q = q.mode(MatchMode::All).filter("tenant", "b"),
                    4 => q = q.sort_by("n", SortOrder::Desc).filter("tenant", "a"),
                    5 => q = q.offset(5).limit(10).exclude("tenant", "b"),
                    _ => {}
                }
                let fresh = QueryCache::default();
                let fast = execute(&mut idx.inner.ctx(), &searcher, &q).unwrap();
                let plain = execute(
                    &mut Ctx {
                        cache: &fresh,
                        gates: false,
                        ..idx.inner.ctx()
                    },
                    &searcher,
                    &q,
                )
                .unwrap();
                assert_eq!(
                    serde_json::to_value(&fast).unwrap(),
                    serde_json::to_value(&plain).unwrap(),
                    "{text} variant {v}"
                );
                checked += usize::from(fast.total > 0);
            }
        }
        assert!(checked >= 40, "{checked}");

        // The phrase's documents are driven by the postings of its pair:
        // the clause visits at most the documents holding "billing
        // dispute" as adjacent words, not every document with both words.
        let mut ctx = idx.inner.ctx();
        let c = ctx
            .compile(&SearchQuery::new("\"billing dispute\""), &searcher)
            .unwrap();
        let (body, _) = ctx.fields.by_name["body"].clone();
        let pair = Term::from_field_text(ctx.fields.pairs["body"], &pair_text("bill", "disput"));
        let holding = searcher.doc_freq(&pair).unwrap();
        let both = searcher
            .doc_freq(&Term::from_field_text(body, "bill"))
            .unwrap();
        assert!(holding > 0 && holding * 2 < both, "{holding} {both}");
        let seg = searcher.segment_reader(0);
        let no_scores = EnableScoring::disabled_from_searcher(&searcher);
        let leaf = &c.leaves[1]; // the body clause
        assert_eq!(c.leaf_fields[leaf.field], "body");
        let cost = leaf
            .query
            .weight(no_scores)
            .unwrap()
            .scorer(seg, 1.0)
            .unwrap()
            .cost();
        assert!(cost <= holding, "cost {cost}, pair in {holding} documents");
    }

    #[test]
    fn lenient_parse() {
        let p = parse(r#"title:refund "late fee -x "#, &["title"]);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].field.as_deref(), Some("title"));
        assert!(p[1].phrase && p[1].text == "late fee -x ");
        let p = parse(r#"-spam body:"a b" other:thing (("#, &["body"]);
        assert!(p[0].negated && p[0].text == "spam");
        assert!(p[1].phrase && p[1].field.as_deref() == Some("body"));
        assert_eq!(p[2].text, "other:thing");
        assert_eq!(p[3].text, "((");
        assert!(parse("  \" ", &[]).iter().all(|p| p.text.trim().is_empty()));
    }
}
