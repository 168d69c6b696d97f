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

/// One row of a module's error table: the code a client sees, what kind of
/// failure it is (hence its status) and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    pub code: &'static str,
    pub kind: ErrorKind,
    pub meaning: &'static str,
}

impl ErrorCode {
    /// The HTTP status, `validation_status` (the module's 400 or 422) for validation codes.
    pub fn status(&self, validation_status: StatusCode) -> StatusCode {
        self.kind.status(validation_status)
    }
}

/// A module's error table, as generated by [`error_codes!`](crate::error_codes).
pub trait ErrorTable: Copy + 'static {
    /// Every row, in declaration order.
    const TABLE: &'static [ErrorCode];
}

/// The error table as a markdown table (code, status, meaning), for a
/// module's README or document. `validation_status` is the module's 400 or 422.
pub fn markdown_table(codes: &[ErrorCode], validation_status: StatusCode) -> String {
    let mut out = String::from("| Code | Status | Meaning |\n|---|---|---|\n");
    for c in codes {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            c.code,
            c.status(validation_status).as_u16(),
            c.meaning.replace('|', "\\|")
        ));
    }
    out
}

/// Declares a module's error table: one enum whose variants are the codes
/// the module answers with, each with its [`ErrorKind`] (hence its status),
/// its code string and its meaning (the default message).
///
/// ```ignore
/// frontline_platform::error_codes! {
///     /// Errors of the training module.
///     pub enum TrainingError {
///         ScenarioNotFound => (NotFound, "SCENARIO_NOT_FOUND", "No scenario has this id"),
///         ScenarioArchived => (Conflict, "SCENARIO_ARCHIVED", "The scenario is archived"),
///     }
/// }
///
/// // The default message is the meaning:
/// return Err(TrainingError::ScenarioNotFound.into());
/// // A specific message (and any other ApiError builder after it):
/// return Err(TrainingError::ScenarioArchived.with_message(format!("{id} is archived")));
/// // A validation code naming a field:
/// return Err(TrainingError::InvalidTitle.invalid("title", "must not be empty"));
/// ```
///
/// The enum gets `code()`, `kind()`, `meaning()`, `status(validation)`,
/// `all()`, `error()`, `with_message(..)`, `invalid(field, message)`,
/// `Display`, `std::error::Error`, `From<_> for ApiError` (so `?` works in
/// functions returning [`ApiResult`]) and [`ErrorTable`]. List the table in
/// the module's document by setting `ErrorEnvelope::ERROR_CODES` to
/// `TrainingError::TABLE`; render it for a README with
/// [`markdown_table`]`(TrainingError::TABLE, status)`.
#[macro_export]
macro_rules! error_codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident => ($kind:ident, $code:literal, $meaning:literal)
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),*
        }

        #[allow(dead_code)]
        impl $name {
            /// Every code, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),* ];

            /// Every code, in declaration order.
            pub fn all() -> &'static [$name] {
                Self::ALL
            }

            /// The machine-readable code clients see.
            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code ),* }
            }

            /// What kind of failure (and so which status) this is.
            pub fn kind(self) -> $crate::error::ErrorKind {
                match self { $( $name::$variant => $crate::error::ErrorKind::$kind ),* }
            }

            /// What the code means; the message when none more specific is given.
            pub fn meaning(self) -> &'static str {
                match self { $( $name::$variant => $meaning ),* }
            }

            /// The HTTP status, with the module's validation status (400 or 422).
            pub fn status(
                self,
                validation_status: $crate::error::__StatusCode,
            ) -> $crate::error::__StatusCode {
                self.kind().status(validation_status)
            }

            /// The error with its meaning as the message.
            pub fn error(self) -> $crate::error::ApiError {
                self.with_message(self.meaning())
            }

            /// The error with a specific message.
            pub fn with_message(self, message: impl Into<String>) -> $crate::error::ApiError {
                $crate::error::ApiError::new(self.kind(), message).with_code(self.code())
            }

            /// The error about one field (`details: [{field, message}]`).
            pub fn invalid(
                self,
                field: impl Into<String>,
                message: impl Into<String>,
            ) -> $crate::error::ApiError {
                let message = message.into();
                self.with_message(message.clone()).with_detail(field, message)
            }
        }

        impl $name {
            /// The table's rows (code, kind, meaning), for documents and READMEs.
            pub const TABLE: &'static [$crate::error::ErrorCode] = &[
                $( $crate::error::ErrorCode {
                    code: $code,
                    kind: $crate::error::ErrorKind::$kind,
                    meaning: $meaning,
                } ),*
            ];
        }

        impl $crate::error::ErrorTable for $name {
            const TABLE: &'static [$crate::error::ErrorCode] = $name::TABLE;
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.meaning())
            }
        }

        impl ::std::error::Error for $name {}

        impl ::std::convert::From<$name> for $crate::error::ApiError {
            fn from(code: $name) -> Self {
                code.error()
            }
        }
    };
}

#[doc(hidden)]
pub use poem::http::StatusCode as __StatusCode;

#[cfg(test)]
mod table_tests {
    use super::*;

    crate::error_codes! {
        /// A sample table.
        pub enum SampleError {
            /// Not there.
            ThingNotFound => (NotFound, "THING_NOT_FOUND", "No thing has this id"),
            ThingTaken => (Conflict, "THING_TAKEN", "The name | is taken"),
            BadName => (Validation, "BAD_NAME", "The name is not valid"),
        }
    }

    #[test]
    fn codes_render_as_api_errors_and_tables() {
        assert_eq!(SampleError::all().len(), 3);
        assert_eq!(SampleError::ThingNotFound.code(), "THING_NOT_FOUND");
        assert_eq!(SampleError::ThingNotFound.kind(), ErrorKind::NotFound);
        assert_eq!(
            SampleError::BadName.status(StatusCode::UNPROCESSABLE_ENTITY),
            StatusCode::UNPROCESSABLE_ENTITY
        );

        let err: ApiError = SampleError::ThingNotFound.into();
        assert_eq!(err.code(), "THING_NOT_FOUND");
        assert_eq!(err.message, "No thing has this id");
        assert_eq!(err.kind, ErrorKind::NotFound);

        let err = SampleError::ThingTaken.with_message("'x' is taken");
        assert_eq!(
            (err.code(), err.message.as_str()),
            ("THING_TAKEN", "'x' is taken")
        );

        let err = SampleError::BadName.invalid("name", "must not be empty");
        assert_eq!(
            err.details,
            vec![FieldError::new("name", "must not be empty")]
        );
        assert_eq!(err.code(), "BAD_NAME");

        fn fails() -> ApiResult<()> {
            Err(SampleError::ThingTaken)?;
            Ok(())
        }
        assert_eq!(fails().unwrap_err().kind, ErrorKind::Conflict);

        let table = markdown_table(SampleError::TABLE, StatusCode::BAD_REQUEST);
        assert_eq!(
            table,
            "| Code | Status | Meaning |\n|---|---|---|\n\
             | `THING_NOT_FOUND` | 404 | No thing has this id |\n\
             | `THING_TAKEN` | 409 | The name \\| is taken |\n\
             | `BAD_NAME` | 400 | The name is not valid |\n"
        );
    }
}
