//! Planning's error table: the codes of the document's "Error Codes"
//! section and no others. Handlers and the service raise these; the
//! document lists them per status; every other error (the framework's 405,
//! 413 and 415, a full disk) answers with the table's code for its kind.

use frontline_platform::{ApiError, ErrorKind, FieldError};

frontline_platform::error_codes! {
    /// The codes of the planning document.
    pub enum PlanningError {
        ValidationError => (Validation, "VALIDATION_ERROR", "Request validation failed"),
        Unauthorized => (Unauthorized, "UNAUTHORIZED", "Not authenticated"),
        Forbidden => (Forbidden, "FORBIDDEN", "Insufficient permissions"),
        NotFound => (NotFound, "NOT_FOUND", "Resource not found"),
        Conflict => (Conflict, "CONFLICT", "Resource conflict: a duplicate name or a locked version"),
        RateLimitExceeded => (RateLimited, "RATE_LIMIT_EXCEEDED", "Too many requests"),
        InternalError => (Internal, "INTERNAL_ERROR", "Unexpected server error"),
        DatabaseError => (Unavailable, "DATABASE_ERROR", "Database operation failed: busy or out of space; retry"),
    }
}

impl PlanningError {
    /// The table's code for an error of `kind` raised outside the table
    /// (by the framework or the platform).
    pub fn of_kind(kind: ErrorKind) -> PlanningError {
        match kind {
            ErrorKind::Unauthorized => PlanningError::Unauthorized,
            ErrorKind::Forbidden => PlanningError::Forbidden,
            ErrorKind::NotFound | ErrorKind::Gone => PlanningError::NotFound,
            ErrorKind::Conflict => PlanningError::Conflict,
            ErrorKind::RateLimited => PlanningError::RateLimitExceeded,
            ErrorKind::Internal => PlanningError::InternalError,
            ErrorKind::Unavailable => PlanningError::DatabaseError,
            ErrorKind::Validation
            | ErrorKind::BadRequest
            | ErrorKind::MethodNotAllowed
            | ErrorKind::PayloadTooLarge
            | ErrorKind::UnsupportedMediaType => PlanningError::ValidationError,
        }
    }

    /// The code `err` answers with: its own when the table has it, else the table's code of its kind.
    pub fn code_of(err: &ApiError) -> &'static str {
        let code = err.code();
        PlanningError::ALL
            .iter()
            .find(|c| c.code() == code)
            .copied()
            .unwrap_or_else(|| PlanningError::of_kind(err.kind))
            .code()
    }

    /// `VALIDATION_ERROR` with one message per bad field.
    pub fn fields(errors: Vec<FieldError>) -> ApiError {
        let mut err = PlanningError::ValidationError.with_message("Validation failed");
        err.details = errors;
        err
    }
}
