//! Call recordings: metadata, transcripts as speaker segments, and analysis
//! (lexicon sentiment, keywords, extractive summary, compliance phrases).

use crate::model::CcError;
use crate::SLUG;
use std::collections::{HashMap, HashSet};

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{
    search, ApiError, ApiResult, BearerAuth, FieldError, Platform, RequestMeta,
};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::round4;
use super::{
    check_text, fail_if, iso, listed, not_found, now, parse_instant, require_manager,
    require_operator, window, Created, Deleted, Listed, Result, Tag,
};

// ---------------------------------------------------------------- model

/// A call recording.
#[derive(Object, Clone, Debug)]
pub struct Recording {
    pub id: i64,
    pub call_id: String,
    pub campaign_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Seconds.
    pub duration: i64,
    pub file_url: Option<String>,
    pub file_size_bytes: Option<i64>,
    pub content_type: Option<String>,
    pub recorded_at: String,
    pub has_transcription: bool,
    /// Overall sentiment of the last analysis, -1 (negative) to 1 (positive).
    pub sentiment_score: Option<f64>,
    /// Top keywords of the last analysis.
    pub keywords: Vec<String>,
    pub created_at: String,
}

/// Extension: register a recording kept elsewhere (a URL the phone system serves).
#[derive(Object, Debug)]
pub struct RecordingCreate {
    /// The call's id in the phone system (1 to 200 characters).
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub call_id: String,
    pub campaign_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Seconds, 0..=86400.
    #[oai(validator(minimum(value = "0"), maximum(value = "86400")))]
    pub duration: i64,
    /// An http(s) URL, at most 2000 characters.
    #[oai(validator(max_length = 2000, pattern = "^https?://"))]
    pub file_url: String,
    /// 0 to 4 GiB.
    #[oai(validator(minimum(value = "0"), maximum(value = "4294967296")))]
    pub file_size_bytes: Option<i64>,
    /// An audio type: audio/mpeg, audio/wav, audio/x-wav, audio/ogg, audio/webm,
    /// audio/mp4, audio/aac, audio/flac or audio/basic (parameters allowed).
    #[oai(validator(
        max_length = 100,
        pattern = r"^[ \t]*[Aa][Uu][Dd][Ii][Oo]/([Mm][Pp][Ee][Gg]|[Ww][Aa][Vv]|[Xx]-[Ww][Aa][Vv]|[Oo][Gg][Gg]|[Ww][Ee][Bb][Mm]|[Mm][Pp]4|[Aa][Aa][Cc]|[Ff][Ll][Aa][Cc]|[Bb][Aa][Ss][Ii][Cc])[ \t]*(;.*)?$"
    ))]
    pub content_type: Option<String>,
    /// Default now.
    pub recorded_at: Option<crate::common::DateOrTime>,
}

/// One stretch of speech.
#[derive(Object, Clone, Debug, Serialize, Deserialize)]
pub struct Segment {
    /// Seconds from the start of the recording.
    #[oai(validator(minimum(value = "0")))]
    pub start: f64,
    /// Seconds from the start of the recording; not before `start`.
    #[oai(validator(minimum(value = "0")))]
    pub end: f64,
    /// e.g. agent, customer.
    // A type whose pattern is compiled once: a transcript has up to 10 000
    // segments, and poem-openapi's own `pattern` validator compiles its
    // regex for every one.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub speaker: frontline_platform::pattern::common::NonBlank,
    pub text: String,
}

/// A transcription.
#[derive(Object, Clone, Debug)]
pub struct Transcription {
    pub recording_id: i64,
    pub text: String,
    pub segments: Vec<Segment>,
    pub language: String,
    pub confidence: Option<f64>,
    /// Where it came from: `upload`.
    pub source: String,
    pub created_at: String,
}

/// Extension: a transcript to store for a recording (replaces any earlier one).
#[derive(Object, Debug)]
pub struct TranscriptionUpload {
    /// 1 to 10000 segments, in time order.
    #[oai(validator(min_items = 1, max_items = 10000))]
    pub segments: Vec<Segment>,
    /// Default en.
    pub language: Option<String>,
    /// 0..=1.
    #[oai(validator(minimum(value = "0"), maximum(value = "1")))]
    pub confidence: Option<f64>,
}

/// What to analyze.
#[derive(Object, Debug)]
pub struct AnalyzeRequest {
    /// Any of sentiment, keywords, summary, compliance (default all).
    #[oai(validator(min_items = 1, pattern = "^(sentiment|keywords|summary|compliance)$"))]
    pub analysis_types: Option<Vec<String>>,
    /// Phrases that must be said, in addition to the configured ones (at most
    /// 100, each at most 200 characters).
    #[oai(default)]
    pub required_phrases: Vec<String>,
    /// Phrases that must not be said, in addition to the configured ones (at
    /// most 100, each at most 200 characters).
    #[oai(default)]
    pub forbidden_phrases: Vec<String>,
}

/// Sentiment of one segment.
#[derive(Object, Clone, Debug)]
pub struct SegmentSentiment {
    pub index: i64,
    pub speaker: String,
    /// -1..1.
    pub score: f64,
    /// positive, negative or neutral.
    pub label: String,
}

/// Sentiment from a word lexicon with negation handling.
#[derive(Object, Clone, Debug)]
pub struct Sentiment {
    /// Mean segment score, -1..1.
    pub overall: f64,
    /// Share of segments that are positive.
    pub positive: f64,
    pub negative: f64,
    pub neutral: f64,
    pub segments: Vec<SegmentSentiment>,
    /// Mean score per speaker.
    pub by_speaker: HashMap<String, f64>,
}

/// A keyword and how prominent it is.
#[derive(Object, Clone, Debug)]
pub struct Keyword {
    pub word: String,
    pub count: i64,
    /// 0..1: frequency relative to the most frequent keyword, weighted by
    /// how many segments mention it.
    pub relevance: f64,
}

/// One compliance problem.
#[derive(Object, Clone, Debug)]
pub struct ComplianceIssue {
    /// missing_required_phrase or forbidden_phrase.
    #[oai(rename = "type")]
    pub issue_type: String,
    pub phrase: String,
    pub segment_index: Option<i64>,
    pub speaker: Option<String>,
    /// Seconds into the recording.
    pub at: Option<f64>,
}

/// Compliance result.
#[derive(Object, Clone, Debug)]
pub struct Compliance {
    /// true: every configured phrase rule held; false: at least one issue;
    /// null: no compliance phrase is configured (nothing was checked).
    pub passed: Option<bool>,
    /// passed, failed or not_configured (no required or forbidden phrase
    /// configured or given, so no check ran).
    pub status: String,
    pub issues: Vec<ComplianceIssue>,
    pub checked_required: i64,
    pub checked_forbidden: i64,
}

/// Analysis of a recording's transcript.
#[derive(Object, Clone, Debug)]
pub struct Analysis {
    pub sentiment: Option<Sentiment>,
    pub keywords: Option<Vec<Keyword>>,
    pub summary: Option<String>,
    pub compliance: Option<Compliance>,
}

/// Extension: a configured compliance phrase.
#[derive(Object, Clone, Debug)]
pub struct CompliancePhrase {
    pub id: i64,
    pub phrase: String,
    /// required or forbidden.
    pub kind: String,
    /// Only this speaker's segments count (e.g. agent); none: anyone.
    pub speaker: Option<String>,
    pub description: Option<String>,
    pub created_at: String,
}

/// Extension: a new compliance phrase.
#[derive(Object, Debug)]
pub struct CompliancePhraseCreate {
    #[oai(validator(min_length = 1, max_length = 500, pattern = r"\S"))]
    pub phrase: String,
    #[oai(validator(pattern = "^(required|forbidden)$"))]
    pub kind: String,
    pub speaker: Option<String>,
    pub description: Option<String>,
}

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

// ---------------------------------------------------------------- store

const COLS: &str =
    "id, call_id, campaign_id, agent_id, team_id, duration, file_url, file_size_bytes, \
     content_type, recorded_at, has_transcription, sentiment_score, keywords, created_at";

fn row(r: &Row) -> rusqlite::Result<Recording> {
    let kws: String = r.get(12)?;
    Ok(Recording {
        id: r.get(0)?,
        call_id: r.get(1)?,
        campaign_id: r.get(2)?,
        agent_id: r.get(3)?,
        team_id: r.get(4)?,
        duration: r.get(5)?,
        file_url: r.get(6)?,
        file_size_bytes: r.get(7)?,
        content_type: r.get(8)?,
        recorded_at: r.get(9)?,
        has_transcription: r.get(10)?,
        sentiment_score: r.get(11)?,
        keywords: serde_json::from_str(&kws).unwrap_or_default(),
        created_at: r.get(13)?,
    })
}

fn get_recording(c: &Connection, id: i64) -> ApiResult<Recording> {
    c.query_row(
        &format!("SELECT {COLS} FROM cc_recordings WHERE id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or_else(|| not_found("Recording", id))
}

fn get_transcription(c: &Connection, id: i64) -> ApiResult<Option<Transcription>> {
    Ok(c.query_row(
        "SELECT recording_id, text, segments, language, confidence, source, created_at
         FROM cc_transcriptions WHERE recording_id = ?1",
        [id],
        |r| {
            let segs: String = r.get(2)?;
            Ok(Transcription {
                recording_id: r.get(0)?,
                text: r.get(1)?,
                segments: serde_json::from_str(&segs).unwrap_or_default(),
                language: r.get(3)?,
                confidence: r.get(4)?,
                source: r.get(5)?,
                created_at: r.get(6)?,
            })
        },
    )
    .optional()?)
}

fn phrase_row(r: &Row) -> rusqlite::Result<CompliancePhrase> {
    Ok(CompliancePhrase {
        id: r.get(0)?,
        phrase: r.get(1)?,
        kind: r.get(2)?,
        speaker: r.get(3)?,
        description: r.get(4)?,
        created_at: r.get(5)?,
    })
}

fn list_phrases(c: &Connection) -> ApiResult<Vec<CompliancePhrase>> {
    let mut stmt = c.prepare(
        "SELECT id, phrase, kind, speaker, description, created_at FROM cc_compliance_phrases ORDER BY id",
    )?;
    let out = stmt
        .query_map([], phrase_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
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

// ---------------------------------------------------------------- api

pub struct RecordingsApi {
    platform: Platform,
}

impl RecordingsApi {
    pub fn new(platform: &Platform) -> Self {
        RecordingsApi {
            platform: platform.clone(),
        }
    }
}

/// The recording types accepted (`content_type`, parameters aside).
pub const AUDIO_TYPES: &[&str] = &[
    "audio/mpeg",
    "audio/wav",
    "audio/x-wav",
    "audio/ogg",
    "audio/webm",
    "audio/mp4",
    "audio/aac",
    "audio/flac",
    "audio/basic",
];

pub const ANALYSIS_TYPES: &[&str] = &["sentiment", "keywords", "summary", "compliance"];

#[OpenApi(tag = "Tag::Recordings")]
impl RecordingsApi {
    /// List recordings, newest first. Filters: `campaign_id`, `agent_id`,
    /// `team_id`, `start_date`/`end_date`, `duration_min`/`duration_max`
    /// (seconds), `has_transcription`.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/recordings", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        campaign_id: Query<Option<i64>>,
        agent_id: Query<Option<i64>>,
        team_id: Query<Option<i64>>,
        start_date: Query<Option<crate::common::DateOrTime>>,
        end_date: Query<Option<crate::common::DateOrTime>>,
        duration_min: Query<Option<i64>>,
        duration_max: Query<Option<i64>>,
        has_transcription: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Recording>> {
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        let start = start_date
            .0
            .as_deref()
            .map(|s| parse_instant("start_date", s, false))
            .transpose()?
            .map(|t| t.timestamp_millis());
        let end = end_date
            .0
            .as_deref()
            .map(|s| parse_instant("end_date", s, true))
            .transpose()?
            .map(|t| t.timestamp_millis());
        if let (Some(a), Some(b)) = (duration_min.0, duration_max.0) {
            if a > b {
                return Err(
                    ApiError::invalid("duration_max", "must not be below duration_min").into(),
                );
            }
        }
        let p = (
            campaign_id.0,
            agent_id.0,
            team_id.0,
            start,
            end,
            duration_min.0,
            duration_max.0,
            has_transcription.0,
        );
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
                let filter = "(?1 IS NULL OR campaign_id = ?1) AND (?2 IS NULL OR agent_id = ?2)
                    AND (?3 IS NULL OR team_id = ?3) AND (?4 IS NULL OR recorded_ms >= ?4)
                    AND (?5 IS NULL OR recorded_ms < ?5) AND (?6 IS NULL OR duration >= ?6)
                    AND (?7 IS NULL OR duration <= ?7) AND (?8 IS NULL OR has_transcription = ?8)";
                let total: i64 = c.query_row(
                    &format!("SELECT COUNT(*) FROM cc_recordings WHERE {filter}"),
                    params![p.0, p.1, p.2, p.3, p.4, p.5, p.6, p.7],
                    |r| r.get(0),
                )?;
                let mut stmt = c.prepare(&format!(
                    "SELECT {COLS} FROM cc_recordings WHERE {filter} ORDER BY recorded_ms DESC, id DESC LIMIT ?9 OFFSET ?10"
                ))?;
                let items = stmt
                    .query_map(params![p.0, p.1, p.2, p.3, p.4, p.5, p.6, p.7, w.limit as i64, w.offset as i64], row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items, total as u64))
            })
            .await?;
        Ok(listed(items, &w, "/api/recordings", total))
    }

    /// Extension: register a recording whose audio is kept at `file_url`.
    /// The audio is not fetched or transcribed here: upload its transcript
    /// with `PUT /api/recordings/{id}/transcription`.
    #[oai(path = "/api/recordings", method = "post", tag = "Tag::Extensions")]
    async fn create(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<RecordingCreate>,
    ) -> Result<Created<Recording>> {
        require_operator(&auth.0)?;
        let b = body.0;
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
        let rec = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                tx.execute(
                    "INSERT INTO cc_recordings (call_id, campaign_id, agent_id, team_id, duration, file_url,
                        file_size_bytes, content_type, recorded_at, recorded_ms, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![
                        b.call_id.trim(),
                        b.campaign_id,
                        b.agent_id,
                        b.team_id,
                        b.duration,
                        b.file_url,
                        b.file_size_bytes,
                        b.content_type,
                        iso(at),
                        at.timestamp_millis(),
                        iso(now())
                    ],
                )?;
                let id = tx.last_insert_rowid();
                w.audit(SLUG, "recording.create", "recording", &id.to_string(), json!({}))?;
                get_recording(tx, id)
            })
            .await?;
        Ok(Created::Created(Json(rec)))
    }

    /// Extension: the configured compliance phrases (required and forbidden).
    #[oai(
        path = "/api/recordings/compliance-phrases",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn phrases(&self, auth: BearerAuth) -> Result<Json<Vec<CompliancePhrase>>> {
        require_operator(&auth.0)?;
        Ok(Json(self.platform.db.read(list_phrases).await?))
    }

    /// Extension: add a compliance phrase every analysis checks.
    #[oai(
        path = "/api/recordings/compliance-phrases",
        method = "post",
        tag = "Tag::Extensions"
    )]
    async fn add_phrase(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<CompliancePhraseCreate>,
    ) -> Result<Created<CompliancePhrase>> {
        require_manager(&auth.0)?;
        let b = body.0;
        let mut e = Vec::new();
        check_text(&mut e, "phrase", &b.phrase, 500);
        if b.kind != "required" && b.kind != "forbidden" {
            e.push(FieldError::new("kind", "must be required or forbidden"));
        }
        fail_if(e)?;
        let p = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let exists: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM cc_compliance_phrases WHERE phrase = ?1 AND kind = ?2)",
                    params![b.phrase.trim(), b.kind],
                    |r| r.get(0),
                )?;
                if exists {
                    return Err(CcError::DuplicateResource.with_message("This phrase is already configured"));
                }
                tx.execute(
                    "INSERT INTO cc_compliance_phrases (phrase, kind, speaker, description, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![b.phrase.trim(), b.kind, b.speaker, b.description, iso(now())],
                )?;
                let id = tx.last_insert_rowid();
                w.audit(SLUG, "compliance_phrase.create", "compliance_phrase", &id.to_string(), json!({}))?;
                Ok(tx.query_row(
                    "SELECT id, phrase, kind, speaker, description, created_at FROM cc_compliance_phrases WHERE id = ?1",
                    [id],
                    phrase_row,
                )?)
            })
            .await?;
        Ok(Created::Created(Json(p)))
    }

    /// Extension: remove a compliance phrase.
    #[oai(
        path = "/api/recordings/compliance-phrases/:phrase_id",
        method = "delete",
        tag = "Tag::Extensions"
    )]
    async fn delete_phrase(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        phrase_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = phrase_id.0;
        write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            if tx.execute("DELETE FROM cc_compliance_phrases WHERE id = ?1", [id])? == 0 {
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
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Get a recording.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/recordings/:recording_id", method = "get")]
    async fn get(&self, auth: BearerAuth, recording_id: Path<i64>) -> Result<Json<Recording>> {
        require_operator(&auth.0)?;
        let id = recording_id.0;
        Ok(Json(
            self.platform.db.read(move |c| get_recording(c, id)).await?,
        ))
    }

    /// Delete a recording with its transcription and analysis.
    #[oai(path = "/api/recordings/:recording_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        recording_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = recording_id.0;
        write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            get_recording(tx, id)?;
            tx.execute("DELETE FROM cc_recordings WHERE id = ?1", [id])?;
            w.audit(
                SLUG,
                "recording.delete",
                "recording",
                &id.to_string(),
                json!({}),
            )
            .map(drop)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Get a recording's transcription (404 while it has none). Transcripts
    /// are uploaded (`PUT` on this path); this server runs no speech-to-text.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/recordings/:recording_id/transcription", method = "get")]
    async fn transcription(
        &self,
        auth: BearerAuth,
        recording_id: Path<i64>,
    ) -> Result<Json<Transcription>> {
        require_operator(&auth.0)?;
        let id = recording_id.0;
        let t = self
            .platform
            .db
            .read(move |c| {
                get_recording(c, id)?;
                get_transcription(c, id)?.ok_or_else(|| {
                    ApiError::not_found(format!("Recording {id} has no transcription yet"))
                })
            })
            .await?;
        Ok(Json(t))
    }

    /// Extension: store a transcript as speaker segments (replaces the earlier
    /// one), e.g. from the operator's speech-to-text service. This is the only
    /// way a recording gets a transcript.
    #[oai(
        path = "/api/recordings/:recording_id/transcription",
        method = "put",
        tag = "Tag::Extensions"
    )]
    async fn put_transcription(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        recording_id: Path<i64>,
        body: JsonBody<TranscriptionUpload>,
    ) -> Result<Json<Transcription>> {
        require_operator(&auth.0)?;
        let b = body.0;
        let mut e = validate_segments(&b.segments);
        if b.confidence.is_some_and(|c| !(0.0..=1.0).contains(&c)) {
            e.push(FieldError::new("confidence", "must be between 0 and 1"));
        }
        fail_if(e)?;
        let id = recording_id.0;
        let t = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                get_recording(tx, id)?;
                let text = b
                    .segments
                    .iter()
                    .map(|s| s.text.trim())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                tx.execute(
                    "INSERT INTO cc_transcriptions (recording_id, text, segments, language, confidence, source, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'upload', ?6)
                     ON CONFLICT(recording_id) DO UPDATE SET text = excluded.text, segments = excluded.segments,
                        language = excluded.language, confidence = excluded.confidence, source = excluded.source,
                        created_at = excluded.created_at",
                    params![id, text, serde_json::to_string(&b.segments)?, b.language.unwrap_or_else(|| "en".into()), b.confidence, iso(now())],
                )?;
                tx.execute("UPDATE cc_recordings SET has_transcription = 1 WHERE id = ?1", [id])?;
                tx.execute("DELETE FROM cc_recording_analyses WHERE recording_id = ?1", [id])?;
                w.audit(SLUG, "recording.transcription", "recording", &id.to_string(), json!({}))?;
                get_transcription(tx, id)?.ok_or_else(|| ApiError::internal("transcription not stored"))
            })
            .await?;
        Ok(Json(t))
    }

    /// Analyze a recording's transcription: `sentiment` (lexicon-based, per
    /// segment and overall), `keywords` (counts and relevance), `summary`
    /// (extractive) and `compliance` (configured required/forbidden phrases
    /// plus any given in the request). The recording keeps the overall
    /// sentiment and top keywords. 409 while there is no transcription.
    #[oai(path = "/api/recordings/:recording_id/analyze", method = "post")]
    async fn analyze(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        recording_id: Path<i64>,
        body: JsonBody<AnalyzeRequest>,
    ) -> Result<Json<Analysis>> {
        require_operator(&auth.0)?;
        let b = body.0;
        let types: Vec<String> = b
            .analysis_types
            .unwrap_or_else(|| ANALYSIS_TYPES.iter().map(|s| s.to_string()).collect());
        for (i, t) in types.iter().enumerate() {
            if !ANALYSIS_TYPES.contains(&t.as_str()) {
                return Err(ApiError::invalid(
                    format!("analysis_types[{i}]"),
                    "must be sentiment, keywords, summary or compliance",
                )
                .into());
            }
        }
        if types.is_empty() {
            return Err(ApiError::invalid("analysis_types", "name at least one analysis").into());
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
        let id = recording_id.0;
        let a = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                get_recording(tx, id)?;
                let t = get_transcription(tx, id)?.ok_or_else(|| {
                    CcError::TranscriptionRequired.with_message("The recording has no transcription to analyze yet")
                })?;
                let want = |k: &str| types.iter().any(|t| t == k);
                let sent = want("sentiment").then(|| sentiment(&t.segments));
                let kws = want("keywords").then(|| keywords(&t.segments, 10));
                let summary = want("summary").then(|| summarize(&t.segments, 3));
                let comp = if want("compliance") {
                    let mut rules: Vec<(String, String, Option<String>)> = list_phrases(tx)?
                        .into_iter()
                        .map(|p| (p.phrase, p.kind, p.speaker))
                        .collect();
                    rules.extend(b.required_phrases.iter().map(|p| (p.clone(), "required".to_string(), None)));
                    rules.extend(b.forbidden_phrases.iter().map(|p| (p.clone(), "forbidden".to_string(), None)));
                    Some(compliance(&t.segments, &rules))
                } else {
                    None
                };
                if let Some(s) = &sent {
                    tx.execute("UPDATE cc_recordings SET sentiment_score = ?2 WHERE id = ?1", params![id, s.overall])?;
                }
                if let Some(k) = &kws {
                    let top: Vec<&str> = k.iter().take(5).map(|k| k.word.as_str()).collect();
                    tx.execute("UPDATE cc_recordings SET keywords = ?2 WHERE id = ?1", params![id, serde_json::to_string(&top)?])?;
                }
                let analysis = Analysis { sentiment: sent, keywords: kws, summary, compliance: comp };
                tx.execute(
                    "INSERT OR REPLACE INTO cc_recording_analyses (recording_id, result, analyzed_at) VALUES (?1, ?2, ?3)",
                    params![id, json!({"types": types}).to_string(), iso(now())],
                )?;
                w.audit(SLUG, "recording.analyze", "recording", &id.to_string(), json!({"types": types}))?;
                Ok(analysis)
            })
            .await?;
        Ok(Json(a))
    }
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
