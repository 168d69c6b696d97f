//! Sets of documents of one segment as plain bit words: the filters of a
//! query (kept per index state, see `cache`) and the documents a word
//! query matches, read from its terms' postings as doc ids alone (no
//! scores, no frequencies, no positions) to count its total.

use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocId, SegmentReader};

/// A set of the documents `0..max_doc` of one segment.
#[derive(Debug, Clone)]
pub(crate) struct DocBits {
    words: Vec<u64>,
}

impl DocBits {
    pub fn new(max_doc: DocId) -> DocBits {
        DocBits {
            words: vec![0; (max_doc as usize).div_ceil(64)],
        }
    }

    #[inline]
    pub fn insert(&mut self, doc: DocId) {
        let (w, b) = ((doc / 64) as usize, doc % 64);
        if let Some(word) = self.words.get_mut(w) {
            *word |= 1u64 << b;
        }
    }

    #[inline]
    pub fn contains(&self, doc: DocId) -> bool {
        let (w, b) = ((doc / 64) as usize, doc % 64);
        self.words
            .get(w)
            .is_some_and(|word| word & (1u64 << b) != 0)
    }

    /// Adds every document of `term`'s postings in `reader` (doc ids
    /// only); returns how many postings entries were read.
    pub fn add_postings(&mut self, reader: &SegmentReader, term: &Term) -> tantivy::Result<u64> {
        let inverted = reader.inverted_index(term.field())?;
        let Some(mut postings) = inverted.read_block_postings(term, IndexRecordOption::Basic)?
        else {
            return Ok(0);
        };
        let mut read = 0;
        while !postings.docs().is_empty() {
            for &doc in postings.docs() {
                self.insert(doc);
            }
            read += postings.docs().len() as u64;
            postings.advance();
        }
        Ok(read)
    }

    /// Keeps only the documents also in `other`.
    pub fn and(&mut self, other: &DocBits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
        // A shorter set has no documents past its end.
        let n = other.words.len().min(self.words.len());
        self.words[n..].iter_mut().for_each(|a| *a = 0);
    }

    /// Leaves out the documents in `other`.
    pub fn and_not(&mut self, other: &DocBits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    /// How many documents the set holds.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The documents, in order.
    pub fn iter(&self) -> impl Iterator<Item = DocId> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let base = (i as DocId) * 64;
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros();
                w &= w - 1;
                Some(base + b)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::DocBits;

    #[test]
    fn set_operations() {
        let mut a = DocBits::new(200);
        for d in [0, 1, 63, 64, 130, 199] {
            a.insert(d);
        }
        a.insert(500); // out of range: ignored
        assert_eq!(a.len(), 6);
        assert!(a.contains(63) && a.contains(64) && !a.contains(65) && !a.contains(500));
        let mut b = DocBits::new(200);
        for d in [1, 64, 199] {
            b.insert(d);
        }
        let mut both = a.clone();
        both.and(&b);
        assert_eq!(both.iter().collect::<Vec<_>>(), [1, 64, 199]);
        a.and_not(&b);
        assert_eq!(a.iter().collect::<Vec<_>>(), [0, 63, 130]);
    }
}
