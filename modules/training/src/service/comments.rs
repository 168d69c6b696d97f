//! Comments on scenarios, in threads: anyone who may read the scenario
//! comments; only the author (or a training admin) edits or deletes.

use frontline_platform::auth::Principal;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult};
use rusqlite::Connection;
use serde_json::json;

use super::{caller, is_training_admin, new_id, now};
use crate::model::{Comment as CommentAnswer, CommentList, CommentThread};
use crate::store;
use crate::store::comments::{self, Comment};
use crate::SLUG;

fn render(conn: &Connection, scenario_id: &str, c: &Comment) -> ApiResult<CommentAnswer> {
    Ok(CommentAnswer {
        id: c.id.clone(),
        scenario_id: scenario_id.to_string(),
        parent_id: c.parent_id.clone(),
        content: c.content.clone(),
        author: store::person(conn, &c.author_id)?,
        created_at: c.created_at.clone(),
        updated_at: c.updated_at.clone(),
        edited: c.edited,
    })
}

/// The text of a comment: required besides surrounding spaces.
pub fn content_of(content: &str) -> ApiResult<String> {
    match content.trim() {
        "" => Err(ApiError::invalid("content", "Content is required")),
        c => Ok(c.to_string()),
    }
}

/// 403 unless `p` wrote comment `c` or is a training admin.
fn check_author(p: &Principal, c: &Comment, what: &str) -> ApiResult<()> {
    if c.author_id != p.id && !is_training_admin(p) {
        return Err(ApiError::forbidden(format!(
            "Only the author can {what} this comment"
        )));
    }
    Ok(())
}

/// Adds a comment to scenario `id`, or a reply (`parent`): replies to
/// replies join the thread of the top comment.
pub fn add(
    w: &WriteCtx<'_>,
    id: &str,
    content: &str,
    parent: Option<&str>,
) -> ApiResult<CommentAnswer> {
    let p = caller(w)?;
    let content = content_of(content)?;
    let s = store::get(w, id, p)?;
    let parent = match parent {
        Some(pid) => {
            let c = comments::find(w, &s.id, pid).map_err(|_| {
                ApiError::invalid("parentId", "parentId must be a comment of this scenario")
            })?;
            Some(c.parent_id.unwrap_or(c.id))
        }
        None => None,
    };
    let at = now();
    let c = Comment {
        id: new_id("cmt"),
        parent_id: parent,
        author_id: p.id.clone(),
        content,
        created_at: at.clone(),
        updated_at: at,
        edited: false,
    };
    comments::insert(w, &s.id, &c)?;
    w.audit(
        SLUG,
        "comment.create",
        "comment",
        &c.id,
        json!({"scenarioId": s.id}),
    )?;
    render(w, &s.id, &c)
}

/// The comments of scenario `id` as threads, oldest first.
pub fn list(conn: &Connection, id: &str, p: &Principal) -> ApiResult<CommentList> {
    let s = store::get(conn, id, p)?;
    let rows = comments::of_scenario(conn, &s.id)?;
    let mut threads = Vec::new();
    for c in rows.iter().filter(|c| c.parent_id.is_none()) {
        let comment = render(conn, &s.id, c)?;
        let replies = rows
            .iter()
            .filter(|r| r.parent_id.as_deref() == Some(&c.id))
            .map(|r| render(conn, &s.id, r))
            .collect::<ApiResult<Vec<_>>>()?;
        threads.push(CommentThread { comment, replies });
    }
    Ok(CommentList {
        scenario_id: s.id,
        comments: threads,
        total: rows.len() as u64,
    })
}

/// Edits comment `cid` of scenario `id` (its author, or a training admin).
pub fn update(w: &WriteCtx<'_>, id: &str, cid: &str, content: &str) -> ApiResult<CommentAnswer> {
    let p = caller(w)?;
    let content = content_of(content)?;
    let s = store::get(w, id, p)?;
    let mut c = comments::find(w, &s.id, cid)?;
    check_author(p, &c, "edit")?;
    c.content = content;
    c.updated_at = now();
    c.edited = true;
    comments::save_content(w, &c)?;
    w.audit(
        SLUG,
        "comment.update",
        "comment",
        &c.id,
        json!({"scenarioId": s.id}),
    )?;
    render(w, &s.id, &c)
}

/// Deletes comment `cid` of scenario `id` and its replies (its author, or a
/// training admin).
pub fn delete(w: &WriteCtx<'_>, id: &str, cid: &str) -> ApiResult<()> {
    let p = caller(w)?;
    let s = store::get(w, id, p)?;
    let c = comments::find(w, &s.id, cid)?;
    check_author(p, &c, "delete")?;
    comments::remove(w, &c.id)?;
    w.audit(
        SLUG,
        "comment.delete",
        "comment",
        &c.id,
        json!({"scenarioId": s.id}),
    )?;
    Ok(())
}
