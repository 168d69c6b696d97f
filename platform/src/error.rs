//! One error type for the whole server. Services return [`ApiError`]; each
//! module renders it in its own documented envelope (see [`crate::http`]).

use poem::http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value};

/// What went wrong, independent of how a module prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Input failed validation (422 or 400, as the module's document says).
    Validation,
    /// A request the server understood but will not serve (400).
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    Gone,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    Internal,
    Unavailable,
}

impl ErrorKind {
    /// The HTTP status of this kind; `Validation` is resolved per module.
    pub fn status(self, validation_status: StatusCode) -> StatusCode {
        match self {
            ErrorKind::Validation => validation_status,
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Gone => StatusCode::GONE,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The machine-readable code used when a module sets none.
    pub fn default_code(self) -> &'static str {
        match self {
            ErrorKind::Validation => "VALIDATION_ERROR",
            ErrorKind::BadRequest => "BAD_REQUEST",
            ErrorKind::Unauthorized => "UNAUTHORIZED",
            ErrorKind::Forbidden => "FORBIDDEN",
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorKind::Conflict => "CONFLICT",
            ErrorKind::Gone => "GONE",
            ErrorKind::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorKind::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ErrorKind::RateLimited => "RATE_LIMIT_EXCEEDED",
            ErrorKind::Internal => "INTERNAL_ERROR",
            ErrorKind::Unavailable => "SERVICE_UNAVAILABLE",
        }
    }
}

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The error every service and handler returns.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    /// Module-specific code (e.g. `SCENARIO_NOT_FOUND`); `kind.default_code()` otherwise.
    pub code: Option<String>,
    pub message: String,
    pub details: Vec<FieldError>,
    /// Extra members some envelopes print (e.g. `retryAfter`, `limit`).
    pub extra: Map<String, Value>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            code: None,
            message: message.into(),
            details: Vec::new(),
            extra: Map::new(),
        }
    }

    pub fn validation(details: Vec<FieldError>) -> Self {
        let message = match details.as_slice() {
            [one] => one.message.clone(),
            _ => "Validation failed".to_string(),
        };
        ApiError {
            details,
            ..ApiError::new(ErrorKind::Validation, message)
        }
    }

    /// A validation error about one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::validation(vec![FieldError::new(field, message)])
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::BadRequest, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::Unauthorized, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::Forbidden, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::NotFound, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::Conflict, message)
    }
    pub fn gone(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::Gone, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::Internal, message)
    }
    pub fn unavailable(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::Unavailable, message)
    }
    pub fn payload_too_large(limit: usize) -> Self {
        ApiError::new(
            ErrorKind::PayloadTooLarge,
            format!("Request body is larger than the limit of {limit} bytes"),
        )
        .with_extra("maxBytes", limit)
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
    pub fn with_detail(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.details.push(FieldError::new(field, message));
        self
    }
    pub fn with_extra(mut self, key: &str, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.extra.insert(key.to_string(), value);
        self
    }

    pub fn code(&self) -> &str {
        self.code
            .as_deref()
            .unwrap_or_else(|| self.kind.default_code())
    }

    pub fn status(&self, validation_status: StatusCode) -> StatusCode {
        self.kind.status(validation_status)
    }
}

impl poem::error::ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.kind.status(StatusCode::UNPROCESSABLE_ENTITY)
    }
}

/// The message of a write refused because the database stayed locked (also
/// how `/metrics` counts them).
pub const DATABASE_BUSY: &str = "The database is busy; retry shortly";

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        if let rusqlite::Error::SqliteFailure(e, _) = &err {
            match e.code {
                ErrorCode::ConstraintViolation => {
                    return ApiError::conflict("The record conflicts with an existing one");
                }
                ErrorCode::DiskFull => {
                    tracing::error!(error = %err, "database disk full");
                    return ApiError::unavailable(
                        "The data directory is full; free some space and retry",
                    )
                    .with_code("STORAGE_FULL");
                }
                ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
                    tracing::error!(error = %err, "database not writable");
                    return ApiError::unavailable("The data directory is not writable")
                        .with_code("STORAGE_READ_ONLY");
                }
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                    return ApiError::unavailable(DATABASE_BUSY);
                }
                _ => {}
            }
        }
        tracing::error!(error = %err, "database error");
        ApiError::internal("Database error").with_code("DATABASE_ERROR")
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(err: r2d2::Error) -> Self {
        tracing::error!(error = %err, "database pool error");
        ApiError::unavailable("Database unavailable")
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(err: serde_json::Error) -> Self {
        tracing::error!(error = %err, "json error");
        ApiError::internal("Stored data could not be read")
    }
}

impl From<std::io::Error> for ApiError {
    fn from(err: std::io::Error) -> Self {
        tracing::error!(error = %err, "io error");
        if err.raw_os_error() == Some(28) {
            return ApiError::unavailable("The data directory is full; free some space and retry")
                .with_code("STORAGE_FULL");
        }
        ApiError::internal("File storage error")
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
