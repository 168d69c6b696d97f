//! Visitor sessions: create, read, update, end, extend, context.

use frontline_platform::{ApiError, FieldError, Platform};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use super::*;
use crate::access::{self, caller};
use crate::service::sessions;
use crate::service::*;
use crate::store::*;

pub struct SessionsApi {
    pub platform: Platform,
}

#[OpenApi]
impl SessionsApi {
    /// Start a session. Without credentials a visitor session is created for the
    /// tenant named in `X-Tenant-ID`. The `session_token` is shown once.
    #[oai(path = "/sessions", method = "post", tag = "ApiTags::Sessions")]
    async fn create_session(&self, req: &Request, body: Json<Value>) -> Result<Created> {
        let tenant = if req.headers().contains_key("authorization") {
            caller(&self.platform, req, None).await?.tenant_id
        } else {
            let t = req
                .headers()
                .get("x-tenant-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .ok_or_else(|| {
                    ApiError::invalid("X-Tenant-ID", "X-Tenant-ID header is required")
                })?;
            let t2 = t.clone();
            let found: Option<String> = self
                .platform
                .db
                .read(move |c| {
                    Ok(c.query_row(
                        "SELECT id FROM chatbot_tenants WHERE id = ?1 AND status = 'active'",
                        params![t2],
                        |r| r.get(0),
                    )
                    .optional()?)
                })
                .await?;
            found.ok_or_else(access::tenant_not_found)?;
            t
        };
        let body = body_obj(&body)?.clone();
        let mut errs = vec![];
        let channel = str_of(&body, "channel").unwrap_or_else(|| "web".into());
        if !CHANNELS.contains(&channel.as_str()) {
            errs.push(FieldError::new("channel", "unknown channel"));
        }
        let user = str_of(&body, "user_id").unwrap_or_default();
        if user.trim().is_empty() {
            errs.push(FieldError::new("user_id", "user_id is required"));
        }
        let timeout = body
            .pointer("/session_config/timeout_minutes")
            .map(|v| v.as_i64().unwrap_or(-1))
            .unwrap_or(30);
        if !(1..=1440).contains(&timeout) {
            errs.push(FieldError::new(
                "session_config.timeout_minutes",
                "timeout_minutes must be 1-1440",
            ));
        }
        let initial = body.get("initial_context").cloned().unwrap_or(json!({}));
        if !initial.is_object() {
            errs.push(FieldError::new(
                "initial_context",
                "initial_context must be an object",
            ));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let mut context = initial.clone();
        if let Some(url) = initial.get("page_url").and_then(Value::as_str) {
            context["current_page"] = json!(url);
            context["pages_visited"] = json!([url]);
            if let Some(p) = url.split("/products/").nth(1) {
                let p = p.split(['?', '#', '/']).next().unwrap_or_default();
                if !p.is_empty() {
                    context["product_interest"] = json!(p);
                }
            }
        }
        let data = self
            .platform
            .db
            .write(move |tx| {
                sessions::create(tx, &tenant, &user, &channel, context.clone(), timeout)
            })
            .await?;
        Ok(Created::Ok(ok(data)))
    }

    /// Session details; status is `expired` once `expires_at` has passed.
    #[oai(path = "/sessions/:id", method = "get", tag = "ApiTags::Sessions")]
    async fn get_session(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| session_json(c, &who.tenant_id, &id))
            .await?;
        Ok(ok(data))
    }

    /// Update a session's `user_id`, `channel` or `status` (`active`/`ended`).
    #[oai(path = "/sessions/:id", method = "put", tag = "ApiTags::Sessions")]
    async fn update_session(
        &self,
        req: &Request,
        id: Path<String>,
        body: Json<Value>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        if let Some(s) = str_of(&body, "status") {
            if !["active", "ended"].contains(&s.as_str()) {
                return Err(ApiError::invalid("status", "status must be active or ended").into());
            }
        }
        if let Some(ch) = str_of(&body, "channel") {
            if !CHANNELS.contains(&ch.as_str()) {
                return Err(ApiError::invalid("channel", "unknown channel").into());
            }
        }
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| sessions::update(tx, &who.tenant_id, &id, &body))
            .await?;
        Ok(ok(data))
    }

    /// End a session.
    #[oai(path = "/sessions/:id", method = "delete", tag = "ApiTags::Sessions")]
    async fn end_session(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| sessions::end(tx, &who.tenant_id, &id))
            .await?;
        Ok(ok(data))
    }

    /// Extend an active session by `extend_by_minutes` (1-1440).
    #[oai(
        path = "/sessions/:id/extend",
        method = "post",
        tag = "ApiTags::Sessions"
    )]
    async fn extend_session(
        &self,
        req: &Request,
        id: Path<String>,
        body: Json<Value>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let by = body
            .0
            .get("extend_by_minutes")
            .map(|v| v.as_i64().unwrap_or(-1))
            .unwrap_or(30);
        if !(1..=1440).contains(&by) {
            return Err(
                ApiError::invalid("extend_by_minutes", "extend_by_minutes must be 1-1440").into(),
            );
        }
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| sessions::extend(tx, &who.tenant_id, &id, by))
            .await?;
        Ok(ok(data))
    }

    /// The session's context.
    #[oai(
        path = "/sessions/:id/context",
        method = "get",
        tag = "ApiTags::Sessions"
    )]
    async fn get_context(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| sessions::context(c, &who.tenant_id, &id))
            .await?;
        Ok(ok(data))
    }

    /// Merge `context_updates` into the context; `append_to_history` appends
    /// to history lists (`page_visits` also extends `pages_visited`).
    #[oai(
        path = "/sessions/:id/context",
        method = "put",
        tag = "ApiTags::Sessions"
    )]
    async fn put_context(
        &self,
        req: &Request,
        id: Path<String>,
        body: Json<Value>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        let updates = body.get("context_updates").cloned().unwrap_or(json!({}));
        let append = body.get("append_to_history").cloned().unwrap_or(json!({}));
        if !updates.is_object() {
            return Err(
                ApiError::invalid("context_updates", "context_updates must be an object").into(),
            );
        }
        if !append.is_object() {
            return Err(ApiError::invalid(
                "append_to_history",
                "append_to_history must be an object",
            )
            .into());
        }
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| sessions::update_context(tx, &who.tenant_id, &id, &updates, &append))
            .await?;
        Ok(ok(data))
    }
}
