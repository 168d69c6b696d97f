//! Query parameters that take several values of a fixed set.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromParameter, ParseResult, ToJSON, Type};

pub use frontline_platform::search::MAX_FILTER_VALUES;

/// Filter values: the parameter repeated (`status=DRAFT&status=APPROVED`,
/// as the document's array declares) or comma-separated
/// (`status=DRAFT,APPROVED`); each value must be one of `T`'s, each is kept
/// once, at most [`MAX_FILTER_VALUES`].
#[derive(Debug, Clone, Default)]
pub struct Filter<T>(pub Vec<T>);

impl<T: Type> Type for Filter<T> {
    const IS_REQUIRED: bool = false;
    type RawValueType = Self;
    type RawElementValueType = T::RawValueType;

    fn name() -> Cow<'static, str> {
        format!("filter_{}", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            items: Some(Box::new(T::schema_ref())),
            max_items: Some(MAX_FILTER_VALUES),
            ..MetaSchema::new("array")
        }))
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.0.iter().filter_map(|v| v.as_raw_value()))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: ToJSON> Filter<T> {
    /// The values as the document spells them.
    pub fn names(&self) -> Vec<String> {
        names(&self.0)
    }
}

/// Enum values as the document spells them.
pub fn names<T: ToJSON>(values: &[T]) -> Vec<String> {
    values
        .iter()
        .filter_map(|v| v.to_json().and_then(|j| j.as_str().map(String::from)))
        .collect()
}

/// One enum value as the document spells it.
pub fn name_of<T: ToJSON>(value: &T) -> String {
    names(std::slice::from_ref(value)).pop().unwrap_or_default()
}

impl<T: Type + ParseFromParameter + PartialEq> ParseFromParameter for Filter<T> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse_from_parameters(std::iter::once(value))
    }

    fn parse_from_parameters<I: IntoIterator<Item = A>, A: AsRef<str>>(
        iter: I,
    ) -> ParseResult<Self> {
        let mut out: Vec<T> = Vec::new();
        for raw in iter {
            for part in raw.as_ref().split(',') {
                let v = T::parse_from_parameter(part.trim()).map_err(ParseError::propagate)?;
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
        if out.len() > MAX_FILTER_VALUES {
            return Err(ParseError::custom(format!(
                "at most {MAX_FILTER_VALUES} values"
            )));
        }
        Ok(Filter(out))
    }
}
