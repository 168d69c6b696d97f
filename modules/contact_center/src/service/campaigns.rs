//! Campaign rules: validation, the status machine, cloning, templates and stats.

use chrono::Utc;
use frontline_platform::auth::Principal;
use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;
use serde_json::{json, Value};

use frontline_platform::write::WriteCtx;

use super::caller;
use crate::common::*;
use crate::model::*;
use crate::store::campaigns as store;
use crate::SLUG;

pub const CAMPAIGN_TYPES: &[&str] = &["outbound", "inbound", "blended"];
pub const PROVIDER_TYPES: &[&str] = &[
    "openai",
    "anthropic",
    "google",
    "azure",
    "aws",
    "elevenlabs",
    "deepgram",
    "custom",
];
pub const CAMPAIGN_STATUSES: &[&str] = &["draft", "active", "paused", "completed", "archived"];

impl CampaignFields {
    /// Validates and normalises (trimmed texts, canonical dates).
    fn checked(mut self, problems: &mut Vec<FieldError>) -> Self {
        self.name = required_text(problems, "name", &self.name, 200);
        self.description = optional_text(problems, "description", self.description, 2000);
        self.provider_model = optional_text(problems, "provider_model", self.provider_model, 100);
        self.system_prompt = optional_text(problems, "system_prompt", self.system_prompt, 20000);
        one_of(
            problems,
            "campaign_type",
            Some(&self.campaign_type),
            CAMPAIGN_TYPES,
        );
        one_of(
            problems,
            "provider_type",
            Some(&self.provider_type),
            PROVIDER_TYPES,
        );
        if !self.provider_config.is_object() {
            problems.push(FieldError::new(
                "provider_config",
                "provider_config must be an object",
            ));
        }
        in_range(
            problems,
            "max_daily_calls",
            self.max_daily_calls,
            1,
            100_000,
        );
        in_range(problems, "max_retries", Some(self.max_retries), 0, 10);
        let mut dates = [None, None];
        for (i, (field, value)) in [
            ("start_date", &mut self.start_date),
            ("end_date", &mut self.end_date),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(raw) = value.clone() {
                match parse_ts(field, &raw) {
                    Ok(t) => {
                        *value = Some(ts(t));
                        dates[i] = Some(t);
                    }
                    Err(e) => problems.push(e),
                }
            }
        }
        if let [Some(start), Some(end)] = dates {
            if start >= end {
                problems.push(FieldError::new(
                    "end_date",
                    "end_date must be after start_date",
                ));
            }
        }
        self
    }
}

/// Creates a campaign (status `draft`), optionally from a template.
pub fn create(w: &WriteCtx<'_>, body: CampaignCreate) -> ApiResult<Campaign> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    let mut problems = Vec::new();
    if let Some(status) = body.status.as_deref() {
        if status != "draft" {
            problems.push(FieldError::new(
                "status",
                "New campaigns start as draft; start them with POST /api/v1/campaigns/{campaign_id}/start",
            ));
        }
    }
    let template = match body.template_id {
        Some(id) => Some(
            store::get_template(tx, id, Some(&access))?
                .ok_or_else(|| not_found("Campaign template", id))?,
        ),
        None => None,
    };
    let provider_config = match body.provider_config {
        Some(JsonObject(given)) => {
            // Given keys override the template's defaults.
            let mut merged = template
                .as_ref()
                .and_then(|t| t.default_config.as_object().cloned())
                .unwrap_or_default();
            merged.extend(given);
            Value::Object(merged)
        }
        _ => template
            .as_ref()
            .map(|t| t.default_config.clone())
            .unwrap_or_else(|| json!({})),
    };
    let fields = CampaignFields {
        name: body.name.into(),
        description: body
            .description
            .or_else(|| template.as_ref().and_then(|t| t.description.clone())),
        campaign_type: body
            .campaign_type
            .map(String::from)
            .or_else(|| template.as_ref().map(|t| t.campaign_type.clone()))
            .unwrap_or_else(|| "outbound".into()),
        provider_type: body
            .provider_type
            .map(String::from)
            .or_else(|| template.as_ref().map(|t| t.provider_type.clone()))
            .unwrap_or_else(|| "openai".into()),
        provider_model: body
            .provider_model
            .or_else(|| template.as_ref().and_then(|t| t.provider_model.clone())),
        provider_config,
        system_prompt: body
            .system_prompt
            .or_else(|| template.as_ref().and_then(|t| t.system_prompt.clone())),
        start_date: body.start_date.map(|d| d.0),
        end_date: body.end_date.map(|d| d.0),
        max_daily_calls: body.max_daily_calls,
        retry_failed: body.retry_failed.unwrap_or(false),
        max_retries: body.max_retries.unwrap_or(0),
    }
    .checked(&mut problems);
    fail_if(problems)?;
    let id = store::insert_campaign(tx, &fields, who.seq, body.template_id, None)?;
    w.audit(
        SLUG,
        "campaign.create",
        "campaign",
        &id.to_string(),
        json!({"name": fields.name, "template_id": body.template_id}),
    )?;
    store::get_campaign(tx, id, None)
}

/// Applies `body`; a `status` change follows the status machine.
pub fn update(w: &WriteCtx<'_>, id: i64, body: CampaignUpdate) -> ApiResult<Campaign> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    let current = store::get_campaign(tx, id, access.owner_scope())?;
    let config_change = body.name.is_some()
        || body.description.is_some()
        || body.campaign_type.is_some()
        || body.provider_type.is_some()
        || body.provider_model.is_some()
        || body.provider_config.is_some()
        || body.system_prompt.is_some()
        || body.start_date.is_some()
        || body.end_date.is_some()
        || body.max_daily_calls.is_some()
        || body.retry_failed.is_some()
        || body.max_retries.is_some();
    if config_change && matches!(current.status.as_str(), "completed" | "archived") {
        return Err(CcError::CampaignClosed.with_message(format!(
            "Campaign {id} is {}; it can no longer be changed",
            current.status
        )));
    }
    let mut problems = Vec::new();
    one_of(
        &mut problems,
        "status",
        body.status.as_deref(),
        CAMPAIGN_STATUSES,
    );
    let mut f = CampaignFields::of(&current);
    if let Some(v) = body.name {
        f.name = v.into();
    }
    if body.description.is_some() {
        f.description = body.description;
    }
    if let Some(v) = body.campaign_type {
        f.campaign_type = v.into();
    }
    if let Some(v) = body.provider_type {
        f.provider_type = v.into();
    }
    if body.provider_model.is_some() {
        f.provider_model = body.provider_model;
    }
    if let Some(v) = body.provider_config {
        f.provider_config = v.into_value();
    }
    if body.system_prompt.is_some() {
        f.system_prompt = body.system_prompt;
    }
    if let Some(v) = body.start_date {
        f.start_date = Some(v.0);
    }
    if let Some(v) = body.end_date {
        f.end_date = Some(v.0);
    }
    if body.max_daily_calls.is_some() {
        f.max_daily_calls = body.max_daily_calls;
    }
    if let Some(v) = body.retry_failed {
        f.retry_failed = v;
    }
    if let Some(v) = body.max_retries {
        f.max_retries = v;
    }
    let f = f.checked(&mut problems);
    fail_if(problems)?;
    store::update_campaign(tx, id, &f)?;
    w.audit(
        SLUG,
        "campaign.update",
        "campaign",
        &id.to_string(),
        json!({"name": f.name}),
    )?;
    if let Some(to) = body.status.filter(|s| s.as_str() != current.status) {
        return transition(w, id, &to);
    }
    store::get_campaign(tx, id, None)
}

/// Which moves the status machine allows.
pub fn allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("draft", "active")
            | ("draft", "archived")
            | ("active", "paused")
            | ("active", "completed")
            | ("paused", "active")
            | ("paused", "completed")
            | ("paused", "archived")
            | ("completed", "archived")
    )
}

/// Moves campaign `id` to status `to`, checking the machine and the start rules:
/// a campaign starts only with at least one contact and before its end date.
pub fn transition(w: &WriteCtx<'_>, id: i64, to: &str) -> ApiResult<Campaign> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    let c = store::get_campaign(tx, id, access.owner_scope())?;
    if c.status == to {
        return Err(
            CcError::InvalidStatusTransition.with_message(format!("Campaign {id} is already {to}"))
        );
    }
    if !allowed(&c.status, to) {
        return Err(CcError::InvalidStatusTransition
            .with_message(format!("A {} campaign cannot become {to}", c.status))
            .with_extra("current_status", &c.status));
    }
    if to == "active" {
        if c.total_contacts == 0 {
            return Err(CcError::CampaignHasNoContacts
                .with_message("Add contacts before starting the campaign"));
        }
        if let Some(end) = c.end_date.as_deref() {
            if epoch(end) <= Utc::now().timestamp() {
                return Err(CcError::CampaignEnded
                    .with_message(format!(
                        "The campaign ended on {end}; change end_date to start it"
                    ))
                    .with_detail("end_date", "in the past"));
            }
        }
    }
    store::set_status(tx, id, to)?;
    w.audit(
        SLUG,
        &format!("campaign.{to}"),
        "campaign",
        &id.to_string(),
        json!({"from": c.status, "to": to}),
    )?;
    let event = match to {
        "active" if c.status == "paused" => "campaign.resumed",
        "active" => "campaign.started",
        "paused" => "campaign.paused",
        "completed" => "campaign.completed",
        _ => "campaign.archived",
    };
    w.emit(
        SLUG,
        event,
        &json!({"campaign_id": id, "name": c.name, "from": c.status, "to": to}),
        &super::owners_audience(tx, &[c.created_by_id])?,
    )?;
    store::get_campaign(tx, id, None)
}

/// Deletes an empty campaign (no contacts or call lists left; calls keep their figures).
pub fn delete(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    let c = store::get_campaign(tx, id, access.owner_scope())?;
    if c.status == "active" {
        return Err(CcError::CampaignActive
            .with_message("Pause or complete the campaign before deleting it"));
    }
    // Contacts and call lists are records in their own right (with their own
    // ids and DELETE operations); deleting the campaign never takes them along.
    let (contacts, lists) = store::dependents(tx, id)?;
    if contacts + lists > 0 {
        return Err(CcError::CampaignNotEmpty.with_message(format!(
            "Campaign {id} still has {contacts} contact(s) and {lists} call list(s); \
                 delete them first, or archive the campaign"
        )));
    }
    store::delete_campaign(tx, id)?;
    w.audit(
        SLUG,
        "campaign.delete",
        "campaign",
        &id.to_string(),
        json!({"name": c.name}),
    )
    .map(drop)
}

/// Copies a campaign's configuration (not its contacts, calls or dates of activity)
/// into a new draft.
pub fn clone(w: &WriteCtx<'_>, id: i64, body: CampaignClone) -> ApiResult<Campaign> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    let c = store::get_campaign(tx, id, access.owner_scope())?;
    let mut problems = Vec::new();
    let mut f = CampaignFields::of(&c);
    f.name = body.name.map(String::from).unwrap_or_else(|| {
        let mut n = format!("{} (Copy)", c.name);
        if n.chars().count() > 200 {
            n = n.chars().take(200).collect();
        }
        n
    });
    let f = f.checked(&mut problems);
    fail_if(problems)?;
    let new_id = store::insert_campaign(tx, &f, who.seq, c.template_id, Some(id))?;
    w.audit(
        SLUG,
        "campaign.clone",
        "campaign",
        &new_id.to_string(),
        json!({"source_id": id}),
    )?;
    store::get_campaign(tx, new_id, None)
}

pub fn stats(conn: &Connection, who: &Principal, id: i64) -> ApiResult<CampaignStats> {
    let access = Access::of(who);
    store::get_campaign(conn, id, access.owner_scope())?;
    store::stats(conn, id)
}

// ---- templates ----

fn check_template(problems: &mut Vec<FieldError>, t: &mut CampaignTemplate) {
    t.name = required_text(problems, "name", &t.name, 200);
    t.description = optional_text(problems, "description", t.description.take(), 2000);
    t.provider_model = optional_text(problems, "provider_model", t.provider_model.take(), 100);
    t.system_prompt = optional_text(problems, "system_prompt", t.system_prompt.take(), 20000);
    one_of(
        problems,
        "campaign_type",
        Some(&t.campaign_type),
        CAMPAIGN_TYPES,
    );
    one_of(
        problems,
        "provider_type",
        Some(&t.provider_type),
        PROVIDER_TYPES,
    );
    if !t.default_config.is_object() {
        problems.push(FieldError::new(
            "default_config",
            "default_config must be an object",
        ));
    }
}

fn require_publish(access: &Access, is_public: bool) -> ApiResult<()> {
    if is_public && !access.supervisor {
        return Err(forbidden(
            "Only supervisors and admins can publish public templates",
        ));
    }
    Ok(())
}

pub fn create_template(w: &WriteCtx<'_>, body: TemplateCreate) -> ApiResult<CampaignTemplate> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    let mut problems = Vec::new();
    let default_config = body
        .default_config
        .map(JsonObject::into_value)
        .unwrap_or_else(|| json!({}));
    let mut t = CampaignTemplate {
        id: 0,
        name: body.name.into(),
        description: body.description,
        campaign_type: body
            .campaign_type
            .map_or_else(|| "outbound".into(), String::from),
        provider_type: body
            .provider_type
            .map_or_else(|| "openai".into(), String::from),
        provider_model: body.provider_model,
        system_prompt: body.system_prompt,
        default_config,
        is_public: body.is_public.unwrap_or(false),
        is_system: false,
        created_by_id: Some(who.seq),
        created_at: String::new(),
        updated_at: String::new(),
    };
    check_template(&mut problems, &mut t);
    fail_if(problems)?;
    require_publish(&access, t.is_public)?;
    let id = store::insert_template(tx, &t)?;
    w.audit(
        SLUG,
        "campaign_template.create",
        "campaign_template",
        &id.to_string(),
        json!({}),
    )?;
    store::get_template(tx, id, None)?.ok_or_else(|| ApiError::internal("template vanished"))
}

/// The template if the caller may change it (their own, or any non-system one for admins).
fn writable_template(conn: &Connection, access: &Access, id: i64) -> ApiResult<CampaignTemplate> {
    let t = store::get_template(conn, id, Some(access))?
        .ok_or_else(|| not_found("Campaign template", id))?;
    if t.is_system {
        return Err(forbidden(
            "System templates are read-only; clone them into a campaign instead",
        ));
    }
    if t.created_by_id != Some(access.seq) && !access.admin {
        return Err(forbidden(
            "Only the template's author or an admin can change it",
        ));
    }
    Ok(t)
}

pub fn update_template(
    w: &WriteCtx<'_>,
    id: i64,
    body: TemplateUpdate,
) -> ApiResult<CampaignTemplate> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    let mut t = writable_template(tx, &access, id)?;
    let mut problems = Vec::new();
    if let Some(v) = body.name {
        t.name = v.into();
    }
    if body.description.is_some() {
        t.description = body.description;
    }
    if let Some(v) = body.campaign_type {
        t.campaign_type = v.into();
    }
    if let Some(v) = body.provider_type {
        t.provider_type = v.into();
    }
    if body.provider_model.is_some() {
        t.provider_model = body.provider_model;
    }
    if body.system_prompt.is_some() {
        t.system_prompt = body.system_prompt;
    }
    if let Some(v) = body.default_config {
        t.default_config = v.into_value();
    }
    if let Some(v) = body.is_public {
        t.is_public = v;
    }
    check_template(&mut problems, &mut t);
    fail_if(problems)?;
    require_publish(&access, t.is_public && body.is_public == Some(true))?;
    store::update_template(tx, &t)?;
    w.audit(
        SLUG,
        "campaign_template.update",
        "campaign_template",
        &id.to_string(),
        json!({}),
    )?;
    store::get_template(tx, id, None)?.ok_or_else(|| ApiError::internal("template vanished"))
}

pub fn delete_template(w: &WriteCtx<'_>, id: i64) -> ApiResult<()> {
    let (tx, who) = (w.tx(), caller(w)?);
    let access = Access::of(who);
    access.require_campaign_writer()?;
    writable_template(tx, &access, id)?;
    store::delete_template(tx, id)?;
    w.audit(
        SLUG,
        "campaign_template.delete",
        "campaign_template",
        &id.to_string(),
        json!({}),
    )
    .map(drop)
}

// ---- reads (the caller sees what `Access` scopes them to)

/// The campaigns visible to the caller, filtered.
pub fn list(
    conn: &Connection,
    who: &Principal,
    status: Option<&str>,
    search: Option<&str>,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<Campaign>, u64)> {
    store::list_campaigns(conn, Access::of(who).owner_scope(), status, search, w)
}

/// One campaign the caller may see (404 otherwise).
pub fn get(conn: &Connection, who: &Principal, id: i64) -> ApiResult<Campaign> {
    store::get_campaign(conn, id, Access::of(who).owner_scope())
}

/// The templates visible to the caller, filtered.
pub fn list_templates(
    conn: &Connection,
    who: &Principal,
    is_public: Option<bool>,
    campaign_type: Option<&str>,
    w: frontline_platform::page::Window,
) -> ApiResult<(Vec<CampaignTemplate>, u64)> {
    store::list_templates(conn, &Access::of(who), is_public, campaign_type, w)
}

/// One template the caller may see (404 otherwise).
pub fn get_template(conn: &Connection, who: &Principal, id: i64) -> ApiResult<CampaignTemplate> {
    store::get_template(conn, id, Some(&Access::of(who)))?
        .ok_or_else(|| not_found("Campaign template", id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_machine() {
        assert!(allowed("draft", "active"));
        assert!(allowed("active", "paused"));
        assert!(allowed("paused", "active"));
        assert!(allowed("completed", "archived"));
        assert!(!allowed("draft", "paused"));
        assert!(!allowed("archived", "active"));
        assert!(!allowed("completed", "active"));
        assert!(!allowed("active", "draft"));
    }
}
