//! Answers written with `serde` straight into the body instead of through a
//! `serde_json::Value` tree (a map per object, built and dropped for every
//! answer): [`Direct`] is documented exactly as poem-openapi's `Json<T>`, and
//! [`sorted_json!`](crate::sorted_json) gives a type the `serde::Serialize`
//! that writes the same text as its `ToJSON`. Each use keeps a unit test
//! comparing both texts.

use poem::http::{header, StatusCode};
use poem::{IntoResponse, Response};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaResponses, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::ApiResponse;

/// A 200 answer `T`, documented as `Json<T>` is and written with `serde`.
pub struct Direct<T: ParseFromJSON + ToJSON>(pub T);

impl<T: ParseFromJSON + ToJSON> Payload for Direct<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        <Json<T> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        <Json<T> as Payload>::schema_ref()
    }

    fn register(registry: &mut Registry) {
        <Json<T> as Payload>::register(registry);
    }
}

impl<T: ParseFromJSON + ToJSON + serde::Serialize + Send> IntoResponse for Direct<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder()
                .header(header::CONTENT_TYPE, Self::CONTENT_TYPE)
                .body(body),
            Err(e) => Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(e.to_string()),
        }
    }
}

impl<T: ParseFromJSON + ToJSON + serde::Serialize + Send> ApiResponse for Direct<T> {
    fn meta() -> MetaResponses {
        <Json<T> as ApiResponse>::meta()
    }

    fn register(registry: &mut Registry) {
        <Json<T> as ApiResponse>::register(registry);
    }
}

/// Implements `serde::Serialize` for an `Object` as the JSON text poem-openapi's
/// `ToJSON` gives it: keys sorted by name (it builds a `serde_json::Map`), each
/// named as in the document; `if some` marks a field left out when `None`
/// (`skip_serializing_if_is_none`), `if finite` a float left out when it is not
/// a JSON number (as `ToJSON` leaves out NaN and infinities), `if value` a
/// field written through its own `ToJSON` (nested types and enums: left out
/// when that gives nothing), `if some_value` both. The caller lists the
/// fields in key order; a unit test compares both texts per type.
#[macro_export]
macro_rules! sorted_json {
    ($ty:ty { $($key:literal => $field:ident $(if $some:ident)?),+ $(,)? }) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(None)?;
                $($crate::sorted_json!(@field m, self, $key, $field $($some)?);)+
                m.end()
            }
        }
    };
    (@field $m:ident, $self:ident, $key:literal, $field:ident) => {
        $m.serialize_entry($key, &$self.$field)?;
    };
    (@field $m:ident, $self:ident, $key:literal, $field:ident finite) => {
        if $self.$field.is_finite() {
            $m.serialize_entry($key, &$self.$field)?;
        }
    };
    (@field $m:ident, $self:ident, $key:literal, $field:ident value) => {
        if let Some(v) = poem_openapi::types::ToJSON::to_json(&$self.$field) {
            $m.serialize_entry($key, &v)?;
        }
    };
    (@field $m:ident, $self:ident, $key:literal, $field:ident some_value) => {
        if let Some(v) = $self.$field.as_ref().and_then(poem_openapi::types::ToJSON::to_json) {
            $m.serialize_entry($key, &v)?;
        }
    };
    (@field $m:ident, $self:ident, $key:literal, $field:ident some) => {
        if let Some(v) = &$self.$field {
            $m.serialize_entry($key, v)?;
        }
    };
}
