//! Scalar types with a schema of their own: an IANA time zone (an `enum` of
//! every zone the server knows) and a date bound (an ISO 8601 date or date-time).

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

/// An IANA time zone name, e.g. `Asia/Riyadh`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneName(pub String);

impl Type for TimeZoneName {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "TimeZone".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(Self::name().into_owned())
    }

    fn register(registry: &mut Registry) {
        registry.create_schema::<Self, _>(Self::name().into_owned(), |_| MetaSchema {
            description: Some("An IANA time zone name, e.g. `Asia/Riyadh`."),
            enum_items: chrono_tz::TZ_VARIANTS
                .iter()
                .map(|tz| Value::String(tz.name().to_string()))
                .collect(),
            ..MetaSchema::new("string")
        });
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

impl ParseFromJSON for TimeZoneName {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(s)) if s.parse::<chrono_tz::Tz>().is_ok() => Ok(TimeZoneName(s)),
            Some(Value::String(_)) => Err(ParseError::custom("must be an IANA time zone")),
            other => Err(ParseError::expected_type(other.unwrap_or_default())),
        }
    }
}

impl ToJSON for TimeZoneName {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

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
