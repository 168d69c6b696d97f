//! Comments on scenarios, in threads.

use frontline_platform::body::JsonBody;
use frontline_platform::http::RequestMeta;
use frontline_platform::write;
use frontline_platform::Platform;
use poem_openapi::param::Path;
use poem_openapi::OpenApi;

use super::guard::*;
use super::Result;
use crate::model::{Comment as CommentAnswer, *};
use crate::service;

pub struct CommentsApi {
    pub(super) platform: Platform,
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
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::comments::add(w, &id.0, &body.0.content, body.0.parent_id.as_deref())
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
            .read(move |conn| service::comments::list(conn, &id.0, &p))
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
        let out = write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::comments::update(w, &id.0, &cid.0, &body.0.content)
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
        write::transact(&self.platform.db, Some(auth.0), meta, move |w| {
            service::comments::delete(w, &id.0, &cid.0)
        })
        .await?;
        Ok(NoContent::NoContent)
    }
}
