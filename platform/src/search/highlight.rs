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
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    if la == lb {
        let diffs: Vec<usize> = (0..la).filter(|&i| a[i] != b[i]).collect();
        return match diffs.as_slice() {
            [] | [_] => true,
            [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
            _ => false,
        };
    }
    let (short, long) = if la < lb { (&a, &b) } else { (&b, &a) };
    let mut i = 0;
    while i < short.len() && short[i] == long[i] {
        i += 1;
    }
    short[i..] == long[i + 1..]
}

/// How much of a stored text is scanned for a snippet.
const MAX_SCAN_BYTES: usize = 64 * 1024;

/// The highlighted snippet of `text`, or `None` when nothing in it matches.
/// `max_chars` bounds the snippet (about; cut at word boundaries, with `…`).
pub(crate) fn snippet(
    text: &str,
    terms: &Terms,
    stem: &mut TextAnalyzer,
    raw: &mut TextAnalyzer,
    max_chars: usize,
) -> Option<String> {
    if terms.is_empty() || text.is_empty() {
        return None;
    }
    // Bound the work on very long texts: snippets come from their beginning.
    let full_len = text.len();
    let text = &text[..floor_boundary(text, full_len.min(MAX_SCAN_BYTES))];
    // Stemmed form of each token, by its start offset (stop words have none).
    let mut stems: HashMap<usize, String> = HashMap::new();
    {
        let mut ts = stem.token_stream(text);
        while ts.advance() {
            let t = ts.token();
            stems.insert(t.offset_from, t.text.clone());
        }
    }
    let mut hits: Vec<(usize, usize)> = Vec::new();
    {
        let mut ts = raw.token_stream(text);
        while ts.advance() {
            let t = ts.token();
            let by_stem = stems
                .get(&t.offset_from)
                .is_some_and(|s| terms.stems.contains(s));
            let matched = by_stem
                || terms.raw.contains(&t.text)
                || terms
                    .prefixes
                    .iter()
                    .any(|p| t.text.starts_with(p.as_str()))
                || (t.text.chars().count() >= 4
                    && terms.fuzzy.iter().any(|w| within_one_edit(w, &t.text)));
            if matched {
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
    use crate::search::schema::{raw_analyzer, stem_analyzer};
    use tantivy::tokenizer::Language;

    #[test]
    fn one_edit() {
        assert!(within_one_edit("password", "pasword"));
        assert!(within_one_edit("password", "passwrod"));
        assert!(within_one_edit("password", "passwore"));
        assert!(within_one_edit("password", "passwords"));
        assert!(!within_one_edit("password", "pswrd"));
        assert!(!within_one_edit("password", "drowssap"));
    }

    #[test]
    fn snippets_escape_and_highlight() {
        let mut terms = Terms::default();
        terms.stems.insert("refund".into());
        let mut stem = stem_analyzer(Language::English);
        let mut raw = raw_analyzer();
        let s = snippet(
            "<b>Refunds</b> & returns: we refund within 14 days",
            &terms,
            &mut stem,
            &mut raw,
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
        let s = snippet(&long, &terms, &mut stem, &mut raw, 80).unwrap();
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<em>refund</em>"), "{s}");
        assert!(s.chars().count() < 120, "{s}");
        assert!(snippet("nothing here", &terms, &mut stem, &mut raw, 80).is_none());
    }
}
