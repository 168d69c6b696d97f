//! Who is calling and for which tenant: JWT + `X-Tenant-ID` membership, or
//! `Authorization: ApiKey cb_live_…` (hash lookup); what each operation needs
//! (one table: [`Op::permission`]), what each role may do by default
//! ([`role_permissions`]), and what a suspended tenant may still do.

use frontline_platform::auth::Principal;
use frontline_platform::{ApiError, ApiResult, Platform};
use poem::Request;
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

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
    /// A platform admin acting on `tenant`.
    pub fn platform_admin(tenant: &str, principal: Principal) -> Caller {
        Caller {
            tenant_id: tenant.to_string(),
            principal: Some(principal),
            role: "platform_admin".into(),
            permissions: effective_permissions("platform_admin", &[]),
            tenant_status: "active".into(),
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
            return Err(ApiError::forbidden(
                "A session token reaches only its own session and conversations",
            )
            .with_code("INSUFFICIENT_PERMISSIONS"));
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
        Err(ApiError::forbidden(msg)
            .with_code("INSUFFICIENT_PERMISSIONS")
            .with_extra("required_permission", need))
    }
}

pub fn tenant_suspended() -> ApiError {
    ApiError::forbidden("The tenant is suspended").with_code("TENANT_SUSPENDED")
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn is_platform_admin(p: &Principal) -> bool {
    p.is_admin() || p.roles_in("chatbot").contains(&"admin")
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The signed-in user (JWT) of the request; 401 without one.
pub async fn principal(platform: &Platform, req: &Request) -> ApiResult<Principal> {
    match header(req, "authorization") {
        Some(h) if h.len() > 7 && h[..7].eq_ignore_ascii_case("bearer ") => {
            platform.auth.verify(h[7..].trim()).await
        }
        _ => Err(ApiError::unauthorized("Bearer token required")),
    }
}

/// The tenant an API key belongs to, with the tenant's status (deleted
/// tenants' keys are no keys).
pub async fn tenant_of_key(platform: &Platform, key: &str) -> ApiResult<Option<(String, String)>> {
    let hash = sha256_hex(key);
    platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT k.tenant_id, t.status FROM chatbot_api_keys k JOIN chatbot_tenants t ON t.id = k.tenant_id
                 WHERE k.hash = ?1 AND t.status != 'deleted'",
                params![hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
        })
        .await
}

/// The API key of an `Authorization: ApiKey …` header.
pub fn api_key_of(req: &Request) -> Option<String> {
    let auth = header(req, "authorization")?;
    (auth.len() > 7 && auth[..7].eq_ignore_ascii_case("apikey "))
        .then(|| auth[7..].trim().to_string())
}

/// Resolves the caller of `op` and checks that it may do it (see
/// [`Caller::require`]).
pub async fn authorize(
    platform: &Platform,
    req: &Request,
    path_tenant: Option<&str>,
    op: Op,
) -> ApiResult<Caller> {
    let who = caller(platform, req, path_tenant).await?;
    who.require(op)?;
    Ok(who)
}

/// A caller already resolved for this request (by the tenant rate limit),
/// with the path tenant it was resolved for.
#[derive(Clone, Debug)]
pub struct Resolved(pub Option<String>, pub Caller);

/// Resolves the tenant of a request. `path_tenant` is the tenant named in the
/// path (tenant routes), which must agree with `X-Tenant-ID` when both are sent.
pub async fn caller(
    platform: &Platform,
    req: &Request,
    path_tenant: Option<&str>,
) -> ApiResult<Caller> {
    if let Some(Resolved(p, who)) = req.data::<Resolved>() {
        if p.as_deref() == path_tenant {
            return Ok(who.clone());
        }
    }
    header(req, "authorization")
        .ok_or_else(|| ApiError::unauthorized("Authentication required"))?;
    if let Some(key) = api_key_of(req) {
        let (tenant, status) = tenant_of_key(platform, &key)
            .await?
            .ok_or_else(|| ApiError::unauthorized("Invalid API key"))?;
        if let Some(p) = path_tenant {
            if p != tenant {
                return Err(tenant_not_found());
            }
        }
        if let Some(h) = header(req, "x-tenant-id") {
            if h != tenant {
                return Err(tenant_not_found());
            }
        }
        return Ok(Caller {
            tenant_id: tenant,
            principal: None,
            role: "api_key".into(),
            permissions: effective_permissions("api_key", &[]),
            tenant_status: status,
            session: None,
        });
    }
    if let Some(token) = session_token_of(req) {
        return session_caller(platform, req, path_tenant, token).await;
    }
    let principal = principal(platform, req).await?;
    let named = header(req, "x-tenant-id").map(str::to_string);
    let tenant_id = match (path_tenant, named.as_deref()) {
        (Some(p), Some(h)) if p != h => {
            return Err(ApiError::invalid(
                "X-Tenant-ID",
                "X-Tenant-ID does not match the tenant in the path",
            ))
        }
        (Some(p), _) => p.to_string(),
        (None, Some(h)) => h.to_string(),
        (None, None) => {
            return Err(ApiError::invalid(
                "X-Tenant-ID",
                "X-Tenant-ID header is required",
            ))
        }
    };
    let admin = is_platform_admin(&principal);
    let uid = principal.id.clone();
    let tid = tenant_id.clone();
    type Found = Option<(String, Option<(String, String)>)>;
    let found: Found = platform
        .db
        .read(move |c| {
            let status: Option<String> = c
                .query_row(
                    "SELECT status FROM chatbot_tenants WHERE id = ?1 AND status != 'deleted'",
                    params![tid],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(status) = status else {
                return Ok(None);
            };
            let member: Option<(String, String)> = c
                .query_row(
                    "SELECT role, permissions FROM chatbot_members WHERE tenant_id = ?1 AND platform_user_id = ?2
                       AND (status = 'active' OR (status = 'invitation_sent' AND invitation_expires_at > ?3))",
                    params![tid, uid, frontline_platform::auth::now_iso()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            Ok(Some((status, member)))
        })
        .await?;
    let (status, role, granted) = match found {
        None => return Err(tenant_not_found()),
        Some((s, _)) if admin => (s, "platform_admin".to_string(), vec![]),
        Some((s, Some((role, perms)))) => {
            let granted: Vec<String> = serde_json::from_str(&perms).unwrap_or_default();
            (s, role, granted)
        }
        Some((_, None)) => return Err(tenant_not_found()),
    };
    Ok(Caller {
        tenant_id,
        principal: Some(principal),
        permissions: effective_permissions(&role, &granted),
        role,
        tenant_status: status,
        session: None,
    })
}

/// The session token of an `Authorization: Bearer st_…` header (session
/// tokens are never JWTs).
pub fn session_token_of(req: &Request) -> Option<String> {
    let auth = header(req, "authorization")?;
    (auth.len() > 7 && auth[..7].eq_ignore_ascii_case("bearer "))
        .then(|| auth[7..].trim())
        .filter(|t| t.starts_with("st_"))
        .map(str::to_string)
}

/// The visitor of a session token: 401 unless the token belongs to an
/// active, unexpired session of a tenant that still exists.
async fn session_caller(
    platform: &Platform,
    req: &Request,
    path_tenant: Option<&str>,
    token: String,
) -> ApiResult<Caller> {
    let hash = sha256_hex(&token);
    type Row = (String, String, String, String, String, String, bool, String);
    let row: Option<Row> = platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT s.id, s.tenant_id, s.user_id, s.channel, s.status, s.expires_at, s.persist_context, t.status
                 FROM chatbot_sessions s JOIN chatbot_tenants t ON t.id = s.tenant_id
                 WHERE s.token_hash = ?1 AND t.status != 'deleted'",
                params![hash],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                },
            )
            .optional()?)
        })
        .await?;
    let (id, tenant, user, channel, status, expires, persist, tenant_status) =
        row.ok_or_else(|| ApiError::unauthorized("Invalid session token"))?;
    let expired = chrono::DateTime::parse_from_rfc3339(&expires)
        .map(|e| e <= chrono::Utc::now())
        .unwrap_or(true);
    if status != "active" || expired {
        return Err(
            ApiError::unauthorized("The session has ended or expired").with_code("SESSION_EXPIRED")
        );
    }
    for named in [path_tenant, header(req, "x-tenant-id")]
        .into_iter()
        .flatten()
    {
        if named != tenant {
            return Err(tenant_not_found());
        }
    }
    Ok(Caller {
        tenant_id: tenant,
        principal: None,
        role: "session".into(),
        permissions: vec![],
        tenant_status,
        session: Some(SessionScope {
            session_id: id,
            user_id: user,
            channel,
            persist_context: persist,
        }),
    })
}

pub fn tenant_not_found() -> ApiError {
    ApiError::not_found("Tenant not found").with_code("TENANT_NOT_FOUND")
}
