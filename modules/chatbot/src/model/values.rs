//! The fixed value sets of the document: query parameters and body fields.

use poem_openapi::Enum;

/// A conversation's status.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ConversationStatus {
    Active,
    Transferred,
    Closed,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Transferred => "transferred",
            Self::Closed => "closed",
        }
    }
}

/// What conversations are sorted by: `last_activity` (default), `started_at`
/// or its alias `created_at`, in the direction of `order`; the `_asc` and
/// `_desc` forms name the direction too.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ConversationSort {
    LastActivity,
    StartedAt,
    CreatedAt,
    LastActivityDesc,
    LastActivityAsc,
    StartedAtDesc,
    StartedAtAsc,
}

impl ConversationSort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LastActivity => "last_activity",
            Self::StartedAt => "started_at",
            Self::CreatedAt => "created_at",
            Self::LastActivityDesc => "last_activity_desc",
            Self::LastActivityAsc => "last_activity_asc",
            Self::StartedAtDesc => "started_at_desc",
            Self::StartedAtAsc => "started_at_asc",
        }
    }
}

/// A sort direction.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

/// A tenant's status, as a list filter.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum TenantStatusFilter {
    Active,
    Suspended,
}

impl TenantStatusFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }
}

/// The period of a usage report (only the current month is kept).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum UsagePeriod {
    CurrentMonth,
}

/// The window of `GET /health/metrics`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricsTimeframe {
    #[oai(rename = "5m")]
    FiveMinutes,
    #[oai(rename = "15m")]
    FifteenMinutes,
    #[oai(rename = "1h")]
    OneHour,
    #[oai(rename = "24h")]
    OneDay,
    #[oai(rename = "7d")]
    SevenDays,
}

impl MetricsTimeframe {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FiveMinutes => "5m",
            Self::FifteenMinutes => "15m",
            Self::OneHour => "1h",
            Self::OneDay => "24h",
            Self::SevenDays => "7d",
        }
    }
}

/// A tenant's plan.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Plan {
    Free,
    Starter,
    Professional,
    Enterprise,
}

impl Plan {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Starter => "starter",
            Self::Professional => "professional",
            Self::Enterprise => "enterprise",
        }
    }
}

/// A tenant status a platform admin may set.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum TenantStatus {
    Active,
    Suspended,
}

impl TenantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }
}

/// A member's role in a tenant.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum MemberRole {
    Owner,
    Admin,
    Developer,
    Agent,
    Analyst,
    Viewer,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Developer => "developer",
            Self::Agent => "agent",
            Self::Analyst => "analyst",
            Self::Viewer => "viewer",
        }
    }
}

/// A permission a member may be granted.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    #[oai(rename = "conversations:read")]
    ConversationsRead,
    #[oai(rename = "conversations:write")]
    ConversationsWrite,
    #[oai(rename = "conversations:export")]
    ConversationsExport,
    #[oai(rename = "sessions:read")]
    SessionsRead,
    #[oai(rename = "sessions:write")]
    SessionsWrite,
    #[oai(rename = "analytics:read")]
    AnalyticsRead,
    #[oai(rename = "knowledge:read")]
    KnowledgeRead,
    #[oai(rename = "knowledge:write")]
    KnowledgeWrite,
    #[oai(rename = "integrations:read")]
    IntegrationsRead,
    #[oai(rename = "integrations:write")]
    IntegrationsWrite,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConversationsRead => "conversations:read",
            Self::ConversationsWrite => "conversations:write",
            Self::ConversationsExport => "conversations:export",
            Self::SessionsRead => "sessions:read",
            Self::SessionsWrite => "sessions:write",
            Self::AnalyticsRead => "analytics:read",
            Self::KnowledgeRead => "knowledge:read",
            Self::KnowledgeWrite => "knowledge:write",
            Self::IntegrationsRead => "integrations:read",
            Self::IntegrationsWrite => "integrations:write",
        }
    }
}

/// A channel a tenant may use.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Whatsapp,
    Messenger,
    Slack,
    Teams,
    Telegram,
    Sms,
    Api,
    Generic,
}

impl Channel {
    /// The channel named `name`.
    pub fn from_name(name: &str) -> Option<Channel> {
        [
            Self::Web,
            Self::Whatsapp,
            Self::Messenger,
            Self::Slack,
            Self::Teams,
            Self::Telegram,
            Self::Sms,
            Self::Api,
            Self::Generic,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Whatsapp => "whatsapp",
            Self::Messenger => "messenger",
            Self::Slack => "slack",
            Self::Teams => "teams",
            Self::Telegram => "telegram",
            Self::Sms => "sms",
            Self::Api => "api",
            Self::Generic => "generic",
        }
    }
}

/// The file a conversation export is written as.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[oai(rename_all = "lowercase")]
pub enum ExportFormat {
    #[default]
    Json,
    Csv,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }
}

frontline_platform::pattern_string! {
    /// A calendar date, `YYYY-MM-DD` (the conversation list's `date_from` /
    /// `date_to`); checked against a regex compiled once.
    pub ListDate = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
}

/// How urgent a transfer to a human is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum TransferPriority {
    Low,
    Normal,
    High,
    Urgent,
}

impl TransferPriority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }
}
