//! Recordings' types, as the document names them: recordings, transcripts,
//! analyses and compliance phrases.

use std::collections::HashMap;

use frontline_platform::pattern::common::NonBlank;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

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

/// The analyses a recording can get.
pub const ANALYSIS_TYPES: &[&str] = &["sentiment", "keywords", "summary", "compliance"];

frontline_platform::pattern_string! {
    /// An http(s) URL.
    pub HttpUrlText = "^https?://";
    /// An audio media type (parameters allowed).
    pub AudioTypeText = r"^[ \t]*[Aa][Uu][Dd][Ii][Oo]/([Mm][Pp][Ee][Gg]|[Ww][Aa][Vv]|[Xx]-[Ww][Aa][Vv]|[Oo][Gg][Gg]|[Ww][Ee][Bb][Mm]|[Mm][Pp]4|[Aa][Aa][Cc]|[Ff][Ll][Aa][Cc]|[Bb][Aa][Ss][Ii][Cc])[ \t]*(;.*)?$";
    /// One analysis: sentiment, keywords, summary or compliance.
    pub AnalysisTypeText = "^(sentiment|keywords|summary|compliance)$";
    /// A compliance phrase's kind: required or forbidden.
    pub PhraseKindText = "^(required|forbidden)$";
}

/// The filters of the recordings list (times in epoch milliseconds).
#[derive(Clone, Debug, Default)]
pub struct RecordingQuery {
    pub campaign_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Recorded at or after.
    pub from_ms: Option<i64>,
    /// Recorded before.
    pub before_ms: Option<i64>,
    pub duration_min: Option<i64>,
    pub duration_max: Option<i64>,
    pub has_transcription: Option<bool>,
}

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
    #[oai(validator(min_length = 1, max_length = 200))]
    pub call_id: NonBlank,
    pub campaign_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Seconds, 0..=86400.
    #[oai(validator(minimum(value = "0"), maximum(value = "86400")))]
    pub duration: i64,
    /// An http(s) URL, at most 2000 characters.
    #[oai(validator(max_length = 2000))]
    pub file_url: HttpUrlText,
    /// 0 to 4 GiB.
    #[oai(validator(minimum(value = "0"), maximum(value = "4294967296")))]
    pub file_size_bytes: Option<i64>,
    /// An audio type: audio/mpeg, audio/wav, audio/x-wav, audio/ogg, audio/webm,
    /// audio/mp4, audio/aac, audio/flac or audio/basic (parameters allowed).
    #[oai(validator(max_length = 100))]
    pub content_type: Option<AudioTypeText>,
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
    pub speaker: NonBlank,
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
    #[oai(validator(min_items = 1))]
    pub analysis_types: Option<Vec<AnalysisTypeText>>,
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
    #[oai(validator(min_length = 1, max_length = 500))]
    pub phrase: NonBlank,
    pub kind: PhraseKindText,
    pub speaker: Option<String>,
    pub description: Option<String>,
}
