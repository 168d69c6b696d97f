//! Operations on versions: each runs in the caller's one transaction, with
//! its audit entry written in that same transaction.

use frontline_platform::{ApiError, ApiResult, FieldError};
use rusqlite::Connection;

use super::*;
use crate::store;

/// The figures the list shows for a version under `settings`.
fn list_figures(mode: VersionMode, doc: &VersionDocument, settings: &Settings) -> ListFigures {
    let p = project(mode, doc, settings);
    ListFigures {
        rent_model: doc.rent_plan.rent_model,
        npv_rent: money(p.npv_rent),
        avg_ebitda_margin: percent(p.avg_ebitda_margin),
        avg_rent_load: percent(p.avg_rent_load),
    }
}

/// Computes and stores the list figures of `v` under the current settings
/// (in the transaction that writes `v`).
pub fn store_figures(conn: &Connection, v: &VersionRow) -> ApiResult<()> {
    let (settings, _) = store::settings(conn)?;
    let generation = store::figures_generation(conn)?;
    store::save_figures(
        conn,
        &v.id,
        &list_figures(v.mode, &v.document, &settings),
        generation,
    )
}

/// Recomputes the stored figures of up to `batch` versions written under
/// older settings; returns how many it did (0: all are current).
pub fn refresh_figures(conn: &Connection, batch: u64) -> ApiResult<usize> {
    let generation = store::figures_generation(conn)?;
    let stale = store::stale_figures(conn, generation, batch)?;
    if stale.is_empty() {
        return Ok(0);
    }
    let (settings, _) = store::settings(conn)?;
    for (id, mode, doc) in &stale {
        store::save_figures(conn, id, &list_figures(*mode, doc, &settings), generation)?;
    }
    Ok(stale.len())
}

/// A page of versions with the engine's headline figures, the total, and
/// whether some figures were stale (computed here from the documents, at
/// most one projection per row of the page; the caller has them refreshed).
pub fn list(
    conn: &Connection,
    filter: &VersionFilter,
) -> ApiResult<(Vec<VersionSummary>, u64, bool)> {
    let (rows, total) = store::list(conn, filter)?;
    let generation = store::figures_generation(conn)?;
    let stale: Vec<&str> = rows
        .iter()
        .filter(|r| r.figures.is_none() || r.figures_generation != Some(generation))
        .map(|r| r.id.as_str())
        .collect();
    let mut fresh = std::collections::HashMap::new();
    if !stale.is_empty() {
        let (settings, _) = store::settings(conn)?;
        for (id, (mode, doc)) in store::documents(conn, &stale)? {
            fresh.insert(id, list_figures(mode, &doc, &settings));
        }
    }
    let any_stale = !stale.is_empty();
    let versions = rows
        .into_iter()
        .map(|v| {
            let f = match fresh.remove(&v.id) {
                Some(f) => f,
                None => v.figures.ok_or_else(|| {
                    ApiError::internal(format!("version {} has no figures", v.id))
                })?,
            };
            Ok(VersionSummary {
                rent_model: f.rent_model,
                npv_rent: f.npv_rent,
                avg_ebitda_margin: f.avg_ebitda_margin,
                avg_rent_load: f.avg_rent_load,
                id: v.id,
                name: v.name,
                description: v.description,
                mode: v.mode,
                status: v.status,
                created_by: v.created_by,
                created_by_name: v.created_by_name,
                created_at: v.created_at,
                updated_at: v.updated_at,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((versions, total, any_stale))
}

/// A version with its full model; with `include_calculations` also its projection.
pub fn detail(conn: &Connection, id: &str, include_calculations: bool) -> ApiResult<VersionDetail> {
    let v = store::require(conn, id)?;
    let (settings, _) = store::settings(conn)?;
    let calculations =
        include_calculations.then(|| calculations(&project(v.mode, &v.document, &settings)));
    let rates = effective_rates(&v.document, &settings);
    let d = v.document;
    Ok(VersionDetail {
        id: v.id,
        name: v.name,
        description: v.description,
        mode: v.mode,
        status: v.status,
        created_by: v.created_by,
        created_by_name: v.created_by_name,
        created_at: v.created_at,
        updated_at: v.updated_at,
        based_on_id: v.based_on_id,
        based_on_name: v.based_on_name,
        locked_at: v.locked_at,
        locked_by: v.locked_by,
        lock_reason: v.lock_reason,
        curriculum_plans: d.curriculum_plans,
        rent_plan: d.rent_plan,
        capex_items: d.capex_items,
        opex_sub_accounts: d.opex_sub_accounts,
        staffing: d.staffing,
        admin_settings: EffectiveRates {
            cpi_rate: rates.cpi_rate,
            discount_rate: rates.discount_rate,
            tax_rate: rates.tax_rate,
        },
        calculations,
    })
}

/// 409 when another live version has the name.
fn unique_name(conn: &Connection, name: &str, except: Option<&str>) -> ApiResult<()> {
    if store::name_taken(conn, name, except)? {
        return Err(PlanningError::Conflict
            .with_message("Version name already exists")
            .with_extra("field", "name")
            .with_extra("value", name));
    }
    Ok(())
}

/// 403 for edits of a LOCKED version.
fn locked(id: &str) -> ApiError {
    PlanningError::Forbidden
        .with_message("Version is LOCKED and cannot be edited")
        .with_extra("versionId", id)
}

/// A new DRAFT version made by `w`'s caller at `now`. 409 when the name is taken.
pub fn create(w: &WriteCtx<'_>, input: VersionCreate, now: &str) -> ApiResult<VersionRow> {
    let based_on = input.based_on_id.clone();
    let valid = validate(&input.into())?;
    if let Some(b) = &based_on {
        if store::get(w.tx(), b)?.is_none() {
            return Err(PlanningError::fields(vec![FieldError::new(
                "basedOnId",
                "Unknown version",
            )]));
        }
    }
    unique_name(w.tx(), &valid.name, None)?;
    let row = VersionRow {
        id: uuid::Uuid::new_v4().to_string(),
        name: valid.name,
        description: valid.description,
        mode: valid.mode,
        status: VersionStatus::Draft,
        created_by: actor(w)?.id.clone(),
        created_by_name: actor(w)?.name.clone(),
        created_at: now.to_string(),
        updated_at: now.to_string(),
        based_on_id: based_on,
        based_on_name: None,
        locked_at: None,
        locked_by: None,
        lock_reason: None,
        document: valid.document,
    };
    store::insert(w.tx(), &row)?;
    store_figures(w.tx(), &row)?;
    w.audit(
        crate::SLUG,
        "CREATE_VERSION",
        "VERSION",
        &row.id,
        serde_json::json!({ "versionName": row.name }),
    )?;
    Ok(row)
}

/// Applies a partial update: DRAFT and READY versions change, an APPROVED one
/// only its status (409 otherwise), a LOCKED one never (403).
pub fn update(
    w: &WriteCtx<'_>,
    id: &str,
    update: VersionUpdate,
    now: &str,
) -> ApiResult<VersionRow> {
    let mut v = store::require(w.tx(), id)?;
    if v.status == VersionStatus::Locked {
        return Err(locked(&v.id));
    }
    let status_only = update.name.is_none()
        && update.description.is_none()
        && update.mode.is_none()
        && update.curriculum_plans.is_none()
        && update.rent_plan.is_none()
        && update.capex_items.is_none()
        && update.opex_sub_accounts.is_none()
        && update.staffing.is_none()
        && update.admin_settings.is_none();
    if v.status == VersionStatus::Approved && !status_only {
        return Err(PlanningError::Conflict
            .with_message("Only DRAFT or READY versions can be edited; set status to DRAFT first")
            .with_extra("status", v.status.as_str()));
    }
    let new_status = update.status.map(VersionStatus::from);
    let mut draft = draft_of(&v.name, v.description.as_deref(), v.mode, &v.document);
    let unknown = merge(&mut draft, update);
    if !unknown.is_empty() {
        return Err(PlanningError::fields(unknown));
    }
    let valid = validate(&draft)?;
    unique_name(w.tx(), &valid.name, Some(&v.id))?;
    let changes = changed_parts(&v, &valid, new_status);
    v.name = valid.name;
    v.description = valid.description;
    v.mode = valid.mode;
    v.document = valid.document;
    if let Some(s) = new_status {
        v.status = s;
    }
    v.updated_at = now.to_string();
    store::update(w.tx(), &v)?;
    store_figures(w.tx(), &v)?;
    w.audit(
        crate::SLUG,
        "UPDATE_VERSION",
        "VERSION",
        &v.id,
        serde_json::json!({ "versionName": v.name, "status": v.status, "changes": changes }),
    )?;
    Ok(v)
}

/// Soft-deletes a version (its audit trail stays); 409 for a LOCKED one.
pub fn delete(w: &WriteCtx<'_>, id: &str, now: &str) -> ApiResult<String> {
    let v = store::require(w.tx(), id)?;
    if v.status == VersionStatus::Locked {
        return Err(PlanningError::Conflict
            .with_message("Cannot delete a LOCKED version")
            .with_extra("versionId", &v.id));
    }
    store::soft_delete(w.tx(), &v.id, now)?;
    w.audit(
        crate::SLUG,
        "DELETE_VERSION",
        "VERSION",
        &v.id,
        serde_json::json!({ "versionName": v.name }),
    )?;
    Ok(v.id)
}

/// A DRAFT copy of version `id`, its nested items with ids of their own;
/// 400 when the name exists (as the document says for this operation).
/// The default name of a copy of `name`: "<name> (copy)", else
/// "<name> (copy 2)", "(copy 3)", … whichever no live version has, so a
/// copy without a name never collides with an earlier copy.
fn free_copy_name(conn: &rusqlite::Connection, name: &str) -> ApiResult<String> {
    let first = format!("{name} (copy)");
    if !store::name_taken(conn, &first, None)? {
        return Ok(first);
    }
    for i in 2..1000 {
        let n = format!("{name} (copy {i})");
        if !store::name_taken(conn, &n, None)? {
            return Ok(n);
        }
    }
    Ok(first)
}

pub fn duplicate(
    w: &WriteCtx<'_>,
    id: &str,
    req: DuplicateRequest,
    now: &str,
) -> ApiResult<VersionRow> {
    let src = store::require(w.tx(), id)?;
    let name = match req.name.clone() {
        Some(n) => n,
        None => free_copy_name(w.tx(), &src.name)?,
    };
    let mut draft = draft_of(
        &name,
        req.description.as_deref().or(src.description.as_deref()),
        src.mode,
        &src.document,
    );
    for p in draft.curriculum_plans.iter_mut().flatten() {
        p.id = None;
    }
    if let Some(r) = draft.rent_plan.as_mut() {
        r.id = None;
    }
    draft.capex_items.iter_mut().for_each(|c| c.id = None);
    draft.opex_sub_accounts.iter_mut().for_each(|o| o.id = None);
    let valid = validate(&draft)?;
    if store::name_taken(w.tx(), &valid.name, None)? {
        return Err(PlanningError::fields(vec![FieldError::new(
            "name",
            "Version name already exists",
        )]));
    }
    let row = VersionRow {
        id: uuid::Uuid::new_v4().to_string(),
        name: valid.name,
        description: valid.description,
        mode: valid.mode,
        status: VersionStatus::Draft,
        created_by: actor(w)?.id.clone(),
        created_by_name: actor(w)?.name.clone(),
        created_at: now.to_string(),
        updated_at: now.to_string(),
        based_on_id: Some(src.id.clone()),
        based_on_name: Some(src.name.clone()),
        locked_at: None,
        locked_by: None,
        lock_reason: None,
        document: valid.document,
    };
    store::insert(w.tx(), &row)?;
    store_figures(w.tx(), &row)?;
    w.audit(
        crate::SLUG,
        "DUPLICATE_VERSION",
        "VERSION",
        &row.id,
        serde_json::json!({ "versionName": row.name, "basedOnId": src.id }),
    )?;
    Ok(row)
}

/// Locks a version for good: the rates in force are frozen into it so its
/// figures no longer move with the global settings. 409 when locked already.
pub fn lock(
    w: &WriteCtx<'_>,
    id: &str,
    reason: Option<String>,
    now: &str,
) -> ApiResult<VersionRow> {
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let mut v = store::require(w.tx(), id)?;
    if v.status == VersionStatus::Locked {
        return Err(PlanningError::Conflict
            .with_message("Version is already locked")
            .with_extra("versionId", &v.id));
    }
    let rates = effective_rates(&v.document, &store::settings(w.tx())?.0);
    v.document.admin_settings = VersionRates {
        cpi_rate: Some(rates.cpi_rate),
        discount_rate: Some(rates.discount_rate),
        tax_rate: Some(rates.tax_rate),
    };
    v.status = VersionStatus::Locked;
    v.locked_at = Some(now.to_string());
    v.locked_by = Some(actor(w)?.email.clone());
    v.lock_reason = reason;
    v.updated_at = now.to_string();
    store::update(w.tx(), &v)?;
    store_figures(w.tx(), &v)?;
    w.audit(
        crate::SLUG,
        "LOCK_VERSION",
        "VERSION",
        &v.id,
        serde_json::json!({ "versionName": v.name, "reason": v.lock_reason }),
    )?;
    Ok(v)
}

/// All versions of `ids` in that order; 404 naming the unknown ones.
pub fn load_all(conn: &Connection, ids: &[String]) -> ApiResult<Vec<VersionRow>> {
    let mut rows = vec![];
    let mut missing = vec![];
    for id in ids {
        match store::get(conn, id)? {
            Some(v) => rows.push(v),
            None => missing.push(id.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(PlanningError::NotFound
            .with_message("One or more versions not found")
            .with_extra("versionIds", missing));
    }
    Ok(rows)
}

/// The versions of `req` side by side, the best per metric and the
/// differences to the first.
pub fn compare(conn: &Connection, req: CompareRequest) -> ApiResult<Comparison> {
    let metrics = compare_metrics(req.metrics);
    let rows = load_all(conn, &req.version_ids)?;
    let (settings, _) = store::settings(conn)?;
    let comparison: Vec<CompareItem> = rows
        .iter()
        .map(|v| {
            let p = project(v.mode, &v.document, &settings);
            compare_item(&v.id, &v.name, v.document.rent_plan.rent_model, &p)
        })
        .collect();
    Ok(Comparison {
        best: best(&comparison, &metrics),
        differences: differences(&comparison),
        comparison,
    })
}
