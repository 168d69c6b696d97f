//! Shared helpers for part 1's integration tests.
#![allow(dead_code)]

use frontline_platform::testing::TestApp;
use poem::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

pub const V1: &str = "/contact-center/api/v1";

pub struct Cc {
    pub app: TestApp,
    pub admin: String,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        self.body
    }
}

impl Cc {
    pub async fn new() -> Cc {
        let app = TestApp::new(vec![frontline_contact_center::module()]).await;
        let admin = app.admin_token.clone();
        Cc { app, admin }
    }

    pub async fn token(&self, role: &str) -> String {
        self.app
            .token_for(&[&format!("contact-center:{role}")])
            .await
    }

    /// A user with `role`; returns (integer user id, token).
    pub async fn user(&self, role: &str) -> (i64, String) {
        let token = self.token(role).await;
        let me = self.get(&token, "/auth/me").await.expect(200);
        (me["id"].as_i64().unwrap(), token)
    }

    pub async fn send(&self, method: &str, token: &str, path: &str, body: Option<Value>) -> Resp {
        let url = format!("{V1}{path}");
        let c = &self.app.client;
        let req = match method {
            "GET" => c.get(&url),
            "POST" => c.post(&url),
            "PUT" => c.put(&url),
            "DELETE" => c.delete(&url),
            _ => unreachable!(),
        };
        let req = if token.is_empty() {
            req
        } else {
            req.header("Authorization", format!("Bearer {token}"))
        };
        let resp = match body {
            Some(b) => req.body_json(&b).send().await,
            None => req.send().await,
        };
        let status = resp.0.status();
        let headers = resp.0.headers().clone();
        let text = resp.0.into_body().into_string().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, token: &str, path: &str) -> Resp {
        self.send("GET", token, path, None).await
    }
    pub async fn post(&self, token: &str, path: &str, body: Value) -> Resp {
        self.send("POST", token, path, Some(body)).await
    }
    pub async fn put(&self, token: &str, path: &str, body: Value) -> Resp {
        self.send("PUT", token, path, Some(body)).await
    }
    pub async fn delete(&self, token: &str, path: &str) -> Resp {
        self.send("DELETE", token, path, None).await
    }

    /// Creates a campaign as `token`; returns its id.
    pub async fn campaign(&self, token: &str, name: &str) -> i64 {
        self.post(token, "/campaigns", json!({"name": name}))
            .await
            .expect(201)["id"]
            .as_i64()
            .unwrap()
    }

    /// Adds a contact to `campaign`; returns its id.
    pub async fn contact(&self, token: &str, campaign: i64, first: &str, phone: &str) -> i64 {
        self.post(
            token,
            "/contacts",
            json!({"campaign_id": campaign, "first_name": first, "phone_number": phone}),
        )
        .await
        .expect(201)["id"]
            .as_i64()
            .unwrap()
    }

    /// Creates an agent for a new user; returns (agent id, the agent's token).
    pub async fn agent(&self, number: &str, extra: Value) -> (i64, String) {
        let (uid, token) = self.user("agent").await;
        let mut body = json!({"user_id": uid, "agent_number": number, "status": "available"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let a = self.post(&self.admin, "/agents", body).await.expect(201);
        (a["id"].as_i64().unwrap(), token)
    }
}
