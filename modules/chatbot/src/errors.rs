//! The chatbot's error table: every code it answers with besides the
//! platform's own (`VALIDATION_ERROR`, `UNAUTHORIZED`, `FORBIDDEN`, ...), with
//! its status and meaning. Handlers and the document both draw from it.

use frontline_platform::ApiError;

frontline_platform::error_codes! {
    /// Errors of the chatbot module.
    pub enum ChatbotError {
        /// The plan's monthly API calls (`api_calls_limit`) are used up until the next UTC month.
        ApiCallLimitReached => (RateLimited, "API_CALL_LIMIT_REACHED", "The plan's monthly API calls (api_calls_limit) are used up until the next UTC month"),
        /// No knowledge article has this id in the tenant.
        ArticleNotFound => (NotFound, "ARTICLE_NOT_FOUND", "No knowledge article has this id in the tenant"),
        /// Another tenant already uses this channel identity.
        ChannelIdentityTaken => (Conflict, "CHANNEL_IDENTITY_TAKEN", "Another tenant already uses this channel identity"),
        /// The channel is not configured for the tenant.
        ChannelNotConfigured => (Forbidden, "CHANNEL_NOT_CONFIGURED", "The channel is not configured for the tenant"),
        /// The tenant may not use this channel (plan features or channels.<ch>.enabled).
        ChannelNotEnabled => (Forbidden, "CHANNEL_NOT_ENABLED", "The tenant may not use this channel (plan features or channels.<ch>.enabled)"),
        /// No tenant has this channel identity configured.
        ChannelNotFound => (NotFound, "CHANNEL_NOT_FOUND", "No tenant has this channel identity configured"),
        /// Another agent has claimed the conversation.
        ConversationClaimed => (Conflict, "CONVERSATION_CLAIMED", "Another agent has claimed the conversation"),
        /// The conversation is closed.
        ConversationClosed => (Conflict, "CONVERSATION_CLOSED", "The conversation is closed"),
        /// Only a closed conversation can be reopened.
        ConversationNotClosed => (Conflict, "CONVERSATION_NOT_CLOSED", "Only a closed conversation can be reopened"),
        /// No conversation has this id in the caller's reach.
        ConversationNotFound => (NotFound, "CONVERSATION_NOT_FOUND", "No conversation has this id in the caller's reach"),
        /// The message id is already used for another message.
        DuplicateMessageId => (Conflict, "DUPLICATE_MESSAGE_ID", "The message id is already used for another message"),
        /// The caller lacks the permission the operation needs.
        InsufficientPermissions => (Forbidden, "INSUFFICIENT_PERMISSIONS", "The caller lacks the permission the operation needs"),
        /// No generic integration has this id in the tenant.
        IntegrationNotFound => (NotFound, "INTEGRATION_NOT_FOUND", "No generic integration has this id in the tenant"),
        /// No open invitation has this token (unknown, used, replaced or expired).
        InvitationNotFound => (NotFound, "INVITATION_NOT_FOUND", "No open invitation has this token (unknown, used, replaced or expired)"),
        /// A channel webhook payload does not match its schema.
        InvalidPayload => (BadRequest, "INVALID_PAYLOAD", "A channel webhook payload does not match its schema"),
        /// The webhook signature or token is missing or wrong.
        InvalidSignature => (Unauthorized, "INVALID_SIGNATURE", "The webhook signature or token is missing or wrong"),
        /// The webhook verification token is wrong.
        InvalidVerifyToken => (Forbidden, "INVALID_VERIFY_TOKEN", "The webhook verification token is wrong"),
        /// No message has this id in the caller's reach.
        MessageNotFound => (NotFound, "MESSAGE_NOT_FOUND", "No message has this id in the caller's reach"),
        /// The tenant's plan limit is reached.
        PlanLimitReached => (Forbidden, "PLAN_LIMIT_REACHED", "The tenant's plan limit is reached"),
        /// The signed request was already received.
        ReplayedRequest => (Unauthorized, "REPLAYED_REQUEST", "The signed request was already received"),
        /// The session has ended.
        SessionEnded => (Conflict, "SESSION_ENDED", "The session has ended"),
        /// The session token's session has ended or expired.
        SessionExpired => (Unauthorized, "SESSION_EXPIRED", "The session token's session has ended or expired"),
        /// The request does not match the session token's session.
        SessionMismatch => (Forbidden, "SESSION_MISMATCH", "The request does not match the session token's session"),
        /// The session is not active.
        SessionNotActive => (Conflict, "SESSION_NOT_ACTIVE", "The session is not active"),
        /// No session has this id in the caller's reach.
        SessionNotFound => (NotFound, "SESSION_NOT_FOUND", "No session has this id in the caller's reach"),
        /// Another tenant uses this domain.
        TenantExists => (Conflict, "TENANT_EXISTS", "Another tenant uses this domain"),
        /// No such tenant, or not one the caller belongs to.
        TenantNotFound => (NotFound, "TENANT_NOT_FOUND", "No such tenant, or not one the caller belongs to"),
        /// The tenant is suspended.
        TenantSuspended => (Forbidden, "TENANT_SUSPENDED", "The tenant is suspended"),
        /// The user is already a member of the tenant.
        UserExists => (Conflict, "USER_EXISTS", "The user is already a member of the tenant"),
        /// No webhook subscription has this id in the tenant.
        WebhookNotFound => (NotFound, "WEBHOOK_NOT_FOUND", "No webhook subscription has this id in the tenant"),
    }
}

/// 404 `TENANT_NOT_FOUND`: no such tenant, or not one the caller belongs to.
pub fn tenant_not_found() -> ApiError {
    ChatbotError::TenantNotFound.with_message("Tenant not found")
}

/// 403 `TENANT_SUSPENDED`.
pub fn tenant_suspended() -> ApiError {
    ChatbotError::TenantSuspended.with_message("The tenant is suspended")
}
