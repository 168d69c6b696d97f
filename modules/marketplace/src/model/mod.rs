//! Types of the marketplace document (specs/marketplace.md), camelCase: the
//! envelope and error body, request bodies (`input`) and answers, one file per
//! area of the document.

pub mod admin;
pub mod analytics;
pub mod extensions;
pub mod input;
pub mod pricing;
pub mod reports;
pub mod reviews;
pub mod types;

pub use admin::*;
pub use analytics::*;
pub use extensions::*;
pub use input::*;
pub use pricing::*;
pub use reports::*;
pub use reviews::*;
pub use types::*;

use frontline_platform::http::{ErrorContext, ErrorEnvelope};
use frontline_platform::ApiError;
use poem::http::StatusCode;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::Object;
use serde_json::{json, Value};

frontline_platform::error_codes! {
    /// The marketplace's error codes: the document's "Common Error Codes" table,
    /// and no others. Every error the module makes is one of these.
    pub enum MarketplaceError {
        /// A field or parameter is missing, malformed or out of range (`details` names each).
        Validation => (Validation, "VALIDATION_ERROR", "Invalid request data"),
        /// No valid credentials.
        Unauthorized => (Unauthorized, "UNAUTHORIZED", "Missing or invalid authentication"),
        /// Not the caller's resource, or not the caller's role.
        Forbidden => (Forbidden, "FORBIDDEN", "Insufficient permissions"),
        /// No such resource (or not visible to the caller).
        NotFound => (NotFound, "NOT_FOUND", "Resource not found"),
        /// The resource exists already, or its state does not allow the change.
        Conflict => (Conflict, "CONFLICT", "Resource already exists"),
        /// The caller's hourly allowance is spent.
        RateLimited => (RateLimited, "RATE_LIMIT_EXCEEDED", "Too many requests"),
        /// The server failed.
        Internal => (Internal, "INTERNAL_ERROR", "Server error"),
    }
}

impl MarketplaceError {
    /// A validation error naming every bad field.
    pub fn fields(details: Vec<frontline_platform::FieldError>) -> ApiError {
        ApiError::validation(details).with_code(MarketplaceError::Validation.code())
    }

    /// The table's code for errors of `kind`'s status, when the document lists one.
    pub fn for_status(status: StatusCode) -> Option<MarketplaceError> {
        MarketplaceError::ALL
            .iter()
            .copied()
            .find(|c| c.status(StatusCode::BAD_REQUEST) == status)
    }
}

/// One problem with one field.
#[derive(Object, Clone, Debug, PartialEq)]
pub struct ErrorDetail {
    /// The field, as a dotted path into the request (`location.coordinates`, `tiers[0].price`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl From<&frontline_platform::FieldError> for ErrorDetail {
    fn from(e: &frontline_platform::FieldError) -> Self {
        ErrorDetail {
            field: e.field.clone(),
            message: e.message.clone(),
        }
    }
}

/// What went wrong.
#[derive(Object)]
pub struct ErrorInfo {
    /// One of the document's error codes (`VALIDATION_ERROR`, `UNAUTHORIZED`, `FORBIDDEN`,
    /// `NOT_FOUND`, `CONFLICT`, `RATE_LIMIT_EXCEEDED`, `INTERNAL_ERROR`).
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// One entry per bad field (validation errors); empty otherwise.
    pub details: Vec<ErrorDetail>,
}

/// The marketplace error body.
#[derive(Object)]
pub struct ErrorBody {
    /// Always false.
    pub success: bool,
    /// What went wrong.
    pub error: ErrorInfo,
}

pub struct MarketplaceEnvelope;

impl ErrorEnvelope for MarketplaceEnvelope {
    type Body = ErrorBody;
    const VALIDATION_STATUS: StatusCode = StatusCode::BAD_REQUEST;
    /// The document's code list has UNAUTHORIZED for every 401.
    const UNAUTHORIZED_CODE: Option<&'static str> = Some("UNAUTHORIZED");
    const ERROR_CODES: &'static [frontline_platform::error::ErrorCode] = MarketplaceError::TABLE;

    /// Where the document lists a code for the status, the answer carries it
    /// (a platform `DATABASE_ERROR` is the document's `INTERNAL_ERROR`); other
    /// statuses (405, 413, 415, 503) keep the platform's code.
    fn render(err: &ApiError, _ctx: &ErrorContext) -> Value {
        let status = err.status(Self::VALIDATION_STATUS);
        let code = MarketplaceError::for_status(status)
            .map(MarketplaceError::code)
            .unwrap_or(err.code());
        let mut error = json!({
            "code": code,
            "message": err.message,
            "details": err.details,
        });
        for (k, v) in &err.extra {
            error[k] = v.clone();
        }
        json!({ "success": false, "error": error })
    }
}

/// Paging figures of a list: `page`, `limit`, `total` and `totalPages` on paged lists,
/// only `total` on lists that are returned whole.
#[derive(Object, Clone, Debug, PartialEq)]
#[oai(rename_all = "camelCase")]
pub struct PageMeta {
    /// The page shown, from 1.
    #[oai(skip_serializing_if_is_none)]
    pub page: Option<u64>,
    /// Items per page.
    #[oai(skip_serializing_if_is_none)]
    pub limit: Option<u64>,
    /// Items in all pages.
    pub total: u64,
    /// Pages in all.
    #[oai(skip_serializing_if_is_none)]
    pub total_pages: Option<u64>,
}

impl PageMeta {
    /// The figures of `page` out of `total` items.
    pub fn of(page: &frontline_platform::page::Page, total: u64) -> PageMeta {
        let info = page.info(total);
        PageMeta {
            page: Some(info.page),
            limit: Some(info.limit),
            total: info.total,
            total_pages: Some(info.total_pages),
        }
    }

    /// A whole list of `total` items.
    pub fn total(total: usize) -> PageMeta {
        PageMeta {
            page: None,
            limit: None,
            total: total as u64,
            total_pages: None,
        }
    }
}

/// One page of a list and its paging figures.
pub struct Paged<T> {
    pub items: Vec<T>,
    pub meta: PageMeta,
}

/// `{"success":true,"data":…,"message":…,"metadata":…}`.
#[derive(Object)]
pub struct Envelope<T: ParseFromJSON + ToJSON> {
    /// Always true.
    pub success: bool,
    /// The answer.
    pub data: T,
    /// What happened, for people (on writes).
    #[oai(skip_serializing_if_is_none)]
    pub message: Option<String>,
    /// Paging figures on lists.
    #[oai(skip_serializing_if_is_none)]
    pub metadata: Option<PageMeta>,
}

impl<T: ParseFromJSON + ToJSON> Envelope<T> {
    pub fn ok(data: T) -> Self {
        Envelope {
            success: true,
            data,
            message: None,
            metadata: None,
        }
    }
    pub fn msg(data: T, message: impl Into<String>) -> Self {
        Envelope {
            success: true,
            data,
            message: Some(message.into()),
            metadata: None,
        }
    }
}

impl<T: ParseFromJSON + ToJSON> Envelope<Vec<T>> {
    pub fn page(p: Paged<T>) -> Self {
        Envelope {
            success: true,
            data: p.items,
            message: None,
            metadata: Some(p.meta),
        }
    }
    /// A whole list, with its `total`.
    pub fn list(items: Vec<T>) -> Self {
        let meta = PageMeta::total(items.len());
        Envelope::page(Paged { items, meta })
    }
}

/// A typed answer as the JSON of an event payload or audit entry.
pub fn to_value<T: ToJSON>(v: &T) -> Value {
    v.to_json().unwrap_or(Value::Null)
}

pub(crate) use frontline_platform::sorted_json;

sorted_json!(PageMeta {
    "limit" => limit if some,
    "page" => page if some,
    "total" => total,
    "totalPages" => total_pages if some,
});

impl<T: ParseFromJSON + ToJSON + serde::Serialize> serde::Serialize for Envelope<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("data", &self.data)?;
        if let Some(v) = &self.message {
            m.serialize_entry("message", v)?;
        }
        if let Some(v) = &self.metadata {
            m.serialize_entry("metadata", v)?;
        }
        m.serialize_entry("success", &self.success)?;
        m.end()
    }
}

/// A 200 answer written with serde straight into the body (the review page,
/// pricing list and search page: `Direct(Envelope::…)`).
pub use frontline_platform::direct::Direct;
