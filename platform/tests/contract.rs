//! The platform's contract, through HTTP: credentials before input, roles
//! before input, parameter errors in plain words, `Allow` for the exact path,
//! and the platform's own user API saying what it enforces.

use std::sync::Arc;

use frontline_platform::body::JsonBody;
use frontline_platform::error::ApiError;
use frontline_platform::http::{
    self, BearerAuth, ErrorContext, ErrorEnvelope, Guarded, ModuleError, ModuleInfo, MountedModule,
};
use frontline_platform::testing::TestApp;
use frontline_platform::{Module, Platform};
use poem::http::StatusCode;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use serde_json::{json, Value};

/// The tiny module's error body.
struct TinyEnvelope;

/// `{"error": {"code", "message", "details"}}`.
#[derive(Object)]
struct TinyError {
    /// What went wrong.
    error: Value,
}

impl ErrorEnvelope for TinyEnvelope {
    type Body = TinyError;
    const VALIDATION_STATUS: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
    fn render(err: &ApiError, _ctx: &ErrorContext) -> Value {
        json!({"error": {"code": err.code(), "message": err.message, "details": err.details}})
    }
}

type Result<T> = std::result::Result<T, ModuleError<TinyEnvelope>>;

/// A fixed value set.
#[derive(Enum, Clone, Copy)]
#[oai(rename_all = "lowercase")]
enum Colour {
    Red,
    Green,
}

/// A body.
#[derive(Object)]
struct Thing {
    /// A name.
    name: String,
}

frontline_platform::bearer_policy!(
    /// Planners and admins.
    TinyEditor, |p| p.require_any_role("planning", &["PLANNER"])
);

/// An API key in `X-API-Key` (checked by the handler's scheme, not the platform).
#[derive(poem_openapi::SecurityScheme)]
#[oai(
    ty = "api_key",
    key_name = "X-API-Key",
    key_in = "header",
    checker = "key_checker"
)]
struct ApiKeyAuth(String);

async fn key_checker(
    _req: &poem::Request,
    key: poem_openapi::auth::ApiKey,
) -> poem::Result<String> {
    if key.key == "good-key" {
        Ok(key.key)
    } else {
        Err(ApiError::unauthorized("Unknown API key").into())
    }
}

struct TinyApi;

#[OpenApi]
impl TinyApi {
    /// Parameters before the security argument: the gate still answers 401 first.
    #[oai(path = "/things", method = "get")]
    async fn list(
        &self,
        limit: Query<u32>,
        #[oai(validator(minimum(value = "1"), maximum(value = "50")))] page: Query<Option<i64>>,
        colour: Query<Option<Colour>>,
        auth: BearerAuth,
    ) -> Result<Json<Value>> {
        let _ = (page, colour, auth);
        Ok(Json(json!({ "limit": limit.0 })))
    }

    /// The body before the security argument.
    #[oai(path = "/things", method = "post")]
    async fn create(&self, body: JsonBody<Thing>, auth: BearerAuth) -> Result<Json<Value>> {
        let _ = auth;
        Ok(Json(json!({ "name": body.0.name })))
    }

    /// Role in the handler's type: 403 before the body is parsed.
    #[oai(path = "/things/:id", method = "put")]
    async fn update(
        &self,
        auth: Guarded<TinyEditor>,
        id: Path<u32>,
        body: JsonBody<Thing>,
    ) -> Result<Json<Value>> {
        Ok(Json(
            json!({ "id": id.0, "name": body.0.name, "by": auth.email }),
        ))
    }

    /// One thing.
    #[oai(path = "/things/:id", method = "get")]
    async fn get(&self, id: Path<u32>, auth: BearerAuth) -> Result<Json<Value>> {
        let _ = auth;
        Ok(Json(json!({ "id": id.0 })))
    }

    /// One thing.
    #[oai(path = "/things/:id", method = "delete")]
    async fn delete(&self, id: Path<u32>, auth: BearerAuth) -> Result<Json<Value>> {
        let _ = auth;
        Ok(Json(json!({ "id": id.0 })))
    }

    /// An API-key operation: a present key is the handler's to judge.
    #[oai(path = "/keyed", method = "get")]
    async fn keyed(&self, limit: Query<u32>, key: ApiKeyAuth) -> Result<Json<Value>> {
        Ok(Json(json!({ "limit": limit.0, "key": key.0 })))
    }

    /// A literal route beside `/things/{id}`, public.
    #[oai(path = "/things/search", method = "get")]
    async fn search(&self, limit: Query<u32>) -> Result<Json<Value>> {
        Ok(Json(json!({ "limit": limit.0 })))
    }
}

fn build(platform: &Platform) -> MountedModule {
    http::mount::<_, TinyEnvelope>(
        platform,
        ModuleInfo {
            slug: "tiny",
            title: "Tiny",
            version: "1",
            description: "A module for platform tests.",
            base: "/tiny",
            require_module_role: false,
        },
        TinyApi,
        Arc::new(|_, _| None),
    )
}

async fn app() -> TestApp {
    TestApp::new(vec![Module::new("tiny", &[], build)]).await
}

fn field(body: &Value) -> (&str, &str) {
    let d = &body["error"]["details"][0];
    (
        d["field"].as_str().unwrap_or_default(),
        d["message"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn no_credentials_is_401_before_parameters_and_bodies_are_checked() {
    let app = app().await;
    for (method, url, input) in [
        ("GET", "/tiny/things?limit=-1", None),
        ("GET", "/tiny/things", None),
        ("POST", "/tiny/things", Some(json!({"name": 5}))),
        ("PUT", "/tiny/things/abc", Some(json!({}))),
        ("GET", "/tiny/things/-4", None),
    ] {
        let (status, body) = app.call(method, url, None, input.clone()).await.parts();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {url}: {body}");
        assert_eq!(body["error"]["code"], "UNAUTHORIZED", "{body}");
        // A bad token is refused the same way, with why.
        let (status, _) = app
            .call(method, url, Some("not-a-token"), input.clone())
            .await
            .parts();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {url} bad token");
    }
    // An API key or other declared credential would go to the handler; a
    // public operation is unaffected: its bad parameter is a 422.
    let (status, body) = app
        .call("GET", "/tiny/things/search?limit=x", None, None)
        .await
        .parts();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field(&body), ("limit", "must be a non-negative integer"));
}

#[tokio::test]
async fn any_declared_credential_counts_and_the_handler_judges_it() {
    let app = app().await;
    let get = |key: Option<&'static str>, url: &'static str| {
        let mut req = app.client.get(url);
        if let Some(k) = key {
            req = req.header("X-API-Key", k);
        }
        req.send()
    };
    let resp = get(None, "/tiny/keyed?limit=-1").await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    // A key is present: the platform does not judge it; the handler does.
    let resp = get(Some("good-key"), "/tiny/keyed?limit=2").await;
    resp.assert_status_is_ok();
    let resp = get(Some("bad-key"), "/tiny/keyed?limit=2").await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let resp = get(Some("good-key"), "/tiny/keyed?limit=-1").await;
    resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn parameter_errors_are_plain_words_with_the_field() {
    let app = app().await;
    let t = app.admin_token.clone();
    for (url, want_field, want) in [
        (
            "/tiny/things?limit=-1",
            "limit",
            "must be a non-negative integer",
        ),
        (
            "/tiny/things?limit=abc",
            "limit",
            "must be a non-negative integer",
        ),
        ("/tiny/things", "limit", "is required"),
        ("/tiny/things?limit=1&page=0", "page", "must be at least 1"),
        ("/tiny/things?limit=1&page=51", "page", "must be at most 50"),
        (
            "/tiny/things?limit=1&page=1.5",
            "page",
            "must be an integer",
        ),
        (
            "/tiny/things?limit=1&colour=blue",
            "colour",
            "must be one of red, green",
        ),
        ("/tiny/things/x", "id", "must be a non-negative integer"),
    ] {
        let (status, body) = app.call("GET", url, Some(&t), None).await.parts();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert_eq!(field(&body), (want_field, want), "{url}: {body}");
        assert_eq!(
            body["error"]["message"],
            format!("{want_field} {want}"),
            "{url}"
        );
        assert!(!body.to_string().contains("failed to parse"), "{body}");
    }
    let (status, body) = app
        .call("GET", "/tiny/things?limit=3&colour=green", Some(&t), None)
        .await
        .parts();
    assert_eq!((status, body["limit"].clone()), (StatusCode::OK, json!(3)));
}

#[tokio::test]
async fn a_caller_without_the_role_gets_403_before_the_body_is_parsed() {
    let app = app().await;
    let viewer = app.token_for(&["planning:VIEWER"]).await;
    let (status, body) = app
        .call(
            "PUT",
            "/tiny/things/1",
            Some(&viewer),
            Some(json!({"name": 5})),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let editor = app.token_for(&["planning:PLANNER"]).await;
    let (status, body) = app
        .call(
            "PUT",
            "/tiny/things/1",
            Some(&editor),
            Some(json!({"name": 5})),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field(&body), ("name", "must be a string"));
    let (status, body) = app
        .call(
            "PUT",
            "/tiny/things/1",
            Some(&editor),
            Some(json!({"name": "x"})),
        )
        .await
        .parts();
    assert_eq!((status, body["name"].clone()), (StatusCode::OK, json!("x")));

    // The policy documents as the one BearerAuth scheme.
    let (_, doc) = app
        .call("GET", "/tiny/openapi.json", None, None)
        .await
        .parts();
    assert_eq!(
        doc["paths"]["/things/{id}"]["put"]["security"],
        json!([{"BearerAuth": []}])
    );
    let schemes: Vec<&String> = doc["components"]["securitySchemes"]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(schemes, vec!["ApiKeyAuth", "BearerAuth"]);
    // (No second bearer scheme for the policy type.)
}

#[tokio::test]
async fn allow_lists_the_methods_of_the_exact_path() {
    let app = app().await;
    let t = app.admin_token.clone();
    let (status, _) = app
        .call("GET", "/tiny/things/search?limit=1", Some(&t), None)
        .await
        .parts();
    assert_eq!(status, StatusCode::OK);
    let reply = app
        .call("DELETE", "/tiny/things/search", Some(&t), None)
        .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        reply.headers.get("allow").map(|v| v.to_str().unwrap()),
        Some("GET")
    );
    let reply = app.call("POST", "/tiny/things/7", Some(&t), None).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        reply.headers.get("allow").map(|v| v.to_str().unwrap()),
        Some("GET, PUT, DELETE")
    );
}

#[tokio::test]
async fn creating_a_user_checks_the_admin_role_before_the_body() {
    let app = TestApp::new(vec![]).await;
    let planner = app.token_for(&["planning:PLANNER"]).await;
    let (status, body) = app
        .call(
            "POST",
            "/auth/users",
            Some(&planner),
            Some(json!({"email": 5})),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // No credentials at all: 401 before the body.
    let (status, _) = app
        .call("POST", "/auth/users", None, Some(json!({"email": 5})))
        .await
        .parts();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_user_api_documents_and_enforces_its_rules() {
    let app = TestApp::new(vec![]).await;
    let t = app.admin_token.clone();
    let (_, doc) = app
        .call("GET", "/auth/openapi.json", None, None)
        .await
        .parts();
    let create = &doc["components"]["schemas"]["CreateUser"]["properties"];
    assert_eq!(create["password"]["minLength"], 8);
    assert_eq!(create["password"]["maxLength"], 128);
    assert_eq!(create["name"]["maxLength"], 200);
    assert!(create["email"]["pattern"].is_string());
    let update = &doc["components"]["schemas"]["UpdateUser"]["properties"];
    assert_eq!(update["password"]["minLength"], 8);

    // Wrong types and unknown roles are named, field by field.
    let (status, body) = app
        .call(
            "POST",
            "/auth/users",
            Some(&t),
            Some(json!({"email": "a@b.example", "password": "long-enough", "name": 5, "roles": ["nope"]})),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["name", "roles[0]"], "{body}");

    // What the schema allows is accepted: surrounding blanks, any known role.
    let (status, body) = app
        .call(
            "POST",
            "/auth/users",
            Some(&t),
            Some(json!({"email": " New.User@Example.org ", "password": "12345678", "name": " N ", "roles": ["planning:VIEWER", "training:editor"]})),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["roles"], json!(["planning:VIEWER", "training:editor"]));
    let id = body["id"].as_str().unwrap().to_string();

    // PATCH: a short password is refused by the schema it documents.
    let (status, body) = app
        .call(
            "PATCH",
            &format!("/auth/users/{id}"),
            Some(&t),
            Some(json!({"password": "short", "is_active": "yes"})),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .call(
            "PATCH",
            &format!("/auth/users/{id}"),
            Some(&t),
            Some(json!({"name": "Renamed", "roles": ["admin"]})),
        )
        .await
        .parts();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["name"].clone(), body["roles"].clone()),
        (json!("Renamed"), json!(["admin"]))
    );
}
