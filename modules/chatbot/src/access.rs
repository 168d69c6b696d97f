//! The access rules: what each operation needs (one table:
//! [`Op::permission`]), what each role may do by default
//! ([`role_permissions`]), what a session token and a suspended tenant may
//! still do, and the resolved [`Caller`]. Who is calling is decided from the
//! request's credentials by `api/auth.rs` (the security schemes) through
//! `service/callers.rs`.

use crate::errors::ChatbotError;
use frontline_platform::auth::Principal;
use frontline_platform::ApiResult;
use sha2::{Digest, Sha256};
use std::sync::Arc;

use crate::model::TenantState;

pub use crate::errors::{tenant_not_found, tenant_suspended};

/// The pseudo-permission of the tenant admin routes (tenant details,
/// configuration, users, billing, usage, outgoing webhooks): held by owners,
/// admins and platform admins only; it cannot be granted to other members.
pub const TENANT_ADMIN: &str = "tenant:admin";

/// The permission strings a member may be granted (`permissions` of
/// `POST /tenants/{id}/users`).
pub const PERMISSIONS: &[&str] = &[
    "conversations:read",
    "conversations:write",
    "conversations:export",
    "sessions:read",
    "sessions:write",
    "analytics:read",
    "knowledge:read",
    "knowledge:write",
    "integrations:read",
    "integrations:write",
];

/// Every operation on a tenant's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    ChatSend,
    ChatRead,
    ChatRetry,
    ChatTyping,
    ChatFeedback,
    ConversationList,
    ConversationRead,
    ConversationSummary,
    ConversationAnalytics,
    ConversationTransfer,
    ConversationClose,
    ConversationReopen,
    ConversationExport,
    SessionCreate,
    SessionRead,
    SessionUpdate,
    SessionEnd,
    SessionExtend,
    SessionContextRead,
    SessionContextUpdate,
    KnowledgeList,
    KnowledgeCreate,
    KnowledgeDelete,
    WebhookSubscriptionList,
    WebhookSubscriptionCreate,
    WebhookSubscriptionDeliveries,
    WebhookSubscriptionDelete,
    TenantRead,
    TenantUpdate,
    UserList,
    UserAdd,
    ConfigRead,
    ConfigUpdate,
    BillingRead,
    UsageRead,
}

impl Op {
    /// The permission the operation needs: the one table of the rules.
    pub const fn permission(self) -> &'static str {
        use Op::*;
        match self {
            ChatRead | ConversationList | ConversationRead | ConversationSummary => {
                "conversations:read"
            }
            ChatSend | ChatRetry | ChatTyping | ChatFeedback | ConversationTransfer
            | ConversationClose | ConversationReopen => "conversations:write",
            ConversationExport => "conversations:export",
            ConversationAnalytics => "analytics:read",
            SessionRead | SessionContextRead => "sessions:read",
            SessionCreate | SessionUpdate | SessionEnd | SessionExtend | SessionContextUpdate => {
                "sessions:write"
            }
            KnowledgeList => "knowledge:read",
            KnowledgeCreate | KnowledgeDelete => "knowledge:write",
            WebhookSubscriptionList | WebhookSubscriptionDeliveries => "integrations:read",
            WebhookSubscriptionCreate | WebhookSubscriptionDelete => "integrations:write",
            TenantRead | TenantUpdate | UserList | UserAdd | ConfigRead | ConfigUpdate
            | BillingRead | UsageRead => TENANT_ADMIN,
        }
    }

    /// What members of a suspended tenant may still do: read the tenant, its
    /// bill and its usage (to learn why and settle it). Everything else is
    /// `403 TENANT_SUSPENDED` until a platform admin reactivates the tenant.
    pub const fn allowed_while_suspended(self) -> bool {
        matches!(self, Op::TenantRead | Op::BillingRead | Op::UsageRead)
    }
}

/// The permissions a role has when the member was given none explicitly.
/// `api_key` is the tenant's server-side key: the bot, conversations,
/// sessions, analytics and knowledge, but not the tenant admin routes.
pub fn role_permissions(role: &str) -> &'static [&'static str] {
    match role {
        "owner" | "admin" | "platform_admin" => &[
            TENANT_ADMIN,
            "conversations:read",
            "conversations:write",
            "conversations:export",
            "sessions:read",
            "sessions:write",
            "analytics:read",
            "knowledge:read",
            "knowledge:write",
            "integrations:read",
            "integrations:write",
        ],
        "developer" => &[
            "conversations:read",
            "sessions:read",
            "analytics:read",
            "knowledge:read",
            "knowledge:write",
            "integrations:read",
            "integrations:write",
        ],
        "agent" => &[
            "conversations:read",
            "conversations:write",
            "conversations:export",
            "sessions:read",
            "sessions:write",
            "knowledge:read",
        ],
        "analyst" => &[
            "conversations:read",
            "conversations:export",
            "sessions:read",
            "analytics:read",
            "knowledge:read",
        ],
        "viewer" => &[
            "conversations:read",
            "sessions:read",
            "analytics:read",
            "knowledge:read",
        ],
        "api_key" => &[
            "conversations:read",
            "conversations:write",
            "conversations:export",
            "sessions:read",
            "sessions:write",
            "analytics:read",
            "knowledge:read",
            "knowledge:write",
        ],
        _ => &[],
    }
}

/// A member's effective permissions: owners and admins have all of them; any
/// other member has the permissions given at invitation when there are any
/// (exactly those), otherwise the role's defaults.
pub fn effective_permissions(role: &str, granted: &[String]) -> Vec<String> {
    let admin = matches!(role, "owner" | "admin" | "platform_admin");
    if admin || granted.is_empty() {
        role_permissions(role)
            .iter()
            .map(|p| p.to_string())
            .collect()
    } else {
        granted
            .iter()
            .filter(|p| PERMISSIONS.contains(&p.as_str()))
            .cloned()
            .collect()
    }
}

/// The resolved caller of a tenant-scoped request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub tenant_id: String,
    pub principal: Option<Principal>,
    /// The tenant role (`owner`, `admin`, …); `platform_admin` for platform admins,
    /// `api_key` for key callers.
    pub role: String,
    /// What the caller may do (see [`effective_permissions`]).
    pub permissions: Vec<String>,
    /// The tenant's status (`active` or `suspended`).
    pub tenant_status: String,
    /// The tenant's state as read with the credentials (`None` for a
    /// platform admin acting on a tenant by id: read when needed).
    pub tenant: Option<Arc<TenantState>>,
    /// Set when the caller is a visitor holding a session token: it reaches
    /// that session and the conversations started with it, nothing else.
    pub session: Option<SessionScope>,
}

/// The session a session token (`Authorization: Bearer st_…`) stands for.
#[derive(Clone, Debug)]
pub struct SessionScope {
    pub session_id: String,
    pub user_id: String,
    pub channel: String,
    /// `session_config.enable_context_persistence` of the session.
    pub persist_context: bool,
}

/// What a session token may do: send and read messages of its own
/// conversations, rate replies, send typing indicators, read its
/// conversations, and read, extend, end and update the context of its own
/// session.
pub const fn allowed_with_session_token(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        ChatSend
            | ChatRead
            | ChatTyping
            | ChatFeedback
            | ConversationRead
            | SessionRead
            | SessionEnd
            | SessionExtend
            | SessionContextRead
            | SessionContextUpdate
    )
}

impl Caller {
    /// The write context of a change this caller makes in transaction `tx`.
    pub fn writing<'a>(
        &'a self,
        tx: &'a rusqlite::Connection,
        meta: &'a frontline_platform::http::RequestMeta,
    ) -> frontline_platform::write::WriteCtx<'a> {
        frontline_platform::write::WriteCtx::new(tx, self.principal.as_ref(), meta)
    }

    /// A platform admin acting on `tenant`.
    pub fn platform_admin(tenant: &str, principal: Principal) -> Caller {
        Caller {
            tenant_id: tenant.to_string(),
            principal: Some(principal),
            role: "platform_admin".into(),
            permissions: effective_permissions("platform_admin", &[]),
            tenant_status: "active".into(),
            tenant: None,
            session: None,
        }
    }

    /// Owners, tenant admins and platform admins manage the tenant.
    pub fn is_tenant_admin(&self) -> bool {
        matches!(self.role.as_str(), "owner" | "admin" | "platform_admin")
    }

    pub fn can(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }

    /// 403 `TENANT_SUSPENDED` when the tenant is suspended and `op` is not
    /// allowed then (platform admins may do everything);
    /// 403 `INSUFFICIENT_PERMISSIONS` when the caller lacks `op`'s permission.
    pub fn require(&self, op: Op) -> ApiResult<()> {
        if self.tenant_status == "suspended"
            && self.role != "platform_admin"
            && !op.allowed_while_suspended()
        {
            return Err(tenant_suspended());
        }
        if self.session.is_some() {
            if allowed_with_session_token(op) {
                return Ok(());
            }
            return Err(ChatbotError::InsufficientPermissions
                .with_message("A session token reaches only its own session and conversations"));
        }
        let need = op.permission();
        if self.can(need) {
            return Ok(());
        }
        let msg = if need == TENANT_ADMIN {
            "This action needs the tenant admin role".to_string()
        } else {
            format!("This action needs the {need} permission")
        };
        Err(ChatbotError::InsufficientPermissions
            .with_message(msg)
            .with_extra("required_permission", need))
    }
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn is_platform_admin(p: &Principal) -> bool {
    p.is_admin() || p.roles_in("chatbot").contains(&"admin")
}

/// The credential of a request, checked by the module's security schemes.
#[derive(Clone, Debug)]
pub enum Credential {
    /// A signed-in platform user (`Authorization: Bearer <JWT>`).
    User(Principal),
    /// A tenant's API key (`Authorization: ApiKey cb_live_…`): the tenant and its status.
    ApiKey {
        tenant_id: String,
        tenant: Arc<TenantState>,
    },
    /// A visitor's session token (`Authorization: Bearer st_…`).
    Session {
        scope: SessionScope,
        tenant_id: String,
        tenant: Arc<TenantState>,
    },
}

/// A caller already resolved for this request (by the tenant rate limit),
/// with the path tenant it was resolved for.
#[derive(Clone, Debug)]
pub struct Resolved(pub Option<String>, pub Caller);
