//! The chatbot's own error codes.

use frontline_platform::ApiError;

/// 404 `TENANT_NOT_FOUND`: no such tenant, or not one the caller belongs to.
pub fn tenant_not_found() -> ApiError {
    ApiError::not_found("Tenant not found").with_code("TENANT_NOT_FOUND")
}

/// 403 `TENANT_SUSPENDED`.
pub fn tenant_suspended() -> ApiError {
    ApiError::forbidden("The tenant is suspended").with_code("TENANT_SUSPENDED")
}
