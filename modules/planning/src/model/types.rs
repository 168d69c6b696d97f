//! Scalar types with a schema of their own: a date bound (an ISO 8601 date or
//! date-time); the time zone type is the platform's.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromParameter, ParseResult, Type};

/// The platform's IANA time zone field (one definition for every module).
pub use frontline_platform::tz::TimeZoneName;

/// An ISO 8601 date (`2025-11-13`) or RFC 3339 date-time (`2025-11-13T10:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    Date(chrono::NaiveDate),
    DateTime(chrono::DateTime<chrono::Utc>),
}

impl DateBound {
    /// The bound as an RFC 3339 instant in UTC (milliseconds): a bare date
    /// starts at 00:00:00.000, or, as an end bound, covers its whole day.
    pub fn instant(self, end: bool) -> String {
        let at = match self {
            DateBound::DateTime(t) => t,
            DateBound::Date(d) => {
                let t = if end {
                    d.and_hms_milli_opt(23, 59, 59, 999)
                } else {
                    d.and_hms_opt(0, 0, 0)
                };
                t.unwrap_or_default().and_utc()
            }
        };
        at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
}

impl Type for DateBound {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string(date | date-time)".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            any_of: vec![
                MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date"))),
                MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date-time"))),
            ],
            ..MetaSchema::ANY
        }))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromParameter for DateBound {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        let v = value.trim();
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
            return Ok(DateBound::DateTime(t.with_timezone(&chrono::Utc)));
        }
        chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(DateBound::Date)
            .map_err(|_| ParseError::custom("Must be an ISO 8601 date or date-time"))
    }
}
