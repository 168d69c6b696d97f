//! What one state of an index answers the same way every time, kept for
//! that state only: the index words a typed word expands to, the total
//! of a query, and the documents of a filter (per segment). Both are dropped as soon as the index changes (a new
//! searcher generation: documents added, updated or deleted), so a cached
//! answer is never one the index would not give now.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::schema::Field;

use super::bits::DocBits;

/// Expansions remembered per index state (distinct word, field and kind).
const MAX_EXPANSION_ENTRIES: usize = 4096;
/// Totals remembered per index state (distinct query and filters).
const MAX_TOTAL_ENTRIES: usize = 4096;
/// Filter sets remembered per index state (distinct filters). Each holds a
/// bit per document: 12.5 kB per 100 000 documents.
const MAX_SET_ENTRIES: usize = 64;

/// The documents of one filter, one set per segment (in segment order).
pub(crate) type FilterSets = Arc<Vec<DocBits>>;

/// The index words one typed word stands for in one field, most frequent
/// first, with their document frequencies.
pub(crate) type Expansion = Arc<Vec<(String, u64)>>;

#[derive(Default)]
struct State {
    /// The searcher generation the entries below belong to.
    generation: u64,
    expansions: HashMap<(Field, String, bool), Expansion>,
    totals: HashMap<String, usize>,
    sets: HashMap<String, FilterSets>,
}

/// The per-index cache; every entry belongs to one searcher generation.
#[derive(Default)]
pub(crate) struct QueryCache {
    state: Mutex<State>,
}

impl QueryCache {
    fn at(&self, generation: u64) -> MutexGuard<'_, State> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.generation != generation {
            s.generation = generation;
            s.expansions.clear();
            s.totals.clear();
            s.sets.clear();
        }
        s
    }

    pub fn expansion(
        &self,
        generation: u64,
        field: Field,
        word: &str,
        prefix: bool,
    ) -> Option<Expansion> {
        self.at(generation)
            .expansions
            .get(&(field, word.to_string(), prefix))
            .cloned()
    }

    pub fn keep_expansion(
        &self,
        generation: u64,
        field: Field,
        word: &str,
        prefix: bool,
        e: Expansion,
    ) {
        let mut s = self.at(generation);
        if s.expansions.len() >= MAX_EXPANSION_ENTRIES {
            s.expansions.clear();
        }
        s.expansions.insert((field, word.to_string(), prefix), e);
    }

    pub fn total(&self, generation: u64, key: &str) -> Option<usize> {
        self.at(generation).totals.get(key).copied()
    }

    pub fn keep_total(&self, generation: u64, key: String, total: usize) {
        let mut s = self.at(generation);
        if s.totals.len() >= MAX_TOTAL_ENTRIES {
            s.totals.clear();
        }
        s.totals.insert(key, total);
    }

    pub fn filter_sets(&self, generation: u64, key: &str) -> Option<FilterSets> {
        self.at(generation).sets.get(key).cloned()
    }

    pub fn keep_filter_sets(&self, generation: u64, key: String, sets: FilterSets) {
        let mut s = self.at(generation);
        if s.sets.len() >= MAX_SET_ENTRIES {
            s.sets.clear();
        }
        s.sets.insert(key, sets);
    }
}
