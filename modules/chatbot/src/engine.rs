//! The built-in rule engine: intents with example phrases, keyword-overlap
//! confidence, entity extraction, fallback and human hand-over rules.
//!
//! Its answers come from the tenant's configuration: the greeting is
//! `chatbot.default_greeting`, opening hours are `general.business_hours`
//! (in `general.timezone`), and an intent named by
//! `chatbot.escalation_trigger` hands the conversation to a human. The
//! built-in texts exist in [`LANGUAGES`] (English, Spanish, French); the
//! message's `content.language`, else the tenant's `default_language`,
//! picks one, and any other language is answered in English.

use serde_json::{json, Value};
use std::collections::HashSet;

/// The languages the built-in bot answers in.
pub const LANGUAGES: &[&str] = &["en", "es", "fr"];

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "am", "i", "you", "your", "my", "me", "to", "of", "for", "and",
    "or", "do", "does", "can", "could", "please", "with", "on", "in", "it", "this", "that", "what",
    "be", "we", "our", "us", "hi,", "need", "el", "la", "los", "las", "de", "del", "es", "mi",
    "su", "que", "le", "les", "du", "des", "est", "ma", "mon", "votre", "vos",
];

pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// The language the bot answers in: the message's language when the bot has
/// it, else the tenant's `general.default_language` when it has that, else `en`.
pub fn language_for(config: &Value, message_language: Option<&str>) -> &'static str {
    let tenant = config
        .pointer("/general/default_language")
        .and_then(Value::as_str);
    [message_language, tenant]
        .into_iter()
        .flatten()
        .find_map(|l| {
            let primary = l
                .split(['-', '_'])
                .next()
                .unwrap_or_default()
                .to_lowercase();
            LANGUAGES.iter().copied().find(|x| *x == primary)
        })
        .unwrap_or("en")
}

/// A built-in text in `lang` (one of [`LANGUAGES`]).
fn say(key: &str, lang: &str) -> &'static str {
    match (key, lang) {
        ("greeting", "es") => "¡Hola! ¿En qué puedo ayudarle hoy?",
        ("greeting", "fr") => "Bonjour ! Comment puis-je vous aider aujourd'hui ?",
        ("greeting", _) => "Hello! How can I help you today?",
        ("fallback", "es") => "Lo siento, no he entendido. ¿Podría reformularlo?",
        ("fallback", "fr") => "Désolé, je n'ai pas compris. Pourriez-vous reformuler ?",
        ("fallback", _) => "I'm sorry, I didn't understand. Could you please rephrase?",
        ("fallback_transfer", "es") => {
            "Me cuesta entenderle. Le paso con un agente humano."
        }
        ("fallback_transfer", "fr") => {
            "J'ai du mal à vous comprendre. Je vous transfère à un conseiller."
        }
        ("fallback_transfer", _) => {
            "I'm having trouble understanding. Let me connect you with a human agent."
        }
        ("transfer", "es") => "Le paso con un agente humano. Por favor, espere.",
        ("transfer", "fr") => "Je vous mets en relation avec un conseiller. Merci de patienter.",
        ("transfer", _) => "I'm connecting you with a human agent. Please hold on.",
        ("hours", "es") => "Nuestro horario es: {hours}. ¿Hay algo más en lo que pueda ayudarle?",
        ("hours", "fr") => "Nos horaires : {hours}. Puis-je vous aider pour autre chose ?",
        ("hours", _) => "Our opening hours are {hours}. Is there anything specific you'd like to know?",
        ("hours_unknown", "es") => {
            "No tengo nuestro horario de apertura aquí. Si lo desea, pida hablar con un agente y se lo indicará."
        }
        ("hours_unknown", "fr") => {
            "Je n'ai pas nos horaires d'ouverture ici. Demandez un conseiller si vous souhaitez les connaître."
        }
        ("hours_unknown", _) => {
            "I don't have our opening hours here. Ask for an agent if you'd like someone to tell you."
        }
        ("closed", "es") => "cerrado",
        ("closed", "fr") => "fermé",
        ("closed", _) => "closed",
        ("order_ask", "es") => {
            "Con gusto le ayudo con su pedido. ¿Podría indicarme el número de pedido?"
        }
        ("order_ask", "fr") => {
            "Je peux vous aider avec votre commande. Pourriez-vous me donner le numéro de commande ?"
        }
        ("order_ask", _) => {
            "I'd be happy to help you with your order. Could you please provide your order number?"
        }
        ("order_noted", "es") => {
            "Gracias, he anotado el pedido {order}. Desde este chat no puedo consultar el estado de los pedidos: revise el enlace de seguimiento de su confirmación, o pida hablar con un agente para que lo consulte."
        }
        ("order_noted", "fr") => {
            "Merci, j'ai noté la commande {order}. Je ne peux pas consulter l'état des commandes depuis ce chat : consultez le lien de suivi de votre confirmation, ou demandez un conseiller qui la vérifiera."
        }
        ("order_noted", _) => {
            "Thanks, I've noted order {order}. I can't look up order status from this chat: please check the tracking link in your order confirmation, or ask for an agent who can check it for you."
        }
        ("damaged", "es") => {
            "¡Lamento que su pedido llegara dañado! ¿Podría indicarme el número de pedido para que un agente gestione la sustitución o el reembolso?"
        }
        ("damaged", "fr") => {
            "Désolé que votre commande soit arrivée endommagée ! Pourriez-vous me donner le numéro de commande pour qu'un conseiller traite le remplacement ou le remboursement ?"
        }
        ("damaged", _) => {
            "I'm sorry your order arrived damaged! Could you please provide your order number so an agent can arrange a replacement or refund?"
        }
        ("goodbye", "es") => "Gracias por escribirnos. ¡Que tenga un buen día!",
        ("goodbye", "fr") => "Merci de nous avoir contactés. Bonne journée !",
        ("goodbye", _) => "Thank you for chatting with us. Have a great day!",
        _ => "",
    }
}

/// The intents every tenant starts with; `chatbot.intents` in the tenant
/// configuration adds to (or replaces, by name) these. Their answers are
/// built in [`LANGUAGES`] (the greeting and opening hours come from the
/// tenant's configuration); a custom intent answers with its own `responses`.
pub fn default_intents() -> Value {
    json!([
        {"name": "greeting", "examples": ["hello", "hi there", "good morning", "hey", "hola", "buenos días", "bonjour", "salut"],
         "builtin": true, "quick_replies": []},
        {"name": "store_hours_inquiry", "examples": ["store hours", "when are you open", "opening hours", "what time do you close",
            "horario", "a qué hora abren", "horaires", "heures d'ouverture"],
         "builtin": true,
         "quick_replies": [{"title": "Store Location", "payload": "get_store_location"}, {"title": "Holiday Hours", "payload": "get_holiday_hours"}]},
        {"name": "order_status_inquiry", "examples": ["order status", "where is my order", "track order", "help with my order",
            "estado del pedido", "dónde está mi pedido", "suivi de commande", "où est ma commande"],
         "builtin": true,
         "quick_replies": [{"title": "I have my order number", "payload": "provide_order_number"}, {"title": "Help me find it", "payload": "help_find_order"}]},
        {"name": "damaged_product_complaint", "examples": ["order arrived damaged", "broken product", "damaged item",
            "producto dañado", "pedido roto", "produit endommagé", "commande abîmée"],
         "builtin": true,
         "quick_replies": [{"title": "I have my order number", "payload": "provide_order_number"}, {"title": "Help me find it", "payload": "help_find_order"}]},
        {"name": "goodbye", "examples": ["bye", "goodbye", "thanks that is all", "adiós", "au revoir"],
         "builtin": true, "quick_replies": []}
    ])
}

/// The sentiment of one message: `score` from -1 (most negative) to 1 (most
/// positive) and its label (`negative` at -0.05 or less, `positive` at 0.05
/// or more, else `neutral`).
#[derive(Debug, Clone, PartialEq)]
pub struct Sentiment {
    pub score: f64,
    pub label: &'static str,
}

/// Word valences (-3..3) of the sentiment lexicon, English, Spanish and French.
const LEXICON: &[(&str, f64)] = &[
    ("good", 2.0),
    ("great", 3.0),
    ("excellent", 3.0),
    ("amazing", 3.0),
    ("awesome", 3.0),
    ("love", 3.0),
    ("happy", 3.0),
    ("thanks", 2.0),
    ("thank", 2.0),
    ("perfect", 3.0),
    ("nice", 2.0),
    ("helpful", 2.0),
    ("glad", 2.0),
    ("wonderful", 3.0),
    ("fantastic", 3.0),
    ("satisfied", 2.0),
    ("pleased", 2.0),
    ("easy", 1.0),
    ("best", 3.0),
    ("fast", 1.0),
    ("bad", -2.0),
    ("terrible", -3.0),
    ("awful", -3.0),
    ("horrible", -3.0),
    ("hate", -3.0),
    ("angry", -3.0),
    ("upset", -2.0),
    ("disappointed", -2.0),
    ("disappointing", -2.0),
    ("worst", -3.0),
    ("broken", -2.0),
    ("damaged", -2.0),
    ("late", -1.0),
    ("slow", -2.0),
    ("useless", -3.0),
    ("poor", -2.0),
    ("wrong", -2.0),
    ("problem", -2.0),
    ("unhappy", -2.0),
    ("annoyed", -2.0),
    ("frustrated", -2.0),
    ("ridiculous", -3.0),
    ("unacceptable", -3.0),
    ("scam", -3.0),
    ("furious", -3.0),
    ("bueno", 2.0),
    ("buena", 2.0),
    ("excelente", 3.0),
    ("genial", 3.0),
    ("gracias", 2.0),
    ("perfecto", 3.0),
    ("encanta", 3.0),
    ("contento", 2.0),
    ("malo", -2.0),
    ("mala", -2.0),
    ("pésimo", -3.0),
    ("enfadado", -3.0),
    ("roto", -2.0),
    ("dañado", -2.0),
    ("tarde", -1.0),
    ("problema", -2.0),
    ("decepcionado", -2.0),
    ("bon", 2.0),
    ("bien", 2.0),
    ("génial", 3.0),
    ("merci", 2.0),
    ("parfait", 3.0),
    ("content", 2.0),
    ("mauvais", -2.0),
    ("nul", -3.0),
    ("fâché", -3.0),
    ("cassé", -2.0),
    ("endommagé", -2.0),
    ("retard", -1.0),
    ("problème", -2.0),
    ("déçu", -2.0),
];

/// Words that turn the valence of the next three words around.
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "don", "didn", "doesn", "isn", "wasn", "won", "cannot", "nunca", "nada",
    "pas", "jamais",
];

/// Words that strengthen the next word by 30 %.
const BOOSTERS: &[&str] = &["very", "really", "so", "extremely", "muy", "très"];

/// Lexicon-based sentiment (the VADER method, small lexicon): each word's
/// valence, turned around (× -0.74) within three words after a negation and
/// strengthened after "very"/"muy"/"très", summed and normalised with
/// `sum / sqrt(sum² + 15)`.
pub fn sentiment(text: &str) -> Sentiment {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut sum = 0.0;
    for (i, w) in words.iter().enumerate() {
        let Some(&(_, mut v)) = LEXICON.iter().find(|(x, _)| x == w) else {
            continue;
        };
        if i > 0 && BOOSTERS.contains(&words[i - 1].as_str()) {
            v *= 1.3;
        }
        if words[i.saturating_sub(3)..i]
            .iter()
            .any(|p| NEGATIONS.contains(&p.as_str()))
        {
            v *= -0.74;
        }
        sum += v;
    }
    let score = (sum / (sum * sum + 15.0).sqrt() * 100.0).round() / 100.0;
    let label = if score >= 0.05 {
        "positive"
    } else if score <= -0.05 {
        "negative"
    } else {
        "neutral"
    };
    Sentiment { score, label }
}

const DAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn day_name(day: usize, lang: &str) -> &'static str {
    let names: [&str; 7] = match lang {
        "es" => [
            "lunes",
            "martes",
            "miércoles",
            "jueves",
            "viernes",
            "sábado",
            "domingo",
        ],
        "fr" => [
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        ],
        _ => [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ],
    };
    names[day]
}

/// The tenant's `general.business_hours` in words (consecutive days with the
/// same hours grouped), with the time zone; `None` when none are configured.
pub fn hours_text(config: &Value, lang: &str) -> Option<String> {
    let hours = config.pointer("/general/business_hours")?.as_object()?;
    let mut spans: Vec<(usize, usize, String)> = vec![];
    for (i, day) in DAYS.iter().enumerate() {
        let Some(h) = hours.get(*day) else { continue };
        let closed = h.get("closed").and_then(Value::as_bool) == Some(true);
        let when = match (
            h.get("start").and_then(Value::as_str),
            h.get("end").and_then(Value::as_str),
        ) {
            (Some(s), Some(e)) if !closed => format!("{s}–{e}"),
            _ => say("closed", lang).to_string(),
        };
        match spans.last_mut() {
            Some((_, last, w)) if *last + 1 == i && *w == when => *last = i,
            _ => spans.push((i, i, when)),
        }
    }
    if spans.is_empty() {
        return None;
    }
    let parts: Vec<String> = spans
        .iter()
        .map(|(a, b, w)| {
            if a == b {
                format!("{} {w}", day_name(*a, lang))
            } else {
                format!("{}–{} {w}", day_name(*a, lang), day_name(*b, lang))
            }
        })
        .collect();
    let mut text = parts.join(", ");
    if let Some(tz) = config.pointer("/general/timezone").and_then(Value::as_str) {
        let label = match lang {
            "es" => "hora de",
            "fr" => "heure de",
            _ => "times in",
        };
        text.push_str(&format!(" ({label} {tz})"));
    }
    Some(text)
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
    /// Why the conversation goes to a human: `user_request`,
    /// `repeated_fallback`, `escalation_trigger` or `negative_sentiment`.
    pub transfer_reason: Option<&'static str>,
    /// The language of `text` (one of [`LANGUAGES`]).
    pub language: &'static str,
    /// The message's sentiment, when `enable_sentiment_analysis` is on or
    /// the escalation trigger is `negative_sentiment`.
    pub sentiment: Option<Sentiment>,
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

/// The answer of a built-in intent in `lang`, from the tenant's data where it has it.
fn builtin_answer(name: &str, config: &Value, lang: &'static str) -> String {
    match name {
        "greeting" => {
            let own = config
                .pointer("/chatbot/default_greeting")
                .and_then(Value::as_str)
                .filter(|g| !g.trim().is_empty());
            match own {
                // The tenant's greeting is in the tenant's language.
                Some(g) if language_for(config, None) == lang => g.to_string(),
                _ => say("greeting", lang).to_string(),
            }
        }
        "store_hours_inquiry" => match hours_text(config, lang) {
            Some(h) => say("hours", lang).replace("{hours}", &h),
            None => say("hours_unknown", lang).to_string(),
        },
        "order_status_inquiry" => say("order_ask", lang).to_string(),
        "damaged_product_complaint" => say("damaged", lang).to_string(),
        "goodbye" => say("goodbye", lang).to_string(),
        _ => String::new(),
    }
}

/// Classifies `text` against the tenant's intents and answers in `lang`
/// (see [`language_for`]). `previous_fallbacks` counts consecutive
/// fallbacks so far in the conversation.
pub fn decide(config: &Value, text: &str, previous_fallbacks: i64, lang: &'static str) -> Decision {
    let threshold = config
        .pointer("/chatbot/confidence_threshold")
        .and_then(Value::as_f64)
        .unwrap_or(0.7);
    let max_fallbacks = config
        .pointer("/chatbot/max_fallbacks")
        .and_then(Value::as_i64)
        .unwrap_or(2);
    let trigger = config
        .pointer("/chatbot/escalation_trigger")
        .and_then(Value::as_str)
        .unwrap_or("human_agent");
    let wants_sentiment = config
        .pointer("/chatbot/enable_sentiment_analysis")
        .and_then(Value::as_bool)
        == Some(true)
        || trigger == "negative_sentiment";
    let sentiment = wants_sentiment.then(|| sentiment(text));
    let entities = extract_entities(text);
    let words: HashSet<String> = tokens(text).into_iter().collect();
    let lower = text.to_lowercase();
    let wants_human = ["human", "humano", "humain", "conseiller"]
        .iter()
        .any(|w| words.contains(*w))
        || lower.contains("real person")
        || lower.contains("human agent")
        || lower.contains("persona real")
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
    let base = Decision {
        intent: None,
        confidence,
        text: String::new(),
        quick_replies: json!([]),
        entities: entities.clone(),
        fallback: false,
        transfer: false,
        transfer_reason: None,
        language: lang,
        sentiment: sentiment.clone(),
    };
    let hand_over = |reason: &'static str, intent: Option<String>, confidence: f64| Decision {
        intent,
        confidence,
        text: say("transfer", lang).into(),
        transfer: true,
        transfer_reason: Some(reason),
        ..base.clone()
    };
    if wants_human {
        return hand_over("user_request", Some("human_agent".into()), 1.0);
    }
    if trigger == "negative_sentiment" && sentiment.as_ref().map(|s| s.label) == Some("negative") {
        let name = intent.get("name").and_then(Value::as_str);
        let name = name.filter(|_| confidence >= threshold).map(str::to_string);
        return hand_over("negative_sentiment", name, confidence);
    }
    // An order number alone: noted, and said honestly that nothing was looked up.
    if confidence < threshold {
        if let Some(order) = entities.get("order_number").and_then(Value::as_str) {
            return Decision {
                intent: Some("order_status_inquiry".into()),
                confidence: threshold.max(0.75),
                text: say("order_noted", lang).replace("{order}", order),
                ..base
            };
        }
    }
    if confidence < threshold || intent.is_null() {
        let transfer = previous_fallbacks + 1 >= max_fallbacks;
        let text = if transfer {
            say("fallback_transfer", lang).to_string()
        } else {
            config
                .pointer("/chatbot/fallback_response")
                .and_then(Value::as_str)
                .filter(|_| language_for(config, None) == lang)
                .unwrap_or(say("fallback", lang))
                .to_string()
        };
        return Decision {
            text,
            fallback: true,
            transfer,
            transfer_reason: transfer.then_some("repeated_fallback"),
            ..base
        };
    }
    let name = intent
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string);
    if name.as_deref() == Some(trigger) {
        return hand_over("escalation_trigger", name, confidence);
    }
    let order = entities.get("order_number").and_then(Value::as_str);
    let text = if let (Some("order_status_inquiry"), Some(order)) = (name.as_deref(), order) {
        say("order_noted", lang).replace("{order}", order)
    } else if intent.get("builtin").and_then(Value::as_bool) == Some(true) {
        builtin_answer(name.as_deref().unwrap_or_default(), config, lang)
    } else {
        intent
            .pointer("/responses/0")
            .and_then(Value::as_str)
            .unwrap_or("How else can I help?")
            .to_string()
    };
    Decision {
        intent: name,
        text,
        quick_replies: intent.get("quick_replies").cloned().unwrap_or(json!([])),
        ..base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_hours_matches_with_full_confidence() {
        let d = decide(&json!({}), "What are your store hours?", 0, "en");
        assert_eq!(d.intent.as_deref(), Some("store_hours_inquiry"));
        assert_eq!(d.confidence, 1.0);
        assert_eq!(d.quick_replies[0]["payload"], "get_store_location");
    }

    #[test]
    fn hours_come_from_the_tenant() {
        let c = json!({"general": {"timezone": "America/New_York", "business_hours": {
            "monday": {"start": "09:00", "end": "17:00"}, "tuesday": {"start": "09:00", "end": "17:00"},
            "wednesday": {"start": "09:00", "end": "17:00"}, "thursday": {"start": "09:00", "end": "17:00"},
            "friday": {"start": "09:00", "end": "17:00"}, "saturday": {"closed": true}, "sunday": {"closed": true}}}});
        assert_eq!(
            hours_text(&c, "en").unwrap(),
            "Monday–Friday 09:00–17:00, Saturday–Sunday closed (times in America/New_York)"
        );
        assert!(hours_text(&json!({}), "en").is_none());
    }

    #[test]
    fn sentiment_is_computed_from_the_words() {
        assert_eq!(
            sentiment("This is terrible, I am very angry").label,
            "negative"
        );
        assert_eq!(sentiment("Great, thanks a lot!").label, "positive");
        assert_eq!(sentiment("What are your hours").label, "neutral");
        assert_eq!(sentiment("not good").label, "negative");
        assert!(sentiment("awful awful").score < sentiment("bad").score);
    }

    #[test]
    fn the_language_is_the_message_s_then_the_tenant_s() {
        let c = json!({"general": {"default_language": "fr"}});
        assert_eq!(language_for(&c, Some("es-MX")), "es");
        assert_eq!(language_for(&c, Some("de")), "fr");
        assert_eq!(language_for(&json!({}), Some("de")), "en");
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
        let d = decide(&json!({}), "quantum flux capacitor", 0, "en");
        assert!(d.fallback && !d.transfer);
        let d = decide(&json!({}), "quantum flux capacitor", 1, "en");
        assert!(d.fallback && d.transfer);
        let d = decide(&json!({}), "I want a human", 0, "en");
        assert!(d.transfer);
    }

    #[test]
    fn threshold_comes_from_config() {
        let d = decide(
            &json!({"chatbot": {"confidence_threshold": 0.3}}),
            "when are you open today",
            0,
            "en",
        );
        assert_eq!(d.intent.as_deref(), Some("store_hours_inquiry"));
        let d = decide(
            &json!({"chatbot": {"confidence_threshold": 0.99}}),
            "store open",
            0,
            "en",
        );
        assert!(d.fallback);
    }
}
