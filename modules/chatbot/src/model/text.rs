//! Strings whose document schema states the rule the service checks (with
//! its own field messages): an e-mail `format`, a non-blank `pattern`.
//! They parse as any string; the service refuses what breaks the rule.
//! (poem-openapi's own `pattern` validator compiles its regex on every
//! check: too slow for the chat path, so its non-blank fields are these.)

use std::borrow::Cow;
use std::ops::Deref;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

macro_rules! documented_string {
    ($(#[$doc:meta])* $name:ident, $schema:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct $name(pub String);

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                "string".into()
            }

            fn schema_ref() -> MetaSchemaRef {
                let schema: MetaSchema = $schema;
                MetaSchemaRef::Inline(Box::new(schema))
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(std::iter::once(self))
            }
        }

        impl ParseFromJSON for $name {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                match value.unwrap_or_default() {
                    Value::String(s) => Ok($name(s)),
                    other => Err(ParseError::expected_type(other)),
                }
            }
        }

        impl ToJSON for $name {
            fn to_json(&self) -> Option<Value> {
                Some(Value::String(self.0.clone()))
            }
        }
    };
}

documented_string!(
    /// An e-mail address (`local@domain`, at most 254 characters).
    Email,
    MetaSchema {
        format: Some("email"),
        max_length: Some(254),
        ..MetaSchema::new("string")
    }
);

documented_string!(
    /// A name of 1-200 characters, not all blank.
    Name200,
    MetaSchema {
        min_length: Some(1),
        max_length: Some(200),
        pattern: Some(r"\S".to_string()),
        ..MetaSchema::new("string")
    }
);

documented_string!(
    /// A provider name of `ai_models.fallback_chain`: 1-64 characters.
    ProviderName,
    MetaSchema {
        min_length: Some(1),
        max_length: Some(64),
        ..MetaSchema::new("string")
    }
);

documented_string!(
    /// A text that is not all blank.
    NonBlank,
    MetaSchema {
        min_length: Some(1),
        pattern: Some(r"\S".to_string()),
        ..MetaSchema::new("string")
    }
);

documented_string!(
    /// An intent name: 1-100 characters, not all blank.
    IntentName,
    MetaSchema {
        min_length: Some(1),
        max_length: Some(100),
        pattern: Some(r"\S".to_string()),
        ..MetaSchema::new("string")
    }
);

documented_string!(
    /// A key of 1-200 characters, not all blank (a client-chosen message id).
    Key200,
    MetaSchema {
        min_length: Some(1),
        max_length: Some(200),
        pattern: Some(r"\S".to_string()),
        ..MetaSchema::new("string")
    }
);
