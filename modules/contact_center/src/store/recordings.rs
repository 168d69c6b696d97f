//! The SQL of recordings, their transcriptions and analyses, and the
//! configured compliance phrases.

use frontline_platform::page::Window;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension, Row, ToSql};

use crate::insight::not_found;
use crate::model::recordings::*;

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

/// Recording `id`, or 404.
pub fn get(c: &Connection, id: i64) -> ApiResult<Recording> {
    c.prepare_cached(&format!("SELECT {COLS} FROM cc_recordings WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| not_found("Recording", id))
}

/// One page of recordings matching `q`, newest first, and the number matching.
pub fn list(c: &Connection, q: &RecordingQuery, w: &Window) -> ApiResult<(Vec<Recording>, u64)> {
    let filter = "(?1 IS NULL OR campaign_id = ?1) AND (?2 IS NULL OR agent_id = ?2)
        AND (?3 IS NULL OR team_id = ?3) AND (?4 IS NULL OR recorded_ms >= ?4)
        AND (?5 IS NULL OR recorded_ms < ?5) AND (?6 IS NULL OR duration >= ?6)
        AND (?7 IS NULL OR duration <= ?7) AND (?8 IS NULL OR has_transcription = ?8)";
    let (limit, offset) = (w.limit as i64, w.offset as i64);
    let args: [&dyn ToSql; 10] = [
        &q.campaign_id,
        &q.agent_id,
        &q.team_id,
        &q.from_ms,
        &q.before_ms,
        &q.duration_min,
        &q.duration_max,
        &q.has_transcription,
        &limit,
        &offset,
    ];
    let total: i64 = c
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM cc_recordings WHERE {filter}"
        ))?
        .query_row(&args[..8], |r| r.get(0))?;
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLS} FROM cc_recordings WHERE {filter}
         ORDER BY recorded_ms DESC, id DESC LIMIT ?9 OFFSET ?10"
    ))?;
    let items = stmt
        .query_map(&args[..], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

/// A recording to insert (text already trimmed, times computed).
pub struct NewRecording<'a> {
    pub call_id: &'a str,
    pub campaign_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    pub duration: i64,
    pub file_url: &'a str,
    pub file_size_bytes: Option<i64>,
    pub content_type: Option<&'a str>,
    pub recorded_at: &'a str,
    pub recorded_ms: i64,
    pub created_at: &'a str,
}

/// Inserts a recording; returns its id.
pub fn insert(tx: &Connection, r: &NewRecording<'_>) -> ApiResult<i64> {
    tx.prepare_cached(
        "INSERT INTO cc_recordings (call_id, campaign_id, agent_id, team_id, duration, file_url,
            file_size_bytes, content_type, recorded_at, recorded_ms, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        r.call_id,
        r.campaign_id,
        r.agent_id,
        r.team_id,
        r.duration,
        r.file_url,
        r.file_size_bytes,
        r.content_type,
        r.recorded_at,
        r.recorded_ms,
        r.created_at
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Deletes a recording (its transcription and analysis go with it).
pub fn delete(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.prepare_cached("DELETE FROM cc_recordings WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// The transcription of recording `id`, if it has one.
pub fn transcription(c: &Connection, id: i64) -> ApiResult<Option<Transcription>> {
    Ok(c.prepare_cached(
        "SELECT recording_id, text, segments, language, confidence, source, created_at
         FROM cc_transcriptions WHERE recording_id = ?1",
    )?
    .query_row([id], |r| {
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
    })
    .optional()?)
}

/// Stores an uploaded transcript of recording `id` (replacing any earlier
/// one), marks the recording transcribed and drops its earlier analysis.
pub fn save_transcription(
    tx: &Connection,
    id: i64,
    text: &str,
    segments: &[Segment],
    language: &str,
    confidence: Option<f64>,
    at: &str,
) -> ApiResult<()> {
    tx.prepare_cached(
        "INSERT INTO cc_transcriptions (recording_id, text, segments, language, confidence, source, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'upload', ?6)
         ON CONFLICT(recording_id) DO UPDATE SET text = excluded.text, segments = excluded.segments,
            language = excluded.language, confidence = excluded.confidence, source = excluded.source,
            created_at = excluded.created_at",
    )?
    .execute(params![
        id,
        text,
        serde_json::to_string(segments)?,
        language,
        confidence,
        at
    ])?;
    tx.prepare_cached("UPDATE cc_recordings SET has_transcription = 1 WHERE id = ?1")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM cc_recording_analyses WHERE recording_id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Keeps an analysis' overall sentiment on the recording.
pub fn set_sentiment(tx: &Connection, id: i64, score: f64) -> ApiResult<()> {
    tx.prepare_cached("UPDATE cc_recordings SET sentiment_score = ?2 WHERE id = ?1")?
        .execute(params![id, score])?;
    Ok(())
}

/// Keeps an analysis' top keywords on the recording.
pub fn set_keywords(tx: &Connection, id: i64, top: &[&str]) -> ApiResult<()> {
    tx.prepare_cached("UPDATE cc_recordings SET keywords = ?2 WHERE id = ?1")?
        .execute(params![id, serde_json::to_string(top)?])?;
    Ok(())
}

/// Records that recording `id` was analyzed (`result` is JSON text).
pub fn save_analysis(tx: &Connection, id: i64, result: &str, at: &str) -> ApiResult<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO cc_recording_analyses (recording_id, result, analyzed_at)
         VALUES (?1, ?2, ?3)",
    )?
    .execute(params![id, result, at])?;
    Ok(())
}

const PHRASE_COLS: &str = "id, phrase, kind, speaker, description, created_at";

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

/// The configured compliance phrases, oldest first.
pub fn phrases(c: &Connection) -> ApiResult<Vec<CompliancePhrase>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {PHRASE_COLS} FROM cc_compliance_phrases ORDER BY id"
    ))?;
    let out = stmt
        .query_map([], phrase_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

/// Whether `phrase` is already configured as `kind`.
pub fn phrase_exists(c: &Connection, phrase: &str, kind: &str) -> ApiResult<bool> {
    Ok(c.prepare_cached(
        "SELECT EXISTS(SELECT 1 FROM cc_compliance_phrases WHERE phrase = ?1 AND kind = ?2)",
    )?
    .query_row(params![phrase, kind], |r| r.get(0))?)
}

/// Inserts a compliance phrase and returns it.
pub fn insert_phrase(
    tx: &Connection,
    phrase: &str,
    kind: &str,
    speaker: Option<&str>,
    description: Option<&str>,
    at: &str,
) -> ApiResult<CompliancePhrase> {
    tx.prepare_cached(
        "INSERT INTO cc_compliance_phrases (phrase, kind, speaker, description, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![phrase, kind, speaker, description, at])?;
    let id = tx.last_insert_rowid();
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {PHRASE_COLS} FROM cc_compliance_phrases WHERE id = ?1"
        ))?
        .query_row([id], phrase_row)?)
}

/// Deletes compliance phrase `id`; false when there was none.
pub fn delete_phrase(tx: &Connection, id: i64) -> ApiResult<bool> {
    Ok(tx
        .prepare_cached("DELETE FROM cc_compliance_phrases WHERE id = ?1")?
        .execute([id])?
        > 0)
}
