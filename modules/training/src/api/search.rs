//! Advanced search on the platform search index.

use std::time::Instant;

use frontline_platform::auth::Principal;
use frontline_platform::search::{Hit, SearchQuery, SortOrder};
use frontline_platform::{ApiError, ApiResult, Platform};
use poem_openapi::OpenApi;
use serde_json::{json, Value};

use frontline_platform::body::JsonBody;
use poem_openapi::types::ToJSON;

use super::guard::*;
use super::Result;
use crate::index;
use crate::model::*;
use crate::service;
use crate::store::round;

pub struct SearchApi {
    pub(super) platform: Platform,
}

/// Sorts of the search endpoint and the index field behind each.
pub(crate) const SEARCH_SORTS: &[(&str, Option<&str>)] = &[
    ("relevance", None),
    ("createdAt", Some("createdAt")),
    ("updatedAt", Some("updatedAt")),
    ("usageCount", Some("usageCount")),
    ("rating", Some("rating")),
];

/// Keeps private scenarios to their creator (admins see everything).
pub(crate) fn visibility(q: SearchQuery, p: &Principal) -> SearchQuery {
    if service::is_training_admin(p) {
        q
    } else {
        q.filter_any("visibleTo", ["public".to_string(), p.id.clone()])
    }
}

/// A parsed search request.
struct Request {
    query: String,
    categories: Vec<String>,
    difficulties: Vec<String>,
    status: Vec<String>,
    min_rating: Option<f64>,
    min_usage: Option<f64>,
    sort: Option<(&'static str, SortOrder)>,
    sort_name: &'static str,
    order_name: &'static str,
    page: usize,
    limit: usize,
}

fn names<T: ToJSON>(values: &Option<Vec<T>>) -> Vec<String> {
    values
        .iter()
        .flatten()
        .filter_map(|v| v.to_json().and_then(|j| j.as_str().map(String::from)))
        .collect()
}

fn parse(body: &SearchRequest, max_limit: usize) -> ApiResult<Request> {
    let filters = body.filters.clone().unwrap_or_default();
    let sort_by = body
        .sort
        .as_ref()
        .and_then(|s| s.by)
        .unwrap_or(SearchSortBy::Relevance);
    let order = body
        .sort
        .as_ref()
        .and_then(|s| s.order)
        .unwrap_or(SortDirection::Desc);
    let (order_name, ord) = match order {
        SortDirection::Asc => ("asc", SortOrder::Asc),
        SortDirection::Desc => ("desc", SortOrder::Desc),
    };
    let sort_name = match sort_by {
        SearchSortBy::Relevance => "relevance",
        SearchSortBy::CreatedAt => "createdAt",
        SearchSortBy::UpdatedAt => "updatedAt",
        SearchSortBy::UsageCount => "usageCount",
        SearchSortBy::Rating => "rating",
    };
    if sort_by == SearchSortBy::Relevance && order == SortDirection::Asc {
        return Err(ApiError::invalid(
            "sort.order",
            "relevance sorts the best match first only (desc); sort.order asc needs sort.by createdAt, updatedAt, usageCount or rating",
        ));
    }
    let sort = SEARCH_SORTS
        .iter()
        .find(|(k, _)| *k == sort_name)
        .and_then(|(_, field)| field.map(|f| (f, ord)));
    let limit = body.limit.unwrap_or(20) as usize;
    if limit > max_limit {
        return Err(ApiError::invalid(
            "limit",
            format!("limit must be a whole number from 1 to {max_limit}"),
        ));
    }
    Ok(Request {
        query: body.query.as_deref().unwrap_or_default().trim().to_string(),
        categories: names(&filters.categories),
        difficulties: names(&filters.difficulties),
        status: names(&filters.status),
        min_rating: filters.min_rating,
        min_usage: filters.min_usage_count,
        sort,
        sort_name,
        order_name,
        page: body.page.unwrap_or(1) as usize,
        limit,
    })
}

/// The stored fields a result shows (the index keeps more: the customer
/// profile and context are searched and highlighted, not returned).
const SHOWN_FIELDS: [&str; 8] = [
    "name",
    "description",
    "categoryKey",
    "difficulty",
    "status",
    "tagList",
    "rating",
    "usageCount",
];

fn field_str(h: &mut Hit, k: &str) -> Value {
    match h.fields.remove(k) {
        Some(Value::Array(a)) => a.into_iter().next().unwrap_or(Value::Null),
        Some(v) => v,
        None => Value::Null,
    }
}

/// One search result as the document prints it.
fn render(mut h: Hit) -> SearchResult {
    let mut highlights = std::collections::BTreeMap::new();
    for (k, v) in std::mem::take(&mut h.highlights) {
        if k == "tags" {
            let tags: Vec<&str> = v.split(", ").filter(|t| t.contains("<em>")).collect();
            highlights.insert(k, json!(tags));
        } else {
            highlights.insert(k, Value::String(v));
        }
    }
    SearchResult {
        name: field_str(&mut h, "name"),
        description: field_str(&mut h, "description"),
        category: field_str(&mut h, "categoryKey"),
        difficulty: field_str(&mut h, "difficulty"),
        status: field_str(&mut h, "status"),
        tags: h.fields.remove("tagList").unwrap_or(json!([])),
        relevance_score: round(h.normalized_score as f64, 4),
        analytics: json!({
            "averageRating": h.fields.get("rating").and_then(Value::as_f64).map(|r| round(r, 2)),
            "usageCount": h.fields.remove("usageCount").unwrap_or(json!(0)),
        }),
        matched_fields: h.matched_fields,
        highlights,
        id: h.id,
    }
}

/// Search.
#[OpenApi(tag = "ApiTags::Scenarios")]
impl SearchApi {
    /// Advanced search (`scenario:read`): full-text `query` across name, tags,
    /// description, category, customer profile and context (BM25 with field
    /// boosts, in that order of weight; typos within one letter still match),
    /// `filters` (categories, difficulties, status, minRating, minUsageCount),
    /// `sort.by` relevance (default; best match first, so `order` asc is
    /// refused), createdAt, updatedAt, usageCount or rating, and `page`/`limit`. Each result has `relevanceScore` (0..1, the
    /// best hit is 1), `matchedFields` and `highlights` with `<em>` around the
    /// matching words; `searchMeta.processingTime` is the measured time in ms.
    #[oai(path = "/admin/scenarios/search", method = "post")]
    async fn search(
        &self,
        auth: Can<ScenarioRead>,
        body: JsonBody<Option<SearchRequest>>,
    ) -> Result<DirectAnswer<SearchResults>> {
        let started = Instant::now();
        let p = auth.0;
        let body = body.0.unwrap_or_default();
        let max = (self.platform.settings.max_page_size as usize).clamp(1, 100);
        let r = parse(&body, max)?;
        let mut q = visibility(SearchQuery::new(r.query.clone()), &p)
            .page(r.page, r.limit)
            .snippet_chars(240)
            .fields(SHOWN_FIELDS);
        if !r.categories.is_empty() {
            q = q.filter_any("categoryKey", r.categories.clone());
        }
        if !r.difficulties.is_empty() {
            q = q.filter_any("difficulty", r.difficulties.clone());
        }
        if !r.status.is_empty() {
            q = q.filter_any("status", r.status.clone());
        }
        if let Some(x) = r.min_rating {
            q = q.range("rating", Some(x), None);
        }
        if let Some(x) = r.min_usage {
            q = q.range("usageCount", Some(x), None);
        }
        if let Some((field, order)) = r.sort {
            q = q.sort_by(field, order);
        }
        let idx = index::index(&self.platform)?;
        let res = self.platform.search.query(&idx, q).await?;
        let total = res.total as u64;
        let results: Vec<SearchResult> = res.hits.into_iter().map(render).collect();
        let pages = total.div_ceil(r.limit as u64);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(ok_direct(SearchResults {
            results,
            pagination: Pagination {
                page: r.page as u64,
                limit: r.limit as u64,
                total,
                total_pages: pages,
                has_next: (r.page as u64) < pages,
                has_prev: r.page > 1,
            },
            sort: AppliedSort {
                by: r.sort_name.into(),
                order: r.order_name.into(),
            },
            search_meta: SearchMeta {
                query: r.query,
                processing_time: round(ms, 2),
                total_results: total,
            },
        }))
    }
}
