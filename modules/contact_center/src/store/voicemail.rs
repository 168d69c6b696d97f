//! The SQL of the voicemail inbox.

use frontline_platform::page::Window;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{NewVoicemail, Voicemail, VoicemailQuery};

const COLS: &str = "id, from_number, to_number, duration, status, message_url, transcription, \
     received_at, assigned_to_id, priority, notes, queue_id, status_changed_at, completed_at, updated_at";

fn row(r: &Row) -> rusqlite::Result<Voicemail> {
    Ok(Voicemail {
        id: r.get(0)?,
        from_number: r.get(1)?,
        to_number: r.get(2)?,
        duration: r.get(3)?,
        status: r.get(4)?,
        message_url: r.get(5)?,
        transcription: r.get(6)?,
        received_at: r.get(7)?,
        assigned_to_id: r.get(8)?,
        priority: r.get(9)?,
        notes: r.get(10)?,
        queue_id: r.get(11)?,
        status_changed_at: r.get(12)?,
        completed_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

/// Voicemail `id`, if there is one.
pub fn get(conn: &Connection, id: i64) -> ApiResult<Option<Voicemail>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM cc_voicemails WHERE id = ?1"),
            [id],
            row,
        )
        .optional()?)
}

/// Stores a new voicemail (status `new`) received at `received_at`; `at` is now.
pub fn insert(
    tx: &Connection,
    d: &NewVoicemail<'_>,
    received_at: &str,
    at: &str,
) -> ApiResult<i64> {
    tx.execute(
        "INSERT INTO cc_voicemails (from_number, to_number, duration, status, message_url, transcription,
            received_at, assigned_to_id, priority, queue_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'new', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![
            d.from_number.trim(),
            d.to_number.trim(),
            d.duration,
            d.message_url,
            d.transcription,
            received_at,
            d.assigned_to_id,
            d.priority.unwrap_or(5),
            d.queue_id,
            at
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Writes the editable fields and the status times of `v` (updated at `at`).
pub fn update(tx: &Connection, v: &Voicemail, at: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_voicemails SET status = ?2, assigned_to_id = ?3, notes = ?4, priority = ?5,
            status_changed_at = ?6, completed_at = ?7, updated_at = ?8 WHERE id = ?1",
        params![
            v.id,
            v.status,
            v.assigned_to_id,
            v.notes,
            v.priority,
            v.status_changed_at,
            v.completed_at,
            at
        ],
    )?;
    Ok(())
}

pub fn delete(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute("DELETE FROM cc_voicemails WHERE id = ?1", [id])?;
    Ok(())
}

/// One page of voicemails, newest first, and how many match.
pub fn list(conn: &Connection, q: &VoicemailQuery, w: Window) -> ApiResult<(Vec<Voicemail>, u64)> {
    let filter = "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR assigned_to_id = ?2)
        AND (?3 IS NULL OR priority = ?3) AND (?4 IS NULL OR from_number = ?4)
        AND (?5 IS NULL OR received_at >= ?5) AND (?6 IS NULL OR received_at < ?6)";
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM cc_voicemails WHERE {filter}"),
        params![
            q.status,
            q.assigned_to_id,
            q.priority,
            q.from_number,
            q.received_from,
            q.received_before
        ],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM cc_voicemails WHERE {filter}
         ORDER BY received_at DESC, id DESC LIMIT ?7 OFFSET ?8"
    ))?;
    let items = stmt
        .query_map(
            params![
                q.status,
                q.assigned_to_id,
                q.priority,
                q.from_number,
                q.received_from,
                q.received_before,
                w.limit as i64,
                w.offset as i64
            ],
            row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total as u64))
}
