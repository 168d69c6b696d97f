//! Conversation lists, details, transfer, close/reopen, summary and analytics.

use frontline_platform::auth::now_iso;
use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, FieldError, Platform};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use super::*;
use crate::access::caller;
use crate::service::*;
use crate::store::*;

pub struct ConversationsApi {
    pub platform: Platform,
}

#[OpenApi]
impl ConversationsApi {
    /// List the tenant's conversations. Filters: `status`, `channel`, `user_id`,
    /// `date_from`/`date_to` (YYYY-MM-DD), `search` (message text); sort
    /// `last_activity_desc` (default), `last_activity_asc`, `started_at_desc`, `started_at_asc`.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/conversations",
        method = "get",
        tag = "ApiTags::Conversations"
    )]
    async fn list_conversations(
        &self,
        req: &Request,
        status: Query<Option<String>>,
        channel: Query<Option<String>>,
        user_id: Query<Option<String>>,
        date_from: Query<Option<String>>,
        date_to: Query<Option<String>>,
        search: Query<Option<String>>,
        sort: Query<Option<String>>,
        page: Query<Option<u32>>,
        limit: Query<Option<u32>>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let (page, limit) = pagination(
            page.0,
            limit.0,
            self.platform.settings.max_page_size.min(100),
        )?;
        let order = match sort.0.as_deref().unwrap_or("last_activity_desc") {
            "last_activity_desc" => "c.last_activity_at DESC",
            "last_activity_asc" => "c.last_activity_at ASC",
            "started_at_desc" | "created_at" => "c.started_at DESC",
            "started_at_asc" => "c.started_at ASC",
            _ => return Err(ApiError::invalid("sort", "sort must be last_activity_desc, last_activity_asc, started_at_desc or started_at_asc").into()),
        };
        if let Some(s) = status.0.as_deref() {
            if !["active", "transferred", "closed"].contains(&s) {
                return Err(ApiError::invalid(
                    "status",
                    "status must be active, transferred or closed",
                )
                .into());
            }
        }
        for (name, d) in [("date_from", &date_from.0), ("date_to", &date_to.0)] {
            if let Some(d) = d {
                if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                    return Err(ApiError::invalid(name, "dates are YYYY-MM-DD").into());
                }
            }
        }
        let (status, channel, user_id, date_from, date_to, search) = (
            status.0,
            channel.0,
            user_id.0,
            date_from.0,
            date_to.0,
            search.0,
        );
        let data = self
            .platform
            .db
            .read(move |c| {
                let filter = "c.tenant_id = ?1 AND (?2 IS NULL OR c.status = ?2) AND (?3 IS NULL OR c.channel = ?3)
                    AND (?4 IS NULL OR c.user_id = ?4) AND (?5 IS NULL OR c.started_at >= ?5)
                    AND (?6 IS NULL OR c.started_at < date(?6, '+1 day'))
                    AND (?7 IS NULL OR EXISTS (SELECT 1 FROM chatbot_messages s WHERE s.tenant_id = c.tenant_id AND s.conversation_id = c.id
                         AND lower(json_extract(s.content, '$.text')) LIKE '%' || lower(?7) || '%'))";
                let p = params![who.tenant_id, status, channel, user_id, date_from, date_to, search];
                let total: i64 = c.query_row(&format!("SELECT COUNT(*) FROM chatbot_conversations c WHERE {filter}"), p, |r| r.get(0))?;
                let mut st = c.prepare(&format!("{CONV_SELECT} WHERE {filter} ORDER BY {order}, c.id LIMIT {limit} OFFSET {}", (page - 1) * limit))?;
                let rows: Vec<Value> = st.query_map(p, conv_json)?.collect::<std::result::Result<_, _>>()?;
                Ok(json!({
                    "conversations": rows,
                    "pagination": {"total": total, "page": page, "page_size": limit, "has_next": (page as i64) * (limit as i64) < total}
                }))
            })
            .await?;
        Ok(ok(data))
    }

    /// One conversation with its context (intent, extracted entities), messages
    /// (`include_messages`, `message_limit` up to 500) and summary.
    #[oai(
        path = "/conversations/:id",
        method = "get",
        tag = "ApiTags::Conversations"
    )]
    async fn get_conversation(
        &self,
        req: &Request,
        id: Path<String>,
        include_messages: Query<Option<bool>>,
        message_limit: Query<Option<u32>>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let include = include_messages.0.unwrap_or(true);
        let lim = message_limit.0.unwrap_or(100).clamp(1, 500) as i64;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| {
                let mut conv = load_conv(c, &who.tenant_id, &id)?;
                let entities: String = c.query_row(
                    "SELECT entities FROM chatbot_conversations WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, id],
                    |r| r.get(0),
                )?;
                conv["context"] = json!({"current_intent": conv["current_intent"], "entities": parse_json(&entities)});
                if include {
                    conv["messages"] = json!(messages_of(c, &who.tenant_id, &id, lim)?);
                }
                let s = summary_of(c, &who.tenant_id, &id)?;
                conv["summary"] = json!({
                    "total_messages": s["total_messages"], "duration_minutes": s["duration_minutes"],
                    "resolution_status": s["resolution_status"], "escalation_count": s["escalation_count"]
                });
                Ok(conv)
            })
            .await?;
        Ok(ok(data))
    }

    /// Hand the conversation to a human agent. The estimated wait is the number of
    /// queued transfers ahead in the same department times the tenant's
    /// `chatbot.average_handle_minutes` (default 5).
    #[oai(
        path = "/conversations/:id/transfer",
        method = "post",
        tag = "ApiTags::Conversations"
    )]
    async fn transfer(
        &self,
        req: &Request,
        meta: RequestMeta,
        id: Path<String>,
        body: Json<Value>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body = body_obj(&body)?.clone();
        let reason = str_of(&body, "transfer_reason").unwrap_or_default();
        let priority = str_of(&body, "priority").unwrap_or_else(|| "normal".into());
        let mut errs = vec![];
        if reason.trim().is_empty() {
            errs.push(FieldError::new(
                "transfer_reason",
                "transfer_reason is required",
            ));
        }
        if !["low", "normal", "high", "urgent"].contains(&priority.as_str()) {
            errs.push(FieldError::new(
                "priority",
                "priority must be low, normal, high or urgent",
            ));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs).into());
        }
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                let conv = load_conv(tx, &who.tenant_id, &id)?;
                if conv["status"] == "closed" {
                    return Err(ApiError::conflict("Conversation is closed").with_code("CONVERSATION_CLOSED"));
                }
                let dept = str_of(&body, "department").unwrap_or_else(|| "general".into());
                let agent = str_of(&body, "agent_id");
                let config = tenant_config(tx, &who.tenant_id)?;
                let handle = config.pointer("/chatbot/average_handle_minutes").and_then(Value::as_i64).unwrap_or(5);
                let ahead: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM chatbot_transfers WHERE tenant_id = ?1 AND status = 'queued' AND COALESCE(department,'general') = ?2 AND conversation_id != ?3",
                    params![who.tenant_id, dept, id],
                    |r| r.get(0),
                )?;
                let wait = ahead * handle;
                let agent_name: Option<String> = match &agent {
                    Some(a) => tx
                        .query_row(
                            "SELECT trim(COALESCE(first_name,'') || ' ' || COALESCE(last_name,'')) FROM chatbot_members WHERE tenant_id = ?1 AND id = ?2",
                            params![who.tenant_id, a],
                            |r| r.get(0),
                        )
                        .optional()?,
                    None => None,
                };
                if agent.is_some() && agent_name.is_none() {
                    return Err(ApiError::invalid("agent_id", "agent_id is not a member of this tenant"));
                }
                // Replace any earlier queued transfer of this conversation.
                tx.execute(
                    "UPDATE chatbot_transfers SET status = 'superseded' WHERE tenant_id = ?1 AND conversation_id = ?2 AND status = 'queued'",
                    params![who.tenant_id, id],
                )?;
                let tid = new_id("transfer");
                tx.execute(
                    "INSERT INTO chatbot_transfers (id, tenant_id, conversation_id, reason, note, department, priority, agent_id, status, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', ?9)",
                    params![tid, who.tenant_id, id, reason, str_of(&body, "transfer_note"), dept, priority, agent, now_iso()],
                )?;
                let was = conv["status"].as_str().unwrap_or_default().to_string();
                tx.execute(
                    "UPDATE chatbot_conversations SET status = 'transferred', escalation_count = escalation_count + ?3, last_activity_at = ?4 WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, id, (was != "transferred") as i64, now_iso()],
                )?;
                audit_in(tx, &who, &meta, "conversation.transfer", "conversation", &id, json!({"department": dept, "priority": priority}))?;
                emit(tx, &who.tenant_id, "conversation.transferred", json!({"conversation_id": id, "reason": body.get("transfer_reason"), "department": dept, "priority": priority}))?;
                let who_txt = agent_name.clone().filter(|n| !n.is_empty()).map(|n| format!("{n} from {dept}")).unwrap_or_else(|| format!("the next available {dept} agent"));
                Ok(json!({
                    "transfer_id": tid,
                    "assigned_agent": agent.as_ref().map(|a| json!({"agent_id": a, "name": agent_name, "department": dept})),
                    "queue_position": ahead + 1,
                    "estimated_wait_time_minutes": wait,
                    "transfer_message": format!("I'm connecting you with {who_txt}. Estimated wait time: {wait} minutes."),
                }))
            })
            .await?;
        Ok(ok(data))
    }

    /// Close a conversation (409 when already closed).
    #[oai(
        path = "/conversations/:id/close",
        method = "post",
        tag = "ApiTags::Conversations"
    )]
    async fn close(
        &self,
        req: &Request,
        meta: RequestMeta,
        id: Path<String>,
        body: Vec<u8>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let body: Value = if body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            serde_json::from_slice(&body)
                .map_err(|_| ApiError::bad_request("The request body must be JSON"))?
        };
        let reason = str_of(&body, "reason").unwrap_or_else(|| "resolved".into());
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                let conv = load_conv(tx, &who.tenant_id, &id)?;
                if conv["status"] == "closed" {
                    return Err(ApiError::conflict("Conversation is already closed").with_code("CONVERSATION_CLOSED"));
                }
                let now = now_iso();
                tx.execute(
                    "UPDATE chatbot_conversations SET status = 'closed', closed_at = ?3, close_reason = ?4, last_activity_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, id, now, reason],
                )?;
                tx.execute(
                    "UPDATE chatbot_transfers SET status = 'cancelled' WHERE tenant_id = ?1 AND conversation_id = ?2 AND status = 'queued'",
                    params![who.tenant_id, id],
                )?;
                audit_in(tx, &who, &meta, "conversation.close", "conversation", &id, json!({"reason": reason}))?;
                emit(tx, &who.tenant_id, "conversation.closed", json!({"conversation_id": id, "reason": reason}))?;
                Ok(json!({"conversation_id": id, "status": "closed", "closed_at": now, "close_reason": reason}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Reopen a closed conversation (409 when it is not closed).
    #[oai(
        path = "/conversations/:id/reopen",
        method = "post",
        tag = "ApiTags::Conversations"
    )]
    async fn reopen(
        &self,
        req: &Request,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| {
                let conv = load_conv(tx, &who.tenant_id, &id)?;
                if conv["status"] != "closed" {
                    return Err(ApiError::conflict("Conversation is not closed").with_code("CONVERSATION_NOT_CLOSED"));
                }
                let now = now_iso();
                tx.execute(
                    "UPDATE chatbot_conversations SET status = 'active', closed_at = NULL, close_reason = NULL, fallback_count = 0, last_activity_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
                    params![who.tenant_id, id, now],
                )?;
                audit_in(tx, &who, &meta, "conversation.reopen", "conversation", &id, json!({}))?;
                emit(tx, &who.tenant_id, "conversation.reopened", json!({"conversation_id": id}))?;
                Ok(json!({"conversation_id": id, "status": "active", "reopened_at": now}))
            })
            .await?;
        Ok(ok(data))
    }

    /// Export the conversation (messages within `date_range`, optionally its
    /// metadata and analytics) as `json` or `csv` into the file store. The
    /// answer carries a signed download link that expires after 24 hours.
    #[oai(
        path = "/conversations/:id/export",
        method = "post",
        tag = "ApiTags::Conversations"
    )]
    async fn export(
        &self,
        req: &Request,
        meta: RequestMeta,
        id: Path<String>,
        body: Json<Value>,
    ) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let req_body = body_obj(&body)?.clone();
        let spec = export_spec(&req_body)?;
        let id = id.0;
        let (tenant, conv_id, spec2) = (who.tenant_id.clone(), id.clone(), spec.clone());
        let bytes = self
            .platform
            .db
            .read(move |c| export_document(c, &tenant, &conv_id, &spec2))
            .await?;
        let ttl = std::time::Duration::from_secs(EXPORT_TTL_SECS);
        let filename = format!("{id}.{}", spec.format);
        let new = frontline_platform::files::NewFile::new(crate::SLUG, &filename)
            .media_type(if spec.format == "csv" {
                "text/csv"
            } else {
                "application/json"
            })
            .owner(&who.tenant_id)
            .expires_in(ttl);
        let pending = self.platform.files.write_blob(new, bytes).await?;
        let stored = self
            .platform
            .db
            .write(move |tx| {
                let f = frontline_platform::files::record(tx, &pending)?;
                audit_in(
                    tx,
                    &who,
                    &meta,
                    "EXPORT",
                    "conversation",
                    &id,
                    json!({"format": spec.format, "file_id": f.id, "bytes": f.size}),
                )?;
                Ok(f)
            })
            .await?;
        let (url, expires) = self.platform.files.signed_url(&stored.id, ttl);
        Ok(ok(json!({
            "export_id": format!("export_{}", stored.id),
            "download_url": url,
            "format": export_format_of(&stored.filename),
            "expires_at": expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "file_size_bytes": stored.size,
        })))
    }

    /// Summary computed from the conversation's messages.
    #[oai(
        path = "/conversations/:id/summary",
        method = "get",
        tag = "ApiTags::Conversations"
    )]
    async fn summary(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| summary_of(c, &who.tenant_id, &id))
            .await?;
        Ok(ok(data))
    }

    /// Analytics computed from the conversation's messages: counts, mean bot
    /// confidence, fallback rate, response times and intent distribution.
    #[oai(
        path = "/conversations/:id/analytics",
        method = "get",
        tag = "ApiTags::Conversations"
    )]
    async fn analytics(&self, req: &Request, id: Path<String>) -> Result<Json<Value>> {
        let who = caller(&self.platform, req, None).await?;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| analytics_of(c, &who.tenant_id, &id))
            .await?;
        Ok(ok(data))
    }
}
