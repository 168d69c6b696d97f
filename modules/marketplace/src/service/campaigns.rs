//! A/B review campaigns: variants with traffic allocation assign real review
//! requests; results compare response rates with a two-proportion z-test.

use chrono::NaiveTime;
use frontline_platform::audit::AuditEntry;
use frontline_platform::error::FieldError;
use frontline_platform::write::WriteCtx;
use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use super::{is_object_id, iso, new_id, now, parse_instant};
use crate::model::MarketplaceError;
use crate::model::{
    CampaignCreated, CampaignInput, CampaignOutcome, CampaignResults, CampaignStatusChanged,
    CampaignWinner, ConfidenceInterval, VariantResult,
};
use crate::stats;
use crate::SLUG;

/// The confidence level a winner must reach.
pub const CONFIDENCE: f64 = 0.95;

pub fn validate(c: &CampaignInput) -> Vec<FieldError> {
    let mut out = Vec::new();
    if c.name.trim().is_empty() || c.name.chars().count() > 200 {
        out.push(FieldError::new("name", "name must be 1 to 200 characters"));
    }
    if !["timing", "channel", "incentive", "message"].contains(&c.experiment.kind.as_str()) {
        out.push(FieldError::new(
            "experiment.type",
            "experiment.type must be timing, channel, incentive or message",
        ));
    }
    if c.variants.len() < 2 || c.variants.len() > 10 {
        out.push(FieldError::new(
            "variants",
            "a campaign has 2 to 10 variants",
        ));
    }
    let mut ids = std::collections::HashSet::new();
    let mut total = 0.0;
    for (i, v) in c.variants.iter().enumerate() {
        if v.variant_id.trim().is_empty() || !ids.insert(v.variant_id.clone()) {
            out.push(FieldError::new(
                format!("variants[{i}].variantId"),
                "variantId must be present and unique",
            ));
        }
        if v.name.trim().is_empty() {
            out.push(FieldError::new(
                format!("variants[{i}].name"),
                "name is required",
            ));
        }
        if !v.traffic_allocation.is_finite()
            || v.traffic_allocation <= 0.0
            || v.traffic_allocation > 100.0
        {
            out.push(FieldError::new(
                format!("variants[{i}].trafficAllocation"),
                "trafficAllocation must be between 0 and 100",
            ));
        }
        total += v.traffic_allocation;
        let cfg = &v.config;
        if cfg
            .delay
            .map(|d| !(0..=10_000).contains(&d))
            .unwrap_or(false)
        {
            out.push(FieldError::new(
                format!("variants[{i}].config.delay"),
                "delay must be between 0 and 10000",
            ));
        }
        if let Some(u) = &cfg.unit {
            if !["minutes", "hours", "days"].contains(&u.as_str()) {
                out.push(FieldError::new(
                    format!("variants[{i}].config.unit"),
                    "unit must be minutes, hours or days",
                ));
            }
        }
        if let Some(t) = &cfg.time {
            if NaiveTime::parse_from_str(t, "%H:%M").is_err() {
                out.push(FieldError::new(
                    format!("variants[{i}].config.time"),
                    "time must be HH:MM",
                ));
            }
        }
        if let Some(ch) = &cfg.channel {
            if !super::requests::CHANNELS.contains(&ch.as_str()) {
                out.push(FieldError::new(
                    format!("variants[{i}].config.channel"),
                    "channel must be push, sms, whatsapp or email",
                ));
            }
        }
    }
    if !c.variants.is_empty() && (total - 100.0).abs() > 0.01 {
        out.push(FieldError::new(
            "variants",
            "trafficAllocation of all variants must add up to 100",
        ));
    }
    if let Some(t) = &c.targeting {
        if t.sample_size.map(|n| n < 2).unwrap_or(false) {
            out.push(FieldError::new(
                "targeting.sampleSize",
                "sampleSize must be at least 2",
            ));
        }
        for (i, s) in t.service_categories.iter().flatten().enumerate() {
            if !is_object_id(s) {
                out.push(FieldError::new(
                    format!("targeting.serviceCategories[{i}]"),
                    "must be a 24-character hex id",
                ));
            }
        }
    }
    match (
        parse_instant("startDate", c.start_date.as_str()),
        parse_instant("endDate", c.end_date.as_str()),
    ) {
        (Ok(a), Ok(b)) if a >= b => out.push(FieldError::new(
            "endDate",
            "endDate must be after startDate",
        )),
        (a, b) => {
            if let Err(e) = a {
                out.extend(e.details);
            }
            if let Err(e) = b {
                out.extend(e.details);
            }
        }
    }
    out
}

pub fn create(w: &WriteCtx, c: &CampaignInput) -> ApiResult<CampaignCreated> {
    let (tx, user) = (w.tx(), super::caller(w)?);
    let problems = validate(c);
    if !problems.is_empty() {
        return Err(MarketplaceError::fields(problems));
    }
    let start = iso(parse_instant("startDate", c.start_date.as_str())?);
    let end = iso(parse_instant("endDate", c.end_date.as_str())?);
    let id = new_id();
    let at = now();
    tx.execute(
        "INSERT INTO marketplace_campaigns (id, name, definition, status, start_date, end_date, created_by, created_at)
         VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7)",
        params![id, c.name.trim(), serde_json::to_string(c)?, start, end, user.id, at],
    )?;
    w.record(AuditEntry {
        module: SLUG,
        action: "campaign.created",
        entity_type: "campaign",
        entity_id: Some(&id),
        details: json!({"name": c.name}),
    })?;
    Ok(CampaignCreated {
        campaign_id: id,
        status: "draft".into(),
        created_at: at,
    })
}

/// Extension: draft → active → paused/completed; only active campaigns assign requests.
pub fn set_status(w: &WriteCtx, id: &str, status: &str) -> ApiResult<CampaignStatusChanged> {
    let tx = w.tx();
    if !["draft", "active", "paused", "completed"].contains(&status) {
        return Err(MarketplaceError::Validation.invalid(
            "status",
            "status must be draft, active, paused or completed",
        ));
    }
    let cur: Option<String> = tx
        .query_row(
            "SELECT status FROM marketplace_campaigns WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(cur) = cur else {
        return Err(MarketplaceError::NotFound.with_message("Campaign not found"));
    };
    if cur == "completed" && status != "completed" {
        return Err(
            MarketplaceError::Conflict.with_message("A completed campaign cannot be reopened")
        );
    }
    tx.execute(
        "UPDATE marketplace_campaigns SET status = ?2 WHERE id = ?1",
        params![id, status],
    )?;
    w.record(AuditEntry {
        module: SLUG,
        action: "campaign.status_changed",
        entity_type: "campaign",
        entity_id: Some(id),
        details: json!({"from": cur, "to": status}),
    })?;
    Ok(CampaignStatusChanged {
        campaign_id: id.to_string(),
        status: status.to_string(),
        previous_status: cur,
    })
}

/// One variant's figures.
pub struct Arm {
    pub variant_id: String,
    pub name: String,
    pub participants: u64,
    pub responses: u64,
    pub average_rating: Option<f64>,
}

/// The results document from per-variant figures (pure, so the document's numbers are testable).
pub fn results_from(arms: &[Arm]) -> CampaignOutcome {
    let rate = |a: &Arm| {
        if a.participants == 0 {
            0.0
        } else {
            a.responses as f64 / a.participants as f64 * 100.0
        }
    };
    let variants: Vec<VariantResult> = arms
        .iter()
        .map(|a| {
            let (lo, hi) = stats::proportion_interval(a.responses, a.participants, CONFIDENCE);
            VariantResult {
                variant_id: a.variant_id.clone(),
                name: a.name.clone(),
                participants: a.participants,
                responses: a.responses,
                response_rate: stats::round(rate(a), 1),
                average_rating: a.average_rating.map(|r| stats::round(r, 1)),
                confidence_interval: ConfidenceInterval {
                    lower: stats::round(lo, 1),
                    upper: stats::round(hi, 1),
                },
            }
        })
        .collect();
    // The best arm against the runner-up; a winner only when the difference is significant.
    let mut order: Vec<&Arm> = arms.iter().collect();
    order.sort_by(|a, b| rate(b).total_cmp(&rate(a)));
    let mut winner = None;
    let mut p_value = None;
    if let [best, second, ..] = order.as_slice() {
        if let Some(p) = stats::two_proportion_p_value(
            best.responses,
            best.participants,
            second.responses,
            second.participants,
        ) {
            p_value = Some(stats::round(p, 4));
            if p < 1.0 - CONFIDENCE && rate(best) > rate(second) && rate(second) > 0.0 {
                let imp = (rate(best) - rate(second)) / rate(second) * 100.0;
                winner = Some(CampaignWinner {
                    variant_id: best.variant_id.clone(),
                    confidence: (CONFIDENCE * 100.0).round() as i64,
                    improvement: format!("+{:.1}% response rate", imp),
                    p_value: stats::round(p, 4),
                });
            }
        }
    }
    CampaignOutcome {
        total_participants: arms.iter().map(|a| a.participants).sum::<u64>(),
        variant_results: variants,
        significant: winner.is_some(),
        winner,
        p_value,
    }
}

pub fn results(conn: &Connection, id: &str) -> ApiResult<CampaignResults> {
    let row: Option<(String, String, String)> = conn
        .query_row(
            "SELECT name, definition, status FROM marketplace_campaigns WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((name, def, status)) = row else {
        return Err(MarketplaceError::NotFound.with_message("Campaign not found"));
    };
    let c: CampaignInput = serde_json::from_str(&def)?;
    let mut arms = Vec::new();
    for v in &c.variants {
        let (participants, responses, avg): (i64, i64, Option<f64>) = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(rq.status = 'submitted'), 0), AVG(rv.overall_rating)
             FROM marketplace_review_requests rq LEFT JOIN marketplace_reviews rv ON rv.booking_id = rq.booking_id
             WHERE rq.campaign_id = ?1 AND rq.variant_id = ?2",
            params![id, v.variant_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        arms.push(Arm {
            variant_id: v.variant_id.clone(),
            name: v.name.clone(),
            participants: participants as u64,
            responses: responses as u64,
            average_rating: avg,
        });
    }
    Ok(CampaignResults {
        campaign_id: id.to_string(),
        name,
        status,
        experiment: c.experiment,
        results: results_from(&arms),
    })
}
