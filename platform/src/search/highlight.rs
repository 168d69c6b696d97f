//! Highlighted snippets: the best window of a stored text with the words
//! that matched wrapped in `<em>…</em>`, everything else HTML-escaped.

use std::collections::{HashMap, HashSet};

use tantivy::tokenizer::TextAnalyzer;

/// What to highlight in one field.
#[derive(Debug, Default, Clone)]
pub(crate) struct Terms {
    /// Stemmed terms (exact matches after analysis).
    pub stems: HashSet<String>,
    /// Lower-cased unstemmed words matched as they are (stop words).
    pub raw: HashSet<String>,
    /// Lower-cased words matched within one edit (typo tolerance).
    pub fuzzy: Vec<String>,
    /// Lower-cased word beginnings (search as you type).
    pub prefixes: Vec<String>,
}

impl Terms {
    pub fn is_empty(&self) -> bool {
        self.stems.is_empty()
            && self.raw.is_empty()
            && self.fuzzy.is_empty()
            && self.prefixes.is_empty()
    }

    pub fn extend(&mut self, other: &Terms) {
        self.stems.extend(other.stems.iter().cloned());
        self.raw.extend(other.raw.iter().cloned());
        for f in &other.fuzzy {
            if !self.fuzzy.contains(f) {
                self.fuzzy.push(f.clone());
            }
        }
        for p in &other.prefixes {
            if !self.prefixes.contains(p) {
                self.prefixes.push(p.clone());
            }
        }
    }
}

/// Escapes `&`, `<`, `>`, `"` and `'`.
pub fn escape_html(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// True when `a` and `b` differ by at most one insertion, deletion,
/// substitution or swap of two neighbouring characters.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        // Bytes are characters here: no allocation (snippets call this for
        // every word of a text).
        return one_edit(a.as_bytes(), b.as_bytes());
    }
    if a.chars().count().abs_diff(b.chars().count()) > 1 {
        return false;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    one_edit(&a, &b)
}

fn one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    // Skip the common beginning; what is left must be one edit.
    let mut i = 0;
    while i < la.min(lb) && a[i] == b[i] {
        i += 1;
    }
    if la == lb {
        if i == la {
            return true;
        }
        // One substitution, or a swap of i and i + 1.
        return a[i + 1..] == b[i + 1..]
            || (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && a[i + 2..] == b[i + 2..]);
    }
    let (short, long) = if la < lb { (a, b) } else { (b, a) };
    short[i..] == long[i + 1..]
}

/// Decides which words of stored texts are highlighted for one query's
/// terms, remembering each word's answer: a page's snippets repeat most of
/// their words, and stemming or comparing a word within one edit is what a
/// snippet costs.
pub(crate) struct Marker {
    terms: Terms,
    seen: HashMap<String, bool>,
}

/// Distinct words a [`Marker`] remembers (beyond, it just recomputes).
const MARKER_MEMORY: usize = 20_000;

impl Marker {
    pub fn new(terms: Terms) -> Self {
        Marker {
            terms,
            seen: HashMap::new(),
        }
    }

    /// Whether the analysed (lower-cased, folded) `word` is highlighted.
    /// `word_stem` turns one such word into its stem, or nothing for a stop
    /// word (the stop words and stemmer of the field's analyser).
    fn marks(&mut self, word: &str, word_stem: &mut TextAnalyzer) -> bool {
        if let Some(m) = self.seen.get(word) {
            return *m;
        }
        let t = &self.terms;
        let by_stem = !t.stems.is_empty() && {
            let mut ts = word_stem.token_stream(word);
            ts.advance() && t.stems.contains(&ts.token().text)
        };
        let m = by_stem
            || t.raw.contains(word)
            || t.prefixes.iter().any(|p| word.starts_with(p.as_str()))
            || (word.chars().count() >= 4 && t.fuzzy.iter().any(|w| within_one_edit(w, word)));
        if self.seen.len() < MARKER_MEMORY {
            self.seen.insert(word.to_string(), m);
        }
        m
    }
}

/// How much of a stored text is scanned for a snippet.
const MAX_SCAN_BYTES: usize = 64 * 1024;

/// The highlighted snippet of `text`, or `None` when nothing in it matches.
/// `max_chars` bounds the snippet (about; cut at word boundaries, with `…`).
/// One pass of the unstemmed analyser; each word's stem is asked of
/// `marker` (see [`Marker::marks`]).
pub(crate) fn snippet(
    text: &str,
    marker: &mut Marker,
    raw: &mut TextAnalyzer,
    word_stem: &mut TextAnalyzer,
    max_chars: usize,
) -> Option<String> {
    if marker.terms.is_empty() || text.is_empty() {
        return None;
    }
    // Bound the work on very long texts: snippets come from their beginning.
    let full_len = text.len();
    let text = &text[..floor_boundary(text, full_len.min(MAX_SCAN_BYTES))];
    let mut hits: Vec<(usize, usize)> = Vec::new();
    {
        let mut ts = raw.token_stream(text);
        while ts.advance() {
            let t = ts.token();
            if marker.marks(&t.text, word_stem) {
                hits.push((t.offset_from, t.offset_to));
            }
        }
    }
    if hits.is_empty() {
        return None;
    }
    let (start, end) = window(text, &hits, max_chars.max(20));
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut cursor = start;
    for &(from, to) in hits.iter().filter(|(f, t)| *f >= start && *t <= end) {
        escape_html(&text[cursor..from], &mut out);
        out.push_str("<em>");
        escape_html(&text[from..to], &mut out);
        out.push_str("</em>");
        cursor = to;
    }
    escape_html(&text[cursor..end], &mut out);
    if end < full_len {
        out.push('…');
    }
    Some(out)
}

/// The byte range of the snippet: the window of about `max` bytes holding
/// the most hits, started a little before its first hit, cut at spaces.
fn window(text: &str, hits: &[(usize, usize)], max: usize) -> (usize, usize) {
    if text.len() <= max {
        return (0, text.len());
    }
    // Densest run of hits that fits in `max` bytes.
    let (mut best, mut best_count) = (0usize, 0usize);
    let mut j = 0;
    for i in 0..hits.len() {
        if j < i {
            j = i;
        }
        while j + 1 < hits.len() && hits[j + 1].1 - hits[i].0 <= max {
            j += 1;
        }
        if j - i + 1 > best_count {
            best_count = j - i + 1;
            best = i;
        }
    }
    let first = hits[best].0;
    let lead = (max / 5).min(first);
    let mut start = floor_boundary(text, first - lead);
    if start > 0 {
        // Begin at a word start.
        if let Some(sp) = text[start..first].find(char::is_whitespace) {
            start += sp + 1;
        }
    }
    let mut end = floor_boundary(text, (start + max).min(text.len()));
    if end < text.len() {
        if let Some(sp) = text[start..end].rfind(char::is_whitespace) {
            // Keep the last hit of the window whole.
            let cut = start + sp;
            if cut > first {
                end = cut;
            }
        }
    }
    // Never cut a highlighted word in two.
    for &(from, to) in hits {
        if from < end && to > end {
            end = to;
        }
    }
    (start, end)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::schema::{raw_analyzer, stem_analyzer, word_stem_analyzer};
    use tantivy::tokenizer::Language;

    #[test]
    fn one_edit_cases() {
        assert!(within_one_edit("password", "pasword"));
        assert!(within_one_edit("password", "passwrod"));
        assert!(within_one_edit("password", "passwore"));
        assert!(within_one_edit("password", "passwords"));
        assert!(!within_one_edit("password", "pswrd"));
        assert!(!within_one_edit("password", "drowssap"));
    }

    fn snip(text: &str, terms: &Terms, max: usize) -> Option<String> {
        let mut marker = Marker::new(terms.clone());
        snippet(
            text,
            &mut marker,
            &mut raw_analyzer(),
            &mut word_stem_analyzer(Language::English),
            max,
        )
    }

    #[test]
    fn one_edit_unicode_and_swaps() {
        assert!(within_one_edit("café", "cafe"));
        assert!(within_one_edit("naïve", "naive"));
        assert!(within_one_edit("naïve", "nave"));
        assert!(!within_one_edit("naïve", "nav"));
        assert!(!within_one_edit("naïve", "niave "));
        assert!(within_one_edit("ab", "ba"));
        assert!(!within_one_edit("abc", "cab"));
        assert!(within_one_edit("abcd", "abdc"));
        assert!(!within_one_edit("abcd", "badc"));
        assert!(within_one_edit("", "a"));
        assert!(!within_one_edit("", "ab"));
    }

    #[test]
    fn snippets_escape_and_highlight() {
        let mut terms = Terms::default();
        terms.stems.insert("refund".into());
        let s = snip(
            "<b>Refunds</b> & returns: we refund within 14 days",
            &terms,
            200,
        )
        .unwrap();
        assert_eq!(
            s,
            "&lt;b&gt;<em>Refunds</em>&lt;/b&gt; &amp; returns: we <em>refund</em> within 14 days"
        );
        let long = format!(
            "{} the refund policy {}",
            "word ".repeat(100),
            "tail ".repeat(100)
        );
        let s = snip(&long, &terms, 80).unwrap();
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<em>refund</em>"), "{s}");
        assert!(s.chars().count() < 120, "{s}");
        assert!(snip("nothing here", &terms, 80).is_none());
    }

    /// A word is marked exactly when the two analysers of the index mark it
    /// at the same place: its stem in context equals the stem of the word
    /// alone, and a stop word has none.
    #[test]
    fn marks_like_the_stemmed_text() {
        let text = "The billing disputes were disputed; she is having a happy day. \
                    Ｆｕｌｌwidth naïve CAFÉ doing does dying";
        let mut stem = stem_analyzer(Language::English);
        let mut in_context: HashMap<usize, String> = HashMap::new();
        let mut ts = stem.token_stream(text);
        while ts.advance() {
            in_context.insert(ts.token().offset_from, ts.token().text.clone());
        }
        let mut word_stem = word_stem_analyzer(Language::English);
        let mut raw = raw_analyzer();
        let mut ts = raw.token_stream(text);
        while ts.advance() {
            let t = ts.token();
            let mut one = word_stem.token_stream(&t.text);
            let alone = one.advance().then(|| one.token().text.clone());
            assert_eq!(alone, in_context.get(&t.offset_from).cloned(), "{}", t.text);
        }
    }
}
