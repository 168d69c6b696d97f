//! Conversation lists, details, transfer, close/reopen, summary and analytics.

use frontline_platform::http::RequestMeta;
use frontline_platform::{ApiError, Platform};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::auth::*;
use super::*;
use crate::model::{
    CloseRequest, CloseResult, ConversationAnalytics, ConversationDetails, ConversationList,
    ConversationSort, ConversationStatus, ConversationSummary, ExportRequest, ExportResult,
    ListDate, ReopenResult, SortOrder, TransferRequest, TransferResult,
};
use crate::service::conversations;
use crate::service::*;
use crate::store::*;

pub struct ConversationsApi {
    pub platform: Platform,
}

#[OpenApi]
impl ConversationsApi {
    /// List the tenant's conversations. Filters: `status`, `channel`, `user_id`,
    /// `date_from`/`date_to` (YYYY-MM-DD), `search` (message text); `sort`
    /// `last_activity` (default), `started_at` or its alias `created_at`, in
    /// `order` `desc` (default) or `asc`; `last_activity_desc`,
    /// `last_activity_asc`, `started_at_desc` and `started_at_asc` name both.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/conversations",
        method = "get",
        tag = "ApiTags::Conversations"
    )]
    async fn list_conversations(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ConversationList>,
        status: Query<Option<ConversationStatus>>,
        channel: Query<Option<String>>,
        user_id: Query<Option<String>>,
        date_from: Query<Option<ListDate>>,
        date_to: Query<Option<ListDate>>,
        search: Query<Option<String>>,
        sort: Query<Option<ConversationSort>>,
        order: Query<Option<SortOrder>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "4294967295")))] page: Query<
            Option<u32>,
        >,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u32>>,
    ) -> Result<Json<Envelope<ConversationList>>> {
        let who = who.0;
        let (page, limit) = pagination(
            page.0,
            limit.0,
            self.platform.settings.max_page_size.min(100),
        )?;
        let order = conversations::list_order(
            sort.0.map(ConversationSort::as_str),
            order.0.map(SortOrder::as_str),
        )?;
        for (name, d) in [("date_from", &date_from.0), ("date_to", &date_to.0)] {
            if let Some(d) = d {
                if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                    return Err(ApiError::invalid(name, "dates are YYYY-MM-DD").into());
                }
            }
        }
        if let Some(text) = search.0.as_deref() {
            frontline_platform::search::check_substring("search", text)?;
        }
        let f = conversations::ListFilter {
            status: status.0.map(|s| s.as_str().to_string()),
            channel: channel.0,
            user_id: user_id.0,
            date_from: date_from.0.map(Into::into),
            date_to: date_to.0.map(Into::into),
            search: search.0,
        };
        let data = self
            .platform
            .db
            .read(move |c| conversations::list(c, &who, f, order, page, limit))
            .await?;
        Ok(success(data))
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
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ConversationRead>,
        id: Path<String>,
        include_messages: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] message_limit: Query<
            Option<u32>,
        >,
    ) -> Result<Json<Envelope<ConversationDetails>>> {
        let who = who.0;
        let include = include_messages.0.unwrap_or(true);
        let lim = message_limit.0.unwrap_or(100).clamp(1, 500) as i64;
        let id = id.0;
        own_conversation(&self.platform, &who, &id).await?;
        let data = self
            .platform
            .db
            .read(move |c| conversations::details(c, &who, &id, include, lim))
            .await?;
        Ok(success(data))
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
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ConversationTransfer>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<TransferRequest>,
    ) -> Result<Json<Envelope<TransferResult>>> {
        let who = who.0;
        let body = body.0;
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| conversations::transfer(&who.writing(tx, &meta), &who, &id, &body))
            .await?;
        Ok(success(data))
    }

    /// Close a conversation (409 when already closed).
    #[oai(
        path = "/conversations/:id/close",
        method = "post",
        tag = "ApiTags::Conversations"
    )]
    async fn close(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ConversationClose>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<Option<CloseRequest>>,
    ) -> Result<Json<Envelope<CloseResult>>> {
        let who = who.0;
        let reason = body
            .0
            .and_then(|b| b.reason)
            .unwrap_or_else(|| "resolved".into());
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| conversations::close(&who.writing(tx, &meta), &who, &id, &reason))
            .await?;
        Ok(success(data))
    }

    /// Reopen a closed conversation (409 when it is not closed).
    #[oai(
        path = "/conversations/:id/reopen",
        method = "post",
        tag = "ApiTags::Conversations"
    )]
    async fn reopen(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ConversationReopen>,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Json<Envelope<ReopenResult>>> {
        let who = who.0;
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| conversations::reopen(&who.writing(tx, &meta), &who, &id))
            .await?;
        Ok(success(data))
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
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ConversationExport>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<ExportRequest>,
    ) -> Result<Json<Envelope<ExportResult>>> {
        let who = who.0;
        let data = export(&self.platform, who, meta, id.0, &body.0).await?;
        Ok(success(data))
    }

    /// Summary computed from the conversation's messages.
    #[oai(
        path = "/conversations/:id/summary",
        method = "get",
        tag = "ApiTags::Conversations"
    )]
    async fn summary(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ConversationSummary>,
        id: Path<String>,
    ) -> Result<Json<Envelope<ConversationSummary>>> {
        let who = who.0;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| summary_of(c, &who.tenant_id, &id))
            .await?;
        Ok(success(data))
    }

    /// Analytics computed from the conversation's messages: counts, mean bot
    /// confidence, fallback rate, response times and intent distribution.
    #[oai(
        path = "/conversations/:id/analytics",
        method = "get",
        tag = "ApiTags::Conversations"
    )]
    async fn analytics(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Member<ops::ConversationAnalytics>,
        id: Path<String>,
    ) -> Result<Json<Envelope<ConversationAnalytics>>> {
        let who = who.0;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| analytics_of(c, &who.tenant_id, &id))
            .await?;
        Ok(success(data))
    }
}
