//! Domain events and outgoing webhooks.
//!
//! A module emits an event inside the transaction of the change
//! (`events::emit(tx, "training", "scenario.published", &data, &audience)`);
//! the same transaction queues one delivery per matching subscription that
//! may see the resource: subscriptions owned by one of the audience's owners
//! (or every subscription for [`Audience::All`]), and module-wide ones
//! (those an admin of the module registered). A worker POSTs
//! each delivery as JSON `{id, event, timestamp, data}` with
//! `X-Frontline-Signature: sha256=<hex HMAC-SHA256 of the body with the
//! subscription secret>`, `X-Frontline-Timestamp`, `X-Frontline-Event` and
//! `X-Frontline-Delivery`, retries failures with exponential backoff, and
//! keeps a delivery log (status code, attempts, last error).
//!
//! Subscription secrets are encrypted at rest ([`crate::secrets`]) and shown
//! only when created. Calls go through the platform's [`Outbound`] client
//! (public addresses only unless the operator allows more).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Value};

use crate::db::Db;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::outbound::{describe, Outbound};
use crate::secrets::SecretBox;
use crate::time::{from_ms, to_ms};

/// This service's schema steps (its own migration chain, `platform.events`).
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE platform_events (
    id INTEGER PRIMARY KEY,
    module TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX platform_events_module ON platform_events(module, created_at);
CREATE TABLE platform_webhooks (
    id TEXT PRIMARY KEY,
    module TEXT NOT NULL,
    owner_id TEXT,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    description TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE INDEX platform_webhooks_module ON platform_webhooks(module, active);
CREATE TABLE platform_webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES platform_webhooks(id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL REFERENCES platform_events(id),
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status_code INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX platform_webhook_deliveries_due ON platform_webhook_deliveries(status, next_attempt_at);
CREATE INDEX platform_webhook_deliveries_hook ON platform_webhook_deliveries(webhook_id, id);
"#,
    r#"
ALTER TABLE platform_webhooks ADD COLUMN module_wide INTEGER NOT NULL DEFAULT 0;
-- Only training admins could register training webhooks: they see every scenario.
UPDATE platform_webhooks SET module_wide = 1 WHERE module = 'training';
"#,
    r#"
-- Who may see the event (NULL: every subscriber of the module; else the JSON
-- list of owner ids), so live streams (sse.rs) filter as deliveries do.
ALTER TABLE platform_events ADD COLUMN audience TEXT;
"#,
];

/// Delivery attempts before a delivery is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;

/// Who may see the resource an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every subscriber of the module (e.g. a tenant's own event stream).
    All,
    /// Subscriptions owned by these ids, and module-wide subscriptions.
    Owners(Vec<String>),
}

impl Audience {
    /// The owners given (empty and repeated ids dropped).
    pub fn owners<I, S>(ids: I) -> Audience
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut out: Vec<String> = Vec::new();
        for id in ids.into_iter().map(Into::into) {
            if !id.is_empty() && !out.contains(&id) {
                out.push(id);
            }
        }
        Audience::Owners(out)
    }

    /// Module-wide subscriptions only (no owner may see it beyond admins).
    pub fn admins() -> Audience {
        Audience::Owners(Vec::new())
    }

    /// Whether a viewer sees an event with this audience: the rule of the
    /// deliveries in [`emit`] (every subscriber for `All`; otherwise
    /// module-wide viewers and the listed owners).
    pub fn reaches(&self, owner_id: Option<&str>, module_wide: bool) -> bool {
        match self {
            Audience::All => true,
            Audience::Owners(ids) => {
                module_wide || owner_id.is_some_and(|o| ids.iter().any(|i| i == o))
            }
        }
    }

    /// The audience stored with an event (`platform_events.audience`).
    pub fn from_column(stored: Option<&str>) -> Audience {
        match stored {
            None => Audience::All,
            Some(s) => Audience::Owners(serde_json::from_str(s).unwrap_or_default()),
        }
    }
}

/// Records event `event_type` of `module` and queues its deliveries to the
/// subscriptions of `audience`; call inside the transaction of the change it
/// describes. Returns the event id.
pub fn emit(
    tx: &Connection,
    module: &str,
    event_type: &str,
    data: &Value,
    audience: &Audience,
) -> ApiResult<i64> {
    let now = to_ms(Utc::now());
    let owners = match audience {
        Audience::All => None,
        Audience::Owners(ids) => Some(serde_json::to_string(ids)?),
    };
    tx.execute(
        "INSERT INTO platform_events (module, event_type, payload, created_at, audience) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![module, event_type, data.to_string(), now, owners],
    )?;
    let event_id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO platform_webhook_deliveries (webhook_id, event_id, status, next_attempt_at, created_at)
         SELECT w.id, ?1, 'pending', ?2, ?2 FROM platform_webhooks w
         WHERE w.module = ?3 AND w.active = 1
           AND EXISTS (SELECT 1 FROM json_each(w.events) e WHERE e.value IN (?4, '*'))
           AND (?5 IS NULL OR w.module_wide = 1
                OR w.owner_id IN (SELECT o.value FROM json_each(?5) o))",
        params![event_id, now, module, event_type, owners],
    )?;
    Ok(event_id)
}

/// A webhook subscription (its secret is never included).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Subscription {
    pub id: String,
    pub module: String,
    pub owner_id: Option<String>,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub active: bool,
    /// Receives every event of the module (an admin's subscription).
    pub module_wide: bool,
    pub created_at: DateTime<Utc>,
}

/// What a new subscription is made of.
#[derive(Debug, Clone, Default)]
pub struct NewSubscription {
    pub module: String,
    /// Who owns it (a user or tenant id), so owners only see their own.
    pub owner_id: Option<String>,
    pub url: String,
    pub events: Vec<String>,
    /// The signing secret; generated (`whsec_…`) when `None`.
    pub secret: Option<String>,
    pub description: Option<String>,
    /// Every event of the module, whoever's resource it is about (for
    /// subscriptions of the module's admins); otherwise only events whose
    /// audience names `owner_id`.
    pub module_wide: bool,
}

/// One delivery of one event to one subscription.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: String,
    pub event_id: i64,
    pub event_type: String,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

fn subscription_from_row(r: &Row<'_>) -> rusqlite::Result<Subscription> {
    let events: String = r.get(4)?;
    Ok(Subscription {
        id: r.get(0)?,
        module: r.get(1)?,
        owner_id: r.get(2)?,
        url: r.get(3)?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        description: r.get(5)?,
        active: r.get(6)?,
        created_at: from_ms(r.get(7)?),
        module_wide: r.get(8)?,
    })
}

const SUB_COLUMNS: &str =
    "id, module, owner_id, url, events, description, active, created_at, module_wide";

/// The subscriptions of `module`, optionally only `owner`'s, oldest first.
pub fn list_subscriptions(
    conn: &Connection,
    module: &str,
    owner: Option<&str>,
) -> ApiResult<Vec<Subscription>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {SUB_COLUMNS} FROM platform_webhooks
         WHERE module = ?1 AND (?2 IS NULL OR owner_id = ?2) ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map(params![module, owner], subscription_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One subscription of `module` (and `owner`, when given).
pub fn get_subscription(
    conn: &Connection,
    module: &str,
    owner: Option<&str>,
    id: &str,
) -> ApiResult<Option<Subscription>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {SUB_COLUMNS} FROM platform_webhooks
                 WHERE id = ?1 AND module = ?2 AND (?3 IS NULL OR owner_id = ?3)"
            ),
            params![id, module, owner],
            subscription_from_row,
        )
        .optional()?)
}

/// Deletes a subscription (and its delivery log); true when it existed.
pub fn delete_subscription(
    tx: &Connection,
    module: &str,
    owner: Option<&str>,
    id: &str,
) -> ApiResult<bool> {
    Ok(tx.execute(
        "DELETE FROM platform_webhooks WHERE id = ?1 AND module = ?2 AND (?3 IS NULL OR owner_id = ?3)",
        params![id, module, owner],
    )? > 0)
}

/// The newest deliveries of subscription `id`.
pub fn deliveries(conn: &Connection, webhook_id: &str, limit: u32) -> ApiResult<Vec<Delivery>> {
    let mut stmt = conn.prepare(
        "SELECT d.id, d.webhook_id, d.event_id, e.event_type, d.status, d.attempts, d.last_status_code,
                d.last_error, d.created_at, d.delivered_at
         FROM platform_webhook_deliveries d JOIN platform_events e ON e.id = d.event_id
         WHERE d.webhook_id = ?1 ORDER BY d.id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![webhook_id, limit], |r| {
        Ok(Delivery {
            id: r.get(0)?,
            webhook_id: r.get(1)?,
            event_id: r.get(2)?,
            event_type: r.get(3)?,
            status: r.get(4)?,
            attempts: r.get(5)?,
            last_status_code: r.get(6)?,
            last_error: r.get(7)?,
            created_at: from_ms(r.get(8)?),
            delivered_at: r.get::<_, Option<i64>>(9)?.map(from_ms),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `sha256=<hex>` of the HMAC-SHA256 of `body` with `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("hmac takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The event service: subscriptions with encrypted secrets, and the delivery worker.
#[derive(Clone)]
pub struct Events {
    db: Db,
    outbound: Outbound,
    secrets: SecretBox,
    retry_base_ms: Arc<AtomicU64>,
    started: Arc<AtomicBool>,
    stats: Arc<DeliveryStats>,
}

/// What the delivery worker measures (for `/metrics`).
#[derive(Debug, Default)]
pub struct DeliveryStats {
    /// Attempts the endpoint accepted (2xx).
    pub delivered: AtomicU64,
    /// Failed attempts that will be retried.
    pub retried: AtomicU64,
    /// Failed attempts after which the delivery was given up.
    pub failed: AtomicU64,
    /// Time of each attempt, from connecting to the endpoint's answer.
    pub latency: crate::metrics::Histogram,
}

impl Events {
    /// `key` (32 bytes or more) encrypts subscription secrets.
    /// Deliveries go through `outbound`, the platform's pinned client.
    pub fn new(db: Db, key: &[u8], outbound: Outbound) -> Events {
        Events {
            db,
            outbound,
            secrets: SecretBox::new(key),
            retry_base_ms: Arc::new(AtomicU64::new(2_000)),
            started: Arc::new(AtomicBool::new(false)),
            stats: Arc::new(DeliveryStats::default()),
        }
    }

    /// Delivery counters and latency since start.
    pub fn stats(&self) -> &DeliveryStats {
        &self.stats
    }

    /// The first retry waits this long; each next one twice as long (tests shorten it).
    pub fn set_retry_base(&self, base: Duration) {
        self.retry_base_ms
            .store(base.as_millis() as u64, Ordering::Relaxed);
    }

    /// Creates a subscription inside `tx`; returns it and its secret (shown once).
    pub fn subscribe(
        &self,
        tx: &Connection,
        new: &NewSubscription,
    ) -> ApiResult<(Subscription, String)> {
        let mut problems = Vec::new();
        if let Err(e) = self.outbound.policy().check_url("url", &new.url) {
            problems.push(e);
        } else if new.url.len() > 2048 {
            problems.push(FieldError::new(
                "url",
                "url must be at most 2048 characters",
            ));
        }
        if new.events.is_empty() {
            problems.push(FieldError::new(
                "events",
                "events must list at least one event",
            ));
        }
        if let Some(secret) = &new.secret {
            if secret.len() < 16 || secret.len() > 256 {
                problems.push(FieldError::new(
                    "secret",
                    "secret must be 16 to 256 characters",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(ApiError::validation(problems));
        }
        let secret = new.secret.clone().unwrap_or_else(|| {
            let mut bytes = [0u8; 24];
            rand::rng().fill(&mut bytes);
            format!("whsec_{}", hex::encode(bytes))
        });
        let id = uuid::Uuid::new_v4().to_string();
        tx.execute(
            "INSERT INTO platform_webhooks (id, module, owner_id, url, events, secret, description, active, created_at, module_wide)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9)",
            params![
                id,
                new.module,
                new.owner_id,
                new.url,
                serde_json::to_string(&new.events)?,
                self.secrets.seal(&secret)?,
                new.description,
                to_ms(Utc::now()),
                new.module_wide
            ],
        )?;
        let sub = get_subscription(tx, &new.module, None, &id)?
            .ok_or_else(|| ApiError::internal("webhook vanished"))?;
        Ok((sub, secret))
    }

    /// Starts the delivery worker (once).
    pub fn start(&self) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let events = self.clone();
        tokio::spawn(async move {
            loop {
                match events.deliver_due().await {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "webhook delivery error"),
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
    }

    /// Attempts every delivery that is due now; returns how many were attempted.
    pub async fn deliver_due(&self) -> ApiResult<usize> {
        let due = self
            .db
            .read(|conn| {
                let mut stmt = conn.prepare(
                    "SELECT d.id, d.attempts, w.id, w.url, w.secret, e.id, e.event_type, e.payload, e.created_at
                     FROM platform_webhook_deliveries d
                     JOIN platform_webhooks w ON w.id = d.webhook_id
                     JOIN platform_events e ON e.id = d.event_id
                     WHERE d.status = 'pending' AND d.next_attempt_at <= ?1
                     ORDER BY d.next_attempt_at, d.id LIMIT 64",
                )?;
                let rows = stmt.query_map([to_ms(Utc::now())], |r| {
                    Ok(Due {
                        delivery_id: r.get(0)?,
                        attempts: r.get(1)?,
                        webhook_id: r.get(2)?,
                        url: r.get(3)?,
                        secret: r.get(4)?,
                        event_id: r.get(5)?,
                        event_type: r.get(6)?,
                        payload: r.get(7)?,
                        created_at: r.get(8)?,
                    })
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await?;
        let n = due.len();
        let results: Vec<(i64, i64, Result<u16, String>)> = futures_util::stream::iter(due)
            .map(|d| async move {
                let started = std::time::Instant::now();
                let outcome = self.attempt(&d).await;
                self.stats.latency.observe_since(started);
                let counter = match &outcome {
                    Ok(code) if (200..300).contains(code) => &self.stats.delivered,
                    _ if d.attempts + 1 >= MAX_ATTEMPTS => &self.stats.failed,
                    _ => &self.stats.retried,
                };
                counter.fetch_add(1, Ordering::Relaxed);
                (d.delivery_id, d.attempts + 1, outcome)
            })
            .buffer_unordered(8)
            .collect()
            .await;
        let base = self.retry_base_ms.load(Ordering::Relaxed) as i64;
        self.db
            .write(move |tx| {
                let now = Utc::now();
                for (id, attempts, outcome) in results {
                    match outcome {
                        Ok(code) if (200..300).contains(&code) => {
                            tx.execute(
                                "UPDATE platform_webhook_deliveries SET status = 'delivered', attempts = ?2,
                                     last_status_code = ?3, last_error = NULL, delivered_at = ?4 WHERE id = ?1",
                                params![id, attempts, code, to_ms(now)],
                            )?;
                        }
                        other => {
                            let (code, error) = match other {
                                Ok(code) => (Some(code), format!("endpoint answered HTTP {code}")),
                                Err(e) => (None, e),
                            };
                            let status = if attempts >= MAX_ATTEMPTS { "failed" } else { "pending" };
                            let wait = base.saturating_mul(1i64 << (attempts - 1).clamp(0, 20)).min(6 * 3600 * 1000);
                            tx.execute(
                                "UPDATE platform_webhook_deliveries SET status = ?2, attempts = ?3,
                                     last_status_code = ?4, last_error = ?5, next_attempt_at = ?6 WHERE id = ?1",
                                params![id, status, attempts, code, error, to_ms(now) + wait],
                            )?;
                        }
                    }
                }
                Ok(())
            })
            .await?;
        Ok(n)
    }

    async fn attempt(&self, d: &Due) -> Result<u16, String> {
        let secret = self
            .secrets
            .open(&d.secret)
            .ok_or_else(|| "the webhook secret could not be decrypted".to_string())?;
        // IP literals are checked here, names by the client's resolver as it connects.
        let url = self.outbound.target(&d.url)?;
        let body = json!({
            "id": d.event_id,
            "event": d.event_type,
            "timestamp": from_ms(d.created_at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "data": serde_json::from_str::<Value>(&d.payload).unwrap_or(Value::Null),
        })
        .to_string();
        let resp = self
            .outbound
            .client()
            .post(url)
            .timeout(Duration::from_secs(10))
            .header(
                "user-agent",
                concat!("Frontline-Webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header("content-type", "application/json")
            .header("x-frontline-signature", signature(&secret, body.as_bytes()))
            .header("x-frontline-timestamp", Utc::now().timestamp().to_string())
            .header("x-frontline-event", &d.event_type)
            .header("x-frontline-delivery", d.delivery_id.to_string())
            .header("x-frontline-webhook", &d.webhook_id)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("request failed: {}", describe(&e)))?;
        Ok(resp.status().as_u16())
    }
}

struct Due {
    delivery_id: i64,
    attempts: i64,
    webhook_id: String,
    url: String,
    secret: String,
    event_id: i64,
    event_type: String,
    payload: String,
    created_at: i64,
}

/// A registered webhook. Its signing secret appears only in the answer to
/// registering it.
#[derive(poem_openapi::Object, Clone, Debug)]
#[oai(rename = "Webhook", rename_all = "camelCase")]
pub struct WebhookView {
    /// The webhook.
    pub id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// The events it receives.
    pub events: Vec<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Whether deliveries are made.
    pub active: bool,
    /// When it was registered.
    pub created_at: String,
    /// The signing secret: shown only when registering.
    #[oai(skip_serializing_if_is_none)]
    pub secret: Option<String>,
}
