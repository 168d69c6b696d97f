//! The contact center's one error table: every code it answers with, its
//! status and its meaning. The document's own list (`VALIDATION_ERROR`,
//! `AUTHENTICATION_ERROR`, `AUTHORIZATION_ERROR`, `NOT_FOUND`,
//! `DUPLICATE_RESOURCE`, `RATE_LIMIT_EXCEEDED`, `EXTERNAL_SERVICE_ERROR`) is
//! the only code for its status; the other rows name what the document has
//! no code for (state conflicts, unreadable requests, server faults).

use frontline_platform::{ApiError, ErrorKind, FieldError};

frontline_platform::error_codes! {
    /// The codes of the contact-center document.
    pub enum CcError {
        ValidationError => (Validation, "VALIDATION_ERROR", "Input validation failed"),
        AuthenticationError => (Unauthorized, "AUTHENTICATION_ERROR", "Authentication failed: no token, or an invalid, expired or revoked one"),
        AuthorizationError => (Forbidden, "AUTHORIZATION_ERROR", "Insufficient permissions"),
        NotFound => (NotFound, "NOT_FOUND", "Resource not found"),
        DuplicateResource => (Conflict, "DUPLICATE_RESOURCE", "Resource already exists"),
        RateLimitExceeded => (RateLimited, "RATE_LIMIT_EXCEEDED", "Too many requests"),
        ExternalServiceError => (Unavailable, "EXTERNAL_SERVICE_ERROR", "Third-party service error"),
        BadRequest => (BadRequest, "BAD_REQUEST", "The request could not be read"),
        MethodNotAllowed => (MethodNotAllowed, "METHOD_NOT_ALLOWED", "Method not allowed for this resource"),
        PayloadTooLarge => (PayloadTooLarge, "PAYLOAD_TOO_LARGE", "The request body is larger than the limit"),
        UnsupportedMediaType => (UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "The request's content type is not accepted here"),
        UnsupportedFileType => (UnsupportedMediaType, "UNSUPPORTED_FILE_TYPE", "The uploaded document is not PDF, DOCX, TXT, Markdown or CSV"),
        InvalidStatusTransition => (Conflict, "INVALID_STATUS_TRANSITION", "The record cannot move from its status to the one asked for"),
        CampaignClosed => (Conflict, "CAMPAIGN_CLOSED", "The campaign is completed or archived and can no longer be changed"),
        CampaignActive => (Conflict, "CAMPAIGN_ACTIVE", "Pause or complete the campaign first"),
        CampaignNotEmpty => (Conflict, "CAMPAIGN_NOT_EMPTY", "The campaign still has contacts or call lists"),
        CampaignHasNoContacts => (Conflict, "CAMPAIGN_HAS_NO_CONTACTS", "A campaign starts only with at least one contact"),
        CampaignEnded => (Conflict, "CAMPAIGN_ENDED", "The campaign's end date has passed"),
        CampaignLimitReached => (Conflict, "CAMPAIGN_LIMIT_REACHED", "The campaign reached its max_daily_calls for today"),
        TeamFull => (Conflict, "TEAM_FULL", "The team has max_agents agents already"),
        AgentOnCall => (Conflict, "AGENT_ON_CALL", "The agent is handling a call"),
        AgentNotEligible => (Conflict, "AGENT_NOT_ELIGIBLE", "The agent cannot take this call"),
        NoAgentAvailable => (Conflict, "NO_AGENT_AVAILABLE", "No available agent can take the call"),
        QueueNotActive => (Conflict, "QUEUE_NOT_ACTIVE", "The queue is paused or closed"),
        QueueFull => (Conflict, "QUEUE_FULL", "The queue holds max_size calls already"),
        QueueEmpty => (Conflict, "QUEUE_EMPTY", "No call is waiting in the queue"),
        QueueNotEmpty => (Conflict, "QUEUE_NOT_EMPTY", "Calls are still waiting in the queue"),
        CallNotWaiting => (Conflict, "CALL_NOT_WAITING", "The call is no longer waiting in a queue"),
        CallNotInProgress => (Conflict, "CALL_NOT_IN_PROGRESS", "The call is not in progress"),
        TemplateInUse => (Conflict, "TEMPLATE_IN_USE", "Schedules still use the report template"),
        ReportNotReady => (Conflict, "REPORT_NOT_READY", "The report is still generating"),
        ReportFailed => (Conflict, "REPORT_FAILED", "The report could not be generated"),
        ReportExpired => (Gone, "REPORT_EXPIRED", "The report has expired; generate it again"),
        TranscriptionRequired => (Conflict, "TRANSCRIPTION_REQUIRED", "The recording has no transcription yet"),
        FlowNotActive => (Conflict, "FLOW_NOT_ACTIVE", "The IVR flow is inactive and takes no calls"),
        FlowNotPublished => (Conflict, "FLOW_NOT_PUBLISHED", "The IVR flow has no published version"),
        SessionEnded => (Conflict, "SESSION_ENDED", "The IVR session has already ended"),
        AlertResolved => (Conflict, "ALERT_RESOLVED", "The alert is already resolved"),
        InternalError => (Internal, "INTERNAL_ERROR", "Unexpected server error"),
        ServiceUnavailable => (Unavailable, "SERVICE_UNAVAILABLE", "The server is busy; retry shortly"),
        StorageFull => (Unavailable, "STORAGE_FULL", "The data directory is full; writes resume when space returns"),
        StorageReadOnly => (Unavailable, "STORAGE_READ_ONLY", "The data directory is not writable"),
    }
}

impl CcError {
    /// The table's code for an error of `kind` raised outside the table
    /// (by the framework or the platform).
    pub fn of_kind(kind: ErrorKind) -> CcError {
        match kind {
            ErrorKind::Validation => CcError::ValidationError,
            ErrorKind::BadRequest => CcError::BadRequest,
            ErrorKind::Unauthorized => CcError::AuthenticationError,
            ErrorKind::Forbidden => CcError::AuthorizationError,
            ErrorKind::NotFound => CcError::NotFound,
            ErrorKind::MethodNotAllowed => CcError::MethodNotAllowed,
            // A conflict with no code of its own is a unique constraint.
            ErrorKind::Conflict => CcError::DuplicateResource,
            ErrorKind::Gone => CcError::ReportExpired,
            ErrorKind::PayloadTooLarge => CcError::PayloadTooLarge,
            ErrorKind::UnsupportedMediaType => CcError::UnsupportedMediaType,
            ErrorKind::RateLimited => CcError::RateLimitExceeded,
            ErrorKind::Internal => CcError::InternalError,
            ErrorKind::Unavailable => CcError::ServiceUnavailable,
        }
    }

    /// The code `err` answers with: its own when the table has it (for its
    /// kind), else the table's code of its kind.
    pub fn code_of(err: &ApiError) -> &'static str {
        let code = err.code();
        CcError::ALL
            .iter()
            .find(|c| c.code() == code && c.kind() == err.kind)
            .copied()
            .unwrap_or_else(|| CcError::of_kind(err.kind))
            .code()
    }

    /// `VALIDATION_ERROR` naming every bad field.
    pub fn fields(errors: Vec<FieldError>) -> ApiError {
        let mut err = ApiError::validation(errors);
        err.code = Some(CcError::ValidationError.code().into());
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_maps_to_a_row_of_its_own_kind() {
        for kind in [
            ErrorKind::Validation,
            ErrorKind::BadRequest,
            ErrorKind::Unauthorized,
            ErrorKind::Forbidden,
            ErrorKind::NotFound,
            ErrorKind::MethodNotAllowed,
            ErrorKind::Conflict,
            ErrorKind::Gone,
            ErrorKind::PayloadTooLarge,
            ErrorKind::UnsupportedMediaType,
            ErrorKind::RateLimited,
            ErrorKind::Internal,
            ErrorKind::Unavailable,
        ] {
            assert_eq!(CcError::of_kind(kind).kind(), kind);
        }
        let storage = ApiError::unavailable("full").with_code("STORAGE_FULL");
        assert_eq!(CcError::code_of(&storage), "STORAGE_FULL");
        let db = ApiError::internal("Database error").with_code("DATABASE_ERROR");
        assert_eq!(CcError::code_of(&db), "INTERNAL_ERROR");
        let own = CcError::QueueFull.error();
        assert_eq!(CcError::code_of(&own), "QUEUE_FULL");
    }
}
