//! Deep pages read from the nearer end: with the total known, a page past the middle
//! of a list is read in the opposite order with the offset counted from the end, then
//! turned around, so the last page costs what the first does.

/// How to read rows `[offset, offset + limit)` of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Read in the opposite order (and reverse the rows read).
    pub reversed: bool,
    pub limit: u64,
    pub offset: u64,
}

impl Window {
    /// None when the page is past the end.
    pub fn of(total: u64, limit: u64, offset: u64) -> Option<Window> {
        if offset >= total || limit == 0 {
            return None;
        }
        let end = (offset + limit).min(total);
        if offset > total - end {
            Some(Window {
                reversed: true,
                limit: end - offset,
                offset: total - end,
            })
        } else {
            Some(Window {
                reversed: false,
                limit,
                offset,
            })
        }
    }

    /// `order` (an ORDER BY list) as this window reads it.
    pub fn order(&self, order: &str) -> String {
        if !self.reversed {
            return order.to_string();
        }
        order
            .split(',')
            .map(|term| {
                let t = term.trim();
                if let Some(col) = t.strip_suffix(" DESC") {
                    format!("{col} ASC")
                } else if let Some(col) = t.strip_suffix(" ASC") {
                    format!("{col} DESC")
                } else {
                    format!("{t} DESC")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `LIMIT n OFFSET m` of this window, see [`limit_offset`].
    pub fn limit_offset(&self) -> String {
        limit_offset(self.limit, self.offset)
    }

    /// The rows read, in list order.
    pub fn finish<T>(&self, mut rows: Vec<T>) -> Vec<T> {
        if self.reversed {
            rows.reverse();
        }
        rows
    }
}

/// `LIMIT limit OFFSET offset` written as numbers. A bound `LIMIT ?` is read by
/// SQLite's planner, which then marks the statement to be parsed and planned
/// again whenever its bindings change, as a kept (`prepare_cached`) statement's
/// do on every reuse: the page statement cost a full prepare per request.
pub fn limit_offset(limit: u64, offset: u64) -> String {
    format!("LIMIT {limit} OFFSET {offset}")
}

#[cfg(test)]
mod tests {
    use super::Window;

    #[test]
    fn pages_past_the_middle_read_from_the_end() {
        assert!(!Window::of(100, 20, 0).unwrap().reversed);
        let w = Window::of(100, 20, 80).unwrap();
        assert_eq!((w.reversed, w.limit, w.offset), (true, 20, 0));
        let w = Window::of(95, 20, 80).unwrap();
        assert_eq!((w.reversed, w.limit, w.offset), (true, 15, 0));
        assert_eq!(Window::of(10, 20, 10), None);
        assert_eq!(w.order("a DESC, b ASC, rowid"), "a ASC, b DESC, rowid DESC");
    }
}
