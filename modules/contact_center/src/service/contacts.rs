//! Contact rules: validation (E.164, e-mail, priority), one phone number per
//! campaign, bulk import with per-row errors, and call lists.

use std::collections::HashMap;

use frontline_platform::auth::Principal;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::json;

use frontline_platform::audit::AuditEntry;
use frontline_platform::write::WriteCtx;

use super::caller;
use crate::common::*;
use crate::model::ContactQuery;
use crate::model::*;
use crate::store::campaigns::get_campaign;
use crate::store::contacts::{self as store, SORT_COLUMNS};
use crate::SLUG;

pub const CONTACT_STATUSES: &[&str] = &["pending", "called", "completed", "failed"];
/// Most rows one import accepts.
pub const MAX_IMPORT_ROWS: usize = 50_000;

/// Checks the caller may add contacts to `campaign` (visible and still open).
fn open_campaign(conn: &Connection, access: &Access, campaign: i64) -> ApiResult<()> {
    let c = get_campaign(conn, campaign, access.owner_scope())?;
    if matches!(c.status.as_str(), "completed" | "archived") {
        return Err(CcError::CampaignClosed.with_message(format!(
            "Campaign {campaign} is {}; contacts can no longer be added",
            c.status
        )));
    }
    Ok(())
}

/// Validates and normalises a contact's editable fields.
fn check_contact(problems: &mut Vec<FieldError>, c: &mut Contact) {
    c.first_name = required_text(problems, "first_name", &c.first_name, 100);
    c.last_name = optional_text(problems, "last_name", c.last_name.take(), 100);
    c.company = optional_text(problems, "company", c.company.take(), 200);
    match normalize_phone("phone_number", &c.phone_number) {
        Ok(p) => c.phone_number = p,
        Err(e) => problems.push(e),
    }
    if let Some(e) = c.email.take().filter(|e| !crate::common::no_email(e)) {
        match normalize_email("email", &e) {
            Ok(e) => c.email = Some(e),
            Err(err) => problems.push(err),
        }
    }
    in_range(problems, "priority", Some(c.priority), 1, 10);
    one_of(problems, "status", Some(&c.status), CONTACT_STATUSES);
    if !c.custom_fields.is_object() {
        problems.push(FieldError::new(
            "custom_fields",
            "custom_fields must be an object",
        ));
    }
}

fn blank(campaign_id: Option<i64>, created_by: i64) -> Contact {
    Contact {
        id: 0,
        campaign_id,
        first_name: String::new(),
        last_name: None,
        email: None,
        phone_number: String::new(),
        company: None,
        custom_fields: json!({}),
        priority: 5,
        status: "pending".into(),
        call_attempts: 0,
        last_called_at: None,
        created_by_id: created_by,
        created_at: now(),
        updated_at: String::new(),
    }
}

fn duplicate_phone(campaign: i64, existing: i64) -> ApiError {
    duplicate(
        "phone_number",
        format!("Campaign {campaign} already has this phone number (contact {existing})"),
    )
    .with_extra("existing_contact_id", existing)
}

pub fn create(w: &WriteCtx<'_>, body: ContactCreate) -> ApiResult<Contact> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    if let Some(c) = body.campaign_id {
        open_campaign(tx, &access, c)?;
    }
    let mut problems = Vec::new();
    let mut c = blank(body.campaign_id, who.seq);
    c.first_name = body.first_name.into_inner();
    c.last_name = body.last_name;
    c.email = body.email.map(String::from);
    c.phone_number = body.phone_number.into_inner();
    c.company = body.company;
    if let Some(v) = body.custom_fields.map(JsonObject::into_value) {
        c.custom_fields = v;
    }
    c.priority = body.priority.unwrap_or(5);
    c.status = body.status.map_or_else(|| "pending".into(), String::from);
    check_contact(&mut problems, &mut c);
    fail_if(problems)?;
    if let Some(campaign) = c.campaign_id {
        if let Some(existing) = store::phone_taken(tx, campaign, &c.phone_number, None)? {
            return Err(duplicate_phone(campaign, existing));
        }
    }
    let id = store::insert_contact(tx, &c)?;
    w.audit(
        SLUG,
        "contact.create",
        "contact",
        &id.to_string(),
        json!({"campaign_id": c.campaign_id}),
    )?;
    store::get_contact(tx, id, None)
}

pub fn update(w: &WriteCtx<'_>, id: i64, body: ContactUpdate) -> ApiResult<Contact> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    let mut c = store::get_contact(tx, id, access.owner_scope())?;
    if let Some(campaign) = body.campaign_id.filter(|n| Some(*n) != c.campaign_id) {
        open_campaign(tx, &access, campaign)?;
        c.campaign_id = Some(campaign);
    }
    let mut problems = Vec::new();
    if let Some(v) = body.first_name {
        c.first_name = v.into_inner();
    }
    if body.last_name.is_some() {
        c.last_name = body.last_name;
    }
    if body.email.is_some() {
        c.email = body.email.map(String::from);
    }
    if let Some(v) = body.phone_number {
        c.phone_number = v.into_inner();
    }
    if body.company.is_some() {
        c.company = body.company;
    }
    if let Some(v) = body.custom_fields.map(JsonObject::into_value) {
        c.custom_fields = v;
    }
    if let Some(v) = body.priority {
        c.priority = v;
    }
    if let Some(v) = body.status {
        c.status = v.into_inner();
    }
    check_contact(&mut problems, &mut c);
    fail_if(problems)?;
    if let Some(campaign) = c.campaign_id {
        if let Some(existing) = store::phone_taken(tx, campaign, &c.phone_number, Some(id))? {
            return Err(duplicate_phone(campaign, existing));
        }
    }
    store::update_contact(tx, &c)?;
    w.audit(
        SLUG,
        "contact.update",
        "contact",
        &id.to_string(),
        json!({}),
    )?;
    store::get_contact(tx, id, None)
}

pub fn delete(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    let c = store::get_contact(tx, id, access.owner_scope())?;
    store::delete_contact(tx, id)?;
    w.audit(
        SLUG,
        "contact.delete",
        "contact",
        &id.to_string(),
        json!({"campaign_id": c.campaign_id}),
    )
    .map(drop)
}

/// Imports the valid rows in one transaction and reports the others row by
/// row: invalid fields, and phone numbers already in the campaign or repeated
/// in the file.
pub fn import(w: &WriteCtx<'_>, body: ContactImport) -> ApiResult<ImportResult> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    if body.contacts.len() > MAX_IMPORT_ROWS {
        return Err(ApiError::invalid(
            "contacts",
            format!("At most {MAX_IMPORT_ROWS} contacts per import"),
        ));
    }
    // Phone number -> where it was first seen (0: already in the campaign).
    let mut seen: HashMap<String, usize> = HashMap::new();
    if let Some(campaign) = body.campaign_id {
        open_campaign(tx, &access, campaign)?;
        for phone in store::campaign_phones(tx, campaign)? {
            seen.insert(phone, 0);
        }
    }
    let mut errors = Vec::new();
    let mut failed = 0i64;
    let mut imported = 0i64;
    let created_at = now();
    for (i, row) in body.contacts.into_iter().enumerate() {
        let n = i + 1;
        let mut problems = Vec::new();
        let mut c = blank(body.campaign_id, who.seq);
        c.created_at = created_at.clone();
        c.first_name = row.first_name.unwrap_or_default();
        c.last_name = row.last_name;
        c.email = row.email;
        c.company = row.company;
        match row.phone_number {
            Some(p) => c.phone_number = p,
            None => problems.push(FieldError::new("phone_number", "phone_number is required")),
        }
        if let Some(v) = row.custom_fields.map(JsonObject::into_value) {
            c.custom_fields = v;
        }
        c.priority = row.priority.unwrap_or(5);
        check_contact(&mut problems, &mut c);
        // A missing number was reported once already.
        problems.dedup_by(|a, b| a.field == b.field);
        if problems.is_empty() {
            match seen.get(&c.phone_number) {
                Some(0) => problems.push(FieldError::new(
                    "phone_number",
                    format!("{} is already in this campaign", c.phone_number),
                )),
                Some(first) => problems.push(FieldError::new(
                    "phone_number",
                    format!("{} duplicates row {first}", c.phone_number),
                )),
                None => {}
            }
        }
        if problems.is_empty() {
            seen.insert(c.phone_number.clone(), n);
            store::insert_contact(tx, &c)?;
            imported += 1;
        } else {
            failed += 1;
            errors.extend(problems.into_iter().map(|p| ImportError {
                row: n as i64,
                field: p.field,
                message: p.message,
            }));
        }
    }
    w.record(AuditEntry {
        module: SLUG,
        action: "contact.import",
        entity_type: "campaign",
        entity_id: body.campaign_id.map(|i| i.to_string()).as_deref(),
        details: json!({"imported": imported, "failed": failed}),
    })?;
    Ok(ImportResult {
        imported,
        failed,
        errors,
    })
}

// ---- call lists ----

pub fn create_call_list(w: &WriteCtx<'_>, body: CallListCreate) -> ApiResult<CallList> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    if let Some(c) = body.campaign_id {
        get_campaign(tx, c, access.owner_scope())?;
    }
    let mut problems = Vec::new();
    let name = required_text(&mut problems, "name", &body.name, 200);
    let mut filters = body.filters.unwrap_or_default();
    in_range(
        &mut problems,
        "filters.priority_min",
        filters.priority_min,
        1,
        10,
    );
    in_range(
        &mut problems,
        "filters.priority_max",
        filters.priority_max,
        1,
        10,
    );
    in_range(
        &mut problems,
        "filters.max_attempts",
        filters.max_attempts,
        0,
        1000,
    );
    if let (Some(lo), Some(hi)) = (filters.priority_min, filters.priority_max) {
        if lo > hi {
            problems.push(FieldError::new(
                "filters.priority_max",
                "priority_max must not be below priority_min",
            ));
        }
    }
    one_of(
        &mut problems,
        "filters.status",
        filters.status.as_deref(),
        CONTACT_STATUSES,
    );
    filters.search = optional_text(&mut problems, "filters.search", filters.search, 200);
    let sort_by = body.sort_by.map_or_else(|| "priority".into(), String::from);
    one_of(&mut problems, "sort_by", Some(&sort_by), SORT_COLUMNS);
    let sort_order = body
        .sort_order
        .map_or_else(|| "desc".into(), String::from)
        .to_lowercase();
    one_of(
        &mut problems,
        "sort_order",
        Some(&sort_order),
        &["asc", "desc"],
    );
    fail_if(problems)?;
    let list = CallList {
        id: 0,
        campaign_id: body.campaign_id,
        name,
        filters,
        sort_by,
        sort_order,
        contact_count: 0,
        created_by_id: who.seq,
        created_at: String::new(),
        updated_at: String::new(),
    };
    let id = store::insert_call_list(tx, &list)?;
    w.audit(
        SLUG,
        "call_list.create",
        "call_list",
        &id.to_string(),
        json!({"name": list.name}),
    )?;
    store::get_call_list(tx, id, access.owner_scope())
}

pub fn delete_call_list(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    store::get_call_list(tx, id, access.owner_scope())?;
    store::delete_call_list(tx, id)?;
    w.audit(
        SLUG,
        "call_list.delete",
        "call_list",
        &id.to_string(),
        json!({}),
    )
    .map(drop)
}

/// The contacts a call list resolves to now, in its order.
pub fn call_list_contacts(
    conn: &Connection,
    who: &Principal,
    id: i64,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<Contact>, u64)> {
    let access = Access::of(who);
    let list = store::get_call_list(conn, id, access.owner_scope())?;
    store::list_contacts(conn, &store::list_query(&list, access.owner_scope()), w)
}

/// Contacts visible to the caller, filtered.
pub fn list(
    conn: &Connection,
    who: &Principal,
    mut q: ContactQuery,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<Contact>, u64)> {
    let mut problems = Vec::new();
    one_of(
        &mut problems,
        "status",
        q.status.as_deref(),
        CONTACT_STATUSES,
    );
    fail_if(problems)?;
    if let Some(s) = &q.search {
        frontline_platform::search::check_substring("search", s)?;
    }
    q.scope = Access::of(who).owner_scope();
    store::list_contacts(conn, &q, w)
}

/// One contact the caller may see (404 otherwise).
pub fn get(conn: &Connection, who: &Principal, id: i64) -> ApiResult<Contact> {
    store::get_contact(conn, id, Access::of(who).owner_scope())
}

/// The call lists visible to the caller (of one campaign, when given).
pub fn list_call_lists(
    conn: &Connection,
    who: &Principal,
    campaign_id: Option<i64>,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<CallList>, u64)> {
    store::list_call_lists(conn, Access::of(who).owner_scope(), campaign_id, w)
}

/// One call list the caller may see (404 otherwise).
pub fn get_call_list(conn: &Connection, who: &Principal, id: i64) -> ApiResult<CallList> {
    store::get_call_list(conn, id, Access::of(who).owner_scope())
}
