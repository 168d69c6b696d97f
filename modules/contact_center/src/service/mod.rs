//! Domain rules of part 1 (no HTTP types): validation, the campaign status
//! machine, imports, routing and assignment, computed figures.

pub mod campaigns;
pub mod contacts;
pub mod org;
pub mod queues;

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
