//! Domain rules of part 1 (no HTTP types): validation, the campaign status
//! machine, imports, routing and assignment, computed figures.

pub mod accounts;
pub mod campaigns;
pub mod contacts;
pub mod documents;
pub mod ivr;
pub mod kb_search;
pub mod knowledge;
pub mod metrics;
pub mod org;
pub mod queues;
pub mod recordings;
pub mod report_data;
pub mod reports;
pub mod routing;
pub mod voicemail;

use frontline_platform::auth::Principal;
use frontline_platform::write::WriteCtx;
use frontline_platform::ApiResult;

/// The signed-in caller of a write (every contact-center write but the
/// background sweeps has one; those do not call the service's writes).
pub(crate) fn caller<'a>(w: &WriteCtx<'a>) -> ApiResult<&'a Principal> {
    w.principal()
        .ok_or_else(|| crate::model::CcError::AuthenticationError.with_message("Not authenticated"))
}

/// Who may receive an event about a resource owned by the users `seqs`
/// (their `created_by_id`): those users, plus module-wide (admin)
/// subscriptions. The contact center has no subscription API of its own yet,
/// so only subscriptions the platform registers receive these.
pub(crate) fn owners_audience(
    tx: &rusqlite::Connection,
    seqs: &[i64],
) -> frontline_platform::ApiResult<frontline_platform::events::Audience> {
    let mut ids = Vec::new();
    for seq in seqs {
        if let Some(u) = frontline_platform::auth::find_user_by_seq(tx, *seq)? {
            ids.push(u.id);
        }
    }
    Ok(frontline_platform::events::Audience::owners(ids))
}
