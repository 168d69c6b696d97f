//! Campaigns and campaign templates.

use frontline_platform::db_paging::{ListSql, PageCache};
use frontline_platform::page::Window;
use frontline_platform::ApiResult;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde_json::{json, Map, Value};

use super::{int, like, text, Filter};
use crate::common::{json_col, not_found, now, Access};
use crate::model::*;

const SUCCESS: &str = "('success','converted')";

fn campaign_select() -> String {
    select_with(&format!(
        "(SELECT COUNT(*) FROM cc_contacts k WHERE k.campaign_id = c.id),
                (SELECT COUNT(*) FROM cc_calls k WHERE k.campaign_id = c.id AND k.status = 'completed'),
                (SELECT COUNT(*) FROM cc_calls k WHERE k.campaign_id = c.id AND k.status = 'completed'
                    AND k.outcome IN {SUCCESS}),"
    ))
}

/// The campaign columns with `counts` (three columns and a comma) in the
/// place of the contact, completed and successful counts.
fn select_with(counts: &str) -> String {
    format!(
        "SELECT c.id, c.name, c.description, c.status, c.campaign_type, c.provider_type,
                c.provider_model, c.provider_config, c.system_prompt, c.start_date, c.end_date,
                c.max_daily_calls, c.retry_failed, c.max_retries, c.template_id, c.cloned_from_id,
                {counts}
                c.created_by_id, c.started_at, c.completed_at, c.created_at, c.updated_at
         FROM cc_campaigns c"
    )
}

fn campaign_row(r: &Row<'_>) -> rusqlite::Result<Campaign> {
    let completed: i64 = r.get(17)?;
    let successful: i64 = r.get(18)?;
    Ok(Campaign {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        status: r.get(3)?,
        campaign_type: r.get(4)?,
        provider_type: r.get(5)?,
        provider_model: r.get(6)?,
        provider_config: json_col(&r.get::<_, String>(7)?),
        system_prompt: r.get(8)?,
        start_date: r.get(9)?,
        end_date: r.get(10)?,
        max_daily_calls: r.get(11)?,
        retry_failed: r.get(12)?,
        max_retries: r.get(13)?,
        template_id: r.get(14)?,
        cloned_from_id: r.get(15)?,
        total_contacts: r.get(16)?,
        completed_calls: completed,
        success_rate: ratio(successful, completed),
        created_by_id: r.get(19)?,
        started_at: r.get(20)?,
        completed_at: r.get(21)?,
        created_at: r.get(22)?,
        updated_at: r.get(23)?,
    })
}

/// `num / den` rounded to 4 places; 0 when `den` is 0.
pub fn ratio(num: i64, den: i64) -> f64 {
    if den == 0 {
        0.0
    } else {
        round(num as f64 / den as f64, 4)
    }
}

pub fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

/// Campaign `id` if visible in `scope` (a plain user's id), else 404.
pub fn get_campaign(conn: &Connection, id: i64, scope: Option<i64>) -> ApiResult<Campaign> {
    conn.query_row(
        &format!(
            "{} WHERE c.id = ?1 AND (?2 IS NULL OR c.created_by_id = ?2)",
            campaign_select()
        ),
        params![id, scope],
        campaign_row,
    )
    .optional()?
    .ok_or_else(|| not_found("Campaign", id))
}

pub fn list_campaigns(
    conn: &Connection,
    scope: Option<i64>,
    status: Option<&str>,
    search: Option<&str>,
    w: Window,
) -> ApiResult<(Vec<Campaign>, u64)> {
    let mut f = Filter::new();
    if let Some(s) = scope {
        f.and("c.created_by_id = ?", vec![int(s)]);
    }
    if let Some(s) = status {
        f.and("c.status = ?", vec![text(s)]);
    }
    if let Some(q) = search {
        f.and("c.name LIKE ? ESCAPE '\\'", vec![like(q)]);
    }
    // Total and keyset anchors cached until campaigns change; the page's
    // contact and call counts cached until contacts or calls change.
    static PAGES: std::sync::LazyLock<PageCache> = std::sync::LazyLock::new(PageCache::new);
    static SELECT: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| select_with("0, 0, 0,"));
    let list = ListSql {
        tables: &["cc_campaigns"],
        select: &SELECT,
        from: "cc_campaigns c",
        filter: f.clause(),
        args: f.args,
        order: vec![("c.id".into(), true)],
    };
    let (mut rows, total) = PAGES.page(conn, &list, w.limit, w.offset, campaign_row)?;
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let counts = campaign_counts(conn, &ids)?;
    for (c, (contacts, completed, successful)) in rows.iter_mut().zip(counts) {
        c.total_contacts = contacts;
        c.completed_calls = completed;
        c.success_rate = ratio(successful, completed);
    }
    Ok((rows, total))
}

/// Contacts, completed calls and successful calls of each campaign of `ids`
/// (in that order), cached per (database, campaign) until contacts or calls
/// change (a big campaign's counts read many index entries). The campaigns
/// not cached are counted by one statement, whatever their number.
fn campaign_counts(conn: &Connection, ids: &[i64]) -> ApiResult<Vec<(i64, i64, i64)>> {
    type Counts = std::collections::HashMap<(String, i64), (u64, (i64, i64, i64))>;
    static COUNTS: std::sync::LazyLock<std::sync::Mutex<Counts>> =
        std::sync::LazyLock::new(Default::default);
    let generation = frontline_platform::db_paging::generation(&["cc_contacts", "cc_calls"]);
    let path = conn.path().unwrap_or("").to_string();
    let mut found: Vec<Option<(i64, i64, i64)>> = {
        let map = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
        ids.iter()
            .map(|id| {
                map.get(&(path.clone(), *id))
                    .filter(|(g, _)| *g == generation)
                    .map(|(_, counts)| *counts)
            })
            .collect()
    };
    let missing: Vec<i64> = ids
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(id, _)| *id)
        .collect();
    if missing.is_empty() {
        return Ok(found.into_iter().flatten().collect());
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.id,
                (SELECT COUNT(*) FROM cc_contacts k WHERE k.campaign_id = c.id),
                (SELECT COUNT(*) FROM cc_calls k WHERE k.campaign_id = c.id AND k.status = 'completed'),
                (SELECT COUNT(*) FROM cc_calls k WHERE k.campaign_id = c.id AND k.status = 'completed'
                    AND k.outcome IN {SUCCESS})
         FROM cc_campaigns c WHERE c.id IN (SELECT value FROM json_each(?1))"
    ))?;
    let ids_json = serde_json::to_string(&missing)?;
    let counted = stmt
        .query_map([ids_json], |r| {
            Ok((r.get::<_, i64>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })?
        .collect::<Result<std::collections::HashMap<i64, (i64, i64, i64)>, _>>()?;
    let mut map = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() + counted.len() >= 4096 {
        map.clear();
    }
    for (id, f) in ids.iter().zip(found.iter_mut()) {
        if f.is_none() {
            let counts = counted.get(id).copied().unwrap_or_default();
            map.insert((path.clone(), *id), (generation, counts));
            *f = Some(counts);
        }
    }
    Ok(found.into_iter().flatten().collect())
}

pub fn insert_campaign(
    tx: &Connection,
    f: &CampaignFields,
    created_by: i64,
    template_id: Option<i64>,
    cloned_from: Option<i64>,
) -> ApiResult<i64> {
    let now = now();
    tx.execute(
        "INSERT INTO cc_campaigns (name, description, status, campaign_type, provider_type,
            provider_model, provider_config, system_prompt, start_date, end_date, max_daily_calls,
            retry_failed, max_retries, template_id, cloned_from_id, created_by_id, created_at, updated_at)
         VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
        params![
            f.name,
            f.description,
            f.campaign_type,
            f.provider_type,
            f.provider_model,
            f.provider_config.to_string(),
            f.system_prompt,
            f.start_date,
            f.end_date,
            f.max_daily_calls,
            f.retry_failed,
            f.max_retries,
            template_id,
            cloned_from,
            created_by,
            now
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn update_campaign(tx: &Connection, id: i64, f: &CampaignFields) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_campaigns SET name = ?2, description = ?3, campaign_type = ?4, provider_type = ?5,
            provider_model = ?6, provider_config = ?7, system_prompt = ?8, start_date = ?9,
            end_date = ?10, max_daily_calls = ?11, retry_failed = ?12, max_retries = ?13,
            updated_at = ?14
         WHERE id = ?1",
        params![
            id,
            f.name,
            f.description,
            f.campaign_type,
            f.provider_type,
            f.provider_model,
            f.provider_config.to_string(),
            f.system_prompt,
            f.start_date,
            f.end_date,
            f.max_daily_calls,
            f.retry_failed,
            f.max_retries,
            now()
        ],
    )?;
    Ok(())
}

pub fn set_status(tx: &Connection, id: i64, status: &str) -> ApiResult<()> {
    let now = now();
    tx.execute(
        "UPDATE cc_campaigns SET status = ?2, updated_at = ?3,
            started_at = CASE WHEN ?2 = 'active' AND started_at IS NULL THEN ?3 ELSE started_at END,
            completed_at = CASE WHEN ?2 = 'completed' THEN ?3 ELSE completed_at END
         WHERE id = ?1",
        params![id, status, now],
    )?;
    Ok(())
}

/// How many contacts and call lists belong to campaign `id`.
pub fn dependents(conn: &Connection, id: i64) -> ApiResult<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT (SELECT COUNT(*) FROM cc_contacts WHERE campaign_id = ?1),
                (SELECT COUNT(*) FROM cc_call_lists WHERE campaign_id = ?1)",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Who created campaign `id` (`None` when there is no such campaign).
pub fn owner_of(conn: &Connection, id: i64) -> ApiResult<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT created_by_id FROM cc_campaigns WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn delete_campaign(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute("DELETE FROM cc_campaigns WHERE id = ?1", [id])?;
    Ok(())
}

pub fn stats(conn: &Connection, id: i64) -> ApiResult<CampaignStats> {
    let total_contacts: i64 = conn.query_row(
        "SELECT COUNT(*) FROM cc_contacts WHERE campaign_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let (completed, successful, converted, total_time, avg, cost): (i64, i64, i64, i64, f64, f64) =
        conn.query_row(
            &format!(
                "SELECT COUNT(*),
                    COALESCE(SUM(outcome IN {SUCCESS}), 0),
                    COALESCE(SUM(outcome = 'converted'), 0),
                    COALESCE(SUM(duration), 0),
                    COALESCE(AVG(duration), 0.0),
                    COALESCE(SUM(cost), 0.0)
                 FROM cc_calls WHERE campaign_id = ?1 AND status = 'completed'"
            ),
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )?;
    let mut by_status: Map<String, Value> = ["pending", "called", "completed", "failed"]
        .iter()
        .map(|s| (s.to_string(), json!(0)))
        .collect();
    let mut stmt = conn.prepare(
        "SELECT status, COUNT(*) FROM cc_contacts WHERE campaign_id = ?1 GROUP BY status",
    )?;
    for row in stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (s, n) = row?;
        by_status.insert(s, json!(n));
    }
    let mut by_outcome = Map::new();
    let mut stmt = conn.prepare(
        "SELECT outcome, COUNT(*) FROM cc_calls WHERE campaign_id = ?1 AND status = 'completed'
         GROUP BY outcome ORDER BY outcome",
    )?;
    for row in stmt.query_map([id], |r| {
        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (o, n) = row?;
        by_outcome.insert(o.unwrap_or_else(|| "unknown".into()), json!(n));
    }
    Ok(CampaignStats {
        total_contacts,
        completed_calls: completed,
        success_rate: ratio(successful, completed),
        avg_call_duration: round(avg, 2),
        total_call_time: total_time,
        conversion_rate: ratio(converted, completed),
        cost_per_call: if completed == 0 {
            0.0
        } else {
            round(cost / completed as f64, 4)
        },
        successful_calls: successful,
        total_cost: round(cost, 4),
        contacts_by_status: Value::Object(by_status),
        calls_by_outcome: Value::Object(by_outcome),
    })
}

// ---- templates ----

const TEMPLATE_SELECT: &str = "SELECT id, name, description, campaign_type, provider_type,
    provider_model, system_prompt, default_config, is_public, is_system, created_by_id,
    created_at, updated_at FROM cc_campaign_templates t";

fn template_row(r: &Row<'_>) -> rusqlite::Result<CampaignTemplate> {
    Ok(CampaignTemplate {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        campaign_type: r.get(3)?,
        provider_type: r.get(4)?,
        provider_model: r.get(5)?,
        system_prompt: r.get(6)?,
        default_config: json_col(&r.get::<_, String>(7)?),
        is_public: r.get(8)?,
        is_system: r.get(9)?,
        created_by_id: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
    })
}

/// Public, system and own templates; admins see all. `None` access: no check.
fn visibility(f: &mut Filter, access: Option<&Access>) {
    if let Some(a) = access.filter(|a| !a.admin) {
        f.and(
            "(t.is_public = 1 OR t.is_system = 1 OR t.created_by_id = ?)",
            vec![int(a.seq)],
        );
    }
}

pub fn get_template(
    conn: &Connection,
    id: i64,
    access: Option<&Access>,
) -> ApiResult<Option<CampaignTemplate>> {
    let mut f = Filter::new();
    f.and("t.id = ?", vec![int(id)]);
    visibility(&mut f, access);
    Ok(conn
        .query_row(
            &format!("{TEMPLATE_SELECT} {}", f.sql()),
            params_from_iter(f.args.iter()),
            template_row,
        )
        .optional()?)
}

pub fn list_templates(
    conn: &Connection,
    access: &Access,
    is_public: Option<bool>,
    campaign_type: Option<&str>,
    w: Window,
) -> ApiResult<(Vec<CampaignTemplate>, u64)> {
    let mut f = Filter::new();
    visibility(&mut f, Some(access));
    if let Some(p) = is_public {
        f.and("t.is_public = ?", vec![int(p as i64)]);
    }
    if let Some(t) = campaign_type {
        f.and("t.campaign_type = ?", vec![text(t)]);
    }
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM cc_campaign_templates t {}", f.sql()),
        params_from_iter(f.args.iter()),
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "{TEMPLATE_SELECT} {} ORDER BY t.is_system DESC, t.id LIMIT {} OFFSET {}",
        f.sql(),
        w.limit,
        w.offset
    ))?;
    let rows = stmt
        .query_map(params_from_iter(f.args.iter()), template_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total as u64))
}

pub fn insert_template(tx: &Connection, t: &CampaignTemplate) -> ApiResult<i64> {
    let now = now();
    tx.execute(
        "INSERT INTO cc_campaign_templates (name, description, campaign_type, provider_type,
            provider_model, system_prompt, default_config, is_public, is_system, created_by_id,
            created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10, ?10)",
        params![
            t.name,
            t.description,
            t.campaign_type,
            t.provider_type,
            t.provider_model,
            t.system_prompt,
            t.default_config.to_string(),
            t.is_public,
            t.created_by_id,
            now
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn update_template(tx: &Connection, t: &CampaignTemplate) -> ApiResult<()> {
    tx.execute(
        "UPDATE cc_campaign_templates SET name = ?2, description = ?3, campaign_type = ?4,
            provider_type = ?5, provider_model = ?6, system_prompt = ?7, default_config = ?8,
            is_public = ?9, updated_at = ?10
         WHERE id = ?1",
        params![
            t.id,
            t.name,
            t.description,
            t.campaign_type,
            t.provider_type,
            t.provider_model,
            t.system_prompt,
            t.default_config.to_string(),
            t.is_public,
            now()
        ],
    )?;
    Ok(())
}

pub fn delete_template(tx: &Connection, id: i64) -> ApiResult<()> {
    tx.execute("DELETE FROM cc_campaign_templates WHERE id = ?1", [id])?;
    Ok(())
}
