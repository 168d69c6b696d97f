//! Fixed value sets of query parameters, as `enum`s in the document: a value
//! outside the set is refused (422) before the handler runs.

/// A poem-openapi `Enum` whose variants carry their documented names.
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(poem_openapi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $(#[oai(rename = $text)] $variant),+
        }

        impl $name {
            /// The documented (and stored) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

str_enum!(
    /// A campaign's status.
    CampaignStatus { Draft = "draft", Active = "active", Paused = "paused", Completed = "completed", Archived = "archived" }
);
str_enum!(
    /// A campaign's type.
    CampaignType { Outbound = "outbound", Inbound = "inbound", Blended = "blended" }
);
str_enum!(
    /// A contact's status.
    ContactStatus { Pending = "pending", Called = "called", Completed = "completed", Failed = "failed" }
);
str_enum!(
    /// An agent's status.
    AgentStatus { Available = "available", Busy = "busy", Away = "away", Break = "break", Offline = "offline" }
);
str_enum!(
    /// A queue's status.
    QueueStatus { Active = "active", Paused = "paused", Closed = "closed" }
);
str_enum!(
    /// A queue's type.
    QueueType { Inbound = "inbound", Outbound = "outbound", Callback = "callback" }
);
str_enum!(
    /// A call's status.
    CallStatus { Queued = "queued", InProgress = "in_progress", Completed = "completed", Abandoned = "abandoned" }
);
str_enum!(
    /// How wide an aggregation window is.
    Granularity { Minute = "minute", Hour = "hour", Day = "day", Week = "week", Month = "month" }
);
str_enum!(
    /// An alert's status.
    AlertStatus { Active = "active", Acknowledged = "acknowledged", Resolved = "resolved" }
);
str_enum!(
    /// An alert's severity.
    Severity { Info = "info", Warning = "warning", Critical = "critical" }
);
str_enum!(
    /// A report's type.
    ReportType {
        AgentPerformance = "agent_performance",
        TeamPerformance = "team_performance",
        QueuePerformance = "queue_performance",
        CampaignPerformance = "campaign_performance",
        CallSummary = "call_summary",
        MetricSummary = "metric_summary",
    }
);
str_enum!(
    /// A generated report's status.
    ReportStatus { Generating = "generating", Completed = "completed", Failed = "failed" }
);
str_enum!(
    /// A voicemail's status.
    VoicemailStatus { New = "new", Listened = "listened", InProgress = "in_progress", Completed = "completed", Archived = "archived" }
);
