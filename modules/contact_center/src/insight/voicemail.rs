//! Voicemail inbox: deposit (extension), list with filters, status machine,
//! assignment and notes.

use crate::model::CcError;
use crate::SLUG;
use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{ApiError, ApiResult, BearerAuth, FieldError, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;

use super::{
    fail_if, iso, listed, not_found, now, parse_instant, require_manager, require_operator, window,
    Created, Deleted, Listed, Result, Tag,
};

pub const STATUSES: &[&str] = &["new", "listened", "in_progress", "completed", "archived"];

/// The transitions a voicemail may take.
pub fn allowed(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    matches!(
        (from, to),
        ("new", "listened" | "in_progress" | "completed" | "archived")
            | ("listened", "in_progress" | "completed" | "archived")
            | ("in_progress", "listened" | "completed" | "archived")
            | ("completed", "in_progress" | "archived")
            | ("archived", "new")
    )
}

/// A voicemail.
#[derive(Object, Clone, Debug)]
pub struct Voicemail {
    pub id: i64,
    pub from_number: String,
    pub to_number: String,
    /// Seconds.
    pub duration: i64,
    /// new, listened, in_progress, completed or archived.
    pub status: String,
    pub message_url: Option<String>,
    pub transcription: Option<String>,
    pub received_at: String,
    pub assigned_to_id: Option<i64>,
    /// 1 (highest) to 10, default 5.
    pub priority: i64,
    pub notes: Option<String>,
    pub queue_id: Option<i64>,
    pub status_changed_at: Option<String>,
    pub completed_at: Option<String>,
    pub updated_at: String,
}

/// Changes to a voicemail. Status moves new → listened → in_progress →
/// completed → archived (completed may be reopened to in_progress, archived
/// restored to new); other moves answer 409.
#[derive(Object, Debug)]
pub struct VoicemailUpdate {
    #[oai(validator(pattern = "^(new|listened|in_progress|completed|archived)$"))]
    pub status: Option<String>,
    #[oai(validator(minimum(value = "1")))]
    pub assigned_to_id: Option<i64>,
    #[oai(validator(max_length = 5000))]
    pub notes: Option<String>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub priority: Option<i64>,
}

/// Extension: a voicemail left by a caller.
#[derive(Object, Debug)]
pub struct VoicemailDeposit {
    #[oai(validator(pattern = r"^\+?[0-9]{3,20}$"))]
    pub from_number: String,
    #[oai(validator(pattern = r"^\+?[0-9]{3,20}$"))]
    pub to_number: String,
    /// Seconds, 0..=3600.
    #[oai(validator(minimum(value = "0"), maximum(value = "3600")))]
    pub duration: i64,
    /// Where the audio is kept.
    pub message_url: Option<String>,
    pub transcription: Option<String>,
    /// Default now.
    pub received_at: Option<String>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub priority: Option<i64>,
    #[oai(validator(minimum(value = "1")))]
    pub assigned_to_id: Option<i64>,
    pub queue_id: Option<i64>,
}

fn check_number(errors: &mut Vec<FieldError>, field: &str, n: &str) {
    let digits = n.chars().filter(|c| c.is_ascii_digit()).count();
    let ok = (3..=20).contains(&digits)
        && n.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !ok {
        errors.push(FieldError::new(
            field,
            "must be a phone number such as +1234567890",
        ));
    }
}

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

pub fn get_voicemail(conn: &Connection, id: i64) -> ApiResult<Voicemail> {
    conn.query_row(
        &format!("SELECT {COLS} FROM cc_voicemails WHERE id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or_else(|| not_found("Voicemail", id))
}

/// Stores a voicemail (used by the deposit endpoint and the IVR voicemail node).
pub fn insert_voicemail(tx: &Connection, d: &VoicemailDeposit) -> ApiResult<i64> {
    let at = iso(now());
    let received = match &d.received_at {
        Some(s) => iso(parse_instant("received_at", s, false)?),
        None => at.clone(),
    };
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
            received,
            d.assigned_to_id,
            d.priority.unwrap_or(5),
            d.queue_id,
            at
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub struct VoicemailApi {
    platform: Platform,
}

impl VoicemailApi {
    pub fn new(platform: &Platform) -> Self {
        VoicemailApi {
            platform: platform.clone(),
        }
    }
}

#[OpenApi(tag = "Tag::Voicemail")]
impl VoicemailApi {
    /// List voicemails, newest first. Filters: `status`, `assigned_to_id`,
    /// `priority`, `from_number`, `start_date`/`end_date` (received).
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/voicemail", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        status: Query<Option<crate::model::VoicemailStatus>>,
        assigned_to_id: Query<Option<i64>>,
        priority: Query<Option<i64>>,
        from_number: Query<Option<String>>,
        start_date: Query<Option<crate::common::DateOrTime>>,
        end_date: Query<Option<crate::common::DateOrTime>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Listed<Voicemail>> {
        let status = Query(status.0.map(|v| v.as_str().to_string()));
        require_operator(&auth.0)?;
        let w = window(&self.platform, limit.0, offset.0)?;
        if let Some(s) = &status.0 {
            if !STATUSES.contains(&s.as_str()) {
                return Err(ApiError::invalid(
                    "status",
                    format!("must be one of {}", STATUSES.join(", ")),
                )
                .into());
            }
        }
        let start = start_date
            .0
            .as_deref()
            .map(|s| parse_instant("start_date", s, false))
            .transpose()?
            .map(iso);
        let end = end_date
            .0
            .as_deref()
            .map(|s| parse_instant("end_date", s, true))
            .transpose()?
            .map(iso);
        let (st, who, pr, from) = (status.0, assigned_to_id.0, priority.0, from_number.0);
        let (items, total) = self
            .platform
            .db
            .read(move |c| {
                let filter = "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR assigned_to_id = ?2)
                    AND (?3 IS NULL OR priority = ?3) AND (?4 IS NULL OR from_number = ?4)
                    AND (?5 IS NULL OR received_at >= ?5) AND (?6 IS NULL OR received_at < ?6)";
                let p = params![st, who, pr, from, start, end];
                let total: i64 = c.query_row(
                    &format!("SELECT COUNT(*) FROM cc_voicemails WHERE {filter}"),
                    p,
                    |r| r.get(0),
                )?;
                let mut stmt = c.prepare(&format!(
                    "SELECT {COLS} FROM cc_voicemails WHERE {filter}
                     ORDER BY received_at DESC, id DESC LIMIT ?7 OFFSET ?8"
                ))?;
                let items = stmt
                    .query_map(
                        params![
                            st,
                            who,
                            pr,
                            from,
                            start,
                            end,
                            w.limit as i64,
                            w.offset as i64
                        ],
                        row,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((items, total as u64))
            })
            .await?;
        Ok(listed(items, &w, "/api/voicemail", total))
    }

    /// Extension: deposit a voicemail (what the phone system does when a caller
    /// leaves a message). It starts as `new`.
    #[oai(path = "/api/voicemail", method = "post", tag = "Tag::Extensions")]
    async fn deposit(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<VoicemailDeposit>,
    ) -> Result<Created<Voicemail>> {
        require_operator(&auth.0)?;
        let d = body.0;
        let mut e = Vec::new();
        check_number(&mut e, "from_number", &d.from_number);
        check_number(&mut e, "to_number", &d.to_number);
        if !(0..=3600).contains(&d.duration) {
            e.push(FieldError::new(
                "duration",
                "must be between 0 and 3600 seconds",
            ));
        }
        if d.priority.is_some_and(|p| !(1..=10).contains(&p)) {
            e.push(FieldError::new("priority", "must be between 1 and 10"));
        }
        if d.transcription.as_ref().is_some_and(|t| t.len() > 100_000) {
            e.push(FieldError::new(
                "transcription",
                "must be at most 100000 characters",
            ));
        }
        fail_if(e)?;
        let vm = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            let id = insert_voicemail(tx, &d)?;
            w.audit(
                SLUG,
                "voicemail.deposit",
                "voicemail",
                &id.to_string(),
                json!({}),
            )?;
            get_voicemail(tx, id)
        })
        .await?;
        Ok(Created::Created(Json(vm)))
    }

    /// Get a voicemail.
    ///
    /// Agents, supervisors and admins only (403 for other roles).
    #[oai(path = "/api/voicemail/:voicemail_id", method = "get")]
    async fn get(&self, auth: BearerAuth, voicemail_id: Path<i64>) -> Result<Json<Voicemail>> {
        require_operator(&auth.0)?;
        let id = voicemail_id.0;
        Ok(Json(
            self.platform.db.read(move |c| get_voicemail(c, id)).await?,
        ))
    }

    /// Update a voicemail's status, assignment, priority or notes.
    #[oai(path = "/api/voicemail/:voicemail_id", method = "put")]
    async fn update(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        voicemail_id: Path<i64>,
        body: JsonBody<VoicemailUpdate>,
    ) -> Result<Json<Voicemail>> {
        require_operator(&auth.0)?;
        let b = body.0;
        let mut e = Vec::new();
        if let Some(s) = &b.status {
            if !STATUSES.contains(&s.as_str()) {
                e.push(FieldError::new(
                    "status",
                    format!("must be one of {}", STATUSES.join(", ")),
                ));
            }
        }
        if b.priority.is_some_and(|p| !(1..=10).contains(&p)) {
            e.push(FieldError::new("priority", "must be between 1 and 10"));
        }
        if b.assigned_to_id.is_some_and(|a| a < 1) {
            e.push(FieldError::new("assigned_to_id", "must be a positive id"));
        }
        if b.notes.as_ref().is_some_and(|n| n.chars().count() > 5000) {
            e.push(FieldError::new("notes", "must be at most 5000 characters"));
        }
        fail_if(e)?;
        let id = voicemail_id.0;
        let vm = write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
                let tx = w.tx();
                let cur = get_voicemail(tx, id)?;
                let at = iso(now());
                if let Some(to) = &b.status {
                    if !allowed(&cur.status, to) {
                        return Err(CcError::InvalidStatusTransition.with_message(format!(
                            "A voicemail cannot move from {} to {to}",
                            cur.status
                        ))
                        .with_detail("status", format!("not allowed from {}", cur.status)));
                    }
                }
                let status = b.status.clone().unwrap_or(cur.status.clone());
                let changed = status != cur.status;
                let completed_at = if status == "completed" {
                    if changed { Some(at.clone()) } else { cur.completed_at.clone() }
                } else if status == "archived" {
                    cur.completed_at.clone()
                } else {
                    None
                };
                tx.execute(
                    "UPDATE cc_voicemails SET status = ?2, assigned_to_id = ?3, notes = ?4, priority = ?5,
                        status_changed_at = ?6, completed_at = ?7, updated_at = ?8 WHERE id = ?1",
                    params![
                        id,
                        status,
                        b.assigned_to_id.or(cur.assigned_to_id),
                        b.notes.or(cur.notes),
                        b.priority.unwrap_or(cur.priority),
                        if changed { Some(at.clone()) } else { cur.status_changed_at },
                        completed_at,
                        at
                    ],
                )?;
                w.audit(SLUG, "voicemail.update", "voicemail", &id.to_string(), json!({"from": cur.status, "to": status}))?;
                get_voicemail(tx, id)
            })
            .await?;
        Ok(Json(vm))
    }

    /// Delete a voicemail (managers only).
    #[oai(path = "/api/voicemail/:voicemail_id", method = "delete")]
    async fn delete(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        voicemail_id: Path<i64>,
    ) -> Result<Deleted> {
        require_manager(&auth.0)?;
        let id = voicemail_id.0;
        write::transact(&self.platform.db, Some(auth.0.clone()), meta, move |w| {
            let tx = w.tx();
            get_voicemail(tx, id)?;
            tx.execute("DELETE FROM cc_voicemails WHERE id = ?1", [id])?;
            w.audit(
                SLUG,
                "voicemail.delete",
                "voicemail",
                &id.to_string(),
                json!({}),
            )
            .map(drop)
        })
        .await?;
        Ok(Deleted::NoContent)
    }
}
