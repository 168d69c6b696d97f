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

/// A free-form JSON object (`{"temperature": 0.7}`): the document says
/// `type: object`, so a list, text or number is refused with the field named.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonObject(pub serde_json::Map<String, serde_json::Value>);

impl JsonObject {
    pub fn into_value(self) -> serde_json::Value {
        serde_json::Value::Object(self.0)
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::Value::Object(self.0.clone())
    }
}

impl poem_openapi::types::Type for JsonObject {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        "object".into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            additional_properties: Some(Box::new(MetaSchemaRef::Inline(Box::new(MetaSchema::ANY)))),
            ..MetaSchema::new("object")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl poem_openapi::types::ParseFromJSON for JsonObject {
    fn parse_from_json(value: Option<serde_json::Value>) -> poem_openapi::types::ParseResult<Self> {
        match value {
            Some(serde_json::Value::Object(m)) => Ok(JsonObject(m)),
            other => Err(poem_openapi::types::ParseError::expected_type(
                other.unwrap_or_default(),
            )),
        }
    }
}

impl poem_openapi::types::ToJSON for JsonObject {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::Object(self.0.clone()))
    }
}

/// A company's settings: a free-form object whose `timezone` (an IANA zone)
/// and `language` (a code such as `en` or `pt-BR`) are checked when present.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompanySettings(pub JsonObject);

impl poem_openapi::types::Type for CompanySettings {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        "CompanySettings".into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some(
                "An object; `timezone` (IANA) and `language` (e.g. `en`, `pt-BR`) are checked when present.",
            ),
            properties: vec![
                ("timezone", frontline_platform::tz::TimeZoneName::schema_ref()),
                (
                    "language",
                    MetaSchemaRef::Inline(Box::new(MetaSchema {
                        pattern: Some("^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,4})?$".into()),
                        ..MetaSchema::new("string")
                    })),
                ),
            ],
            additional_properties: Some(Box::new(MetaSchemaRef::Inline(Box::new(
                MetaSchema::ANY,
            )))),
            ..MetaSchema::new("object")
        }))
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        <frontline_platform::tz::TimeZoneName as poem_openapi::types::Type>::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl poem_openapi::types::ParseFromJSON for CompanySettings {
    fn parse_from_json(value: Option<serde_json::Value>) -> poem_openapi::types::ParseResult<Self> {
        JsonObject::parse_from_json(value)
            .map(CompanySettings)
            .map_err(poem_openapi::types::ParseError::propagate)
    }
}

impl poem_openapi::types::ToJSON for CompanySettings {
    fn to_json(&self) -> Option<serde_json::Value> {
        self.0.to_json()
    }
}

// Strings with a documented `pattern`, checked by a regex compiled once
// (poem-openapi's `validator(pattern)` compiles it on every check).
frontline_platform::pattern_string! {
    /// A voicemail's status.
    pub VoicemailStatusText = "^(new|listened|in_progress|completed|archived)$";
    /// One DTMF key: `0`-`9`, `*` or `#`.
    pub DtmfKey = "^[0-9*#]$";
    /// One to 32 DTMF keys.
    pub DtmfKeys = "^[0-9*#]{1,32}$";
    /// An IVR node's type.
    pub IvrNodeTypeText = "^(menu|prompt|input|transfer|queue|voicemail|hangup)$";
    /// A reporting period: 1 to 8784 hours, 1 to 366 days or 1 to 52 weeks
    /// (`24h`, `7d`, `4w`).
    pub PeriodText = r"^(([1-9][0-9]{0,2}|[1-7][0-9]{3}|8[0-6][0-9]{2}|87[0-7][0-9]|878[0-4])h|([1-9][0-9]?|[12][0-9]{2}|3[0-5][0-9]|36[0-6])d|([1-9]|[1-4][0-9]|5[0-2])w)$";
    /// A skill name: letters, digits, `_`, `-` and spaces, not spaces only.
    pub SkillText = "^[A-Za-z0-9_ -]*[A-Za-z0-9_-][A-Za-z0-9_ -]*$";
    /// A language code such as `en`, `es`, `pt-BR`.
    pub LanguageText = "^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,4})?$";
    /// An agent's status: available, busy, away, break or offline.
    pub AgentStatusText = "^(available|busy|away|break|offline)$";
    /// A queue's type: inbound, outbound or callback.
    pub QueueTypeText = "^(inbound|outbound|callback)$";
    /// A queue's status: active, paused or closed.
    pub QueueStatusText = "^(active|paused|closed)$";
    /// A recorded call's direction: outbound or inbound.
    pub DirectionText = "^(outbound|inbound)$";
    /// A domain name such as `acme.com`, or spaces only for none.
    pub DomainText = r"^ *([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)? *$";
    /// E.164, or spaces only for none.
    pub OptionalPhoneText = r"^ *$|^[ ().-]*\+[ ().-]*[1-9]([ ().-]*[0-9]){1,14}[ ().-]*$";
    /// A campaign's type: outbound, inbound or blended.
    pub CampaignTypeText = "^(outbound|inbound|blended)$";
    /// A campaign's status: draft, active, paused, completed or archived.
    pub CampaignStatusText = "^(draft|active|paused|completed|archived)$";
    /// A voice or language provider (stored only).
    pub ProviderTypeText = "^(openai|anthropic|google|azure|aws|elevenlabs|deepgram|custom)$";
    /// A column a call list sorts by.
    pub ContactSortText = "^(priority|created_at|last_name|first_name|last_called_at|call_attempts)$";
    /// asc or desc.
    pub SortOrderText = "^(asc|desc)$";
    /// A phone number's digits, optionally after `+` (3 to 20 digits).
    pub DialledNumber = r"^\+?[0-9]{3,20}$";
}
