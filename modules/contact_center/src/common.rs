//! Helpers every part-1 resource shares: who may do what, timestamps,
//! phone/e-mail checks, periods, and list responses with paging headers.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use frontline_platform::auth::Principal;
use frontline_platform::page::Window;
use frontline_platform::{ApiError, ApiResult, FieldError, Platform};
use poem::http::{header, StatusCode};
use poem::{IntoResponse, Response};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::ApiResponse;
use serde_json::Value;

use crate::model::CcError;
use crate::SLUG;

/// Where part 1 is served (for `Link` headers).
pub const BASE: &str = "/contact-center";

/// What the caller may see and change.
///
/// - `admin` (platform or module) and `supervisor`: everything in part 1
///   (companies: only admins may delete).
/// - `agent`: reads everything; records calls and works queues.
/// - `user` (self-registered): runs their own campaigns, contacts, call lists
///   and private templates; never sees anyone else's, nor teams, queues or companies.
#[derive(Debug, Clone)]
pub struct Access {
    pub seq: i64,
    pub admin: bool,
    pub supervisor: bool,
    pub agent: bool,
}

impl Access {
    pub fn of(p: &Principal) -> Access {
        let admin = p.is_admin() || p.has_role(SLUG, "admin");
        Access {
            seq: p.seq,
            admin,
            supervisor: admin || p.has_role(SLUG, "supervisor"),
            agent: p.has_role(SLUG, "agent"),
        }
    }

    /// Staff see every campaign and contact; a plain user sees only their own.
    pub fn owner_scope(&self) -> Option<i64> {
        if self.supervisor || self.agent {
            None
        } else {
            Some(self.seq)
        }
    }

    /// Creating and changing campaigns, contacts, call lists and templates.
    pub fn require_campaign_writer(&self) -> ApiResult<()> {
        if self.agent && !self.supervisor {
            return Err(forbidden("Agents cannot change campaigns or contacts"));
        }
        Ok(())
    }

    /// Reading teams, agents, queues, companies and calls.
    pub fn require_staff(&self) -> ApiResult<()> {
        if self.supervisor || self.agent {
            Ok(())
        } else {
            Err(forbidden(
                "Insufficient permissions. agent, supervisor or admin role required.",
            ))
        }
    }

    /// Changing teams, agents, queues and companies.
    pub fn require_supervisor(&self) -> ApiResult<()> {
        if self.supervisor {
            Ok(())
        } else {
            Err(forbidden(
                "Insufficient permissions. supervisor or admin role required.",
            ))
        }
    }

    pub fn require_admin(&self) -> ApiResult<()> {
        if self.admin {
            Ok(())
        } else {
            Err(forbidden("Insufficient permissions. admin role required."))
        }
    }
}

pub fn forbidden(msg: &str) -> ApiError {
    CcError::AuthorizationError.with_message(msg)
}

pub fn not_found(what: &str, id: impl std::fmt::Display) -> ApiError {
    CcError::NotFound.with_message(format!("{what} {id} not found"))
}

pub fn duplicate(field: &str, msg: impl Into<String>) -> ApiError {
    CcError::DuplicateResource
        .with_message(msg)
        .with_detail(field, "already exists")
}

/// Now, as stored and printed: `2025-11-11T10:00:00Z`.
pub fn now() -> String {
    ts(Utc::now())
}

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses an RFC 3339 timestamp (or a bare `YYYY-MM-DD`, read as midnight UTC).
pub fn parse_ts(field: &str, raw: &str) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc());
        }
    }
    Err(FieldError::new(
        field,
        "Must be an ISO 8601 date-time such as 2025-12-01T00:00:00Z",
    ))
}

/// Seconds since the epoch of a stored timestamp (0 when unreadable).
pub fn epoch(stored: &str) -> i64 {
    DateTime::parse_from_rfc3339(stored)
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

/// Normalises a phone number to E.164 (`+` then 2 to 15 digits, no leading 0).
/// Spaces, dashes, dots and parentheses are removed first.
pub fn normalize_phone(field: &str, raw: &str) -> Result<String, FieldError> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
        .collect();
    let digits = cleaned.strip_prefix('+');
    let ok = digits.is_some_and(|d| {
        (2..=15).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit()) && !d.starts_with('0')
    });
    match (ok, digits) {
        (true, Some(_)) => Ok(cleaned),
        _ => Err(FieldError::new(
            field,
            format!(
                "'{}' is not a valid E.164 phone number (expected + and country code, e.g. +14155552671)",
                raw.chars().take(40).collect::<String>()
            ),
        )),
    }
}

/// The one e-mail rule of the module, written into the document as the
/// `pattern` of every e-mail field (with `maxLength` [`EMAIL_MAX`]) and checked
/// by [`normalize_email`]: spaces only (no address), or printable ASCII without
/// `@`, one `@`, then dot-separated labels of letters, digits and `-`, with
/// spaces allowed around it.
pub const EMAIL_PATTERN: &str = r"^ *$|^ *[\x21-\x3f\x41-\x7e]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)* *$";

/// One e-mail address where one is required (a report's recipients): the
/// address branch of [`EMAIL_PATTERN`] without the spaces around it.
pub const EMAIL_ADDRESS_PATTERN: &str = r"^[\x21-\x3f\x41-\x7e]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$";

static EMAIL_ADDRESS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(EMAIL_ADDRESS_PATTERN)
        .unwrap_or_else(|e| panic!("EMAIL_ADDRESS_PATTERN: {e}"))
});

/// True when `s` is an address by [`EMAIL_ADDRESS_PATTERN`] of at most
/// [`EMAIL_MAX`] characters (the document's rule for such fields).
pub fn is_email_address(s: &str) -> bool {
    s.chars().count() <= EMAIL_MAX && EMAIL_ADDRESS.is_match(s)
}

/// The longest e-mail field, in characters (the document's `maxLength`).
pub const EMAIL_MAX: usize = 254;

/// True when `raw` holds no address: empty or spaces only (what the pattern's
/// first branch accepts).
pub fn no_email(raw: &str) -> bool {
    raw.trim_matches(' ').is_empty()
}

/// Checks an e-mail address against [`EMAIL_PATTERN`] and [`EMAIL_MAX`] (the
/// document's rule, nothing more or less); returns it trimmed and lower-cased.
pub fn normalize_email(field: &str, raw: &str) -> Result<String, FieldError> {
    if raw.chars().count() <= EMAIL_MAX && crate::model::EmailText::is_valid(raw) {
        Ok(raw.trim_matches(' ').to_lowercase())
    } else {
        Err(FieldError::new(
            field,
            format!(
                "'{}' is not a valid email address",
                raw.trim().chars().take(60).collect::<String>()
            ),
        ))
    }
}

/// Trims a required text; 1..=max characters.
pub fn required_text(problems: &mut Vec<FieldError>, field: &str, raw: &str, max: usize) -> String {
    let v = raw.trim().to_string();
    if v.is_empty() || v.chars().count() > max {
        problems.push(FieldError::new(
            field,
            format!("{field} must be 1 to {max} characters"),
        ));
    }
    v
}

/// Trims an optional text; empty becomes `None`; at most `max` characters.
pub fn optional_text(
    problems: &mut Vec<FieldError>,
    field: &str,
    raw: Option<String>,
    max: usize,
) -> Option<String> {
    let v = raw.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if v.as_ref().is_some_and(|s| s.chars().count() > max) {
        problems.push(FieldError::new(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    v
}

/// Checks an integer is within bounds.
pub fn in_range(problems: &mut Vec<FieldError>, field: &str, v: Option<i64>, lo: i64, hi: i64) {
    if let Some(v) = v {
        if v < lo || v > hi {
            problems.push(FieldError::new(
                field,
                format!("{field} must be between {lo} and {hi}"),
            ));
        }
    }
}

/// Checks a value is one of `allowed`.
pub fn one_of(problems: &mut Vec<FieldError>, field: &str, v: Option<&str>, allowed: &[&str]) {
    if let Some(v) = v {
        if !allowed.contains(&v) {
            problems.push(FieldError::new(
                field,
                format!("{field} must be one of: {}", allowed.join(", ")),
            ));
        }
    }
}

/// A JSON object or an error on `field`.
pub fn object(problems: &mut Vec<FieldError>, field: &str, v: Option<Value>) -> Option<Value> {
    match v {
        Some(Value::Null) => Some(Value::Object(Default::default())),
        Some(Value::Object(m)) => Some(Value::Object(m)),
        Some(_) => {
            problems.push(FieldError::new(field, format!("{field} must be an object")));
            None
        }
        None => None,
    }
}

pub fn fail_if(problems: Vec<FieldError>) -> ApiResult<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(problems))
    }
}

/// Reads a JSON column (an empty object/array when unreadable).
pub fn json_col(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap_or(Value::Null)
}

pub fn string_list(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// A reporting period such as `24h`, `7d`, `4w` (1 hour to 366 days).
#[derive(Debug, Clone)]
pub struct Period {
    pub label: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

pub fn period(raw: Option<&str>, default: &str) -> ApiResult<Period> {
    let label = raw.unwrap_or(default).trim().to_lowercase();
    let bad = || {
        ApiError::invalid(
            "period",
            "period must look like 24h, 7d, 30d or 4w (at most 366 days)",
        )
    };
    let unit = label.chars().last().ok_or_else(bad)?;
    let num = &label[..label.len() - unit.len_utf8()];
    let n: i64 = num.parse().map_err(|_| bad())?;
    let hours_per_unit = match unit {
        'h' => 1,
        'd' => 24,
        'w' => 24 * 7,
        _ => return Err(bad()),
    };
    let hours = n.checked_mul(hours_per_unit).ok_or_else(bad)?;
    if n < 1 || hours > 366 * 24 {
        return Err(bad());
    }
    let end = Utc::now();
    Ok(Period {
        label,
        start: end - Duration::hours(hours),
        end,
    })
}

/// An item of a list page: how it is written into the page's JSON array.
///
/// The default goes through poem-openapi's `ToJSON` (a `serde_json::Value`
/// per item, as `Json` does). The main lists' items (contacts, campaigns,
/// calls) write themselves with `serde` instead ([`sorted_serialize!`]): the
/// same text, without building and dropping a map per row (the `Value` round
/// trip was most of a page's CPU in the release profile).
pub trait PageItem: Type + ToJSON {
    /// Appends this item's JSON to `out`.
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(out, &self.to_json())
    }
}

impl PageItem for crate::model::Agent {}
impl PageItem for crate::model::CallList {}
impl PageItem for crate::model::CampaignTemplate {}
impl PageItem for crate::model::Company {}
impl PageItem for crate::model::Queue {}
impl PageItem for crate::model::QueuedCall {}
impl PageItem for crate::model::Team {}

/// Implements `serde::Serialize` for an `Object` with its fields written in
/// the order given, which must be the order of its JSON text from `ToJSON`
/// (poem-openapi builds a `serde_json::Map`: keys sorted by name); and
/// [`PageItem`] through it. A unit test compares both texts for each type.
#[macro_export]
macro_rules! sorted_serialize {
    ($ty:ty { $($field:ident),+ $(,)? }) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let mut st = s.serialize_struct(stringify!($ty), [$(stringify!($field)),+].len())?;
                $(st.serialize_field(stringify!($field), &self.$field)?;)+
                st.end()
            }
        }

        impl $crate::common::PageItem for $ty {
            fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
                serde_json::to_writer(out, self)
            }
        }
    };
}

/// The JSON array of a page: documented as `Json<Vec<T>>` is, written item by
/// item with [`PageItem::write_json`].
pub struct JsonList<T>(pub Vec<T>);

impl<T: Type> Payload for JsonList<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        <Json<Vec<T>> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        <Vec<T> as Type>::schema_ref()
    }

    fn register(registry: &mut Registry) {
        <Vec<T> as Type>::register(registry);
    }
}

impl<T: PageItem + Send> IntoResponse for JsonList<T> {
    fn into_response(self) -> Response {
        let mut out = Vec::with_capacity(64 + self.0.len() * 512);
        out.push(b'[');
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if let Err(e) = item.write_json(&mut out) {
                return Response::builder()
                    .status(StatusCode::INTERNAL_SERVER_ERROR)
                    .body(e.to_string());
            }
        }
        out.push(b']');
        Response::builder()
            .header(header::CONTENT_TYPE, Self::CONTENT_TYPE)
            .body(out)
    }
}

/// A page of a list with `X-Total-Count`, `X-Page-Count` and `Link` headers.
#[derive(ApiResponse)]
pub enum Paged<T: PageItem + Send> {
    /// One page of results; the headers give the total and links to other pages.
    #[oai(status = 200)]
    Ok(
        JsonList<T>,
        /// Total number of matching records.
        #[oai(header = "X-Total-Count")]
        u64,
        /// Number of pages at this limit.
        #[oai(header = "X-Page-Count")]
        u64,
        /// Links to the first, previous, next and last pages (RFC 8288).
        #[oai(header = "Link")]
        String,
    ),
}

/// The validated limit/offset of a list (default 50, capped at the server maximum).
pub fn window(platform: &Platform, limit: Option<i64>, offset: Option<i64>) -> ApiResult<Window> {
    Window::new(limit, offset, 50, platform.settings.max_page_size as u64)
}

/// Query parameters a list was filtered by, kept in its `Link` header.
#[derive(Default)]
pub struct Filters(Vec<(&'static str, String)>);

impl Filters {
    pub fn new() -> Self {
        Filters::default()
    }
    pub fn add(mut self, name: &'static str, v: Option<impl ToString>) -> Self {
        if let Some(v) = v {
            self.0.push((name, v.to_string()));
        }
        self
    }
}

/// Renders a page: the items and the paging headers for `path` (below the base).
pub fn paged<T: PageItem + Send>(
    items: Vec<T>,
    w: Window,
    path: &str,
    filters: Filters,
    total: u64,
) -> Paged<T> {
    let links = w.link_header(&format!("{BASE}{path}"), &filters.0, total);
    Paged::Ok(JsonList(items), total, w.pages(total), links)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text a page item writes is the text poem-openapi's `Json` wrote
    /// for it (same keys, order, numbers, escapes and nulls).
    #[test]
    fn page_items_write_what_to_json_wrote() {
        use crate::model::{Call, Campaign, Contact};
        fn same<T: PageItem>(items: &[T]) {
            for item in items {
                let mut fast = Vec::new();
                item.write_json(&mut fast).expect("write");
                let slow = serde_json::to_vec(&item.to_json()).expect("to_json");
                assert_eq!(
                    String::from_utf8_lossy(&fast),
                    String::from_utf8_lossy(&slow)
                );
            }
        }
        let odd = "Zoë \"quoted\" \\ tab\t line\n \u{1F600} </script>";
        let contact = Contact {
            id: 7,
            campaign_id: Some(3),
            first_name: odd.into(),
            last_name: None,
            email: Some("a@b.example".into()),
            phone_number: "+14155550100".into(),
            company: None,
            custom_fields: serde_json::json!({"z": [1, 2.5, null], "a": {"k": "v"}, "é": true}),
            priority: 5,
            status: "pending".into(),
            call_attempts: 0,
            last_called_at: None,
            created_by_id: 1,
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-02T00:00:00Z".into(),
        };
        same(&[
            contact.clone(),
            Contact {
                campaign_id: None,
                last_name: Some(odd.into()),
                custom_fields: Value::Null,
                last_called_at: Some("2026-01-03T00:00:00Z".into()),
                ..contact
            },
        ]);
        let campaign = Campaign {
            id: 1,
            name: odd.into(),
            description: None,
            status: "draft".into(),
            campaign_type: "outbound".into(),
            provider_type: "openai".into(),
            provider_model: Some("m".into()),
            provider_config: serde_json::json!({"temperature": 0.7}),
            system_prompt: None,
            start_date: Some("2026-01-01".into()),
            end_date: None,
            max_daily_calls: None,
            retry_failed: true,
            max_retries: 3,
            template_id: None,
            cloned_from_id: Some(2),
            total_contacts: 10,
            completed_calls: 3,
            success_rate: 0.3333,
            created_by_id: 1,
            started_at: None,
            completed_at: None,
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
        };
        same(&[
            campaign.clone(),
            Campaign {
                success_rate: 0.0,
                retry_failed: false,
                ..campaign.clone()
            },
            Campaign {
                success_rate: 1.0,
                ..campaign
            },
        ]);
        let call = Call {
            id: 1,
            call_id: "c-1".into(),
            direction: "outbound".into(),
            status: "completed".into(),
            outcome: Some("success".into()),
            campaign_id: Some(1),
            contact_id: None,
            agent_id: Some(2),
            team_id: None,
            queue_id: None,
            caller_number: Some("+14155550100".into()),
            priority: 5,
            queued_at: None,
            assigned_at: None,
            wait_time: Some(12),
            started_at: "2026-01-01T00:00:00Z".into(),
            ended_at: None,
            duration: Some(60),
            cost: Some(0.1),
            notes: Some(odd.into()),
            attributes: serde_json::json!({}),
            created_at: "2026-01-01T00:00:00Z".into(),
        };
        same(&[
            call.clone(),
            Call {
                cost: Some(1e-7),
                ..call.clone()
            },
            Call {
                cost: Some(12345678.9),
                outcome: None,
                ..call
            },
        ]);
    }

    #[test]
    fn phones_are_normalised_to_e164() {
        assert_eq!(
            normalize_phone("p", "+1 (415) 555-2671").unwrap(),
            "+14155552671"
        );
        assert_eq!(normalize_phone("p", "+1234567890").unwrap(), "+1234567890");
        for bad in [
            "1234567890",
            "+0123456",
            "+1",
            "+1234567890123456",
            "+12ab345",
            "",
        ] {
            assert!(normalize_phone("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn periods() {
        assert_eq!(period(None, "7d").unwrap().label, "7d");
        let p = period(Some("24h"), "7d").unwrap();
        assert_eq!((p.end - p.start).num_hours(), 24);
        for bad in [
            "0d",
            "x",
            "7y",
            "400d",
            "-1d",
            "",
            "d",
            "7\u{83}",
            "\u{83}d",
            "99999999999999999w",
        ] {
            assert!(period(Some(bad), "7d").is_err(), "{bad}");
        }
    }
}

/// A query parameter that takes a date (`2025-11-01`) or an RFC 3339
/// timestamp; the document says so (`anyOf` date, date-time), and anything
/// else is refused before the handler runs.
#[derive(Debug, Clone)]
pub struct DateOrTime(pub String);

impl std::ops::Deref for DateOrTime {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl poem_openapi::types::Type for DateOrTime {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> std::borrow::Cow<'static, str> {
        "string(date|date-time)".into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
        let format = |f| MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", f)));
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some("A date (2025-11-01) or an RFC 3339 timestamp."),
            any_of: vec![format("date"), format("date-time")],
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl DateOrTime {
    fn parse(value: &str) -> poem_openapi::types::ParseResult<Self> {
        let ok = DateTime::parse_from_rfc3339(value).is_ok()
            || chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok();
        if ok {
            Ok(DateOrTime(value.to_string()))
        } else {
            Err(poem_openapi::types::ParseError::custom(
                "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp",
            ))
        }
    }
}

impl poem_openapi::types::ParseFromJSON for DateOrTime {
    fn parse_from_json(value: Option<Value>) -> poem_openapi::types::ParseResult<Self> {
        match value {
            Some(Value::String(s)) => DateOrTime::parse(&s),
            _ => Err(poem_openapi::types::ParseError::expected_type(
                value.unwrap_or_default(),
            )),
        }
    }
}

impl poem_openapi::types::ToJSON for DateOrTime {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

impl poem_openapi::types::ParseFromParameter for DateOrTime {
    fn parse_from_parameter(value: &str) -> poem_openapi::types::ParseResult<Self> {
        DateOrTime::parse(value)
    }
}
