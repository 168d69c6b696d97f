//! Recording rules: what a recording, transcript, analysis request and
//! compliance phrase must hold, and the transcript analysis itself (lexicon
//! sentiment, keywords, extractive summary, compliance phrases). Each write
//! runs in the handler's transaction and is audited there.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use frontline_platform::page::Window;
use frontline_platform::write::WriteCtx;
use frontline_platform::{search, ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::json;

use crate::insight::{check_text, fail_if, iso, not_found, now, parse_instant, round4};
use crate::model::recordings::*;
use crate::model::CcError;
use crate::store::recordings as store;
use crate::SLUG;

// ---------------------------------------------------------------- text analysis

const POSITIVE: &[&str] = &[
    "good",
    "great",
    "excellent",
    "happy",
    "glad",
    "thanks",
    "thank",
    "appreciate",
    "perfect",
    "wonderful",
    "helpful",
    "love",
    "awesome",
    "amazing",
    "pleased",
    "satisfied",
    "resolved",
    "fantastic",
    "nice",
    "easy",
    "best",
    "interested",
    "excited",
    "recommend",
    "fast",
    "quick",
    "works",
    "working",
    "fixed",
    "solved",
    "brilliant",
    "delighted",
    "sure",
    "absolutely",
    "yes",
    "welcome",
    "better",
    "impressive",
    "reliable",
    "smooth",
    "friendly",
    "kind",
    "correct",
    "enjoy",
    "enjoyed",
    "valuable",
    "useful",
    "success",
    "successful",
    "agree",
    "convenient",
];
const NEGATIVE: &[&str] = &[
    "bad",
    "terrible",
    "awful",
    "angry",
    "upset",
    "frustrated",
    "frustrating",
    "disappointed",
    "problem",
    "problems",
    "issue",
    "issues",
    "broken",
    "wrong",
    "hate",
    "poor",
    "slow",
    "cancel",
    "complaint",
    "complain",
    "worst",
    "unhappy",
    "annoyed",
    "annoying",
    "error",
    "fail",
    "failed",
    "failure",
    "refund",
    "never",
    "difficult",
    "confusing",
    "confused",
    "late",
    "delay",
    "delayed",
    "expensive",
    "rude",
    "useless",
    "unacceptable",
    "ridiculous",
    "waiting",
    "waited",
    "crash",
    "crashed",
    "lost",
    "charged",
    "overcharged",
    "impossible",
    "horrible",
    "sorry",
    "worse",
];
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "don't", "doesn't", "didn't", "isn't", "wasn't", "can't", "won't",
    "cannot",
];
const STOPWORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "are",
    "but",
    "not",
    "you",
    "your",
    "yours",
    "all",
    "any",
    "can",
    "had",
    "her",
    "was",
    "one",
    "our",
    "out",
    "has",
    "have",
    "him",
    "his",
    "how",
    "its",
    "may",
    "new",
    "now",
    "old",
    "see",
    "two",
    "who",
    "did",
    "does",
    "get",
    "got",
    "let",
    "put",
    "say",
    "she",
    "too",
    "use",
    "this",
    "that",
    "with",
    "from",
    "they",
    "them",
    "then",
    "than",
    "there",
    "their",
    "what",
    "when",
    "where",
    "which",
    "will",
    "would",
    "could",
    "should",
    "about",
    "into",
    "just",
    "like",
    "also",
    "been",
    "being",
    "were",
    "well",
    "very",
    "much",
    "some",
    "such",
    "only",
    "over",
    "here",
    "hello",
    "okay",
    "yeah",
    "sure",
    "thanks",
    "thank",
    "please",
    "i'm",
    "it's",
    "that's",
    "i'll",
    "we'll",
    "you're",
    "we're",
    "don't",
    "can't",
    "i've",
    "let's",
    "want",
    "need",
    "know",
    "think",
    "going",
    "make",
    "take",
    "come",
    "look",
    "today",
    "really",
    "right",
    "yes",
    "good",
    "great",
    "call",
    "calling",
    "day",
    "bye",
    "hi",
    "hey",
    "because",
    "these",
    "those",
    "other",
    "more",
    "most",
    "each",
    "both",
    "again",
    "once",
    "still",
    "way",
    "something",
    "anything",
    "everything",
    "nothing",
    "ill",
    "im",
    "ive",
];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// -1..1 for one piece of text: (positive - negative) / (positive + negative).
pub fn sentiment_of(text: &str) -> f64 {
    let ws = words(text);
    let (mut pos, mut neg) = (0.0_f64, 0.0_f64);
    for (i, w) in ws.iter().enumerate() {
        let negated = ws[i.saturating_sub(3)..i]
            .iter()
            .any(|p| NEGATIONS.contains(&p.as_str()));
        let (p, n) = if POSITIVE.contains(&w.as_str()) {
            (1.0, 0.0)
        } else if NEGATIVE.contains(&w.as_str()) && !NEGATIONS.contains(&w.as_str()) {
            (0.0, 1.0)
        } else {
            continue;
        };
        if negated {
            pos += n;
            neg += p;
        } else {
            pos += p;
            neg += n;
        }
    }
    if pos + neg == 0.0 {
        0.0
    } else {
        (pos - neg) / (pos + neg)
    }
}

fn label(score: f64) -> &'static str {
    if score > 0.1 {
        "positive"
    } else if score < -0.1 {
        "negative"
    } else {
        "neutral"
    }
}

pub fn sentiment(segments: &[Segment]) -> Sentiment {
    let scored: Vec<SegmentSentiment> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let score = round4(sentiment_of(&s.text));
            SegmentSentiment {
                index: i as i64,
                speaker: s.speaker.to_string(),
                score,
                label: label(score).into(),
            }
        })
        .collect();
    let n = scored.len().max(1) as f64;
    let share = |l: &str| round4(scored.iter().filter(|s| s.label == l).count() as f64 / n);
    let mut by: HashMap<String, (f64, f64)> = HashMap::new();
    for s in &scored {
        let e = by.entry(s.speaker.to_string()).or_default();
        e.0 += s.score;
        e.1 += 1.0;
    }
    Sentiment {
        overall: round4(scored.iter().map(|s| s.score).sum::<f64>() / n),
        positive: share("positive"),
        negative: share("negative"),
        neutral: share("neutral"),
        by_speaker: by
            .into_iter()
            .map(|(k, (sum, c))| (k, round4(sum / c)))
            .collect(),
        segments: scored,
    }
}

fn is_keyword(w: &str) -> bool {
    w.chars().count() >= 3 && !STOPWORDS.contains(&w) && !w.chars().all(|c| c.is_ascii_digit())
}

pub fn keywords(segments: &[Segment], top: usize) -> Vec<Keyword> {
    let mut counts: HashMap<String, i64> = HashMap::new();
    let mut spread: HashMap<String, HashSet<usize>> = HashMap::new();
    for (i, s) in segments.iter().enumerate() {
        for w in words(&s.text).into_iter().filter(|w| is_keyword(w)) {
            *counts.entry(w.clone()).or_default() += 1;
            spread.entry(w).or_default().insert(i);
        }
    }
    let max = counts.values().copied().max().unwrap_or(1) as f64;
    let n = segments.len().max(1) as f64;
    let mut out: Vec<Keyword> = counts
        .into_iter()
        .map(|(word, count)| {
            let tf = count as f64 / max;
            let coverage = spread.get(&word).map_or(0, HashSet::len) as f64 / n;
            Keyword {
                relevance: round4((0.75 * tf + 0.25 * coverage).min(1.0)),
                word,
                count,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.relevance
            .total_cmp(&a.relevance)
            .then(b.count.cmp(&a.count))
            .then(a.word.cmp(&b.word))
    });
    out.truncate(top);
    out
}

/// Picks the most informative sentences (by keyword weight), in spoken order.
pub fn summarize(segments: &[Segment], max_sentences: usize) -> String {
    let kws: HashMap<String, f64> = keywords(segments, 30)
        .into_iter()
        .map(|k| (k.word, k.relevance))
        .collect();
    let mut sentences: Vec<(usize, String, f64)> = Vec::new();
    for s in segments {
        for sentence in s.text.split_inclusive(['.', '!', '?']) {
            let sentence = sentence.trim();
            let ws = words(sentence);
            if ws.len() < 3 {
                continue;
            }
            let weight: f64 =
                ws.iter().filter_map(|w| kws.get(w)).sum::<f64>() / (ws.len() as f64).sqrt();
            sentences.push((sentences.len(), sentence.to_string(), weight));
        }
    }
    let mut best = sentences.clone();
    best.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut chosen: Vec<(usize, String)> = best
        .into_iter()
        .take(max_sentences)
        .map(|(i, s, _)| (i, s))
        .collect();
    chosen.sort_by_key(|(i, _)| *i);
    chosen
        .into_iter()
        .map(|(_, s)| {
            if s.ends_with(['.', '!', '?']) {
                s
            } else {
                format!("{s}.")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn normalise(s: &str) -> String {
    words(s).join(" ")
}

pub fn compliance(segments: &[Segment], rules: &[(String, String, Option<String>)]) -> Compliance {
    let norm: Vec<String> = segments
        .iter()
        .map(|s| format!(" {} ", normalise(&s.text)))
        .collect();
    let mut issues = Vec::new();
    let (mut req, mut forb) = (0, 0);
    for (phrase, kind, speaker) in rules {
        let needle = format!(" {} ", normalise(phrase));
        if needle.trim().is_empty() {
            continue;
        }
        let hits: Vec<usize> = norm
            .iter()
            .enumerate()
            .filter(|(i, t)| {
                t.contains(&needle)
                    && speaker
                        .as_ref()
                        .is_none_or(|sp| segments[*i].speaker.eq_ignore_ascii_case(sp))
            })
            .map(|(i, _)| i)
            .collect();
        if kind == "required" {
            req += 1;
            if hits.is_empty() {
                issues.push(ComplianceIssue {
                    issue_type: "missing_required_phrase".into(),
                    phrase: phrase.clone(),
                    segment_index: None,
                    speaker: speaker.clone(),
                    at: None,
                });
            }
        } else {
            forb += 1;
            for i in hits {
                issues.push(ComplianceIssue {
                    issue_type: "forbidden_phrase".into(),
                    phrase: phrase.clone(),
                    segment_index: Some(i as i64),
                    speaker: Some(segments[i].speaker.to_string()),
                    at: Some(segments[i].start),
                });
            }
        }
    }
    let (passed, status) = if req + forb == 0 {
        (None, "not_configured")
    } else if issues.is_empty() {
        (Some(true), "passed")
    } else {
        (Some(false), "failed")
    };
    Compliance {
        passed,
        status: status.into(),
        issues,
        checked_required: req,
        checked_forbidden: forb,
    }
}

// ---------------------------------------------------------------- checks

/// The instant a list filter names (`start_date` from midnight, `end_date`
/// to the next midnight), in epoch milliseconds.
pub fn filter_instant(
    field: &str,
    value: Option<&str>,
    end_of_day: bool,
) -> ApiResult<Option<i64>> {
    Ok(value
        .map(|s| parse_instant(field, s, end_of_day))
        .transpose()?
        .map(|t| t.timestamp_millis()))
}

/// Checks a list's filters.
pub fn check_query(q: &RecordingQuery) -> ApiResult<()> {
    if let (Some(a), Some(b)) = (q.duration_min, q.duration_max) {
        if a > b {
            return Err(ApiError::invalid(
                "duration_max",
                "must not be below duration_min",
            ));
        }
    }
    Ok(())
}

/// Checks a new recording; returns when it was recorded (default now).
pub fn check_create(b: &RecordingCreate) -> ApiResult<DateTime<Utc>> {
    let mut e = Vec::new();
    check_text(&mut e, "call_id", &b.call_id, 200);
    if !(0..=86_400).contains(&b.duration) {
        e.push(FieldError::new(
            "duration",
            "must be between 0 and 86400 seconds",
        ));
    }
    let url_ok = (b.file_url.starts_with("https://") || b.file_url.starts_with("http://"))
        && b.file_url.len() <= 2000;
    if !url_ok {
        e.push(FieldError::new("file_url", "must be an http(s) URL"));
    }
    if b.file_size_bytes.is_some_and(|s| s < 0) {
        e.push(FieldError::new("file_size_bytes", "must not be negative"));
    }
    if let Some(ct) = &b.content_type {
        let essence = ct.split(';').next().unwrap_or_default().trim();
        if !AUDIO_TYPES.contains(&essence.to_ascii_lowercase().as_str()) {
            e.push(FieldError::new(
                "content_type",
                format!("must be an audio type: {}", AUDIO_TYPES.join(", ")),
            ));
        }
    }
    let at = match &b.recorded_at {
        Some(s) => parse_instant("recorded_at", s, false)?,
        None => now(),
    };
    fail_if(e)?;
    Ok(at)
}

fn validate_segments(segments: &[Segment]) -> Vec<FieldError> {
    let mut e = Vec::new();
    if segments.is_empty() {
        e.push(FieldError::new("segments", "at least one segment"));
    }
    if segments.len() > 10_000 {
        e.push(FieldError::new("segments", "at most 10000 segments"));
    }
    let mut prev = 0.0;
    for (i, s) in segments.iter().enumerate() {
        if !(s.start.is_finite() && s.end.is_finite()) || s.start < 0.0 || s.end < s.start {
            e.push(FieldError::new(
                format!("segments[{i}].end"),
                "needs 0 <= start <= end",
            ));
        } else if s.start + 1e-9 < prev {
            e.push(FieldError::new(
                format!("segments[{i}].start"),
                "segments must be in time order",
            ));
        }
        prev = s.start.max(prev);
        if s.speaker.trim().is_empty() || s.speaker.chars().count() > 50 {
            e.push(FieldError::new(
                format!("segments[{i}].speaker"),
                "must be 1-50 characters",
            ));
        }
        if s.text.chars().count() > 20_000 {
            e.push(FieldError::new(
                format!("segments[{i}].text"),
                "must be at most 20000 characters",
            ));
        }
        if e.len() > 20 {
            break;
        }
    }
    e
}

/// Checks an uploaded transcript.
pub fn check_transcription(b: &TranscriptionUpload) -> ApiResult<()> {
    let mut e = validate_segments(&b.segments);
    if b.confidence.is_some_and(|c| !(0.0..=1.0).contains(&c)) {
        e.push(FieldError::new("confidence", "must be between 0 and 1"));
    }
    fail_if(e)
}

/// Checks an analysis request; returns the analyses to run (default all).
pub fn check_analyze(b: &AnalyzeRequest) -> ApiResult<Vec<String>> {
    let types: Vec<String> = match &b.analysis_types {
        Some(v) => v.iter().map(|t| t.to_string()).collect(),
        None => ANALYSIS_TYPES.iter().map(|s| s.to_string()).collect(),
    };
    for (i, t) in types.iter().enumerate() {
        if !ANALYSIS_TYPES.contains(&t.as_str()) {
            return Err(ApiError::invalid(
                format!("analysis_types[{i}]"),
                "must be sentiment, keywords, summary or compliance",
            ));
        }
    }
    if types.is_empty() {
        return Err(ApiError::invalid(
            "analysis_types",
            "name at least one analysis",
        ));
    }
    // Each phrase is looked for in every segment: at most 100 phrases of
    // at most 200 characters per list.
    for (field, list) in [
        ("required_phrases", &b.required_phrases),
        ("forbidden_phrases", &b.forbidden_phrases),
    ] {
        search::check_values(field, list.len())?;
        for (i, p) in list.iter().enumerate() {
            search::check_substring(&format!("{field}[{i}]"), p)?;
        }
    }
    Ok(types)
}

/// Checks a new compliance phrase.
pub fn check_phrase(b: &CompliancePhraseCreate) -> ApiResult<()> {
    let mut e = Vec::new();
    check_text(&mut e, "phrase", &b.phrase, 500);
    if b.kind.as_str() != "required" && b.kind.as_str() != "forbidden" {
        e.push(FieldError::new("kind", "must be required or forbidden"));
    }
    fail_if(e)
}

// ---------------------------------------------------------------- reads

/// One page of recordings, newest first, and the number matching.
pub fn list(c: &Connection, q: &RecordingQuery, w: &Window) -> ApiResult<(Vec<Recording>, u64)> {
    store::list(c, q, w)
}

/// Recording `id`, or 404.
pub fn get(c: &Connection, id: i64) -> ApiResult<Recording> {
    store::get(c, id)
}

/// The transcription of recording `id` (404 while it has none).
pub fn transcription(c: &Connection, id: i64) -> ApiResult<Transcription> {
    store::get(c, id)?;
    store::transcription(c, id)?
        .ok_or_else(|| ApiError::not_found(format!("Recording {id} has no transcription yet")))
}

/// The configured compliance phrases.
pub fn phrases(c: &Connection) -> ApiResult<Vec<CompliancePhrase>> {
    store::phrases(c)
}

// ---------------------------------------------------------------- writes

/// Registers a recording checked by [`check_create`]. Audited.
pub fn create(w: &WriteCtx<'_>, b: &RecordingCreate, at: DateTime<Utc>) -> ApiResult<Recording> {
    let tx = w.tx();
    let id = store::insert(
        tx,
        &store::NewRecording {
            call_id: b.call_id.trim(),
            campaign_id: b.campaign_id,
            agent_id: b.agent_id,
            team_id: b.team_id,
            duration: b.duration,
            file_url: &b.file_url,
            file_size_bytes: b.file_size_bytes,
            content_type: b.content_type.as_deref(),
            recorded_at: &iso(at),
            recorded_ms: at.timestamp_millis(),
            created_at: &iso(now()),
        },
    )?;
    w.audit(
        SLUG,
        "recording.create",
        "recording",
        &id.to_string(),
        json!({}),
    )?;
    store::get(tx, id)
}

/// Deletes recording `id` with its transcription and analysis. Audited.
pub fn delete(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let tx = w.tx();
    store::get(tx, id)?;
    store::delete(tx, id)?;
    w.audit(
        SLUG,
        "recording.delete",
        "recording",
        &id.to_string(),
        json!({}),
    )
    .map(drop)
}

/// Stores a transcript checked by [`check_transcription`] for recording
/// `id`, replacing the earlier one and its analysis. Audited.
pub fn put_transcription(
    w: &WriteCtx<'_>,
    id: i64,
    b: TranscriptionUpload,
) -> ApiResult<Transcription> {
    let tx = w.tx();
    store::get(tx, id)?;
    let text = b
        .segments
        .iter()
        .map(|s| s.text.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    store::save_transcription(
        tx,
        id,
        &text,
        &b.segments,
        b.language.as_deref().unwrap_or("en"),
        b.confidence,
        &iso(now()),
    )?;
    w.audit(
        SLUG,
        "recording.transcription",
        "recording",
        &id.to_string(),
        json!({}),
    )?;
    store::transcription(tx, id)?.ok_or_else(|| ApiError::internal("transcription not stored"))
}

/// Runs the analyses `types` (from [`check_analyze`]) on recording `id`'s
/// transcript; the recording keeps the overall sentiment and top keywords.
/// 409 while there is no transcription. Audited.
pub fn analyze(
    w: &WriteCtx<'_>,
    id: i64,
    types: Vec<String>,
    b: &AnalyzeRequest,
) -> ApiResult<Analysis> {
    let tx = w.tx();
    store::get(tx, id)?;
    let t = store::transcription(tx, id)?.ok_or_else(|| {
        CcError::TranscriptionRequired
            .with_message("The recording has no transcription to analyze yet")
    })?;
    let want = |k: &str| types.iter().any(|t| t == k);
    let sent = want("sentiment").then(|| sentiment(&t.segments));
    let kws = want("keywords").then(|| keywords(&t.segments, 10));
    let summary = want("summary").then(|| summarize(&t.segments, 3));
    let comp = if want("compliance") {
        let mut rules: Vec<(String, String, Option<String>)> = store::phrases(tx)?
            .into_iter()
            .map(|p| (p.phrase, p.kind, p.speaker))
            .collect();
        rules.extend(
            b.required_phrases
                .iter()
                .map(|p| (p.clone(), "required".to_string(), None)),
        );
        rules.extend(
            b.forbidden_phrases
                .iter()
                .map(|p| (p.clone(), "forbidden".to_string(), None)),
        );
        Some(compliance(&t.segments, &rules))
    } else {
        None
    };
    if let Some(s) = &sent {
        store::set_sentiment(tx, id, s.overall)?;
    }
    if let Some(k) = &kws {
        let top: Vec<&str> = k.iter().take(5).map(|k| k.word.as_str()).collect();
        store::set_keywords(tx, id, &top)?;
    }
    let analysis = Analysis {
        sentiment: sent,
        keywords: kws,
        summary,
        compliance: comp,
    };
    store::save_analysis(tx, id, &json!({"types": types}).to_string(), &iso(now()))?;
    w.audit(
        SLUG,
        "recording.analyze",
        "recording",
        &id.to_string(),
        json!({"types": types}),
    )?;
    Ok(analysis)
}

/// Adds a compliance phrase checked by [`check_phrase`] (409 when the same
/// phrase and kind is configured). Audited.
pub fn add_phrase(w: &WriteCtx<'_>, b: &CompliancePhraseCreate) -> ApiResult<CompliancePhrase> {
    let tx = w.tx();
    if store::phrase_exists(tx, b.phrase.trim(), &b.kind)? {
        return Err(CcError::DuplicateResource.with_message("This phrase is already configured"));
    }
    let p = store::insert_phrase(
        tx,
        b.phrase.trim(),
        &b.kind,
        b.speaker.as_deref(),
        b.description.as_deref(),
        &iso(now()),
    )?;
    w.audit(
        SLUG,
        "compliance_phrase.create",
        "compliance_phrase",
        &p.id.to_string(),
        json!({}),
    )?;
    Ok(p)
}

/// Removes compliance phrase `id` (404 when there is none). Audited.
pub fn delete_phrase(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    if !store::delete_phrase(w.tx(), id)? {
        return Err(not_found("Compliance phrase", id));
    }
    w.audit(
        SLUG,
        "compliance_phrase.delete",
        "compliance_phrase",
        &id.to_string(),
        json!({}),
    )
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(speaker: &str, text: &str, start: f64) -> Segment {
        Segment {
            start,
            end: start + 3.0,
            speaker: frontline_platform::pattern::common::NonBlank::new(speaker)
                .expect("a speaker"),
            text: text.into(),
        }
    }

    #[test]
    fn lexicon_sentiment_with_negation() {
        assert!(sentiment_of("This is great, thank you so much!") > 0.5);
        assert!(sentiment_of("I am really frustrated, the product is broken") < -0.5);
        assert!(sentiment_of("It was not good at all") < 0.0);
        assert_eq!(sentiment_of("The meeting is on Tuesday"), 0.0);
    }

    #[test]
    fn compliance_by_speaker() {
        let segs = vec![
            seg(
                "agent",
                "Hello, this call may be recorded for quality purposes.",
                0.0,
            ),
            seg(
                "customer",
                "Fine. Honestly this is a guaranteed return?",
                3.0,
            ),
            seg("agent", "Yes, it is a guaranteed return.", 6.0),
        ];
        let c = compliance(
            &segs,
            &[
                (
                    "this call may be recorded".into(),
                    "required".into(),
                    Some("agent".into()),
                ),
                (
                    "guaranteed return".into(),
                    "forbidden".into(),
                    Some("agent".into()),
                ),
                ("thank you for calling".into(), "required".into(), None),
            ],
        );
        assert_eq!(c.passed, Some(false));
        assert_eq!(c.status, "failed");
        assert_eq!(c.issues.len(), 2);
        assert_eq!(c.issues[0].issue_type, "forbidden_phrase");
        assert_eq!(c.issues[0].segment_index, Some(2));
        assert_eq!(c.issues[1].phrase, "thank you for calling");
    }
}
