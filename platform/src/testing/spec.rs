//! Reading a module's OpenAPI document in contract tests: the walk every
//! module's "the document says what the server enforces" test needs.

use serde_json::Value;

use super::TestApp;
use crate::http::Module;

/// `module`'s generated OpenAPI document, as JSON.
pub fn of(app: &TestApp, module: Module) -> Value {
    serde_json::from_str(&(module.build)(&app.platform).spec())
        .expect("the module's document is JSON")
}

/// Follows `$ref`s, and the `allOf` wrapper poem-openapi puts around a
/// described `$ref` (`allOf: [$ref, {description}]`), to the schema itself.
pub fn resolve<'a>(spec: &'a Value, mut schema: &'a Value) -> &'a Value {
    loop {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap_or_default();
            schema = &spec["components"]["schemas"][name];
        } else if let (None, Some(parts)) = (
            schema.get("properties"),
            schema.get("allOf").and_then(Value::as_array),
        ) {
            match parts
                .iter()
                .find(|p| p.get("$ref").is_some() || p.get("properties").is_some())
                .or(parts.first())
            {
                Some(part) => schema = part,
                None => return schema,
            }
        } else {
            return schema;
        }
    }
}

/// The names of the properties `schema` declares (none when it is not an object).
pub fn properties<'a>(spec: &'a Value, schema: &'a Value) -> Vec<&'a str> {
    resolve(spec, schema)
        .get("properties")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Fails unless `schema` is an object with documented properties (not a bare `Value`).
pub fn assert_typed(spec: &Value, schema: &Value, at: &str) {
    let s = resolve(spec, schema);
    let props = s["properties"].as_object();
    assert!(
        s["type"] == "object" && props.is_some_and(|p| !p.is_empty()),
        "{at}: not a typed object: {s}"
    );
}

/// [`assert_typed`], and every property has a description (Swagger text).
pub fn assert_typed_and_described(spec: &Value, schema: &Value, at: &str) {
    assert_typed(spec, schema, at);
    let props = resolve(spec, schema)["properties"].as_object();
    for (name, prop) in props.into_iter().flatten() {
        let described =
            prop.get("description").is_some() || resolve(spec, prop).get("description").is_some();
        assert!(described, "{at}: field {name} has no description");
    }
}

/// The parameter `name` of `GET path`; fails when the document has none.
pub fn get_param(spec: &Value, path: &str, name: &str) -> Value {
    spec["paths"][path]["get"]["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("GET {path} has no parameter {name}"))
}
