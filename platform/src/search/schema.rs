//! Index declarations: which fields a module's index has and how each is
//! analysed, and turning a JSON document into a tantivy document.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
    STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, StopWordFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
};
use tantivy::TantivyDocument;

use crate::error::{ApiError, ApiResult};

/// Bumped whenever analysis or field layout changes, so old indexes rebuild.
/// 2: every text field has a twin of its adjacent word pairs.
const LAYOUT_VERSION: u32 = 2;

/// Internal field holding the document id (raw, stored).
pub(crate) const ID_FIELD: &str = "__id";
/// Suffix of the unstemmed twin of every text field (typo tolerance).
pub(crate) const RAW_SUFFIX: &str = "__raw";
pub(crate) const RAW_TOKENIZER: &str = "fl_raw";
/// Suffix of the word-pair twin of every text field (phrases).
pub(crate) const PAIRS_SUFFIX: &str = "__pairs";

/// What a field holds and how it can be searched.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// Full text: analysed (lower-cased, accents folded, stop words removed,
    /// stemmed), ranked with BM25 times `boost`. A stored text field is
    /// returned with hits and highlighted.
    Text { boost: f32, stored: bool },
    /// An exact value (status, tenant id, tag): filterable, countable
    /// ([`crate::search::SearchQuery::facet`]), stored and returned with hits.
    /// A JSON array gives several values; `multi` fields are always returned
    /// as arrays, others as their first value.
    Keyword { multi: bool },
    /// A signed integer (counts, Unix milliseconds; an RFC 3339 string is
    /// converted to Unix milliseconds): range filters and sorting.
    Integer,
    /// A floating-point number (prices, ratings): range filters and sorting.
    Float,
}

/// One declared field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub name: String,
    pub kind: FieldKind,
}

/// The declaration of one named index. Build it with the methods below and
/// hand it to [`crate::search::Search::index`].
///
/// ```ignore
/// IndexSchema::new("training.scenarios")
///     .text("title", 3.0)          // stored, highlighted, boosted x3
///     .text("description", 1.0)
///     .text_unstored("transcript", 0.5)
///     .keyword("status")
///     .keywords("tags")            // a list: any value matches a filter
///     .integer("updatedAt")        // Unix ms or RFC 3339 strings
///     .float("rating")
///     .language(Language::English) // the default
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct IndexSchema {
    pub name: String,
    pub language: Language,
    pub fields: Vec<FieldDef>,
}

impl IndexSchema {
    /// A new declaration. `name` is also the directory under `<data-dir>/index`
    /// (letters, digits, `.`, `_`, `-`); prefix it with your module slug.
    pub fn new(name: impl Into<String>) -> Self {
        IndexSchema {
            name: name.into(),
            language: Language::English,
            fields: Vec::new(),
        }
    }

    /// A stored, highlighted text field ranked with weight `boost`.
    pub fn text(self, name: &str, boost: f32) -> Self {
        self.field(
            name,
            FieldKind::Text {
                boost,
                stored: true,
            },
        )
    }

    /// A text field that is searched but neither stored nor highlighted
    /// (long bodies you render from the database anyway).
    pub fn text_unstored(self, name: &str, boost: f32) -> Self {
        self.field(
            name,
            FieldKind::Text {
                boost,
                stored: false,
            },
        )
    }

    /// A single-valued exact-match field for filters and counts (string,
    /// number or bool); returned with hits as a string.
    pub fn keyword(self, name: &str) -> Self {
        self.field(name, FieldKind::Keyword { multi: false })
    }

    /// A list-valued exact-match field (tags, categories): any value matches a
    /// filter; returned with hits as an array of strings.
    pub fn keywords(self, name: &str) -> Self {
        self.field(name, FieldKind::Keyword { multi: true })
    }

    /// A signed integer field for range filters and sorting.
    pub fn integer(self, name: &str) -> Self {
        self.field(name, FieldKind::Integer)
    }

    /// A floating-point field for range filters and sorting.
    pub fn float(self, name: &str) -> Self {
        self.field(name, FieldKind::Float)
    }

    /// The stemmer and stop-word list of text fields (English by default).
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    fn field(mut self, name: &str, kind: FieldKind) -> Self {
        self.fields.push(FieldDef {
            name: name.to_string(),
            kind,
        });
        self
    }

    /// Checks names and boosts; the index is refused otherwise.
    pub(crate) fn validate(&self) -> ApiResult<()> {
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 100
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        };
        if !name_ok(&self.name) || self.name.starts_with('.') {
            return Err(ApiError::invalid(
                "name",
                format!("invalid index name '{}'", self.name),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for f in &self.fields {
            if !name_ok(&f.name)
                || f.name.starts_with("__")
                || f.name.contains(RAW_SUFFIX)
                || f.name.contains(PAIRS_SUFFIX)
            {
                return Err(ApiError::invalid(
                    &f.name,
                    format!("invalid field name '{}'", f.name),
                ));
            }
            if !seen.insert(f.name.as_str()) {
                return Err(ApiError::invalid(
                    &f.name,
                    format!("field '{}' is declared twice", f.name),
                ));
            }
            if let FieldKind::Text { boost, .. } = f.kind {
                if !(boost.is_finite() && boost > 0.0) {
                    return Err(ApiError::invalid(
                        &f.name,
                        format!("boost of '{}' must be a positive number", f.name),
                    ));
                }
            }
        }
        if !self
            .fields
            .iter()
            .any(|f| matches!(f.kind, FieldKind::Text { .. }))
        {
            return Err(ApiError::invalid(
                "fields",
                format!("index '{}' declares no text field", self.name),
            ));
        }
        Ok(())
    }

    /// A stable description of everything that shapes the on-disk index; a
    /// different fingerprint means the index must be rebuilt.
    pub(crate) fn fingerprint(&self) -> String {
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|f| match &f.kind {
                FieldKind::Text { boost, stored } => {
                    // Boosts apply at query time: not part of the layout.
                    let _ = boost;
                    format!("{}:text:{}", f.name, stored)
                }
                FieldKind::Keyword { multi } => format!("{}:keyword:{multi}", f.name),
                FieldKind::Integer => format!("{}:integer", f.name),
                FieldKind::Float => format!("{}:float", f.name),
            })
            .collect();
        format!(
            "v{LAYOUT_VERSION};lang={:?};{}",
            self.language,
            fields.join(";")
        )
    }

    pub(crate) fn stem_tokenizer_name(&self) -> String {
        format!("fl_stem_{:?}", self.language).to_lowercase()
    }

    pub(crate) fn pairs_tokenizer_name(&self) -> String {
        format!("fl_pairs_{:?}", self.language).to_lowercase()
    }

    pub(crate) fn text_fields(&self) -> impl Iterator<Item = (&str, f32, bool)> {
        self.fields.iter().filter_map(|f| match f.kind {
            FieldKind::Text { boost, stored } => Some((f.name.as_str(), boost, stored)),
            _ => None,
        })
    }

    pub(crate) fn kind_of(&self, name: &str) -> Option<&FieldKind> {
        self.fields.iter().find(|f| f.name == name).map(|f| &f.kind)
    }
}

/// The analyser of stemmed text fields: words, lower case, folded accents,
/// no stop words, stemmed.
pub(crate) fn stem_analyzer(language: Language) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .dynamic();
    let builder = match StopWordFilter::new(language) {
        Some(stop) => builder.filter_dynamic(stop),
        None => builder,
    };
    builder.filter_dynamic(Stemmer::new(language)).build()
}

/// The last two steps of [`stem_analyzer`] for one word the unstemmed
/// analyser already produced: its stem, or no token for a stop word.
pub(crate) fn word_stem_analyzer(language: Language) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(RawTokenizer::default()).dynamic();
    let builder = match StopWordFilter::new(language) {
        Some(stop) => builder.filter_dynamic(stop),
        None => builder,
    };
    builder.filter_dynamic(Stemmer::new(language)).build()
}

/// The word pairs of a text: each two stems of [`stem_analyzer`] at
/// adjacent positions (no stop word between them) as one token, `"a b"`,
/// at the first one's position. A phrase's documents all hold its adjacent
/// pairs, so the pairs' postings (doc ids only) narrow a phrase to the few
/// documents whose positions are worth reading.
#[derive(Clone)]
pub(crate) struct PairTokenizer {
    /// The words as [`stem_analyzer`] sees them before its stop-word and
    /// stemming steps (same positions).
    raw: TextAnalyzer,
    /// Those two steps for one word.
    word_stem: TextAnalyzer,
    /// Stems of words seen (None: a stop word): a text's words repeat,
    /// and stemming is most of the analysis.
    memo: HashMap<String, Option<String>>,
    pairs: Vec<Token>,
}

/// Words whose stems a pair tokenizer remembers (then it starts afresh):
/// a few hundred kB for each text field of an open writer.
const PAIR_MEMO_WORDS: usize = 4096;

impl PairTokenizer {
    pub fn analyzer(language: Language) -> TextAnalyzer {
        TextAnalyzer::from(PairTokenizer {
            raw: raw_analyzer(),
            word_stem: word_stem_analyzer(language),
            memo: HashMap::new(),
            pairs: Vec::new(),
        })
    }
}

/// The text of the pair token of two adjacent stems.
pub(crate) fn pair_text(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

pub(crate) struct PairStream<'a> {
    pairs: &'a mut Vec<Token>,
    next: usize,
}

impl Tokenizer for PairTokenizer {
    type TokenStream<'a> = PairStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PairStream<'a> {
        let PairTokenizer {
            raw,
            word_stem,
            memo,
            pairs,
        } = self;
        pairs.clear();
        if memo.len() > PAIR_MEMO_WORDS {
            memo.clear();
        }
        // The previous word's stem, position and start.
        let mut prev: Option<(String, usize, usize)> = None;
        let mut ts = raw.token_stream(text);
        while ts.advance() {
            let t = ts.token();
            let stem = match memo.get(&t.text) {
                Some(s) => s.clone(),
                None => {
                    let mut one = word_stem.token_stream(&t.text);
                    let s = one.advance().then(|| one.token().text.clone());
                    memo.insert(t.text.clone(), s.clone());
                    s
                }
            };
            // A stop word leaves a gap: no pair across it.
            let Some(stem) = stem else {
                prev = None;
                continue;
            };
            if let Some((p, pos, from)) = &prev {
                if t.position == pos + 1 {
                    pairs.push(Token {
                        offset_from: *from,
                        offset_to: t.offset_to,
                        position: *pos,
                        text: pair_text(p, &stem),
                        position_length: 1,
                    });
                }
            }
            prev = Some((stem, t.position, t.offset_from));
        }
        PairStream { pairs, next: 0 }
    }
}

impl TokenStream for PairStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.pairs.len()
    }

    fn token(&self) -> &Token {
        &self.pairs[self
            .next
            .saturating_sub(1)
            .min(self.pairs.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self
            .next
            .saturating_sub(1)
            .min(self.pairs.len().saturating_sub(1));
        &mut self.pairs[i]
    }
}

/// The analyser of the unstemmed twins: words, lower case, folded accents.
pub(crate) fn raw_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Resolved tantivy fields of a declared index.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub id: Field,
    /// Declared name -> (field, kind).
    pub by_name: BTreeMap<String, (Field, FieldKind)>,
    /// Text field name -> its raw twin.
    pub raw: BTreeMap<String, Field>,
    /// Text field name -> its word-pair twin.
    pub pairs: BTreeMap<String, Field>,
}

/// The tantivy schema of a declaration.
pub(crate) fn build_schema(decl: &IndexSchema) -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_text_field(ID_FIELD, STRING | STORED);
    let mut by_name = BTreeMap::new();
    let mut raw = BTreeMap::new();
    let mut pairs = BTreeMap::new();
    let stem = decl.stem_tokenizer_name();
    let pair_tokenizer = decl.pairs_tokenizer_name();
    for f in &decl.fields {
        let field = match &f.kind {
            FieldKind::Text { stored, .. } => {
                let indexing = TextFieldIndexing::default()
                    .set_tokenizer(&stem)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions);
                let mut opts = TextOptions::default().set_indexing_options(indexing);
                if *stored {
                    opts = opts.set_stored();
                }
                let raw_opts = TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(RAW_TOKENIZER)
                        .set_index_option(IndexRecordOption::WithFreqs),
                );
                let twin = b.add_text_field(&format!("{}{RAW_SUFFIX}", f.name), raw_opts);
                raw.insert(f.name.clone(), twin);
                let pair_opts = TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(&pair_tokenizer)
                        .set_index_option(IndexRecordOption::Basic)
                        .set_fieldnorms(false),
                );
                let pair_twin = b.add_text_field(&format!("{}{PAIRS_SUFFIX}", f.name), pair_opts);
                pairs.insert(f.name.clone(), pair_twin);
                b.add_text_field(&f.name, opts)
            }
            FieldKind::Keyword { .. } => b.add_text_field(&f.name, STRING | STORED | FAST),
            FieldKind::Integer => b.add_i64_field(
                &f.name,
                NumericOptions::default()
                    .set_indexed()
                    .set_fast()
                    .set_stored(),
            ),
            FieldKind::Float => b.add_f64_field(
                &f.name,
                NumericOptions::default()
                    .set_indexed()
                    .set_fast()
                    .set_stored(),
            ),
        };
        by_name.insert(f.name.clone(), (field, f.kind.clone()));
    }
    (
        b.build(),
        Fields {
            id,
            by_name,
            raw,
            pairs,
        },
    )
}

/// Keyword form of a JSON scalar.
pub(crate) fn keyword_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn to_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok().or_else(|| {
            chrono::DateTime::parse_from_rfc3339(s.trim())
                .ok()
                .map(|d| d.timestamp_millis())
        }),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

pub(crate) fn to_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|f| f.is_finite())
}

fn values(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// The tantivy document for `doc` (a JSON object; unknown members are ignored,
/// values of the wrong type are skipped).
pub(crate) fn to_document(fields: &Fields, id: &str, doc: &Value) -> TantivyDocument {
    let mut out = TantivyDocument::default();
    out.add_text(fields.id, id);
    let Some(obj) = doc.as_object() else {
        return out;
    };
    for (name, (field, kind)) in &fields.by_name {
        let Some(v) = obj.get(name) else { continue };
        for item in values(v) {
            match kind {
                FieldKind::Text { .. } => {
                    let text = match item {
                        Value::String(s) => s.clone(),
                        Value::Number(_) | Value::Bool(_) => item.to_string(),
                        _ => continue,
                    };
                    out.add_text(*field, &text);
                    if let Some(raw) = fields.raw.get(name) {
                        out.add_text(*raw, &text);
                    }
                    if let Some(pairs) = fields.pairs.get(name) {
                        out.add_text(*pairs, &text);
                    }
                }
                FieldKind::Keyword { .. } => {
                    if let Some(s) = keyword_string(item) {
                        out.add_text(*field, s);
                    }
                }
                FieldKind::Integer => {
                    if let Some(n) = to_i64(item) {
                        out.add_i64(*field, n);
                    }
                }
                FieldKind::Float => {
                    if let Some(n) = to_f64(item) {
                        out.add_f64(*field, n);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pair tokenizer's tokens are the adjacent stems of the stemmed
    /// field's own analysis, whatever it remembers between texts.
    #[test]
    fn pairs_are_the_adjacent_stems_of_the_stemmed_analysis() {
        let texts = [
            "Billing disputes about the late fees, billing disputes again",
            "Ça coûte: the refund of a FEE and an Überweisung",
            "one",
            "",
            "the of a",
            "refund refund refund refunding refunded",
            &format!("{} word next", "x".repeat(60)),
        ];
        let mut pairs = PairTokenizer::analyzer(Language::English);
        let mut stem = stem_analyzer(Language::English);
        for _ in 0..2 {
            for text in texts {
                let mut expect = Vec::new();
                let mut prev: Option<(usize, String, usize)> = None;
                let mut ts = stem.token_stream(text);
                while ts.advance() {
                    let t = ts.token();
                    if let Some((pos, s, from)) = &prev {
                        if t.position == pos + 1 {
                            expect.push((*pos, pair_text(s, &t.text), *from, t.offset_to));
                        }
                    }
                    prev = Some((t.position, t.text.clone(), t.offset_from));
                }
                let mut got = Vec::new();
                let mut ts = pairs.token_stream(text);
                while ts.advance() {
                    let t = ts.token();
                    got.push((t.position, t.text.clone(), t.offset_from, t.offset_to));
                }
                assert_eq!(got, expect, "{text}");
            }
        }
    }
}
