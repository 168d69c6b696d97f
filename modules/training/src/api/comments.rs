//! Comments on scenarios, in threads.

use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, ApiResult, Platform};
use poem_openapi::param::Path;
use poem_openapi::OpenApi;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use frontline_platform::body::JsonBody;

use frontline_platform::write::WriteCtx;

use super::guard::*;
use super::{record, Result};
use crate::model::{Comment as CommentAnswer, *};
use crate::service;
use crate::store;

pub struct CommentsApi {
    pub(super) platform: Platform,
}

struct Comment {
    id: String,
    parent_id: Option<String>,
    author_id: String,
    content: String,
    created_at: String,
    updated_at: String,
    edited: bool,
}

const CCOLS: &str = "id, parent_id, author_id, content, created_at, updated_at, edited";

fn comment_row(r: &rusqlite::Row) -> rusqlite::Result<Comment> {
    Ok(Comment {
        id: r.get(0)?,
        parent_id: r.get(1)?,
        author_id: r.get(2)?,
        content: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        edited: r.get(6)?,
    })
}

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

fn find(conn: &Connection, scenario_id: &str, id: &str) -> ApiResult<Comment> {
    conn.query_row(
        &format!("SELECT {CCOLS} FROM training_comments WHERE scenario_id = ?1 AND id = ?2"),
        params![scenario_id, id],
        comment_row,
    )
    .optional()?
    .ok_or_else(|| TrainingError::CommentNotFound.with_message(format!("Comment {id} not found")))
}

fn content_of(content: &str) -> ApiResult<String> {
    match content.trim() {
        "" => Err(ApiError::invalid("content", "Content is required")),
        c => Ok(c.to_string()),
    }
}

/// Comments and collaboration.
#[OpenApi(tag = "ApiTags::Comments")]
impl CommentsApi {
    /// Add a comment, or a reply with `parentId` (`scenario:read`).
    #[oai(path = "/admin/scenarios/:id/comments", method = "post")]
    async fn add(
        &self,
        auth: Can<ScenarioRead>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<CreateCommentRequest>,
    ) -> Result<CreatedAnswer<CommentAnswer>> {
        let p = auth.0;
        let content = content_of(&body.0.content)?;
        let parent = body.0.parent_id;
        let out = self
            .platform
            .db
            .write(move |tx| {
                let s = store::get(tx, &id.0, &p)?;
                let parent = match parent {
                    Some(pid) => {
                        let c = find(tx, &s.id, &pid).map_err(|_| ApiError::invalid("parentId", "parentId must be a comment of this scenario"))?;
                        // Replies to replies join the thread of the top comment.
                        Some(c.parent_id.unwrap_or(c.id))
                    }
                    None => None,
                };
                let now = service::now();
                let c = Comment { id: service::new_id("cmt"), parent_id: parent, author_id: p.id.clone(), content, created_at: now.clone(), updated_at: now, edited: false };
                tx.execute(
                    "INSERT INTO training_comments (id, scenario_id, parent_id, author_id, content, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                    params![c.id, s.id, c.parent_id, c.author_id, c.content, c.created_at],
                )?;
                record(&WriteCtx::new(tx, Some(&p), &meta), "comment.create", "comment", &c.id, json!({"scenarioId": s.id}), None)?;
                render(tx, &s.id, &c)
            })
            .await?;
        Ok(created(out))
    }

    /// List a scenario's comments as threads, oldest first, each with its replies.
    #[oai(path = "/admin/scenarios/:id/comments", method = "get")]
    async fn list(&self, auth: Can<ScenarioRead>, id: Path<String>) -> Result<Answer<CommentList>> {
        let p = auth.0;
        let out = self
            .platform
            .db
            .read(move |conn| {
                let s = store::get(conn, &id.0, &p)?;
                let mut stmt = conn.prepare(&format!(
                    "SELECT {CCOLS} FROM training_comments WHERE scenario_id = ?1 ORDER BY created_at, id"
                ))?;
                let rows = stmt.query_map([&s.id], comment_row)?.collect::<std::result::Result<Vec<_>, _>>()?;
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
                Ok(CommentList { scenario_id: s.id, comments: threads, total: rows.len() as u64 })
            })
            .await?;
        Ok(ok(out))
    }

    /// Edit a comment (its author, or a training admin).
    #[oai(path = "/admin/scenarios/:id/comments/:commentId", method = "patch")]
    async fn update(
        &self,
        auth: Can<ScenarioRead>,
        meta: RequestMeta,
        id: Path<String>,
        #[oai(name = "commentId")] cid: Path<String>,
        body: JsonBody<UpdateCommentRequest>,
    ) -> Result<Answer<CommentAnswer>> {
        let p = auth.0;
        let content = content_of(&body.0.content)?;
        let out = self
            .platform
            .db
            .write(move |tx| {
                let s = store::get(tx, &id.0, &p)?;
                let mut c = find(tx, &s.id, &cid.0)?;
                if c.author_id != p.id && !service::is_training_admin(&p) {
                    return Err(ApiError::forbidden("Only the author can edit this comment"));
                }
                c.content = content;
                c.updated_at = service::now();
                c.edited = true;
                tx.execute(
                    "UPDATE training_comments SET content = ?2, updated_at = ?3, edited = 1 WHERE id = ?1",
                    params![c.id, c.content, c.updated_at],
                )?;
                record(&WriteCtx::new(tx, Some(&p), &meta), "comment.update", "comment", &c.id, json!({"scenarioId": s.id}), None)?;
                render(tx, &s.id, &c)
            })
            .await?;
        Ok(ok(out))
    }

    /// Delete a comment and its replies (its author, or a training admin).
    #[oai(path = "/admin/scenarios/:id/comments/:commentId", method = "delete")]
    async fn delete(
        &self,
        auth: Can<ScenarioRead>,
        meta: RequestMeta,
        id: Path<String>,
        #[oai(name = "commentId")] cid: Path<String>,
    ) -> Result<NoContent> {
        let p = auth.0;
        self.platform
            .db
            .write(move |tx| {
                let s = store::get(tx, &id.0, &p)?;
                let c = find(tx, &s.id, &cid.0)?;
                if c.author_id != p.id && !service::is_training_admin(&p) {
                    return Err(ApiError::forbidden(
                        "Only the author can delete this comment",
                    ));
                }
                tx.execute(
                    "DELETE FROM training_comments WHERE id = ?1 OR parent_id = ?1",
                    [&c.id],
                )?;
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "comment.delete",
                    "comment",
                    &c.id,
                    json!({"scenarioId": s.id}),
                    None,
                )
            })
            .await?;
        Ok(NoContent::NoContent)
    }
}
