//! Extension: the agent inbox and its live stream (Server-Sent Events).

use std::marker::PhantomData;

use frontline_platform::http::RequestMeta;
use frontline_platform::sse::{self, StreamEvent, Viewer};
use frontline_platform::Platform;
use futures_util::stream::BoxStream;
use poem::{IntoResponse, Request, RequestBody, Response};
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Payload;
use poem_openapi::payload::{EventStream, Json};
use poem_openapi::registry::{
    MetaMediaType, MetaParamIn, MetaResponse, MetaResponses, MetaSchemaRef, Registry,
};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions, OpenApi};

use super::auth::{ops, Member, Operation};
use super::*;
use crate::model::{
    events_module, AgentReplyRequest, InboxConversation, InboxItem, InboxList, InboxMessage,
    InboxNote, InboxStreamMessage, NoteRequest, ResolveRequest, WidgetConfig,
};
use crate::service::inbox;

/// The caller of an inbox operation: a signed-in agent, owner or admin of
/// the tenant named in `X-Tenant-ID` holding `O`'s permission; 401 without
/// credentials, 403 for other roles, API keys and session tokens — all
/// before any parameter or body is read.
pub struct Agent<O>(pub Caller, PhantomData<O>);

impl<'a, O: Operation> ApiExtractor<'a> for Agent<O> {
    const TYPES: &'static [ApiExtractorType] = <Member<O> as ApiExtractor<'a>>::TYPES;
    const PARAM_IS_REQUIRED: bool = true;
    type ParamType = String;
    type ParamRawType = String;

    fn register(registry: &mut Registry) {
        <Member<O> as ApiExtractor<'a>>::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        <Member<O> as ApiExtractor<'a>>::security_schemes()
    }

    fn param_in() -> Option<MetaParamIn> {
        <Member<O> as ApiExtractor<'a>>::param_in()
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        <Member<O> as ApiExtractor<'a>>::param_schema_ref()
    }

    async fn from_request(
        req: &'a Request,
        body: &mut RequestBody,
        opts: ExtractParamOptions<String>,
    ) -> poem::Result<Self> {
        let who = <Member<O> as ApiExtractor<'a>>::from_request(req, body, opts)
            .await?
            .0;
        inbox::require_agent(&who)?;
        Ok(Agent(who, PhantomData))
    }
}

pub struct InboxApi {
    pub platform: Platform,
}

/// The answer of `GET /inbox/stream`: the platform's SSE stream, documented
/// as what an SSE client reads per event ([`InboxStreamMessage`]: `id`,
/// `event` and `data` as text, `data` holding a [`StreamEvent`] as JSON),
/// not as an array of objects (poem-openapi's `EventStream` documents
/// `type: array` of the item, which no event on the wire is).
pub struct Events(EventStream<BoxStream<'static, StreamEvent>>);

impl Payload for Events {
    const CONTENT_TYPE: &'static str = "text/event-stream";

    fn schema_ref() -> MetaSchemaRef {
        InboxStreamMessage::schema_ref()
    }

    fn register(registry: &mut Registry) {
        InboxStreamMessage::register(registry);
    }
}

impl IntoResponse for Events {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

impl ApiResponse for Events {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The live stream: one `InboxStreamMessage` per event.",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: Self::CONTENT_TYPE,
                    schema: Self::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }
}

#[OpenApi]
impl InboxApi {
    /// Extension: the agent inbox — the tenant's open conversations waiting
    /// for a human (transferred, claimed by an agent, or last answered by the
    /// bot with a low-confidence fallback), urgent first, then the longest
    /// waiting. For the tenant's agents, owners and admins (signed in).
    #[oai(path = "/inbox", method = "get", tag = "ApiTags::Extensions")]
    async fn list(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Agent<ops::ConversationList>,
    ) -> Result<Json<Envelope<InboxList>>> {
        let who = who.0;
        let data = self.platform.db.read(move |c| inbox::list(c, &who)).await?;
        Ok(success(data))
    }

    /// Extension: the tenant's live event stream (Server-Sent Events,
    /// `text/event-stream`) for its agents: every chatbot event the tenant's
    /// webhooks can receive (`message.received`, `message.agent_reply`,
    /// `conversation.transferred`, `conversation.claimed`,
    /// `conversation.note_added`, `conversation.closed`, …) as it is
    /// committed. Each message has `id:` (send it back as `Last-Event-ID` to
    /// resume after it), `event:` (the type) and `data:` (JSON: id, event,
    /// timestamp, data). Idle streams get a keep-alive comment every 15 s.
    /// An event reaches a caller only when a webhook of that caller would
    /// receive it.
    #[oai(path = "/inbox/stream", method = "get", tag = "ApiTags::Extensions")]
    async fn stream(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Agent<ops::ConversationList>,
        /// Resume after this event id (sent by browsers when they reconnect).
        #[oai(name = "Last-Event-ID")]
        last_event_id: Header<Option<i64>>,
    ) -> Result<Events> {
        let who = who.0;
        let mut viewer =
            Viewer::new([events_module(&who.tenant_id)]).module_wide(who.is_tenant_admin());
        if let Some(p) = &who.principal {
            viewer = viewer.owner(p.id.clone());
        }
        let events = sse::stream(self.platform.db.clone(), viewer, last_event_id.0).await?;
        Ok(Events(sse::event_stream(events)))
    }

    /// Extension: one inbox conversation with its messages (who wrote each:
    /// visitor, bot or agent), its internal notes and its resolution.
    #[oai(path = "/inbox/:id", method = "get", tag = "ApiTags::Extensions")]
    async fn open(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Agent<ops::ConversationRead>,
        id: Path<String>,
    ) -> Result<Json<Envelope<InboxConversation>>> {
        let who = who.0;
        let id = id.0;
        let data = self
            .platform
            .db
            .read(move |c| inbox::open(c, &who, &id))
            .await?;
        Ok(success(data))
    }

    /// Extension: claim the conversation — the caller becomes its agent, its
    /// queued transfer is assigned and an `active` conversation becomes
    /// `transferred`. From then on the bot does not answer the visitor: their
    /// messages wait here for the agent, and `POST /chat/message` answers
    /// with no bot text, no `reply_message_id` and `conversation_stage`
    /// `transferred_to_agent`, until the conversation is released or closed. 409 `CONVERSATION_CLAIMED` when another
    /// agent has it, 409 `CONVERSATION_CLOSED` when closed.
    #[oai(
        path = "/inbox/:id/claim",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn claim(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Agent<ops::ConversationTransfer>,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Json<Envelope<InboxItem>>> {
        let who = who.0;
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| inbox::claim(&who.writing(tx, &meta), &who, &id))
            .await?;
        Ok(success(data))
    }

    /// Extension: reply to the visitor as the agent. The reply is stored as
    /// the agent's message of the conversation (the visitor's session reads
    /// it with the conversation; `model_used` is `human_agent`); an
    /// unclaimed conversation is claimed by the caller first.
    #[oai(
        path = "/inbox/:id/reply",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn reply(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Agent<ops::ChatSend>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<AgentReplyRequest>,
    ) -> Result<Created201<InboxMessage>> {
        let who = who.0;
        let id = id.0;
        let text = body.0.text;
        let data = self
            .platform
            .db
            .write(move |tx| inbox::store_agent_reply(&who.writing(tx, &meta), &who, &id, &text))
            .await?;
        Ok(Created201::Ok(success(data)))
    }

    /// Extension: add an internal note — seen by the tenant's agents, never
    /// sent to the visitor (its event carries no text).
    #[oai(
        path = "/inbox/:id/notes",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn note(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Agent<ops::ConversationTransfer>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<NoteRequest>,
    ) -> Result<Created201<InboxNote>> {
        let who = who.0;
        let id = id.0;
        let text = body.0.text;
        let data = self
            .platform
            .db
            .write(move |tx| inbox::add_note(&who.writing(tx, &meta), &who, &id, &text))
            .await?;
        Ok(Created201::Ok(success(data)))
    }

    /// Extension: give up the claim on the conversation: nobody has it, it
    /// waits in the inbox (its transfer queued again) for any agent to claim,
    /// and the bot answers the visitor again until someone does. The claimer
    /// and the tenant's owners and admins may (409 `CONVERSATION_CLAIMED` for
    /// other agents, 409 `CONVERSATION_CLOSED` when closed); releasing an
    /// unclaimed conversation changes nothing.
    #[oai(
        path = "/inbox/:id/release",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn release(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Agent<ops::ConversationTransfer>,
        meta: RequestMeta,
        id: Path<String>,
    ) -> Result<Json<Envelope<InboxItem>>> {
        let who = who.0;
        let id = id.0;
        let data = self
            .platform
            .db
            .write(move |tx| inbox::release(&who.writing(tx, &meta), &who, &id))
            .await?;
        Ok(success(data))
    }

    /// Extension: close the conversation with a resolution (its close
    /// reason); its queued transfer is cancelled. The agent who claimed it,
    /// the tenant's owners and admins, and any agent while nobody has claimed
    /// it may (409 `CONVERSATION_CLAIMED` otherwise). The claim ends with it:
    /// a reopened conversation is the bot's again.
    #[oai(
        path = "/inbox/:id/resolve",
        method = "post",
        tag = "ApiTags::Extensions"
    )]
    async fn resolve(
        &self,
        #[oai(name = "X-Tenant-ID")] who: Agent<ops::ConversationClose>,
        meta: RequestMeta,
        id: Path<String>,
        body: JsonBody<ResolveRequest>,
    ) -> Result<Json<Envelope<InboxConversation>>> {
        let who = who.0;
        let id = id.0;
        let resolution = body.0.resolution;
        let data = self
            .platform
            .db
            .write(move |tx| inbox::resolve(&who.writing(tx, &meta), &who, &id, &resolution))
            .await?;
        Ok(success(data))
    }

    /// Extension: what the website chat widget (`/widget.js`) shows for the
    /// tenant named in `X-Tenant-ID`: its name, colours and welcome line.
    /// Public (no credentials); 404 `TENANT_NOT_FOUND` for no such active
    /// tenant.
    #[oai(path = "/widget/config", method = "get", tag = "ApiTags::Extensions")]
    async fn widget_config(
        &self,
        /// The tenant whose widget is shown.
        #[oai(name = "X-Tenant-ID")]
        tenant: Header<String>,
    ) -> Result<Json<Envelope<WidgetConfig>>> {
        let tenant = tenant.0;
        let data = self
            .platform
            .db
            .read(move |c| inbox::widget_config(c, tenant.trim()))
            .await?;
        Ok(success(data))
    }
}
