//! Optional OpenAI-compatible chat-completions providers.
//!
//! A tenant lists providers in `ai_models.providers.<name>`
//! (`base_url`, `model`, `api_key`, `temperature`, `max_tokens`,
//! `custom_instructions`, `timeout_ms`, `cost_per_1k_tokens_cents`) and orders
//! them in `ai_models.fallback_chain`, for example `["openai", "rule_based"]`
//! (or `name:model`); `ai_models.primary_provider` / `primary_model` come
//! first. `ai_models.temperature`, `max_tokens` and `custom_instructions`
//! apply to every provider that does not set its own.
//! Each provider is tried in turn with its timeout; `rule_based` (or the end of
//! the chain) means the built-in engine answers. Calls go through the
//! platform's outbound client: public addresses only, unless the operator
//! allows more (`FRONTLINE_OUTBOUND_ALLOW`); names are resolved and checked
//! by that client as it connects. Stored `api_key`s are encrypted; the
//! caller passes the configuration with its keys opened.

use std::time::Duration;

use frontline_platform::outbound::{describe, Outbound};
use frontline_platform::secrets::{is_marked, SecretBox};
use frontline_platform::{ApiResult, Platform};
use rusqlite::Connection;
use serde_json::{json, Value};

/// The key that seals providers' `api_key`s in tenant configurations.
pub fn key_box(platform: &Platform) -> SecretBox {
    SecretBox::new(&platform.auth.derived_key(b"chatbot-provider-api-keys"))
}

fn provider_keys(config: &mut Value) -> Vec<&mut Value> {
    match config
        .pointer_mut("/ai_models/providers")
        .and_then(Value::as_object_mut)
    {
        Some(map) => map
            .values_mut()
            .filter_map(|p| p.get_mut("api_key"))
            .filter(|k| k.is_string())
            .collect(),
        None => vec![],
    }
}

/// Encrypts every clear `ai_models.providers.*.api_key` of `config`; true
/// when one was clear.
pub fn seal_keys(config: &mut Value, keys: &SecretBox) -> ApiResult<bool> {
    let mut changed = false;
    for k in provider_keys(config) {
        let clear = k.as_str().unwrap_or_default().to_string();
        if !is_marked(&clear) {
            *k = json!(keys.seal_marked(&clear)?);
            changed = true;
        }
    }
    Ok(changed)
}

/// Decrypts the provider `api_key`s of `config` in place (one that does not
/// open is removed, so no ciphertext is ever sent as a key).
pub fn open_keys(config: &mut Value, keys: &SecretBox) {
    for k in provider_keys(config) {
        *k = match keys.open_marked(k.as_str().unwrap_or_default()) {
            Some(clear) => json!(clear),
            None => Value::Null,
        };
    }
}

/// Encrypts provider keys stored in clear by earlier versions (run at start;
/// returns how many tenant configurations changed).
pub fn seal_stored_keys(tx: &Connection, keys: &SecretBox) -> ApiResult<usize> {
    let rows = crate::store::configs_with_api_keys(tx)?;
    let mut n = 0;
    for (id, text) in rows {
        let Ok(mut cfg) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if seal_keys(&mut cfg, keys)? {
            crate::store::replace_config(tx, &id, &cfg)?;
            n += 1;
        }
    }
    Ok(n)
}

/// A reply produced by an external provider.
#[derive(Debug, Clone)]
pub struct ProviderReply {
    pub provider: String,
    pub model: String,
    pub text: String,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub cost_cents: f64,
}

/// One turn of the conversation so far, oldest first.
#[derive(Debug, Clone)]
pub struct Turn {
    /// `user` or `assistant`.
    pub role: &'static str,
    pub text: String,
}

/// One step of the tenant's effective chain: a provider name and the model
/// asked of it (`primary_model`, or the `name:model` form of a chain entry).
#[derive(Debug, Clone, PartialEq)]
struct Step {
    name: String,
    model: Option<String>,
}

/// True when the tenant's chain names an external provider before `rule_based`.
pub fn wants_provider(config: &Value) -> bool {
    chain(config)
        .first()
        .is_some_and(|s| s.name != "rule_based")
}

/// The chain providers are tried in: `ai_models.primary_provider` (with
/// `primary_model`) first unless it is `rule_based`, then
/// `ai_models.fallback_chain`, whose entries are `name` or `name:model`.
fn chain(config: &Value) -> Vec<Step> {
    let ai = config.get("ai_models").cloned().unwrap_or(Value::Null);
    let text = |k: &str| {
        ai.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut steps = vec![];
    // `rule_based` as primary (the default) leaves the order to the chain:
    // the built-in engine answers whenever the chain reaches its end.
    if let Some(name) = text("primary_provider").filter(|n| n != "rule_based") {
        steps.push(Step {
            name,
            model: text("primary_model").filter(|m| m != "rule_based"),
        });
    }
    let rest = ai
        .get("fallback_chain")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for entry in rest.iter().filter_map(Value::as_str) {
        let step = match entry.split_once(':') {
            Some((n, m)) if !m.trim().is_empty() => Step {
                name: n.trim().to_string(),
                model: Some(m.trim().to_string()),
            },
            _ => Step {
                name: entry.trim().to_string(),
                model: None,
            },
        };
        if !steps.contains(&step) {
            steps.push(step);
        }
    }
    steps
}

/// Whether `ai_models.providers.<name>` can be called (has a `base_url`).
fn configured(config: &Value, name: &str) -> bool {
    config
        .pointer(&format!("/ai_models/providers/{name}/base_url"))
        .and_then(Value::as_str)
        .is_some_and(|u| !u.trim().is_empty())
}

/// The `ai_models` settings that cannot take effect with this configuration,
/// as dotted paths: a `primary_provider` (and its `primary_model`) without
/// `ai_models.providers.<name>.base_url`, and the shared `temperature`,
/// `max_tokens` and `custom_instructions` when no callable provider comes
/// before `rule_based` in the chain (the built-in engine uses none of them).
pub fn settings_not_in_effect(config: &Value) -> Vec<String> {
    let ai = config.get("ai_models").cloned().unwrap_or(Value::Null);
    let set = |k: &str| ai.get(k).is_some_and(|v| !v.is_null());
    let mut out = vec![];
    if let Some(p) = ai.get("primary_provider").and_then(Value::as_str) {
        if p != "rule_based" && !configured(config, p) {
            out.push("ai_models.primary_provider".to_string());
            if set("primary_model") {
                out.push("ai_models.primary_model".to_string());
            }
        }
    }
    let reachable = chain(config)
        .iter()
        .take_while(|s| s.name != "rule_based")
        .any(|s| configured(config, &s.name));
    if !reachable {
        for k in ["temperature", "max_tokens", "custom_instructions"] {
            if set(k) {
                out.push(format!("ai_models.{k}"));
            }
        }
    }
    out
}

/// Tries the providers of the tenant's chain in order; `None` when
/// the built-in engine should answer (chain reached `rule_based`, or every
/// provider failed). Failures are logged with the provider's name.
pub async fn reply(
    platform: &Platform,
    config: &Value,
    history: &[Turn],
    text: &str,
) -> Option<ProviderReply> {
    let mut config = config.clone();
    open_keys(&mut config, &key_box(platform));
    let outbound = &platform.outbound;
    for step in chain(&config) {
        let name = step.name.as_str();
        if name == "rule_based" {
            return None;
        }
        let Some(p) = config.pointer(&format!("/ai_models/providers/{name}")) else {
            tracing::warn!(provider = %name, "chatbot: provider in fallback_chain is not configured");
            continue;
        };
        // The provider's own settings, else the tenant's shared ones.
        let mut settings = p.clone();
        for k in ["temperature", "max_tokens", "custom_instructions"] {
            let shared = config.pointer(&format!("/ai_models/{k}")).cloned();
            if settings.get(k).is_none_or(Value::is_null) {
                if let (Some(v), Some(m)) = (shared, settings.as_object_mut()) {
                    m.insert(k.to_string(), v);
                }
            }
        }
        if let (Some(model), Some(m)) = (&step.model, settings.as_object_mut()) {
            m.insert("model".into(), json!(model));
        }
        match call(outbound, name, &settings, history, text).await {
            Ok(r) => return Some(r),
            Err(e) => {
                tracing::warn!(provider = %name, error = %e, "chatbot: provider failed, trying the next")
            }
        }
    }
    None
}

async fn call(
    outbound: &Outbound,
    name: &str,
    p: &Value,
    history: &[Turn],
    text: &str,
) -> Result<ProviderReply, String> {
    let base = p
        .get("base_url")
        .and_then(Value::as_str)
        .ok_or("base_url is missing")?;
    let url = outbound
        .policy()
        .check_url(
            "base_url",
            &format!("{}/chat/completions", base.trim_end_matches('/')),
        )
        .map_err(|e| e.message)?;
    let model = p
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("gpt-4o-mini")
        .to_string();
    let timeout = p
        .get("timeout_ms")
        .and_then(Value::as_u64)
        .unwrap_or(10_000)
        .clamp(100, 60_000);
    let mut messages = vec![];
    if let Some(sys) = p.get("custom_instructions").and_then(Value::as_str) {
        messages.push(json!({"role": "system", "content": sys}));
    }
    for t in history.iter().rev().take(20).rev() {
        messages.push(json!({"role": t.role, "content": t.text}));
    }
    messages.push(json!({"role": "user", "content": text}));
    let mut req = json!({"model": model, "messages": messages});
    if let Some(t) = p.get("temperature").and_then(Value::as_f64) {
        req["temperature"] = json!(t);
    }
    if let Some(m) = p.get("max_tokens").and_then(Value::as_u64) {
        req["max_tokens"] = json!(m);
    }
    let mut call = outbound
        .client()
        .post(url)
        .timeout(Duration::from_millis(timeout))
        .json(&req);
    if let Some(key) = p.get("api_key").and_then(Value::as_str) {
        call = call.bearer_auth(key);
    }
    let resp = call.send().await.map_err(|e| describe(&e))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    let body: Value = resp.json().await.map_err(|e| e.to_string())?;
    let content = body
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or("no choices[0].message.content in the answer")?;
    let prompt_tokens = body
        .pointer("/usage/prompt_tokens")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let completion_tokens = body
        .pointer("/usage/completion_tokens")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let per_1k = p
        .get("cost_per_1k_tokens_cents")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    Ok(ProviderReply {
        provider: name.to_string(),
        model: body
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or(&model)
            .to_string(),
        text: content.to_string(),
        prompt_tokens,
        completion_tokens,
        cost_cents: (prompt_tokens + completion_tokens) as f64 / 1000.0 * per_1k,
    })
}
