//! `TimeZoneName`: an IANA time zone as a body field or query parameter,
//! documented as an `enum` of every zone the server knows (so a client, and
//! a fuzzer, can tell a valid value from an invalid one).

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

/// An IANA time zone name, e.g. `Europe/Paris`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TimeZoneName(pub String);

impl TimeZoneName {
    /// The zone.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.0.parse().unwrap_or(chrono_tz::UTC)
    }
}

impl std::ops::Deref for TimeZoneName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Type for TimeZoneName {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "TimeZoneName".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(Self::name().into_owned())
    }

    fn register(registry: &mut Registry) {
        registry.create_schema::<Self, _>(Self::name().into_owned(), |_| MetaSchema {
            description: Some("An IANA time zone name, e.g. `Europe/Paris`."),
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

fn parse(s: &str) -> ParseResult<TimeZoneName> {
    if s.parse::<chrono_tz::Tz>().is_ok() {
        Ok(TimeZoneName(s.to_string()))
    } else {
        Err(ParseError::custom(
            "must be an IANA time zone name such as Europe/Paris",
        ))
    }
}

impl ParseFromJSON for TimeZoneName {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(s)) => parse(&s),
            other => Err(ParseError::expected_type(other.unwrap_or_default())),
        }
    }
}

impl ParseFromParameter for TimeZoneName {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        parse(value)
    }
}

impl ToJSON for TimeZoneName {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}
