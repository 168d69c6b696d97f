//! Self-registered accounts: the password rule and the profile kept beside
//! the platform account.

use frontline_platform::auth::{Auth, NewUser, User};
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;

use crate::model::{CcError, RegisterRequest};
use crate::store::profiles;

/// The contact-center password policy: 8+ characters with a letter and a digit.
fn check_password(password: &str) -> Option<FieldError> {
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    (password.chars().count() < 8 || !has_letter || !has_digit).then(|| {
        FieldError::new(
            "password",
            "Password must be at least 8 characters and contain a letter and a digit",
        )
    })
}

/// Refuses a password the policy does not accept (before any write).
pub fn check_registration(body: &RegisterRequest) -> ApiResult<()> {
    match check_password(&body.password) {
        Some(problem) => Err(ApiError::validation(vec![problem])),
        None => Ok(()),
    }
}

/// Creates the account (role `contact-center:user`) and its profile in one
/// transaction. A taken e-mail is 409 `DUPLICATE_RESOURCE`.
pub fn register(w: &WriteCtx<'_>, auth: &Auth, body: RegisterRequest) -> ApiResult<User> {
    let user = auth
        .create_user_in(
            w.tx(),
            &NewUser {
                email: body.email,
                password: body.password,
                name: body.full_name.clone(),
                roles: vec!["contact-center:user".into()],
                organization: body.organization.clone(),
            },
        )
        .map_err(|e| {
            if e.code() == "EMAIL_EXISTS" {
                CcError::DuplicateResource
                    .with_message("Email already registered")
                    .with_detail("email", "already registered")
            } else {
                e
            }
        })?;
    profiles::insert(
        w.tx(),
        user.seq,
        &body.full_name,
        body.organization.as_deref(),
    )?;
    Ok(user)
}

/// A profile's full name and organization.
pub type Profile = (String, Option<String>);

/// The signed-in account `user_id` and its profile, if it has one.
pub fn me(conn: &Connection, user_id: &str) -> ApiResult<(User, Option<Profile>)> {
    let user = frontline_platform::auth::find_user(conn, user_id)?
        .ok_or_else(|| ApiError::unauthorized("Invalid authentication token"))?;
    let profile = profiles::get(conn, user.seq)?;
    Ok((user, profile))
}
