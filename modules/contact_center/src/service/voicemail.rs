//! Voicemail rules: the status machine, field checks, and the inbox's
//! operations (each write in the handler's transaction, audited there).

use frontline_platform::page::Window;
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::json;

use crate::insight::{fail_if, iso, not_found, now, parse_instant};
use crate::model::{
    CcError, NewVoicemail, Voicemail, VoicemailDeposit, VoicemailQuery, VoicemailUpdate,
};
use crate::store::voicemail as store;
use crate::SLUG;

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

fn one_of_statuses(field: &str, s: &str) -> Option<FieldError> {
    (!STATUSES.contains(&s))
        .then(|| FieldError::new(field, format!("must be one of {}", STATUSES.join(", "))))
}

/// Checks a deposit's fields (every problem at once).
pub fn check_deposit(d: &VoicemailDeposit) -> ApiResult<()> {
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
    fail_if(e)
}

/// Checks an update's fields (every problem at once).
pub fn check_update(b: &VoicemailUpdate) -> ApiResult<()> {
    let mut e = Vec::new();
    if let Some(s) = &b.status {
        e.extend(one_of_statuses("status", s));
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
    fail_if(e)
}

/// The list's filters from its query parameters (dates: from the start of
/// `start_date`, before the end of `end_date`).
pub fn query(
    status: Option<String>,
    assigned_to_id: Option<i64>,
    priority: Option<i64>,
    from_number: Option<String>,
    dates: (Option<&str>, Option<&str>),
) -> ApiResult<VoicemailQuery> {
    if let Some(problem) = status.as_deref().and_then(|s| one_of_statuses("status", s)) {
        return Err(ApiError::validation(vec![problem]));
    }
    let received_from = dates
        .0
        .map(|s| parse_instant("start_date", s, false))
        .transpose()?
        .map(iso);
    let received_before = dates
        .1
        .map(|s| parse_instant("end_date", s, true))
        .transpose()?
        .map(iso);
    Ok(VoicemailQuery {
        status,
        assigned_to_id,
        priority,
        from_number,
        received_from,
        received_before,
    })
}

pub fn list(conn: &Connection, q: &VoicemailQuery, w: Window) -> ApiResult<(Vec<Voicemail>, u64)> {
    store::list(conn, q, w)
}

pub fn get(conn: &Connection, id: i64) -> ApiResult<Voicemail> {
    store::get(conn, id)?.ok_or_else(|| not_found("Voicemail", id))
}

/// Stores a voicemail as `new` (the deposit endpoint and the IVR voicemail
/// node); the caller audits it.
pub fn insert(tx: &Connection, d: &NewVoicemail<'_>) -> ApiResult<i64> {
    let at = iso(now());
    let received = match d.received_at {
        Some(s) => iso(parse_instant("received_at", s, false)?),
        None => at.clone(),
    };
    store::insert(tx, d, &received, &at)
}

/// A caller left a message.
pub fn deposit(w: &WriteCtx<'_>, d: &VoicemailDeposit) -> ApiResult<Voicemail> {
    let id = insert(w, &d.as_new())?;
    w.audit(
        SLUG,
        "voicemail.deposit",
        "voicemail",
        &id.to_string(),
        json!({}),
    )?;
    get(w, id)
}

/// Moves a voicemail along its status machine (409 for a move it does not
/// allow) and changes its assignment, notes or priority.
pub fn update(w: &WriteCtx<'_>, id: i64, b: VoicemailUpdate) -> ApiResult<Voicemail> {
    let cur = get(w, id)?;
    let at = iso(now());
    if let Some(to) = &b.status {
        if !allowed(&cur.status, to) {
            return Err(CcError::InvalidStatusTransition
                .with_message(format!(
                    "A voicemail cannot move from {} to {to}",
                    cur.status
                ))
                .with_detail("status", format!("not allowed from {}", cur.status)));
        }
    }
    let status = b
        .status
        .clone()
        .map_or_else(|| cur.status.clone(), String::from);
    let changed = status != cur.status;
    let completed_at = if status == "completed" {
        if changed {
            Some(at.clone())
        } else {
            cur.completed_at.clone()
        }
    } else if status == "archived" {
        cur.completed_at.clone()
    } else {
        None
    };
    let next = Voicemail {
        status: status.clone(),
        assigned_to_id: b.assigned_to_id.or(cur.assigned_to_id),
        notes: b.notes.or(cur.notes.clone()),
        priority: b.priority.unwrap_or(cur.priority),
        status_changed_at: if changed {
            Some(at.clone())
        } else {
            cur.status_changed_at.clone()
        },
        completed_at,
        ..cur.clone()
    };
    store::update(w, &next, &at)?;
    w.audit(
        SLUG,
        "voicemail.update",
        "voicemail",
        &id.to_string(),
        json!({"from": cur.status, "to": status}),
    )?;
    get(w, id)
}

pub fn delete(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    get(w, id)?;
    store::delete(w, id)?;
    w.audit(
        SLUG,
        "voicemail.delete",
        "voicemail",
        &id.to_string(),
        json!({}),
    )?;
    Ok(())
}
