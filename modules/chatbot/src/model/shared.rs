//! Pure helpers shared by the service and the store: reading stored JSON
//! as the document's types, plan terms, names. No SQL, no HTTP.

use serde_json::{json, Value};

use super::*;

/// Quick replies from stored JSON: `{title, payload}` objects (a bare string
/// is both title and payload); anything else is skipped.
pub fn quick_replies(v: &Value) -> Vec<QuickReply> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| match q {
            Value::String(s) => Some(QuickReply {
                title: s.clone(),
                payload: s.clone(),
            }),
            Value::Object(_) => {
                let title = str_of(q, "title").or_else(|| str_of(q, "payload"))?;
                let payload = str_of(q, "payload").unwrap_or_else(|| title.clone());
                Some(QuickReply { title, payload })
            }
            _ => None,
        })
        .collect()
}

pub fn source_of(v: &Value) -> Option<KnowledgeSource> {
    Some(KnowledgeSource {
        article_id: str_of(v.get("source")?, "article_id")?,
        title: str_of(v.get("source")?, "title").unwrap_or_default(),
    })
}

/// A stored bot reply's content as the send response prints it.
pub fn bot_response(v: &Value) -> BotResponse {
    BotResponse {
        content_type: str_of(v, "type").unwrap_or_else(|| "text".into()),
        text: str_of(v, "text").unwrap_or_default(),
        quick_replies: quick_replies(&v["quick_replies"]),
        source: source_of(v),
        language: str_of(v, "language"),
    }
}

/// The sentiment stored with a bot reply (of the message it answers).
pub fn sentiment_of(v: &Value) -> Option<MessageSentiment> {
    let s = v.get("sentiment")?;
    Some(MessageSentiment {
        score: s.get("score")?.as_f64()?,
        label: str_of(s, "label")?,
    })
}

/// A stored message's content (either direction).
pub fn message_content(v: &Value) -> MessageContent {
    let media = v
        .get("media")
        .filter(|m| m.is_object())
        .map(|m| MediaAttachment {
            url: str_of(m, "url"),
            media_type: str_of(m, "type"),
            size_bytes: m.get("size_bytes").and_then(Value::as_i64),
            alt_text: str_of(m, "alt_text"),
        });
    MessageContent {
        content_type: str_of(v, "type").unwrap_or_else(|| "text".into()),
        text: str_of(v, "text"),
        language: str_of(v, "language"),
        media,
        payload: str_of(v, "payload"),
        quick_replies: v
            .get("quick_replies")
            .filter(|q| q.is_array())
            .map(quick_replies),
        source: source_of(v),
    }
}

pub fn str_of(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

pub fn parse_json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or(Value::Null)
}

/// Monthly price (cents), conversations per month, API calls per month, users.
pub fn plan_terms(plan: &str) -> (i64, i64, i64, i64) {
    match plan {
        "free" => (0, 1_000, 5_000, 3),
        "starter" => (4_900, 10_000, 20_000, 10),
        "professional" => (19_900, 50_000, 50_000, 50),
        _ => (99_900, 100_000, 50_000, 100),
    }
}

/// Merges `patch` into `base` recursively (objects merge, anything else replaces)
/// and lists the dotted paths of the leaves that changed.
pub fn deep_merge(base: &mut Value, patch: &Value, prefix: &str, changes: &mut Vec<String>) {
    if let (Some(b), Some(p)) = (base.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match b.get_mut(k) {
                Some(existing) if existing.is_object() && v.is_object() => {
                    deep_merge(existing, v, &path, changes)
                }
                Some(existing) => {
                    if existing != v {
                        *existing = v.clone();
                        changes.push(path);
                    }
                }
                None => {
                    if v.is_object() {
                        let mut fresh = json!({});
                        deep_merge(&mut fresh, v, &path, changes);
                        b.insert(k.clone(), fresh);
                    } else {
                        b.insert(k.clone(), v.clone());
                        changes.push(path);
                    }
                }
            }
        }
    }
}

pub fn minutes_between(a: &str, b: &str) -> i64 {
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => (b - a).num_minutes().max(0),
        _ => 0,
    }
}

/// The platform event stream of one tenant: subscriptions and events are
/// keyed by it, so a tenant's subscriptions never receive another's events.
pub fn events_module(tenant: &str) -> String {
    format!("chatbot.{tenant}")
}

/// A member's agent handle: `agent_` and the lower-case name, words joined
/// by `_` (John Doe: `agent_john_doe`); `None` without a name.
pub fn agent_handle(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let name = format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default());
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    (!words.is_empty()).then(|| format!("agent_{}", words.join("_")))
}
