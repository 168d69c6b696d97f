//! Strings that must match a regular expression, with the expression in the
//! OpenAPI schema (`pattern`) and compiled once per type.
//!
//! poem-openapi's `#[oai(validator(pattern = "…"))]` compiles its regex on
//! every check (`Regex::new(..).unwrap().is_match(..)` in
//! `poem-openapi/src/validation/pattern.rs`): tens of microseconds per field
//! per request, more for the long date patterns. [`pattern_string!`] declares
//! a string type that documents the same schema and checks the value against
//! a regex compiled on first use:
//!
//! ```
//! frontline_platform::pattern_string! {
//!     /// A 3-letter ISO 4217 currency code in capitals, e.g. `SAR`.
//!     pub CurrencyCode = "^[A-Z]{3}$";
//! }
//! ```
//!
//! `CurrencyCode` works wherever `String` with that validator did: as a field
//! of an `Object` (also `Option<CurrencyCode>`, `Vec<CurrencyCode>`), as a
//! `Query`/`Path` parameter, and next to the other validators
//! (`#[oai(validator(max_length = 3))]`), whose schema parts merge with the
//! pattern as before. The field's doc comment is its description, as before.
//!
//! Refusals take the same paths as the validator's: a JSON body checked by
//! [`crate::body::JsonBody`] names the field from the schema's `pattern`
//! (before parsing, so the message is unchanged); a parameter is refused with
//! the validator's reason (`verification failed. pattern("…")`), which
//! [`crate::http::param_message`] turns into the module's validation error,
//! `<name> must match the pattern "…"`.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::ParseError;
use serde_json::Value;

#[doc(hidden)]
pub mod __private {
    pub use poem_openapi;
    pub use regex::Regex;
    pub use serde;
    pub use serde_json;
}

/// The schema of a pattern string: `{"type": "string", "pattern": …}`.
pub fn schema(pattern: &'static str) -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        pattern: Some(pattern.to_string()),
        ..MetaSchema::new("string")
    }))
}

/// The reason a value that does not match is refused: poem-openapi's own
/// validator text, so error bodies stay what they were.
pub fn mismatch(pattern: &str) -> String {
    format!("verification failed. pattern(\"{pattern}\")")
}

/// The text of a JSON value a `String` field accepts (poem-openapi takes a
/// number or a boolean as its text too).
pub fn json_text<T: poem_openapi::types::Type>(
    value: Option<Value>,
) -> Result<String, ParseError<T>> {
    match value.unwrap_or_default() {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(ParseError::expected_type(other)),
    }
}

/// The type name poem-openapi reports for these strings (as for `String`).
pub fn type_name() -> Cow<'static, str> {
    "string".into()
}

/// Declares string types checked against a regex compiled once (see the
/// module docs). Each type gets `new` (checks), `as_str`, `into_inner`,
/// `Deref<Target = str>`, `AsRef<str>`, `Display`, `Into<String>`, serde
/// (checked on the way in) and poem-openapi's `Type`, `ParseFromJSON`,
/// `ParseFromParameter` and `ToJSON`.
#[macro_export]
macro_rules! pattern_string {
    ($( $(#[$doc:meta])* $vis:vis $name:ident = $pattern:expr; )+) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name(String);

        #[allow(dead_code)]
        impl $name {
            /// The regular expression a value must match.
            pub const PATTERN: &'static str = $pattern;

            /// The compiled expression, built on first use.
            pub fn regex() -> &'static $crate::pattern::__private::Regex {
                static RE: ::std::sync::LazyLock<$crate::pattern::__private::Regex> =
                    ::std::sync::LazyLock::new(|| {
                        $crate::pattern::__private::Regex::new($name::PATTERN)
                            .expect(concat!("the pattern of ", stringify!($name), " compiles"))
                    });
                &RE
            }

            /// True when `text` matches the pattern.
            pub fn is_valid(text: &str) -> bool {
                Self::regex().is_match(text)
            }

            /// `text`, if it matches; otherwise the refusal reason.
            pub fn new(text: impl Into<String>) -> ::std::result::Result<Self, String> {
                let text = text.into();
                if Self::is_valid(&text) {
                    Ok(Self(text))
                } else {
                    Err($crate::pattern::mismatch(Self::PATTERN))
                }
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, owned.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl ::std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::convert::From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl ::std::cmp::PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl ::std::cmp::PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl $crate::pattern::__private::serde::Serialize for $name {
            fn serialize<S: $crate::pattern::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> $crate::pattern::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::pattern::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let text = <String as $crate::pattern::__private::serde::Deserialize>::deserialize(d)?;
                Self::new(text).map_err(<D::Error as $crate::pattern::__private::serde::de::Error>::custom)
            }
        }

        impl $crate::pattern::__private::poem_openapi::types::Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> ::std::borrow::Cow<'static, str> {
                $crate::pattern::type_name()
            }

            fn schema_ref() -> $crate::pattern::__private::poem_openapi::registry::MetaSchemaRef {
                $crate::pattern::schema(Self::PATTERN)
            }

            fn as_raw_value(&self) -> ::std::option::Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(
                &'a self,
            ) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(::std::iter::once(self))
            }

            fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl $crate::pattern::__private::poem_openapi::types::ParseFromJSON for $name {
            fn parse_from_json(
                value: ::std::option::Option<$crate::pattern::__private::serde_json::Value>,
            ) -> $crate::pattern::__private::poem_openapi::types::ParseResult<Self> {
                let text = $crate::pattern::json_text::<Self>(value)?;
                Self::new(text).map_err($crate::pattern::__private::poem_openapi::types::ParseError::custom)
            }
        }

        impl $crate::pattern::__private::poem_openapi::types::ParseFromParameter for $name {
            fn parse_from_parameter(
                value: &str,
            ) -> $crate::pattern::__private::poem_openapi::types::ParseResult<Self> {
                Self::new(value).map_err($crate::pattern::__private::poem_openapi::types::ParseError::custom)
            }
        }

        impl $crate::pattern::__private::poem_openapi::types::ToJSON for $name {
            fn to_json(&self) -> ::std::option::Option<$crate::pattern::__private::serde_json::Value> {
                Some($crate::pattern::__private::serde_json::Value::String(self.0.clone()))
            }
        }
    )+};
}

/// Patterns more than one module documents.
pub mod common {
    crate::pattern_string! {
        /// A date (`YYYY-MM-DD`) or an RFC 3339 date-time
        /// (`2026-01-31T09:00:00Z`, `…+03:00`), as the list filters take.
        pub DateOrDateTime = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$";

        /// A text that is not all blanks (`\S` somewhere).
        pub NonBlank = r"\S";

        /// A 3-letter ISO 4217 currency code in capitals, e.g. `SAR`.
        pub CurrencyCode = "^[A-Z]{3}$";
    }
}

#[cfg(test)]
mod tests {
    use super::common::{CurrencyCode, DateOrDateTime, NonBlank};
    use poem_openapi::registry::{MetaSchemaRef, Registry};
    use poem_openapi::types::{ParseFromJSON, ParseFromParameter, ToJSON, Type};
    use poem_openapi::Object;
    use serde_json::json;

    crate::pattern_string! {
        /// Two lower-case letters.
        TwoLetters = "^[a-z]{2}$";
    }

    /// A body with pattern fields, next to one with poem-openapi's own validator.
    #[derive(Object, Debug)]
    struct Body {
        /// The code.
        #[oai(validator(max_length = 3))]
        code: CurrencyCode,
        /// The same code, the old way.
        #[oai(validator(max_length = 3, pattern = "^[A-Z]{3}$"))]
        old_code: String,
        /// An optional note.
        note: Option<NonBlank>,
        tags: Option<Vec<TwoLetters>>,
    }

    fn property(registry: &Registry, name: &str) -> serde_json::Value {
        let body = registry.schemas.get("Body").expect("registered");
        let (_, schema) = body
            .properties
            .iter()
            .find(|(n, _)| *n == name)
            .expect("property");
        serde_json::to_value(schema).expect("serializes")
    }

    #[test]
    fn the_schema_carries_the_pattern_like_the_validator() {
        let mut registry = Registry::new();
        Body::register(&mut registry);
        let new = property(&registry, "code");
        assert_eq!(
            new,
            json!({"type": "string", "description": "The code.", "maxLength": 3, "pattern": "^[A-Z]{3}$"})
        );
        let mut old = property(&registry, "old_code");
        old["description"] = json!("The code.");
        assert_eq!(new, old);
        assert_eq!(
            property(&registry, "note"),
            json!({"type": "string", "description": "An optional note.", "pattern": "\\S"})
        );
        assert_eq!(
            property(&registry, "tags"),
            json!({"type": "array", "items": {"type": "string", "pattern": "^[a-z]{2}$"}})
        );
        let required = &registry.schemas["Body"].required;
        assert!(required.contains(&"code") && !required.contains(&"note"));
        assert!(matches!(TwoLetters::schema_ref(), MetaSchemaRef::Inline(_)));
    }

    #[test]
    fn values_are_checked_in_bodies_and_parameters() {
        let ok = Body::parse_from_json(Some(json!({
            "code": "SAR", "old_code": "SAR", "note": " x ", "tags": ["ab"]
        })))
        .expect("parses");
        assert_eq!(ok.code.as_str(), "SAR");
        assert_eq!(ok.note.as_deref(), Some(" x "));
        let tags = ok.tags.clone().unwrap_or_default();
        assert_eq!(tags[0].as_str(), "ab");
        assert_eq!(tags[0].clone().into_inner(), "ab");
        assert_eq!(
            ok.to_json(),
            Some(json!({"code": "SAR", "old_code": "SAR", "note": " x ", "tags": ["ab"]}))
        );
        for bad in [
            json!({"code": "sar", "old_code": "SAR"}),
            json!({"code": "SAR", "old_code": "SAR", "note": "   "}),
            json!({"code": "SAR", "old_code": "SAR", "tags": ["ab", "abc"]}),
        ] {
            let err = Body::parse_from_json(Some(bad)).expect_err("refused");
            assert!(
                err.message().contains("verification failed. pattern("),
                "{}",
                err.message()
            );
        }
        assert!(CurrencyCode::parse_from_parameter("EUR").is_ok());
        let err = CurrencyCode::parse_from_parameter("EURO").expect_err("refused");
        assert_eq!(
            err.message(),
            "failed to parse \"string\": verification failed. pattern(\"^[A-Z]{3}$\")"
        );
        // The module's error body says what the validator's said.
        let old = crate::http::param_message("verification failed. pattern(\"^[A-Z]{3}$\")");
        assert_eq!(old, "must match the pattern \"^[A-Z]{3}$\"");
        assert_eq!(crate::http::param_message(err.message()), old);
        let err = <Option<CurrencyCode>>::parse_from_parameters(["eur"]).expect_err("refused");
        assert_eq!(crate::http::param_message(err.message()), old);
    }

    #[test]
    fn dates_and_serde() {
        for ok in [
            "2026-01-31",
            "2026-01-31T09:00:00Z",
            "2026-01-31T09:00:00.5+03:00",
        ] {
            assert!(DateOrDateTime::is_valid(ok), "{ok}");
        }
        for bad in ["2026-13-01", "2026-01-31T24:00:00Z", "yesterday", ""] {
            assert!(!DateOrDateTime::is_valid(bad), "{bad}");
        }
        let code: CurrencyCode = serde_json::from_value(json!("SAR")).expect("valid");
        assert_eq!(
            serde_json::to_value(&code).expect("serializes"),
            json!("SAR")
        );
        assert!(serde_json::from_value::<CurrencyCode>(json!("sar")).is_err());
        assert_eq!(code, "SAR");
        assert_eq!(String::from(code), "SAR");
    }

    #[test]
    fn the_regex_is_compiled_once() {
        assert!(std::ptr::eq(CurrencyCode::regex(), CurrencyCode::regex()));
    }
}
