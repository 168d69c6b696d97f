//! Advanced search on the platform search index.

use std::time::Instant;

use frontline_platform::auth::Principal;
use frontline_platform::search::{Hit, SearchQuery, SortOrder};
use frontline_platform::{ApiError, ApiResult, BearerAuth, FieldError, Platform};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use serde_json::{json, Map, Value};

use super::{body_object, Result};
use crate::index;
use crate::model::*;
use crate::service::{self, require};
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

fn enum_list(
    filters: &Value,
    field: &str,
    allowed: &[&str],
    errs: &mut Vec<FieldError>,
) -> Vec<String> {
    let f = format!("filters.{field}");
    match filters.get(field) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => {
            let mut out = Vec::new();
            for v in a {
                match v.as_str() {
                    Some(s) if allowed.contains(&s) => out.push(s.to_string()),
                    _ => {
                        errs.push(FieldError::new(
                            &f,
                            format!(
                                "Invalid {field} value: {} (expected one of: {})",
                                v.as_str()
                                    .map(String::from)
                                    .unwrap_or_else(|| v.to_string()),
                                allowed.join(", ")
                            ),
                        ));
                        return Vec::new();
                    }
                }
            }
            out
        }
        Some(_) => {
            errs.push(FieldError::new(&f, format!("{field} must be an array")));
            Vec::new()
        }
    }
}

fn number(v: &Value, field: &str, min: f64, max: f64, errs: &mut Vec<FieldError>) -> Option<f64> {
    match v.get(field.rsplit('.').next().unwrap_or(field)) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if (min..=max).contains(&x) => Some(x),
            _ => {
                errs.push(FieldError::new(
                    field,
                    format!("{field} must be between {min} and {max}"),
                ));
                None
            }
        },
        Some(_) => {
            errs.push(FieldError::new(field, format!("{field} must be a number")));
            None
        }
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

fn parse(body: &Value, max_limit: usize) -> ApiResult<Request> {
    let mut errs = Vec::new();
    let query = match body.get("query") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s.chars().count() <= 500 => s.trim().to_string(),
        Some(Value::String(_)) => {
            errs.push(FieldError::new(
                "query",
                "query must be at most 500 characters",
            ));
            String::new()
        }
        Some(_) => {
            errs.push(FieldError::new("query", "query must be a string"));
            String::new()
        }
    };
    let empty = json!({});
    let filters = match body.get("filters") {
        None | Some(Value::Null) => &empty,
        Some(f @ Value::Object(_)) => f,
        Some(_) => {
            errs.push(FieldError::new("filters", "filters must be an object"));
            &empty
        }
    };
    let categories = enum_list(filters, "categories", service::CATEGORIES, &mut errs);
    let difficulties = enum_list(filters, "difficulties", service::DIFFICULTIES, &mut errs);
    let status = enum_list(filters, "status", service::STATUSES, &mut errs);
    let min_rating = number(filters, "filters.minRating", 0.0, 5.0, &mut errs);
    let min_usage = number(filters, "filters.minUsageCount", 0.0, 1e12, &mut errs);
    let (mut sort, mut sort_name, mut order_name) = (None, "relevance", "desc");
    match body.get("sort") {
        None | Some(Value::Null) => {}
        Some(Value::Object(s)) => {
            let by = s.get("by").and_then(Value::as_str).unwrap_or("relevance");
            let order = match s.get("order").and_then(Value::as_str).unwrap_or("desc") {
                "asc" => Some(("asc", SortOrder::Asc)),
                "desc" => Some(("desc", SortOrder::Desc)),
                _ => {
                    errs.push(FieldError::new(
                        "sort.order",
                        "sort.order must be asc or desc",
                    ));
                    None
                }
            };
            match SEARCH_SORTS.iter().find(|(k, _)| *k == by) {
                Some((k, None)) if matches!(order, Some(("asc", _))) => {
                    sort_name = k;
                    errs.push(FieldError::new(
                        "sort.order",
                        "relevance sorts the best match first only (desc); sort.order asc needs sort.by createdAt, updatedAt, usageCount or rating",
                    ));
                }
                Some((k, field)) => {
                    sort_name = k;
                    if let Some((o, ord)) = order {
                        order_name = o;
                        sort = field.map(|f| (f, ord));
                    }
                }
                None => errs.push(FieldError::new(
                    "sort.by",
                    format!(
                        "sort.by must be one of: {}",
                        SEARCH_SORTS
                            .iter()
                            .map(|(k, _)| *k)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
        Some(_) => errs.push(FieldError::new("sort", "sort must be an object")),
    }
    let page = match body.get("page") {
        None | Some(Value::Null) => 1,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=10_000).contains(&n) => n as usize,
            _ => {
                errs.push(FieldError::new(
                    "page",
                    "page must be a whole number from 1 to 10000",
                ));
                1
            }
        },
    };
    let limit = match body.get("limit") {
        None | Some(Value::Null) => 20,
        Some(v) => match v.as_u64() {
            Some(n) if n >= 1 && n as usize <= max_limit => n as usize,
            _ => {
                errs.push(FieldError::new(
                    "limit",
                    format!("limit must be a whole number from 1 to {max_limit}"),
                ));
                20
            }
        },
    };
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    Ok(Request {
        query,
        categories,
        difficulties,
        status,
        min_rating,
        min_usage,
        sort,
        sort_name,
        order_name,
        page,
        limit,
    })
}

fn field_str(h: &Hit, k: &str) -> Value {
    match h.fields.get(k) {
        Some(Value::Array(a)) => a.first().cloned().unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => Value::Null,
    }
}

/// One search result as the document prints it.
fn render(h: &Hit) -> Value {
    let mut highlights = Map::new();
    for (k, v) in &h.highlights {
        if k == "tags" {
            let tags: Vec<&str> = v.split(", ").filter(|t| t.contains("<em>")).collect();
            highlights.insert(k.clone(), json!(tags));
        } else {
            highlights.insert(k.clone(), json!(v));
        }
    }
    json!({
        "id": h.id,
        "name": field_str(h, "name"),
        "description": field_str(h, "description"),
        "category": field_str(h, "categoryKey"),
        "difficulty": field_str(h, "difficulty"),
        "status": field_str(h, "status"),
        "tags": h.fields.get("tagList").cloned().unwrap_or(json!([])),
        "relevanceScore": round(h.normalized_score as f64, 4),
        "matchedFields": h.matched_fields,
        "highlights": highlights,
        "analytics": {
            "averageRating": h.fields.get("rating").and_then(Value::as_f64).map(|r| round(r, 2)),
            "usageCount": h.fields.get("usageCount").cloned().unwrap_or(json!(0)),
        },
    })
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
    async fn search(&self, auth: BearerAuth, body: Json<Value>) -> Result<Doc> {
        let started = Instant::now();
        let p = auth.0;
        require(&p, "scenario:read")?;
        let body = body_object(Some(body))?;
        let max = (self.platform.settings.max_page_size as usize).clamp(1, 100);
        let r = parse(&body, max)?;
        let mut q = visibility(SearchQuery::new(r.query.clone()), &p)
            .page(r.page, r.limit)
            .snippet_chars(240);
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
        let results: Vec<Value> = res.hits.iter().map(render).collect();
        let total = res.total as u64;
        let pages = total.div_ceil(r.limit as u64);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(Doc::Ok(Json(json!({
            "results": results,
            "pagination": {
                "page": r.page, "limit": r.limit, "total": total, "totalPages": pages,
                "hasNext": (r.page as u64) < pages, "hasPrev": r.page > 1,
            },
            "sort": { "by": r.sort_name, "order": r.order_name },
            "searchMeta": {
                "query": r.query,
                "processingTime": round(ms, 2),
                "totalResults": total,
            },
        }))))
    }
}
