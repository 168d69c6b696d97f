//! Comments on scenarios, in threads.

use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, ApiResult, Platform};
use poem_openapi::param::Path;
use poem_openapi::OpenApi;
use rusqlite::Connection;
use serde_json::json;

use frontline_platform::body::JsonBody;

use frontline_platform::write::WriteCtx;

use super::guard::*;
use super::{record, Result};
use crate::model::{Comment as CommentAnswer, *};
use crate::service;
use crate::store;
use crate::store::comments::{self as comments, Comment};

pub struct CommentsApi {
    pub(super) platform: Platform,
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
                        let c = comments::find(tx, &s.id, &pid).map_err(|_| {
                            ApiError::invalid(
                                "parentId",
                                "parentId must be a comment of this scenario",
                            )
                        })?;
                        // Replies to replies join the thread of the top comment.
                        Some(c.parent_id.unwrap_or(c.id))
                    }
                    None => None,
                };
                let now = service::now();
                let c = Comment {
                    id: service::new_id("cmt"),
                    parent_id: parent,
                    author_id: p.id.clone(),
                    content,
                    created_at: now.clone(),
                    updated_at: now,
                    edited: false,
                };
                comments::insert(tx, &s.id, &c)?;
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "comment.create",
                    "comment",
                    &c.id,
                    json!({"scenarioId": s.id}),
                    None,
                )?;
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
                let mut c = comments::find(tx, &s.id, &cid.0)?;
                if c.author_id != p.id && !service::is_training_admin(&p) {
                    return Err(ApiError::forbidden("Only the author can edit this comment"));
                }
                c.content = content;
                c.updated_at = service::now();
                c.edited = true;
                comments::save_content(tx, &c)?;
                record(
                    &WriteCtx::new(tx, Some(&p), &meta),
                    "comment.update",
                    "comment",
                    &c.id,
                    json!({"scenarioId": s.id}),
                    None,
                )?;
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
                let c = comments::find(tx, &s.id, &cid.0)?;
                if c.author_id != p.id && !service::is_training_admin(&p) {
                    return Err(ApiError::forbidden(
                        "Only the author can delete this comment",
                    ));
                }
                comments::remove(tx, &c.id)?;
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
