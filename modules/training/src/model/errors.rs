//! The training module's error table: every code its answers carry, with
//! the status (by kind) and what it means. Handlers raise these; the
//! document lists them on every error response.

frontline_platform::error_codes! {
    /// Errors of the training module.
    pub enum TrainingError {
        Validation => (Validation, "VALIDATION_ERROR", "Validation failed"),
        BadRequest => (BadRequest, "BAD_REQUEST", "The request is malformed"),
        Unauthorized => (Unauthorized, "UNAUTHORIZED", "Authentication required"),
        InvalidToken => (Unauthorized, "INVALID_TOKEN", "The token is malformed, revoked or not for this server"),
        TokenExpired => (Unauthorized, "TOKEN_EXPIRED", "The token has expired"),
        Forbidden => (Forbidden, "FORBIDDEN", "Insufficient permissions"),
        NotFound => (NotFound, "NOT_FOUND", "Resource not found"),
        ScenarioNotFound => (NotFound, "SCENARIO_NOT_FOUND", "No scenario with this id is visible to the caller"),
        VersionNotFound => (NotFound, "VERSION_NOT_FOUND", "The scenario has no version with this number"),
        TemplateNotFound => (NotFound, "TEMPLATE_NOT_FOUND", "No template has this id"),
        CommentNotFound => (NotFound, "COMMENT_NOT_FOUND", "The scenario has no comment with this id"),
        TestNotFound => (NotFound, "TEST_NOT_FOUND", "No A/B test with this id is visible to the caller"),
        WebhookNotFound => (NotFound, "WEBHOOK_NOT_FOUND", "No webhook subscription has this id"),
        MethodNotAllowed => (MethodNotAllowed, "METHOD_NOT_ALLOWED", "Method not allowed for this resource"),
        DuplicateSlug => (Conflict, "DUPLICATE_SLUG", "A scenario with this slug already exists"),
        InvalidState => (Conflict, "INVALID_STATE", "The resource's status does not allow this"),
        InvalidFile => (Validation, "INVALID_FILE", "The uploaded file cannot be read as scenarios"),
        FileTooLarge => (Validation, "FILE_TOO_LARGE", "The uploaded file is too large"),
        PayloadTooLarge => (PayloadTooLarge, "PAYLOAD_TOO_LARGE", "The request body is too large"),
        UnsupportedMediaType => (UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "The body's content type is not accepted"),
        RateLimitExceeded => (RateLimited, "RATE_LIMIT_EXCEEDED", "Too many requests"),
        Internal => (Internal, "INTERNAL_ERROR", "Server error"),
    }
}
