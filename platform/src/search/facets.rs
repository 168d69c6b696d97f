//! Value counts of keyword fields over every matching document (for filter
//! side bars: "billing (12), shipping (7)").

use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// How many documents carry one value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Counts the values of several keyword (fast string) fields.
pub(crate) struct KeywordCounts {
    pub fields: Vec<String>,
}

pub(crate) struct SegmentCounts {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<HashMap<u64, u64>>,
}

impl Collector for KeywordCounts {
    type Fruit = Vec<HashMap<String, u64>>;
    type Child = SegmentCounts;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentCounts> {
        let ff = segment.fast_fields();
        let columns = self
            .fields
            .iter()
            .map(|f| ff.str(f).ok().flatten())
            .collect::<Vec<_>>();
        Ok(SegmentCounts {
            counts: vec![HashMap::new(); columns.len()],
            columns,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segment_fruits: Vec<Vec<HashMap<String, u64>>>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut out: Vec<HashMap<String, u64>> = vec![HashMap::new(); self.fields.len()];
        for fruit in segment_fruits {
            for (i, counts) in fruit.into_iter().enumerate() {
                if let Some(slot) = out.get_mut(i) {
                    for (value, n) in counts {
                        *slot.entry(value).or_default() += n;
                    }
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Vec<HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    *counts.entry(ord).or_default() += 1;
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.columns
            .iter()
            .zip(self.counts)
            .map(|(column, counts)| {
                let mut out = HashMap::new();
                if let Some(column) = column {
                    let mut buf = String::new();
                    for (ord, n) in counts {
                        if column.ord_to_str(ord, &mut buf).unwrap_or(false) {
                            out.insert(buf.clone(), n);
                        }
                    }
                }
                out
            })
            .collect()
    }
}

/// The `limit` most frequent values, most frequent first (ties by value).
pub(crate) fn top(counts: HashMap<String, u64>, limit: usize) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    v.truncate(limit);
    v
}
