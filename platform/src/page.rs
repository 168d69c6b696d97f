//! Pagination: page/limit and limit/offset, clamped to the server's maximum.

use serde::Serialize;

use crate::error::{ApiError, ApiResult};

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based page number.
    pub page: u64,
    pub limit: u64,
}

impl Page {
    /// Validates `page` (>= 1) and `limit` (1..=max); missing values take defaults.
    pub fn new(
        page: Option<i64>,
        limit: Option<i64>,
        default_limit: u64,
        max_limit: u64,
    ) -> ApiResult<Page> {
        let page = page.unwrap_or(1);
        if page < 1 {
            return Err(ApiError::invalid("page", "page must be 1 or more"));
        }
        let limit = limit.unwrap_or(default_limit as i64);
        if limit < 1 || limit as u64 > max_limit {
            return Err(ApiError::invalid(
                "limit",
                format!("limit must be between 1 and {max_limit}"),
            ));
        }
        Ok(Page {
            page: page as u64,
            limit: limit as u64,
        })
    }

    /// Rows to skip; capped at `i64::MAX` because SQLite reads a larger
    /// `OFFSET` literal as a float and refuses it (a huge `page` is an empty
    /// page, not an error).
    pub fn offset(&self) -> u64 {
        (self.page - 1)
            .saturating_mul(self.limit)
            .min(i64::MAX as u64)
    }

    /// The page/limit/total/totalPages figures for a response.
    pub fn info(&self, total: u64) -> PageInfo {
        PageInfo {
            page: self.page,
            limit: self.limit,
            total,
            total_pages: total.div_ceil(self.limit),
        }
    }
}

/// Figures every paginated response reports, whatever its casing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageInfo {
    pub page: u64,
    pub limit: u64,
    pub total: u64,
    pub total_pages: u64,
}

impl PageInfo {
    pub fn has_next(&self) -> bool {
        self.page < self.total_pages
    }
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
}

/// A validated limit/offset request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: u64,
    pub offset: u64,
}

impl Window {
    pub fn new(
        limit: Option<i64>,
        offset: Option<i64>,
        default_limit: u64,
        max_limit: u64,
    ) -> ApiResult<Window> {
        let limit = limit.unwrap_or(default_limit as i64);
        if limit < 1 || limit as u64 > max_limit {
            return Err(ApiError::invalid(
                "limit",
                format!("limit must be between 1 and {max_limit}"),
            ));
        }
        let offset = offset.unwrap_or(0);
        if offset < 0 {
            return Err(ApiError::invalid("offset", "offset must be 0 or more"));
        }
        Ok(Window {
            limit: limit as u64,
            offset: offset as u64,
        })
    }

    /// `X-Total-Count`, `X-Page-Count` and an RFC 8288 `Link` header for a list at `path`.
    pub fn headers(&self, path: &str, total: u64) -> Vec<(&'static str, String)> {
        vec![
            ("X-Total-Count", total.to_string()),
            ("X-Page-Count", self.pages(total).to_string()),
            ("Link", self.link_header::<&str, &str>(path, &[], total)),
        ]
    }

    /// How many pages of this window's size `total` items fill (at least one).
    pub fn pages(&self, total: u64) -> u64 {
        total.div_ceil(self.limit).max(1)
    }

    /// The RFC 8288 `Link` header (first, prev, next, last) for a list at
    /// `path` whose other query parameters are `filters`, each value
    /// percent-encoded (RFC 3986 unreserved characters stay as they are).
    pub fn link_header<K: AsRef<str>, V: AsRef<str>>(
        &self,
        path: &str,
        filters: &[(K, V)],
        total: u64,
    ) -> String {
        use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
        const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'_')
            .remove(b'.')
            .remove(b'~');
        let query: String = filters
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}&",
                    k.as_ref(),
                    utf8_percent_encode(v.as_ref(), UNRESERVED)
                )
            })
            .collect();
        let link = |offset: u64, rel: &str| {
            format!(
                "<{path}?{query}limit={}&offset={offset}>; rel=\"{rel}\"",
                self.limit
            )
        };
        let mut links = vec![link(0, "first")];
        if self.offset > 0 {
            links.push(link(self.offset.saturating_sub(self.limit), "prev"));
        }
        if self.offset + self.limit < total {
            links.push(link(self.offset + self.limit, "next"));
        }
        links.push(link((self.pages(total) - 1) * self.limit, "last"));
        links.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_validated_and_counted() {
        let p = Page::new(Some(3), Some(20), 20, 100).unwrap();
        assert_eq!(p.offset(), 40);
        assert_eq!(p.info(41).total_pages, 3);
        assert!(Page::new(Some(0), None, 20, 100).is_err());
        assert!(Page::new(None, Some(101), 20, 100).is_err());
        let far = Page::new(Some(i64::MAX), Some(100), 20, 100).unwrap();
        assert_eq!(far.offset(), i64::MAX as u64, "fits an SQLite OFFSET");
    }

    #[test]
    fn window_links() {
        let w = Window::new(Some(10), Some(10), 50, 100).unwrap();
        let h = w.headers("/api/v1/contacts", 35);
        assert_eq!(h[0].1, "35");
        assert_eq!(h[1].1, "4");
        assert!(h[2].1.contains("offset=0>; rel=\"prev\""));
        assert!(h[2].1.contains("offset=20>; rel=\"next\""));
        assert!(h[2].1.contains("offset=30>; rel=\"last\""));
    }
}
