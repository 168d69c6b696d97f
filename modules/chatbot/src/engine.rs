//! The built-in rule engine: intents with example phrases, keyword-overlap
//! confidence, entity extraction, fallback and human hand-over rules.

use serde_json::{json, Value};
use std::collections::HashSet;

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "am", "i", "you", "your", "my", "me", "to", "of", "for", "and",
    "or", "do", "does", "can", "could", "please", "with", "on", "in", "it", "this", "that", "what",
    "be", "we", "our", "us", "hi,", "need",
];

pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// The intents every tenant starts with; `chatbot.intents` in the tenant
/// configuration adds to (or replaces, by name) these.
pub fn default_intents() -> Value {
    json!([
        {"name": "greeting", "examples": ["hello", "hi there", "good morning", "hey"],
         "responses": ["Hello! How can I help you today?"], "quick_replies": []},
        {"name": "store_hours_inquiry", "examples": ["store hours", "when are you open", "opening hours", "what time do you close"],
         "responses": ["Our store hours are Monday-Friday 9 AM to 8 PM, Saturday 10 AM to 6 PM, and Sunday 12 PM to 5 PM. Is there anything specific you'd like to know?"],
         "quick_replies": [{"title": "Store Location", "payload": "get_store_location"}, {"title": "Holiday Hours", "payload": "get_holiday_hours"}]},
        {"name": "order_status_inquiry", "examples": ["order status", "where is my order", "track order", "help with my order"],
         "responses": ["I'd be happy to help you with your order. Could you please provide your order number?"],
         "quick_replies": [{"title": "I have my order number", "payload": "provide_order_number"}, {"title": "Help me find it", "payload": "help_find_order"}]},
        {"name": "damaged_product_complaint", "examples": ["order arrived damaged", "broken product", "damaged item"],
         "responses": ["I'm sorry your order arrived damaged! Let me help you with a replacement or refund. Could you please provide your order number?"],
         "quick_replies": [{"title": "I have my order number", "payload": "provide_order_number"}, {"title": "Help me find it", "payload": "help_find_order"}]},
        {"name": "goodbye", "examples": ["bye", "goodbye", "thanks that is all"],
         "responses": ["Thank you for chatting with us. Have a great day!"], "quick_replies": []}
    ])
}

/// What the engine decided for one inbound text.
#[derive(Debug, Clone)]
pub struct Decision {
    pub intent: Option<String>,
    pub confidence: f64,
    pub text: String,
    pub quick_replies: Value,
    pub entities: Value,
    pub fallback: bool,
    pub transfer: bool,
}

fn intents_of(config: &Value) -> Vec<Value> {
    let mut list: Vec<Value> = default_intents().as_array().cloned().unwrap_or_default();
    if let Some(custom) = config.pointer("/chatbot/intents").and_then(Value::as_array) {
        for c in custom {
            let name = c.get("name").and_then(Value::as_str).unwrap_or_default();
            list.retain(|i| i.get("name").and_then(Value::as_str) != Some(name));
            list.push(c.clone());
        }
    }
    list
}

/// Extracts order numbers (`ORD123456`, `#123456`) and e-mail addresses.
pub fn extract_entities(text: &str) -> Value {
    let mut out = json!({});
    for raw in text.split_whitespace() {
        let w = raw.trim_matches(|c: char| {
            matches!(c, ',' | '.' | '!' | '?' | ';' | ':' | '(' | ')' | '"')
        });
        let upper = w.to_uppercase();
        let digits = upper.trim_start_matches('#');
        if (upper.starts_with("ORD")
            && upper.len() > 5
            && upper[3..].chars().all(|c| c.is_ascii_digit()))
            || (w.starts_with('#')
                && digits.len() >= 5
                && digits.chars().all(|c| c.is_ascii_digit()))
        {
            out["order_number"] = json!(upper.trim_start_matches('#'));
        }
        if let Some((local, domain)) = w.split_once('@') {
            if !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
            {
                out["customer_email"] = json!(w.to_lowercase());
            }
        }
    }
    out
}

/// Classifies `text` against the tenant's intents.
/// `previous_fallbacks` counts consecutive fallbacks so far in the conversation.
pub fn decide(config: &Value, text: &str, previous_fallbacks: i64) -> Decision {
    let threshold = config
        .pointer("/chatbot/confidence_threshold")
        .and_then(Value::as_f64)
        .unwrap_or(0.7);
    let fallback_text = config
        .pointer("/chatbot/fallback_response")
        .and_then(Value::as_str)
        .unwrap_or("I'm sorry, I didn't understand. Could you please rephrase?")
        .to_string();
    let max_fallbacks = config
        .pointer("/chatbot/max_fallbacks")
        .and_then(Value::as_i64)
        .unwrap_or(2);
    let entities = extract_entities(text);
    let words: HashSet<String> = tokens(text).into_iter().collect();
    let lower = text.to_lowercase();
    let wants_human = words.contains("human")
        || lower.contains("real person")
        || lower.contains("human agent")
        || words.contains("agent") && words.contains("talk");

    let mut best: Option<(f64, Value)> = None;
    for intent in intents_of(config) {
        let examples = intent
            .get("examples")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for ex in examples.iter().filter_map(Value::as_str) {
            let ex_words: HashSet<String> = tokens(ex).into_iter().collect();
            if ex_words.is_empty() {
                continue;
            }
            let common = ex_words.intersection(&words).count() as f64;
            let score = common / ex_words.len() as f64;
            if best.as_ref().map(|(s, _)| score > *s).unwrap_or(true) {
                best = Some((score, intent.clone()));
            }
        }
    }
    let (confidence, intent) = best.unwrap_or((0.0, Value::Null));
    let confidence = (confidence * 100.0).round() / 100.0;
    // An order number alone answers the order intent.
    if confidence < threshold && entities.get("order_number").is_some() && !wants_human {
        return Decision {
            intent: Some("order_status_inquiry".into()),
            confidence: threshold.max(0.75),
            text: format!(
                "Thanks! I found order {}. I'm checking its status now; is there anything else about this order I can help with?",
                entities["order_number"].as_str().unwrap_or_default()
            ),
            quick_replies: json!([]),
            entities,
            fallback: false,
            transfer: false,
        };
    }
    if wants_human {
        return Decision {
            intent: Some("human_agent".into()),
            confidence: 1.0,
            text: "I'm connecting you with a human agent. Please hold on.".into(),
            quick_replies: json!([]),
            entities,
            fallback: false,
            transfer: true,
        };
    }
    if confidence < threshold || intent.is_null() {
        let transfer = previous_fallbacks + 1 >= max_fallbacks;
        let text = if transfer {
            "I'm having trouble understanding. Let me connect you with a human agent.".to_string()
        } else {
            fallback_text
        };
        return Decision {
            intent: None,
            confidence,
            text,
            quick_replies: json!([]),
            entities,
            fallback: true,
            transfer,
        };
    }
    let responses = intent
        .get("responses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let text = responses
        .first()
        .and_then(Value::as_str)
        .unwrap_or("How else can I help?")
        .to_string();
    Decision {
        intent: intent
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string),
        confidence,
        text,
        quick_replies: intent.get("quick_replies").cloned().unwrap_or(json!([])),
        entities,
        fallback: false,
        transfer: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_hours_matches_with_full_confidence() {
        let d = decide(&json!({}), "What are your store hours?", 0);
        assert_eq!(d.intent.as_deref(), Some("store_hours_inquiry"));
        assert_eq!(d.confidence, 1.0);
        assert_eq!(d.quick_replies[0]["payload"], "get_store_location");
    }

    #[test]
    fn entities_are_extracted() {
        let e = extract_entities("Hi, order ORD123456 for john@example.com.");
        assert_eq!(e["order_number"], "ORD123456");
        assert_eq!(e["customer_email"], "john@example.com");
        assert_eq!(extract_entities("no entities here"), json!({}));
    }

    #[test]
    fn unknown_text_falls_back_then_transfers() {
        let d = decide(&json!({}), "quantum flux capacitor", 0);
        assert!(d.fallback && !d.transfer);
        let d = decide(&json!({}), "quantum flux capacitor", 1);
        assert!(d.fallback && d.transfer);
        let d = decide(&json!({}), "I want a human", 0);
        assert!(d.transfer);
    }

    #[test]
    fn threshold_comes_from_config() {
        let d = decide(
            &json!({"chatbot": {"confidence_threshold": 0.3}}),
            "when are you open today",
            0,
        );
        assert_eq!(d.intent.as_deref(), Some("store_hours_inquiry"));
        let d = decide(
            &json!({"chatbot": {"confidence_threshold": 0.99}}),
            "store open",
            0,
        );
        assert!(d.fallback);
    }
}
